"""Article → audio edition: script, cached parallel synthesis, mastering, chapters."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from editions.audio.master import AudioEdition, Chapter, Cue, Tags, master
from editions.audio.script import build_script
from editions.audio.synth import synthesise
from editions.model import Article


@dataclass(frozen=True)
class AudioResult:
    """The audio files, their timings and how much had to be synthesised."""

    edition: AudioEdition
    synthesised: int
    utterances: int


def render(
    article: Article,
    out_dir: Path,
    engine: str = "piper",
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AudioResult:
    """Speak the article and write the MP3, M4B, chapter files, WebVTT and timings."""
    script = build_script(article)
    texts = [u.spoken for chapter in script for u in chapter.utterances]
    cache_dir = cache_dir or out_dir / ".cache" / "speech"
    speech, synthesised = synthesise(texts, engine, cache_dir, progress)
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
    tags = Tags(article.title, article.author, article.lang, article.year)
    edition = master(chapters, out_dir, article.stem, tags)
    return AudioResult(edition, synthesised, len(texts))


def load_timings(path: Path) -> dict[str, object]:
    """Read the timings file the EPUB overlays and the HTML read-along use."""
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data
