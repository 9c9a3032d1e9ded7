"""An article whose file and folder names hold a space, `#` and `?` still links up.

Edition files take the article's name, so every link to them (the large-print
page's player, the EPUB's audio, the PDF's listen link) must be URL-quoted, or a
`#` starts a fragment and a `?` a query and the link misses.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html
import pikepdf
import pytest

from editions import build as pipeline

GOOD = Path(__file__).resolve().parent / "data" / "good"
STEM = "sleep plan #2"


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """Build the fixture article renamed, in a folder with an odd name, once."""
    folder = tmp_path_factory.mktemp("odd") / "leaflets #1 ?draft"
    shutil.copytree(GOOD, folder)
    (folder / "article.md").rename(folder / f"{STEM}.md")
    out = folder / "build #1"
    options = pipeline.BuildOptions(
        tts="null", large_print_pdf=False, report=lambda line: None
    )
    return out, pipeline.run(folder / f"{STEM}.md", out, options)


def _local(links: list[str]) -> list[str]:
    return [x for x in links if not x.startswith(("#", "http", "data:", "mailto:"))]


def test_large_print_player_links_reach_the_mp3(
    odd: tuple[Path, dict[str, Path]],
) -> None:
    out, paths = odd
    page = lxml.html.fromstring(paths["html"].read_bytes())
    links = _local(page.xpath("//a/@href | //audio/@src | //track/@src"))
    assert len(links) >= 3, links
    for link in links:
        parts = urlsplit(link)
        assert parts.query == "", link
        assert (out / unquote(parts.path)) == paths["mp3"], link


def test_epub_audio_has_a_safe_name_every_reference_reaches(
    odd: tuple[Path, dict[str, Path]],
) -> None:
    _out, paths = odd
    with zipfile.ZipFile(paths["epub"]) as epub:
        names = set(epub.namelist())
        assert all(re.fullmatch(r"[A-Za-z0-9._/-]+", n) for n in names), names
        opf = lxml.etree.fromstring(epub.read("EPUB/content.opf"))
        smil = "".join(  # one overlay per content document
            epub.read(n).decode("utf-8") for n in sorted(names) if n.endswith(".smil")
        )
    hrefs = opf.xpath("//*[local-name()='item']/@href")
    assert all(f"EPUB/{unquote(h)}" in names for h in hrefs), hrefs
    audio = set(re.findall(r'<audio src="([^"]+)"', smil))
    assert len(audio) == 1 and f"EPUB/{audio.pop()}" in names


def test_pdf_listen_link_is_quoted(odd: tuple[Path, dict[str, Path]]) -> None:
    _out, paths = odd
    with pikepdf.open(paths["pdf"]) as pdf:
        uris = [
            str(annot.A.URI)
            for page in pdf.pages
            for annot in page.get("/Annots", [])
            if "/A" in annot and "/URI" in annot.A
        ]
    listen = [u for u in uris if u.endswith(".mp3")]
    assert listen and all(u.endswith("/sleep%20plan%20%232.mp3") for u in listen)
