"""Name a worker process by its role, so `top` and the benchmark tell them apart.

A forked worker keeps its parent's command line; its `comm` (at most 15 bytes)
is the one name it can change. `editions.bench.sampler` reads it back to split a
build's CPU time by role: speaking, mastering, laying out the PDF.
"""

from __future__ import annotations

from pathlib import Path

PREFIX = "editions-"
COMM_BYTES = 15  # the kernel keeps this much of a name: "editions-braill"


def name_this_process(role: str) -> None:
    """Set this thread's name (a pool worker's only thread: the process's name)."""
    try:
        Path("/proc/thread-self/comm").write_text(f"{PREFIX}{role}"[:COMM_BYTES])
    except OSError:  # not Linux, or /proc unavailable: names are only a nicety
        pass


def role_named(comm: str, roles: tuple[str, ...]) -> str:
    """Return the role a process named *comm* has: one of *roles* if the kernel cut
    the name short ("braill" is braille), else what follows the prefix."""
    role = comm[len(PREFIX) :]
    if len(comm) < COMM_BYTES:
        return role
    return next((r for r in roles if r.startswith(role)), role)
