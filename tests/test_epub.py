"""EPUB edition: validators, nav, metadata from content, media overlays, bytes."""

from __future__ import annotations

import itertools
import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import Built
from lxml import etree

from editions.checks.ace import run_ace
from editions.checks.compare.read_epub import XHTML, package
from editions.checks.epubcheck import run_epubcheck
from editions.epub import overlays, render as epub
from editions.epub.nav import page_labels
from editions.facts import PageStarts, SentenceTiming, Timings

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "dc": "http://purl.org/dc/elements/1.1/",
    "smil": "http://www.w3.org/ns/SMIL",
}


def _read(built: Built, name: str) -> etree._Element:
    with zipfile.ZipFile(built.paths["epub"]) as book:
        return etree.fromstring(book.read(name))


def _spine(built: Built) -> dict[str, etree._Element]:
    """Return each content document (file name → tree) in spine order, nav left out."""
    with zipfile.ZipFile(built.paths["epub"]) as book:
        items, spine = package(book)
        return {
            items[i].path.removeprefix("EPUB/"): etree.fromstring(
                book.read(items[i].path)
            )
            for i in spine
            if items[i].media_type == XHTML and "nav" not in items[i].properties
        }


def _ids(built: Built) -> dict[str, set[str]]:
    return {name: set(tree.xpath("//@id")) for name, tree in _spine(built).items()}


def test_epubcheck_finds_nothing(built: Built) -> None:
    """EPUBCheck 5.3: no FATAL, ERROR or WARNING (a missing Java/jar raises)."""
    findings = run_epubcheck(built.paths["epub"])
    assert not findings, "\n".join(str(f) for f in findings)


def test_ace_finds_nothing(built: Built) -> None:
    """Ace by DAISY on the real EPUB: outcome pass, no violation of any impact."""
    findings = run_ace(built.paths["epub"])
    assert not findings, "\n".join(str(f) for f in findings)


def test_mimetype_is_first_and_stored(built: Built) -> None:
    with zipfile.ZipFile(built.paths["epub"]) as book:
        first = book.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED


def test_nav_toc_lists_every_heading_in_order(built: Built) -> None:
    nav = _read(built, "EPUB/nav.xhtml")
    links = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    expected = [(i, t) for _, i, t in built.article.headings[1:]]
    assert [(a.get("href").split("#")[1], a.text) for a in links] == expected
    ids = _ids(built)
    for a in links:  # each entry names the document that holds its heading
        file, target = a.get("href").split("#")
        assert target in ids[file], a.get("href")


def test_landmarks(built: Built) -> None:
    nav = _read(built, "EPUB/nav.xhtml")
    types = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert {"toc", "bodymatter", "bibliography"} <= set(types)


def test_page_list_matches_the_pdf_pages(built: Built) -> None:
    with pikepdf.open(built.paths["pdf"]) as pdf:
        pages = len(pdf.pages)
    nav = _read(built, "EPUB/nav.xhtml")
    targets = nav.xpath("//x:nav[@epub:type='page-list']//x:a/@href", namespaces=NS)
    assert len(targets) == pages
    documents = _spine(built)
    for href in targets:
        file, target = href.split("#")
        marker = documents[file].xpath(f"//*[@id='{target}']")
        assert marker and marker[0].get("role") == "doc-pagebreak"


def _metadata(built: Built) -> dict[str, list[str]]:
    opf = _read(built, "EPUB/content.opf")
    found: dict[str, list[str]] = {}
    for meta in opf.xpath("//opf:meta[@property]", namespaces=NS):
        found.setdefault(meta.get("property"), []).append(meta.text)
    return found


def test_accessibility_metadata_follows_the_content(built: Built) -> None:
    meta = _metadata(built)
    features = meta["schema:accessibilityFeature"]
    has_images = bool(built.article.figures)
    assert ("visual" in meta["schema:accessMode"]) == has_images
    assert "auditory" not in meta["schema:accessMode"]  # narration adapts the text
    assert ("alternativeText" in features) == has_images
    assert ("ttsMarkup" in features) == bool(built.article.lexicon)
    assert {"pageNavigation", "pageBreakMarkers", "synchronizedAudioText"} <= set(
        features
    )
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(features)
    assert "displayTransformability" in features
    assert len(features) == len(set(features))
    assert meta["schema:accessibilityHazard"] == ["none"]
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert meta["a11y:certifiedBy"]
    summary = meta["schema:accessibilitySummary"][0]
    assert ("image" in summary) == has_images and "narration" in summary
    assert built.paths["pdf"].name in meta["pageBreakSource"][0]
    assert "PDF edition" in meta["pageBreakSource"][0]


def test_fixture_and_main_get_different_values(
    built_all: dict[str, Built],
) -> None:
    main = _metadata(built_all["main"])
    fixture = _metadata(built_all["fixture"])
    assert main["schema:accessMode"] == ["textual"]
    assert sorted(fixture["schema:accessMode"]) == ["textual", "visual"]
    assert main["schema:accessModeSufficient"] == ["textual", "auditory"]
    assert fixture["schema:accessModeSufficient"] == [
        "textual",
        "textual,visual",
        "auditory",
    ]
    assert "alternativeText" not in main["schema:accessibilityFeature"]
    assert "alternativeText" in fixture["schema:accessibilityFeature"]
    assert main["schema:accessibilitySummary"] != fixture["schema:accessibilitySummary"]


def test_lexicon_is_shipped_as_pls_and_linked(built: Built) -> None:
    pls = _read(built, "EPUB/lexicon.pls")
    assert pls.tag == "{http://www.w3.org/2005/01/pronunciation-lexicon}lexicon"
    for content in _spine(built).values():
        links = content.xpath("//x:link[@rel='pronunciation']/@href", namespaces=NS)
        assert links == ["lexicon.pls"]


def test_fonts_are_embedded(built: Built) -> None:
    with zipfile.ZipFile(built.paths["epub"]) as book:
        names = book.namelist()
    assert any(n.endswith("AtkinsonHyperlegible-Regular.ttf") for n in names)


def test_page_facts_are_reused_not_reparsed(built: Built) -> None:
    facts = json.loads((built.out / f"{built.article.stem}.pages.json").read_text())
    nav = _read(built, "EPUB/nav.xhtml")
    hrefs = nav.xpath("//x:nav[@epub:type='page-list']//x:a/@href", namespaces=NS)
    documents = _spine(built)
    for number, sentence_id in enumerate(facts["page_starts"], start=1):
        file = hrefs[number - 1].split("#")[0]
        marker = documents[file].xpath(f"//*[@id='page-{number}']")[0]
        following = marker.getnext()
        while following is not None and following.get("role") == "doc-pagebreak":
            following = following.getnext()  # the markers of later pages, if any
        if sentence_id:
            assert following is not None and following.get("id") == sentence_id


def test_every_pdf_page_gets_a_marker_even_without_a_sentence_start() -> None:
    # Page 2 is a picture alone, page 3 continues one long sentence, page 5 is
    # after the last start: each is marked at the next start (the last one at the
    # last), so the page-list still lists every page in order.
    labels = page_labels(["s1", "", "", "s7", ""])
    assert labels == {"s1": ("1",), "s7": ("2", "3", "4", "5")}
    assert page_labels([]) == {}


# ---------------------------------------------------------------- media overlays


def _ms(clock: str) -> int:
    hours, minutes, seconds = clock.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


def _timings(built: Built) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(built.paths["timings"].read_text())
    return data


def _smils(built: Built) -> dict[str, etree._Element]:
    """Return each content document's overlay (document name → SMIL tree)."""
    with zipfile.ZipFile(built.paths["epub"]) as book:
        items, spine = package(book)
        return {
            items[i].path.removeprefix("EPUB/"): etree.fromstring(
                book.read(items[items[i].overlay].path)
            )
            for i in spine
            if items[i].overlay
        }


def _clips(built: Built) -> list[tuple[str, str, int, int]]:
    """Return (text src, audio src, begin ms, end ms) of every par, in audio order."""
    clips = [
        (
            par.find("smil:text", NS).get("src"),
            par.find("smil:audio", NS).get("src"),
            _ms(par.find("smil:audio", NS).get("clipBegin")),
            _ms(par.find("smil:audio", NS).get("clipEnd")),
        )
        for smil in _smils(built).values()
        for par in smil.iterfind(".//smil:par", NS)
    ]
    return sorted(clips, key=lambda clip: (clip[1], clip[2]))


def test_overlay_is_linked_from_the_package(built: Built) -> None:
    opf = _read(built, "EPUB/content.opf")
    for file in _spine(built):
        item = opf.xpath(f"//opf:item[@href='{file}']", namespaces=NS)[0]
        smil = opf.xpath(
            f"//opf:item[@id='{item.get('media-overlay')}']", namespaces=NS
        )
        assert smil and smil[0].get("media-type") == "application/smil+xml"
        assert smil[0].get("href") == file.replace(".xhtml", ".smil")
    audio = opf.xpath("//opf:item[@href='audio/article.mp3']", namespaces=NS)
    assert audio and audio[0].get("media-type") == "audio/mpeg"
    with zipfile.ZipFile(built.paths["epub"]) as book:
        embedded = book.read("EPUB/audio/article.mp3")
    assert embedded == built.paths["mp3"].read_bytes()


def test_every_sentence_is_read_in_the_audio_order(built: Built) -> None:
    """One par per timed sentence, same order, clips starting at the timings."""
    sentences = _timings(built)["sentences"]
    clips = _clips(built)
    assert len(clips) == len(sentences)
    for (src, audio, begin, _), timed in zip(clips, sentences, strict=True):
        assert src.split("#")[1] == timed["id"]
        assert audio == "audio/article.mp3"
        assert begin == round(timed["start"] * 1000)


def test_overlay_covers_all_text_and_targets_exist(built: Built) -> None:
    documents = _spine(built)
    targets = [src.split("#", 1)[1] for src, _, _, _ in _clips(built)]
    sentences = [
        i
        for c in documents.values()
        for i in c.xpath("//x:span[@class='s']/@id", namespaces=NS)
    ]
    figures = [
        i for c in documents.values() for i in c.xpath("//x:figure/@id", namespaces=NS)
    ]
    byline = [
        i
        for c in documents.values()
        for i in c.xpath("//x:p[@class='byline']/@id", namespaces=NS)
    ]
    assert len(sentences) > 10 and len(figures) == len(built.article.figures)
    assert byline == ["byline"]
    assert set(sentences) | set(figures) | set(byline) == set(targets)
    for file, smil in _smils(built).items():
        ids = set(documents[file].xpath("//@id"))
        assert smil.find("smil:body", NS).get(f"{{{NS['epub']}}}textref") == file
        for ref in smil.xpath("//smil:seq/@epub:textref", namespaces=NS):
            assert ref.split("#", 1)[0] == file and ref.split("#", 1)[1] in ids


def test_clips_are_contiguous_and_inside_the_audio(built: Built) -> None:
    clips = _clips(built)
    duration_ms = round(_timings(built)["duration"] * 1000)
    assert 0 <= clips[0][2]
    assert all(begin < end for _, _, begin, end in clips)
    # Across the documents' overlays too: a note's clips sit in the notes
    # document's overlay but where the audio reads them (end of its chapter).
    assert all(a[3] == b[2] for a, b in itertools.pairwise(clips))
    assert clips[-1][3] <= duration_ms


def test_media_durations_add_up(built: Built) -> None:
    opf = _read(built, "EPUB/content.opf")
    durations = opf.xpath("//opf:meta[@property='media:duration']", namespaces=NS)
    total = [_ms(m.text) for m in durations if m.get("refines") is None]
    items = {m.get("refines"): _ms(m.text) for m in durations if m.get("refines")}
    overlays_in_manifest = opf.xpath(
        "//opf:item[@media-type='application/smil+xml']/@id", namespaces=NS
    )
    assert set(items) == {f"#{i}" for i in overlays_in_manifest}
    played = sum(end - begin for _, _, begin, end in _clips(built))
    assert total == [sum(items.values())] == [played]
    # The narration is the whole audio edition bar its room tone.
    assert abs(played / 1000 - _timings(built)["duration"]) < 5


def test_active_class_is_declared_and_styled(built: Built) -> None:
    meta = _metadata(built)
    assert meta["media:active-class"] == [overlays.ACTIVE_CLASS]
    with zipfile.ZipFile(built.paths["epub"]) as book:
        css = book.read("EPUB/styles/epub.css").decode()
    rule = css.split(f".{overlays.ACTIVE_CLASS}", 1)[1].split("}", 1)[0]
    assert "background-color" in rule


def test_structures_are_escapable_and_notes_skippable(built: Built) -> None:
    smils = _smils(built)
    kinds = {
        seq.get(f"{{{NS['epub']}}}type"): seq.get(f"{{{NS['epub']}}}textref")
        for smil in smils.values()
        for seq in smil.iterfind(".//smil:seq", NS)
    }
    for figure in built.article.figures:
        found = [
            (file, seq)
            for file, smil in smils.items()
            for seq in smil.xpath(
                f"//smil:seq[@epub:textref='{file}#{figure.figure_id}']",
                namespaces=NS,
            )
        ]
        assert len(found) == 1
        file, seq = found[0]
        assert seq.get(f"{{{NS['epub']}}}type") == "figure"
        assert seq.xpath(
            f"smil:par/smil:text[@src='{file}#{figure.figure_id}']", namespaces=NS
        )
    assert ("footnote" in kinds) == bool(built.article.notes)


def test_timings_naming_missing_text_are_refused() -> None:
    timings = Timings(
        10.0,
        (),
        (SentenceTiming("s1", 1, 0.5, 2.0), SentenceTiming("s2", 1, 2.5, 4.0)),
    )
    assert [p.target for p in overlays.pars(timings, {"s1", "s2"}, {})] == [
        "s1",
        "s2",
    ]
    with pytest.raises(overlays.OverlayMismatch, match="s2"):
        overlays.pars(timings, {"s1"}, {})
    late = replace(timings, duration=3.0)
    with pytest.raises(overlays.OverlayMismatch, match="outside"):
        overlays.pars(late, {"s1", "s2"}, {})


# ---------------------------------------------------------------- reproducibility


def _inputs(built: Built) -> epub.EpubInputs:
    return epub.EpubInputs(
        pages=PageStarts.read(built.out / f"{built.article.stem}.pages.json"),
        audio=built.paths["mp3"],
        timings=Timings.read(built.paths["timings"]),
    )


def test_same_source_and_epoch_give_identical_bytes(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = epub.render(built.article, tmp_path / "a", _inputs(built))
    second = epub.render(built.article, tmp_path / "b", _inputs(built))
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
    modified = opf.xpath("//opf:meta[@property='dcterms:modified']", namespaces=NS)
    assert modified[0].text == "2023-11-14T22:13:20Z"
