"""Large-print HTML: structure, self-containment, alt text (browser tests: issue 6)."""

from __future__ import annotations

import itertools

import lxml.html
from conftest import Built


def _tree(built: Built) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(built.paths["html"].read_bytes())


def test_language_title_and_one_h1(built: Built) -> None:
    tree = _tree(built)
    assert tree.get("lang") == built.article.lang
    assert tree.findtext(".//title") == built.article.title
    assert [h.text_content() for h in tree.iter("h1")] == [built.article.title]


def test_article_headings_in_order_without_skips(built: Built) -> None:
    tree = _tree(built)
    main = tree.get_element_by_id("main")
    found = [
        (int(h.tag[1]), h.get("id"), h.text_content())
        for h in main.iter("h1", "h2", "h3", "h4", "h5", "h6")
    ]
    assert found == list(built.article.headings)
    levels = [lvl for lvl, _, _ in found]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))


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
            assert element.tag == "a" and value.startswith(("https://", "http://")), (
                element.tag,
                value,
            )
    assert not list(tree.iter("link"))
    assert "url(http" not in built.paths["html"].read_text(encoding="utf-8")


def test_audio_player_and_chapters(built: Built) -> None:
    tree = _tree(built)
    players = list(tree.iter("audio"))
    assert len(players) == 1 and players[0].get("src") == built.paths["mp3"].name
    chapters = [a.text_content() for a in tree.find_class("chapters")[0].iter("a")]
    assert chapters == [s.title_text for s in built.article.sections if s.level <= 2]
