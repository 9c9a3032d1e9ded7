"""Article → audio edition: script, cached parallel synthesis, mastering, chapters.

Chapters are mastered while synthesis goes on, each once its sentences are spoken.
Beside the MP3 it writes the speech script (`speech_script`): what was spoken,
sentence by sentence, next to the written text and the timings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from editions.audio import speech_script
from editions.audio.chapters import BookDetails
from editions.audio.engine import Speech, SpeechServiceError, SpeechServiceUnavailable
from editions.audio.master import AudioEdition, Chapter, Cue, Tags, master
from editions.audio.parts import PART_MINUTES
from editions.audio.premaster import Premaster
from editions.audio.script import ScriptChapter, build_script
from editions.audio.stored import StoredSpeech
from editions.audio.synth import synthesise
from editions.audio.voices import (
    Choice,
    VoiceUnavailable,
    choice_findings,
    choose,
)
from editions.errors import EXIT_MISSING_PROGRAM, BuildFailed, Finding, Location
from editions.model import Article

#: Finding codes for a speech service that failed (see docs/findings.md).
SERVICE_UNREACHABLE = "AUD013"
SERVICE_REFUSED = "AUD014"


@dataclass(frozen=True)
class AudioResult:
    """The audio files, their timings and how much had to be synthesised."""

    edition: AudioEdition
    synthesised: int
    utterances: int
    speech: Path  # <stem>.speech.json: id, written, spoken, start, end
    script_text: Path  # <stem>.script.txt: the same, for reading
    voice: str = ""  # the voice that read it ("heart", "joe", "espeak"...)
    warning: str = ""  # e.g. a language no natural offline voice reads


def render(
    article: Article,
    out_dir: Path,
    engine: str = "auto",
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
    voice: str = "",
    part_minutes: float | None = None,
) -> AudioResult:
    """Speak the article; write the MP3, M4B, chapters, WebVTT, timings and script.

    *engine* and *voice* are `--tts` and `--voice` ("auto" and "" let the
    article's `voice:` and `lang` decide; see `voices.choose`). *executor* speaks
    the sentences elsewhere (a cluster's workers), see `synthesise`. A book longer
    than *part_minutes* (default `parts.PART_MINUTES`) is written in MP3 parts.
    """
    try:
        choice = choose(engine, voice or article.voice or "", article.lang)
    except VoiceUnavailable as err:
        raise BuildFailed(choice_findings(article, engine, voice)) from err
    script = build_script(article)
    texts = speaking_order(script)
    cache_dir = cache_dir or out_dir / ".cache" / "speech"
    # Each chapter is mastered as soon as its sentences are spoken (premaster).
    # Not beside an online service or a cluster: its workers would fork with
    # their connections open, and a forked copy of a socket keeps a reply open.
    masters = out_dir / ".cache" / "masters"
    early = (
        None
        if choice.engine == "gtts" or executor is not None
        else Premaster(script, masters, article.stem)
    )
    try:
        speech, synthesised = _speak(
            article,
            texts,
            choice,
            cache_dir,
            progress,
            early.spoken if early else None,
            executor,
        )
    except BaseException:
        if early:
            early.cancel()
        raise
    made = early.finish() if early else {}
    chapters = spoken_chapters(script, speech)
    tags = Tags(
        article.title,
        article.author,
        article.lang,
        article.iso_date or article.year,
        BookDetails(
            article.author_names,
            article.publisher,
            article.rights,
            article.description,
        ),
    )
    edition = master(
        chapters,
        out_dir,
        article.stem,
        tags,
        masters,
        made,
        PART_MINUTES if part_minutes is None else part_minutes,
    )
    speech, text = speech_script.write(
        script, edition.timings, article.title, article.lang
    )
    return AudioResult(
        edition,
        synthesised,
        len(texts),
        speech,
        text,
        choice.voice.name,
        choice.warning,
    )


def spoken_chapters(
    script: Sequence[ScriptChapter], speech: Mapping[str, Speech]
) -> list[Chapter]:
    """Return the script's chapters with each sentence's speech, ready to master."""
    return [
        Chapter(
            chapter.title,
            tuple(
                Cue(u.sentence_id, u.display, speech[u.spoken], u.pause_after)
                for u in chapter.utterances
            ),
        )
        for chapter in script
    ]


def speaking_order(script: Sequence[ScriptChapter]) -> list[str]:
    """Return the sentences to speak: whole chapters, the longest first.

    Each chapter is mastered as soon as its last sentence is spoken (`Premaster`),
    so the chapter spoken last is mastered after synthesis ends, with one core
    busy. Spoken longest first, that chapter is the shortest, and the build's tail
    with it (the shipped article's References, two minutes, used to be last).
    """
    chapters = sorted(script, key=lambda c: -sum(len(u.spoken) for u in c.utterances))
    return [u.spoken for chapter in chapters for u in chapter.utterances]


def _speak(
    article: Article,
    texts: list[str],
    choice: Choice,
    cache_dir: Path,
    progress: Callable[[int, int], None] | None,
    on_spoken: Callable[[str, StoredSpeech], None] | None = None,
    executor: Executor | None = None,
) -> tuple[dict[str, Speech], int]:
    """Synthesise; a speech service that fails becomes a finding, not a traceback.

    Nothing of the audio edition has been written at this point; sentences that
    were synthesised are whole cache entries, so the next run resumes from them.
    """
    try:
        return synthesise(
            texts,
            choice.engine,
            cache_dir,
            progress,
            lang=article.lang,
            voice=choice.voice.name,
            lexicon=article.lexicon,
            on_spoken=on_spoken,
            executor=executor,
        )
    except SpeechServiceError as err:
        code = (
            SERVICE_UNREACHABLE
            if isinstance(err, SpeechServiceUnavailable)
            else SERVICE_REFUSED
        )
        where = Location(article.source, key=f"--tts {choice.engine}")
        raise BuildFailed(
            [Finding(code, str(err), where)],
            exit_code=EXIT_MISSING_PROGRAM,
            summary="The audio edition was not written.",
        ) from err
