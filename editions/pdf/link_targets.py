"""Article → a description of every internal link target, for a link's /Contents.

PDF/UA wants a link annotation's /Contents to say where it goes (Matterhorn 28-012);
"fig-iron" tells a listener nothing, "Figure: How iron levels rise" does.
"""

from __future__ import annotations

from editions import locale
from editions.model import (
    Article,
    Division,
    Figure,
    Table,
    block_sentences,
    plain_text,
    walk_blocks,
)
from editions.source.ids import span_texts


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_targets(article: Article) -> dict[str, str]:
    """Map each section, figure, table, div and span id to what a reader finds."""

    def say(key: str, **values: str) -> str:
        return locale.label(article.lang, key, **values)

    found = {
        s.section_id: say("link.section", title=s.title_text) for s in article.sections
    }
    for section in article.sections:
        for block in walk_blocks(section.blocks):
            if isinstance(block, Figure):
                what = plain_text(block.caption[0].inlines) if block.caption else ""
                found[block.figure_id] = say(
                    "link.figure", what=_short(what or block.alt)
                )
            elif isinstance(block, Table):
                what = " ".join(s.text for s in block.caption)
                what = what or say("link.untitled_table")
                found[block.table_id] = say("link.table", what=_short(what))
            elif isinstance(block, Division) and block.ident:
                first = next(block_sentences(block.blocks), None)
                text = _short(first.text if first else "")
                found[block.ident] = say("link.passage", text=text)
    for ident, text in span_texts(article).items():
        found[ident] = say("link.passage", text=_short(text))
    return found
