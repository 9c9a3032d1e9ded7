"""Synthesis: cached per sentence, so a rebuild speaks only what changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from editions.audio.cache import SentenceCache
from editions.audio.synth import synthesise

TEXTS = ["The first sentence.", "The second sentence.", "The first sentence."]


def test_rebuild_synthesises_only_what_changed(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    speech, made = synthesise(TEXTS, "null", tmp_path, lambda d, t: seen.append((d, t)))
    assert made == 2 and len(speech) == 2 and len(SentenceCache(tmp_path)) == 2
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)  # progress, start to end

    again, made = synthesise(TEXTS, "null", tmp_path)
    assert made == 0
    for text, first in speech.items():
        assert np.array_equal(again[text].samples, first.samples)

    edited = [TEXTS[0], "The second sentence, edited."]
    _, made = synthesise(edited, "null", tmp_path)
    assert made == 1 and len(SentenceCache(tmp_path)) == 3
