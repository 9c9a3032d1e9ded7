"""Speech script + timings → `<stem>.speech.json` and a readable `<stem>.script.txt`.

The captions show the written form; these files show what the voice was given,
sentence by sentence, next to the written text and where it is heard, so an editor
can review every pronunciation in one place (issue 20).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from editions.audio.script import ScriptChapter
from editions.audio.vtt import timestamp
from editions.facts import Timings
from editions.output import write_text

#: Version of the speech JSON layout; readers refuse one they do not know.
FORMAT = 1


@dataclass(frozen=True)
class SpokenSentence:
    """One sentence as written, as spoken, and its span on the book MP3 (s)."""

    sentence_id: str
    chapter: int
    written: str
    spoken: str
    start: float
    end: float

    @property
    def differs(self) -> bool:
        """True when the voice was given other words than the page shows."""
        return _plain(self.written) != _plain(self.spoken)


def _plain(text: str) -> str:
    return " ".join(text.split()).rstrip(".").casefold()


def sentences(
    script: Sequence[ScriptChapter], timings: Timings
) -> list[SpokenSentence]:
    """Pair each utterance of *script* with its timed span, in reading order.

    The master writes one timed sentence per utterance in the same order, so a
    different count or id means the timings belong to another script.
    """
    utterances = [u for chapter in script for u in chapter.utterances]
    timed = timings.sentences
    if [t.sentence_id for t in timed] != [u.sentence_id for u in utterances]:
        raise ValueError("the timings do not match the speech script")
    return [
        SpokenSentence(u.sentence_id, t.chapter, u.display, u.spoken, t.start, t.end)
        for u, t in zip(utterances, timed, strict=True)
    ]


def speech_json(lang: str, spoken: Sequence[SpokenSentence]) -> str:
    """Return the speech script as JSON: id, chapter, written, spoken, start, end."""
    data = {
        "format": FORMAT,
        "lang": lang,
        "sentences": [
            {
                "id": s.sentence_id,
                "chapter": s.chapter,
                "written": s.written,
                "spoken": s.spoken,
                "start": s.start,
                "end": s.end,
            }
            for s in spoken
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def script_text(title: str, spoken: Sequence[SpokenSentence]) -> str:
    """Return the script for reading: each sentence's time and id, then its words.

    A sentence spoken as written shows once; one the voice was given differently
    shows the written line and, under it, the spoken one marked "said:".
    """
    lines = [f"Speech script: {title}", "", "Times are on the book MP3."]
    chapter = 0
    for s in spoken:
        if s.chapter != chapter:
            chapter = s.chapter
            lines += ["", f"== Chapter {chapter} =="]
        lines.append(f"[{timestamp(s.start)} – {timestamp(s.end)}] {s.sentence_id}")
        lines.append(f"  {s.written}")
        if s.differs:
            lines.append(f"  said: {s.spoken}")
    return "\n".join(lines) + "\n"


def write(
    script: Sequence[ScriptChapter],
    timings_path: Path,
    title: str,
    lang: str,
) -> tuple[Path, Path]:
    """Write `<stem>.speech.json` and `<stem>.script.txt` beside the timings file."""
    spoken = sentences(script, Timings.read(timings_path))
    stem = timings_path.name.removesuffix(".timings.json")
    json_path = write_text(
        timings_path.with_name(f"{stem}.speech.json"), speech_json(lang, spoken)
    )
    text_path = write_text(
        timings_path.with_name(f"{stem}.script.txt"), script_text(title, spoken)
    )
    return json_path, text_path


def read(path: Path) -> tuple[str, list[SpokenSentence]]:
    """Read a speech JSON back: its language and its sentences."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path.name}: unknown speech script format")
    return str(data["lang"]), [
        SpokenSentence(
            str(s["id"]),
            int(s["chapter"]),
            str(s["written"]),
            str(s["spoken"]),
            float(s["start"]),
            float(s["end"]),
        )
        for s in data["sentences"]
    ]
