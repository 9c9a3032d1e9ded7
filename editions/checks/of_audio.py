"""The audio edition's checks: measures, naturalness, chapters and timings, the ASR
back-check, and the review of its speech script."""

from __future__ import annotations

from pathlib import Path

from editions import registry
from editions.audio import speech_script
from editions.checks import exemptions, names, naturalness, speech_review
from editions.checks.audio import check_audio
from editions.checks.audio_parts import check_parts
from editions.checks.checker import Checker
from editions.checks.compare import consistency, text_fidelity
from editions.checks.compare.backcheck import back_check
from editions.checks.compare.loudness import measure_chapters
from editions.checks.compare.read_audio import AudioFiles, AudioShown, read_audio
from editions.checks.compare.shown import Shown
from editions.errors import Finding
from editions.facts import Timings
from editions.report.results import CheckRun


def check(checker: Checker) -> None:
    """Audio measures, chapters and timings compared, then the ASR back-check."""
    files = checker.report.files
    # A long book has MP3 parts instead of one MP3: the M4B then names the book in
    # findings; the back-check hears the parts on the timings' timeline.
    part_keys = registry.BY_NAME["audio"].output("part").members(files)
    parts = tuple(files[k] for k in part_keys)
    book = "m4b" if parts else "mp3"
    needs = (book, "m4b", "vtt", "timings", "chapters", *part_keys)
    chapter_files = tuple(sorted(files["chapters"].glob("*.mp3")))

    def measures() -> list[Finding]:
        titles = checker.exp.chapters
        found = check_audio(files["m4b"], titles)
        if parts:
            for path, expected in zip(
                parts, _part_titles(files["timings"]), strict=False
            ):
                found += check_audio(path, expected)
        else:
            found += check_audio(files["mp3"], titles)
        for path in chapter_files:
            found += check_audio(path, [])
        checker.report.loudness = measure_chapters(
            chapter_files, _file_titles(chapter_files, titles)
        )
        return found

    checker.check(names.AUDIO_MEASURES, "audio", files[book], measures, needs)
    # The PDFs' listen links must name what the audio published (when built).
    pdfs = [
        files[k] for k in ("pdf", "pdf-large-print") if k in files and files[k].exists()
    ]
    checker.check(
        names.AUDIO_PARTS,
        "audio",
        files["timings"],
        lambda: check_parts(files["timings"], parts, files["mp3"], pdfs=pdfs),
        ("timings", *part_keys),
    )

    def natural() -> list[Finding]:  # DNSMOS per chapter (issue 19)
        scored = naturalness.measure(
            list(chapter_files), _file_titles(chapter_files, checker.exp.chapters)
        )
        checker.report.naturalness = scored
        return naturalness.findings(scored, files["chapters"])

    checker.check(names.NATURALNESS, "audio", files[book], natural, needs)
    audio_files = AudioFiles(
        files["mp3"], files["m4b"], files["vtt"], files["timings"], chapter_files, parts
    )
    shown = checker.read("audio", files[book], lambda: read_audio(audio_files), needs)
    exp, where = checker.exp, files[book]

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
            (names.TEXT_FIDELITY, lambda s: _written(checker)),
        ],
    )
    if why := exemptions.asr(checker.article.lang):  # named exemption, not a pass
        checker.report.runs.append(CheckRun(names.ASR, "audio", exempt=why))
    else:
        checker.check(names.ASR, "audio", where, lambda: _listen(checker, where), needs)
    checker.check(
        names.SPEECH_SCRIPT,
        "audio",
        files["speech"],
        lambda: _speech(checker),
        ("speech",),
    )


def _written(checker: Checker) -> list[Finding]:
    """Every source unit in the speech script's written column (CHK030/CHK031)."""
    path = checker.report.files["speech"]
    _lang, spoken = speech_script.read(path)
    written = [(s.sentence_id, s.written) for s in spoken]
    return text_fidelity.check_written(checker.article, written, path)


def _speech(checker: Checker) -> list[Finding]:
    """Issue 20: the spoken form of every reworded sentence, for review."""
    findings, checker.report.speech_review = speech_review.review(
        checker.report.files["speech"], checker.article
    )
    return findings


def _listen(checker: Checker, book: Path) -> list[Finding]:
    files = checker.report.files
    findings, checker.report.listening = back_check(
        book, files["timings"], checker.article
    )
    return findings


def _file_titles(chapter_files: tuple[Path, ...], titles: list[str]) -> list[str]:
    """Return each chapter file's heading, by its number: the pieces of a chapter
    longer than an MP3 part (`NN-KK-slug.mp3`) share their chapter's heading."""
    found = []
    for path in chapter_files:
        number = path.name.split("-", 1)[0]
        index = int(number) - 1 if number.isdigit() else -1
        found.append(titles[index] if 0 <= index < len(titles) else path.stem)
    return found


def _part_titles(timings: Path) -> list[list[str]]:
    """Return the chapter titles each MP3 part should mark, from the timings."""
    facts = Timings.read(timings)
    return [[facts.chapters[c - 1].title for c in p.chapters] for p in facts.parts]
