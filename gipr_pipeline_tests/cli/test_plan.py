"""cli/plan.py on a hand-made warehouse (no Dagster run): which years a `gipr run` rebuilds."""

from __future__ import annotations

import hashlib
import shutil

import duckdb
import polars as pl

from gipr_pipeline.cli import plan
from gipr_pipeline.marts import corrections as corr
from gipr_pipeline.marts import fingerprint


def _warehouse(wh, inputs: dict[int, list[tuple[str, list[str]]]], code: str) -> None:
    """raw_reports and run_inputs as a run that read ``inputs`` (year → (id, paths)) writes."""
    raw = pl.DataFrame(
        [(rid, y, ps) for y, items in inputs.items() for rid, ps in items],
        schema={"report_id": pl.String, "year": pl.Int32, "paths": pl.List(pl.String)},
        orient="row",
    )
    no_lines = corr.read(wh.parent / "no-corrections", validate=False)

    def digests(y):
        r = raw.filter(pl.col("year") == y)
        return fingerprint.inputs_digest(r), corr.digest(corr.of_year(no_lines, y, r))

    rows = [
        {
            "year": y,
            "inputs": len(inputs[y]),
            "inputs_digest": digests(y)[0],
            "corrections_digest": digests(y)[1],
            "previous_digest": fingerprint.previous_digest(*digests(y - 1)),
            "code_version": code,
        }
        for y in inputs
    ]
    run_inputs = pl.DataFrame(rows, schema=fingerprint.SCHEMA)  # noqa: F841  (read by duckdb)
    con = duckdb.connect(str(wh))
    con.execute("create table raw_reports as select * from raw")
    con.execute("create table run_inputs as select * from run_inputs")
    con.close()
    docs = wh.parent / "docs"
    for y in inputs:
        (docs / "reports").mkdir(parents=True, exist_ok=True)
        (docs / "reports" / f"annual_report_{y}.html").write_text("x")
        (docs / "quality" / str(y)).mkdir(parents=True, exist_ok=True)
        (docs / "quality" / str(y) / "index.html").write_text("x")


def _modes(p: dict) -> dict[int, tuple[str, str]]:
    return {y: (v["mode"], v["why"]) for y, v in p.items()}


def test_plan_decides_per_year(tmp_path, seed_paths):
    raw, wh = tmp_path / "raw", tmp_path / "wh" / "gipr.duckdb"
    (raw / "2023").mkdir(parents=True)
    wh.parent.mkdir()
    shutil.copy(seed_paths["000"], raw / "000.txt")
    junk = b"hello, not a report"  # no year in the text: its year is the one in its path
    (raw / "2023" / "junk.txt").write_bytes(junk)
    ids = {
        "000": hashlib.sha256(seed_paths["000"].read_bytes()).hexdigest(),
        "junk": hashlib.sha256(junk).hexdigest(),
    }
    state = {2023: [(ids["junk"], ["2023/junk.txt"])], 2024: [(ids["000"], ["000.txt"])]}
    _warehouse(wh, state, fingerprint.code_version())
    same = "inputs, corrections and code as last built"
    assert _modes(plan.plan(raw, wh)) == {2023: ("unchanged", same), 2024: ("unchanged", same)}

    # The year-less input moved to 2022/: parsed again, so it leaves 2023 for 2022; 2024
    # reads 2023 (carry-over) and is redone without parsing.
    (raw / "2022").mkdir()
    (raw / "2023" / "junk.txt").rename(raw / "2022" / "junk.txt")
    assert _modes(plan.plan(raw, wh)) == {
        2022: ("full", "not built yet"),
        2023: ("full", "inputs changed"),
        2024: ("cross-year", "2023 changed"),
    }
    (raw / "2022" / "junk.txt").rename(raw / "2023" / "junk.txt")

    # A correction of the 2024 report: only 2024.
    (tmp_path / "corrections").mkdir()
    (tmp_path / "corrections" / "c.csv").write_text(
        "report_id,source,table,row,column,value,printed,who,when,why\n"
        f"{ids['000']},,applications,1,total,1,,a,2025-01-01,x\n",
        "utf-8",
    )
    assert _modes(plan.plan(raw, wh)) == {
        2023: ("unchanged", same),
        2024: ("full", "corrections changed"),
    }
    (tmp_path / "corrections" / "c.csv").unlink()

    # The HTML deleted: rebuilt (report, Data Docs), not parsed.
    (wh.parent / "docs" / "quality" / "2024" / "index.html").unlink()
    p = plan.plan(raw, wh)
    assert (p[2024]["mode"], p[2024]["why"], p[2024]["docs"]) == (
        "cross-year",
        "HTML output missing",
        True,
    )
    assert p[2023]["mode"] == "unchanged"

    # Forced, or another code version recorded: every year in full.
    assert {y: v["why"] for y, v in plan.plan(raw, wh, force=True).items()} == {
        2023: "forced",
        2024: "forced",
    }
    other = tmp_path / "other" / "gipr.duckdb"
    other.parent.mkdir()
    _warehouse(other, state, "0" * 64)
    assert {y: v["why"] for y, v in plan.plan(raw, other).items()} == {
        2023: "code changed",
        2024: "code changed",
    }
