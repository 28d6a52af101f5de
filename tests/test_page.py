"""The helpers every chapter calls, on small hand-made frames and the report's own cells.

Expected values are read from the report (Table 37, line 232: contributions 391.05 and
446.25 billion riels, "Fluctuation" 14.11 %) or computed by hand.
"""

import doctest
import importlib

import pandas as pd
import pytest

import nssf_analysis
from nssf_analysis.analysis import figures
from nssf_analysis.exceptions import NSSFError
from nssf_analysis.render import page

SMALL = pd.DataFrame(
    {
        "year": [2021, 2021, 2022, 2022],
        "sex": ["total", "female", "total", "female"],
        "value": [200.0, 80.0, 250.0, 110.0],
        "printed_change": [float("nan"), float("nan"), 25.01, float("nan")],
    }
)


@pytest.mark.parametrize(
    "module",
    [
        "nssf_analysis.analysis.figures",
        "nssf_analysis.render.page",
        "nssf_analysis.data.catalog",
        "nssf_analysis.render.tables",
        "nssf_analysis.render.style",
        "nssf_analysis.analysis.audit.results",
    ],
)
def test_the_examples_in_the_docstrings_hold(module):
    """The public API's examples (``nssf_analysis.API``) run as written."""
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(importlib.import_module(module), optionflags=flags)
    assert result.attempted > 0 and result.failed == 0


def test_cell_and_both_pick_one_figure_or_none():
    assert figures.cell(SMALL, year=2022, sex="female") == 110.0
    assert figures.both(SMALL, 2022, sex="total") == (250.0, 200.0)
    assert figures.both(SMALL, 2021, sex="total") == (200.0, None)  # no 2020
    assert figures.cell(SMALL, year=2022, province="Kep") is None  # no such dimension
    with pytest.raises(NSSFError, match="2 rows match"):
        figures.cell(SMALL, year=2022)


def test_share_and_known():
    assert figures.share(110.0, 250.0) == pytest.approx(44.0)
    assert figures.share(None, 250.0) is None and figures.share(1.0, 0.0) is None
    assert figures.known(1.0, 0.0) and not figures.known(1.0, float("nan"))


def test_change_in_says_the_printed_change_where_the_report_prints_one():
    # total: 200 -> 250 is +25.00 %, the (made-up) printed change +25.01 % is said
    assert page.change_in(SMALL, 2022, sex="total") == ", up 25.01 % on 2021"
    # female: no printed change, 80 -> 110 computed: +37.50 %
    assert page.change_in(SMALL, 2022, sex="female") == ", up 37.50 % on 2021"
    assert page.change_in(SMALL, 2021, sex="total") == ""  # nothing to compare with


def test_the_report_prints_its_own_rounding_of_a_change():
    t37 = nssf_analysis.load_totals("t37")
    now, before = figures.both(t37, 2022, measure="contributions")
    assert (now, before) == (446.25, 391.05)
    # (446.25 / 391.05 - 1) * 100 = 14.1158…, which rounds to 14.12; the report prints 14.11
    assert page.change(now, before, 2021) == ", up 14.12 % on 2021"
    assert page.change_in(t37, 2022, measure="contributions") == ", up 14.11 % on 2021"


def test_fmt_writes_money_with_its_unit():
    assert page.fmt(446.25, "billion riels") == "446.25 billion riels"
    assert page.fmt(20448, "enterprises") == "20,448"
    assert page.fmt(94.99, "percent") == "94.99%"


def test_md_drops_the_sentences_left_out():
    assert page.md("In 2022, 5 cases.", "", "None before.").data == "In 2022, 5 cases. None before."
