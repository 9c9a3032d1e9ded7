"""Every check's name, as `invoke check`, the report and `CheckOptions.only` use it."""

from __future__ import annotations

# Validators, one per tool.
PDF_UA = "PDF/UA-1 checks"
EPUBCHECK = "EPUBCheck"
ACE = "Ace by DAISY"
VNU = "Nu HTML Checker"
AXE = "axe-core, every view"
AUDIO_MEASURES = "audio measures"
AUDIO_PARTS = "MP3 parts (at most 120 minutes each)"
ASR = "ASR back-check"
NATURALNESS = "predicted naturalness (DNSMOS)"
SPEECH_SCRIPT = "speech script"  # issue 20: the speech script's review
THUMBNAILS = "page thumbnails"
LINE_BREAKS = "line breaks"

# The source itself.
SOURCE = "source and references"
REFERENCE_REVIEW = "reference form and provenance"
CITATION_FIDELITY = "citation fidelity"
READING_LEVEL = "reading level (reported, not gated)"  # reported, never failed (§7.3)

# Comparisons of an edition read back with the source (rows of the report's matrix).
HEADINGS = "headings"
NAVIGATION = "navigation"
REFERENCE_ENTRIES = "reference entries"
ALT_TEXT = "alt text"
CITATION_LINKS = "citation links"
CITATION_TEXT = "citation text"
TIMED_SENTENCES = "timed sentences"
SOURCE_WORDS = "source words"
TEXT_FIDELITY = "text fidelity"  # every source unit, its words in order (CHK030/031)
PAGE_LIST = "page list"
#: EPUB: every href lands on an id of the document it names (CHK099).
LINK_TARGETS = "links land in the named file"
COMPARISONS = (
    HEADINGS,
    NAVIGATION,
    REFERENCE_ENTRIES,
    ALT_TEXT,
    CITATION_LINKS,
    CITATION_TEXT,
    TIMED_SENTENCES,
    SOURCE_WORDS,
    TEXT_FIDELITY,
    PAGE_LIST,
    LINK_TARGETS,
)

# The braille edition, read back (with HEADINGS and ALT_TEXT above).
BRAILLE_PAGE_SIZE = "braille page size"
BRAILLE_PAGE_NUMBERS = "braille page numbers"
BRAILLE_CONTENTS = "contents"
PRINT_PAGES = "print pages"
BACK_TRANSLATION = "back-translation"
BRAILLE_PREVIEW = "braille preview"

#: Reading an edition back: reported only when it fails.
READ = "read the edition back"

# Front matter, labels and large print (checks/leaflet.py).
FRONT_MATTER = "front-matter metadata"
FRONT_MATTER_M4B = "front-matter metadata (M4B)"
TITLE_BLOCK = "title block and labels"
ONE_TABLE = "one Table per table"
ONE_GLOSSARY = "one L per glossary"
UNIT_BREAKS = "no unit broken across lines"
FIGURE_TEXT = "figure text size"
LEAFLET = (FRONT_MATTER, FRONT_MATTER_M4B, TITLE_BLOCK, ONE_TABLE, UNIT_BREAKS)
LEAFLET += (FIGURE_TEXT, ONE_GLOSSARY)
