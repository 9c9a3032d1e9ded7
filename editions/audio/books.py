"""The whole-book files: where chapters meet on the book's timeline, the one-file
MP3 and the M4B, joined from the chapter masters without encoding them again."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from mutagen.mp3 import MP3

from editions.audio.chapter_master import LUFS_ACCEPT, PEAK_MARGIN, ChapterMaster
from editions.audio.chapters import FileTags, ffmetadata, iso639_2, write_id3
from editions.audio.encode import in_background, join_aac, join_mp3, m4b_command
from editions.audio.measure import MAX_TRUE_PEAK, TARGET_LUFS, gated_loudness
from editions.audio.parts import merge_marks
from editions.audio.timeline import marks_of
from editions.output import staged, write_text

if TYPE_CHECKING:
    from editions.audio.master import Chapter, Tags


@dataclass(frozen=True)
class Book:
    """Where each chapter's master starts in the decoded book MP3, and its levels."""

    starts: tuple[int, ...]
    length: int
    lufs: float
    true_peak: float


def book_tags(tags: Tags) -> FileTags:
    """Return the whole-book file tags (album = title)."""
    return FileTags(
        tags.title, tags.title, tags.author, tags.language, tags.year,
        details=tags.details,
    )  # fmt: skip


def timeline(masters: Sequence[ChapterMaster]) -> Book:
    """Return where each unit starts on the book's decoded timeline, and its levels.

    Where two chapters meet, the first one's padding and the next one's encoder
    delay are decoded too (decoders drop them only at the ends of a file), so a
    chapter starts after every coded sample of the chapters before it. Its levels
    are those measured on each decoded chapter: the joins lie in room tone.
    """
    starts = tuple(itertools.accumulate((m.mp3.coded for m in masters[:-1]), initial=0))
    book = Book(
        starts=starts,
        length=starts[-1] + masters[-1].mp3.length,
        lufs=gated_loudness(np.concatenate([m.loudness_blocks() for m in masters])),
        true_peak=max(m.mp3.true_peak for m in masters),
    )
    check_levels("the book", book)
    return book


def book_mp3(
    ffmpeg: str,
    chapters: Sequence[Chapter],
    masters: Sequence[ChapterMaster],
    heading_of: Sequence[int],
    book: Book,
    target: Path,
    tags: Tags,
    tmp: Path,
) -> None:
    """Join the chapter MP3s into the one-file book and tag its chapters."""
    marks = merge_marks(marks_of(chapters, book.starts, book.length), heading_of)
    with staged(target) as scratch:
        join_mp3(ffmpeg, [m.mp3.path for m in masters], tmp / "book.txt", scratch)
        check_join(scratch, sum(m.mp3.coded for m in masters), target.name)
        write_id3(scratch, book_tags(tags), marks)


def check_levels(name: str, book: Book) -> None:
    """Refuse a book whose chapters together miss the loudness profile."""
    if (
        abs(book.lufs - TARGET_LUFS) > LUFS_ACCEPT
        or book.true_peak > MAX_TRUE_PEAK - PEAK_MARGIN
    ):
        raise RuntimeError(
            f"{name}: the joined chapters measure {book.lufs:.2f} LUFS and "
            f"{book.true_peak:.2f} dBTP"
        )


def check_join(joined: Path, coded: int, name: str) -> None:
    """Refuse a joined MP3 that did not keep every frame of every chapter."""
    info = MP3(joined).info
    if round(info.length * info.sample_rate) != coded:
        raise RuntimeError(f"{name}: joining the chapters lost or added frames")


@contextmanager
def m4b_beside(
    ffmpeg: str,
    chapters: Sequence[Chapter],
    masters: Sequence[ChapterMaster],
    heading_of: Sequence[int],
    book: Book,
    target: Path,
    tags: Tags,
    tmp: Path,
) -> Iterator[Path]:
    """Join the chapters' AAC into an M4B whose chapter marks match the MP3's.

    The M4B is muxed while the body runs (the MP3's joins, on the other core) and
    is in place when the body ends. The AAC joins fall a few milliseconds apart
    from the MP3's, so each mark is the MP3's time, kept inside the M4B's own
    pause before that chapter.
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
        ffmetadata(
            book_tags(tags), merge_marks(marks_of(chapters, marks, at), heading_of)
        ),
    )
    language = iso639_2(tags.language)
    with staged(target) as scratch:
        with in_background(m4b_command(ffmpeg, adts, metadata, language, scratch)):
            yield target
