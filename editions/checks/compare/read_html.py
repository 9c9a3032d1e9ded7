"""The large-print page → what it shows: the article in <main>, contents, player.

The article is <main> without the page's own furniture (contents, audio player,
reading settings), which is compared as navigation instead; the embedded
read-along timings are compared as timed sentences.
"""

from __future__ import annotations

import json
from pathlib import Path

from editions.checks.compare.shown import Shown
from editions.report import markup

#: Page furniture around the article: never article content (html.py has none).
FURNITURE = (
    ".//nav | .//details | .//form | .//script | .//style"
    " | .//*[contains(concat(' ', @class, ' '), ' player ')]"
)


def read_html(path: Path) -> Shown:
    """Read the large-print page at *path* into a Shown."""
    root = markup.parse_html(path.read_bytes())
    mains = root.xpath("//main")
    main = markup.without(mains[0] if mains else root, FURNITURE)
    shown = Shown(
        headings=markup.headings(main),
        references=markup.references(main),
        alts=markup.alts(main),
        citations=markup.citations(main),
        links=markup.links(main),
        anchors=markup.ids(root),
        text=markup.text_of(main),
    )
    for name, xpath in (
        ("contents", "//nav[contains(@class, 'toc')]"),
        ("chapters", "//ol[contains(@class, 'chapters')]"),
    ):
        found = root.xpath(xpath)
        if found:
            shown.navigation[name] = markup.nav_list(found[0])
    for script in root.xpath("//script[@id='timings']"):
        data = json.loads(script.text or "{}")
        shown.timed["read-along"] = [
            str(s.get("id")) for s in data.get("sentences", []) if isinstance(s, dict)
        ]
    return shown
