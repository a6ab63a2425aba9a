"""The shared deployment's code location: the same assets and checks as ``definitions.py``, run by
the Celery executor on worker processes, stored in the parquet lake on shared storage.

What differs from the embedded default (``build_defs``), and only this:

- **executor**: ``dagster_celery``'s executor (Redis broker and result backend): every step is a
  Celery task, run by whichever worker takes it (``make deploy-up`` starts N of them; more can
  join from other machines).
- **parse_reports** fans out: ``plan_shards`` hashes the raw folder (``ingest.scan``) and emits
  one dynamic output per slice of ``shard_size`` inputs; ``parse_shard`` parses a slice on a
  worker (``ingest.shard_tables``); ``merge_shards`` assembles the year's five tables exactly as
  the embedded step does (``ingest.assemble``, inventory order), so the same asset keys, rows,
  checks and accounting follow.
- **io_manager**: ``LakeIOManager`` (``defs/lake.py``), and a ``warehouse_publish`` asset that
  depends on every other asset of the year and publishes the run's tables at once.

Settings come from the environment when the code location is loaded (the webserver, the
daemon, each run worker and each Celery worker load it with the same ``deploy/env``):
``GIPR_SHARED`` (the shared volume: ``lake/``, ``work``, ``docs/``), ``GIPR_RAW_DIR``,
``GIPR_CELERY_BROKER`` / ``GIPR_CELERY_BACKEND`` and ``GIPR_SHARD_SIZE``.
"""

import os
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetOut,
    AssetSelection,
    ConfigurableResource,
    Definitions,
    DynamicOut,
    DynamicOutput,
    FilesystemIOManager,
    In,
    MaterializeResult,
    MetadataValue,
    OpExecutionContext,
    Out,
    asset,
    define_asset_job,
    graph_multi_asset,
    op,
)
from dagster_celery import celery_executor
from pydantic import Field

from gipr_pipeline.defs.assets import _PARSED, _meta, year_table_outputs
from gipr_pipeline.defs.definitions import build_defs
from gipr_pipeline.defs.io import stage_root
from gipr_pipeline.defs.lake import LakeIOManager
from gipr_pipeline.defs.partitions import partition_years, years_partitions
from gipr_pipeline.defs.quality import GiprDocs
from gipr_pipeline.defs.resources import GiprPaths
from gipr_pipeline.defs.types import pandera_type
from gipr_pipeline.marts import ingest
from gipr_pipeline.marts.schemas import SCHEMAS

PUBLISH = "warehouse_publish"
CARRYOVER_JOB = "gipr_carryover"
CROSS_YEAR = ("carryover_breaks", "year_over_year", "run_inputs")  # they read year N−1
DEFAULT_SHARD_SIZE = 2000


class GiprShards(ConfigurableResource):
    """How one year's parsing is split over the workers."""

    size: int = Field(default=DEFAULT_SHARD_SIZE, description="inputs per shard (a Celery task)")
    workers: int = Field(
        default=1, description="parse processes inside a shard's task (1: the worker is the unit)"
    )


# ---------------------------------------------------------------- parse_reports, sharded
@op(out=DynamicOut(io_manager_key="op_io"))
def plan_shards(context: OpExecutionContext, gipr: GiprPaths, shards: GiprShards):
    """The raw folder's inventory (hashes: I/O only), in slices of ``shards.size`` inputs."""
    refs = ingest.scan(gipr.raw_path)
    n = max(1, shards.size)
    context.log.info(f"{len(refs)} distinct inputs → {-(-len(refs) // n)} shard(s) of ≤ {n}")
    for i in range(0, len(refs), n):
        yield DynamicOutput(refs[i : i + n], mapping_key=f"s{i // n:05d}")
    if not refs:  # an empty year still has its (empty) tables
        yield DynamicOutput([], mapping_key="s00000")


@op(ins={"refs": In()}, out=Out(io_manager_key="op_io"))
def parse_shard(context: OpExecutionContext, gipr: GiprPaths, shards: GiprShards, refs: list):
    """Parse one slice; its parts go to the run's stage on the shared volume."""
    year = int(context.partition_key)
    run = context.run.root_run_id or context.run_id
    key = context.get_mapping_key() or "s00000"
    out = stage_root(gipr.warehouse) / run / "_ingest" / key
    rows, files = ingest.shard_tables(
        gipr.raw_path, refs, year, partition_years(), out, workers=shards.workers
    )
    context.log.info(f"shard {key}: {len(refs)} inputs, {len(rows)} of {year}")
    return {"key": key, "inputs": len(refs), "rows": rows, "files": files}


@op(
    ins={"shards": In()},
    out={name: Out(dagster_type=pandera_type(SCHEMAS[name]), is_required=True) for name in _PARSED},
)
def merge_shards(context: OpExecutionContext, gipr: GiprPaths, shards: list):
    """The year's tables from the shards, in inventory order (``ingest.assemble``)."""
    shards = sorted(shards, key=lambda s: s["key"])
    raw_rows = [r for s in shards for r in s["rows"]]
    files = {t: [f for s in shards for f in s["files"][t]] for t in ingest.LONG_TABLES}
    t = ingest.assemble(raw_rows, files, sum(s["inputs"] for s in shards), len(raw_rows), 0.0)
    raw = t.raw_reports
    accepted = int(raw["accepted"].sum() or 0)
    context.log.info(
        f"{raw.height} inputs in {context.partition_key} ({accepted} reports) from "
        f"{len(shards)} shard(s)"
    )
    yield from year_table_outputs(t, gipr, shards=len(shards))


@graph_multi_asset(
    outs={
        name: AssetOut(
            metadata=_meta(name),
            description=desc,
            group_name="ingest" if name == "raw_reports" else "parse",
            kinds={"polars", "parquet"},
        )
        for name, desc in _PARSED.items()
    },
    partitions_def=years_partitions,
    can_subset=False,
)
def parse_reports():
    """Read, hash and parse every input once, the year split into shards parsed on the workers."""
    parsed = plan_shards().map(parse_shard)
    return merge_shards(parsed.collect())


# ---------------------------------------------------------------- publish
def _publish_asset(deps: list) -> object:
    @asset(
        name=PUBLISH,
        group_name="publish",
        partitions_def=years_partitions,
        deps=deps,
        required_resource_keys={"io_manager"},
        kinds={"parquet"},
        description="Publishes the run's tables of the year in the shared lake at once (one "
        "symlink swap): runs last, and only when every other asset of the year was "
        "materialized, so a failed or killed run publishes nothing.",
    )
    def warehouse_publish(context: AssetExecutionContext) -> MaterializeResult:
        run = context.run.root_run_id or context.run_id
        io: LakeIOManager = context.resources.io_manager
        out = io.publish(context.instance, run, context.partition_key, context.run_id, context.log)
        return MaterializeResult(
            metadata={
                "tables": len(out),
                "rows": MetadataValue.json(out),
                "lake": MetadataValue.path(str(Path(io.lake).resolve())),
            }
        )

    return warehouse_publish


# ---------------------------------------------------------------- the Definitions
def build_deploy_defs(
    shared: str,
    raw_dir: str,
    broker: str = "redis://127.0.0.1:6379/0",
    backend: str | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
) -> Definitions:
    """The deployment's Definitions: ``build_defs``' assets, checks, jobs and automation with
    the sharded ``parse_reports``, the lake under ``<shared>/lake`` and the Celery executor."""
    base = build_defs(raw_dir, str(Path(shared) / "work" / "gipr"))
    work = str(Path(shared) / "work" / "gipr")
    assets = [a for a in base.assets if "raw_reports" not in {k.path[-1] for k in a.keys}]
    assets.append(parse_reports)
    deps = sorted(
        {k for a in assets for k in a.keys if a.partitions_def == years_partitions},
        key=lambda k: k.to_user_string(),
    )
    assets.append(_publish_asset(deps))
    # The cross-year tables of year N (carryover_breaks, year_over_year, and run_inputs, which
    # records N−1's digest) read year N−1 as published when their step ran: runs of consecutive
    # years at once (a backfill) can read N−1 before its new version is out. This job re-derives
    # them from the published years (seconds a year) and publishes them alone.
    carryover = define_asset_job(
        CARRYOVER_JOB,
        selection=AssetSelection.assets(*CROSS_YEAR, PUBLISH),
        partitions_def=years_partitions,
        description="the cross-year tables (carryover_breaks and its check, year_over_year, "
        "run_inputs) from the published years, then published: run it over the years of a "
        "backfill once the backfill is done.",
    )
    return Definitions(
        assets=assets,
        asset_checks=base.asset_checks,
        jobs=[*base.jobs, carryover],
        schedules=base.schedules,
        sensors=base.sensors,
        executor=celery_executor.configured(
            {"broker": broker, "backend": backend or broker}, name="celery"
        ),
        resources={
            "gipr": GiprPaths(raw_dir=raw_dir, warehouse=work),
            "io_manager": LakeIOManager(lake=str(Path(shared) / "lake"), work=work),
            "op_io": FilesystemIOManager(base_dir=str(Path(shared) / "work" / "ops")),
            "shards": GiprShards(size=shard_size),
            "docs": GiprDocs(warehouse=work, docs_dir=str(Path(shared) / "docs")),
        },
    )


def settings_from_env(env: dict | None = None) -> dict:
    """``build_deploy_defs`` arguments from the deployment's environment (``deploy/env``)."""
    env = os.environ if env is None else env
    broker = env.get("GIPR_CELERY_BROKER", "redis://127.0.0.1:6379/0")
    return {
        "shared": env.get("GIPR_SHARED", "data/deploy"),
        "raw_dir": env.get("GIPR_RAW_DIR", "data/raw"),
        "broker": broker,
        "backend": env.get("GIPR_CELERY_BACKEND", broker),
        "shard_size": int(env.get("GIPR_SHARD_SIZE", DEFAULT_SHARD_SIZE)),
    }


defs = build_deploy_defs(**settings_from_env())
