"""Article front matter → the Dublin Core elements of the EPUB package document."""

from __future__ import annotations

from editions.model import Article


def package_dc(article: Article) -> list[tuple[str, str, dict[str, str]]]:
    """Return the front matter as Dublin Core elements for the package document.

    dc:date must be a W3C date (EPUB 3.3 §5.5.6), so a free-text date ("July 2024")
    gives only its year; an ISO date is kept whole.
    """
    elements: list[tuple[str, str, dict[str, str]]] = [
        ("title", article.title, {"id": "title"})
    ]
    if article.subtitle:
        elements.append(("title", article.subtitle, {"id": "subtitle"}))
    if article.description:
        elements.append(("description", article.description, {}))
    date = article.iso_date or article.year
    if date:
        elements.append(("date", date, {}))
    if article.publisher:
        elements.append(("publisher", article.publisher, {}))
    if article.rights:
        elements.append(("rights", article.rights, {}))
    elements += [("subject", keyword, {}) for keyword in article.keywords]
    return elements
