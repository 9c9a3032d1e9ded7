"""A silent engine for quick tests of the script and timings (never for release)."""

from __future__ import annotations

import numpy as np

from editions.audio.engine import Speech

WORDS_PER_SECOND = 2.5
SMOOTHING = 0.9  # the low-pass pole: -3 dB near 370 Hz at 22.05 kHz


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
        noise = generator.normal(0, 1.0, int(rate * seconds))
        # Speech-like: most energy low (a one-pole low-pass), so the codecs treat it
        # as they treat a voice; white noise made every chapter encode twice.
        from scipy.signal import lfilter  # not at import: see `measure`

        samples = lfilter([1.0], [1.0, -SMOOTHING], noise)
        samples *= 0.05 / max(float(np.std(samples)), 1e-9)
        return Speech(samples.astype(np.float32), rate)
