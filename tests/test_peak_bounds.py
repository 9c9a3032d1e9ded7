"""Mastering measures true peaks without oversampling every decoded file.

The master's per-hop peak bounds come from the limiter's own numbers, and a
decoded file's peak is bounded by the master's plus the codec's error; only hops
whose bound nears the limit are oversampled. These tests check the bounds are
never under the exact peaks, are tight enough to be useful, and that the exact
peak is what decides when a file is over the limit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile

from editions import programs
from editions.audio import encode
from editions.audio.levels import HOP, RATE, master
from editions.audio.measure import MAX_TRUE_PEAK, decode, hop_peaks, true_peak_db
from editions.audio.verify import PEAK_MARGIN, decode_all, decoded_peak

LIMIT = MAX_TRUE_PEAK - PEAK_MARGIN


def _speech_like(seconds: float = 6.0) -> np.ndarray:
    """Seeded bursts of tones and noise with pauses and a few sharp peaks."""
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * RATE)) / RATE
    voiced = np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 2300 * t + 1)
    envelope = np.clip(np.sin(2 * np.pi * 1.7 * t), 0, None) ** 2
    signal = 0.2 * voiced * envelope + 0.02 * rng.standard_normal(len(t))
    signal[rng.integers(0, len(t), 40)] += 0.9  # clicks the limiter must catch
    return signal.astype(np.float32)


def test_master_peak_bounds_hold_and_are_tight() -> None:
    mastered = master(_speech_like(), -18.0, -4.5)
    exact = hop_peaks(mastered.samples, HOP).astype(np.float64)
    assert len(mastered.peak_bounds) == len(exact)
    assert (mastered.peak_bounds >= exact).all()
    slack = 20 * np.log10(mastered.true_peak / exact.max())
    assert 0 <= slack < 0.5, slack  # useful: close to the exact peak


def test_decoded_peak_is_a_bound_under_the_limit_or_exact_over_it() -> None:
    mastered = master(_speech_like(), -18.0, -4.5)
    samples, bounds = mastered.samples, mastered.peak_bounds
    codec_error = np.random.default_rng(3).standard_normal(len(samples)) * 1e-3
    decoded = (samples + codec_error).astype(np.float32)
    under = decoded_peak(decoded, 0, samples, bounds)
    assert true_peak_db(decoded) <= under <= LIMIT
    # A priming delay, found as the offset, gives the same answer.
    delayed = np.concatenate([np.zeros(1024, np.float32), decoded])
    assert abs(decoded_peak(delayed, 1024, samples, bounds) - under) < 1e-9
    # Over the limit (here 3 dB too loud): the exact peak decides.
    loud = (decoded * np.float32(10 ** (3 / 20))).astype(np.float32)
    over = decoded_peak(loud, 0, samples, bounds)
    assert over > LIMIT
    assert abs(over - true_peak_db(loud)) < 1e-4


def test_peaks_of_some_hops_are_those_of_a_whole_pass() -> None:
    samples = _speech_like(3.0)
    full = hop_peaks(samples, HOP)
    flags = np.random.default_rng(5).random(len(full)) < 0.03
    some = hop_peaks(samples, HOP, only=flags)
    assert np.array_equal(some[flags], full[flags])
    rest = some[~flags]  # hops between close flagged ones are measured too
    assert ((rest == 0) | (rest == full[~flags])).all()
    assert (rest == 0).any()


def test_encoders_read_the_master_from_a_pipe_as_from_a_wav(tmp_path: Path) -> None:
    ffmpeg = programs.ffmpeg_exe()
    samples = master(_speech_like(2.0), -18.0, -4.5).samples
    wav = tmp_path / "master.wav"
    wavfile.write(wav, RATE, samples)
    files = {name: tmp_path / name for name in ("a.mp3", "a.aac", "b.mp3", "b.aac")}
    encode.run_all([
        encode.mp3_command(ffmpeg, wav, files["a.mp3"]),
        encode.aac_command(ffmpeg, wav, files["a.aac"]),
    ])  # fmt: skip
    encode.run_all(
        [encode.mp3_command(ffmpeg, None, files["b.mp3"]),
         encode.aac_command(ffmpeg, None, files["b.aac"])],
        [samples, samples],
    )  # fmt: skip
    assert files["a.mp3"].read_bytes() == files["b.mp3"].read_bytes()
    assert files["a.aac"].read_bytes() == files["b.aac"].read_bytes()
    decoded = decode_all(ffmpeg, {"mp3": files["b.mp3"], "aac": files["b.aac"]})
    for codec in ("mp3", "aac"):
        alone, _ = decode(files[f"b.{codec}"], RATE)
        assert np.array_equal(decoded[codec], alone)


def test_a_master_scaled_block_by_block_is_the_whole_scaled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: no scaled copy of a chapter per codec, the same bytes encoded."""
    monkeypatch.setattr(encode, "_BLOCK", 10_000)  # many blocks, and a short last
    mastered = master(_speech_like(2.0), -18.0, -4.5)
    gain = np.float32(10 ** (0.265 / 20))
    whole = mastered.samples * gain
    scaled = encode.Scaled(mastered.samples, gain)
    blocks = list(scaled.blocks())
    assert len(blocks) > 2 and len(blocks[-1][1]) < 10_000
    assert [start for start, _ in blocks] == list(range(0, len(whole), 10_000))
    assert np.array_equal(np.concatenate([b for _, b in blocks]), whole)
    ffmpeg = programs.ffmpeg_exe()
    files = [tmp_path / "whole.mp3", tmp_path / "blocks.mp3"]
    encode.run_all(
        [encode.mp3_command(ffmpeg, None, f) for f in files], [whole, scaled]
    )
    assert files[0].read_bytes() == files[1].read_bytes()
    decoded = decode_all(ffmpeg, {"mp3": files[1]})["mp3"]
    offset = 1105  # LAME's delay, as `verify.find` finds it
    bounds = mastered.peak_bounds * float(gain)
    assert decoded_peak(decoded, offset, scaled, bounds) == decoded_peak(
        decoded, offset, whole, bounds
    )
