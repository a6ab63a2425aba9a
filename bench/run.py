"""The benchmark: throughput against the floor, the CLI and the Dagster pipeline, and accuracy.

    uv run python bench/run.py                 # 100,000 reports (about 10 minutes on 2 cores)
    uv run python bench/run.py --quick         # 5,000 reports, a minute or so
    uv run python bench/run.py --n 20000 --no-dagster

One run generates (or reuses) a synthetic corpus with ``gipr synth`` (one year partition), then:

1. floor = read + decode + NFKC (``readers.to_text``), parse (rules off), parse + check, each
   on one core (a sample) and on all cores (every file), in reports/s and as a ratio to the floor;
2. the bare CLI ``gipr parse --json`` and the whole Dagster pipeline
   (``orchestrate.materialize_years``, in-process executor) on the same files: wall time, peak
   RSS of the process tree, the Dagster/CLI ratio and each step's seconds (bench/steps.py);
   plus the accounting of the partition, and a small year's fixed cost after imports (the
   bundled seeds, ``bench/steps.py small``);
3. accuracy of every input against the truth file (cells exact, violations found, …), and per
   layout family (issue 14) on a second corpus of every family at an equal share
   (``--family-n``, default N/10; ``--accuracy-only`` prints just these tables);
4. a cProfile of parse + check on one core, top functions by own time.

It prints the tables and writes them to ``docs/benchmarks.md`` (``--out``), between two marker
comments: the hand-written analysis around them is kept.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gipr_pipeline.corpus.synth import Shares, read_truth, score, write_corpus  # noqa: E402
from gipr_pipeline.parser import rules  # noqa: E402
from gipr_pipeline.parser.batch import bulk_gc, default_workers, discover, imap_ordered  # noqa: E402
from gipr_pipeline.parser.model import json_line  # noqa: E402
from gipr_pipeline.parser.parse import parse_path  # noqa: E402
from gipr_pipeline.readers import DecodeError, to_text  # noqa: E402

TARGETS = {
    "check_per_core": 3500,  # reports/s
    "check_floor_ratio": 10.0,
    "pipeline_seconds": 300.0,  # 100,000 reports on 2 cores
    "pipeline_rss_mb": 2048.0,
    "dagster_cli_ratio": 2.0,
    "small_year_seconds": 5.0,  # one to five reports, after imports
}
PEER = "govnianbao"  # github zxj6827111-blip/govnianbao: no licence, so never vendored (--peer)


# ---------------------------------------------------------------- the three workloads
def floor_one(path: Path) -> int:
    try:
        return len(to_text(path.read_bytes()).text)
    except DecodeError:
        return 0


def _no_rules(cells, template):
    return [], []


def parse_one(path: Path) -> int:
    saved = rules.evaluate
    rules.evaluate = _no_rules
    try:
        return len(parse_path(path).facts)
    finally:
        rules.evaluate = saved


def check_one(path: Path) -> int:
    r = parse_path(path)
    return len(r.facts) + len(r.violations)


WORKLOADS = {"floor": floor_one, "parse": parse_one, "parse+check": check_one}


def json_one(path: Path) -> int:
    """What ``gipr parse --json --workers 1`` does per file, in this process."""
    return len(json_line(parse_path(path)))


def load_peer(folder: str) -> Callable[[Path], int]:
    """The peer's per-file work from a checkout the user points at (``--peer DIR``, with
    ``src/govnianbao`` or ``govnianbao`` inside): the same front door as the floor (read,
    decode, NFKC: the peer takes text), its ``parse_annual_report_text_to_dict``, and its
    result encoded as JSON, so both sides end in a JSON record of one report."""
    root = Path(folder)
    for base in (root / "src", root):
        if (base / PEER / "__init__.py").exists():
            sys.path.insert(0, str(base))
            break
    else:
        raise SystemExit(f"--peer {folder}: no {PEER} package there (src/{PEER}/__init__.py)")
    import logging

    import govnianbao

    logging.getLogger(PEER).setLevel(logging.CRITICAL)  # it logs every table it cannot read
    parse = govnianbao.parse_annual_report_text_to_dict

    def peer_one(path: Path) -> int:
        try:
            text = to_text(path.read_bytes()).text
        except DecodeError:
            return 0
        try:
            return len(json.dumps(parse(text), ensure_ascii=False, default=str))
        except Exception:  # the peer raising on an input is its result for that input
            return 0

    return peer_one


def side_by_side(sample: list[Path], peer_dir: str | None, rounds: int = 3) -> dict:
    """Reports per CPU-second on one core, best of ``rounds``, the workloads interleaved (a
    shared machine's load falls on all of them alike): floor, the peer (if given), gipr's JSON
    line per file, in-process."""
    work = {"floor": floor_one, "gipr --json": json_one}
    if peer_dir:
        work["peer"] = load_peer(peer_dir)
    bulk_gc()
    for fn in work.values():
        one_core(fn, sample[:200])  # imports and caches warm for every side
    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, fn in work.items():
            best[name] = max(best.get(name, 0.0), one_core(fn, sample))
    for name, rate in best.items():
        print(f"  {name:12s} 1 core {rate:8.0f}/s")
    return best


def cli_cpu(files: list[Path], n: int) -> dict:
    """``gipr parse --json --workers 1`` as a process over the corpus folders holding the first
    ``n`` files (whole folders): CPU seconds of the child, process start and imports included."""
    per_folder = Counter(f.parent for f in files)
    chosen, count = [], 0
    for folder, k in per_folder.items():  # in the corpus order
        if count >= n:
            break
        chosen.append(str(folder))
        count += k
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "gipr_pipeline.cli", "parse", "--json", "--workers", "1", *chosen],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"  CLI --json --workers 1: {count} files, {cpu:.1f} CPU s ({count / cpu:,.0f}/s)")
    return {"files": count, "cpu": cpu, "rate": count / cpu}


def one_core(fn, files: list[Path]) -> float:
    """Reports per CPU-second of this process (other load on the machine does not count)."""
    t = time.process_time()
    for f in files:
        fn(f)
    return len(files) / (time.process_time() - t)


def all_cores(fn, files: list[Path], workers: int) -> float:
    t = time.perf_counter()
    for _ in imap_ordered(fn, files, workers, chunksize=64):
        pass
    return len(files) / (time.perf_counter() - t)


# ---------------------------------------------------------------- process-tree RSS
def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    kids = _children()
    todo, total = [pid], 0
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        todo.extend(kids.get(p, ()))
    return total / 1024


@contextmanager
def peak_rss(pid: int, every: float = 0.2):
    """Samples the summed RSS of ``pid`` and its descendants; yields a dict with ``peak_mb``."""
    out = {"peak_mb": 0.0}
    stop = threading.Event()

    def run():
        while not stop.is_set():
            out["peak_mb"] = max(out["peak_mb"], tree_rss_mb(pid))
            stop.wait(every)

    th = threading.Thread(target=run, daemon=True)
    th.start()
    try:
        yield out
    finally:
        stop.set()
        th.join()


def run_measured(cmd: list[str], stdout=subprocess.DEVNULL) -> tuple[float, float, int]:
    """(wall seconds, peak tree RSS in MB, exit code) of a command."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    with peak_rss(proc.pid) as rss:
        _, err = proc.communicate()
    wall = time.perf_counter() - t
    if proc.returncode:
        sys.stderr.write(err.decode(errors="replace")[-3000:])
    return wall, rss["peak_mb"], proc.returncode


# ---------------------------------------------------------------- steps
def corpus(args) -> tuple[Path, Path]:
    work = Path(args.workdir)
    stamp = work / "corpus.json"
    want = {"n": args.n, "year": args.year, "seed": args.seed, "version": 1}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        print(f"corpus: reusing {work} ({args.n} inputs)")
    else:
        import shutil

        shutil.rmtree(work / "reports", ignore_errors=True)
        t = time.perf_counter()
        write_corpus(args.n, args.year, args.seed, work, Shares(), default_workers())
        stamp.write_text(json.dumps(want))
        print(f"corpus: {args.n} inputs generated in {time.perf_counter() - t:.1f} s")
    return work / "reports", work / f"truth-{args.year}.jsonl"


def throughput(files: list[Path], sample: list[Path], workers: int) -> dict:
    bulk_gc()  # the one-core runs parse as a worker process does (imap_ordered's workers too)
    # Every workload reads files already in the page cache. The floor, measured first, ran at
    # 10.7k/s where the interleaved side-by-side pass measured 19.5k/s on the same files
    # (2026-11-30): a first read from disk costs kernel time, which is CPU time too.
    for f in sample:
        f.read_bytes()
    out = {}
    for name, fn in WORKLOADS.items():
        one_core(fn, sample[:200])  # warm imports and caches
        one = one_core(fn, sample)
        many = all_cores(fn, files, workers)
        out[name] = {"one": one, "all": many}
        print(f"  {name:12s} 1 core {one:8.0f}/s   {workers} cores {many:8.0f}/s")
    return out


def family_corpus(args) -> Path | None:
    """The layout-family corpus (``gipr synth`` with every family at an equal share) in
    ``workdir/families``, reused while its size, year and seed stay the same; None when
    ``--family-n 0``. Kept apart from the standard corpus, whose speed is compared across runs."""
    if not args.family_n:
        return None
    from gipr_pipeline.corpus.families import FAMILIES

    work = Path(args.workdir) / "families"
    stamp = work / "corpus.json"
    want = {"n": args.family_n, "year": args.year, "seed": args.seed, "version": 1}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        print(f"family corpus: reusing {work} ({args.family_n} inputs)")
    else:
        import shutil

        shutil.rmtree(work / "reports", ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        shares = Shares(junk=0.0, families=dict.fromkeys(FAMILIES, 1 / len(FAMILIES)))
        write_corpus(args.family_n, args.year, args.seed, work, shares, default_workers())
        stamp.write_text(json.dumps(want))
        print(f"family corpus: {args.family_n} inputs generated in {time.perf_counter() - t:.1f} s")
    return work / f"truth-{args.year}.jsonl"


def accuracy(truth_paths: list[Path], workers: int) -> tuple[Counter, dict[str, Counter]]:
    """Scores of every input against its truth: the standard corpus's total (the first truth
    file), and per layout family over all files (``standard`` = no family, junk included). The
    first 50 inputs not exactly right are printed with their family."""
    total: Counter = Counter()
    by_family: dict[str, Counter] = {}
    missed: list[str] = []
    for k, truth_path in enumerate(truth_paths):
        recs = read_truth(truth_path)
        root = truth_path.parent
        paths = [root / r["path"] for r in recs]
        results = imap_ordered(_json_one, paths, workers, chunksize=64)
        for rec, res in zip(recs, results, strict=True):
            s = score(res, rec)
            if k == 0:
                total.update(s)
            family = rec.get("family") or "standard"
            by_family.setdefault(family, Counter()).update(s)
            if not s["exact"] and len(missed) < 50:
                missed.append(f"{family}: {root / rec['path']}")
    for m in missed:  # to reproduce: gipr parse --json PATH, and the input's truth record
        print(f"  not exact: {m}")
    return total, by_family


def _json_one(path: Path) -> dict:
    return parse_path(path).to_json()


def profile(sample: list[Path], top: int = 18) -> str:
    prof = cProfile.Profile()
    prof.enable()
    for f in sample:
        check_one(f)
    prof.disable()
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("tottime")
    total = st.total_tt
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in sorted(
        st.stats.items(), key=lambda kv: kv[1][2], reverse=True
    )[:top]:
        where = f"{Path(file).name}:{line}({func})" if line else func
        rows.append(
            f"| `{where}` | {nc} | {tt * 1000 / len(sample):.3f} | {tt / total:.0%} "
            f"| {ct * 1000 / len(sample):.3f} |"
        )
    head = (
        f"cProfile of parse + check, one core, {len(sample)} reports "
        f"({total * 1000 / len(sample):.3f} ms/report under the profiler):\n\n"
        "| function | calls | own ms/report | own share | cumulative ms/report |\n"
        "|---|---:|---:|---:|---:|\n"
    )
    return head + "\n".join(rows)


@contextmanager
def _ephemeral_instance():
    """Child processes record their runs in an ephemeral Dagster instance (DAGSTER_HOME unset)."""
    home = os.environ.pop("DAGSTER_HOME", None)
    try:
        yield
    finally:
        if home is not None:
            os.environ["DAGSTER_HOME"] = home


def _last_json(path: Path) -> dict:
    """The JSON object a bench/steps.py process printed last (a library may print before it)."""
    lines = [x for x in path.read_text().splitlines() if x.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def small_years(args) -> dict:
    """The fixed cost of a small partition (issue 16: ≤ 5 s after imports): bench/steps.py
    ``small`` on the bundled seeds (data/raw: 2022 one report, 2024 four), median of 3."""
    out = Path(args.workdir) / "small.json"
    with _ephemeral_instance(), out.open("wb") as f:
        rc = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "steps.py"), "small",
             str(ROOT / "data" / "raw"), "--repeats", "3"],
            stdout=f, cwd=ROOT,
        ).returncode  # fmt: skip
    small = _last_json(out) if rc == 0 else {}
    for y, d in small.get("years", {}).items():
        print(f"  small year {y}: {d['reports']} reports, {d['seconds']} s {d['steps']}")
    return small


def pipeline(reports: Path, args, workers: int) -> dict:
    work = Path(args.workdir)
    out: dict = {}
    jsonl = work / "cli.jsonl"
    with jsonl.open("wb") as f:
        wall, rss, rc = run_measured(
            [sys.executable, "-m", "gipr_pipeline.cli.main", "parse", "--json",
             "--workers", str(workers), str(reports)],
            stdout=f,
        )  # fmt: skip
    lines = sum(1 for _ in jsonl.open("rb"))
    out["cli"] = {"seconds": wall, "rss_mb": rss, "rc": rc, "records": lines}
    print(f"  bare CLI     {wall:7.1f} s  peak RSS {rss:6.0f} MB  {lines} records")
    if args.no_dagster:
        return out
    wh = work / "warehouse.duckdb"
    for p in (wh, wh.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    summary_path = work / "dagster.json"
    with _ephemeral_instance(), summary_path.open("wb") as f:
        wall, rss, rc = run_measured(
            [sys.executable, str(ROOT / "bench" / "steps.py"), "year", str(reports),
             str(wh), str(args.year)],
            stdout=f,
        )  # fmt: skip
    summary = _last_json(summary_path) if rc == 0 else {}
    out["dagster"] = {"seconds": wall, "rss_mb": rss, "rc": rc, "summary": summary}
    print(f"  Dagster      {wall:7.1f} s  peak RSS {rss:6.0f} MB  ok={summary.get('ok')}")
    return out


# ---------------------------------------------------------------- report
def _pct(a: int, b: int) -> str:
    return f"{a / b:.2%}" if b else "–"


def _ok(cond: bool) -> str:
    return "✅" if cond else "❌"


def families_md(args, by_family: dict[str, Counter]) -> str:
    """The accuracy table per layout family (issue 14): the standard corpus, then each family
    of the family corpus (``gipr synth --<family>-share``)."""
    from gipr_pipeline.corpus.families import FAMILIES

    L = [
        "\n### Per layout family\n",
        f"Standard layouts: the corpus above. Families: `gipr synth {args.family_n} --year "
        f"{args.year} --seed {args.seed}` with each of the {len(FAMILIES)} families at an equal "
        "share (`--<family>-share`); exact = every cell, agency, year, published, template and "
        "phone, the expected problems named.\n",
        "| family | inputs | exact | cells exact | metadata exact | expected problems named |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in ("standard", *FAMILIES):
        a = by_family.get(name)
        if not a:
            continue
        L.append(
            f"| {name} | {a['inputs']:,} | {_pct(a['exact'], a['inputs'])} | "
            f"{_pct(a['cells_exact'], a['cells'])} | {_pct(a['meta_exact'], a['meta'])} | "
            f"{_pct(a['problems_found'], a['problems'])} |"
        )
    return "\n".join(L)


def render(args, workers, n_files, tp, pipe, acc, by_family, prof_md) -> str:
    fl1 = tp["floor"]["one"]
    L = []
    L.append("# Benchmarks\n")
    L.append(
        "Generated by `uv run python bench/run.py"
        + (f" --n {args.n}" if args.n != 100_000 else "")
        + (" --no-dagster" if args.no_dagster else "")
        + f"` on {time.strftime('%Y-%m-%d')} (commit `{_commit()}`): "
        f"{platform.processor() or platform.machine()}, {_cpu()}, {workers} cores used, "
        f"Python {platform.python_version()}. Corpus: `gipr synth {args.n} --year {args.year} "
        f"--seed {args.seed}` ({n_files} files, {_size(args)}), default shares (10 % balance "
        "errors, 50 % with zero marks/blanks, 15 % GBK, 10 % full-width digits, 5 % chrome "
        "copies, 2 % cut short, 0.5 % junk).\n"
    )
    L.append("## Throughput (reports/s)\n")
    L.append("| stage | 1 core | all cores | ms/report (1 core) | × floor time (1 core) | target |")
    L.append("|---|---:|---:|---:|---:|---|")
    for name, label in (
        ("floor", "floor: read + decode + NFKC"),
        ("parse", "parse (rules off)"),
        ("parse+check", "parse + rule check"),
    ):
        one, many = tp[name]["one"], tp[name]["all"]
        ratio = fl1 / one
        target = ""
        if name == "parse+check":
            target = (
                f"≥ {TARGETS['check_per_core']}/s per core {_ok(one >= TARGETS['check_per_core'])}"
                f"; ≤ {TARGETS['check_floor_ratio']:.0f}× floor "
                f"{_ok(ratio <= TARGETS['check_floor_ratio'])}"
            )
        L.append(
            f"| {label} | {one:,.0f} | {many:,.0f} | {1000 / one:.3f} | {ratio:.1f}× | {target} |"
        )
    side, cli1 = tp["side"], tp["cli"]
    L.append("\n## Side by side: the JSON path on one core (reports per CPU-second)\n")
    L.append(
        "Best of 3 rounds, interleaved, on the same sample; each side reads the file through the "
        "same front door (read + decode + NFKC) and ends with one JSON record per report.\n"
    )
    L.append("| side | reports/s | × floor time | target |")
    L.append("|---|---:|---:|---|")
    gj, peer = side["gipr --json"], side.get("peer")
    L.append(f"| floor: read + decode + NFKC | {side['floor']:,.0f} | 1.0× | |")
    if peer:
        L.append(
            f"| {PEER} (one table, no rule check) + json.dumps | {peer:,.0f} | "
            f"{side['floor'] / peer:.1f}× | |"
        )
    else:
        L.append(f"| {PEER} | peer: not given (`--peer DIR`) | | |")
    L.append(
        f"| gipr: parse + check + JSON line (in-process) | {gj:,.0f} | {side['floor'] / gj:.1f}× | "
        + (f"≥ peer {_ok(gj >= peer)}; " if peer else "")
        + f"≤ 10× floor {_ok(side['floor'] / gj <= 10)} |"
    )
    L.append(
        f"| gipr CLI `gipr parse --json --workers 1` (a process, {cli1['files']:,} files, "
        f"start and imports included) | {cli1['rate']:,.0f} | {side['floor'] / cli1['rate']:.1f}× "
        "| |\n"
    )
    L.append("## End to end, one year partition\n")
    L.append("| run | wall s | reports/s | peak RSS (MB, process tree) | target |")
    L.append("|---|---:|---:|---:|---|")
    cli = pipe["cli"]
    L.append(
        f"| bare CLI `gipr parse --json --workers {workers}` | {cli['seconds']:.1f} | "
        f"{n_files / cli['seconds']:,.0f} | {cli['rss_mb']:,.0f} | |"
    )
    if "dagster" in pipe:
        d = pipe["dagster"]
        scale = 100_000 / n_files
        ratio = d["seconds"] / cli["seconds"]
        est = f" (≈ {d['seconds'] * scale:.0f} s at 100,000)" if n_files != 100_000 else ""
        L.append(
            f"| Dagster `materialize_years` (in-process) | {d['seconds']:.1f} | "
            f"{n_files / d['seconds']:,.0f} | {d['rss_mb']:,.0f} | "
            f"≤ 300 s{est} {_ok(d['seconds'] * scale <= TARGETS['pipeline_seconds'])}; "
            f"≤ 2 GB {_ok(d['rss_mb'] <= TARGETS['pipeline_rss_mb'])}; "
            f"{ratio:.1f}× CLI (≤ 2×) {_ok(ratio <= TARGETS['dagster_cli_ratio'])} |"
        )
        s = d.get("summary") or {}
        if s:
            tables = s.get("tables", {})
            y = str(args.year)
            get = lambda t: (tables.get(t) or {}).get(y, (tables.get(t) or {}).get(int(y), 0))  # noqa: E731
            checks = {k: v for r in s.get("runs", []) for k, v in r.get("checks", {}).items()}
            L.append(
                f"\nAccounting of partition {y}: raw_reports {get('raw_reports'):,} rows, "
                f"rejected_reports {get('rejected_reports'):,}, report_facts "
                f"{get('report_facts'):,}; run ok = {s.get('ok')}; checks: "
                + ", ".join(f"{k} {'✅' if v else '❌'}" for k, v in sorted(checks.items()))
                + ".\n"
            )
            steps = s.get("steps") or {}
            if steps:
                L.append(
                    "Where the Dagster run's time goes (each step's wall seconds from the run's "
                    "event log; the rest of the wall is imports, Definitions and the run's own "
                    "bookkeeping):\n"
                )
                L.append("| step | s | share of the run |")
                L.append("|---|---:|---:|")
                for k, v in sorted(steps.items(), key=lambda kv: -kv[1])[:10]:
                    L.append(f"| `{k}` | {v:.1f} | {v / d['seconds']:.0%} |")
                L.append(
                    f"| every other step ({max(len(steps) - 10, 0)}) | "
                    f"{sum(sorted(steps.values())[:-10]):.1f} | |"
                )
                L.append(
                    f"| outside the steps | {d['seconds'] - sum(steps.values()):.1f} | "
                    f"{1 - sum(steps.values()) / d['seconds']:.0%} |\n"
                )
        else:
            L.append(f"\nThe Dagster run failed (exit {d['rc']}).\n")
    small = pipe.get("small") or {}
    if small:
        L.append("## A small year's fixed cost\n")
        L.append(
            f"`bench/steps.py small data/raw`: the bundled seeds, Dagster, the definitions and "
            f"Great Expectations imported first ({small['imports_s']:.1f} s), one warm-up round, "
            f"then the median of {small['repeats']} runs of `materialize_years` per year, each "
            "into a fresh warehouse.\n"
        )
        L.append("| year | reports | s after imports | target | slowest steps (s) |")
        L.append("|---|---:|---:|---|---|")
        for y, v in small["years"].items():
            top = ", ".join(f"`{k}` {t:.2f}" for k, t in list(v["steps"].items())[:3])
            L.append(
                f"| {y} | {v['reports']} | {v['seconds']:.1f} | ≤ 5 s "
                f"{_ok(v['seconds'] <= TARGETS['small_year_seconds'])} | {top} |"
            )
        L.append("")
    L.append("## Accuracy against the truth\n")
    L.append("| measure | value |")
    L.append("|---|---:|")
    L.append(f"| inputs | {acc['inputs']:,} |")
    L.append(
        f"| status (accepted / rejected with the right reason) | {_pct(acc['status_ok'], acc['inputs'])} |"
    )
    L.append(f"| cells exact | {_pct(acc['cells_exact'], acc['cells'])} of {acc['cells']:,} |")
    L.append(f"| cells read that the truth does not have | {acc['cells_extra']:,} |")
    L.append(
        f"| zero marks / blanks named | {_pct(acc['blanks_named'], acc['blanks'])} of {acc['blanks']:,} |"
    )
    L.append(
        f"| violations found | {_pct(acc['violations_found'], acc['violations'])} of {acc['violations']:,} |"
    )
    L.append(f"| false violations | {acc['violations_false']:,} |")
    L.append(
        f"| expected problems named (cuts: cell_count, row_missing, …) | {_pct(acc['problems_found'], acc['problems'])} of {acc['problems']:,} |"
    )
    L.append(
        f"| metadata exact (agency, year, published, template) | {_pct(acc['meta_exact'], acc['meta'])} |"
    )
    L.append(f"| inputs exactly right in every respect | {_pct(acc['exact'], acc['inputs'])} |")  # fmt: skip
    L.append(families_md(args, by_family))
    L.append("\n## Where the time goes\n")
    L.append(prof_md + "\n")
    return "\n".join(L) + "\n"


BEGIN, END = (
    "<!-- bench/run.py: generated from here -->",
    "<!-- bench/run.py: generated to here -->",
)


def write_generated(out: Path, md: str) -> None:
    """Replace the generated part of ``out`` (between the markers), keeping what people wrote
    around it (run conditions, per-step analysis, findings)."""
    block = f"{BEGIN}\n{md.rstrip()}\n{END}\n"
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = block + ("\n" + old if old else "")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    except OSError:
        return "?"


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def _size(args) -> str:
    total = sum(f.stat().st_size for f in discover([Path(args.workdir) / "reports"]))
    return f"{total / 1e6:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=100_000, help="corpus size (default 100000)")
    p.add_argument("--quick", action="store_true", help="5000 reports (overrides --n)")
    p.add_argument("--year", type=int, default=2024)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample", type=int, default=20_000, help="files for the 1-core runs")
    p.add_argument("--workers", type=int, default=default_workers())
    p.add_argument("--workdir", default=str(ROOT / "bench" / "work"))
    p.add_argument("--no-dagster", action="store_true", help="skip the Dagster run")
    p.add_argument(
        "--pipeline-only",
        action="store_true",
        help="only the bare CLI and the Dagster run (prints the end-to-end table, writes nothing)",
    )
    p.add_argument(
        "--peer",
        metavar="DIR",
        help=f"a checkout of {PEER} (github zxj6827111-blip/{PEER}) to measure side by side",
    )
    p.add_argument(
        "--family-n",
        type=int,
        default=None,
        metavar="N",
        help="inputs of the layout-family corpus scored per family (default N/10; 0: none)",
    )
    p.add_argument(
        "--accuracy-only",
        action="store_true",
        help="only the accuracy tables (standard corpus and per family), printed; writes nothing",
    )
    p.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = p.parse_args(argv)
    if args.quick:
        args.n = 5000
    reports, truth = corpus(args)
    if args.family_n is None:
        args.family_n = args.n // 10
    family_truth = family_corpus(args)
    if args.accuracy_only:
        acc, by_family = accuracy([truth, *filter(None, [family_truth])], args.workers)
        print(f"  {dict(acc)}")
        print(families_md(args, by_family))
        return 0
    files = discover([reports])
    sample = files[: args.sample]
    if args.pipeline_only:
        print("end to end:")
        pipe = pipeline(reports, args, args.workers)
        d = pipe.get("dagster", {})
        print(json.dumps({k: v for k, v in d.items() if k != "summary"}))
        print(json.dumps(d.get("summary", {}).get("steps", {})))
        print(f"Dagster / CLI = {d.get('seconds', 0) / pipe['cli']['seconds']:.2f}")
        return 0
    print(f"throughput ({len(sample)} files on 1 core, {len(files)} on {args.workers} cores):")
    tp = throughput(files, sample, args.workers)
    print("side by side (CPU time, best of 3, interleaved):")
    tp["side"] = side_by_side(sample, args.peer)
    tp["cli"] = cli_cpu(files, min(len(sample), 5000))
    print("end to end:")
    pipe = pipeline(reports, args, args.workers)
    if not args.no_dagster:
        pipe["small"] = small_years(args)
    print("accuracy:")
    acc, by_family = accuracy([truth, *filter(None, [family_truth])], args.workers)
    print(f"  {dict(acc)}")
    print(families_md(args, by_family))
    prof_md = profile(sample[:3000])
    md = render(args, args.workers, len(files), tp, pipe, acc, by_family, prof_md)
    print()
    print(md)
    write_generated(Path(args.out), md)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
