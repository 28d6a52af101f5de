"""The chapters' paragraphs: printed figures, printed changes, one unit reading, plain words.

The paragraphs are read from the golden executed chapters (``make goldens``), whose code
is the source notebooks' (``test_notebooks``). Expected figures are the report's (line
numbers of ``seeds/nssf_annual_report_2022.txt`` in the comments) or sums of them done by
hand.
"""

import json
import re

import goldens
import pytest
from design import CHAPTERS

from nssf_analysis.render import prose

#: Words and patterns of the project's own bookkeeping that must not reach a reader.
INTERNAL = [
    re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b"),  # identifiers, fact ids, dimension keys
    re.compile(r"\b[a-z_]+=[^\s;]+"),  # key=value pairs
    re.compile(r"report line", re.I),
    re.compile(r"\bs2(or|hc|pen)?\b"),
    re.compile(r"\bt\d\d\b|\ba6_\d"),  # table ids
    re.compile(r"change not available"),
    re.compile(r"\((?:[+−-]\d[\d,.]*%|up from 0|also 0 before)\)"),  # bracketed changes
]


def internal_words(text: str) -> list[str]:
    """Return the pieces of ``text`` that read as internal vocabulary."""
    return [m.group(0) for rx in INTERNAL for m in rx.finditer(text)]


def test_the_vocabulary_check_finds_what_it_should():
    bad = (
        "fluctuation at report line 952 (office=head_offices; measure=members): "
        "a23_expenditure shifted_cells 13,506 (+3.01%) 1,501 (change not available)"
    )
    found = internal_words(bad)
    for piece in ("report line", "office=head_offices", "a23_expenditure", "shifted_cells"):
        assert any(piece in f for f in found), piece
    assert "(+3.01%)" in found and "change not available" in found
    assert internal_words("13,506 times/persons, up 3.01 % on 2021 (Table 16).") == []


def chapter_text(name: str, year: int) -> str:
    """Return every Markdown output of a golden executed chapter, one paragraph a line."""
    nb = json.loads((goldens.golden_dir() / str(year) / f"{name}.ipynb").read_text("utf-8"))
    return "\n".join(
        "".join(o.get("data", {}).get("text/markdown", ""))
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    )


#: The report's own text, quoted: its words are the report's, not the book's.
QUOTED = {"05_institutional", "00_overview"}


@pytest.mark.parametrize("year", [2022, 2021])
@pytest.mark.parametrize("name", [c for c in CHAPTERS if c not in QUOTED])
def test_no_paragraph_speaks_internal_words(name, year):
    text = chapter_text(name, year)
    assert text.strip()
    assert internal_words(text) == []
    assert not re.search(r"\bnan\b|\bNone\b|\binf\b", text)


def test_changes_read_as_words_and_are_the_printed_ones():
    a = chapter_text("01_occupational_risk", 2022)
    # Table 16 total (line 414): 13,111 -> 13,506, printed +3.01 %
    assert "13,506" in a and "up 3.01 % on 2021" in a
    b = chapter_text("02_health_care", 2022)
    # Table 44 total as printed (line 808): 260.10, -9.43 % (its rows add up to 259.97)
    assert "260.10 billion riels, down 9.43 % on 2021" in b.replace("**", "")
    # Table 37 (line 739): contributions 391.05 -> 446.25 billion riels; the report prints
    # +14.11 %, computed from unrounded figures (the printed ones give 14.1158… %)
    assert "446.25 billion riels, up 14.11 % on 2021" in b.replace("**", "")
    # Table 38 has no 2021 column: its 1,501 facilities come without a change
    assert "1,501" in b and not re.search(r"1,501[^.;]*on 2021", b)


def test_table_31_reads_in_million_riels():
    # line 574: "a total expenditure of 316.32 million Riels"
    assert "316.32 million riels" in chapter_text("01_occupational_risk", 2022).replace("**", "")


def test_the_year_in_figures_adds_one_scale():
    text = chapter_text("00_overview", 2022).replace("**", "")
    # 22,260 + 316.32 + 42.20 + 0.00 + 260,100 + 63,180 + 1.03 + 4.69 million riels
    assert "345,904.24 million riels" in text and "661," not in text
    # members: Tables 1, 46 and 60 (2,584,706 + 439,243 + 96,259), as section 2 prints
    assert "3,120,208 members" in text
    # the 7 amounts of money (4 contribution incomes, 3 expenditures) are sums of rounded
    # parts; 18 counts add up exactly; 2 figures (visits by females) only the text prints
    assert (
        "18 are rebuilt exactly from its tables and 7 differ from the sum of their table "
        "cells by at most 0.004 %"
    ) in text
    assert "No table prints 2 others, health care access, females" in text


def test_a_year_without_the_pension_scheme_leaves_its_sentence_out():
    text = chapter_text("00_overview", 2021)
    assert "Contributions came to" not in text  # Table 59 has no 2021 column
    assert "comparison columns" in text


def test_the_pension_page_says_when_the_scheme_started():
    # line 940: "since 1 July 2022 with the contribution payment from 1 October 2022"
    t22 = chapter_text("03_pension", 2022)
    assert "started on 1 July 2022" in t22 and "1 October 2022" in t22
    assert "no pension figures for 2021" in chapter_text("03_pension", 2021)


def test_change_words():
    assert prose.change_words(3.014, "ok", 2021) == ", up 3.01 % on 2021"
    assert prose.change_words(-4.35, "ok", 2021) == ", down 4.35 % on 2021"
    assert prose.change_words(None, "new (from 0)", 2021) == ", up from none in 2021"
    assert prose.change_words(None, "not available", 2021) == ""


def test_editions_show_their_own_year():
    from nssf_analysis.analysis import headlines

    rows, note = headlines.index_figures(2021)
    members = {r["label"]: r["printed"] for r in rows}
    # 2021 columns: Table 1 2,305,958 + Table 46 417,868 + Table 60 94,370
    assert members["Members"] == f"{2305958 + 417868 + 94370:,}"
    assert "3,120,208" not in members.values()  # the 2022 headline
    assert "comparison columns (2021) of the tables of the 2022 report" in note
    rows, note = headlines.index_figures(2022)
    assert {r["label"]: r["printed"] for r in rows}["Members"] == "3,120,208"  # line 140
    assert "section 2 of the 2022 report" in note
    for text in (note, headlines.edition_source(2021)):
        assert internal_words(text) == []
