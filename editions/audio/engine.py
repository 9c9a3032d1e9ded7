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


#: An online engine's failures (gTTS) live here, not beside it: the build tells
#: them from bugs on every audio build, and importing `gtts_engine` for that
#: (requests, gtts) cost every offline build 0.06 s of main-process CPU.
class SpeechServiceError(RuntimeError):
    """The speech service answered, but not with audio we can use (bad request)."""


class SpeechServiceUnavailable(SpeechServiceError):
    """The speech service could not be reached or kept failing after every retry."""

    def __init__(self, url: str, what: str, attempts: int) -> None:
        self.url = url
        self.what = what
        self.attempts = attempts
        super().__init__(
            f"The gTTS service at {url} could not be reached: {what} "
            f"(gave up after {attempts} attempt(s)). Sentences already synthesised "
            "are cached, so re-running the same command resumes where it stopped. "
            "To build without the network, use an offline voice: --tts auto "
            "(the default, hibari) or --tts piper."
        )
