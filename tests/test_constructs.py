"""Every pandoc construct in every edition, proven on the fixture corpus (issue 15).

Types come from the pinned pandoc itself (its Lua API), so an upgrade that adds one
fails here, naming it. Each produced type is used by a fixture and handled (or
refused) per `editions.constructs.HANDLING`; the built files are read back.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import pikepdf
import pytest
from conftest import CONSTRUCTS, CORPUS, FIXTURE, MAIN, ROOT, Built

from editions.audio import speech_script
from editions.audio.script import build_script
from editions.braille.step import settings_of
from editions.braille.tables import choose
from editions.checks.compare import line_breaks, text_fidelity as fidelity
from editions.checks.compare.read_braille import read_braille
from editions.checks.compare.read_epub import read_epub, xhtml_documents
from editions.checks.compare.read_html import read_html
from editions.checks.compare.read_pdf import pdf_text, tagged_text
from editions.constructs import HANDLING, PANDOC_API
from editions.model import Figure, walk_blocks
from editions.pdf.content import paints
from editions.pdf.reading import struct_kids, walk_structure
from editions.pdf.text import element_text, marked_content
from editions.source.article import READER, pandoc_path

LUA = Path(__file__).resolve().parent / "data" / "pandoc-types.lua"
SOURCES = [CORPUS / name / "article.md" for name in CONSTRUCTS] + [FIXTURE, MAIN]

# ------------------------------------------------------------------ pandoc's types


def _pandoc_types() -> dict[str, str]:
    result = subprocess.run(
        [pandoc_path(), "lua", str(LUA)],
        capture_output=True,
        text=True,
        check=True,
    )
    pairs = (line.split() for line in result.stdout.splitlines() if line.strip())
    return {name: kind for kind, name in pairs}


def _ast(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        [pandoc_path(), f"--from={READER}", "--to=json", path.name],
        capture_output=True,
        cwd=path.parent,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _types(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("t"), str):
            yield node["t"]
        for value in node.values():
            yield from _types(value)
    elif isinstance(node, list):
        for value in node:
            yield from _types(value)


def test_every_pandoc_type_has_a_handling() -> None:
    types = _pandoc_types()
    assert len(types) >= 30, f"the Lua enumeration found too few types: {types}"
    new = sorted(set(types) - set(HANDLING))
    assert not new, f"pandoc types with no handling in editions/constructs.py: {new}"
    gone = sorted(set(HANDLING) - set(types))
    assert not gone, f"editions/constructs.py handles types pandoc lacks: {gone}"
    for name, kind in types.items():
        assert HANDLING[name].kind == kind, name


def test_pandoc_api_is_the_one_the_table_was_written_for() -> None:
    api = tuple(_ast(FIXTURE)["pandoc-api-version"][:3])
    assert api == PANDOC_API, (
        f"pandoc-types API {api} differs from {PANDOC_API}: review HANDLING for "
        "changed or new node types, then update PANDOC_API"
    )


def test_every_produced_type_is_used_by_a_fixture() -> None:
    used: set[str] = set()
    for path in SOURCES:
        used |= set(_types(_ast(path)["blocks"]))
    wanted = {name for name, h in HANDLING.items() if h.produced}
    assert sorted(wanted - used) == []
    never = {name for name, h in HANDLING.items() if not h.produced}
    assert sorted(never & used) == [], "READER produced a type marked never produced"


def test_every_refusal_is_a_documented_code() -> None:
    findings = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    codes = {c for h in HANDLING.values() for c in h.refused.split()}
    assert codes
    assert sorted(c for c in codes if f"| {c} |" not in findings) == []


def test_readme_documents_every_construct() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Building another article", 1)[-1].split("\n## ", 1)[0]
    assert sorted(n for n in HANDLING if f"`{n}`" not in section) == []


# ------------------------------------------------------------------ HTML and EPUB

#: fixture → (XPath, fewest matches) that its large-print page and EPUB must show.
#: An internal link is matched by its fragment: the EPUB names the chapter's file
#: when it leaves the chapter (tests/test_epub_split.py resolves each one).
PROBES: dict[str, list[tuple[str, int]]] = {
    "leaflet-gb": [
        ("//dl/dt", 3),
        ("//dl/dd/p", 4),
        ("//div[@class='decorative']//img[@alt='']", 1),
        ("//span[@lang='fr']", 1),
        ("//sup", 1),
        ("//sub", 2),
        ("//del", 1),
        ("//u", 1),
        ("//span[@class='smallcaps']", 1),
        ("//th[@scope='row']", 4),
        ("//th[@scope='col']", 3),
        ("//blockquote/p", 1),
        ("//hr", 1),
        ("//figure[@id='fig-iron']/figcaption", 1),
        ("//a[starts-with(@href, 'mailto:')]", 2),
        ("//a[substring-after(@href, '#')='glossary']", 1),
        ("//a[substring-after(@href, '#')='tbl-doses']", 1),
        ("//a[substring-after(@href, '#')='fig-iron']", 1),
    ],
    "constructs-us": [
        ("//ol[@start='4']", 1),
        ("//ol[@type='a']", 1),
        ("//ol[@type='I']", 1),
        ("//ul//ul/li", 2),
        ("//pre/code", 1),
        ("//code[not(parent::pre)]", 1),
        ("//div[@id='when-to-call'][@lang='en-US']", 1),
        ("//span[@id='target']", 1),
        ("//a[substring-after(@href, '#')='when-to-call']", 1),
        ("//table/tfoot/tr/td[@colspan='2']", 1),
        ("//tbody/tr/td[@colspan='2']", 1),
        ("//td[normalize-space(.)='Note it in the log.']", 1),
        ("//p/span/br", 2),
        ("//em", 1),
        ("//strong", 1),
        ("//a[@role='doc-noteref']", 1),
    ],
    "long-us": [
        ("//table[@id='tbl-carbs']/tbody/tr", 45),
        ("//ol/li", 45),
        ("//blockquote/ul/li", 2),
    ],
}


def _pages(built: Built) -> list[tuple[str, Any]]:
    page = lxml.html.fromstring(built.paths["html"].read_bytes())
    docs = [("html", page)]
    # The EPUB's content documents (one per chapter), read as one body in order.
    book = lxml.html.fromstring("<html><body></body></html>")
    for name, data in xhtml_documents(built.paths["epub"]):
        if not name.endswith("nav.xhtml"):
            book.body.extend(lxml.html.fromstring(data).body)
    docs.append(("epub", book))
    return docs


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_html_and_epub_show_each_construct(
    name: str, corpus_built: dict[str, Built]
) -> None:
    docs = _pages(corpus_built[name])
    assert [d for d, _ in docs] == ["html", "epub"]
    problems = [
        f"{edition}: {xpath} found {len(root.xpath(xpath))}, expected ≥ {least}"
        for edition, root in docs
        for xpath, least in PROBES[name]
        if len(root.xpath(xpath)) < least
    ]
    assert problems == []


def test_task_list_boxes_and_quotes_survive(corpus_built: dict[str, Built]) -> None:
    text = read_html(corpus_built["constructs-us"].paths["html"]).text or ""
    assert "☒ A meter" in text and "☐ A lancet" in text
    assert "“mg/dL”" in text and "‘LO’" in text


# ------------------------------------------------------------------ PDF


def test_pdf_tags_glossary_table_language_and_decoration(
    corpus_built: dict[str, Built],
) -> None:
    built = corpus_built["leaflet-gb"]
    with pikepdf.open(built.paths["pdf"]) as pdf:
        tree = []
        for elem, _parent in walk_structure(pdf.Root.StructTreeRoot):
            scope = elem.get("/A", {}).get("/Scope") if "/A" in elem else None
            tree.append((str(elem.S), str(elem.get("/Lang", "")), str(scope or "")))
        roles = [role for role, _lang, _scope in tree]
        # The glossary is a list: one LI per term, its Lbl the term, its LBody the
        # definition (both paragraphs of a two-paragraph one).
        own = marked_content(pdf)
        lists = [
            [
                [(str(k.S), element_text(k, own)) for k in struct_kids(li)]
                for li in struct_kids(elem)
            ]
            for elem, _parent in walk_structure(pdf.Root.StructTreeRoot)
            if str(elem.S) == "/L"
        ]
        glossary = next(items for items in lists if items[0][0] == ("/Lbl", "Anaemia"))
        assert [item[0] for item in glossary] == [
            ("/Lbl", "Anaemia"),
            ("/Lbl", "Ferritin"),
            ("/Lbl", "Haemoglobin"),
        ]
        assert [role for item in glossary for role, _ in item[1:]] == ["/LBody"] * 3
        assert glossary[1][1][1].endswith("It is measured in micrograms per litre.")
        assert ("/Span", "fr", "") in tree
        assert ("/TH", "", "/Row") in tree and ("/TH", "", "/Column") in tree
        # Figures: the QR code, the chart and the tablet; the divider is none.
        assert roles.count("/Figure") == 1 + len(built.article.figures)
        figures = [e for e, _ in walk_structure(pdf.Root.StructTreeRoot)]
        assert all("/Alt" in e for e in figures if str(e.S) == "/Figure")
        # The divider SVG is drawn from its own XObject, entirely as an /Artifact.
        first = pdf.pages[0]
        decorative = [
            p
            for p in paints(first)
            if p.owner != first.obj.objgen
            and p.marks
            and all(m.is_artifact for m in p.marks)
        ]
        assert decorative, "the decorative divider is not painted as an /Artifact"


def test_pdf_breaks_the_long_table_and_list_across_pages(
    corpus_built: dict[str, Built],
) -> None:
    text = pdf_text(corpus_built["long-us"].paths["pdf"])
    pages = text.split("\f")
    with_rows = [p for p in pages if re.search(r"^(Apples|Kale|Mango|Milk)$", p, re.M)]
    assert len(with_rows) >= 2, "the 45-row table fits one page; make it longer"
    header_pages = [p for p in pages if re.search(r"^Food$", p, re.M)]
    assert len(header_pages) >= 2, "the table's header row is not repeated"
    steps = [p for p in pages if re.search(r"^\d+\. \S", p, re.M)]
    assert len(steps) >= 2, "the list fits one page; make it longer"
    # One Table element: the repeated header rows are artifacts, not a new table.
    with pikepdf.open(corpus_built["long-us"].paths["pdf"]) as pdf:
        tables = [
            elem
            for elem, _parent in walk_structure(pdf.Root.StructTreeRoot)
            if str(elem.S) == "/Table"
        ]
        assert len(tables) == 1
        groups = {str(g.S): len(struct_kids(g)) for g in struct_kids(tables[0])}
        assert groups == {"/Caption": 1, "/THead": 1, "/TBody": 45}
        header_words = [
            p
            for page in pdf.pages
            for p in paints(page)
            if p.text.strip() == "Food" and all(m.is_artifact for m in p.marks)
        ]
        assert header_words, "the next page shows the header row, as an artifact"
    # The repeated header's sentence ids start no page: each page starts anew, so the
    # EPUB's page-list has one entry per PDF page.
    built = corpus_built["long-us"]
    starts = json.loads((built.out / "article.pages.json").read_text())["page_starts"]
    assert len(starts) == len(pages) - (pages[-1].strip() == "")
    assert len(set(starts)) == len(starts), starts


# ------------------------------------------------------------------ audio


def test_audio_announces_terms_and_keeps_structure(
    corpus_built: dict[str, Built],
) -> None:
    leaflet = build_script(corpus_built["leaflet-gb"].article)
    spoken = [u.spoken for chapter in leaflet for u in chapter.utterances]
    assert any(s.startswith("Term: Anaemia") for s in spoken)
    assert any("to the power nine" in s for s in spoken), spoken
    assert any("crossed out" in s for s in spoken)
    article = corpus_built["leaflet-gb"].article
    decorative = [
        b.figure_id
        for s in article.sections
        for b in walk_blocks(s.blocks)
        if isinstance(b, Figure) and b.decorative
    ]
    assert len(decorative) == 1
    said = {u.sentence_id for chapter in leaflet for u in chapter.utterances}
    assert {f.figure_id for f in article.figures} <= said  # the others are heard
    assert not said & set(decorative)
    steps = build_script(corpus_built["constructs-us"].article)
    spoken = [u.spoken for chapter in steps for u in chapter.utterances]
    assert any(s.casefold().startswith("four. wash") for s in spoken)
    assert any(s.startswith("b. Try") for s in spoken), spoken
    assert any(s.casefold().startswith("mode set units") for s in spoken)
    assert "Two. Low battery" in spoken  # Roman numerals are said as numbers
    assert "Done: A meter and test strips" in spoken  # not "Symbol 2612"
    assert "To do: A lancet device" in spoken


# ------------------------------------------------------------------ fidelity


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_every_source_word_in_order_in_each_edition(
    name: str, corpus_built: dict[str, Built]
) -> None:
    built = corpus_built[name]
    units = fidelity.units(built.article)
    # The PDF as a screen reader reads it (tag order) and as pdftotext lays it out.
    layout = fidelity.measure(units, pdf_text(built.paths["pdf"]))
    assert layout.ratio >= fidelity.MIN_RATIO, layout.missing_words
    texts = {
        "pdf": tagged_text(built.paths["pdf"]),
        "epub": read_epub(built.paths["epub"]).text or "",
        "html": read_html(built.paths["html"]).text or "",
    }
    table = choose(built.article, settings_of({}))
    cells, lines = settings_of({}).cells, settings_of({}).lines
    braille = read_braille(built.paths["brf"], table.file, cells, lines)
    texts["brf"] = braille.text or ""
    # One "Picture:" note per figure; a decorative image gets none.
    assert len(braille.alts or []) == len(built.article.figures)
    # The audio: the speech script's written column, in the order it is heard.
    _lang, spoken = speech_script.read(built.out / "article.speech.json")
    written = [(s.sentence_id, s.written) for s in spoken]
    speech = built.out / "article.speech.json"
    assert fidelity.check_written(built.article, written, speech) == []
    for edition, text in texts.items():
        result = fidelity.measure(units, text)
        found = fidelity.findings(result, built.paths[edition])
        assert result.ratio >= fidelity.MIN_RATIO, (edition, found)
        assert found == [], (edition, [str(f) for f in found])


def test_fidelity_names_a_vanished_footnote_and_its_words(
    corpus_built: dict[str, Built],
) -> None:
    built = corpus_built["leaflet-gb"]
    units = fidelity.units(built.article)
    text = read_html(built.paths["html"]).text or ""
    note = "Ask the clinic which range yours uses if a number is close to the limit."
    assert note in text
    result = fidelity.measure(units, text.replace(note, ""))
    assert result.ratio > fidelity.MIN_RATIO - 0.05  # a small share of the words…
    messages = [str(f) for f in fidelity.findings(result, Path("x.html"))]
    assert any("CHK031" in m and "'clinic'" in m for m in messages), messages


def test_fidelity_finds_text_out_of_order() -> None:
    units = [
        fidelity.Unit("s1", "Take one tablet.", ("take", "one", "tablet")),
        fidelity.Unit("s2", "Drink some water.", ("drink", "some", "water")),
    ]
    assert fidelity.measure(units, "Take one tablet. Drink some water.").ratio == 1
    swapped = fidelity.measure(units, "Drink some water. Take one tablet.")
    assert swapped.ratio == 0.5 and len(swapped.missing_units) == 1


# ------------------------------------------------------------------ metadata


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_title_and_language_read_back_from_each_edition(
    name: str, corpus_built: dict[str, Built]
) -> None:
    built = corpus_built[name]
    title, lang = built.article.title, built.article.lang
    with pikepdf.open(built.paths["pdf"]) as pdf:
        assert str(pdf.Root.Lang) == lang
        with pdf.open_metadata() as meta:
            assert meta.get("dc:title") == title
    page = lxml.html.fromstring(built.paths["html"].read_bytes())
    assert page.get("lang") == lang
    assert title in page.findtext(".//title")
    with zipfile.ZipFile(built.paths["epub"]) as book:
        opf = next(n for n in book.namelist() if n.endswith(".opf"))
        package = lxml.etree.fromstring(book.read(opf))
    dc = {"dc": "http://purl.org/dc/elements/1.1/"}
    assert package.findtext(".//dc:title", namespaces=dc) == title
    assert package.findtext(".//dc:language", namespaces=dc) == lang


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_no_word_breaks_inside_itself_at_a_pdf_line_end(
    name: str, corpus_built: dict[str, Built]
) -> None:
    """A subscript's lower baseline ("CO" / "2") is no line break (PDF040)."""
    built = corpus_built[name]
    if name == "leaflet-gb":
        assert {"CO2.", "109/L."} <= line_breaks.shifted_words(built.article)
    found = line_breaks.check(built.paths["pdf"], built.article)
    assert [str(f) for f in found] == []


def test_audio_fidelity_names_a_sentence_the_script_lost(
    corpus_built: dict[str, Built],
) -> None:
    built = corpus_built["leaflet-gb"]
    speech = built.out / "article.speech.json"
    _lang, spoken = speech_script.read(speech)
    note = next(s for s in spoken if s.written.startswith("Ask the clinic"))
    written = [(s.sentence_id, s.written) for s in spoken if s is not note]
    found = [str(f) for f in fidelity.check_written(built.article, written, speech)]
    assert any("CHK031" in f and note.sentence_id in f for f in found), found
