"""Views of the marts at the grain of each suite's claims, computed in polars (see the package
docstring): a claim holds on every row of a mart iff it holds on every row of its view."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from gipr_pipeline.marts import marts
from gipr_pipeline.template import VERSIONS, load_template

REPORT_KEYS = ("report_id", "year", "template")
ROW_KEYS = ("row_code", "row_order")
# Rows without a template position sort last when a report's first row is picked.
_LAST = 1 << 30


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
