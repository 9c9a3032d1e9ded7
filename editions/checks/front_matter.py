"""Built editions → their metadata and title block, compared with the front matter.

Each edition is read back from its file (XMP and Info of the PDFs, the EPUB package
document, the page's <head>, the MP3's ID3 and the M4B's MP4 atoms) and every key the
front matter sets must be there with the same value (CHK041). The visible title block
must show the subtitle, the authors, the dates in the article's language, "Review
by …", the publisher and the licence line (CHK042); no dose, amount or unit may be
broken across two lines of a PDF (CHK044).
"""

from __future__ import annotations

import itertools
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pikepdf
from lxml import etree, html

from editions import locale
from editions.checks.compare.shown import Shown, squash
from editions.errors import Finding, Location
from editions.keep_together import keep_together_spans
from editions.model import Article, plain_text

Facts = dict[str, list[str]]

_OPF_NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def expected(article: Article) -> Facts:
    """Return what every edition's metadata must say, key by key."""
    facts: Facts = {
        "title": [article.title],
        "author": list(article.author_names),
        "description": [article.description] if article.description else [],
        "keywords": list(article.keywords),
        "language": [article.lang],
        "date": [article.iso_date] if article.iso_date else [],
        "publisher": [article.publisher] if article.publisher else [],
        "rights": [article.rights] if article.rights else [],
        "subtitle": [article.subtitle] if article.subtitle else [],
    }
    return facts


def compare(
    edition: str, found: Facts, article: Article, target: Path, keys: Iterable[str]
) -> list[Finding]:
    """Return a CHK041 error for each of *keys* whose value differs from the source."""
    want = expected(article)
    findings = []
    for key in keys:
        if [v.strip() for v in found.get(key, [])] != want[key]:
            findings.append(
                Finding(
                    "CHK041",
                    f"the {edition}'s {key} is {found.get(key, [])!r}; the front "
                    f"matter says {want[key]!r}",
                    Location(target, None, key),
                )
            )
    return findings


# ---------------------------------------------------------------- reading back


def read_pdf(path: Path) -> Facts:
    """Read the XMP packet and the Info dictionary of a PDF."""
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()

        def values(key: str) -> list[str]:
            value = meta.get(key)
            if value is None:
                return []
            if isinstance(value, str):
                return [value]
            return [str(v) for v in value]

        keywords = values("pdf:Keywords")
        subject = str(pdf.docinfo.get("/Subject", ""))
        return {
            "title": values("dc:title"),
            "author": values("dc:creator"),
            "description": values("dc:description"),
            "subject": [subject] if subject else [],
            "keywords": [k.strip() for k in keywords[0].split(",")] if keywords else [],
            "language": values("dc:language"),
            "date": values("dc:date"),
            "publisher": values("dc:publisher"),
            "rights": values("dc:rights"),
        }


def read_epub(path: Path) -> Facts:
    """Read the Dublin Core elements of an EPUB's package document."""
    with zipfile.ZipFile(path) as book:
        container = etree.fromstring(book.read("META-INF/container.xml"))
        opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        opf = etree.fromstring(book.read(str(opf_path)))

    def dc(name: str) -> list[str]:
        return [str(t) for t in opf.xpath(f"//dc:{name}/text()", namespaces=_OPF_NS)]

    titles = opf.xpath("//dc:title", namespaces=_OPF_NS)
    return {
        "title": [t.text for t in titles if t.get("id") != "subtitle"],
        "subtitle": [t.text for t in titles if t.get("id") == "subtitle"],
        "author": dc("creator"),
        "description": dc("description"),
        "keywords": dc("subject"),
        "language": dc("language"),
        "date": dc("date"),
        "publisher": dc("publisher"),
        "rights": dc("rights"),
    }


def read_html(path: Path) -> Facts:
    """Read the <head> of the large-print page."""
    tree = html.parse(str(path))

    def meta(name: str) -> list[str]:
        return [str(v) for v in tree.xpath(f"//head/meta[@name='{name}']/@content")]

    keywords = meta("keywords")
    return {
        "title": [str(t) for t in tree.xpath("//head/title/text()")],
        "author": meta("author"),
        "description": meta("description"),
        "keywords": [k.strip() for k in keywords[0].split(",")] if keywords else [],
        "language": [str(v) for v in tree.xpath("/html/@lang")],
        "date": meta("dcterms.created"),
        "publisher": meta("dcterms.publisher"),
        "rights": meta("dcterms.rights"),
    }


def read_mp3(path: Path) -> Facts:
    """Read the ID3v2.4 tags of the MP3."""
    from mutagen.id3 import ID3

    tags = ID3(path)

    def frame(name: str) -> list[str]:
        return [str(v) for f in tags.getall(name) for v in f.text]

    return {
        "title": frame("TIT2"),
        "author": frame("TPE1"),
        "description": frame("COMM"),
        "date": frame("TDRC"),
        "publisher": frame("TPUB"),
        "rights": frame("TCOP"),
    }


def read_mp3_part(path: Path) -> Facts:
    """Read a long book's MP3 part: its album is the book's title (its own title
    says which part it is, "… (part 2 of 3)")."""
    from mutagen.id3 import ID3

    facts = read_mp3(path)
    facts["title"] = [str(v) for f in ID3(path).getall("TALB") for v in f.text]
    return facts


def read_m4b(path: Path) -> Facts:
    """Read the MP4 atoms of the M4B (one artist string, as players show it)."""
    from mutagen.mp4 import MP4

    tags = MP4(path).tags or {}

    def atom(name: str) -> list[str]:
        return [str(v) for v in tags.get(name, [])]

    return {
        "title": atom("\xa9nam"),
        "author": atom("\xa9ART"),
        "description": atom("desc"),
        "date": atom("\xa9day"),
        "rights": atom("cprt"),
    }


#: Edition → (reader, the keys its format carries).
READERS: dict[str, tuple[Callable[[Path], Facts], tuple[str, ...]]] = {
    "pdf": (read_pdf, ("title", "author", "description", "keywords", "language")),
    "epub": (read_epub, ("title", "subtitle", "author", "description", "keywords")),
    "html": (read_html, ("title", "author", "description", "keywords", "language")),
    "mp3": (read_mp3, ("title", "author", "description", "publisher", "rights")),
    "mp3 part": (
        read_mp3_part,
        ("title", "author", "description", "publisher", "rights"),
    ),
    "m4b": (read_m4b, ("title", "description", "rights")),
}
#: Keys compared only when the front matter sets them (an ISO date, a publisher…).
OPTIONAL = {
    "pdf": ("date", "publisher", "rights"),
    "epub": ("date", "publisher", "rights", "language"),
    "html": ("date", "publisher", "rights"),
    "mp3": ("date",),
    "mp3 part": ("date",),
    "m4b": ("date",),
}


def check_metadata(edition: str, path: Path, article: Article) -> list[Finding]:
    """Compare one edition's metadata with the front matter (CHK041)."""
    reader, keys = READERS[edition]
    found = reader(path)
    want = expected(article)
    optional = [k for k in OPTIONAL[edition] if want[k]]
    findings = compare(edition, found, article, path, [*keys, *optional])
    if edition == "pdf" and article.description:
        # The Info /Subject is what most PDF viewers show as the summary.
        if found.get("subject") != [article.description]:
            findings.append(
                Finding(
                    "CHK041",
                    f"the PDF's /Subject is {found.get('subject')!r}; it must be the "
                    "description (or the abstract)",
                    Location(path, None, "description"),
                )
            )
    if edition == "m4b":
        names = locale.join_names(article.author_names, article.lang)
        if found.get("author") != [names]:
            findings.append(
                Finding(
                    "CHK041",
                    f"the M4B's artist is {found.get('author')!r}; the front matter "
                    f"says {names!r}",
                    Location(path, None, "author"),
                )
            )
    return findings


# ---------------------------------------------------------------- what is shown


def title_block_lines(article: Article) -> list[str]:
    """Return the title-block texts every visual edition shows, in its language."""
    lang = article.lang
    lines = [article.subtitle] if article.subtitle else []
    lines += [a.name for a in article.authors] or [article.author]
    lines.append(
        locale.label(lang, "updated", date=locale.show_date(article.date, lang))
    )
    if article.review_date:
        review = locale.show_date(article.review_date, lang)
        lines.append(locale.label(lang, "review_by", date=review))
    if article.publisher:
        lines.append(locale.label(lang, "published_by", publisher=article.publisher))
    if article.rights:
        lines.append(article.rights)
    if article.abstract:
        lines.append(locale.label(lang, "summary"))
    return lines


def check_title_block(shown: Shown, article: Article, target: Path) -> list[Finding]:
    """Every title-block line must be in the edition's text (CHK042)."""
    text = squash(shown.text or "")
    return [
        Finding(
            "CHK042",
            f"the title block does not show {line!r}",
            Location(target, None, "title block"),
        )
        for line in title_block_lines(article)
        if squash(line) not in text
    ]


def check_unit_breaks(shown: Shown, article: Article, target: Path) -> list[Finding]:
    """No dose, amount or compound unit may be split across two lines (CHK044)."""
    kept = {
        match
        for sentence in article.sentences()
        for match in keep_together_spans(plain_text(sentence.inlines))
    }
    lines = [squash(line) for line in (shown.text or "").splitlines()]
    findings = []
    for before, after in itertools.pairwise(lines):
        joined = before + after
        # The longest kept span across this line break ("110 µmol/L", not "µmol/L").
        broken = [
            (len(whole), unit, at)
            for unit in kept
            for whole in [squash(unit)]
            for at in _occurrences(joined, whole)
            if at < len(before) < at + len(whole)
        ]
        if broken:
            size, unit, at = max(broken)
            head, tail = before[at:], after[: at + size - len(before)]
            findings.append(
                Finding(
                    "CHK044",
                    f"{unit!r} is broken across lines ({head!r} | {tail!r})",
                    Location(target, None, "line breaks"),
                )
            )
    return findings


def _occurrences(text: str, part: str) -> list[int]:
    found, at = [], text.find(part)
    while at >= 0:
        found.append(at)
        at = text.find(part, at + 1)
    return found
