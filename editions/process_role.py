"""Name a worker process by its role, so `top` and the benchmark tell them apart.

A forked worker keeps its parent's command line; its `comm` (at most 15 bytes)
is the one name it can change. `editions.bench.sampler` reads it back to split a
build's CPU time by role: speaking, mastering, laying out the PDF.
"""

from __future__ import annotations

from pathlib import Path

PREFIX = "editions-"


def name_this_process(role: str) -> None:
    """Set this thread's name (a pool worker's only thread: the process's name)."""
    try:
        Path("/proc/thread-self/comm").write_text(f"{PREFIX}{role}"[:15])
    except OSError:  # not Linux, or /proc unavailable: names are only a nicety
        pass
