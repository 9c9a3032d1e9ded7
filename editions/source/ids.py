"""Explicit ids and internal links → Findings: duplicates, clashes, dangling links.

pandoc only warns about a duplicate `{#id}` (and names a line counted without the
front matter), and an internal link to a duplicate id is ambiguous in every edition,
so both lines are named here, read from the raw source lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from editions.errors import Finding
from editions.model import (
    Article,
    Division,
    Figure,
    Link,
    Styled,
    Table,
    plain_text,
    walk_blocks,
    walk_inlines,
)
from editions.source.sourcemap import SourceMap

_ATTRIBUTES = re.compile(r"\{([^{}]*)\}")
_QUOTED = re.compile(r'"[^"]*"')
_EXPLICIT_ID = re.compile(r"(?:^|\s)#([^\s}#]+)")
_FENCE = re.compile(r"^\s*(```|~~~)")
#: Ids the pipeline writes itself: sentences, notes, note calls, reference entries,
#: page markers, generated figure and table ids.
_RESERVED = re.compile(r"^(s\d+|fn\d+|fnref\d+|ref-.*|page-.*|figure-\d+|table-\d+)$")


def explicit_ids(source: SourceMap) -> Iterator[tuple[str, int]]:
    """Yield (id, line) for every `{#id …}` attribute outside code fences."""
    fenced = False
    for number, line in enumerate(source.lines, start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        for group in _ATTRIBUTES.findall(line):
            for ident in _EXPLICIT_ID.findall(_QUOTED.sub("", group)):
                yield ident, number


def check_ids(source: SourceMap) -> list[Finding]:
    """SRC020: an explicit id used twice; SRC029: an id the pipeline writes itself."""
    first: dict[str, int] = {}
    findings = []
    for ident, line in explicit_ids(source):
        if _RESERVED.match(ident):
            findings.append(
                Finding(
                    "SRC029",
                    f'id "{ident}" has the form of an id the build writes itself '
                    "(sentences s1, notes fn1, entries ref-…); choose another",
                    source.at(line),
                )
            )
        if ident in first:
            findings.append(
                Finding(
                    "SRC020",
                    f'id "{ident}" is used on line {first[ident]} and on line {line} '
                    f"of {source.path.name}; links to it would be ambiguous: give "
                    "each its own id",
                    source.at(line),
                )
            )
        else:
            first[ident] = line
    return findings


def targets(article: Article) -> set[str]:
    """Return every id an internal link may land on in the editions."""
    found = {s.section_id for s in article.sections}
    found |= {n.note_id for n in article.notes}
    found |= {r.entry_id for r in article.references}
    found |= set(span_texts(article))
    for section in article.sections:
        for block in walk_blocks(section.blocks):
            if isinstance(block, Figure):
                found.add(block.figure_id)
            elif isinstance(block, Table):
                found.add(block.table_id)
            elif isinstance(block, Division) and block.ident:
                found.add(block.ident)
    return found


def check_links(article: Article, source: SourceMap) -> list[Finding]:
    """SRC027: an internal link to an id no heading, figure, table or span has."""
    known = targets(article)
    findings = []
    for sentence in article.sentences():
        for node in walk_inlines(sentence.inlines):
            url = node.url if isinstance(node, Link) else ""
            if url.startswith("#") and url[1:] not in known:
                findings.append(
                    Finding(
                        "SRC027",
                        f"link to {url} goes nowhere: no heading, figure, table or "
                        "span has that id; fix the link or add {" + url + "}",
                        source.find(f"]({url})"),
                    )
                )
    return findings


def span_texts(article: Article) -> dict[str, str]:
    """Return the text of every span that has an explicit id, by id."""
    return {
        node.ident: plain_text(node.children)
        for sentence in article.sentences()
        for node in walk_inlines(sentence.inlines)
        if isinstance(node, Styled) and node.ident
    }


def spans_with_lang(article: Article) -> list[tuple[str, str]]:
    """Return (text, lang) for every run marked with another language, in order."""
    return [
        (plain_text(node.children), node.lang)
        for sentence in article.sentences()
        for node in walk_inlines(sentence.inlines)
        if isinstance(node, Styled) and node.lang
    ]
