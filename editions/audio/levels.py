"""Loudness and peaks of a master (standards §4a, §7.7): gain, limiter, room tone.

The master is levelled to a loudness target with true peaks held under a ceiling,
then seeded noise is mixed in so that pauses are room tone, never digital zeros.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from editions.audio.measure import (
    gated_loudness,
    hop_peaks,
    k_weighted_energy,
    oversampling_gain,
    oversampling_reach,
)

RATE = 44100
ROOM_TONE_DBFS = -70.0
NOISE_SEED = 0x5EED_A0D1  # fixed: the same script gives byte-identical audio
MAX_LIMITING = 12.0  # dB of gain beyond plain normalisation the search may try

HOP = 44  # 1 ms limiter resolution (and of the master's peak bounds); even
_HOP = HOP
_HOLD = 5  # hops a gain reduction is held either side of a peak
_SMOOTH = 3  # hops of smoothing; must be < _HOLD so peaks stay under the ceiling
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Mastered:
    """A master and, per 1 ms hop, a bound its 4x-oversampled peaks stay under."""

    samples: NDArray[np.float32]
    peak_bounds: NDArray[np.float64]  # one per HOP samples, linear

    @property
    def true_peak(self) -> float:
        """Return a bound on the master's true peak (linear)."""
        return float(self.peak_bounds.max()) if len(self.peak_bounds) else 0.0


def master_signal(
    speech: NDArray[np.float32], target: float, ceiling: float
) -> NDArray[np.float32]:
    """Return speech at *target* LUFS, true peaks under *ceiling*, plus room tone."""
    return master(speech, target, ceiling).samples


def master(speech: NDArray[np.float32], target: float, ceiling: float) -> Mastered:
    """Like `master_signal`, with the master's per-hop true-peak bounds.

    The limiter already oversampled the speech hop by hop; the master is that
    speech times a slow gain plus room tone, so its peaks are bounded from those
    numbers (`_master_peak_bounds`) without oversampling the master again.
    """
    peaks, curve = _levelled(speech, target, ceiling)
    samples = _apply_gain(speech, curve)
    noise = add_room_tone(samples)
    return Mastered(samples, _master_peak_bounds(speech, peaks, curve, noise))


def level(
    speech: NDArray[np.float32], target: float, ceiling: float
) -> NDArray[np.float32]:
    """Return speech gained and limited so that it lands on *target* LUFS."""
    return _apply_gain(speech, _levelled(speech, target, ceiling)[1])


def _levelled(
    speech: NDArray[np.float32], target: float, ceiling: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return each hop's true peak and the gain curve that lands on *target* LUFS.

    Limiting takes loudness away as the gain rises, so a plain gain step undershoots;
    steps are divided by the measured slope (secant), kept within [0.1, 1]. Peaks
    scale with the gain and K-weighting commutes with a slow gain, so each trial
    costs array arithmetic on 1 ms hops, not a pass over the samples.
    """
    energy = k_weighted_energy(speech, RATE, _HOP)
    before = _gated_loudness(energy)
    if not np.isfinite(before):
        raise ValueError("the speech is silent; nothing to master")
    peaks = _Peaks(speech, ceiling)
    gain, slope, last = target - before, 1.0, None
    for _ in range(20):
        scaled = peaks.at(gain) * 10 ** (gain / 20)
        curve = 10 ** (gain / 20) * _limiter_gain(scaled, ceiling)
        got = _gated_loudness(energy * curve**2)
        if abs(got - target) <= 0.01:
            break
        if last is not None and abs(gain - last[0]) > 1e-9:
            slope = min(1.0, max(0.1, (got - last[1]) / (gain - last[0])))
        last = (gain, got)
        gain = min(gain + (target - got) / slope, target - before + MAX_LIMITING)
    return peaks.values, curve


class _Peaks:
    """Each hop's true peak, oversampled only where the limiter could act.

    A hop whose bound (its largest nearby sample times `oversampling_gain`) stays
    under the ceiling at a trial gain needs no limiting whatever its exact peak,
    so the limiter's curve is the same with the bound in its place; only hops
    above it are oversampled, once each (about a third, in speech).
    """

    def __init__(self, speech: NDArray[np.float32], ceiling: float) -> None:
        self.speech = speech
        self.limit = 10 ** (ceiling / 20) * (1 - 1e-6)  # a hair under: rounding
        self.values = neighbours_max(_largest(speech)) * oversampling_gain() * 1.00001
        self.exact = np.zeros(len(self.values), dtype=bool)

    def at(self, gain: float) -> NDArray[np.float64]:
        """Return peaks, exact for each hop *gain* (dB) may lift to the ceiling."""
        wanted = ~self.exact & (self.values * 10 ** (gain / 20) > self.limit)
        if wanted.any():
            measured = hop_peaks(self.speech, _HOP, only=wanted)
            self.values[wanted] = measured[wanted]
            self.exact |= wanted
        return self.values


def _largest(speech: NDArray[np.float32]) -> NDArray[np.float64]:
    """Return the largest |sample| of every hop (a block at a time: no |copy|)."""
    count = -(-len(speech) // _HOP)
    largest = np.zeros(count, dtype=np.float64)
    whole = len(speech) // _HOP
    step = _BLOCK // _HOP
    for first in range(0, whole, step):
        end = min(whole, first + step)
        block = np.abs(speech[first * _HOP : end * _HOP])
        largest[first:end] = block.reshape(end - first, -1).max(axis=1)
    if whole < count:
        largest[whole] = np.abs(speech[whole * _HOP :]).max()
    return largest


def _master_peak_bounds(
    speech: NDArray[np.float32],
    peaks: NDArray[np.float64],
    curve: NDArray[np.float64],
    noise: float,
) -> NDArray[np.float64]:
    """Bound the master's oversampled peaks per hop from the speech's own.

    A master sample is speech times a gain interpolated between hop centres, plus
    room tone. An oversampled value at time t is the gain at t times the speech's
    oversampled value there (at most its hop's peak), plus what the gain's change
    across the filter adds: at most its slope × `oversampling_reach` × the
    largest speech sample nearby. Room tone adds at most the filter's gain × its
    largest sample.
    """
    padded = np.pad(curve, 2, mode="edge")  # np.interp holds the end values
    at = np.lib.stride_tricks.sliding_window_view(padded[1:-1], 3).max(axis=1)
    steps = np.abs(np.diff(padded))  # between centres k-2 … k+2: the hops reached
    slope = np.lib.stride_tricks.sliding_window_view(steps, 4).max(axis=1) / _HOP
    near = neighbours_max(_largest(speech))
    bound = at * peaks + slope * oversampling_reach() * near
    bound += oversampling_gain() * noise
    return bound * (1 + 1e-5)  # float32 rounding of the gain and the filter


def neighbours_max(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return each value's maximum with the ones either side of it."""
    near = values.copy()
    near[1:] = np.maximum(near[1:], values[:-1])
    near[:-1] = np.maximum(near[:-1], values[1:])
    return near


def _gated_loudness(energy: NDArray[np.float64]) -> float:
    """Return BS.1770 gated loudness from per-hop energies (400 ms blocks, 75 %)."""
    step = 100  # hops ≈ 100 ms
    count = len(energy) // step
    if count < 4:
        power = energy.sum() / max(1, len(energy) * _HOP)
        return float(-0.691 + 10 * np.log10(power)) if power > 0 else float("-inf")
    segments = energy[: count * step].reshape(count, step).sum(axis=1)
    blocks = np.convolve(segments, np.ones(4), mode="valid") / (4 * step * _HOP)
    return gated_loudness(blocks)


def _limiter_gain(peaks: NDArray[np.float64], ceiling: float) -> NDArray[np.float64]:
    """Return a per-hop gain that pulls true peaks under *ceiling* (look-ahead).

    The gain needed per 1 ms hop is held ±5 ms and then averaged ±3 ms, so it never
    rises above what any peak needs and is steady across a pitch period.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d  # see `measure`

    need = np.minimum(1.0, 10 ** (ceiling / 20) / np.maximum(peaks, 1e-12))
    held = minimum_filter1d(need, 2 * _HOLD + 1, mode="nearest")
    return uniform_filter1d(held, 2 * _SMOOTH + 1, mode="nearest")


def _apply_gain(
    speech: NDArray[np.float32], curve: NDArray[np.float64]
) -> NDArray[np.float32]:
    """Return *speech* times the per-hop gain, interpolated between hop centres.

    The numbers `np.interp` gives, made a hop at a time: between two centres the
    gain is a straight line, so each hop's ramp is one row of a broadcast, with no
    search for where each sample falls (a third of the time on a long chapter).
    Most hops are never limited, so their gain is flat: only hops whose gain moves
    are ramped (the same numbers: a flat ramp adds zero).
    """
    out = np.empty_like(speech)
    first = _HOP // 2  # hop k's centre is sample k·HOP + HOP/2 (HOP is even)
    last = (len(curve) - 1) * _HOP + first
    out[:first] = speech[:first] * np.float32(curve[0])  # before the first centre
    ramp = np.arange(_HOP) / _HOP
    step = _BLOCK // _HOP
    for k in range(0, len(curve) - 1, step):
        end = min(len(curve) - 1, k + step)  # ramps from centre k to centre end
        start, stop = k * _HOP + first, min(len(speech), end * _HOP + first)
        rise = curve[k + 1 : end + 1] - curve[k:end]
        gain = np.empty((end - k, _HOP), dtype=np.float32)
        gain[:] = curve[k:end, None]
        moving = np.flatnonzero(rise)
        gain[moving] = curve[k + moving, None] + rise[moving, None] * ramp
        out[start:stop] = speech[start:stop] * gain.ravel()[: stop - start]
    out[last:] = speech[last:] * np.float32(curve[-1])  # after the last centre
    return out


def add_room_tone(samples: NDArray[np.float32]) -> float:
    """Mix seeded noise at −70 dBFS RMS under everything: room tone, never zeros.

    Return the largest noise sample's size (for `_master_peak_bounds`).
    """
    level = np.float32(10 ** (ROOM_TONE_DBFS / 20))
    largest = 0.0
    for start, noise in _seeded_noise(len(samples)):
        tone = noise * level
        samples[start : start + len(tone)] += tone
        largest = max(largest, float(np.max(np.abs(tone))))
    return largest


#: Noise blocks drawn once per worker (32 MB: about three minutes of room tone).
NOISE_KEPT_BLOCKS = 8
_kept: list[NDArray[np.float32]] = []


def _seeded_noise(length: int) -> Iterator[tuple[int, NDArray[np.float32]]]:
    """Yield (start, block) of *length* samples of seeded noise.

    Every master starts the same sequence, drawn once per worker, and a longer
    master repeats it: room tone 70 dB down with a three-minute period is as
    unnoticeable as fresh noise, and drawing fresh noise was a tenth of a long
    chapter's mastering time.
    """
    if not _kept:
        rng = np.random.default_rng(NOISE_SEED)
        _kept.extend(
            rng.standard_normal(_BLOCK, np.float32) for _ in range(NOISE_KEPT_BLOCKS)
        )
    for index, start in enumerate(range(0, length, _BLOCK)):
        stop = min(length, start + _BLOCK)
        yield start, _kept[index % NOISE_KEPT_BLOCKS][: stop - start]
