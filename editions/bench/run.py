"""Time the build against the work it cannot avoid and the plain tools: bench.json.

One run on one machine: a cold build of every edition (fresh speech cache), a no-op
rebuild, and a rebuild after adding a sentence to one paragraph, each run as
`invoke build` in a child process, on a frozen copy of the code. Then the
irreducible work (`bench.irreducible`: the voice's command speaking the whole script
on every core, WeasyPrint laying out both PDFs, one encode of the book MP3, each
timed alone) and the plain tools a user would otherwise reach for (pandoc to HTML
and EPUB, pandoc with WeasyPrint to PDF, pandoc to text then espeak-ng and ffmpeg
to MP3). Each build step runs twice, into two output folders: first with its
process tree sampled for peak memory and CPU by role (`editions.bench.sampler`),
then timed alone, as a user runs it (the sampler's own work made the cold build
3 % slower), with warm file caches like the yardstick's, which is timed alone too.
The targets are ratios between these numbers, so they mean the same on any
machine; the tests check what the benchmark reports, never how fast this machine
is.
"""

from __future__ import annotations

import compileall
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from editions import huge_pages, state
from editions.bench.irreducible import irreducible
from editions.bench.measure import BenchFailed, Measured, measure, ratio
from editions.bench.tools import plain_tools
from editions.output import write_text
from editions.paths import REPO_ROOT as ROOT

#: Each ratio's target: (limit, "max" when the measure must stay at or under it).
TARGETS: dict[str, tuple[float, str]] = {
    "noop_seconds": (1.0, "max"),
    "edit_over_cold": (0.20, "max"),
    "cold_over_irreducible": (1.25, "max"),
    "synthesis_cores_busy": (0.90, "min"),  # share of all cores our processes used
    "peak_memory_mb": (1536.0, "max"),
}
#: The sentence the one-paragraph edit adds.
ADDED_SENTENCE = "Ask your doctor or pharmacist if anything here is unclear."


@dataclass(frozen=True)
class BenchOptions:
    """What to measure."""

    tts: str = "auto"
    tools: bool = True  # also time the irreducible work and the plain tools
    voice: str = ""  # "" = the default voice (hibari "heart")


def freeze_code(scratch: Path) -> dict[str, str]:
    """Copy the package, styles/ and tasks.py; return an environment that uses them.

    Run there (`<scratch>/code`), as the working directory is on sys.path too. The
    builds then all run one version of the code and styles, even if someone
    edits the checkout while the benchmark runs (which would rebuild for real).
    """
    frozen = scratch / "code"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(state.PACKAGE, frozen / state.PACKAGE.name, ignore=skip)
    shutil.copytree(state.STYLES, frozen / state.STYLES.name, ignore=skip)
    shutil.copy2(ROOT / "tasks.py", frozen / "tasks.py")
    compileall.compile_dir(frozen / state.PACKAGE.name, quiet=1)  # as installed
    # PYTHONPATH comes before the editable install's finder on sys.meta_path.
    return {**os.environ, "PYTHONPATH": str(frozen)}


def build_command(
    source: Path, out_dir: Path, tts: str, root: Path = ROOT
) -> list[str]:
    """Return what a user types: `invoke build --source … --out …`."""
    return [
        sys.executable,
        "-m",
        "invoke",
        "--search-root",
        str(root),
        "build",
        "--source",
        str(source),
        "--out",
        str(out_dir),
        "--tts",
        tts,
    ]


def edit_one_paragraph(path: Path) -> None:
    """Add one sentence to the end of the middle prose paragraph of the body."""
    lines = path.read_text(encoding="utf-8").split("\n")
    closing = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    paragraphs = []
    index = closing + 1
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        end = index
        while end + 1 < len(lines) and lines[end + 1].strip():
            end += 1
        if lines[index][:1].isalpha():  # prose, not a heading, list, table or note
            paragraphs.append(end)
        index = end + 1
    if not paragraphs:
        raise BenchFailed(f"{path}: no prose paragraph to edit")
    last = paragraphs[len(paragraphs) // 2]
    lines[last] = f"{lines[last].rstrip()} {ADDED_SENTENCE}"
    path.write_text("\n".join(lines), encoding="utf-8")


def speech_texts(path: Path) -> list[str]:
    """Return the distinct sentences the audio edition speaks, in order."""
    from editions.audio.script import build_script
    from editions.source import article as source

    article, _ = source.load(path)
    script = build_script(article)
    return list(dict.fromkeys(u.spoken for c in script for u in c.utterances))


def run(
    source: Path, out_dir: Path, options: BenchOptions | None = None
) -> dict[str, Any]:
    """Benchmark *source*; write `<out_dir>/bench.json` and return what it holds."""
    options = options or BenchOptions()
    huge_pages.disable()  # the yardstick's tools run as the build's workers do
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".bench-", dir=out_dir))
    try:
        result = _bench(Path(source).resolve(), scratch, options)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_text(out_dir / "bench.json", json.dumps(result, indent=1))
    return result


def _copy_article(source: Path, scratch: Path) -> Path:
    """Copy the article and the files it reads from its folder into *scratch*."""
    from editions.source import article as loader

    article, _ = loader.load(source)
    folder = scratch / "article"
    for name in state.article_inputs(article):
        path = Path(name)
        if path.is_file() and path.is_relative_to(source.parent):
            target = folder / path.relative_to(source.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return folder / source.name


def _bench(source: Path, scratch: Path, options: BenchOptions) -> dict[str, Any]:
    copy = _copy_article(source, scratch)
    env = freeze_code(scratch)
    frozen = scratch / "code"  # run there: the working directory is on sys.path
    # Each step twice, into two output folders (each speech cache starts empty):
    # sampled for memory and CPU by role, and timed alone (`measure.measure`).
    out, timed_out = scratch / "out", scratch / "out-timed"
    command = build_command(copy, out, options.tts, frozen)
    timed = build_command(copy, timed_out, options.tts, frozen)
    if options.voice:
        command += ["--voice", options.voice]
        timed += ["--voice", options.voice]

    def both(step: str) -> tuple[Measured, Measured]:
        sampled = measure([command], cwd=frozen, env=env)
        alone = measure([timed], cwd=frozen, env=env, sampled=False)
        if _why(sampled) != _why(alone):  # the two folders must do the same work
            raise BenchFailed(f"{step}: {_why(sampled)} but {_why(alone)} timed")
        return sampled, alone

    cold, cold_alone = both("cold")
    # Every duration is the timed run's (its folder's manifest); the sampled
    # run's says when synthesis ran on the sampler's clock (cores busy).
    sampled_manifest = state.load(out, copy.stem)
    manifest = state.load(timed_out, copy.stem)
    manifest_file = state.manifest_path(out, copy.stem)
    written = manifest_file.read_bytes()

    noop, noop_alone = both("no-op")
    noop_rebuilt = (
        []
        if manifest_file.read_bytes() == written
        else list(state.load(out, copy.stem).last_run.get("rebuilt", []))
    )

    before = speech_texts(copy)
    edit_one_paragraph(copy)
    after = speech_texts(copy)
    edit, edit_alone = both("edit")
    edited = state.load(timed_out, copy.stem)

    audio = manifest.editions["audio"].facts
    synthesis = float(audio.get("synthesis_seconds", 0.0))
    sampled_audio = sampled_manifest.editions["audio"].facts
    started = float(sampled_audio.get("synthesis_started", 0.0))
    ended = started + float(sampled_audio.get("synthesis_seconds", 0.0))
    cores = os.cpu_count() or 1
    assert cold.sampler is not None  # sampled runs have one
    busy = cold.sampler.cores_busy(started, ended)
    machine = cold.sampler.machine_busy(started, ended)
    duration = float(audio.get("duration", 0.0))
    result: dict[str, Any] = {
        "article": str(source),
        "tts": options.tts,
        "machine": {
            "cpus": cores,
            "python": sys.version.split()[0],
            "load_average_at_start": os.getloadavg(),
        },
        "cold": {
            **cold.summary(),
            **_timed(cold_alone, cold),
            "editions": {n: round(r.seconds, 3) for n, r in manifest.editions.items()},
            "load_seconds": round(manifest.last_run["seconds"].get("load", 0.0), 3),
            "synthesis_seconds": round(synthesis, 3),
            "audio_after_synthesis_seconds": _after_synthesis(manifest),
            "synthesised": audio.get("synthesised"),
            "utterances": audio.get("utterances"),
            "synthesis_cores_busy": None if busy is None else round(busy, 2),
            "machine_busy_during_synthesis": None
            if machine is None
            else round(machine, 2),
        },
        "noop": {
            **noop.summary(),
            **_timed(noop_alone, noop),
            "rebuilt": noop_rebuilt,
            "why": _why(noop),
        },
        "edit": {
            **edit.summary(),
            **_timed(edit_alone, edit),
            "rebuilt": list(edited.last_run.get("rebuilt", [])),
            "editions": {
                n: round(edited.editions[n].seconds, 3)
                for n in edited.last_run.get("rebuilt", [])
            },
            "load_seconds": round(edited.last_run["seconds"].get("load", 0.0), 3),
            "audio_after_synthesis_seconds": _after_synthesis(edited),
            "synthesised": edited.last_run.get("synthesised"),
            "changed_sentences": len(set(after) - set(before)),
            "why": _why(edit),
        },
        "audio": {
            "duration_seconds": round(duration, 2),
            "rtf_synthesis": ratio(synthesis, duration),
            "rtf_audio_edition": ratio(manifest.editions["audio"].seconds, duration),
        },
        "irreducible": None,
        "plain": None,
    }
    if options.tools:
        voice = options.voice or ("joe" if options.tts == "piper" else "heart")
        result["irreducible"] = irreducible(
            copy, after, scratch, duration, partial(measure, sampled=False), voice
        )
        result["plain"] = plain_tools(copy, scratch)
    result["ratios"] = _ratios(result, cores)
    return result


def _timed(alone: Measured, sampled: Measured) -> dict[str, float]:
    """Return the step's wall and CPU time as timed alone, beside the sampled
    run's (its memory and CPU by role are the sampled run's)."""
    return {
        "seconds": round(alone.seconds, 3),
        "cpu_seconds": round(alone.cpu_seconds, 3),
        "sampled_seconds": round(sampled.seconds, 3),
        "sampled_cpu_seconds": round(sampled.cpu_seconds, 3),
    }


def _after_synthesis(manifest: state.Manifest) -> float | None:
    """Return how long the audio edition took once speech was ready (mastering)."""
    record = manifest.editions.get("audio")
    if record is None:
        return None
    return round(record.seconds - record.facts.get("synthesis_seconds", 0.0), 3)


def _why(run: Measured) -> list[str]:
    """Return the build's own reasons for each edition it rebuilt."""
    return [line for line in run.output.splitlines() if ": rebuilding (" in line]


def _ratios(result: dict[str, Any], cores: int) -> dict[str, Any]:
    cold = result["cold"]["seconds"]
    irreducible = (result["irreducible"] or {}).get("seconds")
    plain = (result["plain"] or {}).get("seconds")
    busy = result["cold"]["synthesis_cores_busy"]
    measured = {
        "noop_seconds": result["noop"]["seconds"],
        "edit_over_cold": ratio(result["edit"]["seconds"], cold),
        "cold_over_irreducible": ratio(cold, irreducible),
        "synthesis_cores_busy": None if busy is None else round(busy / cores, 2),
        "peak_memory_mb": max(
            result[phase]["peak_memory_mb"] for phase in ("cold", "noop", "edit")
        ),
        "cold_over_plain_tools": ratio(cold, plain),
        "resynthesised_only_changed": result["edit"]["synthesised"]
        == result["edit"]["changed_sentences"],
    }
    ratios: dict[str, Any] = {"measured": measured, "targets": {}, "met": {}}
    for name, (limit, kind) in TARGETS.items():
        value = measured[name]
        ratios["targets"][name] = f"{'≤' if kind == 'max' else '≥'} {limit}"
        ratios["met"][name] = (
            None
            if value is None
            else (value <= limit if kind == "max" else value >= limit)
        )
    return ratios


def table(result: dict[str, Any]) -> str:
    """Return the ratios and the main timings as a plain-text table."""
    ratios = result["ratios"]
    rows = [("measure", "value", "target", "met")]
    for name, value in ratios["measured"].items():
        met = ratios["met"].get(name)
        rows.append(
            (
                name,
                "n/a" if value is None else str(value),
                ratios["targets"].get(name, ""),
                ""
                if name not in ratios["met"]
                else {True: "yes", False: "NO"}.get(met, "n/a"),
            )
        )
    seconds = [
        ("cold build (s)", result["cold"]["seconds"]),
        ("no-op rebuild (s)", result["noop"]["seconds"]),
        ("one-paragraph edit (s)", result["edit"]["seconds"]),
        *((f"  cold {n} (s)", s) for n, s in result["cold"]["editions"].items()),
        ("synthesis (s)", result["cold"]["synthesis_seconds"]),
        ("audio length (s)", result["audio"]["duration_seconds"]),
        ("irreducible (s)", (result["irreducible"] or {}).get("seconds")),
        ("plain tools (s)", (result["plain"] or {}).get("seconds")),
    ]
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows
    ]
    lines.append("")
    lines += [f"{name:<28}{'n/a' if v is None else v}" for name, v in seconds]
    return "\n".join(lines)
