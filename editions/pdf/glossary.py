"""A definition list → list items whose label is the term and whose body defines it.

WeasyPrint 70 tags `<dl>` as an L and each `<dt>` and `<dd>` as an LI of its own
(its source says "TODO: dt should be different"), so a screen reader counts twice
as many items and never ties a term to its definition. ISO 32000-1 §14.8.4.3 gives
the pair: an LI whose Lbl is the term and whose LBody is the definition. The article
knows each term's text and how many definitions follow it.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

from editions.model import Article, DefinitionList, walk_blocks
from editions.pdf.reading import kids, struct_kids, walk_structure
from editions.pdf.text import element_text, marked_content, squash


def glossary_items(article: Article) -> list[tuple[str, int]]:
    """Return (term text, number of definitions) for every term, in order."""
    return [
        (" ".join(s.text for s in entry.term), len(entry.definitions))
        for section in article.sections
        for block in walk_blocks(section.blocks)
        if isinstance(block, DefinitionList)
        for entry in block.items
    ]


def pair_terms(pdf: pikepdf.Pdf, items: list[tuple[str, int]]) -> int:
    """Give each term's LI its definitions as LBody; return the terms paired."""
    root = pdf.Root.get("/StructTreeRoot")
    if not items or not isinstance(root, Dictionary):
        return 0
    content = marked_content(pdf)
    todo = list(items)
    paired = 0
    for elem, _parent in list(walk_structure(root)):
        if str(elem.get("/S")) != "/L" or not todo:
            continue
        entries = struct_kids(elem)
        removed: set[tuple[int, int]] = set()
        index = 0
        while index < len(entries) and todo:
            term, count = todo[0]
            item = entries[index]
            if squash(element_text(item, content)) != squash(term):
                break
            definitions = entries[index + 1 : index + 1 + count]
            if len(definitions) < count:
                break  # the rest is on the next page's fragment: leave it
            _pair(item, definitions)
            removed |= {d.objgen for d in definitions}
            todo.pop(0)
            paired += 1
            index += 1 + count
        if removed:
            elem.K = Array([k for k in kids(elem) if k.objgen not in removed])
    return paired


def _pair(item: Dictionary, definitions: list[Dictionary]) -> None:
    """Turn *item*'s body into its Lbl and move the definitions into one LBody."""
    bodies = [b for b in struct_kids(item) if str(b.S) == "/LBody"]
    for body in bodies:
        body.S = Name.Lbl
    target: Dictionary | None = None
    for definition in definitions:
        for body in struct_kids(definition):
            if target is None:
                target = body
                body.P = item
                item.K = Array([*kids(item), body])
            else:
                target.K = Array([*kids(target), *kids(body)])
                for kid in struct_kids(body):
                    kid.P = target
