"""The Dagster code location: every asset, check, job, schedule, sensor and resource.

``workspace.yaml`` and ``[tool.dagster]`` in pyproject.toml load ``defs`` from here;
``orchestrate.materialize_years`` builds its own with ``build_defs(raw_dir, warehouse)``.
"""

from __future__ import annotations

from dagster import Definitions, EnvVar, in_process_executor, map_asset_specs

from gipr_pipeline.defs.assets import ASSETS
from gipr_pipeline.defs.automation import gipr_year_job, raw_folder_sensor, yearly_previous_year
from gipr_pipeline.defs.checks import CHECKS
from gipr_pipeline.defs.continuity import ASSETS as CONTINUITY_ASSETS
from gipr_pipeline.defs.continuity import CHECKS as CONTINUITY_CHECKS
from gipr_pipeline.defs.continuity import SENSORS as CONTINUITY_SENSORS
from gipr_pipeline.defs.io import WarehouseIOManager
from gipr_pipeline.defs.metadata import OWNERS
from gipr_pipeline.defs.quality import QUALITY_ASSETS, GiprDocs
from gipr_pipeline.defs.report import PUBLISH_ASSETS
from gipr_pipeline.defs.resources import DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE, GiprPaths
from gipr_pipeline.defs.review import REVIEW_ASSETS


def build_defs(
    raw_dir: str | EnvVar = DEFAULT_RAW_DIR,
    warehouse: str | EnvVar = DEFAULT_WAREHOUSE,
    docs_dir: str | EnvVar | None = None,
) -> Definitions:
    """Definitions reading ``raw_dir`` and writing the DuckDB file ``warehouse`` (plain paths,
    or ``EnvVar``s resolved at run time), and the HTML people open (Data Docs, annual reports)
    under ``docs_dir`` (default ``data/docs``, or a ``docs`` folder beside another warehouse)."""
    return Definitions(
        assets=map_asset_specs(
            lambda spec: spec.replace_attributes(owners=OWNERS),
            [*ASSETS, *CONTINUITY_ASSETS, *QUALITY_ASSETS, *PUBLISH_ASSETS, *REVIEW_ASSETS],
        ),
        asset_checks=[*CHECKS, *CONTINUITY_CHECKS],
        jobs=[gipr_year_job],
        schedules=[yearly_previous_year],
        sensors=[raw_folder_sensor, *CONTINUITY_SENSORS],
        # In-process: a step's own work is well under a second, while the default multiprocess
        # executor starts a Python process per step (about 5 s each to import the stack), which
        # made one partition take over a minute from `dagster asset materialize` or the UI.
        executor=in_process_executor,
        resources={
            "gipr": GiprPaths(raw_dir=raw_dir, warehouse=warehouse),
            "io_manager": WarehouseIOManager(database=warehouse, schema="main"),
            "docs": GiprDocs(warehouse=warehouse, docs_dir=docs_dir),
        },
    )


defs = build_defs()
