"""The audio edition's checks: measures, chapters and timings, the ASR back-check,
and the review of its speech script."""

from __future__ import annotations

from editions.checks import names, speech_review
from editions.checks.audio import check_audio
from editions.checks.checker import Checker
from editions.checks.compare import consistency
from editions.checks.compare.backcheck import back_check
from editions.checks.compare.loudness import measure_chapters
from editions.checks.compare.read_audio import AudioFiles, AudioShown, read_audio
from editions.checks.compare.shown import Shown
from editions.errors import Finding


def check(checker: Checker) -> None:
    """Audio measures, chapters and timings compared, then the ASR back-check."""
    files = checker.report.files
    needs = ("mp3", "m4b", "vtt", "timings", "chapters")
    chapter_files = tuple(sorted(files["chapters"].glob("*.mp3")))

    def measures() -> list[Finding]:
        titles = checker.exp.chapters
        found = check_audio(files["mp3"], titles) + check_audio(files["m4b"], titles)
        for path in chapter_files:
            found += check_audio(path, [])
        checker.report.loudness = measure_chapters(chapter_files, titles)
        return found

    checker.check(names.AUDIO_MEASURES, "audio", files["mp3"], measures, needs)
    audio_files = AudioFiles(
        files["mp3"], files["m4b"], files["vtt"], files["timings"], chapter_files
    )
    shown = checker.read("audio", files["mp3"], lambda: read_audio(audio_files), needs)
    exp, where = checker.exp, files["mp3"]

    def chapters(s: Shown) -> list[Finding]:
        assert isinstance(s, AudioShown)
        return consistency.navigation(exp, s, where) + (
            consistency.audio_chapter_times(s, where)
        )

    def timed(s: Shown) -> list[Finding]:
        assert isinstance(s, AudioShown)
        return consistency.timed(exp, s, where, set()) + consistency.audio_times(
            s, where
        )

    checker.compare(
        "audio",
        where,
        shown,
        [
            (names.NAVIGATION, chapters),
            (names.TIMED_SENTENCES, timed),
            (names.SOURCE_WORDS, lambda s: checker.words("audio", s, files["vtt"])),
        ],
    )
    checker.check(names.ASR, "audio", where, lambda: _listen(checker), needs)
    checker.check(
        names.SPEECH_SCRIPT,
        "audio",
        files["speech"],
        lambda: _speech(checker),
        ("speech",),
    )


def _speech(checker: Checker) -> list[Finding]:
    """Issue 20: the spoken form of every reworded sentence, for review."""
    findings, checker.report.speech_review = speech_review.review(
        checker.report.files["speech"], checker.article
    )
    return findings


def _listen(checker: Checker) -> list[Finding]:
    files = checker.report.files
    if speech_review.exemptions(checker.article.lang):  # Whisper tiny.en: English
        lang = checker.article.lang
        return [speech_review.exemption("ASR back-check", lang, files["mp3"])]
    findings, checker.report.listening = back_check(
        files["mp3"], files["timings"], checker.article
    )
    return findings
