"""The less common model nodes → HTML: glossaries, code, rules, divs, spans, tables.

A mixin of `html_body._Renderer`, kept apart so each module stays small. Each
construct maps to the HTML element that carries its meaning to assistive technology
(and, through WeasyPrint's tagging, to the PDF's structure tree).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from editions.model import (
    STYLES,
    Cell,
    CodeBlock,
    DefinitionList,
    Division,
    Figure,
    Styled,
    Table,
)

if TYPE_CHECKING:
    from editions.html_body import HtmlOptions
    from editions.model import Block, Inline, Sentence

#: HTML's `type` attribute for each ordered-list numbering style.
LIST_TYPES = {
    "lower-alpha": "a",
    "upper-alpha": "A",
    "lower-roman": "i",
    "upper-roman": "I",
}


def attr(name: str, value: str) -> str:
    """Return ` name="value"` with the value escaped."""
    return f' {name}="{escape(value, quote=True)}"'


class ConstructsMixin:
    """Render definition lists, code blocks, rules, divisions, styled runs, tables."""

    options: HtmlOptions

    def blocks(self, blocks: tuple[Block, ...]) -> list[str]:
        raise NotImplementedError

    def sentences(self, sentences: tuple[Sentence, ...]) -> str:
        raise NotImplementedError

    def sentence(self, sentence: Sentence) -> str:
        raise NotImplementedError

    def inlines(self, inlines: tuple[Inline, ...]) -> str:
        raise NotImplementedError

    def lang(self, value: str | None) -> str:
        """Mark a language of parts (WCAG 3.1.2); XHTML in an EPUB wants xml:lang."""
        if not value:
            return ""
        xml = attr("xml:lang", value) if self.options.epub else ""
        return attr("lang", value) + xml

    def definition_list(self, block: DefinitionList) -> str:
        parts = ["<dl>"]
        for entry in block.items:
            parts.append(f"<dt>{self.sentences(entry.term)}</dt>")
            for definition in entry.definitions:
                parts.append("<dd>" + "\n".join(self.blocks(definition)) + "</dd>")
        parts.append("</dl>")
        return "\n".join(parts)

    def code_block(self, block: CodeBlock) -> str:
        sentence = block.sentence
        text = "".join(getattr(i, "text", "") for i in sentence.inlines)
        return (
            f'<pre><code{attr("id", sentence.sentence_id)} class="s">'
            f"{escape(text, quote=False)}</code></pre>"
        )

    def division(self, block: Division) -> str:
        ident = attr("id", block.ident) if block.ident else ""
        inner = "\n".join(self.blocks(block.blocks))
        return f"<div{ident}{self.lang(block.lang)}>\n{inner}\n</div>"

    def decorative(self, figure: Figure) -> str:
        """Show a decorative image so no reader announces it.

        `alt=""` in HTML and EPUB. WeasyPrint tags every <img> as a Figure and
        wants /Alt, but paints CSS backgrounds as /Artifact, so the PDF gets one.
        """
        src = self.options.image_src(figure)
        if self.options.decorative_as_background:
            style = attr("style", f'background-image: url("{src}")')
            return f'<div class="decorative" aria-hidden="true"{style}></div>'
        return f'<div class="decorative"><img{attr("src", src)} alt="" /></div>'

    def styled(self, node: Styled) -> str:
        tag = STYLES[node.style]
        extra = attr("class", "smallcaps") if node.style == "smallcaps" else ""
        if node.ident:
            extra += attr("id", node.ident)
        return (
            f"<{tag}{extra}{self.lang(node.lang)}>{self.inlines(node.children)}</{tag}>"
        )

    def table(self, table: Table) -> str:
        caption = (
            f"<caption>{self.sentences(table.caption)}</caption>\n"
            if table.caption
            else ""
        )
        head = "".join(self.cell(c, "col") for c in table.header)
        thead = f"<thead>\n<tr>{head}</tr>\n</thead>\n" if head else ""
        rows = "\n".join(
            "<tr>" + "".join(self.cell(c) for c in row) + "</tr>" for row in table.rows
        )
        tfoot = ""
        if table.foot:
            foot = "\n".join(
                "<tr>" + "".join(self.cell(c) for c in row) + "</tr>"
                for row in table.foot
            )
            tfoot = f"<tfoot>\n{foot}\n</tfoot>\n"
        return (
            f"<table{attr('id', table.table_id)}>\n{caption}{thead}<tbody>\n"
            f"{rows}\n</tbody>\n{tfoot}</table>"
        )

    def cell(self, cell: Cell, scope: str = "row") -> str:
        """One cell; a header names its scope, PDF/UA's TH /Scope comes from it."""
        tag = "th" if cell.header or scope == "col" else "td"
        extra = attr("scope", scope) if tag == "th" else ""
        if cell.align != "left":
            extra += attr("class", f"align-{cell.align}")
        if cell.colspan != 1:
            extra += attr("colspan", str(cell.colspan))
        if cell.rowspan != 1:
            extra += attr("rowspan", str(cell.rowspan))
        return f"<{tag}{extra}>{self.sentences(cell.sentences)}</{tag}>"
