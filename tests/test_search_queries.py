"""What readers type into the search box of the real 2022 book, and what must come first.

One Chromium page (Debian's, driven by Playwright, network blocked as in
``test_browser.py``) opens the book from disk and types every query of :data:`FIRST` in
turn.  The expected first results are read from the report: the table or section that
prints a number (with its thousands separators or without), the table a label names, the
facility a name names.  A name of a province puts the report's tables before the single
directory rows; a concept puts the table and the paragraph stating its figure near the
top.  Khmer is searched on a small book of its own: the 2022 book prints none.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_browser import needs_browser

from nssf_analysis.book import search

ASSETS = Path(search.__file__).parent / "templates" / "book" / "assets"

pytestmark = needs_browser

OR = "01_occupational_risk.html"
HC = "02_health_care.html"
#: Report Table 1 (line 169) prints 2,584,706 members and 20,448 enterprises for 2008-2022,
#: Table 34 (line 675) and Table 56 (line 951) the same 2,584,706; 18.08% is Table 1's
#: change in enterprises (line 170); Table 38 totals 1,501 health facilities (line 736),
#: the facilities Annex 6.6.1 lists one by one.
TABLES_OF_2584706 = {f"{OR}#t01", f"{HC}#t34", "03_pension.html#t56"}
FIRST = {
    "2,584,706": TABLES_OF_2584706,
    "2584706": TABLES_OF_2584706,
    "20,448": {f"{OR}#t01", f"{OR}#A.1.1-Registration-and-contribution"},
    "20448": {f"{OR}#t01", f"{OR}#A.1.1-Registration-and-contribution"},
    "1,501": {f"{HC}#t38", f"{HC}#B.1.2-Benefits", "06_provinces.html#a6_6_1"},
    "1501": {f"{HC}#t38", f"{HC}#B.1.2-Benefits", "06_provinces.html#a6_6_1"},
    "18.08%": {f"{OR}#t01"},
    "18.08": {f"{OR}#t01"},
    "Table 21": {f"{OR}#t21"},  # line 481, in A.2 (public sector)
    "table 46": {f"{HC}#t46"},  # line 829
    "annex 6.6.1": {"06_provinces.html#a6_6_1"},
    "Annex 6.6.3": {"06_provinces.html#a6_6_3"},
    # Annex 6.6.3 no. 9: Kampong Cham Branch Office, Annex 6.6.1: Takeo Eye Hospital
    "Kampong Cham Branch Office": {"06_provinces.html#a6_6_3-14"},
    "takeo eye hospital": {"06_provinces.html#a6_6_1-766", "06_provinces.html#a6_6_2-201"},
}


class Box:
    """The search box of one open page: :meth:`search` types a query, returns the results."""

    def __init__(self, browser, page: Path):
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.goto(page.as_uri())

    def search(self, query: str) -> list[tuple[str, str, str]]:
        """``(href, title, kind)`` of every result shown for ``query``, in order."""
        self.page.fill("#search-q", query)
        self.page.press("#search-q", "Enter")
        self.page.wait_for_function(
            "q => (document.querySelector('#search-results .search-count') || {})"
            ".textContent?.includes('\u201c' + q + '\u201d')",
            arg=query,
            timeout=30_000,
        )
        return [
            (href, title, re.search(r"\(([^()]*)\)$", where)[1])
            for href, title, where in self.page.eval_on_selector_all(
                "#search-results li",
                "ls => ls.map(l => [l.querySelector('a').getAttribute('href'),"
                " l.querySelector('a').textContent, l.querySelector('.search-where').textContent])",
            )
        ]


@pytest.fixture(scope="module")
def box(published, browser):
    book_dir, _ = published
    one = Box(browser, book_dir / "index.html")
    yield one
    assert one.errors == []
    one.context.close()


@pytest.mark.parametrize("query", list(FIRST))
def test_the_first_result_is_where_the_report_prints_it(box, query):
    results = box.search(query)
    assert results, f"nothing found for {query!r}"
    assert results[0][0] in FIRST[query], (query, results[:3])


def test_a_number_is_found_with_or_without_separators_in_every_table_printing_it(box):
    for query in ("2,584,706", "2584706"):
        hrefs = [r[0] for r in box.search(query)]
        assert TABLES_OF_2584706 <= set(hrefs), query
        # and in the text of A.1.1 (report line 162)
        assert f"{OR}#A.1.1-Registration-and-contribution" in hrefs
    # section 2 of the report (line 148): the health care scheme spent 323,281.65 million
    # riels, in the overview's paragraph and its table of headline figures
    for query in ("323,281.65", "323281.65"):
        hrefs = [r[0] for r in box.search(query)]
        assert "00_overview.html#Annual-achievements:-the-year-in-figures" in hrefs, query
        assert "00_overview.html#headlines" in hrefs, query


def test_a_province_puts_the_reports_tables_before_single_directory_rows(box):
    results = box.search("Kampong Cham")
    kinds = [kind for _, _, kind in results]
    assert kinds[0] == "table" and results[0][0].startswith("06_provinces.html#a6_")
    assert "directory entry" in kinds  # the facilities are still found …
    first_entry = kinds.index("directory entry")  # … after every section and table
    assert "directory entry" not in kinds[:10]
    assert set(kinds[first_entry:]) == {"directory entry"}
    # Annex 6.1.1, capital/province no. 3 (report line 1437)
    assert "06_provinces.html#a6_1_1" in [r[0] for r in results[:first_entry]]


def test_a_concept_reaches_the_table_and_the_paragraph_stating_its_figure(box):
    hrefs = [r[0] for r in box.search("health care expenditure")]
    # the headline figures: health care expenditure, 323,281.65 million riels (line 148)
    assert "00_overview.html#headlines" in hrefs[:3]
    assert "00_overview.html#Annual-achievements:-the-year-in-figures" in hrefs[:10]


def test_khmer_words_are_found_inside_the_text_they_are_written_in(browser, tmp_path):
    # the report's back cover: បេឡាជាតិសន្តិសុខសង្គម, National Social Security Fund
    (tmp_path / "assets").mkdir()
    for name in ("search.js", "lunr.min.js"):
        shutil.copy(ASSETS / name, tmp_path / "assets" / name)
    (tmp_path / "index.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Cover · book</title></head>"
        "<body><form id='search' hidden><input id='search-q'></form>"
        "<div id='search-results' hidden></div><main>"
        "<h2 id='fund'>National Social Security Fund</h2><p>បេឡាជាតិសន្តិសុខសង្គម</p>"
        "<h2 id='other'>Contact</h2><p>www.nssf.gov.kh, 023 88 24 34</p>"
        "</main><script src='assets/search.js'></script></body></html>",
        encoding="utf-8",
    )
    search.write_search(tmp_path, ["index.html"])
    cover = Box(browser, tmp_path / "index.html")
    try:
        for query in ("បេឡាជាតិសន្តិសុខសង្គម", "សន្តិសុខសង្គម", "បេឡាជាតិ"):
            assert [r[0] for r in cover.search(query)] == ["index.html#fund"], query
        assert cover.errors == []
    finally:
        cover.context.close()
