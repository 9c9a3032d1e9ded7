"""A long book → MP3 parts of at most 120 minutes, cut where chapters meet.

Standards §4a (ACX): no delivered audio file is longer than 120 minutes. A book
that fits stays one MP3; a longer one is written as `<stem>-part1.mp3`, … each
joined, like the book, from the encoded chapters without re-encoding, so a part
starts where a chapter starts. A chapter that alone would be longer than a part is
mastered in pieces cut between sentences (`split_long`); the pieces keep the
chapter's heading, and the chapter marks merge them again.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from editions import locale
from editions.audio import PART_MINUTES as PART_MINUTES  # re-exported
from editions.audio.chapters import FileTags, Mark, write_id3
from editions.audio.encode import join_mp3
from editions.audio.levels import RATE
from editions.facts import AudioPart
from editions.output import staged

if TYPE_CHECKING:
    from editions.audio.chapter_master import ChapterMaster
    from editions.audio.master import Chapter, Tags


def part_name(stem: str, number: int) -> str:
    """Return part *number*'s file name (1-based): `article-part2.mp3`."""
    return f"{stem}-part{number}.mp3"


def part_files(folder: Path, stem: str) -> list[Path]:
    """Return the parts of *stem* in *folder*, in their order (part1, part2, …)."""
    found = re.compile(rf"{re.escape(stem)}-part([1-9][0-9]*)\.mp3")
    numbered = [
        (int(m[1]), p) for p in folder.iterdir() if (m := found.fullmatch(p.name))
    ]
    return [p for _, p in sorted(numbered)]


def limit_samples(minutes: float) -> int:
    """Return the longest part, in samples at the book's rate."""
    return max(1, round(minutes * 60 * RATE))


def split_long(
    chapters: Sequence[Chapter], limit: float, margin: float
) -> tuple[list[Chapter], list[int]]:
    """Cut each chapter longer than *limit* seconds between sentences.

    Returns the units to master and, for each, the index of its chapter. The
    length is estimated from the speech before mastering, plus *margin* (room
    tone, codec padding); trimming only shortens speech, so a piece never ends
    up longer than estimated. A piece holds at least one sentence.
    """
    from editions.audio.master import Chapter

    units: list[Chapter] = []
    heading_of: list[int] = []
    for index, chapter in enumerate(chapters):
        pieces: list[list[int]] = [[]]
        used = margin
        for n, cue in enumerate(chapter.cues):
            length = cue.speech.seconds + max(cue.pause_after, 0.0)
            if pieces[-1] and used + length > limit:
                pieces.append([])
                used = margin
            pieces[-1].append(n)
            used += length
        for piece in pieces:
            units.append(Chapter(chapter.title, tuple(chapter.cues[n] for n in piece)))
            heading_of.append(index)
    return units, heading_of


def plan(masters: Sequence[ChapterMaster], limit: int) -> list[tuple[int, ...]]:
    """Group the units into parts in order, each at most *limit* samples long.

    Returns [] when the whole book fits in one file. A unit alone longer than the
    limit (one sentence of two hours) gets a part of its own; `invoke check`
    reports it (CHK095).
    """
    if sum(m.mp3.coded for m in masters[:-1]) + masters[-1].mp3.length <= limit:
        return []
    groups: list[list[int]] = [[]]
    used = 0
    for n, master_ in enumerate(masters):
        if groups[-1] and used + master_.mp3.coded > limit:
            groups.append([])
            used = 0
        groups[-1].append(n)
        used += master_.mp3.coded
    return [tuple(g) for g in groups]


def merge_marks(marks: Sequence[Mark], heading_of: Sequence[int]) -> list[Mark]:
    """Return one mark per chapter: the pieces of a cut chapter become one again."""
    merged: list[Mark] = []
    for _, group in itertools.groupby(
        zip(marks, heading_of, strict=True), key=lambda pair: pair[1]
    ):
        pieces = [mark for mark, _ in group]
        merged.append(Mark(pieces[0].title, pieces[0].start, pieces[-1].end))
    return merged


@dataclass(frozen=True)
class Written:
    """The part files and, for the timings, where each lies in the book."""

    files: tuple[Path, ...]
    parts: tuple[AudioPart, ...]


def write_parts(
    ffmpeg: str,
    units: Sequence[Chapter],
    masters: Sequence[ChapterMaster],
    heading_of: Sequence[int],
    groups: Sequence[tuple[int, ...]],
    book_starts: Sequence[int],
    out_dir: Path,
    stem: str,
    tags: Tags,
    tmp: Path,
) -> Written:
    """Join each group of units into a tagged part; remove parts left from before."""
    from editions.audio.books import book_tags, check_join

    files, parts = [], []
    for number, group in enumerate(groups, start=1):
        target = out_dir / part_name(stem, number)
        coded = [masters[n].mp3.coded for n in group]
        starts = list(itertools.accumulate(coded[:-1], initial=0))
        length = starts[-1] + masters[group[-1]].mp3.length
        bounds = [*starts[1:], length]
        marks = merge_marks(
            [
                Mark(units[n].title, a / RATE, b / RATE)
                for n, a, b in zip(group, starts, bounds, strict=True)
            ],
            [heading_of[n] for n in group],
        )
        title = locale.label(
            tags.language,
            "part_title",
            title=tags.title,
            n=str(number),
            total=str(len(groups)),
        )
        whole = book_tags(tags)
        file_tags = FileTags(
            title, whole.album, whole.author, whole.language, whole.year,
            f"{number}/{len(groups)}", whole.details,
        )  # fmt: skip
        with staged(target) as scratch:
            join_mp3(
                ffmpeg, [masters[n].mp3.path for n in group], tmp / "part.txt", scratch
            )
            check_join(scratch, sum(coded), target.name)
            write_id3(scratch, file_tags, marks)
        files.append(target)
        parts.append(
            AudioPart(
                target.name,
                round(book_starts[group[0]] / RATE, 3),
                round(length / RATE, 3),
                units[group[0]].cues[0].sentence_id,
                tuple(dict.fromkeys(heading_of[n] + 1 for n in group)),
            )
        )
    remove_stale(out_dir, stem, len(groups))
    return Written(tuple(files), tuple(parts))


def remove_stale(out_dir: Path, stem: str, count: int) -> None:
    """Delete parts beyond *count* (a shorter rebuild), and the one-file book's
    MP3 when there are parts, so the folder never mixes two layouts."""
    for path in part_files(out_dir, stem)[count:]:
        path.unlink()
    if count:
        (out_dir / f"{stem}.mp3").unlink(missing_ok=True)
