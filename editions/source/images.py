"""pandoc's Image and Figure nodes → model Figures: alt text, captions, decoration.

An image is kept only if it is a local file inside the source folder with alt text,
or an explicit `alt=""` (HTML's and pandoc's mark of a decorative image); everything
else becomes a located Finding.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from editions.errors import Finding, Location
from editions.model import Block, Figure, plain_text

if TYPE_CHECKING:
    from editions.source.pandoc_ast import Converter, Node

IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def figure_block(conv: Converter, content: list[Any]) -> list[Block]:
    """Convert a pandoc Figure (an image with a caption)."""
    attr, caption, body = content
    images = [
        i
        for b in body
        for i in b.get("c", [])
        if isinstance(i, dict) and i.get("t") == "Image"
    ]
    if not images:
        return list(conv.blocks(body))
    if len(images) > 1 or len(body) > 1:
        conv.findings.append(
            Finding(
                "SRC026",
                "a figure holds more than one image or other blocks besides its "
                "image; give each image its own paragraph and caption",
                conv.source.find(f"]({images[-1]['c'][2][0]}"),
            )
        )
    caption_inlines = [i for b in caption[1] for i in b.get("c", [])]
    found = figure(conv, attr[0], images[0], caption_inlines)
    return [found] if found else []


def figure(
    conv: Converter, figure_id: str, image: Node, caption: list[Node]
) -> Figure | None:
    """Keep an image only if it is a local file in the source folder, with alt."""
    attr, alt_nodes, (url, _title) = image["c"]
    where = conv.source.find(f"]({url}", after=conv.image_line)
    conv.image_line = where.line or conv.image_line
    pairs = dict(attr[2])
    # An explicit alt="" is HTML's (and pandoc's) mark of a decorative image.
    decorative = pairs.get("alt") == ""
    alt = pairs.get("alt", plain_text(conv.inlines(alt_nodes))).strip()
    src = _local_image(conv, url, where)
    # pandoc drops alt="" from a captioned figure; the source line still has it.
    line = conv.source.lines[where.line - 1] if where.line else ""
    if (decorative and (caption or alt_nodes)) or (caption and 'alt=""' in line):
        conv.findings.append(
            Finding(
                "SRC028",
                f'image "{url}" is marked decorative (alt="") but has a caption; '
                "describe it with alt text, or drop the caption",
                where,
            )
        )
        return None
    if not alt and not decorative:
        conv.findings.append(
            Finding(
                "SRC001",
                f'image "{url}" has no alt text; describe what it shows '
                'with ![caption](file){alt="…"}, or write {alt=""} if it only '
                "decorates",
                where,
            )
        )
    if src is None or not (alt or decorative):
        return None
    number = next(conv.figure_ids)
    caption_sentences = conv.sentences(caption) if caption else ()
    return Figure(
        figure_id or attr[0] or f"figure-{number}",
        src,
        alt,
        caption_sentences,
        where,
        decorative,
    )


def _local_image(conv: Converter, url: str, where: Location) -> Path | None:
    base = conv.source.path.parent.resolve()
    if _URL_SCHEME.match(url) or url.startswith("/"):
        conv.findings.append(
            Finding(
                "SRC003",
                f'image "{url}" is not a file in the source folder; the build '
                "never fetches or reads images from elsewhere: copy it next to "
                "the article",
                where,
            )
        )
        return None
    path = (base / url).resolve()
    if not path.is_relative_to(base):
        conv.findings.append(
            Finding(
                "SRC003",
                f'image "{url}" lies outside the source folder {base}; copy it '
                "into that folder",
                where,
            )
        )
        return None
    if not path.is_file():
        conv.findings.append(
            Finding(
                "SRC002",
                f'image "{url}" does not exist; check the file name',
                where,
            )
        )
        return None
    if path.suffix.lower() not in IMAGE_TYPES:
        conv.findings.append(
            Finding(
                "SRC011", f'image "{url}" is not PNG, JPEG, GIF, SVG or WebP', where
            )
        )
        return None
    return path
