"""Scale (issue 22): the generated book, linear PDF writing, progress, the curve."""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pydyf
import pytest

from editions import progress, registry
from editions.bench import longdoc, scale
from editions.pdf import speedups
from editions.pdf.progress import estimate_pages, pages_laid_out


def test_generated_book_is_deterministic_and_sized(tmp_path: Path) -> None:
    first = longdoc.write(tmp_path / "a", 1 / 16)
    second = longdoc.write(tmp_path / "b", 1 / 16)
    text = first.path.read_text(encoding="utf-8")
    assert text == second.path.read_text(encoding="utf-8")
    assert first.chapters == 10
    assert text.count("\n## Part ") == first.chapters
    assert text.count("[@") == first.citations == 10 * longdoc.CITATIONS_PER_CHAPTER
    assert text.count("{#tbl-part-") == first.tables == 10
    assert (tmp_path / "a" / "references.json").is_file()


def test_full_book_is_the_issue_book(tmp_path: Path) -> None:
    book = longdoc.write(tmp_path, 1.0)
    assert (book.chapters, book.citations, book.tables) == (160, 800, 160)
    assert book.words >= 300_000
    assert 1.8e6 < book.size_bytes < 2.6e6  # "about 2.2 MB of Markdown"


def test_spoken_sentences_do_not_repeat(tmp_path: Path) -> None:
    """A repeated sentence would be spoken once (the cache) and flatter the audio."""
    from editions.audio.script import build_script
    from editions.source import article as source

    book = longdoc.write(tmp_path, 1 / 32)
    article, _ = source.load(book.path)
    spoken = [u.spoken for c in build_script(article) for u in c.utterances]
    # Table headers ("Week", "Week: one") repeat as in any book; sentences do not.
    sentences = [s for s in spoken if len(s.split()) > 4]
    repeated = [s for s, n in Counter(sentences).items() if n > 1]
    assert len(sentences) > 400
    assert not repeated, repeated[:3]


def test_cached_page_references_are_pydyfs() -> None:
    pdf = pydyf.PDF()
    original = pydyf.PDF.__dict__["page_references"].fget
    speedups.install()
    for count in (1, 2, 5):
        while len(pdf.pages["Kids"]) < 3 * count:
            pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert pdf.page_references == original(pdf)
        assert len(pdf.page_references) == count
    assert pdf.page_references is pdf.page_references  # built once per page count


def test_growth_is_the_log_log_slope() -> None:
    chapters = [20, 40, 80, 160]
    linear = [{"seconds": 3.0 * c} for c in chapters]
    square = [{"seconds": 0.01 * c * c} for c in chapters]
    assert scale.growth(chapters, linear) == pytest.approx(1.0)
    assert scale.growth(chapters, square) == pytest.approx(2.0)
    assert scale.growth([10], [{"seconds": 1.0}]) is None


def test_fractions_are_read_as_written() -> None:
    assert scale.parse_fractions("1/8, 1/2,1") == (0.125, 0.5, 1.0)
    assert scale.parse_fractions("all") == scale.FRACTIONS


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, int, int | None, str] | None] = []

    def put(self, event: tuple[str, int, int | None, str] | None) -> None:
        self.events.append(event)


def test_pdf_reports_pages_as_weasyprint_lays_them_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from weasyprint import HTML

    recorder = _Recorder()
    monkeypatch.setattr(progress, "_queue", recorder)
    html = "".join(f'<p style="break-before: page">page {n}</p>' for n in range(4))
    with pages_laid_out("pdf", "hand-out", before=10, total=12) as laid_out:
        HTML(string=html).render()
    assert laid_out.pages == 4
    counts = [e[1] for e in recorder.events if e and e[3] == "hand-out: laying out"]
    assert counts[-1] == 14 and counts == sorted(counts)
    assert recorder.events[-1] is not None and recorder.events[-1][2] >= 15
    assert estimate_pages(47_000, 12) == 100
    assert estimate_pages(47_000, 18) > 2 * estimate_pages(47_000, 12)


def _from_the_fork() -> None:
    progress.update("pdf", 3, 10, "hand-out: laying out")


def test_display_draws_counts_sent_from_a_forked_edition(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress, "shown", lambda enabled: enabled)
    with progress.Display(True) as display:
        child = multiprocessing.get_context("fork").Process(target=_from_the_fork)
        child.start()
        child.join(30)
        progress.update("audio", 5, 7, "sentences")
        progress.update("epub", 0, None, "working")
        progress.finish("epub")
    assert child.exitcode == 0
    bars = {t.description: (t.completed, t.total) for t in display.bars.tasks}
    assert bars == {"pdf": (3, 10), "audio": (5, 7), "epub": (1, 1)}
    assert progress._queue is None


def test_quiet_or_plain_stderr_draws_nothing() -> None:
    with progress.Display(False) as quiet:
        progress.update("pdf", 1, 2)  # a no-op: no queue
    assert not quiet.enabled and progress._queue is None
    # Under pytest stderr is captured, not a terminal: CI logs stay plain.
    assert not progress.Display(True).enabled


@pytest.fixture(scope="module")
def curve(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The long-document path in CI: 1/64 and 1/32 of the book, null speech."""
    out = tmp_path_factory.mktemp("long")
    options = scale.ScaleOptions(fractions=(1 / 64, 1 / 32), tts="null")
    partial: list[tuple[dict[str, Any], list[Path]]] = []

    def seen(so_far: dict[str, Any]) -> None:  # with the point folders left
        partial.append((so_far, sorted(out.glob(".bench-long-*/f*"))))

    result = scale.run(out, options, on_point=seen)
    return {**result, "partial": partial}


def test_each_point_is_kept_as_it_is_measured_and_its_files_freed(
    curve: dict[str, Any],
) -> None:
    partial = curve["partial"]
    assert [len(c["curve"]) for c, _ in partial] == [1, 2]
    assert [c["complete"] for c, _ in partial] == [False, False]
    assert curve["complete"] and partial[0][0]["curve"][0] == curve["curve"][0]
    assert [folders for _, folders in partial] == [[], []]  # gigabytes at full size


def test_long_document_builds_every_edition_at_each_size(
    curve: dict[str, Any],
) -> None:
    points = curve["curve"]
    assert [p["chapters"] for p in points] == [2, 5]
    for point in points:
        assert set(point["editions"]) == set(registry.names())
        assert point["peak_memory_mb"] > 0
        assert point["irreducible"]["weasyprint_seconds"] > 0
        assert point["cold_over_irreducible"] > 0
        assert point["pdf_over_weasyprint"] > 0  # CPU, the step against WeasyPrint
    assert points[1]["pdf_pages"] > points[0]["pdf_pages"] > 5


def test_long_curve_states_every_target(curve: dict[str, Any]) -> None:
    assert set(curve["met"]) == set(scale.TARGETS)
    assert curve["measured"]["growth_exponent"] is not None
    text = scale.table(curve)
    for name in scale.TARGETS:
        assert name in text


def test_epub_zip_streams_the_audio_in(tmp_path: Path) -> None:
    """A book's MP3 is copied into the EPUB in blocks, never read whole."""
    import tracemalloc
    import zipfile
    from datetime import UTC, datetime

    from editions.epub.render import normalise_zip

    audio = tmp_path / "book.mp3"
    audio.write_bytes(os.urandom(16 * 1024 * 1024))
    epub = tmp_path / "book.epub"
    with zipfile.ZipFile(epub, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("EPUB/content.opf", '<package version="3.0"><metadata/></package>')
        z.writestr("EPUB/audio/book.mp3", b"")
    tracemalloc.start()
    normalise_zip(
        epub, datetime(2024, 7, 1, tzinfo=UTC), "en-US", {"EPUB/audio/book.mp3": audio}
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * 1024 * 1024
    with zipfile.ZipFile(epub) as z:
        infos = z.infolist()
        assert infos[0].filename == "mimetype"
        assert infos[0].compress_type == zipfile.ZIP_STORED
        entry = z.getinfo("EPUB/audio/book.mp3")
        assert entry.compress_type == zipfile.ZIP_STORED
        assert z.read(entry) == audio.read_bytes()
        assert b'xml:lang="en-US"' in z.read("EPUB/content.opf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.epub", "book.mp3"]


def test_synthesis_leaves_the_samples_in_the_cache(tmp_path: Path) -> None:
    """A book's speech (13 GB as float32) is read chapter by chapter, not held."""
    import numpy as np

    from editions.audio.cache import SentenceCache
    from editions.audio.stored import StoredSpeech
    from editions.audio.synth import make_engine, synthesise

    texts = ["One short sentence.", "Another, somewhat longer, sentence here."]
    speech, made = synthesise(texts, "null", tmp_path)
    assert made == 2
    key = make_engine("null").cache_key()
    for text, stored in speech.items():
        assert isinstance(stored, StoredSpeech)
        cached = SentenceCache(tmp_path).get((key, text))
        assert cached is not None
        assert stored.seconds == pytest.approx(cached.seconds) and stored.seconds > 0
        assert np.array_equal(stored.samples, cached.samples)


def test_long_bench_is_added_to_bench_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    seen: list[scale.ScaleOptions] = []

    def fake_run(
        out: Path, options: scale.ScaleOptions, on_point: Any = None
    ) -> dict[str, Any]:
        seen.append(options)
        point = {"chapters": 20, "words": 1, "seconds": 2.0, "cpu_seconds": 1.0}
        point |= {"peak_memory_mb": 3.0, "editions": {}, "pdf_pages": 4}
        result = {
            "curve": [point],
            "measured": {"growth_exponent": None},
            "targets": {"growth_exponent": "≤ 1.1"},
            "met": {"growth_exponent": None},
        }
        on_point(result | {"complete": False})  # kept in bench.json at once
        partial = json.loads((out / "bench.json").read_text(encoding="utf-8"))
        assert partial["long"]["complete"] is False and partial["cold"]
        return result | {"complete": True}

    monkeypatch.setattr(scale, "run", fake_run)
    (tmp_path / "bench.json").write_text('{"cold": {"seconds": 1}}', encoding="utf-8")
    text = scale.main(tmp_path, "1/8,1/4", "null", irreducible=False)
    written = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert written["cold"] == {"seconds": 1} and written["long"]["curve"]
    assert written["long"]["complete"] is True
    assert seen[0].fractions == (0.125, 0.25) and not seen[0].irreducible
    assert "growth_exponent" in text and "bench.json" in text


def test_the_irreducible_synthesis_speaks_with_the_default_voice(
    tmp_path: Path,
) -> None:
    """`invoke bench --long` (tts "auto") speaks as the build would: the voice the
    article's language chooses, into the cache the build would fill."""
    import subprocess
    import sys

    from editions.audio.voices import choose

    article = tmp_path / "article.md"
    article.write_text(
        "---\ntitle: Short\nauthor: A. Writer\ndate: 2026-01-02\nlang: en-US\n---\n\n"
        "## One\n\nTake one tablet a day.\n",
        encoding="utf-8",
    )
    cache = tmp_path / "speech"
    done = subprocess.run(
        [sys.executable, "-c", scale._SPEAK, str(article), "auto", str(cache)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert choose("auto", "", "en-US").engine == "hibari"
    assert list(cache.glob("*.npz")), "nothing was spoken"
