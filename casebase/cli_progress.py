"""A live progress bar for long commands (rich), on a terminal only."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

EVERY = 200  # records between updates of the bar


@contextmanager
def progress_bar(verb: str) -> Iterator[Callable[[int], None] | None]:
    """A callback taking the number of records done so far, drawing a bar (records, time) on
    stderr while the block runs; None when stderr is not a terminal (logs, pipes, tests)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn(verb),
        BarColumn(),
        TextColumn("{task.completed:,} records"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task(verb, total=None)

    def update(count: int) -> None:
        if count % EVERY == 0:
            progress.update(task, completed=count)

    with progress:
        yield update
