"""Many files → results, in input order, on all cores, with bounded memory."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from multiprocessing import connection as mp_connection
from pathlib import Path
from typing import TypeVar

from gipr_pipeline.parser import model
from gipr_pipeline.parser.model import ReportResult, rejected
from gipr_pipeline.parser.parse import parse_path
from gipr_pipeline.readers.limits import Limits, limits, set_limits

T = TypeVar("T")
R = TypeVar("R")

# Below this many inputs a pool costs more to start than the inputs take to parse.
_POOL_MIN = 64


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and every entry under directories named (recursively, sorted, hidden
    entries skipped).

    Every entry is listed, not only regular files: a FIFO, device, socket, dangling symlink or
    symlink loop is returned too, and ``parse_path`` rejects it (``not_a_file``) without opening
    it, so the records equal the folder's entries. A symlink to a folder is followed once; a
    folder reached again (a loop) is listed as an entry, not entered. A folder that cannot be
    listed (permission denied) is listed as an entry too (``unreadable_file``/``not_a_file``).
    File names are any bytes the file system allows: a name that is not UTF-8 is kept as
    ``os.fsdecode`` gives it (surrogate escapes; ``os.fsencode`` returns the exact bytes).

    Raises FileNotFoundError for a path that does not exist: that is a usage error, not a report.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found: list[Path] = []
            _walk(p, found, set())
            out.extend(sorted(found))
        elif os.path.lexists(p):
            out.append(p)  # a file, or a special file / dangling link named on purpose
        else:
            raise FileNotFoundError(str(p))
    return out


def _walk(folder: Path, out: list[Path], seen: set[tuple[int, int]]) -> None:
    try:
        st = folder.stat()
        key = (st.st_dev, st.st_ino)
        if key in seen:
            out.append(folder)  # a loop: one record, not followed
            return
        seen.add(key)
        entries = list(os.scandir(folder))
    except OSError:
        out.append(folder)
        return
    for e in entries:
        if e.name.startswith("."):
            continue
        path = folder / e.name
        try:
            is_dir = e.is_dir()  # follows a symlink (a folder linked in is read)
        except OSError:
            is_dir = False
        if is_dir:
            _walk(path, out, seen)
        else:
            out.append(path)


def text_path(path: str) -> str:
    """A file name as text for the warehouse (Arrow strings must be UTF-8): unchanged when it is
    valid UTF-8, else each byte that is not written ``\\xNN`` (Python's backslashreplace). The
    CLI's JSON keeps such names exactly (``model.json_line``); the warehouse keeps them readable."""
    if not _SURROGATE.search(path):
        return path
    return os.fsencode(path).decode("utf-8", "backslashreplace")


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
    once, each file under the watchdog (see ``imap_watched``)."""
    del window
    workers = workers or default_workers()
    yield from imap_watched(parse_path, files, workers, on_fail=_failed_result)


def json_line(path: Path) -> str:
    """One input as its ``gipr parse --json`` line (built in the worker: the parent process only
    writes strings, instead of unpickling results and serializing 200 facts per report).

    A ``source`` that is not valid UTF-8 (a file name of other bytes, surrogate-escaped by
    ``os.fsdecode``) keeps its lone surrogates as JSON ``\\udcXX`` escapes (``model.json_line``):
    the line stays valid UTF-8 and ``os.fsencode(json.loads(line)["source"])`` gives the name's
    exact bytes."""
    return model.json_line(parse_path(path))


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_lines(files: list[Path], workers: int | None = None) -> Iterator[str]:
    """``json_line`` of each file, in the order of ``files``, streamed (bounded memory), each file
    under the watchdog (``imap_watched``)."""
    workers = workers or default_workers()
    yield from imap_watched(json_line, files, workers, on_fail=_failed_line)


def _failed_line(path: Path, reason: str, message: str) -> str:
    return model.json_line(rejected(str(path), reason, message))


def _failed_result(path: Path, reason: str, message: str) -> ReportResult:
    return rejected(str(path), reason, message)


# ----------------------------------------------------------------- the watchdog pool
class _Slot:
    """One worker process: its pipe, and what it is doing (shared memory written by the worker:
    the index of the item in its task and since when, 0 when idle)."""

    def __init__(self, ctx, fn, lim: Limits, finish=None):
        # [item index, its start (monotonic s; 0 = idle), the worker's RSS at start (MiB)]
        self.state = ctx.Array("d", 3, lock=False)
        parent, child = ctx.Pipe()
        self.conn = parent
        self.proc = ctx.Process(
            target=_watched_worker, args=(child, fn, self.state, lim, finish), daemon=True
        )
        self.proc.start()
        child.close()
        self.task: tuple[int, list[int]] | None = None  # (chunk index, item indices)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


def _watched_worker(conn, fn, state, lim: Limits, finish) -> None:
    bulk_gc()
    set_limits(lim)
    # A forked worker starts with its parent's memory: its bounds are growth above that.
    state[2] = _rss_mb(os.getpid())
    _cap_memory(lim.memory_mb)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            out = _run_task(fn, finish, task, state)
        except Exception as e:  # re-raised in the parent
            state[1] = 0.0
            conn.send(("raise", _picklable(e)))
            continue
        conn.send(("done", out))


def _run_task(fn, finish, task: list, state) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for i, item in enumerate(task):
        state[0], state[1] = i, time.monotonic()
        try:
            out.append(("ok", fn(item)))
        except MemoryError:
            out.append(("memory", None))
    # The task's own step (ingest: write its parquet parts) is outside any item: it is not
    # under the per-file time limit; a worker dying in it runs the task again.
    state[1] = 0.0
    if finish is not None:
        ok = [i for i, (status, _) in enumerate(out) if status == "ok"]
        values = finish([task[i] for i in ok], [out[i][1] for i in ok])
        for i, v in zip(ok, values, strict=True):
            out[i] = ("ok", v)
    return out


def _picklable(e: BaseException) -> tuple[BaseException, str]:
    """The worker's exception as it can cross the pipe, and its traceback as text."""
    import pickle
    import traceback

    tb = "".join(traceback.format_exception(e))
    try:
        pickle.loads(pickle.dumps(e))
    except Exception:  # any exception that does not round-trip
        return RuntimeError(f"{type(e).__name__}: {e}"), tb
    return e, tb


class _RemoteTraceback(Exception):
    def __str__(self) -> str:
        return f"\n(in a parse worker)\n{self.args[0]}"


def _cap_memory(mb: int) -> None:
    """Address-space cap: an allocation past it raises MemoryError in the worker (the file is
    then rejected) instead of the machine swapping. The parent's RSS watchdog is the other half
    (a library that allocates in C outside Python's reach)."""
    try:
        import resource

        # Above what the process already maps (a forked worker inherits its parent's), + slack
        # for the libraries' own mappings (pdfium, thread stacks).
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft = mapped + (mb + 1024) * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ImportError, ValueError, OSError, IndexError):  # pragma: no cover - not on Linux
        pass


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except (OSError, ValueError, IndexError):
        return 0.0


def imap_watched(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    on_fail: Callable[[T, str, str], R],
    chunksize: int = 32,
    limits_: Limits | None = None,
    tick: float = 0.25,
    mp_context=None,
    finish: Callable[[list[T], list[R]], list[R]] | None = None,
) -> Iterator[R]:
    """``fn`` over ``items`` in worker processes, results in input order, each item under a
    watchdog: a worker that spends more than ``Limits.seconds`` on one item, or grows past
    ``Limits.memory_mb`` resident (or dies), is killed and replaced; that item's result is
    ``on_fail(item, "resource_limit", message)`` and the other items of its chunk are run again.
    Memory is bounded as in ``imap_ordered`` (at most ``4 × workers`` chunks in flight).

    ``finish(items, results)``, if given, runs in the worker after each task's items (those
    that did not fail) and returns their results (same length): a step per task, such as
    writing the task's results to a file and returning only small rows. It is outside the
    per-item time limit; a worker dying in it runs the task again (once; a second death is a
    RuntimeError). An exception raised by ``fn`` or ``finish`` (other than ``MemoryError`` in
    ``fn``, which is ``on_fail``'s) is raised here: a bug or a changed input is not a rejection.

    ``fn``, ``on_fail`` and ``finish`` must be picklable (module-level functions or partials of
    them). The workers are forked where the platform allows it (they only parse), or made with
    ``mp_context`` (e.g. spawn, for workers that should not inherit a big parent)."""
    lim = limits_ or limits()
    ctx = mp_context or multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    workers = max(1, workers)
    window = 4 * workers
    it = iter(items)
    chunks: dict[int, list] = {}  # chunk index → items
    results: dict[int, list] = {}  # chunk index → results (None until done)
    queue: deque[tuple[int, list[int]]] = deque()
    next_chunk = 0
    next_out = 0
    exhausted = False
    retried: set[int] = set()  # chunks run again after a worker died outside an item
    slots = [_Slot(ctx, fn, lim, finish) for _ in range(workers)]

    def fill() -> None:
        nonlocal next_chunk, exhausted
        while not exhausted and next_chunk - next_out < window:
            chunk = list(islice(it, chunksize))
            if not chunk:
                exhausted = True
                return
            chunks[next_chunk] = chunk
            results[next_chunk] = [None] * len(chunk)
            queue.append((next_chunk, list(range(len(chunk)))))
            next_chunk += 1

    def dispatch() -> None:
        for k, s in enumerate(slots):
            if s.task is not None or not queue:
                continue
            if not s.proc.is_alive():  # died idle: replace it before giving it work
                s.kill()
                s = slots[k] = _Slot(ctx, fn, lim, finish)
            c, idx = queue.popleft()
            s.task = (c, idx)
            s.state[1] = 0.0
            try:
                s.conn.send([chunks[c][i] for i in idx])
            except OSError:  # died in between: the task goes back, the worker is replaced
                s.task = None
                queue.appendleft((c, idx))
                s.kill()
                slots[k] = _Slot(ctx, fn, lim, finish)

    def fail(s: _Slot, message: str) -> None:
        c, idx = s.task  # type: ignore[misc]
        k = slots.index(s)
        s.kill()
        slots[k] = _Slot(ctx, fn, lim, finish)
        if not s.state[1]:  # it was not inside an item: nothing to blame, run the task again
            if c in retried:
                raise RuntimeError(f"a worker died twice outside any item ({message})")
            retried.add(c)
            queue.appendleft((c, idx))
            return
        bad = idx[min(int(s.state[0]), len(idx) - 1)]
        results[c][bad] = on_fail(chunks[c][bad], "resource_limit", message)
        rest = [j for j in idx if j != bad]
        if rest:
            queue.appendleft((c, rest))

    def done(c: int) -> bool:
        return (
            c in results
            and all(r is not None for r in results[c])
            and not any(c == q[0] for q in queue)
            and not any(s.task is not None and s.task[0] == c for s in slots)
        )

    try:
        fill()
        dispatch()
        while next_out < next_chunk:
            ready = mp_connection.wait(
                [s.conn for s in slots] + [s.proc.sentinel for s in slots], timeout=tick
            )
            now = time.monotonic()
            for s in list(slots):
                if s.task is None:
                    continue
                if s.conn in ready:
                    try:
                        kind, out = s.conn.recv()
                    except (EOFError, OSError):
                        fail(s, "the parse worker died on this file")
                        continue
                    if kind == "raise":
                        exc, tb = out
                        raise exc from _RemoteTraceback(tb)
                    c, idx = s.task
                    for j, (status, value) in zip(idx, out, strict=True):
                        results[c][j] = (
                            value
                            if status == "ok"
                            else on_fail(
                                chunks[c][j],
                                "resource_limit",
                                f"reading the file needed more than {lim.memory_mb} MiB",
                            )
                        )
                    s.task = None
                elif s.proc.sentinel in ready or not s.proc.is_alive():
                    fail(s, "the parse worker died on this file (killed or out of memory)")
                elif s.state[1] and now - s.state[1] > lim.seconds:
                    fail(s, f"parsing the file took longer than {lim.seconds:g} s")
                elif s.state[1] and _rss_mb(s.proc.pid) - s.state[2] > lim.memory_mb:
                    fail(s, f"parsing the file needed more than {lim.memory_mb} MiB")
            while next_out < next_chunk and done(next_out):
                out_chunk = results.pop(next_out)
                chunks.pop(next_out)
                next_out += 1
                yield from out_chunk
            fill()
            dispatch()
    finally:
        for s in slots:
            if s.task is None and s.proc.is_alive():
                with contextlib.suppress(Exception):
                    s.conn.send(None)
        for s in slots:
            s.proc.join(1)
            if s.proc.is_alive():
                s.kill()
