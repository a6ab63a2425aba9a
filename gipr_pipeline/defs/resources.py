"""Where the pipeline reads and writes: one resource, no environment read at import time.

Defaults are relative to the working directory (the repository root for ``dagster dev`` via
workspace.yaml and for ``gipr run``). A deployment overrides them with ``EnvVar``, resolved at
run time: ``build_defs(raw_dir=EnvVar("GIPR_RAW_DIR"), warehouse=EnvVar("GIPR_WAREHOUSE"))``,
or per run in the launchpad's resource config.
"""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from gipr_pipeline.outputs.paths import DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE, corrections_dir_for


class GiprPaths(ConfigurableResource):
    """The raw reports folder (read, any subfolders) and the DuckDB warehouse file."""

    raw_dir: str = Field(default=DEFAULT_RAW_DIR, description="folder of raw report files")
    warehouse: str = Field(default=DEFAULT_WAREHOUSE, description="DuckDB warehouse file")
    corrections_dir: str | None = Field(
        default=None,
        description="reviewers' corrections (*.csv); default: `corrections` beside raw_dir",
    )

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def corrections_path(self) -> Path:
        return Path(self.corrections_dir or corrections_dir_for(self.raw_dir))

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)
