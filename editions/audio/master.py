"""Master the synthesised sentences into the audio edition (standards §4, §7.7).

One book MP3 with ID3 chapters, an M4B with the same chapters, one MP3 per chapter
(ACX wants a file per section), WebVTT captions and a timings JSON. Each chapter is
mastered and encoded once, and cached (`chapter_master`); both books are joined
from the encoded chapters without re-encoding. Where each chapter lands follows from
the frames it was coded in; its loudness and peaks were measured on it decoded.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from mutagen.mp3 import MP3

from editions import fingerprint, progress
from editions.audio.chapter_master import (
    CACHE_FORMAT,
    LUFS_ACCEPT,
    PEAK_MARGIN,
    ChapterMaster,
    ChapterSound,
    chapter_master,
    prune,
)
from editions.audio.chapters import (
    BookDetails,
    FileTags,
    Mark,
    ffmetadata,
    iso639_2,
    slug,
    write_id3,
)
from editions.audio.encode import join_aac, join_mp3, mux_m4b
from editions.audio.engine import Speech
from editions.audio.levels import RATE
from editions.audio.measure import MAX_TRUE_PEAK, TARGET_LUFS, gated_loudness
from editions.audio.stored import StoredSpeech
from editions.audio.vtt import SentenceTime, timings, webvtt
from editions.output import staged, write_text
from editions.programs import ffmpeg_exe

#: Seconds of room tone before each chapter's first sentence: the book's head, and
#: the head of each chapter file (ACX: 0.5–1 s).
LEAD = 0.6
TAIL_TONE = 2.0  # seconds of room tone at the end of the book (ACX: 1–5 s)
#: A chapter file's tail is at least this long (ACX: 1–5 s), even where the script
#: asks for a shorter pause between chapters.
MIN_CHAPTER_TAIL = 1.1
#: Seconds of codec priming and padding heard where two chapters meet in the book
#: (LAME: 1105 samples of delay plus, on average, half a 1152-sample frame).
JUNCTION = 0.038


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
    details: BookDetails = field(default_factory=BookDetails)


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


@dataclass(frozen=True)
class _Book:
    """Where each chapter's master starts in the decoded book MP3, and its levels."""

    starts: tuple[int, ...]
    length: int
    lufs: float
    true_peak: float


def master(
    chapters: Sequence[Chapter],
    out_dir: Path,
    stem: str,
    tags: Tags,
    cache_dir: Path | None = None,
    made: Mapping[int, ChapterMaster] | None = None,
) -> AudioEdition:
    """Write the book MP3, M4B, chapter MP3s, WebVTT and timings into *out_dir*.

    Encoded chapters are cached in *cache_dir* (default `<out_dir>/.cache/masters`).
    *made* holds chapter masters already made (`Premaster`), by chapter index.
    """
    _validate(chapters, tags)
    ffmpeg = ffmpeg_exe()
    out_dir = Path(out_dir)
    cache = cache_dir or out_dir / ".cache" / "masters"
    masters = _master_chapters(ffmpeg, _sounds(chapters), cache, stem, made or {})
    chapter_dir = out_dir / f"{stem}-chapters"
    names = _chapter_names(chapters)
    with tempfile.TemporaryDirectory(prefix="editions-audio-") as scratch_dir:
        tmp = Path(scratch_dir)
        mp3 = out_dir / f"{stem}.mp3"
        book = _book_mp3(ffmpeg, chapters, masters, mp3, tags, tmp)
        m4b = _m4b_file(
            ffmpeg, chapters, masters, book, out_dir / f"{stem}.m4b", tags, tmp
        )
    chapter_files = tuple(
        _chapter_file(chapter, master_, (n, len(chapters)), chapter_dir / name, tags)
        for n, (chapter, master_, name) in enumerate(
            zip(chapters, masters, names, strict=True)
        )
    )
    _remove_stale(chapter_dir, names)
    prune(cache, stem, masters)
    return _write_timings(chapters, masters, book, mp3, m4b, chapter_files, stem)


def _validate(chapters: Sequence[Chapter], tags: Tags) -> None:
    """Fail early, before minutes of encoding, on input that cannot be mastered."""
    if not chapters:
        raise ValueError("the audio edition needs at least one chapter")
    for chapter in chapters:
        if not chapter.cues:
            raise ValueError(f"chapter {chapter.title!r} has no sentences")
        for cue in chapter.cues:
            stored = isinstance(cue.speech, StoredSpeech)  # 1-D: checked by the cache
            if cue.speech.sample_rate <= 0 or (
                not stored and cue.speech.samples.ndim != 1
            ):
                raise ValueError(f"sentence {cue.sentence_id} is not mono audio")
    iso639_2(tags.language)


def _sounds(chapters: Sequence[Chapter]) -> list[ChapterSound]:
    """Return each chapter's speech, pauses and room tone."""
    return [chapter_sound(c, n, len(chapters)) for n, c in enumerate(chapters)]


def chapter_sound(chapter: Chapter, index: int, count: int) -> ChapterSound:
    """Return one chapter's speech, pauses and room tone (it is *index* of *count*).

    The pause the script asks for between two chapters is split into the tail of
    one and the lead of the next (less the codec's join); a chapter file's tail
    never drops below MIN_CHAPTER_TAIL, and the book ends on TAIL_TONE.
    """
    last = chapter.cues[-1].pause_after
    tail = (
        TAIL_TONE
        if index == count - 1
        else max(last - LEAD - JUNCTION, MIN_CHAPTER_TAIL)
    )
    return ChapterSound(
        speech=tuple(cue.speech for cue in chapter.cues),
        pauses=tuple(cue.pause_after for cue in chapter.cues[:-1]),
        lead=LEAD,
        tail=tail,
    )


def chapter_salt(ffmpeg: str) -> str:
    """Return what every chapter master's cache key shares: format, code, encoder."""
    code = fingerprint.code(("editions.audio.chapter_master",))
    return f"{CACHE_FORMAT}|{code}|{ffmpeg}"


def _master_chapters(
    ffmpeg: str,
    sounds: Sequence[ChapterSound],
    cache: Path,
    stem: str,
    made: Mapping[int, ChapterMaster],
) -> list[ChapterMaster]:
    """Return every chapter master: already made, from the cache, or made now.

    Processes, not threads: the DSP holds the GIL. Fork, not spawn: children only
    run numpy and ffmpeg, and fork does not re-run an unguarded `__main__`.
    """
    salt = chapter_salt(ffmpeg)
    bar = "mastering"  # its own bar: chapters mastered, after the sentences spoken
    progress.update(bar, len(made), len(sounds), "chapters")
    todo = [n for n in range(len(sounds)) if n not in made]
    found = dict(made)
    if len(todo) <= 1 or (os.cpu_count() or 1) == 1:
        for n in todo:
            found[n] = chapter_master(ffmpeg, sounds[n], cache, stem, salt)
            progress.update(bar, len(found), len(sounds), "chapters")
        return [found[n] for n in range(len(sounds))]
    workers = min(os.cpu_count() or 1, len(todo))
    context = multiprocessing.get_context("fork")
    # Longest first, so that no long chapter starts last while the others wait.
    order = sorted(todo, key=lambda n: -_samples(sounds[n]))
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        jobs = {
            n: pool.submit(chapter_master, ffmpeg, sounds[n], cache, stem, salt)
            for n in order
        }
        for done, _ in enumerate(as_completed(jobs.values()), len(made) + 1):
            progress.update(bar, done, len(sounds), "chapters")
        found |= {n: job.result() for n, job in jobs.items()}
    return [found[n] for n in range(len(sounds))]


def _samples(sound: ChapterSound) -> int:
    """Return how much speech a chapter has (a proxy for the work it costs)."""
    return sum(round(speech.seconds * speech.sample_rate) for speech in sound.speech)


def _chapter_names(chapters: Sequence[Chapter]) -> list[str]:
    """Return `NN-slug.mp3` names; NN is wide enough to keep them sorted."""
    width = max(2, len(str(len(chapters))))
    return [f"{n:0{width}d}-{slug(c.title)}.mp3" for n, c in enumerate(chapters, 1)]


def _remove_stale(chapter_dir: Path, names: Sequence[str]) -> None:
    """Delete chapter files of an earlier build whose headings no longer exist."""
    for old in chapter_dir.glob("[0-9][0-9]*-*.mp3"):
        if old.name not in names:
            old.unlink()


def _book_tags(tags: Tags) -> FileTags:
    """Return the whole-book file tags (album = title)."""
    return FileTags(
        tags.title, tags.title, tags.author, tags.language, tags.year,
        details=tags.details,
    )  # fmt: skip


# --- the books ---------------------------------------------------------------------


def _book_mp3(
    ffmpeg: str,
    chapters: Sequence[Chapter],
    masters: Sequence[ChapterMaster],
    target: Path,
    tags: Tags,
    tmp: Path,
) -> _Book:
    """Join the chapter MP3s into the book and tag its chapters.

    Where two chapters meet, the first one's padding and the next one's encoder
    delay are decoded too (decoders drop them only at the ends of a file), so a
    chapter starts after every coded sample of the chapters before it. Its levels
    are those measured on each decoded chapter: the joins lie in room tone.
    """
    starts = tuple(itertools.accumulate((m.mp3.coded for m in masters[:-1]), initial=0))
    book = _Book(
        starts=starts,
        length=starts[-1] + masters[-1].mp3.length,
        lufs=gated_loudness(np.concatenate([m.loudness_blocks() for m in masters])),
        true_peak=max(m.mp3.true_peak for m in masters),
    )
    _check_levels(target.name, book)
    with staged(target) as scratch:
        join_mp3(ffmpeg, [m.mp3.path for m in masters], tmp / "book.txt", scratch)
        _check_join(scratch, sum(m.mp3.coded for m in masters), target.name)
        write_id3(scratch, _book_tags(tags), _marks(chapters, book.starts, book.length))
    return book


def _check_levels(name: str, book: _Book) -> None:
    """Refuse a book whose chapters together miss the loudness profile."""
    if (
        abs(book.lufs - TARGET_LUFS) > LUFS_ACCEPT
        or book.true_peak > MAX_TRUE_PEAK - PEAK_MARGIN
    ):
        raise RuntimeError(
            f"{name}: the joined chapters measure {book.lufs:.2f} LUFS and "
            f"{book.true_peak:.2f} dBTP"
        )


def _check_join(joined: Path, coded: int, name: str) -> None:
    """Refuse a joined MP3 that did not keep every frame of every chapter."""
    info = MP3(joined).info
    if round(info.length * info.sample_rate) != coded:
        raise RuntimeError(f"{name}: joining the chapters lost or added frames")


def _m4b_file(
    ffmpeg: str,
    chapters: Sequence[Chapter],
    masters: Sequence[ChapterMaster],
    book: _Book,
    target: Path,
    tags: Tags,
    tmp: Path,
) -> Path:
    """Join the chapters' AAC into an M4B whose chapter marks match the MP3's.

    The AAC joins fall a few milliseconds apart from the MP3's, so each mark is
    the MP3's time, kept inside the M4B's own pause before that chapter.
    """
    adts = tmp / "book.aac"
    join_aac([m.aac.path for m in masters], adts)
    starts, at = [], 0
    for master_ in masters:
        starts.append(at + master_.aac.offset)
        at += master_.aac.length
    marks = [0]
    for n in range(1, len(masters)):
        quiet_from = starts[n - 1] + masters[n - 1].cue_spans[-1][1]
        quiet_to = starts[n] + masters[n].probe_at
        marks.append(min(max(book.starts[n], quiet_from), quiet_to))
    metadata = write_text(
        tmp / "book.ffmeta",
        ffmetadata(_book_tags(tags), _marks(chapters, marks, at)),
    )
    with staged(target) as scratch:
        mux_m4b(ffmpeg, adts, metadata, iso639_2(tags.language), scratch)
    return target


def _chapter_file(
    chapter: Chapter,
    master_: ChapterMaster,
    position: tuple[int, int],
    target: Path,
    tags: Tags,
) -> Path:
    """Write one chapter as its own tagged MP3 (ACX: one file per section)."""
    index, total = position
    file_tags = FileTags(
        chapter.title, tags.title, tags.author, tags.language, tags.year,
        f"{index + 1}/{total}", tags.details,
    )  # fmt: skip
    with staged(target) as scratch:
        shutil.copyfile(master_.mp3.path, scratch)
        write_id3(scratch, file_tags)
    return target


# --- timings -----------------------------------------------------------------------


def _marks(
    chapters: Sequence[Chapter], starts: Sequence[int], length: int
) -> list[Mark]:
    """Return contiguous chapter marks covering 0 → *length* samples, in seconds."""
    bounds = [0, *starts[1:], length]
    return [
        Mark(chapter.title, start / RATE, end / RATE)
        for chapter, start, end in zip(chapters, bounds, bounds[1:], strict=False)
    ]


def _sentences(
    chapters: Sequence[Chapter], masters: Sequence[ChapterMaster], book: _Book
) -> list[SentenceTime]:
    """Return each sentence's heard span on the book MP3's decoded timeline."""
    return [
        SentenceTime(
            cue.sentence_id, cue.text, n, (start + a) / RATE, (start + b) / RATE
        )
        for n, (chapter, master_, start) in enumerate(
            zip(chapters, masters, book.starts, strict=True), 1
        )
        for cue, (a, b) in zip(chapter.cues, master_.cue_spans, strict=True)
    ]


def _write_timings(
    chapters: Sequence[Chapter],
    masters: Sequence[ChapterMaster],
    book: _Book,
    mp3: Path,
    m4b: Path,
    chapter_files: tuple[Path, ...],
    stem: str,
) -> AudioEdition:
    """Write the WebVTT and the timings JSON on the final MP3's timeline."""
    duration = book.length / RATE
    marks = _marks(chapters, book.starts, book.length)
    sentences = _sentences(chapters, masters, book)
    vtt = write_text(mp3.with_name(f"{stem}.vtt"), webvtt(sentences))
    timeline = timings(duration, marks, sentences)
    timings_file = write_text(mp3.with_name(f"{stem}.timings.json"), timeline.to_json())
    return AudioEdition(
        mp3,
        m4b,
        vtt,
        timings_file,
        chapter_files,
        duration,
        book.lufs,
        book.true_peak,
    )
