"""The words a reader reads: no code names, notes that count right, numbers as printed.

Each test holds one kind of defect an editor found on a built book: programmer words in
the text, a table under another section's heading, one note per cell where the rounding
of the printed figures explains every difference, counts printed with decimals, a
headline left unrebuilt although its tables print the year, a home-page label that hides
what a figure covers. Expected values are read from ``seeds/nssf_annual_report_2022.txt``
(line numbers in the comments) or computed by hand in the test.
"""

import doctest
import importlib
import json
import re
from pathlib import Path

import pytest
from chapter import run_cells

from nssf_analysis.analysis import headlines, indicators
from nssf_analysis.analysis.audit import notes, reconciliation, results
from nssf_analysis.render import prose
from nssf_analysis.render.printed import printed_table

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nssf_annual_report_2022.txt"
#: What a reader must not meet in a page's text: names of the code (snake_case ids,
#: constants, calls, code marks) and the bare status "ok".
CODE_WORDS = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\b[A-Z]{2,}_[A-Z_]+\b|\w\(\)|`|\bok\b")


def report_rows(caption: str) -> list[list[str]]:
    """Return the tab-separated rows of a table of the report text, caption to source."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index(caption)
    rows = []
    for ln in lines[start + 1 :]:
        if ln.startswith("Source:"):
            break
        if "\t" in ln:
            rows.append(ln.split("\t"))
    return rows


def number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


# ------------------------------------------------------------------ plain words


def test_the_methodology_page_names_no_code():
    page = indicators.methodology_markdown()
    assert CODE_WORDS.findall(page) == []
    # tables by their label and title, as the report prints them (Table 10, line 317)
    assert "Table 10 (*Occupational Risk Investigation Results by Types of Injuries*)" in page
    # another indicator is named by its title, not its id
    assert "Sensitivity variant of \u201cOccupational injuries per 100,000 covered" in page


@pytest.mark.parametrize("year", [2022, 2021])
def test_the_reconciliation_speaks_words_and_prints_counts_whole(year):
    shown = run_cells("08_data_quality", year)["reconciled"]
    text = " ".join(shown.astype(str).to_numpy().ravel())
    assert CODE_WORDS.findall(text) == []
    counts = shown[~shown["unit"].str.contains("riels")]
    for column in ("printed", "rebuilt", "gap"):
        assert not counts[column].str.contains(r"\.").any(), column
    row = shown[
        (shown["headline"] == "Registered enterprises") & (shown["scheme"] == "All schemes")
    ]
    if year == 2022:
        # line 140: "a total of 21,430 ... institutions/enterprises/establishments"; Tables 1,
        # 46 and 60 print 20,448 + 39 + 943 = 21,430
        assert row[["printed", "rebuilt", "gap", "result"]].iloc[0].tolist() == [
            "21,430",
            "21,430",
            "0",
            "equal",
        ]
    else:
        # the 2021 columns: Table 1 17,317 + Table 46 38 + Table 60 943 = 18,298
        assert row["rebuilt"].iloc[0] == "18,298"


# ------------------------------------------------------------------ headlines for a year


def test_a_headline_is_rebuilt_from_every_table_that_prints_the_year():
    # contributions of 2021 in billion riels: Table 5 120.63 (line 231), Table 22 4.45
    # (line 498), Table 37 391.05 (line 713), Table 47 34.94 (line 847); Table 59 (line
    # 980) prints 2022 only, the pension scheme's first year
    expected = (120.63 + 4.45 + 391.05 + 34.94) * 1000  # million riels
    rec = reconciliation.reconcile(2021)
    row = rec[(rec["fact_id"] == "s2_contribution_income") & (rec["basis"] == "tables")].iloc[0]
    assert row["rebuilt"] == pytest.approx(expected)
    assert row["left_out"] == "Table 59 (contributions)"
    h = headlines.headlines(2021).set_index("fact_id")
    assert h.loc["s2_contribution_income", "rebuilt"] == pytest.approx(expected)
    rows, _ = headlines.index_figures(2021)
    figures = {r["label"]: r["printed"] for r in rows}
    assert figures["Contribution income, all schemes"] == "551,070.00"


def test_the_home_page_says_whose_expenditure_it_shows():
    rows, _ = headlines.index_figures(2022)
    # line 140: "spent around 345,900.98 million Riels": the occupational risk (22,619.33)
    # and health care (323,281.65) schemes together
    (label,) = [r["label"] for r in rows if r["printed"] == "345,900.98"]
    assert label == "Benefits expenditure, all schemes"


def test_the_overview_says_how_the_headlines_are_rebuilt():
    # 27 headlines in section 2 (lines 140-156). The 7 amounts (contribution income of
    # all schemes and of each of the three; expenditure of all, occupational risk and
    # health care) are printed to 0.01 million riels, their tables to 0.01 billion: they
    # differ. Health care access by females (all schemes; health care scheme) is in no
    # table. The other 27 - 7 - 2 = 18 are sums of table cells that match exactly.
    said = " ".join(run_cells("00_overview", 2022)["said"])
    assert said.startswith("Of the 27 headline figures the report prints in section 2, 18 ")
    assert "and 7 differ from the sum of their table cells" in said
    assert "No table prints 2 others, health care access, females (all schemes and " in said
    assert "cannot be rebuilt" not in said
    # 2021: the pension scheme's four headlines (Tables 56 and 59 print 2022 only) and
    # the two of health care access by females (the report's text, 2022) cannot be
    # rebuilt; 27 - 6 = 21 can
    said = " ".join(run_cells("00_overview", 2021)["said"])
    assert "for 21 of its 27 headlines" in said
    assert "6 cannot be rebuilt for 2021" in said


# ------------------------------------------------------------------ one note on rounding


def table18_by_hand() -> tuple[list[float], list[float]]:
    """Return the gaps of Table 18's printed totals and printed changes, by hand.

    Totals: "1." against 1.1 … 1.8, "2." against 2.1 and 2.2, the grand total against
    every item 1.1 … 2.2, each in 2021 and 2022; changes: (2022 − 2021) / 2021 × 100 of
    the printed figures, rounded to two decimals, against the printed change.
    """
    rows = report_rows("Table 18: Benefits Expenditure")[2:]  # lines 429-442
    figures = {r[0].split()[0] if r[0] else "": [number(c) for c in r[-3:]] for r in rows}
    items = {k: v for k, v in figures.items() if re.fullmatch(r"\d\.\d", k)}
    wholes = {
        "1.": [v for k, v in items.items() if k.startswith("1.")],
        "2.": [v for k, v in items.items() if k.startswith("2.")],
        "Grand": list(items.values()),
    }
    totals = []
    for name, parts in wholes.items():
        for y in (0, 1):
            gap = round(figures[name][y] - sum(p[y] for p in parts), 2)
            if gap:
                totals.append(gap)
    changes = []
    for old, new, printed in figures.values():
        gap = round(printed - round((new - old) / old * 100, 2), 2)
        if gap:
            changes.append(gap)
    return totals, changes


def table18_shared(year: int) -> list[dict]:
    found = results.findings()
    return [
        f
        for f in found[found["table_id"] == "t18"].to_dict("records")
        if notes.is_shared(f) and f["year"] in notes.shown_years(year)
    ]


def test_table_18_notes_its_rounding_once():
    totals, changes = table18_by_hand()
    assert (len(totals), max(map(abs, totals))) == (4, 0.01)
    assert (len(changes), max(map(abs, changes))) == (11, 2.86)  # 47.14 % against 50.00 %
    assert notes.rounding_note(table18_shared(2022)) == (
        "15 cells differ from what the printed figures give, within rounding: 4 totals from "
        "the sum of their printed parts by at most 0.01 and 11 changes from the change of "
        "their printed figures by at most 2.86 percentage points."
    )
    # the 2021 book shows the 2021 column only: the totals "1." (10.68 against 10.69) and
    # "2." (6.45 against 6.22 + 0.22 = 6.44)
    assert notes.rounding_note(table18_shared(2021)) == (
        "2 cells differ from the sum of their printed parts by at most 0.01, within rounding."
    )


def test_the_overview_counts_findings_not_flags():
    # Table 18 contradicts itself nowhere beyond rounding: no finding, 15 cells within it
    counts = notes.table_counts(2022)
    assert counts.loc["t18"].to_dict() == {
        "findings": 0,
        "rounding": 15,
        "convention": 0,
        "precision": 0,
    }
    assert notes.table_counts(2021).loc["t18", "rounding"] == 2
    where = run_cells("00_overview", 2022)["where"].set_index("Section")
    row = where[where["Title"] == "Benefits Expenditure"].loc["A.1.3"]
    assert (row["Findings"], row["Cells within rounding"]) == (0, 15)
    assert "Flagged checks" not in where.columns


def test_table_18_carries_one_note_for_its_fifteen_cells():
    table = printed_table("t18", 2022)
    assert [n.text for n in table.notes] == [notes.rounding_note(table18_shared(2022))]
    marked = [c.notes for _, row in table.body for c in row if c.notes]
    assert marked == [[1]] * 15


# ------------------------------------------------------------------ tables under their heading


def test_tables_65_and_66_stand_under_their_own_headings():
    nb = json.loads((ROOT / "notebooks" / "05_institutional.ipynb").read_text(encoding="utf-8"))
    order = []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and source.startswith("#"):
            order.append(source.splitlines()[0].lstrip("# "))
        order += re.findall(r'printed\("(t6[56])"', source)
        order += ["text of Table 66"] * ("(Table 66)" in source)
    # report lines 1154-1236: E.6.2, "❖ Cooperation of the National Social Security
    # Fund", Table 65, "❖ Human Resources Training", Table 66
    at = order.index("E.6.2 Cooperation and human resources training")
    assert order[at + 1 : at + 6] == [
        "Cooperation of the National Social Security Fund",
        "t65",
        "Human resources training",
        "text of Table 66",
        "t66",
    ]
    # the quoted text of E.6.2 stops before the sub-headings (line 1156 ends "as follows:")
    intro = prose.section_markdown("E.6.2", 2022, "")
    assert intro.endswith("coupled with both local and international study visits as follows:")
    assert "Human Resources Training" not in intro and "Cooperation of the" not in intro
    assert prose.section_markdown("E.6.2", 2021, "Cooperation") == ""


@pytest.mark.parametrize(
    "module",
    [
        "nssf_analysis.analysis.audit.notes",
        "nssf_analysis.analysis.headlines",
        "nssf_analysis.render.prose",
    ],
)
def test_the_examples_of_the_reader_words_hold(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
