"""Article → semantic (X)HTML body, shared by the PDF, EPUB and large-print editions.

One renderer means headings, alt text, sentence ids and reference links are identical
in every visual edition. The output is well-formed XML and valid HTML5 at once. Only
attributes this module writes ever reach a page, and every text is escaped, so nothing
from the Markdown can become executable markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise

from editions import locale
from editions.html_constructs import LIST_TYPES, ConstructsMixin, attr
from editions.keep_together import unbreakable
from editions.model import (
    Article,
    Block,
    BlockQuote,
    Cite,
    Code,
    CodeBlock,
    DefinitionList,
    Division,
    Emph,
    Figure,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Rule,
    Section,
    Sentence,
    Strong,
    Styled,
    Table,
    Text,
)

SAFE_SCHEMES = ("http://", "https://", "mailto:", "#")


def same_document(target: str) -> str:
    """Link to *target* in the page being rendered (one-document editions)."""
    return "#" + target


@dataclass(frozen=True)
class HtmlOptions:
    """What differs between the visual editions."""

    image_src: Callable[[Figure], str]
    epub: bool = False  # add epub:type semantics (XHTML in an EPUB only)
    #: sentence id → the labels of the print pages that begin at it
    page_breaks: Mapping[str, Sequence[str]] = field(default_factory=dict)
    backlinks: bool = False  # reference entries link back to each citation
    byline: bool = True
    after_title: str = ""  # trusted HTML made by the pipeline (the listen box)
    # Notes as <div>s, not list items: the PDF post-processor retags each as a Note
    # with an /ID, which PDF/UA wants and a list item cannot become.
    notes_as_divs: bool = False
    # WeasyPrint tags every <img> as a Figure needing /Alt; a CSS background is
    # painted as an /Artifact, which is what a decorative image must be in a PDF.
    decorative_as_background: bool = False
    #: id → the href that reaches it. An EPUB split into one document per chapter
    #: names the file that holds the id (`editions/epub/documents.py`).
    href: Callable[[str], str] = same_document


def body(article: Article, options: HtmlOptions) -> str:
    """Render the whole article: title block, sections, notes and references."""
    renderer = _Renderer(article, options)
    return renderer.render()


def front(article: Article, options: HtmlOptions) -> str:
    """Render the title block, the summary and the text before the first chapter."""
    return _Renderer(article, options).front()


def sections(article: Article, chosen: Sequence[Section], options: HtmlOptions) -> str:
    """Render *chosen* sections (a chapter and its subsections) as nested sections."""
    return _Renderer(article, options).nested(list(chosen))


def notes(article: Article, options: HtmlOptions) -> str:
    """Render the article's notes (nothing when it has none)."""
    return _Renderer(article, options).notes() if article.notes else ""


def bibliography(article: Article, section: Section, options: HtmlOptions) -> str:
    """Render the reference-list section."""
    return _Renderer(article, options).bibliography(section)


@dataclass
class _Renderer(ConstructsMixin):
    article: Article
    options: HtmlOptions

    def render(self) -> str:
        (_title, *before), bibliography, after = self.article.parts()
        parts = [self.front()]
        parts.append(self.nested(before))
        if self.article.notes:
            parts.append(self.notes())
        if bibliography is not None:
            parts.append(self.bibliography(bibliography))
        # Sections the source puts after the reference list (an appendix) follow it.
        parts.append(self.nested(list(after)))
        return "\n".join(p for p in parts if p)

    # ------------------------------------------------------------ structure

    def front(self) -> str:
        title = self.article.sections[0]
        parts = [self.title_block(title), self.options.after_title]
        parts.extend(self.blocks(title.blocks))
        return "\n".join(p for p in parts if p)

    def title_block(self, title: Section) -> str:
        """Title, subtitle, authors, dates, publisher, licence line and summary.

        Patient-information standards ask for both the date and the review date on
        the leaflet itself, so they are printed, not only kept as metadata.
        """
        article = self.article
        lang = article.lang
        parts = [f"<h1{attr('id', title.section_id)}>{self.sentence(title.title)}</h1>"]
        if article.subtitle:
            parts.append(
                f'<p class="subtitle" id="subtitle">{unbreakable(article.subtitle)}</p>'
            )
        if self.options.byline:
            names = [
                f"{a.name} ({a.affiliation})" if a.affiliation else a.name
                for a in article.authors
            ] or [article.author]
            by = locale.label(lang, "by", authors=locale.join_names(names, lang))
            dates = locale.dates_line(lang, article.date, article.review_date)
            parts.append(f'<p class="byline" id="byline">{escape(by)}</p>')
            parts.append(f'<p class="dates" id="dates">{unbreakable(dates)}</p>')
        if article.publisher:
            published = locale.label(lang, "published_by", publisher=article.publisher)
            parts.append(f'<p class="publisher" id="publisher">{escape(published)}</p>')
        if article.rights:
            parts.append(f'<p class="rights" id="rights">{escape(article.rights)}</p>')
        header = '<header class="title-block">\n' + "\n".join(parts) + "\n</header>"
        if not article.abstract:
            return header
        summary = locale.label(lang, "summary")
        return (
            f'{header}\n<section class="abstract" id="abstract" role="doc-abstract"'
            f"{attr('aria-label', summary)}>\n<p><strong>{escape(summary)}.</strong> "
            f"{unbreakable(article.abstract)}</p>\n</section>"
        )

    def nested(self, sections: list[Section]) -> str:
        """Render flat sections as nested <section> elements by heading level."""
        out: list[str] = []
        open_levels: list[int] = []
        for section in sections:
            while open_levels and open_levels[-1] >= section.level:
                out.append("</section>")
                open_levels.pop()
            out.append(self.section_start(section))
            out.extend(self.blocks(section.blocks))
            open_levels.append(section.level)
        out.extend("</section>" for _ in open_levels)
        return "\n".join(out)

    def section_start(self, section: Section, extra: str = "") -> str:
        level = min(section.level, 6)
        heading_id = section.section_id
        return (
            f"<section{attr('aria-labelledby', heading_id)}{extra}>\n"
            f"<h{level}{attr('id', heading_id)}>{self.sentence(section.title)}"
            f"</h{level}>"
        )

    def notes(self) -> str:
        epub_type = attr("epub:type", "endnotes") if self.options.epub else ""
        items = []
        for note in self.article.notes:
            li_type = attr("epub:type", "endnote") if self.options.epub else ""
            label = self._say("back_to_note", number=str(note.number))
            back = (
                f"<a{attr('href', self.options.href(f'fnref{note.number}'))}"
                ' role="doc-backlink"'
                f"{attr('aria-label', label)}>↩</a>"
            )
            content = "\n".join(self.blocks(note.blocks))
            if self.options.notes_as_divs:
                items.append(self._note_div(note.note_id, note.number, content, back))
                continue
            items.append(
                f"<li{attr('id', note.note_id)}{li_type}>{content} {back}</li>"
            )
        if self.options.notes_as_divs:
            return (
                '<section class="footnotes" role="doc-endnotes"'
                f"{attr('aria-label', locale.label(self.article.lang, 'notes'))}>\n"
                + "\n".join(items)
                + "\n</section>"
            )
        return (
            f'<section class="footnotes" role="doc-endnotes"{epub_type}'
            f"{attr('aria-label', locale.label(self.article.lang, 'notes'))}>\n<ol>\n"
            + "\n".join(items)
            + "\n</ol>\n</section>"
        )

    def _say(self, key: str, **values: str) -> str:
        return locale.label(self.article.lang, key, **values)

    def _back_to_citation(self, number: int, total: int) -> str:
        return self._say("back_to_citation", number=str(number), total=str(total))

    @staticmethod
    def _note_div(note_id: str, number: int, content: str, back: str) -> str:
        """One note as a block with its number leading the first paragraph."""
        label = f'<span class="note-number">{number}.</span> '
        if content.startswith("<p>"):
            content = "<p>" + label + content.removeprefix("<p>")
        else:
            content = f'<p class="note-number">{label}</p>\n{content}'
        if content.endswith("</p>"):
            content = content.removesuffix("</p>") + f" {back}</p>"
        else:
            content += f"\n<p>{back}</p>"
        return f'<div class="footnote"{attr("id", note_id)}>\n{content}\n</div>'

    def bibliography(self, section: Section) -> str:
        epub_type = attr("epub:type", "bibliography") if self.options.epub else ""
        start = self.section_start(section, f' role="doc-bibliography"{epub_type}')
        entries = []
        cites = list(self.article.citations())
        for reference in self.article.references:
            back = ""
            if self.options.backlinks:
                mine = [c for c in cites if reference.key in c.keys]
                back = " ".join(
                    f'<a class="backlink"{attr("href", self.options.href(c.cite_id))}'
                    f"{attr('aria-label', self._back_to_citation(n, len(mine)))}"
                    ">↩</a>"
                    for n, c in enumerate(mine, start=1)
                )
            entry_type = attr("epub:type", "biblioentry") if self.options.epub else ""
            entries.append(
                f"<li{attr('id', reference.entry_id)}{entry_type}"
                f' class="csl-entry">{self.sentence(reference.sentence)}'
                f"{' ' + back if back else ''}</li>"
            )
        return "\n".join(
            [
                start,
                *self.blocks(section.before_references),
                '<ul class="references">',
                *entries,
                "</ul>",
                *self.blocks(section.after_references),
                "</section>",
            ]
        )

    # ------------------------------------------------------------ blocks

    def blocks(self, blocks: tuple[Block, ...]) -> list[str]:
        return [self.block(b) for b in blocks]

    def block(self, block: Block) -> str:
        if isinstance(block, Paragraph):
            return f"<p>{self.sentences(block.sentences)}</p>"
        if isinstance(block, ListBlock):
            return self.list_block(block)
        if isinstance(block, Figure):
            return self.figure(block)
        if isinstance(block, Table):
            return self.table(block)
        if isinstance(block, BlockQuote):
            return (
                "<blockquote>\n"
                + "\n".join(self.blocks(block.blocks))
                + "\n</blockquote>"
            )
        if isinstance(block, DefinitionList):
            return self.definition_list(block)
        if isinstance(block, CodeBlock):
            return self.code_block(block)
        if isinstance(block, Rule):
            return "<hr />"
        if isinstance(block, Division):
            return self.division(block)
        raise TypeError(block)

    def list_block(self, block: ListBlock) -> str:
        tag = "ol" if block.ordered else "ul"
        start = (
            attr("start", str(block.start))
            if block.ordered and block.start != 1
            else ""
        )
        if block.ordered and block.style in LIST_TYPES:
            start += attr("type", LIST_TYPES[block.style])
        items = []
        for item in block.items:
            if len(item.blocks) == 1 and isinstance(item.blocks[0], Paragraph):
                items.append(f"<li>{self.sentences(item.blocks[0].sentences)}</li>")
            else:
                items.append("<li>" + "\n".join(self.blocks(item.blocks)) + "</li>")
        return f"<{tag}{start}>\n" + "\n".join(items) + f"\n</{tag}>"

    def figure(self, figure: Figure) -> str:
        if figure.decorative:
            return self.decorative(figure)
        caption = ""
        if figure.caption:
            caption = f"\n<figcaption>{self.sentences(figure.caption)}</figcaption>"
        return (
            f"<figure{attr('id', figure.figure_id)}>\n"
            f"<img{attr('src', self.options.image_src(figure))}"
            f"{attr('alt', figure.alt)} />{caption}\n</figure>"
        )

    # ------------------------------------------------------------ sentences and inlines

    def sentences(self, sentences: tuple[Sentence, ...]) -> str:
        out = [self.sentence(sentences[0])] if sentences else []
        for _, current in pairwise(sentences):
            out.append(" " + self.sentence(current))
        return "".join(out)

    def sentence(self, sentence: Sentence) -> str:
        marker = ""
        epub_type = attr("epub:type", "pagebreak") if self.options.epub else ""
        for label in self.options.page_breaks.get(sentence.sentence_id, ()):
            marker += (
                f'<span{attr("id", "page-" + label)} role="doc-pagebreak"'
                f"{epub_type}{attr('aria-label', label)}></span>"
            )
        return (
            f'{marker}<span{attr("id", sentence.sentence_id)} class="s">'
            f"{self.inlines(sentence.inlines)}</span>"
        )

    def inlines(self, inlines: tuple[Inline, ...]) -> str:
        return "".join(self.inline(i) for i in inlines)

    def inline(self, node: Inline) -> str:
        if isinstance(node, Text):
            return unbreakable(node.text)
        if isinstance(node, Code):
            return f"<code>{escape(node.text, quote=False)}</code>"
        if isinstance(node, LineBreak):
            return "<br />"
        if isinstance(node, Emph):
            return f"<em>{self.inlines(node.children)}</em>"
        if isinstance(node, Strong):
            return f"<strong>{self.inlines(node.children)}</strong>"
        if isinstance(node, Cite):
            return (
                f'<span class="citation"{attr("id", node.cite_id)}>'
                f"{self.inlines(node.children)}</span>"
            )
        if isinstance(node, NoteRef):
            epub_type = attr("epub:type", "noteref") if self.options.epub else ""
            return (
                f"<a{attr('href', self.options.href(node.note_id))}"
                f'{attr("id", "fnref" + str(node.number))} role="doc-noteref"'
                f'{epub_type} class="noteref"><sup>{node.number}</sup></a>'
            )
        if isinstance(node, Link):
            return self.link(node)
        if isinstance(node, Styled):
            return self.styled(node)
        raise TypeError(node)

    def link(self, node: Link) -> str:
        text = self.inlines(node.children)
        if not node.url.startswith(SAFE_SCHEMES):
            return text  # e.g. javascript: — keep the words, drop the link
        role = ""
        if node.url.startswith("#ref-"):
            role = ' role="doc-biblioref"'
        href = self.options.href(node.url[1:]) if node.url.startswith("#") else node.url
        return f"<a{attr('href', href)}{role}>{text}</a>"
