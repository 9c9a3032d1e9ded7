"""EPUB edition: EPUBCheck, nav against the model, metadata derived from content."""

from __future__ import annotations

import json
import zipfile

import pikepdf
from conftest import Built
from lxml import etree

from editions.checks.epubcheck import run_epubcheck

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def _read(built: Built, name: str) -> etree._Element:
    with zipfile.ZipFile(built.paths["epub"]) as book:
        return etree.fromstring(book.read(name))


def test_epubcheck_finds_nothing(built: Built) -> None:
    findings = run_epubcheck(built.paths["epub"])
    assert not findings, "\n".join(str(f) for f in findings)


def test_mimetype_is_first_and_stored(built: Built) -> None:
    with zipfile.ZipFile(built.paths["epub"]) as book:
        first = book.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED


def test_nav_toc_lists_every_heading_in_order(built: Built) -> None:
    nav = _read(built, "EPUB/nav.xhtml")
    links = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    expected = [(f"article.xhtml#{i}", t) for _, i, t in built.article.headings[1:]]
    assert [(a.get("href"), a.text) for a in links] == expected
    content = _read(built, "EPUB/article.xhtml")
    ids = set(content.xpath("//@id"))
    assert all(href.split("#")[1] in ids for href, _ in expected)


def test_landmarks(built: Built) -> None:
    nav = _read(built, "EPUB/nav.xhtml")
    types = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert {"toc", "bodymatter", "bibliography"} <= set(types)


def test_page_list_matches_the_pdf_pages(built: Built) -> None:
    with pikepdf.open(built.paths["pdf"]) as pdf:
        pages = len(pdf.pages)
    nav = _read(built, "EPUB/nav.xhtml")
    targets = nav.xpath("//x:nav[@epub:type='page-list']//x:a/@href", namespaces=NS)
    assert len(targets) == pages
    content = _read(built, "EPUB/article.xhtml")
    for href in targets:
        marker = content.xpath(f"//*[@id='{href.split('#')[1]}']")
        assert marker and marker[0].get("role") == "doc-pagebreak"


def _metadata(built: Built) -> dict[str, list[str]]:
    opf = _read(built, "EPUB/content.opf")
    found: dict[str, list[str]] = {}
    for meta in opf.xpath("//opf:meta[@property]", namespaces=NS):
        found.setdefault(meta.get("property"), []).append(meta.text)
    return found


def test_accessibility_metadata_follows_the_content(built: Built) -> None:
    meta = _metadata(built)
    has_images = bool(built.article.figures)
    assert ("visual" in meta["schema:accessMode"]) == has_images
    assert ("alternativeText" in meta["schema:accessibilityFeature"]) == has_images
    assert "pageNavigation" in meta["schema:accessibilityFeature"]
    assert meta["schema:accessibilityHazard"] == ["none"]
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert meta["a11y:certifiedBy"]
    assert meta["schema:accessibilitySummary"][0]


def test_fixture_and_main_get_different_access_modes(
    built_all: dict[str, Built],
) -> None:
    main = _metadata(built_all["main"])["schema:accessMode"]
    fixture = _metadata(built_all["fixture"])["schema:accessMode"]
    assert main == ["textual"] and sorted(fixture) == ["textual", "visual"]


def test_lexicon_is_shipped_as_pls_and_linked(built: Built) -> None:
    pls = _read(built, "EPUB/lexicon.pls")
    assert pls.tag == "{http://www.w3.org/2005/01/pronunciation-lexicon}lexicon"
    content = _read(built, "EPUB/article.xhtml")
    assert content.xpath("//x:link[@rel='pronunciation']/@href", namespaces=NS) == [
        "lexicon.pls"
    ]


def test_fonts_are_embedded(built: Built) -> None:
    with zipfile.ZipFile(built.paths["epub"]) as book:
        names = book.namelist()
    assert any(n.endswith("AtkinsonHyperlegible-Regular.ttf") for n in names)


def test_page_facts_are_reused_not_reparsed(built: Built) -> None:
    facts = json.loads((built.out / f"{built.article.stem}.pages.json").read_text())
    content = _read(built, "EPUB/article.xhtml")
    for number, sentence_id in enumerate(facts["page_starts"], start=1):
        marker = content.xpath(f"//*[@id='page-{number}']")[0]
        following = marker.getnext()
        assert following is not None and following.get("id") == sentence_id
