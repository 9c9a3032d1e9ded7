"""A cached sentence's speech, read from its cache file only when it is used.

A book is hours of speech: 300,000 words is about 33 hours, which as float32 at
22.05 kHz is 10 GB, far over issue 22's 4 GB for the whole build. So synthesis
hands the mastering `StoredSpeech`: the cache entry's path, rate and length. Each
chapter master (one worker per core) reads its own sentences' samples, and they are
freed with the chapter; nothing holds the whole book. It quacks like `Speech`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray


class StoredSpeech:
    """Mono float32 speech kept in a `SentenceCache` entry (an .npz file)."""

    __slots__ = ("length", "path", "sample_rate")

    def __init__(self, path: Path, sample_rate: int, length: int) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.length = length

    @property
    def samples(self) -> NDArray[np.float32]:
        """Read the samples now (each use reads the file: nothing is kept)."""
        with np.load(self.path, allow_pickle=False) as data:
            return np.asarray(data["samples"], dtype=np.float32)

    @property
    def seconds(self) -> float:
        """Duration in seconds, known without reading the samples."""
        return self.length / self.sample_rate
