"""Every Block and Inline type of pandoc's AST → what each edition does with it.

The coverage test enumerates the types from the pinned pandoc itself and fails,
naming the type, when one is missing here; README's "Building another article"
documents the same table. A type is rendered in every edition, or refused with a
located finding, or never produced by our reader (its extensions are off).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

#: The pandoc-types API the table below was written for (pandoc 3.9).
PANDOC_API = (1, 23, 1)


@dataclass(frozen=True)
class Handling:
    """How one pandoc node type reaches the reader of each edition."""

    kind: str  # "Block" or "Inline"
    html: str  # HTML in the EPUB and the large-print page
    pdf: str  # structure in the tagged PDF
    audio: str  # what the listener hears (and the captions/overlays that follow)
    braille: str = "its words, UEB grade 2"  # the BRF/PEF edition (BANA formats)
    refused: str = ""  # finding code when (some forms of) it are refused
    produced: bool = True  # False: READER never produces it


def _handling(
    kind: str,
    html: str,
    pdf: str,
    audio: str,
    refused: str = "",
    produced: bool = True,
    braille: str = "",
) -> Handling:
    default = "a paragraph (3-1)" if kind == "Block" else "its words, UEB grade 2"
    return Handling(kind, html, pdf, audio, braille or default, refused, produced)


_b = partial(_handling, "Block")
_i = partial(_handling, "Inline")


HANDLING: dict[str, Handling] = {
    # ------------------------------------------------------------ blocks
    "Para": _b("<p>", "P", "sentences"),
    "Plain": _b("text of a tight list item or cell", "LBody / TD", "sentences"),
    "LineBlock": _b("<p> with <br />", "P", "sentences, lines run on"),
    "CodeBlock": _b("<pre><code>", "NonStruct (lines kept)", "read as written"),
    "RawBlock": _b("literal text", "P", "read as written", produced=False),
    "BlockQuote": _b(
        "<blockquote>",
        "BlockQuote",
        "read in place",
        braille="indented, blank lines around",
    ),
    "OrderedList": _b(
        "<ol start type>",
        "L / LI / Lbl / LBody",
        '"4. …", "b. …"; Roman as numbers',
        braille="1-3 with its label (4., b., IV.), nested 3-5",
    ),
    "BulletList": _b(
        "<ul>, nested",
        "L / LI / LBody, nested",
        'items in order; a task box as "Done:" or "To do:"',
        braille="1-3 with a bullet, nested 3-5",
    ),
    "DefinitionList": _b(
        "<dl><dt><dd>",
        "L / LI with Lbl (the term) and LBody (its definitions)",
        '"Term: …", then it',
        braille="the term in bold (1-3), its definitions 3-3",
    ),
    "Header": _b(
        "<section><hN id>",
        "Hn + outline entry",
        "announced; level 2 opens a chapter",
        refused="SRC021",  # a heading inside a list, quote, div or note
        braille="a heading; a contents entry",
    ),
    "HorizontalRule": _b(
        "<hr />",
        "a border: /Artifact",
        "a longer pause",
        braille="nothing to read (no words)",
    ),
    "Table": _b(
        "<table><caption><thead> th scope=col, th scope=row, colspan, <tfoot>",
        "Table / Caption / THead (repeated on each page) / TBody / TFoot, TH /Scope",
        "caption, headers, then each cell after its column header",
        refused="SRC024 SRC025",  # a block in a cell; a second header row
        braille="a transcriber's note, then linear rows (footer rows too)",
    ),
    "Figure": _b(
        "<figure id><img alt><figcaption>",
        "Figure /Alt + Caption",
        '"Figure: caption", "The image shows: alt"',
        refused="SRC001 SRC026 SRC028",
        braille="a transcriber's note (Picture: alt), then the caption",
    ),
    "Div": _b(
        "<div id lang> (only with an id or lang)",
        "Div",
        "read in place",
        braille="its blocks in place",
    ),
    # ------------------------------------------------------------ inlines
    "Str": _i("text", "text", "spoken"),
    "Space": _i("space", "space", "spoken"),
    "SoftBreak": _i("space", "space", "spoken"),
    "LineBreak": _i("<br />", "line break", "run on"),
    "Emph": _i(
        "<em> (bold in large print)",
        "NonStruct, italic",
        "spoken",
        braille="UEB italic",
    ),
    "Strong": _i("<strong>", "NonStruct, bold", "spoken", braille="UEB bold"),
    "Underline": _i("<u>", "NonStruct, underlined", "spoken"),
    "Strikeout": _i("<del>", "NonStruct, struck through", '"(crossed out: …)"'),
    "Superscript": _i("<sup>", "NonStruct, raised", '"10 to the power 9"'),
    "Subscript": _i("<sub>", "NonStruct, lowered", "spoken"),
    "SmallCaps": _i('<span class="smallcaps">', "Span, small capitals", "spoken"),
    "Quoted": _i("curly quotes", "curly quotes", "spoken"),
    "Cite": _i('<span class="citation"> + link to the entry', "Link", "narrative only"),
    "Code": _i("<code>", "NonStruct, monospace", "read as written"),
    "Math": _i(
        "refused",
        "refused",
        "refused",
        refused="SRC022",
        produced=False,
        braille="refused",
    ),  # READER turns TeX math off: "$635" is money
    "RawInline": _i("literal text", "text", "read as written", produced=False),
    "Link": _i(
        "<a href> (internal, https, mailto; others keep only their words)",
        "Link + annotation with a described /Contents",
        "its words",
        refused="SRC027",  # an internal link to an id nothing has
    ),
    "Image": _i(
        '<figure> or, with alt="", <img alt="">',
        "Figure /Alt, or a CSS background painted as /Artifact",
        "alt text, or silence when decorative",
        refused="SRC001 SRC010",
        braille="a Picture note; nothing when decorative",
    ),
    "Note": _i(
        '<a role="doc-noteref"> + endnotes section',
        "Link + Note with /ID",
        '"Note 1: …" at the end of the chapter',
        braille="a note number; the Notes section",
    ),
    "Span": _i("<span id lang>", "Span with /Lang", "spoken"),
}
