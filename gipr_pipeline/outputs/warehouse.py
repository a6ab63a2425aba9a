"""Reading a year's tables back from the DuckDB warehouse (read-only), for the commands that
work without Dagster (``gipr report``, ``gipr export``). A table that does not exist yet reads
as an empty frame with the mart's schema, so an empty year still gives a report and exports.

The warehouse lock (``<warehouse>.lock``, shared to read, exclusive to publish) lives here, below
``defs/io.py`` which publishes under it: a reader during a run's publish waits for it (one
message on stderr, at most ``GIPR_LOCK_TIMEOUT`` s) and then reads what the run published."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import polars as pl

from gipr_pipeline.marts import continuity, corrections, marts, yoy

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
    "raw_reports": marts.RAW_REPORTS_SCHEMA,
    "carryover_breaks": continuity.SCHEMA,
    "corrections": corrections.SCHEMA,
    "year_over_year": yoy.SCHEMA,
}


class WarehouseMissing(FileNotFoundError):
    """The warehouse file does not exist (run `gipr run` first)."""


class WarehouseCorrupt(Exception):
    """The warehouse file is not a readable DuckDB database (truncated, overwritten, damaged).
    It is rebuilt from the raw folder: move it away and run ``gipr run`` (docs/reliability.md)."""

    def __init__(self, path: str | Path, detail: str):
        super().__init__(f"{path}: {detail}")
        self.path = str(path)
        self.detail = detail


class WarehouseLocked(TimeoutError):
    """A run held the warehouse for longer than the wait allowed (``GIPR_LOCK_TIMEOUT``)."""


# DuckDB's messages for a file that is not (or no longer) a database.
_CORRUPT = ("not a valid DuckDB database", "Could not read enough bytes", "Corrupt database")
# How long a reader waits for a run's publish (seconds; a publish takes seconds to a minute).
LOCK_TIMEOUT_S = 600.0


def lock_path(database: str | Path) -> Path:
    return Path(f"{database}.lock")


def lock_timeout() -> float:
    return float(os.environ.get("GIPR_LOCK_TIMEOUT", LOCK_TIMEOUT_S))


@contextlib.contextmanager
def warehouse_lock(
    database: str | Path,
    exclusive: bool,
    timeout: float = 30 * 60,
    on_wait: Callable[[], None] | None = None,
):
    """The cross-process lock of the warehouse file (exclusive: write; shared: read), a
    ``flock`` on ``<warehouse>.lock``. ``on_wait`` is called once if the lock is not free at
    once. Raises WarehouseLocked after ``timeout`` seconds."""
    p = lock_path(database)
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "a+") as fh:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fh, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WarehouseLocked(
                        f"warehouse {database} locked for {timeout:.0f} s"
                    ) from None
                if on_wait is not None and not told:
                    on_wait()
                    told = True
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _say_waiting(warehouse: str | Path) -> Callable[[], None]:
    def say() -> None:
        print(
            f"gipr: the warehouse {warehouse} is being published by a run; waiting for it "
            f"(up to {lock_timeout():.0f} s, GIPR_LOCK_TIMEOUT) to read the state it publishes",
            file=sys.stderr,
        )

    return say


@contextlib.contextmanager
def open_read(warehouse: str | Path) -> Iterator:
    """A read-only DuckDB connection under the shared lock: a run's publish (exclusive) is
    waited for, with one message on stderr, so a reader sees the state before or after a
    publish, never a DuckDB lock error. Raises WarehouseMissing, WarehouseCorrupt,
    WarehouseLocked."""
    import duckdb

    if not Path(warehouse).exists():
        raise WarehouseMissing(str(warehouse))
    with warehouse_lock(
        warehouse, exclusive=False, timeout=lock_timeout(), on_wait=_say_waiting(warehouse)
    ):
        deadline = time.monotonic() + lock_timeout()
        while True:
            try:
                con = duckdb.connect(str(warehouse), read_only=True)
                break
            except duckdb.IOException as e:
                msg = str(e)
                if any(c in msg for c in _CORRUPT):
                    raise WarehouseCorrupt(warehouse, msg.split("\n")[0]) from None
                # A process that does not take the lock file (a notebook) holds it: retry.
                if "lock" not in msg.lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        try:
            yield con
        except duckdb.IOException as e:
            if any(c in str(e) for c in _CORRUPT):
                raise WarehouseCorrupt(warehouse, str(e).split("\n")[0]) from None
            raise
        finally:
            con.close()


def read_year(
    warehouse: str | Path, year: int, tables: Iterable[str] = MARTS
) -> dict[str, pl.DataFrame]:
    """Table name → the year's rows (sorted as stored by the marts), read-only (``open_read``)."""
    with open_read(warehouse) as con:
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


def query(warehouse: str | Path, sql: str, params: list | None = None) -> pl.DataFrame | None:
    """One read-only SQL query on the warehouse as a frame; None when a table it reads does
    not exist yet (no run has written it)."""
    import duckdb

    if not Path(warehouse).exists():
        raise WarehouseMissing(str(warehouse))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).pl()
    except duckdb.CatalogException:
        return None
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
    with open_read(warehouse) as con:
        try:
            rows = con.execute("select distinct year from main.year_summary order by 1").fetchall()
        except duckdb.CatalogException:
            rows = []
    return [int(y) for (y,) in rows]
