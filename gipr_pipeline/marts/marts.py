"""Pure polars transforms: parse results → base tables → marts, and the balance rules on marts.

No Dagster here: the assets in ``defs/`` call these functions, the tests call them directly.
Column names avoid the SQL keywords ``row``/``column`` (``row_code``/``column_code``). Every
frame carries ``year`` (the partition column in the warehouse).

Dtypes are exact (the pandera schemas in ``schemas.py`` do not coerce), so what the assets
return is what the warehouse stores and what downstream assets load back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import polars as pl

from gipr_pipeline.marts.inventory import Assignment, RawInput
from gipr_pipeline.parser.model import ReportResult
from gipr_pipeline.template import VERSIONS, load_template

YEAR = pl.Int32
KEYS = ("report_id", "year", "agency", "template")

APPLICANT_COLUMNS = load_template("2021").table("applications").columns
REVIEW_COLUMNS = load_template("2021").table("review_litigation").columns
# Section 二 differs between templates (2021: issued/repealed/in_force, decisions, fees amount;
# 2019: made/published/total_public, previous_count/change/decisions, procurement): the mart has
# every template's columns, and a row's cells it lacks are null.
_DISCLOSURE_TABLES = [load_template(v).table("active_disclosure") for v in VERSIONS]
DISCLOSURE_COLUMNS = tuple(dict.fromkeys(c for t in _DISCLOSURE_TABLES for c in t.columns))
# active_disclosure columns that hold amounts (decimals); every other value is a count.
DECIMAL_COLUMNS = frozenset(
    c for t in _DISCLOSURE_TABLES for r in t.rows for c in r.columns if t.is_decimal(r, c)
)
# Columns that may be negative (2019: 本年增/减); every other value is >= 0.
SIGNED_COLUMNS = frozenset(c for t in _DISCLOSURE_TABLES for c in t.signed)

# year_summary outcome groups: name → row-code prefix in the applications table (section 三).
OUTCOME_GROUPS: dict[str, str] = {
    "granted": "3.1",  # (一)予以公开
    "partly_granted": "3.2",  # (二)部分公开
    "withheld": "3.3",  # (三)不予公开 (3.3.1–3.3.8)
    "unavailable": "3.4",  # (四)无法提供
    "not_processed": "3.5",  # (五)不予处理
    "other_handling": "3.6",  # (六)其他处理 (3.6 in 2019, 3.6.1–3.6.3 since 2021)
    "total": "3.7",  # (七)总计
}

# ---------------------------------------------------------------- schemas of the base tables
RAW_REPORTS_SCHEMA = {
    "report_id": pl.String,
    "year": YEAR,
    "path": pl.String,
    "paths": pl.List(pl.String),
    "n_paths": pl.Int32,
    "size": pl.Int64,
    "accepted": pl.Boolean,
    "year_source": pl.String,
    "format": pl.String,
    "encoding": pl.String,
}
SECTIONS_SCHEMA = {
    "report_id": pl.String,
    "year": YEAR,
    "agency": pl.String,
    "published": pl.Date,
    "template": pl.String,
    "section_code": pl.String,
    "section_order": pl.Int32,
    "text": pl.String,
}
FACTS_SCHEMA = {
    "report_id": pl.String,
    "year": YEAR,
    "agency": pl.String,
    "template": pl.String,
    "table_code": pl.String,
    "row_code": pl.String,
    "column_code": pl.String,
    "value": pl.Float64,
}
PROBLEMS_SCHEMA = {
    "report_id": pl.String,
    "year": YEAR,
    "kind": pl.String,  # "problem" | "violation" | "missing_table"
    "code": pl.String,  # problem code, rule id or table code
    "detail": pl.String,
    "table_code": pl.String,
    "row_code": pl.String,
    "column_code": pl.String,
    "expected": pl.Float64,
    "actual": pl.Float64,
    "severity": pl.String,
}
REJECTED_SCHEMA = {
    "report_id": pl.String,
    "year": YEAR,
    "path": pl.String,
    "paths": pl.List(pl.String),
    "size": pl.Int64,
    "reason": pl.String,
    "message": pl.String,
    "year_source": pl.String,
}
VIOLATIONS_SCHEMA = {
    "report_id": pl.String,
    "year": YEAR,
    "agency": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "table_code": pl.String,
    "row_code": pl.String,
    "column_code": pl.String,
    "expected": pl.Float64,
    "actual": pl.Float64,
    "difference": pl.Float64,
    "detail": pl.String,
}


def _wide_schema(columns: Sequence[str], decimal: Iterable[str] = ()) -> dict[str, pl.DataType]:
    dec = set(decimal)
    return {
        **{k: (YEAR if k == "year" else pl.String) for k in KEYS},
        "row_code": pl.String,
        "row_order": pl.Int32,
        **{c: (pl.Float64 if c in dec else pl.Int64) for c in columns},
    }


APPLICATIONS_SCHEMA = _wide_schema(APPLICANT_COLUMNS)
REVIEW_SCHEMA = _wide_schema(REVIEW_COLUMNS)
DISCLOSURE_SCHEMA = _wide_schema(DISCLOSURE_COLUMNS, DECIMAL_COLUMNS)
YEAR_SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "year": YEAR,
    "reports": pl.Int64,  # distinct inputs accounted in the year (reports + rejected)
    "reports_accepted": pl.Int64,
    "reports_rejected": pl.Int64,
    "reports_with_violations": pl.Int64,  # accepted reports breaking a hard rule
    "reports_checked": pl.Int64,  # reports in applications_checked
    **{f"received_{c}": pl.Int64 for c in APPLICANT_COLUMNS},
    "carried_over_in": pl.Int64,
    **{f"outcome_{g}": pl.Int64 for g in OUTCOME_GROUPS},
    "carried_over_out": pl.Int64,
    "disclosure_rate": pl.Float64,
    "review_cases": pl.Int64,
    "review_corrected": pl.Int64,
    "review_correction_rate": pl.Float64,
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def _frame(rows: list[dict], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else empty(schema)


def _date(s: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(s) if s else None
    except ValueError:
        return None


# ---------------------------------------------------------------- base tables from parse results
Item = tuple[RawInput, ReportResult, Assignment]


def raw_reports(items: Iterable[Item]) -> pl.DataFrame:
    """One row per distinct input (content hash), every path that holds it. Not the content:
    the bytes are in the raw folder (the id is their sha256), the text in ``report_sections``."""
    rows = []
    for inp, res, a in items:
        rows.append(
            {
                "report_id": inp.report_id,
                "year": a.year,
                "path": inp.path,
                "paths": list(inp.paths),
                "n_paths": len(inp.paths),
                "size": inp.size,
                "accepted": a.accepted,
                "year_source": a.year_source,
                "format": res.format,
                "encoding": res.encoding,
            }
        )
    return _frame(rows, RAW_REPORTS_SCHEMA).sort("path")


def report_sections(results: Iterable[tuple[str, int, ReportResult]]) -> pl.DataFrame:
    """(report_id, year, result) of accepted reports → one row per section, in report order."""
    rows = []
    for rid, year, res in results:
        m = res.report
        for i, (code, text) in enumerate(res.sections.items()):
            rows.append(
                {
                    "report_id": rid,
                    "year": year,
                    "agency": m.agency,
                    "published": _date(m.published),
                    "template": m.template,
                    "section_code": code,
                    "section_order": i,
                    "text": text,
                }
            )
    return _frame(rows, SECTIONS_SCHEMA)


def report_facts(results: Iterable[tuple[str, int, ReportResult]]) -> pl.DataFrame:
    """The long facts table: one row per (report, table, row, column) value the parser read."""
    cols: dict[str, list] = {k: [] for k in FACTS_SCHEMA}  # built by column: 200 rows a report
    for rid, year, res in results:
        facts = res.facts
        n = len(facts)
        if not n:
            continue
        cols["report_id"] += [rid] * n
        cols["year"] += [year] * n
        cols["agency"] += [res.report.agency] * n
        cols["template"] += [res.report.template] * n
        cols["table_code"] += [f.table for f in facts]
        cols["row_code"] += [f.row for f in facts]
        cols["column_code"] += [f.column for f in facts]
        cols["value"] += [float(f.value) for f in facts]
    return pl.DataFrame(cols, schema=FACTS_SCHEMA)


def report_problems(results: Iterable[tuple[str, int, ReportResult]]) -> pl.DataFrame:
    """What the parser flagged per report: problems ("code: detail"), missing tables and rule
    violations (hard and soft), one row each. Built by column (about 30 rows a report, most of
    them soft ``cells.blank`` violations): a dict per row cost twice as much."""
    c: dict[str, list] = {k: [] for k in PROBLEMS_SCHEMA}
    for rid, year, res in results:
        problems, missing, violations = res.problems, res.missing_tables, res.violations
        n = len(problems) + len(missing) + len(violations)
        if not n:
            continue
        c["report_id"] += [rid] * n
        c["year"] += [year] * n
        c["kind"] += ["problem"] * len(problems)
        for p in problems:
            code, _, detail = p.partition(":")
            c["code"].append(code.strip())
            c["detail"].append(detail.strip())
        c["kind"] += ["missing_table"] * len(missing)
        c["code"] += missing
        c["detail"] += [f"table {t} not found" for t in missing]
        c["table_code"] += [None] * len(problems) + list(missing)
        c["kind"] += ["violation"] * len(violations)
        c["code"] += [v.rule for v in violations]
        # Soft rules say what they found (e.g. the sentence quoted).
        c["detail"] += [v.detail or f"expected {v.expected}, actual {v.actual}" for v in violations]
        c["table_code"] += [v.table for v in violations]
        blank = [None] * (len(problems) + len(missing))
        c["row_code"] += blank + [v.row for v in violations]
        c["column_code"] += blank + [v.column for v in violations]
        c["expected"] += blank + [v.expected for v in violations]
        c["actual"] += blank + [v.actual for v in violations]
        c["severity"] += ["soft"] * len(blank) + [v.severity for v in violations]
    # strict=False: expected/actual are ints or floats (Float64, as the facts' values)
    return pl.DataFrame(c, schema=PROBLEMS_SCHEMA, strict=False)


def rejected_reports(items: Iterable[Item]) -> pl.DataFrame:
    """Every input that did not become a report of its partition, with its reason."""
    rows = [
        {
            "report_id": inp.report_id,
            "year": a.year,
            "path": inp.path,
            "paths": list(inp.paths),
            "size": inp.size,
            "reason": a.reason,
            "message": a.message,
            "year_source": a.year_source,
        }
        for inp, _, a in items
        if not a.accepted
    ]
    return _frame(rows, REJECTED_SCHEMA).sort("path")


# ---------------------------------------------------------------- marts
def _row_order() -> pl.DataFrame:
    """(template, table_code, row_code) → order of the row in its template."""
    rows = [
        {"template": v, "table_code": t.code, "row_code": r.code, "row_order": i}
        for v in VERSIONS
        for t in load_template(v).tables
        for i, r in enumerate(t.rows)
    ]
    return pl.DataFrame(
        rows,
        schema={
            "template": pl.String,
            "table_code": pl.String,
            "row_code": pl.String,
            "row_order": pl.Int32,
        },
    )


def _wide(facts: pl.DataFrame, table: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    long = facts.filter(pl.col("table_code") == table)
    if long.is_empty():
        return empty(schema)
    wide = long.pivot(
        on="column_code", index=[*KEYS, "row_code"], values="value", aggregate_function="first"
    )
    order = _row_order().filter(pl.col("table_code") == table).drop("table_code")
    wide = wide.join(order, on=["template", "row_code"], how="left")
    return (
        wide.with_columns([pl.lit(None).alias(c) for c in schema if c not in wide.columns])
        .select([pl.col(c).cast(t) for c, t in schema.items()])
        .sort("report_id", "row_order", "row_code")
    )


def applications(facts: pl.DataFrame) -> pl.DataFrame:
    """One row per report and row code, the seven applicant columns as columns."""
    return _wide(facts, "applications", APPLICATIONS_SCHEMA)


def review_litigation(facts: pl.DataFrame) -> pl.DataFrame:
    return _wide(facts, "review_litigation", REVIEW_SCHEMA)


def active_disclosure(facts: pl.DataFrame) -> pl.DataFrame:
    return _wide(facts, "active_disclosure", DISCLOSURE_SCHEMA)


def rule_violations(problems: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """The parser's rule violations with the report's agency: one row per broken rule instance,
    hard (balance rules) and soft (warnings: blank cells, prose vs tables, …; ``detail`` quotes
    what was found)."""
    agencies = facts.select("report_id", "agency").unique("report_id")
    v = problems.filter(pl.col("kind") == "violation").join(agencies, on="report_id", how="left")
    return (
        v.select(
            "report_id",
            "year",
            "agency",
            pl.col("code").alias("rule"),
            "severity",
            "table_code",
            "row_code",
            "column_code",
            "expected",
            "actual",
            (pl.col("actual") - pl.col("expected")).alias("difference"),
            "detail",
        )
        .cast(VIOLATIONS_SCHEMA)
        .sort("report_id", "rule", "row_code", "column_code", nulls_last=True)
    )


def hard_violation_ids(violations: pl.DataFrame) -> set[str]:
    return set(violations.filter(pl.col("severity") == "hard")["report_id"].to_list())


def complete_report_ids(apps: pl.DataFrame) -> set[str]:
    """Reports whose applications table has every row of its template and no empty cell."""
    return set(complete_reports(apps.lazy()).collect()["report_id"].to_list())


def complete_reports(apps: pl.LazyFrame, *aggs: pl.Expr) -> pl.LazyFrame:
    """``complete_report_ids`` as a lazy frame of ``report_id``, with ``aggs`` (aggregations
    per report, computed in the same pass)."""
    expected = {v: load_template(v).table("applications").row_codes for v in VERSIONS}
    known = [f"{v}|{r}" for v, rows in expected.items() for r in rows]
    counts = {v: len(set(rows)) for v, rows in expected.items()}
    g = apps.group_by("report_id", "template").agg(
        *aggs,
        n=pl.len(),
        distinct=pl.col("row_code").n_unique(),
        nulls=pl.sum_horizontal([pl.col(c).null_count() for c in APPLICANT_COLUMNS]),
        known=pl.concat_str(["template", "row_code"], separator="|").is_in(known).sum(),
    )
    ok = g.filter(
        (pl.col("nulls") == 0)
        & (pl.col("n") == pl.col("distinct"))
        & (pl.col("known") == pl.col("n"))
        & (pl.col("n") == pl.col("template").replace_strict(counts, default=-1))
    )
    return ok.select("report_id", *(a.meta.output_name() for a in aggs))


def applications_checked(apps: pl.DataFrame, violations: pl.DataFrame) -> pl.DataFrame:
    """Only reports with a complete applications table that break no hard rule: these are the
    numbers that add up, fit for sums across agencies. Incomplete tables (a rule could not be
    evaluated) stay in ``applications`` with their problems; they are not verified."""
    keep = complete_report_ids(apps) - hard_violation_ids(violations)
    return apps.filter(pl.col("report_id").is_in(sorted(keep)))


# ---------------------------------------------------------------- balance rules on wide marts
FAILURES_SCHEMA = {
    "report_id": pl.String,
    "agency": pl.String,
    "rule": pl.String,
    "row_code": pl.String,
    "column_code": pl.String,
    "expected": pl.Float64,
    "actual": pl.Float64,
}


# Above this many mart rows, rules are evaluated per bucket of reports (the long form of a
# national year's applications would be 17 million rows).
BALANCE_CHUNK_ROWS = 100_000


def balance_failures(mart: pl.DataFrame, table: str, severity: str = "hard") -> pl.DataFrame:
    """Evaluate the template's rules of ``table`` on a wide mart, per report and its template.

    Mirrors ``rules.evaluate`` on the parser side: a rule instance whose cells are not all
    present is skipped (the parser reports those as ``rule_skipped`` problems), and
    ``expected`` is the sum of the parts, ``actual`` the sum of the total cells.
    """
    buckets = -(-mart.height // BALANCE_CHUNK_ROWS)
    if buckets <= 1:
        return _balance_failures(mart, table, severity)
    bucket = pl.col("report_id").hash(seed=0) % buckets
    out = [_balance_failures(mart.filter(bucket == b), table, severity) for b in range(buckets)]
    return pl.concat(out).sort("report_id", "rule", "row_code", "column_code", nulls_last=True)


def _balance_failures(mart: pl.DataFrame, table: str, severity: str) -> pl.DataFrame:
    """The rules on the wide mart directly: per-column rules as one group-by per report, per-row
    rules as row-wise sums (the long form, 7 rows per wide row, was most of the cost). The same
    results as the long-form reference in test_marts.py (tested against it)."""
    columns = [c for c in mart.columns if c not in (*KEYS, "row_code", "row_order")]
    out = []
    for v in VERSIONS:
        tpl = load_template(v)
        if table not in tpl.table_by_code:
            continue
        t = tpl.table(table)
        sub = mart.filter(pl.col("template") == v)
        if sub.is_empty():
            continue
        for rule in tpl.sum_rules:
            if rule.table != table or rule.severity != severity:
                continue
            total, parts = list(rule.total), list(rule.parts)
            need = len(total) + len(parts)
            if rule.per == "column":
                in_total = pl.col("row_code").is_in(total)
                in_parts = pl.col("row_code").is_in(parts)
                g = sub.group_by("report_id", "agency").agg(
                    *(
                        pl.struct(
                            actual=pl.col(c).filter(in_total).cast(pl.Float64).sum(),
                            expected=pl.col(c).filter(in_parts).cast(pl.Float64).sum(),
                            n=pl.col(c).filter(in_total | in_parts).is_not_null().sum(),
                        ).alias(c)
                        for c in columns
                    )
                )
                long = g.unpivot(
                    on=columns, index=["report_id", "agency"], variable_name="column_code"
                )
                f = long.unnest("value").filter(
                    (pl.col("n") == need) & (pl.col("actual") != pl.col("expected"))
                )
                f = f.with_columns(pl.lit(None, pl.String).alias("row_code"))
            else:
                rows = [r.code for r in t.rows if set(total) | set(parts) <= set(r.columns)]
                cols = [c for c in (*total, *parts) if c in columns]
                if len(cols) < need:
                    continue
                f = (
                    sub.filter(pl.col("row_code").is_in(rows))
                    .select(
                        "report_id",
                        "agency",
                        "row_code",
                        actual=pl.sum_horizontal(pl.col(total).cast(pl.Float64)),
                        expected=pl.sum_horizontal(pl.col(parts).cast(pl.Float64)),
                        n=pl.sum_horizontal(pl.col(cols).is_not_null().cast(pl.Int32)),
                    )
                    .filter((pl.col("n") == need) & (pl.col("actual") != pl.col("expected")))
                    .with_columns(pl.lit(None, pl.String).alias("column_code"))
                )
            out.append(f.with_columns(pl.lit(rule.id).alias("rule")).select(list(FAILURES_SCHEMA)))
    if not out:
        return empty(FAILURES_SCHEMA)
    return (
        pl.concat(out)
        .select(list(FAILURES_SCHEMA))
        .cast(FAILURES_SCHEMA)
        .sort("report_id", "rule", "row_code", "column_code", nulls_last=True)
    )


# ---------------------------------------------------------------- year summary
def year_summary(
    year: int,
    raw: pl.DataFrame,
    rejected: pl.DataFrame,
    violations: pl.DataFrame,
    checked: pl.DataFrame,
    review: pl.DataFrame,
) -> pl.DataFrame:
    """One row for the year. Counts cover every input; sums and rates use only verified
    numbers (``applications_checked``, and review rows of reports without hard violations), so
    a misprinted report cannot distort them.

    disclosure_rate = (3.1 + 3.2) / 3.7 (total column); review_correction_rate = corrected /
    concluded review cases (upheld + corrected + other; pending excluded). None when the
    denominator is 0.
    """

    def cell(row_prefix: str, col: str = "total", exact: bool = False) -> int:
        rc = pl.col("row_code")
        sel = (
            rc == row_prefix if exact else (rc == row_prefix) | rc.str.starts_with(row_prefix + ".")
        )
        return int(checked.filter(sel)[col].sum() or 0)

    bad = hard_violation_ids(violations)
    rev = review.filter((pl.col("row_code") == "review") & ~pl.col("report_id").is_in(sorted(bad)))
    upheld, corrected, other = (
        int(rev[c].fill_null(0).sum()) for c in ("upheld", "corrected", "other")
    )
    concluded = upheld + corrected + other
    outcomes = {f"outcome_{g}": cell(p) for g, p in OUTCOME_GROUPS.items()}
    granted = outcomes["outcome_granted"] + outcomes["outcome_partly_granted"]
    row = {
        "year": year,
        "reports": raw.height,
        "reports_accepted": raw.height - rejected.height,
        "reports_rejected": rejected.height,
        "reports_with_violations": len(bad),
        "reports_checked": checked["report_id"].n_unique(),
        **{f"received_{c}": cell("1", c, exact=True) for c in APPLICANT_COLUMNS},
        "carried_over_in": cell("2", exact=True),
        **outcomes,
        "carried_over_out": cell("4", exact=True),
        "disclosure_rate": granted / outcomes["outcome_total"]
        if outcomes["outcome_total"]
        else None,
        "review_cases": concluded,
        "review_corrected": corrected,
        "review_correction_rate": corrected / concluded if concluded else None,
    }
    return pl.DataFrame([row], schema=YEAR_SUMMARY_SCHEMA, orient="row")


# ---------------------------------------------------------------- accounting
def accounting(
    raw: pl.DataFrame,
    rejected: pl.DataFrame,
    violations: pl.DataFrame,
    marts: Sequence[pl.DataFrame],
) -> dict:
    """Nothing lost: every distinct input of the partition is exactly one of a report in the
    marts without hard violations, a report with hard violations, or a rejected input."""
    inputs = set(raw["report_id"].to_list())
    rej = set(rejected["report_id"].to_list())
    bad = hard_violation_ids(violations)
    in_marts = set().union(*(set(m["report_id"].to_list()) for m in marts)) if marts else set()
    clean = in_marts - bad
    accounted = clean | bad | rej
    overlaps = (clean & rej) | (bad & rej)
    return {
        "inputs": len(inputs),
        "reports_in_marts": len(clean),
        "reports_with_violations": len(bad),
        "rejected": len(rej),
        "lost": sorted(inputs - accounted),
        "unknown": sorted(accounted - inputs),
        "double_counted": sorted(overlaps),
        "ok": inputs == accounted
        and not overlaps
        and len(inputs) == len(clean) + len(bad) + len(rej),
    }
