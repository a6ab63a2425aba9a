"""Nothing lost under faults and concurrency (defs/io.py): a run killed mid-way leaves the
warehouse exactly as it was before the run, the next run completes the partition, and two runs
of different years in separate processes at once both land, row for row."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from gipr_pipeline.defs.io import FAULT_ENV, stage_root, warehouse_lock
from gipr_pipeline_tests.defs.conftest import checks, run_year

ROOT = Path(__file__).resolve().parents[2]


def _spawn(raw: Path, wh: Path, year: int, fault: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in (FAULT_ENV, "DAGSTER_HOME")}
    if fault:
        env[FAULT_ENV] = fault
    return subprocess.Popen(
        [sys.executable, "-m", "gipr_pipeline_tests.defs.run_year_main", str(raw), str(wh), str(year)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def _snapshot(wh: Path) -> dict[str, pl.DataFrame]:
    """Every table of the warehouse, rows in a canonical order."""
    con = duckdb.connect(str(wh), read_only=True)
    try:
        names = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        ]
        return {t: con.execute(f'select * from main."{t}" order by all').pl() for t in names}
    finally:
        con.close()


def _counts(snap: dict[str, pl.DataFrame]) -> dict[str, dict[int, int]]:
    return {t: dict(df.group_by("year").len().sort("year").iter_rows()) for t, df in snap.items()}


def _same(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> bool:
    return a.keys() == b.keys() and all(a[t].equals(b[t]) for t in a)


@pytest.fixture(scope="module")
def raws(tmp_path_factory, seed_paths) -> tuple[Path, Path]:
    """(before, after): the seeds 000, 001 (2024) and 003 (2022); then all five seeds."""
    before, after = tmp_path_factory.mktemp("before"), tmp_path_factory.mktemp("after")
    for k, p in seed_paths.items():
        shutil.copy(p, after / p.name)
        if k in ("000", "001", "003"):
            shutil.copy(p, before / p.name)
    return before, after


@pytest.fixture(scope="module")
def reference(tmp_path_factory, raws) -> dict[str, pl.DataFrame]:
    """The warehouse that 2022 and 2024 of the full seeds make, built in this process."""
    wh = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    for y in (2022, 2024):
        assert run_year(raws[1], wh, y).success
    return _snapshot(wh)


@pytest.mark.parametrize("fault", ["staged:report_facts", "publish:report_facts"])
def test_a_killed_run_leaves_the_warehouse_as_it_was_and_the_next_run_completes_it(
    tmp_path, raws, reference, fault
):
    before_raw, after_raw = raws
    wh = tmp_path / "wh.duckdb"
    for y in (2022, 2024):
        assert run_year(before_raw, wh, y).success
    before = _snapshot(wh)
    assert _counts(before)["raw_reports"] == {2022: 1, 2024: 2}

    # SIGKILL while the run of 2024 (now 4 reports) is staged but unpublished, or inside the
    # publish transaction after five tables' partitions were replaced (report_facts is the 6th).
    p = _spawn(after_raw, wh, 2024, fault)
    _, err = p.communicate(timeout=120)
    assert p.returncode == -9, err.decode()[-3000:]
    assert _same(_snapshot(wh), before)  # every table, every year: as before the run

    # The next run cleans the dead run's stage and completes the partition.
    r = run_year(after_raw, wh, 2024)
    assert r.success and checks(r)["nothing_lost"].passed
    after = _snapshot(wh)
    assert _same(after, reference)
    assert _counts(after)["raw_reports"] == {2022: 1, 2024: 4}
    assert [p.name for p in stage_root(wh).iterdir()] == []


def test_two_runs_of_different_years_at_once(tmp_path, raws, reference):
    wh = tmp_path / "wh.duckdb"
    # Hold the warehouse lock until both runs have staged every table: both then queue for the
    # publish, and each must find its own stage intact after the other's start-up clean-up.
    with warehouse_lock(wh, exclusive=True):
        procs = {y: _spawn(raws[1], wh, y) for y in (2022, 2024)}
        deadline = time.monotonic() + 120
        while not all(list(stage_root(wh).glob(f"*/year_summary@{y}")) for y in procs):
            assert time.monotonic() < deadline, "runs did not stage their tables"
            assert all(p.poll() is None for p in procs.values()), "a run ended before publishing"
            time.sleep(0.1)
        time.sleep(0.5)
        assert all(p.poll() is None for p in procs.values())  # waiting for the lock
    for p in procs.values():
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()[-3000:]  # run ok, nothing_lost and gate passed
    snap = _snapshot(wh)
    assert _same(snap, reference)  # row for row what two sequential runs make
    counts = _counts(snap)
    assert counts["raw_reports"] == {2022: 1, 2024: 4}
    assert counts["applications"] == {2022: 25, 2024: 100}
    assert counts["report_facts"] == _counts(reference)["report_facts"]
