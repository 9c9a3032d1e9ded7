"""Bad input: a clear error naming the file and line (or key), and nothing written."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from editions import build as pipeline
from editions.errors import EXIT_BAD_INPUT, BuildFailed

BAD = Path(__file__).resolve().parent / "data" / "bad"
ROOT = Path(__file__).resolve().parent.parent

#: case file → (code, where the finding must point: "file:line" or "file [key]")
CASES = {
    "unknown-citation.md": ("REF002", "unknown-citation.md:11"),
    "malformed-yaml.md": ("SRC005", "malformed-yaml.md:4"),
    "missing-title.md": ("SRC006", "missing-title.md:1 [title]"),
    "missing-image.md": ("SRC002", "missing-image.md:11"),
    "image-without-alt.md": ("SRC001", "image-without-alt.md:11"),
    "skipped-heading.md": ("SRC004", "skipped-heading.md:15"),
    "malformed-csl.md": ("REF001", "broken.json:4"),
    "remote-image.md": ("SRC003", "remote-image.md:11"),
    "file-url-image.md": ("SRC003", "file-url-image.md:11"),
    "outside-image.md": ("SRC003", "outside-image.md:11"),
}


def _fails(path: Path, out: Path) -> BuildFailed:
    with pytest.raises(BuildFailed) as failure:
        pipeline.run(
            path, out, pipeline.BuildOptions(tts="null", report=lambda _: None)
        )
    return failure.value


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_names_file_and_line(case: str, tmp_path: Path) -> None:
    code, where = CASES[case]
    out = tmp_path / "build"
    error = _fails(BAD / case, out)
    report = error.report()
    assert f"{where}: error {code}:" in report, report
    assert error.exit_code == EXIT_BAD_INPUT
    assert not out.exists() or not any(out.iterdir())  # nothing half-written


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    case = tmp_path / "latin1.md"
    case.write_bytes(
        b"---\ntitle: Caf\xe9\nauthor: A\ndate: 2024\nlang: en\n---\n\nText.\n"
    )
    out = tmp_path / "build"
    report = _fails(case, out).report()
    assert "latin1.md:2: error SRC007:" in report
    assert not out.exists()


def test_strict_makes_warnings_fatal(tmp_path: Path) -> None:
    case = tmp_path / "uncited.md"
    (tmp_path / "references.json").write_text(
        (BAD / "references.json").read_text(encoding="utf-8")[:-2]
        + ',\n  {"id": "never-cited", "type": "book", "title": "Unused"}\n]\n',
        encoding="utf-8",
    )
    case.write_text(
        "---\ntitle: T\nauthor: A\ndate: 2024\nlang: en-US\n"
        "bibliography: references.json\n---\n\nText [@doe-2020].\n",
        encoding="utf-8",
    )
    out = tmp_path / "build"
    options = pipeline.BuildOptions(only=("pdf",), strict=True, report=lambda _: None)
    with pytest.raises(BuildFailed) as failure:
        pipeline.run(case, out, options)
    assert "references.json [never-cited]: error REF003:" in failure.value.report()
    assert not out.exists()


def test_raw_html_and_scripts_never_become_markup(tmp_path: Path) -> None:
    (tmp_path / "ok.png").write_bytes((BAD / "ok.png").read_bytes())
    case = tmp_path / "script.md"
    case.write_text(
        "---\ntitle: Scripts\nauthor: A\ndate: 2024\nlang: en-US\n---\n\n"
        "Hello <script>alert(1)</script> world.\n\n"
        '<img src="x" onerror="alert(2)">\n\n'
        '![A pill](ok.png){alt="A pill." onerror="alert(3)" onclick="alert(4)"}\n\n'
        "[click](javascript:alert(5))\n",
        encoding="utf-8",
    )
    out = tmp_path / "build"
    options = pipeline.BuildOptions(only=("pdf",), report=lambda _: None)
    pipeline.run(case, out, options)
    from editions.epub import render as epub
    from editions.large_print import render as large_print
    from editions.source import article as source

    article, _ = source.load(case)
    page = large_print.page(article)
    epub_path = epub.render(article, out)
    import zipfile

    with zipfile.ZipFile(epub_path) as book:
        xhtml = [book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml")]
    assert len(xhtml) > 1  # every content document is searched, and the nav
    shown: list[str] = []
    for document in (page, *xhtml):
        tree = lxml.html.fromstring(document.encode())
        ours = (ROOT / "styles" / "large-print.js").read_text(encoding="utf-8")
        scripts = [
            e.text or ""
            for e in tree.iter("script")
            if e.get("type") != "application/json"
        ]
        # The only code is the pipeline's own read-along script, never the source's.
        assert all(text.strip() == ours.strip() for text in scripts), scripts
        assert "alert(" not in "".join(scripts)
        handlers = [
            (e.tag, a)
            for e in tree.iter()
            if isinstance(e.tag, str)
            for a in e.attrib
            if a.lower().startswith("on")
        ]
        assert not handlers
        assert not [e for e in tree.iter("a") if "javascript:" in (e.get("href") or "")]
        shown.append(tree.text_content())
    # Shown as text: on the page, and in the EPUB's document for that chapter.
    assert "<script>alert(1)</script>" in shown[0]
    assert any("<script>alert(1)</script>" in text for text in shown[1:])


def _listen_case(tmp_path: Path, extra: str = "") -> Path:
    case = tmp_path / "leaflet.md"
    case.write_text(
        f"---\ntitle: T\nauthor: A\ndate: 2024\nlang: en-US\n{extra}---\n\nText.\n",
        encoding="utf-8",
    )
    return case


def test_audio_base_url_must_be_https(tmp_path: Path) -> None:
    case = _listen_case(tmp_path, "audio-base-url: http://clinic.example/audio\n")
    out = tmp_path / "build"
    report = _fails(case, out).report()
    assert "leaflet.md:6 [audio-base-url]: error SRC013:" in report
    assert not out.exists()


def test_placeholder_listen_url_warns_and_strict_makes_it_fatal(
    tmp_path: Path,
) -> None:
    case = _listen_case(tmp_path)
    strict = pipeline.BuildOptions(only=("pdf",), strict=True, report=lambda _: None)
    with pytest.raises(BuildFailed) as failure:
        pipeline.run(case, tmp_path / "build", strict)
    assert "[audio-base-url]: error SRC014:" in failure.value.report()
    assert "example.org" in failure.value.report()
    # Either way of saying where the audio lives silences it.
    given = pipeline.BuildOptions(
        only=("pdf",), strict=True, audio_base_url="https://a.example.com/",
        report=lambda _: None,
    )  # fmt: skip
    article, warnings = pipeline.load(case, given)
    assert warnings == []
    front = _listen_case(tmp_path, "audio-base-url: https://a.example.com/x/\n")
    article, warnings = pipeline.load(front, strict)
    assert warnings == []
    assert pipeline.listen_base_url(article, strict) == "https://a.example.com/x/"
    assert pipeline.listen_base_url(article, given) == "https://a.example.com/"
