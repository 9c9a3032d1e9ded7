"""Master the synthesised sentences into the audio edition (standards §4, §7.7).

One book MP3 with ID3 chapters, an M4B with the same chapters, one MP3 per chapter
(ACX wants a file per section), WebVTT captions and a timings JSON. Levels are set
on the master and then verified on each decoded file, because encoding moves peaks.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.io import wavfile
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import correlate, resample_poly

from editions.audio.chapters import (
    FileTags,
    Mark,
    ffmetadata,
    iso639_2,
    slug,
    write_id3,
)
from editions.audio.engine import Speech
from editions.audio.vtt import SentenceTime, timings_json, webvtt
from editions.checks.audio import (
    MAX_TRUE_PEAK,
    TARGET_LUFS,
    decode,
    ffmpeg_exe,
    gated_loudness,
    hop_peaks,
    integrated_lufs,
    k_weighted_energy,
    true_peak_db,
)
from editions.output import staged, write_text

RATE = 44100
HEAD_TONE = 0.75
TAIL_TONE = 2.0
CHAPTER_LEAD = 0.75  # seconds of the gap before a heading that belong to its chapter
ROOM_TONE_DBFS = -70.0
NOISE_SEED = 0x5EED_A0D1  # fixed: the same script gives byte-identical audio
FIRST_CEILING = -3.5  # dBTP on the master; lowered if the decoded MP3 still peaks
#: AAC overshoots the master's peaks by up to ~1.2 dB here (ffmpeg aac, 96 kb/s
#: mono; measured), so the M4B starts from a master limited lower.
FIRST_CEILING_AAC = -4.5
PEAK_MARGIN = 0.1  # dB the decoded MP3 must stay under the −3 dBTP limit
LAME_GAIN_DB = -0.265  # measured: LAME's quantiser returns speech this much quieter
LUFS_AIM = 0.2  # re-encode when the decoded MP3 is further than this from −18
LUFS_ACCEPT = 0.5  # after MAX_ENCODES, accept this far off (the standard allows 1)
MAX_LIMITING = 12.0  # dB of gain beyond plain normalisation the search may try
MAX_ENCODES = 3
MP3_BITRATE = "192k"
M4B_BITRATE = "96k"
TRIM_BELOW_PEAK_DB = -50.0  # cue edges quieter than this are engine silence

_HOP = 44  # 1 ms limiter resolution
_HOLD = 5  # hops a gain reduction is held either side of a peak
_SMOOTH = 3  # hops of smoothing; must be < _HOLD so peaks stay under the ceiling
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Cue:
    """One spoken sentence and the silence that follows it."""

    sentence_id: str
    text: str
    speech: Speech
    pause_after: float


@dataclass(frozen=True)
class Chapter:
    """One section: its heading and its sentences (the heading is usually cue 1)."""

    title: str
    cues: tuple[Cue, ...]


@dataclass(frozen=True)
class Tags:
    """Book-level tags written to every file."""

    title: str
    author: str
    language: str
    year: str


@dataclass(frozen=True)
class AudioEdition:
    """The files written and what was measured on the final MP3."""

    mp3: Path
    m4b: Path
    vtt: Path
    timings: Path
    chapter_files: tuple[Path, ...]
    duration: float
    lufs: float = float("nan")
    true_peak: float = float("nan")
    offset: float = 0.0  # measured MP3 decode delay already applied to the timings


@dataclass(frozen=True)
class _Layout:
    """Speech placed on the 44.1 kHz timeline; gaps are zeros until room tone."""

    samples: NDArray[np.float32]
    cue_spans: tuple[tuple[int, int], ...]
    chapter_starts: tuple[int, ...]
    length: int

    def timings_only(self) -> _Layout:
        """Return the layout without samples: all that crosses back from a worker."""
        return _Layout(
            np.zeros(0, np.float32), self.cue_spans, self.chapter_starts, self.length
        )


@dataclass(frozen=True)
class _Verified:
    """Measurements of an encoded MP3 against its master."""

    lufs: float
    true_peak: float
    offset: int
    length: int


def master(
    chapters: Sequence[Chapter], out_dir: Path, stem: str, tags: Tags
) -> AudioEdition:
    """Write the book MP3, M4B, chapter MP3s, WebVTT and timings into *out_dir*."""
    _validate(chapters, tags)
    ffmpeg = ffmpeg_exe()
    out_dir = Path(out_dir)
    chapter_dir = out_dir / f"{stem}-chapters"
    names = _chapter_names(chapters)
    with tempfile.TemporaryDirectory(prefix="editions-audio-") as scratch_dir:
        tmp = Path(scratch_dir)
        with _pool(len(chapters) + 2) as pool:
            # The two whole-book files first: they are the longest jobs.
            book = pool.submit(_book_mp3, ffmpeg, chapters, out_dir, stem, tags, tmp)
            m4b = pool.submit(
                _m4b_file, ffmpeg, chapters, out_dir / f"{stem}.m4b", tags, tmp
            )
            parts = [
                pool.submit(_chapter_file, ffmpeg, chapter, (n, len(chapters)),
                            chapter_dir / name, tags, tmp)
                for n, (chapter, name) in enumerate(zip(chapters, names, strict=True))
            ]  # fmt: skip
            mp3, layout, verified = book.result()
            m4b_path = m4b.result()
            chapter_files = tuple(_results(parts))
    _remove_stale(chapter_dir, names)
    return _write_timings(
        chapters, layout, verified, mp3, m4b_path, chapter_files, stem
    )


def _pool(tasks: int) -> ProcessPoolExecutor:
    """Return a process pool: the DSP holds the GIL, so threads would not overlap.

    Fork, not spawn: children only run numpy and ffmpeg, and fork does not re-run
    an unguarded `__main__` the way spawn would.
    """
    workers = max(1, min(os.cpu_count() or 1, tasks))
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def _validate(chapters: Sequence[Chapter], tags: Tags) -> None:
    """Fail early, before minutes of encoding, on input that cannot be mastered."""
    if not chapters:
        raise ValueError("the audio edition needs at least one chapter")
    for chapter in chapters:
        if not chapter.cues:
            raise ValueError(f"chapter {chapter.title!r} has no sentences")
        for cue in chapter.cues:
            if cue.speech.samples.ndim != 1 or cue.speech.sample_rate <= 0:
                raise ValueError(f"sentence {cue.sentence_id} is not mono audio")
    iso639_2(tags.language)


def _results(futures: Sequence[Future[Path]]) -> list[Path]:
    """Collect results in order (re-raising the first failure)."""
    return [future.result() for future in futures]


def _chapter_names(chapters: Sequence[Chapter]) -> list[str]:
    """Return `NN-slug.mp3` names; NN is wide enough to keep them sorted."""
    width = max(2, len(str(len(chapters))))
    return [f"{n:0{width}d}-{slug(c.title)}.mp3" for n, c in enumerate(chapters, 1)]


def _remove_stale(chapter_dir: Path, names: Sequence[str]) -> None:
    """Delete chapter files of an earlier build whose headings no longer exist."""
    for old in chapter_dir.glob("[0-9][0-9]*-*.mp3"):
        if old.name not in names:
            old.unlink()


# --- timeline ----------------------------------------------------------------------


def _resampled_length(speech: Speech) -> int:
    """Return the length resample_poly will produce, to preallocate the timeline."""
    up, down = _ratio(speech.sample_rate)
    return -(-len(_trim(speech.samples)) * up // down)


def _ratio(rate: int) -> tuple[int, int]:
    """Return the integer up/down factors from *rate* to 44.1 kHz."""
    common = gcd(RATE, rate)
    return RATE // common, rate // common


def _trim(samples: NDArray[np.float32]) -> NDArray[np.float32]:
    """Cut the engine's leading/trailing near-silence so pauses are what was asked."""
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak == 0.0:
        return samples
    loud = np.flatnonzero(np.abs(samples) >= peak * 10 ** (TRIM_BELOW_PEAK_DB / 20))
    return samples[max(0, loud[0] - 1) : loud[-1] + 2]


def _speech_at_rate(speech: Speech) -> NDArray[np.float32]:
    """Resample one sentence to 44.1 kHz with a polyphase filter (scipy)."""
    samples = _trim(speech.samples.astype(np.float32))
    up, down = _ratio(speech.sample_rate)
    if up == down:
        return samples
    return resample_poly(samples, up, down).astype(np.float32)


def _layout(chapters: Sequence[Chapter]) -> _Layout:
    """Place every sentence, pause and the head/tail room tone on one timeline."""
    cues = [cue for chapter in chapters for cue in chapter.cues]
    lengths = [_resampled_length(cue.speech) for cue in cues]
    pauses = [max(0, round(cue.pause_after * RATE)) for cue in cues[:-1]]
    total = (
        round(HEAD_TONE * RATE) + sum(lengths) + sum(pauses) + round(TAIL_TONE * RATE)
    )
    samples = np.zeros(total, dtype=np.float32)
    spans, at = [], round(HEAD_TONE * RATE)
    for cue, length, pause in zip(cues, lengths, [*pauses, 0], strict=True):
        samples[at : at + length] = _speech_at_rate(cue.speech)[:length]
        spans.append((at, at + length))
        at += length + pause
    return _Layout(samples, tuple(spans), _chapter_starts(chapters, spans), total)


def _chapter_starts(
    chapters: Sequence[Chapter], spans: Sequence[tuple[int, int]]
) -> tuple[int, ...]:
    """Start each chapter up to CHAPTER_LEAD before its first sentence (first at 0)."""
    starts, index = [0], len(chapters[0].cues)
    for chapter in chapters[1:]:
        gap = spans[index][0] - spans[index - 1][1]
        starts.append(spans[index][0] - min(gap, round(CHAPTER_LEAD * RATE)))
        index += len(chapter.cues)
    return tuple(starts)


# --- levels ------------------------------------------------------------------------


def _master_signal(
    speech: NDArray[np.float32], target: float, ceiling: float
) -> NDArray[np.float32]:
    """Return speech at *target* LUFS, true peaks under *ceiling*, plus room tone."""
    samples = _level(speech, target, ceiling)
    _add_room_tone(samples)
    return samples


def _level(
    speech: NDArray[np.float32], target: float, ceiling: float
) -> NDArray[np.float32]:
    """Return speech gained and limited so that it lands on *target* LUFS.

    Limiting takes loudness away as the gain rises, so a plain gain step undershoots;
    steps are divided by the measured slope (secant), kept within [0.1, 1]. Peaks
    scale with the gain and K-weighting commutes with a slow gain, so each trial
    costs array arithmetic on 1 ms hops, not a pass over the samples.
    """
    peaks = hop_peaks(speech, _HOP).astype(np.float64)
    energy = _k_energy(speech)
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


def _k_energy(speech: NDArray[np.float32]) -> NDArray[np.float64]:
    """Return the K-weighted (BS.1770, pyloudnorm's filters) energy per hop."""
    return k_weighted_energy(speech, RATE, _HOP)


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


def _add_room_tone(samples: NDArray[np.float32]) -> None:
    """Mix seeded noise at −70 dBFS RMS under everything: room tone, never zeros."""
    rng = np.random.default_rng(NOISE_SEED)
    level = np.float32(10 ** (ROOM_TONE_DBFS / 20))
    for start in range(0, len(samples), _BLOCK):
        stop = min(len(samples), start + _BLOCK)
        samples[start:stop] += rng.standard_normal(stop - start, np.float32) * level


# --- encoding ----------------------------------------------------------------------


def _run(cmd: list[str]) -> None:
    """Run an encoder; on failure show its own error output."""
    done = subprocess.run(cmd, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {done.stderr.decode(errors='replace')}")


def _encode_mp3(ffmpeg: str, wav: Path, target: Path) -> None:
    """Encode MP3 CBR 192 kb/s, 44.1 kHz mono, with the LAME gapless header."""
    _run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(wav),
            "-map_metadata",
            "-1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            MP3_BITRATE,
            "-compression_level",
            "5",
            "-ar",
            str(RATE),
            "-ac",
            "1",
            "-write_xing",
            "1",
            "-id3v2_version",
            "0",
            "-f",
            "mp3",
            str(target),
        ]
    )


def _encode_m4b(
    ffmpeg: str, wav: Path, target: Path, metadata: Path, lang: str
) -> None:
    """Encode AAC in an M4B with the chapters and tags from an FFMETADATA file."""
    _run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(wav),
            "-f",
            "ffmetadata",
            "-i",
            str(metadata),
            "-map",
            "0:a",
            "-map_metadata",
            "1",
            "-map_chapters",
            "1",
            "-c:a",
            "aac",
            "-aac_coder",
            "fast",
            "-b:a",
            M4B_BITRATE,
            "-ar",
            str(RATE),
            "-ac",
            "1",
            "-metadata:s:a:0",
            f"language={lang}",
            "-metadata",
            "media_type=2",
            "-movflags",
            "+faststart",
            "-f",
            "ipod",
            str(target),
        ]
    )


def _write_wav(samples: NDArray[np.float32], path: Path) -> Path:
    """Write a float WAV for ffmpeg: lossless, no dither, no clipping."""
    wavfile.write(path, RATE, samples)
    return path


def _verify(mp3: Path, probe: NDArray[np.float32], at: int) -> _Verified:
    """Decode the MP3 and measure loudness, true peak and its offset to the master.

    *probe* is the master from sample *at* on (about a second of speech): all the
    offset needs, so the whole master need not stay in memory beside the decoded
    file.
    """
    decoded, _ = decode(mp3, RATE)
    return _Verified(
        lufs=integrated_lufs(decoded, RATE),
        true_peak=true_peak_db(decoded),
        offset=_offset(probe, decoded, at),
        length=len(decoded),
    )


def _offset(probe: NDArray[np.float32], other: NDArray[np.float32], at: int) -> int:
    """Return how many samples *other* lags the master whose *probe* starts at *at*."""
    search = RATE // 10
    lo = max(0, at - search)
    window = other[lo : at + len(probe) + search]
    score = correlate(window, probe, mode="valid", method="fft")
    return int(np.argmax(score)) + lo - at


def _probe(mastered: NDArray[np.float32], at: int) -> NDArray[np.float32]:
    """Return a copy of up to one second of the master from *at* (for `_offset`)."""
    return mastered[at : at + min(RATE, len(mastered) - at)].copy()


@dataclass(frozen=True)
class _Codec:
    """How to encode a master, and how the codec moves loudness and peaks."""

    encode: Callable[[str, Path, Path], None]  # (ffmpeg, wav, target)
    first_ceiling: float  # dBTP on the first master
    gain: float  # dB the decoded file differs from the master in loudness


MP3 = _Codec(_encode_mp3, FIRST_CEILING, LAME_GAIN_DB)


def _encode_checked(
    ffmpeg: str,
    layout: _Layout,
    tmp: Path,
    name: str,
    target: Path,
    codec: _Codec = MP3,
) -> tuple[Path, _Verified]:
    """Master and encode to *target*; re-master from what the decoded file measures.

    Encoding shifts loudness (LAME: about −0.27 dB) and raises peaks, so the master
    aims to land the *decoded* file on −18 LUFS and under −3 dBTP. The master is
    dropped once it is on disk as WAV, so at most two copies of the audio (the
    layout and the master, or the layout and the decoded file) are in memory.
    """
    loudness, ceiling = TARGET_LUFS - codec.gain, codec.first_ceiling
    at = layout.cue_spans[0][0]
    for attempt in range(1, MAX_ENCODES + 1):
        mastered = _master_signal(layout.samples, loudness, ceiling)
        wav = _write_wav(mastered, tmp / f"{name}.wav")
        probe = _probe(mastered, at)
        del mastered
        codec.encode(ffmpeg, wav, target)
        verified = _verify(target, probe, at)
        miss = verified.lufs - TARGET_LUFS
        over = verified.true_peak - (MAX_TRUE_PEAK - PEAK_MARGIN)
        aim = LUFS_AIM if attempt < MAX_ENCODES else LUFS_ACCEPT
        if abs(miss) <= aim and over <= 0:
            return wav, verified
        loudness -= miss
        ceiling -= max(0.0, over + 0.3)
    raise RuntimeError(
        f"{target.name}: after {MAX_ENCODES} encodes it measures "
        f"{verified.lufs:.2f} LUFS and {verified.true_peak:.2f} dBTP"
    )


def _book_mp3(
    ffmpeg: str,
    chapters: Sequence[Chapter],
    out_dir: Path,
    stem: str,
    tags: Tags,
    tmp: Path,
) -> tuple[Path, _Layout, _Verified]:
    """Write the book MP3 with chapters; return its timeline and measurements."""
    layout = _layout(chapters)
    mp3 = out_dir / f"{stem}.mp3"
    with staged(mp3) as scratch:
        wav, verified = _encode_checked(ffmpeg, layout, tmp, "book", scratch)
        marks = _marks(chapters, layout, verified.offset, verified.length)
        write_id3(scratch, _book_tags(tags), marks)
    wav.unlink(missing_ok=True)
    return mp3, layout.timings_only(), verified


def _m4b_file(
    ffmpeg: str, chapters: Sequence[Chapter], target: Path, tags: Tags, tmp: Path
) -> Path:
    """Encode the M4B from the book's timeline, chapters on the master's timeline.

    It is mastered and verified like the MP3, from a master limited lower: AAC
    raises isolated peaks more than LAME does. ffmpeg trims the AAC priming
    delay on decoding, so no offset applies to its chapters.
    """
    layout = _layout(chapters)
    marks = _marks(chapters, layout, 0, layout.length)
    metadata = write_text(tmp / "book.ffmeta", ffmetadata(_book_tags(tags), marks))
    lang = iso639_2(tags.language)
    aac = _Codec(
        functools.partial(_encode_m4b, metadata=metadata, lang=lang),
        FIRST_CEILING_AAC,
        0.0,
    )
    with staged(target) as scratch:
        wav, _ = _encode_checked(ffmpeg, layout, tmp, "book-m4b", scratch, aac)
    wav.unlink(missing_ok=True)
    return target


def _book_tags(tags: Tags) -> FileTags:
    """Return the whole-book file tags (album = title)."""
    return FileTags(tags.title, tags.title, tags.author, tags.language, tags.year)


def _chapter_file(
    ffmpeg: str,
    chapter: Chapter,
    position: tuple[int, int],
    target: Path,
    tags: Tags,
    tmp: Path,
) -> Path:
    """Write one chapter as its own MP3 with its own room tone (ACX: file/section)."""
    index, total = position
    layout = _layout([chapter])
    track = f"{index + 1}/{total}"
    file_tags = FileTags(
        chapter.title, tags.title, tags.author, tags.language, tags.year, track
    )
    with staged(target) as scratch:
        _encode_checked(ffmpeg, layout, tmp, f"chapter-{index + 1}", scratch)
        write_id3(scratch, file_tags)
    (tmp / f"chapter-{index + 1}.wav").unlink(missing_ok=True)
    return target


# --- timings -----------------------------------------------------------------------


def _marks(
    chapters: Sequence[Chapter], layout: _Layout, offset: int, length: int
) -> list[Mark]:
    """Return contiguous chapter marks covering 0 → the file's length, in seconds."""
    starts = [0] + [start + offset for start in layout.chapter_starts[1:]]
    ends = [*starts[1:], length]
    return [
        Mark(chapter.title, start / RATE, end / RATE)
        for chapter, start, end in zip(chapters, starts, ends, strict=True)
    ]


def _sentences(
    chapters: Sequence[Chapter], layout: _Layout, offset: int
) -> list[SentenceTime]:
    """Return each sentence's heard span, shifted by the measured decode offset."""
    cues = [(n, cue) for n, ch in enumerate(chapters, 1) for cue in ch.cues]
    return [
        SentenceTime(
            cue.sentence_id, cue.text, n, (a + offset) / RATE, (b + offset) / RATE
        )
        for (n, cue), (a, b) in zip(cues, layout.cue_spans, strict=True)
    ]


def _write_timings(
    chapters: Sequence[Chapter],
    layout: _Layout,
    verified: _Verified,
    mp3: Path,
    m4b: Path,
    chapter_files: tuple[Path, ...],
    stem: str,
) -> AudioEdition:
    """Write the WebVTT and the timings JSON on the final MP3's timeline."""
    duration = verified.length / RATE
    marks = _marks(chapters, layout, verified.offset, verified.length)
    sentences = _sentences(chapters, layout, verified.offset)
    vtt = write_text(mp3.with_name(f"{stem}.vtt"), webvtt(sentences))
    timings = write_text(
        mp3.with_name(f"{stem}.timings.json"), timings_json(duration, marks, sentences)
    )
    return AudioEdition(
        mp3,
        m4b,
        vtt,
        timings,
        chapter_files,
        duration,
        verified.lufs,
        verified.true_peak,
        verified.offset / RATE,
    )
