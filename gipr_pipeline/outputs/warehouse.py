"""Reading a year's tables back from the DuckDB warehouse (read-only), for the commands that
work without Dagster (``gipr report``, ``gipr export``). A table that does not exist yet reads
as an empty frame with the mart's schema, so an empty year still gives a report and exports."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from gipr_pipeline.marts import corrections, marts, yoy

# The marts people see (reports, exports), in the order they are shown; base tables on request.
MARTS = (
    "year_summary",
    "applications",
    "applications_checked",
    "review_litigation",
    "active_disclosure",
    "rule_violations",
)
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "year_summary": marts.YEAR_SUMMARY_SCHEMA,
    "applications": marts.APPLICATIONS_SCHEMA,
    "applications_checked": marts.APPLICATIONS_SCHEMA,
    "review_litigation": marts.REVIEW_SCHEMA,
    "active_disclosure": marts.DISCLOSURE_SCHEMA,
    "rule_violations": marts.VIOLATIONS_SCHEMA,
    "rejected_reports": marts.REJECTED_SCHEMA,
    "corrections": corrections.SCHEMA,
    "year_over_year": yoy.SCHEMA,
}


class WarehouseMissing(FileNotFoundError):
    """The warehouse file does not exist (run `gipr run` first)."""


def read_year(
    warehouse: str | Path, year: int, tables: Iterable[str] = MARTS
) -> dict[str, pl.DataFrame]:
    """Table name → the year's rows (sorted as stored by the marts), read-only."""
    import duckdb

    if not Path(warehouse).exists():
        raise WarehouseMissing(str(warehouse))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        present = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        }
        out = {}
        for t in tables:
            if t in present:
                df = con.execute(f'select * from main."{t}" where year = ?', [int(year)]).pl()
            else:
                df = pl.DataFrame(schema=SCHEMAS[t])
            out[t] = _order(t, df)
        return out
    finally:
        con.close()


def _order(table: str, df: pl.DataFrame) -> pl.DataFrame:
    keys = [
        c for c in ("report_id", "row_order", "rule", "row_code", "column_code") if c in df.columns
    ]
    return df.sort(keys, nulls_last=True) if keys else df


def years_in(warehouse: str | Path) -> list[int]:
    """Years with a year_summary row (a materialized partition)."""
    import duckdb

    if not Path(warehouse).exists():
        return []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select distinct year from main.year_summary order by 1").fetchall()
    except duckdb.CatalogException:
        rows = []
    finally:
        con.close()
    return [int(y) for (y,) in rows]
