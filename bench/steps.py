"""The Dagster side of the benchmark, run in a process of its own by ``bench/run.py``.

    uv run python bench/steps.py year RAW WAREHOUSE YEAR      # one partition, as the bench runs it
    uv run python bench/steps.py small RAW [--repeats 3]      # each year of RAW, after imports

``year`` materializes one partition with ``orchestrate.materialize_years`` (ephemeral instance)
and prints, as the last line, a JSON object: the summary (``ok``, ``seconds``, ``runs``,
``tables``) and ``steps``: each step's wall seconds from the run's event log (Dagster's
``STEP_SUCCESS`` / ``STEP_FAILURE`` durations).

``small`` measures the fixed cost of small partitions (issue 16: ≤ 5 s after imports): it imports
Dagster, the definitions and Great Expectations first (``imports_s``), runs every year of RAW once
to warm up (the first parse worker and GX's first validation pay file-cache and lazy-import
costs), then ``--repeats`` more times into fresh warehouses; per year: reports, the median wall
seconds of ``materialize_years`` for that year, and the median seconds of each step.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def step_seconds(instance, run_id: str) -> dict[str, float]:
    """Wall seconds of each step of a run, from its event log (step key → s)."""
    from dagster import DagsterEventType

    out = {}
    for kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
        for rec in instance.get_records_for_run(run_id, of_type={kind}).records:
            ev = rec.event_log_entry.dagster_event
            duration = getattr(ev.event_specific_data, "duration_ms", None)
            if duration is not None:
                out[ev.step_key] = round(duration / 1000, 3)
    return out


def one_year(raw: str, warehouse: str, year: int) -> dict:
    from dagster import DagsterInstance

    from gipr_pipeline.cli.orchestrate import materialize_years

    instance = DagsterInstance.ephemeral()
    s = materialize_years(raw, warehouse, years=[year], instance=instance)
    steps: dict[str, float] = {}
    for r in s["runs"]:
        if r["run_id"]:
            steps.update(step_seconds(instance, r["run_id"]))
    return {**{k: s[k] for k in ("ok", "seconds", "runs", "tables")}, "steps": steps}


def small_years(raw: str, repeats: int) -> dict:
    t = time.perf_counter()
    import great_expectations  # noqa: F401
    from dagster import DagsterInstance

    from gipr_pipeline.cli import plan as planning
    from gipr_pipeline.cli.orchestrate import materialize_years
    from gipr_pipeline.defs.definitions import build_defs
    from gipr_pipeline.marts import ingest

    build_defs()
    imports_s = time.perf_counter() - t
    counts = ingest.scan_years(raw, planning.partition_years())
    years = sorted(set(counts.values()))
    instance = DagsterInstance.ephemeral()
    per_year: dict[int, dict] = {y: {"seconds": [], "steps": {}} for y in years}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats + 1):
            wh = Path(tmp) / f"w{i}" / "gipr.duckdb"
            for y in years:
                s = materialize_years(raw, wh, years=[y], instance=instance)
                if i == 0:
                    continue  # warm-up
                run = s["runs"][0]
                per_year[y]["seconds"].append(run["seconds"])
                for k, v in step_seconds(instance, run["run_id"]).items():
                    per_year[y]["steps"].setdefault(k, []).append(v)
    return {
        "imports_s": round(imports_s, 2),
        "repeats": repeats,
        "years": {
            str(y): {
                "reports": sum(1 for v in counts.values() if v == y),
                "seconds": round(statistics.median(d["seconds"]), 2),
                "steps": {
                    k: round(statistics.median(v), 3)
                    for k, v in sorted(d["steps"].items(), key=lambda kv: -statistics.median(kv[1]))
                },
            }
            for y, d in per_year.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    y = sub.add_parser("year")
    y.add_argument("raw")
    y.add_argument("warehouse")
    y.add_argument("year", type=int)
    s = sub.add_parser("small")
    s.add_argument("raw")
    s.add_argument("--repeats", type=int, default=3)
    a = p.parse_args(argv)
    out = one_year(a.raw, a.warehouse, a.year) if a.cmd == "year" else small_years(a.raw, a.repeats)
    print()
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
