"""Text after the reference list (`::: {#refs}` then an appendix) keeps its place.

Pandoc puts the bibliography where the `refs` div stands; whatever the source puts
after it (a closing paragraph, "About this leaflet") follows the references in every
edition, and the EPUB's overlays still match the audio.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import Built

from editions import build as pipeline
from editions.audio import speech_script
from editions.braille.step import settings_of
from editions.braille.tables import choose
from editions.checks import names, run as checks
from editions.checks.compare import epub_links
from editions.checks.compare.read_braille import read_braille
from editions.checks.compare.read_epub import package, read_epub
from editions.checks.compare.read_html import read_html
from editions.checks.compare.read_pdf import pdf_text, tagged_text
from editions.source import article as source

AFTER_REFS = Path(__file__).resolve().parent / "data" / "after-refs" / "article.md"

#: Phrases in source order; the notes come before the reference list (as always).
ORDER = (
    "Why rest matters",
    "Keep naps under one hour",
    "References",
    "These are the sources",
    "Low doses in everyday",
    "Every source was checked",
    "About this leaflet",
    "written by the ward nurses",
    "How to give feedback",
    "Tell a nurse",
)


@pytest.fixture(scope="module")
def after_refs(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build every edition of the appendix fixture once, with the null engine."""
    out = tmp_path_factory.mktemp("after-refs")
    options = pipeline.BuildOptions(tts="null", report=lambda line: None)
    paths = pipeline.run(AFTER_REFS, out, options)
    article, _ = source.load(AFTER_REFS)
    return Built("after-refs", article, paths, out)


def _positions(text: str) -> list[int]:
    flat = re.sub(r"\s+", " ", text)
    return [flat.find(phrase) for phrase in ORDER]


def test_the_model_splits_the_section_at_the_refs_div(after_refs: Built) -> None:
    before, bibliography, after = after_refs.article.parts()
    assert bibliography is not None
    assert len(bibliography.before_references) == 1  # the introduction
    # The author's heading is the list's heading: none is added, no id repeats.
    assert [s.title_text for s in after_refs.article.sections].count("References") == 1
    assert len(bibliography.after_references) == 1
    titles = [s.title_text for s in after]
    assert titles == ["About this leaflet", "How to give feedback"]
    assert [s.title_text for s in before][-1] == "Why rest matters"


def test_every_edition_keeps_the_text_after_the_references(after_refs: Built) -> None:
    paths = after_refs.paths
    table = choose(after_refs.article, settings_of({}))
    _lang, spoken = speech_script.read(after_refs.out / "article.speech.json")
    texts = {
        "pdf (tags)": tagged_text(paths["pdf"]),
        "pdf (page)": pdf_text(paths["pdf"]),
        "large-print pdf": tagged_text(paths["pdf-large-print"]),
        "epub": read_epub(paths["epub"]).text or "",
        "html": read_html(paths["html"]).text or "",
        "brf": read_braille(paths["brf"], table.file).text or "",
    }
    for edition, text in texts.items():
        found = _positions(text)
        assert -1 not in found, (edition, dict(zip(ORDER, found, strict=True)))
        assert found == sorted(found), (edition, dict(zip(ORDER, found, strict=True)))
    # The audio reads a note at the end of the chapter that calls it: here that is
    # also before the reference list.
    found = _positions(" ".join(s.written for s in spoken))
    assert -1 not in found and found == sorted(found), found


def test_the_overlay_reads_the_text_after_the_references(after_refs: Built) -> None:
    closing = next(
        s.sentence_id
        for s in after_refs.article.sentences()
        if s.text.startswith("Every source was checked")
    )
    with zipfile.ZipFile(after_refs.paths["epub"]) as epub:
        smil = "".join(
            epub.read(n).decode() for n in epub.namelist() if n.endswith(".smil")
        )
    assert f"#{closing}" in smil


def test_the_editions_compare_equal_with_the_source(after_refs: Built) -> None:
    only = (
        names.HEADINGS,
        names.NAVIGATION,
        names.REFERENCE_ENTRIES,
        names.TIMED_SENTENCES,
        names.TEXT_FIDELITY,
        names.LINK_TARGETS,
        names.EPUBCHECK,
    )
    options = checks.CheckOptions(write_report=False, only=only)
    report = checks.run(AFTER_REFS, after_refs.out, options)
    assert [str(f) for f in report.findings if f.severity == "error"] == []


def test_the_epub_puts_the_appendix_after_the_references(after_refs: Built) -> None:
    """Sections after the list are chapters of their own, after references.xhtml."""
    with zipfile.ZipFile(after_refs.paths["epub"]) as epub:
        items, spine = package(epub)
        files = [items[i].path.removeprefix("EPUB/") for i in spine]
        appendix = epub.read("EPUB/chapter-02.xhtml").decode()
    assert files == [
        "front.xhtml",
        "chapter-01.xhtml",
        "notes.xhtml",
        "references.xhtml",
        "chapter-02.xhtml",
        "nav.xhtml",
    ]
    assert "About this leaflet" in appendix and "How to give feedback" in appendix
    assert epub_links.broken_links(after_refs.paths["epub"]) == []
