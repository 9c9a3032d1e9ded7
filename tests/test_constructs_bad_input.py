"""Refused constructs: each names the file and line, exits 3 and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from editions import build as pipeline
from editions.errors import EXIT_BAD_INPUT, BuildFailed
from editions.source.pandoc_ast import Converter
from editions.source.sourcemap import SourceMap

BAD = Path(__file__).resolve().parent / "data" / "bad"

#: case file → (code, "file:line" the finding must name, words the message must hold)
CASES = {
    "duplicate-id.md": ("SRC020", "duplicate-id.md:16", ("line 8", "line 16")),
    "decorative-without-alt.md": (
        "SRC001",
        "decorative-without-alt.md:10",
        ('alt=""',),
    ),
    "decorative-with-caption.md": ("SRC028", "decorative-with-caption.md:10", ()),
    "nested-heading.md": ("SRC021", "nested-heading.md:12", ("Not a section",)),
    "table-cell-list.md": ("SRC024", "table-cell-list.md:13", ("BulletList",)),
    "dangling-link.md": ("SRC027", "dangling-link.md:10", ("#tbl-missing",)),
    "reserved-id.md": ("SRC029", "reserved-id.md:10", ('"s1"',)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_construct_names_file_and_line(case: str, tmp_path: Path) -> None:
    code, where, words = CASES[case]
    out = tmp_path / "build"
    with pytest.raises(BuildFailed) as failure:
        pipeline.run(
            BAD / case, out, pipeline.BuildOptions(tts="null", report=lambda _: None)
        )
    report = failure.value.report()
    line = next((x for x in report.splitlines() if f"error {code}:" in x), "")
    assert f"{where}: error {code}:" in report, report
    assert all(word in line for word in words), line
    assert failure.value.exit_code == EXIT_BAD_INPUT
    assert not out.exists() or not any(out.iterdir())  # nothing half-written


def test_math_is_refused_if_a_reader_ever_produces_it(tmp_path: Path) -> None:
    """The reader turns TeX math off; should a Math node arrive, it is SRC022."""
    source = SourceMap.of(tmp_path / "a.md", "Speed is $v = d/t$ here.")
    converter = Converter(source, "en-US")
    math = {"t": "Math", "c": [{"t": "InlineMath"}, "v = d/t"]}
    converter.block({"t": "Para", "c": [math]})
    assert [f.code for f in converter.findings] == ["SRC022"]
    assert str(converter.findings[0].where) == f"{tmp_path / 'a.md'}:1"


def test_figure_with_two_images_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes((BAD / "ok.png").read_bytes())
    source = SourceMap.of(tmp_path / "a.md", "![](a.png)\n![](a.png)")
    image = {"t": "Image", "c": [["", [], [["alt", "A"]]], [], ["a.png", ""]]}
    figure = [["", [], []], [None, []], [{"t": "Plain", "c": [image, image]}]]
    converter = Converter(source, "en-US")
    converter.block({"t": "Figure", "c": figure})
    assert [f.code for f in converter.findings] == ["SRC026"]
