"""Accessible PDF, EPUB, large-print HTML and audio from one Markdown article."""

__version__ = "0.1.0"
