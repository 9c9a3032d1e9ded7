"""PDF edition: PDF/UA-1 machine checks, structure, bookmarks, text fidelity."""

from __future__ import annotations

import difflib
import re
import subprocess
from collections import Counter

import pikepdf
from conftest import Built

from editions import fonts
from editions.build import BuildOptions, listen_base_url
from editions.checks.pdf import (
    check_pdf,
    outline_titles,
    struct_types,
    structure_headings,
)
from editions.checks.pdf_typography import body_line_ratios, percentile_size, text_sizes
from editions.keep_together import keep_together_spans
from editions.pdf import render as pdf
from editions.pdf.listen import DEFAULT_AUDIO_BASE_URL, audio_url
from editions.pdf.reading import link_target, walk_structure


def test_pdf_passes_the_pdf_ua_machine_checks(built: Built) -> None:
    for key, minimum in (("pdf", 12.0), ("pdf-large-print", 18.0)):
        findings = check_pdf(
            built.paths[key],
            title=built.article.title,
            lang=built.article.lang,
            min_body_pt=minimum,
        )
        errors = [str(f) for f in findings if f.severity == "error"]
        assert not errors, "\n".join(errors)


def test_structure_tree_headings_match_the_model(built: Built) -> None:
    headings = structure_headings(built.paths["pdf"])
    expected = [(f"H{level}", text) for level, _, text in built.article.headings]
    assert [(tag, " ".join(text.split())) for tag, text in headings] == expected


def test_bookmarks_for_every_heading(built: Built) -> None:
    outline = outline_titles(built.paths["pdf"])
    assert [title for _, title in outline] == [t for _, _, t in built.article.headings]
    assert [depth for depth, _ in outline] == [
        lvl for lvl, _, _ in built.article.headings
    ]


def test_xmp_and_catalog(built: Built) -> None:
    with pikepdf.open(built.paths["pdf"]) as pdf:
        assert str(pdf.Root.Lang) == built.article.lang
        assert bool(pdf.Root.MarkInfo.Marked)
        with pdf.open_metadata() as meta:
            assert meta["pdfuaid:part"] == "1"
            assert meta["dc:title"] == built.article.title


def _pdftotext(path) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u00a0", " "))


def test_text_fidelity_at_least_99_percent_in_order(built: Built) -> None:
    text = _pdftotext(built.paths["pdf"])
    text = re.sub(r"-\n\s*", "-", text)
    pdf_words = _words(text)
    source_words = _words(" ".join(s.text for s in built.article.sentences()))
    # Words matched in order (difflib's matching blocks), as a share of the source's.
    matcher = difflib.SequenceMatcher(None, source_words, pdf_words, autojunk=False)
    found = sum(block.size for block in matcher.get_matching_blocks())
    assert found / len(source_words) >= 0.99, (found, len(source_words))


def test_page_numbers_printed_but_not_tagged(built: Built) -> None:
    text = _pdftotext(built.paths["pdf"])
    with pikepdf.open(built.paths["pdf"]) as pdf:
        pages = len(pdf.pages)
    assert f"Page 1 of {pages}" in text
    assert not any("Page 1 of" in t for _, t in structure_headings(built.paths["pdf"]))


def test_page_facts_list_every_page(built: Built) -> None:
    with pikepdf.open(built.paths["pdf"]) as pdf:
        pages = len(pdf.pages)
    facts = built.out / f"{built.article.stem}.pages.json"
    import json

    starts = json.loads(facts.read_text(encoding="utf-8"))["page_starts"]
    assert len(starts) == pages
    assert starts[0] == built.article.sections[0].title.sentence_id


# --- issue 4: typography, links, listen box, paper, tagging of the fixture --------


def test_small_body_text_is_caught(tmp_path, built_all) -> None:  # type: ignore[no-untyped-def]
    """A 10 pt body, or a 12 pt one held to large print, is caught (PDF026)."""
    built = built_all["fixture"]
    article = built.article
    small = pdf.render(article, tmp_path, pdf.PdfSettings(body_pt=10, suffix="-10pt"))
    codes = {
        f.code for f in check_pdf(small.path, title=article.title, lang=article.lang)
    }
    assert "PDF026" in codes
    large = {
        f.code
        for f in check_pdf(
            built.paths["pdf"],
            title=article.title,
            lang=article.lang,
            min_body_pt=18,
        )
    }
    assert "PDF026" in large  # the 12 pt hand-out is not large print


def test_large_print_pdf_body_is_18_pt_and_hand_out_12_pt(built: Built) -> None:
    for key, expected in (("pdf", 12.0), ("pdf-large-print", 18.0)):
        with pikepdf.open(built.paths[key]) as doc:
            sizes = text_sizes(doc)
            ratios = sorted(body_line_ratios(doc))
        assert sizes.most_common(1)[0][0] == expected
        assert percentile_size(sizes, 0.05) >= expected
        assert ratios and ratios[len(ratios) // 10] >= 1.5 - 0.01


def _layout(article, settings):  # type: ignore[no-untyped-def]
    from weasyprint import HTML

    return HTML(
        string=pdf.page_html(article, settings),
        base_url=str(article.base_dir) + "/",
        url_fetcher=pdf._source_only_fetcher([article.base_dir, fonts.font_dir()]),
    ).render()


def _line_height_ratio(style) -> float:  # type: ignore[no-untyped-def]
    """A unitless line-height is the ratio; a computed length is divided by the size."""
    height = style["line_height"]
    if isinstance(height, int | float):
        return float(height)
    return float(height.value) / float(style["font_size"])


def _boxes(box):  # type: ignore[no-untyped-def]
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def test_laid_out_left_aligned_unhyphenated_with_hanging_references(
    built: Built,
) -> None:
    document = _layout(built.article, pdf.PdfSettings())
    boxes = [b for page in document.pages for b in _boxes(page._page_box)]
    text_blocks = [b for b in boxes if getattr(b, "element_tag", "") in ("p", "li")]
    assert text_blocks
    for box in text_blocks:
        assert box.style["text_align_all"] in ("left", "start"), box.element_tag
        assert box.style["hyphens"] != "auto"
        assert _line_height_ratio(box.style) >= 1.5, box.element_tag
    # Reference entries: the first line starts left of the lines that follow it.
    multi_line = 0
    for box in boxes:
        element = getattr(box, "element", None)
        if box.element_tag != "li" or element is None:
            continue
        if not str(element.get("id", "")).startswith("ref-"):
            continue
        starts = [line.children[0].position_x for line in box.children if line.children]
        if len(starts) > 1:
            multi_line += 1
            assert all(starts[0] < later - 20 for later in starts[1:]), starts
    assert multi_line >= 1


def test_doses_and_amounts_never_break_across_lines(built: Built) -> None:
    lines = [
        " ".join(line.replace("\u00a0", " ").split())
        for line in _pdftotext(built.paths["pdf"]).splitlines()
    ]
    amounts = {
        " ".join(m.split())
        for s in built.article.sentences()
        for m in keep_together_spans(s.text.replace("\u00a0", " "))
    }
    assert amounts, "the article has doses or amounts to protect"
    for amount in amounts:
        assert any(amount in line for line in lines), f"{amount!r} broken over lines"


def _link_targets(path) -> list[str]:  # type: ignore[no-untyped-def]
    with pikepdf.open(path) as doc:
        return [
            target
            for page in doc.pages
            for annot in page.obj.get("/Annots", [])
            if (target := link_target(annot)) is not None
        ]


def test_every_citation_links_to_its_reference_entry(built: Built) -> None:
    targets = Counter(_link_targets(built.paths["pdf"]))
    cited = Counter(key for cite in built.article.citations() for key in cite.keys)
    entries = {r.key for r in built.article.references}
    assert cited
    for key, count in cited.items():
        assert key in entries
        assert targets[f"#ref-{key}"] >= count, key


def test_dois_are_https_doi_org_links(built: Built) -> None:
    targets = set(_link_targets(built.paths["pdf"]))
    text = _pdftotext(built.paths["pdf"])
    dois = [str(r.data["DOI"]) for r in built.article.references if r.data.get("DOI")]
    for doi in dois:
        assert f"https://doi.org/{doi}" in targets, doi
    assert "doi:" not in text.lower()
    assert "dx.doi.org" not in text


def test_listen_box_has_vector_qr_with_alt_and_printed_link(built: Built) -> None:
    url = audio_url(listen_base_url(built.article, BuildOptions()), built.article.stem)
    assert url.startswith(built.article.audio_base_url or DEFAULT_AUDIO_BASE_URL)
    assert url in _link_targets(built.paths["pdf"])
    text = " ".join(_pdftotext(built.paths["pdf"]).split())
    assert "Listen to this article" in text
    assert url in text
    raster_figures = {
        f.src.name
        for f in built.article.figures
        if f.src.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".webp")
    }
    with pikepdf.open(built.paths["pdf"]) as doc:
        images = {  # raster images drawn anywhere, by content (shared XObjects once)
            xobj.objgen for page in doc.pages for xobj in page.get_images().values()
        }
        figures_alt = [
            str(elem.get("/Alt", ""))
            for elem, _ in walk_structure(doc.Root.StructTreeRoot)
            if str(elem.get("/S")) == "/Figure"
        ]
    assert len(images) <= len(raster_figures), "the QR code must be vector"
    assert any("QR code" in alt for alt in figures_alt)


def test_paper_is_a4_by_default(built: Built) -> None:
    with pikepdf.open(built.paths["pdf"]) as doc:
        box = [round(float(v)) for v in doc.pages[0].mediabox]
    assert box == [0, 0, 595, 842]


def test_letter_paper_on_request(tmp_path, built_all) -> None:  # type: ignore[no-untyped-def]
    built = built_all["fixture"]
    letter = pdf.render(built.article, tmp_path, pdf.PdfSettings(paper="letter"))
    with pikepdf.open(letter.path) as doc:
        box = [round(float(v)) for v in doc.pages[0].mediabox]
    assert box == [0, 0, 612, 792]


def test_fixture_figures_tables_lists_notes_are_tagged(built: Built) -> None:
    types = set(struct_types(built.paths["pdf"]))
    assert {"H1", "H2", "P", "Link", "L", "LI", "LBody"} <= types
    if built.name == "fixture":
        assert {"Figure", "Table", "TR", "TH", "TD", "Note", "H3", "H4", "Lbl"} <= types
    with pikepdf.open(built.paths["pdf"]) as doc:
        note_ids = [
            str(elem.ID)
            for elem, _ in walk_structure(doc.Root.StructTreeRoot)
            if str(elem.get("/S")) == "/Note"
        ]
    assert note_ids == [note.note_id for note in built.article.notes]


def test_tight_line_spacing_is_caught(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """PDF027 can fail: body lines 1.1 × the size apart are reported."""
    from weasyprint import HTML

    words = " ".join(["Low-dose naltrexone is taken at night."] * 40)
    target = tmp_path / "tight.pdf"
    HTML(
        string=f'<html lang="en"><body style="font-size:12pt;line-height:1.1">'
        f"<p>{words}</p><p>{words}</p></body></html>"
    ).write_pdf(target, pdf_variant="pdf/ua-1")
    codes = {f.code for f in check_pdf(target, title="", lang="en")}
    assert "PDF027" in codes
