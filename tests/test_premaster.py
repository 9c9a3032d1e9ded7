"""Chapters are mastered while synthesis goes on, and the book reuses those masters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURE

from editions.audio import chapter_master, premaster
from editions.audio.master import Tags, master
from editions.audio.premaster import Premaster
from editions.audio.render import spoken_chapters
from editions.audio.script import build_script
from editions.audio.stored import StoredSpeech
from editions.audio.synth import synthesise
from editions.source import article as source


def test_chapters_are_mastered_as_their_sentences_arrive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article, _ = source.load(FIXTURE)
    script = build_script(article)
    texts = [u.spoken for chapter in script for u in chapter.utterances]
    masters = tmp_path / "masters"
    early = Premaster(script, masters, article.stem)
    started: list[int] = []

    def spoken(text: str, speech: StoredSpeech) -> None:
        early.spoken(text, speech)
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


def test_a_queued_master_holds_where_the_speech_is_not_its_samples(
    tmp_path: Path,
) -> None:
    """Issue 22: chapters are spoken faster than they are mastered, and a queued
    master keeps what it was handed; samples there made memory grow with length."""
    from concurrent.futures import Future

    from editions.audio.cache import SentenceCache
    from editions.audio.master import Chapter, Cue, chapter_sound

    article, _ = source.load(FIXTURE)
    script = build_script(article)
    texts = [u.spoken for chapter in script for u in chapter.utterances]
    early = Premaster(script, tmp_path / "masters", "x")
    early.pool.shutdown()
    handed: list[chapter_master.ChapterSound] = []

    class Queue:
        def submit(self, fn: object, ffmpeg: str, sound: object, *rest: object):
            assert isinstance(sound, chapter_master.ChapterSound)
            handed.append(sound)
            return Future()

        def shutdown(self, **_: object) -> None:
            pass

    early.pool = Queue()  # type: ignore[assignment]
    _, made = synthesise(texts, "null", tmp_path / "speech", on_spoken=early.spoken)
    assert made > 0 and len(handed) == len(script) > 1
    for sound in handed:
        assert sound.speech and all(isinstance(s, StoredSpeech) for s in sound.speech)
    # The same chapters in memory have the same cache keys: no master is redone.
    cache = SentenceCache(tmp_path / "speech")
    in_memory = [
        chapter_sound(
            Chapter(
                chapter.title,
                tuple(
                    Cue(u.sentence_id, u.display, speech, u.pause_after)
                    for u in chapter.utterances
                    if (speech := cache.get(("null", u.spoken))) is not None
                ),
            ),
            index,
            len(script),
        )
        for index, chapter in enumerate(script)
    ]
    assert all(
        isinstance(s.speech[0].samples, np.ndarray) and s.speech[0].samples.size
        for s in in_memory
    )
    assert sorted(s.key("salt") for s in handed) == sorted(
        s.key("salt") for s in in_memory
    )


def test_a_chapter_with_new_speech_is_mastered_before_those_already_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit: the chapter that changed starts at once, not after every chapter
    whose master only has to be found in the cache."""
    from concurrent.futures import Future

    article, _ = source.load(FIXTURE)
    script = build_script(article)
    assert len(script) > 2
    edited = len(script) // 2
    texts = [u.spoken for chapter in script for u in chapter.utterances]
    new = {u.spoken for u in script[edited].utterances}
    synthesise([t for t in texts if t not in new], "null", tmp_path / "speech")
    early = Premaster(script, tmp_path / "masters", "x")
    early.pool.shutdown()
    order: list[int] = []

    class Queue:
        def submit(self, fn: object, ffmpeg: str, sound: object, *rest: object):
            index = next(n for n, s in enumerate(script) if s.title == titles[sound])
            order.append(index)
            done: Future[object] = Future()
            done.set_result(None)
            return done

        def shutdown(self, **_: object) -> None:
            pass

    titles: dict[object, str] = {}
    original = premaster.chapter_sound

    def remember(chapter, index, count):  # type: ignore[no-untyped-def]
        sound = original(chapter, index, count)
        titles[sound] = chapter.title
        return sound

    early.pool = Queue()  # type: ignore[assignment]
    monkeypatch.setattr(premaster, "chapter_sound", remember)
    synthesise(texts, "null", tmp_path / "speech", on_spoken=early.spoken)
    early.finish()
    assert order[0] == edited
    assert sorted(order) == list(range(len(script)))


def test_each_cached_sentence_is_read_once_per_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: the main process read and checked every sentence twice, once
    in `synthesise` and again to hand it to its chapter's master."""
    from collections import Counter

    from editions.audio.cache import SentenceCache
    from editions.audio.render import render

    article, _ = source.load(FIXTURE)
    texts = {u.spoken for chapter in build_script(article) for u in chapter.utterances}
    reads: Counter[str] = Counter()
    samples: list[Path] = []
    get, read = SentenceCache.get, StoredSpeech.samples.fget
    assert read is not None

    def counted_get(cache: SentenceCache, key_parts: tuple[str, str]) -> object:
        if cache.path(key_parts).exists():  # a miss reads nothing
            reads[key_parts[1]] += 1
        return get(cache, key_parts)

    def counted_read(speech: StoredSpeech) -> object:
        samples.append(speech.path)
        return read(speech)

    monkeypatch.setattr(SentenceCache, "get", counted_get)
    monkeypatch.setattr(StoredSpeech, "samples", property(counted_read))
    for build in ("cold", "warm"):  # everything spoken, then everything cached
        reads.clear()
        result = render(article, tmp_path / "out", "null")
        assert result.synthesised == (len(texts) if build == "cold" else 0)
        assert set(reads) == texts, build
        assert set(reads.values()) == {1}, f"{build}: {reads.most_common(3)}"
        # The samples are read by the mastering workers, never in this process.
        assert samples == [], build
        assert result.edition.mp3 is not None and result.edition.mp3.stat().st_size


def test_chapters_are_spoken_whole_and_the_longest_first() -> None:
    from editions.audio.render import speaking_order

    article, _ = source.load(FIXTURE)
    script = build_script(article)
    order = speaking_order(script)
    assert sorted(order) == sorted(u.spoken for c in script for u in c.utterances)
    runs = []  # each chapter's sentences, as they come in the order
    at = 0
    for chapter in sorted(script, key=lambda c: order.index(c.utterances[0].spoken)):
        said = [u.spoken for u in chapter.utterances]
        assert order[at : at + len(said)] == said  # whole, in reading order
        runs.append(sum(map(len, said)))
        at += len(said)
    assert runs == sorted(runs, reverse=True) and runs[0] > runs[-1]
    reading = [sum(len(u.spoken) for u in c.utterances) for c in script]
    assert reading != sorted(reading, reverse=True)  # else script order would pass
