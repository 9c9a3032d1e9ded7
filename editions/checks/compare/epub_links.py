"""A built EPUB → every internal link that names a missing file or id (CHK099).

An EPUB split into one document per chapter links across files: the nav, the
page-list, footnote calls and back-links, citations and each media overlay name the
document that holds their target. The other read-back checks compare ids across
the whole book; this one resolves every href in the file it names, as a reading
system does, and checks that each overlay reads only its own document.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from editions.checks.compare.consistency import MAX_FINDINGS
from editions.checks.compare.read_epub import SMIL, SMIL_NS, XHTML, package
from editions.errors import Finding, Location

_EPUB_NS = "http://www.idpf.org/2007/ops"
_TEXTREF = f"{{{_EPUB_NS}}}textref"


def check(path: Path) -> list[Finding]:
    """CHK099: every internal href resolves to an id in the file it names."""
    problems = broken_links(path)
    findings = [
        Finding("CHK099", problem, Location(path, key="links"))
        for problem in problems[:MAX_FINDINGS]
    ]
    if len(problems) > MAX_FINDINGS:
        findings.append(
            Finding(
                "CHK099",
                f"{len(problems) - MAX_FINDINGS} more link(s) like these",
                Location(path, key="links"),
            )
        )
    return findings


def broken_links(path: Path) -> list[str]:
    """Return one line per link (XHTML `a`, SMIL `text`, `textref`) landing nowhere."""
    with zipfile.ZipFile(path) as book:
        items, _spine = package(book)
        documents = {i.path: i for i in items.values() if i.media_type == XHTML}
        trees = {p: etree.fromstring(book.read(p)) for p in documents}
        ids = {p: {str(v) for v in tree.xpath("//@id")} for p, tree in trees.items()}
        problems = []
        for doc, tree in trees.items():
            for a in tree.iter("{http://www.w3.org/1999/xhtml}a"):
                href = a.get("href")
                if href is not None:
                    problems += _resolve(doc, href, ids)
        overlay_of = {
            items[i.overlay].path: i.path
            for i in documents.values()
            if i.overlay in items
        }
        for item in items.values():
            if item.media_type != SMIL:
                continue
            home = overlay_of.get(item.path)
            if home is None:
                problems.append(f"{item.path} is the overlay of no content document")
            root = etree.fromstring(book.read(item.path))
            refs = [str(r) for r in root.xpath("//@epub:textref", namespaces=_NS)]
            refs += [str(s) for s in root.xpath("//smil:text/@src", namespaces=_NS)]
            for ref in refs:
                problems += _resolve(item.path, ref, ids)
                target = _target(item.path, ref)[0]
                if home is not None and target is not None and target != home:
                    problems.append(
                        f"{item.path} reads {ref}, which is not its own document "
                        f"({posixpath.basename(home)})"
                    )
    return problems


_NS = {"epub": _EPUB_NS, **SMIL_NS}


def _target(base: str, href: str) -> tuple[str | None, str]:
    """Return (file in the ZIP, fragment) an href lands on; (None, "") if external."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None, ""
    file = base
    if parts.path:
        file = posixpath.normpath(
            posixpath.join(posixpath.dirname(base), unquote(parts.path))
        )
    return file, unquote(parts.fragment)


def _resolve(base: str, href: str, ids: dict[str, set[str]]) -> list[str]:
    file, fragment = _target(base, href)
    if file is None:
        return []  # https:, mailto:: not a link inside the book
    if file not in ids:
        return [f"{base}: {href} names {file}, which is no content document"]
    if fragment and fragment not in ids[file]:
        return [f"{base}: {href}: {posixpath.basename(file)} has no id {fragment!r}"]
    return []
