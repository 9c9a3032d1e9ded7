"""Time the irreducible work and the plain tools the build is compared with.

The irreducible work is Piper speaking the whole script on every core and WeasyPrint
laying out the PDF once; the plain tools are what a user would otherwise run
(pandoc, pandoc with WeasyPrint, espeak-ng and ffmpeg).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from editions.bench.measure import BenchFailed, measure, ratio
from editions.paths import STYLES


def irreducible(
    source: Path, texts: list[str], scratch: Path, duration: float
) -> dict[str, Any]:
    """Time Piper speaking the script on every core, and WeasyPrint laying out once."""
    from editions.audio.piper_engine import LENGTH_SCALE, voice_files
    from editions.pdf import render as pdf
    from editions.pdf.listen import DEFAULT_AUDIO_BASE_URL, audio_url
    from editions.source import article as loader

    model, config = voice_files()
    folder = scratch / "irreducible"
    folder.mkdir()
    cores = os.cpu_count() or 1

    def piper(lines: list[str], name: str) -> list[str]:
        script = folder / f"{name}.txt"
        script.write_text("\n".join(t.replace("\n", " ") for t in lines), "utf-8")
        return [
            sys.executable, "-m", "piper", "-m", str(model), "-c", str(config),
            "-i", str(script), "-f", str(folder / f"{name}.wav"),
            "--length-scale", str(LENGTH_SCALE), "--no-normalize",
        ]  # fmt: skip

    # All cores two ways: one process (onnxruntime threads) or one per core.
    one = measure([piper(texts, "all")])
    shares: list[list[str]] = [[] for _ in range(cores)]
    for text in sorted(texts, key=len, reverse=True):  # longest first, to the lightest
        min(shares, key=lambda s: sum(map(len, s))).append(text)
    split = measure([piper(s, f"part{n}") for n, s in enumerate(shares) if s])
    best = min(one.seconds, split.seconds)

    article, _ = loader.load(source)
    settings = pdf.PdfSettings(
        audio_url=audio_url(DEFAULT_AUDIO_BASE_URL, article.stem)
    )
    page = folder / "page.html"
    page.write_text(pdf.page_html(article, settings), encoding="utf-8")
    weasy = measure(
        [[sys.executable, "-m", "weasyprint", "--pdf-variant", "pdf/ua-1",
          str(page), str(folder / "page.pdf")]]
    )  # fmt: skip
    return {
        "seconds": round(best + weasy.seconds, 3),
        "piper_seconds": round(best, 3),
        "piper_one_process": one.summary(),
        "piper_one_process_per_core": split.summary(),
        "piper_rtf": ratio(best, duration),
        "weasyprint": weasy.summary(),
    }


def plain_tools(source: Path, scratch: Path) -> dict[str, Any]:
    """Time what a user would otherwise run: pandoc, WeasyPrint, espeak-ng, ffmpeg."""
    from editions.programs import ffmpeg_exe
    from editions.source.article import pandoc_path

    folder = scratch / "plain"
    folder.mkdir()
    text = source.read_text(encoding="utf-8")
    csl = next(
        (p for p in (source.parent / "apa.csl", STYLES / "apa.csl") if p.is_file()),
        None,
    )
    if "\ncsl:" in text:
        named = text.split("\ncsl:", 1)[1].split("\n", 1)[0].strip()
        csl = next(
            (p for p in (source.parent / named, STYLES / named) if p.is_file()),
            csl,
        )
    pandoc = [pandoc_path(), source.name, "--citeproc"]
    if csl is not None:
        pandoc.append(f"--csl={csl}")
    # pandoc finds `weasyprint` on PATH: put this environment's first.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    espeak = shutil.which("espeak-ng")
    steps: dict[str, list[list[str]]] = {
        "pandoc_html": [[*pandoc, "-s", "-o", str(folder / "plain.html")]],
        "pandoc_epub": [[*pandoc, "-o", str(folder / "plain.epub")]],
        "pandoc_weasyprint_pdf": [
            [*pandoc, "--pdf-engine=weasyprint", "-o", str(folder / "plain.pdf")]
        ],
        "espeak_ffmpeg_audio": [
            [*pandoc, "-t", "plain", "-o", str(folder / "plain.txt")],
            [
                espeak or "espeak-ng",
                "-s",
                "150",
                "-f",
                str(folder / "plain.txt"),
                "-w",
                str(folder / "plain.wav"),
            ],
            [
                ffmpeg_exe(),
                "-y",
                "-loglevel",
                "error",
                "-i",
                str(folder / "plain.wav"),
                "-b:a",
                "64k",
                str(folder / "plain.mp3"),
            ],
        ],
    }
    results: dict[str, Any] = {}
    for name, commands in steps.items():
        try:
            runs = [measure([c], cwd=source.parent, env=env) for c in commands]
        except (BenchFailed, OSError) as err:
            results[name] = {"seconds": None, "error": str(err)[:500]}
            continue
        results[name] = {
            "seconds": round(sum(r.seconds for r in runs), 3),
            "peak_memory_mb": round(max(r.peak_pss_mb for r in runs), 1),
        }
    times = [r["seconds"] for r in results.values() if r["seconds"] is not None]
    results["seconds"] = round(sum(times), 3) if len(times) == len(steps) else None
    return results
