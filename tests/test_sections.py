"""Every section of the report is in the book, its text escaped, its page text plain.

The list of sections is read from the report's own table of contents; expected text is
quoted from ``seeds/nssf_annual_report_2022.txt``.
"""

import json
import re
from pathlib import Path

import mistune
import pytest
from chapter import run_cells
from test_prose import internal_words

from nssf_analysis.analysis import headlines
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.render import prose

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _headings() -> list[str]:
    out = []
    for nb in NOTEBOOKS:
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                out += [
                    re.sub(r"^#+\s*", "", ln)
                    for ln in "".join(cell["source"]).splitlines()
                    if ln.startswith("#")
                ]
    return out


def test_the_contents_are_read_from_the_report(lines):
    secs = prose.report_sections()
    codes = [c for c, _, _ in secs]
    # the contents list (report lines 23-95): 1 … 6.6.3, in order
    assert codes[0] == "1" and codes[-1] == "6.6.3"
    for code in ("A.1.1", "C.1.1", "E.2", "E.6.1", "E.6.3", "E.6.4", "E.7.5", "3", "5"):
        assert code in codes
    toc = [ln for ln in lines[:120] if re.match(r"^(?:[A-E]|\d)(?:\.\d+)*\.?\s.*\t\d+$", ln)]
    assert len(codes) == len(toc)
    # the body headings are found in order, after the contents
    body = [at for _, _, at in secs if at >= 0]
    assert body == sorted(body) and body[0] > 95


def test_every_section_of_the_report_is_in_the_book():
    heads = _headings()
    annex = set(catalog_mod.catalog()["section"])
    missing = []
    for code, title, _ in prose.report_sections():
        by_code = any(re.match(rf"^{re.escape(code)}(\.|\s|:)", h) for h in heads)
        by_title = any(title.lower() in h.lower() for h in heads)
        # an annex table is its own sub-section (its caption: "Annex 6.1.1")
        by_table = code.startswith("6.") and code in annex
        if not (by_code or by_title or by_table):
            missing.append(code)
    assert missing == []


def test_every_text_section_is_shown_by_a_chapter():
    calls = set()
    for nb in NOTEBOOKS:
        src = nb.read_text(encoding="utf-8")
        calls |= set(re.findall(r'\bquote\(\\"([^"\\]+)\\"', src))
    # the sections whose report text is the content (no table of their own)
    for code in ("1", "2", "E.1", "E.2", "E.3", "E.4", "E.5.1", "E.5.2", "E.5.3", "E.6.1"):
        assert code in calls
    for code in ("E.6.2", "E.6.3", "E.6.4", "3", "4", "5"):
        assert code in calls


def test_lists_are_kept_whole():
    e1 = prose.section_markdown("E.1", 2022)
    # report line 1044: "... for 6 times with outcomes as follows:" and 8 items after it
    assert "with outcomes as follows:" in e1
    assert e1.count("\n- ") == 8
    assert e1.rstrip().endswith(
        "Extending the Scope of Social Security Schemes on Occupational Risk and Health Care "
        "for Persons under the Public Sector."
    )
    e3 = prose.section_markdown("E.3", 2022)
    assert e3.count("- Checked and advised") == 9 and "- Determined the service level" in e3


@pytest.mark.parametrize(
    ("code", "quote"),
    [
        ("E.2", "the NSSF Social Security Trustee Council is still currently under the Draft"),
        ("E.6.1", "transacted completely by banking systems"),
        ("E.6.3", "Childbirth Allowance Management System."),
        ("E.6.4", "NSSF has strengthened the internal audit implementation"),
        ("3", "The public awareness of social security benefits is still low;"),
    ],
)
def test_sections_quote_the_report(code, quote):
    assert quote in prose.section_markdown(code, 2022)


def test_tables_and_graphics_are_left_to_the_tables():
    text = prose.section_markdown("E.6.2", 2022)
    assert "Table 65" not in text and "Source:" not in text and "\t" not in text
    assert "pilotscheme" not in text  # the link is a cell of Table 65


def test_a_year_without_its_report_says_where_the_text_is():
    text = prose.section_markdown("E.1", 2021)
    assert "2022 report" in text and "Governing Body" not in text


def test_report_text_is_escaped():
    raw = "the link: <https://pilotscheme.nssf.gov.kh>; *not emphasis* & a_b"
    html = mistune.html(prose.escape_markdown(raw))
    assert "&lt;https://pilotscheme.nssf.gov.kh&gt;" in html
    assert "<em>" not in html and "<a " not in html
    assert "&amp; a_b" in html


@pytest.fixture(scope="module")
def overview():
    """The overview chapter's names: its code cells run once, for 2022."""
    return run_cells("00_overview", 2022)


def _visible(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("year", [2022, 2021])
def test_no_page_text_speaks_internal_words(year, overview):
    texts = [_visible(overview["headline_table"](year).to_html())]
    texts += [
        prose.section_markdown(c, year)
        for c, _, _ in prose.report_sections()
        if not c.startswith("6")  # the annex is tables only
    ]
    texts += [headlines.edition_source(year)]
    for t in texts:
        assert internal_words(t) == [], t[:300]


def test_the_executed_chapters_show_every_text_section():
    # the golden executed notebooks of the report year (regenerated by 'make goldens')
    import goldens

    shown = ""
    for nb in sorted((goldens.golden_dir() / "2022").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            for out in cell.get("outputs", []):
                shown += "".join(out.get("data", {}).get("text/markdown", "")) + "\n"
    for code, _, _ in prose.report_sections():
        text = prose.section_markdown(code, 2022)
        if code.startswith(("A", "B", "C", "D", "6")) or not text:
            continue  # chapters A-D and the annex show tables and written paragraphs
        first = text.split("\n")[0][:80]
        assert first in shown, code
