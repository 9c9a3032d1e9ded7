"""axe-core on a page loaded in Chromium → Findings (WCAG 2.2 AA plus §3a AAA rules).

axe-core comes from node_modules and is injected as inline script content, so
checking a page makes no network request of its own. Pages are opened with
`editions.checks.browser`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlparse

from editions.errors import Finding, Location, MissingProgram
from editions.paths import REPO_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: WCAG 2.2 AA plus the AAA rules of §3a (this list enables color-contrast-enhanced).
AXE_TAGS = (
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22aa",
    "wcag2aaa",
    "best-practice",
)

INSTALL_AXE = "bash scripts/install-node-tools.sh"


def run_axe(
    page: Page,
    tags: Sequence[str] = AXE_TAGS,
    *,
    include_incomplete: bool = False,
) -> list[Finding]:
    """Run axe-core on the loaded *page*; each failing node is one error Finding.

    With *include_incomplete*, results axe could not decide (e.g. contrast over
    an image) come back as warnings for a human to review.
    """
    if not AXE_JS.is_file():
        raise MissingProgram(f"axe-core ({AXE_JS})", f"cd {REPO_ROOT} && {INSTALL_AXE}")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    if not page.evaluate("typeof window.axe === 'object'"):
        # A page opened with javascript=False never runs the injected script.
        raise RuntimeError("axe-core did not load: open the page with JavaScript on")
    result_types = (
        ["violations", "incomplete"] if include_incomplete else ["violations"]
    )
    results = page.evaluate(
        """async ([tags, resultTypes]) => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: resultTypes,
            });
            return {violations: r.violations, incomplete: r.incomplete};
        }""",
        [list(tags), result_types],
    )
    where = _page_path(page.url)
    findings = _axe_findings(results.get("violations", []), where, "error")
    if include_incomplete:
        findings += _axe_findings(results.get("incomplete", []), where, "warning")
    return findings


def _page_path(url: str) -> Path:
    """A file:// page is reported by its path; anything else by its URL."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    return Path(url)


def _axe_findings(
    rules: list[dict[str, Any]], where: Path, severity: Literal["error", "warning"]
) -> list[Finding]:
    """Map axe rule results to Findings, one per node, keyed by its selector."""
    findings: list[Finding] = []
    for rule in rules:
        code = f"AXE-{rule.get('id', 'unknown')}"
        base = f"[{rule.get('impact') or 'n/a'}] {rule.get('help', '').strip()}"
        help_url = rule.get("helpUrl")
        for node in rule.get("nodes", []) or [{}]:
            summary = str(node.get("failureSummary") or "").strip().splitlines()
            message = base
            if len(summary) > 1:
                message += f": {summary[1].strip()}"
            if help_url:
                message += f" (see {help_url})"
            key = _selector(node.get("target"))
            findings.append(Finding(code, message, Location(where, key=key), severity))
    return findings


def _selector(target: Any) -> str | None:
    """axe targets list one selector per frame level; a nested list is a shadow path."""
    if not target:
        return None
    parts = [
        " >> ".join(map(str, part)) if isinstance(part, list) else str(part)
        for part in target
    ]
    return " >>> ".join(parts)
