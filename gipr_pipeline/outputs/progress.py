"""A progress bar for long CLI work: shown on a terminal (stderr), silent in ``--json`` mode,
when stderr is not a TTY, or for a single item."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress(total: int, label: str, quiet: bool = False) -> Iterator[Callable[[], None]]:
    """``with progress(n, "export") as advance: ... advance()`` — one step per item."""
    if quiet or total <= 1 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
