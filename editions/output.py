"""Staged writes: an output appears complete or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Yield a scratch path beside *target*; it replaces *target* only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f".{target.name}.part")
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
