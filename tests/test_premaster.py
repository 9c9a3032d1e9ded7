"""Chapters are mastered while synthesis goes on, and the book reuses those masters."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURE

from editions.audio import chapter_master
from editions.audio.master import Tags, master
from editions.audio.premaster import Premaster
from editions.audio.render import spoken_chapters
from editions.audio.script import build_script
from editions.audio.synth import synthesise
from editions.source import article as source


def test_chapters_are_mastered_as_their_sentences_arrive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article, _ = source.load(FIXTURE)
    script = build_script(article)
    texts = [u.spoken for chapter in script for u in chapter.utterances]
    masters = tmp_path / "masters"
    early = Premaster(script, tmp_path / "speech", masters, article.stem)
    started: list[int] = []

    def spoken(text: str, key: str) -> None:
        early.spoken(text, key)
        started.append(len(early.jobs))

    speech, made = synthesise(texts, "null", tmp_path / "speech", on_spoken=spoken)
    masters_made = early.finish()
    assert sorted(masters_made) == list(range(len(script)))
    assert made == len(set(texts)) == len(started)
    assert len(early.jobs) == len(script) > 1
    assert started[-2] >= 1  # a chapter was mastering before the last sentence
    # Spoken in script order: the first chapter starts once its own sentences are.
    first = len(dict.fromkeys(u.spoken for u in script[0].utterances))
    assert started[first - 1] >= 1
    assert len(list(masters.glob(f"{article.stem}-*/chapter.json"))) == len(script)

    def never(*args: object) -> None:
        raise AssertionError("a chapter was mastered twice")

    monkeypatch.setattr(chapter_master, "_make", never)
    chapters = spoken_chapters(script, speech)
    tags = Tags(article.title, article.author, article.lang, article.year)
    edition = master(chapters, tmp_path / "out", article.stem, tags, masters)
    assert len(edition.chapter_files) == len(script)
    # Handed the masters already made, the book does not look them up again.
    from editions.audio import master as mastering

    monkeypatch.setattr(mastering, "chapter_master", never)
    again = master(
        chapters, tmp_path / "again", article.stem, tags, masters, masters_made
    )
    assert again.timings.read_bytes() == edition.timings.read_bytes()
