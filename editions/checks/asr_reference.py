"""Article + timings → each timed sentence's ASR reference (issue 20's definition).

The reference is the written words (the model's plain text per sentence, as pandoc
renders it); parenthetical citations, the title block, the reference list and the
words only the voice says are marked optional; where the voice says a written word
differently ("milligrams" for "mg") the spoken form becomes a fold, so a recogniser
that writes either is right. `asr_metric` scores against these lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from editions.audio import speech_script
from editions.audio.script import build_script
from editions.audio.speech_text import equivalents as lexicon_equivalents
from editions.checks.asr_words import Equivalents, marked_words, merge_letters
from editions.facts import Timings
from editions.model import Article, Cite, block_sentences, plain_text, walk_inlines

#: The title block's spoken cues (audio/script.py `_front_matter`).
TITLE_BLOCK = ("subtitle", "byline", "abstract")

Fold = tuple[tuple[str, ...], tuple[str, ...]]  # spoken words → written words


@dataclass(frozen=True)
class Line:
    """One timed sentence's reference: written words, which are optional, folds."""

    sentence_id: str
    start: float
    end: float
    written: str
    words: tuple[str, ...]
    optional: tuple[bool, ...]
    folds: tuple[Fold, ...] = ()

    @property
    def required(self) -> int:
        """Return how many reference words count."""
        return self.optional.count(False)


def reference(
    written: str,
    spoken: str,
    cited: Sequence[str] = (),
    asides: Sequence[str] = (),
    equivalents: Equivalents = (),
) -> tuple[list[str], list[bool], list[Fold]]:
    """Return a sentence's reference words, their optional marks and its folds.

    The written words are the reference; *cited* (parenthetical citations as
    written) are optional. Words only the voice says (*asides*, labels) are added
    as optional words where they are said; where the voice says a written word
    differently, the spoken form becomes a fold for the recognised words.
    """
    page, page_free = marked_words(
        merge_letters(written), [merge_letters(c) for c in cited], equivalents
    )
    said, said_free = marked_words(
        merge_letters(spoken), [merge_letters(a) for a in asides], equivalents
    )
    words: list[str] = []
    marks: list[bool] = []
    folds: list[Fold] = []
    matcher = SequenceMatcher(a=page, b=said, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert":
            words += said[j1:j2]
            marks += [True] * (j2 - j1)
            continue
        words += page[i1:i2]
        # Written words the voice leaves out on purpose (a URL's path) are optional.
        marks += [True] * (i2 - i1) if tag == "delete" else page_free[i1:i2]
        if tag != "replace":
            continue
        aside = [
            w for w, free in zip(said[j1:j2], said_free[j1:j2], strict=True) if free
        ]
        words += aside  # a citation aside said beside a reworded word
        marks += [True] * len(aside)
        spoken = tuple(
            w for w, free in zip(said[j1:j2], said_free[j1:j2], strict=True) if not free
        )
        if spoken and not all(page_free[i1:i2]):
            folds.append((spoken, tuple(page[i1:i2])))
    return words, marks, folds


def optional_sentences(article: Article) -> set[str]:
    """Return the ids of wholly optional sentences: title block and reference list."""
    ids = set(TITLE_BLOCK)
    for section in article.sections:
        if section.level == 1:
            ids.add(section.title.sentence_id)
        if section.role == "bibliography":
            ids.add(section.title.sentence_id)
            ids.update(s.sentence_id for s in block_sentences(section.blocks))
    ids.update(r.sentence.sentence_id for r in article.references)
    return ids


def citations(article: Article) -> dict[str, list[str]]:
    """Return each sentence's parenthetical citations as written ("(Doe, 2020)")."""
    found: dict[str, list[str]] = {}
    for sentence in article.sentences():
        for node in walk_inlines(sentence.inlines):
            if isinstance(node, Cite):
                text = plain_text(node.children).strip()
                if text.startswith(("(", "[")):
                    found.setdefault(sentence.sentence_id, []).append(text)
    return found


def lines(article: Article, timings: Timings) -> list[Line]:
    """Return the reference of every timed sentence, in reading order."""
    script = build_script(article)
    asides = {u.sentence_id: u.asides for c in script for u in c.utterances}
    free = optional_sentences(article)
    cited = citations(article)
    folds = lexicon_equivalents(article.lexicon)
    out = []
    for s in speech_script.sentences(script, timings):
        words, marks, spoken_folds = reference(
            s.written,
            s.spoken,
            cited.get(s.sentence_id, ()),
            asides.get(s.sentence_id, ()),
            folds,
        )
        if s.sentence_id in free:
            marks = [True] * len(marks)
        out.append(
            Line(
                s.sentence_id,
                s.start,
                s.end,
                s.written,
                tuple(words),
                tuple(marks),
                tuple(spoken_folds),
            )
        )
    return out
