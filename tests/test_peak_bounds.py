"""Mastering measures true peaks without oversampling every decoded file.

The master's per-hop peak bounds come from the limiter's own numbers, and a
decoded file's peak is bounded by the master's plus the codec's error; only hops
whose bound nears the limit are oversampled. These tests check the bounds are
never under the exact peaks, are tight enough to be useful, and that the exact
peak is what decides when a file is over the limit.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.io import wavfile

from editions import programs
from editions.audio import av_codec, encode
from editions.audio.levels import HOP, RATE, master, neighbours_max
from editions.audio.measure import (
    MAX_TRUE_PEAK,
    decode,
    hop_peaks,
    oversampling_gain,
    true_peak_db,
)
from editions.audio.verify import PEAK_MARGIN, decoded_peak

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


def _peaks_one_call_per_run(
    samples: NDArray[np.float32], hop: int, only: NDArray[np.bool_]
) -> NDArray[np.float32]:
    """The reference: each run of flagged hops oversampled by a call of its own."""
    from editions.audio.measure import _GAP, _OVERSAMPLE, _PAD, _runs, resample

    out = np.zeros(-(-len(samples) // hop), dtype=np.float32)
    for first, end in _runs(only, -(-_GAP // hop), max(1, (1 << 20) // hop)):
        start, stop = first * hop, min(len(samples), end * hop)
        lo, hi = max(0, start - _PAD), min(len(samples), stop + _PAD)
        up = np.abs(resample(samples[lo:hi], _OVERSAMPLE, 1))
        up = up[(start - lo) * _OVERSAMPLE : (stop - lo) * _OVERSAMPLE]
        count = -(-(stop - start) // hop)
        up = np.pad(up, (0, count * hop * _OVERSAMPLE - len(up)))
        out[first : first + count] = up.reshape(count, -1).max(axis=1)
    return out


@pytest.mark.parametrize("hop", [HOP, 1000])
def test_runs_oversampled_together_give_each_run_s_own_peaks(hop: int) -> None:
    """Thousands of runs share a few oversampling calls: the numbers stay the same.

    Three batches or more, a part hop at the end, the first and last hops flagged,
    runs of every length, and long gaps (separate runs).
    """
    rng = np.random.default_rng(hop)
    samples = rng.standard_normal(2 * (1 << 20) + 13).astype(np.float32)
    flags = rng.random(-(-len(samples) // hop)) < 0.2
    flags[100:400] = False
    flags[len(flags) // 2 : len(flags) // 2 + 300] = True
    flags[[0, -1]] = True
    some = hop_peaks(samples, hop, only=flags)
    assert np.array_equal(some, _peaks_one_call_per_run(samples, hop, flags))
    full = hop_peaks(samples, hop)
    assert np.array_equal(some[flags], full[flags])


def test_hop_peaks_are_scipy_s_oversampled_peaks() -> None:
    """Against `resample_poly` itself: each hop's peak lines up with its samples."""
    from scipy.signal import resample_poly

    samples = np.random.default_rng(4).standard_normal(50 * HOP + 7).astype(np.float32)
    up = np.abs(resample_poly(samples.astype(np.float64), 4, 1))
    up = np.pad(up, (0, 51 * HOP * 4 - len(up)))
    expected = up.reshape(51, -1).max(axis=1)
    assert np.allclose(hop_peaks(samples, HOP), expected, rtol=1e-5, atol=1e-6)
    flags = np.zeros(51, dtype=bool)
    flags[[0, 20, 50]] = True
    assert np.allclose(hop_peaks(samples, HOP, only=flags)[flags], expected[flags])


def test_the_mp3_encoder_reads_the_master_from_a_pipe_as_from_a_wav(
    tmp_path: Path,
) -> None:
    ffmpeg = programs.ffmpeg_exe()
    samples = master(_speech_like(2.0), -18.0, -4.5).samples
    wav = tmp_path / "master.wav"
    wavfile.write(wav, RATE, samples)
    files = {name: tmp_path / name for name in ("a.mp3", "b.mp3")}
    encode.run_all([encode.mp3_command(ffmpeg, wav, files["a.mp3"])])
    encode.run_all([encode.mp3_command(ffmpeg, None, files["b.mp3"])], [samples])
    assert files["a.mp3"].read_bytes() == files["b.mp3"].read_bytes()
    alone, _ = decode(files["b.mp3"], RATE)
    assert np.array_equal(av_codec.decode(files["b.mp3"]), alone)


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
    decoded = av_codec.decode(files[1])
    offset = 1105  # LAME's delay, as `verify.find` finds it
    bounds = mastered.peak_bounds * float(gain)
    assert decoded_peak(decoded, offset, scaled, bounds) == decoded_peak(
        decoded, offset, whole, bounds
    )


def _whole_pass_peak(
    decoded: np.ndarray, offset: int, master_: np.ndarray, bounds: np.ndarray
) -> float:
    """The decoded peak from whole-chapter arrays: what the blocks must equal."""
    first = -(-max(0, offset) // HOP) * HOP
    at = first - offset
    count = -(-max(at + len(decoded), first + len(master_)) // HOP)
    error = np.zeros(count * HOP, dtype=np.float32)
    error[at : at + len(decoded)] = decoded
    error[first : first + len(master_)] -= master_
    near = neighbours_max(np.abs(error).reshape(count, HOP).max(axis=1))
    peaks = np.zeros(count, dtype=np.float64)
    peaks[first // HOP : first // HOP + len(bounds)] = bounds
    bound = peaks * (1 + 1e-6) + oversampling_gain() * near * (1 + 1e-5)
    over = bound > 10 ** (LIMIT / 20)
    timeline = np.zeros(count * HOP, dtype=np.float32)
    timeline[at : at + len(decoded)] = decoded
    bound[over] = hop_peaks(timeline, HOP, only=over)[over]
    return float(20 * np.log10(bound.max()))


@pytest.mark.parametrize("offset", [1105, 0, -300])
def test_the_decoded_peak_taken_in_blocks_is_the_whole_pass(
    offset: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: the codec error and the oversampled hops, a block at a time."""
    from editions.audio import verify

    monkeypatch.setattr(verify, "_ERROR_BLOCK", HOP * 97)  # many short blocks
    mastered = master(_speech_like(), -18.0, -4.5)
    samples, bounds = mastered.samples, mastered.peak_bounds
    noise = np.random.default_rng(3).standard_normal(len(samples) + 2000) * 1e-3
    delayed = np.concatenate([np.zeros(max(0, offset), np.float32), samples])
    found = []
    for db in (0.0, 3.0):  # under the limit, and over it (hops oversampled)
        gain = np.float32(10 ** (db / 20))
        decoded = (delayed * gain + noise[: len(delayed)]).astype(np.float32)
        whole = _whole_pass_peak(decoded, offset, samples * gain, bounds * gain)
        scaled = encode.Scaled(samples, gain)
        assert decoded_peak(decoded, offset, scaled, bounds * gain) == whole
        assert decoded_peak(decoded, offset, samples * gain, bounds * gain) == whole
        found.append(whole)
    assert found[1] > LIMIT  # the exact, oversampled path was taken


@pytest.mark.parametrize("at", [0, 17, 300])
def test_hops_oversampled_block_by_block_are_those_of_one_timeline(
    at: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from editions.audio import verify

    monkeypatch.setattr(verify, "_ERROR_BLOCK", HOP * 97)
    decoded = _speech_like(2.0)
    count = -(-(at + len(decoded)) // HOP) + 3
    over = np.random.default_rng(11).random(count) < 0.3
    timeline = np.zeros(count * HOP, dtype=np.float32)
    timeline[at : at + len(decoded)] = decoded
    expected = hop_peaks(timeline, HOP, only=over)[over]
    got = verify._timeline_peaks(decoded, at, over)[over]
    assert expected.max() > 0 and np.array_equal(got, expected)


def test_each_hops_largest_sample_taken_in_blocks_is_exact() -> None:
    from editions.audio import levels

    speech = np.random.default_rng(2).standard_normal(2 * levels._BLOCK + 1001)
    speech = speech.astype(np.float32)  # three blocks, and a part hop at the end
    whole = len(speech) // HOP
    largest = levels._largest(speech)
    assert len(largest) == whole + 1
    expected = np.abs(speech[: whole * HOP]).reshape(whole, HOP).max(axis=1)
    assert np.array_equal(largest[:whole], expected)
    assert largest[-1] == np.abs(speech[whole * HOP :]).max()


@pytest.mark.parametrize("length", [5, HOP, 3 * HOP + 7, 2 * (1 << 20) + 1001])
def test_the_gain_ramped_hop_by_hop_is_np_interp_between_centres(length: int) -> None:
    from editions.audio import levels

    rng = np.random.default_rng(length)
    speech = rng.standard_normal(length).astype(np.float32)
    curve = 10 ** (rng.uniform(-12, 0, -(-length // HOP)) / 20)
    centres = (np.arange(len(curve)) + 0.5) * HOP
    gain = np.interp(np.arange(length), centres, curve).astype(np.float32)
    got = levels._apply_gain(speech, curve)
    assert np.allclose(got, speech * gain, rtol=1e-6, atol=0)
    assert np.mean(got == speech * gain) > 0.999  # the same float32, bar rounding


def test_a_gain_flat_for_most_hops_is_ramped_only_where_it_moves() -> None:
    """Mostly unlimited speech: flat stretches and a few dips. The numbers are
    those of ramping every hop (the formula before flat hops were skipped)."""
    from editions.audio import levels

    length = 2 * (1 << 20) + 1001
    speech = np.random.default_rng(9).standard_normal(length).astype(np.float32)
    curve = np.full(-(-length // HOP), 0.8)
    for dip in (0, 7, 5000, 30000, len(curve) - 3):
        curve[dip : dip + 3] = [0.7, 0.5, 0.75]
    first = HOP // 2
    ramp = np.arange(HOP) / HOP
    rise = curve[1:] - curve[:-1]
    gain = (curve[:-1, None] + rise[:, None] * ramp).astype(np.float32).ravel()
    expected = np.empty_like(speech)
    expected[:first] = speech[:first] * np.float32(curve[0])
    body = speech[first : first + len(gain)]
    expected[first : first + len(body)] = body * gain[: len(body)]
    expected[first + len(gain) :] = speech[first + len(gain) :] * np.float32(curve[-1])
    assert np.array_equal(levels._apply_gain(speech, curve), expected)


def test_a_second_encode_lays_the_chapter_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layout is dropped while encoding (issue 22); a miss lays it out again."""
    import json

    from editions.audio import chapter_master
    from editions.audio.engine import Speech

    laid: list[int] = []
    real_layout = chapter_master.layout

    def layout(sound: chapter_master.ChapterSound) -> tuple[np.ndarray, tuple]:
        samples, spans = real_layout(sound)
        laid.append(len(samples))
        return samples, spans

    monkeypatch.setattr(chapter_master, "layout", layout)
    # The MP3 is first made 2 dB too loud, so its decoded file misses −18 LUFS.
    monkeypatch.setitem(chapter_master.CODEC_GAIN_DB, "mp3", 2.0)
    speech = Speech(_speech_like(4.0), RATE)
    sound = chapter_master.ChapterSound((speech, speech), (0.5,), 0.6, 2.0)
    chapter_master._make(programs.ffmpeg_exe(), sound, tmp_path)
    assert len(laid) == 2 and laid[0] == laid[1]
    record = json.loads((tmp_path / "chapter.json").read_text(encoding="utf-8"))
    assert record["length"] == laid[0]
    assert abs(record["mp3"]["lufs"] + 18) <= chapter_master.LUFS_ACCEPT


def test_a_decoder_writing_whole_buffers_gives_the_same_samples(tmp_path: Path) -> None:
    """`-flush_packets 0` changes how ffmpeg writes to the pipe, not what: the
    checks' decoder gives the bytes of a decoder that flushes each frame."""
    ffmpeg = programs.ffmpeg_exe()
    mp3 = tmp_path / "a.mp3"
    speech = master(_speech_like(2.0), -18, -4.5).samples
    encode.run_all([encode.mp3_command(ffmpeg, None, mp3)], [speech])
    flushed = subprocess.run(
        [ffmpeg, "-loglevel", "error", "-i", str(mp3), "-map", "0:a:0", "-ac", "1",
         "-ar", str(RATE), "-f", "f32le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert len(flushed) > 4 * RATE
    assert decode(mp3, RATE)[0].tobytes() == flushed
