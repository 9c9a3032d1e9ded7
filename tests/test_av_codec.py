"""The AAC is coded, and both chapter files decoded, in the mastering worker (PyAV).

Mastering decides the chapter's gains from what it decodes here; the checks and
players decode with other decoders (the checks with Debian's ffmpeg). These tests
hold the two to the same samples, and the in-process encoder to what the ffmpeg
command line made before it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from editions import programs
from editions.audio import av_codec, encode
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


def test_a_stopped_encoder_ends_between_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encode, "_BLOCK", RATE // 2)
    stop = threading.Event()
    stop.set()
    with pytest.raises(av_codec.Stopped):
        av_codec.encode_aac(
            encode.Scaled(_speech_like(), np.float32(1.0)), tmp_path / "a.aac", 0, stop
        )


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
