"""Encoded chapter → what it measures decoded: loudness, true peak, offset, length.

A chapter is judged by what a listener hears, so each encoding is decoded (in the
worker, `av_codec.decode`; one at a time: one decoded copy of the chapter in memory)
and measured. The true peak needs no second oversampled pass: it is bounded from the
master's own peak bounds plus the codec's error, and only hops whose bound nears the
limit are oversampled (`decoded_peak`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from mutagen.mp3 import MP3
from numpy.typing import NDArray

from editions.audio.encode import Scaled
from editions.audio.levels import HOP, RATE, neighbours_max
from editions.audio.measure import (
    MAX_TRUE_PEAK,
    PEAK_CONTEXT,
    gated_loudness,
    hop_peaks,
    loudness_blocks,
    oversampling_gain,
)

PEAK_MARGIN = 0.1  # dB each decoded file must stay under the −3 dBTP limit
MP3_FRAME = 1152  # samples per MPEG-1 Layer III frame
_ERROR_BLOCK = HOP * 24_000  # samples of codec error measured at a time (4 MB)


@dataclass(frozen=True)
class Encoded:
    """One encoded chapter and what its decoded samples measure."""

    path: Path
    lufs: float
    true_peak: float  # dBTP: exact when over the limit, else a bound under it
    offset: int  # samples the decoded file lags the master (priming left in)
    length: int  # decoded samples
    coded: int  # samples the coded frames hold (decoders drop gapless padding)


def verify(
    path: Path,
    decoded: NDArray[np.float32],
    probe: NDArray[np.float32],
    at: int,
    master: tuple[NDArray[np.float32] | Scaled, NDArray[np.float64]],
    blocks_to: Path | None,
) -> Encoded:
    """Measure a decoded chapter: loudness, true peak and its offset.

    *master* is what was encoded and its per-hop peak bounds. With *blocks_to*,
    the loudness blocks are kept there (`mp3-blocks.npy`).
    """
    blocks = loudness_blocks(decoded, RATE)
    if blocks_to is not None:
        np.save(blocks_to / "mp3-blocks.npy", blocks)
    offset = find(probe, decoded, at)
    return Encoded(
        path=path,
        lufs=gated_loudness(blocks),
        true_peak=decoded_peak(decoded, offset, *master),
        offset=offset,
        length=len(decoded),
        coded=_coded_samples(path, len(decoded)),
    )


def decoded_peak(
    decoded: NDArray[np.float32],
    offset: int,
    master: NDArray[np.float32] | Scaled,
    bounds: NDArray[np.float64],
) -> float:
    """Return the decoded file's true peak in dBTP: exact where it nears the limit.

    Oversampling is linear, so around each 1 ms hop the decoded file's peaks are at
    most the master's there (*bounds*, already scaled for this codec) plus the
    oversampler's gain times the codec's largest error nearby (decoded − master,
    aligned by *offset*). Only hops whose bound is over the limit are oversampled
    (a whole pass per codec cost more than all the rest of the measuring). So
    the answer is exact when the file is over the limit, and otherwise a bound
    under it: all the re-mastering decision needs. The codec's error is taken a
    block of hops at a time: no whole-chapter copy (issue 22's 4 GB).
    """
    length = len(master.samples if isinstance(master, Scaled) else master)
    first = -(-max(0, offset) // HOP) * HOP  # master sample 0, on a hop boundary
    at = first - offset  # where the decoded file starts on that timeline
    end = max(at + len(decoded), first + length)
    count = -(-end // HOP)
    largest = np.empty(count, dtype=np.float32)  # each hop's largest |error|
    for lo in range(0, count * HOP, _ERROR_BLOCK):
        hi = min(count * HOP, lo + _ERROR_BLOCK)
        error = np.zeros(hi - lo, dtype=np.float32)
        a, b = max(lo, at), min(hi, at + len(decoded))
        if a < b:
            error[a - lo : b - lo] = decoded[a - at : b - at]
        a, b = max(lo, first), min(hi, first + length)
        if a < b:
            error[a - lo : b - lo] -= (
                master.part(a - first, b - first)
                if isinstance(master, Scaled)
                else master[a - first : b - first]
            )
        largest[lo // HOP : hi // HOP] = np.abs(error).reshape(-1, HOP).max(axis=1)
    near = neighbours_max(largest)  # type: ignore[arg-type]
    peaks = np.zeros(count, dtype=np.float64)
    peaks[first // HOP : first // HOP + len(bounds)] = bounds
    bound = peaks * (1 + 1e-6) + oversampling_gain() * near * (1 + 1e-5)
    over = bound > 10 ** ((MAX_TRUE_PEAK - PEAK_MARGIN) / 20)
    if over.any():
        bound[over] = _timeline_peaks(decoded, at, over)[over]
    peak = float(bound.max())
    return float(20 * np.log10(peak)) if peak > 0 else float("-inf")


def _timeline_peaks(
    decoded: NDArray[np.float32], at: int, over: NDArray[np.bool_]
) -> NDArray[np.float32]:
    """Return `hop_peaks` of the flagged hops of *decoded* placed at *at* on a
    timeline of `len(over)` hops, a block at a time (no copy of the chapter).

    Each block is laid out with the resampler's context either side, so its peaks
    are the numbers one pass over the whole timeline gives (`hop_peaks`).
    """
    count = len(over)
    peaks = np.zeros(count, dtype=np.float32)
    step, margin = _ERROR_BLOCK // HOP, -(-PEAK_CONTEXT // HOP)
    for h0 in range(0, count, step):
        h1 = min(count, h0 + step)
        if not over[h0:h1].any():
            continue
        g0, g1 = max(0, h0 - margin), min(count, h1 + margin)
        local = np.zeros((g1 - g0) * HOP, dtype=np.float32)
        a, b = max(g0 * HOP, at), min(g1 * HOP, at + len(decoded))
        if a < b:
            local[a - g0 * HOP : b - g0 * HOP] = decoded[a - at : b - at]
        flags = np.zeros(g1 - g0, dtype=bool)
        flags[h0 - g0 : h1 - g0] = over[h0:h1]
        peaks[h0:h1] = hop_peaks(local, HOP, only=flags)[h0 - g0 : h1 - g0]
    return peaks


def _coded_samples(path: Path, decoded: int) -> int:
    """Return the samples in the coded frames: what a chapter adds to a joined book.

    An MP3's gapless header lets decoders drop the encoder's delay and padding,
    which return where chapters are joined; mutagen counts its frames. ADTS has
    no such header: every coded sample is decoded.
    """
    if path.suffix != ".mp3":
        return decoded
    info = MP3(path).info
    coded = round(info.length * info.sample_rate)
    if not 0 < coded - decoded < 3 * MP3_FRAME:
        raise RuntimeError(f"{path}: {coded} coded samples for {decoded} decoded")
    return coded


def find(probe: NDArray[np.float32], audio: NDArray[np.float32], at: int) -> int:
    """Return how far (±0.1 s) *probe* lies in *audio* after sample *at*."""
    search = RATE // 10
    lo = max(0, at - search)
    window = audio[lo : at + len(probe) + search]
    from scipy.signal import correlate  # not at import: see `measure`

    score = correlate(window, probe, mode="valid", method="fft")
    return int(np.argmax(score)) + lo - at
