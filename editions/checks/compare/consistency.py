"""Edition vs source: same headings, entries, alt text, links, sentences and words.

Every function compares one kind of fact of one edition (a Shown, read back from the
built file) with the source model (Expected) and returns Findings (CHK010–CHK020; see
docs/findings.md). A check reports at most MAX_FINDINGS differences, then a count.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from pathlib import Path

from editions.checks.compare.expected import Expected
from editions.checks.compare.read_audio import AudioShown
from editions.checks.compare.shown import Shown, line_words, squash, tidy, words
from editions.errors import Finding, Location, Severity

MAX_FINDINGS = 10
#: How far M4B and timings chapter starts may sit from the MP3's (standards §4c).
CHAPTER_TOLERANCE = 0.05
#: Slack for timings against the decoded duration (frame rounding).
TIME_SLACK = 0.05


def _short(text: str, limit: int = 80) -> str:
    text = tidy(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_differences(
    expected: Sequence[str], found: Sequence[str], key: Callable[[str], str] = squash
) -> list[str]:
    """Say how *found* differs from *expected*: missing, unexpected, out of order."""
    a, b = [key(e) for e in expected], [key(f) for f in found]
    missing: list[str] = []
    extra: list[str] = []
    changed: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            missing += expected[i1:i2]
        if tag in ("insert", "replace"):
            extra += found[j1:j2]
        if tag == "replace" and i2 - i1 == j2 - j1:
            changed += [
                f"expected {_short(e)!r}, found {_short(f)!r}"
                for e, f in zip(expected[i1:i2], found[j1:j2], strict=True)
            ]
    moved = {key(m) for m in missing} & {key(x) for x in extra}
    if not moved and len(changed) == len(missing) == len(extra):
        return changed  # only same-place substitutions: say what replaced what
    out = [f"{_short(m)!r} is out of order" for m in missing if key(m) in moved]
    out += [f"{_short(m)!r} is missing" for m in missing if key(m) not in moved]
    out += [f"{_short(x)!r} is not in the source" for x in extra if key(x) not in moved]
    return out


def _findings(
    code: str,
    problems: Sequence[str],
    where: Path,
    key: str,
    severity: Severity = "error",
) -> list[Finding]:
    """One Finding per problem, capped at MAX_FINDINGS plus a "… more" line."""
    out = [
        Finding(code, problem, Location(where, key=key), severity)
        for problem in problems[:MAX_FINDINGS]
    ]
    if len(problems) > MAX_FINDINGS:
        out.append(
            Finding(
                code,
                f"{len(problems) - MAX_FINDINGS} more difference(s) like these",
                Location(where, key=key),
                severity,
            )
        )
    return out


def headings(exp: Expected, shown: Shown, where: Path) -> list[Finding]:
    """CHK010: the edition's headings are the source's, same levels, same order."""
    if shown.headings is None:
        return []
    expected = [f"H{level} {text}" for level, _id, text in exp.headings]
    found = [f"H{level} {text}" for level, text in shown.headings]
    problems = [f"heading {p}" for p in describe_differences(expected, found)]
    return _findings("CHK010", problems, where, "headings")


def _navigation_expected(exp: Expected, name: str) -> list[str] | None:
    """What a named navigation list must hold, as "depth text" lines."""
    if name == "bookmarks":  # every heading; the title is depth 1
        return [f"{level} {text}" for level, _id, text in exp.headings]
    if name == "toc":  # EPUB nav: every heading below the title
        return [f"{level - 1} {text}" for level, _id, text in exp.headings[1:]]
    if name == "contents":  # large-print page: the chapters below the title
        return [f"1 {text}" for level, _id, text in exp.headings if level == 2]
    if name in ("chapters", "M4B chapters", "chapter files", "timings chapters"):
        return [f"1 {title}" for title in exp.chapters]
    return None  # MP3 chapters are AUD009's; page-list is CHK020's


def navigation(exp: Expected, shown: Shown, where: Path) -> list[Finding]:
    """CHK011: bookmarks, tables of contents and chapter lists follow the headings.

    Entries that name a target must land on an id that exists in the edition.
    """
    problems: list[str] = []
    ids = {section_id for _level, section_id, _text in exp.headings}
    for name, entries in shown.navigation.items():
        wanted = _navigation_expected(exp, name)
        if wanted is None:
            continue
        found = [f"{depth} {text}" for depth, text, _target in entries]
        problems += [f"{name}: {p}" for p in describe_differences(wanted, found)]
        if name in ("toc", "contents"):
            problems += [
                f"{name}: {text!r} links to #{target}, which does not exist"
                if target not in shown.anchors
                else f"{name}: {text!r} links to #{target}, which is no heading"
                for _depth, text, target in entries
                if target not in shown.anchors or target not in ids
            ]
    return _findings("CHK011", problems, where, "navigation")


def audio_chapter_times(shown: AudioShown, where: Path) -> list[Finding]:
    """CHK011: M4B and timings chapters start where the MP3's do (±50 ms)."""
    reference = [float(t) for _d, _title, t in shown.navigation.get("MP3 chapters", [])]
    problems = []
    for name in ("M4B chapters", "timings chapters"):
        starts = [float(t) for _d, _title, t in shown.navigation.get(name, [])]
        for number, (mine, theirs) in enumerate(
            zip(starts, reference, strict=False), start=1
        ):
            if abs(mine - theirs) > CHAPTER_TOLERANCE:
                problems.append(
                    f"{name}: chapter {number} starts at {mine:.3f} s, "
                    f"the MP3's at {theirs:.3f} s"
                )
    return _findings("CHK011", problems, where, "chapter times")


def references(exp: Expected, shown: Shown, where: Path) -> list[Finding]:
    """CHK012: the same reference entries, same text, same (APA) order and anchors."""
    if shown.references is None:
        return []
    expected = [text for _id, text in exp.references]
    found = [text for _id, text in shown.references]
    problems = [f"reference entry {p}" for p in describe_differences(expected, found)]
    if not problems and any(anchor for anchor, _text in shown.references):
        problems += [
            f"reference entry {_short(text)!r} has id {anchor!r}, expected {want!r}"
            for (anchor, text), (want, _t) in zip(
                shown.references, exp.references, strict=True
            )
            if anchor != want
        ]
    return _findings("CHK012", problems, where, "references")


def alts(exp: Expected, shown: Shown, where: Path) -> list[Finding]:
    """CHK013: every source figure's alt text, in order (other images may be added)."""
    if shown.alts is None:
        return []
    found = [squash(a) for a in shown.alts]
    problems, at = [], 0
    for alt in exp.alts:
        try:
            at = found.index(squash(alt), at) + 1
        except ValueError:
            problems.append(f"no image has the alt text {_short(alt)!r}")
    return _findings("CHK013", problems, where, "alt text")


def citations(exp: Expected, shown: Shown, where: Path) -> list[Finding]:
    """CHK014: each in-text citation links to its entry, and the entry is there."""
    problems: list[str] = []
    wanted: Counter[str] = Counter()
    for cite_id, keys in exp.citations:
        targets = [f"ref-{key}" for key in keys]
        wanted.update(targets)
        if shown.citations is None:
            continue
        if cite_id not in shown.citations:
            problems.append(f"citation {cite_id} ({', '.join(keys)}) is missing")
            continue
        for target in targets:
            if target not in shown.citations[cite_id]:
                problems.append(f"citation {cite_id} does not link to #{target}")
    if shown.citations is None:  # PDF: count the link annotations instead
        problems += [
            f"{count} citation(s) of #{target} but {shown.links[target]} link(s) to it"
            for target, count in sorted(wanted.items())
            if shown.links[target] < count
        ]
    problems += [
        f"citations link to #{target}, which does not exist (a dangling citation)"
        for target in sorted(wanted)
        if shown.links[target] and target not in shown.anchors
    ]
    return _findings("CHK014", problems, where, "citations")


def dangling(findings: Sequence[Finding]) -> list[str]:
    """Return the dangling-citation messages among CHK014 findings (editorial list)."""
    return [f.message for f in findings if f.code == "CHK014"]


_TIMED_CODES = {
    "timings": "CHK015",
    "read-along": "CHK015",
    "vtt": "CHK016",
    "overlays": "CHK017",
}


def timed(exp: Expected, shown: Shown, where: Path, anchors: set[str]) -> list[Finding]:
    """CHK015–CHK017: every sentence is timed in the audio, the VTT and the overlays.

    *anchors* are the ids of the text the timings highlight (empty for the audio
    files, which highlight nothing); a timed id missing there cannot be highlighted.
    """
    out: list[Finding] = []
    for kind, ids in shown.timed.items():
        code = _TIMED_CODES[kind]
        present = set(ids)
        problems = [
            f"sentence {sid} ({_short(text, 50)!r}) is missing from the {kind}"
            for sid, text in exp.spoken.items()
            if sid not in present
        ]
        if anchors:
            problems += [
                f"the {kind} time {sid}, which is not in the text"
                for sid in dict.fromkeys(ids)
                if sid not in anchors
            ]
        if kind == "vtt":
            said = shown.timed_text
            problems += [
                f"cue {sid} says {_short(said[sid], 50)!r}, "
                f"the source {_short(text, 50)!r}"
                for sid, text in exp.spoken.items()
                if sid in said and squash(said[sid]) != squash(text)
            ]
        out += _findings(code, problems, where, kind)
    return out


def no_overlays(shown: Shown, where: Path) -> list[Finding]:
    """CHK018 (warning): the EPUB has no media overlays, so it has no read-along."""
    if "overlays" in shown.timed:
        return []
    return [
        Finding(
            "CHK018",
            "the EPUB has no media overlays: its sentences cannot be checked against "
            "the audio, and readers get no read-along",
            Location(where, key="overlays"),
            "warning",
        )
    ]


def audio_times(shown: AudioShown, where: Path) -> list[Finding]:
    """CHK015/CHK016: sentence windows and cues lie inside the audio, in order."""
    end = shown.duration + TIME_SLACK
    timing = [
        f"sentence {sid} is timed {start:.3f}–{stop:.3f} s; the audio lasts "
        f"{shown.duration:.3f} s"
        for sid, start, stop in shown.windows
        if not 0 <= start < stop <= end
    ]
    cues = [
        f"cue {c.cue_id} runs {c.start:.3f}–{c.end:.3f} s; the audio lasts "
        f"{shown.duration:.3f} s"
        for c in shown.cues
        if not 0 <= c.start < c.end <= end
    ]
    cues += [
        f"cue {b.cue_id} starts before cue {a.cue_id}"
        for a, b in itertools.pairwise(shown.cues)
        if b.start < a.start
    ]
    return _findings("CHK015", timing, where, "timings") + _findings(
        "CHK016", cues, where, "vtt"
    )


def missing_words(exp: Expected, shown: Shown, *, line_broken: bool) -> Counter[str]:
    """Return the source words the edition lacks (with how many are missing).

    For a PDF (*line_broken*), words re-joined across line ends count, and a token
    that is two source words run together counts as both: pdftotext removes the
    hyphen of "blood-brain" when the line breaks after it ("bloodbrain").
    """
    if shown.text is None:
        return Counter()
    if not line_broken:
        return exp.words - words(shown.text)
    found = line_words(shown.text)
    for token, count in list(found.items()):
        if token in exp.words:
            continue
        for cut in range(1, len(token)):
            head, tail = token[:cut], token[cut:]
            if head in exp.words and tail in exp.words:
                found[head] += count
                found[tail] += count
                break
    return exp.words - found


def words_findings(missing: Counter[str], where: Path) -> list[Finding]:
    """CHK019: source words absent from an edition (one finding per edition)."""
    if not missing:
        return []
    listed = ", ".join(
        f"{word!r}" + (f" ×{n}" if n > 1 else "") for word, n in missing.most_common(12)
    )
    more = len(missing) - 12
    return [
        Finding(
            "CHK019",
            f"{sum(missing.values())} source word(s) missing: {listed}"
            + (f" and {more} more" if more > 0 else ""),
            Location(where, key="words"),
        )
    ]


def pages(pdf_pages: int, shown: Shown, where: Path) -> list[Finding]:
    """CHK020: the EPUB page-list has one entry per PDF page, each landing on a mark."""
    entries = shown.navigation.get("page-list")
    if entries is None:
        return [
            Finding(
                "CHK020",
                f"the EPUB has no page-list, but its PDF edition has {pdf_pages} pages",
                Location(where, key="page-list"),
            )
        ]
    problems = []
    if len(entries) != pdf_pages:
        problems.append(
            f"the page-list has {len(entries)} entries; the PDF has {pdf_pages} pages"
        )
    problems += [
        f"page {label} links to #{target}, which does not exist"
        for _depth, label, target in entries
        if target not in shown.anchors
    ]
    return _findings("CHK020", problems, where, "page-list")
