"""Failures as one line: what happened, where, what to do (docs/reliability.md).

Every ``gipr`` command ends a failure with one such line on stderr and a non-zero exit; the
traceback goes to the log file (``log_path()``) and, with ``--debug``, to the terminal.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path

REBUILD = "move it away (mv {p} {p}.bad) and rebuild it from the raw folder with `gipr run`"


def log_path() -> Path:
    """Where tracebacks and library warnings go: ``$GIPR_LOG``, else ``<tmp>/gipr-<uid>.log``."""
    env = os.environ.get("GIPR_LOG")
    return Path(env) if env else Path(tempfile.gettempdir()) / f"gipr-{os.getuid()}.log"


def quiet_logging(debug: bool) -> None:
    """Library logs (Dagster, Great Expectations, pdfminer) to the log file, not the terminal,
    unless ``--debug``. A log file that cannot be written (disk full, read-only) is ignored."""
    logging.raiseExceptions = False
    root = logging.getLogger()
    if debug or root.handlers:  # --debug, or embedded in a program that set up its logging
        return
    handler = logging.FileHandler(log_path(), delay=True, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)


def record(exc: BaseException) -> None:
    """The traceback, appended to the log file (best effort: the disk may be full)."""
    try:
        with open(log_path(), "a", encoding="utf-8") as fh:
            traceback.print_exception(exc, file=fh)
    except OSError:
        pass


def explain(exc: BaseException, where: str | None = None) -> str:
    """One line for a failure. ``where``: the warehouse or folder the command worked on."""
    # Imported here: the warehouse module imports polars, which `gipr parse` does not need.
    from gipr_pipeline.outputs.warehouse import (
        WarehouseCorrupt,
        WarehouseLocked,
        WarehouseMissing,
    )

    at = f" ({where})" if where else ""
    if isinstance(exc, WarehouseMissing):
        return f"no warehouse at {exc}: run `gipr run` first"
    if isinstance(exc, WarehouseCorrupt):
        return (
            f"the warehouse file {exc.path} is corrupt or truncated ({exc.detail}); "
            + REBUILD.format(p=exc.path)
        )
    if isinstance(exc, WarehouseLocked):
        return (
            f"{exc}: a run is still publishing; try again later, or wait longer with "
            "GIPR_LOCK_TIMEOUT=<seconds>"
        )
    duck = _duckdb_line(exc, where)
    if duck:
        return duck
    if isinstance(exc, OSError):
        target = exc.filename or where or "?"
        if exc.errno == errno.ENOSPC:
            return (
                f"no space left on the device writing {target}: nothing already published was "
                "changed; free some space and run the command again"
            )
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return (
                f"permission denied writing {target}{' (read-only file system)' if exc.errno == errno.EROFS else ''}: "
                "choose a folder you can write (--warehouse, OUT) or fix its permissions"
            )
        if exc.errno == errno.ENOENT:
            return f"no such file or directory: {target}: check the path"
        return f"{exc.strerror or exc} ({target}): see {log_path()}"
    return f"{type(exc).__name__}: {exc}{at}; details in {log_path()}, or run again with --debug"


def _duckdb_line(exc: BaseException, where: str | None) -> str | None:
    mod = type(exc).__module__ or ""
    if not mod.startswith(("duckdb", "_duckdb")):
        return None
    msg = str(exc).split("\n")[0]
    target = where or "the warehouse"
    if "No space left" in msg:
        return (
            f"no space left on the device writing {target}: the publish was rolled back, every "
            "year keeps its last published state; free some space and run the command again"
        )
    if "lock" in msg.lower():
        return (
            f"the warehouse {target} is held by another process ({msg}); wait for it to end "
            "and run the command again"
        )
    if any(c in msg for c in ("not a valid DuckDB", "Could not read enough", "Corrupt database")):
        return f"the warehouse file {target} is corrupt or truncated ({msg}); " + REBUILD.format(
            p=target
        )
    if "Permission denied" in msg or "Read-only file system" in msg:
        return (
            f"permission denied writing {target} ({msg}): choose a folder you can write "
            "(--warehouse) or fix its permissions"
        )
    return f"the warehouse {target} failed: {msg}; details in {log_path()}"


def fail(exc: BaseException, where: str | None, debug: bool) -> int:
    """Print the one line (and the traceback with ``debug``); the exit status."""
    record(exc)
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    print(f"gipr: error: {explain(exc, where)}", file=sys.stderr)
    return 1
