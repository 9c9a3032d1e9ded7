"""What the build hands one edition's step, and what the step hands back.

A step adapts the generic build to one renderer: it reads the options it needs and
the typed facts of the editions it reuses (`editions.facts`), calls the renderer,
and names the files it wrote. The build records them; it knows no edition by name.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from editions.model import Article


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how."""

    only: tuple[str, ...] = ()  # editions to build; () = every edition
    tts: str = "auto"  # speech engine; "auto": from the voice and the language
    voice: str = ""  # "" = the front matter's `voice:`, else per language
    strict: bool = False
    paper: str = "a4"
    audio_base_url: str = ""  # "" = the front matter's, else the placeholder
    large_print_pdf: bool = True
    cache_dir: Path | None = None  # speech cache; default <out>/.cache/speech
    braille_cells: int = 40  # cells a braille line (BANA/UKAAF default page)
    braille_lines: int = 25  # lines a braille page
    braille_grade: int = 2  # 2: contracted UEB; 1: uncontracted
    progress: bool = True  # a bar per edition on stderr, when it is a terminal
    #: A Dask scheduler (tcp://host:8786): folder builds and speech run on its
    #: workers (`editions.cluster`); "" = processes on this machine.
    scheduler: str = ""
    #: Longest MP3 part in minutes; None = `editions.audio.parts.PART_MINUTES`
    #: (120, standards §4a). Tests set a fraction of a minute to get parts.
    audio_part_minutes: float | None = None
    report: Callable[[str], None] = field(
        default=lambda line: print(line, file=sys.stderr)
    )


@dataclass(frozen=True)
class Job:
    """One edition to make: the article, where it goes, and what earlier ones wrote."""

    article: Article
    out_dir: Path
    options: BuildOptions
    #: The files of the editions this one reuses, by output name ("timings", ...).
    reused: Mapping[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class Made:
    """What one step wrote: named outputs, other files it owns, numbers for the bench.

    It crosses a process boundary when the step runs beside another, so it holds
    only paths and JSON-able values.
    """

    files: dict[str, Path]  # output name (as the registry declares it) → path
    extra_files: tuple[Path, ...] = ()  # also written and owned (chapter MP3s, ...)
    facts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
