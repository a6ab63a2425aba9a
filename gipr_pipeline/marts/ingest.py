"""Raw folder → one year partition's base tables, each input read and parsed once, on all cores.

What the ``parse_reports`` step runs (pure: no Dagster). Memory stays bounded by the number of
inputs in flight, whatever the size of the year:

1. ``scan``: every file is hashed (sha256 = report id); copies of the same bytes
   are one input with every path. Nothing but (id, paths, size) is kept.
2. Tasks of up to ``CHUNK`` inputs go to worker processes (``parser.batch.imap_watched``:
   forked from a fork server that has imported the parser, so they inherit neither the
   parent's memory nor its threads). Each input is under the parse workers' watchdog: one over ``Limits.seconds`` or
   ``Limits.memory_mb``, or whose worker dies, is rejected ``resource_limit``, the worker is
   replaced and the rest of its task runs again (docs/reliability.md). A worker reads each
   input again, checks its hash (a file changed in between fails the step), parses it, assigns
   its partition (``inventory.assign``), and after its task builds the long tables (sections,
   facts, problems) of the requested year's accepted inputs, validates them against their
   pandera schemas and writes them as parquet parts (complete or not at all). It returns only
   the small rows of ``raw_reports`` and ``rejected_reports``.
3. The parent keeps hash → partition for every input (a backfill does not parse inputs of
   other years again) and returns ``raw_reports`` and ``rejected_reports`` as frames and the long
   tables as ``Parts``.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from gipr_pipeline.marts import marts
from gipr_pipeline.marts.inventory import Assignment, assign
from gipr_pipeline.marts.parts import Parts
from gipr_pipeline.parser.batch import _POOL_MIN, default_workers, discover, imap_watched, text_path
from gipr_pipeline.parser.model import ReportResult, rejected
from gipr_pipeline.parser.parse import parse_bytes, read_input
from gipr_pipeline.readers import DecodeError

CHUNK = 1000  # inputs per worker task (a part of each long table; ~200k facts)
LONG_TABLES = ("report_sections", "report_facts", "report_problems")
_SCHEMAS = {
    "report_sections": marts.SECTIONS_SCHEMA,
    "report_facts": marts.FACTS_SCHEMA,
    "report_problems": marts.PROBLEMS_SCHEMA,
}


@dataclass(frozen=True, slots=True)
class InputRef:
    """One distinct content under the raw folder: its hash, every path holding it, its size."""

    report_id: str
    paths: tuple[str, ...]
    size: int

    @property
    def path(self) -> str:
        return self.paths[0]


@dataclass
class YearTables:
    raw_reports: pl.DataFrame
    rejected_reports: pl.DataFrame
    long: dict[str, Parts]
    inputs: int  # distinct inputs in the folder
    parsed: int  # inputs parsed by this call (the others' years were known)
    seconds: float


# Parsing is deterministic in the bytes (and the first path, for the path-year rule): hash →
# assignment, per process, for the partition range it was computed with.
_ASSIGNED: dict[tuple[str, str, int, int], Assignment] = {}


def _pool_context():
    """Workers forked from a fork server: a clean process started once that has imported the
    parser and the marts (cheap to fork each worker from, and without the threads of polars'
    pool or of Dagster, which a fork of the parent would inherit mid-lock; nor its memory)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["gipr_pipeline.marts.ingest", "gipr_pipeline.marts.schemas"])
    return ctx


def scan(raw_dir: str | Path, files: list[Path] | None = None) -> list[InputRef]:
    """Every distinct content under ``raw_dir`` (recursive, hidden files skipped), sorted by first
    path. A missing folder is an empty inventory. (Hashing is I/O: about 1 GB/s, one core.)"""
    root = Path(raw_dir)
    if not root.is_dir():
        return []
    by_hash: dict[str, tuple[list[str], int]] = {}
    for f in discover([root]) if files is None else files:
        rel = f.relative_to(root).as_posix()
        try:
            data = read_input(f)
        except DecodeError as e:
            # Not a readable file (a FIFO, a dangling link, …): still one input, rejected with
            # its reason by the worker; its id is derived from its name, it has no content.
            h = _entry_id(e.reason, rel)
            by_hash.setdefault(h, ([], 0))[0].append(rel)
            continue
        h, size = hashlib.sha256(data).hexdigest(), len(data)
        by_hash.setdefault(h, ([], size))[0].append(rel)
    refs = [InputRef(h, tuple(sorted(p)), s) for h, (p, s) in by_hash.items()]
    return sorted(refs, key=lambda r: r.path)


def _key(ref: InputRef, years: Sequence[int]) -> tuple[str, str, int, int]:
    return (ref.report_id, ref.path, min(years), max(years))


@dataclass(slots=True)
class _Parsed:
    """One input's outcome in a worker: its partition, its ``raw_reports`` row (when it is of
    the requested year), its parse result while the task's parts are not yet written (accepted
    inputs of the year only), and the parts a task wrote (on the task's first input)."""

    assignment: Assignment
    raw_row: dict | None
    result: ReportResult | None = None
    parts: dict[str, tuple[str, int]] | None = None


def _parse_one(root: str, years: tuple[int, ...], year: int | None, ref: InputRef) -> _Parsed:
    """Read, check the hash of, parse and assign one input (in a worker, under its watchdog).

    Raises RuntimeError when the file's bytes are not those scanned (changed during the run):
    that fails the step, it is not a rejection."""
    try:
        data = read_input(Path(root) / ref.path)
    except DecodeError as e:
        if _entry_id(e.reason, ref.path) != ref.report_id:
            raise RuntimeError(
                f"{ref.path} changed while the run was reading the raw folder"
            ) from None
        result = rejected(text_path(ref.path), e.reason, e.message)
    else:
        if hashlib.sha256(data).hexdigest() != ref.report_id:
            raise RuntimeError(f"{ref.path} changed while the run was reading the raw folder")
        result = parse_bytes(data, text_path(ref.path))
    return _outcome(ref, result, years, year)


def _failed_one(
    years: tuple[int, ...], year: int | None, ref: InputRef, reason: str, message: str
) -> _Parsed:
    """An input whose worker was killed by the watchdog (over its time or memory, or died):
    rejected with ``reason`` (``resource_limit``) and accounted in its year like any rejection."""
    return _outcome(ref, rejected(text_path(ref.path), reason, message), years, year)


def _outcome(ref: InputRef, result: ReportResult, years, year: int | None) -> _Parsed:
    a = assign(ref, result, years)
    if year is None or a.year != year:
        return _Parsed(a, None)
    return _Parsed(a, _raw_row(ref, result, a), result if a.accepted else None)


def _write_parts(out_dir: str, refs: list[InputRef], done: list[_Parsed]) -> list[_Parsed]:
    """A task's step after its inputs (in the worker): the long tables of its accepted inputs,
    validated against their pandera schemas (raises SchemaErrors with every failure) and written
    as one parquet part each. The parse results are dropped (only small rows go back); the
    parts are named on the task's first input.

    A part is written under a temporary name and renamed when complete, and named from the ids
    it holds: a worker killed while writing leaves no part under a counted name, and the task run
    again (the rest of a task after a rejected input) writes its own."""
    accepted = [
        (v.assignment.year, v.result, r.report_id)
        for r, v in zip(refs, done, strict=True)
        if v.result is not None
    ]
    parts: dict[str, tuple[str, int]] = {}
    if accepted:
        from gipr_pipeline.marts.schemas import SCHEMAS

        rows = [(rid, y, res) for y, res, rid in accepted]
        frames = {
            "report_sections": marts.report_sections(rows),
            "report_facts": marts.report_facts(rows),
            "report_problems": marts.report_problems(rows),
        }
        tag = hashlib.sha256("\0".join(rid for rid, _, _ in rows).encode()).hexdigest()[:20]
        for name, df in frames.items():
            SCHEMAS[name].validate(df, lazy=True)
            f = Path(out_dir) / f"{name}-{tag}.parquet"
            tmp = f.with_name(f.name + ".tmp")
            df.write_parquet(tmp, compression="lz4", statistics=False)
            os.replace(tmp, f)
            parts[name] = (str(f), df.height)
    for v in done:
        v.result = None
    if done:
        done[0].parts = parts
    return done


def _entry_id(reason: str, path: str) -> str:
    """The id of an entry without content (not a regular file): from its reason and name."""
    return hashlib.sha256(f"gipr-entry\0{reason}\0".encode() + os.fsencode(path)).hexdigest()


def _raw_row(ref: InputRef, result, a: Assignment) -> dict:
    return {
        "report_id": ref.report_id,
        "year": a.year,
        "path": text_path(ref.path),
        "paths": [text_path(p) for p in ref.paths],
        "n_paths": len(ref.paths),
        "size": ref.size,
        "accepted": a.accepted,
        "year_source": a.year_source,
        "format": result.format,
        "encoding": result.encoding,
        "reason": a.reason,
        "message": a.message,
    }


def _run(
    root: Path,
    refs: list[InputRef],
    years: Sequence[int],
    year: int | None,
    out_dir: Path | None,
    workers: int,
):
    """Parse ``refs`` (in input order), each on a worker under the watchdog
    (``parser.batch.imap_watched``: an input over ``Limits.seconds`` or ``Limits.memory_mb``, or
    whose worker dies, is rejected ``resource_limit`` and its worker replaced) when
    ``workers > 1``; in this process when ``workers == 1`` (a Celery task cannot start
    processes). Returns the ``raw_reports`` rows of ``year`` and {long table: [(part file,
    rows)]}, both in input order."""
    yrs = tuple(years)
    one = functools.partial(_parse_one, str(root), yrs, year)
    finish = functools.partial(_write_parts, str(out_dir or ""))
    if workers > 1 and refs:
        chunk = CHUNK if len(refs) >= _POOL_MIN else max(1, -(-len(refs) // workers))
        results = imap_watched(
            one,
            refs,
            min(workers, -(-len(refs) // chunk)),
            on_fail=functools.partial(_failed_one, yrs, year),
            chunksize=chunk,
            mp_context=_pool_context(),
            finish=finish,
        )
    else:
        results = (
            v
            for i in range(0, len(refs), CHUNK)
            for v in finish(refs[i : i + CHUNK], [one(r) for r in refs[i : i + CHUNK]])
        )
    rows: list[dict] = []
    files: dict[str, list[tuple[str, int]]] = {t: [] for t in LONG_TABLES}
    for ref, v in zip(refs, results, strict=True):
        _ASSIGNED[_key(ref, years)] = v.assignment
        if v.raw_row is not None:
            rows.append(v.raw_row)
        for t, part in (v.parts or {}).items():
            files[t].append(part)  # on a task's first input: the parts stay in input order
    return rows, files


def assignments(
    raw_dir: str | Path,
    years: Sequence[int],
    workers: int | None = None,
    skip: Collection[str] = (),
    refs: list[InputRef] | None = None,
) -> list[tuple[InputRef, Assignment | None]]:
    """Every distinct input under ``raw_dir`` with its partition (parsed on all cores; inputs
    already assigned in this process are not parsed again; ids in ``skip`` are not parsed and
    get None). ``refs``: the folder's ``scan`` if the caller has it (not hashed again)."""
    workers = workers or default_workers()
    refs = scan(raw_dir) if refs is None else refs
    skip = set(skip)
    todo = [r for r in refs if r.report_id not in skip and _key(r, years) not in _ASSIGNED]
    _run(Path(raw_dir), todo, years, None, None, workers)
    return [(r, None if r.report_id in skip else _ASSIGNED[_key(r, years)]) for r in refs]


def years_present(raw_dir: str | Path, years: Sequence[int]) -> list[int]:
    """The partition years that hold at least one input (report or rejected) under ``raw_dir``
    (parsed on all cores; the assignments are kept for the runs that follow)."""
    return sorted({a.year for _, a in assignments(raw_dir, years) if a is not None})


def scan_years(
    raw_dir: str | Path, years: Sequence[int], known: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Content hash → partition year for every distinct input under ``raw_dir``. Hashes in
    ``known`` keep their year without being parsed again (the sensor's cursor); the others are
    parsed on all cores, holding no file's bytes longer than its parse."""
    known = known or {}
    return {
        ref.report_id: known[ref.report_id] if a is None else a.year
        for ref, a in assignments(raw_dir, years, skip=known.keys())
    }


def year_tables(
    raw_dir: str | Path,
    year: int,
    years: Sequence[int],
    out_dir: str | Path,
    workers: int | None = None,
) -> YearTables:
    """The base tables of partition ``year``: raw_reports and rejected_reports as frames, the
    long tables as parquet parts written under ``out_dir``."""
    t0 = time.perf_counter()
    workers = workers or default_workers()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = Path(raw_dir)
    refs = scan(raw_dir, discover([root]) if root.is_dir() else [])
    # Inputs known to belong to another year need no parse.
    todo = [r for r in refs if (a := _ASSIGNED.get(_key(r, years))) is None or a.year == year]
    raw_rows, files = _run(root, todo, years, year, out, workers)
    return assemble(raw_rows, files, len(refs), len(todo), time.perf_counter() - t0)


def assemble(
    raw_rows: list[dict],
    files: Mapping[str, Sequence[tuple[str, int]]],
    inputs: int,
    parsed: int,
    seconds: float,
) -> YearTables:
    """The year's tables from the rows and parts of its chunks (in input order), whether one
    process parsed them all (``year_tables``) or shards did on several machines
    (``shard_tables``, merged by the deployment's ``parse_reports``)."""
    raw = pl.DataFrame(raw_rows, schema=_RAW_ROW_SCHEMA, orient="row") if raw_rows else None
    if raw is None:
        raw = pl.DataFrame(schema=_RAW_ROW_SCHEMA)
    raw = raw.sort("path")
    rejected = (
        raw.filter(~pl.col("accepted"))
        .select(list(marts.REJECTED_SCHEMA))
        .cast(marts.REJECTED_SCHEMA)
    )
    long = {
        t: Parts(
            tuple(f for f, _ in files.get(t, ())),
            dict(_SCHEMAS[t]),
            sum(n for _, n in files.get(t, ())),
        )
        for t in LONG_TABLES
    }
    return YearTables(
        raw_reports=raw.select(list(marts.RAW_REPORTS_SCHEMA)).cast(marts.RAW_REPORTS_SCHEMA),
        rejected_reports=rejected,
        long=long,
        inputs=inputs,
        parsed=parsed,
        seconds=seconds,
    )


def shard_tables(
    raw_dir: str | Path,
    refs: Sequence[InputRef],
    year: int,
    years: Sequence[int],
    out_dir: str | Path,
    workers: int = 1,
) -> tuple[list[dict], dict[str, list[tuple[str, int]]]]:
    """One shard of a year: parse ``refs`` (a slice of ``scan``'s inventory), keep the inputs of
    ``year``. Returns its ``raw_reports`` rows and {long table: [(part file, rows)]} written
    under ``out_dir``; ``assemble`` makes the year's tables from the shards in inventory order.
    ``workers=1`` parses in this process (a Celery worker's task cannot start a pool)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return _run(Path(raw_dir), list(refs), years, year, out, workers)


_RAW_ROW_SCHEMA = {
    **marts.RAW_REPORTS_SCHEMA,
    "reason": pl.String,
    "message": pl.String,
}
