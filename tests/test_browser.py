"""The built book in a real browser: Debian's Chromium driven by Playwright, network blocked.

Every page of the real 2022 book is opened from disk
(``file://``).  A page passes when it logs no console error, throws no exception,
requests nothing outside the book and fits a phone-width screen (the accessibility
engines and the Nu Html Checker read the real book in ``test_validators``).  On the real book
a reader finds "Takeo Eye Hospital" with the search box and with the directory's
filter, takes any table's or graphic's data from the link under it, opens the PDF
edition and copies the citation.  Screenshots are saved under ``outputs/browser-test/``.

Playwright's own browser download cannot work here: it drives the system's Chromium
(``make browser`` installs it).  The tests skip without Chromium or Playwright, except
where ``NSSF_REQUIRE_BROWSER=1`` (as in CI), where a missing browser fails them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
#: Screenshots for a person to look at (the real outputs folder, not the test's).
SHOTS = Path(os.environ.get("NSSF_OUTPUTS") or ROOT / "outputs") / "browser-test"
REQUIRED = os.environ.get("NSSF_REQUIRE_BROWSER") == "1"
#: Flags of the browser: no sandbox (root in a container), no GPU, no network at all.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the test extra is not installed
    sync_playwright = None

#: Skips a test without Debian's Chromium or Playwright (unless they are required).
needs_browser = pytest.mark.skipif(
    (CHROMIUM is None or sync_playwright is None) and not REQUIRED,
    reason="Debian's chromium (make browser) or Playwright (the test extra) is missing",
)
pytestmark = needs_browser


class Tab:
    """A browser tab that records what goes wrong: console errors, exceptions, requests."""

    def __init__(self, browser, book_dir: Path, **context):
        context.setdefault("viewport", {"width": 1280, "height": 900})
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.inside = book_dir.resolve().parent.parent.as_uri() + "/"  # outputs/: all years
        self.found: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.found.append(f"exception: {e}"))
        self.page.on("request", self._request)
        self.page.on("requestfailed", lambda r: self.found.append(f"failed: {r.url}"))

    def _console(self, msg):
        if msg.type in ("error", "assert"):
            self.found.append(f"console {msg.type}: {msg.text}")

    def _request(self, req):
        if not (req.url.startswith(self.inside) or req.url.startswith("data:")):
            self.found.append(f"request outside the book: {req.url}")

    def open(self, path: Path, query: str = ""):
        self.page.goto(path.as_uri() + query)
        assert self.page.evaluate("document.readyState") == "complete"

    def problems(self) -> list[str]:
        out, self.found = self.found, []
        return out

    def close(self):
        self.context.close()


def assert_fits(tab: Tab, page: Path, width: int) -> None:
    scroll = tab.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.name} is {scroll}px wide on a {width}px screen"


def on_a_phone(browser, book_dir: Path, pages: list[Path], shots: dict[str, str]) -> None:
    """Every page fits a phone-width screen (no sideways scrolling); save ``shots``."""
    tab = Tab(browser, book_dir, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        for page in pages:
            tab.open(page)
            assert_fits(tab, page, 390)
            if page.stem in shots:
                tab.page.screenshot(path=str(SHOTS / shots[page.stem]))
    finally:
        tab.close()


# --------------------------------------------------------------------- the real book


def test_the_published_book_in_headless_chromium(published, browser):
    """Every page of the real 2022 book: no error, nothing from outside, fits a phone.

    The code starts hidden and one button shows and hides all of it; the year switcher
    leads to the same page of the 2021 book.
    """
    book_dir, _ = published
    pages = sorted(book_dir.glob("*.html"))
    assert len(pages) == 12  # nine chapters, index, methodology, catalog
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = Tab(browser, book_dir)
    report = {}
    broken = "[...document.images].filter(i => !i.complete || !i.naturalWidth).length"
    closed = "document.querySelectorAll('details.nssf-code:not([open])').length"
    try:
        for page in pages:
            tab.open(page)
            assert "NSSF annual report 2022" in tab.page.title(), page
            # stylesheets applied (from the book's own files)
            assert tab.page.evaluate("document.styleSheets.length") == 2
            # every image of the page decoded (the graphics are embedded, not fetched)
            assert tab.page.evaluate(broken) == 0, page.name
            if page.name[:2].isdigit():
                assert tab.page.evaluate(closed) > 0, f"{page.name}: code should start hidden"
                tab.page.click("#toggle-code")
                assert tab.page.evaluate(closed) == 0, "the toggle opens all code"
                tab.page.click("#toggle-code")
                assert tab.page.evaluate(closed) > 0, "… and closes it again"
            report[page.name] = tab.problems()
        tab.open(book_dir / "02_health_care.html")
        with tab.page.expect_navigation():
            tab.page.click(".years a.year")
        assert tab.page.url.endswith("/2021/book/02_health_care.html")
        report["year switch"] = tab.problems()
        graphics = "[...document.images].filter(i => /^Graphic \\d+: /.test(i.alt)).length"
        tab.open(book_dir / "01_occupational_risk.html")
        assert tab.page.evaluate(graphics) == 7  # Graphics 1-7 are drawn in section A
        for stem in ("index", "01_occupational_risk", "06_provinces", "07_analysis"):
            tab.open(book_dir / f"{stem}.html")
            tab.page.screenshot(path=str(SHOTS / f"published-desktop-{stem}.png"))
    finally:
        tab.close()
    stems = ("index", "01_occupational_risk")
    on_a_phone(browser, book_dir, pages, {s: f"published-phone-{s}.png" for s in stems})
    assert {name: found for name, found in report.items() if found} == {}


def test_a_reader_finds_takeo_eye_hospital_by_search(published, browser):
    book_dir, _ = published
    tab = Tab(browser, book_dir)
    try:
        tab.open(book_dir / "index.html")
        tab.page.fill("#search-q", "Takeo Eye Hospital")
        tab.page.press("#search-q", "Enter")
        first = tab.page.locator("#search-results li a").first
        first.wait_for(timeout=30_000)
        assert first.text_content() == "Takeo Eye Hospital"
        href = first.get_attribute("href")
        assert re.fullmatch(r"06_provinces\.html#a6_6_[12]-\d+", href), href
        with tab.page.expect_navigation():
            first.click()
        row = tab.page.locator(":target")
        assert "Takeo Eye Hospital" in row.text_content()
        assert "Takeo" in row.locator("td").first.text_content()
        assert row.is_visible()
        # the address ?q= searches at once, from any page
        tab.open(book_dir / "03_pension.html", "?q=pension+scheme")
        tab.page.locator("#search-results li a").first.wait_for(timeout=30_000)
        assert tab.page.locator("#search-results li").count() > 1
        assert tab.problems() == []
    finally:
        tab.close()


def test_a_reader_finds_takeo_eye_hospital_with_the_directory_filter(published, browser):
    book_dir, _ = published
    tab = Tab(browser, book_dir)
    shown = "#a6_6_1 tbody tr:not(.dir-group):not([hidden])"
    try:
        tab.open(book_dir / "06_provinces.html")
        assert tab.page.locator(shown).count() == 1501  # Annex 6.6.1 lists 1,501 facilities
        tab.page.fill("#a6_6_1-filter-name", "takeo eye")
        rows = tab.page.locator(shown)
        assert rows.count() == 1
        assert rows.first.locator("td").last.text_content() == "Takeo Eye Hospital"
        assert tab.page.locator("#a6_6_1 .dir-count").text_content() == "1 of 1501 entries"
        # by type and province instead of by name
        tab.page.fill("#a6_6_1-filter-name", "")
        tab.page.select_option("#a6_6_1-filter-type", "Eye Hospital")
        names = rows.evaluate_all("rs => rs.map(r => r.lastElementChild.textContent)")
        assert names == ["Takeo Eye Hospital"]
        tab.page.select_option("#a6_6_1-filter-type", "")
        tab.page.select_option("#a6_6_1-filter-capital-province", "Takeo")
        # Annex 6.6.1 lists 98 facilities in Takeo
        assert rows.count() == 98
        assert tab.page.locator("#a6_6_1-takeo").is_visible()
        assert not tab.page.locator("#a6_6_1-kandal").is_visible()
        # sorting by name: the rows in alphabetical order, then back to report order
        head = tab.page.locator("#a6_6_1 thead th", has_text="Name")
        head.locator("button").click()
        assert head.get_attribute("aria-sort") == "ascending"
        in_order = rows.evaluate_all(
            "rs => rs.map(r => r.lastElementChild.textContent)"
            ".every((n, i, all) => i === 0 || all[i - 1].localeCompare(n) <= 0)"
        )
        assert in_order
        assert rows.count() == 98  # the filter still applies
        head.locator("button").click()
        head.locator("button").click()
        assert head.get_attribute("aria-sort") is None
        assert tab.problems() == []
    finally:
        tab.close()


def test_downloads_sit_under_every_table_and_graphic(published, browser):
    book_dir, _ = published
    tab = Tab(browser, book_dir)
    try:
        tab.open(book_dir / "01_occupational_risk.html")
        links = tab.page.evaluate(
            "sel => [...document.querySelectorAll(sel)].map(a => a.getAttribute('href'))",
            "#t10 + .nssf-downloads li > a",
        )
        assert links == [
            "data/shown/t10.csv",
            "data/shown/t10.csv-metadata.json",  # its title, unit, source and notes (CSVW)
            "data/shown/t10.xlsx",
            "data/tidy/t10.csv",
        ]
        # a list shown as one run of links: inline items, no bullets, " · " between them
        shown = tab.page.evaluate(
            """() => [...document.querySelectorAll("#t10 + .nssf-downloads li")].map(li => {
              const style = getComputedStyle(li);
              return [style.display, style.listStyleType, getComputedStyle(li, "::before").content];
            })"""
        )
        assert shown == [["inline", "none", "none"]] + [["inline", "none", '" · "']] * 3
        graphic = tab.page.evaluate(
            """() => {
              const cap = document.getElementById("graphic-3");
              const links = [...document.querySelectorAll(".nssf-downloads li > a")];
              const after = links.filter(a => cap.compareDocumentPosition(a) & 4);
              return after[0].getAttribute("href");
            }"""
        )
        assert graphic == "data/graphics/graphic-3.csv"
        every = []
        for page in sorted(book_dir.glob("*.html")):
            tab.open(page)
            every += tab.page.evaluate(
                "() => [...document.querySelectorAll('.nssf-downloads li > a')]"
                ".map(a => a.getAttribute('href'))"
            )
        assert tab.problems() == []
    finally:
        tab.close()
    assert [h for h in every if not (book_dir / h).is_file()] == []
    shown = {h for h in every if h.startswith("data/shown/") and h.endswith(".csv")}
    assert len(shown) == 71 + 16  # every numbered and annex table and directory
    drawn = {h for h in every if h.startswith("data/graphics/")}
    assert drawn == {
        f"data/graphics/graphic-{n}.csv{end}"
        for n in range(1, 10)
        for end in ("", "-metadata.json")
    }


def test_the_pdf_edition_opens_and_the_citation_copies(published, browser):
    book_dir, _ = published
    tab = Tab(browser, book_dir)
    try:
        tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
        tab.open(book_dir / "index.html")
        pdf = tab.page.get_attribute("a[href$='.pdf']", "href")
        assert pdf == "nssf-annual-report-2022.pdf"
        text = tab.page.locator("#citation-text").text_content()
        assert "2022 edition" in text and "[URL]" not in text and "Version " in text
        tab.page.click("#copy-citation")
        tab.page.wait_for_function(
            "document.getElementById('copy-citation').textContent !== 'Copy citation'"
        )
        assert tab.page.evaluate("navigator.clipboard.readText()") == text
        assert tab.problems() == []
    finally:
        tab.close()
    path = book_dir / pdf
    assert path.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        assert "(A4)" in info
        assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) > 50
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True
        ).stdout
        assert "Page 1 of" in text and "Contents" in text
        assert "Takeo Eye Hospital" in text  # the directories are printed, every row
        assert "Table 71" in text
