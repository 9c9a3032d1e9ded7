"""Predicted naturalness (DNSMOS): the default voice passes, formant speech is flagged.

Twelve seconds of the same sentences from hibari "heart" and from espeak-ng, scored
as two chapter files: the calibration the CHK060 threshold rests on, kept cheap.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.io import wavfile

from editions.audio.synth import make_engine
from editions.checks import naturalness

TEXT = [
    "Low-dose naltrexone is a small daily dose of an old medicine.",
    "Some people with long-term pain say that it helps them sleep and move.",
    "Talk with your doctor before you start or stop any medicine.",
    "Most people take it at night, with a glass of water.",
]


def _chapter(engine: str, folder: Path) -> Path:
    speaker = make_engine(engine, "en-US")
    parts = []
    for text in TEXT:
        speech = speaker.speak(text)
        parts.append(speech.samples)
        parts.append(np.zeros(speech.sample_rate // 3, dtype=np.float32))
    path = folder / f"{engine}.wav"
    wavfile.write(path, speech.sample_rate, np.concatenate(parts))
    return path


def test_dnsmos_tells_the_default_voice_from_formant_speech(tmp_path: Path) -> None:
    files = [_chapter("hibari", tmp_path), _chapter("espeak", tmp_path)]
    scored = naturalness.measure(files, ["heart", "espeak"])
    heart, espeak = scored
    print(f"\nP.808: heart {heart.p808:.2f}, espeak-ng {espeak.p808:.2f}")
    assert heart.p808 >= naturalness.MIN_P808 > espeak.p808
    assert heart.p808 - espeak.p808 >= 0.5
    assert all(1.0 <= s.p808 <= 5.0 and s.windows >= 1 for s in scored)
    flagged = naturalness.findings(scored, tmp_path)
    assert [(f.code, f.where.path.name) for f in flagged] == [("CHK060", "espeak.wav")]
