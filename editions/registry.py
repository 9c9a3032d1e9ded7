"""Every edition, declared once: what it reuses, what it writes, how it is checked.

The build, the manifest's keys, `invoke check`, the report and the tasks all read this
table; none of them names an edition. Adding an edition is one entry here plus its
package (a renderer, a `step.make(job) -> Made` and a `check(checker)`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Output:
    """One file (or folder) an edition writes, named from the article's stem.

    A *numbered* output is a series of files, `{n}` = 1, 2, … in the pattern (the
    MP3 parts of a long book); the build, the manifest and the checks call them
    `<name>1`, `<name>2`, …, and a build that writes fewer removes the rest.
    """

    name: str  # how the build, the manifest and the checks call it: "mp3"
    pattern: str  # "{stem}.mp3"; numbered: "{stem}-part{n}.mp3"
    listed: bool = True  # among the paths `invoke build` prints and `run()` returns
    numbered: bool = False

    def path(self, out_dir: Path, stem: str, n: int = 1) -> Path:
        """Return where this output (its file *n* if numbered) of *stem* lives."""
        return Path(out_dir) / self.pattern.format(stem=stem, n=n)

    def paths(self, out_dir: Path, stem: str) -> dict[str, Path]:
        """Return this output's files by name: itself, or the numbered files on disk."""
        if not self.numbered:
            return {self.name: self.path(out_dir, stem)}
        before, after = self.pattern.format(stem=stem, n="\0").split("\0")
        number = re.compile(f"{re.escape(before)}([1-9][0-9]*){re.escape(after)}")
        found = sorted(
            (int(m[1]), p)
            for p in Path(out_dir).glob(f"{glob_escape(before)}*{glob_escape(after)}")
            if (m := number.fullmatch(p.name))
        )
        return {f"{self.name}{n}": p for n, p in found}

    def members(self, names: Iterable[str]) -> list[str]:
        """Return which of *names* are this output's (`part1`, `part2`…), in order."""
        if not self.numbered:
            return [n for n in names if n == self.name]
        number = re.compile(f"{re.escape(self.name)}([1-9][0-9]*)")
        found = [(int(m[1]), n) for n in names if (m := number.fullmatch(n))]
        return [n for _, n in sorted(found)]


def glob_escape(text: str) -> str:
    """Escape glob specials in a literal file-name fragment."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def part_key(n: int) -> str:
    """Return what the build calls the audio's MP3 part *n* (1-based): `part2`."""
    return f"part{n}"


@dataclass(frozen=True)
class Shown:
    """How the report presents (part of) an edition: its own section and files."""

    name: str  # "pdf-large-print"
    label: str  # "Large-print PDF"
    outputs: tuple[str, ...]  # the Output names it links to


@dataclass(frozen=True)
class Edition:
    """One edition of the article."""

    name: str  # also its task (`invoke pdf`) and its `only=` value
    summary: str  # one line: the task's `invoke --list` entry
    package: str  # holds `render` (its code is part of the key) and `step`
    check: str  # the module whose `check(checker)` runs its checks
    outputs: tuple[Output, ...]
    shown: tuple[Shown, ...]
    #: Files of earlier editions this one reuses, by what the key calls them:
    #: {"audio timings": ("audio", "timings")}. Their content is part of its key.
    reuses: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    visual: bool = True  # figures, styles and fonts shape it
    #: May run in a second process while another edition runs in this one
    #: (WeasyPrint is single-threaded: layout beside speech costs no wall time;
    #: liblouis beside the EPUB's packaging).
    forks: bool = False

    @property
    def needs(self) -> tuple[str, ...]:
        """Return the editions whose files this one reuses, in declaration order."""
        return tuple(dict.fromkeys(edition for edition, _ in self.reuses.values()))

    @property
    def renderer(self) -> str:
        """Return the module whose code (with what it imports) shapes the files."""
        return f"{self.package}.render"

    def step(self) -> Any:
        """Import the step module: `make(job) -> Made`, `key_options(options, stem)`,
        and optionally `preflight(article, options)` (raises BuildFailed)."""
        return import_module(f"{self.package}.step")

    def checks(self) -> Any:
        """Import the check module: `check(checker)` runs this edition's checks."""
        return import_module(self.check)

    def output(self, name: str) -> Output:
        """Return the declared output *name*."""
        return next(o for o in self.outputs if o.name == name)


EDITIONS: tuple[Edition, ...] = (
    Edition(
        name="pdf",
        summary="Build the tagged PDF/UA-1 clinic hand-out and its large-print PDF.",
        package="editions.pdf",
        check="editions.checks.of_pdf",
        outputs=(
            Output("pdf", "{stem}.pdf"),
            Output("pdf-large-print", "{stem}-large-print.pdf"),
            Output("pages", "{stem}.pages.json", listed=False),
        ),
        shown=(
            Shown("pdf", "PDF hand-out", ("pdf",)),
            Shown("pdf-large-print", "Large-print PDF", ("pdf-large-print",)),
        ),
        forks=True,
    ),
    Edition(
        name="audio",
        summary="Build the audio edition: MP3 and M4B with chapters, chapter MP3s, "
        "WebVTT.",
        package="editions.audio",
        check="editions.checks.of_audio",
        outputs=(
            Output("mp3", "{stem}.mp3"),  # a book of at most 120 minutes
            Output("part", "{stem}-part{n}.mp3", numbered=True),  # a longer one
            Output("m4b", "{stem}.m4b"),
            Output("vtt", "{stem}.vtt"),
            Output("timings", "{stem}.timings.json"),
            Output("chapters", "{stem}-chapters", listed=False),
            Output("speech", "{stem}.speech.json"),  # what was spoken (issue 20)
            Output("script", "{stem}.script.txt"),
        ),
        shown=(
            Shown(
                "audio",
                "Audio edition",
                (
                    "mp3",
                    "part",
                    "m4b",
                    "vtt",
                    "timings",
                    "chapters",
                    "speech",
                    "script",
                ),
            ),
        ),
        visual=False,
    ),
    Edition(
        name="epub",
        summary="Build the EPUB 3 (builds the PDF and audio first: it reuses their "
        "facts).",
        package="editions.epub",
        check="editions.checks.of_epub",
        outputs=(Output("epub", "{stem}.epub"),),
        shown=(Shown("epub", "EPUB 3", ("epub",)),),
        reuses={
            "PDF pages": ("pdf", "pages"),
            "audio timings": ("audio", "timings"),
            "audio": ("audio", "mp3"),  # the EPUB carries the MP3 itself
            "audio parts": ("audio", "part"),  # or, for a long book, its parts
        },
    ),
    Edition(
        name="html",
        summary="Build the self-contained large-print HTML page (with the audio "
        "beside it).",
        package="editions.large_print",
        check="editions.checks.of_html",
        outputs=(Output("html", "{stem}-large-print.html"),),
        shown=(Shown("html", "Large-print HTML page", ("html",)),),
        reuses={
            "audio timings": ("audio", "timings"),
            "audio": ("audio", "mp3"),  # the page shows its size
            "audio parts": ("audio", "part"),  # or lists the parts
        },
    ),
    Edition(
        name="braille",
        summary="Build the braille edition: UEB grade 2 BRF pages (builds the PDF "
        "first: its page breaks are the print page numbers).",
        package="editions.braille",
        check="editions.checks.of_braille",
        outputs=(Output("brf", "{stem}.brf"), Output("pef", "{stem}.pef")),
        shown=(Shown("braille", "Braille (BRF)", ("brf", "pef")),),
        reuses={"PDF pages": ("pdf", "pages")},
        visual=False,  # words only: alt text is in the text, no styles or fonts
        forks=True,  # beside the EPUB (5 s of a book's 21 s after the audio)
    ),
)

BY_NAME: dict[str, Edition] = {e.name: e for e in EDITIONS}


def names() -> tuple[str, ...]:
    """Return every edition's name, in build order."""
    return tuple(e.name for e in EDITIONS)


def needed(requested: Iterable[str]) -> list[str]:
    """Return the requested editions plus those whose files they reuse, in order."""
    wanted: set[str] = set()
    stack = list(requested)
    while stack:
        name = stack.pop()
        if name not in BY_NAME:
            raise ValueError(
                f"unknown edition {name!r}: choose from {', '.join(names())}"
            )
        if name not in wanted:
            wanted.add(name)
            stack.extend(BY_NAME[name].needs)
    return [e for e in names() if e in wanted]


def levels(plan: Iterable[str]) -> list[list[str]]:
    """Group *plan* so each edition comes after every edition it reuses."""
    depth: dict[str, int] = {}
    for name in names():  # declaration order already puts producers first
        needs = BY_NAME[name].needs
        depth[name] = 1 + max((depth[n] for n in needs), default=-1)
    grouped: dict[int, list[str]] = {}
    for name in plan:
        grouped.setdefault(depth[name], []).append(name)
    return [grouped[d] for d in sorted(grouped)]


def outputs(out_dir: Path, stem: str) -> dict[str, Path]:
    """Return where every edition puts each of its files, by output name.

    Numbered outputs are the files on disk (`part1`, `part2`…), none if absent.
    """
    return {
        name: path
        for e in EDITIONS
        for o in e.outputs
        for name, path in o.paths(out_dir, stem).items()
    }


def shown() -> dict[str, Shown]:
    """Return the report's edition sections, in order."""
    return {s.name: s for e in EDITIONS for s in e.shown}


def numbered(files: Mapping[str, Path], edition: str, output: str) -> tuple[Path, ...]:
    """Return the files of a numbered output among *files*, in order (the parts)."""
    return tuple(files[n] for n in BY_NAME[edition].output(output).members(files))
