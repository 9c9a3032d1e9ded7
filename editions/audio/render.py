"""Article → audio edition: script, cached parallel synthesis, mastering, chapters.

Beside the MP3 it writes the speech script (`speech_script`): what was spoken,
sentence by sentence, next to the written text and the timings.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from editions.audio import speech_script
from editions.audio.chapters import BookDetails
from editions.audio.engine import Speech
from editions.audio.master import AudioEdition, Chapter, Cue, Tags, master
from editions.audio.script import build_script
from editions.audio.synth import synthesise
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


def render(
    article: Article,
    out_dir: Path,
    engine: str = "piper",
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> AudioResult:
    """Speak the article; write the MP3, M4B, chapters, WebVTT, timings and script.

    *executor* speaks the sentences elsewhere (a cluster's workers), see `synthesise`.
    """
    script = build_script(article)
    texts = [u.spoken for chapter in script for u in chapter.utterances]
    cache_dir = cache_dir or out_dir / ".cache" / "speech"
    speech, synthesised = _speak(article, texts, engine, cache_dir, progress, executor)
    chapters = [
        Chapter(
            chapter.title,
            tuple(
                Cue(u.sentence_id, u.display, speech[u.spoken], u.pause_after)
                for u in chapter.utterances
            ),
        )
        for chapter in script
    ]
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
    edition = master(chapters, out_dir, article.stem, tags)
    speech, text = speech_script.write(
        script, edition.timings, article.title, article.lang
    )
    return AudioResult(edition, synthesised, len(texts), speech, text)


def _speak(
    article: Article,
    texts: list[str],
    engine: str,
    cache_dir: Path,
    progress: Callable[[int, int], None] | None,
    executor: Executor | None = None,
) -> tuple[dict[str, Speech], int]:
    """Synthesise; a speech service that fails becomes a finding, not a traceback.

    Nothing of the audio edition has been written at this point; sentences that
    were synthesised are whole cache entries, so the next run resumes from them.
    """
    from editions.audio.gtts_engine import (
        SpeechServiceError,
        SpeechServiceUnavailable,
    )

    try:
        return synthesise(
            texts, engine, cache_dir, progress, lang=article.lang, executor=executor
        )
    except SpeechServiceError as err:
        code = (
            SERVICE_UNREACHABLE
            if isinstance(err, SpeechServiceUnavailable)
            else SERVICE_REFUSED
        )
        where = Location(article.source, key=f"--tts {engine}")
        raise BuildFailed(
            [Finding(code, str(err), where)],
            exit_code=EXIT_MISSING_PROGRAM,
            summary="The audio edition was not written.",
        ) from err
