"""Shared fixtures for what people see: the seeds through the whole job (what `gipr run` does),
so the warehouse, Data Docs and annual reports exist as after `make run`; and a year with a
misprinted report, so a Great Expectations check fails and the report lists a violation.

Each fixture runs once per session (Great Expectations runs once per year partition)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import DagsterInstance

SAIHAN = "赛罕区人民政府办公室"  # seed 000: the only seed with non-zero application numbers


@dataclass
class Published:
    root: Path
    warehouse: Path
    docs: Path
    summary: dict
    results: dict  # year → Dagster run result (check evaluations with metadata)

    def table(self, name: str, year: int) -> pl.DataFrame:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(f"select * from main.{name} where year = ?", [year]).pl()
        finally:
            con.close()


def _publish(raw: Path, root: Path, years: list[int]) -> Published:
    from gipr_pipeline.cli.orchestrate import warehouse_contents
    from gipr_pipeline.defs.definitions import build_defs

    wh = root / "warehouse" / "gipr.duckdb"
    job = build_defs(str(raw), str(wh)).resolve_job_def("gipr_year")
    instance = DagsterInstance.ephemeral()
    results = {
        y: job.execute_in_process(partition_key=str(y), instance=instance, raise_on_error=False)
        for y in years
    }
    summary = {"tables": warehouse_contents(wh)}
    return Published(root, wh, root / "warehouse" / "docs", summary, results)


@pytest.fixture(scope="session")
def published(tmp_path_factory, raw_dir) -> Published:
    """The five seeds: 2022 (seed 003) and 2024 (seeds 000, 001, 002, 004), every asset."""
    return _publish(raw_dir, tmp_path_factory.mktemp("published"), [2022, 2024])


@pytest.fixture(scope="session")
def misprinted(tmp_path_factory, raw_dir) -> Published:
    """2024 with seeds 000 and 001 plus a copy of 000 whose row 1 total reads 29 (not 28):
    that report breaks applications.balance and applications.row_total."""
    root = tmp_path_factory.mktemp("misprinted")
    raw = root / "raw"
    raw.mkdir()
    for p in sorted(raw_dir.glob("00[01]_*.txt")):
        shutil.copy(p, raw / p.name)
    seed000 = next(raw_dir.glob("000_*.txt")).read_text("utf-8")
    broken = seed000.replace("\n28 | ||\n", "\n29 | ||\n")
    assert broken != seed000
    (raw / "edited.txt").write_text(broken, "utf-8")
    return _publish(raw, root, [2024])
