"""PDF edition: PDF/UA-1 machine checks, structure, bookmarks, text fidelity."""

from __future__ import annotations

import difflib
import re
import subprocess

import pikepdf
from conftest import Built

from editions.checks.pdf import check_pdf, outline_titles, structure_headings


def test_pdf_passes_the_pdf_ua_machine_checks(built: Built) -> None:
    for key in ("pdf", "pdf-large-print"):
        findings = check_pdf(
            built.paths[key], title=built.article.title, lang=built.article.lang
        )
        errors = [str(f) for f in findings if f.severity == "error"]
        assert not errors, "\n".join(errors)


def test_structure_tree_headings_match_the_model(built: Built) -> None:
    headings = structure_headings(built.paths["pdf"])
    expected = [(f"H{level}", text) for level, _, text in built.article.headings]
    assert [(tag, " ".join(text.split())) for tag, text in headings] == expected


def test_bookmarks_for_every_heading(built: Built) -> None:
    outline = outline_titles(built.paths["pdf"])
    assert [title for _, title in outline] == [t for _, _, t in built.article.headings]
    assert [depth for depth, _ in outline] == [
        lvl for lvl, _, _ in built.article.headings
    ]


def test_xmp_and_catalog(built: Built) -> None:
    with pikepdf.open(built.paths["pdf"]) as pdf:
        assert str(pdf.Root.Lang) == built.article.lang
        assert bool(pdf.Root.MarkInfo.Marked)
        with pdf.open_metadata() as meta:
            assert meta["pdfuaid:part"] == "1"
            assert meta["dc:title"] == built.article.title


def _pdftotext(path) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u00a0", " "))


def test_text_fidelity_at_least_99_percent_in_order(built: Built) -> None:
    text = _pdftotext(built.paths["pdf"])
    text = re.sub(r"-\n\s*", "-", text)
    pdf_words = _words(text)
    source_words = _words(" ".join(s.text for s in built.article.sentences()))
    # Words matched in order (difflib's matching blocks), as a share of the source's.
    matcher = difflib.SequenceMatcher(None, source_words, pdf_words, autojunk=False)
    found = sum(block.size for block in matcher.get_matching_blocks())
    assert found / len(source_words) >= 0.99, (found, len(source_words))


def test_page_numbers_printed_but_not_tagged(built: Built) -> None:
    text = _pdftotext(built.paths["pdf"])
    with pikepdf.open(built.paths["pdf"]) as pdf:
        pages = len(pdf.pages)
    assert f"Page 1 of {pages}" in text
    assert not any("Page 1 of" in t for _, t in structure_headings(built.paths["pdf"]))


def test_page_facts_list_every_page(built: Built) -> None:
    with pikepdf.open(built.paths["pdf"]) as pdf:
        pages = len(pdf.pages)
    facts = built.out / f"{built.article.stem}.pages.json"
    import json

    starts = json.loads(facts.read_text(encoding="utf-8"))["page_starts"]
    assert len(starts) == pages
    assert starts[0] == built.article.sections[0].title.sentence_id
