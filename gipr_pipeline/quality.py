"""Great Expectations on the marts: suites built from the template data (each on a view of its
mart, below), and the validation of a year's marts with Data Docs as static HTML.

Why one module, beside ``schemas.py`` (not a function next to each mart in ``marts.py``): the
suites are declared from the same template data as the pandera schemas (row codes per template,
rows per template, the balance rules with their totals and parts), so a template change updates
both; ``marts.py`` stays free of validation code; and Great Expectations (about 5 s to import)
is imported only inside :func:`validate_year`. The declarations below are plain data (the GX
expectation class name and its arguments), so this module imports fast and the suites can be
listed and tested without GX; :func:`validate_year` turns them into GX objects.

Division of labour with pandera: the pandera models guard dtypes and codes at every asset
boundary (a run stops on them); these suites describe the marts' *content* for people (Data Docs)
and turn into Dagster asset checks on ``data_quality_docs``: keys not null, value ranges, unique
(report, row), rows per report by template, years inside the partition, agencies not empty, and
the balance rules (勾稽关系) as multi-column expectations.

GX has no group-by, its multi-column sum compares with a constant, and on pandas it costs about
half a second and hundreds of MB per expectation on a national year's mart (applications holds
2.5 M rows, rule_violations 3 M). So each suite validates a small *view* of its mart, built
here in polars at the grain of its claims (and converted to pandas at this edge only). A claim
holds on every row of the mart if and only if it holds on every row of its view; what changes is
what GX counts (reports or row patterns instead of mart rows) and which row a sample shows:

- ``<mart>`` (wide marts): one row per report (its keys as printed), with ``rows_in_report``
  (compared per template with the template's row count), ``duplicate_rows`` (row codes repeated),
  and, for the per-row rules, the cells of the report's first row breaking a rule (else of its
  first row) with ``minus_<col>`` = −col: a rule "total = sum of parts" becomes
  ``ExpectMulticolumnSumToEqual(parts + minus_total, 0)``;
- ``<mart>_rows``: one row per template, row code and pattern of null / negative cells, with the
  smallest value of each column, an example report and how many reports share the pattern: row
  codes of the template, cells present or absent, counts ≥ 0;
- ``<mart>_by_column`` (applications): complete tables only, one column per row code
  (``row_3_7``; 0 where a template has no such row) for the rules that run down a column
  (``applications.balance``, ``applications.results_sum``): per report, its first applicant
  column breaking each rule (else its first column);
- ``rule_violations``: its distinct rows without the cell codes and ``detail`` (a report's blank
  cells in a table are one row, not one per cell), with how many mart rows each stands for;
- ``year_summary``: the mart itself (one row).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from gipr_pipeline import marts
from gipr_pipeline.schemas import RULE_IDS, SHA256
from gipr_pipeline.template import TABLE_CODES, VERSIONS, load_template

YEAR = {"$PARAMETER": "year"}  # the partition year, given at validation time
MARTS = (
    "applications",
    "review_litigation",
    "active_disclosure",
    "rule_violations",
    "applications_checked",
    "year_summary",
)
# Marts that hold reports as printed (a failure is a finding about a source report, routed to
# rule_violations): "warn". Derived marts must hold: "error".
SEVERITY = {
    "applications": "warn",
    "review_litigation": "warn",
    "active_disclosure": "warn",
    "rule_violations": "error",
    "applications_checked": "error",
    "year_summary": "error",
}
REPORT_KEYS = ("report_id", "year", "template")
ROW_KEYS = ("row_code", "row_order")
WHERE = "where"  # the batch's index: one label naming each row (see _batch)
# Rows without a template position sort last when a report's first row is picked.
_LAST = 1 << 30


@dataclass(frozen=True)
class Expect:
    """One expectation: a GX 1.x expectation class name and its arguments.

    ``when`` is a row condition, an AND of ``column == value`` (or ``column in [values]``).
    ``rule`` names the balance rule (TEMPLATE.md) an expectation stands for.
    """

    kind: str
    kwargs: Mapping[str, Any]
    note: str = ""
    when: tuple[tuple[str, Any], ...] = ()
    rule: str | None = None


@dataclass(frozen=True)
class Suite:
    name: str  # GX suite (and data asset) name
    mart: str  # the asset it guards
    view: Callable[[pl.LazyFrame], pl.DataFrame]  # the batch GX validates, from the mart
    expectations: tuple[Expect, ...] = field(repr=False)
    # columns that name a failing row in the results (which report, which agency)
    index: tuple[str, ...] = ("agency", "report_id", "row_code")
    reads: tuple[str, ...] | None = None  # the mart's columns the view reads (None: all)
    grain: str = ""  # what one row of the view stands for (the suite's notes)


# ---------------------------------------------------------------- small builders
def _not_null(*cols: str) -> list[Expect]:
    return [Expect("ExpectColumnValuesToNotBeNull", {"column": c}, "key: never null") for c in cols]


def _year() -> Expect:
    return Expect(
        "ExpectColumnValuesToBeBetween",
        {"column": "year", "min_value": YEAR, "max_value": YEAR},
        "every row belongs to the partition's year",
    )


def _agency() -> Expect:
    return Expect(
        "ExpectColumnValueLengthsToBeBetween",
        {"column": "agency", "min_value": 1},
        "a known agency (null = not found by the parser) is never an empty name",
    )


def _report_id() -> Expect:
    return Expect(
        "ExpectColumnValuesToMatchRegex",
        {"column": "report_id", "regex": SHA256},
        "report id = sha256 of the input's bytes",
    )


def _non_negative(cols, note: str = "counts are never negative") -> list[Expect]:
    return [
        Expect("ExpectColumnValuesToBeBetween", {"column": c, "min_value": 0}, note) for c in cols
    ]


def _minus(col: str) -> str:
    return f"minus_{col}"


def _row_col(code: str) -> str:
    return "row_" + code.replace(".", "_")


def _templates_with(table: str):
    return [load_template(v) for v in VERSIONS if table in load_template(v).table_by_code]


def _rules(table: str, per: str):
    """The template's hard rules of ``table`` evaluated ``per`` row or column, parts united over
    templates (each report holds only its own template's rows or columns)."""
    out: dict[str, tuple[tuple[str, ...], list[str], str]] = {}
    for t in _templates_with(table):
        for r in t.rules:
            kind = getattr(r, "kind", "sum")  # only sum rules (勾稽关系) have totals and parts
            if r.table == table and kind == "sum" and r.per == per and r.severity == "hard":
                total, parts, desc = out.get(r.id, (r.total, [], r.description))
                out[r.id] = (total, sorted({*parts, *r.parts}, key=_code_order), desc)
    return out


def _code_order(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in code.split("."))


# ---------------------------------------------------------------- views (polars, at the edge)
def _strings(df: pl.DataFrame) -> pl.DataFrame:
    """Categoricals (see ``_prepare``) back to strings: GX gets plain object columns."""
    return df.with_columns(pl.col(pl.Categorical).cast(pl.String))


def _with_minus(cols: tuple[str, ...]) -> Callable[[pl.LazyFrame], pl.DataFrame]:
    def view(lf: pl.LazyFrame) -> pl.DataFrame:
        return _strings(lf.with_columns((-pl.col(c)).alias(_minus(c)) for c in cols).collect())

    return view


def _breaks(total, parts) -> pl.Expr:
    """A row breaks "total = sum of parts" (False when a cell is unread: the rule is skipped)."""
    sides = [pl.sum_horizontal(list(x), ignore_nulls=False) for x in (total, parts)]
    return (sides[0] != sides[1]).fill_null(False)


def _report_view(table: str, value_columns: list[str]) -> Callable[[pl.LazyFrame], pl.DataFrame]:
    """One row per report: its keys, row count and repeated row codes, and the cells of its
    first row breaking each per-row rule (else of its first row), with ``minus_<total>``."""
    rules = _rules(table, "row")
    totals = sorted({c for total, _, _ in rules.values() for c in total})
    keys = list(marts.KEYS)

    def view(lf: pl.LazyFrame) -> pl.DataFrame:
        order = pl.col("row_order").fill_null(_LAST).cast(pl.Int64)
        picks = []
        for broken in [_breaks(t, p) for t, p, _ in rules.values()] or [pl.lit(False)]:
            first = order + pl.when(broken).then(0).otherwise(2 * _LAST)  # broken rows first
            pick = lf.filter(first == first.min().over(keys))
            picks.append(pick.unique(subset=keys, keep="first", maintain_order=True))
        counts = lf.group_by(keys).agg(
            pl.len().cast(pl.Int64).alias("rows_in_report"),
            (pl.len() - pl.col("row_code").n_unique()).cast(pl.Int64).alias("duplicate_rows"),
        )
        return _strings(
            pl.concat(picks)
            .unique(maintain_order=True)  # one row when every rule picks the same one
            .join(counts, on=keys, nulls_equal=True)
            .with_columns((-pl.col(c)).alias(_minus(c)) for c in totals)
            .sort("report_id", "row_order", "row_code", nulls_last=True)
            .collect()
        )

    return view


def _rows_view(value_columns: list[str]) -> Callable[[pl.LazyFrame], pl.DataFrame]:
    """One row per template, row code and pattern of null / negative cells: the smallest value
    of each column, an example report (the first id) and how many reports have the pattern."""
    flags = [pl.col(c).is_null().alias(f"_null_{c}") for c in value_columns] + [
        (pl.col(c) < 0).fill_null(False).alias(f"_neg_{c}")
        for c in value_columns
        if c not in marts.SIGNED_COLUMNS
    ]
    names = [f.meta.output_name() for f in flags]

    def view(lf: pl.LazyFrame) -> pl.DataFrame:
        first = pl.col("report_id").arg_min()
        return _strings(
            lf.with_columns(flags)
            .group_by("template", *ROW_KEYS, *names)
            .agg(
                pl.col("report_id", "agency").get(first),
                pl.col("report_id").n_unique().cast(pl.Int64).alias("reports"),
                *(pl.col(c).min() for c in value_columns),
            )
            .drop(names)
            .sort("template", "row_order", "row_code", "report_id", nulls_last=True)
            .collect()
        )

    return view


def _by_column_view(table: str) -> Callable[[pl.LazyFrame], pl.DataFrame]:
    """Complete tables only: per report, its first column breaking each column rule (else its
    first column), with one column per row code (0 where the report's template has no such
    row) and ``minus_row_<total>`` for the rules' total rows."""
    codes = sorted(
        {c for t in _templates_with(table) for c in t.table(table).row_codes}, key=_code_order
    )
    rules = _rules(table, "column")
    totals = sorted({c for total, _, _ in rules.values() for c in total}, key=_code_order)
    columns = list(load_template("2021").table(table).columns)
    rc = pl.col("row_code")

    def view(lf: pl.LazyFrame) -> pl.DataFrame:
        # total − parts per complete report, rule and column (+1 for a total row, −1 for a part)
        sign = {
            r: pl.when(rc.is_in(list(total))).then(1).when(rc.is_in(parts)).then(-1).otherwise(0)
            for r, (total, parts, _) in rules.items()
        }
        diff = (  # small; collected once, as it is read three times below
            marts.complete_reports(
                lf,
                *(
                    (pl.col(c) * s).sum().alias(f"{r}|{c}")
                    for r, s in sign.items()
                    for c in columns
                ),
            )
            .collect()
            .lazy()
        )
        broken = pl.concat(
            diff.select(
                "report_id",
                column_code=pl.coalesce(
                    pl.when(pl.col(f"{r}|{c}") != 0).then(pl.lit(c)) for c in columns
                ),
            ).drop_nulls()
            for r in rules
        )
        passing = diff.join(broken, on="report_id", how="anti")
        reps = pl.concat(
            [broken, passing.select("report_id", column_code=pl.lit(columns[0]))]
        ).unique()
        value = pl.coalesce(pl.when(pl.col("column_code") == c).then(pl.col(c)) for c in columns)
        return _strings(
            lf.join(reps, on="report_id")
            .with_columns(value=value)
            .group_by(*marts.KEYS, "column_code")
            .agg((pl.col("value") * (rc == c)).sum().alias(_row_col(c)) for c in codes)
            .with_columns((-pl.col(_row_col(c))).alias(_minus(_row_col(c))) for c in totals)
            .sort("report_id", "column_code")
            .collect()
        )

    return view


def _violations_view(lf: pl.LazyFrame) -> pl.DataFrame:
    """The distinct rows of what the suite reads (cell codes and detail dropped), with how many
    mart rows each stands for."""
    return _strings(
        lf.group_by(VIOLATION_READS)
        .agg(rows=pl.len().cast(pl.Int64))
        .with_columns(minus_actual=-pl.col("actual"))
        .sort("report_id", "rule", "table_code", "expected", "actual", nulls_last=True)
        .collect()
    )


VIOLATION_READS = (
    "report_id",
    "year",
    "agency",
    "rule",
    "severity",
    "table_code",
    "expected",
    "actual",
    "difference",
)


# ---------------------------------------------------------------- suites, from the template
def _report_expectations(table: str) -> list[Expect]:
    """Per report: keys, rows per report (by template), no repeated row, the per-row rules."""
    out = [
        *_not_null(*REPORT_KEYS),
        _report_id(),
        _year(),
        _agency(),
        Expect(
            "ExpectColumnValuesToBeInSet",
            {"column": "template", "value_set": list(VERSIONS)},
            "a known template version",
        ),
        Expect(
            "ExpectColumnValuesToBeBetween",
            {"column": "duplicate_rows", "min_value": 0, "max_value": 0},
            "one row per (report, row code): no row code twice in a report",
        ),
    ]
    for t in _templates_with(table):
        n = len(t.table(table).rows)
        out.append(
            Expect(
                "ExpectColumnValuesToBeBetween",
                {"column": "rows_in_report", "min_value": n, "max_value": n},
                f"a {t.version}-template report has exactly {n} rows in this table",
                when=(("template", t.version),),
            )
        )
    for rule_id, (total, parts, desc) in _rules(table, "row").items():
        out.append(
            Expect(
                "ExpectMulticolumnSumToEqual",
                {
                    "column_list": [*parts, *(_minus(c) for c in total)],
                    "sum_total": 0,
                    "ignore_row_if": "any_value_is_missing",
                },
                f"{rule_id}: {desc} (minus_x = −x; each report shows its first row breaking "
                "the rule; rows with an unread cell are skipped, as the parser skips the rule)",
                rule=rule_id,
            )
        )
    return out


def _rows_expectations(table: str, value_columns: list[str], strict: bool) -> list[Expect]:
    """Per template row and cell pattern: row codes of the template, counts ≥ 0, cells set."""
    out = list(_not_null(*ROW_KEYS))
    for t in _templates_with(table):
        out.append(
            Expect(
                "ExpectColumnValuesToBeInSet",
                {"column": "row_code", "value_set": list(t.table(table).row_codes)},
                f"rows of the {t.version} template",
                when=(("template", t.version),),
            )
        )
    out += _non_negative([c for c in value_columns if c not in marts.SIGNED_COLUMNS])
    if strict:
        out += _not_null(*value_columns)
    return out


def _by_column_expectations(table: str) -> list[Expect]:
    out = []
    for rule_id, (total, parts, desc) in _rules(table, "column").items():
        out.append(
            Expect(
                "ExpectMulticolumnSumToEqual",
                {
                    "column_list": [
                        *(_row_col(p) for p in parts),
                        *(_minus(_row_col(t)) for t in total),
                    ],
                    "sum_total": 0,
                    "ignore_row_if": "never",
                },
                f"{rule_id}: {desc}, per report and column (minus_x = −x; each report shows its "
                "first column breaking the rule)",
                rule=rule_id,
            )
        )
    return out


def _disclosure_expectations() -> list[Expect]:
    """Section 二: each row's own cells are filled, the cells it lacks are null; fees are
    decimals (万元)."""
    out = []
    for t in _templates_with("active_disclosure"):
        tb = t.table("active_disclosure")
        for c in tb.columns:
            has = [r.code for r in tb.rows if c in r.columns]
            lacks = [r.code for r in tb.rows if c not in r.columns]
            if has:
                out.append(
                    Expect(
                        "ExpectColumnValuesToNotBeNull",
                        {"column": c},
                        f"{t.version}: rows {', '.join(has)} have this cell",
                        when=(("template", t.version), ("row_code", has)),
                    )
                )
            if lacks:
                out.append(
                    Expect(
                        "ExpectColumnValuesToBeNull",
                        {"column": c},
                        f"{t.version}: rows {', '.join(lacks)} have no such cell",
                        when=(("template", t.version), ("row_code", lacks)),
                    )
                )
    for c in sorted(marts.DECIMAL_COLUMNS):
        out.append(
            Expect(
                "ExpectColumnValuesToBeOfType",
                {"column": c, "type_": "float64"},
                "amounts (万元) are decimals",
            )
        )
    return out


def _violations_expectations() -> list[Expect]:
    hard = (("severity", "hard"),)
    return [
        *_not_null("report_id", "year", "rule", "severity"),
        *(
            Expect(
                "ExpectColumnValuesToNotBeNull",
                {"column": c},
                "a broken balance rule names its table and both sides",
                when=hard,
            )
            for c in ("table_code", "expected", "actual")
        ),
        _report_id(),
        _year(),
        _agency(),
        Expect(
            "ExpectColumnValuesToBeInSet",
            {"column": "rule", "value_set": RULE_IDS},
            "rule ids of the contract",
        ),
        Expect(
            "ExpectColumnValuesToBeInSet",
            {"column": "severity", "value_set": ["hard", "soft"]},
            "hard rules route a report here; soft ones only warn",
        ),
        Expect(
            "ExpectColumnValuesToBeInSet",
            {"column": "table_code", "value_set": list(TABLE_CODES)},
            "a table of the template (null for rules on the text)",
        ),
        Expect(
            "ExpectMulticolumnSumToEqual",
            {
                "column_list": ["expected", "difference", "minus_actual"],
                "sum_total": 0,
                "ignore_row_if": "any_value_is_missing",
            },
            "difference = actual − expected",
        ),
        Expect(
            "ExpectColumnValuesToNotBeInSet",
            {"column": "difference", "value_set": [0]},
            "a violation means actual ≠ expected",
            when=hard,
        ),
    ]


def _summary_expectations() -> list[Expect]:
    counts = [c for c, t in marts.YEAR_SUMMARY_SCHEMA.items() if t == pl.Int64]
    received = [f"received_{c}" for c in marts.APPLICANT_COLUMNS if c != "total"]
    outcomes = [f"outcome_{g}" for g in marts.OUTCOME_GROUPS if g != "total"]
    return [
        Expect("ExpectTableRowCountToEqual", {"value": 1}, "one row for the year"),
        *_not_null(*counts, "year"),
        _year(),
        *_non_negative(counts),
        *(
            Expect(
                "ExpectColumnValuesToBeBetween",
                {"column": c, "min_value": 0, "max_value": 1},
                "a rate (null when its denominator is 0)",
            )
            for c in ("disclosure_rate", "review_correction_rate")
        ),
        Expect(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "reports", "column_B": "reports_accepted", "or_equal": True},
            "inputs ≥ accepted reports",
        ),
        Expect(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "reports_accepted", "column_B": "reports_checked", "or_equal": True},
            "accepted reports ≥ verified reports",
        ),
        Expect(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "review_cases", "column_B": "review_corrected", "or_equal": True},
            "concluded reviews ≥ corrected reviews",
        ),
        Expect(
            "ExpectMulticolumnSumToEqual",
            {
                "column_list": ["reports_accepted", "reports_rejected", "minus_reports"],
                "sum_total": 0,
            },
            "reports = accepted + rejected",
        ),
        Expect(
            "ExpectMulticolumnSumToEqual",
            {"column_list": [*received, "minus_received_total"], "sum_total": 0},
            "applications.row_total on the year's verified sums: received total = sum of the six "
            "applicant types",
            rule="applications.row_total",
        ),
        Expect(
            "ExpectMulticolumnSumToEqual",
            {
                "column_list": [
                    "received_total",
                    "carried_over_in",
                    "minus_outcome_total",
                    "minus_carried_over_out",
                ],
                "sum_total": 0,
            },
            "applications.balance on the year's verified sums: received + carried in = handled "
            "+ carried out",
            rule="applications.balance",
        ),
        Expect(
            "ExpectMulticolumnSumToEqual",
            {"column_list": [*outcomes, "minus_outcome_total"], "sum_total": 0},
            "applications.results_sum on the year's verified sums: handled = sum of the six "
            "outcome groups",
            rule="applications.results_sum",
        ),
    ]


_REPORT_GRAIN = (
    "one row per report: its keys, row count and repeated row codes, and the cells of its first "
    "row breaking a per-row rule (else of its first row)"
)
_ROWS_GRAIN = (
    "one row per template, row code and pattern of null / negative cells: the smallest value "
    "of each column, an example report (report_id) and how many reports share the pattern"
)
_ROWS_INDEX = ("agency", "report_id", "row_code", "reports")


def _wide_suites(mart: str, table: str, value_columns: list[str], strict: bool) -> list[Suite]:
    reads = (*marts.KEYS, *ROW_KEYS, *value_columns)
    rows = _rows_expectations(table, value_columns, strict)
    if table == "active_disclosure":
        rows += _disclosure_expectations()
    suites = [
        Suite(
            mart,
            mart,
            _report_view(table, value_columns),
            tuple(_report_expectations(table)),
            reads=reads,
            grain=_REPORT_GRAIN,
        ),
        Suite(
            f"{mart}_rows",
            mart,
            _rows_view(value_columns),
            tuple(rows),
            index=_ROWS_INDEX,
            reads=reads,
            grain=_ROWS_GRAIN,
        ),
    ]
    if _rules(table, "column"):
        suites.append(
            Suite(
                f"{mart}_by_column",
                mart,
                _by_column_view(table),
                tuple(_by_column_expectations(table)),
                index=("agency", "report_id", "column_code"),
                reads=reads,
                grain="complete tables only: per report, its first applicant column breaking "
                "each column rule (else its first column), one column per row code",
            )
        )
    return suites


def _suites() -> tuple[Suite, ...]:
    app_cols = list(marts.APPLICANT_COLUMNS)
    suites = [
        *_wide_suites("applications", "applications", app_cols, strict=False),
        *_wide_suites("applications_checked", "applications", app_cols, strict=True),
        *_wide_suites(
            "review_litigation", "review_litigation", list(marts.REVIEW_COLUMNS), strict=False
        ),
        *_wide_suites(
            "active_disclosure", "active_disclosure", list(marts.DISCLOSURE_COLUMNS), strict=False
        ),
        Suite(
            "rule_violations",
            "rule_violations",
            _violations_view,
            tuple(_violations_expectations()),
            index=("agency", "report_id", "rule"),
            reads=VIOLATION_READS,
            grain="the mart's distinct rows without cell codes and detail (rows: how many "
            "mart rows each stands for)",
        ),
        Suite(
            "year_summary",
            "year_summary",
            _with_minus(("reports", "received_total", "outcome_total", "carried_over_out")),
            tuple(_summary_expectations()),
            index=("year",),
            grain="the mart: one row for the year",
        ),
    ]
    order = {m: i for i, m in enumerate(MARTS)}
    return tuple(sorted(suites, key=lambda s: (order[s.mart], s.name)))


SUITES: tuple[Suite, ...] = _suites()


# ---------------------------------------------------------------- validation and Data Docs
@dataclass
class Failure:
    suite: str
    expectation: str
    columns: str
    note: str
    rule: str | None
    unexpected: int | None
    sample: list

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def sample_text(self, n: int = 5, sep: str = "; ") -> str:
        """The first failing rows, naming columns first (agency, report id, row/column)."""
        first = ("agency", "report_id", "row_code", "column_code", "rule", "year")

        def one(x) -> str:
            if not isinstance(x, dict):
                return str(x)
            keys = [k for k in first if k in x] + [k for k in x if k not in first]
            return ", ".join(f"{k}={str(x[k])[:12] if k == 'report_id' else x[k]}" for k in keys)

        return sep.join(one(x) for x in self.sample[:n])


@dataclass
class MartQuality:
    mart: str
    severity: str
    success: bool
    evaluated: int
    failed: list[Failure]
    pages: list[Path]  # the Data Docs page of each of the mart's validations


@dataclass
class YearQuality:
    year: int
    docs_dir: Path
    index: Path  # Data Docs entry page (GX; its styles and tables load from CDNs)
    marts: dict[str, MartQuality]
    summary: Path | None = None  # our offline page: every suite, every failure, links

    @property
    def success(self) -> bool:
        return all(m.success for m in self.marts.values())


def quality_dir(docs_dir: str | Path, year: int) -> Path:
    """Where a year's Data Docs live: ``<docs_dir>/quality/<year>/index.html``."""
    return Path(docs_dir) / "quality" / str(year)


def _condition(when: tuple[tuple[str, Any], ...]):
    from great_expectations.expectations.row_conditions import Column

    cond = None
    for col, value in when:
        c = (
            Column(col).is_in(list(value))
            if isinstance(value, list | tuple)
            else Column(col) == value
        )
        cond = c if cond is None else cond & c
    return cond


def _gx_expectation(gxe, e: Expect):
    kwargs = dict(e.kwargs)
    if e.when:
        kwargs["row_condition"] = _condition(e.when)
    meta = {"rule": e.rule} if e.rule else None
    return getattr(gxe, e.kind)(**kwargs, notes=e.note or None, meta=meta)


def _import_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401


def _context(site_dir: Path):
    _import_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.add_data_docs_site(
        site_name="gipr",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return gx, ctx


def _plain(v):
    """numpy scalars → Python (JSON-able metadata)."""
    return v.item() if hasattr(v, "item") else v


def _batch(view: pl.DataFrame, index: tuple[str, ...]):
    """The pandas batch GX validates, indexed by one unique label per row (its ``index`` columns
    joined, the report id shortened), and the labels with those columns (``_sample``). GX names
    each failing row by its index: from a named index it costs one lookup per failing cell, from
    index columns about ten (seconds for a national year's failing rows)."""
    import pandas as pd

    short = {"report_id": pl.col("report_id").str.slice(0, 12)}
    label = pl.concat_str(
        [short.get(c, pl.col(c)).cast(pl.String).fill_null("—") for c in index], separator=" · "
    )
    keys = view.select(index).with_columns(label.alias(WHERE))
    if keys[WHERE].is_duplicated().any():  # e.g. two row patterns with the same example report
        keys = keys.with_columns(pl.col(WHERE) + " #" + pl.int_range(pl.len()).cast(pl.String))
    pdf = view.to_pandas()
    pdf.index = pd.Index(keys[WHERE].to_numpy(), name=WHERE)
    return pdf, keys


def _failure(suite: str, r, keys: pl.DataFrame) -> Failure:
    cfg = r.expectation_config
    kw = cfg.kwargs
    cols = kw.get("column") or kw.get("column_list") or [kw.get("column_A"), kw.get("column_B")]
    res = r.result or {}
    err = (r.exception_info or {}).get("exception_message") if r.exception_info else None
    rows = (res.get("partial_unexpected_index_list") or res.get("partial_unexpected_list") or [])[
        :5
    ]
    labels = [x.get(WHERE) for x in rows if isinstance(x, dict)]
    names = {
        k[WHERE]: {c: v for c, v in k.items() if c != WHERE}
        for k in keys.filter(pl.col(WHERE).is_in(labels)).iter_rows(named=True)
    }
    return Failure(
        suite=suite,
        expectation=cfg.type,
        columns=cols if isinstance(cols, str) else ", ".join(c for c in cols if c),
        note=(cfg.notes or "") + (f" [error: {err}]" if err else ""),
        rule=(cfg.meta or {}).get("rule"),
        unexpected=res.get("unexpected_count"),
        sample=[_sample(x, names) for x in rows],
    )


def _sample(x, names: Mapping[str, dict]):
    """A failing row as {index columns, failing values} (its label resolved, see ``_batch``)."""
    if not isinstance(x, dict):
        return _plain(x)
    row = {k: _plain(v) for k, v in x.items() if k != WHERE}
    return {**names.get(x.get(WHERE), {}), **row}


def _prepare(frame: pl.DataFrame | pl.LazyFrame, suites: list[Suite]) -> pl.LazyFrame:
    """The columns the mart's suites read, in memory once for all of them (a national year's
    applications: about 200 MB), strings as categoricals: the views group millions of rows by
    ids and codes."""
    lf = frame.lazy()
    if all(s.reads is not None for s in suites):
        lf = lf.select(list(dict.fromkeys(c for s in suites for c in s.reads or ())))
    return lf.with_columns(pl.col(pl.String).cast(pl.Categorical)).collect().lazy()


def validate_year(
    frames: Mapping[str, pl.DataFrame | pl.LazyFrame], year: int, docs_dir: str | Path
) -> YearQuality:
    """Validate a year's marts (``frames``: mart name → polars frame, eager or lazy) with every
    suite and (re)build the year's Data Docs under ``quality_dir(docs_dir, year)`` (replaced as
    a whole). Suites whose mart is not in ``frames`` are skipped."""
    # GX takes seconds to import (pure Python): import it in a thread while polars (which
    # releases the GIL) computes the views.
    importing = threading.Thread(target=_import_gx, daemon=True)
    importing.start()
    views = {}
    for mart in MARTS:
        suites = [s for s in SUITES if s.mart == mart]
        if mart in frames:
            lf = _prepare(frames[mart], suites)
            views.update((s.name, s.view(lf)) for s in suites)
            del lf
    importing.join()

    site = quality_dir(docs_dir, year).resolve()  # GX wants an absolute base directory
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    gx, ctx = _context(site)
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier

    source = ctx.data_sources.add_pandas("gipr_marts")
    run_id = RunIdentifier(run_name=f"gipr-{year}")
    results: dict[str, list[tuple[str, Any]]] = {}
    keys: dict[str, pl.DataFrame] = {}
    for s in SUITES:
        if s.name not in views:
            continue
        batch = source.add_dataframe_asset(s.name).add_batch_definition_whole_dataframe(str(year))
        # All expectations at once: add_expectation re-saves the suite each time (quadratic).
        suite = ctx.suites.add(
            gx.ExpectationSuite(
                name=s.name,
                expectations=[_gx_expectation(gxe, e) for e in s.expectations],
                notes=f"Validates a view of {s.mart}: {s.grain}." if s.grain else None,
            )
        )
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=s.name, data=batch, suite=suite)
        )
        batch, keys[s.name] = _batch(views.pop(s.name), s.index)
        res = vd.run(
            batch_parameters={"dataframe": batch},
            expectation_parameters={"year": year},
            result_format={"result_format": "SUMMARY", "unexpected_index_column_names": [WHERE]},
            run_id=run_id,
        )
        results.setdefault(s.mart, []).append((s.name, res))
    ctx.build_data_docs(site_names=["gipr"])

    out = {}
    for mart, runs in results.items():
        failed = [
            _failure(name, r, keys[name])
            for name, res in runs
            for r in res.results
            if not r.success
        ]
        pages = [
            p for name, _ in runs for p in sorted((site / "validations" / name).rglob("*.html"))
        ]
        out[mart] = MartQuality(
            mart=mart,
            severity=SEVERITY[mart],
            success=all(res.success for _, res in runs),
            evaluated=sum(len(res.results) for _, res in runs),
            failed=failed,
            pages=pages,
        )
    q = YearQuality(year=year, docs_dir=Path(docs_dir), index=site / "index.html", marts=out)
    q.summary = write_summary(q)
    return q


def write_summary(q: YearQuality) -> Path:
    """``summary.html`` beside the Data Docs: one self-contained page (no scripts, no network)
    with each mart's result, its failing expectations and links to the GX pages. The GX pages
    themselves are readable offline but fetch their styles and the index's tables from CDNs."""
    import html

    def e(v) -> str:
        return html.escape("" if v is None else str(v))

    site = q.index.parent
    parts = []
    for mart in MARTS:
        m = q.marts.get(mart)
        if m is None:
            continue
        state = "pass" if m.success else ("fail" if m.severity == "error" else "warn")
        links = " · ".join(
            f'<a href="{e(p.relative_to(site).as_posix())}">{e(p.parent.parent.parent.name)}</a>'
            for p in m.pages
        )
        parts.append(
            f'<h2 class="{state}">{e(mart)}: {"通过 pass" if m.success else "未通过 failed"}'
            f" <small>({m.evaluated - len(m.failed)}/{m.evaluated} expectations, severity "
            f"{e(m.severity)})</small></h2><p>Data Docs: {links}</p>"
        )
        if m.failed:
            rows = "".join(
                "<tr>"
                + "".join(
                    f"<td>{e(c)}</td>"
                    for c in (
                        f.suite,
                        f.expectation,
                        f.columns,
                        f.rule or "",
                        f.note,
                        f.unexpected,
                        f.sample_text(sep="\n"),
                    )
                )
                + "</tr>"
                for f in m.failed
            )
            parts.append(
                "<table><tr><th>suite</th><th>expectation</th><th>columns</th><th>rule</th>"
                "<th>what it means</th><th>unexpected</th><th>first rows</th></tr>"
                f"{rows}</table>"
            )
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>数据质量 {q.year} · data quality</title><style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 24px; }}
h2 {{ font-size: 18px; margin-top: 28px; }} h2.pass {{ color: #2e7d32; }}
h2.warn {{ color: #b26a00; }} h2.fail {{ color: #c62828; }} small {{ color: #666; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left;
  white-space: pre-line; }}
</style></head><body>
<h1>{q.year} 年度数据质量 · Great Expectations</h1>
<p>{"全部通过 — every suite passes" if q.success else "有未通过的检查 — some suites fail"}.
Great Expectations Data Docs: <a href="index.html">index.html</a>
(styled with online assets; the validation pages read fine offline).</p>
{"".join(parts)}
</body></html>
"""
    out = site / "summary.html"
    out.write_text(page, "utf-8")
    return out
