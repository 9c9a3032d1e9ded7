"""Markdown + YAML + CSL-JSON + lexicon → one checked Article (pandoc with citeproc).

Everything is read and checked before anything is written: `load` either returns an
Article and the warnings worth showing, or raises BuildFailed listing every error with
its file and line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from editions import locale
from editions.errors import BuildFailed, Finding, Location, MissingProgram, errors_in
from editions.model import Article, LexiconEntry, WrittenCitation
from editions.paths import STYLES
from editions.source import (
    as_cited,
    as_written,
    bibliography,
    entry_form,
    frontmatter,
    ids,
    lexicon,
    metadata,
)
from editions.source.pandoc_ast import Converter
from editions.source.sourcemap import SourceMap

#: pandoc's Markdown with every way of passing raw markup through turned off, so
#: `<script>` or `onerror=` in an article arrive as literal text, and "$635" as money.
READER = (
    "markdown-raw_html-raw_attribute-raw_tex-tex_math_dollars"
    "-tex_math_single_backslash-tex_math_double_backslash"
)


def pandoc_path() -> str:
    """Return the pandoc shipped in the pypandoc-binary wheel."""
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError) as err:
        raise MissingProgram("pandoc", "pip install pypandoc-binary") from err


def load(path: Path) -> tuple[Article, list[Finding]]:
    """Read and check one article; return it with its warnings, or raise BuildFailed."""
    path = Path(path)
    if not path.is_file():
        raise BuildFailed([Finding("SRC000", "source file not found", Location(path))])
    text, findings = frontmatter.decode(path, path.read_bytes())
    if text is None:
        raise BuildFailed(findings)
    front, found = frontmatter.parse(path, text)
    findings += found
    if front is None or errors_in(findings):
        raise BuildFailed(findings)
    meta = front.meta
    source = SourceMap.of(path, text)
    base = path.parent.resolve()

    bib_path = _inside(base, meta.get("bibliography"), "bibliography", source, findings)
    entries: dict[str, dict[str, Any]] = {}
    if bib_path is not None:
        entries, found = bibliography.load(bib_path)
        findings += found
    lexicon_entries: tuple[LexiconEntry, ...] = ()
    lexicon_path = _inside(base, meta.get("lexicon"), "lexicon", source, findings)
    if lexicon_path is not None:
        lexicon_entries, found = lexicon.load(lexicon_path)
        findings += found
    written_path = _inside(base, meta.get("as-written"), "as-written", source, findings)
    written: tuple[WrittenCitation, ...] = ()
    if written_path is not None:
        written, found = as_written.load(written_path, set(entries))
        findings += found
    csl = _style(base, str(meta.get("csl") or "apa.csl"), source, findings)
    facts, found = metadata.read(meta, source)
    findings += found
    audio_base_url = _audio_base_url(meta.get("audio-base-url"), source, findings)
    if errors_in(findings) or csl is None:
        raise BuildFailed(findings)

    ast, warnings = _run_pandoc(text, base, csl, entries)
    findings += [Finding("SRC009", w, source.at(None), "warning") for w in warnings]
    findings += _unknown_citations(ast, entries, source)
    if errors_in(findings):
        raise BuildFailed(findings)

    language = facts.lang
    converter = Converter(source, language)
    blocks = _with_references_heading(ast["blocks"], language)
    sections, references = converter.sections(str(meta["title"]), blocks, entries)
    references = [entry_form.tidy(r, entries.get(r.key, {})) for r in references]
    findings += converter.findings
    findings += ids.check_ids(source)
    findings += _reference_warnings(entries, {r.key for r in references}, bib_path)
    if errors_in(findings):
        raise BuildFailed(findings)
    date = facts.date
    article = Article(
        source=path.resolve(),
        stem=path.stem,
        title=facts.title,
        author=locale.join_names([a.name for a in facts.authors], language),
        date=date,
        year=next(
            (w for w in date.replace("-", " ").split() if w.isdigit() and len(w) == 4),
            "",
        ),
        lang=language,
        description=facts.description,
        keywords=facts.keywords,
        sections=tuple(sections),
        notes=tuple(converter.notes),
        references=tuple(references),
        lexicon=lexicon_entries,
        lexicon_path=lexicon_path,
        audio_base_url=audio_base_url,
        voice=str(meta["voice"]).strip() if meta.get("voice") else None,
        as_written=written,
        as_written_path=written_path,
        bibliography_path=bib_path,
        csl_candidates=_style_candidates(base, str(meta.get("csl") or "apa.csl")),
        subtitle=facts.subtitle,
        authors=facts.authors,
        iso_date=facts.iso_date,
        abstract=facts.abstract,
        publisher=facts.publisher,
        rights=facts.rights,
        review_date=facts.review_date,
    )
    findings += ids.check_links(article, source)
    if errors_in(findings):
        raise BuildFailed(findings)
    return article, findings


def _audio_base_url(
    value: Any, source: SourceMap, findings: list[Finding]
) -> str | None:
    """Return where the audio is published, if the front matter says (https only).

    The PDF prints it as a QR code that patients scan, so it must be a web address
    a phone opens securely.
    """
    if value is None:
        return None
    url = str(value).strip()
    if not re.fullmatch(r"https://[^\s/?#]+\.[^\s/?#]+(/[^\s?#]*)?", url):
        findings.append(
            Finding(
                "SRC013",
                f"audio-base-url {url!r} is not an https:// address; give the web "
                "folder where the MP3 will be published",
                Location(
                    source.path, source.find("audio-base-url:").line, "audio-base-url"
                ),
            )
        )
        return None
    return url


def _inside(
    base: Path, value: Any, key: str, source: SourceMap, findings: list[Finding]
) -> Path | None:
    """Resolve a front-matter path, refusing anything outside the source folder."""
    if not value:
        return None
    candidate = (base / str(value)).resolve()
    if not candidate.is_relative_to(base):
        findings.append(
            Finding(
                "SRC003",
                f"'{key}: {value}' points outside the source folder; the build "
                "reads nothing from elsewhere",
                source.find(f"{key}:"),
            )
        )
        return None
    if not candidate.is_file():
        findings.append(
            Finding(
                "SRC002",
                f"'{key}: {value}' does not exist",
                Location(source.path, source.find(f"{key}:").line, key),
            )
        )
        return None
    return candidate


def _style_candidates(base: Path, name: str) -> tuple[Path, ...]:
    """Return where the CSL style *name* may be: beside the article, then styles/."""
    return tuple(
        candidate
        for folder in (base, STYLES)
        if (candidate := (folder / name).resolve()).is_relative_to(folder.resolve())
    )


def _style(
    base: Path, name: str, source: SourceMap, findings: list[Finding]
) -> Path | None:
    """Find the CSL style next to the article, else among the project's styles."""
    for candidate in _style_candidates(base, name):
        if candidate.is_file():
            return candidate
    findings.append(
        Finding(
            "SRC012",
            f"CSL style '{name}' not found in {base} or {STYLES}",
            Location(source.path, source.find("csl:").line, "csl"),
        )
    )
    return None


def _run_pandoc(
    text: str, base: Path, csl: Path, entries: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """Parse with pandoc + citeproc; return the JSON AST and pandoc's warnings."""
    # Provenance notes stay in the source file but never reach a rendered entry;
    # values only the author gave are rendered where nothing verified exists.
    public = [as_cited.for_citeproc(item) for item in entries.values()]
    with tempfile.TemporaryDirectory() as scratch:
        bib = Path(scratch) / "bibliography.json"
        bib.write_text(json.dumps(public), encoding="utf-8")
        command = [
            pandoc_path(),
            f"--from={READER}",
            "--to=json",
            "--citeproc",
            f"--csl={csl}",
            f"--bibliography={bib}",
            "--metadata=link-citations:true",
            f"--resource-path={base}",
        ]
        result = subprocess.run(
            command,
            input=text.encode("utf-8"),
            capture_output=True,
            cwd=base,
            check=False,
            env={**os.environ, "LANG": "C.UTF-8"},
        )
    stderr = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        raise BuildFailed(
            [Finding("SRC008", f"pandoc failed: {stderr.strip()}", Location(base))]
        )
    warnings = [
        line.removeprefix("[WARNING] ").strip()
        for line in stderr.splitlines()
        if line.startswith("[WARNING]") and "Citeproc: citation" not in line
    ]
    return json.loads(result.stdout), warnings


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _unknown_citations(
    ast: dict[str, Any], entries: dict[str, dict[str, Any]], source: SourceMap
) -> list[Finding]:
    unknown: dict[str, None] = {}
    for node in _walk(ast["blocks"]):
        if node.get("t") == "Cite":
            for citation in node["c"][0]:
                if citation["citationId"] not in entries:
                    unknown[citation["citationId"]] = None
    return [
        Finding(
            "REF002",
            f"citation @{key} is not in the bibliography; add it or fix the key",
            source.find_citation(key),
        )
        for key in unknown
    ]


def _with_references_heading(
    blocks: list[dict[str, Any]], lang: str
) -> list[dict[str, Any]]:
    """Give citeproc's reference list a heading, in the article's language.

    Not when the author's own references heading stands above it with an
    introduction in between ("## References", "Sources we used:", the div): a second
    heading would repeat it, with the same id.
    """
    for index, block in enumerate(blocks):
        if block["t"] == "Div" and block["c"][0][0] == "refs":
            headers = [b for b in blocks[:index] if b["t"] == "Header"]
            if not _is_references_heading(headers[-1] if headers else None, lang) and (
                index == 0 or blocks[index - 1]["t"] != "Header"
            ):
                heading = {
                    "t": "Header",
                    "c": [
                        2,
                        ["references", [], []],
                        [{"t": "Str", "c": locale.label(lang, "references")}],
                    ],
                }
                return [*blocks[:index], heading, *blocks[index:]]
    return blocks


def _is_references_heading(header: dict[str, Any] | None, lang: str) -> bool:
    """Return whether *header* is the author's heading of the reference list."""
    if header is None:
        return False
    _level, (ident, _classes, _attrs), content = header["c"]
    text = "".join(
        " " if node["t"] in ("Space", "SoftBreak") else node.get("c", "")
        for node in content
        if node["t"] in ("Str", "Space", "SoftBreak")
    )
    label = locale.label(lang, "references")
    return ident == "references" or text.strip().casefold() == label.casefold()


def _reference_warnings(
    entries: dict[str, dict[str, Any]], cited: set[str], bib_path: Path | None
) -> list[Finding]:
    if bib_path is None:
        return []
    findings = []
    for key, item in entries.items():
        where = Location(bib_path, None, key)
        if key not in cited:
            findings.append(
                Finding(
                    "REF003",
                    f"entry '{key}' is never cited; cite it or remove it (APA 7 §8.10)",
                    where,
                    "warning",
                )
            )
        if bibliography.is_placeholder(item):
            findings.append(
                Finding(
                    "REF004",
                    f"entry '{key}' is an unresolved placeholder; "
                    "do not publish it as is",
                    where,
                    "warning",
                )
            )
    return findings
