"""Do the built files agree with each other, byte for byte and millisecond for ms?

`invoke check` compares each edition with the source; after an interrupted build the
question is also whether the editions that reuse another's files reuse the ones on
disk now: the EPUB's page breaks are the PDF's (`pages.json`), and the EPUB's MP3 and
overlays, the large-print page's read-along and the WebVTT are the MP3's timings.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pikepdf
from mutagen.mp3 import MP3

from editions.checks.compare.read_audio import parse_vtt

TOLERANCE = 0.0015  # s: the SMIL clock and WebVTT keep milliseconds
DURATION_SLACK = 0.06  # s: an MP3's frames against the timeline's end
_PAR = re.compile(
    r'<text src="[^"#]*#([^"]+)"/>\s*<audio src="[^"]*" clipBegin="([0-9:.]+)"'
)
_PAGE = re.compile(r'id="page-(\d+)"')
_ID = re.compile(r'\sid="([^"]+)"')
_TIMINGS = re.compile(r'<script[^>]*id="timings"[^>]*>(.*?)</script>', re.DOTALL)


def problems(out: Path, stem: str, epub: bool = True) -> list[str]:
    """Return every way the editions in *out* disagree with the files they reuse.

    Without *epub*, only the audio and the large-print page are compared.
    """
    timings = json.loads((out / f"{stem}.timings.json").read_text(encoding="utf-8"))
    starts = {s["id"]: s["start"] for s in timings["sentences"]}
    found = _mp3(out / f"{stem}.mp3", timings["duration"])
    found += _vtt(out / f"{stem}.vtt", starts)
    found += _html(out / f"{stem}-large-print.html", timings)
    if epub:
        found += _epub(out, stem, starts)
    return found


def _mp3(mp3: Path, duration: float) -> list[str]:
    length = MP3(mp3).info.length
    if abs(length - duration) > DURATION_SLACK:
        return [f"{mp3.name} lasts {length:.3f} s; its timings say {duration:.3f} s"]
    return []


def _vtt(vtt: Path, starts: dict[str, float]) -> list[str]:
    cues = {c.cue_id: c.start for c in parse_vtt(vtt.read_text(encoding="utf-8"))}
    if set(cues) != set(starts):
        return [f"{vtt.name} times other sentences than the MP3's timings"]
    return [
        f"{vtt.name}: cue {sid} starts {at:.3f} s, the MP3's timings {starts[sid]:.3f}"
        for sid, at in cues.items()
        if abs(at - starts[sid]) > TOLERANCE
    ]


def _html(page: Path, timings: dict[str, object]) -> list[str]:
    match = _TIMINGS.search(page.read_text(encoding="utf-8"))
    if match is None:
        return [f"{page.name} has no read-along timings"]
    if json.loads(match.group(1)) != timings:
        return [f"{page.name}'s read-along timings are not the MP3's timings"]
    return []


def _epub(out: Path, stem: str, starts: dict[str, float]) -> list[str]:
    found = []
    with zipfile.ZipFile(out / f"{stem}.epub") as book:
        names = book.namelist()
        audio = [book.read(n) for n in names if n.endswith(".mp3")]
        if audio != [(out / f"{stem}.mp3").read_bytes()]:
            found.append("the EPUB does not carry the MP3 on disk")
        smil = "".join(book.read(n).decode() for n in names if n.endswith(".smil"))
        xhtml = "".join(
            book.read(n).decode()
            for n in names
            if n.endswith(".xhtml") and not n.endswith("nav.xhtml")
        )
    clips = {sid: _seconds(clock) for sid, clock in _PAR.findall(smil)}
    if set(clips) != set(starts):
        found.append("the EPUB's overlays time other sentences than the MP3's timings")
    found += [
        f"EPUB overlay {sid} starts {at:.3f} s, the MP3's timings {starts[sid]:.3f}"
        for sid, at in clips.items()
        if sid in starts and abs(at - starts[sid]) > TOLERANCE
    ]
    pages = json.loads((out / f"{stem}.pages.json").read_text(encoding="utf-8"))
    with pikepdf.open(out / pages["pdf"]) as pdf:
        if len(pdf.pages) != len(pages["page_starts"]):
            found.append(f"{pages['pdf']} has {len(pdf.pages)} pages, pages.json not")
    breaks = [_next_id(xhtml, m.end()) for m in _PAGE.finditer(xhtml)]
    if breaks != pages["page_starts"]:
        found.append(
            f"the EPUB's page breaks fall before {breaks}; the PDF's pages start "
            f"at {pages['page_starts']}"
        )
    return found


def _next_id(xhtml: str, at: int) -> str:
    match = _ID.search(xhtml, at)
    return match.group(1) if match else ""


def _seconds(clock: str) -> float:
    hours, minutes, seconds = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
