"""The author's citations kept: years and values only the author gave, corrections.

Source-level tests load the article (pandoc, no editions); the `invoke check` test
runs the fidelity and line-break checks on the PDF-only build.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURE, MAIN, Built

from editions.audio.script import reference_speech
from editions.checks import run as check
from editions.checks.compare import editorial, fidelity
from editions.errors import BuildFailed
from editions.model import Article
from editions.source import article as source

#: What the author wrote in the seed for the three works whose year the reference
#: data could not verify.
AUTHOR_YEARS = {"patten-2018": "2018", "ploesser-2010": "2010"}
AUTHOR_YEARS["trofimovitch-baumrucker-2019"] = "2019"


@pytest.fixture(scope="module")
def main() -> Article:
    article, _ = source.load(MAIN)
    return article


def _bibliography(article: Article) -> dict[str, dict[str, Any]]:
    return {r.key: dict(r.data) for r in article.references}


def _entry(article: Article, key: str) -> str:
    return next(r.text for r in article.references if r.key == key)


def _copy(folder: Path, tmp_path: Path) -> Path:
    """Copy an article's folder so a test can change one file of it."""
    target = tmp_path / "src"
    shutil.copytree(folder, target)
    return target


def _edit_json(path: Path, key: str, change: Any) -> None:
    items = json.loads(path.read_text(encoding="utf-8"))
    for item in items:
        if item["id"] == key:
            change(item)
    path.write_text(json.dumps(items), encoding="utf-8")


# ------------------------------------------------------------------ printed values


def test_years_the_author_gave_are_printed(main: Article) -> None:
    printed = [
        (c.keys[0], fidelity.printed(c))
        for c in main.citations()
        if c.keys[0] in AUTHOR_YEARS
    ]
    assert len(printed) == 6
    for key, text in printed:
        assert f", {AUTHOR_YEARS[key]})" in text and "n.d." not in text, text
        assert f"({AUTHOR_YEARS[key]})" in _entry(main, key)


def test_reference_list_values_the_author_gave_are_printed(main: Article) -> None:
    assert "Pain, 159(12), 2421–2436." in _entry(main, "borsook-2018")
    assert "Pharmacology, 8(3), 470–476." in _entry(main, "chopra-cooper-2013")
    assert _entry(main, "srivastava-gold-2018").startswith("Srivastava, A., & Gold,")


def test_incomplete_entries_degrade_to_well_formed_apa(main: Article) -> None:
    for reference in main.references:
        text = reference.text
        assert not re.search(r", \(\d", text), text  # "Pain, (12)": issue, no volume
        assert not re.match(r"[\w-]+, & ", text), text  # "Srivastava, & Gold"
    assert _entry(main, "trofimovitch-baumrucker-2019").startswith(
        "Trofimovitch & Baumrucker. (2019)."
    )
    assert _entry(main, "patten-2018").startswith("Patten, Schultz, & Berlau. (2018).")
    assert "Anesthesiology, 343–366." in _entry(main, "ji-2018")


def test_missing_initials_and_volume_degrade_in_any_article(tmp_path: Path) -> None:
    folder = _copy(FIXTURE.parent, tmp_path)

    def surnames_only(item: dict[str, Any]) -> None:
        item["author"] = [{"family": "Roe"}, {"family": "Lee"}]
        item["issue"] = "4"
        item.pop("volume", None)

    _edit_json(folder / "references.json", "roe-lee-2019", surnames_only)
    article, _ = source.load(folder / FIXTURE.name)
    entry = _entry(article, "roe-lee-2019")
    assert entry.startswith("Roe & Lee. (2019)."), entry
    assert "(4)" not in entry and "Research, 101–110." in entry


def test_editorial_review_flags_values_as_cited(main: Article) -> None:
    statuses, _, findings = editorial.review(main, MAIN.parent / "references.json", [])
    as_cited = {s.key: s.as_cited for s in statuses if s.as_cited}
    assert "year 2018" in as_cited["patten-2018"]
    assert "author Schultz" in as_cited["patten-2018"]
    assert as_cited["borsook-2018"] == ("volume 159",)
    assert as_cited["chopra-cooper-2013"] == ("volume 8", "issue 3", "pages 470-476")
    assert "Srivastava's given name A." in as_cited["srivastava-gold-2018"]
    flagged = {f.where.key for f in findings if f.code == "REF012"}
    assert flagged == set(as_cited)
    assert all(f.severity == "warning" for f in findings if f.code == "REF012")


# ------------------------------------------------------------------ fidelity


@pytest.mark.parametrize(
    ("citation", "works"),
    [
        ("(Patten, Schultz, & Berlau, 2018)", [("patten", "2018")]),
        ("(Patten et al., 2018)", [("patten", "2018")]),
        ("(Ji et. al., 2018)", [("ji", "2018")]),
        ("(What is naltrexone, n.d.)", [("what is naltrexone", "n.d.")]),
        ("(What Is Naltrexone?, n.d.)", [("what is naltrexone", "n.d.")]),
        ("(Roe & Lee, 2019; Doe, 2020)", [("roe", "2019"), ("doe", "2020")]),
        ("Smith (2019)", [("smith", "2019")]),
    ],
)
def test_first_author_and_year_of_a_citation(
    citation: str, works: list[tuple[str, str]]
) -> None:
    assert fidelity.works(citation) == works


def test_main_article_keeps_every_citation_but_recorded_corrections(
    main: Article,
) -> None:
    rows, findings = fidelity.compare(main, _bibliography(main))
    assert findings == []
    assert len(rows) == len(list(main.citations())) == 33
    changed = {(r.keys[0], r.written, r.printed) for r in rows if r.status != "kept"}
    assert changed == {
        ("bihari-2013-interview", "(Schopick, 2013)", "(Bihari, 2013)"),
        (
            "cdc-2020-understanding-epidemic",
            "(Understanding the epidemic, 2020)",
            "(Centers for Disease Control and Prevention, 2020)",
        ),
    }
    assert all(r.reason for r in rows if r.status == "corrected")


def _loaded(folder: Path) -> tuple[Article, list[Any]]:
    article, _ = source.load(folder / MAIN.name)
    return article, fidelity.compare(article, _bibliography(article))[1]


def test_a_changed_year_fails(tmp_path: Path) -> None:
    folder = _copy(MAIN.parent, tmp_path)
    _edit_json(folder / "references.json", "patten-2018", lambda i: i.pop("as-cited"))
    _, findings = _loaded(folder)
    assert [(f.code, f.where.line) for f in findings] == [
        ("CHK050", 22),
        ("CHK050", 23),
    ]
    assert str(findings[0]).startswith(f"{folder / 'as-written.yaml'}:22: error")


def test_another_author_without_a_recorded_correction_fails(tmp_path: Path) -> None:
    folder = _copy(MAIN.parent, tmp_path)
    _edit_json(
        folder / "references.json",
        "bihari-2013-interview",
        lambda i: i.pop("correction"),
    )
    _, findings = _loaded(folder)
    assert [f.code for f in findings] == ["CHK051"]
    assert "(Schopick, 2013)" in findings[0].message


def test_a_citation_the_author_wrote_may_not_disappear(tmp_path: Path) -> None:
    folder = _copy(MAIN.parent, tmp_path)
    text = (folder / MAIN.name).read_text(encoding="utf-8")
    text = text.replace(" [@ploesser-2010]", "")
    (folder / MAIN.name).write_text(text, encoding="utf-8")
    _, findings = _loaded(folder)
    assert [f.code for f in findings] == ["CHK052"]


def test_each_edition_must_print_the_citations_in_order(main: Article) -> None:
    text = " ".join(fidelity.printed(c) for c in main.citations())
    assert fidelity.in_edition(main, text, MAIN) == []
    wrong = text.replace("(Patten et al., 2018)", "(Patten et al., n.d.)", 1)
    assert [f.code for f in fidelity.in_edition(main, wrong, MAIN)] == ["CHK053"]


# ------------------------------------------------------------------ bad input


def _bad(tmp_path: Path, change: Any) -> str:
    folder = _copy(FIXTURE.parent, tmp_path)
    change(folder)
    with pytest.raises(BuildFailed) as failure:
        source.load(folder / FIXTURE.name)
    return failure.value.report()


def test_malformed_as_cited_and_correction_are_located(tmp_path: Path) -> None:
    def change(folder: Path) -> None:
        _edit_json(folder / "references.json", "doe-2020", _bad_fields)

    report = _bad(tmp_path, change)
    assert "references.json [doe-2020]: error REF010:" in report
    assert "references.json [doe-2020]: error REF011:" in report


def _bad_fields(item: dict[str, Any]) -> None:
    item["as-cited"] = {"author": "Doe"}
    item["correction"] = {"cited-as": "Doe, 2020"}


def _with_as_written(folder: Path, body: str) -> None:
    (folder / "as-written.yaml").write_text(body, encoding="utf-8")
    article = folder / FIXTURE.name
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text.replace(
            "lexicon: lexicon.yaml",
            "lexicon: lexicon.yaml\nas-written: as-written.yaml",
        ),
        encoding="utf-8",
    )


def test_as_written_file_errors_name_the_line(tmp_path: Path) -> None:
    report = _bad(
        tmp_path,
        lambda f: _with_as_written(f, "- doe-2020: (Doe, 2020)\n- nobody: (X, 1)\n"),
    )
    assert "as-written.yaml:2: error REF014:" in report
    report = _bad(tmp_path / "2", lambda f: _with_as_written(f, "- [unclosed\n"))
    assert "as-written.yaml:2: error REF013:" in report


# ------------------------------------------------------------------ invoke check


def test_check_reports_citation_fidelity_and_corrections(
    pdf_builds: dict[str, Built],
) -> None:
    built = pdf_builds["main"]
    provenance = "reference form and provenance"
    names = ("citation fidelity", "citation text", "line breaks", provenance)
    said: list[str] = []
    options = check.CheckOptions(only=names, progress=said.append)
    report = check.run(MAIN, built.out, options)
    assert (
        "citation fidelity: 33 citation(s) compared with the author's, "
        "3 corrected, 30 kept"
    ) in said
    assert any(
        "@bihari-2013-interview: the author wrote (Schopick, 2013)" in line
        for line in said
    )
    ran = {(r.check, r.edition): r.status for r in report.runs if r.check in names}
    assert ran == {
        (provenance, "source"): "warning",  # REF012 among them
        ("citation fidelity", "source"): "pass",
        ("citation text", "pdf"): "pass",
        ("citation text", "pdf-large-print"): "pass",
        ("line breaks", "pdf"): "pass",
        ("line breaks", "pdf-large-print"): "pass",
        ("citation text", "epub"): "not run",  # only the PDFs were built
        ("citation text", "html"): "not run",
    }
    corrections = {c.key: c for c in report.editorial.corrections}
    assert set(corrections) == {
        "bihari-2013-interview",
        "cdc-2020-understanding-epidemic",
    }
    assert corrections["bihari-2013-interview"].cited_as == "Schopick, 2013"
    assert all(c.reason for c in corrections.values())
    page = (built.out / "report.html").read_text(encoding="utf-8")
    assert "Citation fidelity" in page and "Editorial correction" in page
    assert "As cited by the author, not verified" in page
    data = json.loads((built.out / "report.json").read_text(encoding="utf-8"))
    assert len(data["editorial"]["citations"]) == 33


def test_audio_speaks_the_years_the_author_gave(main: Article) -> None:
    spoken = {r.key: reference_speech(r) for r in main.references}
    assert spoken["patten-2018"].startswith("Patten and colleagues, 2018.")
    assert spoken["ploesser-2010"].startswith("Ploesser and colleagues, 2010.")
    assert spoken["trofimovitch-baumrucker-2019"].startswith(
        "Trofimovitch and Baumrucker, 2019."
    )
    assert spoken["cdc-2020-understanding-epidemic"].startswith(
        "Centers for Disease Control and Prevention, 2020."
    )
