"""Materialize year partitions in-process: what ``gipr run`` and ``gipr backfill`` call.

The same Definitions as the UI (``definitions.build_defs``), run with the in-process executor,
one run per year partition, so the command line and the UI produce identical warehouses.

Incremental: with ``years=None`` each year runs only as far as it changed (``cli/plan.py``:
``full``, ``cross-year`` — a selection of assets, no parsing — or ``unchanged``, no run at
all); ``force=True`` (``gipr run --force``) and explicit ``years`` (``gipr backfill``) rebuild
fully.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gipr_pipeline.cli import plan as planning

if TYPE_CHECKING:
    from dagster import DagsterInstance
from gipr_pipeline.outputs.paths import DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE

# Dagster (several seconds to import) is imported only when a year has to run: a `gipr run`
# with nothing changed does not load it.


def warehouse_years(warehouse: str | Path) -> list[int]:
    """Years that already have rows in the warehouse's raw_reports table (none if no file)."""
    import duckdb

    from gipr_pipeline.defs.io import reading

    with reading(warehouse) as con:  # the warehouse lock: another run may be publishing
        if con is None:
            return []
        try:
            rows = con.execute("select distinct year from main.raw_reports order by 1").fetchall()
        except duckdb.CatalogException:
            rows = []
    return [int(y) for (y,) in rows]


def warehouse_contents(warehouse: str | Path) -> dict[str, dict[int, int]]:
    """Table → {year: rows} for every table in the warehouse."""
    from gipr_pipeline.defs.io import reading

    with reading(warehouse) as con:
        if con is None:
            return {}
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables"
                " where table_schema = 'main' order by 1"
            ).fetchall()
        ]
        return {
            t: {
                int(y): int(n)
                for y, n in con.execute(
                    f'select year, count(*) from main."{t}" group by 1 order by 1'
                ).fetchall()
            }
            for t in tables
        }


def first_error(result) -> str | None:
    """The root cause of a run's first failure, one line ("OSError: [Errno 28] No space left
    on device"), from its step failures or, for a failed publish, its engine/resource errors."""
    for event in result.all_events:
        data = event.event_specific_data
        error = getattr(data, "error", None)
        if error is None:
            continue
        # Down to the root cause; a parse worker's traceback, attached as the cause of the
        # error it raised (as concurrent.futures does), is not the cause: the error is.
        while (cause := getattr(error, "cause", None)) is not None and not cause.cls_name.endswith(
            "RemoteTraceback"
        ):
            error = cause
        message = (error.message or "").strip().splitlines()
        return message[0] if message else error.cls_name
    return None


def materialize_years(
    raw_dir: str | Path = DEFAULT_RAW_DIR,
    warehouse: str | Path = DEFAULT_WAREHOUSE,
    years: Iterable[int] | None = None,
    *,
    instance: DagsterInstance | None = None,
    log_level: str = "WARNING",
    force: bool = False,
) -> dict[str, Any]:
    """Materialize every asset and asset check for year partitions, one in-process run per year.

    Args:
        raw_dir: folder of raw report files (any subfolders, any names).
        warehouse: DuckDB file to write (created with its folder if missing).
        years: the partitions to (re)build. ``None`` = every year that ``raw_dir`` holds an input
            for (read from the content, see ``inventory``), plus every year already in the
            warehouse, so removed files disappear from it too — each only as far as it changed
            (``plan``). A year given explicitly is fully rebuilt, even with no input (its
            partition then holds empty tables).
        instance: the Dagster instance that records the runs. Default: the instance of
            ``$DAGSTER_HOME`` when that is set (so ``dagster dev`` on the same home shows the
            materializations), else a throw-away ephemeral one.
        log_level: level of Dagster's console log for the runs ("DEBUG" shows every step).
        force: with ``years=None``, rebuild every year fully, changed or not.

    Returns:
        ``{"raw_dir", "warehouse" (absolute paths), "years", "ok" (every run succeeded and every
        check passed), "seconds", "runs": [{"year", "run_id", "success", "seconds",
        "published", "failed_steps", "error" (the first failure's root cause, one line, when not
        published), "checks": {check name: passed}, "mode", "why"}], "tables": {table: {year:
        rows}}}``; an ``unchanged`` year has no run (run_id None, no checks).

    Raises:
        ValueError: a requested year is not a partition (2019 … last complete year).
    """
    t0 = time.perf_counter()
    valid = planning.partition_years()
    if years is None:
        planned = planning.plan(raw_dir, warehouse, force=force)
    else:
        bad = sorted(y for y in set(years) if y not in valid)
        if bad:
            raise ValueError(f"not a partition year: {bad}; partitions are {valid[0]}–{valid[-1]}")
        planned = {
            y: {"mode": "full", "why": "requested", "docs": True} for y in sorted(set(years))
        }
    todo = sorted(planned)

    runs_needed = any(p["mode"] != "unchanged" for p in planned.values())
    if runs_needed:
        from dagster import AssetKey, DagsterInstance

        from gipr_pipeline.defs.automation import JOB_NAME
        from gipr_pipeline.defs.definitions import build_defs
        from gipr_pipeline.defs.io import stage_root

        job = build_defs(str(raw_dir), str(warehouse)).resolve_job_def(JOB_NAME)
    if runs_needed and instance is None:
        instance = (
            DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
        )
    runs = []
    for y in todo:
        p = planned[y]
        if p["mode"] == "unchanged":
            runs.append(
                {
                    "year": y,
                    "run_id": None,
                    "success": True,
                    "published": False,
                    "seconds": 0.0,
                    "failed_steps": [],
                    "checks": {},
                    "mode": p["mode"],
                    "why": p["why"],
                }
            )
            continue
        selection = None
        if p["mode"] == "cross-year":
            keys = [*planning.CROSS_YEAR, *(["data_quality_docs"] if p["docs"] else [])]
            selection = [AssetKey(k) for k in keys]
        t = time.perf_counter()
        result = job.execute_in_process(
            partition_key=str(y),
            instance=instance,
            raise_on_error=False,
            asset_selection=selection,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
        # The I/O manager publishes the run's tables when it ends (defs/io.py); a stage left
        # behind means the partition was not published (a failed step, or the publish failed).
        published = not (stage_root(warehouse) / result.run_id).exists()
        runs.append(
            {
                "year": y,
                "run_id": result.run_id,
                "success": result.success and published,
                "published": published,
                "seconds": round(time.perf_counter() - t, 3),
                "failed_steps": sorted(result.get_failed_step_keys()),
                "error": None if published else first_error(result),
                "checks": {e.check_name: e.passed for e in result.get_asset_check_evaluations()},
                "mode": p["mode"],
                "why": p["why"],
            }
        )
    return {
        "raw_dir": str(Path(raw_dir).resolve()),
        "warehouse": str(Path(warehouse).resolve()),
        "years": todo,
        "ok": all(r["success"] and all(r["checks"].values()) for r in runs),
        "seconds": round(time.perf_counter() - t0, 3),
        "runs": runs,
        # Nothing ran: read without loading Dagster (the lock is for readers during a publish).
        "tables": warehouse_contents(warehouse) if runs_needed else planning.contents(warehouse),
    }
