"""Source words in order → how faithfully an edition's text reproduces them.

The bag-of-words check (CHK019) cannot see a footnote vanish inside a 1 % allowance,
nor text shown out of order. Here every source word must appear in the edition's text
in reading order (an in-order alignment; words the edition adds, such as running
headers or "Page 2 of 3", are ignored): at least MIN_RATIO of them overall (CHK030),
and every unit (a heading, sentence, cell, term or entry) must be there (CHK031).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from editions.checks.compare.read_pdf import tagged_text
from editions.checks.compare.shown import tokens
from editions.errors import Finding, Location
from editions.model import Article

MIN_RATIO = 0.99
#: A unit counts as present when this share of its words is found in order.
UNIT_PRESENT = 0.8


@dataclass(frozen=True)
class Unit:
    """One piece of source text every edition must show: an id and its words."""

    unit_id: str
    text: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Fidelity:
    """How many source words an edition shows in order, and what it lacks."""

    total: int
    matched: int
    missing_units: tuple[tuple[Unit, tuple[str, ...]], ...]  # unit, its lost words
    missing_words: tuple[str, ...]  # every source word not found, in order

    @property
    def ratio(self) -> float:
        """Return the share of source words found in order (1.0 when no words)."""
        return self.matched / self.total if self.total else 1.0


def units(article: Article) -> list[Unit]:
    """Return the article's text units in visual order (body, notes, references)."""
    found = []
    for sentence in article.sentences():
        words = tuple(tokens(sentence.text))
        if words:
            found.append(Unit(sentence.sentence_id, sentence.text, words))
    return found


def _rejoin(shown: list[str], vocabulary: set[str]) -> list[str]:
    """Undo PDF extraction: rejoin a word a line break split, split words run together.

    pdftotext cuts "defici" / "ency" at a line end and drops the narrow space in a
    table cell's "5 g" ("5g"); the tag tree joins cells on one line.
    """
    out: list[str] = []
    index = 0
    while index < len(shown):
        token = shown[index]
        index += 1
        if token in vocabulary:
            out.append(token)
        elif index < len(shown) and token + shown[index] in vocabulary:
            out.append(token + shown[index])
            index += 1
        else:
            out.extend(_split(token, vocabulary))
    return out


def _split(token: str, vocabulary: set[str]) -> list[str]:
    """Split *token* into the fewest source words ("daymorningevening"), if it can.

    Text read from a PDF's tags joins cells and spans set on one line.
    """
    best: list[list[str] | None] = [[]] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(end):
            head = best[start]
            if head is not None and token[start:end] in vocabulary:
                candidate = [*head, token[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[-1] or [token]


def measure(expected: list[Unit], shown_text: str) -> Fidelity:
    """Align the source words with the edition's words and count what is found."""
    source = [w for unit in expected for w in unit.words]
    shown = _rejoin(tokens(shown_text), set(source))
    found = [False] * len(source)
    matcher = SequenceMatcher(a=source, b=shown, autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            found[block.a + offset] = True
    missing_units = []
    at = 0
    for unit in expected:
        flags = found[at : at + len(unit.words)]
        lost = tuple(w for w, ok in zip(unit.words, flags, strict=True) if not ok)
        if sum(flags) < UNIT_PRESENT * len(flags):
            missing_units.append((unit, lost))
        at += len(unit.words)
    return Fidelity(
        total=len(source),
        matched=sum(found),
        missing_units=tuple(missing_units),
        missing_words=tuple(w for w, ok in zip(source, found, strict=True) if not ok),
    )


def findings(result: Fidelity, where: Path, limit: int = 10) -> list[Finding]:
    """CHK030 when too few words are found in order; CHK031 per missing unit."""
    out = []
    if result.ratio < MIN_RATIO:
        listed = ", ".join(repr(w) for w in result.missing_words[:20])
        more = len(result.missing_words) - 20
        out.append(
            Finding(
                "CHK030",
                f"{result.matched} of {result.total} source words "
                f"({result.ratio:.1%}) appear in order, below {MIN_RATIO:.0%}; "
                f"missing: {listed}" + (f" and {more} more" if more > 0 else ""),
                Location(where, key="fidelity"),
            )
        )
    for unit, lost in result.missing_units[:limit]:
        text = unit.text if len(unit.text) <= 60 else unit.text[:59] + "…"
        out.append(
            Finding(
                "CHK031",
                f"{unit.unit_id} {text!r} is missing (or out of order); "
                f"words not found: {', '.join(repr(w) for w in lost[:12])}",
                Location(where, key=unit.unit_id),
            )
        )
    if len(result.missing_units) > limit:
        out.append(
            Finding(
                "CHK031",
                f"{len(result.missing_units) - limit} more missing unit(s)",
                Location(where, key="fidelity"),
            )
        )
    return out


def check(article: Article, shown_text: str | None, where: Path) -> list[Finding]:
    """Compare one edition's text with the article (CHK030, CHK031).

    A PDF is read in its tag tree's order, as a screen reader reads it: pdftotext
    orders by layout, so a wrapped table cell can put the next cell's words first.
    """
    if where.suffix == ".pdf":
        shown_text = tagged_text(where)
    if shown_text is None:
        return []
    return findings(measure(units(article), shown_text), where)


def check_written(
    article: Article, written: list[tuple[str, str]], where: Path
) -> list[Finding]:
    """Compare the speech script's written column with the article (CHK030/031).

    The audio reads a chapter's notes at its end, so the units are taken in the
    script's order; a unit the script lacks is put last, and so found missing.
    """
    position = {sentence_id: index for index, (sentence_id, _t) in enumerate(written)}
    last = len(written)
    ordered = sorted(units(article), key=lambda u: position.get(u.unit_id, last))
    text = "\n".join(text for _id, text in written)
    return findings(measure(ordered, text), where)
