"""Accessible editions (PDF, EPUB, large-print HTML, audio) from one Markdown article."""

__version__ = "0.1.0"
