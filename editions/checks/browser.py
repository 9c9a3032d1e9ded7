"""Headless Debian Chromium through Playwright, plus axe-core, for page checks.

Playwright's own browser download is unavailable here, so the browser is always
/usr/bin/chromium (apt-get install -y chromium). axe-core comes from
node_modules and is injected as inline script content, so checking a page
makes no network request of its own.

Besides axe, this module measures what a large-print reader gets: the page in
every colour theme (axe_every_theme, screenshot_themes), rendered type sizes and
characters per line (text_metrics), and horizontal fit (horizontal_overflow).
Launch one browser with launch_browser() and pass it to every call to keep a
series of checks fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlparse

from editions.errors import Finding, Location, MissingProgram

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Request, Route

from editions.paths import REPO_ROOT

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


#: The one Playwright driver of this process. Playwright's sync API cannot be
#: started twice at once ("using Playwright Sync API inside the asyncio loop"), so
#: a test session's shared browser and a one-off open_page() share this driver.
_driver: Playwright | None = None
_driver_users = 0


@contextmanager
def _playwright() -> Iterator[Playwright]:
    """Start Playwright once per process; stop it when its last user is done."""
    global _driver, _driver_users
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise MissingProgram("Playwright (PyPI)", INSTALL_PLAYWRIGHT) from exc
    if _driver is None:
        _driver = sync_playwright().start()
    _driver_users += 1
    try:
        yield _driver
    finally:
        _driver_users -= 1
        if _driver_users == 0:
            _driver.stop()
            _driver = None


@contextmanager
def launch_browser() -> Iterator[Browser]:
    """Start headless Debian Chromium; share it across pages (each gets a context)."""
    from playwright.sync_api import Error as PlaywrightError

    if not os.access(CHROMIUM, os.X_OK):
        raise MissingProgram(f"Chromium ({CHROMIUM})", INSTALL_CHROMIUM)
    with _playwright() as pw:
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
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(
    path_or_url: Path | str,
    *,
    viewport: tuple[int, int] = (1280, 800),
    timeout_ms: int = 30_000,
    browser: Browser | None = None,
    javascript: bool = True,
    color_scheme: Literal["light", "dark", "no-preference"] | None = None,
    forced_colors: Literal["active", "none"] | None = None,
    reduced_motion: Literal["reduce", "no-preference"] | None = None,
) -> Iterator[OpenedPage]:
    """Load a page in headless Debian Chromium and record its requests.

    Requests to http(s) hosts other than the page's own are aborted (there is
    no network here, and a waiting request would only slow the check) but still
    recorded, so a test can assert `opened.requests == []`. Pass a *browser*
    from launch_browser() to reuse it; every page gets a fresh context, so no
    localStorage or cache carries over. The preference arguments are in place
    before the page's first script runs.
    """
    url = _to_url(path_or_url)
    if browser is None:
        with (
            launch_browser() as own,
            open_page(
                url,
                viewport=viewport,
                timeout_ms=timeout_ms,
                browser=own,
                javascript=javascript,
                color_scheme=color_scheme,
                forced_colors=forced_colors,
                reduced_motion=reduced_motion,
            ) as opened,
        ):
            yield opened
        return
    own_host = urlparse(url).netloc
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        java_script_enabled=javascript,
        color_scheme=color_scheme,
        forced_colors=forced_colors,
        reduced_motion=reduced_motion,
    )
    try:
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
        context.close()


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


# ---------------------------------------------------------------- large-print page

#: The page's colour themes: `data-theme` on <html> (see styles/large-print.css).
THEMES = ("light", "dark", "contrast")


@dataclass(frozen=True)
class View:
    """One way a reader may see the page: a theme and the media features around it."""

    theme: str | None  # data-theme value; None follows prefers-color-scheme
    color_scheme: Literal["light", "dark"] = "light"
    forced_colors: Literal["active", "none"] = "none"


#: Every view axe must pass in: the three themes, the device's dark mode with no
#: theme chosen, and Windows-style forced colours (WCAG 1.4.8).
VIEWS = {
    "light": View("light"),
    "dark": View("dark"),
    "contrast": View("contrast"),
    "device-dark": View(None, color_scheme="dark"),
    "forced-colors": View("light", forced_colors="active"),
}

#: What screenshot_themes() photographs (device-dark looks like dark).
SCREENSHOT_VIEWS = ("light", "dark", "contrast", "forced-colors")


def show_view(page: Page, view: View) -> None:
    """Put *page* in *view*: set or clear data-theme, then the media features."""
    page.evaluate(
        """theme => {
            const root = document.documentElement;
            if (theme === null) root.removeAttribute('data-theme');
            else root.setAttribute('data-theme', theme);
        }""",
        view.theme,
    )
    emulate(page, color_scheme=view.color_scheme, forced_colors=view.forced_colors)


def highlight_sample(page: Page) -> str | None:
    """Mark one spoken sentence as the read-along does, and scroll it to the middle.

    The sentence chosen holds a link (a citation) when there is one, so contrast
    checks cover link colours on the highlight too. Returns its id, or None when
    the page has no sentence spans.
    """
    result = page.evaluate(
        """() => {
            document.querySelectorAll('.speaking')
                .forEach(el => el.classList.remove('speaking'));
            const sentences = [...document.querySelectorAll('main .s[id]')];
            const pick = sentences.find(s => s.querySelector('a')) || sentences[0];
            if (!pick) return null;
            pick.classList.add('speaking');
            pick.scrollIntoView({block: 'center', behavior: 'instant'});
            return pick.id;
        }"""
    )
    return result if isinstance(result, str) else None


def axe_every_theme(
    path: Path,
    *,
    browser: Browser | None = None,
    views: Sequence[str] = tuple(VIEWS),
    highlight: bool = True,
) -> dict[str, list[Finding]]:
    """Run axe (AXE_TAGS) on the page in every view; findings name their view.

    Every <details> is opened first (axe skips what is not rendered, and a
    reader can open them). With *highlight*, one sentence carries the read-along
    highlight, so its colours are checked as well. Returns {view: findings}; all
    empty is a pass.
    """
    results: dict[str, list[Finding]] = {}
    with open_page(path, browser=browser) as opened:
        opened.page.evaluate(
            "document.querySelectorAll('details').forEach(d => { d.open = true; })"
        )
        if highlight:
            highlight_sample(opened.page)
        for name in views:
            show_view(opened.page, VIEWS[name])
            results[name] = [
                replace(f, message=f"{name} view: {f.message}")
                for f in run_axe(opened.page)
            ]
    return results


def screenshot_themes(
    html_path: Path,
    out_dir: Path,
    *,
    browser: Browser | None = None,
    viewport: tuple[int, int] = (1280, 900),
    views: Sequence[str] = SCREENSHOT_VIEWS,
) -> dict[str, Path]:
    """Save one PNG per view of the page's text with a read-along highlight.

    Files are `<page stem>-<view>.png` in *out_dir*; returns {view: path}.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    shots: dict[str, Path] = {}
    with open_page(html_path, browser=browser, viewport=viewport) as opened:
        for name in views:
            show_view(opened.page, VIEWS[name])
            highlight_sample(opened.page)
            target = out_dir / f"{Path(html_path).stem}-{name}.png"
            opened.page.screenshot(path=str(target), animations="disabled")
            shots[name] = target
    return shots


@dataclass(frozen=True)
class TextMetrics:
    """Rendered typography of a page, measured in the browser (standards §3b)."""

    min_font_px: float
    smallest: str  # the element with the smallest text, as tag#id.class "text…"
    min_line_height_ratio: float  # line-height / font-size over body text
    tightest: str
    min_paragraph_gap_ratio: float  # paragraph margin-bottom / line-height
    max_chars_per_line: int
    longest_line: str
    italic: list[str]  # text elements rendered italic
    not_left_aligned: list[str]
    hyphenated: list[str]  # text elements with hyphens: auto
    multi_column: list[str]


_TEXT_METRICS_JS = """() => {
  const describe = el => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    return el.tagName.toLowerCase() + id + cls + ' "' +
      (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"';
  };
  const shown = el => el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== 'hidden';
  const skip = 'script, style, noscript, template';
  // Every element that directly holds visible text.
  const holders = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || !node.data.trim() || el.closest(skip) || !shown(el)) continue;
    holders.add(el);
  }
  let minFont = Infinity, smallest = '';
  const italic = [], hyphenated = [];
  for (const el of holders) {
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    if (size < minFont) { minFont = size; smallest = describe(el); }
    if (style.fontStyle !== 'normal') italic.push(describe(el));
    if (style.hyphens === 'auto') hyphenated.push(describe(el));
  }
  // Markers (bullets, list numbers) count as text too.
  for (const li of document.querySelectorAll('li')) {
    if (!shown(li)) continue;
    const marker = getComputedStyle(li, '::marker');
    const size = parseFloat(marker.fontSize);
    if (marker.content !== 'none' && size < minFont) {
      minFont = size; smallest = describe(li) + '::marker';
    }
  }
  const blocks = 'p, li, figcaption, caption, td, th, dd, dt, blockquote, label, ' +
    'legend, summary, h1, h2, h3, h4, h5, h6';
  let minRatio = Infinity, tightest = '';
  const notLeft = [];
  const bodyText = 'p, li, figcaption, caption, td, th, dd, dt, blockquote, label, ' +
    'legend, summary';
  for (const el of document.querySelectorAll(blocks)) {
    if (!shown(el) || el.closest(skip)) continue;
    const style = getComputedStyle(el);
    if (!['left', 'start'].includes(style.textAlign)) notLeft.push(describe(el));
    if (!el.matches(bodyText)) continue;
    const ratio = style.lineHeight === 'normal' ? 0
      : parseFloat(style.lineHeight) / parseFloat(style.fontSize);
    if (ratio < minRatio) { minRatio = ratio; tightest = describe(el); }
  }
  // WCAG 1.4.8: space after a paragraph is 1.5 times its line height or more.
  let minGap = Infinity;
  for (const p of document.querySelectorAll('main p')) {
    if (!shown(p) || p.closest('li, td, th') || !p.nextElementSibling) continue;
    const style = getComputedStyle(p);
    const gap = parseFloat(style.marginBottom) / parseFloat(style.lineHeight);
    if (gap < minGap) minGap = gap;
  }
  const multiColumn = [];
  for (const el of document.querySelectorAll('body, body *')) {
    const count = getComputedStyle(el).columnCount;
    if (count !== 'auto' && Number(count) > 1) multiColumn.push(describe(el));
  }
  // Characters per rendered line: walk every character of every text node,
  // start a new line when a character sits lower than the current line.
  const display = new Map();
  const blockOf = el => {
    for (let at = el; at && at !== document.body; at = at.parentElement) {
      if (!display.has(at)) display.set(at, getComputedStyle(at).display);
      if (!display.get(at).startsWith('inline')) return at;
    }
    return document.body;
  };
  const lines = new Map();
  const range = document.createRange();
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) {
    const node = texts.currentNode;
    const el = node.parentElement;
    // Whitespace-only nodes count too: the space between two sentence spans is
    // one. Collapsed whitespace has no box and is skipped below.
    if (!el || el.closest(skip) || !shown(el)) continue;
    const block = blockOf(el);
    const half = parseFloat(getComputedStyle(el).fontSize) / 2;
    if (!lines.has(block)) lines.set(block, []);
    const list = lines.get(block);
    for (let i = 0; i < node.data.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect || rect.width === 0) continue;
      const middle = (rect.top + rect.bottom) / 2;
      const last = list[list.length - 1];
      if (last && Math.abs(middle - last.middle) < half) last.text += node.data[i];
      else list.push({middle, text: node.data[i]});
    }
  }
  let maxChars = 0, longest = '';
  for (const list of lines.values()) {
    for (const line of list) {
      const text = line.text.replace(/\\s+$/, '');
      if (text.length > maxChars) { maxChars = text.length; longest = text; }
    }
  }
  return {
    min_font_px: minFont, smallest, min_line_height_ratio: minRatio, tightest,
    min_paragraph_gap_ratio: minGap, max_chars_per_line: maxChars,
    longest_line: longest, italic, not_left_aligned: notLeft, hyphenated,
    multi_column: multiColumn,
  };
}"""


def text_metrics(page: Page) -> TextMetrics:
    """Measure the rendered text: smallest size, spacing, line length, styles."""
    return TextMetrics(**page.evaluate(_TEXT_METRICS_JS))


@dataclass(frozen=True)
class Overflow:
    """Horizontal fit of a page (WCAG 1.4.10 reflow, 1.4.4, 1.4.12)."""

    viewport_width: int
    scroll_width: int
    #: Visible elements reaching past the right edge, or clipping their own text.
    offenders: list[str]

    @property
    def fits(self) -> bool:
        """Return True when nothing needs horizontal scrolling or is cut off."""
        return self.scroll_width <= self.viewport_width and not self.offenders


_OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const offenders = [];
  // Content of a region that scrolls sideways by itself (a wide table) is
  // reachable; only the region itself must fit.
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const inScroller = el => {
    for (let at = el.parentElement; at && at !== document.body; at = at.parentElement) {
      if (scrolls(at)) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (inScroller(el)) continue;
    const rect = el.getBoundingClientRect();
    if (!rect.width || !rect.height || rect.right <= 0) continue;  // off-screen
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    if (rect.right > width + 1) offenders.push(name + ' ends at ' +
      Math.round(rect.right) + 'px');
    const clips = v => ['hidden', 'clip'].includes(v);
    if ((clips(style.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
        (clips(style.overflowY) && el.scrollHeight > el.clientHeight + 1)) {
      offenders.push(name + ' clips its content');
    }
  }
  return {viewport_width: width, scroll_width: root.scrollWidth, offenders};
}"""


def horizontal_overflow(page: Page) -> Overflow:
    """Measure whether the page fits its viewport's width without cutting text."""
    return Overflow(**page.evaluate(_OVERFLOW_JS))


#: WCAG 1.4.12 text spacing, as the Understanding document's bookmarklet sets it.
TEXT_SPACING_CSS = (
    "* { line-height: 1.5 !important; letter-spacing: .12em !important;"
    " word-spacing: .16em !important; }"
    " p { margin-bottom: 2em !important; }"
)
