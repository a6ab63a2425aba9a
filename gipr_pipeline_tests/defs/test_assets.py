"""Materialize every asset and check for a partition into a temporary warehouse."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from gipr_pipeline.defs.assets import ASSETS
from gipr_pipeline_tests.defs.conftest import checks, newest_year, run_year, table

TABLES = sorted(k.to_user_string() for a in ASSETS for k in a.keys)


def test_2024_seeds_all_assets_and_checks(seeds_warehouse):
    wh, results, _ = seeds_warehouse
    r = results[2024]
    assert r.success
    materialized = {e.asset_key.to_user_string() for e in r.get_asset_materialization_events()}
    assert materialized == set(TABLES)
    c = checks(r)
    assert set(c) == {
        "applications_balance",
        "review_litigation_total",
        "applications_checked_gate",
        "nothing_lost",
    }
    assert all(e.passed for e in c.values()), {k: e.passed for k, e in c.items()}
    # One row count per stored table (the I/O manager's dagster/row_count), no "rows" beside it.
    for e in r.get_asset_materialization_events():
        meta = e.materialization.metadata
        assert "rows" not in meta and "row_count" not in meta, e.asset_key
    counts = {
        e.asset_key.to_user_string(): e.materialization.metadata["dagster/row_count"].value
        for e in r.get_asset_materialization_events()
        if "dagster/row_count" in e.materialization.metadata
    }
    assert counts["raw_reports"] == 4 and counts["applications"] == 100
    # Owners on every asset.
    from gipr_pipeline.defs.definitions import defs
    from gipr_pipeline.defs.metadata import OWNERS

    graph = defs.resolve_asset_graph()
    assert all(graph.get(k).owners == OWNERS for k in graph.get_all_asset_keys())
    # Numbers plotted per year (defs/metadata.py), readable under their own key.
    assert c["nothing_lost"].metadata["2024/inputs"].value == 4
    assert c["nothing_lost"].metadata["inputs"].value == "4"
    assert c["applications_balance"].metadata["2024/reports_checked"].value == 4

    raw = table(wh, "raw_reports", 2024)
    assert raw.height == 4 and raw["accepted"].all()
    assert sorted(p[:3] for p in raw["path"]) == ["000", "001", "002", "004"]
    assert "text" not in raw.columns and "content" not in raw.columns  # sections hold the text
    assert table(wh, "report_sections", 2024)["text"].str.contains("政府信息公开").any()
    assert table(wh, "applications", 2024)["report_id"].n_unique() == 4
    assert table(wh, "applications_checked", 2024)["report_id"].n_unique() == 4


def test_2024_seed_000_values_in_applications(seeds_warehouse):
    wh = seeds_warehouse[0]
    apps = table(wh, "applications", 2024).filter(pl.col("agency") == "赛罕区人民政府办公室")
    cells = {r["row_code"]: r for r in apps.iter_rows(named=True)}
    assert (cells["1"]["natural_person"], cells["1"]["total"]) == (28, 28)
    assert cells["3.1"]["total"] == 4
    assert cells["3.4.1"]["total"] == 23
    assert cells["3.7"]["total"] == 27
    assert cells["4"]["total"] == 1
    summary = table(wh, "year_summary", 2024).row(0, named=True)
    assert (summary["reports"], summary["reports_checked"], summary["received_total"]) == (4, 4, 28)


def test_2022_partition_holds_seed_003(seeds_warehouse):
    wh, results, _ = seeds_warehouse
    assert results[2022].success and all(e.passed for e in checks(results[2022]).values())
    raw = table(wh, "raw_reports", 2022)
    assert [p[:3] for p in raw["path"]] == ["003"]
    sections = table(wh, "report_sections", 2022)
    assert sections["published"].unique().to_list() == [dt.date(2023, 1, 19)]
    # Partitions do not leak into each other.
    assert table(wh, "applications")["year"].unique().sort().to_list() == [2022, 2024]


def test_rematerializing_gives_identical_tables(seeds_warehouse, raw_dir):
    wh, _, instance = seeds_warehouse
    before = {t: table(wh, t) for t in TABLES}
    assert run_year(raw_dir, wh, 2024, instance).success
    for t in TABLES:
        after = table(wh, t)
        key = [
            c
            for c in (
                "year",
                "report_id",
                "path",
                "row_code",
                "section_code",
                "table_code",
                "column_code",
                "code",
            )
            if c in after.columns
        ]
        assert_frame_equal(
            before[t].sort(key, nulls_last=True),
            after.sort(key, nulls_last=True),
            check_row_order=False,
        )


def test_broken_balance_routed_to_rule_violations(messy_warehouse):
    wh, results = messy_warehouse
    r = results[2024]
    assert r.success
    c = checks(r)
    # The mart check flags the misprinted report (a warning: it is routed, not lost) ...
    assert not c["applications_balance"].passed
    assert c["applications_balance"].metadata["2024/reports_failing"].value == 1
    assert "赛罕区人民政府办公室" in c["applications_balance"].metadata["first_failures"].value
    # ... while the gate and the accounting hold.
    assert c["applications_checked_gate"].passed and c["nothing_lost"].passed
    assert c["nothing_lost"].metadata["2024/inputs"].value == 7  # 4 seeds + edited + empty + binary
    assert c["nothing_lost"].metadata["2024/files"].value == 8  # plus the copy of seed 001
    # The UI previews rule_violations: the hard violations in words.
    mats = {
        e.asset_key.to_user_string(): e.materialization
        for e in r.get_asset_materialization_events()
    }
    preview = mats["rule_violations"].metadata["preview"].value
    assert (
        "赛罕区人民政府办公室 | 总计=各类申请人之和 | 一、本年新收政府信息公开申请数量 | 28 | 29"
        in preview
    )

    raw = table(wh, "raw_reports", 2024)
    edited = raw.filter(pl.col("path") == "agencies/saihan/report-edited.txt")["report_id"][0]
    v = table(wh, "rule_violations", 2024)
    assert set(v["report_id"]) == {edited}
    assert sorted(v.select("rule", "row_code", "column_code", "expected", "actual").rows()) == [
        ("applications.balance", None, "total", 29.0, 28.0),
        ("applications.row_total", "1", None, 28.0, 29.0),
    ]
    assert v["agency"].unique().to_list() == ["赛罕区人民政府办公室"]
    checked = table(wh, "applications_checked", 2024)
    assert edited not in checked["report_id"].to_list()
    assert checked["report_id"].n_unique() == 4
    assert edited in table(wh, "applications", 2024)["report_id"].to_list()
    s = table(wh, "year_summary", 2024).row(0, named=True)
    assert (
        s["reports"],
        s["reports_rejected"],
        s["reports_with_violations"],
        s["reports_checked"],
    ) == (7, 2, 1, 4)


def test_empty_and_binary_files_land_in_rejected_reports(messy_warehouse):
    wh, results = messy_warehouse
    rej = table(wh, "rejected_reports", 2024).sort("path")
    assert rej.select("path", "reason", "year_source").rows() == [
        ("2024/empty.txt", "empty", "path"),
        ("2024/scan.png", "binary", "path"),
    ]
    # The copy of seed 001 is the same report: one row, both paths.
    raw = table(wh, "raw_reports", 2024)
    both = raw.filter(pl.col("n_paths") == 2)
    assert both["paths"].to_list() == [["001_70d6925fef033874.txt", "copies/linhe.html.txt"]]
    # No year anywhere: accounted in the newest partition, and the accounting holds there.
    year = newest_year()
    assert results[year].success
    newest = table(wh, "rejected_reports", year)
    assert newest.select("path", "reason", "year_source").rows() == [
        ("misc/blank.txt", "empty", "newest")
    ]
    assert checks(results[year])["nothing_lost"].passed
