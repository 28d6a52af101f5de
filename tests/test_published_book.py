"""The real 2022 book, built from the project's notebooks and data, checked by parsing it.

``tests/test_book.py`` checks the builder on a small throwaway book; this module checks
what users actually read: every chapter, every table and graphic of the report at its
stable anchor, every link, nothing loaded from outside, no error rendered.
"""

import csv
import json
import re
from pathlib import Path

import openpyxl
from design import ANNEX_TABLES, CHAPTERS, DIRECTORIES, NUMBERED_TABLES
from test_book import (
    Page,
    assert_every_page_reachable,
    assert_links_resolve,
    assert_no_error_output,
    assert_offline,
)

ROOT = Path(__file__).resolve().parent.parent
#: The report's annex tables and directories.
ANNEX = ANNEX_TABLES + DIRECTORIES


def chapter_ids(book_dir: Path) -> dict[str, str]:
    """{anchor id: chapter page} over the chapter pages."""
    out = {}
    for name in CHAPTERS:
        for i in Page((book_dir / f"{name}.html").read_text(encoding="utf-8")).ids:
            out.setdefault(i, name)
    return out


def test_every_chapter_was_executed(published):
    book_dir, report = published
    assert [r.name for r in report.runs] == CHAPTERS
    assert {r.status for r in report.runs} == {"executed"}
    for name in CHAPTERS:
        assert (book_dir / f"{name}.html").exists()


def test_every_table_and_graphic_has_its_anchor(published):
    book_dir, _ = published
    ids = chapter_ids(book_dir)
    tables = NUMBERED_TABLES + ANNEX
    assert [t for t in tables if t not in ids] == []
    assert [n for n in range(1, 12) if f"graphic-{n}" not in ids] == []
    # the report's sections: Tables 1-33 occupational risk, 34-45 health care …
    assert ids["t01"] == ids["t33"] == "01_occupational_risk"
    assert ids["t34"] == ids["t45"] == "02_health_care"
    assert ids["a6_6_1"] == "06_provinces"


def test_every_table_number_and_graphic_number_is_printed(published):
    book_dir, _ = published
    text = " ".join((book_dir / f"{n}.html").read_text(encoding="utf-8") for n in CHAPTERS)
    tables = {int(m) for m in re.findall(r"Table (\d+)", text)}
    graphics = {int(m) for m in re.findall(r"Graphic (\d+)", text)}
    assert set(range(1, 72)) <= tables
    assert set(range(1, 12)) <= graphics


def test_every_graphic_image_has_a_text_alternative(published):
    book_dir, _ = published
    alts = []
    for name in CHAPTERS:
        page = Page((book_dir / f"{name}.html").read_text(encoding="utf-8"))
        alts += [a.get("alt", "") for tag, a in page.tags if tag == "img"]
    drawn = sorted(int(m) for a in alts for m in re.findall(r"^Graphic (\d+): ", a))
    assert drawn == list(range(1, 10))  # Graphics 10 and 11: the report prints no data
    # every other image (the funnel plot) is described by its title, never by a stock text
    assert all(a and "No description" not in a for a in alts)


def test_links_resolve_and_every_page_is_reachable(published):
    book_dir, _ = published
    assert_every_page_reachable(book_dir)
    # at least a sidebar link, a CSV and a raw download for each of the 87 tables
    assert assert_links_resolve(book_dir) > 3 * 87


def test_nothing_is_loaded_from_outside_and_no_error_is_shown(published):
    book_dir, _ = published
    assert_offline(book_dir)
    assert_no_error_output(book_dir)


def test_index_states_the_section_2_headlines(published):
    book_dir, _ = published
    text = (book_dir / "index.html").read_text(encoding="utf-8")
    # section 2 of the report (line 140): 21,430 institutions, 3,120,208 members
    # (1,798,510 females), 740,480.76 million Riels, 9,083 victims (4,539 females)
    for figure in ("21,430", "3,120,208", "1,798,510", "740,480.76", "9,083", "4,539"):
        assert figure in text


def test_downloads_hold_every_tidy_table(published):
    book_dir, _ = published
    tidy = sorted(p.stem for p in (ROOT / "data" / "tidy").glob("*.csv"))
    assert len(tidy) == 71 + len(ANNEX)
    for tid in tidy:
        assert (book_dir / "data" / "tidy" / f"{tid}.csv").exists(), tid
    wb = openpyxl.load_workbook(book_dir / "data" / "nssf_tidy_tables.xlsx", read_only=True)
    assert wb.sheetnames[0] == "catalog"
    assert sorted(wb.sheetnames[1:]) == tidy
    # no number stored as text, and every figure of a tidy table has a number format
    numberlike = re.compile(r"^[-+]?[\d,]*\.?\d+%?$")
    as_text, unformatted = [], []
    for ws in wb.worksheets:
        head = [c.value for c in next(ws.iter_rows(max_row=1))]
        for row in ws.iter_rows(min_row=2):
            for name, c in zip(head, row, strict=False):
                if isinstance(c.value, str) and numberlike.match(c.value):
                    as_text.append(f"{ws.title}!{c.coordinate}={c.value!r}")
                if name == "value" and c.number_format == "General":
                    unformatted.append(f"{ws.title}!{c.coordinate}")
    assert as_text == [] and unformatted == []


def test_the_exact_files_say_they_are_exact_and_keep_the_report_text(published):
    book_dir, _ = published
    readme = (book_dir / "data" / "README.txt").read_text(encoding="utf-8")
    assert "exact" in readme and "nssf_tidy_tables.xlsx" in readme
    assert "data/README.txt" in (book_dir / "catalog.html").read_text(encoding="utf-8")
    # report line 1166 prints "- Developed the Web App …": the raw file keeps it as printed
    with open(book_dir / "data" / "raw" / "t65.csv", newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert any(c.startswith("- Developed the Web App of registration") for c in cells)


# --------------------------------------------------------------- what readers take away


def test_search_index_holds_every_page_and_the_directory_entries(published):
    book_dir, _ = published
    js = (book_dir / "assets" / "search-index.js").read_text(encoding="utf-8")
    prefix = "window.NSSF_SEARCH = "
    assert js.startswith(prefix) and "</script" not in js
    docs = json.loads(js[len(prefix) : -2])["docs"]
    hrefs = [d[0] for d in docs.values()]
    assert {h.split("#")[0] for h in hrefs} == {p.name for p in book_dir.glob("*.html")}
    takeo = [d[0] for d in docs.values() if d[1] == "Takeo Eye Hospital"]
    assert len(takeo) == 2  # listed in Annex 6.6.1 and in Annex 6.6.2
    ids = Page((book_dir / "06_provinces.html").read_text(encoding="utf-8")).ids
    assert all(h.split("#")[1] in ids for h in takeo)
    assert any(h == "01_occupational_risk.html#t10" for h in hrefs)


def test_tables_as_shown_keep_the_printed_values_and_totals(published):
    book_dir, _ = published
    with open(book_dir / "data" / "shown" / "t01.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    # Table 1, report line 169: 2008-2022  20,448  2,584,706  1,646,397 …
    row = next(r for r in rows if r[0] == "2008-2022")
    assert row[1:4] == ["20,448", "2,584,706", "1,646,397"]
    wb = openpyxl.load_workbook(book_dir / "data" / "shown" / "t01.xlsx", read_only=True)
    # the table with its title, unit, source and citation above it; its notes, by cell
    assert wb.sheetnames == ["t01", "notes"]
    sheet = wb["t01"]
    assert sheet["A1"].value.startswith("Table 1: Registered Enterprises")
    assert sheet["A4"].value == "Source: Department of Registration and Contribution"
    # Graphic 3 draws Table 5: 11,272 contributory enterprises in 2021 (report line 231)
    with open(book_dir / "data" / "graphics" / "graphic-3.csv", encoding="utf-8") as fh:
        drawn = list(csv.DictReader(fh))
    assert any(
        r["year"] == "2021"
        and r["series"] == "Contributory enterprises"
        and float(r["value"]) == 11272
        for r in drawn
    )


def test_the_index_says_how_to_cite_and_describes_the_dataset(published):
    book_dir, _ = published
    text = (book_dir / "index.html").read_text(encoding="utf-8")
    assert 'id="how-to-cite"' in text and 'id="citation-text"' in text
    assert "2022 edition" in text and "[URL]" not in text and "CC BY 4.0" in text
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    data = json.loads(m.group(1))
    assert data["@type"] == "Dataset" and data["temporalCoverage"] == "2022"
    assert all((book_dir / d["contentUrl"]).is_file() for d in data["distribution"])


def test_the_book_data_package_validates(published):
    from frictionless import validate

    book_dir, _ = published
    package = json.loads((book_dir / "data" / "datapackage.json").read_text(encoding="utf-8"))
    # tidy and raw of every table; catalog, checks, facts, graphics, edition and revisions
    assert len(package["resources"]) == 2 * (71 + len(ANNEX)) + 6
    report = validate(str(book_dir / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "note"])[:5]
