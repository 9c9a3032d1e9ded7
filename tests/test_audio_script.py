"""The speech script: what is said, in which order, and how numbers and terms sound."""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURE, MAIN

from editions.audio.script import (
    PAUSE_CHAPTER,
    PAUSE_HEADING,
    PAUSE_PARAGRAPH,
    PAUSE_SENTENCE,
    ScriptChapter,
    build_script,
    cited,
    reference_speech,
    spoken_text,
)
from editions.audio.speech_text import speakable, speech_alias
from editions.audio.synth import make_engine
from editions.model import Article, Cite, LexiconEntry, Styled, Text
from editions.source import article as source


@pytest.fixture(scope="module")
def main() -> Article:
    return source.load(MAIN)[0]


@pytest.fixture(scope="module")
def fixture() -> Article:
    return source.load(FIXTURE)[0]


def _spoken(script: tuple[ScriptChapter, ...]) -> list[str]:
    return [u.spoken for chapter in script for u in chapter.utterances]


SPOKEN = {
    "Take 1 to 5 mg a day.": "Take one to five milligrams a day.",
    "It costs $635 billion dollars.": "It costs six hundred thirty-five billion "
    "dollars.",
    "It costs $635 billion.": "It costs six hundred thirty-five billion dollars.",
    "Doe et al. found it.": "Doe and colleagues found it.",
    "LDN helps CRPS.": "L D N helps C R P S.",
    "It is FDA-approved.": "It is F D A-approved.",
    "In 1971, the FDA agreed.": "In nineteen seventy-one, the F D A agreed.",
    "From 1999 to 2018, 450,000 died.": "From nineteen ninety-nine to twenty "
    "eighteen, four hundred fifty thousand died.",
    "Take 1 mg, then 1-5 mg.": "Take one milligram, then one to five milligrams.",
    "About 50% pay $12.50.": "About fifty percent pay twelve dollars and fifty cents.",
    "Naltrexone is cheap.": "Nal-trex-own is cheap.",
    "See https://example.org/x now.": "See example dot org now.",
}


@pytest.mark.parametrize(("written", "spoken"), SPOKEN.items())
def test_speakable_says_numbers_units_money_and_terms(
    written: str, spoken: str, main: Article
) -> None:
    assert speakable(written, main.lexicon) == spoken


def test_stress_respellings_are_spoken_in_lower_case() -> None:
    # Engines spell all-capital syllables letter by letter ("T R E X").
    assert speech_alias("nal-TREX-own") == "nal-trex-own"
    assert speech_alias("L D N") == "L D N"
    assert speech_alias("Doctor") == "Doctor"
    entry = LexiconEntry("Zagon", "ZAY-gon", None)
    assert speakable("Dr. Zagon", (entry,)) == "Doctor zay-gon"


def test_the_lexicon_reaches_every_sentence_of_the_main_article(main: Article) -> None:
    spoken = _spoken(build_script(main))
    text = "\n".join(spoken)
    for entry in main.lexicon:
        assert entry.alias is not None
        pattern = rf"(?<!\w){re.escape(entry.grapheme)}(?!\w)"
        left = [s for s in spoken if re.search(pattern, s)]
        assert not left, f"{entry.grapheme!r} is still written in: {left[:2]}"
    assert "L D N" in text and "C R P S" in text and "F D A" in text
    assert "six hundred thirty-five billion dollars" in text
    assert "one to five milligrams" in text
    # Nothing an engine might misread is left: digits, currency, percent, units.
    misread = [s for s in spoken if re.search(r"\d|\$|%|\bmg\b|et al\.", s)]
    assert not misread


def test_title_author_headings_and_references_are_announced(fixture: Article) -> None:
    script = build_script(fixture)
    headings = [s.title_text for s in fixture.sections if s.level <= 2]
    assert [chapter.title for chapter in script] == headings
    for chapter in script:  # each chapter opens by saying its heading
        assert chapter.utterances[0].spoken == f"{chapter.title}."
        assert chapter.utterances[0].pause_after == PAUSE_HEADING
    opening = script[0].utterances
    assert opening[1].spoken == f"Written by {fixture.author}."
    references = script[-1]
    assert references.title == "References"
    said = [u.spoken for u in references.utterances[1:]]
    assert said == [
        "Doe, twenty twenty. Low doses in everyday practice. "
        "In Journal of Test Medicine.",
        "National Health Agency, twenty twenty-one. Taking medicines safely.",
        "Roe and Lee, twenty nineteen. Side effects of low-dose treatment. "
        "In Pain Research.",
    ]


def test_parenthetical_citations_are_said_briefly(fixture: Article) -> None:
    body = _spoken(build_script(fixture))[:-4]  # the reference list names them
    assert not [s for s in body if re.search(r"[()]|et al|&", s)]
    first = next(s for s in body if s.startswith("This short guide"))
    assert first == (
        "This short guide explains how to take a low dose of a medicine safely, "
        "see Doe, twenty twenty."
    )
    opening = next(
        u for c in build_script(fixture) for u in c.utterances if u.spoken == first
    )
    assert opening.asides == ("see Doe, twenty twenty",)  # optional words for ASR
    both = next(s for s in body if s.startswith("A small dose"))
    assert both.endswith("see Doe, twenty twenty, and Roe and Lee, twenty nineteen.")


@pytest.mark.parametrize(
    ("rendered", "said"),
    [
        ("(Doe, 2020)", ", see Doe, 2020,"),
        ("(Doe et al., 2020a, p. 4)", ", see Doe et al., 2020,"),
        ("(Roe & Lee, 2019; Doe, 2020)", ", see Roe & Lee, 2019, and Doe, 2020,"),
        ("(A, 2001; B, 2002; C, n.d.)", ", see A, 2001, B, 2002, and C, n.d.,"),
        ("(see Doe, 2020, pp. 3–5)", ", see Doe, 2020,"),
    ],
)
def test_the_citation_rule(rendered: str, said: str) -> None:
    assert cited(rendered) == said


def test_narrative_citations_keep_the_names() -> None:
    narrative = Cite("c1", ("doe",), (Text("Doe et al. (2020)"),))
    parenthetical = Cite("c2", ("roe",), (Text("(Roe & Lee, 2019)"),))
    inlines = (Text("As "), narrative, Text(" showed, it helps "), parenthetical)
    assert speakable(spoken_text((*inlines, Text(".")))) == (
        "As Doe and colleagues showed, it helps, see Roe and Lee, twenty nineteen."
    )


def test_pauses_mark_the_structure(main: Article, fixture: Article) -> None:
    assert PAUSE_SENTENCE < PAUSE_PARAGRAPH < PAUSE_HEADING < PAUSE_CHAPTER
    allowed = {PAUSE_SENTENCE, PAUSE_PARAGRAPH, PAUSE_HEADING, PAUSE_CHAPTER}
    for article in (main, fixture):
        for chapter in build_script(article):
            pauses = [u.pause_after for u in chapter.utterances]
            assert set(pauses) <= allowed
            assert pauses[-1] == PAUSE_CHAPTER
            assert PAUSE_CHAPTER not in pauses[:-1]


def test_gtts_speaks_the_article_language() -> None:
    british = make_engine("gtts", "en-GB")
    american = make_engine("gtts", "en-US")
    assert "tld=co.uk" in british.cache_key() and "lang=en" in british.cache_key()
    assert "tld=com" in american.cache_key()
    with pytest.raises(ValueError, match="unknown speech engine"):
        make_engine("festival")


def test_spoken_announcements_follow_lang(main: Article) -> None:
    """Issue 16: "see", "to the power", "crossed out", "and colleagues" per language."""
    assert cited("(Roe & Lee, 2019; Doe, 2020)", "fr") == (
        ", voir Roe & Lee, 2019, et Doe, 2020,"
    )
    inlines = (
        Text("10"),
        Styled("sup", (Text("9"),)),
        Text(" "),
        Styled("strikeout", (Text("deux"),)),
    )
    assert spoken_text(inlines, "fr") == "10 puissance 9  (barré : deux)"
    assert spoken_text(inlines, "en-GB") == "10 to the power 9  (crossed out: deux)"
    patten = next(r for r in main.references if r.key == "patten-2018")
    assert reference_speech(patten, "fr").startswith("Patten et collaborateurs, 2018.")
    assert reference_speech(patten).startswith("Patten and colleagues, 2018.")
