"""Headless Debian Chromium through Playwright, plus axe-core, for page checks.

Playwright's own browser download is unavailable here, so the browser is always
/usr/bin/chromium (apt-get install -y chromium).

Besides opening pages, this module shows the large-print page in every colour
theme (axe_every_theme, screenshot_themes); axe itself is `editions.checks.axe`,
type and fit measures `editions.checks.page_metrics`. Launch one browser with
launch_browser() and pass it to every call to keep a series of checks fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

from editions.checks.axe import run_axe
from editions.errors import Finding, MissingProgram

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Request, Route

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

INSTALL_CHROMIUM = "apt-get install -y chromium"
INSTALL_PLAYWRIGHT = ".venv/bin/pip install playwright (never `playwright install`)"

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
