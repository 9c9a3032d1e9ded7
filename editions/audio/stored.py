"""A cached sentence's speech, read from its cache file only when it is used.

A book is hours of speech: 300,000 words is about 39 hours, which as float32 at
24 kHz is 13 GB, far over issue 22's 4 GB for the whole build. So synthesis
hands the mastering `StoredSpeech`: the cache entry's path, rate and length. Each
chapter master (one worker per core) reads its own sentences' samples, and they are
freed with the chapter; nothing holds the whole book. It quacks like `Speech`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Largest stored sample: symmetric, so a sign flip never overflows.
FULL_SCALE = 32767


def to_stored(samples: NDArray[np.floating[Any]]) -> dict[str, NDArray[Any]]:
    """Return *samples* as 16-bit integers and the scale that gives them back.

    Half the disk of float32 (the full book's cache measured 6.4 GB, not 12.8).
    The scale is each entry's own peak, so nothing clips and quiet speech keeps
    its 16 bits (96 dB under the peak, far below the encoders' own noise).
    """
    values = np.asarray(samples, dtype=np.float32)
    if not np.isfinite(values).all():  # NaN would be stored as silence
        raise ValueError("the speech engine returned samples that are not numbers")
    peak = float(np.abs(values).max()) if len(values) else 0.0
    scale = np.float32(peak / FULL_SCALE if peak > 0 else 1.0)
    whole = np.clip(np.rint(values / scale), -FULL_SCALE, FULL_SCALE)
    return {"samples": whole.astype(np.int16), "scale": scale}


def from_stored(data: Mapping[str, NDArray[Any]]) -> NDArray[np.float32]:
    """Return the float32 samples of a stored entry (`to_stored`'s arrays)."""
    samples = np.asarray(data["samples"])
    if samples.dtype != np.int16:
        raise ValueError(f"samples stored as {samples.dtype}, not int16")
    scale = np.float32(data["scale"])
    return samples.astype(np.float32) * scale


class StoredSpeech:
    """Mono speech kept in a `SentenceCache` entry (an .npz file, `to_stored`)."""

    __slots__ = ("length", "path", "sample_rate")

    def __init__(self, path: Path, sample_rate: int, length: int) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.length = length

    @property
    def samples(self) -> NDArray[np.float32]:
        """Read the samples now (each use reads the file: nothing is kept)."""
        with np.load(self.path, allow_pickle=False) as data:
            return from_stored(data)

    @property
    def seconds(self) -> float:
        """Duration in seconds, known without reading the samples."""
        return self.length / self.sample_rate
