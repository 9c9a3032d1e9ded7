"""Front-matter keys, their warnings and errors, and the labels of each language."""

from __future__ import annotations

import datetime
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from editions import build as pipeline, html_body, keep_together, locale
from editions.audio.script import build_script
from editions.checks.compare.shown import Shown
from editions.checks.front_matter import check_title_block, check_unit_breaks
from editions.errors import BuildFailed
from editions.source import article as source, metadata
from editions.source.sourcemap import SourceMap

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
GB = CORPUS / "meta-en-gb" / "article.md"
US = CORPUS / "meta-en-us" / "article.md"


def _copy(tmp_path: Path, fixture: Path, edit: dict[str, str]) -> Path:
    """Copy a fixture folder and replace front-matter lines (key → new line)."""
    folder = tmp_path / fixture.parent.name
    shutil.copytree(fixture.parent, folder)
    path = folder / "article.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, new in edit.items():
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        lines[index] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


def test_every_key_is_read() -> None:
    article, warnings = source.load(GB)
    assert not warnings
    assert article.subtitle == "What the numbers mean and when to ask for help"
    assert [(a.name, a.affiliation) for a in article.authors] == [
        ("Priya Natarajan", "Renal Unit, Northgate Hospital"),
        ("Tom Ellery", "Northgate Patient Panel"),
    ]
    assert article.author == "Priya Natarajan and Tom Ellery"
    assert (article.iso_date, article.year) == ("2026-03-04", "2026")
    assert article.abstract.startswith("Your kidney blood tests measure")
    assert article.description == article.abstract  # no description: the abstract
    assert article.publisher == "Northgate Hospital NHS Trust"
    assert article.rights.startswith("© 2026 Northgate Hospital NHS Trust")
    assert article.review_date == "2099-03-04"
    assert article.keywords == ("kidney disease", "eGFR", "creatinine", "blood tests")


def test_a_description_wins_over_the_abstract_and_keywords_may_be_a_string() -> None:
    article, _ = source.load(US)
    assert article.description.startswith("How adults with asthma use")
    assert article.abstract.startswith("A preventer inhaler taken every day")
    assert article.keywords == ("asthma", "inhaler", "spacer")
    assert (
        article.authors[0].name == "Maria Gonzalez"
        and not article.authors[0].affiliation
    )


def test_unknown_key_is_a_warning_naming_it_and_its_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, US, {"publisher": "reveiw-date: 2099-01-01"})
    _, warnings = source.load(path)
    line = _line_of(path, "reveiw-date:")
    assert [str(w).split(": ", 1)[0] for w in warnings] == [
        f"{path.resolve()}:{line} [reveiw-date]"
    ]
    assert "warning SRC040: unknown front-matter key 'reveiw-date'" in str(warnings[0])
    with pytest.raises(BuildFailed) as failure:
        pipeline.load(path, pipeline.BuildOptions(strict=True, only=("epub",)))
    assert failure.value.exit_code == 3
    assert not any(p for p in path.parent.iterdir() if p.suffix in (".pdf", ".epub"))


def test_a_past_review_date_warns_and_is_fatal_with_strict(tmp_path: Path) -> None:
    path = _copy(tmp_path, US, {"review-date": "review-date: 2001-02-03"})
    _, warnings = source.load(path)
    assert [w.code for w in warnings] == ["SRC041"]
    line = _line_of(path, "review-date:")
    assert f":{line} [review-date]: warning SRC041:" in str(warnings[0])
    with pytest.raises(BuildFailed) as failure:
        pipeline.load(path, pipeline.BuildOptions(strict=True, only=("epub",)))
    assert "SRC041" in failure.value.report()


def test_review_date_is_compared_with_today() -> None:
    meta = {"title": "T", "author": "A", "date": "2026", "lang": "en-GB"}
    where = SourceMap.of(Path("a.md"), "---\nreview-date: 2030-01-01\n---\n")
    before = datetime.date(2029, 12, 31)
    after = datetime.date(2030, 1, 2)
    meta["review-date"] = "2030-01-01"
    assert not metadata.read(meta, where, before)[1]
    assert [f.code for f in metadata.read(meta, where, after)[1]] == ["SRC041"]


@pytest.mark.parametrize(
    ("key", "line", "code"),
    [
        ("review-date", "review-date: next spring", "SRC042"),
        ("author", "author: [{affiliation: Clinic}]", "SRC043"),
        ("keywords", "keywords: {a: b}", "SRC045"),
    ],
)
def test_bad_values_are_located_errors(
    tmp_path: Path, key: str, line: str, code: str
) -> None:
    path = _copy(tmp_path, US, {key: line})
    with pytest.raises(BuildFailed) as failure:
        source.load(path)
    line = _line_of(path, key + ":")
    assert f"article.md:{line} [{key}]: error {code}:" in failure.value.report()


def test_a_language_without_labels_falls_back_to_english_with_a_warning(
    tmp_path: Path,
) -> None:
    path = _copy(tmp_path, US, {"lang": "lang: de-DE"})
    article, warnings = source.load(path)
    assert [w.code for w in warnings] == ["SRC044"]
    assert "'de'" in warnings[0].message
    assert locale.label(article.lang, "review_by", date="x") == "Review by x."
    assert locale.show_date("2026-07-04", "de-DE") == "4. Juli 2026"


def test_dates_quotes_and_labels_follow_lang() -> None:
    assert locale.show_date("2026-03-04", "en-GB") == "4 March 2026"
    assert locale.show_date("2026-03-04", "en-US") == "March 4, 2026"
    assert locale.show_date("July 2024", "en-GB") == "July 2024"  # free text kept
    assert locale.quote_marks("en-GB") == ("‘", "’")
    assert locale.quote_marks("en-US") == ("“", "”")
    assert locale.join_names(["A", "B", "C"], "fr") == "A, B et C"
    assert locale.label("fr-CA", "contents") == "Sommaire"
    assert locale.css_page_counter("fr") == (
        '"Page " counter(page) " sur " counter(pages)'
    )


def test_citeproc_and_quotes_follow_lang() -> None:
    gb, _ = source.load(GB)
    us, _ = source.load(US)
    assert "Retrieved 15 January 2025, from" in gb.references[0].text
    assert "Retrieved January 15, 2025, from" in us.references[0].text
    assert "‘the kidney number’" in " ".join(s.text for s in gb.sentences())
    assert "“the daily dose”" in " ".join(s.text for s in us.sentences())


def test_the_title_block_is_in_the_article_language() -> None:
    article, _ = source.load(GB)
    options = html_body.HtmlOptions(image_src=lambda f: f.src.name)
    english = html_body.body(article, options)
    assert "Updated 4 March 2026. Review by 4 March 2099." in english
    french = html_body.body(replace(article, lang="fr"), options)
    assert "Mis à jour le 4 mars 2026. À réviser avant le 4 mars 2099." in french
    assert "Par Priya Natarajan (Renal Unit, Northgate Hospital) et Tom Ellery" in (
        french
    )
    shown = Shown(text=english)
    assert not check_title_block(shown, article, GB)
    missing = check_title_block(Shown(text="Your Kidney Blood Tests"), article, GB)
    assert {f.code for f in missing} == {"CHK042"} and len(missing) >= 6


def test_the_audio_says_subtitle_authors_and_summary() -> None:
    article, _ = source.load(GB)
    first = build_script(article)[0].utterances
    assert [u.sentence_id for u in first[:4]] == [
        "s1",
        "subtitle",
        "byline",
        "abstract",
    ]
    assert first[2].spoken == "Written by Priya Natarajan and Tom Ellery."
    assert first[3].spoken.startswith("Summary. Your kidney blood tests")


def test_doses_and_units_are_kept_on_one_line() -> None:
    html = keep_together.unbreakable("normal is 60 to 110 µmol/L, in mL/min/1.73 m²")
    assert '<span class="nobreak">60\u00a0to\u00a0110\u00a0µmol/L</span>' in html
    assert '<span class="nobreak">mL/min/1.73\u00a0m²</span>' in html
    article, _ = source.load(GB)
    broken = Shown(text="creatinine is between 60 and 110 µmol/\nL, and your team")
    findings = check_unit_breaks(broken, article, GB)
    assert [f.code for f in findings] == ["CHK044"]
    assert "'60 to 110 µmol/L'" not in findings[0].message  # "60 and 110" is no range
    assert "'110 µmol/L'" in findings[0].message
    whole = Shown(text="creatinine is between 60 and\n110 µmol/L, and your team")
    assert not check_unit_breaks(whole, article, GB)


def test_the_large_print_page_speaks_the_article_language() -> None:
    from editions.large_print.render import LargePrintInputs, page

    article, _ = source.load(GB)
    inputs = LargePrintInputs(audio_name="article.mp3")
    english = page(article, inputs)
    for label in ("Reading settings", "Skip to the article text", "Extra large"):
        assert label in english
    french = page(replace(article, lang="fr"), inputs)
    for label in ("Réglages de lecture", "Aller au texte", "Très grande", "Sommaire"):
        assert label in french
    assert "Reading settings" not in french and "Contents" not in french


def test_link_descriptions_and_spoken_markers_follow_lang() -> None:
    """PDF link /Contents and the audio's "Term:"/"Done:" come from the table too."""
    from editions.pdf import link_targets
    from editions.pdf.render import _describer

    leaflet, _ = source.load(CORPUS / "leaflet-gb" / "article.md")
    steps, _ = source.load(CORPUS / "constructs-us" / "article.md")
    for article, english, french in (
        (leaflet, "Term: Anaemia", "Terme : Anaemia"),
        (steps, "Done: A meter and test strips", "Fait : A meter and test strips"),
        (steps, "To do: A lancet device", "À faire : A lancet device"),
    ):
        for lang, expected, absent in (("en-GB", english, french), ("fr", french, "")):
            script = build_script(replace(article, lang=lang))
            # Speech drops the space French writes before a colon.
            spoken = [
                u.spoken.replace(" :", ":")
                for chapter in script
                for u in chapter.utterances
            ]
            expected, absent = expected.replace(" :", ":"), absent.replace(" :", ":")
            assert any(s.startswith(expected) for s in spoken), (lang, expected)
            assert not absent or not any(absent in s for s in spoken)
    french = replace(steps, lang="fr")
    places = link_targets.describe_targets(french)
    assert places and all(
        text.split(" : ")[0] in {"Section", "Figure", "Tableau", "Passage"}
        for text in places.values()
    ), places
    english = link_targets.describe_targets(steps)
    assert {text.split(": ")[0] for text in english.values()} <= {
        "Section",
        "Figure",
        "Table",
        "Passage",
    }
    describe = _describer(french)
    assert describe("#fn1") == "Note 1"
    assert describe("https://example.org/") == "Page web : https://example.org/"
    assert describe("mailto:a@example.org?subject=x") == "Courriel à a@example.org"
    assert _describer(steps)("#fn1") == "Footnote 1"


def test_the_epub_accessibility_summary_follows_lang() -> None:
    from editions.epub.accessibility import accessibility_metadata
    from editions.epub.overlays import Overlay
    from editions.epub.render import EpubInputs
    from editions.facts import PageStarts

    article, _ = source.load(CORPUS / "constructs-us" / "article.md")
    assert article.figures  # so the images sentence is said
    inputs = EpubInputs(pages=PageStarts("article.pdf", ("s1",)))
    partial = Overlay("", (), ("s2", "s3"))

    def meta(lang: str, overlay: Overlay | None) -> dict[str, str]:
        chosen = replace(article, lang=lang)
        return dict(accessibility_metadata(chosen, inputs, overlay))

    french, english = meta("fr", partial), meta("en-US", Overlay("", (), ()))
    fr, en = locale.labels("fr"), locale.labels("en")
    assert french["schema:accessibilitySummary"].startswith(fr["a11y.summary"])
    assert fr["a11y.images"] in french["schema:accessibilitySummary"]
    assert "(article.pdf)" in french["schema:accessibilitySummary"]
    said = french["schema:accessibilitySummary"]
    assert said.endswith("; 2 passage(s) ne sont pas lus.")
    assert french["pageBreakSource"].endswith(", édition PDF (article.pdf)")
    assert english["schema:accessibilitySummary"].startswith("This EPUB 3 publication")
    assert english["schema:accessibilitySummary"].endswith(en["a11y.narration_images"])
    assert english["pageBreakSource"].endswith(", PDF edition (article.pdf)")


def test_backlink_names_follow_lang() -> None:
    article, _ = source.load(CORPUS / "constructs-us" / "article.md")
    options = html_body.HtmlOptions(image_src=lambda f: f.src.name, backlinks=True)
    english = html_body.body(article, options)
    french = html_body.body(replace(article, lang="fr"), options)
    assert 'aria-label="Back to note call 1"' in english
    assert 'aria-label="Back to citation 1 of 1"' in english
    assert 'aria-label="Retour à l’appel de note 1"' in french
    assert 'aria-label="Retour à la citation 1 sur 1"' in french
    assert "Back to" not in french


def test_every_language_table_has_every_label() -> None:
    """A new English label needs its translation: only English's own code name may
    be missing (Unified English Braille names an English-only braille code)."""
    from editions.locale.labels import EN, TABLES

    for tag, table in TABLES.items():
        if "-" in tag:  # a region table holds only what differs
            assert set(table) <= set(EN), tag
            continue
        assert set(EN) - set(table) <= {"braille.ueb"}, tag
        assert set(table) <= set(EN), tag
