"""Many files → results, in input order, on all cores."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from gipr_pipeline.model import ReportResult
from gipr_pipeline.parse import parse_path


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


def parse_many(files: list[Path], workers: int | None = None) -> Iterator[ReportResult]:
    """Results in the order of ``files``. Small batches stay in-process: a pool costs more to
    start than a few reports take to parse."""
    workers = workers or default_workers()
    if workers <= 1 or len(files) < 64:
        for f in files:
            yield parse_path(f)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(parse_path, files, chunksize=32)
