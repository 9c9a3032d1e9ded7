"""Article → speech script: chapters of utterances, each tied to a sentence id.

The title and author open the first chapter; each level-2 section is a chapter whose
heading is announced; a parenthetical citation is said briefly as "see" and each
work's authors and year (`cited`), a narrative one keeps its names; footnotes are
read at the end of the chapter that calls them; the reference list is the last
chapter, each entry said as who, when, what and where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from editions import locale
from editions.audio.speech_text import speakable, tidy
from editions.model import (
    Article,
    Block,
    BlockQuote,
    Cell,
    Cite,
    CodeBlock,
    DefinitionList,
    Division,
    Figure,
    Inline,
    LexiconEntry,
    ListBlock,
    NoteRef,
    Paragraph,
    Reference,
    Rule,
    Section,
    Sentence,
    Styled,
    Table,
    Wrapper,
    block_sentences,
    plain_text,
)
from editions.numbering import list_label
from editions.source.as_cited import for_citeproc

#: Seconds of silence after an utterance, by what follows it. Each step is longer
#: than the one before, so a listener hears the structure: a heading is followed by
#: a longer pause than a paragraph, and a chapter ends with the longest.
PAUSE_SENTENCE = 0.45
PAUSE_PARAGRAPH = 0.9
PAUSE_HEADING = 1.2
PAUSE_CHAPTER = 1.8


@dataclass(frozen=True)
class Utterance:
    """One thing to say: the id it highlights, what is shown, and what is spoken."""

    sentence_id: str
    display: str
    spoken: str
    pause_after: float
    #: The spoken citation asides in *spoken*: optional words for speech
    #: recognition (saying them or not costs nothing; issue 20).
    asides: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScriptChapter:
    """A chapter of the audio edition, titled with its section heading."""

    title: str
    utterances: tuple[Utterance, ...]


@dataclass
class _Writer:
    lexicon: tuple[LexiconEntry, ...]
    out: list[Utterance]
    lang: str = "en-US"

    def label(self, key: str, **values: str) -> str:
        return locale.label(self.lang, key, **values)

    def say(
        self,
        sentence_id: str,
        display: str,
        spoken: str,
        pause: float,
        asides: tuple[str, ...] = (),
    ) -> None:
        spoken = speakable(spoken, self.lexicon, self.lang)
        said = tuple(speakable(a.strip(" ,"), self.lexicon, self.lang) for a in asides)
        if spoken.strip(" .,;:"):
            self.out.append(Utterance(sentence_id, display, spoken, pause, said))

    def sentences(self, sentences: tuple[Sentence, ...], prefix: str = "") -> None:
        for index, sentence in enumerate(sentences):
            last = index == len(sentences) - 1
            spoken = spoken_text(sentence.inlines, self.lang)
            self.say(
                sentence.sentence_id,
                sentence.text,
                (prefix if index == 0 else "") + spoken,
                PAUSE_PARAGRAPH if last else PAUSE_SENTENCE,
                citation_asides(sentence.inlines, self.lang),
            )

    def blocks(self, blocks: tuple[Block, ...]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                self.sentences(block.sentences)
            elif isinstance(block, ListBlock):
                for number, item in enumerate(block.items, start=block.start):
                    first = item.blocks[0] if item.blocks else None
                    if isinstance(first, Paragraph) and block.ordered:
                        label = list_label(number, block.style, roman=False)
                        self.sentences(first.sentences, prefix=f"{label}. ")
                        self.blocks(item.blocks[1:])
                    else:
                        self.blocks(item.blocks)
            elif isinstance(block, BlockQuote | Division):
                self.blocks(block.blocks)
            elif isinstance(block, Figure):
                self.figure(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, DefinitionList):
                for entry in block.items:  # the term is announced, then defined
                    self.sentences(entry.term, prefix=self.label("spoken_term"))
                    for definition in entry.definitions:
                        self.blocks(definition)
            elif isinstance(block, CodeBlock):
                self.sentences((block.sentence,))
            elif isinstance(block, Rule) and self.out:
                last = self.out[-1]  # a thematic break is heard as a longer pause
                self.out[-1] = Utterance(
                    last.sentence_id, last.display, last.spoken, PAUSE_HEADING
                )

    def figure(self, figure: Figure) -> None:
        if figure.decorative:
            return  # decorates only: nothing to hear
        self.sentences(figure.caption, prefix=self.label("spoken_figure"))
        self.say(
            figure.figure_id,
            figure.alt,
            self.label("spoken_image", alt=figure.alt),
            PAUSE_PARAGRAPH,
        )

    def table(self, table: Table) -> None:
        self.sentences(table.caption, prefix=self.label("spoken_table"))
        for cell in table.header:
            self.sentences(cell.sentences)
        headers: list[str] = []
        for cell in table.header:  # a header spanning columns names each of them
            headers += [plain_text(cell.sentences[0].inlines) if cell.sentences else ""]
            headers += [headers[-1]] * (cell.colspan - 1)
        for row in (*table.rows, *table.foot):
            self.row(row, headers)

    def row(self, row: tuple[Cell, ...], headers: list[str]) -> None:
        column = 0
        for cell in row:
            label = headers[column] if column < len(headers) else ""
            self.sentences(cell.sentences, prefix=f"{label}: " if label else "")
            column += cell.colspan


def _task_boxes(lang: str) -> dict[int, str]:
    """Say a task list's boxes (pandoc's task_lists): a voice says "Symbol 2612"."""
    table = locale.labels(lang)
    return str.maketrans(
        {"\u2610": table["spoken_todo"], "\u2612": table["spoken_done"]}
    )


def spoken_text(inlines: tuple[Inline, ...], lang: str = "en") -> str:
    """Flatten a sentence for speech: a parenthetical citation is said briefly.

    A narrative citation ("Doe et al. (2020) found") is part of the sentence, so
    its names stay and only its parenthesised year goes.
    """
    return "".join(_flatten(inlines, [], lang)).translate(_task_boxes(lang))


def citation_asides(inlines: tuple[Inline, ...], lang: str = "en") -> tuple[str, ...]:
    """Return how each parenthetical citation of a sentence is said (`cited`)."""
    asides: list[str] = []
    _flatten(inlines, asides, lang)
    return tuple(a for a in asides if a)


def _flatten(inlines: tuple[Inline, ...], asides: list[str], lang: str) -> list[str]:
    """Return a sentence's spoken parts; add each citation aside to *asides*."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Cite):
            rendered = plain_text(node.children).strip()
            if rendered.startswith(("(", "[")):
                asides.append(cited(rendered, lang))
                parts.append(asides[-1])
            else:
                parts.append(re.sub(r"\s*\([^()]*\)", "", rendered))
        elif isinstance(node, Styled) and node.style == "sup":
            # 10^9^/L is "10 to the power 9", never "109"
            raised = "".join(_flatten(node.children, asides, lang))
            after_digit = bool(parts) and parts[-1][-1:].isdigit()
            numeric = raised.lstrip("-−").isdigit()
            power = locale.label(lang, "spoken_power", n=raised)
            parts.append(f" {power} " if after_digit and numeric else raised)
        elif isinstance(node, Styled) and node.style == "strikeout":
            struck = "".join(_flatten(node.children, asides, lang))
            parts.append(locale.label(lang, "spoken_struck", text=struck))
        elif isinstance(node, Wrapper):
            parts.extend(_flatten(node.children, asides, lang))
        else:
            parts.append(plain_text((node,)))
    return parts


_LOCATOR = re.compile(r",\s*(?:pp?|paras?|chap|ch|sec|fig)\.?\s*[\w–-]+", re.I)


def cited(rendered: str, lang: str = "en") -> str:
    """Say "(Doe et al., 2020a, p. 4; Roe & Lee, 2019)" as one short aside.

    The rule (README, "Citations in the audio"): ", see Doe et al., 2020, and Roe &
    Lee, 2019," with names and years as the reference list says them; page
    locators and year letters are left out, a listener finds the work without them.
    """
    works = []
    for work in rendered.strip("()[] ").split(";"):
        work = _LOCATOR.sub("", work).strip()
        work = re.sub(r"^(?:see|e\.g\.|cf\.)\s+,?\s*", "", work, flags=re.I)
        work = re.sub(r"\b(\d{4})[a-z]\b", r"\1", work)
        if work:
            works.append(work)
    if not works:
        return ""
    listed = works[0] if len(works) == 1 else ", ".join(works[:-1])
    if len(works) > 1:
        listed += locale.label(lang, "spoken_and_last", last=works[-1])
    return locale.label(lang, "spoken_see", works=listed)


def _note_refs(inlines: tuple[Inline, ...]) -> list[str]:
    found = []
    for node in inlines:
        if isinstance(node, NoteRef):
            found.append(node.note_id)
        elif hasattr(node, "children"):
            found.extend(_note_refs(node.children))
    return found


def build_script(article: Article) -> tuple[ScriptChapter, ...]:
    """Turn the article into chapters of utterances, in reading order."""
    chapters: list[ScriptChapter] = []
    groups: list[list[Section]] = []
    for section in article.sections:
        if section.level <= 2 or not groups:
            groups.append([section])
        else:
            groups[-1].append(section)
    notes = {n.note_id: n for n in article.notes}
    for group in groups:
        writer = _Writer(article.lexicon, [], article.lang)
        head = group[0]
        writer.say(
            head.title.sentence_id,
            head.title_text,
            head.title_text + ".",
            PAUSE_HEADING,
        )
        if head.level == 1:
            _front_matter(writer, article)
        called: list[str] = []
        for section in group:
            if section is not head:
                writer.say(
                    section.title.sentence_id,
                    section.title_text,
                    section.title_text + ".",
                    PAUSE_HEADING,
                )
            if section.role != "bibliography":
                writer.blocks(section.blocks)
            else:
                writer.blocks(section.before_references)
                for reference in article.references:
                    writer.say(
                        reference.sentence.sentence_id,
                        reference.text,
                        reference_speech(reference, article.lang),
                        PAUSE_PARAGRAPH,
                    )
                writer.blocks(section.after_references)
            for sentence in _section_sentences(section):
                called.extend(_note_refs(sentence.inlines))
        for note_id in dict.fromkeys(called):
            note = notes[note_id]
            first, *rest = note.blocks
            if isinstance(first, Paragraph):
                writer.sentences(
                    first.sentences,
                    prefix=writer.label("spoken_note", number=str(note.number)),
                )
            else:
                writer.blocks((first,))
            writer.blocks(tuple(rest))
        if writer.out:
            writer.out[-1] = replace(writer.out[-1], pause_after=PAUSE_CHAPTER)
            chapters.append(ScriptChapter(head.title_text, tuple(writer.out)))
    return tuple(chapters)


def _front_matter(writer: _Writer, article: Article) -> None:
    """Say the subtitle, the authors and the summary after the title.

    The ids match the title block's elements (p#subtitle, p#byline,
    section#abstract), so the read-along and the EPUB overlays highlight them.
    """
    authors = locale.join_names(article.author_names, article.lang)
    said = [
        ("subtitle", article.subtitle, "spoken_subtitle", PAUSE_HEADING),
        ("byline", writer.label("by", authors=authors), "spoken_by", PAUSE_HEADING),
        ("abstract", article.abstract, "spoken_summary", PAUSE_PARAGRAPH),
    ]
    values = {"subtitle": article.subtitle, "authors": authors}
    values["abstract"] = article.abstract
    for cue, display, spoken, pause in said:
        if display:
            writer.say(cue, display, writer.label(spoken, **values), pause)


def reference_speech(reference: Reference, lang: str = "en") -> str:
    """Say an entry as a listener can follow it: who, when, what, where; no URLs."""
    data = for_citeproc(reference.data)  # with the values only the author gave
    names = [
        str(a.get("family") or a.get("literal") or "")
        for a in data.get("author", [])
        if isinstance(a, dict)
    ]  # type: ignore[union-attr]
    names = [n for n in names if n]
    if len(names) > 2:
        who = locale.label(lang, "spoken_colleagues", name=names[0])
    elif len(names) == 2:
        who = locale.label(lang, "spoken_two_names", first=names[0], second=names[1])
    else:
        who = "".join(names)
    parts = data.get("issued", {}).get("date-parts", [[]])  # type: ignore[union-attr]
    no_date = locale.label(lang, "spoken_no_date")
    year = str(parts[0][0]) if parts and parts[0] else no_date
    title = str(data.get("title", "")).rstrip(".")
    container = str(data.get("container-title", "")).rstrip(".")
    if who:
        spoken = f"{who}, {year}. {_sentence(title)}"
    else:  # "What is naltrexone? No date." rather than "…?, no date."
        spoken = f"{_sentence(title)} {year[0].upper()}{year[1:]}."
    if container:
        spoken += " " + locale.label(lang, "spoken_in", container=container)
    return tidy(spoken) if data else tidy(reference.text)


def _sentence(text: str) -> str:
    """End *text* with a full stop unless it already ends a sentence (? or !)."""
    return text if text.endswith(("?", "!", ".")) else f"{text}."


def _section_sentences(section: Section) -> list[Sentence]:
    return [section.title, *block_sentences(section.blocks)]
