"""The deployment against the embedded default on one year: wall, peak RSS, ratio, steps per worker.

    uv run python bench/deploy.py                    # 2,000 reports, year 2024
    uv run python bench/deploy.py --n 5000 --workers 1 2

For one generated year (``gipr synth``, reused while N, year and seed stay the same) it runs:

1. **embedded**: ``orchestrate.materialize_years`` in a fresh process (in-process executor,
   DuckDB): wall and peak RSS of the process tree (``bench/run.py``'s sampler);
2. **deployment, W workers** (for each W): ``cli.deploy.up`` on fresh loopback ports and a fresh
   state folder (Postgres, Redis, W Celery workers, the daemon; no webserver), one run of the
   year submitted with ``dagster job launch`` (through the queue, as the UI does), then ``down``.
   Wall = the run's start to its end (the instance's run record) and submit to end (queue and
   launch included); peak RSS = the summed process trees of the daemon (its code server and
   the run's coordinating process) and the workers, sampled during the run, and the idle RSS of
   the same processes before the run; steps per worker from the run's Celery engine events;
   the lake compared with the embedded warehouse (``lake.differences``: must be empty).

It prints a markdown table and writes it into ``docs/benchmarks.md`` between its own two marker
comments (``--out``). Keep N ≤ 5,000 on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import run_measured, tree_rss_mb  # noqa: E402  (bench/run.py's samplers)

from gipr_pipeline.cli import deploy  # noqa: E402
from gipr_pipeline.corpus.synth import write_corpus  # noqa: E402
from gipr_pipeline.outputs import lake  # noqa: E402

BEGIN = "<!-- bench/deploy.py: generated from here -->"
END = "<!-- bench/deploy.py: generated to here -->"


def corpus(n: int, year: int, seed: int, work: Path) -> Path:
    out = work / f"corpus-{n}-{year}-{seed}"
    if not (out / f"truth-{year}.jsonl").exists():
        write_corpus(n, year, seed, out, workers=os.cpu_count() or 1)
    return out / "reports"


def embedded(raw: Path, year: int, work: Path) -> dict:
    wh = work / "embedded" / "gipr.duckdb"
    subprocess.run(["rm", "-rf", str(wh.parent)], check=True)
    code = (
        "import json; from gipr_pipeline.cli.orchestrate import materialize_years as m; "
        f"r = m({str(raw)!r}, {str(wh)!r}, years=[{year}]); "
        "print(json.dumps({'ok': r['runs'][0]['published']}))"
    )
    wall, rss, rc = run_measured([sys.executable, "-c", code])
    assert rc == 0, "embedded run failed"
    print(f"  embedded       {wall:7.1f} s  peak RSS {rss:6.0f} MB")
    return {"wall": wall, "rss": rss, "warehouse": wh}


class Sampler:
    """Peak of the summed RSS of several process trees, sampled every ``every`` seconds."""

    def __init__(self, pids: list[int], every: float = 0.5):
        self.pids, self.every, self.peak = pids, every, 0.0
        self._stop = threading.Event()
        self._th = threading.Thread(target=self._run, daemon=True)

    def now(self) -> float:
        return sum(tree_rss_mb(p) for p in self.pids)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            self._stop.wait(self.every)

    def __enter__(self):
        self._th.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._th.join()


def _ready(state: Path, workers: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logs = [state / "logs" / f"worker{i}.log" for i in range(1, workers + 1)]
        if all(f.exists() and " ready." in f.read_text(errors="replace") for f in logs):
            return
        time.sleep(1)
    raise RuntimeError("the Celery workers did not start")


def deployment(raw: Path, year: int, workers: int, work: Path, shard: int, emb: Path) -> dict:
    from dagster import DagsterEventType, DagsterInstance

    state = work / f"deploy-{workers}"
    subprocess.run(["rm", "-rf", str(state)], check=True)
    ports = {k: deploy.free_port() for k in ("postgres", "redis", "webserver")}
    st = deploy.up(state, raw, workers, webserver=False, ports=ports, shard_size=shard)
    try:
        env = {**os.environ, **st["env"]}
        env["PYTHONPATH"] = st["env"]["PYTHONPATH"]
        for k, v in st["env"].items():
            os.environ[k] = v
        _ready(state, workers)
        pids = [st["pids"]["daemon"], *(st["pids"][f"worker{i}"] for i in range(1, workers + 1))]
        sampler = Sampler(pids)
        idle = sampler.now()
        instance = DagsterInstance.from_config(str(state / "home"))
        t0 = time.time()
        tags = json.dumps({"dagster/partition": str(year)})
        cmd = [
            str(deploy.BIN / "dagster"),
            "job",
            "launch",
            "-w",
            str(deploy.DEPLOY / "workspace.yaml"),
        ]
        with sampler:
            subprocess.run(
                [*cmd, "-j", "gipr_year", "--tags", tags],
                env=env,
                check=True,
                capture_output=True,
            )
            while True:
                recs = instance.get_run_records()
                if recs and recs[0].dagster_run.is_finished:
                    break
                time.sleep(1)
        rec = recs[0]
        run_id = rec.dagster_run.run_id
        per_worker: Counter = Counter()
        for r in instance.get_records_for_run(
            run_id, of_type=DagsterEventType.ENGINE_EVENT, limit=100000
        ).records:
            ev = r.event_log_entry.dagster_event
            meta = ev.engine_event_data.metadata if ev.engine_event_data else {}
            if "Celery worker" in meta:
                per_worker[meta["Celery worker"].value] += 1
        diff = lake.differences(emb, state / "lake", [year])
        out = {
            "workers": workers,
            "status": rec.dagster_run.status.value,
            "run_wall": rec.end_time - rec.start_time,
            "submit_wall": rec.end_time - t0,
            "rss": sampler.peak,
            "idle_rss": idle,
            "steps": dict(sorted(per_worker.items())),
            "identical": not diff,
            "diff": diff,
        }
        print(
            f"  deploy {workers} worker(s) {out['run_wall']:7.1f} s run, "
            f"{out['submit_wall']:7.1f} s from submit, peak RSS {out['rss']:6.0f} MB "
            f"(idle {idle:.0f}), steps {out['steps']}, identical={out['identical']}"
        )
        return out
    finally:
        deploy.down(state, purge=True)


def render(n: int, year: int, shard: int, emb: dict, deps: list[dict]) -> str:
    L = [
        BEGIN,
        "",
        f"### The shared deployment (bench/deploy.py): {n:,} reports, year {year}, "
        f"shards of {shard}",
        "",
        f"Machine: {os.cpu_count()} cores, shared with other work; N kept small on purpose "
        "(≤ 5,000). Two cores cannot show a speed-up from more workers: what this shows is "
        "the overhead of the deployment and that the steps spread over the workers.",
        "",
        "| run | wall s (run) | wall s (submit → end) | ratio to embedded | peak RSS MB "
        "(idle) | steps per worker | same rows as embedded |",
        "|---|---|---|---|---|---|---|",
        f"| embedded (in-process, DuckDB) | {emb['wall']:.1f} | {emb['wall']:.1f} | 1.00 | "
        f"{emb['rss']:,.0f} | – | – |",
    ]
    for d in deps:
        steps = ", ".join(f"{k.split('@')[0]}: {v}" for k, v in d["steps"].items())
        L.append(
            f"| deployment, {d['workers']} Celery worker(s) | {d['run_wall']:.1f} | "
            f"{d['submit_wall']:.1f} | {d['run_wall'] / emb['wall']:.2f} | "
            f"{d['rss']:,.0f} ({d['idle_rss']:,.0f}) | {steps} | "
            f"{'yes' if d['identical'] else 'NO: ' + json.dumps(d['diff'])} |"
        )
    L += [
        "",
        "Peak RSS of the deployment: the daemon's process tree (its code server and the run's "
        "coordinating process) plus the Celery workers' trees; Postgres and Redis not counted. "
        "The idle figure is the same processes before the run.",
        "",
        END,
    ]
    return "\n".join(L)


def write(out: Path, table: str) -> None:
    text = out.read_text() if out.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + table + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + table + "\n"
    out.write_text(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="reports (≤ 5,000 on a shared machine)")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--shard", type=int, default=0, help="inputs per shard (default N/4)")
    ap.add_argument("--workdir", default=str(ROOT / "bench" / "work" / "deploy"))
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    a = ap.parse_args(argv)
    if missing := deploy.missing_tools():
        print(f"bench/deploy.py needs {', '.join(missing)}: run .ci/deploy-deps", file=sys.stderr)
        return 2
    work = Path(a.workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    shard = a.shard or max(1, a.n // 4)
    raw = corpus(a.n, a.year, a.seed, work)
    print(f"{a.n} reports of {a.year} in {raw}")
    emb = embedded(raw, a.year, work)
    deps = [deployment(raw, a.year, w, work, shard, emb["warehouse"]) for w in a.workers]
    table = render(a.n, a.year, shard, emb, deps)
    print(table)
    write(Path(a.out), table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
