"""Paragraphs written from the data: printed figures, one unit reading, plain words.

Expected figures are the report's (line numbers of ``seeds/nssf_annual_report_2022.txt``
in the comments) or sums of them done by hand.
"""

import re

import pytest

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


@pytest.mark.parametrize("year", [2022, 2021])
def test_no_paragraph_speaks_internal_words(year):
    texts = [prose.intro_text(s, year) for s in prose.INTROS] + [prose.overview_text(year)]
    for t in texts:
        assert internal_words(t) == [], t


def test_changes_read_as_words():
    # Table 16 total (line 414): 13,111 -> 13,506, printed +3.01 %
    text = prose.intro_text("A.1.3", 2022)
    assert "**13,506** times/persons, up 3.01 % on 2021 (Table 16)" in text
    # Table 44 total as printed (line 808): 260.10, -9.43 %; its rows add up to 259.97
    assert "**260.10 billion riels**, down 9.43 % on 2021 (Table 44)" in prose.intro_text(
        "B.1.2", 2022
    )
    # Table 38 has no 2021 column: no change is mentioned at all
    assert "**1,501** health facilities (Table 38)" in prose.intro_text("B.1.2", 2022)
    # Table 33 total (line 656): 0.57 -> 0.00
    assert "**0.00 million riels**, against 0.57 million riels in 2021" in prose.intro_text(
        "A.2.4", 2022
    )


def test_change_words():
    assert prose.change_words(3.014, "ok", 2021) == ", up 3.01 % on 2021"
    assert prose.change_words(-4.35, "ok", 2021) == ", down 4.35 % on 2021"
    assert prose.change_words(None, "new (from 0)", 2021) == ", up from none in 2021"
    assert prose.change_words(None, "not available", 2021) == ""


def test_table_31_reads_in_million_riels():
    # line 574: "a total expenditure of 316.32 million Riels"
    assert "**316.32 million riels**" in prose.intro_text("A.2.3", 2022)


def test_year_in_figures_adds_one_scale():
    text = prose.overview_text(2022)
    # 22,260 + 316.32 + 42.20 + 0.00 + 260,100 + 63,180 + 1.03 + 4.69 million riels
    assert "**345,904.24 million riels**" in text
    assert "661," not in text
    # members: Tables 1, 46 and 60 (2,584,706 + 439,243 + 96,259), as section 2 prints
    assert "**3,120,208** members" in text
    # the 7 amounts of money (4 contribution incomes, 3 expenditures) are sums of rounded
    # parts; the 20 counts add up exactly
    assert "20 are rebuilt exactly, 7 differ, by at most 0.004 %" in text


def test_a_year_without_the_pension_scheme_leaves_its_sentence_out():
    text = prose.overview_text(2021)
    assert "not available" not in text
    assert "Contributions came to" not in text  # Table 59 has no 2021 column
    assert "comparison columns" in text


def test_the_pension_page_says_when_the_scheme_started():
    # line 940: "since 1 July 2022 with the contribution payment from 1 October 2022"
    t22 = prose.pension_start_text(2022)
    assert "started on 1 July 2022" in t22 and "1 October 2022" in t22
    t21 = prose.pension_start_text(2021)
    assert "no pension figures for 2021" in t21
    assert "report year" not in t21 + t22


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
    for text in (note, prose.edition(2021).data):
        assert internal_words(text) == []
