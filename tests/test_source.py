"""The canonical source and the document model built from it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import FIXTURE, MAIN

from editions.model import Figure, ListBlock, Table, walk_blocks
from editions.source import article as source

SEED = (
    Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_a4564c2310f9f0b4.txt"
)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'$.,%-]+", text.replace("\u00a0", " "))


def test_every_seed_word_of_the_body_is_kept_in_order() -> None:
    seed = SEED.read_text(encoding="utf-8")
    body = seed.split("Chronic Pain Patients\n\nAs a result", 1)[1].split(
        "\nReferences\n"
    )[0]
    seed_words = [
        w
        for w in _words(
            "As a result" + re.sub(r"\([^()]*\d{4}\)|\([^()]*n\.d\.\)", " ", body)
        )
    ]
    article, _ = source.load(MAIN)
    model_text = " ".join(
        s.text if not s.sentence_id.startswith("ref") else ""
        for section in article.sections
        if section.role == "body"
        for s in [section.title, *(x for x in _body_sentences(section))]
    )
    model_text = re.sub(r"\([^()]*\d{4}\)|\([^()]*n\.d\.\)", " ", model_text)
    model_words = _words(model_text)
    position = 0
    missing = []
    for word in seed_words:
        try:
            position = model_words.index(word, position) + 1
        except ValueError:
            missing.append(word)
    assert not missing, f"seed words missing or out of order: {missing[:20]}"


def _body_sentences(section):  # type: ignore[no-untyped-def]
    from editions.model import block_sentences

    return block_sentences(section.blocks)


def test_website_chrome_is_left_out() -> None:
    text = MAIN.read_text(encoding="utf-8")
    assert "See a Doctor who believes you" not in text


def test_the_33_citations_are_pandoc_citations_to_known_keys() -> None:
    text = MAIN.read_text(encoding="utf-8")
    keys = re.findall(r"\[@([\w-]+)\]", text)
    bibliography = json.loads(
        (MAIN.parent / "references.json").read_text(encoding="utf-8")
    )
    ids = {item["id"] for item in bibliography}
    assert len(keys) == 33
    assert set(keys) == ids  # every entry is cited, every citation resolves
    assert not re.search(r"\((?:[A-Z][\w ]+(?:et\. al\.)?,? )+(?:\d{4}|n\.d\.)\)", text)


def test_front_matter_has_what_every_edition_needs() -> None:
    article, _ = source.load(MAIN)
    assert article.title == "Low-Dose Naltrexone Use in Chronic Pain Patients"
    assert article.author == "Sarah Rightmire"
    assert article.date == "July 2024" and article.year == "2024"
    assert article.lang == "en-US"
    assert article.description and article.keywords
    for grapheme in (
        "LDN",
        "CRPS",
        "FDA",
        "IBS",
        "HIV",
        "AIDS",
        "mg",
        "et al.",
        "naltrexone",
        "bupropion",
    ):
        assert grapheme in {e.grapheme for e in article.lexicon}


def test_model_headings_follow_the_seed_sections() -> None:
    article, _ = source.load(MAIN)
    seed = SEED.read_text(encoding="utf-8")
    for level, _id, text in article.headings[1:]:
        assert level == 2
        assert f"\n{text}\n" in seed or text == "References"
    assert article.headings[-1][2] == "References"


def test_placeholder_references_are_reported_as_warnings() -> None:
    _, warnings = source.load(MAIN)
    flagged = {f.where.key for f in warnings if f.code == "REF004"}
    assert flagged == {"some-history-ldn-nd", "naltrexone-nd", "what-is-naltrexone-nd"}
    assert all(f.severity == "warning" for f in warnings)


def test_fixture_uses_every_construct() -> None:
    article, _ = source.load(FIXTURE)
    blocks = [b for s in article.sections for b in walk_blocks(s.blocks)]
    assert any(isinstance(b, Figure) and b.alt and b.caption for b in blocks)
    assert any(isinstance(b, Table) and b.header and b.rows for b in blocks)
    assert {b.ordered for b in blocks if isinstance(b, ListBlock)} == {True, False}
    assert article.notes
    assert {level for level, _, _ in article.headings} == {1, 2, 3, 4}
    assert list(article.citations())


def test_sentence_ids_are_unique_and_citations_never_split() -> None:
    for path in (MAIN, FIXTURE):
        article, _ = source.load(path)
        ids = [s.sentence_id for s in article.sentences()]
        assert len(ids) == len(set(ids))
        for sentence in article.sentences():
            assert not re.match(r"^(al\.|d\.\)|\d{4}\))", sentence.text)
