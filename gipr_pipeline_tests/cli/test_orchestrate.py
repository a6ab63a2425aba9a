"""materialize_years: what `gipr run` / `gipr backfill` call."""

from __future__ import annotations

import shutil

import pytest

from gipr_pipeline.cli.orchestrate import materialize_years, warehouse_contents


def test_materializes_the_years_the_raw_folder_holds(tmp_path, raw_dir):
    s = materialize_years(raw_dir, tmp_path / "w" / "gipr.duckdb")
    assert s["ok"] and s["years"] == [2022, 2024]
    assert s["warehouse"] == str((tmp_path / "w" / "gipr.duckdb").resolve())
    assert [r["year"] for r in s["runs"]] == [2022, 2024]
    # 5 checks on the marts (incl. carryover_continuity) + one GX check per mart
    assert all(
        r["success"] and len(r["checks"]) == 11 and all(r["checks"].values()) for r in s["runs"]
    )
    docs = tmp_path / "w" / "docs"  # beside the warehouse: Data Docs and reports per year
    for y in (2022, 2024):
        assert (docs / "quality" / str(y) / "index.html").is_file()
        assert (docs / "reports" / f"annual_report_{y}.html").is_file()
    t = s["tables"]
    assert t["raw_reports"] == {2022: 1, 2024: 4}
    assert t["applications"] == {2022: 25, 2024: 100}
    assert t["year_summary"] == {2022: 1, 2024: 1}
    assert t["rejected_reports"] == {} and t["rule_violations"] == {}


def test_removed_files_leave_the_warehouse(tmp_path, seed_paths):
    raw, wh = tmp_path / "raw", tmp_path / "wh.duckdb"
    raw.mkdir()
    for k in ("000", "003"):
        shutil.copy(seed_paths[k], raw / seed_paths[k].name)
    assert materialize_years(raw, wh)["years"] == [2022, 2024]
    (raw / seed_paths["003"].name).unlink()
    s = materialize_years(raw, wh)
    assert s["years"] == [2022, 2024]  # 2022 rebuilt because the warehouse had it
    assert s["ok"]
    assert s["tables"]["raw_reports"] == {2024: 1}
    assert 2022 not in warehouse_contents(wh)["applications"]


def test_explicit_years_and_bad_years(tmp_path, raw_dir):
    s = materialize_years(raw_dir, tmp_path / "wh.duckdb", years=[2019])
    assert s["ok"] and s["years"] == [2019]
    assert s["tables"]["raw_reports"] == {}  # an empty year: empty tables, all checks pass
    with pytest.raises(ValueError, match="not a partition year"):
        materialize_years(raw_dir, tmp_path / "wh.duckdb", years=[2018])
