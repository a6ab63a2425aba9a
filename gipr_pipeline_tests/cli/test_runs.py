"""`gipr run` / `gipr backfill` as a user reads them: failing reports named with agency, file,
rule, cell, printed and expected; an empty year said to be empty."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from gipr_pipeline.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def test_run_names_each_failing_report_and_backfill_says_a_year_is_empty(
    tmp_path, seed_paths, capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "80")
    raw, wh = tmp_path / "raw", tmp_path / "wh" / "gipr.duckdb"
    (raw / "赛罕区").mkdir(parents=True)
    shutil.copy(seed_paths["001"], raw / seed_paths["001"].name)
    broken = seed_paths["000"].read_text("utf-8").replace("\n28 | ||\n", "\n29 | ||\n")
    (raw / "赛罕区" / "2024年报.txt").write_text(broken, "utf-8")

    assert main(["run", str(raw), "--warehouse", str(wh)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    i = lines.index("2024: 1 份报告违反勾稽关系或未能读取")
    assert lines[i + 1 : i + 3] == [
        "✗ 赛罕区人民政府办公室",
        f"  {raw / '赛罕区' / '2024年报.txt'}",
    ]
    assert lines[i + 3].split() == ["规则", "单元格", "所列", "应为"]
    rows = [x.split() for x in lines[i + 4 :] if x.strip()]
    # applications.balance (column 总计: printed 28, parts 29) and row_total (row 1: 29 vs 28)
    assert rows[0][-2:] == ["28", "29"] and rows[0][0].startswith("新收+上年结转=")
    assert rows[0][1] == "收到和处理政府信息公开申请情况"
    assert ["总计=各类申请人之和", "一、本年新收政府信息公开申请数", "29", "28"] in rows
    assert seed_paths["001"].name not in out  # a report breaking nothing is not listed
    assert "no report in" not in out

    # As `make run` does: a Dagster home holding the project's dagster.yaml. No warning about a
    # missing dagster.yaml, no telemetry notice, no welcome banner.
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert main(["backfill", str(raw), "--warehouse", str(wh), "--years", "2019"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    for noise in ("No dagster instance configuration", "Telemetry", "Welcome to Dagster"):
        assert noise not in captured.out + captured.err
    assert (home / "history").is_dir()  # the run was recorded in that home
    assert f"2019: no report in {raw} for this year — its tables are empty" in " ".join(out.split())
    assert "违反勾稽关系" not in out


def test_dagster_yaml_turns_telemetry_and_the_first_visit_popup_off(tmp_path):
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    code = (
        "from dagster import DagsterInstance; i = DagsterInstance.get(); "
        "print(i.get_settings('telemetry'), i.get_settings('nux'))"
    )
    env = {"DAGSTER_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split("\n")[0] == "{'enabled': False} {'enabled': False}"
    assert "dagster.yaml" not in out.stderr
    # make run / make ui put it into their Dagster home.
    plan = subprocess.run(
        ["make", "-n", "run", "ui"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert 'cp dagster.yaml "' + str(ROOT / ".dagster_home") + '/dagster.yaml"' in plan
