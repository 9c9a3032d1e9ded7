"""Tags and chapter marks: ID3v2.4 CHAP/CTOC for MP3, FFMETADATA for the M4B.

Standards §4c: one top-level, ordered CTOC listing every CHAP in order; each CHAP
has a unique id, start/end in ms, unused byte offsets and a TIT2 = the heading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mutagen.id3 import (
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCOP,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TPUB,
    TRCK,
    CTOCFlags,
)

from editions.audio.chap_order import order_chapters

UNUSED_OFFSET = 0xFFFFFFFF
UTF8 = 3  # ID3v2.4 text encoding id

#: ISO 639-1 → ISO 639-2 for the languages we expect; TLAN wants the 3-letter code.
_ISO639_2 = {
    "ar": "ara", "de": "deu", "en": "eng", "es": "spa", "fr": "fra", "hi": "hin",
    "it": "ita", "ja": "jpn", "ko": "kor", "nl": "nld", "pl": "pol", "pt": "por",
    "ru": "rus", "sv": "swe", "tr": "tur", "uk": "ukr", "vi": "vie", "zh": "zho",
}  # fmt: skip


@dataclass(frozen=True)
class Mark:
    """One chapter on a file's timeline, in seconds."""

    title: str
    start: float
    end: float


@dataclass(frozen=True)
class BookDetails:
    """Front-matter facts beyond title and author: one artist per author, the
    publisher (TPUB), the licence line (TCOP) and the description (COMM)."""

    authors: tuple[str, ...] = ()
    publisher: str = ""
    rights: str = ""
    description: str = ""


@dataclass(frozen=True)
class FileTags:
    """The tags every delivered file carries (album = the book title)."""

    title: str
    album: str
    author: str
    language: str
    year: str  # the year, or the full ISO date when the front matter gives one
    track: str | None = None
    details: BookDetails = field(default_factory=BookDetails)


def iso639_2(language: str) -> str:
    """Return the ISO 639-2 code for a BCP 47 tag ("en-US" → "eng") for TLAN."""
    primary = language.split("-")[0].split("_")[0].lower()
    if len(primary) == 3 and primary.isalpha():
        return primary
    if primary not in _ISO639_2:
        raise ValueError(f"no ISO 639-2 code known for language {language!r}")
    return _ISO639_2[primary]


def slug(title: str, limit: int = 60) -> str:
    """Return an ASCII file-name slug so chapter files sort and travel safely."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore")
    text = re.sub(r"[^a-z0-9]+", "-", ascii_title.decode().lower()).strip("-")
    return text[:limit].rstrip("-") or "chapter"


def to_ms(seconds: float) -> int:
    """Round seconds to whole milliseconds, the unit of CHAP frames."""
    return round(seconds * 1000.0)


def write_id3(path: Path, tags: FileTags, marks: Sequence[Mark] = ()) -> None:
    """Write ID3v2.4 tags (and chapters, if any) to the MP3 at *path*."""
    tag = ID3()
    tag.add(TIT2(encoding=UTF8, text=[tags.title]))
    tag.add(TPE1(encoding=UTF8, text=list(tags.details.authors) or [tags.author]))
    tag.add(TALB(encoding=UTF8, text=[tags.album]))
    tag.add(TLAN(encoding=UTF8, text=[iso639_2(tags.language)]))
    tag.add(TDRC(encoding=UTF8, text=[tags.year]))
    if tags.track:
        tag.add(TRCK(encoding=UTF8, text=[tags.track]))
    if tags.details.publisher:
        tag.add(TPUB(encoding=UTF8, text=[tags.details.publisher]))
    if tags.details.rights:
        tag.add(TCOP(encoding=UTF8, text=[tags.details.rights]))
    if tags.details.description:
        lang = iso639_2(tags.language)
        tag.add(
            COMM(encoding=UTF8, lang=lang, desc="", text=[tags.details.description])
        )
    for frame in chapter_frames(marks, tags.album):
        tag.add(frame)
    tag.save(path, v2_version=4)
    if marks:
        order_chapters(path)  # mutagen stores CHAP frames by size, not by time


def chapter_frames(marks: Sequence[Mark], toc_title: str) -> list[CHAP | CTOC]:
    """Return a CHAP per mark ("ch1"...) and one top-level ordered CTOC "toc"."""
    if not marks:
        return []
    chaps = [
        CHAP(
            element_id=f"ch{number}",
            start_time=to_ms(mark.start),
            end_time=to_ms(mark.end),
            start_offset=UNUSED_OFFSET,
            end_offset=UNUSED_OFFSET,
            sub_frames=[TIT2(encoding=UTF8, text=[mark.title])],
        )
        for number, mark in enumerate(marks, start=1)
    ]
    toc = CTOC(
        element_id="toc",
        flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
        child_element_ids=[chap.element_id for chap in chaps],
        sub_frames=[TIT2(encoding=UTF8, text=[toc_title])],
    )
    return [toc, *chaps]


def _escape(value: str) -> str:
    """Escape FFMETADATA specials (= ; # \\ newline) so titles survive verbatim."""
    return re.sub(r"([=;#\\\n])", r"\\\1", value)


def ffmetadata(tags: FileTags, marks: Sequence[Mark]) -> str:
    """Return an FFMETADATA1 file: global tags plus one [CHAPTER] per mark (ms)."""
    lines = [
        ";FFMETADATA1",
        f"title={_escape(tags.title)}",
        f"album={_escape(tags.album)}",
        f"artist={_escape(tags.author)}",
        f"album_artist={_escape(tags.author)}",
        f"date={_escape(tags.year)}",
        f"language={iso639_2(tags.language)}",
        "genre=Audiobook",
    ]
    if tags.details.rights:
        lines.append(f"copyright={_escape(tags.details.rights)}")
    if tags.details.description:
        lines.append(f"description={_escape(tags.details.description)}")
    for mark in marks:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={to_ms(mark.start)}",
            f"END={to_ms(mark.end)}",
            f"title={_escape(mark.title)}",
        ]
    return "\n".join(lines) + "\n"
