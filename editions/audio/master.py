"""Master the synthesised sentences into the audio edition (standards §4, §7.7).

One book MP3 with ID3 chapters (past 120 minutes, MP3 parts instead: `parts`), an
M4B with the same chapters, one MP3 per chapter (ACX wants a file per section),
WebVTT captions and a timings JSON (`timeline`). Each chapter is mastered and
encoded once, and cached (`chapter_master`); the books are joined from the encoded
chapters without re-encoding. Where each chapter lands follows from
the frames it was coded in; its loudness and peaks were measured on it decoded.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path

from editions import fingerprint, progress, scratch
from editions.audio import av_codec
from editions.audio.books import book_mp3, m4b_beside, timeline
from editions.audio.chapter_master import (
    CACHE_FORMAT,
    ChapterMaster,
    ChapterSound,
    chapter_master,
    prune,
)
from editions.audio.chapters import (
    BookDetails,
    FileTags,
    iso639_2,
    slug,
    write_id3,
)
from editions.audio.engine import Speech
from editions.audio.parts import (
    PART_MINUTES,
    Written,
    limit_samples,
    plan,
    remove_stale,
    split_long,
    write_parts,
)
from editions.audio.stored import StoredSpeech
from editions.audio.timeline import AudioEdition, Laid, write_timings
from editions.audio.workers import pool as mastering_pool
from editions.output import staged
from editions.programs import ffmpeg_exe

__all__ = ["AudioEdition", "Chapter", "Cue", "Tags", "master"]

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


def master(
    chapters: Sequence[Chapter],
    out_dir: Path,
    stem: str,
    tags: Tags,
    cache_dir: Path | None = None,
    made: Mapping[int, ChapterMaster] | None = None,
    part_minutes: float = PART_MINUTES,
) -> AudioEdition:
    """Write the book MP3 (or its parts), M4B, chapter MP3s, WebVTT and timings.

    A book longer than *part_minutes* is written as MP3 parts (`editions.audio.
    parts`) instead of one MP3; the M4B always holds the whole book. Encoded
    chapters are cached in *cache_dir* (default `<out_dir>/.cache/masters`).
    *made* holds chapter masters already made (`Premaster`), by chapter index.
    """
    _validate(chapters, tags)
    ffmpeg = ffmpeg_exe()
    out_dir = Path(out_dir)
    cache = cache_dir or out_dir / ".cache" / "masters"
    units, heading_of = split_long(chapters, part_minutes * 60, LEAD + TAIL_TONE + 0.2)
    masters = _master_chapters(
        ffmpeg, _sounds(units), cache, stem, _made_units(made or {}, heading_of)
    )
    chapter_dir = out_dir / f"{stem}-chapters"
    names = _chapter_names(units, heading_of)
    book = timeline(masters)
    groups = plan(masters, limit_samples(part_minutes))
    written = Written((), ())
    # Named after this pid, so a later build removes it if this one is killed.
    with (
        scratch.scratch_folder() as tmp,
        m4b_beside(
            ffmpeg, units, masters, heading_of, book, out_dir / f"{stem}.m4b", tags, tmp
        ) as m4b,
    ):
        # While the M4B is muxed on the other core (`m4b_beside`).
        mp3: Path | None = None
        if groups:
            written = write_parts(
                ffmpeg, units, masters, heading_of, groups, book.starts,
                out_dir, stem, tags, tmp,
            )  # fmt: skip
        else:
            mp3 = out_dir / f"{stem}.mp3"
            book_mp3(ffmpeg, units, masters, heading_of, book, mp3, tags, tmp)
            remove_stale(out_dir, stem, 0)
        chapter_files = tuple(
            _chapter_file(
                chapter, master_, heading_of[n], len(chapters), chapter_dir / name, tags
            )
            for n, (chapter, master_, name) in enumerate(
                zip(units, masters, names, strict=True)
            )
        )
    _remove_stale(chapter_dir, names)
    prune(cache, stem, masters)
    return write_timings(
        Laid(units, masters, heading_of, book.starts, book.length),
        out_dir, stem, mp3, m4b, chapter_files, written,
        (book.lufs, book.true_peak), part_minutes,
    )  # fmt: skip


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
    """Return what every chapter master's cache key shares: format, code, encoders
    (Debian's ffmpeg codes the MP3, PyAV's libraries the AAC)."""
    code = fingerprint.code(("editions.audio.chapter_master",))
    return f"{CACHE_FORMAT}|{code}|{ffmpeg}|{av_codec.version()}"


def _made_units(
    made: Mapping[int, ChapterMaster], heading_of: Sequence[int]
) -> dict[int, ChapterMaster]:
    """Return the masters already made, by unit: a chapter cut into pieces (longer
    than a part) is mastered again piece by piece."""
    pieces = Counter(heading_of)
    return {
        unit: made[chapter]
        for unit, chapter in enumerate(heading_of)
        if pieces[chapter] == 1 and chapter in made
    }


def _master_chapters(
    ffmpeg: str,
    sounds: Sequence[ChapterSound],
    cache: Path,
    stem: str,
    made: Mapping[int, ChapterMaster],
) -> list[ChapterMaster]:
    """Return every chapter master: already made, from the cache, or made now.

    Processes, not threads: the DSP holds the GIL. The workers fork from the
    mastering server, which loaded the DSP libraries once (`workers`).
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
    # Longest first, so that no long chapter starts last while the others wait.
    order = sorted(todo, key=lambda n: -_samples(sounds[n]))
    with mastering_pool(workers) as pool:
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


def _chapter_names(chapters: Sequence[Chapter], heading_of: Sequence[int]) -> list[str]:
    """Return `NN-slug.mp3` names; NN is wide enough to keep them sorted.

    The pieces of a chapter cut for the parts are `NN-KK-slug.mp3`, KK = 01, 02…
    """
    width = max(2, len(str(heading_of[-1] + 1)))
    names = []
    for n, (chapter, heading) in enumerate(zip(chapters, heading_of, strict=True)):
        pieces = heading_of.count(heading)
        piece = f"{heading_of[:n].count(heading) + 1:0{len(str(pieces)) + 1}d}-"
        number = f"{heading + 1:0{width}d}-{piece if pieces > 1 else ''}"
        names.append(f"{number}{slug(chapter.title)}.mp3")
    return names


def _remove_stale(chapter_dir: Path, names: Sequence[str]) -> None:
    """Delete chapter files of an earlier build whose headings no longer exist."""
    for old in chapter_dir.glob("[0-9][0-9]*-*.mp3"):
        if old.name not in names:
            old.unlink()


def _chapter_file(
    chapter: Chapter,
    master_: ChapterMaster,
    index: int,
    total: int,
    target: Path,
    tags: Tags,
) -> Path:
    """Write one chapter (or piece of one) as its own tagged MP3 (ACX: one file per
    section)."""
    file_tags = FileTags(
        chapter.title, tags.title, tags.author, tags.language, tags.year,
        f"{index + 1}/{total}", tags.details,
    )  # fmt: skip
    with staged(target) as scratch:
        shutil.copyfile(master_.mp3.path, scratch)
        write_id3(scratch, file_tags)
    return target
