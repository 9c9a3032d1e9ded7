"""espeak-ng as an `Engine`: the offline fallback for languages no neural voice reads.

espeak-ng is formant synthesis: every language it knows, robotic but clear. It is
deterministic (no noise source), so the cache and reproducible EPUBs keep working.
Lexicon words are handed over as espeak phoneme mnemonics inside `[[...]]`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from editions.audio.engine import Speech
from editions.audio.pronounce import Pronunciations, substitute
from editions.errors import MissingProgram

#: espeak-ng's words a minute; standards §4e suggests starting near 150.
WORDS_PER_MINUTE = 150
INSTALL = "apt-get install -y espeak-ng"


def espeak_exe() -> str:
    """Return the espeak-ng program, or say how to install it."""
    found = shutil.which("espeak-ng")
    if not found:
        raise MissingProgram("espeak-ng", INSTALL)
    return found


def espeak_voice(lang: str) -> str:
    """Return the espeak-ng voice for a BCP 47 tag: "en-GB" → "en-gb", "es-ES" → "es".

    The region's own voice when espeak-ng has one, else the language's.
    """
    tag = lang.replace("_", "-").lower()
    listing = subprocess.run(
        [espeak_exe(), "--voices"], capture_output=True, text=True, check=True
    ).stdout
    known = {line.split()[1] for line in listing.splitlines()[1:] if line.split()}
    for candidate in (tag, tag.split("-")[0]):
        if candidate in known:
            return candidate
    raise ValueError(f"espeak-ng has no voice for language {lang!r}")


class EspeakEngine:
    """Speak with the espeak-ng program, one process per sentence."""

    name = "espeak"
    parallel = True

    def __init__(self, lang: str = "en", pronunciations: Pronunciations = ()) -> None:
        self.lang = lang
        self.pronunciations = tuple(pronunciations)  # spoken form → mnemonics

    @cached_property
    def voice(self) -> str:
        """Return the espeak-ng voice name for the article's language."""
        return espeak_voice(self.lang)

    def cache_key(self) -> str:
        """Name the program's version, the voice, the rate and the lexicon."""
        version = subprocess.run(
            [espeak_exe(), "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[3]
        lexicon = repr(self.pronunciations)
        return f"espeak-ng-{version}:{self.voice}:s={WORDS_PER_MINUTE}:lex={lexicon}"

    def with_lexicon(self, text: str) -> str:
        """Return *text* with each lexicon word replaced by `[[phonemes]]`."""
        return substitute(text, self.pronunciations, lambda w, p: f"[[{p}]]")

    def speak(self, text: str) -> Speech:
        """Synthesise one sentence to a WAV file and read it back."""
        with tempfile.TemporaryDirectory(prefix="espeak-") as folder:
            wav = Path(folder) / "s.wav"
            subprocess.run(
                [espeak_exe(), "-v", self.voice, "-s", str(WORDS_PER_MINUTE),
                 "-w", str(wav), "--stdin"],
                input=self.with_lexicon(text).encode(), check=True, capture_output=True,
            )  # fmt: skip
            rate, data = wavfile.read(wav)
        samples = data.astype(np.float32) / 32768.0
        if not len(samples):
            samples = np.zeros(int(rate * 0.2), dtype=np.float32)
        return Speech(samples, int(rate))
