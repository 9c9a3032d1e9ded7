"""Facts one edition hands to later ones: PDF page starts, audio timings and parts.

Each fact is a frozen record written once by the edition that knows it (the PDF's
real page breaks, the audio's sentence timings) and read once by each edition that
reuses it, validated in one place: a consumer never re-parses another edition's
files or re-checks a loose JSON dict by hand.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


class FactsError(ValueError):
    """A facts file is missing, damaged or from another version: rebuild its edition."""


@dataclass(frozen=True)
class PageStarts:
    """The PDF's page breaks: the first sentence id on each page ("" if none)."""

    pdf: str  # the PDF's file name, as the EPUB's page-list source names it
    starts: tuple[str, ...]

    def to_json(self) -> str:
        """Serialise (the `<stem>.pages.json` beside the PDF)."""
        return json.dumps({"pdf": self.pdf, "page_starts": list(self.starts)}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> PageStarts:
        """Parse and validate; raise FactsError when the file is not page starts."""
        try:
            data = json.loads(text)
            starts = data["page_starts"]
            if not isinstance(starts, list) or not all(
                isinstance(s, str) for s in starts
            ):
                raise TypeError("page_starts is not a list of sentence ids")
            return cls(str(data["pdf"]), tuple(starts))
        except (ValueError, KeyError, TypeError) as err:
            raise FactsError(f"not a page-starts file: {err}") from err

    @classmethod
    def read(cls, path: Path) -> PageStarts:
        """Read `<stem>.pages.json`."""
        return cls.from_json(_read(path))


def pages_at(starts: Sequence[str]) -> tuple[dict[str, list[int]], list[int]]:
    """Map each sentence id to the print pages that begin at it.

    A page on which no sentence starts (a tall picture, or a page inside one long
    sentence) goes with the next page that has a start, so no page number is lost;
    pages after the last start are returned apart, for the edition to place.
    """
    breaks: dict[str, list[int]] = {}
    pending: list[int] = []
    for number, sentence_id in enumerate(starts, start=1):
        pending.append(number)
        if sentence_id:
            breaks.setdefault(sentence_id, []).extend(pending)
            pending = []
    return breaks, pending


@dataclass(frozen=True)
class ChapterTime:
    """Where one chapter is heard on the book's timeline, in seconds."""

    title: str
    start: float
    end: float


@dataclass(frozen=True)
class SentenceTiming:
    """Where one sentence is heard: its id, chapter (1-based) and span in seconds."""

    sentence_id: str
    chapter: int
    start: float
    end: float


@dataclass(frozen=True)
class AudioPart:
    """One MP3 part of a long book: its file and where it lies on the book's timeline.

    A sentence at book time *t* inside the part is heard at `t - start` in its file
    (the part is joined from the same encoded chapters as the book timeline).
    """

    file: str  # "article-part2.mp3", beside the timings
    start: float  # book time of the part's first sample, in seconds
    duration: float  # the part file's own length, in seconds
    first_sentence: str  # id of the part's first sentence
    chapters: tuple[int, ...]  # 1-based chapters heard in it (a long one in two)


@dataclass(frozen=True)
class Timings:
    """The audio's timeline, which the EPUB overlays and the HTML read-along follow.

    *parts* is empty when the book is one MP3; otherwise the MP3 parts in order
    (standards §4a: at most 120 minutes a file), and each sentence lives in one.
    """

    duration: float
    chapters: tuple[ChapterTime, ...]
    sentences: tuple[SentenceTiming, ...]
    parts: tuple[AudioPart, ...] = ()
    #: The longest a part could be in this build (minutes; only with *parts*):
    #: standards §4a's 120, or less when the build was asked for shorter parts.
    part_minutes: float | None = None

    def part_chapters(self) -> list[tuple[tuple[int, bool], ...]]:
        """Return, for each part, its 1-based chapters, each with whether it carries
        on a chapter cut at the end of the part before (the one rule the check, the
        read-back and the page's download list share)."""
        found, last = [], 0
        for part in self.parts:
            found.append(
                tuple((c, i == 0 and c == last) for i, c in enumerate(part.chapters))
            )
            last = part.chapters[-1] if part.chapters else last
        return found

    def part_of(self) -> dict[str, int]:
        """Map each sentence id to the 0-based index of its part ({} if one file)."""
        if not self.parts:
            return {}
        firsts = {p.first_sentence: n for n, p in enumerate(self.parts)}
        found, current = {}, 0
        for s in self.sentences:
            current = firsts.get(s.sentence_id, current)
            found[s.sentence_id] = current
        return found

    def heard(self) -> list[tuple[SentenceTiming, int, float, float]]:
        """Return each sentence with its part (0 if one file) and times in that file."""
        where = self.part_of()
        result = []
        for s in self.sentences:
            index = where.get(s.sentence_id, 0)
            shift = self.parts[index].start if self.parts else 0.0
            result.append(
                (s, index, round(s.start - shift, 3), round(s.end - shift, 3))
            )
        return result

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON-able form (also what the large-print page embeds)."""
        return {
            "duration": self.duration,
            "chapters": [
                {"title": c.title, "start": c.start, "end": c.end}
                for c in self.chapters
            ],
            "sentences": [
                {
                    "id": s.sentence_id,
                    "chapter": s.chapter,
                    "start": s.start,
                    "end": s.end,
                }
                for s in self.sentences
            ],
            **({"parts": [asdict(p) for p in self.parts]} if self.parts else {}),
            **(
                {"part_minutes": self.part_minutes}
                if self.parts and self.part_minutes is not None
                else {}
            ),
        }

    def to_json(self) -> str:
        """Serialise (the `<stem>.timings.json` beside the MP3)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Timings:
        """Parse and validate: times are numbers, sentences in order and inside."""
        try:
            data = json.loads(text)
            duration = _number(data["duration"])
            chapters = tuple(
                ChapterTime(str(c["title"]), _number(c["start"]), _number(c["end"]))
                for c in data["chapters"]
            )
            sentences = tuple(
                SentenceTiming(
                    str(s["id"]),
                    int(s["chapter"]),
                    _number(s["start"]),
                    _number(s["end"]),
                )
                for s in data["sentences"]
            )
            parts = tuple(
                AudioPart(
                    str(p["file"]),
                    _number(p["start"]),
                    _number(p["duration"]),
                    str(p["first_sentence"]),
                    tuple(int(c) for c in p["chapters"]),
                )
                for p in data.get("parts", ())
            )
            limit = data.get("part_minutes")
            part_minutes = None if limit is None else _number(limit)
        except (ValueError, KeyError, TypeError) as err:
            raise FactsError(f"not an audio timings file: {err}") from err
        if not sentences:
            raise FactsError("the audio timings list no sentences")
        _in_order(sentences, duration)
        ids = {s.sentence_id for s in sentences}
        if parts and (
            parts[0].first_sentence != sentences[0].sentence_id
            or not all(p.first_sentence in ids for p in parts)
        ):
            raise FactsError("the audio parts do not start at timed sentences")
        return cls(duration, chapters, sentences, parts, part_minutes)

    @classmethod
    def read(cls, path: Path) -> Timings:
        """Read `<stem>.timings.json`."""
        return cls.from_json(_read(path))


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number")
    return value


def _in_order(sentences: Sequence[SentenceTiming], duration: float) -> None:
    """Reject times that are empty or go backwards (the overlay adds its own checks)."""
    floor = 0.0
    for s in sentences:
        if not floor <= s.start < s.end:
            raise FactsError(
                f"sentence {s.sentence_id} is timed {s.start}–{s.end} s, which is "
                f"empty or out of order (audio of {duration} s)"
            )
        floor = s.start


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise FactsError(f"cannot read {path}: {err}") from err
