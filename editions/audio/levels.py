"""Loudness and peaks of a master (standards §4a, §7.7): gain, limiter, room tone.

The master is levelled to a loudness target with true peaks held under a ceiling,
then seeded noise is mixed in so that pauses are room tone, never digital zeros.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from editions.audio.measure import gated_loudness, hop_peaks, k_weighted_energy

RATE = 44100
ROOM_TONE_DBFS = -70.0
NOISE_SEED = 0x5EED_A0D1  # fixed: the same script gives byte-identical audio
MAX_LIMITING = 12.0  # dB of gain beyond plain normalisation the search may try

_HOP = 44  # 1 ms limiter resolution
_HOLD = 5  # hops a gain reduction is held either side of a peak
_SMOOTH = 3  # hops of smoothing; must be < _HOLD so peaks stay under the ceiling
_BLOCK = 1 << 20


def master_signal(
    speech: NDArray[np.float32], target: float, ceiling: float
) -> NDArray[np.float32]:
    """Return speech at *target* LUFS, true peaks under *ceiling*, plus room tone."""
    samples = level(speech, target, ceiling)
    add_room_tone(samples)
    return samples


def level(
    speech: NDArray[np.float32], target: float, ceiling: float
) -> NDArray[np.float32]:
    """Return speech gained and limited so that it lands on *target* LUFS.

    Limiting takes loudness away as the gain rises, so a plain gain step undershoots;
    steps are divided by the measured slope (secant), kept within [0.1, 1]. Peaks
    scale with the gain and K-weighting commutes with a slow gain, so each trial
    costs array arithmetic on 1 ms hops, not a pass over the samples.
    """
    peaks = hop_peaks(speech, _HOP).astype(np.float64)
    energy = k_weighted_energy(speech, RATE, _HOP)
    before = _gated_loudness(energy)
    if not np.isfinite(before):
        raise ValueError("the speech is silent; nothing to master")
    gain, slope, last = target - before, 1.0, None
    for _ in range(20):
        curve = 10 ** (gain / 20) * _limiter_gain(peaks * 10 ** (gain / 20), ceiling)
        got = _gated_loudness(energy * curve**2)
        if abs(got - target) <= 0.01:
            break
        if last is not None and abs(gain - last[0]) > 1e-9:
            slope = min(1.0, max(0.1, (got - last[1]) / (gain - last[0])))
        last = (gain, got)
        gain = min(gain + (target - got) / slope, target - before + MAX_LIMITING)
    return _apply_gain(speech, curve)


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
    need = np.minimum(1.0, 10 ** (ceiling / 20) / np.maximum(peaks, 1e-12))
    held = minimum_filter1d(need, 2 * _HOLD + 1, mode="nearest")
    return uniform_filter1d(held, 2 * _SMOOTH + 1, mode="nearest")


def _apply_gain(
    speech: NDArray[np.float32], curve: NDArray[np.float64]
) -> NDArray[np.float32]:
    """Return *speech* times the per-hop gain, interpolated between hop centres."""
    out = np.empty_like(speech)
    centres = (np.arange(len(curve)) + 0.5) * _HOP
    for start in range(0, len(speech), _BLOCK):
        stop = min(len(speech), start + _BLOCK)
        gain = np.interp(np.arange(start, stop), centres, curve).astype(np.float32)
        out[start:stop] = speech[start:stop] * gain
    return out


def add_room_tone(samples: NDArray[np.float32]) -> None:
    """Mix seeded noise at −70 dBFS RMS under everything: room tone, never zeros."""
    rng = np.random.default_rng(NOISE_SEED)
    level = np.float32(10 ** (ROOM_TONE_DBFS / 20))
    for start in range(0, len(samples), _BLOCK):
        stop = min(len(samples), start + _BLOCK)
        samples[start:stop] += rng.standard_normal(stop - start, np.float32) * level
