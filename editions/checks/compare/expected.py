"""The source model → what every edition must show (the other side of each compare)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from editions.checks.compare.shown import words
from editions.model import Article

_HAS_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Expected:
    """Facts of the source article that each edition must reproduce."""

    headings: list[tuple[int, str, str]]  # (level, id, text), the title first
    chapters: list[str]  # audio chapter titles: the title and every level-2 heading
    references: list[tuple[str, str]]  # (anchor id, entry text)
    alts: list[str]
    citations: list[tuple[str, tuple[str, ...]]]  # (citation id, reference keys)
    spoken: dict[str, str]  # id → displayed text, for every timed sentence
    words: Counter[str]
    reference_heading: str


def expected(article: Article) -> Expected:
    """Collect what the editions must show from the source model."""
    spoken = {
        s.sentence_id: s.text for s in article.sentences() if _HAS_WORD.search(s.text)
    }
    spoken.update({f.figure_id: f.alt for f in article.figures})
    bibliography = [s for s in article.sections if s.role == "bibliography"]
    return Expected(
        headings=list(article.headings),
        chapters=[s.title_text for s in article.sections if s.level <= 2],
        references=[(r.entry_id, r.text) for r in article.references],
        alts=[f.alt for f in article.figures],
        citations=[(c.cite_id, c.keys) for c in article.citations()],
        spoken=spoken,
        words=words(" ".join(s.text for s in article.sentences())),
        reference_heading=bibliography[0].title_text if bibliography else "",
    )
