"""Time cold builds of the generated book at several lengths: the scale curve.

Issue 22: a book-length article (`editions.bench.longdoc`) must build within 1.3×
the work it cannot avoid (synthesis on every core, the two PDF layouts, one MP3
encode, each timed alone), within 45 minutes and 4 GB (all processes), each PDF
within 2× plain WeasyPrint on the same HTML, and no worse than linearly with
length. Each fraction is built cold in a child process on a frozen copy of the
code (`editions.bench.run.measure`), so the numbers are the user's `invoke build`.
The curve's growth is the log-log slope of time against chapters: 1.0 is linear.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from editions import huge_pages, state
from editions.bench import longdoc
from editions.bench.run import build_command, freeze_code, measure
from editions.output import write_text

#: What the issue asks of the full-size book: (limit, "max" or "min").
TARGETS: dict[str, tuple[float, str]] = {
    "cold_over_irreducible": (1.3, "max"),
    "cold_minutes": (45.0, "max"),
    "peak_memory_mb": (4096.0, "max"),
    "pdf_over_weasyprint": (2.0, "max"),
    "growth_exponent": (1.1, "max"),  # 1.0 = linear in length
}
FRACTIONS = (1 / 8, 1 / 4, 1 / 2, 1.0)


@dataclass(frozen=True)
class ScaleOptions:
    """Which lengths to build, with which speech engine, and whether to time the
    unavoidable work too."""

    fractions: Sequence[float] = FRACTIONS
    tts: str = "piper"
    irreducible: bool = True


def run(
    out_dir: Path,
    options: ScaleOptions | None = None,
    on_point: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Build the book at each fraction; return the curve (and write nothing).

    *on_point* is handed the curve so far after each point: an hour-long run that
    fails late (a full disk) keeps what it measured. Each point's files are
    deleted once it is measured: a book's speech cache and editions take gigabytes.
    """
    options = options or ScaleOptions()
    load = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix=".bench-long-", dir=out_dir))
    points: list[dict[str, Any]] = []
    try:
        env = freeze_code(scratch)
        for n, fraction in enumerate(sorted(options.fractions)):
            folder = scratch / f"f{n}"
            try:
                points.append(_point(fraction, folder, env, options))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            if on_point is not None:
                on_point(_curve(points, options, load, complete=False))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _curve(points, options, load, complete=True)


def _curve(
    points: list[dict[str, Any]],
    options: ScaleOptions,
    load: tuple[float, float, float],
    complete: bool,
) -> dict[str, Any]:
    """Return the points and what the largest one (and their growth) measure."""
    largest = points[-1]
    measured = {
        "cold_over_irreducible": largest.get("cold_over_irreducible"),
        "cold_minutes": round(largest["seconds"] / 60, 2),
        "peak_memory_mb": largest["peak_memory_mb"],
        "pdf_over_weasyprint": largest.get("pdf_over_weasyprint"),
        "growth_exponent": growth([p["chapters"] for p in points], points),
        "growth_exponent_cpu": growth(
            [p["chapters"] for p in points], points, "cpu_seconds"
        ),
    }
    met = {
        name: None
        if measured[name] is None
        else (measured[name] <= limit if kind == "max" else measured[name] >= limit)
        for name, (limit, kind) in TARGETS.items()
    }
    return {
        "tts": options.tts,
        "cpus": os.cpu_count(),
        "load_average_at_start": load,
        "complete": complete,
        "fractions_asked": sorted(options.fractions),
        "curve": list(points),
        "measured": measured,
        "targets": {
            n: f"{'≤' if k == 'max' else '≥'} {v}" for n, (v, k) in TARGETS.items()
        },
        "met": met,
    }


def growth(
    chapters: Sequence[int], points: Sequence[dict[str, Any]], key: str = "seconds"
) -> float | None:
    """Return the least-squares slope of log(time) against log(chapters)."""
    pairs = [
        (math.log(c), math.log(p[key]))
        for c, p in zip(chapters, points, strict=True)
        if p.get(key)
    ]
    if len({x for x, _ in pairs}) < 2:
        return None
    mx = sum(x for x, _ in pairs) / len(pairs)
    my = sum(y for _, y in pairs) / len(pairs)
    num = sum((x - mx) * (y - my) for x, y in pairs)
    den = sum((x - mx) ** 2 for x, _ in pairs)
    return round(num / den, 3)


def _point(
    fraction: float, folder: Path, env: dict[str, str], options: ScaleOptions
) -> dict[str, Any]:
    """Build *fraction* of the book cold; time the unavoidable work beside it."""
    book = longdoc.write(folder / "article", fraction)
    out = folder / "out"
    frozen = folder.parent / "code"
    command = [*build_command(book.path, out, options.tts, frozen), "--quiet"]
    cold = measure([command], cwd=frozen, env=env)
    manifest = state.load(out, book.path.stem)
    editions = {n: round(r.seconds, 3) for n, r in manifest.editions.items()}
    point: dict[str, Any] = {
        "fraction": fraction,
        "chapters": book.chapters,
        "words": book.words,
        "citations": book.citations,
        "markdown_bytes": book.size_bytes,
        **cold.summary(),
        "editions": editions,
        "pdf_pages": _pages(out / f"{book.path.stem}.pdf"),
    }
    # What was needed is read: the build's editions and speech cache (tens of GB
    # for the full book) go before the unavoidable work writes its own.
    shutil.rmtree(out, ignore_errors=True)
    if options.irreducible:
        audio = manifest.editions.get("audio")
        duration = float(audio.facts.get("duration", 0.0)) if audio else 0.0
        alone = irreducible(book.path, folder / "alone", options.tts, duration, env)
        point["irreducible"] = alone
        point["cold_over_irreducible"] = round(cold.seconds / alone["seconds"], 3)
        pdf = editions.get("pdf")
        if pdf and alone["weasyprint_seconds"]:
            # Wall time: the PDF is laid out niced beside the audio, so this is high
            # on a busy machine; the CPU ratio is the one the target applies to.
            wall = pdf / alone["weasyprint_seconds"]
            point["pdf_over_weasyprint_wall"] = round(wall, 3)
        record = manifest.editions.get("pdf")
        cpu = record.facts.get("cpu_seconds") if record else None
        if cpu and alone["weasyprint_cpu_seconds"]:
            ratio = cpu / alone["weasyprint_cpu_seconds"]
            point["pdf_over_weasyprint"] = round(ratio, 3)
    return point


def _pages(path: Path) -> int | None:
    if not path.is_file():
        return None
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def irreducible(
    source: Path, folder: Path, tts: str, duration: float, env: dict[str, str]
) -> dict[str, Any]:
    """Time, each alone: speaking every sentence on every core (a fresh cache), the
    two WeasyPrint layouts of the PDFs' HTML, and one MP3 encode of the book's length.
    """
    from editions.audio.encode import MP3_BITRATE
    from editions.pdf import render as pdf
    from editions.pdf.listen import DEFAULT_AUDIO_BASE_URL, audio_url
    from editions.pdf.step import LARGE_PRINT_PT
    from editions.programs import ffmpeg_exe
    from editions.source import article as loader

    folder.mkdir(parents=True)
    article, _ = loader.load(source)
    url = audio_url(DEFAULT_AUDIO_BASE_URL, article.stem)
    layouts = []
    for n, settings in enumerate(
        (
            pdf.PdfSettings(audio_url=url),
            pdf.PdfSettings(body_pt=LARGE_PRINT_PT, audio_url=url),
        )
    ):
        page = folder / f"page{n}.html"
        page.write_text(pdf.page_html(article, settings), encoding="utf-8")
        layouts.append(
            measure(
                [[sys.executable, "-m", "weasyprint", "--pdf-variant", "pdf/ua-1",
                  str(page), str(folder / f"page{n}.pdf")]],
                cwd=source.parent,
                env=env,
            )
        )  # fmt: skip
    speak = measure(
        [[sys.executable, "-c", _SPEAK, str(source), tts, str(folder / "speech")]],
        env=env,
    )
    encode = measure(
        [[ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i",
          f"anoisesrc=d={max(duration, 1.0):.1f}:c=pink:r=44100:a=0.1",
          "-ac", "1", "-b:a", MP3_BITRATE, "-y", str(folder / "encode.mp3")]]
    )  # fmt: skip
    weasy = sum(m.seconds for m in layouts)
    return {
        "seconds": round(weasy + speak.seconds + encode.seconds, 3),
        "weasyprint_seconds": round(weasy, 3),
        "weasyprint_cpu_seconds": round(sum(m.cpu_seconds for m in layouts), 3),
        "weasyprint_peak_memory_mb": round(max(m.peak_pss_mb for m in layouts), 1),
        "synthesis_seconds": round(speak.seconds, 3),
        "encode_seconds": round(encode.seconds, 3),
        "audio_seconds": round(duration, 1),
    }


#: Speak every distinct sentence of the article's script on every core, as the
#: audio edition does, into a fresh cache: the synthesis the build cannot avoid.
_SPEAK = """
import sys
from pathlib import Path
from editions.audio.script import build_script
from editions.audio.synth import synthesise
from editions.audio.voices import choose
from editions.source import article as source
article, _ = source.load(Path(sys.argv[1]))
choice = choose(sys.argv[2], article.voice or "", article.lang)  # as the build does
texts = [u.spoken for c in build_script(article) for u in c.utterances]
synthesise(
    texts, choice.engine, Path(sys.argv[3]), lang=article.lang,
    voice=choice.voice.name, lexicon=article.lexicon,
)
"""


def table(result: dict[str, Any]) -> str:
    """Return the curve and the targets as plain text."""
    lines = ["chapters  words    seconds  cpu_s    peak_MB  pdf_s   audio_s  pages"]
    for p in result["curve"]:
        e = p["editions"]
        lines.append(
            f"{p['chapters']:<9} {p['words']:<8} {p['seconds']:<8} "
            f"{p['cpu_seconds']:<8} {p['peak_memory_mb']:<8} {e.get('pdf', '-')!s:<7} "
            f"{e.get('audio', '-')!s:<8} {p['pdf_pages']}"
        )
    lines.append("")
    for name, value in result["measured"].items():
        met = result["met"].get(name)
        mark = (
            ""
            if name not in result["met"]
            else {True: "yes", False: "NO"}.get(met, "n/a")
        )
        lines.append(
            f"{name:<26}{value!s:<10}{result['targets'].get(name, ''):<10}{mark}"
        )
    return "\n".join(lines)


def parse_fractions(text: str) -> tuple[float, ...]:
    """Read "1/8,1/4" (or "all") as fractions of the full book."""
    if text.strip() == "all":
        return FRACTIONS
    return tuple(float(Fraction(part.strip())) for part in text.split(","))


def main(out_dir: Path, fractions: str, tts: str, irreducible: bool = True) -> str:
    """Run the curve, add it to `<out_dir>/bench.json` as "long"; return the table."""
    huge_pages.disable()  # the yardstick's tools run as the build's workers do
    out_dir.mkdir(parents=True, exist_ok=True)
    options = ScaleOptions(parse_fractions(fractions), tts, irreducible)
    path = out_dir / "bench.json"

    def keep(result: dict[str, Any]) -> None:
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
        write_text(path, json.dumps({**kept, "long": result}, indent=1))

    result = run(out_dir, options, on_point=keep)
    keep(result)
    return f'{table(result)}\nWritten to {path} ("long")'
