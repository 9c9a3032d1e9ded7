"""Steps' counts → one rich progress bar per edition, with the time left.

A long book takes many minutes, so each edition shows how far it is (sentences
spoken, pages laid out) and rich's estimate of the time left. The PDFs are laid out
in a forked process beside the audio (`editions.schedule`), which cannot draw on
this process's display: every step sends its counts through one queue that the fork
inherits, and a thread here draws them. Nothing is drawn when the build is quiet
(`--quiet`) or stderr is not a terminal (CI logs stay plain text).
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Callable
from multiprocessing.queues import SimpleQueue
from types import TracebackType
from typing import Any

#: Where update() sends counts while a Display is open (inherited by forks).
_queue: SimpleQueue[tuple[str, int, int | None, str] | None] | None = None
#: Run at every update: each count is a point where a step may stop. A build sets
#: it (`editions.interrupt`) so that a signal whose exception something swallowed
#: still stops the work at the next sentence, page or chapter.
_checkpoint: Callable[[], None] | None = None


def set_checkpoint(check: Callable[[], None] | None) -> Callable[[], None] | None:
    """Run *check* at every update from now on; return the one it replaces."""
    global _checkpoint
    previous, _checkpoint = _checkpoint, check
    return previous


def update(
    edition: str, completed: int, total: int | None = None, what: str = ""
) -> None:
    """Say that *edition* has done *completed* of *total* units (None: unknown).

    Cheap and safe to call from any process forked by the build, and a no-op when
    no display is open (tests, quiet builds, a child of another tool).
    """
    if _checkpoint is not None:
        _checkpoint()
    if _queue is not None:
        _queue.put((edition, completed, total, what))


def finish(edition: str) -> None:
    """Mark *edition* done, whatever its count reached."""
    update(edition, -1)


def shown(enabled: bool) -> bool:
    """Return whether bars are drawn: wanted, and stderr is a terminal."""
    return enabled and sys.stderr.isatty()


class Display:
    """Draw the bars while open; a quiet display costs nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = shown(enabled)
        self._thread: threading.Thread | None = None
        self.bars: Any = None

    def __enter__(self) -> Display:
        global _queue
        if not self.enabled or _queue is not None:
            self.enabled = False  # a nested build (a batch) draws nothing of its own
            return self
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bars = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn("{task.fields[what]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        _queue = multiprocessing.get_context("fork").SimpleQueue()
        self.bars.start()
        self._thread = threading.Thread(
            target=self._draw, args=(_queue,), name="progress", daemon=True
        )
        self._thread.start()
        return self

    def _draw(
        self, queue: SimpleQueue[tuple[str, int, int | None, str] | None]
    ) -> None:
        tasks: dict[str, Any] = {}
        totals: dict[str, int] = {}
        while (event := queue.get()) is not None:
            edition, completed, total, what = event
            if edition not in tasks:
                tasks[edition] = self.bars.add_task(edition, total=total, what=what)
            if total is not None:
                totals[edition] = total
            if completed < 0:  # finished: fill the bar, whatever the count reached
                known = totals.get(edition, 1)
                self.bars.update(
                    tasks[edition], total=known, completed=known, what="done"
                )
                continue
            fields: dict[str, Any] = {"completed": completed, "what": what}
            if total is not None:
                fields["total"] = total
            self.bars.update(tasks[edition], **fields)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        global _queue
        if not self.enabled or _queue is None:
            return
        _queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.bars.stop()
        _queue = None
