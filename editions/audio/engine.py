"""The interface every speech engine implements, so the audio edition can swap them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Speech:
    """Mono float32 samples in [-1, 1] at *sample_rate*."""

    samples: NDArray[np.float32]
    sample_rate: int

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return len(self.samples) / self.sample_rate


class Engine(Protocol):
    """A text-to-speech engine.

    `cache_key` must change whenever the same text would sound different (engine, voice,
    speed, any setting), because the per-sentence cache is keyed by text plus this.
    """

    name: str

    def cache_key(self) -> str:
        """Name the engine, the voice and every setting that shapes the output."""
        ...

    def speak(self, text: str) -> Speech:
        """Synthesise *text* (one sentence, already normalised for speech)."""
        ...
