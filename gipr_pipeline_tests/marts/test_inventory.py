"""The raw inventory: dedupe by content hash, the partition rule, the sensor's diff."""

from __future__ import annotations

import shutil

from gipr_pipeline.marts import ingest
from gipr_pipeline.marts import inventory as inv
from gipr_pipeline.parser.model import ReportMeta, ReportResult, rejected

YEARS = list(range(2019, 2026))


def test_seeds_are_assigned_by_content_year(raw_dir):
    items = inv.inventory(raw_dir, YEARS)
    by_name = {i.path[:3]: a for i, _, a in items}
    assert {k: a.year for k, a in by_name.items()} == {
        "000": 2024,
        "001": 2024,
        "002": 2024,
        "003": 2022,
        "004": 2024,
    }
    assert all(a.accepted and a.year_source == "content" for a in by_name.values())
    assert ingest.years_present(raw_dir, YEARS) == [2022, 2024]


def test_same_content_under_two_names_is_one_input(tmp_path, seed_paths):
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(seed_paths["001"], tmp_path / "x.txt")
    shutil.copy(seed_paths["001"], tmp_path / "a" / "b" / "copy.dat")
    (tmp_path / ".hidden").write_bytes(b"ignored")
    inputs = inv.read_inputs(tmp_path)
    assert len(inputs) == 1
    assert inputs[0].paths == ("a/b/copy.dat", "x.txt")
    assert inputs[0].report_id == inv.content_hash(seed_paths["001"].read_bytes())


def test_missing_folder_is_empty():
    assert inv.read_inputs("/nonexistent/gipr") == []


def _input(paths=("x.txt",)):
    return inv.RawInput("0" * 64, paths, b"")


def test_unreadable_input_goes_to_path_year_else_newest():
    res = rejected("x", "empty")
    a = inv.assign(_input(("2021/annual.txt",)), res, YEARS)
    assert (a.year, a.year_source, a.accepted, a.reason) == (2021, "path", False, "empty")
    a = inv.assign(_input(("report_2030.txt", "b.txt")), res, YEARS)  # 2030 is no partition
    assert (a.year, a.year_source) == (2025, "newest")


def test_report_without_usable_year_is_rejected_not_lost():
    no_year = ReportResult(source="x", report=ReportMeta(year=None))
    a = inv.assign(_input(("2023/x.txt",)), no_year, YEARS)
    assert (a.year, a.accepted, a.reason) == (2023, False, "year_unknown")
    old = ReportResult(source="x", report=ReportMeta(year=2017))
    a = inv.assign(_input(), old, YEARS)
    assert (a.year, a.year_source, a.accepted, a.reason) == (
        2019,
        "content_clamped",
        False,
        "year_out_of_range",
    )
    assert "2017" in a.message


def test_affected_years():
    before = {"a": 2024, "b": 2022, "c": 2023}
    after = {"a": 2024, "c": 2021, "d": 2020}
    # b removed (2022), c moved 2023 → 2021, d new (2020); a unchanged
    assert inv.affected_years(before, after) == {2020, 2021, 2022, 2023}
    assert inv.affected_years(after, after) == set()


def test_scan_years_does_not_reparse_known_hashes(raw_dir):
    seeds = ingest.scan_years(raw_dir, YEARS)
    assert sorted(seeds.values()) == [2022, 2024, 2024, 2024, 2024]
    # A cursor's year wins over the content: proves the known hash was not parsed again.
    h = next(iter(seeds))
    assert ingest.scan_years(raw_dir, YEARS, known={h: 2019})[h] == 2019
