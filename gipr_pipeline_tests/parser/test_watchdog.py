"""The parse workers' watchdog: a worker over its time or memory on one file (or dying) is
replaced, that file is rejected as ``resource_limit``, every other file still gets its result,
in input order."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from gipr_pipeline.parser.batch import imap_watched
from gipr_pipeline.readers.limits import Limits
from gipr_pipeline_tests import hostile as h

ROOT = Path(__file__).resolve().parents[2]


def _work(item: str) -> str:
    if item == "hang":
        time.sleep(600)
    elif item == "alloc":  # one huge allocation: over the address-space cap → MemoryError
        bytearray(8 * 1024**3)
    elif item == "grow":  # touched memory growing step by step: the RSS watchdog
        held = []
        for _ in range(100):
            held.append(b"\x01" * (20 * 1024 * 1024))
            time.sleep(0.02)
    elif item == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return f"ok:{item}"


def _fail(item: str, reason: str, message: str) -> str:
    return f"{reason}:{item}"


def test_workers_over_time_or_memory_are_replaced_and_the_file_rejected():
    items = ["a", "hang", "b", "alloc", "c", "grow", "d", "die", "e", "f", "g"]
    lim = Limits(seconds=1.0, memory_mb=300)
    t = time.monotonic()
    got = list(imap_watched(_work, items, 2, _fail, chunksize=2, limits_=lim))
    assert got == [
        "ok:a",
        "resource_limit:hang",
        "ok:b",
        "resource_limit:alloc",
        "ok:c",
        "resource_limit:grow",
        "ok:d",
        "resource_limit:die",
        "ok:e",
        "ok:f",
        "ok:g",
    ]
    assert time.monotonic() - t < 60  # a ceiling: the hung worker was killed, not waited for


def test_many_items_keep_their_order_through_a_replacement():
    items = [f"x{i}" for i in range(300)]
    items[150] = "die"
    got = list(imap_watched(_work, items, 2, _fail, chunksize=7))
    assert got == [f"ok:{x}" if x != "die" else "resource_limit:die" for x in items]


def test_gipr_parse_rejects_a_slow_file_and_goes_on(tmp_path, seed_paths):
    # A PDF that takes seconds to read; with 0.5 s allowed per file the worker is replaced and
    # the file rejected; the seed reports around it are read.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(seed_paths["000"].read_bytes())
    (folder / "b_slow.pdf").write_bytes(h.slow_pdf())
    (folder / "c.txt").write_bytes(seed_paths["001"].read_bytes())
    out = subprocess.run(
        [sys.executable, "-m", "gipr_pipeline.cli.main", "parse", "--json", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "GIPR_LIMIT_SECONDS": "0.5"},
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [(Path(d["source"]).name, d["status"], d["reason"]) for d in lines] == [
        ("a.txt", "ok", None),
        ("b_slow.pdf", "rejected", "resource_limit"),
        ("c.txt", "ok", None),
    ]
    assert "longer than 0.5 s" in lines[1]["message"]
