"""Speech script (`<stem>.speech.json`) → findings and the editor's review list.

The review lists every sentence the voice was given in other words than the page
shows, so pronunciations are checked in one place. A spoken form that still holds
something only a reader can use ("/", "µ", digits, tags) fails (CHK070); a script
that no longer matches the source fails (CHK071). Checks that cannot apply to a
language are named exemptions (CHK072), never passes.
"""

from __future__ import annotations

from pathlib import Path

from editions.audio import speech_script
from editions.audio.normalise import locale_for, written_only_forms
from editions.audio.script import build_script
from editions.errors import Finding, Location
from editions.model import Article
from editions.report.results import Rewording, SpeechReview

#: Checks that need an English article: the rules and the English-only ASR model.
ENGLISH_ONLY = ("speech normalisation", "ASR back-check")


def exemptions(lang: str) -> list[str]:
    """Return the checks that cannot apply to an article in *lang*, by name."""
    return [] if locale_for(lang) is not None else list(ENGLISH_ONLY)


def exemption(check: str, lang: str, where: Path) -> Finding:
    """Return the named exemption of *check* for a language without its rules."""
    return Finding(
        "CHK072",
        f"exempt: {check} has no rules for language {lang!r} (English only); "
        "listen to the audio instead",
        Location(where),
        severity="warning",
    )


def review(path: Path, article: Article) -> tuple[list[Finding], SpeechReview]:
    """Read the speech script; return its findings and the review list."""
    lang, spoken = speech_script.read(path)
    result = SpeechReview(lang, len(spoken), exemptions=exemptions(lang))
    findings = [exemption(ENGLISH_ONLY[0], lang, path)] if result.exemptions else []
    for s in spoken:
        if s.differs:
            result.reworded.append(
                Rewording(s.sentence_id, s.start, s.written, s.spoken)
            )
        left = written_only_forms(s.spoken) if not result.exemptions else []
        if left:
            findings.append(
                Finding(
                    "CHK070",
                    f"sentence {s.sentence_id} gives the voice written-only forms "
                    f"{' '.join(dict.fromkeys(left))!r}: {s.spoken[:80]!r}; add a "
                    "normalisation rule or a lexicon entry",
                    Location(path, key=s.sentence_id),
                )
            )
    now = {
        u.sentence_id: u.spoken for ch in build_script(article) for u in ch.utterances
    }
    stale = [s.sentence_id for s in spoken if now.get(s.sentence_id) != s.spoken]
    if stale or len(now) != len(spoken):
        findings.append(
            Finding(
                "CHK071",
                f"the speech script does not match the source ({len(stale)} "
                f"sentence(s) differ, first {stale[:1]}); run `invoke build`",
                Location(path),
            )
        )
    return findings, result


def lines(result: SpeechReview) -> list[str]:
    """Return the review as `invoke check` prints it."""
    out = [
        f"Speech script review ({result.lang}): {len(result.reworded)} of "
        f"{result.sentences} sentences are spoken differently from the page"
    ]
    for r in result.reworded:
        out += [f"  {r.sentence_id}: {r.written}", f"    said: {r.spoken}"]
    out += [f"  exempt: {name} ({result.lang})" for name in result.exemptions]
    return out
