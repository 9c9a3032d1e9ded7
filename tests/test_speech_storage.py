"""The speech cache stores 16-bit samples scaled to each entry's peak (issue 22).

A book's cache at float32 did not fit this machine's disk beside its editions.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from editions.audio.cache import SentenceCache, speak_cached
from editions.audio.engine import Speech
from editions.audio.stored import FULL_SCALE, from_stored, to_stored

RATE = 24_000


def _speech(peak: float, seconds: float = 1.0) -> Speech:
    rng = np.random.default_rng(7)
    samples = rng.uniform(-1, 1, int(RATE * seconds)).astype(np.float32)
    samples *= np.float32(peak / np.abs(samples).max())
    return Speech(samples, RATE)


@pytest.mark.parametrize("peak", [1.4, 1.0, 0.3, 0.001])
def test_round_trip_is_within_half_a_step_of_the_peak(peak: float) -> None:
    speech = _speech(peak)
    back = from_stored(to_stored(speech.samples))
    assert back.dtype == np.float32
    step = peak / FULL_SCALE
    rounding = 2 * float(np.finfo(np.float32).eps) * peak  # float32's own
    assert np.abs(back - speech.samples).max() <= step / 2 + rounding
    assert np.abs(back).max() == pytest.approx(peak, rel=1e-6)  # nothing clips


def test_silence_and_empty_speech_are_stored() -> None:
    for samples in (np.zeros(100, np.float32), np.zeros(0, np.float32)):
        back = from_stored(to_stored(samples))
        assert np.array_equal(back, samples)


def test_an_entry_takes_half_the_disk_of_float32(tmp_path: Path) -> None:
    speech = _speech(0.8, seconds=10)
    path = SentenceCache(tmp_path).put(("k", "text"), speech)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("samples.npy").file_size < len(speech.samples) * 2 + 200
    assert path.stat().st_size < speech.samples.nbytes * 0.51


class _Counting:
    """An engine that says how often it spoke."""

    spoken = 0

    def cache_key(self) -> str:
        return "counting"

    def speak(self, text: str) -> Speech:
        self.spoken += 1
        return _speech(0.6)


def test_a_miss_returns_what_a_hit_will(tmp_path: Path) -> None:
    engine = _Counting()
    cache = SentenceCache(tmp_path)
    first = speak_cached(engine, cache, "A sentence.")  # type: ignore[arg-type]
    second = speak_cached(engine, cache, "A sentence.")  # type: ignore[arg-type]
    assert engine.spoken == 1
    assert np.array_equal(first.samples, second.samples)


def test_old_float32_entries_are_not_looked_up(tmp_path: Path) -> None:
    """The format is part of each entry's name: an old entry is never found."""
    cache = SentenceCache(tmp_path)
    parts = ("k", "text")
    old_name = hashlib.sha256(json.dumps(list(parts)).encode()).hexdigest()
    np.savez(
        tmp_path / f"{old_name}.npz",
        samples=np.ones(10, np.float32),
        sample_rate=np.int64(RATE),
    )
    assert cache.path(parts).name != f"{old_name}.npz"
    assert cache.get(parts) is None


def test_samples_that_are_not_numbers_are_refused(tmp_path: Path) -> None:
    """NaN cast to int16 would be stored as silence that reads back as good."""
    cache = SentenceCache(tmp_path)
    bad = np.array([0.5, np.nan, -0.25], dtype=np.float32)
    with pytest.raises(ValueError, match="not numbers"):
        cache.put(("k", "text"), Speech(bad, RATE))
    assert list(tmp_path.iterdir()) == []


def test_a_build_deletes_old_float32_entries(tmp_path: Path) -> None:
    """Unread old entries would keep a book's float32 cache (twice the disk)."""
    from editions.audio.synth import synthesise

    old = tmp_path / f"{'ab' * 32}.npz"
    np.savez(old, samples=np.ones(10, np.float32), sample_rate=np.int64(RATE))
    other = tmp_path / "notes.npz"  # not named like an entry: left alone
    other.write_bytes(b"x")
    synthesise(["One sentence."], "null", tmp_path)
    assert not old.exists() and other.exists()
    assert len(SentenceCache(tmp_path)) == 1
    assert SentenceCache(tmp_path).remove_old_format() == 0
