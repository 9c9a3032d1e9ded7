"""Every front-matter key, label and large-print rule, read back from built files.

The two `meta-*` fixtures (en-GB with two authors and a table long enough to break
in large print; en-US with one author and a vector chart) are built once, with the
null speech engine: speech is not under test here, only what the files carry.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest

from editions import build as pipeline
from editions import locale
from editions.checks import figure_text, front_matter, names, pdf_tables
from editions.checks import run as checker
from editions.checks.compare.read_epub import read_epub
from editions.checks.compare.read_html import read_html
from editions.checks.compare.read_pdf import read_pdf
from editions.checks.leaflet import LARGE_PRINT_PT
from editions.model import Article, Author
from editions.pdf.content import paints
from editions.pdf.reading import role_of, walk_structure
from editions.pdf.render import PdfSettings, page_html
from editions.source import article as source

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
FIXTURES = {"en-GB": CORPUS / "meta-en-gb" / "article.md"}
FIXTURES["en-US"] = CORPUS / "meta-en-us" / "article.md"
MY_CHECKS = names.LEAFLET


@pytest.fixture(scope="module")
def leaflets(
    tmp_path_factory: pytest.TempPathFactory, speech_cache: Path
) -> dict[str, tuple[Article, dict[str, Path]]]:
    """Build every edition of both fixtures once (null speech)."""
    built = {}
    for name, path in FIXTURES.items():
        out = tmp_path_factory.mktemp(f"leaflet-{name}")
        options = pipeline.BuildOptions(
            tts="null", cache_dir=speech_cache, report=lambda line: None
        )
        paths = pipeline.run(path, out, options)
        article, _ = source.load(path)
        built[name] = (article, paths)
    return built


@pytest.fixture(params=sorted(FIXTURES))
def leaflet(
    request: pytest.FixtureRequest,
    leaflets: dict[str, tuple[Article, dict[str, Path]]],
) -> tuple[Article, dict[str, Path]]:
    return leaflets[request.param]


EDITIONS = {
    "pdf": "pdf",
    "pdf-large-print": "pdf",
    "epub": "epub",
    "html": "html",
    "mp3": "mp3",
    "m4b": "m4b",
}


@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_every_key_reaches_the_edition_metadata(
    leaflet: tuple[Article, dict[str, Path]], edition: str
) -> None:
    article, paths = leaflet
    kind = EDITIONS[edition]
    reader, keys = front_matter.READERS[kind]
    found = reader(paths[edition])
    want = front_matter.expected(article)
    for key in (*keys, *front_matter.OPTIONAL[kind]):
        if key == "author" and kind == "m4b":
            continue  # one artist string, checked below
        assert found.get(key) == want[key], key
    assert not front_matter.check_metadata(kind, paths[edition], article)


def test_metadata_read_back_per_key(
    leaflets: dict[str, tuple[Article, dict[str, Path]]],
) -> None:
    article, paths = leaflets["en-GB"]
    pdf = front_matter.read_pdf(paths["pdf"])
    assert pdf["author"] == ["Priya Natarajan", "Tom Ellery"]  # one dc:creator each
    assert pdf["subject"] == [article.abstract]  # the abstract is the /Subject
    assert pdf["date"] == ["2026-03-04"] and pdf["language"] == ["en-GB"]
    epub = front_matter.read_epub(paths["epub"])
    assert epub["date"] == ["2026-03-04"]  # the whole ISO date, not the year
    assert epub["subtitle"] == [article.subtitle]
    assert front_matter.read_html(paths["html"])["keywords"] == list(article.keywords)
    mp3 = front_matter.read_mp3(paths["mp3"])
    assert mp3["author"] == ["Priya Natarajan", "Tom Ellery"]
    assert mp3["publisher"] == ["Northgate Hospital NHS Trust"]
    m4b = front_matter.read_m4b(paths["m4b"])
    assert m4b["author"] == ["Priya Natarajan and Tom Ellery"]


def test_the_metadata_check_fails_when_an_edition_differs(
    leaflets: dict[str, tuple[Article, dict[str, Path]]],
) -> None:
    article, paths = leaflets["en-GB"]
    other = replace(article, authors=(Author("Someone Else"),), publisher="Elsewhere")
    findings = front_matter.check_metadata("epub", paths["epub"], other)
    assert {f.code for f in findings} == {"CHK041"}
    assert {f.where.key for f in findings} == {"author", "publisher"}


@pytest.mark.parametrize("edition", ["pdf", "pdf-large-print", "epub", "html"])
def test_the_title_block_shows_dates_review_publisher_and_licence(
    leaflet: tuple[Article, dict[str, Path]], edition: str
) -> None:
    article, paths = leaflet
    path = paths[edition]
    shown = (
        read_pdf(path, "References")
        if edition.startswith("pdf")
        else read_epub(path)
        if edition == "epub"
        else read_html(path)
    )
    assert not front_matter.check_title_block(shown, article, path)
    review = {"en-GB": "Review by 4 March 2099.", "en-US": "Review by July 4, 2098."}
    text = " ".join((shown.text or "").split())
    assert review[article.lang] in text


def test_the_page_footer_is_in_the_article_language(
    leaflets: dict[str, tuple[Article, dict[str, Path]]],
) -> None:
    article, paths = leaflets["en-GB"]
    with pikepdf.open(paths["pdf-large-print"]) as pdf:
        pages = len(pdf.pages)
        footer = "".join(
            p.text for p in paints(pdf.pages[1]) if any(m.is_artifact for m in p.marks)
        )
    assert locale.label(article.lang, "page_of", page="2", pages=str(pages)) in footer


def _pages_of(pdf: pikepdf.Pdf, role: str, child: str) -> list[set[int]]:
    """For each *role* element, the pages its *child* elements are on."""
    index = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
    found = []
    for elem, _ in walk_structure(pdf.Root.StructTreeRoot):
        if role_of(pdf, elem) == role:
            found.append(
                {
                    index[e.Pg.objgen]
                    for e, _ in walk_structure(elem)
                    if role_of(pdf, e) == child and "/Pg" in e
                }
            )
    return found


@pytest.mark.parametrize("edition", ["pdf", "pdf-large-print"])
def test_one_table_element_with_caption_scoped_headers_and_repeated_header(
    leaflet: tuple[Article, dict[str, Path]], edition: str
) -> None:
    article, paths = leaflet
    assert not pdf_tables.check_tables(paths[edition], article)


def test_the_long_table_and_list_really_break_across_pages_in_large_print(
    leaflets: dict[str, tuple[Article, dict[str, Path]]],
) -> None:
    _, paths = leaflets["en-GB"]
    with pikepdf.open(paths["pdf-large-print"]) as pdf:
        (table_pages,) = _pages_of(pdf, "Table", "TR")
        list_pages = _pages_of(pdf, "L", "LI")
    assert len(table_pages) >= 2  # so the one-Table rule is really exercised
    assert any(len(pages) >= 2 for pages in list_pages)  # and each list is ONE L


def test_the_table_check_fails_on_weasyprints_own_tagging(
    leaflets: dict[str, tuple[Article, dict[str, Path]]], tmp_path: Path
) -> None:
    from weasyprint import HTML

    article, _ = leaflets["en-GB"]
    raw = tmp_path / "raw.pdf"
    page = page_html(article, PdfSettings(body_pt=18))
    HTML(string=page, base_url=str(article.base_dir) + "/").write_pdf(
        raw, pdf_variant="pdf/ua-1"
    )
    findings = pdf_tables.check_tables(raw, article)
    assert [f.code for f in findings] == ["CHK043"]
    assert "Table element(s) for 1 table(s)" in findings[0].message


def test_figure_text_is_large_in_large_print_only(
    leaflets: dict[str, tuple[Article, dict[str, Path]]],
) -> None:
    _, paths = leaflets["en-US"]
    large = figure_text.figure_text(paths["pdf-large-print"])
    assert len(large) == 1  # the chart's labels were found and measured
    assert large[0].smallest_pt >= LARGE_PRINT_PT
    assert not figure_text.check(paths["pdf-large-print"], LARGE_PRINT_PT)
    # The hand-out keeps the chart's own size: the same check fails there.
    small = figure_text.check(paths["pdf"], LARGE_PRINT_PT)
    assert [f.code for f in small] == ["CHK040"]


@pytest.mark.parametrize("edition", ["pdf", "pdf-large-print"])
def test_no_dose_or_unit_breaks_across_lines(
    leaflet: tuple[Article, dict[str, Path]], edition: str
) -> None:
    article, paths = leaflet
    shown = read_pdf(paths[edition], "References")
    assert not front_matter.check_unit_breaks(shown, article, paths[edition])


def test_page_list_counts_each_page_once(
    leaflets: dict[str, tuple[Article, dict[str, Path]]],
) -> None:
    _, paths = leaflets["en-GB"]
    facts = json.loads(paths["pdf"].with_suffix(".pages.json").read_text())
    starts = facts["page_starts"]
    assert all(starts) and len(set(starts)) == len(starts)


def test_invoke_check_runs_the_same_comparisons(
    leaflet: tuple[Article, dict[str, Path]],
) -> None:
    article, paths = leaflet
    options = checker.CheckOptions(only=MY_CHECKS, write_report=False)
    report = checker.run(article.source, paths["pdf"].parent, options)
    ran = {(r.check, r.edition) for r in report.runs if r.ran}
    assert {name for name, _ in ran} == set(MY_CHECKS)
    assert (names.FIGURE_TEXT, "pdf-large-print") in ran
    assert {e for _, e in ran} == {"pdf", "pdf-large-print", "epub", "html", "audio"}
    assert [str(f) for f in report.findings] == []
