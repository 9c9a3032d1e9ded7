"""Sentences → speech on an executor's workers (a Dask cluster), cached per sentence.

Each task speaks one sentence and stores it in the shared speech cache before it
returns, so a worker that dies loses at most the sentence it was speaking: the
scheduler runs that task again elsewhere, and what was stored is kept.
"""

from __future__ import annotations

import copyreg
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from pathlib import Path

from editions.audio.cache import SentenceCache
from editions.audio.engine import Engine, SpeechServiceUnavailable
from editions.errors import MissingProgram
from editions.model import LexiconEntry

# A worker's exception reaches the build pickled. These two keep only their message
# in `args`, so plain pickling cannot rebuild them, and an unreachable speech
# service (AUD013) or a missing voice (exit 5) would arrive as a confusing error.
copyreg.pickle(
    SpeechServiceUnavailable,
    lambda err: (SpeechServiceUnavailable, (err.url, err.what, err.attempts)),
)
copyreg.pickle(
    MissingProgram, lambda err: (MissingProgram, (err.what, err.how_to_install))
)

#: What makes an engine: its name, language, voice and lexicon (as `make_engine`).
Voiced = tuple[str, str, str, tuple[LexiconEntry, ...]]

#: Each worker thread loads a voice once and keeps it for the sentences after.
_loaded = threading.local()


def speak_into_cache(voiced: Voiced, cache_dir: str, key: str, text: str) -> str:
    """Speak *text* with this thread's engine and store it under (*key*, *text*)."""
    from editions.audio.synth import make_engine

    engines: dict[Voiced, Engine] = _loaded.__dict__.setdefault("engines", {})
    engine = engines.get(voiced)
    if engine is None:
        engine = engines[voiced] = make_engine(*voiced)
    SentenceCache(Path(cache_dir)).put((key, text), engine.speak(text))
    return text


def speak_all(
    executor: Executor,
    texts: Sequence[str],
    voiced: Voiced,
    cache_dir: Path,
    key: str,
    spoken: Callable[[str], None],
) -> None:
    """Speak *texts* on *executor* into the cache; call *spoken* after each one.

    The first failure cancels the sentences not yet started, as the local pool does.
    """
    # Longest first, so the last worker is not left with a long sentence.
    ordered = sorted(texts, key=len, reverse=True)
    futures = [
        executor.submit(speak_into_cache, voiced, str(cache_dir), key, t)
        for t in ordered
    ]
    try:
        for future in as_completed(futures):
            spoken(future.result())
    except BaseException:
        for future in futures:
            future.cancel()
        raise
