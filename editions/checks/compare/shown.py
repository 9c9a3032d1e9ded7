"""What one edition shows its reader, read back from the built file itself.

Each edition reader (read_pdf, read_epub, read_html, read_audio) fills a Shown, so the
consistency checks compare every edition with the source model the same way, and a
defect in one renderer cannot hide behind the model it was rendered from.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from editions.pdf.text import squash as squash

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
#: Backlinks and footnote arrows the visual editions add after an entry.
_DECORATION = re.compile(r"[\u21a9\ufe0e\ufe0f]")


@dataclass
class Shown:
    """The facts of one edition that must agree with the source.

    None means the edition has no such thing to compare (audio has no alt text on
    screen, for instance); an empty list means it has none where it should.
    """

    headings: list[tuple[int, str]] | None = None
    #: Named navigation lists: "bookmarks", "toc", "chapters"… → (depth, text, target).
    navigation: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    references: list[tuple[str, str]] | None = None  # (anchor id or "", entry text)
    alts: list[str] | None = None
    #: Citation id → the fragment ids it links to (None: the format has no ids).
    citations: dict[str, list[str]] | None = None
    #: Internal link target → how many links point there.
    links: Counter[str] = field(default_factory=Counter)
    anchors: set[str] = field(default_factory=set)  # every id a link can land on
    #: Sentence-timed ids by where they are timed: "timings", "vtt", "overlays"…
    timed: dict[str, list[str]] = field(default_factory=dict)
    #: Text of each timed id where the edition repeats it (VTT cues).
    timed_text: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # all visible (or heard) text, for the word check
    pages: int | None = None  # printed pages, or page-list entries


def tidy(text: str) -> str:
    """Collapse whitespace and drop decoration: how a text is shown in a message."""
    text = unicodedata.normalize("NFKC", text)
    return _SPACE.sub(" ", _DECORATION.sub("", text)).strip()


def tokens(text: str) -> list[str]:
    """Return the lower-case words of *text*, as every edition is compared."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def words(text: str) -> Counter[str]:
    """Count the lower-case words of *text* (letters and digits; punctuation splits)."""
    return Counter(tokens(text))


def line_words(text: str) -> Counter[str]:
    """Count words as `words` does, plus each word re-joined across a line break.

    A PDF breaks long words and URLs across lines ("http" / "s://…", "medi-" /
    "cine"); adding the joined form keeps such a word from looking missing.
    """
    counted = words(text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for before, after in itertools.pairwise(lines):
        tail = _WORD.findall(before.lower())
        head = _WORD.findall(after.lower())
        if tail and head:
            counted[tail[-1] + head[0]] += 1
    return counted
