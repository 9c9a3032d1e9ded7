"""The whole audio build with `--tts gtts`, against the local stand-in (never Google).

The stand-in answers with tones as long as the text would take to say, which is all
the build needs to be exercised end to end: synthesis through the per-sentence
cache, mastering, chapters, captions. The engine's own behaviour on each failure
(429, 5xx, time-outs, dropped connections) is tested in test_gtts_engine.py.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURE, run_invoke
from gtts import gTTS
from gtts_standin import OK, StandIn, running_standin, status

from editions import build as pipeline
from editions.audio import gtts_engine
from editions.audio.cache import SentenceCache
from editions.audio.gtts_engine import URL_ENV, GttsEngine
from editions.audio.script import build_script
from editions.checks.audio import check_audio, read_chapters
from editions.errors import EXIT_MISSING_PROGRAM, BuildFailed
from editions.source import article as source

OUTPUTS = ("mp3", "m4b", "vtt", "timings")


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    """A stand-in the build's gTTS engine talks to, with test-sized waits."""
    monkeypatch.setattr(gtts_engine, "MIN_INTERVAL", 0.02)
    monkeypatch.setattr(gtts_engine, "BACKOFF", 0.02)
    with running_standin("tone") as server:
        monkeypatch.setenv(URL_ENV, server.url)
        yield server


def _build(out: Path, cache: Path, lines: list[str]) -> dict[str, Path]:
    options = pipeline.BuildOptions(
        only=("audio",), tts="gtts", cache_dir=cache, report=lines.append
    )
    return pipeline.run(FIXTURE, out, options)


def _texts() -> list[str]:
    """The distinct sentences the fixture's audio speaks."""
    article, _ = source.load(FIXTURE)
    spoken = [u.spoken for chapter in build_script(article) for u in chapter.utterances]
    return list(dict.fromkeys(spoken))


def _requests_for(text: str) -> int:
    """How many requests gtts makes for *text* (it splits at 100 characters)."""
    return len(gTTS(text, lang="en", lang_check=False).get_bodies())


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_gtts_builds_the_audio_edition_and_caches_each_sentence(
    standin: StandIn, tmp_path: Path
) -> None:
    cache, lines = tmp_path / "speech", []
    paths = _build(tmp_path / "out", cache, lines)
    texts = _texts()
    assert len(standin.requests) == sum(_requests_for(t) for t in texts)
    assert f"audio: {len(texts)} of {len(texts)} sentences synthesised" in "\n".join(
        lines
    )
    key = GttsEngine().cache_key()
    assert all(SentenceCache(cache).path((key, t)).exists() for t in texts)
    assert all(paths[name].is_file() for name in OUTPUTS)
    article, _ = source.load(FIXTURE)
    titles = [s.title_text for s in article.sections if s.level <= 2]
    assert [title for title, _, _ in read_chapters(paths["mp3"])] == titles
    assert check_audio(paths["mp3"], titles) == []

    # A rebuild elsewhere from the same cache asks the service for nothing.
    before, again = len(standin.requests), []
    _build(tmp_path / "again", cache, again)
    assert len(standin.requests) == before
    assert f"audio: 0 of {len(texts)} sentences synthesised" in "\n".join(again)


def test_interrupted_gtts_build_resumes_where_it_stopped(
    standin: StandIn, tmp_path: Path
) -> None:
    out, cache = tmp_path / "out", tmp_path / "speech"
    standin.set_script(*[OK] * 8, then=status(503))
    with pytest.raises(BuildFailed) as failure:
        _build(out, cache, [])
    report = failure.value.report()
    assert "error AUD013:" in report and "HTTP 503" in report and standin.url in report
    assert not [p for p in _files(out) if p.suffix in {".mp3", ".m4b", ".vtt"}]
    assert not [p for p in _files(tmp_path) if p.name.endswith((".part", ".wav"))]

    key, texts = GttsEngine().cache_key(), _texts()
    cached = [t for t in texts if SentenceCache(cache).path((key, t)).exists()]
    assert 1 <= len(cached) < len(texts)

    standin.set_script()  # the service is back
    before, lines = len(standin.requests), []
    paths = _build(out, cache, lines)
    missing = [t for t in texts if t not in cached]
    assert len(standin.requests) - before == sum(_requests_for(t) for t in missing)
    assert f"audio: {len(missing)} of {len(texts)} sentences synthesised" in "\n".join(
        lines
    )
    assert all(paths[name].is_file() for name in OUTPUTS)


def _closed_port() -> int:
    """Return a local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_service_exits_with_a_clear_message(tmp_path: Path) -> None:
    """Through the real command line: exit code, message, and an empty folder."""
    url = f"http://127.0.0.1:{_closed_port()}"
    out = tmp_path / "out"
    env = {**os.environ, URL_ENV: url}
    options = ["--tts", "gtts", "--source", str(FIXTURE), "--out", str(out)]
    done = run_invoke("audio", *options, env=env, timeout=120)
    message = done.stdout + done.stderr
    assert done.returncode == EXIT_MISSING_PROGRAM, message
    assert "error AUD013:" in message and url in message
    assert "connection refused" in message and "--tts piper" in message
    assert "Traceback" not in message
    assert _files(out) == []  # nothing half-written: no audio, no cache entry
