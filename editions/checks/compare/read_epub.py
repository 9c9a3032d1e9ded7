"""A built EPUB → what it shows: content documents in spine order, nav, overlays.

Read straight from the ZIP through `META-INF/container.xml` and the package
document, as a reading system does, so nothing depends on how ebooklib laid it out.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from editions.checks.compare.shown import Shown
from editions.report import markup

OPF_NS = {"opf": "http://www.idpf.org/2007/opf"}
CONTAINER_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container"}
SMIL_NS = {"smil": "http://www.w3.org/ns/SMIL"}
XHTML = "application/xhtml+xml"
SMIL = "application/smil+xml"


@dataclass(frozen=True)
class Item:
    """One manifest item: where it is in the ZIP and what it is."""

    item_id: str
    path: str
    media_type: str
    properties: frozenset[str]
    overlay: str = ""  # the id of its media overlay (`media-overlay`), if any


def read_epub(path: Path) -> Shown:
    """Read the EPUB at *path* into a Shown (content documents in spine order)."""
    with zipfile.ZipFile(path) as book:
        items, spine = package(book)
        content = [
            items[i]
            for i in spine
            if i in items
            and items[i].media_type == XHTML
            and "nav" not in items[i].properties
        ]
        headings: list[tuple[int, str]] = []
        references: list[tuple[str, str]] = []
        alts: list[str] = []
        citations: dict[str, list[str]] = {}
        shown = Shown(headings=headings, references=references, alts=alts)
        texts: list[str] = []
        for item in content:
            root = markup.parse_xhtml(book.read(item.path))
            body = root.find("body")
            scope = body if body is not None else root
            headings += markup.headings(scope)
            references += markup.references(scope)
            alts += markup.alts(scope)
            citations.update(markup.citations(scope))
            shown.links.update(markup.links(scope))
            shown.anchors |= markup.ids(root)
            texts.append(markup.text_of(scope))
        shown.citations = citations
        shown.text = "\n".join(texts)
        nav = next((i for i in items.values() if "nav" in i.properties), None)
        if nav is not None:
            _read_nav(markup.parse_xhtml(book.read(nav.path)), shown)
        overlays = [i for i in items.values() if i.media_type == SMIL]
        if overlays:
            shown.timed["overlays"] = [
                target for item in overlays for target in _smil_targets(book, item)
            ]
    return shown


def xhtml_documents(path: Path) -> list[tuple[str, bytes]]:
    """Return (path in the ZIP, bytes) of every XHTML document, spine order first."""
    with zipfile.ZipFile(path) as book:
        items, spine = package(book)
        ordered = [items[i] for i in spine if i in items]
        ordered += [i for i in items.values() if i not in ordered]
        return [
            (item.path, book.read(item.path))
            for item in ordered
            if item.media_type == XHTML
        ]


def package(book: zipfile.ZipFile) -> tuple[dict[str, Item], list[str]]:
    """Return the manifest (id → Item, paths resolved in the ZIP) and spine idrefs."""
    container = etree.fromstring(book.read("META-INF/container.xml"))
    opf_path = str(
        container.xpath("string(//c:rootfile/@full-path)", namespaces=CONTAINER_NS)
    )
    opf = etree.fromstring(book.read(opf_path))
    base = posixpath.dirname(opf_path)
    items: dict[str, Item] = {}
    for item in opf.xpath("//opf:manifest/opf:item", namespaces=OPF_NS):
        href = str(item.get("href", ""))
        items[str(item.get("id"))] = Item(
            str(item.get("id")),
            posixpath.normpath(posixpath.join(base, href)),
            str(item.get("media-type", "")),
            frozenset(str(item.get("properties", "")).split()),
            str(item.get("media-overlay", "")),
        )
    spine = [
        str(ref.get("idref"))
        for ref in opf.xpath("//opf:spine/opf:itemref", namespaces=OPF_NS)
    ]
    return items, spine


def _read_nav(root: etree._Element, shown: Shown) -> None:
    """Add the toc and page-list of the navigation document."""
    for kind in ("toc", "page-list"):
        navs = root.xpath(f".//nav[@epub-type='{kind}']")
        if navs:
            shown.navigation[kind] = markup.nav_list(navs[0])
    if "page-list" in shown.navigation:
        shown.pages = len(shown.navigation["page-list"])


def _smil_targets(book: zipfile.ZipFile, item: Item) -> list[str]:
    """Return the content ids a SMIL file's <par><text src> elements point at."""
    root = etree.fromstring(book.read(item.path))
    targets = []
    for src in root.xpath("//smil:par/smil:text/@src", namespaces=SMIL_NS):
        fragment = markup.fragment(str(src))
        if fragment:
            targets.append(fragment)
    return targets
