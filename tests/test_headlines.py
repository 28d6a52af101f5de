"""The section-2 headlines, declared once: the overview and the audit agree, units read once.

Expected values are the report's printed figures (line numbers of
``seeds/nssf_annual_report_2022.txt`` in the comments) and sums of them done by hand.
"""

import math

import pytest

from nssf_analysis.analysis import audit, headlines
from nssf_analysis.data import units


@pytest.fixture(scope="module")
def recon():
    return audit.reconciliation.reconcile()


@pytest.fixture(scope="module")
def overview():
    return headlines.headlines(2022)


def test_audit_reconciles_the_declared_headlines():
    assert audit.reconciliation.HEADLINES is headlines.HEADLINES
    keys = [(h.fact_id, h.basis) for h in headlines.HEADLINES]
    assert len(keys) == len(set(keys))


def test_overview_and_reconciliation_agree(recon, overview):
    # the overview reads Table 31 in million riels; the reconciliation shows the printed
    # reading and, adjusted by its unit finding, the same documented reading
    rec = recon[recon["basis"] == "tables"].set_index("fact_id")
    ov = overview.set_index("fact_id")
    assert set(ov.index) == set(rec.index)
    for fid, row in ov.iterrows():
        r = rec.loc[fid]
        expected = r["adjusted_rebuilt"] if not math.isnan(r["adjusted_rebuilt"]) else r["rebuilt"]
        assert row["rebuilt"] == pytest.approx(expected), fid
        assert row["printed"] == r["printed"], fid


def test_members_add_tables_1_46_and_60(overview):
    row = overview.set_index("fact_id").loc["s2_members_total"]
    # Table 1 2,584,706 + Table 46 439,243 + Table 60 96,259 = 3,120,208 (line 140)
    assert row["rebuilt"] == 2584706 + 439243 + 96259
    assert row["printed"] == 3120208
    assert "Table 1 " in row["sources"] and "Table 34" not in row["sources"]


def test_expenditure_sums_one_scale(overview):
    row = overview.set_index("fact_id").loc["s2_expenditure"]
    # million riels: T18 22.26 bn, T31 316.32 m (as the text of A.2.3 reads it), T20 42.20,
    # T33 0.00, T44 260.10 bn (printed total, not the 259.97 of its rows), T53 63.18 bn,
    # T45 1.03, T55 4.69
    expected = 22260 + 316.32 + 42.20 + 0.00 + 260100 + 63180 + 1.03 + 4.69
    assert row["rebuilt"] == pytest.approx(expected)
    assert row["printed"] == 345900.98  # line 140
    assert abs(row["gap"]) < 5  # rounding, not a mixed scale


def test_a_year_without_printed_headlines():
    h = headlines.headlines(2021).set_index("fact_id")
    # Table 15 5,916 + Table 28 10 victims in 2021
    assert h.loc["s2_victims_total", "rebuilt"] == 5916 + 10
    assert math.isnan(h.loc["s2_victims_total", "printed"])
    # the pension scheme began in 2022: Table 59 has no 2021 column
    assert math.isnan(h.loc["s2pen_contribution_income", "rebuilt"])


def test_printed_cell_keeps_the_printed_total_and_change():
    # Table 44 total (line 808): 260.10, change -9.43 %; its rows add up to 259.97
    c = headlines.printed_cell("t44", 2022, item="Total")
    assert (c.value, c.unit, c.printed, c.change) == (260.10, "billion riels", "260.10", -9.43)
    # Table 18 total (line 442): 22.26, +29.95 %
    c = headlines.printed_cell("t18", 2022, item="Total")
    assert (c.value, c.change) == (22.26, 29.95)
    # the year before has no printed change
    assert headlines.printed_cell("t18", 2021, item="Total").change is None


def test_table_31_is_read_in_million_riels():
    c = headlines.printed_cell("t31", 2022, item="Total")
    assert (c.value, c.unit) == (316.32, "million riels")  # line 574: 316.32 million Riels
    assert units.reading("t31", "billion riels") == "million riels"
    assert units.reading("t18", "billion riels") == "billion riels"
    assert units.factor("billion riels", "million riels") == 1000


def test_methodology_states_the_reading_once():
    from nssf_analysis.analysis import indicators

    page = indicators.methodology_markdown()
    assert page.count("Unit of Table 31") == 1
    assert "316.32" in page and "million riels" in page


def test_one_printed_first_lookup():
    from nssf_analysis.analysis import values

    assert headlines.printed_cell is values.printed_cell
    # Table 18 prints its total 22.26 (billion riels); lookup gives the same printed total
    assert values.printed_cell("t18", 2022, item="Total").value == pytest.approx(22.26)
    assert values.lookup("t18", 2022, item="Total") == pytest.approx(22.26)
    assert values.printed_cell("t18", 2022, item="No such item") is None
