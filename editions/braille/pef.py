"""Braille pages → PEF 2008-1 (Portable Embosser Format): the same pages in Unicode.

PEF is the DAISY Consortium's XML for embossable braille: unlike BRF it names the
page size and carries the cells themselves (Unicode braille patterns), so no
embosser's ASCII table can change a cell.
"""

from __future__ import annotations

import hashlib

from lxml import etree

from editions.braille import liblouis
from editions.model import Article

PEF = "http://www.daisy.org/ns/2008/pef"
DC = "http://purl.org/dc/elements/1.1/"


def pef(article: Article, pages: list[list[str]], cells: int, lines: int) -> bytes:
    """Return the PEF document for *pages* of BRF rows."""
    rows = liblouis.unicode_cells([row for page in pages for row in page])
    root = etree.Element(f"{{{PEF}}}pef", nsmap={None: PEF}, version="2008-1")
    meta = etree.SubElement(
        etree.SubElement(root, f"{{{PEF}}}head"), f"{{{PEF}}}meta", nsmap={"dc": DC}
    )
    seed = f"{article.title}|{article.author}|{article.date}".encode()
    for name, value in (
        ("format", "application/x-pef+xml"),
        ("identifier", f"urn:sha256:{hashlib.sha256(seed).hexdigest()[:32]}"),
        ("title", article.title),
        ("creator", article.author),
        ("language", article.lang),
        ("date", article.year or article.date),
    ):
        etree.SubElement(meta, f"{{{DC}}}{name}").text = value
    volume = etree.SubElement(
        etree.SubElement(root, f"{{{PEF}}}body"),
        f"{{{PEF}}}volume",
        cols=str(cells),
        rows=str(lines),
        rowgap="0",
        duplex="false",
    )
    section = etree.SubElement(volume, f"{{{PEF}}}section")
    at = 0
    for page in pages:
        element = etree.SubElement(section, f"{{{PEF}}}page")
        for row in rows[at : at + len(page)]:
            # PEF rows hold only braille patterns: a blank cell is U+2800.
            etree.SubElement(element, f"{{{PEF}}}row").text = row.rstrip("\u2800")
        at += len(page)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
