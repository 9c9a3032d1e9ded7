"""Braille edition: liblouis UEB in BRF pages, read back and compared with the source.

The hand-out PDF of each article is laid out once (its real page breaks place the
print page indicators); the braille is rendered from it once per session and read
back the way a reader meets it: pages, numbers, contents, back-translated words.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from conftest import ARTICLES, FIXTURE, ROOT, run_invoke
from lxml import etree

from editions import build as pipeline
from editions.braille import cells, layout, liblouis, prepare
from editions.braille.render import render
from editions.braille.tables import BrailleSettings
from editions.checks import braille as checks, names, run as checker
from editions.checks.compare import consistency
from editions.checks.compare.expected import expected
from editions.checks.compare.read_braille import BrailleShown, read_braille
from editions.errors import BuildFailed, MissingProgram
from editions.model import Article, Emph, Paragraph, Sentence, Text
from editions.source import article as source

TABLE = "en-ueb-g2.ctb"
BRAILLE_CHECKS = (
    names.HEADINGS,
    names.ALT_TEXT,
    names.BRAILLE_PAGE_SIZE,
    names.BRAILLE_PAGE_NUMBERS,
    names.BRAILLE_CONTENTS,
    names.PRINT_PAGES,
    names.BACK_TRANSLATION,
)


@dataclasses.dataclass(frozen=True)
class Braille:
    name: str
    article: Article
    brf: Path
    pdf: Path
    page_starts: tuple[str, ...]
    shown: BrailleShown
    out: Path


@pytest.fixture(scope="session")
def brailled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Braille]:
    """Build each article's braille (and so its PDF) once, then read it back."""
    made = {}
    for name, path in ARTICLES.items():
        out = tmp_path_factory.mktemp(f"braille-{name}")
        options = pipeline.BuildOptions(
            only=("braille",), tts="null", large_print_pdf=False, report=_quiet
        )
        paths = pipeline.run(path, out, options)
        starts = json.loads((out / f"{path.stem}.pages.json").read_text())
        article, _ = source.load(path)
        page_starts = tuple(starts["page_starts"])
        shown = read_braille(paths["brf"], TABLE)
        made[name] = Braille(
            name, article, paths["brf"], paths["pdf"], page_starts, shown, out
        )
    return made


def _quiet(_line: str) -> None:
    return None


@pytest.fixture(params=sorted(ARTICLES), scope="session")
def braille(request: pytest.FixtureRequest, brailled: dict[str, Braille]) -> Braille:
    return brailled[request.param]


def test_back_translation_gives_back_the_source_words(braille: Braille) -> None:
    share, missing = checks.fidelity(braille.article, braille.shown)
    print(f"{braille.name}: fidelity {share:.4f}, missing {dict(missing)}")
    assert share >= 0.99, missing.most_common(20)
    assert not checks.back_translation(braille.article, braille.shown, braille.brf)


def test_every_page_fits_40_cells_by_25_lines(braille: Braille) -> None:
    data = braille.brf.read_bytes()
    pages = data.split(b"\f")
    assert pages[-1] == b"" and len(pages) > 2
    for page in pages[:-1]:
        rows = page.split(b"\r\n")
        assert rows[-1] == b""  # every line, the last too, ends in CR LF
        assert len(rows) - 1 == 25  # the page number sits on line 25
        assert max(len(row) for row in rows) <= 40
    assert all(
        32 <= byte <= 95 for byte in data.replace(b"\r\n", b"").replace(b"\f", b"")
    )
    assert not checks.page_size(braille.shown, braille.brf)


def test_page_numbers_are_sequential(braille: Braille) -> None:
    labels = [p.label for p in braille.shown.braille_pages]
    prelim = [label for label in labels if label.startswith("P")]
    assert prelim == [f"P{cells.number(n)}" for n in range(1, len(prelim) + 1)]
    body = labels[len(prelim) :]
    assert [cells.from_number(label) for label in body] == list(range(1, len(body) + 1))
    assert len(prelim) >= 2  # a title page and a contents page
    assert not checks.page_numbers(braille.shown, braille.brf)


def test_headings_are_found_in_order(braille: Braille) -> None:
    """Title page, then contents entries: the source's headings, levels and order."""
    wanted = [(level, text) for level, _id, text in braille.article.headings]
    assert braille.shown.headings == wanted
    exp = expected(braille.article)
    assert not consistency.headings(exp, braille.shown, braille.brf)
    # Each entry is a heading in the body, in order, on the page the contents gives.
    assert not checks.contents(braille.shown, braille.brf)
    assert all(entry.page for entry in braille.shown.contents)


def test_print_page_indicators_match_the_pdf(braille: Braille) -> None:
    with pikepdf.open(braille.pdf) as pdf:
        pdf_pages = len(pdf.pages)
    assert braille.shown.print_pages_shown == list(range(1, pdf_pages + 1))
    assert not checks.print_pages(braille.shown, pdf_pages, braille.brf)


def test_print_page_changes_fall_where_the_pdf_pages_start(braille: Braille) -> None:
    """Each dots-3-6 line stands just before the first sentence of that PDF page."""
    changes = [
        (page, index)
        for page in braille.shown.braille_pages
        for index, row in enumerate(page.rows)
        if row.startswith("---")
    ]
    starts = {s.sentence_id: s.text for s in braille.article.sentences()}
    shown_after = []
    for page, index in changes:
        following = [r for r in page.rows[index + 1 : -1] if r.strip()]
        assert following, "a print page change line is never the last text line"
        shown_after.append(liblouis.backward(TABLE, [following[0].strip()])[0])
    numbers = [cells.from_number(page.rows[i].lstrip("-")) for page, i in changes]
    for number, text in zip(numbers, shown_after, strict=True):
        assert number is not None
        first = starts[braille.page_starts[number - 1]]
        assert text.split()[:2] == first.split()[:2], (number, text, first)


def test_pef_holds_the_same_pages_in_unicode_braille(braille: Braille) -> None:
    root = etree.parse(str(braille.brf.with_suffix(".pef"))).getroot()
    ns = {
        "p": "http://www.daisy.org/ns/2008/pef",
        "dc": "http://purl.org/dc/elements/1.1/",
    }
    assert root.get("version") == "2008-1"
    assert root.findtext(".//dc:title", namespaces=ns) == braille.article.title
    volume = root.find(".//p:volume", ns)
    assert volume is not None
    assert (volume.get("cols"), volume.get("rows")) == ("40", "25")
    pages = volume.findall(".//p:page", ns)
    assert len(pages) == len(braille.shown.braille_pages)
    for page, brf in zip(pages, braille.shown.braille_pages, strict=True):
        rows = [row.text or "" for row in page.findall("p:row", ns)]
        assert len(rows) == len(brf.rows)
        for row, ascii_row in zip(rows, brf.rows, strict=True):
            assert all("\u2800" <= c <= "\u28ff" for c in row)
            # The same cells: a space is the blank pattern, every other one is not.
            assert [c == "\u2800" for c in row] == [
                c == " " for c in ascii_row.rstrip()
            ]


def test_figures_are_described_in_transcribers_notes(braille: Braille) -> None:
    assert braille.shown.alts == [f.alt for f in braille.article.figures]
    assert not consistency.alts(expected(braille.article), braille.shown, braille.brf)


def test_reference_list_is_there_in_order(braille: Braille) -> None:
    """Each entry starts at cell 1; its words come back (addresses' colons aside)."""
    found = braille.shown.references or []
    assert len(found) == len(braille.article.references)
    for (_anchor, text), reference in zip(
        found, braille.article.references, strict=True
    ):
        assert text.split()[:2] == reference.text.split()[:2]


def test_source_emphasis_is_marked_as_ueb_emphasis() -> None:
    """Emph → the UEB italic word indicator (dots 46, 2), from liblouis typeforms."""
    sentence = Sentence(
        "s1", (Text("Take the "), Emph((Text("small"),)), Text(" pill."))
    )
    para = next(prepare._blocks((Paragraph((sentence,)),), 0, "en"))
    assert para.emphasis == [(9, 14, "italic")]
    plain, marked = liblouis.forward(
        TABLE, [(para.text, []), (para.text, para.emphasis)]
    )
    assert ".1" not in plain.braille
    assert ".1SMALL" in marked.braille


def test_emphasis_in_the_source_reaches_the_brf(brailled: dict[str, Braille]) -> None:
    main = brailled["main"]
    italic = [p for p in prepare.paragraphs(main.article) if p.emphasis]
    assert italic, "the main article's references set journal names in italics"
    assert ".1" in main.brf.read_text() or ".7" in main.brf.read_text()


def test_other_page_sizes_and_grade_1(
    brailled: dict[str, Braille], tmp_path: Path
) -> None:
    fixture = brailled["fixture"]
    small = BrailleSettings(cells=32, lines=20, grade=1)
    brf = render(fixture.article, tmp_path, small, fixture.page_starts)
    shown = read_braille(brf, "en-ueb-g1.ctb", 32, 20)
    assert not shown.layout
    assert all(len(p.rows) == 20 for p in shown.braille_pages)
    assert len(shown.braille_pages) > len(fixture.shown.braille_pages)
    assert checks.fidelity(fixture.article, shown)[0] >= 0.99
    assert "!" not in brf.read_text()  # grade 1: "the" is never contracted


def test_wrap_divides_only_what_cannot_fit() -> None:
    text = ",A SHORT WORD HTTPS3_/_/" + "A" * 70 + " END"
    lines = cells.wrap(text, 30, 2, 0)
    assert all(len(line) <= 30 for line in lines)
    assert lines[0].startswith("  ,A SHORT WORD")
    joined = ""
    for line in lines:
        part = line.strip()
        joined += part[:-1] if part.endswith(cells.CONTINUATION) else part + " "
    assert joined.split() == text.split()


def test_pages_follow_bana_print_page_rules() -> None:
    """Top-right print page, "a" on its second braille page, dots 3-6 mid-page,
    a change at the foot moved to the next page's top, headings kept with text."""
    para = layout.Lines(tuple(f"LINE{n}" for n in range(6)))
    items: list[layout.Item] = [layout.PrintPage(1), para, layout.PrintPage(2)]
    items += [layout.Lines(("X",)), layout.PrintPage(3), layout.Lines(("Y",) * 2)]
    items += [layout.Lines(("  HEADING",), keep=1), layout.Lines(("Z",))]
    pages = layout.Paginator(20, 5).run(items)
    assert [p.top for p in pages] == ["#A", "A#A", "#C"]
    assert pages[1].lines == ["LINE5", "-" * 18 + "#B", "X"]
    assert pages[2].lines == ["Y", "Y", "  HEADING", "Z"]
    kept = layout.Paginator(20, 5).run(
        [layout.Lines(("A",) * 4), layout.Lines(("  HEADING",), keep=1)]
    )
    assert kept[1].lines == ["  HEADING"] and len(kept[0].lines) == 4


def test_no_table_for_the_language_is_a_located_error(tmp_path: Path) -> None:
    """BRL001 with file:line, exit 3, and not even the PDF is written."""
    text = FIXTURE.read_text(encoding="utf-8").replace("lang: en-US", "lang: hy-AM")
    case = tmp_path / "src" / "article.md"
    case.parent.mkdir()
    for extra in FIXTURE.parent.iterdir():
        (case.parent / extra.name).write_bytes(extra.read_bytes())
    case.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    options = pipeline.BuildOptions(only=("braille",), tts="null", report=_quiet)
    with pytest.raises(BuildFailed) as failure:
        pipeline.run(case, out, options)
    line = text.splitlines().index("lang: hy-AM") + 1
    assert f"article.md:{line} [lang]: error BRL001:" in failure.value.report()
    assert failure.value.exit_code == 3
    assert not out.exists()


def test_unusable_page_size_is_refused(
    brailled: dict[str, Braille], tmp_path: Path
) -> None:
    with pytest.raises(BuildFailed) as failure:
        render(brailled["fixture"].article, tmp_path, BrailleSettings(cells=12), ())
    assert "error BRL002:" in failure.value.report()
    assert not any(tmp_path.iterdir())


def test_invoke_check_covers_the_braille_edition(brailled: dict[str, Braille]) -> None:
    """The braille checks pass on the built BRF; the report previews every page."""
    fixture = brailled["fixture"]
    wanted = (*BRAILLE_CHECKS, names.BRAILLE_PREVIEW)
    report = checker.run(
        FIXTURE, fixture.out, checker.CheckOptions(only=wanted, write_report=True)
    )
    runs = report.runs_for("braille")
    assert {run.check for run in runs} == set(wanted)
    assert all(run.ran and not run.findings for run in runs), [
        (run.check, [str(f) for f in run.findings]) for run in runs
    ]
    summary = report.braille
    assert summary is not None and summary.fidelity >= 0.99
    assert len(summary.preview) == len(fixture.shown.braille_pages)
    cells_shown = "".join(c for page in summary.preview for c in page.cells)
    assert all("\u2800" <= c <= "\u28ff" for c in cells_shown)
    assert sum(c != "\u2800" for c in cells_shown) > 500
    html = (fixture.out / "report.html").read_text(encoding="utf-8")
    assert "Braille page 1" in html and fixture.article.title in html
    data = json.loads((fixture.out / "report.json").read_text(encoding="utf-8"))
    assert data["braille"]["braille_pages"] == fixture.shown.pages


def test_a_braille_option_rebuilds_only_the_braille(
    brailled: dict[str, Braille], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(brailled["fixture"].out, out)
    options = pipeline.BuildOptions(
        only=("braille",), tts="null", large_print_pdf=False, report=_quiet
    )
    again = pipeline.build(FIXTURE, out, options)
    assert again.rebuilt == () and set(again.reused) == {"pdf", "braille"}
    narrower = dataclasses.replace(options, braille_cells=32)
    report = pipeline.build(FIXTURE, out, narrower)
    assert report.rebuilt == ("braille",) and report.reused == ("pdf",)
    rows = report.paths["brf"].read_bytes().split(b"\r\n")
    assert max(len(row.strip(b"\f")) for row in rows) == 32


def test_invoke_lists_the_braille_task() -> None:
    done = run_invoke("--help", "braille")
    assert done.returncode == 0, done.stderr
    assert "--braille-cells" in done.stdout and "--braille-grade" in done.stdout


def test_missing_liblouis_python_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(liblouis, "PYTHON", "/nonexistent/python3")
    with pytest.raises(MissingProgram, match="python3-louis"):
        liblouis.forward(TABLE, [("word", [])])


def test_the_braille_words_follow_lang(tmp_path: Path) -> None:
    """Title page, code name and transcriber's notes come from the locale table."""
    from editions.braille.render import _front_words
    from editions.braille.tables import choose

    english, _ = source.load(FIXTURE)
    french = dataclasses.replace(english, lang="fr-FR")
    settings = BrailleSettings()
    table = choose(french, settings)
    assert table.label == "braille français (France), abrégé"
    assert choose(english, settings).label == "Unified English Braille, grade 2"
    words = _front_words(french, table, "article.pdf", 3)
    assert words[-3:] == [
        "Les numéros de page suivent l’édition imprimée de 3 pages (article.pdf).",
        "Sommaire",
        "pages braille",
    ]
    assert words[2].startswith("Par ")
    assert _front_words(english, table, "", 0)[-3:] == [
        "This edition shows no print page numbers.",
        "Contents",
        "braille pages",
    ]
    brf = render(french, tmp_path, settings)
    shown = read_braille(brf, table.file, lang="fr-FR")
    # One "Image :" note per figure, read back with the French words.
    assert len(shown.alts or []) == len(english.figures) > 0
    assert read_braille(brf, table.file, lang="en").alts == []


def test_the_title_page_and_summary_carry_every_front_matter_key(
    tmp_path: Path,
) -> None:
    """Issue 16: subtitle, both dates, publisher and licence line on the title
    page; the abstract as the summary under the title, as in print."""
    from editions import locale
    from editions.checks.compare.read_braille import read_brf

    article, _ = source.load(ROOT / "tests/data/corpus/meta-en-gb/article.md")
    assert article.subtitle and article.publisher and article.rights
    assert article.review_date and article.abstract
    brf = render(article, tmp_path, BrailleSettings())
    pages = read_brf(brf, 40, 25).braille_pages
    title_page = " ".join(r.strip() for r in pages[0].text if r.strip())
    (back,) = liblouis.backward(TABLE, [title_page])
    words = " ".join(back.split()).lower()
    for wanted in (
        article.subtitle,
        "Northgate Hospital NHS Trust",
        "Licensed under CC BY 4.0",
        locale.dates_line("en-GB", article.date, article.review_date),
    ):
        assert " ".join(wanted.split()).lower() in words, (wanted, words)
    assert "review by 4 march 2099" in words
    body = read_braille(brf, TABLE)
    assert (
        "summary. your kidney blood tests measure creatinine"
        in " ".join(body.text.split()).lower()
    )
