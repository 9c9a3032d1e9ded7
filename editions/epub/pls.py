"""Pronunciation lexicon → W3C PLS 1.0, the form EPUB reading systems understand."""

from __future__ import annotations

from html import escape

from editions.model import Article


def lexicon_pls(article: Article) -> str:
    """Return the article's lexicon as a PLS document (IPA, with aliases)."""
    lexemes = []
    for entry in article.lexicon:
        parts = [f"<grapheme>{escape(entry.grapheme)}</grapheme>"]
        if entry.ipa:
            parts.append(f"<phoneme>{escape(entry.ipa)}</phoneme>")
        if entry.alias:
            parts.append(f"<alias>{escape(entry.alias)}</alias>")
        lexemes.append("  <lexeme>" + "".join(parts) + "</lexeme>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<lexicon version="1.0" '
        'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
        'alphabet="ipa" xml:lang="'
        + escape(article.lang)
        + '">\n'
        + "\n".join(lexemes)
        + "\n</lexicon>\n"
    )
