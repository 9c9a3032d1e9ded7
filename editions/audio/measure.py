"""Decoded audio → loudness, true peak and levels (ITU-R BS.1770, standards §7.7).

The renderer masters to these measures and the checks verify the shipped files
with them, so both live with the renderer: `editions.checks.audio` imports them,
never the other way round (a checker's edit must not re-master the audio).
Everything is measured on the *decoded* file, because encoding changes peaks and
loudness; the master in memory is not what a listener hears.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from functools import cache
from math import gcd
from pathlib import Path
from typing import IO

import mutagen
import numpy as np
from numpy.typing import NDArray

from editions.programs import ffmpeg_exe

# scipy.signal and pyloudnorm are imported where they are used: loading them costs
# about 0.7 s, which a build's main process would otherwise pay before it can
# start speaking (the mastering fork server loads them meanwhile: `workers`).

#: The loudness profile of standards §7.7 that masters aim at and checks verify.
TARGET_LUFS = -18.0
MAX_TRUE_PEAK = -3.0
SAMPLE_RATE = 44100

_OVERSAMPLE = 4
_BLOCK = 1 << 20  # samples per block: about 8 MB of float64 at a time
_PAD = 32  # input samples either side of a block: covers the resampling filter
PEAK_CONTEXT = _PAD  # samples either side a hop's oversampled peak depends on
_GAP = 1024  # samples between measured hops worth oversampling through (one call)
#: ffmpeg flushes a pipe after every decoded frame (4 KB), waking the reader each
#: time; unflushed, it writes its whole 32 KB buffer: less CPU on both sides.
WHOLE_WRITES = ("-flush_packets", "0")


def decode(
    path: Path, sample_rate: int | None = None
) -> tuple[NDArray[np.float32], int]:
    """Decode *path* to mono float32 as a player would (encoder delay removed).

    The samples are read from ffmpeg's pipe straight into one array sized from the
    file's duration: collecting the pipe as bytes and converting would hold the
    audio twice (a 15-minute book is 160 MB per copy).
    """
    rate = sample_rate or _probe_rate(path)
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path)]
    cmd += ["-map", "0:a:0", "-ac", "1", "-ar", str(rate), *WHOLE_WRITES]
    cmd += ["-f", "f32le", "-"]
    expected = round((header_seconds(path) + 1.0) * rate)
    with tempfile.TemporaryFile() as errors:
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors) as proc:
            assert proc.stdout is not None
            samples = read_floats(proc.stdout, expected)
        if proc.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            raise RuntimeError(f"ffmpeg could not decode {path}: {message}")
    return samples, rate


def header_seconds(path: Path) -> float:
    """Return the duration mutagen reads from the headers (0 if it cannot)."""
    try:
        info = mutagen.File(path)
    except mutagen.MutagenError:
        return 0.0
    return float(getattr(getattr(info, "info", None), "length", 0.0) or 0.0)


def read_floats(stream: IO[bytes], expected: int) -> NDArray[np.float32]:
    """Read little-endian float32 samples into one array, growing it if needed."""
    out = np.empty(max(expected, 1 << 16), dtype="<f4")
    view, filled = memoryview(out).cast("B"), 0
    while True:
        if filled == len(view):
            grown = np.empty(2 * len(out), dtype="<f4")
            grown[: len(out)] = out
            out, view = grown, memoryview(grown).cast("B")
        got = stream.readinto(view[filled:])  # type: ignore[attr-defined]
        if not got:
            break
        filled += got
    del view
    count = filled // 4
    if count < len(out) // 2:
        return out[:count].copy()  # a copy frees the unused tail
    return out[:count]


def _probe_rate(path: Path) -> int:
    """Return the file's own sample rate so decoding does not resample it."""
    try:
        info = getattr(mutagen.File(path), "info", None)
    except mutagen.MutagenError:
        info = None
    rate = getattr(info, "sample_rate", None)
    return int(rate) if rate else SAMPLE_RATE


def hop_peaks(
    samples: NDArray[np.float32],
    hop: int,
    only: NDArray[np.bool_] | None = None,
) -> NDArray[np.float32]:
    """Return the 4x-oversampled peak of every *hop* samples.

    Blocks of about a million input samples keep memory flat whatever *hop* is:
    oversampling a whole book at once would need gigabytes. With *only* (one flag
    per hop), just the flagged hops are measured (and those in short gaps between
    them; the others stay 0): each run is oversampled with the same context as a
    whole pass, so its peaks are the same numbers.
    """
    n_hops = -(-len(samples) // hop)
    out = np.zeros(n_hops, dtype=np.float32)
    block_hops = max(1, _BLOCK // hop)
    if only is None:
        runs = [(f, min(n_hops, f + block_hops)) for f in range(0, n_hops, block_hops)]
    else:
        runs = _runs(only, -(-_GAP // hop), block_hops)
    for batch in _batches(runs, hop, _BLOCK):
        _measure_batch(samples, hop, batch, out)
    return out


def _batches(
    runs: list[tuple[int, int]], hop: int, size: int
) -> Iterator[list[tuple[int, int]]]:
    """Group consecutive *runs* into batches of at most *size* input samples (or
    one run, if it alone is longer): memory stays flat, as with one block."""
    batch: list[tuple[int, int]] = []
    held = 0
    for run in runs:
        cost = (run[1] - run[0]) * hop + 3 * _PAD  # context either side, zeros
        if batch and held + cost > size:
            yield batch
            batch, held = [], 0
        batch.append(run)
        held += cost
    if batch:
        yield batch


def _measure_batch(
    samples: NDArray[np.float32],
    hop: int,
    runs: list[tuple[int, int]],
    out: NDArray[np.float32],
) -> None:
    """Oversample *runs* in one call: each with its own context, zeros between.

    A speech chapter has thousands of short runs; oversampled one call each, the
    calls' overhead cost more than the filtering. Each run is laid out with the
    samples a call of its own would see (`_PAD` of context either side covers the
    filter's reach), so its peaks are the same numbers.
    """
    pieces: list[NDArray[np.float32]] = []
    marks: list[NDArray[np.int64]] = []  # in the joined input: hop starts, run end
    hops: list[NDArray[np.int64]] = []
    at = 0
    gap = np.zeros(_PAD, np.float32)
    for first, end in runs:
        start, stop = first * hop, min(len(samples), end * hop)
        lo, hi = max(0, start - _PAD), min(len(samples), stop + _PAD)
        # The zeros after each run keep its end mark inside the oversampled array
        # (`reduceat` takes no index past the end), and stand for the zeros a
        # call of its own would see beyond the signal's ends.
        pieces += [samples[lo:hi], gap]
        begin = at + start - lo
        count = -(-(stop - start) // hop)
        marks.append(np.append(begin + hop * np.arange(count), begin + stop - start))
        hops.append(np.arange(first, first + count))
        at += hi - lo + _PAD
    up = _oversample(np.concatenate(pieces).astype(np.float32, copy=False))
    np.abs(up, out=up)
    where = np.concatenate(marks) * _OVERSAMPLE
    largest = np.maximum.reduceat(up, where)
    is_hop = np.ones(len(where), dtype=bool)
    is_hop[np.cumsum([len(m) for m in marks]) - 1] = False  # a run's end mark
    out[np.concatenate(hops)] = largest[is_hop]


def _oversample(samples: NDArray[np.float32]) -> NDArray[np.float32]:
    """Return `resample_poly(samples, 4, 1)` (`resample`: its filter made once)."""
    return resample(samples, _OVERSAMPLE, 1)


def resample(samples: NDArray[np.float32], up: int, down: int) -> NDArray[np.float32]:
    """Return `scipy.signal.resample_poly(samples, up, down)` for float32 samples.

    The same filter, padding and trim as scipy's, so the same numbers; but the
    filter is designed once per ratio (scipy designs it on every call, which cost
    more than oversampling a few hops, or than resampling a short sentence).
    """
    common = gcd(up, down)
    up, down = up // common, down // common
    if up == down == 1:
        return samples.copy()
    taps, half = _polyphase_filter(up, down)
    count = len(samples)
    wanted = -(-count * up // down)
    pre = down - half % down
    drop = (half + pre) // down
    post = 0
    while ((count - 1) * up + len(taps) + pre + post - 1) // down + 1 < wanted + drop:
        post += 1
    padded = np.concatenate(
        [np.zeros(pre, np.float32), taps, np.zeros(post, np.float32)]
    )
    from scipy.signal import upfirdn

    return upfirdn(padded, samples, up, down)[drop : drop + wanted]


@cache
def _polyphase_filter(up: int, down: int) -> tuple[NDArray[np.float32], int]:
    """Return resample_poly's default filter for *up*/*down* and its half length."""
    rate = max(up, down)
    half = 10 * rate
    from scipy.signal import firwin

    taps = firwin(2 * half + 1, 1.0 / rate, window=("kaiser", 5.0))
    return taps.astype(np.float32) * np.float32(up), half


def _runs(flags: NDArray[np.bool_], gap: int, longest: int) -> list[tuple[int, int]]:
    """Return (first, end) runs covering the flagged hops; shorter gaps are joined."""
    where = np.flatnonzero(flags)
    if len(where) == 0:
        return []
    breaks = np.flatnonzero(np.diff(where) > gap)
    firsts = [int(where[0]), *(int(where[b + 1]) for b in breaks)]
    ends = [*(int(where[b]) + 1 for b in breaks), int(where[-1]) + 1]
    return [
        (f, min(end, f + longest))
        for first, end in zip(firsts, ends, strict=True)
        for f in range(first, end, longest)
    ]


@cache
def oversampling_gain() -> float:
    """Return the most the true-peak oversampler can lift a signal's largest sample.

    Read from its impulse response: an oversampled value is a sum of input
    samples times one phase's taps, so it is at most the largest |sample| times
    that phase's sum of |taps|.
    """
    return _oversampler()[0]


@cache
def oversampling_reach() -> float:
    """Return the oversampler's taps' |weight| × distance (in input samples), summed.

    An oversampled value of a signal times a gain that changes at most *slope*
    per sample differs from the gain there times the signal's oversampled value
    by at most slope × this × the largest sample it reaches.
    """
    return _oversampler()[1]


def _oversampler() -> tuple[float, float]:
    impulse = np.zeros(4 * _PAD + 1, dtype=np.float64)
    impulse[2 * _PAD] = 1.0
    from scipy.signal import resample_poly

    response = np.abs(resample_poly(impulse, _OVERSAMPLE, 1))
    distance = np.abs(np.arange(len(response)) - 2 * _PAD * _OVERSAMPLE) / _OVERSAMPLE
    phases = [slice(p, None, _OVERSAMPLE) for p in range(_OVERSAMPLE)]
    gain = max(float(response[p].sum()) for p in phases)
    reach = max(float((response[p] * distance[p]).sum()) for p in phases)
    return gain, reach


def true_peak_db(samples: NDArray[np.float32]) -> float:
    """Return the true peak in dBTP (4x oversampling, as BS.1770 prescribes)."""
    if len(samples) == 0:
        return float("-inf")
    peak = float(hop_peaks(samples, 4096).max())
    return float(20.0 * np.log10(peak)) if peak > 0 else float("-inf")


def k_weighted_energy(
    samples: NDArray[np.float32], rate: int, hop: int
) -> NDArray[np.float64]:
    """Return the K-weighted (BS.1770) energy summed over every *hop* samples.

    The filters are pyloudnorm's, as second-order sections run in float32 (half
    the time of float64 `lfilter`; loudness differs by under 0.001 dB) block by
    block with their state carried over: the result equals filtering the whole
    signal at once while memory stays at one block instead of copies of the book.
    """
    from scipy.signal import sosfilt

    sections, gain = _k_weighting(rate)
    state = np.zeros((len(sections), 2), dtype=np.float32)
    out = np.zeros(-(-len(samples) // hop), dtype=np.float64)
    block = max(1, _BLOCK // hop) * hop
    for start in range(0, len(samples), block):
        x, state = sosfilt(sections, samples[start : start + block], zi=state)
        x = x.astype(np.float64)
        x *= gain
        count = -(-len(x) // hop)
        x = np.pad(np.square(x, out=x), (0, count * hop - len(x)))
        first = start // hop
        out[first : first + count] = x.reshape(count, hop).sum(axis=1)
    return out


@cache
def _k_weighting(rate: int) -> tuple[NDArray[np.float32], float]:
    """Return pyloudnorm's K-weighting filters at *rate* as float32 sections."""
    import pyloudnorm
    from scipy.signal import tf2sos

    filters = pyloudnorm.Meter(rate)._filters.values()
    sections = np.vstack([tf2sos(f.b, f.a) for f in filters]).astype(np.float32)
    return sections, float(np.prod([f.passband_gain for f in filters]))


def gated_loudness(block_energy: NDArray[np.float64]) -> float:
    """Return BS.1770 gated loudness from mean-square energies of 400 ms blocks."""
    if len(block_energy) == 0:
        return float("-inf")
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10.0 * np.log10(block_energy)
    kept = block_energy[loudness >= -70.0]
    if len(kept) == 0:
        return float("-inf")
    relative = -0.691 + 10.0 * np.log10(kept.mean()) - 10.0
    kept = block_energy[(loudness >= -70.0) & (loudness > relative)]
    if len(kept) == 0:
        return float("-inf")
    return float(-0.691 + 10.0 * np.log10(kept.mean()))


def integrated_lufs(samples: NDArray[np.float32], rate: int) -> float:
    """Return BS.1770 integrated loudness, -inf for silence.

    The same gating as `pyloudnorm.Meter.integrated_loudness` (400 ms blocks every
    100 ms, absolute and relative gates) on 100 ms energies from
    `k_weighted_energy`, so a whole book is measured in constant memory.
    """
    return gated_loudness(loudness_blocks(samples, rate))


def loudness_blocks(samples: NDArray[np.float32], rate: int) -> NDArray[np.float64]:
    """Return the mean-square K-weighted energy of every 400 ms block (100 ms hop).

    Blocks of parts played one after another can be gated together: that is how
    a book joined from chapters is measured without decoding it again.
    """
    if len(samples) < 0.4 * rate:
        return np.zeros(0, dtype=np.float64)
    step = round(0.1 * rate)
    segments = k_weighted_energy(samples, rate, step)
    count = int(np.round((len(samples) / rate - 0.4) / 0.1)) + 1
    segments = np.pad(segments, (0, max(0, count + 3 - len(segments))))
    blocks = np.convolve(segments, np.ones(4), mode="valid")[:count]
    return blocks / (0.4 * rate)


def frame_levels(
    samples: NDArray[np.float32], rate: int, frame: float
) -> NDArray[np.float64]:
    """Return the RMS level in dBFS of consecutive frames of *frame* seconds."""
    size = max(1, round(rate * frame))
    count = len(samples) // size
    frames = samples[: count * size].reshape(count, size)
    power = np.empty(count, dtype=np.float64)
    rows = max(1, _BLOCK // size)
    for first in range(0, count, rows):
        chunk = frames[first : first + rows].astype(np.float64)
        power[first : first + rows] = np.mean(chunk * chunk, axis=1)
    return 10.0 * np.log10(np.maximum(power, 1e-20))
