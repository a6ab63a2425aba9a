"""A Dagster run of one year with an input that takes too long: the ingest worker is replaced,
the input is rejected ``resource_limit`` in its year, the run succeeds with the other reports."""

from __future__ import annotations

import shutil

from gipr_pipeline.marts import ingest
from gipr_pipeline.readers.limits import set_limits
from gipr_pipeline_tests import hostile as h
from gipr_pipeline_tests.defs.conftest import run_year, table


def test_a_run_rejects_a_slow_input_and_publishes_the_year(tmp_path, seed_paths, monkeypatch):
    monkeypatch.setenv("GIPR_LIMIT_SECONDS", "0.5")
    monkeypatch.setattr(ingest, "_ASSIGNED", {})
    set_limits(None)
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    shutil.copy(seed_paths["000"], raw / "a.txt")
    (raw / "2024" / "b_slow.pdf").write_bytes(h.slow_pdf())
    shutil.copy(seed_paths["001"], raw / "c.txt")
    wh = tmp_path / "wh.duckdb"
    try:
        result = run_year(raw, wh, 2024)
    finally:
        set_limits(None)
    assert result.success
    raw_reports = table(wh, "raw_reports", 2024)
    assert sorted(zip(raw_reports["path"], raw_reports["accepted"], strict=True)) == [
        ("2024/b_slow.pdf", False),
        ("a.txt", True),
        ("c.txt", True),
    ]
    rejected = table(wh, "rejected_reports", 2024)
    assert rejected.select("path", "reason").rows() == [("2024/b_slow.pdf", "resource_limit")]
    assert "longer than 0.5 s" in rejected["message"][0]
    assert table(wh, "report_facts", 2024)["report_id"].n_unique() == 2
