"""Headless Debian Chromium through Playwright, plus axe-core, for page checks.

Playwright's own browser download is unavailable here, so the browser is always
/usr/bin/chromium (apt-get install -y chromium). axe-core comes from
node_modules and is injected as inline script content, so checking a page
makes no network request of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlparse

from editions.errors import Finding, Location, MissingProgram

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Route

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

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

INSTALL_CHROMIUM = "apt-get install -y chromium"
INSTALL_PLAYWRIGHT = ".venv/bin/pip install playwright (never `playwright install`)"
INSTALL_AXE = "bash scripts/install-node-tools.sh"

#: Schemes that never reach the network.
_LOCAL_SCHEMES = ("data:", "blob:", "about:")


@dataclass
class OpenedPage:
    """A loaded page and every request it made besides its own URL."""

    page: Page
    url: str
    #: Every request URL except the page's own and data:/blob:/about: URLs, in
    #: order. Sibling file:// assets are listed too; http(s) ones are blocked.
    requests: list[str] = field(default_factory=list)

    @property
    def external_requests(self) -> list[str]:
        """Requests that would leave the machine (anything not file://)."""
        return [u for u in self.requests if not u.startswith("file:")]


def _to_url(path_or_url: Path | str) -> str:
    """Accept a path or a URL; local paths become absolute file:// URLs."""
    text = str(path_or_url)
    if isinstance(path_or_url, str) and "://" in text:
        return text
    path = Path(text).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no page to open at {path}")
    return path.as_uri()


@contextmanager
def open_page(
    path_or_url: Path | str,
    *,
    viewport: tuple[int, int] = (1280, 800),
    timeout_ms: int = 30_000,
) -> Iterator[OpenedPage]:
    """Load a page in headless Debian Chromium and record its requests.

    Requests to http(s) hosts other than the page's own are aborted (there is
    no network here, and a waiting request would only slow the check) but still
    recorded, so a test can assert `opened.requests == []`.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise MissingProgram("Playwright (PyPI)", INSTALL_PLAYWRIGHT) from exc
    if not os.access(CHROMIUM, os.X_OK):
        raise MissingProgram(f"Chromium ({CHROMIUM})", INSTALL_CHROMIUM)
    url = _to_url(path_or_url)
    own_host = urlparse(url).netloc
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except PlaywrightError as exc:
            raise MissingProgram(
                f"A Chromium that starts headless ({CHROMIUM}: {exc.message[:300]})",
                INSTALL_CHROMIUM,
            ) from exc
        try:
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}
            )
            context.set_default_timeout(timeout_ms)
            page = context.new_page()
            opened = OpenedPage(page=page, url=url)

            def record(request: Request) -> None:
                if request.url != url and not request.url.startswith(_LOCAL_SCHEMES):
                    opened.requests.append(request.url)

            def guard(route: Route) -> None:
                target = urlparse(route.request.url)
                if target.scheme in ("http", "https", "ws", "wss") and (
                    target.netloc != own_host
                ):
                    route.abort("blockedbyclient")
                else:
                    route.continue_()

            page.on("request", record)
            page.route("**/*", guard)
            page.goto(url, wait_until="load")
            yield opened
        finally:
            browser.close()


def emulate(
    page: Page,
    *,
    color_scheme: Literal["light", "dark", "no-preference"] | None = None,
    forced_colors: Literal["active", "none"] | None = None,
    reduced_motion: Literal["reduce", "no-preference"] | None = None,
) -> None:
    """Switch user preferences (WCAG 1.4.8 forced colours, dark mode, motion).

    None leaves a feature as it is; `page.evaluate("matchMedia(...)")` sees the
    change at once.
    """
    options: dict[str, Any] = {}
    if color_scheme is not None:
        options["color_scheme"] = color_scheme
    if forced_colors is not None:
        options["forced_colors"] = forced_colors
    if reduced_motion is not None:
        options["reduced_motion"] = reduced_motion
    if options:
        page.emulate_media(**options)


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
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
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
