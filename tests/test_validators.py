"""The validator runners really run here: a good input passes, a bad one fails.

None of these tests is skipped: a missing tool fails with MissingProgram, whose
message says how to install it (scripts/install-node-tools.sh, apt-get).
"""

from __future__ import annotations

import base64
import zipfile
from pathlib import Path

import pytest
from ebooklib import epub

from editions.checks import ace, axe, epubcheck, vnu
from editions.checks.ace import run_ace
from editions.checks.axe import run_axe
from editions.checks.browser import emulate, open_page
from editions.checks.epubcheck import run_epubcheck
from editions.checks.vnu import run_vnu
from editions.errors import Finding, MissingProgram

A11Y_METADATA = [
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityHazard", "none"),
    (
        "schema:accessibilitySummary",
        "A short text-only test book with a contents list.",
    ),
    ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
    ("a11y:certifiedBy", "Editions test suite"),
]

GOOD_BODY = '<p id="p1">Drink water. <a href="#p1">Read this again</a>.</p>'

#: A 1x1 PNG as a data: URL, so the good page loads no other file.
PIXEL = (
    "data:image/png;base64,"
    + base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4e100"
            "00000049454e44ae426082"
        )
    ).decode()
)

GOOD_HTML = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Taking your tablets</title></head>
<body>
<main>
<h1>Taking your tablets</h1>
<p>Take one tablet with water each morning.</p>
<img src="{PIXEL}" alt="A white tablet" width="1" height="1">
</main>
</body>
</html>
"""

BAD_HTML = GOOD_HTML.replace(' alt="A white tablet"', "")


def build_epub(
    path: Path,
    body: str = GOOD_BODY,
    metadata: list[tuple[str, str]] = A11Y_METADATA,
) -> Path:
    """Write a one-chapter EPUB 3 with ebooklib, as small as EPUBCheck allows."""
    book = epub.EpubBook()
    book.set_identifier("urn:uuid:0b5b6a8e-6a3c-4d0f-9a39-7d2f1f0c1e11")
    book.set_title("Taking your tablets")
    book.set_language("en")
    book.add_author("Editions test suite")
    for prop, value in metadata:
        book.add_metadata(None, "meta", value, {"property": prop})
    chapter = epub.EpubHtml(title="Taking your tablets", file_name="chap1.xhtml")
    chapter.content = (
        '<html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">'
        "<head><title>Taking your tablets</title></head><body><main>"
        '<section epub:type="chapter" role="doc-chapter" aria-labelledby="h1">'
        f'<h1 id="h1">Taking your tablets</h1>{body}</section></main></body></html>'
    )
    book.add_item(chapter)
    book.toc = [epub.Link("chap1.xhtml", "Taking your tablets", "chap1")]
    book.add_item(epub.EpubNav())
    book.add_item(epub.EpubNcx())
    book.spine = ["nav", chapter]
    # Without epub3_pages=False ebooklib invents a broken page-list (standards §2e).
    epub.write_epub(str(path), book, {"epub3_pages": False})
    _add_package_lang(path)
    return path


def _add_package_lang(path: Path) -> None:
    """ebooklib 0.20 writes no <package xml:lang>, which Ace's epub-lang needs."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w") as out:
        for info, data in entries:  # mimetype stays first and stored
            if info.filename.endswith(".opf"):
                data = data.replace(b"<package ", b'<package xml:lang="en" ', 1)
            out.writestr(info, data)


def codes(findings: list[Finding]) -> set[str]:
    """The set of finding codes, for readable assertions."""
    return {f.code for f in findings}


def errors(findings: list[Finding]) -> list[Finding]:
    """Only the findings that would stop a build."""
    return [f for f in findings if f.severity == "error"]


@pytest.fixture(scope="module")
def good_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny EPUB that passes EPUBCheck and Ace."""
    return build_epub(tmp_path_factory.mktemp("epub") / "good.epub")


# --- EPUBCheck -------------------------------------------------------------


def test_epubcheck_good_epub_has_no_findings(good_epub: Path) -> None:
    assert run_epubcheck(good_epub) == []


def test_epubcheck_reports_broken_link_with_inner_location(tmp_path: Path) -> None:
    bad = build_epub(
        tmp_path / "bad.epub", body='<p>See <a href="missing.xhtml">the dose</a>.</p>'
    )
    findings = run_epubcheck(bad)
    broken = [f for f in findings if f.code == "EPUB-RSC-007"]
    assert broken, findings
    assert broken[0].severity == "error"
    assert broken[0].where.path == bad
    assert broken[0].where.key is not None
    assert broken[0].where.key.startswith("EPUB/chap1.xhtml:")


def test_epubcheck_warnings_only_report_is_parsed_not_exit_code() -> None:
    report = {
        "messages": [
            {
                "ID": "OPF-085",
                "severity": "WARNING",
                "message": "dc:identifier value is marked as a UUID but is invalid",
                "locations": [{"path": "EPUB/content.opf", "line": 7, "column": 3}],
            },
            {
                "ID": "ACC-009",
                "severity": "USAGE",
                "message": "advice",
                "locations": [],
            },
        ]
    }
    findings = epubcheck.parse_report(report, Path("book.epub"))
    assert [(f.code, f.severity, f.where.key) for f in findings] == [
        ("EPUB-OPF-085", "warning", "EPUB/content.opf:7:3")
    ]


def test_epubcheck_without_java_raises_missing_program(
    good_epub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(epubcheck.shutil, "which", lambda _name: None)
    with pytest.raises(MissingProgram, match="apt-get install -y default-jre"):
        run_epubcheck(good_epub)


# --- Ace by DAISY ----------------------------------------------------------


def test_ace_good_epub_passes(good_epub: Path) -> None:
    assert run_ace(good_epub) == []


def test_ace_reports_content_and_metadata_violations(tmp_path: Path) -> None:
    metadata = [m for m in A11Y_METADATA if m[0] != "schema:accessMode"]
    bad = build_epub(
        tmp_path / "bad.epub",
        body='<p id="p1">Drink water. <a href="#p1"></a></p>',
        metadata=metadata,
    )
    findings = run_ace(bad)
    found = codes(findings)
    assert "ACE-link-name" in found, findings
    assert "ACE-metadata-missing" in found, findings
    assert all(f.severity == "error" for f in findings)
    link = next(f for f in findings if f.code == "ACE-link-name")
    assert link.where.key is not None and link.where.key.startswith("chap1.xhtml")
    assert "serious" in link.message


def test_ace_failed_outcome_without_assertions_is_a_finding() -> None:
    report = {
        "earl:result": {"earl:outcome": "fail"},
        "assertions": [],
        "a11y-metadata": {
            "missing": ["a11y:certifierCredential", "a11y:certifierReport"],
            "empty": [],
        },
    }
    findings = ace.parse_report(report, Path("book.epub"))
    assert codes(findings) == {"ACE-OUTCOME"}


def test_ace_corrupt_epub_is_a_finding_not_a_pass(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.epub"
    corrupt.write_bytes(b"not a zip")
    findings = run_ace(corrupt)
    assert codes(findings) == {"ACE-PROCESSING"}, findings


def test_ace_with_broken_chromium_raises_missing_program(
    good_epub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ace, "CHROMIUM", Path("/bin/false"))
    with pytest.raises(MissingProgram, match="apt-get install -y chromium"):
        run_ace(good_epub)


def test_ace_not_installed_raises_missing_program(
    good_epub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ace, "ACE_BIN", tmp_path / "no-ace-cli")
    with pytest.raises(MissingProgram, match=r"install-node-tools\.sh"):
        run_ace(good_epub)


# --- axe-core in Debian Chromium -------------------------------------------


def test_axe_good_page_has_no_violations_and_no_requests(tmp_path: Path) -> None:
    page_file = tmp_path / "good.html"
    page_file.write_text(GOOD_HTML, encoding="utf-8")
    with open_page(page_file) as opened:
        findings = run_axe(opened.page)
        emulate(opened.page, forced_colors="active")
        forced = run_axe(opened.page)
    assert findings == []
    assert forced == []
    assert opened.requests == []


def test_axe_reports_missing_alt_with_selector(tmp_path: Path) -> None:
    page_file = tmp_path / "bad.html"
    page_file.write_text(BAD_HTML, encoding="utf-8")
    with open_page(page_file) as opened:
        findings = run_axe(opened.page)
    missing_alt = [f for f in findings if f.code == "AXE-image-alt"]
    assert missing_alt, findings
    assert missing_alt[0].where.key == "img"
    assert missing_alt[0].where.path == page_file.resolve()


def test_open_page_records_external_requests(tmp_path: Path) -> None:
    page_file = tmp_path / "leaky.html"
    page_file.write_text(
        GOOD_HTML.replace(
            "</head>",
            '<link rel="stylesheet" href="https://fonts.example/x.css"></head>',
        ),
        encoding="utf-8",
    )
    with open_page(page_file) as opened:
        pass
    assert opened.external_requests == ["https://fonts.example/x.css"]


def test_emulate_switches_media_features(tmp_path: Path) -> None:
    page_file = tmp_path / "good.html"
    page_file.write_text(GOOD_HTML, encoding="utf-8")
    query = (
        "['(forced-colors: active)', '(prefers-color-scheme: dark)',"
        " '(prefers-reduced-motion: reduce)'].map(q => matchMedia(q).matches)"
    )
    with open_page(page_file) as opened:
        assert opened.page.evaluate(query) == [False, False, False]
        emulate(
            opened.page,
            color_scheme="dark",
            forced_colors="active",
            reduced_motion="reduce",
        )
        assert opened.page.evaluate(query) == [True, True, True]


def test_axe_not_installed_raises_missing_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page_file = tmp_path / "good.html"
    page_file.write_text(GOOD_HTML, encoding="utf-8")
    monkeypatch.setattr(axe, "AXE_JS", tmp_path / "no-axe.min.js")
    with (
        open_page(page_file) as opened,
        pytest.raises(MissingProgram, match=r"install-node-tools\.sh"),
    ):
        run_axe(opened.page)


# --- Nu HTML Checker -------------------------------------------------------


def test_vnu_good_html_has_no_errors(tmp_path: Path) -> None:
    page_file = tmp_path / "good.html"
    page_file.write_text(GOOD_HTML, encoding="utf-8")
    assert run_vnu(page_file) == []


def test_vnu_reports_missing_alt_with_line(tmp_path: Path) -> None:
    page_file = tmp_path / "bad.html"
    page_file.write_text(BAD_HTML, encoding="utf-8")
    findings = errors(run_vnu(page_file))
    assert [f.code for f in findings] == ["VNU"], findings
    assert "alt" in findings[0].message
    expected_line = BAD_HTML.splitlines().index(
        next(line for line in BAD_HTML.splitlines() if line.startswith("<img"))
    )
    assert findings[0].where.line == expected_line + 1
    assert findings[0].where.path == page_file


def test_vnu_epub_xhtml_accepts_epub_type_and_checks_xml(good_epub: Path) -> None:
    with zipfile.ZipFile(good_epub) as z:
        chapter = z.read("EPUB/chap1.xhtml").decode("utf-8")
    tmp = good_epub.parent / "chap1.xhtml"
    tmp.write_text(chapter, encoding="utf-8")
    assert run_vnu(tmp) == []
    broken = tmp.with_name("broken.xhtml")
    # An unclosed element is fine in HTML but fatal in XHTML: proves XML mode.
    broken.write_text(chapter.replace("</p>", "", 1), encoding="utf-8")
    assert errors(run_vnu(broken)), "vnu did not parse .xhtml as XML"


def test_vnu_missing_file_is_not_clean(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run_vnu(tmp_path / "absent.html")


def test_vnu_not_installed_raises_missing_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page_file = tmp_path / "good.html"
    page_file.write_text(GOOD_HTML, encoding="utf-8")
    monkeypatch.setattr(vnu, "VNU_JAR", tmp_path / "no-vnu.jar")
    with pytest.raises(MissingProgram, match=r"install-node-tools\.sh"):
        run_vnu(page_file)
