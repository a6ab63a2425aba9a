"""``data/raw/`` belongs to the user: the tests read their own copies of the seeds
(``gipr_pipeline_tests/data/seeds/``), so a report a user adds to ``data/raw/`` changes no test."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from gipr_pipeline.cli.main import main
from gipr_pipeline_tests.conftest import RAW, ROOT, USER_RAW

TESTS = Path(__file__).resolve().parent


def test_the_fixtures_folder_is_the_tests_own_copy_not_data_raw(raw_dir, seed_paths):
    assert raw_dir == RAW == TESTS / "data" / "seeds"
    assert not raw_dir.resolve().is_relative_to(USER_RAW.resolve())
    assert sorted(seed_paths) == ["000", "001", "002", "003", "004"]
    assert all(p.parent == raw_dir for p in seed_paths.values())


def test_no_test_reads_data_raw():
    """The user's folder in the test sources (the path as a string, a ``/`` join, or the CLI's
    default) is a test that a user's own report could break; only this file and conftest.py
    name it. (A made-up file name under ``data/raw/`` in a string is no read of the folder.)"""
    pattern = re.compile(
        r"""["']data/raw/?["']|["']data["']\s*\)?\s*/\s*["']raw["']|DEFAULT_RAW_DIR"""
    )
    offenders = [
        str(p.relative_to(ROOT))
        for p in TESTS.rglob("*.py")
        if p.name not in ("conftest.py", Path(__file__).name) or p.parent != TESTS
        if pattern.search(p.read_text("utf-8"))
    ]
    assert offenders == []


def test_an_extra_user_report_leaves_the_seeds_results_unchanged(tmp_path, raw_dir, capsys):
    """A folder like a user's data/raw: the seeds plus a report of the user's own in a subfolder
    (here a copy of seed 000 misprinted, row 1 total 28 → 29). The seeds read exactly as from
    the tests' copy; only the extra file adds its own line and its violations."""
    user = tmp_path / "raw"
    shutil.copytree(raw_dir, user)
    seed000 = next(raw_dir.glob("000_*.txt")).read_text("utf-8")
    (user / "我的报告").mkdir()
    (user / "我的报告" / "赛罕区2024.txt").write_text(
        seed000.replace("\n28 | ||\n", "\n29 | ||\n"), "utf-8"
    )

    def parsed(folder: Path) -> dict[str, dict]:
        assert main(["parse", str(folder), "--json", "--workers", "1"]) == 0
        lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
        return {Path(d["source"]).relative_to(folder).as_posix(): d for d in lines}

    own, users = parsed(raw_dir), parsed(user)
    extra = users.pop("我的报告/赛罕区2024.txt")
    assert {k: {**v, "source": None} for k, v in users.items()} == {
        k: {**v, "source": None} for k, v in own.items()
    }
    assert [v["rule"] for v in extra["violations"]] == [
        "applications.balance",
        "applications.row_total",
    ]
