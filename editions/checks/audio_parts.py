"""A long book's MP3 parts: each at most 120 minutes, every chapter once, in order.

Read from what ships: each part's length (mutagen) and ID3 chapters, checked
against the timings' parts (`editions.facts.AudioPart`), which the EPUB and the
large-print page follow. A one-file book must have no parts beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from mutagen.mp3 import MP3

from editions.audio.parts import PART_MINUTES
from editions.checks.audio import read_chapters
from editions.errors import Finding, Location
from editions.facts import Timings

TOO_LONG = "CHK095"  # a part longer than the limit
COVERAGE = "CHK096"  # the parts do not hold every chapter once, in order
MISMATCH = "CHK097"  # the files on disk are not the parts the timings list


def check_parts(
    timings_path: Path,
    files: Sequence[Path],
    book_mp3: Path,
    limit_minutes: float | None = None,
    pdfs: Sequence[Path] = (),
) -> list[Finding]:
    """Return findings for the MP3 parts in *files* (in order) and their timings,
    and for a listen link in the *pdfs* that names a book MP3 not published.

    A part may be as long as *limit_minutes*, by default the limit the build
    recorded in the timings (a test's short parts), never over standards §4a's.
    """
    timings = Timings.read(timings_path)
    asked = limit_minutes if limit_minutes is not None else timings.part_minutes
    limit_minutes = min(asked or PART_MINUTES, PART_MINUTES)
    where = Location(timings_path)
    if timings.parts:
        findings = [f for pdf in pdfs for f in _listen_link(pdf, book_mp3.name)]
        return findings + _parts(timings, where, files, book_mp3, limit_minutes)
    return _parts(timings, where, files, book_mp3, limit_minutes)


def _listen_link(pdf: Path, book_mp3: str) -> list[Finding]:
    """The PDF is laid out beside the speech and guesses from the words whether the
    audio comes in parts (`pdf.listen.may_come_in_parts`): a wrong guess shows here."""
    import pikepdf

    with pikepdf.open(pdf) as document:
        uris = [
            str(link.A.URI)
            for page in document.pages
            for link in page.get("/Annots", [])
            if "/A" in link and "/URI" in link.A
        ]
    wanted = "/" + quote(book_mp3)
    if not any(uri.endswith(wanted) for uri in uris):
        return []
    return [
        Finding(
            MISMATCH,
            f"{pdf.name}'s listen link and QR code name {book_mp3}, which a book in "
            "MP3 parts does not publish; rebuild the PDF with the part limit the "
            "audio used (its link then opens the large-print page)",
            Location(pdf),
        )
    ]


def _parts(
    timings: Timings,
    where: Location,
    files: Sequence[Path],
    book_mp3: Path,
    limit_minutes: float,
) -> list[Finding]:
    named = [p.file for p in timings.parts]
    found = [f.name for f in files]
    if named != found:
        return [
            Finding(
                MISMATCH,
                f"the timings list the parts {named or 'none'} but the folder holds "
                f"{found or 'none'}; rebuild the audio edition",
                where,
            )
        ]
    if not timings.parts:
        return []
    findings = []
    if book_mp3.exists():
        findings.append(
            Finding(
                MISMATCH,
                f"{book_mp3.name} is left beside the parts of a long book; "
                "rebuild the audio edition (it removes it)",
                Location(book_mp3),
            )
        )
    for part, path in zip(timings.parts, files, strict=True):
        length = float(MP3(path).info.length)
        if length > limit_minutes * 60 + 0.05:
            findings.append(
                Finding(
                    TOO_LONG,
                    f"{path.name} plays {length / 60:.1f} min; a part may be at "
                    f"most {limit_minutes:g} min (standards §4a): rebuild the "
                    "audio edition",
                    Location(path),
                )
            )
        if abs(length - part.duration) > 0.1:
            findings.append(
                Finding(
                    MISMATCH,
                    f"{path.name} plays {length:.2f} s but the timings say "
                    f"{part.duration:.2f} s; rebuild the audio edition",
                    Location(path),
                )
            )
    return findings + _coverage(timings, files, where)


def _coverage(
    timings: Timings, files: Sequence[Path], where: Location
) -> list[Finding]:
    """Every chapter in exactly one part (or continued into the next), in order."""
    heard = [
        c for part in timings.part_chapters() for c, continued in part if not continued
    ]
    wanted = list(range(1, len(timings.chapters) + 1))
    findings = []
    if heard != wanted:
        findings.append(
            Finding(
                COVERAGE,
                f"the parts hold chapters {heard}, not each of 1–{len(wanted)} once "
                "in order; rebuild the audio edition",
                where,
            )
        )
    for part, path in zip(timings.parts, files, strict=True):
        titles = [title for title, _, _ in read_chapters(path)]
        expected = [
            timings.chapters[c - 1].title if 0 < c <= len(timings.chapters) else "?"
            for c in part.chapters
        ]
        if titles != expected:
            findings.append(
                Finding(
                    COVERAGE,
                    f"{path.name} marks the chapters {titles}, but it holds "
                    f"{expected}; rebuild the audio edition",
                    Location(path),
                )
            )
    return findings
