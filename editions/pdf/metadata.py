"""Article front matter → the PDF's XMP packet (what WeasyPrint does not write).

WeasyPrint writes dc:title, one dc:creator per `<meta name="author">`, dc:description
(also the Info /Subject) and pdf:Keywords from the HTML head. The publisher, the
licence line, the full ISO date and the language are added here with pikepdf, which
keeps WeasyPrint's pdfuaid:part.
"""

from __future__ import annotations

import pikepdf

from editions.model import Article


def apply(pdf: pikepdf.Pdf, article: Article) -> None:
    """Add dc:publisher, dc:rights, dc:date and dc:language to the open *pdf*."""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:language"] = [article.lang]
        if article.publisher:
            meta["dc:publisher"] = [article.publisher]
        if article.rights:
            meta["dc:rights"] = article.rights
        if article.iso_date:
            meta["dc:date"] = [article.iso_date]
