"""A glossary that runs over several PDF pages stays ONE list (L) of term/definition
pairs in the tagged PDF, and `invoke check` says so when it does not (CHK098)."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from editions import build as pipeline
from editions.checks.pdf_glossary import _problem, check_glossaries, source_glossaries
from editions.model import Article
from editions.pdf.reading import role_of, struct_kids, walk_structure
from editions.pdf.text import element_text, marked_content, squash
from editions.source import article as source

LONG = Path(__file__).resolve().parent / "data" / "glossary-long" / "article.md"


@pytest.fixture(scope="module")
def long_glossary(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Article, dict[str, Path]]:
    """Lay out both PDFs of the 26-term glossary once."""
    out = tmp_path_factory.mktemp("glossary")
    options = pipeline.BuildOptions(only=("pdf",), tts="null", report=lambda _: None)
    paths = pipeline.run(LONG, out, options)
    return source.load(LONG)[0], paths


@pytest.mark.parametrize("edition", ["pdf", "pdf-large-print"])
def test_a_glossary_across_pages_is_one_list(
    long_glossary: tuple[Article, dict[str, Path]], edition: str
) -> None:
    article, paths = long_glossary
    (terms,) = source_glossaries(article)
    with pikepdf.open(paths[edition]) as pdf:
        content = marked_content(pdf)
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        lists = [
            e
            for e, _ in walk_structure(pdf.Root.StructTreeRoot)
            if role_of(pdf, e) == "L"
        ]
        assert len(lists) == 1  # the article has no other list
        items = struct_kids(lists[0])
        assert len(items) == len(terms) == 26
        for item, term in zip(items, terms, strict=True):
            parts = struct_kids(item)
            assert [role_of(pdf, p) for p in parts] == ["Lbl", "LBody"]
            assert squash(element_text(parts[0], content)) == squash(term)
            assert "your nurse may use" in element_text(parts[1], content)
        # The list really does break across pages: its items sit on several.
        on = {pages[e.Pg.objgen] for e, _ in walk_structure(lists[0]) if "/Pg" in e}
        assert len(on) >= 2, on
    assert check_glossaries(paths[edition], article) == []


def test_check_names_a_glossary_split_in_two() -> None:
    terms = ["anaemia", "biopsy", "catheter"]
    paired = ("Lbl", "LBody")
    first = [(paired, "anaemia"), (paired, "biopsy")]
    second = [(paired, "catheter")]
    message = _problem(terms, [first, second])
    assert message is not None and "holds 2 item(s) for 3 term(s)" in message
    unpaired = [(paired, "anaemia"), (("LBody",), "biopsy"), (paired, "catheter")]
    assert "item(s) [2]" in (_problem(terms, [unpaired]) or "")
    assert _problem(terms, [[*first, *second]]) is None
    assert "no L element" in (_problem(terms, [second]) or "")
