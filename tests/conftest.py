"""Shared fixtures: every edition of both articles is built once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from editions import build as pipeline
from editions.model import Article
from editions.source import article as source

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "source" / "article.md"
FIXTURE = Path(__file__).resolve().parent / "data" / "good" / "article.md"
ARTICLES = {"main": MAIN, "fixture": FIXTURE}


def run_invoke(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run `invoke` as a user would: a fresh process in the project folder."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass(frozen=True)
class Built:
    """One article, its model and the paths of its built editions."""

    name: str
    article: Article
    paths: dict[str, Path]
    out: Path


#: Checks a test found exempt for its article, printed after the run (issue 20).
EXEMPTIONS: list[str] = []


@pytest.fixture
def exempt(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Record a named exemption: shown in the test output, never counted a pass."""

    def record(check: str, why: str) -> None:
        EXEMPTIONS.append(f"{request.node.nodeid}: exempt: {check}: {why}")
        request.node.user_properties.append(("exempt", f"{check}: {why}"))

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List every named exemption the tests recorded (checks that cannot apply)."""
    if EXEMPTIONS:
        terminalreporter.section("named exemptions (not passes)")
        for line in EXEMPTIONS:
            terminalreporter.write_line(line)


def _speech_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a fresh speech cache, or EDITIONS_TEST_SPEECH_CACHE for local reruns."""
    configured = os.environ.get("EDITIONS_TEST_SPEECH_CACHE")
    return Path(configured) if configured else tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def speech_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _speech_cache(tmp_path_factory)


@pytest.fixture(scope="session")
def built_all(
    tmp_path_factory: pytest.TempPathFactory, speech_cache: Path
) -> dict[str, Built]:
    """Build every edition of the main article and of the fixture article, once."""
    result = {}
    for name, path in ARTICLES.items():
        out = tmp_path_factory.mktemp(f"build-{name}")
        options = pipeline.BuildOptions(
            cache_dir=speech_cache, report=lambda line: None
        )
        paths = pipeline.run(path, out, options)
        article, _ = source.load(path)
        result[name] = Built(name, article, paths, out)
    return result


@pytest.fixture(params=sorted(ARTICLES), scope="session")
def built(request: pytest.FixtureRequest, built_all: dict[str, Built]) -> Built:
    """Run each test once for the main article and once for the fixture."""
    return built_all[request.param]


@pytest.fixture(scope="session")
def pdf_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Lay out only the two PDFs of each article (no speech), once per session.

    For tests of the printed page that need neither audio nor the other editions.
    """
    result = {}
    for name, path in ARTICLES.items():
        out = tmp_path_factory.mktemp(f"pdf-{name}")
        options = pipeline.BuildOptions(
            only=("pdf",), tts="null", report=lambda line: None
        )
        paths = pipeline.run(path, out, options)
        article, _ = source.load(path)
        result[name] = Built(name, article, paths, out)
    return result


CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
#: The construct fixtures (issue 15); `meta-*` folders belong to the front-matter tests.
CONSTRUCTS = ("constructs-us", "leaflet-gb", "long-us")


@pytest.fixture(scope="session")
def corpus_built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Build each construct fixture once, with the null speech engine."""
    result = {}
    for name in CONSTRUCTS:
        path = CORPUS / name / "article.md"
        out = tmp_path_factory.mktemp(f"corpus-{name}")
        options = pipeline.BuildOptions(
            tts="null", large_print_pdf=False, report=lambda line: None
        )
        paths = pipeline.run(path, out, options)
        article, _ = source.load(path)
        result[name] = Built(name, article, paths, out)
    return result


FRENCH = Path(__file__).resolve().parent / "data" / "french" / "article.md"


@pytest.fixture(scope="session")
def french_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The French fixture's large-print page (and its audio), null engine, once."""
    out = tmp_path_factory.mktemp("french")
    options = pipeline.BuildOptions(
        only=("html",), tts="null", report=lambda line: None
    )
    paths = pipeline.run(FRENCH, out, options)
    article, _ = source.load(FRENCH)
    return Built("french", article, paths, out)
