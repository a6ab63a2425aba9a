"""Which year partitions a ``gipr run`` must rebuild, decided without loading Dagster.

Each year's ``run_inputs`` row (``marts/fingerprint.py``) records what it was built from: digests
of its inputs' content hashes and paths, of its corrections, of year N−1's (read by the
cross-year marts) and the code version. ``plan`` hashes every file under the raw folder, parses
only the contents the warehouse does not know (to learn their year), and gives per year:

* ``full``: inputs, corrections or code changed (or nothing recorded): every asset;
* ``cross-year``: only year N−1 changed, or the year's HTML is missing: the cross-year marts
  (``carryover_breaks``, ``year_over_year``), the annual report (and the Data Docs if missing)
  and ``run_inputs`` — no parsing;
* ``unchanged``: no run at all.

The warehouse is read with a read-only connection, retried while a publish holds the file (the
publish is one transaction: a reader sees a year before or after it, never half).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from gipr_pipeline.marts import corrections as corr
from gipr_pipeline.marts import fingerprint, ingest
from gipr_pipeline.marts.inventory import FIRST_YEAR
from gipr_pipeline.outputs.paths import corrections_dir_for, docs_dir_for

# What a cross-year run rebuilds (with their checks).
CROSS_YEAR = ("carryover_breaks", "year_over_year", "annual_report", "run_inputs")
TIMEZONE = "Asia/Shanghai"  # as defs/partitions.py (a test keeps the two equal)


def partition_years(now: dt.datetime | None = None) -> list[int]:
    """2019 … the last complete year in China: ``defs.partitions.partition_years`` without
    Dagster."""
    now = now or dt.datetime.now(ZoneInfo(TIMEZONE))
    return list(range(FIRST_YEAR, now.astimezone(ZoneInfo(TIMEZONE)).year))


@contextlib.contextmanager
def _read_only(warehouse: str | Path, retries: int = 100) -> Iterator:
    import duckdb

    if not Path(warehouse).exists():
        yield None
        return
    for i in range(retries):
        try:
            con = duckdb.connect(str(warehouse), read_only=True)
            break
        except duckdb.IOException:  # a run is publishing (seconds)
            if i == retries - 1:
                raise
            time.sleep(min(0.05 * 2**i, 2.0))
    try:
        yield con
    finally:
        con.close()


def _tables(con) -> list[str]:
    return [
        t
        for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "order by 1"
        ).fetchall()
    ]


def stored(warehouse: str | Path) -> tuple[dict[int, dict], dict[str, tuple[int, list[str]]]]:
    """(year → its run_inputs row, report id → (year, paths) of every input in raw_reports)."""
    with _read_only(warehouse) as con:
        if con is None:
            return {}, {}
        tables = set(_tables(con))
        known = {}
        if "raw_reports" in tables:
            known = {
                rid: (y, list(ps))
                for rid, y, ps in con.execute(
                    "select report_id, year, paths from main.raw_reports"
                ).fetchall()
            }
        rows = []
        if "run_inputs" in tables:
            rows = con.execute("select * from main.run_inputs").pl().to_dicts()
    return {r["year"]: r for r in rows}, known


def contents(warehouse: str | Path) -> dict[str, dict[int, int]]:
    """Table → {year: rows} for every table in the warehouse."""
    with _read_only(warehouse) as con:
        if con is None:
            return {}
        return {
            t: dict(
                con.execute(
                    f'select year, count(*) from main."{t}" group by 1 order by 1'
                ).fetchall()
            )
            for t in _tables(con)
        }


def plan(
    raw_dir: str | Path,
    warehouse: str | Path,
    corrections_dir: str | Path | None = None,
    force: bool = False,
) -> dict[int, dict]:
    """Year → {"mode": "full" | "cross-year" | "unchanged", "why": str, "docs": bool (the Data
    Docs must be rebuilt)} for every year the raw folder or the warehouse holds. Parses only
    contents the warehouse does not know (every content when the code changed or ``force``:
    a year may be read differently now)."""
    valid = partition_years()
    have_all, known = stored(warehouse)
    code = fingerprint.code_version()
    code_changed = any(r["code_version"] != code for r in have_all.values())
    in_warehouse = {y for y, _ in known.values()}
    if force or code_changed:
        known = {}
    # A content keeps its year unless its paths changed (an input without a year in its text
    # takes the year written in its path: inventory's rule), so only those are parsed again.
    refs = ingest.scan(raw_dir)
    same = {r.report_id for r in refs if known.get(r.report_id, (0, None))[1] == list(r.paths)}
    ids: dict[int, list[tuple[str, list[str]]]] = {}
    for ref, a in ingest.assignments(raw_dir, valid, skip=same, refs=refs):
        y = known[ref.report_id][0] if a is None else a.year
        ids.setdefault(y, []).append((ref.report_id, list(ref.paths)))
    lines = corr.read(corrections_dir or corrections_dir_for(str(raw_dir)), validate=False)

    def digests(y: int) -> tuple[str, str]:
        raw = pl.DataFrame(
            ids.get(y, []),
            schema={"report_id": pl.String, "paths": pl.List(pl.String)},
            orient="row",
        )
        return fingerprint.inputs_digest(raw), corr.digest(corr.of_year(lines, y, raw))

    docs = Path(docs_dir_for(str(warehouse)))
    out = {}
    for y in sorted(set(ids) | in_warehouse):
        have = have_all.get(y)
        inputs, corrections = digests(y)
        quality = docs / "quality" / str(y) / "index.html"
        html = (docs / "reports" / f"annual_report_{y}.html").exists() and quality.exists()
        if force:
            mode, why = "full", "forced"
        elif have is None:
            mode, why = "full", "not built yet"
        elif code_changed:
            mode, why = "full", "code changed"
        elif have["inputs_digest"] != inputs:
            mode, why = "full", "inputs changed"
        elif have["corrections_digest"] != corrections:
            mode, why = "full", "corrections changed"
        elif have["previous_digest"] != fingerprint.previous_digest(*digests(y - 1)):
            mode, why = "cross-year", f"{y - 1} changed"
        elif not html:
            mode, why = "cross-year", "HTML output missing"
        else:
            mode, why = "unchanged", "inputs, corrections and code as last built"
        out[y] = {"mode": mode, "why": why, "docs": mode == "full" or not quality.exists()}
    return out
