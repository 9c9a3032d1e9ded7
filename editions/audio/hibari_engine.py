"""hibari-tts, the offline default engine: text → misaki phonemes → 24 kHz speech.

Our normaliser has already said numbers, dates and doses the way the speech script
shows them, so hibari's G2P runs with its own normaliser off (it would read dates
US-style) and the model speaks those phonemes: the script is what is heard. Words
the lexicon pronounces in IPA are handed over as phonemes, inline in misaki's
`[word](/phonemes/)` form. The noise component is seeded, and onnxruntime runs on a
fixed thread count (part of the cache key), so the same text gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from importlib.metadata import version
from typing import Any

import numpy as np

from editions.audio.engine import Speech
from editions.audio.pronounce import Pronunciations, substitute
from editions.audio.voices import hibari_weights
from editions.errors import MissingProgram

#: Durations are divided by this. 1.0 reads the main article at about 154 words a
#: minute of speech but 139 with the script's pauses (standards §4e: 140–160);
#: 1.08 lands the book near 150 with every chapter inside 120–180.
SPEED = 1.08
SEED = 0  # the model's noise component: fixed, so a sentence always sounds the same
#: Phonemes the model reads at once; longer sentences are split at clause marks
#: (hibari's own limit for its 12.5 ms-frame position range).
MAX_PHONEMES = 400
_CLAUSE = re.compile(r"(?<=[,;:—])\s+")


class HibariEngine:
    """Speak with a hibari voice in-process; one ONNX thread per worker by default."""

    name = "hibari"
    parallel = True

    def __init__(
        self,
        voice: str = "heart",
        speed: float = SPEED,
        threads: int = 1,
        pronunciations: Pronunciations = (),
    ) -> None:
        self.voice = voice
        self.speed = speed
        self.threads = threads
        self.pronunciations = tuple(pronunciations)  # spoken form → misaki

    def cache_key(self) -> str:
        """Name engine, version, voice weights, speed, seed, threads, lexicon."""
        weights = hibari_weights(self.voice)
        if weights is None:
            raise MissingProgram(
                f"The hibari voice {self.voice!r}", "pip install hibari-tts==0.2.1"
            )
        lexicon = hashlib.sha256(repr(self.pronunciations).encode()).hexdigest()[:12]
        return (
            f"hibari-{version('hibari-tts')}:{self.voice}:{weights.stat().st_size}:"
            f"speed={self.speed}:seed={SEED}:threads={self.threads}:lex={lexicon}"
        )

    @cached_property
    def _tts(self) -> Any:
        try:
            from hibari import Hibari
        except ImportError as err:
            raise MissingProgram("hibari-tts", "pip install hibari-tts==0.2.1") from err
        return Hibari(voice=self.voice, threads=self.threads)

    def load(self) -> None:
        """Load the voice and the G2P's lexicons now (about 0.6 CPU-s), so that
        synthesis workers forked after this inherit them (`synth.synthesise`)."""
        self.phonemes("Ready.")

    def with_lexicon(self, text: str) -> str:
        """Return *text* with each lexicon word marked up with its phonemes."""
        return substitute(text, self.pronunciations, lambda w, p: f"[{w}](/{p}/)")

    def phonemes(self, text: str) -> list[str]:
        """Return the phoneme chunks hibari will speak, its normaliser off."""
        said = self._tts.g2p(self.with_lexicon(text), normalize_text=False)
        if len(said) <= MAX_PHONEMES:
            return [said] if said.strip() else []
        chunks, current = [], ""
        for part in _CLAUSE.split(said):
            if current and len(current) + len(part) + 1 > MAX_PHONEMES:
                chunks.append(current)
                current = part
            else:
                current = f"{current} {part}" if current else part
        return [*chunks, current] if current else chunks

    def speak(self, text: str) -> Speech:
        """Synthesise one sentence from its phonemes, seeded."""
        rate = int(self._tts.sample_rate)
        parts = [
            self._tts.from_phonemes(chunk, speed=self.speed, seed=SEED)
            for chunk in self.phonemes(text)
        ]
        parts = [p for p in parts if len(p)]
        if not parts:
            return Speech(np.zeros(int(rate * 0.2), dtype=np.float32), rate)
        return Speech(np.concatenate(parts).astype(np.float32), rate)
