"""The deployment's I/O manager: stage on shared storage, publish a year in one step at the end.

With the Celery executor each step runs in a worker process, possibly on another machine, and
a resource is set up and torn down per step, so the embedded manager's publish at the end of the
run (``defs/io.py``, teardown in the one run process) has no place to happen. Here:

1. **Stage.** Each output is written as parquet under ``<work>.stage/<run>/<table>@<year>/`` on
   the shared volume (the ingest and mart parts are moved there), exactly as the embedded manager
   does; downstream steps on any worker read their inputs from it, years not staged in this run
   from the lake's published versions.
2. **Publish.** The ``warehouse_publish`` asset depends on every other asset of the year, so it
   runs last, and only when every one of them was materialized (a failed step, or the blocking
   gate, skips it): it publishes the run's staged tables with ``lake.publish`` — one symlink
   swap, all tables or none. A run killed anywhere before that leaves the year as it was.
3. **Clean.** The stage is hard-linked, not moved, so asset checks still reading it are not
   disturbed; stages of runs that are finished (the whole run group: a re-execution from failure
   reuses its root run's stage) are removed by the next publish.

``GIPR_FAULT=staged:<table>`` (tests only) kills the worker's process after staging ``table``,
as in the embedded manager; ``GIPR_FAULT_ONCE=<file>`` does it only while that file exists
(the first process to remove it dies), so the retried run completes.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import polars as pl
from dagster import (
    ConfigurableIOManager,
    DagsterInstance,
    InputContext,
    OutputContext,
)
from pydantic import Field

from gipr_pipeline.defs.io import fault, read_parts, stage_output, stage_root
from gipr_pipeline.outputs import lake

FAULT_ONCE_ENV = "GIPR_FAULT_ONCE"


def fault_once(point: str, table: str) -> None:
    """Test hook: SIGKILL this process once (the first to remove the marker file)."""
    marker = os.environ.get(FAULT_ONCE_ENV)
    if not marker or os.environ.get("GIPR_FAULT_AT") != f"{point}:{table}":
        return
    try:
        os.remove(marker)
    except FileNotFoundError:
        return
    os.kill(os.getpid(), signal.SIGKILL)


def _run_key(step_context) -> str:
    """The root run's id: a re-execution from failure reads its root run's stage."""
    run = step_context.dagster_run
    return run.root_run_id or run.run_id


class LakeIOManager(ConfigurableIOManager):
    """Parquet lake on shared storage (``outputs/lake.py``): a table per asset, a version per
    year, every table of a run published at once by ``warehouse_publish``."""

    lake: str = Field(description="lake root on the shared volume (published tables)")
    work: str = Field(
        description="shared work path: stages under '<work>.stage/<run>/' (the mart steps' "
        "scratch parts are there too: GiprPaths.warehouse is the same path)"
    )

    def stage_dir(self, run_key: str) -> Path:
        return stage_root(self.work) / run_key

    # -- outputs
    def handle_output(self, context: OutputContext, obj) -> None:
        table = context.asset_key.path[-1]
        year = context.asset_partition_key if context.has_asset_partitions else lake.ALL
        d = self.stage_dir(_run_key(context.step_context)) / f"{table}@{year}"
        stage_output(context, obj, d, "the lake")
        fault("staged", table)
        fault_once("staged", table)

    # -- inputs
    def load_input(self, context: InputContext):
        table = context.asset_key.path[-1]
        years = list(context.asset_partition_keys) if context.has_asset_partitions else [lake.ALL]
        columns = (context.definition_metadata or {}).get("columns")
        want = getattr(context.dagster_type, "typing_type", pl.DataFrame)
        stage = self.stage_dir(_run_key(context.step_context))
        files: list[str] = []
        for y in years:
            d = stage / f"{table}@{y}"
            if d.is_dir():
                files += sorted(str(f) for f in d.glob("*.parquet"))
            else:
                files += lake.table_files(self.lake, table, [y])
        return read_parts(files, table, columns, want)

    # -- publish (called by the warehouse_publish asset)
    def publish(
        self, instance: DagsterInstance, run_key: str, year: str, version: str, log=None
    ) -> dict:
        """Publish the staged tables of ``year`` of the run group ``run_key`` as ``version``
        (this run's id: a re-execution publishes a new version, never rewrites the one
        readers see); then remove finished runs' stages."""
        stage = self.stage_dir(run_key)
        staged = {
            d.name.partition("@")[0]: d
            for d in (stage.iterdir() if stage.is_dir() else [])
            if d.is_dir() and d.name.endswith(f"@{year}")
        }
        out = lake.publish(self.lake, year, staged, version)
        lake.write_catalog(self.lake)
        self._clean(instance, keep=run_key)
        if log is not None:
            log.info(f"published {len(out)} tables of {year}: {out}")
        return out

    def _clean(self, instance: DagsterInstance, keep: str) -> None:
        root = stage_root(self.work)
        if not root.is_dir():
            return
        for d in root.iterdir():
            if not d.is_dir() or d.name == keep:
                continue
            try:
                _, group = instance.get_run_group(d.name) or (None, [])
            except Exception:  # not a run id of this instance: leave it
                continue
            if group and all(r.is_finished for r in group):
                shutil.rmtree(d, ignore_errors=True)
