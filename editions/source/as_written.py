"""The author's in-text citations as written (YAML beside the article) → records.

Converting an article to `[@key]` citations loses what the author typed, and citeproc
then prints whatever the bibliography gives. The file named by the front-matter key
`as-written` keeps each original citation beside its key, in reading order, so the
fidelity check can tell an editorial correction from data loss. It is optional: an
article without one is not compared.

    - patten-2018: (Patten, Schultz, & Berlau, 2018)
    - roe-lee-2019; doe-2020: (Roe & Lee, 2019; Doe, 2020)
"""

from __future__ import annotations

from pathlib import Path

import yaml

from editions.errors import Finding, Location
from editions.model import WrittenCitation


def load(
    path: Path, known: set[str]
) -> tuple[tuple[WrittenCitation, ...], list[Finding]]:
    """Read the list; REF013 for malformed YAML or items, REF014 for unknown keys."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return (), [_malformed("is not valid YAML", Location(path, line))]
    if root is None:
        return (), []
    if not isinstance(root, yaml.SequenceNode):
        return (), [_malformed("must be a list", Location(path, 1))]
    records: list[WrittenCitation] = []
    findings: list[Finding] = []
    for item in root.value:
        where = Location(path, item.start_mark.line + 1)
        pairs = item.value if isinstance(item, yaml.MappingNode) else []
        if len(pairs) != 1 or not all(
            isinstance(n, yaml.ScalarNode) and str(n.value).strip() for n in pairs[0]
        ):
            findings.append(_malformed("needs one '- key: citation' per item", where))
            continue
        key_node, text_node = pairs[0]
        keys = tuple(k.strip().lstrip("@") for k in str(key_node.value).split(";"))
        unknown = [k for k in keys if k not in known]
        if unknown:
            findings.append(
                Finding(
                    "REF014",
                    f"as-written citation names @{unknown[0]}, which is not in the "
                    "bibliography; use the key the article cites",
                    where,
                )
            )
            continue
        records.append(WrittenCitation(keys, str(text_node.value).strip(), where))
    return tuple(records), findings


def _malformed(problem: str, where: Location) -> Finding:
    return Finding(
        "REF013",
        f"the as-written citations file {problem}: write '- key: (Author, year)' "
        "lines in reading order",
        where,
    )
