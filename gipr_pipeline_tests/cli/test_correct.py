"""`gipr correct add` / `gipr correct check` (no Dagster): a correction is checked before it is
written, and every line on record is resolved against the raw folder with a reason code."""

from __future__ import annotations

import json
import shutil

from gipr_pipeline.cli.main import main


def test_add_then_check(tmp_path, seed_paths, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(seed_paths["000"], raw / "000.txt")
    base = ["--raw-dir", str(raw), "--who", "张三", "--why", "核对原件", "--when", "2025-03-01"]
    add = ["correct", "add", str(raw / "000.txt"), "applications"]
    assert main([*add, "3.1", "total", "5", *base]) == 0
    # Rejected before writing: the value read, a cell that does not exist, a fraction.
    assert main([*add, "3.1", "natural_person", "4", *base]) == 1
    assert "rejected unchanged: 4 is the value read" in capsys.readouterr().out
    assert main([*add, "3.9", "total", "1", *base]) == 1
    assert "rejected cell_not_found" in capsys.readouterr().out
    assert main([*add, "1", "total", "2.5", *base]) == 1
    assert "rejected value_not_allowed" in capsys.readouterr().out
    outside = tmp_path / "elsewhere.txt"
    shutil.copy(seed_paths["000"], outside)
    assert main(["correct", "add", str(outside), "applications", "1", "total", "1", *base]) == 2
    path = tmp_path / "corrections" / "corrections.csv"
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 2 and lines[1].endswith(
        ",000.txt,applications,3.1,total,5,4,张三,2025-03-01,核对原件"
    )
    capsys.readouterr()
    assert main(["correct", "check", "--raw-dir", str(raw), "--json"]) == 0
    (r,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert (r["status"], r["printed"], r["value"], r["agency"]) == (
        "applied",
        4.0,
        5.0,
        "赛罕区人民政府办公室",
    )
    # The report's file changed since: the line no longer applies; a line naming nothing.
    (raw / "000.txt").write_bytes(seed_paths["001"].read_bytes())
    with path.open("a", encoding="utf-8") as fh:
        fh.write(",gone.txt,applications,1,total,3,,李四,2025-03-02,x\n")
    assert main(["correct", "check", "--raw-dir", str(raw), "--json"]) == 1
    got = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(g["file"], g["reason"]) for g in got] == [
        ("corrections.csv:2", "report_changed"),
        ("corrections.csv:3", "report_not_found"),
    ]
