"""Utterances → speech, in parallel across cores, cached per sentence.

The cache key is the spoken text plus the engine's `cache_key()` (engine, voice and
settings), so editing one paragraph re-synthesises only the sentences that changed,
and an interrupted run resumes where it stopped: each worker stores its result as
soon as it has it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import (
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from pathlib import Path

from editions.audio.cache import SentenceCache
from editions.audio.engine import Engine, Speech
from editions.audio.stored import StoredSpeech
from editions.model import LexiconEntry
from editions.process_role import name_this_process

_worker_engine: Engine | None = None


def make_engine(
    name: str,
    lang: str = "en",
    voice: str = "",
    lexicon: tuple[LexiconEntry, ...] = (),
) -> Engine:
    """Return engine *name* (hibari, piper, espeak, gtts or null) for *lang*.

    *voice* picks one of the engine's voices ("" = its default, see `voices`);
    the lexicon's IPA reaches the engines that take phonemes. gTTS takes the
    language and picks the accent from the region ("en-GB" → British English).
    """
    if name == "hibari":
        from editions.audio.hibari_engine import HibariEngine
        from editions.audio.pronounce import for_hibari

        return HibariEngine(voice or "heart", pronunciations=for_hibari(lexicon))
    if name == "piper":
        from editions.audio.piper_engine import PiperEngine
        from editions.audio.pronounce import for_piper

        return PiperEngine(pronunciations=for_piper(lexicon))
    if name == "espeak":
        from editions.audio.espeak_engine import EspeakEngine
        from editions.audio.pronounce import for_espeak

        return EspeakEngine(lang, pronunciations=for_espeak(lexicon))
    if name == "gtts":
        from editions.audio.gtts_engine import GttsEngine, for_language

        return GttsEngine(**for_language(lang))
    if name == "null":
        from editions.audio.null_engine import NullEngine

        return NullEngine()
    raise ValueError(
        f"unknown speech engine {name!r}: use hibari, piper, espeak, gtts or null"
    )


def _use_engine(engine: Engine) -> None:
    """Speak with the build's own engine: a thread here uses it, a forked worker
    inherits it (with the fork context, the pool hands its initializer's
    arguments over in the fork, unpickled), with whatever voice it has loaded."""
    global _worker_engine
    name_this_process("synth")
    _worker_engine = engine


def _speak_into_cache(
    cache_dir: str, key: str, text: str
) -> tuple[str, StoredSpeech | None]:
    """Speak *text* into the cache; return where it is, read back whole.

    The entry is checked here, in the worker, as `synthesise` checks a cached one
    (None if it does not read back): the build's main process reads it no more.
    """
    assert _worker_engine is not None
    speech = _worker_engine.speak(text)
    cache = SentenceCache(Path(cache_dir))
    cache.put((key, text), speech)
    return text, cache.stored((key, text))


def synthesise(
    texts: Sequence[str],
    engine_name: str,
    cache_dir: Path,
    progress: Callable[[int, int], None] | None = None,
    lang: str = "en",
    voice: str = "",
    lexicon: tuple[LexiconEntry, ...] = (),
    on_spoken: Callable[[str, StoredSpeech], None] | None = None,
    executor: Executor | None = None,
) -> tuple[dict[str, Speech], int]:
    """Return speech for every distinct text, and how many had to be synthesised.

    With *executor* (a Dask cluster's, from `editions.cluster`) the sentences are
    spoken on its workers into *cache_dir*, which they share; else in local processes.
    *on_spoken(text, speech)* hears of each text as soon as its speech is in the
    cache, checked whole: at once for those already there, so work that needs
    only some sentences (a chapter's master) can start before the rest are done.
    It is handed the `StoredSpeech` read here: each entry is read once per build.

    The first failure stops the run: sentences not yet started are cancelled (a
    service that is down would otherwise be retried for every one of them), and
    those already synthesised stay cached for the next run.
    """
    engine = make_engine(engine_name, lang, voice, lexicon)
    key = engine.cache_key()
    cache = SentenceCache(cache_dir)
    cache.remove_old_format()
    distinct = list(dict.fromkeys(texts))
    # Read, not just seen: a damaged entry is synthesised again. Only where each
    # entry is stays in memory, until mastering reads its chapter (a book would not
    # fit: 39 hours of float32 is 13 GB).
    cached = {t: cache.stored((key, t)) for t in distinct}
    speech: dict[str, Speech] = {t: s for t, s in cached.items() if s is not None}  # type: ignore[misc]
    missing = [t for t in distinct if t not in speech]
    done = len(distinct) - len(missing)
    if on_spoken:
        for text, found in cached.items():
            if found is not None:
                on_spoken(text, found)
    if progress:
        progress(done, len(distinct))

    def arrived(text: str, found: StoredSpeech | None) -> None:
        nonlocal done
        if found is None:
            raise RuntimeError(f"speech cache entry vanished for: {text[:60]}")
        speech[text] = found  # type: ignore[assignment]  # reads as a Speech
        done += 1
        if on_spoken:
            on_spoken(text, found)
        if progress:
            progress(done, len(distinct))

    if missing and executor is not None:
        from editions.audio.remote import speak_all

        voiced = (engine_name, lang, voice, lexicon)
        speak_all(
            executor,
            missing,
            voiced,
            cache_dir,
            key,
            lambda text: arrived(text, cache.stored((key, text))),
        )
    elif missing:
        cores = (os.cpu_count() or 1) if getattr(engine, "parallel", False) else 1
        workers = min(cores, len(missing))
        pool: ProcessPoolExecutor | ThreadPoolExecutor
        if workers > 1:
            # The voice is loaded here, once, and the workers are forked (not
            # spawned) with it: hibari's took each of them 0.6 CPU-s. A forked
            # child shares the loaded pages and speaks the same bytes (tested).
            load = getattr(engine, "load", None)
            if load is not None:
                load()
            pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_use_engine,
                initargs=(engine,),
            )
        else:  # one worker: a thread here, which loads the voice as it speaks
            pool = ThreadPoolExecutor(1, initializer=_use_engine, initargs=(engine,))
        try:
            # In the order given, whole chapters (`render.speaking_order`): chapter
            # after chapter completes, so each chapter's master (`on_spoken`)
            # starts while the later ones are still spoken. (Sentences longest
            # first would finish every chapter only at the very end.)
            futures: list[Future[tuple[str, StoredSpeech | None]]] = [
                pool.submit(_speak_into_cache, str(cache_dir), key, t) for t in missing
            ]
            for future in as_completed(futures):
                arrived(*future.result())
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    return speech, len(missing)
