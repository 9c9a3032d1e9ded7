"""Audio edition → ASR back-check findings: is every sentence really said?

Whisper transcribes the MP3; each recognised word goes to the sentence whose
window (from the timings file) holds it, and each sentence is scored against what
the script meant to say. Respellings from the lexicon ("nal-TREX-own") are not
what a recogniser writes, so each sentence is scored against both the respelled and
the plain spoken text, and the better score counts. Names a small model mishears are
listed for a listener, not failed: only an overall accuracy below OVERALL_MIN
(ASR001) or a sentence that was hardly heard at all (ASR002) fails.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from editions.audio.script import build_script
from editions.checks.asr import (
    WINDOW_SLACK,
    Segment,
    Word,
    heard_words,
    marked_words,
    transcribe,
    word_accuracy,
    words_of,
)
from editions.errors import Finding, Location
from editions.facts import Timings
from editions.model import Article
from editions.report.results import Listening, SentenceScore

#: Whisper tiny.en on the Piper voice hears about 92% of the main article's words.
OVERALL_MIN = 0.80
#: A sentence of SENTENCE_MIN_WORDS or more words scoring below this was not said.
SENTENCE_MIN = 0.30
SENTENCE_MIN_WORDS = 5
WORST = 10

_LETTER = re.compile(r"^\(?[-.]*[A-Za-z][-.]*[,;:)]?$")


def merge_letters(text: str) -> str:
    """Join spelled-out letters ("L D N", "F. D. A.", "L -D -N") into one word.

    "(C R P S)", "H I V, I B S" and "F D A-approved" join too: a bracket or a
    comma opens or ends a run, and a word hyphened to the last letter stays apart.
    """
    text = re.sub(r"(?<=[A-Z] [A-Z])-(?=[a-z]{2,})", " ", text)
    out: list[str] = []
    run: list[str] = []
    for token in text.split():
        if _LETTER.match(token):
            if token.startswith("(") and run:
                out.append("".join(run))
                run = []
            run.append(token.strip(".-(),;:"))
            if token[-1] in ",;:)":
                out.append("".join(run) + token[-1])
                run = []
            continue
        if run:
            out.append("".join(run))
            run = []
        out.append(token)
    if run:
        out.append("".join(run))
    return " ".join(out)


def assign(
    windows: Sequence[tuple[str, float, float]],
    words: Sequence[Word],
    slack: float = WINDOW_SLACK,
) -> dict[str, list[str]]:
    """Return, for each sentence id, the recognised words `asr.heard_words` gave it."""
    heard = heard_words([(start, end) for _sid, start, end in windows], words, slack)
    return {sid: found for (sid, _s, _e), found in zip(windows, heard, strict=True)}


def spoken_texts(article: Article) -> list[dict[str, tuple[str, tuple[str, ...]]]]:
    """Return id → (spoken text, its citation asides) with the lexicon's
    respellings, and without them."""
    variants = (article, replace(article, lexicon=()))
    return [
        {
            u.sentence_id: (u.spoken, u.asides)
            for ch in build_script(a)
            for u in ch.utterances
        }
        for a in variants
    ]


def score(
    segments: Sequence[Segment], timings: Timings, article: Article
) -> list[tuple[SentenceScore, int]]:
    """Score every timed sentence; return (score, reference word count) pairs.

    A spoken citation aside is optional (issue 20): saying it, or mishearing its
    names, costs nothing, and its words are not counted.
    """
    windows = [(s.sentence_id, s.start, s.end) for s in timings.sentences]
    heard = assign(windows, words_of(segments))
    variants = spoken_texts(article)
    out = []
    for sid, _start, _end in windows:
        said = merge_letters(" ".join(heard[sid]))
        best: tuple[float, str, tuple[str, ...]] = (-1.0, "", ())
        for spoken in variants:
            if sid in spoken:
                text, asides = spoken[sid]
                optional = [merge_letters(a) for a in asides]
                accuracy = word_accuracy(merge_letters(text), said, optional=optional)
                best = max(best, (accuracy, text, asides))
        if best[0] < 0:
            continue  # timed but not in the script (nothing to compare with)
        optional = [merge_letters(a) for a in best[2]]
        _words, marks = marked_words(merge_letters(best[1]), optional)
        count = marks.count(False)
        out.append((SentenceScore(sid, best[0], best[1], " ".join(heard[sid])), count))
    return out


def findings_of(
    scores: Sequence[tuple[SentenceScore, int]], where: Path
) -> tuple[list[Finding], Listening]:
    """Judge the scores: ASR001 overall, ASR002 per sentence; keep the worst ones."""
    total = sum(count for _s, count in scores)
    accuracy = sum(s.accuracy * count for s, count in scores) / total if total else 1.0
    findings = []
    if accuracy < OVERALL_MIN:
        findings.append(
            Finding(
                "ASR001",
                f"speech recognition understood {accuracy:.0%} of the words "
                f"(at least {OVERALL_MIN:.0%} expected); listen for skipped or "
                "garbled speech",
                Location(where),
            )
        )
    findings += [
        Finding(
            "ASR002",
            f"sentence {s.sentence_id} was hardly heard ({s.accuracy:.0%} of "
            f"{count} words): expected {s.expected[:80]!r}, heard {s.heard[:80]!r}",
            Location(where, key=s.sentence_id),
        )
        for s, count in scores
        if count >= SENTENCE_MIN_WORDS and s.accuracy < SENTENCE_MIN
    ]
    worst = sorted((s for s, _c in scores), key=lambda s: s.accuracy)[:WORST]
    return findings, Listening(accuracy, len(scores), worst)


def back_check(
    mp3: Path, timings_path: Path, article: Article
) -> tuple[list[Finding], Listening]:
    """Transcribe *mp3* and compare each timed sentence with the script."""
    timings = Timings.read(timings_path)
    return findings_of(score(transcribe(mp3), timings, article), mp3)
