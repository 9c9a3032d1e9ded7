"""Audio measurements and checks (standards §4a–4c, §7.7) on the files we ship.

Everything is measured on the *decoded* file, because encoding changes peaks and
loudness; the master in memory is not what a listener hears. The measuring itself
(`editions.audio.measure`) belongs to the renderer, which masters with it.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from mutagen.id3 import ID3, ID3NoHeaderError
from mutagen.mp3 import MP3, BitrateMode
from numpy.typing import NDArray

from editions.audio.measure import (
    MAX_TRUE_PEAK,
    SAMPLE_RATE,
    TARGET_LUFS,
    decode,
    frame_levels,
    integrated_lufs,
    true_peak_db,
)
from editions.errors import Finding, Location

#: Thresholds of standards §7.7 and ACX (the targets are in `editions.audio.measure`).
LUFS_TOLERANCE = 1.0
BITRATE = 192_000
HEAD_ROOM_TONE = (0.5, 1.0)
TAIL_ROOM_TONE = (1.0, 5.0)
NOISE_FLOOR = (-100.0, -60.0)
ROOM_TONE_LEVEL = -50.0
CHAPTER_TOLERANCE = 0.05
#: Standards §4e: the book's words per minute (target), and every chapter's.
WORDS_PER_MINUTE = (140.0, 170.0)
CHAPTER_WORDS_PER_MINUTE = (120.0, 180.0)
#: A pause is the run of 10 ms frames quieter than this around a sentence gap.
PAUSE_LEVEL = -45.0


@dataclass(frozen=True)
class AudioMeasures:
    """What a listener's file is like, in the units the standards use."""

    lufs: float
    true_peak: float
    sample_rate: int
    channels: int
    bitrate: int
    cbr: bool
    duration: float
    head_room_tone: float
    tail_room_tone: float
    noise_floor: float


def room_tone(samples: NDArray[np.float32], rate: int) -> tuple[float, float]:
    """Return the head and tail spans below -50 dBFS (10 ms frames), in seconds."""
    levels = frame_levels(samples, rate, 0.010)
    loud = np.flatnonzero(levels >= ROOM_TONE_LEVEL)
    if len(loud) == 0:
        total = len(samples) / rate
        return total, total
    head = loud[0] * 0.010
    tail = len(samples) / rate - (loud[-1] + 1) * 0.010
    return float(head), float(tail)


def noise_floor(samples: NDArray[np.float32], rate: int) -> float:
    """Return the quietest 500 ms RMS (50 ms hop) in dBFS, as ACX measures it."""
    power = 10.0 ** (frame_levels(samples, rate, 0.050) / 10.0)
    if len(power) == 0:
        return float("-inf")
    width = min(10, len(power))
    window = np.convolve(power, np.ones(width) / width, mode="valid")
    return float(10.0 * np.log10(max(float(window.min()), 1e-20)))


def measure(path: Path) -> AudioMeasures:
    """Measure a delivered audio file (MP3 gives bitrate and CBR; others report 0)."""
    samples, rate = decode(path)
    bitrate, cbr, channels = 0, False, 1
    if path.suffix.lower() == ".mp3":
        info = MP3(path).info
        bitrate, channels = int(info.bitrate), int(info.channels)
        cbr = info.bitrate_mode == BitrateMode.CBR
    head, tail = room_tone(samples, rate)
    return AudioMeasures(
        lufs=integrated_lufs(samples, rate),
        true_peak=true_peak_db(samples),
        sample_rate=rate,
        channels=channels,
        bitrate=bitrate,
        cbr=cbr,
        duration=len(samples) / rate,
        head_room_tone=head,
        tail_room_tone=tail,
        noise_floor=noise_floor(samples, rate),
    )


def read_chapters(mp3: Path) -> list[tuple[str, float, float]]:
    """Return (title, start s, end s) of the ID3 chapters in top-level CTOC order."""
    try:
        tag = ID3(mp3)
    except ID3NoHeaderError:
        return []
    chaps = {frame.element_id: frame for frame in tag.getall("CHAP")}
    tocs = [toc for toc in tag.getall("CTOC") if toc.flags & 0x02]
    order = list(tocs[0].child_element_ids) if tocs else sorted(chaps)
    result = []
    for element_id in order:
        chap = chaps.get(element_id)
        if chap is None:
            continue
        titles = chap.sub_frames.getall("TIT2")
        title = str(titles[0].text[0]) if titles else ""
        result.append((title, chap.start_time / 1000.0, chap.end_time / 1000.0))
    return result


def check_audio(path: Path, expected_titles: list[str]) -> list[Finding]:
    """Return one Finding per audio threshold the file misses (codes AUD001...)."""
    where = Location(path)
    if not path.exists():
        return [Finding("AUD000", "the audio file does not exist", where)]
    m = measure(path)
    findings = _level_findings(m, where) + _format_findings(m, where)
    findings += _room_tone_findings(m, where)
    if path.suffix.lower() == ".mp3":
        findings += _chapter_findings(read_chapters(path), expected_titles, m, where)
    return findings


def _level_findings(m: AudioMeasures, where: Location) -> list[Finding]:
    """Loudness, true peak and noise floor against §7.7 and ACX."""
    out = []
    if not abs(m.lufs - TARGET_LUFS) <= LUFS_TOLERANCE:
        out.append(
            Finding(
                "AUD001",
                f"integrated loudness is {m.lufs:.1f} LUFS; "
                f"normalise to {TARGET_LUFS:.0f} ±{LUFS_TOLERANCE:.0f} LUFS",
                where,
            )
        )
    if not m.true_peak <= MAX_TRUE_PEAK:
        out.append(
            Finding(
                "AUD002",
                f"true peak is {m.true_peak:.1f} dBTP; lower it to "
                f"{MAX_TRUE_PEAK:.0f} dBTP or less (limit before encoding)",
                where,
            )
        )
    low, high = NOISE_FLOOR
    if not low < m.noise_floor <= high:
        out.append(
            Finding(
                "AUD003",
                f"noise floor is {m.noise_floor:.1f} dBFS; it must "
                f"be above {low:.0f} (not digital silence) and at most "
                f"{high:.0f} dBFS",
                where,
            )
        )
    return out


def _format_findings(m: AudioMeasures, where: Location) -> list[Finding]:
    """Sample rate, channels and constant bitrate, as ACX requires."""
    out = []
    if m.sample_rate != SAMPLE_RATE:
        out.append(
            Finding(
                "AUD004",
                f"sample rate is {m.sample_rate} Hz; encode at {SAMPLE_RATE} Hz",
                where,
            )
        )
    if m.channels != 1:
        out.append(
            Finding("AUD005", f"the file has {m.channels} channels; encode mono", where)
        )
    if m.bitrate and (round(m.bitrate / 1000) < BITRATE // 1000 or not m.cbr):
        mode = "CBR" if m.cbr else "not CBR"
        out.append(
            Finding(
                "AUD006",
                f"bitrate is {m.bitrate // 1000} kb/s ({mode}); "
                f"encode CBR at {BITRATE // 1000} kb/s or more",
                where,
            )
        )
    return out


def _room_tone_findings(m: AudioMeasures, where: Location) -> list[Finding]:
    """Head and tail room tone lengths (ACX 0.5–1 s and 1–5 s)."""
    out = []
    for code, name, value, (low, high) in (
        ("AUD007", "head", m.head_room_tone, HEAD_ROOM_TONE),
        ("AUD008", "tail", m.tail_room_tone, TAIL_ROOM_TONE),
    ):
        if not low <= value <= high:
            out.append(
                Finding(
                    code,
                    f"{name} room tone is {value:.2f} s; it must be {low:g}–{high:g} s",
                    where,
                )
            )
    return out


def _chapter_findings(
    chapters: list[tuple[str, float, float]],
    expected: list[str],
    m: AudioMeasures,
    where: Location,
) -> list[Finding]:
    """ID3 chapters: titles in order, contiguous, covering 0 → duration."""
    titles = [title for title, _, _ in chapters]
    if titles != list(expected):
        return [
            Finding(
                "AUD009", f"chapter titles are {titles}; expected {expected}", where
            )
        ]
    if not chapters:
        return []
    out = []
    tol = CHAPTER_TOLERANCE
    gaps = [b[1] - a[2] for a, b in itertools.pairwise(chapters)]
    if abs(chapters[0][1]) > tol or any(abs(gap) > tol for gap in gaps):
        out.append(
            Finding("AUD010", "chapters must be contiguous and start at 0", where)
        )
    if abs(chapters[-1][2] - m.duration) > tol:
        out.append(
            Finding(
                "AUD011",
                f"the last chapter ends at {chapters[-1][2]:.3f} s "
                f"but the audio lasts {m.duration:.3f} s",
                where,
            )
        )
    return out


@dataclass(frozen=True)
class SpokenSentence:
    """One sentence as heard: its chapter (1-based), span in seconds, word count."""

    sentence_id: str
    chapter: int
    start: float
    end: float
    words: int


def spoken_sentences(
    timings: dict[str, Any], words: dict[str, int]
) -> list[SpokenSentence]:
    """Join the timings file's sentences with the script's word count per id."""
    return [
        SpokenSentence(s["id"], s["chapter"], s["start"], s["end"], words[s["id"]])
        for s in timings["sentences"]
    ]


def speaking_rates(
    sentences: list[SpokenSentence],
) -> tuple[float, dict[int, float]]:
    """Return words per minute of the whole book and of each chapter (§4e).

    Speaking time runs from a chapter's first sentence to its last, pauses inside
    it included: the duration minus the head and tail room tone and the pauses
    between chapters, as standards §4e measures it.
    """
    chapters: dict[int, list[SpokenSentence]] = {}
    for sentence in sentences:
        chapters.setdefault(sentence.chapter, []).append(sentence)
    spans = {n: c[-1].end - c[0].start for n, c in chapters.items()}
    words = {n: sum(s.words for s in c) for n, c in chapters.items()}
    per_chapter = {n: 60.0 * words[n] / spans[n] for n in chapters}
    overall = 60.0 * sum(words.values()) / sum(spans.values())
    return overall, per_chapter


def pauses(
    samples: NDArray[np.float32], rate: int, sentences: list[SpokenSentence]
) -> list[float]:
    """Return the silence heard between each sentence and the next, in seconds.

    Measured on the audio, not taken from the timings: the run of 10 ms frames
    below PAUSE_LEVEL that holds the middle of the gap between two sentences.
    """
    frame = 0.010
    levels = frame_levels(samples, rate, frame)
    quiet = levels < PAUSE_LEVEL
    heard = []
    for before, after in itertools.pairwise(sentences):
        middle = min(len(quiet) - 1, int((before.end + after.start) / 2 / frame))
        if not quiet[middle]:
            heard.append(0.0)
            continue
        loud_before = np.flatnonzero(~quiet[:middle])
        loud_after = np.flatnonzero(~quiet[middle:])
        first = loud_before[-1] + 1 if len(loud_before) else 0
        last = middle + loud_after[0] if len(loud_after) else len(quiet)
        heard.append((last - first) * frame)
    return heard


def check_speaking_rate(
    timings: Path, words: dict[str, int], skip: tuple[int, ...] = ()
) -> list[Finding]:
    """Return AUD012 findings for a book or chapter read too fast or too slow.

    *words* gives the spoken words per sentence id; chapters in *skip* (such as
    a reference list, read as names and years with a pause after each entry) are
    left out of the per-chapter limits but still count for the book.
    """
    data = json.loads(timings.read_text(encoding="utf-8"))
    overall, per_chapter = speaking_rates(spoken_sentences(data, words))
    where = Location(timings)
    low, high = WORDS_PER_MINUTE
    out = []
    if not low <= overall <= high:
        out.append(
            Finding(
                "AUD012",
                f"the book is read at {overall:.0f} words a minute; "
                f"aim for {low:.0f}–{high:.0f} (change the voice's speed)",
                where,
            )
        )
    low, high = CHAPTER_WORDS_PER_MINUTE
    for number, wpm in per_chapter.items():
        if number not in skip and not low <= wpm <= high:
            out.append(
                Finding(
                    "AUD012",
                    f"chapter {number} is read at {wpm:.0f} words a minute; "
                    f"keep every chapter within {low:.0f}–{high:.0f}",
                    where,
                )
            )
    return out
