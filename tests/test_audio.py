"""Audio edition: chapters from the headings, WebVTT cues, timings facts."""

from __future__ import annotations

import functools
import itertools
import json
import re
from pathlib import Path

import numpy as np
from conftest import Built
from scipy.signal import correlate

from editions.audio.chapter_master import speech_at_rate
from editions.audio.measure import decode
from editions.audio.script import build_script
from editions.audio.synth import synthesise
from editions.checks.audio import (
    AudioMeasures,
    check_audio,
    read_chapters,
)
from editions.checks.audio import measure as measure_file


@functools.cache
def measure(path: Path) -> AudioMeasures:
    """Measure each built file once: decoding a 15-minute book takes seconds."""
    return measure_file(path)


def _chapter_titles(built: Built) -> list[str]:
    return [s.title_text for s in built.article.sections if s.level <= 2]


def test_chapters_match_headings_and_cover_the_audio(built: Built) -> None:
    chapters = read_chapters(built.paths["mp3"])
    assert [title for title, _, _ in chapters] == _chapter_titles(built)
    duration = measure(built.paths["mp3"]).duration
    assert abs(chapters[0][1]) < 0.05
    assert abs(chapters[-1][2] - duration) < 0.05
    for (_, _, end), (_, start, _) in itertools.pairwise(chapters):
        assert abs(end - start) < 0.001


def test_audio_meets_the_sound_checks(built: Built) -> None:
    findings = check_audio(built.paths["mp3"], _chapter_titles(built))
    assert not [str(f) for f in findings if f.severity == "error"]


def _cues(built: Built) -> list[tuple[float, float, str]]:
    text = built.paths["vtt"].read_text(encoding="utf-8")
    assert text.startswith("WEBVTT")
    cues = []
    for start, end, body in re.findall(
        r"(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})[^\n]*\n(.+?)(?:\n\n|\Z)",
        text,
        flags=re.S,
    ):
        cues.append((_seconds(start), _seconds(end), body))
    return cues


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def test_vtt_cues_are_ordered_and_inside_the_audio(built: Built) -> None:
    cues = _cues(built)
    duration = measure(built.paths["mp3"]).duration
    assert cues
    for start, end, _ in cues:
        assert 0 <= start < end <= duration + 0.01
    starts = [c[0] for c in cues]
    assert starts == sorted(starts)


def test_timings_cover_every_sentence_of_the_script(built: Built) -> None:
    timings = json.loads(built.paths["timings"].read_text(encoding="utf-8"))
    ids = [s["id"] for s in timings["sentences"]]
    model_ids = {s.sentence_id for s in built.article.sentences()}
    body_ids = {s.title.sentence_id for s in built.article.sections}
    assert body_ids <= set(ids)
    assert {i for i in ids if i.startswith("s")} <= model_ids
    assert len(ids) == len(_cues(built))


def test_m4b_meets_the_sound_checks(built: Built) -> None:
    """The M4B is levelled and verified like the MP3 (AAC raises peaks too)."""
    findings = check_audio(built.paths["m4b"], [])
    assert not [str(f) for f in findings]


def test_every_sentence_is_heard_where_the_timings_say(
    built: Built, speech_cache: Path
) -> None:
    """Find each sentence's own speech in the decoded book: within 10 ms of its cue.

    The book is joined from separately encoded chapters, so this is what shows
    that no join shifted the chapters after it.
    """
    utterances = [u for ch in build_script(built.article) for u in ch.utterances]
    speech, synthesised = synthesise(
        [u.spoken for u in utterances], "piper", speech_cache, lang=built.article.lang
    )
    assert synthesised == 0  # the very speech the build used, from its cache
    sentences = json.loads(built.paths["timings"].read_text(encoding="utf-8"))[
        "sentences"
    ]
    samples, rate = decode(built.paths["mp3"])
    search = rate // 10
    errors = []
    for utterance, sentence in zip(utterances, sentences, strict=True):
        assert sentence["id"] == utterance.sentence_id
        part = speech_at_rate(speech[utterance.spoken])
        at = round(sentence["start"] * rate)
        window = samples[max(0, at - search) : at + len(part) + search]
        score = correlate(window, part, mode="valid", method="fft")
        errors.append((int(np.argmax(score)) - min(search, at)) / rate)
    print(f"\n{built.name}: worst sync error {max(map(abs, errors)) * 1000:.1f} ms")
    assert max(abs(error) for error in errors) <= 0.010, errors
