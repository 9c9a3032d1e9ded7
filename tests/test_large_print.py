"""Large-print HTML markup: structure, self-containment, links, no-JS state.

What the page looks like and does in a browser is in test_large_print_browser.py.
"""

from __future__ import annotations

import itertools
import json
import re

import lxml.html
import pytest
from conftest import Built

from editions.facts import ChapterTime, Timings
from editions.large_print import controls, render as large_print
from editions.large_print.render import SCRIPT, LargePrintInputs
from editions.locale.labels import EN, FR, TABLES


def _tree(built: Built) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(built.paths["html"].read_bytes())


def _article_headings(main: lxml.html.HtmlElement) -> list[tuple[int, str, str]]:
    """Headings of the article itself: not the contents list or the listen box."""
    return [
        (int(h.tag[1]), h.get("id"), h.text_content())
        for h in main.iter("h1", "h2", "h3", "h4", "h5", "h6")
        if not h.xpath("ancestor::nav or ancestor::*[@id='listen']")
    ]


def test_language_title_and_one_h1(built: Built) -> None:
    tree = _tree(built)
    assert tree.get("lang") == built.article.lang
    assert tree.findtext(".//title") == built.article.title
    assert [h.text_content() for h in tree.iter("h1")] == [built.article.title]


def test_article_headings_in_order_without_skips(built: Built) -> None:
    tree = _tree(built)
    main = tree.get_element_by_id("main")
    assert _article_headings(main) == list(built.article.headings)
    every = [int(h.tag[1]) for h in main.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert every[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(every))


def test_every_image_has_alt_and_is_inlined(built: Built) -> None:
    tree = _tree(built)
    images = list(tree.iter("img"))
    assert len(images) == len(built.article.figures)
    for image, figure in zip(images, built.article.figures, strict=True):
        assert image.get("alt") == figure.alt
        assert image.get("src", "").startswith("data:image/")


def test_self_contained_no_external_references(built: Built) -> None:
    tree = _tree(built)
    audio = built.paths["mp3"].name
    for element in tree.iter():
        for name in ("src", "href"):
            value = element.get(name)
            if value is None or value.startswith(("data:", "#")) or value == audio:
                continue
            if re.fullmatch(re.escape(audio) + r"#t=\d+\.\d\d", value):
                continue  # a chapter link: the MP3 beside the page, at a time
            assert element.tag == "a" and value.startswith(("https://", "http://")), (
                element.tag,
                value,
            )
    assert not list(tree.iter("link"))
    assert not [s for s in tree.iter("script") if s.get("src")]
    text = built.paths["html"].read_text(encoding="utf-8")
    assert "url(http" not in text
    assert "@import" not in text


def test_audio_player_and_chapters(built: Built) -> None:
    tree = _tree(built)
    players = list(tree.iter("audio"))
    assert len(players) == 1 and players[0].get("src") == built.paths["mp3"].name
    assert players[0].get("controls") is not None
    links = list(tree.find_class("chapters")[0].iter("a"))
    titles = [s.title_text for s in built.article.sections if s.level <= 2]
    assert [a.text_content() for a in links] == titles
    chapters = json.loads(built.paths["timings"].read_text())["chapters"]
    # Without JavaScript a chapter link opens the MP3 at the chapter's start.
    assert [a.get("href") for a in links] == [
        f"{built.paths['mp3'].name}#t={c['start']:.2f}" for c in chapters
    ]


def test_timings_are_embedded_for_the_read_along(built: Built) -> None:
    tree = _tree(built)
    embedded = json.loads(tree.get_element_by_id("timings").text)
    assert embedded == json.loads(built.paths["timings"].read_text())
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    missing = [s["id"] for s in embedded["sentences"] if s["id"] not in ids]
    assert missing == [], "timed sentences the read-along cannot highlight"


def test_controls_are_hidden_until_the_script_runs(built: Built) -> None:
    tree = _tree(built)
    for element_id in ("settings", "player-controls", "dock"):
        assert tree.get_element_by_id(element_id).get("hidden") is not None
    # The only executable script is the page's own, inline, in <head>.
    scripts = [s for s in tree.iter("script") if s.get("type") != "application/json"]
    assert len(scripts) == 1 and scripts[0].getparent().tag == "head"
    assert scripts[0].text.strip() == SCRIPT.read_text(encoding="utf-8").strip()


def test_script_never_builds_markup_from_text() -> None:
    code = SCRIPT.read_text(encoding="utf-8")
    forbidden = [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "fetch(",
        "XMLHttpRequest",
        "import(",
    ]
    assert [word for word in forbidden if word in code] == []


def test_skip_link_and_back_to_top_have_targets(built: Built) -> None:
    tree = _tree(built)
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    skip = tree.find_class("skip-link")[0]
    assert skip.getparent().tag == "body" and skip.getprevious() is None
    assert skip.get("href")[1:] in ids
    back = tree.find_class("back-to-top")[0].find("a")
    assert back.get("href") == "#top" and "top" in ids
    toc = tree.get_element_by_id("contents")
    assert [a.get("href")[1:] for a in toc.iter("a")] == [
        s.section_id for s in built.article.sections if s.level == 2
    ]


def test_citations_link_to_references_and_back(built: Built) -> None:
    tree = _tree(built)
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    cites = list(built.article.citations())
    assert cites
    for cite in cites:
        span = tree.get_element_by_id(cite.cite_id)
        targets = [a.get("href")[1:] for a in span.iter("a")]
        assert targets and all(t in ids for t in targets), cite.cite_id
    for reference in built.article.references:
        entry = tree.get_element_by_id(reference.entry_id)
        back = [a.get("href")[1:] for a in entry.find_class("backlink")]
        expected = [c.cite_id for c in cites if reference.key in c.keys]
        assert back == expected, reference.key


def test_script_text_cannot_close_its_element(built: Built) -> None:
    timings = Timings(1.0, (ChapterTime("</script><b>x</b><!--", 0.0, 1.0),), ())
    page = large_print.page(
        built.article, LargePrintInputs(audio_name="a.mp3", timings=timings)
    )
    tree = lxml.html.fromstring(page.encode())
    assert json.loads(tree.get_element_by_id("timings").text) == timings.as_dict()
    assert not list(tree.iter("b"))


def test_audio_can_be_inlined(built_all: dict[str, Built]) -> None:
    built = built_all["fixture"]
    inputs = LargePrintInputs(
        audio_name=built.paths["mp3"].name,
        timings=Timings.read(built.paths["timings"]),
        audio_path=built.paths["mp3"],
        inline_audio=True,
    )
    tree = lxml.html.fromstring(large_print.page(built.article, inputs).encode())
    audio = next(tree.iter("audio"))
    assert audio.get("src").startswith("data:audio/mpeg;base64,")
    # No chapter link repeats the MP3: they go to the chapter's heading instead.
    links = [a.get("href") for a in tree.find_class("chapters")[0].iter("a")]
    assert links == [f"#{s.section_id}" for s in built.article.sections if s.level <= 2]
    with pytest.raises(ValueError, match="audio_path"):
        large_print.page(
            built.article, LargePrintInputs(audio_name="a.mp3", inline_audio=True)
        )


# ---------------------------------------------------------------- labels (issue 16)

_SAY = re.compile(r"\bsay\(\s*\"([^\"]+)\"")
_PLURAL = re.compile(r"\bplural\(\s*\"([^\"]+)\"")
_FALLBACK = re.compile(r"const FALLBACK = (\{.*?\});", re.S)


def _script_keys() -> tuple[set[str], set[str], str]:
    """Return the label keys large-print.js says, its plural keys, and its code."""
    code = SCRIPT.read_text(encoding="utf-8")
    said, plurals = set(_SAY.findall(code)), set(_PLURAL.findall(code))
    # Every call names its key literally, so this list is the script's whole need.
    calls = len(re.findall(r"\bsay\(", code)) - code.count("function say(")
    assert calls == len(_SAY.findall(code)), "a say() call without a literal key"
    calls = len(re.findall(r"\bplural\(", code)) - code.count("function plural(")
    assert calls == len(_PLURAL.findall(code)), "a plural() call without a literal key"
    return said, plurals, code


def test_every_label_the_script_says_is_in_every_language_table() -> None:
    said, plurals, code = _script_keys()
    assert {"play", "pause", "time.of", "error.unloaded"} <= said
    assert plurals == {"time.minute", "time.second"}
    # The page ships exactly what the script asks for.
    assert said == set(controls.SCRIPT_LABELS)
    assert plurals == set(controls.SCRIPT_PLURALS)
    needed = said | {f"{key}.{form}" for key in plurals for form in ("one", "other")}
    languages = {tag: table for tag, table in TABLES.items() if "-" not in tag}
    assert {"en", "fr"} <= set(languages)
    missing = {tag: sorted(needed - set(table)) for tag, table in languages.items()}
    assert {tag: keys for tag, keys in missing.items() if keys} == {}
    # The last-resort English in the script is the English table, word for word.
    match = _FALLBACK.search(code)
    assert match, "large-print.js has no FALLBACK object"
    fallback = json.loads(match[1])
    assert fallback == {key: EN[key] for key in sorted(needed)}


def test_the_script_writes_no_english_of_its_own() -> None:
    """Outside FALLBACK, no string in large-print.js reads like English words."""
    _, _, code = _script_keys()
    code = _FALLBACK.sub("", code)
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", code, flags=re.S)
    code = _PLURAL.sub("plural(", _SAY.sub("say(", code))  # the keys are no words
    templates = re.findall(r"`([^`]*)`", code)
    texts = [re.sub(r"\$\{[^}]*\}", " ", text) for text in templates]
    code = re.sub(r"`[^`]*`", "", code)
    texts += [a or b for a, b in re.findall(r"\"([^\"\n]*)\"|'([^'\n]*)'", code)]
    assert len(texts) > 40, "found too few strings: the parse is broken"
    english = re.compile(r"\b[A-Z][a-z]+\b|\b(of|the|and|could|not|seconds?)\b")
    assert [text for text in texts if english.search(text)] == []


def test_the_french_page_carries_french_labels(french_built: Built) -> None:
    tree = _tree(french_built)
    assert tree.get("lang") == "fr-FR"
    data = json.loads(tree.get_element_by_id("labels").text)
    assert data == controls.script_labels("fr-FR")
    for key, text in FR.items():
        if key in data:
            assert data[key] == text, key
    assert data["play"] == "Lecture" and data["time.of"] == "{now} sur {total}"
    assert data["time.second.other"] == "{n} secondes"
    assert set(data) >= set(controls.SCRIPT_LABELS)
    # What the page says before the script runs is French too.
    clock = tree.get_element_by_id("clock").text_content()
    assert re.fullmatch(r"0:00 sur \d+:\d\d", clock), clock
    options = [o.text_content() for o in tree.get_element_by_id("speed").iter("option")]
    assert options == [FR[f"speed.{value}"] for value in controls.SPEEDS]
    download = tree.find_class("download")[0].text_content()
    assert download.endswith("(MP3, moins de 1 Mo)"), download
    buttons = [b.text_content() for b in tree.iter("button")]
    assert "Lecture" in buttons and "Play" not in buttons
    for element in tree.xpath("//style | //script"):
        element.drop_tree()
    named = ("aria-label", "title", "alt")
    visible = tree.text_content() + " ".join(
        e.get(a) for a in named for e in tree.iter() if e.get(a)
    )
    for english in (" of ", "Slower", "under 1 MB", "Play", "Reading settings"):
        assert english not in visible, english


def test_a_table_without_caption_is_named_in_the_page_language(
    french_built: Built,
) -> None:
    html = '<table id="t">\n<tr><td>1</td></tr></table>'
    assert 'aria-label="Tableau"' in large_print._scrolling_tables(html, "fr")
    assert 'aria-label="Table"' in large_print._scrolling_tables(html, "en-GB")
