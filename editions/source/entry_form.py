"""citeproc's rendered entries → the APA 7 forms CSL cannot express for missing data.

CSL has no condition on a single name, so with `delimiter-precedes-last="always"`
two authors known only by surname render "Trofimovitch, & Baumrucker". APA's comma
before "&" separates the first author's initials from the next name (APA 7 §9.8);
with no initials there is nothing to separate, so it goes. Three or more names keep
APA's serial comma ("Patten, Schultz, & Berlau").
"""

from __future__ import annotations

from typing import Any

from editions.model import Reference, Sentence, Text
from editions.source import as_cited


def tidy(reference: Reference, item: dict[str, Any]) -> Reference:
    """Return *reference* with the comma of a two-surname author list removed."""
    names = as_cited.for_citeproc(item).get("author") or []
    if len(names) != 2 or names[0].get("given") or "family" not in names[0]:
        return reference
    inlines = reference.sentence.inlines
    first = inlines[0] if inlines else None
    wrong = f"{names[0]['family']}, & "
    if not isinstance(first, Text) or not first.text.startswith(wrong):
        return reference
    fixed = Text(f"{names[0]['family']} & " + first.text[len(wrong) :])
    sentence = Sentence(reference.sentence.sentence_id, (fixed, *inlines[1:]))
    return Reference(reference.key, reference.entry_id, sentence, reference.data)
