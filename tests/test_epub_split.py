"""Issue 22, the EPUB: one XHTML per chapter, each with its own media overlay.

Every link, nav entry, page-list entry and overlay names the document that holds its
target; these tests resolve each one in the file it names, read from the built EPUB.
"""

from __future__ import annotations

import shutil
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from conftest import Built
from lxml import etree

from editions.checks.compare import epub_links
from editions.checks.compare.read_epub import XHTML, package
from editions.epub.documents import locate, plan
from editions.epub.nav import page_labels
from editions.facts import PageStarts

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "smil": "http://www.w3.org/ns/SMIL",
}


def _book(built: Built) -> tuple[list[str], dict[str, etree._Element], dict[str, str]]:
    """Return the spine's content files, every XHTML tree, and file → its SMIL."""
    with zipfile.ZipFile(built.paths["epub"]) as book:
        items, spine = package(book)
        trees = {
            i.path.removeprefix("EPUB/"): etree.fromstring(book.read(i.path))
            for i in items.values()
            if i.media_type == XHTML
        }
        smils = {
            i.path.removeprefix("EPUB/"): book.read(items[i.overlay].path).decode()
            for i in items.values()
            if i.overlay
        }
    content = [
        items[i].path.removeprefix("EPUB/")
        for i in spine
        if items[i].media_type == XHTML and "nav" not in items[i].properties
    ]
    return content, trees, smils


def test_spine_has_one_document_per_chapter(built: Built) -> None:
    content, trees, _ = _book(built)
    before, bibliography, after = built.article.parts()
    chapters = [s.title_text for s in before if s.level == 2]
    assert len(chapters) >= 2 and bibliography is not None
    expected = ["front.xhtml"] + [
        f"chapter-{n:02d}.xhtml" for n in range(1, len(chapters) + 1)
    ]
    expected += ["notes.xhtml"] if built.article.notes else []
    expected += ["references.xhtml"]
    expected += [
        f"chapter-{n:02d}.xhtml"
        for n in range(len(chapters) + 1, len(chapters) + 1 + len(after))
    ]
    assert content == expected
    # Each chapter document holds exactly its chapter: one h2, the chapter's title.
    shown = []
    for name in content:
        h2 = trees[name].xpath("//x:h2", namespaces=NS)
        if name.startswith("chapter-"):
            assert len(h2) == 1, name
            shown.append("".join(h2[0].itertext()))
    assert shown == chapters + [s.title_text for s in after]
    front = trees["front.xhtml"]
    assert front.xpath("//x:h1", namespaces=NS) and not front.xpath(
        "//x:h2", namespaces=NS
    )
    assert trees["references.xhtml"].xpath(
        "//x:section[@epub:type='bibliography']//x:li", namespaces=NS
    )


def test_every_href_resolves_in_the_file_it_names(built: Built) -> None:
    _, trees, smils = _book(built)
    ids = {name: set(tree.xpath("//@id")) for name, tree in trees.items()}
    checked = Counter()
    for name, tree in trees.items():  # the content documents and the nav
        for href in tree.xpath("//x:a/@href", namespaces=NS):
            parts = urlsplit(href)
            if parts.scheme:
                continue
            file = parts.path or name
            assert file in ids, f"{name}: {href}"
            assert parts.fragment in ids[file], f"{name}: {href}"
            checked["cross" if file != name else "same"] += 1
    assert checked["cross"] > 5  # nav, citations, note calls leave their document
    for name, smil in smils.items():
        root = etree.fromstring(smil.encode())
        refs = root.xpath("//smil:text/@src | //@epub:textref", namespaces=NS)
        for ref in refs:
            file, _, fragment = ref.partition("#")
            assert file == name, f"the overlay of {name} reads {ref}"
            assert not fragment or fragment in ids[file], ref
    assert epub_links.broken_links(built.paths["epub"]) == []


def test_each_overlay_reads_every_sentence_of_its_document_once(built: Built) -> None:
    content, trees, smils = _book(built)
    assert set(smils) == set(content)  # every content document is narrated
    narrated = (
        "//x:*[@class='s' or @class='byline' or @class='subtitle']/@id"
        " | //x:section[@id='abstract']/@id | //x:figure/@id"
    )
    for name in content:
        root = etree.fromstring(smils[name].encode())
        read = Counter(
            src.split("#", 1)[1]
            for src in root.xpath("//smil:par/smil:text/@src", namespaces=NS)
        )
        assert read and max(read.values()) == 1, name
        assert set(read) == set(trees[name].xpath(narrated, namespaces=NS)), name


def test_page_list_names_the_file_that_holds_each_marker(built: Built) -> None:
    content, trees, _ = _book(built)
    hrefs = trees["nav.xhtml"].xpath(
        "//x:nav[@epub:type='page-list']//x:a/@href", namespaces=NS
    )
    starts = PageStarts.read(built.out / f"{built.article.stem}.pages.json").starts
    assert len(hrefs) == len(starts)
    files = set()
    for href in hrefs:
        file, _, marker = href.partition("#")
        holders = [n for n in content if trees[n].xpath(f"//*[@id='{marker}']")]
        assert holders == [file], href
        files.add(file)
    assert len(files) > 1  # the pages really spread over the chapters


def test_the_id_map_from_the_model_matches_the_documents(built: Built) -> None:
    """`documents.locate` (model only) names the file each id is found in."""
    content, trees, _ = _book(built)
    starts = PageStarts.read(built.out / f"{built.article.stem}.pages.json").starts
    where = locate(built.article, plan(built.article), page_labels(starts))
    found = {i: name for name in content for i in trees[name].xpath("//@id")}
    assert where == found


def test_a_link_to_the_wrong_document_is_found(
    built_all: dict[str, Built], tmp_path: Path
) -> None:
    source = built_all["fixture"].paths["epub"]
    broken = tmp_path / "article.epub"
    shutil.copy(source, broken)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(broken, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "EPUB/chapter-01.xhtml":
                text = data.decode()
                assert 'href="notes.xhtml#fn1"' in text
                data = text.replace("notes.xhtml#fn1", "chapter-02.xhtml#fn1").encode()
            out.writestr(info, data)
    problems = epub_links.broken_links(broken)
    assert len(problems) == 1 and "chapter-02.xhtml has no id 'fn1'" in problems[0]
    assert [f.code for f in epub_links.check(broken)] == ["CHK099"]
