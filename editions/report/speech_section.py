"""Speech review → the report's "Speech script review" section (issue 20)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from editions.report.results import SpeechReview

Table = Callable[..., str]


def html(review: SpeechReview, table: Table, number: Callable[..., str]) -> str:
    """List what the voice says in other words than the page, for the editor.

    *table* and *number* are the report's own table and number formatters, so the
    section looks like every other one.
    """
    intro = (
        "<h3>Speech script review</h3>"
        f"<p>{len(review.reworded)} of {review.sentences} sentences are spoken "
        f"differently from the page ({escape(review.lang)}): numbers, units and "
        "symbols said in words, lexicon pronunciations, citations said briefly. "
        "Listen for any that read wrongly.</p>"
    )
    if review.exemptions:
        names = ", ".join(escape(name) for name in review.exemptions)
        intro += f"<p>Exempt for this language (not passed): {names}.</p>"
    rows: Sequence[list[str]] = [
        [
            f"<code>{escape(r.sentence_id)}</code>",
            number(r.start / 60, 2),
            escape(r.written),
            escape(r.spoken),
        ]
        for r in review.reworded
    ]
    return intro + table(
        "Sentences spoken differently from the page",
        ["Sentence", "Minute", "Written", "Spoken"],
        rows,
        numeric=(1,),
    )
