"""Large-print page in Debian Chromium: the checks of issue 6 and standards §3.

axe in every theme, the Nu HTML Checker, rendered type sizes and line lengths,
reflow and zoom, WCAG text spacing, the reading settings, the read-along, keyboard
use, print, and no network. One browser serves the whole session; every page gets
a fresh context (no remembered settings). Screenshots of each theme and the
measured numbers go to $EDITIONS_TEST_RESULTS (default build/test-results/).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from conftest import ROOT, Built
from PIL import Image, ImageStat
from playwright.sync_api import Browser, Page

from editions import locale
from editions.checks import browser
from editions.checks.axe import run_axe
from editions.checks.browser import (
    VIEWS,
    axe_every_theme,
    highlight_sample,
    open_page,
    screenshot_themes,
)
from editions.checks.page_metrics import (
    TEXT_SPACING_CSS,
    horizontal_overflow,
    text_metrics,
)
from editions.checks.vnu import run_vnu
from editions.large_print import render as large_print
from editions.locale.labels import EN

MIN_PX = 24  # 18pt (standards §3b)
MAX_CHARS = 70  # project target (WCAG 1.4.8 allows 80)
BODY_P = "main section > p"  # a body paragraph (the byline is bold on purpose)
THEME_BACKGROUNDS = {
    "light": (255, 255, 255),
    "dark": (18, 18, 18),
    "contrast": (0, 0, 0),
}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for every test here (fails, never skips, if missing)."""
    with browser.launch_browser() as shared:
        yield shared


@pytest.fixture(scope="session")
def results() -> Path:
    """Where screenshots and measurements are kept for people to look at."""
    configured = os.environ.get("EDITIONS_TEST_RESULTS")
    folder = Path(configured) if configured else ROOT / "build" / "test-results"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def record(results: Path) -> Iterator[dict[str, dict[str, Any]]]:
    """Collect measured numbers per article; written as JSON after the session."""
    numbers: dict[str, dict[str, Any]] = {}
    yield numbers
    target = results / "large-print-measurements.json"
    target.write_text(json.dumps(numbers, indent=2, sort_keys=True), encoding="utf-8")


@pytest.fixture(scope="session")
def main(built_all: dict[str, Built]) -> Built:
    """The real article: the controls are the same on every page."""
    return built_all["main"]


# ---------------------------------------------------------------- helpers


def _rgb(css: str) -> tuple[int, int, int]:
    numbers = re.findall(r"[\d.]+", css)
    return int(float(numbers[0])), int(float(numbers[1])), int(float(numbers[2]))


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    def luminance(rgb: tuple[int, int, int]) -> float:
        def channel(c: int) -> float:
            s = c / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

        r, g, b_ = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _background(page: Page) -> tuple[int, int, int]:
    return _rgb(
        page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    )


def _style(page: Page, selector: str, prop: str) -> str:
    return str(page.eval_on_selector(selector, f"e => getComputedStyle(e)['{prop}']"))


def _seek(page: Page, seconds: float) -> None:
    """Move the audio to *seconds* and let the read-along react."""
    page.evaluate(
        """async t => {
            const a = document.getElementById('audio');
            if (a.readyState < 1) await new Promise(
                r => a.addEventListener('loadedmetadata', r, {once: true}));
            await new Promise(r => {
                a.addEventListener('seeked', r, {once: true});
                a.currentTime = t;
            });
            await new Promise(r => requestAnimationFrame(() => r()));
        }""",
        seconds,
    )


def _speaking(page: Page) -> list[str]:
    return list(
        page.evaluate("[...document.querySelectorAll('.speaking')].map(e => e.id)")
    )


def _in_view(page: Page, element_id: str) -> bool:
    return bool(
        page.evaluate(
            """id => {
                const r = document.getElementById(id).getBoundingClientRect();
                return r.bottom > 0 && r.top < innerHeight && r.height > 0;
            }""",
            element_id,
        )
    )


def _spoken(seconds: float) -> str:
    """Say a time as the position slider's aria-valuetext does."""
    minutes, secs = divmod(int(seconds), 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    said = unit(secs, "second")
    return f"{unit(minutes, 'minute')} {said}" if minutes else said


def _timings(built: Built) -> dict[str, Any]:
    return dict(json.loads(built.paths["timings"].read_text(encoding="utf-8")))


def _no_script_copy(built: Built, folder: Path) -> Path:
    """The page as a browser without JavaScript shows it (axe itself needs JS)."""
    text = built.paths["html"].read_text(encoding="utf-8")
    text, removed = re.subn(r"<script>\n.*?</script>\n", "", text, flags=re.S)
    assert removed == 1
    text = text.replace("<noscript>", "").replace("</noscript>", "")
    target = folder / built.paths["html"].name
    target.write_text(text, encoding="utf-8")
    return target


# ---------------------------------------------------------------- validators


def test_axe_finds_nothing_in_any_view(
    built: Built, chromium: Browser, record: dict[str, dict[str, Any]]
) -> None:
    """axe (WCAG 2.2 A/AA, AAA incl. 7:1 contrast, best practice) in each view."""
    found = axe_every_theme(built.paths["html"], browser=chromium)
    record.setdefault(built.name, {})["axe_violations"] = {
        view: len(findings) for view, findings in found.items()
    }
    assert set(found) == set(VIEWS)
    assert {view: [str(f) for f in fs] for view, fs in found.items() if fs} == {}


def test_axe_finds_nothing_without_javascript(
    built: Built, chromium: Browser, tmp_path: Path
) -> None:
    page_file = _no_script_copy(built, tmp_path)
    with open_page(page_file, browser=chromium) as opened:
        assert opened.page.is_hidden("#settings")
        findings = run_axe(opened.page)
    assert [str(f) for f in findings] == []


def test_nu_html_checker_finds_no_errors(
    built: Built, record: dict[str, dict[str, Any]]
) -> None:
    findings = run_vnu(built.paths["html"])
    record.setdefault(built.name, {})["vnu_errors"] = len(findings)
    assert [str(f) for f in findings] == []


# ---------------------------------------------------------------- typography


def test_large_print_typography(
    built: Built, chromium: Browser, record: dict[str, dict[str, Any]]
) -> None:
    with open_page(built.paths["html"], browser=chromium) as opened:
        metrics = text_metrics(opened.page)
        body = float(_style(opened.page, BODY_P, "fontSize").removesuffix("px"))
        headings = {
            tag: float(_style(opened.page, tag, "fontSize").removesuffix("px"))
            for tag in ("h1", "h2")
        }
        transforms = opened.page.evaluate(
            "[...document.querySelectorAll('h1,h2,h3,h4')]"
            ".map(h => getComputedStyle(h).textTransform)"
        )
    record.setdefault(built.name, {}).update(
        min_font_px=metrics.min_font_px,
        max_chars_per_line=metrics.max_chars_per_line,
        longest_line=metrics.longest_line,
        min_line_height_ratio=metrics.min_line_height_ratio,
        min_paragraph_gap_ratio=metrics.min_paragraph_gap_ratio,
    )
    assert metrics.min_font_px >= MIN_PX, metrics.smallest
    assert metrics.min_line_height_ratio >= 1.5, metrics.tightest
    assert metrics.min_paragraph_gap_ratio >= 1.5
    assert metrics.max_chars_per_line <= MAX_CHARS, metrics.longest_line
    assert metrics.max_chars_per_line >= 40, "measured too few characters per line"
    assert metrics.italic == []
    assert metrics.not_left_aligned == []
    assert metrics.hyphenated == []
    assert metrics.multi_column == []
    assert body == MIN_PX
    assert all(size > body for size in headings.values()), headings
    assert set(transforms) == {"none"}


def test_reflow_at_320_px_and_zoom(
    built: Built,
    chromium: Browser,
    record: dict[str, dict[str, Any]],
    results: Path,
) -> None:
    """WCAG 1.4.10 at 320×256; 1.4.4 as 200% zoom (640 px) and doubled text."""
    widths: dict[str, list[int]] = {}
    html = built.paths["html"]
    with open_page(html, browser=chromium, viewport=(320, 256)) as opened:
        at_320 = horizontal_overflow(opened.page)
        opened.page.set_viewport_size({"width": 320, "height": 640})
        opened.page.screenshot(path=str(results / f"{built.name}-320px.png"))
        opened.page.evaluate("document.documentElement.dataset.size = '200'")
        at_320_double = horizontal_overflow(opened.page)
    with open_page(html, browser=chromium, viewport=(640, 800)) as opened:
        opened.page.evaluate("document.documentElement.dataset.size = '200'")
        at_640_double = horizontal_overflow(opened.page)
    for name, overflow in (
        ("320", at_320),
        ("320-text-200", at_320_double),
        ("640-text-200", at_640_double),
    ):
        widths[name] = [overflow.viewport_width, overflow.scroll_width]
    record.setdefault(built.name, {})["widths_viewport_vs_scroll"] = widths
    assert at_320.fits, at_320
    assert at_320_double.fits, at_320_double
    assert at_640_double.fits, at_640_double


def test_browser_text_size_200_percent(built: Built, chromium: Browser) -> None:
    """The browser's own text-size setting doubles the page's text (WCAG 1.4.4)."""
    with open_page(built.paths["html"], browser=chromium) as opened:
        cdp = opened.page.context.new_cdp_session(opened.page)
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
        metrics = text_metrics(opened.page)
        overflow = horizontal_overflow(opened.page)
    assert metrics.min_font_px >= 2 * MIN_PX, metrics.smallest
    assert metrics.max_chars_per_line <= MAX_CHARS
    assert overflow.fits, overflow


@pytest.mark.parametrize("width", [1280, 320])
def test_text_spacing_override_loses_nothing(
    built: Built, chromium: Browser, width: int
) -> None:
    """WCAG 1.4.12: the user's letter, word, line and paragraph spacing fit."""
    with open_page(built.paths["html"], browser=chromium, viewport=(width, 800)) as o:
        o.page.add_style_tag(content=TEXT_SPACING_CSS)
        line_height = o.page.eval_on_selector(
            BODY_P,
            "p => { const s = getComputedStyle(p);"
            " return parseFloat(s.lineHeight) / parseFloat(s.fontSize); }",
        )
        overflow = horizontal_overflow(o.page)
    assert line_height == pytest.approx(1.5), "the override did not apply"
    assert overflow.fits, overflow


def test_print_is_large_print_black_on_white(
    built: Built, chromium: Browser, results: Path
) -> None:
    """Printed on A4 (6.27 in between 1 in margins = 602 px), still 18pt or more."""
    with open_page(built.paths["html"], browser=chromium, viewport=(602, 900)) as o:
        o.page.evaluate("document.documentElement.dataset.theme = 'dark'")
        o.page.emulate_media(media="print")
        metrics = text_metrics(o.page)
        hidden = [
            o.page.is_hidden(selector)
            for selector in ("#settings", "#listen", "#dock", ".skip-link")
        ]
        colours = (
            _background(o.page),
            _rgb(_style(o.page, BODY_P, "color")),
            _rgb(_style(o.page, BODY_P + " a", "color")),
        )
        pdf = results / f"{built.name}-print.pdf"
        o.page.pdf(path=str(pdf), format="A4", print_background=True)
    assert metrics.min_font_px >= MIN_PX, metrics.smallest
    assert metrics.max_chars_per_line <= MAX_CHARS, metrics.longest_line
    assert metrics.italic == []
    assert all(hidden)
    assert colours == ((255, 255, 255), (0, 0, 0), (0, 0, 0))
    assert pdf.read_bytes()[:5] == b"%PDF-"


# ---------------------------------------------------------------- without JavaScript


def test_without_javascript_it_is_a_plain_page(built: Built, chromium: Browser) -> None:
    html = built.paths["html"]
    with open_page(html, browser=chromium, javascript=False) as opened:
        page = opened.page
        for selector in ("#settings", "#player-controls", "#dock"):
            assert page.is_hidden(selector), selector
        assert page.is_visible("#audio")
        assert page.is_visible("#listen noscript p")
        assert page.is_visible("#contents")
        first = page.get_attribute(".chapters a", "href") or ""
        metrics = text_metrics(page)
    assert first.startswith(f"{built.paths['mp3'].name}#t=")
    assert metrics.min_font_px >= MIN_PX


# ---------------------------------------------------------------- read-along


def test_highlight_moves_to_the_sentence_at_the_audio_time(
    built: Built, chromium: Browser
) -> None:
    timings = _timings(built)
    cues = timings["sentences"]
    picks = [cues[0], cues[len(cues) // 3], cues[2 * len(cues) // 3], cues[-1]]
    picks += [c for c in cues if not c["id"].startswith("s")][:1]  # a figure's alt
    with open_page(
        built.paths["html"], browser=chromium, reduced_motion="reduce"
    ) as opened:
        page = opened.page
        _seek(page, 0.0)
        assert _speaking(page) == []  # before the first sentence
        for cue in picks:
            _seek(page, (cue["start"] + cue["end"]) / 2)
            assert _speaking(page) == [cue["id"]], cue
            assert _in_view(page, cue["id"]), f"{cue['id']} was not scrolled into view"
            current = page.eval_on_selector_all(
                ".chapters a[aria-current]", "links => links.map(a => a.textContent)"
            )
            assert current == [timings["chapters"][cue["chapter"] - 1]["title"]]
        _seek(page, picks[1]["start"] - 0.01)  # just before: still the one before
        assert _speaking(page) != [picks[1]["id"]]


def test_highlight_follows_while_playing(built: Built, chromium: Browser) -> None:
    cues = _timings(built)["sentences"]
    before, after = cues[len(cues) // 2], cues[len(cues) // 2 + 1]
    with open_page(
        built.paths["html"], browser=chromium, reduced_motion="reduce"
    ) as opened:
        page = opened.page
        _seek(page, before["end"] - 0.2)
        assert _speaking(page) == [before["id"]]
        page.click("#player-controls [data-action=play]")
        page.wait_for_function(
            "t => document.getElementById('audio').currentTime > t",
            arg=after["start"] + 0.2,
            timeout=15_000,
        )
        # Not a click: Playwright would scroll the button back into view first.
        page.evaluate("document.getElementById('audio').pause()")
        assert _speaking(page) == [after["id"]]
        assert _in_view(page, after["id"])


def test_no_network_requests(built: Built, chromium: Browser) -> None:
    """Only the page and the MP3 beside it load, even while playing and switching."""
    html = built.paths["html"]
    with open_page(html, browser=chromium) as opened:
        page = opened.page
        page.click("#settings summary")
        page.check("#theme-dark")
        page.check("#size-150")
        page.click("#player-controls [data-action=play]")
        page.wait_for_function(
            "document.getElementById('audio').currentTime > 0.5", timeout=15_000
        )
        page.click("#player-controls [data-action=play]")
        page.click(".chapters li:nth-child(2) a")
        page.wait_for_timeout(300)
        requests = list(opened.requests)
    assert opened.external_requests == []
    assert set(requests) <= {built.paths["mp3"].resolve().as_uri()}


# ---------------------------------------------------------------- reading settings


def test_reading_settings_apply_and_are_remembered(
    main: Built, chromium: Browser
) -> None:
    with open_page(main.paths["html"], browser=chromium) as opened:
        page = opened.page
        assert page.is_visible("#settings") and page.is_visible("#player-controls")
        # The large controls replace the browser's small ones.
        assert page.is_hidden("#audio") and page.is_visible("#position")
        page.click("#settings summary")

        def px(selector: str, prop: str = "fontSize") -> float:
            return float(_style(page, selector, prop).removesuffix("px"))

        for value, scale in (("125", 1.25), ("150", 1.5), ("200", 2.0), ("100", 1)):
            page.check(f"#size-{value}")
            assert px(BODY_P) == MIN_PX * scale, value
            assert px(".references li") == MIN_PX * scale, value
        for theme, background in THEME_BACKGROUNDS.items():
            page.check(f"#theme-{theme}")
            assert page.get_attribute("html", "data-theme") == theme
            assert _background(page) == background
        page.check("#theme-auto")
        assert page.get_attribute("html", "data-theme") is None
        page.check("#leading-2")
        assert px(BODY_P, "lineHeight") == 2 * MIN_PX
        assert px(BODY_P, "marginBottom") >= 1.5 * 2 * MIN_PX
        page.check("#leading-1-5")
        assert _style(page, BODY_P, "fontWeight") == "400"
        page.check("#bold")
        assert _style(page, BODY_P, "fontWeight") == "700"

        # Everything at once still fits the page and the 70 characters.
        page.check("#size-200")
        page.check("#theme-contrast")
        page.check("#leading-1-75")
        metrics = text_metrics(page)
        overflow = horizontal_overflow(page)
        assert metrics.max_chars_per_line <= MAX_CHARS
        assert overflow.fits, overflow

        page.reload()
        attributes = page.evaluate(
            "Object.fromEntries([...document.documentElement.attributes]"
            ".map(a => [a.name, a.value]))"
        )
        assert attributes == {
            "lang": main.article.lang,
            "data-theme": "contrast",
            "data-size": "200",
            "data-leading": "1.75",
            "data-bold": "",
        }
        checked = page.eval_on_selector_all(
            "#settings input:checked", "inputs => inputs.map(i => i.id)"
        )
        assert checked == ["size-200", "theme-contrast", "leading-1-75", "bold"]

        page.click("#settings summary")
        page.click("#settings [data-action=reset]")
        assert page.evaluate("document.documentElement.attributes.length") == 1
        page.reload()
        assert page.evaluate("document.documentElement.attributes.length") == 1


def test_device_preferences_are_respected(main: Built, chromium: Browser) -> None:
    html = main.paths["html"]
    with open_page(html, browser=chromium, color_scheme="dark") as opened:
        assert _background(opened.page) == THEME_BACKGROUNDS["dark"]
        opened.page.click("#settings summary")
        opened.page.check("#theme-light")  # the reader's choice beats the device
        assert _background(opened.page) == THEME_BACKGROUNDS["light"]
    with open_page(html, browser=chromium, reduced_motion="reduce") as opened:
        assert _style(opened.page, "html", "scrollBehavior") == "auto"
    with open_page(html, browser=chromium, reduced_motion="no-preference") as opened:
        assert _style(opened.page, "html", "scrollBehavior") == "smooth"
    with open_page(html, browser=chromium, forced_colors="active") as opened:
        page = opened.page
        sentence = highlight_sample(page)
        system = page.evaluate(
            """() => {
                const probe = document.createElement('div');
                probe.style.cssText = 'forced-color-adjust:none;background:Highlight';
                document.body.append(probe);
                const colour = getComputedStyle(probe).backgroundColor;
                probe.remove();
                return colour;
            }"""
        )
        assert _style(page, f"#{sentence}", "backgroundColor") == system


def test_no_author_colour_is_important() -> None:
    """WCAG 1.4.8: users' colours (forced colours, user style sheets) must win."""
    css = (ROOT / "styles" / "large-print.css").read_text(encoding="utf-8")
    rules = re.findall(r"[{;]\s*([\w-]+)\s*:[^;{}]*!important", css)
    assert [r for r in rules if "color" in r or "background" in r] == []


# ---------------------------------------------------------------- keyboard and focus


def test_keyboard_reaches_and_operates_the_player(
    main: Built, chromium: Browser
) -> None:
    cues = _timings(main)["sentences"]
    chapters = _timings(main)["chapters"]
    with open_page(
        main.paths["html"], browser=chromium, reduced_motion="reduce"
    ) as opened:
        page = opened.page
        page.keyboard.press("Tab")
        skip = page.evaluate(
            """() => { const e = document.activeElement;
                const r = e.getBoundingClientRect();
                return {cls: e.className, href: e.getAttribute('href'),
                        visible: r.left >= 0 && r.top >= 0 && r.width > 0}; }"""
        )
        assert skip["cls"] == "skip-link" and skip["visible"], skip
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == skip["href"]
        assert _in_view(page, skip["href"][1:])

        page.focus("#settings summary")
        seen = []
        for _ in range(60):
            page.keyboard.press("Tab")
            seen.append(page.evaluate("document.activeElement.dataset.action || ''"))
            if seen[-1] == "play":
                break
        assert seen[-1] == "play", "Tab never reached the Play button"
        page.keyboard.press("Enter")
        page.wait_for_function("!document.getElementById('audio').paused")
        # The label changes on the play event, a task after `paused` flips.
        page.wait_for_function(
            "document.querySelector('#player-controls [data-action=play]')"
            ".textContent == 'Pause'",
            timeout=5000,
        )
        page.keyboard.press("Enter")
        assert page.evaluate("document.getElementById('audio').paused")

        _seek(page, (cues[3]["start"] + cues[3]["end"]) / 2)
        page.keyboard.press("Tab")  # Previous sentence
        page.keyboard.press("Tab")  # Next sentence
        page.keyboard.press("Space")
        page.wait_for_function(
            "id => document.getElementById(id).classList.contains('speaking')",
            arg=cues[4]["id"],
        )
        assert _speaking(page) == [cues[4]["id"]]
        page.keyboard.press("Shift+Tab")  # back to Previous sentence
        page.keyboard.press("Enter")
        page.wait_for_function(
            "id => document.getElementById(id).classList.contains('speaking')",
            arg=cues[3]["id"],
        )

        page.focus("#position")
        page.keyboard.press("End")
        page.wait_for_function(
            "id => document.getElementById(id).classList.contains('speaking')",
            arg=cues[-1]["id"],
        )
        now, total = page.evaluate(
            "(a => [a.currentTime, a.duration])(document.getElementById('audio'))"
        )
        assert page.get_attribute("#position", "aria-valuetext") == (
            f"{_spoken(now)} of {_spoken(total)}"
        )
        page.keyboard.press("Home")
        page.wait_for_function("document.getElementById('audio').currentTime < 1")

        page.focus("#speed")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.getElementById('audio').playbackRate") == 1.25
        page.keyboard.press("Tab")  # the follow checkbox
        page.keyboard.press("Space")
        assert not page.is_checked("#follow")
        stored = json.loads(
            page.evaluate("localStorage.getItem('editions.large-print.settings')")
        )
        assert stored["speed"] == "1.25" and stored["follow"] == "off"

        page.focus(".chapters li:nth-child(3) a")
        page.keyboard.press("Enter")
        heading = next(c for c in cues if c["start"] >= chapters[2]["start"])
        assert _speaking(page) == [heading["id"]]  # the chapter's own heading
        page.wait_for_function("!document.getElementById('audio').paused")
        time = page.evaluate("document.getElementById('audio').currentTime")
        assert chapters[2]["start"] <= time < chapters[2]["start"] + 2
        assert page.get_attribute(".chapters li:nth-child(3) a", "aria-current")


def test_dock_keeps_pause_in_reach(main: Built, chromium: Browser) -> None:
    with open_page(
        main.paths["html"], browser=chromium, reduced_motion="reduce"
    ) as opened:
        page = opened.page
        assert page.is_hidden("#dock")
        page.click("#player-controls [data-action=play]")
        page.wait_for_function("!document.getElementById('audio').paused")
        page.evaluate("document.getElementById('follow').click()")  # stay put
        page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
        page.wait_for_selector("#dock", state="visible")
        page.wait_for_function(
            "document.querySelector('#dock [data-action=play]').textContent == 'Pause'",
            timeout=5000,
        )
        assert [str(f) for f in run_axe(page)] == []
        page.focus("#dock [data-action=play]")
        page.keyboard.press("Enter")
        assert page.evaluate("document.getElementById('audio').paused")
        page.focus("#dock a")
        page.keyboard.press("Enter")
        page.wait_for_selector("#dock", state="hidden")
        assert _in_view(page, "listen")


@pytest.mark.parametrize("theme", sorted(THEME_BACKGROUNDS))
def test_focus_indicator_is_thick_and_contrasting(
    main: Built, chromium: Browser, theme: str
) -> None:
    """WCAG 2.4.7/2.4.13: a 2 px or thicker ring at 3:1 against the page."""
    targets = [
        ".skip-link",
        "#settings summary",
        "#contents a",
        "#player-controls button",
        "#position",
        "#speed",
        ".chapters a",
        "main p a[role=doc-biblioref]",
        ".backlink",
        "#settings input[type=radio]",
    ]
    with open_page(
        main.paths["html"], browser=chromium, reduced_motion="reduce"
    ) as opened:
        page = opened.page
        page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
        page.click("#settings summary")
        background = _background(page)
        page.keyboard.press("Tab")  # keyboard modality: focus() now shows the ring
        for selector in targets:
            page.focus(selector)
            ring = page.evaluate(
                """() => { const e = document.activeElement;
                    const s = getComputedStyle(e); const r = e.getBoundingClientRect();
                    return {visible: e.matches(':focus-visible'), style: s.outlineStyle,
                            width: parseFloat(s.outlineWidth), color: s.outlineColor,
                            onScreen: r.bottom > 0 && r.top < innerHeight}; }"""
            )
            assert ring["visible"] and ring["onScreen"], (selector, ring)
            assert ring["style"] == "solid" and ring["width"] >= 2, (selector, ring)
            assert _contrast(_rgb(ring["color"]), background) >= 3, (selector, ring)


def test_controls_are_big_enough_to_hit(main: Built, chromium: Browser) -> None:
    """WCAG 2.5.5 (AAA): controls and stand-alone links are 44×44 CSS px or more."""
    with open_page(main.paths["html"], browser=chromium) as opened:
        page = opened.page
        page.click("#settings summary")
        page.evaluate("document.getElementById('dock').hidden = false")
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                    'button, select, summary, .choice, input[type=range], ' +
                    '.skip-link, #contents a, .chapters a, .download a, ' +
                    '.back-to-top a, #dock a, .backlink')]
                .map(e => [e.id || e.textContent.trim().slice(0, 30),
                           e.getBoundingClientRect()])
                .filter(([, r]) => r.width < 44 || r.height < 44)
                .map(([name, r]) => `${name}: ${r.width}x${r.height}`)"""
        )
    assert small == []


# ---------------------------------------------------------------- screenshots


def test_screenshots_of_each_theme(
    built: Built, chromium: Browser, results: Path
) -> None:
    shots = screenshot_themes(
        built.paths["html"], results / built.name, browser=chromium
    )
    assert set(shots) == {"light", "dark", "contrast", "forced-colors"}
    brightness = {}
    for view, path in shots.items():
        with Image.open(path) as image:
            assert image.size == (1280, 900), view
            brightness[view] = ImageStat.Stat(image.convert("L")).mean[0]
    assert brightness["light"] > 180, brightness
    assert brightness["dark"] < 80, brightness
    assert brightness["contrast"] < 80, brightness


# ---------------------------------------------------------------- page language


def _said(lang: str, seconds: int) -> str:
    """Say a time from *lang*'s table as large-print.js should (CLDR plurals)."""
    table = locale.labels(lang)
    category = Locale.parse(lang, sep="-").plural_form

    def unit(key: str, n: int) -> str:
        form = table.get(f"{key}.{category(n)}", table[f"{key}.other"])
        return form.format(n=n)

    minutes, secs = divmod(seconds, 60)
    said = unit("time.second", secs)
    return f"{unit('time.minute', minutes)} {said}" if minutes else said


def _play_labels(page: Page) -> list[str]:
    return list(
        page.eval_on_selector_all(
            "button[data-action=play]", "buttons => buttons.map(b => b.textContent)"
        )
    )


def test_the_player_speaks_the_page_language(
    french_built: Built, chromium: Browser
) -> None:
    """Issue 16: Play/Pause, the clock, the slider's spoken time, errors in French."""
    fr = locale.labels(french_built.article.lang)
    with open_page(
        french_built.paths["html"], browser=chromium, reduced_motion="reduce"
    ) as opened:
        page = opened.page
        assert page.is_visible("#player-controls")
        assert _play_labels(page) == [fr["play"], fr["play"]] == ["Lecture"] * 2
        _seek(page, 1.5)  # "1 seconde": French says 0 and 1 in the singular
        now, total = (
            int(t)
            for t in page.evaluate(
                "(a => [a.currentTime, a.duration])(document.getElementById('audio'))"
            )
        )
        assert page.text_content("#clock") == fr["time.of"].format(
            now=large_print.clock(now), total=large_print.clock(total)
        )
        valuetext = page.get_attribute("#position", "aria-valuetext")
        assert valuetext == fr["time.of"].format(
            now=_said("fr-FR", now), total=_said("fr-FR", total)
        )
        assert " sur " in valuetext and "secondes" in valuetext, valuetext

        # The label changes on the play/pause events, a task after `paused` flips.
        shows = "t => document.querySelector('#dock button').textContent == t"
        page.click("#player-controls [data-action=play]")
        page.wait_for_function("!document.getElementById('audio').paused")
        page.wait_for_function(shows, arg=fr["pause"])
        assert _play_labels(page) == [fr["pause"], fr["pause"]]
        page.click("#player-controls [data-action=play]")
        page.wait_for_function("document.getElementById('audio').paused")
        page.wait_for_function(shows, arg=fr["play"])
        assert _play_labels(page) == [fr["play"], fr["play"]]

        page.evaluate("document.getElementById('audio').src = 'absente.mp3'")
        page.wait_for_function("document.getElementById('player-status').textContent")
        assert page.text_content("#player-status") == fr["error.unloaded"].format(
            name="absente.mp3"
        )


def test_without_label_data_the_player_falls_back_to_english(
    french_built: Built, chromium: Browser, tmp_path: Path
) -> None:
    """The script's own English is a last resort, used only when #labels is gone."""
    text = french_built.paths["html"].read_text(encoding="utf-8")
    text, removed = re.subn(
        r'<script type="application/json" id="labels">.*?</script>\n', "", text
    )
    assert removed == 1
    copy = tmp_path / french_built.paths["html"].name  # no MP3 beside it
    copy.write_text(text, encoding="utf-8")
    with open_page(copy, browser=chromium) as opened:
        page = opened.page
        page.wait_for_function("document.getElementById('player-status').textContent")
        assert _play_labels(page) == [EN["play"], EN["play"]]
        name = french_built.paths["mp3"].name
        status = page.text_content("#player-status")
    assert status == EN["error.unloaded"].format(name=name)
