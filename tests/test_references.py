"""References: every citation rendered and linked to its entry in every edition."""

from __future__ import annotations

import json
import re
import zipfile

import lxml.html
import pikepdf
from conftest import Built
from lxml import etree


def _bibliography_ids(built: Built) -> set[str]:
    path = built.article.source.parent / "references.json"
    return {item["id"] for item in json.loads(path.read_text(encoding="utf-8"))}


def test_reference_list_has_exactly_the_bibliography(built: Built) -> None:
    assert {r.key for r in built.article.references} == _bibliography_ids(built)
    texts = [r.text for r in built.article.references]
    assert all(t.strip() for t in texts)
    for text in texts:
        assert (
            "???" not in text and "CONFIDENCE" not in text and "UNRESOLVED" not in text
        )


def test_every_citation_is_rendered_without_missing_markers(built: Built) -> None:
    cites = list(built.article.citations())
    assert cites
    for cite in cites:
        text = "".join(getattr(c, "text", "") for c in cite.children) or cite.cite_id
        assert "???" not in text and "?" not in "".join(cite.keys)


def _check_links(
    document: etree._Element | lxml.html.HtmlElement, built: Built
) -> None:
    ids = set(document.xpath("//@id"))
    entries = {r.entry_id for r in built.article.references}
    links = document.xpath("//*[@class='citation']//*[local-name()='a']/@href")
    assert len(links) >= len(list(built.article.citations()))
    for href in links:
        assert href.startswith("#") and href[1:] in entries and href[1:] in ids


def test_html_citations_link_to_entries(built: Built) -> None:
    _check_links(lxml.html.fromstring(built.paths["html"].read_bytes()), built)


def test_epub_citations_link_to_entries(built: Built) -> None:
    """Each citation names the references document and an entry it holds."""
    with zipfile.ZipFile(built.paths["epub"]) as book:
        documents = {
            name.removeprefix("EPUB/"): etree.fromstring(book.read(name))
            for name in book.namelist()
            if name.endswith(".xhtml") and not name.endswith("nav.xhtml")
        }
    ids = {name: set(tree.xpath("//@id")) for name, tree in documents.items()}
    entries = {r.entry_id for r in built.article.references}
    links = [
        href
        for tree in documents.values()
        for href in tree.xpath("//*[@class='citation']//*[local-name()='a']/@href")
    ]
    assert len(links) >= len(list(built.article.citations()))
    for href in links:
        file, _, target = href.partition("#")
        assert target in entries and target in ids[file], href


def test_pdf_citations_are_internal_links_to_entries(built: Built) -> None:
    entries = {r.entry_id for r in built.article.references}
    with pikepdf.open(built.paths["pdf"]) as pdf:
        targets = []
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                dest = annot.get("/Dest")
                if dest is not None and str(dest).startswith("ref-"):
                    targets.append(str(dest))
    assert set(targets) == entries
    assert len(targets) >= len(list(built.article.citations()))


def test_dois_are_https_links(built: Built) -> None:
    for reference in built.article.references:
        doi = reference.data.get("DOI")
        if doi:
            assert f"https://doi.org/{doi}" in reference.text
        assert not re.search(r"\bdoi:", reference.text)
