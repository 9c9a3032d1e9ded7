"""A silent engine for quick tests of the script and timings (never for release)."""

from __future__ import annotations

import numpy as np

from editions.audio.engine import Speech

WORDS_PER_SECOND = 2.5


class NullEngine:
    """Return quiet noise as long as the text would take to say."""

    name = "null"
    parallel = False

    def cache_key(self) -> str:
        """There are no settings."""
        return "null"

    def speak(self, text: str) -> Speech:
        """Return quiet noise of a plausible length (silence fails loudness)."""
        rate = 22050
        seconds = max(0.3, len(text.split()) / WORDS_PER_SECOND)
        generator = np.random.default_rng(len(text))
        samples = generator.normal(0, 0.05, int(rate * seconds)).astype(np.float32)
        return Speech(samples, rate)
