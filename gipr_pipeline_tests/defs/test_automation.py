"""The yearly schedule and the raw-folder sensor."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from zoneinfo import ZoneInfo

from dagster import SensorResult, build_schedule_context, build_sensor_context

from gipr_pipeline.defs.automation import raw_folder_sensor, yearly_previous_year
from gipr_pipeline.defs.resources import GiprPaths


def _tick(raw, cursor=None) -> tuple[list[str], str]:
    ctx = build_sensor_context(cursor=cursor, resources={"gipr": GiprPaths(raw_dir=str(raw))})
    result = raw_folder_sensor(ctx)
    assert isinstance(result, SensorResult)
    return sorted(r.partition_key for r in result.run_requests or []), result.cursor


def test_schedule_targets_the_previous_year():
    assert (
        yearly_previous_year.cron_schedule == "0 6 1 3 *"
    )  # 1 March, after the 31 January deadline
    when = dt.datetime(2026, 3, 1, 6, tzinfo=ZoneInfo("Asia/Shanghai"))
    request = yearly_previous_year(build_schedule_context(scheduled_execution_time=when))
    assert request.partition_key == "2025"
    assert request.job_name in (None, "gipr_year")


def test_sensor_requests_exactly_the_affected_years(tmp_path, raw_dir, seed_paths):
    raw = tmp_path / "raw"
    raw.mkdir()
    # First tick on an empty folder: nothing to do, cursor is the empty inventory.
    keys, cursor = _tick(raw)
    assert keys == [] and json.loads(cursor) == {}

    # Seed 003 (a 2022 report) arrives under an arbitrary name in a subfolder.
    (raw / "in" / "x").mkdir(parents=True)
    shutil.copy(seed_paths["003"], raw / "in" / "x" / "whatever.bin")
    keys, cursor = _tick(raw, cursor)
    assert keys == ["2022"]
    assert list(json.loads(cursor).values()) == [2022]

    # Nothing changed: no run. A copy of known content under a new name: no run either.
    assert _tick(raw, cursor)[0] == []
    shutil.copy(seed_paths["003"], raw / "copy.txt")
    assert _tick(raw, cursor)[0] == []

    # Two 2024 seeds: one run for 2024 only.
    shutil.copy(seed_paths["000"], raw / "a.txt")
    shutil.copy(seed_paths["004"], raw / "b.txt")
    keys, cursor = _tick(raw, cursor)
    assert keys == ["2024"]

    # Editing the 2022 report in both places (new content) re-runs 2022 only.
    for p in (raw / "in" / "x" / "whatever.bin", raw / "copy.txt"):
        p.write_bytes(p.read_bytes() + b"\n")
    keys, cursor = _tick(raw, cursor)
    assert keys == ["2022"]

    # Removing a 2024 report re-runs 2024 (its rows must leave the warehouse).
    (raw / "b.txt").unlink()
    keys, cursor = _tick(raw, cursor)
    assert keys == ["2024"]
    assert sorted(json.loads(cursor).values()) == [2022, 2024]


def test_sensor_on_the_seeds_requests_their_years(raw_dir):
    keys, cursor = _tick(raw_dir)
    assert keys == ["2022", "2024"]
    assert len(json.loads(cursor)) == 5
