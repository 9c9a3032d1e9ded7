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
from editions.audio.engine import Engine
from editions.audio.gtts_engine import SpeechServiceUnavailable
from editions.errors import MissingProgram

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

#: Each worker thread loads a voice once and keeps it for the sentences after.
_loaded = threading.local()


def speak_into_cache(
    engine_name: str, lang: str, cache_dir: str, key: str, text: str
) -> str:
    """Speak *text* with this thread's engine and store it under (*key*, *text*)."""
    from editions.audio.synth import make_engine

    engines: dict[tuple[str, str], Engine] = _loaded.__dict__.setdefault("engines", {})
    engine = engines.get((engine_name, lang))
    if engine is None:
        engine = engines[(engine_name, lang)] = make_engine(engine_name, lang)
    SentenceCache(Path(cache_dir)).put((key, text), engine.speak(text))
    return text


def speak_all(
    executor: Executor,
    texts: Sequence[str],
    voice: tuple[str, str],
    cache_dir: Path,
    key: str,
    spoken: Callable[[], None],
) -> None:
    """Speak *texts* on *executor* into the cache; call *spoken* after each one.

    The first failure cancels the sentences not yet started, as the local pool does.
    """
    engine_name, lang = voice
    # Longest first, so the last worker is not left with a long sentence.
    ordered = sorted(texts, key=len, reverse=True)
    futures = [
        executor.submit(speak_into_cache, engine_name, lang, str(cache_dir), key, t)
        for t in ordered
    ]
    try:
        for future in as_completed(futures):
            future.result()
            spoken()
    except BaseException:
        for future in futures:
            future.cancel()
        raise
