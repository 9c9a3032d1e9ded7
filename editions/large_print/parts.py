"""A long book's MP3 parts on the large-print page: where a chapter is, and downloads.

The page's read-along runs on the book's timeline (the timings); the parts say
which file holds a moment of it (`editions.facts.AudioPart`), so links work without
JavaScript too: a chapter link opens its part at the chapter's time in that part.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from urllib.parse import quote

from editions import locale
from editions.facts import AudioPart, Timings


def part_at(parts: Sequence[AudioPart], time: float) -> int:
    """Return the index of the part that plays book time *time*."""
    found = 0
    for n, part in enumerate(parts):
        if part.start <= time + 0.001:
            found = n
    return found


def fragment(timings: Timings | None, default: str, time: float) -> str:
    """Return a media-fragment link that plays book time *time*: `part2.mp3#t=…`."""
    if timings is None or not timings.parts:
        return f"{default}#t={time:.2f}"
    part = timings.parts[part_at(timings.parts, time)]
    return f"{quote(part.file)}#t={max(0.0, time - part.start):.2f}"


def size_note(path: Path | None, lang: str) -> str:
    """Return ", 12 MB" (in *lang*) for a download link; "" when the file is absent."""
    if path is None or not path.is_file():
        return ""
    megabytes = path.stat().st_size / 1_000_000
    if megabytes < 1:
        return ", " + locale.label(lang, "under_one_megabyte")
    return ", " + locale.label(lang, "megabytes", size=f"{megabytes:.0f}")


def downloads(lang: str, timings: Timings, files: Sequence[Path]) -> str:
    """Return the list of parts to download: chapters in each, length and size."""
    on_disk = {f.name: f for f in files}
    total = len(timings.parts)
    items = []
    for n, (part, chapters) in enumerate(
        zip(timings.parts, timings.part_chapters(), strict=True), start=1
    ):
        titles = ", ".join(
            locale.label(lang, "continued", title=timings.chapters[c - 1].title)
            if continued
            else timings.chapters[c - 1].title
            for c, continued in chapters
        )
        label = locale.label(
            lang,
            "download_part",
            n=str(n),
            total=str(total),
            chapters=titles,
            minutes=str(max(1, round(part.duration / 60))),
            size="MP3" + size_note(on_disk.get(part.file), lang),
        )
        href = escape(quote(part.file))
        items.append(f'<li><a href="{href}" download>{escape(label)}</a></li>')
    heading = locale.label(lang, "download_parts", total=str(total))
    return (
        f'<h3 id="parts-h">{escape(heading)}</h3>'
        f'<ol class="download parts" aria-labelledby="parts-h">{"".join(items)}</ol>'
    )
