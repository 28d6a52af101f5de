"""The real 2022 book, built from the project's notebooks and data, checked by parsing it.

``tests/test_book.py`` checks the builder on a small throwaway book; this module checks
what users actually read: every chapter, every table and graphic of the report at its
stable anchor, every link, nothing loaded from outside, no error rendered.
"""

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
