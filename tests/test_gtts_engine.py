"""GttsEngine against a local stand-in: success, retries, failures, throttle, cache.

Nothing here reaches Google: every engine gets the stand-in's 127.0.0.1 URL, and the
backoff, timeout and throttle values are tiny so the file runs in seconds.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gtts_standin import (
    CLOSE,
    OK,
    StandIn,
    hang,
    mp3_for,
    running_standin,
    status,
)

from editions.audio.cache import SentenceCache, speak_cached
from editions.audio.engine import Speech
from editions.audio.gtts_engine import (
    URL_ENV,
    GttsEngine,
    SpeechServiceError,
    SpeechServiceUnavailable,
    default_url,
    parse_retry_after,
)

SENTENCE = "The tablets should be taken with food."


@pytest.fixture(autouse=True)
def _no_real_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sure a stray environment variable cannot redirect these tests."""
    monkeypatch.delenv(URL_ENV, raising=False)


@pytest.fixture
def standin() -> Iterator[StandIn]:
    """A stand-in speaking with Piper, stopped when the test ends."""
    with running_standin("piper") as server:
        yield server


@pytest.fixture
def tone_standin() -> Iterator[StandIn]:
    """A faster stand-in answering with tones, for tests that only count requests."""
    with running_standin("tone") as server:
        yield server


def engine_for(server: StandIn | str, **kwargs: Any) -> GttsEngine:
    """An engine pointed at *server* with test-sized timings."""
    url = server if isinstance(server, str) else server.url
    settings: dict[str, Any] = {
        "timeout": 5.0,
        "min_interval": 0.0,
        "attempts": 4,
        "backoff": 0.02,
    }
    settings.update(kwargs)
    return GttsEngine(base_url=url, **settings)


def test_success_returns_plausible_speech(standin: StandIn) -> None:
    mp3_for(SENTENCE, "piper")  # warm up Piper so a loaded machine cannot time out
    speech = engine_for(standin).speak(SENTENCE)
    assert speech.sample_rate == 24_000
    assert speech.samples.dtype == np.float32 and speech.samples.ndim == 1
    assert 1.0 < speech.seconds < 6.0  # ~7 words of speech
    assert float(np.abs(speech.samples).max()) > 0.05  # not silence
    assert standin.texts() == [SENTENCE]


def test_long_text_is_sent_in_parts(tone_standin: StandIn) -> None:
    text = "This sentence is long. " * 8  # > 100 characters: gtts splits it
    engine_for(tone_standin).speak(text)
    assert len(tone_standin.requests) >= 2


def test_429_twice_then_success_waits(tone_standin: StandIn) -> None:
    tone_standin.set_script(status(429, "0.3"), status(429, "0.3"))
    speech = engine_for(tone_standin).speak(SENTENCE)
    assert speech.seconds > 0
    times = tone_standin.times()
    assert len(times) == 3
    gaps = np.diff(times)
    assert all(gap >= 0.29 for gap in gaps), gaps  # Retry-After honoured


def test_backoff_grows_without_retry_after(tone_standin: StandIn) -> None:
    tone_standin.set_script(status(500), status(502))
    engine_for(tone_standin, backoff=0.2).speak(SENTENCE)
    gaps = np.diff(tone_standin.times())
    # Equal jitter: attempt n waits between half and all of backoff * 2**(n-1).
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2, gaps
    assert gaps[0] < 1.5, gaps  # not waiting for the whole max_backoff either


def test_503_forever_gives_up_after_n_attempts(tone_standin: StandIn) -> None:
    tone_standin.set_script(then=status(503))
    engine = engine_for(tone_standin, attempts=3)
    with pytest.raises(SpeechServiceUnavailable) as caught:
        engine.speak(SENTENCE)
    message = str(caught.value)
    assert len(tone_standin.requests) == 3
    assert engine.url in message and tone_standin.url in message
    assert "HTTP 503" in message
    assert "resumes" in message and "--tts piper" in message
    assert isinstance(caught.value, RuntimeError)


def test_other_4xx_is_not_retried(tone_standin: StandIn) -> None:
    tone_standin.set_script(then=status(403))
    with pytest.raises(SpeechServiceError, match="HTTP 403") as caught:
        engine_for(tone_standin).speak(SENTENCE)
    assert not isinstance(caught.value, SpeechServiceUnavailable)
    assert len(tone_standin.requests) == 1


def test_huge_retry_after_gives_up_at_once(tone_standin: StandIn) -> None:
    tone_standin.set_script(then=status(429, "3600"))
    with pytest.raises(SpeechServiceUnavailable, match="retry after 3600 s"):
        engine_for(tone_standin, max_retry_after=60).speak(SENTENCE)
    assert len(tone_standin.requests) == 1


def test_timeout_is_reported(tone_standin: StandIn) -> None:
    tone_standin.set_script(then=hang(5.0))
    engine = engine_for(tone_standin, timeout=0.2, attempts=2)
    start = time.monotonic()
    with pytest.raises(SpeechServiceUnavailable, match="timeout") as caught:
        engine.speak(SENTENCE)
    assert time.monotonic() - start < 3.0  # not the 5 s the server hangs
    assert "0.2 s" in str(caught.value)
    assert len(tone_standin.requests) == 2


def test_dropped_connection_is_retried_then_works(tone_standin: StandIn) -> None:
    tone_standin.set_script(CLOSE)
    assert engine_for(tone_standin).speak(SENTENCE).seconds > 0
    assert len(tone_standin.requests) == 2


def test_dropped_connection_forever_is_reported(tone_standin: StandIn) -> None:
    tone_standin.set_script(then=CLOSE)
    with pytest.raises(
        SpeechServiceUnavailable, match=r"(reset|closed) .*connection|connection reset"
    ):
        engine_for(tone_standin, attempts=2).speak(SENTENCE)


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_clear() -> None:
    url = f"http://127.0.0.1:{_unused_port()}"
    with pytest.raises(SpeechServiceUnavailable) as caught:
        engine_for(url, attempts=2).speak(SENTENCE)
    message = str(caught.value)
    assert "connection refused" in message and url in message
    assert "2 attempt(s)" in message


def test_throttle_spaces_requests(tone_standin: StandIn) -> None:
    engine = engine_for(tone_standin, min_interval=0.25)
    for word in ("one", "two", "three"):
        engine.speak(word)
    gaps = np.diff(tone_standin.times())
    assert len(gaps) == 2 and all(gap >= 0.24 for gap in gaps), gaps


def test_throttle_holds_across_threads(tone_standin: StandIn) -> None:
    engine = engine_for(tone_standin, min_interval=0.2)
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(engine.speak, ["one", "two", "three"]))
    gaps = np.diff(sorted(tone_standin.times()))
    assert len(gaps) == 2 and all(gap >= 0.19 for gap in gaps), gaps


def test_punctuation_only_is_silence_without_request(tone_standin: StandIn) -> None:
    speech = engine_for(tone_standin).speak("...")
    assert speech.seconds == 0 and tone_standin.requests == []


def test_cache_hit_makes_no_request(tone_standin: StandIn, tmp_path: Path) -> None:
    engine, cache = engine_for(tone_standin), SentenceCache(tmp_path)
    first = speak_cached(engine, cache, SENTENCE)
    second = speak_cached(engine, cache, SENTENCE)
    assert len(tone_standin.requests) == 1
    assert np.array_equal(first.samples, second.samples)
    assert second.sample_rate == first.sample_rate


def test_interrupted_run_resumes(tone_standin: StandIn, tmp_path: Path) -> None:
    sentences = [f"Sentence number {n} of the chapter." for n in range(1, 6)]
    cache = SentenceCache(tmp_path)
    tone_standin.set_script(OK, OK, then=status(503))
    with pytest.raises(SpeechServiceUnavailable):
        for sentence in sentences:
            speak_cached(engine_for(tone_standin, attempts=1), cache, sentence)
    assert len(cache) == 2
    assert not [p for p in tmp_path.iterdir() if not p.name.endswith(".npz")]

    tone_standin.set_script()  # the service is back
    before = len(tone_standin.requests)
    engine = engine_for(tone_standin)
    out = [speak_cached(engine, cache, s) for s in sentences]
    assert tone_standin.texts()[before:] == sentences[2:]
    assert len(out) == 5 and len(cache) == 5


def test_interrupted_write_leaves_no_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = SentenceCache(tmp_path)
    speech = Speech(np.linspace(-1, 1, 100, dtype=np.float32), 24_000)

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.put(("k", "text"), speech)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
    assert cache.get(("k", "text")) is None
    cache.put(("k", "text"), speech)
    got = cache.get(("k", "text"))
    assert got is not None  # stored in 16 bits: within half a step of the peak's
    assert np.abs(got.samples - speech.samples).max() <= 0.5 / 32767 + 1e-7


def test_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = SentenceCache(tmp_path)
    cache.path(("k", "t")).write_bytes(b"not a numpy file")
    assert cache.get(("k", "t")) is None


def test_cache_key_names_every_setting() -> None:
    keys = {
        GttsEngine().cache_key(),
        GttsEngine(lang="fr").cache_key(),
        GttsEngine(tld="co.uk").cache_key(),
        GttsEngine(slow=True).cache_key(),
    }
    assert len(keys) == 4
    key = GttsEngine(lang="en", tld="co.uk", slow=True).cache_key()
    assert all(part in key for part in ("gtts", "en", "co.uk", "True"))


def test_url_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    assert GttsEngine().url.startswith(default_url("com") + "/_/")
    assert GttsEngine(tld="co.uk").url.startswith("https://translate.google.co.uk/")
    monkeypatch.setenv(URL_ENV, "http://127.0.0.1:9")
    assert GttsEngine().url.startswith("http://127.0.0.1:9/_/")
    explicit = GttsEngine(base_url="http://127.0.0.1:8/")
    assert explicit.url.startswith("http://127.0.0.1:8/_/")


def test_parse_retry_after() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
