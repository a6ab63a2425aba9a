"""The pipeline's ingest workers under the parse workers' watchdog (``parser.batch.imap_watched``):
an input over its time is rejected ``resource_limit`` and its worker replaced, every other input
of the year is parsed and its long-table parts written once, inputs = accepted + rejected; a
worker killed while writing its parts leaves nothing counted and its task runs again."""

from __future__ import annotations

import functools
import os
import shutil
import signal
from pathlib import Path

import polars as pl
import pytest

from gipr_pipeline.marts import ingest
from gipr_pipeline.readers.limits import set_limits
from gipr_pipeline_tests import hostile as h

YEARS = list(range(2019, 2025))


@pytest.fixture
def half_second(monkeypatch):
    """0.5 s allowed per file (``GIPR_LIMIT_SECONDS``), and no assignment remembered from
    another test."""
    monkeypatch.setenv("GIPR_LIMIT_SECONDS", "0.5")
    monkeypatch.setattr(ingest, "_ASSIGNED", {})
    set_limits(None)
    yield
    set_limits(None)


def _good(root: Path, seed_paths, copies: int) -> list[str]:
    """``copies`` distinct 2024 reports (seed 000 and variants with trailing blank lines; one
    input each, as their bytes differ), named a-… so the slow file sits between them."""
    root.mkdir(parents=True, exist_ok=True)
    seed = seed_paths["000"].read_bytes()
    names = []
    for i in range(copies):
        name = f"{'a' if i % 2 == 0 else 'c'}{i:03d}.txt"
        (root / name).write_bytes(seed + b"\n" * i)
        names.append(name)
    return names


def _long(t: ingest.YearTables, name: str) -> pl.DataFrame:
    parts = t.long[name]
    assert all(Path(f).is_file() for f in parts.files)
    df = pl.read_parquet(list(parts.files)) if parts.files else pl.DataFrame()
    assert df.height == parts.rows
    return df


def _reference(tmp_path: Path, seed_paths, copies: int) -> ingest.YearTables:
    """The same good files alone, parsed in this process."""
    root = tmp_path / "ref"
    _good(root, seed_paths, copies)
    return ingest.year_tables(root, 2024, YEARS, tmp_path / "ref-out", workers=1)


@pytest.mark.parametrize("copies", [4, 70], ids=["one-task-per-worker", "tasks-of-1000"])
def test_a_slow_input_is_rejected_and_the_year_keeps_every_other(
    tmp_path, seed_paths, half_second, copies
):
    root = tmp_path / "raw"
    _good(root, seed_paths, copies)
    (root / "b_slow.pdf").write_bytes(h.slow_pdf())
    out = tmp_path / "out"
    t = ingest.year_tables(root, 2024, YEARS, out, workers=2)

    assert t.inputs == copies + 1
    raw = t.raw_reports
    assert raw.height == copies + 1  # every input of the year (the slow one: the newest year)
    assert int(raw["accepted"].sum()) + t.rejected_reports.height == raw.height
    assert t.rejected_reports.select("path", "reason").rows() == [("b_slow.pdf", "resource_limit")]
    assert "longer than 0.5 s" in t.rejected_reports["message"][0]

    ref = _reference(tmp_path, seed_paths, copies)
    for name in ingest.LONG_TABLES:
        assert _long(t, name).equals(_long(ref, name)), name
    # Nothing half-written, and no part written that is not counted.
    assert not list(out.glob("*.tmp"))
    listed = {Path(f).name for name in ingest.LONG_TABLES for f in t.long[name].files}
    assert {f.name for f in out.glob("*.parquet")} == listed


def test_the_sensors_assignments_reject_a_slow_input(tmp_path, seed_paths, half_second):
    root = tmp_path / "raw"
    _good(root, seed_paths, 3)
    (root / "b_slow.pdf").write_bytes(h.slow_pdf())
    got = {r.path: a for r, a in ingest.assignments(root, YEARS, workers=2)}
    assert {p: (a.year, a.accepted, a.reason) for p, a in got.items()} == {
        "a000.txt": (2024, True, None),
        "b_slow.pdf": (2024, False, "resource_limit"),
        "c001.txt": (2024, True, None),
        "a002.txt": (2024, True, None),
    }
    assert got["b_slow.pdf"].year_source == "newest"


def _write_half_then_die(marker: str, out_dir: str, refs, done):
    """In a worker: the first call of the run writes half a part and kills its worker."""
    if not os.path.exists(marker):
        Path(marker).write_text("x")
        (Path(out_dir) / "report_facts-half.parquet.tmp").write_bytes(b"PAR1 half a part")
        os.kill(os.getpid(), signal.SIGKILL)
    return ingest._write_parts(out_dir, refs, done)


def test_a_worker_killed_while_writing_its_parts_leaves_nothing_counted(
    tmp_path, seed_paths, monkeypatch
):
    # The workers import this module to run the patched step (a partial naming it).
    monkeypatch.setattr(ingest, "_ASSIGNED", {})
    marker = tmp_path / "killed-once"
    monkeypatch.setattr(
        ingest, "_write_parts", functools.partial(_write_half_then_die, str(marker))
    )
    root = tmp_path / "raw"
    _good(root, seed_paths, 4)
    out = tmp_path / "out"
    t = ingest.year_tables(root, 2024, YEARS, out, workers=2)
    monkeypatch.undo()

    assert marker.exists()  # a worker was killed
    assert t.raw_reports.height == 4 and t.rejected_reports.height == 0
    ref = _reference(tmp_path, seed_paths, 4)
    for name in ingest.LONG_TABLES:
        assert _long(t, name).equals(_long(ref, name)), name
    listed = {Path(f).name for name in ingest.LONG_TABLES for f in t.long[name].files}
    assert {f.name for f in out.glob("*.parquet")} == listed


def test_an_input_changed_during_the_run_fails_it_instead_of_being_rejected(
    tmp_path, seed_paths, monkeypatch
):
    monkeypatch.setattr(ingest, "_ASSIGNED", {})
    root = tmp_path / "raw"
    _good(root, seed_paths, 4)
    refs = ingest.scan(root)
    shutil.copy(seed_paths["001"], root / "c001.txt")
    with pytest.raises(RuntimeError, match=r"c001\.txt changed while the run was reading"):
        ingest.assignments(root, YEARS, workers=2, refs=refs)
