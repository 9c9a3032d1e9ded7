"""Rendered typography and fit of a page, measured in Chromium (standards §3b).

What a large-print reader gets: rendered type sizes, spacing and characters per
line (`text_metrics`), and horizontal fit (`horizontal_overflow`, WCAG 1.4.10).
Pages are opened with `editions.checks.browser`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page


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
