"""A raw folder as an attacker or a careless operator leaves it: good, bad and hostile files,
FIFOs, devices, sockets, dangling symlinks and loops, names of any bytes. `gipr parse --json`
prints exactly one line per entry, every `source` gives back the entry's exact name, and no
command prints a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gipr_pipeline_tests import hostile as h

ROOT = Path(__file__).resolve().parents[2]


def gipr(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gipr_pipeline.cli.main", *args],
        capture_output=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def mixed(tmp_path, seed_paths):
    """(folder, {entry name as bytes: expected (status, reason)})."""
    with h.mixed_folder(tmp_path / "raw", seed_paths) as made:
        yield made


def test_parse_json_prints_one_lossless_line_per_entry(mixed):
    root, expect = mixed
    out = gipr("parse", "--json", str(root))
    assert out.returncode == 0, out.stderr
    assert b"Traceback" not in out.stderr
    out.stdout.decode("utf-8")  # valid UTF-8 whatever the names
    lines = out.stdout.splitlines()
    assert len(lines) == len(expect)  # exactly N lines, N = entries (a name's \n is escaped)
    got = {}
    for line in lines:
        d = json.loads(line)
        name = os.fsencode(d["source"])  # the exact bytes of the name
        got[os.path.relpath(name, os.fsencode(root))] = (d["status"], d["reason"])
        assert d["status"] == "ok" or d["message"]
    assert got == expect
    accepted = sum(s == "ok" for s, _ in got.values())
    rejected = sum(s == "rejected" for s, _ in got.values())
    assert accepted + rejected == len(expect) and (accepted, rejected) == (5, 12)


def test_check_and_parse_tables_never_trace_back(mixed):
    root, _ = mixed
    out = gipr("check", str(root), env={"COLUMNS": "500"})  # no wrapping inside a name
    assert out.returncode == 1  # rejected inputs fail the gate
    assert b"Traceback" not in out.stderr
    assert b"not_a_file" in out.stdout and b"unsafe_document" in out.stdout
    assert b"[red]markup[bold].txt" in out.stdout  # a name is printed, never read as markup
    out = gipr("parse", str(root))
    assert out.returncode == 0 and b"Traceback" not in out.stderr, out.stderr


def test_every_failure_is_one_line_and_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / "gipr.duckdb"
    bad.write_bytes(b"not a database" * 100)
    out = gipr("export", str(tmp_path / "out"), "--warehouse", str(bad))
    err = out.stderr.decode()
    assert out.returncode == 1
    assert err.count("\n") == 1 and err.startswith("gipr: error: the warehouse file")
    assert "corrupt or truncated" in err and "gipr run" in err
    out = gipr("export", str(tmp_path / "out"), "--warehouse", str(bad), "--debug")
    assert out.returncode == 1 and b"Traceback" in out.stderr
    # a missing or renamed raw folder: nothing is run (a run would empty the warehouse's years)
    out = gipr("run", str(tmp_path / "renamed"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert out.returncode == 2
    assert out.stderr.decode().startswith("gipr: error: no raw folder at")
    assert not (tmp_path / "w.duckdb").exists()
