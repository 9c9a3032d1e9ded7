"""Per-language voices: a Spanish fixture is read by espeak-ng, with a warning.

Checks that cannot judge Spanish audio (the English-only ASR back-check) are
reported as named exemptions, never as passes. The build is audio-only and small.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, run_invoke

from editions import build as pipeline
from editions.checks import exemptions, run as checker
from editions.checks.audio import check_audio, read_chapters
from editions.errors import BuildFailed

SPANISH = ROOT / "tests" / "data" / "spanish" / "article.md"


@dataclass(frozen=True)
class Spoken:
    out: Path
    lines: list[str]
    paths: dict[str, Path]


@pytest.fixture(scope="module")
def spanish(tmp_path_factory: pytest.TempPathFactory) -> Spoken:
    out = tmp_path_factory.mktemp("spanish")
    lines: list[str] = []
    options = pipeline.BuildOptions(only=("audio",), report=lines.append)
    return Spoken(out, lines, pipeline.run(SPANISH, out, options))


def test_spanish_is_read_by_espeak_with_a_quality_warning(spanish: Spoken) -> None:
    warned = [line for line in spanish.lines if "warning AUD018" in line]
    assert len(warned) == 1 and "espeak-ng" in warned[0] and "'es-ES'" in warned[0]
    titles = ["Cómo tomar su medicina", "Por qué importa la dosis"]
    assert [title for title, *_ in read_chapters(spanish.paths["mp3"])] == titles
    # Loudness, peaks, room tone, format and chapters: the same targets as English.
    assert not [str(f) for f in check_audio(spanish.paths["mp3"], titles)]


def test_checks_that_cannot_apply_are_named_exemptions(
    spanish: Spoken, exempt: Callable[[str, str], None]
) -> None:
    only = ("ASR back-check", "audio measures")
    options = checker.CheckOptions(write_report=False, only=only)
    report = checker.run(SPANISH, spanish.out, options)
    runs = {run.check: run for run in report.runs_for("audio")}
    asr = runs["ASR back-check"]
    assert asr.status == "exempt" and not asr.findings  # never "pass"
    assert "English only" in asr.exempt
    for name in exemptions.ASR_CHECKS:  # each ASR check is named
        assert name in asr.exempt
    assert report.listening is None  # no accuracy figure for Spanish audio
    exempt(asr.check, asr.exempt)
    assert runs["audio measures"].status == "pass"


def test_invoke_check_prints_the_named_exemptions(spanish: Spoken) -> None:
    done = run_invoke("check", "--source", str(SPANISH), "--out", str(spanish.out))
    printed = done.stdout.splitlines()
    asr = [line for line in printed if line.startswith("exempt: ASR back-check")]
    assert len(asr) == 1, done.stdout[-2000:]
    assert all(name in asr[0] for name in exemptions.ASR_CHECKS)
    assert "English only" in asr[0] and "'es-ES'" in asr[0]
    assert not any(" ASR00" in line and " error " in line for line in printed)


def test_an_english_voice_for_spanish_stops_before_anything_is_written(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source"
    shutil.copytree(SPANISH.parent, source)
    article = source / "article.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("lang: es-ES\n", "lang: es-ES\nvoice: heart\n"))
    out = tmp_path / "out"
    with pytest.raises(BuildFailed) as refused:
        pipeline.run(article, out, pipeline.BuildOptions(report=lambda _: None))
    assert f"{article}:6 [voice]: error AUD017:" in refused.value.report()
    assert "--voice espeak" in refused.value.report()
    assert not out.exists() or not any(out.iterdir())
    with pytest.raises(BuildFailed) as unknown:
        options = pipeline.BuildOptions(voice="nobody", report=lambda _: None)
        pipeline.run(article, out, options)
    assert "error AUD015: unknown voice 'nobody'" in unknown.value.report()
