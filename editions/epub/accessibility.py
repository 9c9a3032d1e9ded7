"""The EPUB's accessibility metadata (EPUB Accessibility 1.1): modes and summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from editions import locale
from editions.epub import overlays
from editions.model import Article

if TYPE_CHECKING:
    from editions.epub.render import EpubInputs

CERTIFIER = "Accessible Editions pipeline (automated checks: EPUBCheck, Ace by DAISY)"


def accessibility_metadata(
    article: Article, inputs: EpubInputs, overlay: overlays.Overlay | None = None
) -> list[tuple[str, str]]:
    """Derive schema.org accessibility properties from what the book contains.

    The narration is an adaptation of the text, not content of its own, so it adds no
    access mode (A11y Techniques META-001); it makes `auditory` sufficient only when
    it reads every sentence and every image description (A11y 1.1 §sync-complete).
    """
    has_images = bool(article.figures)
    modes = ["textual", *(["visual"] if has_images else [])]
    sufficient = ["textual", *(["textual,visual"] if has_images else [])]
    if overlay is not None and overlay.complete:
        sufficient.append("auditory")
    features = [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ]
    if has_images:
        features.append("alternativeText")
    if inputs.page_starts:
        features += ["pageNavigation", "pageBreakMarkers"]
    if article.lexicon:
        features.append("ttsMarkup")
    if overlay is not None:
        features.append("synchronizedAudioText")
    table = locale.labels(article.lang)
    parts = [table["a11y.summary"]]
    if has_images:
        parts.append(table["a11y.images"])
    if inputs.page_starts:
        parts.append(table["a11y.pages"].format(file=inputs.pdf_name))
    if article.lexicon:
        parts.append(table["a11y.lexicon"])
    parts.append(_narration_summary(table, overlay, has_images))
    summary = " ".join(part for part in parts if part)
    meta = [("schema:accessMode", m) for m in modes]
    meta += [("schema:accessModeSufficient", s) for s in sufficient]
    meta += [("schema:accessibilityFeature", f) for f in features]
    meta += [
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
    ]
    if inputs.page_starts:
        meta.append(
            (
                "pageBreakSource",
                table["a11y.page_source"].format(
                    author=article.author, title=article.title, file=inputs.pdf_name
                ),
            )
        )
    return meta


def _narration_summary(
    table: dict[str, str], overlay: overlays.Overlay | None, has_images: bool
) -> str:
    if overlay is None:
        return ""
    if overlay.complete:
        return table["a11y.narration_images" if has_images else "a11y.narration"]
    return table["a11y.narration_partial"].format(count=len(overlay.uncovered))
