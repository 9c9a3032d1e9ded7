"""Damaged cache entries (speech, chapter masters) are found and made again."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from editions.audio.cache import SentenceCache
from editions.audio.chapter_master import ChapterSound, _damage, chapter_master
from editions.audio.measure import decode
from editions.audio.null_engine import NullEngine
from editions.audio.synth import synthesise
from editions.programs import ffmpeg_exe

TEXTS = ["Take the pill at night.", "Drink a glass of water with it.", "Keep a diary."]


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_a_sample_byte(path: Path) -> None:
    """Alter one byte of the stored samples (the zip's CRC-32 must notice)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("samples.npy").file_size > len(data) * 0.9
    data[len(data) // 2] ^= 0x40  # the samples fill the middle of the file
    path.write_bytes(bytes(data))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _not_numbers(path: Path) -> None:
    """A well-formed entry whose samples no engine makes (its scale is NaN)."""
    buffer = io.BytesIO()
    samples = np.ones(100, np.int16)
    np.savez(buffer, samples=samples, scale=np.float32(np.nan), sample_rate=22050)
    path.write_bytes(buffer.getvalue())


def _two_channels(path: Path) -> None:
    buffer = io.BytesIO()
    samples = np.zeros((2, 100), np.int16)
    np.savez(buffer, samples=samples, scale=np.float32(1), sample_rate=22050)
    path.write_bytes(buffer.getvalue())


def _float_samples(path: Path) -> None:
    """The old float32 format under a new name: not read as if it were int16."""
    buffer = io.BytesIO()
    np.savez(buffer, samples=np.zeros(100, np.float32), sample_rate=22050)
    path.write_bytes(buffer.getvalue())


def _no_scale(path: Path) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, samples=np.zeros(100, np.int16), sample_rate=22050)
    path.write_bytes(buffer.getvalue())


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "a flipped byte": _flip_a_sample_byte,
    "empty": _empty,
    "not numbers": _not_numbers,
    "two channels": _two_channels,
    "float samples": _float_samples,
    "no scale": _no_scale,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_speech_is_synthesised_again(
    damage: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first, made = synthesise(TEXTS, "null", tmp_path)
    assert made == len(TEXTS)
    entry = SentenceCache(tmp_path).path(("null", TEXTS[1]))
    DAMAGE[damage](entry)

    with caplog.at_level(logging.WARNING):
        again, made = synthesise(TEXTS, "null", tmp_path)

    assert made == 1  # only the damaged one
    assert f"{entry}: warning AUD030: damaged speech cache entry" in caplog.text
    for text in TEXTS:
        assert np.array_equal(again[text].samples, first[text].samples)
    assert SentenceCache(tmp_path).get(("null", TEXTS[1])) is not None


def _sound() -> ChapterSound:
    engine = NullEngine()
    speech = tuple(engine.speak(text) for text in TEXTS)
    return ChapterSound(speech, pauses=(0.5, 0.5), lead=0.6, tail=1.1)


@pytest.mark.parametrize(
    "damage",
    ["truncated mp3", "altered aac", "missing probe", "unreadable record"],
)
def test_damaged_chapter_master_is_mastered_again(
    damage: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ffmpeg = ffmpeg_exe()
    made = chapter_master(ffmpeg, _sound(), tmp_path, "t", "salt")
    entry = made.mp3.path.parent
    whole = made.mp3.path.read_bytes()
    if damage == "truncated mp3":
        _truncate(entry / "chapter.mp3")
    elif damage == "altered aac":
        aac = bytearray((entry / "chapter.aac").read_bytes())
        aac[len(aac) // 2] ^= 0x01
        (entry / "chapter.aac").write_bytes(bytes(aac))
    elif damage == "missing probe":
        (entry / "probe.npy").unlink()
    else:
        (entry / "chapter.json").write_text("{", encoding="utf-8")
    assert _damage(entry)

    with caplog.at_level(logging.WARNING):
        again = chapter_master(ffmpeg, _sound(), tmp_path, "t", "salt")

    assert f"{entry}: warning AUD031: damaged chapter master" in caplog.text
    assert again.mp3.path == made.mp3.path
    assert _damage(entry) == ""
    assert len(again.mp3.path.read_bytes()) == len(whole)
    decoded, _ = decode(again.mp3.path)
    assert len(decoded) == again.mp3.length
    assert not list(tmp_path.glob(".*"))  # no scratch folder left


def test_whole_chapter_master_is_reused(tmp_path: Path) -> None:
    ffmpeg = ffmpeg_exe()
    made = chapter_master(ffmpeg, _sound(), tmp_path, "t", "salt")
    stamp = made.mp3.path.stat().st_mtime_ns
    again = chapter_master(ffmpeg, _sound(), tmp_path, "t", "salt")
    assert again == made
    assert again.mp3.path.stat().st_mtime_ns == stamp
