"""Article → EPUB 3 (ebooklib): one XHTML per chapter, our own nav, a11y metadata.

The nav document is written here rather than by ebooklib, because ebooklib turns every
element with an id and epub:type into a page (Ace `epub-pagelist-broken`) and adds a
stray "Guide" heading to the landmarks; the page-list comes from the PDF's real page
breaks, passed in as `page_starts`. The content documents and their media overlays
(`documents.py`, `spine.py`) come from the model and the audio edition's timings, and
the MP3 is embedded as it is, never re-read.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from ebooklib import epub

from editions import fonts, locale
from editions.epub import overlays
from editions.epub.accessibility import CERTIFIER, accessibility_metadata
from editions.epub.documents import locate, plan
from editions.epub.nav import nav_document, page_labels
from editions.epub.package import package_dc
from editions.epub.pls import lexicon_pls
from editions.epub.spine import (
    AUDIO_TYPES,
    RawXhtml,
    audio_href,
    content_documents,
    narration,
)
from editions.facts import PageStarts, Timings
from editions.model import Article
from editions.output import staged
from editions.paths import STYLES


@dataclass(frozen=True)
class EpubInputs:
    """Facts from other editions that the EPUB reuses (never re-parsed)."""

    pages: PageStarts | None = None  # the print PDF's real page breaks
    audio: Path | None = None  # the audio edition's MP3, embedded for the overlays
    timings: Timings | None = None  # the audio's per-sentence timings
    #: A long book's MP3 parts (`timings.parts`), embedded instead of one MP3.
    parts: tuple[Path, ...] = ()

    @property
    def audio_files(self) -> tuple[Path, ...]:
        """Return the MP3s the overlays play: the parts, else the one book MP3."""
        return self.parts or ((self.audio,) if self.audio else ())

    @property
    def page_starts(self) -> tuple[str, ...]:
        """Return the first sentence id on each PDF page (none without a PDF)."""
        return self.pages.starts if self.pages else ()

    @property
    def pdf_name(self) -> str:
        """Return the print PDF's file name, which the page-list source names."""
        return self.pages.pdf if self.pages else ""


def modified_time(article: Article) -> datetime:
    """Return dcterms:modified: SOURCE_DATE_EPOCH, else the source file's mtime."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.fromtimestamp(int(article.source.stat().st_mtime), UTC)


def identifier(article: Article) -> str:
    """Return a stable urn:uuid derived from title, author and date."""
    seed = f"{article.title}|{article.author}|{article.date}".encode()
    return f"urn:uuid:{uuid.UUID(hashlib.sha256(seed).hexdigest()[:32])}"


def render(article: Article, out_dir: Path, inputs: EpubInputs | None = None) -> Path:
    """Write `<stem>.epub`: one content document per chapter, each with its overlay.

    Raises overlays.OverlayMismatch when the audio timings name text the EPUB does not
    have (a stale audio build), rather than leave sentences out of the narration.
    """
    inputs = inputs or EpubInputs()
    breaks = page_labels(inputs.page_starts)
    documents = plan(article)
    where = locate(article, documents, breaks)
    content = content_documents(article, documents, where, breaks)
    audio_hrefs = [audio_href(f) for f in inputs.audio_files]
    narrated = narration(article, inputs, content, where, audio_hrefs)
    book = epub.EpubBook()
    book.set_identifier(identifier(article))
    book.title = article.title  # the NCX's title; the OPF's come from package_dc
    book.set_language(article.lang)
    for name, value, attributes in package_dc(article):
        book.add_metadata("DC", name, value, attributes)
    for n, name in enumerate(article.author_names, start=1):
        book.add_author(name, uid=f"creator{n}", role="aut")
    if article.subtitle:
        book.add_metadata(
            None, "meta", "main", {"property": "title-type", "refines": "#title"}
        )
        book.add_metadata(
            None, "meta", "subtitle", {"property": "title-type", "refines": "#subtitle"}
        )
    overall = overlays.whole(narrated) if narrated is not None else None
    for prop, value in accessibility_metadata(article, inputs, overall):
        book.add_metadata(None, "meta", value, {"property": prop})
    book.add_metadata(
        None,
        "meta",
        "EPUB Accessibility 1.1 - WCAG 2.2 Level AA",
        {"property": "dcterms:conformsTo", "id": "conf"},
    )
    book.add_metadata(
        None, "meta", CERTIFIER, {"property": "a11y:certifiedBy", "refines": "#conf"}
    )
    _add_resources(book, article)
    streamed: dict[str, Path] = {}  # zip entries copied from disk, not held in memory
    if narrated is not None:
        _add_overlays(book, narrated, content, inputs.audio_files)
        for audio in inputs.audio_files:
            streamed[f"EPUB/{audio_href(audio)}"] = audio
    nav = RawXhtml(
        uid="nav",
        file_name="nav.xhtml",
        title=locale.label(article.lang, "contents"),
        lang=article.lang,
    )
    nav.raw = nav_document(article, inputs, where)
    nav.properties = ["nav"]
    for item in content:
        book.add_item(item)
    book.add_item(nav)
    book.spine = [*content, nav]
    # An NCX for EPUB 2 reading systems; ebooklib always names one in the spine.
    book.add_item(epub.EpubNcx())
    book.toc = [
        epub.Link(f"{where[section_id]}#{section_id}", text, section_id)
        for level, section_id, text in article.headings[1:]
        if level == 2
    ]
    target = out_dir / f"{article.stem}.epub"
    mtime = modified_time(article)
    with staged(target) as scratch:
        epub.write_epub(
            str(scratch),
            book,
            {
                "epub3_pages": False,
                "epub3_landmark": False,
                "play_order": {"enabled": False},
                "mtime": mtime,
                # normalise_zip compresses for real; the audio is stored as is.
                "compresslevel": 0,
            },
        )
        normalise_zip(scratch, mtime, article.lang, streamed)
    return target


def _add_overlays(
    book: epub.EpubBook,
    narrated: dict[str, overlays.Overlay],
    content: list[RawXhtml],
    files: tuple[Path, ...],
) -> None:
    """Add each document's SMIL, the audio they play and their package metadata.

    EPUB 3.3 §9.3: each overlay's `media:duration` and their total. A long book
    carries its MP3 parts as they are (README: the EPUB's audio).
    """
    total = 0
    for item in content:
        overlay = narrated.get(item.file_name)
        if overlay is None or not overlay.pars:
            continue  # nothing of the audio reads this document
        uid = f"{item.id}-overlay"
        smil = item.file_name.removesuffix(".xhtml") + ".smil"
        book.add_item(
            epub.EpubSMIL(uid=uid, file_name=smil, content=overlay.smil.encode())
        )
        item.media_overlay = uid
        total += overlay.duration_ms
        book.add_metadata(
            None,
            "meta",
            overlays.clock(overlay.duration_ms),
            {"property": "media:duration", "refines": f"#{uid}"},
        )
    for n, audio in enumerate(files):
        book.add_item(
            epub.EpubItem(
                uid="audio" if n == 0 else f"audio{n + 1}",
                file_name=audio_href(audio),
                media_type=AUDIO_TYPES[audio.suffix.lower()],
                content=b"",  # streamed in from the file by normalise_zip
            )
        )
    for prop, value in (
        ("media:duration", overlays.clock(total)),
        ("media:active-class", overlays.ACTIVE_CLASS),
    ):
        book.add_metadata(None, "meta", value, {"property": prop})


def _add_resources(book: epub.EpubBook, article: Article) -> None:
    """Add the stylesheet, the embedded fonts, the images and the PLS lexicon."""
    css = fonts.font_face_css(lambda p: f"../fonts/{p.name}")
    for sheet in ("epub.css", "constructs.css"):
        css += "\n" + (STYLES / sheet).read_text(encoding="utf-8")
    book.add_item(
        epub.EpubItem(
            uid="css",
            file_name="styles/epub.css",
            media_type="text/css",
            content=css.encode(),
        )
    )
    for path in fonts.font_files():
        book.add_item(
            epub.EpubItem(
                uid=f"font-{path.stem}",
                file_name=f"fonts/{path.name}",
                media_type="font/ttf",
                content=path.read_bytes(),
            )
        )
    for index, image in enumerate(article.images, start=1):
        media = _MEDIA_TYPES[image.suffix.lower()]
        book.add_item(
            epub.EpubItem(
                uid=f"img{index}",
                file_name=f"images/{image.name}",
                media_type=media,
                content=image.read_bytes(),
            )
        )
    if article.lexicon:
        book.add_item(
            epub.EpubItem(
                uid="lexicon",
                file_name="lexicon.pls",
                media_type="application/pls+xml",
                content=lexicon_pls(article).encode(),
            )
        )


def normalise_zip(
    path: Path, moment: datetime, lang: str, streamed: dict[str, Path] | None = None
) -> None:
    """Rewrite the zip with fixed timestamps, so builds are byte-identical.

    Also give `<package>` its `xml:lang` (A11y Tech `#package-lang`, Ace `epub-lang`),
    which ebooklib 0.20 cannot write. Entries named in *streamed* are copied from
    their file in blocks: a book's MP3 (hours, gigabytes) is never held in memory.
    One entry at a time is read, into a new zip beside the old one.
    """
    stamp = moment.timetuple()[:6]
    streamed = streamed or {}
    rewritten = path.with_name(f"{path.name}.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w") as out:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            # mimetype must be stored (OCF); audio is already compressed.
            stored = info.filename == "mimetype" or info.filename.endswith(
                tuple(AUDIO_TYPES)
            )
            fixed.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            if info.filename in streamed:
                file = streamed[info.filename]
                large = file.stat().st_size > zipfile.ZIP64_LIMIT
                with (
                    file.open("rb") as data,
                    out.open(fixed, "w", force_zip64=large) as entry,
                ):
                    shutil.copyfileobj(data, entry, 1 << 20)
                continue
            data = source.read(info)
            if info.filename.endswith(".opf"):
                data = _package_lang(data, lang)
            out.writestr(fixed, data)
    rewritten.replace(path)


def _package_lang(opf: bytes, lang: str) -> bytes:
    text = opf.decode("utf-8")
    if "<package " in text and "xml:lang=" not in text.split(">", 2)[1]:
        text = text.replace("<package ", f'<package xml:lang="{escape(lang)}" ', 1)
    return text.encode("utf-8")


_MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
