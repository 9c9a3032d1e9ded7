"""(X)HTML → the facts a reader meets: headings, entries, alt text, links, words.

Shared by the EPUB and large-print readers, which differ only in where their content
documents come from. Trees are namespace-free (see `parse_xhtml`), so one set of
XPath expressions serves both HTML and XHTML.
"""

from __future__ import annotations

import copy
from collections import Counter
from urllib.parse import unquote, urlsplit

from lxml import etree, html

EPUB_NS = "http://www.idpf.org/2007/ops"
#: Elements whose end separates words even where the markup has no space.
BLOCKS = frozenset(
    "p li td th h1 h2 h3 h4 h5 h6 figcaption caption div section header footer "
    "tr br dt dd blockquote figure nav main article aside ol ul table".split()
)
_HEADING = "h1 h2 h3 h4 h5 h6".split()


def parse_html(data: bytes) -> etree._Element:
    """Parse an HTML page with the HTML parser (as a browser would)."""
    return html.document_fromstring(data)


def parse_xhtml(data: bytes) -> etree._Element:
    """Parse an EPUB content document as XML and drop namespaces from tag names.

    Attributes in the EPUB namespace get an `epub-` prefix (`epub:type` → `epub-type`).
    """
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        el.tag = etree.QName(el).localname
        for name in list(el.attrib):
            if name.startswith("{"):
                qname = etree.QName(name)
                prefix = "epub-" if qname.namespace == EPUB_NS else ""
                if qname.localname == "lang":  # xml:lang duplicates lang
                    del el.attrib[name]
                    continue
                el.attrib[prefix + qname.localname] = el.attrib.pop(name)
    return root


def text_of(el: etree._Element) -> str:
    """Return the element's text with block ends and line breaks as spaces."""
    el = copy.deepcopy(el)
    for child in el.iter():
        if isinstance(child.tag, str) and child.tag in BLOCKS:
            child.tail = " " + (child.tail or "")
    for gone in el.xpath(".//script | .//style | .//template"):
        _drop(gone)
    return " ".join("".join(el.itertext()).split())


def _drop(el: etree._Element) -> None:
    """Remove *el* but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)


def without(el: etree._Element, xpath: str) -> etree._Element:
    """Return a copy of *el* without the elements *xpath* selects (tails kept)."""
    el = copy.deepcopy(el)
    for gone in el.xpath(xpath):
        _drop(gone)
    return el


def without_backlinks(el: etree._Element) -> etree._Element:
    """Return a copy of *el* without "back to citation" links (they are not content)."""
    return without(el, ".//a[@role='doc-backlink' or contains(@class, 'backlink')]")


def headings(scope: etree._Element) -> list[tuple[int, str]]:
    """Return (level, text) of every h1–h6 under *scope*, in document order."""
    found = scope.xpath(" | ".join(f".//{h}" for h in _HEADING))
    return [(int(h.tag[1]), text_of(h)) for h in found]


def references(scope: etree._Element) -> list[tuple[str, str]]:
    """Return (id, text) of each entry of the doc-bibliography section(s)."""
    entries = scope.xpath(".//*[@role='doc-bibliography']//li")
    return [(li.get("id", ""), text_of(without_backlinks(li))) for li in entries]


def alts(scope: etree._Element) -> list[str]:
    """Return every image's alt text in document order (None-safe)."""
    return [img.get("alt", "") for img in scope.xpath(".//img")]


def fragment(href: str) -> str | None:
    """Return the id an internal link lands on ("#x" or "doc.xhtml#x"), else None."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.fragment:
        return None
    return unquote(parts.fragment)


def citations(scope: etree._Element) -> dict[str, list[str]]:
    """Map each citation span's id to the fragments its links point at."""
    found: dict[str, list[str]] = {}
    for span in scope.xpath(".//*[contains(concat(' ', @class, ' '), ' citation ')]"):
        targets = [fragment(a.get("href", "")) for a in span.xpath(".//a[@href]")]
        found[span.get("id", "")] = [t for t in targets if t]
    return found


def links(scope: etree._Element) -> Counter[str]:
    """Count internal links per target id."""
    counted: Counter[str] = Counter()
    for a in scope.xpath(".//a[@href]"):
        target = fragment(a.get("href", ""))
        if target:
            counted[target] += 1
    return counted


def ids(scope: etree._Element) -> set[str]:
    """Return every id under (and including) *scope*."""
    return {str(v) for v in scope.xpath(".//@id | @id")}


def nav_list(nav: etree._Element) -> list[tuple[int, str, str]]:
    """Flatten a nested <ol>/<ul> of links into (depth, text, target id)."""
    out: list[tuple[int, str, str]] = []
    for a in nav.xpath(".//li/a | .//li/span[not(../a)]"):
        depth = len(a.xpath("ancestor::li"))
        target = fragment(a.get("href", "")) or ""
        out.append((depth, text_of(a), target))
    return out
