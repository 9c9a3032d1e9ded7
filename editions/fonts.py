"""Atkinson Hyperlegible (OFL) from the fontpkg wheel: @font-face rules per edition."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from editions.errors import MissingProgram

FAMILY = "Atkinson Hyperlegible"
#: (file name, weight, style); large print never uses italics, but PDF and EPUB may.
FACES = (
    ("AtkinsonHyperlegible-Regular.ttf", 400, "normal"),
    ("AtkinsonHyperlegible-Bold.ttf", 700, "normal"),
    ("AtkinsonHyperlegible-Italic.ttf", 400, "italic"),
    ("AtkinsonHyperlegible-BoldItalic.ttf", 700, "italic"),
)


def font_dir() -> Path:
    """Return the folder holding the TTF files."""
    try:
        import fontpkg_atkinson_hyperlegible as package
    except ImportError as err:
        raise MissingProgram(
            "The Atkinson Hyperlegible font",
            "pip install fontpkg-atkinson-hyperlegible",
        ) from err
    return Path(package.ROOT) / "files"


def font_files(italics: bool = True) -> list[Path]:
    """Return the font files an edition embeds."""
    return [
        font_dir() / name for name, _, style in FACES if italics or style == "normal"
    ]


def font_face_css(url_for: Callable[[Path], str], italics: bool = True) -> str:
    """Return @font-face rules; *url_for* says how the edition refers to a font file."""
    rules = []
    for name, weight, style in FACES:
        if style == "italic" and not italics:
            continue
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{url_for(font_dir() / name)}") '
            'format("truetype"); }'
        )
    return "\n".join(rules)
