"""Synthesis: cached per sentence, so a rebuild speaks only what changed."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from editions.audio import synth
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


def test_forked_workers_speak_with_the_voice_this_process_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hibari's voice is loaded once, here, and the synthesis workers fork with it
    (they used to load it each, 0.6 CPU-s apiece); they speak the same bytes as a
    voice loaded on its own."""
    import hibari

    loaded_in = tmp_path / "voices-loaded-in"
    real = hibari.Hibari.__init__

    def counted(self: object, *args: object, **kwargs: object) -> None:
        with loaded_in.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hibari.Hibari, "__init__", counted)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    texts = ["Take one tablet at night.", "Drink water with it.", "Ask a pharmacist."]
    forked, made = synth.synthesise(texts, "hibari", tmp_path / "forked")
    assert made == 3
    assert loaded_in.read_text(encoding="utf-8").split() == [str(os.getpid())]

    alone: dict[str, np.ndarray] = {}
    for text in texts:  # one sentence each: spoken in a thread, its own voice
        spoken, _ = synth.synthesise([text], "hibari", tmp_path / "alone")
        alone[text] = spoken[text].samples
    for text in texts:
        assert np.array_equal(forked[text].samples, alone[text]), text
