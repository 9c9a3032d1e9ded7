"""The work no build schedule can avoid, each part timed alone: the bench's yardstick.

Speech synthesis of the whole script on every core (the voice's own command line,
one process per core), WeasyPrint laying out both PDFs (regular and large print),
and one ffmpeg encode of the book-length MP3. A build that overlapped all of it
perfectly and did nothing else would take the sum's worth of CPU spread over the
cores; the bench compares the cold build with the sum.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Measure = Callable[..., Any]


def shares(texts: list[str], count: int) -> list[list[str]]:
    """Split *texts* into *count* shares of about equal length (longest first)."""
    parts: list[list[str]] = [[] for _ in range(max(1, count))]
    for text in sorted(texts, key=len, reverse=True):
        min(parts, key=lambda s: sum(map(len, s))).append(text)
    return [p for p in parts if p]


def synthesis_commands(texts: list[str], folder: Path, voice: str) -> list[list[str]]:
    """Return one synthesis command per core for *voice* (hibari or Piper)."""
    cores = os.cpu_count() or 1
    commands = []
    for n, part in enumerate(shares(texts, cores)):
        script = folder / f"part{n}.txt"
        script.write_text("\n".join(t.replace("\n", " ") for t in part), "utf-8")
        wav = folder / f"part{n}.wav"
        if voice == "joe":
            from editions.audio.piper_engine import LENGTH_SCALE, voice_files

            model, config = voice_files()
            commands.append([
                sys.executable, "-m", "piper", "-m", str(model), "-c", str(config),
                "-i", str(script), "-f", str(wav),
                "--length-scale", str(LENGTH_SCALE), "--no-normalize",
            ])  # fmt: skip
        else:
            from editions.audio.hibari_engine import SEED, SPEED

            code = (
                "import sys; from hibari.cli import main; "
                f"sys.stdin = open({str(script)!r}, encoding='utf-8'); "
                f"sys.argv = ['hibari', '-', '-o', {str(wav)!r}, '--voice', "
                f"{voice!r}, '--speed', '{SPEED}', '--seed', '{SEED}']; main()"
            )
            commands.append([sys.executable, "-c", code])
    return commands


def irreducible(
    source: Path,
    texts: list[str],
    scratch: Path,
    duration: float,
    measure: Measure,
    voice: str = "heart",
) -> dict[str, Any]:
    """Time synthesis on every core, both PDF layouts and one book MP3 encode."""
    from editions.audio.encode import mp3_command
    from editions.audio.levels import RATE
    from editions.pdf import render as pdf
    from editions.pdf.listen import DEFAULT_AUDIO_BASE_URL, audio_url
    from editions.programs import ffmpeg_exe
    from editions.source import article as loader

    folder = scratch / "irreducible"
    folder.mkdir()
    synthesis = measure(synthesis_commands(texts, folder, voice))

    article, _ = loader.load(source)
    url = audio_url(DEFAULT_AUDIO_BASE_URL, article.stem)
    layouts = {
        "pdf": pdf.PdfSettings(audio_url=url),
        "pdf_large_print": pdf.PdfSettings(
            body_pt=18, suffix="-large-print", audio_url=url
        ),
    }
    timed: dict[str, Any] = {}
    for name, settings in layouts.items():
        page = folder / f"{name}.html"
        page.write_text(pdf.page_html(article, settings), encoding="utf-8")
        timed[name] = measure(
            [[sys.executable, "-m", "weasyprint", "--pdf-variant", "pdf/ua-1",
              str(page), str(folder / f"{name}.pdf")]]
        )  # fmt: skip

    # The book's length of speech, at the master rate (made untimed), then encoded.
    ffmpeg = ffmpeg_exe()
    parts = sorted(folder.glob("part*.wav"))
    book = folder / "book.wav"
    inputs = [a for p in parts for a in ("-i", str(p))]
    measure(
        [[ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *inputs,
          "-filter_complex",
          f"concat=n={len(parts)}:v=0:a=1,apad=whole_dur={max(duration, 1.0):.3f}",
          "-ar", str(RATE), "-ac", "1", str(book)]]
    )  # fmt: skip
    encode = measure([mp3_command(ffmpeg, book, folder / "book.mp3")])
    total = synthesis.seconds + sum(t.seconds for t in timed.values()) + encode.seconds
    return {
        "seconds": round(total, 3),
        "voice": voice,
        "synthesis_seconds": round(synthesis.seconds, 3),
        "synthesis": synthesis.summary(),
        "synthesis_rtf": round(synthesis.seconds / duration, 4) if duration else None,
        **{name: t.summary() for name, t in timed.items()},
        "mp3_encode": encode.summary(),
    }
