"""Issue 22, long audio: MP3 parts of at most the part limit, in the EPUB and the page.

The fixture article, read by the null engine (silence of each sentence's length:
about 2.7 minutes), is built with a part limit of one minute: five parts, cut where
chapters meet, and one chapter longer than a part cut between sentences. The same
article at the default limit (120 minutes) is one MP3.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURE
from lxml import etree, html
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from playwright.sync_api import Browser

from editions import build as pipeline, registry, state
from editions.audio.parts import PART_MINUTES
from editions.checks import browser, names, run as check
from editions.checks.audio_parts import check_parts
from editions.checks.epubcheck import run_epubcheck
from editions.facts import FactsError, Timings
from editions.pdf.listen import may_come_in_parts

LIMIT = 1.0  # minutes a part: the fixture gets five parts
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "smil": "http://www.w3.org/ns/SMIL",
}


@dataclass(frozen=True)
class LongBook:
    out: Path
    paths: dict[str, Path]
    timings: Timings
    parts: list[Path]


def _options(cache: Path, only: tuple[str, ...], minutes: float | None) -> object:
    return pipeline.BuildOptions(
        only=only,
        tts="null",
        cache_dir=cache,
        audio_part_minutes=minutes,
        progress=False,
        report=lambda line: None,
    )


def _parts(paths: dict[str, Path]) -> list[Path]:
    keys = sorted(
        (k for k in paths if re.fullmatch(r"part\d+", k)), key=lambda k: int(k[4:])
    )
    return [paths[k] for k in keys]


@pytest.fixture(scope="module")
def long_book(tmp_path_factory: pytest.TempPathFactory, speech_cache: Path) -> LongBook:
    """The fixture's EPUB and page (and the audio, PDF they reuse) in parts."""
    out = tmp_path_factory.mktemp("long-book")
    options = _options(speech_cache, ("epub", "html"), LIMIT)
    paths = pipeline.run(FIXTURE, out, options)  # type: ignore[arg-type]
    return LongBook(out, paths, Timings.read(paths["timings"]), _parts(paths))


# ---------------------------------------------------------------- the audio


def test_parts_are_at_most_the_limit_and_cut_where_chapters_meet(
    long_book: LongBook,
) -> None:
    timings, parts = long_book.timings, long_book.parts
    assert len(parts) >= 2
    assert [p.name for p in parts] == [
        f"article-part{n}.mp3" for n in range(1, len(parts) + 1)
    ]
    assert [p.file for p in timings.parts] == [p.name for p in parts]
    assert not (long_book.out / "article.mp3").exists()  # parts instead
    assert "mp3" not in long_book.paths
    for part, path in zip(timings.parts, parts, strict=True):
        length = MP3(path).info.length
        assert length <= LIMIT * 60, path.name
        # mutagen counts the coded frames: the decoded length plus codec padding.
        assert 0 <= length - part.duration < 0.08
    # Every part but a continued chapter's starts on a chapter's first sentence.
    first_of_chapter = {}
    for s in timings.sentences:
        first_of_chapter.setdefault(s.chapter, s.sentence_id)
    continued = 0
    for before, part in zip(timings.parts, timings.parts[1:], strict=False):
        if part.chapters[0] == before.chapters[-1]:
            continued += 1  # a chapter longer than a part, cut between sentences
        else:
            assert part.first_sentence == first_of_chapter[part.chapters[0]]
    assert continued == 1  # the fixture's second chapter is longer than a minute
    assert (long_book.out / "article-chapters").is_dir()


def test_parts_carry_their_chapters_and_say_which_part(long_book: LongBook) -> None:
    timings, parts = long_book.timings, long_book.parts
    title = long_book.timings.chapters[0].title  # the article's title is chapter 1
    total = len(parts)
    for n, (part, path) in enumerate(zip(timings.parts, parts, strict=True), 1):
        tags = ID3(path)
        assert tags["TIT2"].text == [f"{title} (part {n} of {total})"]
        assert tags["TALB"].text == [title]
        assert tags["TRCK"].text == [f"{n}/{total}"]
        chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
        assert [c.sub_frames["TIT2"].text[0] for c in chaps] == [
            timings.chapters[c - 1].title for c in part.chapters
        ]
        assert chaps[0].start_time == 0
        assert abs(chaps[-1].end_time - MP3(path).info.length * 1000) <= 50
        (toc,) = tags.getall("CTOC")
        assert list(toc.child_element_ids) == [c.element_id for c in chaps]


def test_the_m4b_stays_one_file_with_every_chapter(long_book: LongBook) -> None:
    m4b = MP4(long_book.paths["m4b"])
    chapters = [(c.title, c.start) for c in m4b.chapters]
    assert [t for t, _ in chapters] == [c.title for c in long_book.timings.chapters]
    for (_, start), chapter in zip(chapters, long_book.timings.chapters, strict=True):
        assert start == pytest.approx(chapter.start, abs=0.06)
    assert m4b.info.length == pytest.approx(long_book.timings.duration, abs=0.2)


def test_part_times_are_the_book_times_shifted(long_book: LongBook) -> None:
    """A sentence's time in its part is its book time less where the part starts."""
    timings = long_book.timings
    where = timings.part_of()
    for s, index, start, end in timings.heard():
        part = timings.parts[index]
        assert where[s.sentence_id] == index
        assert start == pytest.approx(s.start - part.start, abs=0.002)
        assert 0 <= start < end <= part.duration + 0.001
        assert s.chapter in part.chapters


def test_a_rebuild_with_fewer_parts_removes_the_rest(
    tmp_path: Path, speech_cache: Path
) -> None:
    out = tmp_path / "build"
    one = pipeline.run(FIXTURE, out, _options(speech_cache, ("audio",), None))  # type: ignore[arg-type]
    assert one["mp3"].is_file() and not _parts(one)
    assert not list(out.glob("article-part*.mp3"))
    assert Timings.read(one["timings"]).parts == ()
    assert MP3(one["mp3"]).info.length < PART_MINUTES * 60

    many = _parts(pipeline.run(FIXTURE, out, _options(speech_cache, ("audio",), 0.5)))  # type: ignore[arg-type]
    assert len(many) >= 3
    assert not (out / "article.mp3").exists()  # the one-file book is gone

    fewer = pipeline.run(FIXTURE, out, _options(speech_cache, ("audio",), LIMIT))  # type: ignore[arg-type]
    kept = _parts(fewer)
    assert 2 <= len(kept) < len(many)
    assert sorted(out.glob("article-part*.mp3")) == sorted(kept)
    record = state.load(out, "article").editions["audio"]
    assert sorted(k for k in record.paths if k.startswith("part")) == sorted(
        f"part{n}" for n in range(1, len(kept) + 1)
    )
    manifest_files = {f.path for f in record.files}
    assert {p.name for p in kept} <= manifest_files
    assert not any(
        name.startswith("article-part")
        for name in manifest_files - {p.name for p in kept}
    )


# ---------------------------------------------------------------- the EPUB


def test_epub_overlay_plays_each_sentence_from_its_part(long_book: LongBook) -> None:
    timings = long_book.timings
    with zipfile.ZipFile(long_book.paths["epub"]) as book:
        names_ = book.namelist()
        smils = [etree.fromstring(book.read(n)) for n in names_ if n.endswith(".smil")]
        opf = etree.fromstring(book.read("EPUB/content.opf"))
    for part in timings.parts:
        assert f"EPUB/audio/{part.file}" in names_
    hrefs = opf.xpath("//opf:item[@media-type='audio/mpeg']/@href", namespaces=NS)
    assert hrefs == [f"audio/{p.file}" for p in timings.parts]
    clips = {
        par.xpath("smil:text/@src", namespaces=NS)[0].split("#")[1]: (
            par.xpath("smil:audio/@src", namespaces=NS)[0],
            par.xpath("smil:audio/@clipBegin", namespaces=NS)[0],
        )
        for smil in smils
        for par in smil.xpath("//smil:par", namespaces=NS)
    }
    assert len(clips) == len(timings.sentences)
    for s, index, start, _ in timings.heard():
        src, begin = clips[s.sentence_id]
        assert src == f"audio/{timings.parts[index].file}", s.sentence_id
        h, m, sec = begin.split(":")
        assert int(h) * 3600 + int(m) * 60 + float(sec) == pytest.approx(
            start, abs=0.002
        )


def test_epub_with_parts_passes_epubcheck(long_book: LongBook) -> None:
    assert run_epubcheck(long_book.paths["epub"]) == []


# ---------------------------------------------------------------- the page


def test_page_lists_the_parts_and_links_chapters_into_them(long_book: LongBook) -> None:
    timings = long_book.timings
    page = html.parse(str(long_book.paths["html"]))
    links = page.xpath("//ol[contains(@class,'parts')]//a[@download]")
    assert [a.get("href") for a in links] == [p.file for p in timings.parts]
    for n, (a, part) in enumerate(zip(links, timings.parts, strict=True)):
        first = timings.chapters[part.chapters[0] - 1].title
        cut = n > 0 and part.chapters[0] == timings.parts[n - 1].chapters[-1]
        heading = f"{first} (continued)" if cut else first
        assert a.text_content().startswith(f"Part {n + 1} of {len(links)}: {heading}")
    assert page.xpath("//audio[@id='audio']/@src") == [timings.parts[0].file]
    for link, chapter in zip(
        page.xpath("//ol[@class='chapters']//a"), timings.chapters, strict=True
    ):
        target, time = link.get("href").split("#t=")
        holder = [p for p in timings.parts if p.start <= chapter.start + 0.001][-1]
        assert target == holder.file
        assert float(time) == pytest.approx(chapter.start - holder.start, abs=0.01)
        assert float(link.get("data-start")) == pytest.approx(chapter.start, abs=0.001)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with browser.launch_browser() as shared:
        yield shared


def test_player_plays_the_right_part_and_carries_on(
    long_book: LongBook, chromium: Browser
) -> None:
    timings = long_book.timings
    cue = next(s for s, index, _, _ in timings.heard() if index == 3)
    with browser.open_page(
        long_book.paths["html"], browser=chromium, reduced_motion="reduce"
    ) as opened:
        page = opened.page
        page.evaluate(
            """t => {
                const slider = document.getElementById('position');
                slider.value = String(t);
                slider.dispatchEvent(new Event('input'));
            }""",
            (cue.start + cue.end) / 2,
        )
        page.wait_for_function(
            "id => document.getElementById(id)?.classList.contains('speaking')",
            arg=cue.sentence_id,
            timeout=15_000,
        )
        src = page.evaluate("document.getElementById('audio').currentSrc")
        assert src.endswith("/" + timings.parts[3].file)
        # Near the end of part 1: playing on moves into part 2 by itself.
        page.evaluate(
            """t => {
                const slider = document.getElementById('position');
                slider.value = String(t);
                slider.dispatchEvent(new Event('input'));
            }""",
            int(timings.parts[1].start) - 1,
        )
        page.wait_for_function(
            "f => document.getElementById('audio').currentSrc.endsWith('/' + f)",
            arg=timings.parts[0].file,
            timeout=15_000,
        )
        page.click("#player-controls [data-action=play]")
        # Part 2's first sentence, once it is heard (before it: the pause after
        # part 1's last sentence, which stays highlighted).
        second, _, local, _ = next(h for h in timings.heard() if h[1] == 1)
        page.wait_for_function(
            """([f, t]) => {
                const a = document.getElementById('audio');
                const playing = !a.paused && a.currentTime > t;
                return a.currentSrc.endsWith('/' + f) && playing;
            }""",
            arg=[timings.parts[1].file, local + 0.2],
            timeout=20_000,
        )
        page.evaluate("document.getElementById('audio').pause()")
        speaking = page.evaluate(
            "[...document.querySelectorAll('.speaking')].map(e => e.id)"
        )
        assert speaking == [second.sentence_id]


# ---------------------------------------------------------------- invoke check


def test_check_reads_the_parts_back(long_book: LongBook) -> None:
    only = (
        names.AUDIO_PARTS,
        names.NAVIGATION,
        names.TIMED_SENTENCES,
        names.FRONT_MATTER,
    )
    report = check.run(FIXTURE, long_book.out, check.CheckOptions(only=only))
    runs = [r for r in report.runs if r.edition == "audio"]
    assert {r.check for r in runs if r.ran} >= set(only)
    assert [f for r in runs for f in r.findings] == []
    front = [r for r in runs if r.check == names.FRONT_MATTER]
    assert len(front) == len(long_book.parts)  # every part's tags, not a missing MP3
    page = (long_book.out / "report.html").read_text(encoding="utf-8")
    for part in long_book.parts:
        assert f">{part.name}</a>" in page
    assert ">article.mp3</a>" not in page


def _copy(long_book: LongBook, folder: Path) -> tuple[Path, list[Path]]:
    """Copy the timings and parts, to damage them."""
    timings = Path(shutil.copy(long_book.paths["timings"], folder))
    return timings, [Path(shutil.copy(p, folder)) for p in long_book.parts]


def test_check_parts_passes_and_finds_each_fault(
    long_book: LongBook, tmp_path: Path
) -> None:
    timings, parts = _copy(long_book, tmp_path)
    book = tmp_path / "article.mp3"
    assert check_parts(timings, parts, book, LIMIT) == []

    codes = [f.code for f in check_parts(timings, parts, book, 0.25)]
    assert "CHK095" in codes  # a part of nearly a minute, over 15 s

    assert {f.code for f in check_parts(timings, parts[:-1], book, LIMIT)} == {"CHK097"}
    shutil.copy(parts[0], book)  # a stale one-file book beside the parts
    assert [f.code for f in check_parts(timings, parts, book, LIMIT)] == ["CHK097"]
    book.unlink()

    data = json.loads(timings.read_text(encoding="utf-8"))
    data["parts"][0]["chapters"], data["parts"][1]["chapters"] = (
        data["parts"][1]["chapters"],
        data["parts"][0]["chapters"],
    )
    timings.write_text(json.dumps(data), encoding="utf-8")
    assert {f.code for f in check_parts(timings, parts, book, LIMIT)} == {"CHK096"}


def test_the_check_holds_parts_to_the_limit_the_build_was_given(
    long_book: LongBook, tmp_path: Path
) -> None:
    """`invoke check` passes no limit: it reads the build's from the timings."""
    timings, parts = _copy(long_book, tmp_path)
    book = tmp_path / "article.mp3"
    assert Timings.read(timings).part_minutes == LIMIT
    assert check_parts(timings, parts, book) == []
    data = json.loads(timings.read_text(encoding="utf-8"))
    data["part_minutes"] = 0.25  # as if the build had been asked for 15 s parts
    timings.write_text(json.dumps(data), encoding="utf-8")
    assert "CHK095" in {f.code for f in check_parts(timings, parts, book)}


def test_a_part_over_the_limit_is_a_build_warning(
    long_book: LongBook, tmp_path: Path
) -> None:
    """Only a sentence longer than a part makes one; the build says so (AUD040)."""
    from editions.audio.step import _warn_long_parts

    said: list[str] = []
    quiet = pipeline.BuildOptions(audio_part_minutes=LIMIT, report=said.append)
    _warn_long_parts(long_book.paths["timings"], quiet, "article.md")
    assert said == []
    strict = pipeline.BuildOptions(audio_part_minutes=0.25, report=said.append)
    _warn_long_parts(long_book.paths["timings"], strict, "article.md")
    long_parts = [p.file for p in long_book.timings.parts if p.duration > 15]
    assert long_parts
    assert [line.split(" plays")[0] for line in said] == [
        f"article.md: warning AUD040: {name}" for name in long_parts
    ]


def test_timings_keep_their_parts_and_refuse_foreign_ones(long_book: LongBook) -> None:
    timings = long_book.timings
    again = Timings.from_json(timings.to_json())
    assert again == timings and len(again.parts) == len(long_book.parts)
    data = json.loads(timings.to_json())
    data["parts"][0]["first_sentence"] = "nowhere"
    with pytest.raises(FactsError):
        Timings.from_json(json.dumps(data))
    del data["parts"]  # a one-file book's timings: no parts, one file
    assert Timings.from_json(json.dumps(data)).part_of() == {}


def test_registry_names_numbered_parts_in_order(tmp_path: Path) -> None:
    part = registry.BY_NAME["audio"].output("part")
    for name in (
        "a-part10.mp3",
        "a-part2.mp3",
        "a-part1.mp3",
        "a-part.mp3",
        "b-part3.mp3",
    ):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "a-part0.mp3").write_bytes(b"")
    found = part.paths(tmp_path, "a")
    assert list(found) == ["part1", "part2", "part10"]
    assert [p.name for p in found.values()] == [
        "a-part1.mp3",
        "a-part2.mp3",
        "a-part10.mp3",
    ]
    assert part.members(["mp3", "part10", "part2", "partx", "part1"]) == [
        "part1",
        "part2",
        "part10",
    ]
    outputs = registry.outputs(tmp_path, "a")
    assert outputs["mp3"] == tmp_path / "a.mp3" and "part10" in outputs


def test_the_pdf_listen_link_opens_the_page_that_plays_the_parts(
    long_book: LongBook,
) -> None:
    """No `{stem}.mp3` is published for a book in parts: the QR code and the printed
    link open the large-print page, which lists the parts and plays across them."""
    import pikepdf

    with pikepdf.open(long_book.paths["pdf"]) as pdf:
        uris = [
            str(a.A.URI)
            for page in pdf.pages
            for a in page.get("/Annots", [])
            if "/A" in a and "/URI" in a.A
        ]
    page = long_book.paths["html"].name
    assert any(u.endswith("/" + page) for u in uris), uris
    assert not [u for u in uris if u.endswith(".mp3")], uris
    assert long_book.paths["html"].is_file()


def test_a_short_article_may_not_come_in_parts_and_a_long_one_may() -> None:
    assert not may_come_in_parts(words=2_000, part_minutes=PART_MINUTES)
    assert may_come_in_parts(
        words=12_000, part_minutes=PART_MINUTES
    )  # 100 min at 120 wpm
    assert may_come_in_parts(words=200, part_minutes=LIMIT)  # the fixture's case


def test_check_finds_a_pdf_that_links_the_unpublished_book_mp3(
    long_book: LongBook, tmp_path: Path
) -> None:
    """The PDF guesses from the words whether the audio comes in parts: `invoke
    check` catches a wrong guess (a link to `{stem}.mp3`, which is not published)."""
    import pikepdf

    paths = long_book.paths
    book = long_book.out / f"{FIXTURE.stem}.mp3"  # not published: the book is in parts
    assert (
        check_parts(paths["timings"], long_book.parts, book, pdfs=[paths["pdf"]]) == []
    )
    wrong = tmp_path / "guessed-wrong.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[0, 0, 10, 10],
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=f"https://x.org/l/{book.name}"),
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([link]))
    pdf.save(wrong)
    found = check_parts(paths["timings"], long_book.parts, book, pdfs=[wrong])
    assert [f.code for f in found] == ["CHK097"], found
    assert book.name in found[0].message
