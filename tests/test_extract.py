"""Extraction tests: expected values are read off the report by hand."""

import re
from collections import Counter

import pytest
from design import ANNEX_TABLES, NUMBERED_TABLES

from nssf_analysis.data.catalog import load_raw
from nssf_analysis.data.editions import match_edition
from nssf_analysis.data.extract import find_graphics, split_cells
from nssf_analysis.data.report_text import title_year
from nssf_analysis.exceptions import ExtractionError


def raw_cell(table_id, first_cell, col):
    raw = load_raw(table_id)
    rows = raw[(raw["kind"] == "body") & (raw["c1"] == first_cell)]
    assert len(rows) == 1, rows
    return rows.iloc[0][f"c{col}"]


def test_title_year(lines):
    assert title_year(lines) == 2022


def test_all_tables_found(lines):
    ids = [t.table_id for t in match_edition(lines).tables]
    assert ids == NUMBERED_TABLES + ANNEX_TABLES


@pytest.mark.parametrize(
    "table_id, first, col, printed",
    [
        ("t01", "2008-2022", 2, "20,448"),  # office-breakdown family, cumulative period
        ("t01", "Fluctuation (± %)", 10, "9.51%"),
        ("t05", "2022", 6, "137.71"),  # contribution family
        ("t06", "4", 10, "9"),  # inspection family: 2022 times, provincial branches
        ("t08", "Total Results of Other Tasks", 14, "3,608"),
        ("t11", "2022", 8, "221"),  # deaths 2022
        ("t44", "1.3", 4, "111"),  # printed without decimals
        ("t56", "2021", 2, "-"),  # the report's placeholder
        ("t63", "2022", 8, "94.00%"),
        ("a6_1_3_monthly", "12", 14, "147"),  # Phnom Penh, December
        ("a6_1_1_business", "104", 6, "12,252"),
    ],
)
def test_cells_as_printed(table_id, first, col, printed):
    assert raw_cell(table_id, first, col) == printed


def test_shifted_row_kept_as_printed():
    raw = load_raw("t23")
    row = raw[raw["c2"] == "New"].iloc[0]
    assert [row[f"c{i}"] for i in range(1, 9)] == [
        "Investigation Results",
        "New",
        "0",
        "0",
        "1",
        "29",
        "30",
        "100.00%",
    ]


def test_blank_cells_kept():
    raw = load_raw("t45")
    row = raw[raw["c2"] == "Medical Expenditure"].iloc[0]
    assert [row[f"c{i}"] for i in range(3, 9)] == [
        "Million Riels",
        "6.60",
        "",
        "1.03",
        "",
        "-84.41%",
    ]


def test_blocks_keep_their_label():
    raw = load_raw("t61")
    assert list(raw[raw["kind"] == "block"]["c1"]) == [
        "Total Female Workers at Childbirth",
        "Formal Female Workers",
        "Informal Female Workers",
    ]
    informal_2022 = raw[(raw["block"] == "Informal Female Workers") & (raw["c1"] == "2022")]
    assert informal_2022.iloc[0]["c2"] == "88"
    t67 = load_raw("t67")
    assert sorted(set(t67["block"])) == [
        "",
        "Dissemination of Health Care Scheme",
        "Dissemination of Occupational Risk Scheme",
        "Dissemination of Pension Scheme",
    ]


def test_source_and_title_lines(lines):
    tables = {t.table_id: t for t in match_edition(lines).tables}
    assert tables["t31"].title == "Benefits Expenditure"
    assert tables["t32"].title == "Rehabilitation Services Provision"  # title after '**'
    assert tables["t20"].source == "Department of Budget Management, Finance, and Accounting"
    assert tables["a6_1_1_business"].notes.startswith("Garment Sector includes: 1711")


NUM = re.compile(r"-?\d[\d,]*(?:\.\d+)?%?")


def _numbers(text):
    text = re.sub(r"(19|20)\d\d\s*-\s*(19|20)\d\d", " ", text)
    return [n for n in NUM.findall(text) if not re.fullmatch(r"(19|20)\d\d", n)]


def test_every_printed_number_is_in_raw(lines):
    """Independent of the cell splitter: numbers found by regex in the report region."""
    for t in match_edition(lines).tables:
        first = t.rows[0]["line"]
        last = t.rows[-1]["line"]
        region = [ln for ln in lines[first - 1 : last]]
        printed = Counter(n for ln in region for n in _numbers(ln))
        raw = load_raw(t.table_id)
        cells = [c for col in raw.columns if col.startswith("c") for c in raw[col]]
        in_raw = Counter(n for c in cells for n in _numbers(c))
        assert in_raw == printed, t.table_id


def test_graphics_numbered_1_to_11(lines):
    g = find_graphics(lines)
    assert list(g["label"]) == [f"Graphic {n}" for n in range(1, 12)]
    assert g.iloc[9]["title"] == "Number of Injured Workers in 13 Cases"


def test_missing_source_line_is_an_error():
    lines = ["Table 1: Something", "", "Description\tTotal", "2022\t5"]
    with pytest.raises(ExtractionError, match="Table 1.*Source"):
        match_edition(lines)


def test_split_cells_keeps_empty_cells():
    assert split_cells("a\t\tb \t") == ["a", "", "b", ""]
