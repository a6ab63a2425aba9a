"""Corrections on record: a reviewer's corrected figure, applied between the parsed facts and
the marts, never by editing the source file.

Pure polars (no Dagster; ``defs/corrections.py`` wires it). Input: every ``*.csv`` under the
corrections folder (``data/corrections/`` beside ``data/raw/``), UTF-8 (BOM allowed), one
correction per line, these columns (``FILE_COLUMNS``):

==========  ==================================================================================
report_id   sha256 of the report's bytes (``gipr parse --json`` / the xlsx 报告编号); optional
            when ``source`` is given, but then a changed file cannot be told from the original
source      the file's path under the raw folder (as in ``raw_reports.paths``); optional when
            ``report_id`` is given
table       table code (``applications``, ``review_litigation``, ``active_disclosure``)
row         row code (``3.1``, ``review`` …)
column      column code (``total``, ``upheld`` …)
value       the corrected number (counts: an integer ≥ 0; fees: a decimal)
printed     optional: the value as read when the correction was made (``gipr correct`` fills
            it); if the parser now reads something else the correction is rejected
who, when   the reviewer, and the date (YYYY-MM-DD)
why         the reason, e.g. "机关来函更正" or "解析错误:原文为 35"
==========  ==================================================================================

The file's rows are validated by the pandera model ``correction_rows_model()`` (row by row: a bad row is
rejected with reason ``invalid`` and the failed checks, the others still apply). Each row goes to
the partition of the report it names (``assign_years``); the ``corrections`` mart of a year is
the audit: one row per correction of that year, ``applied`` or ``rejected`` with a reason code
(``REASONS``), the printed value, the corrected value, who, when, why. The marts then use the
corrected values (``apply``), and the hard balance rules of corrected reports are evaluated
again on the corrected cells (``violations_after``), so a correction can move a report into
``applications_checked`` or out of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import polars as pl

from gipr_pipeline.marts import marts
from gipr_pipeline.template import TABLE_CODES, VERSIONS, load_template

# Columns of a corrections file, in this order (``gipr correct`` writes them so).
FILE_COLUMNS = (
    "report_id",
    "source",
    "table",
    "row",
    "column",
    "value",
    "printed",
    "who",
    "when",
    "why",
)
STATUSES = ("applied", "rejected")
# Reason codes of a rejected correction (docs/pipeline.md lists them, `gipr correct --check`
# prints them).
REASONS = {
    "invalid": "the line breaks the file's schema (columns named in the detail)",
    "report_changed": "the file at `source` no longer holds the report `report_id` names",
    "cell_not_found": "the report has no such cell (not a template cell, or its table or row "
    "was not read)",
    "printed_changed": "the value read now differs from `printed` (the reading changed since "
    "the correction was made)",
    "value_not_allowed": "the value does not fit the cell (a count must be an integer ≥ 0)",
    "unchanged": "the corrected value equals the value read: nothing to correct",
    "superseded": "a later correction of the same cell applies instead",
    "report_not_found": "no input under the raw folder has this report id or source (`gipr "
    "correct check` only: such a line belongs to no year, so no year's audit lists it)",
}
SHA256 = r"^[0-9a-f]{64}$"

# The audit table: one row per correction of the year (the ``corrections`` mart).
SCHEMA: dict[str, pl.DataType] = {
    "year": marts.YEAR,
    "report_id": pl.String,  # the report corrected (null when it could not be told)
    "source": pl.String,
    "agency": pl.String,
    "table_code": pl.String,
    "row_code": pl.String,
    "column_code": pl.String,
    "printed": pl.Float64,  # the value read from the report (null: cell not found)
    "value": pl.Float64,  # the corrected value (null: not a number)
    "status": pl.String,
    "reason": pl.String,  # null when applied
    "detail": pl.String,
    "who": pl.String,
    "corrected_on": pl.Date,
    "why": pl.String,
    "file": pl.String,  # corrections file (name under the folder) and line: "a.csv:3"
}
# The applied corrections as the marts use them.
APPLIED_KEYS = ("report_id", "table_code", "row_code", "column_code")


def _cells() -> dict[tuple[str, str, str], tuple[bool, bool]]:
    """(table, row, column) → (decimal, signed), over both templates."""
    out = {}
    for v in VERSIONS:
        for t in load_template(v).tables:
            for r in t.rows:
                for c in r.columns:
                    out[(t.code, r.code, c)] = (t.is_decimal(r, c), c in t.signed)
    return out


CELLS = _cells()


@cache
def correction_rows_model():
    """The pandera model of a corrections file's lines, parsed (``read``): every column a string
    as written, plus ``value_number``, ``printed_number`` and ``when_date`` (null when the text is
    not a number / a date). Built on first use: pandera takes seconds to import, and ``gipr
    run`` reads the lines (for their digest) without validating them."""
    import pandera.polars as pa

    class CorrectionRows(pa.DataFrameModel):
        """A corrections file's lines, parsed."""

        report_id: str = pa.Field(nullable=True, str_matches=SHA256)
        source: str = pa.Field(nullable=True)
        table: str = pa.Field(isin=list(TABLE_CODES))
        row: str = pa.Field()
        column: str = pa.Field()
        value: str = pa.Field()
        printed: str = pa.Field(nullable=True)
        who: str = pa.Field(str_length={"min_value": 1})
        when: str = pa.Field()
        why: str = pa.Field(str_length={"min_value": 1})
        value_number: pl.Float64 = pa.Field(nullable=False, description="value as a number")
        printed_number: pl.Float64 = pa.Field(nullable=True)
        when_date: pl.Date = pa.Field(nullable=False, description="when as YYYY-MM-DD")
        file: str = pa.Field()

        class Config:
            strict = False
            coerce = False

        @pa.dataframe_check(description="a report id or a source names the report")
        def names_a_report(cls, data) -> pl.LazyFrame:
            return data.lazyframe.select(
                pl.col("report_id").is_not_null() | pl.col("source").is_not_null()
            )

        @pa.dataframe_check(description="printed, when given, is a number")
        def printed_is_a_number(cls, data) -> pl.LazyFrame:
            return data.lazyframe.select(
                pl.col("printed").is_null() | pl.col("printed_number").is_not_null()
            )

    return CorrectionRows


def _blank_to_null(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "")
        .then(None)
        .otherwise(pl.col(c).str.strip_chars())
        .alias(c)
        for c in FILE_COLUMNS
    )


def read(folder: str | Path, validate: bool = True) -> pl.DataFrame:
    """Every line of every ``*.csv`` under ``folder`` (sorted by name; none if the folder does
    not exist), as strings, with ``file`` ("name.csv:line", line 2 = the first data line),
    ``value_number``, ``printed_number`` and ``when_date`` parsed, ``errors`` (the failed checks
    of the pandera model, empty when valid; not checked with ``validate=False``, for a digest
    of the lines). A file without the expected header is one row whose ``errors`` say so."""
    root = Path(folder)
    frames = []
    for f in sorted(root.rglob("*.csv")) if root.is_dir() else []:
        name = f.relative_to(root).as_posix()
        try:
            df = pl.read_csv(f, infer_schema=False, encoding="utf8-lossy")
        except (pl.exceptions.PolarsError, OSError) as e:
            frames.append(_broken(name, f"cannot read: {e}"))
            continue
        df = df.rename({c: c.lstrip("\ufeff").strip() for c in df.columns})  # Excel's BOM
        missing = [
            c
            for c in ("table", "row", "column", "value", "who", "when", "why")
            if c not in df.columns
        ]
        if missing:
            frames.append(_broken(name, f"missing columns: {', '.join(missing)}"))
            continue
        df = df.with_columns(
            pl.lit(None, pl.String).alias(c) for c in FILE_COLUMNS if c not in df.columns
        ).select(FILE_COLUMNS)
        df = df.with_columns(file=pl.format(f"{name}:{{}}", pl.int_range(2, df.height + 2)))
        frames.append(df)
    if not frames:
        frames = [pl.DataFrame(schema={c: pl.String for c in (*FILE_COLUMNS, "file")})]
    return _parsed(pl.concat(frames, how="diagonal"), validate)


def lines(records: list[dict[str, str]], file: str = "(new)") -> pl.DataFrame:
    """Lines given as dicts (``new_line``) parsed and validated as ``read`` does."""
    df = pl.DataFrame(
        [{c: r.get(c) for c in FILE_COLUMNS} for r in records],
        schema={c: pl.String for c in FILE_COLUMNS},
        orient="row",
    )
    return _parsed(df.with_columns(file=pl.lit(file)), validate=True)


def _broken(name: str, message: str) -> pl.DataFrame:
    df = pl.DataFrame(
        [{c: None for c in FILE_COLUMNS} | {"file": f"{name}:1", "_broken": message}],
        schema={**{c: pl.String for c in FILE_COLUMNS}, "file": pl.String, "_broken": pl.String},
    )
    return df


def _parsed(df: pl.DataFrame, validate: bool) -> pl.DataFrame:
    if "_broken" not in df.columns:
        df = df.with_columns(pl.lit(None, pl.String).alias("_broken"))
    df = _blank_to_null(df.with_columns(pl.col(c).cast(pl.String) for c in FILE_COLUMNS))
    df = df.with_columns(
        value_number=pl.col("value").str.replace_all(",", "").cast(pl.Float64, strict=False),
        printed_number=pl.col("printed").str.replace_all(",", "").cast(pl.Float64, strict=False),
        when_date=pl.col("when").str.to_date("%Y-%m-%d", strict=False),
    )
    errors = _errors(df) if validate and df.height else pl.Series("errors", [""] * df.height)
    return df.with_columns(errors=errors.cast(pl.String)).drop("_broken")


def _errors(df: pl.DataFrame) -> pl.Series:
    """Per line, the ``CorrectionRows`` checks it fails ("" when none)."""
    errors: list[set[str]] = [set() for _ in range(df.height)]
    for i, b in enumerate(df["_broken"].to_list()):
        if b:
            errors[i].add(b)
    from pandera.errors import SchemaErrors

    try:
        correction_rows_model().validate(df, lazy=True)
    except SchemaErrors as e:
        cases = e.failure_cases
        for r in cases.iter_rows(named=True):
            # Column checks name the column; dataframe checks their description.
            frame = r["schema_context"] == "DataFrameSchema"
            what = str(r["check"] if frame else r["column"])
            if r["index"] is None:  # a failure of the whole column (e.g. missing): every line
                for s in errors:
                    s.add(what)
            else:
                errors[int(r["index"])].add(what)
    return pl.Series("errors", ["; ".join(sorted(s)) for s in errors], pl.String)


# ---------------------------------------------------------------- which partition
def assign_years(
    rows: pl.DataFrame, id_year: Mapping[str, int], path_id: Mapping[str, str]
) -> list[int | None]:
    """The partition of each line: the year of the report at ``source`` (its current content),
    else of ``report_id``; None when neither names an input of any year (shown by ``gipr
    correct --check`` as ``report_not_found``)."""
    out = []
    for rid, src in rows.select("report_id", "source").iter_rows():
        cur = path_id.get(src) if src else None
        if cur is not None and cur in id_year:
            out.append(id_year[cur])
        else:
            out.append(id_year.get(rid) if rid else None)
    return out


def of_year(rows: pl.DataFrame, year: int, raw_reports: pl.DataFrame) -> pl.DataFrame:
    """The lines whose report is an input of ``year`` (``raw_reports``: report_id and paths of
    the year), with ``current_id``: the id of the content now at ``source`` (else report_id)."""
    ids = set(raw_reports["report_id"].to_list())
    path_id = {
        p: rid for rid, ps in raw_reports.select("report_id", "paths").iter_rows() for p in ps or ()
    }
    years = assign_years(rows, dict.fromkeys(ids, year), path_id)
    current = [
        path_id.get(s) if s and s in path_id else r
        for r, s in rows.select("report_id", "source").iter_rows()
    ]
    return rows.with_columns(current_id=pl.Series(current, dtype=pl.String)).filter(
        pl.Series([y == year for y in years], dtype=pl.Boolean)
    )


def digest(rows: pl.DataFrame) -> str:
    """A hash of the lines (as written) of one partition: a change re-runs that year."""
    keep = rows.select(*FILE_COLUMNS).sort(pl.all(), nulls_last=True)
    return hashlib.sha256(json.dumps(keep.rows(), ensure_ascii=False).encode()).hexdigest()


# ---------------------------------------------------------------- the audit
def audit(year: int, rows: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """The ``corrections`` mart of ``year``: ``rows`` = ``of_year`` of this year, ``facts`` =
    the report facts (report_id, agency, table_code, row_code, column_code, value) of at least
    the reports they name. Every line is ``applied`` or ``rejected`` with a reason (``REASONS``):
    checked in the order invalid, report_changed, cell_not_found, printed_changed,
    value_not_allowed, unchanged; of several lines correcting one cell, the latest ``when``
    (then the last line) applies and the others are ``superseded``."""
    value = {
        (r, t, rc, c): (v, a)
        for r, a, t, rc, c, v in facts.select(
            "report_id", "agency", "table_code", "row_code", "column_code", "value"
        ).iter_rows()
    }
    agency = {r: a for (r, *_), (_, a) in value.items()}
    out = []
    for r in rows.iter_rows(named=True):
        rid = r["current_id"]
        key = (rid, r["table"], r["row"], r["column"])
        found = value.get(key)
        rec = {
            "year": year,
            "report_id": rid,
            "source": r["source"],
            "agency": agency.get(rid),
            "table_code": r["table"],
            "row_code": r["row"],
            "column_code": r["column"],
            "printed": found[0] if found else None,
            "value": r["value_number"],
            "status": "applied",
            "reason": None,
            "detail": None,
            "who": r["who"],
            "corrected_on": r["when_date"],
            "why": r["why"],
            "file": r["file"],
        }
        reason, detail = _reason(r, found)
        if reason:
            rec |= {"status": "rejected", "reason": reason, "detail": detail}
        out.append(rec)
    df = pl.DataFrame(out, schema=SCHEMA, orient="row") if out else pl.DataFrame(schema=SCHEMA)
    return _supersede(df)


def _reason(r: dict, found: tuple | None) -> tuple[str | None, str | None]:
    if r["errors"]:
        return "invalid", r["errors"]
    if r["report_id"] and r["current_id"] != r["report_id"]:
        return "report_changed", (
            f"{r['source']} now holds {r['current_id'][:12]}…, not {r['report_id'][:12]}…"
        )
    cell = (r["table"], r["row"], r["column"])
    if cell not in CELLS or found is None:
        what = "not a template cell" if cell not in CELLS else "not read in this report"
        return "cell_not_found", f"{'/'.join(cell)}: {what}"
    printed, value = found[0], r["value_number"]
    if r["printed_number"] is not None and r["printed_number"] != printed:
        return "printed_changed", f"printed {r['printed']} recorded, {_fmt(printed)} read now"
    decimal, signed = CELLS[cell]
    if (not decimal and value != int(value)) or (value < 0 and not signed):
        return "value_not_allowed", f"{r['value']} in a {'decimal' if decimal else 'count'} cell"
    if value == printed:
        return "unchanged", f"{_fmt(printed)} is the value read"
    return None, None


def _fmt(v: float | None) -> str:
    return "" if v is None else (str(int(v)) if v == int(v) else str(v))


def _supersede(df: pl.DataFrame) -> pl.DataFrame:
    applied = df.with_row_index("_i").filter(pl.col("status") == "applied")
    last = (
        applied.sort("corrected_on", "_i")
        .group_by(APPLIED_KEYS, maintain_order=True)
        .agg(pl.col("_i").last())["_i"]
    )
    superseded = applied.filter(~pl.col("_i").is_in(last.implode()))["_i"]
    return (
        df.with_row_index("_i")
        .with_columns(
            pl.when(pl.col("_i").is_in(superseded.implode()))
            .then(
                pl.struct(
                    status=pl.lit("rejected"),
                    reason=pl.lit("superseded"),
                    detail=pl.lit("a later correction of this cell applies"),
                )
            )
            .otherwise(pl.struct("status", "reason", "detail"))
            .struct.unnest()
        )
        .drop("_i")
        .select(list(SCHEMA))
    )


# ---------------------------------------------------------------- using them
def applied(audit_df: pl.DataFrame) -> pl.DataFrame:
    """(report_id, table_code, row_code, column_code, value) of the applied corrections."""
    return audit_df.filter(pl.col("status") == "applied").select(*APPLIED_KEYS, "value")


def apply(facts: pl.DataFrame, fixes: pl.DataFrame) -> pl.DataFrame:
    """``facts`` (report_facts rows) with the corrected values in place of the values read."""
    if fixes.is_empty() or facts.is_empty():
        return facts
    return (
        facts.join(fixes.rename({"value": "_fixed"}), on=list(APPLIED_KEYS), how="left")
        .with_columns(pl.coalesce("_fixed", "value").alias("value"))
        .drop("_fixed")
    )


def violations_after(facts: pl.DataFrame, fixes: pl.DataFrame, year: int) -> pl.DataFrame:
    """The hard violations (``rule_violations`` rows) of the corrected reports, evaluated again
    on their corrected cells with the marts' balance rules (``marts.balance_failures``, the same
    rules as the parser's). ``facts``: the facts of (at least) the corrected reports."""
    ids = fixes["report_id"].unique().implode()
    mine = apply(facts.filter(pl.col("report_id").is_in(ids)), fixes)
    found = []
    for table, wide in (
        ("applications", marts.applications),
        ("review_litigation", marts.review_litigation),
    ):
        f = marts.balance_failures(wide(mine), table)
        found.append(f.with_columns(table_code=pl.lit(table)))
    if not found:
        return marts.empty(marts.VIOLATIONS_SCHEMA)
    f = pl.concat(found)
    return (
        f.select(
            "report_id",
            pl.lit(year, marts.YEAR).alias("year"),
            "agency",
            "rule",
            pl.lit("hard").alias("severity"),
            "table_code",
            "row_code",
            "column_code",
            "expected",
            "actual",
            (pl.col("actual") - pl.col("expected")).alias("difference"),
            pl.format(
                "after correction: expected {}, actual {}", pl.col("expected"), pl.col("actual")
            ).alias("detail"),
        )
        .cast(marts.VIOLATIONS_SCHEMA)
        .sort("report_id", "rule", "row_code", "column_code", nulls_last=True)
    )


def corrected_violations(
    parsed: pl.DataFrame, after: pl.DataFrame, corrected: Iterable[str]
) -> pl.DataFrame:
    """``rule_violations`` rows of one part with the corrected reports' hard violations replaced
    by ``after`` (their rows in this part; soft ones, about the printed document, stay)."""
    ids = pl.Series(list(corrected), dtype=pl.String).implode()
    keep = parsed.filter(~(pl.col("report_id").is_in(ids) & (pl.col("severity") == "hard")))
    part_ids = parsed["report_id"].unique().implode()
    return pl.concat([keep, after.filter(pl.col("report_id").is_in(part_ids))]).sort(
        "report_id", "rule", "row_code", "column_code", nulls_last=True
    )


def new_line(
    *,
    table: str,
    row: str,
    column: str,
    value: str,
    who: str,
    why: str,
    report_id: str | None = None,
    source: str | None = None,
    printed: float | None = None,
    when: dt.date | None = None,
) -> dict[str, str]:
    """One line of a corrections file (``gipr correct``), every field as written."""
    return {
        "report_id": report_id or "",
        "source": source or "",
        "table": table,
        "row": row,
        "column": column,
        "value": value,
        "printed": _fmt(printed),
        "who": who,
        "when": (when or dt.date.today()).isoformat(),
        "why": why,
    }
