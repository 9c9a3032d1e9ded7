"""What `invoke check` found: one CheckRun per check and edition, plus report extras.

Kept apart from the checks and the renderers so the JSON and HTML reports read the
same facts, and a test can assert on them without parsing either report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from editions import registry
from editions.errors import Finding

Status = Literal["pass", "warning", "fail", "not run", "exempt"]

#: Report order and the names a reader sees.
EDITIONS = {
    "source": "Source and references",
    **{name: shown.label for name, shown in registry.shown().items()},
}


@dataclass
class CheckRun:
    """One check on one edition: its findings, or why it could not run."""

    check: str
    edition: str
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    ran: bool = True  # False when a file it needs is missing (CHK001 says which)
    exempt: str = ""  # why the check does not apply to this article (not a pass)

    @property
    def status(self) -> Status:
        """Return fail on any error, warning on warnings only, else pass."""
        if self.exempt:
            return "exempt"
        if not self.ran:
            return "not run"
        if any(f.severity == "error" for f in self.findings):
            return "fail"
        return "warning" if self.findings else "pass"


@dataclass(frozen=True)
class ChapterLoudness:
    """Measured loudness of one chapter file, for the plot and its table."""

    title: str
    file: str
    lufs: float
    true_peak: float
    noise_floor: float
    duration: float
    #: Short-term loudness (LUFS, 3 s windows, EBU Tech 3341), one value a second.
    short_term: tuple[float, ...] = ()


@dataclass(frozen=True)
class Naturalness:
    """One chapter's predicted opinion scores (DNSMOS, 1–5), for the report."""

    title: str
    file: str
    p808: float  # overall quality as P.808 listeners would rate it
    overall: float  # DNSMOS P.835 OVRL
    signal: float  # P.835 SIG: the speech itself
    windows: int  # 9-second windows scored


@dataclass(frozen=True)
class SentenceScore:
    """How well speech recognition heard one sentence of the audio edition."""

    sentence_id: str
    accuracy: float
    expected: str  # the written text (the ASR reference)
    heard: str


@dataclass
class Listening:
    """The ASR back-check in numbers: overall accuracy and the worst sentences."""

    accuracy: float = 0.0
    sentences: int = 0
    worst: list[SentenceScore] = field(default_factory=list)
    words: int = 0  # required written words (issue 20's ASR definition)
    below_floor: list[SentenceScore] = field(default_factory=list)
    floor: float = 0.7  # no sentence of floor_words or more words below this
    floor_words: int = 5


@dataclass(frozen=True)
class Rewording:
    """One sentence the voice says differently from the page (issue 20)."""

    sentence_id: str
    start: float
    written: str
    spoken: str


@dataclass
class SpeechReview:
    """The speech script's review: what was reworded, and what is exempt."""

    lang: str = ""
    sentences: int = 0
    reworded: list[Rewording] = field(default_factory=list)
    exemptions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Metric:
    """One readability figure with its target and whether the editor should look."""

    name: str
    value: float | None  # None when the text is too short for the measure
    target: str
    flagged: bool


@dataclass
class Readability:
    """Reading-level figures of the body text (standards §5; reported, not gated)."""

    words: int = 0
    sentences: int = 0
    metrics: list[Metric] = field(default_factory=list)
    grade: float = 0.0  # median of Flesch–Kincaid, SMOG and Coleman–Liau
    long_sentences: list[tuple[str, int, str]] = field(default_factory=list)
    sections: list[tuple[str, float]] = field(default_factory=list)  # (title, FKGL)


@dataclass(frozen=True)
class ReferenceStatus:
    """One bibliography entry as an editor needs to see it before publishing."""

    key: str
    text: str
    cited: int
    noted: bool  # the entry has a provenance note at all
    confidence: str
    placeholder: bool
    unverified: str  # the note's "NOT VERIFIED …" remark, "" when none
    problems: tuple[str, ...]  # DOI/URL form and other APA 7 points
    #: Rendered values only the author gave: "as cited by the author, not verified".
    as_cited: tuple[str, ...] = ()


@dataclass(frozen=True)
class CitationCheck:
    """One in-text citation compared with what the author wrote."""

    keys: tuple[str, ...]
    written: str  # as the author wrote it
    printed: str  # as the editions print it ("" when it is gone)
    status: Literal["kept", "corrected", "changed", "dropped"]
    reason: str = ""  # a recorded correction's reason


@dataclass(frozen=True)
class CorrectionRecord:
    """A deliberate change to the author's citation, recorded in the bibliography."""

    key: str
    cited_as: str
    printed: str
    reason: str


@dataclass(frozen=True)
class PreviewPage:
    """One braille page for sighted editors: Unicode cells and the print beside."""

    label: str  # the braille page number as print ("p1", "3")
    cells: tuple[str, ...]  # each line in Unicode braille patterns
    print: tuple[str, ...]  # each line back-translated to print


@dataclass
class BrailleSummary:
    """The braille edition in numbers, and its pages for the preview."""

    table: str
    code: str  # "Unified English Braille, grade 2"
    cells: int
    lines: int
    fidelity: float = 0.0  # share of source words back-translation gives back
    braille_pages: int = 0  # body pages
    preliminary_pages: int = 0  # title page and contents
    print_pages: int = 0  # print page indicators shown
    missing: dict[str, int] = field(default_factory=dict)
    preview: list[PreviewPage] = field(default_factory=list)


@dataclass
class Editorial:
    """What the article's editor has to resolve: references and missing words."""

    references: list[ReferenceStatus] = field(default_factory=list)
    uncited: list[str] = field(default_factory=list)
    dangling: list[str] = field(default_factory=list)  # "edition: citation → target"
    missing_words: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Each recorded as-written citation, compared (empty: none recorded).
    citations: list[CitationCheck] = field(default_factory=list)
    corrections: list[CorrectionRecord] = field(default_factory=list)


@dataclass
class Report:
    """Everything one `invoke check` run found about one article's editions."""

    title: str
    stem: str
    source: Path
    out_dir: Path
    files: dict[str, Path]
    runs: list[CheckRun] = field(default_factory=list)
    editorial: Editorial = field(default_factory=Editorial)
    readability: Readability = field(default_factory=Readability)
    listening: Listening | None = None
    speech_review: SpeechReview | None = None
    loudness: list[ChapterLoudness] = field(default_factory=list)
    naturalness: list[Naturalness] = field(default_factory=list)
    thumbnails: dict[str, list[Path]] = field(default_factory=dict)
    screenshots: dict[str, Path] = field(default_factory=dict)
    braille: BrailleSummary | None = None
    seconds: float = 0.0
    missing_program: str = ""  # set when a validator could not start (exit 5)

    @property
    def findings(self) -> list[Finding]:
        """Return every finding of every check, in run order."""
        return [f for run in self.runs for f in run.findings]

    def failing(self, strict: bool = False) -> list[Finding]:
        """Return the findings that fail the check (warnings too with *strict*)."""
        return [f for f in self.findings if strict or f.severity == "error"]

    def runs_for(self, edition: str) -> list[CheckRun]:
        """Return the checks run on one edition, in run order."""
        return [run for run in self.runs if run.edition == edition]

    def codes(self, edition: str | None = None) -> set[str]:
        """Return the finding codes (of one edition), for tests and summaries."""
        runs: Iterable[CheckRun] = (
            self.runs if edition is None else self.runs_for(edition)
        )
        return {f.code for run in runs for f in run.findings}
