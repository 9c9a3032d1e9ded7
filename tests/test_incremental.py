"""Incremental builds: only editions whose inputs changed are redone."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from editions import build as pipeline, state
from editions.bench.run import edit_one_paragraph, speech_texts
from editions.errors import BuildFailed
from editions.facts import PageStarts
from editions.paths import PACKAGE

GOOD = Path(__file__).resolve().parent / "data" / "good"
BAD = Path(__file__).resolve().parent / "data" / "bad"


@dataclass(frozen=True)
class Cold:
    """The fixture article copied once and built once with every edition."""

    article: Path
    out: Path
    report: pipeline.BuildReport
    speech_cache: Path


def _options(cache: Path, **changes: Any) -> pipeline.BuildOptions:
    return pipeline.BuildOptions(cache_dir=cache, report=lambda _: None, **changes)


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory, speech_cache: Path) -> Cold:
    folder = tmp_path_factory.mktemp("incremental")
    shutil.copytree(GOOD, folder / "article")
    article = folder / "article" / "article.md"
    report = pipeline.build(article, folder / "out", _options(speech_cache))
    return Cold(article, folder / "out", report, speech_cache)


def _copy(cold: Cold, tmp_path: Path) -> tuple[Path, Path]:
    """Copy the article and its build (mtimes kept) so a test may change them."""
    shutil.copytree(cold.article.parent, tmp_path / "article")
    shutil.copytree(cold.out, tmp_path / "out")
    return tmp_path / "article" / cold.article.name, tmp_path / "out"


def _snapshot(out: Path) -> dict[str, tuple[str, int]]:
    """Every file under *out* (the manifest too): content hash and mtime."""
    return {
        str(p.relative_to(out)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }


def _forbid_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make parsing, synthesis and every renderer fail the test if called."""
    from editions.audio import render, synth
    from editions.epub import render as epub
    from editions.large_print import render as large_print
    from editions.pdf import render as pdf
    from editions.source import article as source

    def called(*args: object, **kwargs: object) -> None:
        raise AssertionError("a no-op build must not parse or render anything")

    for module, name in (
        (source, "load"),
        (pdf, "render"),
        (render, "render"),
        (synth, "synthesise"),
        (epub, "render"),
        (large_print, "render"),
    ):
        monkeypatch.setattr(module, name, called)


def test_cold_build_rebuilds_every_edition_and_records_it(cold: Cold) -> None:
    assert cold.report.rebuilt and set(cold.report.rebuilt) == set(pipeline.EDITIONS)
    manifest = state.load(cold.out, "article")
    assert set(manifest.editions) == set(pipeline.EDITIONS)
    assert _page_starts(cold.out)
    for record in manifest.editions.values():
        assert all((cold.out / f.path).is_file() for f in record.files)


def test_noop_rebuild_renders_nothing_and_touches_no_file(
    cold: Cold, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(cold.out)
    _forbid_rendering(monkeypatch)
    report = pipeline.build(cold.article, cold.out, _options(cold.speech_cache))
    assert report.rebuilt == ()
    assert report.synthesised == 0
    assert report.paths == cold.report.paths
    assert _snapshot(cold.out) == before


def test_moved_then_touched_article_rebuilds_nothing(
    cold: Cold, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article, out = _copy(cold, tmp_path)
    moved = pipeline.build(article, out, _options(cold.speech_cache))
    assert moved.rebuilt == ()  # same bytes in another folder: all reused
    later = article.stat().st_mtime + 3600
    for path in article.parent.iterdir():
        os.utime(path, (later, later))  # timestamps change, contents do not
    before = _snapshot(out)
    _forbid_rendering(monkeypatch)
    touched = pipeline.build(article, out, _options(cold.speech_cache))
    assert touched.rebuilt == ()
    assert _snapshot(out) == before


def _seeded_cache(texts: list[str], shared: Path, target: Path, article: Path) -> Path:
    """A speech cache holding exactly *texts*, so new sentences are counted."""
    from editions.audio.cache import SentenceCache
    from editions.audio.synth import make_engine
    from editions.source import article as source

    lexicon = source.load(article)[0].lexicon  # the default voice speaks its IPA
    key = make_engine("hibari", voice="heart", lexicon=lexicon).cache_key()
    source, cache = SentenceCache(shared), SentenceCache(target)
    target.mkdir()
    for text in texts:
        entry = source.path((key, text))
        if entry.exists():
            shutil.copy2(entry, cache.path((key, text)))
    return target


def test_one_paragraph_edit_resynthesises_only_the_changed_sentences(
    cold: Cold, tmp_path: Path
) -> None:
    article, out = _copy(cold, tmp_path)
    before = speech_texts(article)
    cache = _seeded_cache(before, cold.speech_cache, tmp_path / "speech", article)
    edit_one_paragraph(article)
    changed = set(speech_texts(article)) - set(before)
    assert len(changed) == 1
    report = pipeline.build(article, out, _options(cache))
    assert report.synthesised == len(changed)
    assert set(report.rebuilt) == set(pipeline.EDITIONS)  # the text is in each
    facts = state.load(out, "article").editions["audio"].facts
    assert facts["synthesised"] == 1 and facts["utterances"] > 1


def test_failed_audio_keeps_the_finished_pdf_and_the_next_build_redoes_the_rest(
    cold: Cold, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from editions.audio import render

    article, out = _copy(cold, tmp_path)
    edit_one_paragraph(article)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("speech engine crashed")

    with monkeypatch.context() as patch:
        patch.setattr(render, "render", broken)
        with pytest.raises(RuntimeError, match="speech engine crashed"):
            pipeline.build(article, out, _options(cold.speech_cache))
    manifest = state.load(out, "article")
    assert "audio" not in manifest.editions  # never taken for finished
    assert "pdf" in manifest.editions  # laid out meanwhile, in its own process
    report = pipeline.build(article, out, _options(cold.speech_cache))
    assert "pdf" in report.reused
    assert {"audio", "epub", "html"} <= set(report.rebuilt)


def test_changed_pdf_option_rebuilds_the_pdf_not_the_audio(
    cold: Cold, tmp_path: Path
) -> None:
    article, out = _copy(cold, tmp_path)
    old_pages = _page_starts(out)
    url = "https://example.net/listen/"  # same length as the default: same layout
    report = pipeline.build(
        article, out, _options(cold.speech_cache, audio_base_url=url)
    )
    assert "pdf" in report.rebuilt
    assert {"audio", "html"} <= set(report.reused)
    new_pages = _page_starts(out)
    # The EPUB reuses the PDF's page facts, not its bytes.
    assert ("epub" in report.rebuilt) == (new_pages != old_pages)


def test_changed_speech_engine_rebuilds_the_audio_not_the_pdf(
    cold: Cold, tmp_path: Path
) -> None:
    article, out = _copy(cold, tmp_path)
    report = pipeline.build(article, out, _options(tmp_path / "speech", tts="null"))
    assert "audio" in report.rebuilt
    assert "pdf" in report.reused
    assert {"epub", "html"} <= set(report.rebuilt)  # they carry the new timings


def test_changed_figure_rebuilds_the_visual_editions_not_the_audio(
    cold: Cold, tmp_path: Path
) -> None:
    article, out = _copy(cold, tmp_path)
    shutil.copyfile(article.parent / "dose-chart.png", article.parent / "pill.png")
    report = pipeline.build(article, out, _options(cold.speech_cache))
    assert {"pdf", "epub", "html"} <= set(report.rebuilt)
    assert "audio" in report.reused


def test_removed_or_altered_output_is_rebuilt(cold: Cold, tmp_path: Path) -> None:
    article, out = _copy(cold, tmp_path)
    (out / "article.epub").unlink()
    (out / "article-large-print.html").write_text("<p>edited by hand</p>")
    report = pipeline.build(article, out, _options(cold.speech_cache))
    assert set(report.rebuilt) == {"epub", "html"}
    assert (out / "article.epub").is_file()
    assert "edited by hand" not in (out / "article-large-print.html").read_text()


def test_strict_still_fails_on_warnings_when_nothing_changed(tmp_path: Path) -> None:
    (tmp_path / "references.json").write_text(
        (BAD / "references.json").read_text(encoding="utf-8")[:-2]
        + ',\n  {"id": "never-cited", "type": "book", "title": "Unused"}\n]\n',
        encoding="utf-8",
    )
    case = tmp_path / "uncited.md"
    case.write_text(
        "---\ntitle: T\nauthor: A\ndate: 2024\nlang: en-US\n"
        "bibliography: references.json\n---\n\nText [@doe-2020].\n",
        encoding="utf-8",
    )
    out = tmp_path / "build"
    pipeline.build(case, out, pipeline.BuildOptions(only=("pdf",), report=print))
    lines: list[str] = []
    again = pipeline.build(
        case, out, pipeline.BuildOptions(only=("pdf",), report=lines.append)
    )
    assert again.rebuilt == ()
    assert any("REF003" in line for line in lines)  # warnings are repeated
    strict = pipeline.BuildOptions(only=("pdf",), strict=True, report=print)
    with pytest.raises(BuildFailed) as failure:
        pipeline.build(case, out, strict)
    assert "error REF003" in failure.value.report()


def test_each_edition_is_keyed_by_the_code_it_runs() -> None:
    def files(module: str) -> set[str]:
        found = state.code_files([module])
        return {str(p.relative_to(PACKAGE)) for p in found}

    audio = files("editions.audio.render")
    pdf = files("editions.pdf.render")
    assert {
        "audio/master.py",
        "audio/synth.py",
        "audio/hibari_engine.py",
        "audio/piper_engine.py",
    } <= audio
    assert not any(p.startswith(("pdf/", "epub/")) for p in audio)
    assert {"pdf/render.py", "pdf/tagging.py", "html_body.py"} <= pdf
    assert "audio/master.py" not in pdf


def test_damaged_manifest_means_a_full_rebuild_not_a_crash() -> None:
    assert state.Manifest.from_json("{not json").editions == {}
    assert state.Manifest.from_json('{"format": 0}').editions == {}
    manifest = state.Manifest(source="a.md", warnings=["w"])
    assert state.Manifest.from_json(manifest.to_json()) == manifest


def _page_starts(out: Path) -> tuple[str, ...]:
    """Read the PDF's page starts the way the EPUB step does."""
    record = state.load(out, "article").editions["pdf"]
    return PageStarts.read(out / record.paths["pages"]).starts
