"""The AAC is coded, and both chapter files decoded, in the mastering worker (PyAV).

Mastering decides the chapter's gains from what it decodes here; the checks and
players decode with other decoders (the checks with Debian's ffmpeg). These tests
hold the two to the same samples, and the in-process encoder to what the ffmpeg
command line made before it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from editions import programs
from editions.audio import av_codec, chapter_master, encode
from editions.audio.levels import RATE, master
from editions.audio.measure import decode, integrated_lufs


def _speech_like(seconds: float = 3.0) -> np.ndarray:
    """Seeded tones under a syllable-rate envelope, with noise: speech enough."""
    rng = np.random.default_rng(11)
    t = np.arange(int(seconds * RATE)) / RATE
    voiced = np.sin(2 * np.pi * 160 * t) + 0.4 * np.sin(2 * np.pi * 2100 * t)
    envelope = np.clip(np.sin(2 * np.pi * 2.3 * t), 0, None) ** 2
    signal = 0.3 * voiced * envelope + 0.01 * rng.standard_normal(len(t))
    return master(signal.astype(np.float32), -18.0, -4.5).samples


def test_an_aac_coded_in_process_decodes_as_debian_ffmpeg_decodes_it(
    tmp_path: Path,
) -> None:
    samples = _speech_like()
    aac = tmp_path / "chapter.aac"
    av_codec.encode_aac(encode.Scaled(samples, np.float32(1.0)), aac, 12_000)
    ours = av_codec.decode(aac)
    theirs, rate = decode(aac, RATE)
    assert rate == RATE and len(ours) == len(theirs)
    assert float(np.abs(ours - theirs).max()) < 1e-5
    # ADTS keeps the encoder's priming (1024 samples) and pads to whole frames.
    assert len(samples) + 1024 <= len(ours) < len(samples) + 3 * 1024
    coded = ours[1024 : 1024 + len(samples)]
    assert integrated_lufs(coded, RATE) == pytest.approx(
        integrated_lufs(samples, RATE), abs=0.3
    )
    assert aac.read_bytes()[:2] == b"\xff\xf1"  # ADTS sync word, MPEG-4, no CRC


def test_the_aac_options_are_the_command_lines(tmp_path: Path) -> None:
    """The same encoder settings as `ffmpeg -c:a aac …`: the bitrate and the band."""
    samples = _speech_like()
    ours = tmp_path / "ours.aac"
    av_codec.encode_aac(encode.Scaled(samples, np.float32(1.0)), ours, 12_000)
    theirs = tmp_path / "theirs.aac"
    wav = tmp_path / "master.f32"
    wav.write_bytes(samples.astype("<f4").tobytes())
    options = [a for k, v in encode.aac_options(12_000).items() for a in (f"-{k}", v)]
    encode.run_all([[
        programs.ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "f32le",
        "-ar", str(RATE), "-ac", "1", "-i", str(wav), "-c:a", "aac", *options,
        "-b:a", encode.AAC_BITRATE, "-f", "adts", str(theirs),
    ]])  # fmt: skip
    sizes = ours.stat().st_size, theirs.stat().st_size
    assert abs(sizes[0] - sizes[1]) / sizes[1] < 0.05, sizes  # 96 kb/s both

    def high_band(path: Path) -> float:
        decoded, _ = decode(path, RATE)
        spectrum = np.abs(np.fft.rfft(decoded)) ** 2
        freqs = np.fft.rfftfreq(len(decoded), 1 / RATE)
        return float(spectrum[freqs > 13_000].sum() / spectrum.sum())

    assert high_band(ours) < 1e-4 and high_band(theirs) < 1e-4  # cut at 12 kHz


def test_an_mp3_decodes_in_process_to_debian_ffmpeg_s_samples(tmp_path: Path) -> None:
    """Gapless too: the encoder's delay and padding are dropped as ffmpeg drops
    them, so a chapter's offset and length are what the joined book has."""
    samples = _speech_like()
    mp3 = tmp_path / "chapter.mp3"
    ffmpeg = programs.ffmpeg_exe()
    encode.run_all([encode.mp3_command(ffmpeg, None, mp3)], [samples])
    theirs, _ = decode(mp3, RATE)
    assert np.array_equal(av_codec.decode(mp3), theirs)


class _StopsAfterFirstBlock(encode.Scaled):
    """Samples whose reader sets *stop* once the first block is handed over."""

    def __init__(self, samples: np.ndarray, stop: threading.Event) -> None:
        super().__init__(samples, np.float32(1.0))
        object.__setattr__(self, "stop", stop)
        object.__setattr__(self, "handed", 0)

    def blocks(self):  # type: ignore[no-untyped-def]
        for start, block in super().blocks():
            object.__setattr__(self, "handed", self.handed + 1)
            yield start, block
            self.stop.set()  # type: ignore[attr-defined]


def test_a_stopped_encoder_ends_between_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encode, "_BLOCK", RATE // 2)
    stop = threading.Event()
    samples = _StopsAfterFirstBlock(_speech_like(), stop)
    with pytest.raises(av_codec.Stopped):
        av_codec.encode_aac(samples, tmp_path / "a.aac", 0, stop)
    assert samples.handed == 2  # the second block was not encoded: it stopped


def _waiting_aac(seen: list[bool]):  # type: ignore[no-untyped-def]
    """An AAC encoder that runs until it is told to stop (at most 20 s)."""

    def encode_aac(samples, target, cutoff, stop):  # type: ignore[no-untyped-def]
        seen.append(stop.wait(20))
        raise av_codec.Stopped("stopped")

    return encode_aac


def test_an_mp3_that_fails_stops_the_aac_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(av_codec, "encode_aac", _waiting_aac(seen))
    scaled = encode.Scaled(_speech_like(0.5), np.float32(1.0))
    targets = {"mp3": tmp_path / "a.mp3", "aac": tmp_path / "a.aac"}
    with pytest.raises(RuntimeError, match="failed"):
        chapter_master._encode_both(
            "/bin/false", {"mp3": scaled, "aac": scaled}, targets, 12_000
        )
    assert seen == [True]  # told to stop, and ended before `_encode_both` returned


def test_a_signal_while_waiting_for_the_aac_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C reaches a mastering worker as KeyboardInterrupt, perhaps after its
    MP3 is done: the AAC thread must not go on coding the rest of the chapter."""
    seen: list[bool] = []
    monkeypatch.setattr(av_codec, "encode_aac", _waiting_aac(seen))
    monkeypatch.setattr(chapter_master, "run_all", lambda *_: None)  # MP3 done
    scaled = encode.Scaled(_speech_like(0.5), np.float32(1.0))
    targets = {"mp3": tmp_path / "a.mp3", "aac": tmp_path / "a.aac"}
    # As in a mastering worker, whatever this test process inherited (a shell
    # running it in the background ignores SIGINT).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    ctrl_c = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    ctrl_c.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            chapter_master._encode_both(
                "ffmpeg", {"mp3": scaled, "aac": scaled}, targets, 12_000
            )
    finally:
        ctrl_c.cancel()
        signal.signal(signal.SIGINT, previous)
    assert seen == [True]


def test_the_build_process_leaves_pyav_to_the_mastering_workers() -> None:
    """The main process imports the audio edition but never codes audio: loading
    PyAV's libraries there would delay the start of every build."""
    code = (
        "import sys, editions.build, editions.audio.premaster, editions.audio.master;"
        "from editions.audio import av_codec; av_codec.version();"
        "print(sorted(m for m in ('av', 'scipy.signal') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_decoding_refuses_a_file_that_is_not_a_mono_chapter(tmp_path: Path) -> None:
    stereo = tmp_path / "stereo.mp3"
    tone = np.sin(np.arange(RATE) / 10).astype("<f4")
    raw = tmp_path / "tone.f32"
    raw.write_bytes(np.repeat(tone, 2).tobytes())
    encode.run_all([[
        programs.ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "f32le",
        "-ar", str(RATE), "-ac", "2", "-i", str(raw), "-f", "mp3", str(stereo),
    ]])  # fmt: skip
    with pytest.raises(RuntimeError, match="2 channels"):
        av_codec.decode(stereo)


def test_the_chapter_cache_names_the_aac_encoder() -> None:
    from editions.audio.master import chapter_salt

    assert chapter_salt("ffmpeg").endswith(f"|{av_codec.version()}")
    assert av_codec.version().startswith("av ")
