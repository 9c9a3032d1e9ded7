"""The EPUB's accessibility metadata (EPUB Accessibility 1.1): modes and summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    summary = (
        "This EPUB 3 publication meets EPUB Accessibility 1.1 and WCAG 2.2 Level AA. "
        "It has a table of contents, headings for every section and a logical "
        "reading order; the text can be resized and restyled."
        + (" Every image has a text description." if has_images else "")
        + (
            f" Page numbers follow the print PDF edition ({inputs.pdf_name})."
            if inputs.page_starts
            else ""
        )
        + (" A pronunciation lexicon helps text-to-speech." if article.lexicon else "")
        + _narration_summary(overlay, has_images)
    )
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
                f"{article.author}, {article.title}, PDF edition ({inputs.pdf_name})",
            )
        )
    return meta


def _narration_summary(overlay: overlays.Overlay | None, has_images: bool) -> str:
    if overlay is None:
        return ""
    if overlay.complete:
        described = ", image descriptions included," if has_images else ""
        return (
            f" A synthetic-voice narration of the whole text{described} plays with "
            "each sentence highlighted as it is read."
        )
    return (
        " A synthetic-voice narration plays with each sentence highlighted as it is "
        f"read; {len(overlay.uncovered)} passage(s) of the text are not narrated."
    )
