"""Master each chapter as soon as its sentences are spoken, while the rest are.

With the fast default voice, synthesis takes seconds and chapter mastering
(levelling, two encodes, decoding to measure) is the longer part. Each chapter's
master depends only on its own sentences, so it starts the moment the last of them
is in the speech cache, in a pool beside synthesis. It lands in the chapter-master
cache, where `master` then finds it: the books are joined as before.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from editions.audio import workers
from editions.audio.chapter_master import ChapterMaster, ChapterSound, chapter_master
from editions.audio.engine import Speech
from editions.audio.master import Chapter, Cue, chapter_salt, chapter_sound
from editions.audio.script import ScriptChapter
from editions.audio.stored import StoredSpeech
from editions.programs import ffmpeg_exe


class Premaster:
    """Start chapter masters as their sentences arrive; wait for them at the end."""

    def __init__(
        self,
        script: Sequence[ScriptChapter],
        masters: Path,
        stem: str,
    ) -> None:
        self.script = list(script)
        #: Each sentence's speech as `synthesise` read it: where it is, not its
        #: samples (a queued master holds what it is handed until a worker takes
        #: it, and chapters are spoken faster than they are mastered: issue 22).
        self.ready: dict[str, StoredSpeech] = {}
        self.masters, self.stem = masters, stem
        self.ffmpeg = ffmpeg_exe()
        self.salt = chapter_salt(self.ffmpeg)
        self.waiting = [
            {u.spoken for u in chapter.utterances} for chapter in self.script
        ]
        self.jobs: dict[int, Future[ChapterMaster]] = {}
        #: Chapters whose every sentence was cached before this build: most
        #: likely their masters are too, so they wait behind a chapter with new
        #: speech (an edit's), which then starts at once instead of last.
        self.deferred: list[tuple[int, ChapterSound]] = []
        self.started = time.time()
        self.pool = _take_pool()

    def spoken(self, text: str, speech: StoredSpeech) -> None:
        """Note one sentence is ready; start every chapter it completes.

        *speech* is the cache entry `synthesise` has checked: it is not read again.
        """
        self.ready[text] = speech
        for index, pending in enumerate(self.waiting):
            if text in pending:
                pending.discard(text)
                if not pending:
                    self._start(index)

    def _start(self, index: int) -> None:
        chapter = self.script[index]
        cues = tuple(
            Cue(u.sentence_id, u.display, self.ready[u.spoken], u.pause_after)
            for u in chapter.utterances
        )
        sound = chapter_sound(Chapter(chapter.title, cues), index, len(self.script))
        if not any(self._new(speech) for speech in sound.speech):
            self.deferred.append((index, sound))
            return
        self._submit(index, sound)
        self._submit_deferred()

    def _new(self, speech: Speech) -> bool:
        """Say whether *speech* was put in the cache during this build."""
        if not isinstance(speech, StoredSpeech):
            return True
        try:
            return speech.path.stat().st_mtime >= self.started
        except OSError:
            return True

    def _submit(self, index: int, sound: ChapterSound) -> None:
        self.jobs[index] = self.pool.submit(
            chapter_master, self.ffmpeg, sound, self.masters, self.stem, self.salt
        )

    def _submit_deferred(self) -> None:
        for index, sound in self.deferred:
            self._submit(index, sound)
        self.deferred.clear()

    def finish(self) -> dict[int, ChapterMaster]:
        """Wait for every started master and return them by chapter index.

        `master` takes them as they are: finding them in the cache again would
        read and hash every sentence of the book a second time.
        """
        try:
            self._submit_deferred()
            return {index: job.result() for index, job in self.jobs.items()}
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def cancel(self) -> None:
        """Stop what has not started (synthesis failed)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


#: The mastering pool made before the article is loaded (`warm_up`): its fork
#: server loads the DSP libraries while the build loads the article and speaks, and
#: the next `Premaster` takes the pool.
_warm: ProcessPoolExecutor | None = None


def warm_up() -> None:
    """Start the mastering fork server now, for the audio edition's pool later."""
    global _warm
    if _warm is None:
        _warm = _started_pool()


def cool_down() -> None:
    """Stop a warmed pool that no `Premaster` took (the audio was not rebuilt)."""
    global _warm
    pool, _warm = _warm, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _take_pool() -> ProcessPoolExecutor:
    global _warm
    pool, _warm = _warm, None
    return pool or _started_pool()


def _started_pool() -> ProcessPoolExecutor:
    """Return a pool of up to one mastering worker per core, its server started.

    No worker is forked yet: each is forked when a chapter waits for one, so an
    edit that masters one chapter forks one (`workers`).
    """
    return workers.pool(max(1, os.cpu_count() or 1))
