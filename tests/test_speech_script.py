"""The auditable speech script: what each fixture article really gives the voice.

Scripts are made straight from the model (fast, no audio) for every fixture; one
en-GB leaflet is built once with the null engine to check the files the audio
edition writes and the `invoke check` review of them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURE, MAIN

from editions import build as pipeline
from editions.audio import speech_script
from editions.audio.normalise import written_only_forms
from editions.audio.script import build_script
from editions.checks import run as check
from editions.checks import speech_review
from editions.model import Article
from editions.report import html_report, json_report
from editions.source import article as source

LEAFLET = Path(__file__).resolve().parent / "data" / "leaflet-gb" / "leaflet.md"
FIXTURES = {"main": MAIN, "fixture": FIXTURE, "leaflet-gb": LEAFLET}


def _spoken(article: Article) -> dict[str, str]:
    return {
        u.sentence_id: u.spoken for c in build_script(article) for u in c.utterances
    }


@pytest.mark.parametrize("name", FIXTURES)
def test_no_written_only_forms_reach_the_voice(name: str) -> None:
    article = source.load(FIXTURES[name])[0]
    left = {sid: written_only_forms(s) for sid, s in _spoken(article).items()}
    assert not {sid: forms for sid, forms in left.items() if forms}


def test_the_en_gb_leaflet_is_said_as_a_reader_means_it() -> None:
    # Each written form the issue heard read wrongly, and what is said instead.
    spoken = " ".join(_spoken(source.load(LEAFLET)[0]).values())
    for wrong in ("slash", "two four weeks", "degrees C ", "nine hundred", "BMI"):
        assert wrong not in spoken
    for right in (
        "one hundred and thirty grams per litre",
        "nine micrograms per litre",
        "three times a day for two to four weeks",
        "twenty-five degrees Celsius",
        "call nine nine nine",
        "oh two oh, seven nine four six, oh nine five eight",
        "the fourteenth of March twenty twenty-five",
        "B M I",
        "G P",
        "code example",
        "help at clinic dot N H S dot U K",
    ):
        assert right in spoken


@pytest.fixture(scope="module")
def leaflet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("leaflet")
    options = pipeline.BuildOptions(only=("audio",), tts="null", report=print)
    return pipeline.run(LEAFLET, out, options)


def test_the_audio_edition_writes_its_speech_script(leaflet: dict[str, Path]) -> None:
    article = source.load(LEAFLET)[0]
    data = json.loads(leaflet["speech"].read_text(encoding="utf-8"))
    timings = json.loads(leaflet["timings"].read_text(encoding="utf-8"))
    assert data["lang"] == "en-GB"
    rows = data["sentences"]
    assert [r["id"] for r in rows] == [s["id"] for s in timings["sentences"]]
    assert [(r["start"], r["end"]) for r in rows] == [
        (s["start"], s["end"]) for s in timings["sentences"]
    ]
    assert {r["id"]: r["spoken"] for r in rows} == _spoken(article)
    first = next(r for r in rows if "14/03/2025" in r["written"])
    assert "fourteenth of March" in first["spoken"]
    text = leaflet["script"].read_text(encoding="utf-8")
    assert "  said: Take one tablet three times a day" in text
    assert re.search(r"\[00:00:\d\d\.\d{3} – 00:00:\d\d\.\d{3}\] s5\n", text)


def _review(
    out: Path, source_path: Path = LEAFLET, also: tuple[str, ...] = ()
) -> check.Report:
    options = check.CheckOptions(only=("speech script", *also), write_report=False)
    return check.run(source_path, out, options)


def test_check_lists_every_reworded_sentence(leaflet: dict[str, Path]) -> None:
    report = _review(leaflet["mp3"].parent)
    runs = {run.check: run for run in report.runs}
    assert runs["speech script"].findings == []
    review = report.speech_review
    assert review is not None and review.lang == "en-GB"
    rows = json.loads(leaflet["speech"].read_text(encoding="utf-8"))["sentences"]
    differs = [r["id"] for r in rows if r["written"] != r["spoken"].rstrip(".")]
    assert [r.sentence_id for r in review.reworded] == differs
    printed = "\n".join(speech_review.lines(review))
    assert "said: Store them below twenty-five degrees Celsius" in printed
    # Both reports carry the review: the JSON in full, the page as a table.
    data = json_report.as_dict(report)["speech_review"]
    assert [r["sentence_id"] for r in data["reworded"]] == differs
    page = html_report.page(report)
    assert "Speech script review" in page
    assert "twenty-five degrees Celsius" in page and "25 °C &amp; keep" in page


def test_written_only_and_stale_scripts_fail(
    leaflet: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(leaflet["mp3"].parent, out)
    speech = out / leaflet["speech"].name
    data = json.loads(speech.read_text(encoding="utf-8"))
    data["sentences"][3]["spoken"] = "Take 3 tablets/day."
    speech.write_text(json.dumps(data), encoding="utf-8")
    findings = _review(out).findings
    codes = [f.code for f in findings]
    assert codes.count("CHK070") == 1 and "CHK071" in codes
    assert "'3 /'" in next(str(f) for f in findings if f.code == "CHK070")


def test_another_language_is_a_named_exemption(
    leaflet: dict[str, Path], tmp_path: Path
) -> None:
    # The same leaflet declared German: no rules, no English ASR; both are named.
    src = tmp_path / "src"
    shutil.copytree(LEAFLET.parent, src)
    text = (src / LEAFLET.name).read_text(encoding="utf-8")
    (src / LEAFLET.name).write_text(text.replace("lang: en-GB", "lang: de"), "utf-8")
    out = tmp_path / "out"
    shutil.copytree(leaflet["mp3"].parent, out)
    german = source.load(src / LEAFLET.name)[0]
    speech_script.write(
        build_script(german), out / leaflet["timings"].name, german.title, "de"
    )
    report = _review(out, src / LEAFLET.name, also=("ASR back-check",))
    runs = {run.check: run for run in report.runs}
    exempt = {
        name: [str(f) for f in runs[name].findings]
        for name in ("speech script", "ASR back-check")
    }
    assert all(len(found) == 1 for found in exempt.values())
    assert "warning CHK072: exempt: speech normalisation" in exempt["speech script"][0]
    assert "warning CHK072: exempt: ASR back-check" in exempt["ASR back-check"][0]
    assert all(runs[name].status == "warning" for name in exempt)  # never "pass"
    assert report.speech_review is not None
    assert report.speech_review.exemptions == list(speech_review.ENGLISH_ONLY)
