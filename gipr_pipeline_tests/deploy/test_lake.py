"""The parquet lake (outputs/lake.py): a year published all at once, the rest of the year kept,
a publisher that dies half way leaves the published version untouched, DuckDB reads it."""

import duckdb
import polars as pl
import pytest

from gipr_pipeline.outputs import lake


def _stage(tmp_path, name: str, df: pl.DataFrame):
    d = tmp_path / "stage" / name
    d.mkdir(parents=True, exist_ok=True)
    df.write_parquet(d / "part-00000.parquet")
    return d


def test_publish_swaps_the_whole_year_and_keeps_tables_not_staged(tmp_path):
    root = tmp_path / "lake"
    a1 = _stage(tmp_path, "a1", pl.DataFrame({"year": [2024, 2024], "v": [1, 2]}))
    b1 = _stage(tmp_path, "b1", pl.DataFrame({"year": [2024], "w": ["x"]}))
    assert lake.publish(root, 2024, {"a": a1, "b": b1}, "run1") == {"a": 2, "b": 1}
    assert lake.years(root) == ["2024"]
    assert lake.read(root, "a")["v"].to_list() == [1, 2]

    # A run that only rebuilt table a: b is carried over from the previous version.
    a2 = _stage(tmp_path, "a2", pl.DataFrame({"year": [2024], "v": [9]}))
    assert lake.publish(root, 2024, {"a": a2}, "run2") == {"a": 1}
    assert lake.year_dir(root, 2024).resolve().name == "run2"
    assert lake.read(root, "a")["v"].to_list() == [9]
    assert lake.read(root, "b")["w"].to_list() == ["x"]
    assert lake.contents(root) == {"a": {2024: 1}, "b": {2024: 1}}

    with pytest.raises(ValueError, match="already published"):
        lake.publish(root, 2024, {"a": a2}, "run2")


def test_a_publisher_killed_half_way_leaves_the_published_version(tmp_path, monkeypatch):
    root = tmp_path / "lake"
    a1 = _stage(tmp_path, "a1", pl.DataFrame({"year": [2023], "v": [1]}))
    lake.publish(root, 2023, {"a": a1}, "good")
    a2 = _stage(tmp_path, "a2", pl.DataFrame({"year": [2023], "v": [2]}))
    b2 = _stage(tmp_path, "b2", pl.DataFrame({"year": [2023], "w": ["y"]}))

    real = lake._link_tree
    calls = []

    def dies_on_second_table(src, dst):
        calls.append(dst.name)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")  # the process dies between two tables
        real(src, dst)

    monkeypatch.setattr(lake, "_link_tree", dies_on_second_table)
    with pytest.raises(KeyboardInterrupt):
        lake.publish(root, 2023, {"a": a2, "b": b2}, "bad")
    monkeypatch.setattr(lake, "_link_tree", real)

    assert lake.year_dir(root, 2023).resolve().name == "good"
    assert lake.read(root, "a")["v"].to_list() == [1]
    assert lake.table_files(root, "b", [2023]) == []
    # The next publish completes the year and removes the half-built folder.
    lake.publish(root, 2023, {"a": a2, "b": b2}, "retry")
    assert lake.read(root, "a")["v"].to_list() == [2]
    assert not (root / "versions" / "2023" / "bad").exists()


def test_catalog_views_read_every_year_with_duckdb(tmp_path):
    root = tmp_path / "lake"
    for y in (2022, 2023):
        d = _stage(tmp_path, f"a{y}", pl.DataFrame({"year": [y, y], "v": [y, -y]}))
        lake.publish(root, y, {"a": d}, f"r{y}")
    path = lake.write_catalog(root)
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select year, sum(v) from main.a group by 1 order by 1").fetchall()
    finally:
        con.close()
    assert rows == [(2022, 0), (2023, 0)]


def test_differences_name_the_table_and_year(tmp_path):
    root = tmp_path / "lake"
    lake.publish(
        root, 2024, {"a": _stage(tmp_path, "a", pl.DataFrame({"year": [2024], "v": [1]}))}, "r"
    )
    wh = tmp_path / "w.duckdb"
    con = duckdb.connect(str(wh))
    con.execute("create table main.a as select 2024 as year, 2 as v")
    con.close()
    assert lake.differences(wh, root, [2024]) == {"a@2024": "same row count, different rows"}
    con = duckdb.connect(str(wh))
    con.execute("update main.a set v = 1")
    con.close()
    assert lake.differences(wh, root, [2024]) == {}
