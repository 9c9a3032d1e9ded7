"""The audio edition's files → chapters, timed sentences and caption text.

Read from what ships: the MP3's ID3 chapters, the M4B's chapter list, the chapter
files' tags, the timings JSON and the WebVTT captions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from mutagen.id3 import ID3, ID3NoHeaderError
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from editions.checks.audio import read_chapters
from editions.checks.compare.shown import Shown
from editions.facts import Timings

_TIMING = re.compile(
    r"^(\d{2,}):(\d{2}):(\d{2}\.\d{3})\s+-->\s+(\d{2,}):(\d{2}):(\d{2}\.\d{3})"
)


@dataclass(frozen=True)
class Cue:
    """One WebVTT cue: its id, span in seconds and text (markup unescaped)."""

    cue_id: str
    start: float
    end: float
    text: str


@dataclass
class AudioShown(Shown):
    """A Shown plus the times that only audio has."""

    duration: float = 0.0
    cues: list[Cue] = field(default_factory=list)
    windows: list[tuple[str, float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class AudioFiles:
    """The files of the audio edition, as the build names them."""

    mp3: Path
    m4b: Path
    vtt: Path
    timings: Path
    chapters: tuple[Path, ...]
    parts: tuple[Path, ...] = ()  # a long book's MP3 parts (then no one-file MP3)


def read_audio(files: AudioFiles) -> AudioShown:
    """Read every audio file's chapters and timings (no decoding: tags and text)."""
    if files.parts:
        shown = AudioShown(duration=_parts_duration(files))
        shown.navigation["MP3 chapters"] = _parts_chapters(files)
    else:
        shown = AudioShown(duration=float(MP3(files.mp3).info.length))
        shown.navigation["MP3 chapters"] = [
            (1, title, f"{start:.3f}") for title, start, _ in read_chapters(files.mp3)
        ]
    shown.navigation["M4B chapters"] = [
        (1, str(c.title), f"{float(c.start):.3f}")
        for c in (MP4(files.m4b).chapters or [])
    ]
    shown.navigation["chapter files"] = [
        (1, _title(path), path.name) for path in _first_pieces(files.chapters)
    ]
    timings = Timings.read(files.timings)
    shown.navigation["timings chapters"] = [
        (1, c.title, f"{c.start:.3f}") for c in timings.chapters
    ]
    shown.windows = [(s.sentence_id, s.start, s.end) for s in timings.sentences]
    shown.timed["timings"] = [w[0] for w in shown.windows]
    shown.cues = parse_vtt(files.vtt.read_text(encoding="utf-8"))
    shown.timed["vtt"] = [c.cue_id for c in shown.cues]
    shown.timed_text = {c.cue_id: c.text for c in shown.cues}
    shown.text = "\n".join(c.text for c in shown.cues)
    return shown


def _first_pieces(chapters: tuple[Path, ...]) -> list[Path]:
    """Return one file per chapter: a chapter longer than an MP3 part is written
    in pieces, `NN-01-slug.mp3`, `NN-02-slug.mp3`; its first piece stands for it."""
    seen: set[str] = set()
    first = []
    for path in chapters:
        number = path.name.split("-", 1)[0]
        if number not in seen:
            seen.add(number)
            first.append(path)
    return first


def _title(path: Path) -> str:
    """Return a chapter file's ID3 title, "" when it has none."""
    try:
        frame = ID3(path).get("TIT2")
    except ID3NoHeaderError:
        return ""
    return str(frame.text[0]) if frame is not None and frame.text else ""


def _parts_duration(files: AudioFiles) -> float:
    """Return the book's length: where the last part starts, plus its length."""
    last = Timings.read(files.timings).parts[-1]
    return last.start + float(MP3(files.parts[-1]).info.length)


def _parts_chapters(files: AudioFiles) -> list[tuple[int, str, str]]:
    """Return the parts' ID3 chapters on the book's timeline, one per chapter.

    A chapter cut between two parts is marked in both; it counts once, from where
    it starts.
    """
    timings = Timings.read(files.timings)
    found: list[tuple[int, str, str]] = []
    flags = timings.part_chapters()
    for part, path, chapters in zip(timings.parts, files.parts, flags, strict=False):
        for n, (title, start, _) in enumerate(read_chapters(path)):
            if n < len(chapters) and chapters[n][1]:
                continue  # continued from the part before
            found.append((1, title, f"{part.start + start:.3f}"))
    return found


def parse_vtt(text: str) -> list[Cue]:
    """Parse WebVTT cues (id, timing line, text); the header block is skipped.

    Raises ValueError when the file does not start with "WEBVTT" (W3C WebVTT §4.1).
    """
    text = text.lstrip("\ufeff")
    if not text.startswith("WEBVTT"):
        raise ValueError("a WebVTT file must start with 'WEBVTT'")
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))[1:]:
        lines = [line for line in block.split("\n") if line.strip()]
        at = next((i for i, line in enumerate(lines) if _TIMING.match(line)), None)
        if at is None:
            continue  # a NOTE or STYLE block
        match = _TIMING.match(lines[at])
        assert match is not None
        h1, m1, s1, h2, m2, s2 = match.groups()
        cues.append(
            Cue(
                cue_id=lines[at - 1].strip() if at > 0 else "",
                start=int(h1) * 3600 + int(m1) * 60 + float(s1),
                end=int(h2) * 3600 + int(m2) * 60 + float(s2),
                text=html.unescape("\n".join(lines[at + 1 :])),
            )
        )
    return cues
