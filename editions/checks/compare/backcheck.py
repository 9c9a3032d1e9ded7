"""Audio edition → ASR back-check findings: is every sentence really said?

Whisper transcribes the MP3 and `asr_metric.listen` scores it against the written
text, sentence by sentence, by the one ASR definition (issue 20). Names a small
model mishears are listed for a listener, not failed: an overall accuracy below
OVERALL_MIN (ASR001), a sentence hardly heard at all (ASR002) or a sentence of
FLOOR_WORDS or more words heard below the FLOOR (ASR003) fails.
"""

from __future__ import annotations

from pathlib import Path

from editions.checks.asr_metric import FLOOR, FLOOR_WORDS, Heard, Score, hear
from editions.errors import Finding, Location
from editions.facts import Timings
from editions.model import Article
from editions.report.results import Listening, SentenceScore

#: Below this the audio edition fails whatever the voice (joe scores about 0.9).
OVERALL_MIN = 0.80
#: A sentence of FLOOR_WORDS or more words scoring below this was not said.
SENTENCE_MIN = 0.30
WORST = 10


def _said(heard: Heard) -> SentenceScore:
    return SentenceScore(
        heard.line.sentence_id, heard.accuracy, heard.line.written, heard.heard
    )


def findings_of(score: Score, where: Path) -> tuple[list[Finding], Listening]:
    """Judge a score: ASR001 overall, ASR002 and ASR003 per sentence."""
    findings = []
    if score.accuracy < OVERALL_MIN:
        findings.append(
            Finding(
                "ASR001",
                f"speech recognition understood {score.accuracy:.0%} of the words "
                f"(at least {OVERALL_MIN:.0%} expected); listen for skipped or "
                "garbled speech",
                Location(where),
            )
        )
    for heard in score.below_floor():
        sid, line = heard.line.sentence_id, heard.line
        written, said = line.written[:80], heard.heard[:80]
        if heard.accuracy < SENTENCE_MIN:
            message = (
                f"sentence {sid} was hardly heard ({heard.accuracy:.0%} of "
                f"{line.required} words): written {written!r}, heard {said!r}"
            )
            findings.append(Finding("ASR002", message, Location(where, key=sid)))
        else:
            message = (
                f"sentence {sid} was heard at {heard.accuracy:.0%} of its "
                f"{line.required} words, under the {FLOOR:.0%} floor: written "
                f"{written!r}, heard {said!r}; listen to it and fix the "
                "pronunciation (lexicon) or the wording"
            )
            findings.append(Finding("ASR003", message, Location(where, key=sid)))
    listening = Listening(
        score.accuracy,
        len(score.sentences),
        [_said(h) for h in score.worst(WORST)],
        words=score.words,
        below_floor=[_said(h) for h in score.below_floor()],
        floor=FLOOR,
        floor_words=FLOOR_WORDS,
    )
    return findings, listening


def back_check(
    mp3: Path, timings_path: Path, article: Article
) -> tuple[list[Finding], Listening]:
    """Transcribe *mp3* and score each timed sentence against the written text."""
    timings = Timings.read(timings_path)
    return findings_of(hear(article, timings, mp3), mp3)
