"""Staged writes: an output appears complete or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Yield a scratch path beside *target*; it replaces *target* only on success.

    The scratch name carries this process's pid: a process that outlived its
    parent (a PDF layout forked by a killed cluster worker) writes its own file,
    never the one the retry is writing. Each still replaces *target* whole.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        yield scratch
        scratch.replace(target)  # atomic on one filesystem: no reader sees half a file
    finally:
        scratch.unlink(missing_ok=True)


def write_text(target: Path, text: str) -> Path:
    """Write *text* as UTF-8 through a staged file."""
    with staged(target) as scratch:
        scratch.write_text(text, encoding="utf-8")
    return target


def write_bytes(target: Path, data: bytes) -> Path:
    """Write *data* through a staged file."""
    with staged(target) as scratch:
        scratch.write_bytes(data)
    return target
