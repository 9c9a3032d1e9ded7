"""Book MP3 chapters: ffprobe (ffmpeg-based players) and the CTOC list them in order."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import Built
from mutagen.id3 import ID3, CTOCFlags
from test_audio_master import _ffprobe

from editions.audio.chapters import FileTags, Mark, chapter_frames, write_id3
from editions.programs import ffmpeg_exe

TAGS = FileTags("Book", "Book", "Author", "en-US", "2024")
#: Titles of very different lengths, so frames sorted by size come out shuffled
#: (mutagen's order), with the longest first and the shortest last, as in the book.
TITLES = [
    "Low-Dose Naltrexone Use in Chronic Pain Patients",
    "History",
    "Management of Complex Regional Pain Syndrome with Low-Dose Naltrexone",
    "Side Effects",
    "References",
]


def _ffprobe_chapters(path: Path) -> list[tuple[float, str]]:
    done = subprocess.run(
        [_ffprobe(), "-v", "error", "-show_chapters", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [
        (float(c["start_time"]), c["tags"]["title"])
        for c in json.loads(done.stdout)["chapters"]
    ]


def _ctoc(path: Path) -> list[str]:
    tag = ID3(path)
    (toc,) = tag.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    starts = {chap.element_id: chap.start_time for chap in tag.getall("CHAP")}
    assert [starts[i] for i in toc.child_element_ids] == sorted(starts.values())
    titles = {
        chap.element_id: str(chap.sub_frames["TIT2"]) for chap in tag.getall("CHAP")
    }
    return [titles[i] for i in toc.child_element_ids]


@pytest.fixture
def silence(tmp_path: Path) -> Path:
    """Five seconds of quiet MP3, to tag."""
    path = tmp_path / "book.mp3"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono",
         "-t", "5", "-b:a", "32k", str(path)],
        check=True,
    )  # fmt: skip
    return path


def _marks() -> list[Mark]:
    return [Mark(title, n, n + 1) for n, title in enumerate(TITLES)]


def test_chapters_are_stored_in_time_order(silence: Path) -> None:
    write_id3(silence, TAGS, _marks())
    assert _ffprobe_chapters(silence) == [(float(n), t) for n, t in enumerate(TITLES)]
    assert _ctoc(silence) == TITLES


def test_mutagen_alone_would_shuffle_them(silence: Path) -> None:
    """The ffprobe comparison can fail: plain mutagen stores CHAPs by size."""
    tag = ID3()
    for frame in chapter_frames(_marks(), "Book"):
        tag.add(frame)
    tag.save(silence, v2_version=4)
    assert [t for _, t in _ffprobe_chapters(silence)] != TITLES
    assert _ctoc(silence) == TITLES  # the CTOC alone never showed the problem


def test_book_mp3_chapters_in_order_for_ffprobe(built: Built) -> None:
    chapters = _ffprobe_chapters(built.paths["mp3"])
    titles = [s.title_text for s in built.article.sections if s.level <= 2]
    assert [t for _, t in chapters] == titles == _ctoc(built.paths["mp3"])
    assert [s for s, _ in chapters] == sorted(s for s, _ in chapters)
