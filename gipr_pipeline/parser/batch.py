"""Many files → results, in input order, on all cores, with bounded memory."""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import TypeVar

from gipr_pipeline.parser import model
from gipr_pipeline.parser.model import ReportResult
from gipr_pipeline.parser.parse import parse_path

T = TypeVar("T")
R = TypeVar("R")

# Below this many inputs a pool costs more to start than the inputs take to parse.
_POOL_MIN = 64


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and every file under directories named (recursively, sorted, hidden skipped).

    Raises FileNotFoundError for a path that does not exist: that is a usage error, not a report.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(str(p))
    return out


def default_workers() -> int:
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )


def bulk_gc() -> None:
    """Garbage-collector thresholds for a process that only parses (a worker).

    Parsing allocates many short-lived containers and makes no reference cycles; with the
    default thresholds (a collection every 700 allocations) the collector runs thousands of
    times a second and, with the parser's caches, costs about a fifth of the parse time.
    Collections stay on (memory is still bounded), just rarer."""
    gc.set_threshold(50_000, 20, 20)


def _run_chunk(fn: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [fn(x) for x in chunk]


def imap_ordered(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    chunksize: int = 32,
    window: int | None = None,
    mp_context=None,
    pool: ProcessPoolExecutor | None = None,
) -> Iterator[R]:
    """``fn`` over ``items`` in worker processes, results in input order.

    Unlike ``ProcessPoolExecutor.map`` (which submits every item at once and keeps every
    result until it is consumed), at most ``window`` chunks are in flight: memory stays bounded
    by ``window × chunksize`` results however long ``items`` is, and ``items`` may be a lazy
    iterator. ``fn`` must be picklable (a module-level function). ``mp_context`` (e.g. spawn)
    for workers that should not inherit the parent's memory; ``pool`` to use an already
    started pool (left running).
    """
    window = window or 4 * workers
    it = iter(items)
    own = pool is None
    if pool is None:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp_context, initializer=bulk_gc)
    pending: deque[Future[list[R]]] = deque()

    def submit() -> bool:
        chunk = list(islice(it, chunksize))
        if chunk:
            pending.append(pool.submit(_run_chunk, fn, chunk))
        return bool(chunk)

    try:
        for _ in range(window):
            if not submit():
                break
        while pending:
            done = pending.popleft().result()
            submit()
            yield from done
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
        else:
            for f in pending:
                f.cancel()


def parse_many(
    files: list[Path], workers: int | None = None, window: int | None = None
) -> Iterator[ReportResult]:
    """Results in the order of ``files``, streamed: a bounded number of results are held at
    once (see ``imap_ordered``). Small batches stay in-process."""
    workers = workers or default_workers()
    if workers <= 1 or len(files) < _POOL_MIN:
        for f in files:
            yield parse_path(f)
        return
    yield from imap_ordered(parse_path, files, workers, chunksize=32, window=window)


def json_line(path: Path) -> str:
    """One input as its ``gipr parse --json`` line (built in the worker: the parent process only
    writes strings, instead of unpickling results and serializing 200 facts per report)."""
    return model.json_line(parse_path(path))


def json_lines(files: list[Path], workers: int | None = None) -> Iterator[str]:
    """``json_line`` of each file, in the order of ``files``, streamed (bounded memory)."""
    workers = workers or default_workers()
    if workers <= 1 or len(files) < _POOL_MIN:
        for f in files:
            yield json_line(f)
        return
    yield from imap_ordered(json_line, files, workers, chunksize=32)
