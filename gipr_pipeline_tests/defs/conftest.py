"""Shared fixtures for the Dagster layer: materialize partitions into temporary warehouses."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import DagsterInstance, materialize

from gipr_pipeline.defs.assets import ASSETS
from gipr_pipeline.defs.checks import CHECKS
from gipr_pipeline.defs.io import WarehouseIOManager
from gipr_pipeline.defs.partitions import partition_years
from gipr_pipeline.defs.resources import GiprPaths


def run_year(raw: Path, warehouse: Path, year: int, instance: DagsterInstance | None = None):
    """Every asset and check of one partition, in process (``dagster.materialize``)."""
    return materialize(
        [*ASSETS, *CHECKS],
        partition_key=str(year),
        resources={
            "gipr": GiprPaths(raw_dir=str(raw), warehouse=str(warehouse)),
            "io_manager": WarehouseIOManager(database=str(warehouse), schema="main"),
        },
        instance=instance,
        raise_on_error=False,
    )


def newest_year() -> int:
    return partition_years()[-1]


def table(warehouse: Path, name: str, year: int | None = None) -> pl.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        where = f"where year = {int(year)}" if year is not None else ""
        return con.execute(f"select * from main.{name} {where}").pl()
    finally:
        con.close()


def checks(result) -> dict[str, object]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


@pytest.fixture(scope="session")
def seeds_warehouse(tmp_path_factory, raw_dir):
    """The seeds materialized for 2024 and 2022 (each run result kept for assertions)."""
    wh = tmp_path_factory.mktemp("wh") / "seeds.duckdb"
    instance = DagsterInstance.ephemeral()
    results = {y: run_year(raw_dir, wh, y, instance) for y in (2024, 2022)}
    return wh, results, instance


@pytest.fixture(scope="session")
def messy_raw(tmp_path_factory, raw_dir) -> Path:
    """The seeds plus: seed 000 with row 1's total misprinted, a copy of seed 001 under another
    name, an empty file and a binary file (placed in 2024 by their folder), and a whitespace-only
    file with no year anywhere (placed in the newest partition)."""
    root = tmp_path_factory.mktemp("raw")
    for p in sorted(raw_dir.glob("*.txt")):
        shutil.copy(p, root / p.name)
    seed000 = next(raw_dir.glob("000_*.txt")).read_text("utf-8")
    broken = seed000.replace("\n28 | ||\n", "\n29 | ||\n")
    assert broken != seed000
    (root / "agencies" / "saihan").mkdir(parents=True)
    (root / "agencies" / "saihan" / "report-edited.txt").write_text(broken, "utf-8")
    (root / "copies").mkdir()
    shutil.copy(next(raw_dir.glob("001_*.txt")), root / "copies" / "linhe.html.txt")
    (root / "2024").mkdir()
    (root / "2024" / "empty.txt").write_bytes(b"")
    (root / "2024" / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (root / "misc").mkdir()
    (root / "misc" / "blank.txt").write_bytes(b"  \n\n ")
    return root


@pytest.fixture(scope="session")
def messy_warehouse(tmp_path_factory, messy_raw):
    wh = tmp_path_factory.mktemp("wh") / "messy.duckdb"
    instance = DagsterInstance.ephemeral()
    results = {y: run_year(messy_raw, wh, y, instance) for y in (2024, newest_year())}
    return wh, results
