"""Incremental `gipr run` and corrections on record, end to end (materialize_years): a year is
rebuilt only when its inputs, its corrections, year N−1 or the code changed; a correction moves
a report from violating to checked, and back when removed."""

from __future__ import annotations

import duckdb
import polars as pl

from gipr_pipeline.cli import plan
from gipr_pipeline.cli.main import main
from gipr_pipeline.cli.orchestrate import materialize_years
from gipr_pipeline_tests.marts.test_corrections import violating_copy
from gipr_pipeline_tests.marts.test_yoy import _rid, _to_2023


def _q(wh, sql: str) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _modes(s: dict) -> dict[int, tuple[str, str]]:
    return {r["year"]: (r["mode"], r["why"]) for r in s["runs"]}


def _failing(s: dict) -> dict[int, list[str]]:
    return {
        r["year"]: sorted(c for c, ok in r["checks"].items() if not ok)
        for r in s["runs"]
        if r["run_id"]
    }


def test_partition_years_match_dagster():
    from gipr_pipeline.defs.partitions import partition_years

    assert plan.partition_years() == partition_years()


def test_incremental_runs_and_a_correction_round_trip(tmp_path, seed_paths):
    raw, wh = tmp_path / "raw", tmp_path / "wh" / "gipr.duckdb"
    (raw / "2023").mkdir(parents=True)
    bad = violating_copy(seed_paths["000"])  # 2024, row 3.1 total misprinted 5 (cells: 4)
    (raw / "000.txt").write_bytes(bad)
    (raw / "2023" / "000.txt").write_bytes(_to_2023(seed_paths["000"].read_bytes()))
    rid = _rid(bad)

    s = materialize_years(raw, wh)
    assert _failing(s) == {
        2023: [],
        # the misprint (a finding, not a crash), and 2023 carried 1 request that 2024 does not
        # carry in
        2024: ["applications_balance", "carryover_continuity", "gx_applications"],
    }
    assert _modes(s) == {2023: ("full", "not built yet"), 2024: ("full", "not built yet")}
    assert all(r["success"] for r in s["runs"])
    hard = "select distinct report_id from rule_violations where year = 2024 and severity = 'hard'"
    assert _q(wh, hard) == [(rid,)]
    checked = "select reports_checked, reports_with_violations from year_summary where year = 2024"
    assert _q(wh, checked) == [(0, 1)]
    assert _q(wh, "select status, carryover from year_over_year where year = 2024") == [
        ("matched", "break")
    ]

    # Nothing changed: no run at all (no parse, no Dagster run).
    s = materialize_years(raw, wh)
    assert _modes(s) == {
        2023: ("unchanged", "inputs, corrections and code as last built"),
        2024: ("unchanged", "inputs, corrections and code as last built"),
    }
    assert [r["run_id"] for r in s["runs"]] == [None, None]
    assert s["tables"]["raw_reports"] == {2023: 1, 2024: 1}

    # A reviewer records the agency's corrected figure: 2024 is rebuilt, 2023 is not.
    argv = ["correct", "add", str(raw / "000.txt"), "applications", "3.1", "total", "4"]
    argv += ["--who", "张三", "--why", "机关来函:总计为4", "--when", "2025-03-01"]
    assert main([*argv, "--raw-dir", str(raw)]) == 0
    s = materialize_years(raw, wh)
    assert _modes(s) == {
        2023: ("unchanged", "inputs, corrections and code as last built"),
        2024: ("full", "corrections changed"),
    }
    assert _failing(s) == {2024: ["carryover_continuity"]}
    assert _q(wh, hard) == []
    assert _q(wh, checked) == [(1, 0)]
    assert _q(wh, "select distinct report_id from applications_checked where year = 2024") == [
        (rid,)
    ]
    audit = "select status, reason, printed, value, who, why, file from corrections"
    assert _q(wh, audit) == [
        ("applied", None, 5.0, 4.0, "张三", "机关来函:总计为4", "corrections.csv:2")
    ]
    total_31 = "select total from applications where year = 2024 and row_code = '3.1'"
    assert _q(wh, total_31) == [(4,)]

    # The correction removed: the report breaks its rules again.
    (tmp_path / "corrections" / "corrections.csv").unlink()
    s = materialize_years(raw, wh)
    assert _modes(s)[2024] == ("full", "corrections changed")
    assert _failing(s)[2024] == ["applications_balance", "carryover_continuity", "gx_applications"]
    assert _q(wh, hard) == [(rid,)]
    assert _q(wh, checked) == [(0, 1)]
    assert _q(wh, total_31) == [(5,)]
    assert _q(wh, "select count(*) from corrections") == [(0,)]

    # Year N−1 changed (a file renamed): 2023 rebuilt, 2024 only its cross-year marts.
    (raw / "2023" / "000.txt").rename(raw / "2023" / "renamed.txt")
    s = materialize_years(raw, wh)
    assert _modes(s) == {2023: ("full", "inputs changed"), 2024: ("cross-year", "2023 changed")}
    cross = s["runs"][1]
    assert cross["success"] and set(cross["checks"]) == {"carryover_continuity"}
    assert _q(wh, "select status from year_over_year where year = 2024") == [("matched",)]
    paths = "select paths from raw_reports where year = 2023"
    assert _q(wh, paths) == [(["2023/renamed.txt"],)]
    assert all(m["mode"] == "unchanged" for m in plan.plan(raw, wh).values())

    # A forced run rebuilds everything; so does an explicit year.
    assert {y: p["mode"] for y, p in plan.plan(raw, wh, force=True).items()} == {
        2023: "full",
        2024: "full",
    }
    frame = pl.DataFrame(_q(wh, "select year, inputs from run_inputs order by 1"), orient="row")
    assert frame.rows() == [(2023, 1), (2024, 1)]
