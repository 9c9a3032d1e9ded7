"""The shipped article → a deterministic book-length article, for the scale bench.

Issue 22's book is about 2.2 MB of Markdown: 160 chapters, 300,000 words, 800
citations and 160 tables. Committing such a file would bloat the repository, so it
is made on demand from the shipped article (`source/`): its prose paragraphs, its
bibliography and lexicon, plus a table, a list and a note per chapter. A *fraction*
keeps the chapter size and scales the chapter count, so the bench's curve
(1/8, 1/4, 1/2, full) measures how the build grows with length alone.

Every sentence is made distinct (a chapter lead-in), as in a real book: repeated
sentences would be spoken once from the speech cache and flatter the audio.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from editions.paths import REPO_ROOT

#: The article the book is made from (its paragraphs, bibliography and lexicon).
SEED = REPO_ROOT / "source" / "article.md"
#: The full-size book of issue 22.
FULL_CHAPTERS = 160
WORDS_PER_CHAPTER = 1875  # 300,000 words / 160 chapters
CITATIONS_PER_CHAPTER = 5  # 800 citations / 160 chapters
#: Words that open each sentence, so no sentence repeats across chapters.
LEAD_INS = ("In part {n},", "As part {n} notes,", "For part {n},", "Here in part {n},")
# A sentence ends at . ! or ? before a capital, but not after a title ("Dr.").
_SENTENCE = re.compile(r"(?<!\bDr\.)(?<!\bal\.)(?<=[.!?])\s+(?=[A-Z])")
_CITATION = re.compile(r"\s*\[@[^\]]+\]")


@dataclass(frozen=True)
class Book:
    """What was written: the article's path and its size."""

    path: Path
    chapters: int
    words: int
    citations: int
    tables: int
    size_bytes: int


def chapters_for(fraction: float) -> int:
    """Return the chapter count for *fraction* of the full book (at least one)."""
    return max(1, round(FULL_CHAPTERS * fraction))


def _seed_parts(seed: Path) -> tuple[str, list[str], list[str]]:
    """Split the seed into its front matter, headings and prose paragraphs."""
    text = seed.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    headings: list[str] = []
    paragraphs: list[str] = []
    for block in body.split("\n\n"):
        block = block.strip()
        if block.startswith("## ") and block != "## References":
            headings.append(block[3:])
        elif block[:1].isalpha():
            paragraphs.append(block)
    return front, headings, paragraphs


def _front_matter(front: str, chapters: int) -> str:
    """Keep the seed's front matter but its title and as-written sidecar."""
    lines = [
        line
        for line in front.splitlines()
        if not line.startswith(("title:", "as-written:"))
    ]
    title = f"title: A Long Guide to Chronic Pain and Low-Dose Naltrexone ({chapters})"
    url = "audio-base-url: https://books.example.com/audio/"
    return "---\n" + "\n".join([title, *lines, url]) + "\n---\n"


def _uncapitalised(sentence: str) -> str:
    """Lower the first letter unless it opens a name ("Dr. Bihari", "LDN")."""
    words = sentence.split(" ", 2)
    first = words[0]
    second = words[1] if len(words) > 1 else ""
    if first[1:] != first[1:].lower() or first.endswith(".") or second[:1].isupper():
        return sentence
    return first[0].lower() + sentence[1:]


def _vary(paragraph: str, n: int, cited: list[str]) -> tuple[str, int]:
    """Return *paragraph* with each sentence made distinct to chapter *n*.

    Citations past the chapter's budget are dropped, so the book's citation count
    is exactly its chapter count times CITATIONS_PER_CHAPTER.
    """
    out = []
    used = 0
    for index, sentence in enumerate(_SENTENCE.split(paragraph)):
        lead = LEAD_INS[(n + index) % len(LEAD_INS)].format(n=n)
        sentence = f"{lead} {_uncapitalised(sentence)}"
        if "[@" in sentence:
            if len(cited) < CITATIONS_PER_CHAPTER:
                cited.append(sentence)
                used += 1
            else:
                sentence = _CITATION.sub("", sentence)
        out.append(sentence)
    return " ".join(out), used


def _chapter(n: int, headings: list[str], paragraphs: list[str]) -> tuple[str, int]:
    """Return chapter *n* (1-based) and its word count."""
    heading = f"## Part {n}: {headings[(n - 1) % len(headings)]}"
    blocks = [heading]
    words = 0
    cited: list[str] = []
    index = (n - 1) * 3
    while words < WORDS_PER_CHAPTER:
        paragraph, _ = _vary(paragraphs[index % len(paragraphs)], n, cited)
        index += 1
        blocks.append(paragraph)
        words += len(_CITATION.sub("", paragraph).split())
        if len(blocks) == 3:
            blocks.append(
                f"Points to remember from part {n}:[^part-{n}]\n\n"
                f"- Take the dose your doctor set for part {n}.\n"
                f"- Write down how you feel each day of part {n}.\n"
                f"- Ask before you change anything in part {n}."
            )
            blocks.append(
                "| Week | Daily dose | Notes |\n|:-----|-----------:|:------|\n"
                f"| 1 | {1 + n % 3} mg | Start low in part {n} |\n"
                f"| 2 | {2 + n % 3} mg | Check how you feel in part {n} |\n"
                f"| 3 | {3 + n % 3} mg | Keep going in part {n} if it helps |\n\n"
                f": Doses for part {n} {{#tbl-part-{n}}}"
            )
            words += 30
    if len(cited) < CITATIONS_PER_CHAPTER:
        raise ValueError(f"{SEED}: too few citations for chapter {n}")
    blocks.append(f"[^part-{n}]: This list sums up part {n}; your doctor knows best.")
    return "\n\n".join(blocks), words


def write(folder: Path, fraction: float = 1.0, seed: Path = SEED) -> Book:
    """Write *fraction* of the book into *folder* (article.md and its inputs)."""
    front, headings, paragraphs = _seed_parts(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("references.json", "lexicon.yaml"):
        shutil.copy2(seed.parent / name, folder / name)
    count = chapters_for(fraction)
    opening = _vary(paragraphs[0], 0, ["full"] * CITATIONS_PER_CHAPTER)[0]
    parts = [_front_matter(front, count), opening]
    words = 0
    for n in range(1, count + 1):
        chapter, chapter_words = _chapter(n, headings, paragraphs[1:])
        parts.append(chapter)
        words += chapter_words
    parts.append("## References\n\n::: {#refs}\n:::\n")
    path = folder / "article.md"
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return Book(
        path,
        count,
        words,
        count * CITATIONS_PER_CHAPTER,
        count,
        path.stat().st_size,
    )
