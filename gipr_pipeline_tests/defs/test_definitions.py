"""The code location loads, validates, and shows a schema for every asset."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, Definitions, EnvVar

from gipr_pipeline.defs.definitions import build_defs, defs
from gipr_pipeline.defs.partitions import years_partitions
from gipr_pipeline.marts.schemas import SCHEMAS
from gipr_pipeline.outputs.quality import MARTS
from gipr_pipeline_tests.defs.conftest import table

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = {"data_quality_docs", "annual_report"}  # assets that write HTML, not tables


def test_definitions_load_with_every_asset_check_and_automation():
    Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert keys == set(SCHEMAS) | PUBLISHED
    graph = defs.resolve_asset_graph()
    check_keys = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert check_keys == {
        ("applications", "applications_balance"),
        ("review_litigation", "review_litigation_total"),
        ("applications_checked", "applications_checked_gate"),
        ("raw_reports", "nothing_lost"),
        ("carryover_breaks", "carryover_continuity"),
        *(("data_quality_docs", f"gx_{m}") for m in MARTS),
    }
    assert defs.resolve_job_def("gipr_year") is not None
    assert defs.resolve_schedule_def("yearly_previous_year") is not None
    assert defs.resolve_sensor_def("raw_folder_sensor") is not None


def test_every_asset_is_year_partitioned_with_its_pandera_schema():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.partitions_def == years_partitions, key
        if key.to_user_string() in PUBLISHED:  # HTML outputs: nothing in the warehouse
            continue
        meta = node.metadata
        assert meta["partition_expr"] == "make_date(year, 1, 1)"
        schema = meta["dagster/column_schema"]
        model = SCHEMAS[key.to_user_string()]
        assert [c.name for c in schema.columns] == list(model.to_schema().columns), key
    facts = graph.get(AssetKey("report_facts")).metadata["dagster/column_schema"]
    row = next(c for c in facts.columns if c.name == "row_code")
    assert any("3.4.1" in o for o in row.constraints.other)
    checked = graph.get(AssetKey("applications_checked")).metadata["dagster/column_schema"]
    assert any(o.startswith("applications.balance") for o in checked.constraints.other)


def test_checks_are_partitioned_and_the_gate_blocks():
    graph = defs.resolve_asset_graph()
    for key in graph.asset_check_keys:
        spec = graph.get_check_spec(key)
        assert spec.partitions_def == years_partitions, key
        assert spec.blocking == (key.name == "applications_checked_gate"), key


def test_partitions_run_from_2019_to_the_last_complete_year():
    keys = years_partitions.get_partition_keys()
    assert keys[0] == "2019"
    assert int(keys[-1]) == dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).year - 1
    assert keys == [str(y) for y in range(2019, int(keys[-1]) + 1)]


def test_paths_come_from_envvars_at_run_time(tmp_path, monkeypatch, raw_dir):
    d = build_defs(raw_dir=EnvVar("GIPR_TEST_RAW"), warehouse=EnvVar("GIPR_TEST_WH"))
    wh = tmp_path / "sub" / "env.duckdb"
    monkeypatch.setenv("GIPR_TEST_RAW", str(raw_dir))
    monkeypatch.setenv("GIPR_TEST_WH", str(wh))
    result = d.resolve_job_def("gipr_year").execute_in_process(partition_key="2022")
    assert result.success
    assert table(wh, "raw_reports")["path"].str.slice(0, 3).to_list() == ["003"]


def test_dagster_definitions_validate(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    out = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Validation successful for code location gipr_pipeline" in out.stdout + out.stderr
