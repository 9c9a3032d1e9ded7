"""Every label the pipeline itself writes, one table per language.

An article in a language without a table gets the English labels, and the loader warns
(SRC044) naming the language, so a French leaflet never silently says "References".
Region tables (en-GB) only hold what differs from their language's table.
"""

from __future__ import annotations

#: The English table is complete; it is the fallback for every missing label.
EN: dict[str, str] = {
    "references": "References",
    "contents": "Contents",
    "notes": "Notes",
    "summary": "Summary",
    "listen": "Listen to this article",
    "listen_scan": "Scan the code or go to:",
    "qr_alt": "QR code that opens the audio edition at {url}",
    "by": "By {authors}.",
    "updated": "Updated {date}.",
    "review_by": "Review by {date}.",
    "published_by": "Published by {publisher}.",
    "page_of": "Page {page} of {pages}",
    "spoken_by": "Written by {authors}.",
    "spoken_subtitle": "{subtitle}.",
    "spoken_summary": "Summary. {abstract}",
    "spoken_figure": "Figure: ",
    "spoken_image": "The image shows: {alt}",
    "spoken_table": "Table: ",
    "spoken_note": "Note {number}: ",
    "settings": "Display settings",
    "chapters": "Chapters",
    "play": "Play",
    "pause": "Pause",
    "previous": "Previous sentence",
    "next": "Next sentence",
    "back": "Back 10 seconds",
    "forward": "Forward 10 seconds",
    "speed": "Reading speed",
    "position": "Position in the audio",
    "download": "Download the audio",
    "player_note": "While the audio plays, the sentence being read is highlighted "
    "on the page.",
    "quote_open": "“",
    "quote_close": "”",
    "quote_open_inner": "‘",
    "quote_close_inner": "’",
}

#: British style opens with single quotation marks (New Hart's Rules 9.2.1).
EN_GB: dict[str, str] = {
    "quote_open": "‘",
    "quote_close": "’",
    "quote_open_inner": "“",
    "quote_close_inner": "”",
}

FR: dict[str, str] = {
    "references": "Références",
    "contents": "Sommaire",
    "notes": "Notes",
    "summary": "Résumé",
    "listen": "Écouter cet article",
    "listen_scan": "Scannez le code ou allez à :",
    "qr_alt": "Code QR qui ouvre l’édition audio à {url}",
    "by": "Par {authors}.",
    "updated": "Mis à jour le {date}.",
    "review_by": "À réviser avant le {date}.",
    "published_by": "Publié par {publisher}.",
    "page_of": "Page {page} sur {pages}",
    "spoken_by": "Écrit par {authors}.",
    "spoken_summary": "Résumé. {abstract}",
    "spoken_figure": "Figure : ",
    "spoken_image": "L’image montre : {alt}",
    "spoken_table": "Tableau : ",
    "spoken_note": "Note {number} : ",
    "settings": "Réglages d’affichage",
    "chapters": "Chapitres",
    "play": "Lecture",
    "pause": "Pause",
    "previous": "Phrase précédente",
    "next": "Phrase suivante",
    "back": "Reculer de 10 secondes",
    "forward": "Avancer de 10 secondes",
    "speed": "Vitesse de lecture",
    "position": "Position dans l’audio",
    "download": "Télécharger l’audio",
    "player_note": "Pendant la lecture, la phrase lue est surlignée dans la page.",
    "quote_open": "« ",
    "quote_close": " »",
    "quote_open_inner": "“",
    "quote_close_inner": "”",
}

#: Language (and language-region) tag, lower case → its table.
TABLES: dict[str, dict[str, str]] = {"en": EN, "en-gb": EN_GB, "fr": FR}
