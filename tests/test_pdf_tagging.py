"""WeasyPrint 70 PDF/UA-1 output: what check_pdf finds, and what postprocess fixes."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from weasyprint import HTML

from editions.checks.pdf import (
    check_pdf,
    outline_titles,
    struct_types,
    structure_headings,
)
from editions.errors import Finding
from editions.pdf.reading import struct_kids, walk_structure
from editions.pdf.tagging import postprocess
from editions.pdf.text import element_text, marked_content

FONTS = (
    Path(__file__).resolve().parents[1]
    / ".venv/lib/python3.11/site-packages/fontpkg_atkinson_hyperlegible/files"
)
REGULAR = "AtkinsonHyperlegible-Regular.ttf"
BOLD = "AtkinsonHyperlegible-Bold.ttf"
TITLE = "Living well with type 2 diabetes"
LANG = "en"
PARAGRAPH = "<p>" + "Walking after meals lowers blood sugar for many people. " * 30
DESCRIPTIONS = {
    "#ref-a": "Reference entry: Doe, 2020",
    "https://doi.org/10.1/x": "Opens https://doi.org/10.1/x in a browser",
    "#fn1": "Footnote 1",
    "#fnref1": "Back to footnote call 1",
}

HTML_SOURCE = f"""<!doctype html>
<html lang="{LANG}"><head><meta charset="utf-8"><title>{TITLE}</title>
<style>
@font-face {{ font-family: AH; src: url("{FONTS.as_uri()}/{REGULAR}"); }}
@font-face {{ font-family: AH; font-weight: bold;
  src: url("{FONTS.as_uri()}/{BOLD}"); }}
body {{ font-family: AH; font-size: 14pt; line-height: 1.5 }}
@page {{
  size: A5; margin: 2cm;
  @top-left {{ content: "Running title"; font-family: AH }}
  @bottom-center {{
    content: "Page " counter(page) " of " counter(pages); font-family: AH }}
}}
</style></head>
<body>
<h1>{TITLE}</h1>
<p>Read the trial (<a href="https://doi.org/10.1/x">full text</a>) and
<a href="#ref-a">Doe, 2020</a>.<a href="#fn1" id="fnref1"><sup>1</sup></a></p>
<img src="dot.png" alt="A red dot marking the target range">
<h2>Food</h2>
{PARAGRAPH}</p>
<ul><li>Vegetables</li><li>Whole grains</li></ul>
<table>
  <thead><tr><th scope="col">Meal</th><th scope="col">Carbohydrate</th></tr></thead>
  <tbody><tr><td>Breakfast</td><td>45 g</td></tr></tbody>
</table>
<h3>Snacks</h3>
{PARAGRAPH}</p>
{PARAGRAPH}</p>
<h2>References</h2>
<p id="ref-a">Doe, J. (2020). Diabetes and walking.</p>
<ol><li id="fn1"><p>Ask your nurse first.</p> <a href="#fnref1">back</a></li></ol>
</body></html>
"""


@pytest.fixture(scope="module")
def raw_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render the sample once, exactly as WeasyPrint 70 writes it."""
    folder = tmp_path_factory.mktemp("weasy")
    Image.new("RGB", (8, 8), (200, 0, 0)).save(folder / "dot.png")
    out = folder / "raw.pdf"
    HTML(string=HTML_SOURCE, base_url=str(folder)).write_pdf(
        out, pdf_variant="pdf/ua-1"
    )
    return out


@pytest.fixture(scope="module")
def fixed_pdf(raw_pdf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample after postprocess."""
    out = tmp_path_factory.mktemp("fixed") / "fixed.pdf"
    shutil.copy(raw_pdf, out)
    postprocess(out, DESCRIPTIONS.get)
    return out


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def structure_text(path: Path) -> list[str]:
    """Text of every element reachable from StructTreeRoot (what AT reads)."""
    with pikepdf.open(path) as pdf:
        content = marked_content(pdf)
        root = pdf.Root.StructTreeRoot
        return [element_text(e, content) for e, _ in walk_structure(root)]


def test_raw_weasyprint_output_has_the_known_problems(raw_pdf: Path) -> None:
    findings = check_pdf(raw_pdf, title=TITLE, lang=LANG)
    # #1836: margin boxes are orphan struct elements, tagged rather than artifacts.
    assert "PDF012" in codes(findings)
    margin = [f for f in findings if f.code == "PDF013"]
    assert any("Page 1 of" in f.message for f in margin)
    assert any("Running title" in f.message for f in margin)
    assert {f.where.key for f in margin} >= {"page 1", "page 2"}
    bare = [f for f in findings if f.code == "PDF020"]
    assert any("https://doi.org/10.1/x" in f.message for f in bare)
    assert "PDF016" in codes(findings)  # TH without /Scope
    # <a><sup>1</sup></a>: the inner box's annotation hangs off a NonStruct.
    assert "PDF018" in codes(findings)
    # <li><p>…</p> <a>…</a></li>: the P sits in the LI, not in its LBody.
    assert "PDF017" in codes(findings)


def test_postprocess_leaves_no_findings(fixed_pdf: Path) -> None:
    assert check_pdf(fixed_pdf, title=TITLE, lang=LANG) == []


def test_page_numbers_are_artifacts_but_still_printed(
    raw_pdf: Path, fixed_pdf: Path
) -> None:
    assert not any("Page 1 of" in t for t in structure_text(fixed_pdf))
    assert not any("Running title" in t for t in structure_text(fixed_pdf))
    printed = subprocess.run(
        ["pdftotext", str(fixed_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Page 1 of" in printed
    assert "Page 2 of" in printed
    assert "Running title" in printed
    with pikepdf.open(fixed_pdf) as pdf:
        content = pdf.pages[0].Contents.read_bytes()
        assert b"/Artifact <<" in content
        assert b"/Subtype /Footer" in content
        assert b"/Subtype /Header" in content
        kinds = {
            str(e.get("/S")) for e in pdf.objects if isinstance(e, pikepdf.Dictionary)
        }
        assert "/NonStruct" in kinds  # WeasyPrint's figure wrapper is kept
    with pikepdf.open(raw_pdf) as raw, pikepdf.open(fixed_pdf) as fixed:

        def nonstruct(pdf: pikepdf.Pdf) -> int:
            return sum(
                1
                for o in pdf.objects
                if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/NonStruct"
            )

        assert nonstruct(fixed) < nonstruct(raw)  # the orphans were not written


def test_postprocess_writes_the_same_bytes_twice(raw_pdf: Path, tmp_path: Path) -> None:
    # qpdf makes the second /ID element from the clock unless asked not to; then
    # two builds of one source (or a retry beside a stray writer) would differ.
    made = []
    for name in ("one.pdf", "two.pdf"):
        shutil.copy(raw_pdf, tmp_path / name)
        postprocess(tmp_path / name, DESCRIPTIONS.get)
        made.append((tmp_path / name).read_bytes())
        time.sleep(1.1)  # qpdf's own /ID seed changes with the clock's second
    assert made[0] == made[1]
    with pikepdf.open(tmp_path / "one.pdf") as pdf:
        assert len(pdf.trailer.ID) == 2


def test_postprocess_keeps_version_and_xmp(fixed_pdf: Path) -> None:
    assert fixed_pdf.read_bytes().startswith(b"%PDF-1.7")
    assert not list(fixed_pdf.parent.glob(f".{fixed_pdf.name}.*part"))
    with pikepdf.open(fixed_pdf) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == TITLE
        assert str(pdf.Root.Lang) == LANG
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


def test_links_are_described(fixed_pdf: Path) -> None:
    with pikepdf.open(fixed_pdf) as pdf:
        contents = {
            str(a.Contents) for page in pdf.pages for a in page.get("/Annots", [])
        }
    assert contents == set(DESCRIPTIONS.values())


def test_list_items_hold_only_label_and_body(fixed_pdf: Path) -> None:
    with pikepdf.open(fixed_pdf) as pdf:
        root = pdf.Root.StructTreeRoot
        for li, _ in walk_structure(root):
            if li.S == "/LI":
                assert {str(k.S) for k in struct_kids(li)} <= {"/Lbl", "/LBody"}
        note = [
            k.S
            for li, _ in walk_structure(root)
            if li.S == "/LI"
            for body in struct_kids(li)
            if body.S == "/LBody"
            for k in struct_kids(body)
        ]
        assert ["/P", "/Link"] == [str(s) for s in note[-2:]]


def test_table_headers_get_column_scope(fixed_pdf: Path) -> None:
    with pikepdf.open(fixed_pdf) as pdf:
        root = pdf.Root.StructTreeRoot
        ths = [e for e, _ in walk_structure(root) if e.S == "/TH"]
        assert len(ths) == 2
        assert all(th.A.Scope == "/Column" and th.A.O == "/Table" for th in ths)


def test_headings_and_outline(fixed_pdf: Path) -> None:
    expected = [(TITLE, 1), ("Food", 2), ("Snacks", 3), ("References", 2)]
    assert structure_headings(fixed_pdf) == [(f"H{n}", t) for t, n in expected]
    assert outline_titles(fixed_pdf) == [(n, t) for t, n in expected]
    types = struct_types(fixed_pdf)
    assert types[0] == "Document"
    assert {"Figure", "L", "LI", "Lbl", "LBody", "Table", "TH", "Link"} <= set(types)


def test_postprocess_adds_missing_lang(raw_pdf: Path, tmp_path: Path) -> None:
    path = tmp_path / "nolang.pdf"
    with pikepdf.open(raw_pdf) as pdf:
        del pdf.Root.Lang
        del pdf.Root.ViewerPreferences
        pdf.save(path)
    postprocess(path, lambda _: None, lang="en")
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        # describe() returned None: WeasyPrint's /Contents stays.
        assert str(pdf.pages[0].Annots[0].Contents) == "https://doi.org/10.1/x"


# --- every check can fail -----------------------------------------------------------

Mutation = Callable[[pikepdf.Pdf], None]


def _elements(pdf: pikepdf.Pdf, s: str) -> list[pikepdf.Dictionary]:
    return [e for e, _ in walk_structure(pdf.Root.StructTreeRoot) if e.S == s]


def _set_xmp(key: str, value: str) -> Mutation:
    def mutate(pdf: pikepdf.Pdf) -> None:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta[key] = value

    return mutate


def _paint_outside(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].contents_add(pdf.make_stream(b"0 0 10 10 re f"), prepend=True)


def _first_font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    fonts = pdf.pages[0].Resources.Font
    return fonts[next(iter(fonts.keys()))]


def _unembed(pdf: pikepdf.Pdf) -> None:
    del _first_font(pdf).DescendantFonts[0].FontDescriptor.FontFile2


def _no_to_unicode(pdf: pikepdf.Pdf) -> None:
    del _first_font(pdf).ToUnicode


def _th_without_scope(pdf: pikepdf.Pdf) -> None:
    th = _elements(pdf, "/TH")[0]
    del th.A
    del th.ID


def _skip_heading(pdf: pikepdf.Pdf) -> None:
    _elements(pdf, "/H2")[0].S = pikepdf.Name.H3


def _first_heading_h2(pdf: pikepdf.Pdf) -> None:
    _elements(pdf, "/H1")[0].S = pikepdf.Name.H2


def _bad_list(pdf: pikepdf.Pdf) -> None:
    _elements(pdf, "/Lbl")[0].S = pikepdf.Name.P


def _unknown_type(pdf: pikepdf.Pdf) -> None:
    _elements(pdf, "/P")[0].S = pikepdf.Name("/Paragraph")


def _remap_standard(pdf: pikepdf.Pdf) -> None:
    pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(P=pikepdf.Name.Span)


def _duplicate_notes(pdf: pikepdf.Pdf) -> None:
    for p in _elements(pdf, "/P")[:2]:
        p.S = pikepdf.Name.Note
        p.ID = pikepdf.String("n1")


def _unlink_annotation(pdf: pikepdf.Pdf) -> None:
    del pdf.pages[0].Annots[0].StructParent


def _empty_contents(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].Annots[0].Contents = pikepdf.String(" ")


def _no_tabs(pdf: pikepdf.Pdf) -> None:
    del pdf.pages[0].Tabs


def _no_alt(pdf: pikepdf.Pdf) -> None:
    del _elements(pdf, "/Figure")[0].Alt


def _no_lang(pdf: pikepdf.Pdf) -> None:
    del pdf.Root.Lang


def _set(path: str, value: object) -> Mutation:
    def mutate(pdf: pikepdf.Pdf) -> None:
        *parents, last = path.split(".")
        node = pdf.Root
        for name in parents:
            node = node[f"/{name}"]
        node[f"/{last}"] = value

    return mutate


def _delete(key: str) -> Mutation:
    def mutate(pdf: pikepdf.Pdf) -> None:
        del pdf.Root[key]

    return mutate


CASES: list[tuple[str, Mutation, dict[str, str]]] = [
    ("PDF001", _set_xmp("pdfuaid:part", "2"), {}),
    ("PDF003", _set("MarkInfo.Marked", False), {}),
    ("PDF004", _set("MarkInfo.Suspects", True), {}),
    ("PDF005", _delete("/StructTreeRoot"), {}),
    ("PDF006", _unknown_type, {}),
    ("PDF006", _remap_standard, {}),
    ("PDF007", _delete("/Metadata"), {}),
    ("PDF008", lambda _: None, {"title": "Another title"}),
    ("PDF008", _set_xmp("dc:title", ""), {}),
    ("PDF009", _set("ViewerPreferences.DisplayDocTitle", False), {}),
    ("PDF010", _no_lang, {}),
    ("PDF010", _set("Lang", pikepdf.String("en_GB!")), {}),
    ("PDF010", lambda _: None, {"lang": "fr"}),
    ("PDF011", _paint_outside, {}),
    ("PDF014", _no_alt, {}),
    ("PDF015", _skip_heading, {}),
    ("PDF015", _first_heading_h2, {}),
    ("PDF016", _th_without_scope, {}),
    ("PDF017", _bad_list, {}),
    ("PDF018", _unlink_annotation, {}),
    ("PDF019", _empty_contents, {}),
    ("PDF021", _no_tabs, {}),
    ("PDF022", _duplicate_notes, {}),
    ("PDF023", _unembed, {}),
    ("PDF024", _no_to_unicode, {}),
]


@pytest.mark.parametrize(
    ("code", "mutate", "expected"),
    CASES,
    ids=[f"{c}-{getattr(m, '__name__', 'set')}" for c, m, _ in CASES],
)
def test_each_check_can_fail(
    fixed_pdf: Path,
    tmp_path: Path,
    code: str,
    mutate: Mutation,
    expected: dict[str, str],
) -> None:
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(fixed_pdf) as pdf:
        mutate(pdf)
        pdf.save(broken)
    args = {"title": TITLE, "lang": LANG, **expected}
    findings = check_pdf(broken, title=args["title"], lang=args["lang"])
    assert code in {f.code for f in findings if f.severity == "error"}, findings


def test_missing_lang_figure_alt_and_skipped_heading_together(
    fixed_pdf: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "three.pdf"
    with pikepdf.open(fixed_pdf) as pdf:
        _no_lang(pdf)
        _no_alt(pdf)
        _skip_heading(pdf)
        pdf.save(broken)
    findings = check_pdf(broken, title=TITLE, lang=LANG)
    assert codes(findings) == {"PDF010", "PDF014", "PDF015"}
    skipped = next(f for f in findings if f.code == "PDF015")
    assert "H1 is followed by H3" in skipped.message


def test_pdf_2_header_fails(fixed_pdf: Path, tmp_path: Path) -> None:
    broken = tmp_path / "v2.pdf"
    with pikepdf.open(fixed_pdf) as pdf:
        pdf.save(broken, force_version="2.0")
    assert "PDF002" in codes(check_pdf(broken, title=TITLE, lang=LANG))


def test_encryption_without_accessibility_fails(
    fixed_pdf: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "locked.pdf"
    deny = pikepdf.Permissions(accessibility=False)
    with pikepdf.open(fixed_pdf) as pdf:
        pdf.save(
            broken,
            encryption=pikepdf.Encryption(
                owner="owner", user="", R=3, aes=False, metadata=False, allow=deny
            ),
        )
    assert "PDF025" in codes(check_pdf(broken, title=TITLE, lang=LANG))
    user = tmp_path / "password.pdf"
    with pikepdf.open(fixed_pdf) as pdf:
        pdf.save(user, encryption=pikepdf.Encryption(owner="o", user="u"))
    assert codes(check_pdf(user, title=TITLE, lang=LANG)) == {"PDF025"}
