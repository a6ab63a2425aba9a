"""Raw folder → one year partition's base tables, each input read and parsed once, on all cores.

What the ``parse_reports`` step runs (pure: no Dagster). Memory stays bounded by the number of
inputs in flight, whatever the size of the year:

1. ``scan``: every file is hashed (sha256 = report id); copies of the same bytes
   are one input with every path. Nothing but (id, paths, size) is kept.
2. Chunks of a few hundred inputs go to worker processes (spawned, so they do not inherit the
   parent's memory), at most ``2 × workers`` chunks in flight. A worker reads each input again,
   checks its hash (a file changed in between fails the step), parses it, assigns its partition
   (``inventory.assign``), and for the inputs of the requested year builds the long tables
   (sections, facts, problems), validates them against their pandera schemas and writes them as
   parquet parts. It returns only the small rows of ``raw_reports`` and ``rejected_reports``.
3. The parent keeps hash → partition for every input (a backfill does not parse inputs of
   other years again) and returns ``raw_reports`` and ``rejected_reports`` as frames and the long
   tables as ``Parts``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from gipr_pipeline.marts import marts
from gipr_pipeline.marts.inventory import Assignment, assign
from gipr_pipeline.marts.parts import Parts
from gipr_pipeline.parser.batch import (
    _POOL_MIN,
    bulk_gc,
    default_workers,
    discover,
    imap_ordered,
    text_path,
)
from gipr_pipeline.parser.model import rejected
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
    # Spawned workers import only the parser; forked ones would share (and count) the whole
    # Dagster process's memory.
    return multiprocessing.get_context("spawn")


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


def _work(job: tuple) -> tuple[list[Assignment], list[dict], dict[str, tuple[str, int]]]:
    """A worker's chunk: parse, assign, and (for ``year``) write the long tables' parts."""
    root, refs, years, year, out_dir, index = job
    assigned, raw_rows, accepted = [], [], []
    for ref in refs:
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
        a = assign(ref, result, years)
        assigned.append(a)
        if year is None or a.year != year:
            continue
        raw_rows.append(_raw_row(ref, result, a))
        if a.accepted:
            accepted.append((ref.report_id, a.year, result))
    parts: dict[str, tuple[str, int]] = {}
    if accepted:
        from gipr_pipeline.marts.schemas import SCHEMAS

        frames = {
            "report_sections": marts.report_sections(accepted),
            "report_facts": marts.report_facts(accepted),
            "report_problems": marts.report_problems(accepted),
        }
        for name, df in frames.items():
            SCHEMAS[name].validate(df, lazy=True)  # raises SchemaErrors with every failure
            f = Path(out_dir) / f"{name}-{index:05d}.parquet"
            df.write_parquet(f, compression="lz4", statistics=False)
            parts[name] = (str(f), df.height)
    return assigned, raw_rows, parts


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


def _warm() -> None:
    import gipr_pipeline.marts.schemas  # noqa: F401  (pandera: the slow import, done while scanning)


def _pool(workers: int) -> ProcessPoolExecutor | None:
    """A started pool of spawned workers (they import while the parent scans the folder)."""
    if workers <= 1:
        return None
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(), initializer=bulk_gc)
    for _ in range(workers):
        pool.submit(_warm)
    return pool


def _run(
    root: Path,
    refs: list[InputRef],
    years: Sequence[int],
    year: int | None,
    out_dir: Path | None,
    workers: int,
    pool: ProcessPoolExecutor | None = None,
):
    jobs = [
        (str(root), refs[i : i + CHUNK], list(years), year, str(out_dir or ""), i // CHUNK)
        for i in range(0, len(refs), CHUNK)
    ]
    if workers > 1 and len(refs) >= _POOL_MIN:
        results = imap_ordered(
            _work,
            jobs,
            workers,
            chunksize=1,
            window=2 * workers,
            mp_context=_pool_context(),
            pool=pool,
        )
    else:
        results = map(_work, jobs)
    for job, (assigned, raw_rows, parts) in zip(jobs, results, strict=True):
        for ref, a in zip(job[1], assigned, strict=True):
            _ASSIGNED[_key(ref, years)] = a
        yield raw_rows, parts


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
    for _ in _run(Path(raw_dir), todo, years, None, None, workers):
        pass
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
    listed = discover([root]) if root.is_dir() else []
    pool = _pool(workers) if len(listed) >= _POOL_MIN else None
    try:
        refs = scan(raw_dir, listed)
        # Inputs known to belong to another year need no parse.
        todo = [r for r in refs if (a := _ASSIGNED.get(_key(r, years))) is None or a.year == year]
        raw_rows: list[dict] = []
        files: dict[str, list[tuple[str, int]]] = {t: [] for t in LONG_TABLES}
        for rows, parts in _run(Path(raw_dir), todo, years, year, out, workers, pool):
            raw_rows += rows
            for t, fr in parts.items():
                files[t].append(fr)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
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
    raw_rows: list[dict] = []
    files: dict[str, list[tuple[str, int]]] = {t: [] for t in LONG_TABLES}
    for rows, parts in _run(Path(raw_dir), list(refs), years, year, out, workers):
        raw_rows += rows
        for t, fr in parts.items():
            files[t].append(fr)
    return raw_rows, files


_RAW_ROW_SCHEMA = {
    **marts.RAW_REPORTS_SCHEMA,
    "reason": pl.String,
    "message": pl.String,
}
