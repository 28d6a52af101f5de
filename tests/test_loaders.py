"""The loaders every chapter calls: a table's printed totals, and the figures of the text.

``load_totals(table_id, missing_ok=True)`` gives a table this edition does not print as
an empty frame a chapter filters as it filters a printed one; ``stated_facts(year)``
gives the figures the report states in its text, for the report's own year only.
Expected values are those of seeds/nssf_annual_report_2022.txt; the edition without
Table 21 is extracted to a temporary folder (tests/test_missing_facts.py).
"""

from pathlib import Path

import pandas as pd
import pytest
from conftest import put_edition
from test_missing_facts import without_table_21

from nssf_analysis import cell, in_edition, load_totals, stated_facts
from nssf_analysis.data.cache import clear_all
from nssf_analysis.data.pipeline import write_data
from nssf_analysis.exceptions import UnknownTableError, YearNotAvailableError

#: The columns of every frame of load_totals beside a table's own dimensions.
COLUMNS = [
    "sex",
    "year",
    "measure",
    "unit",
    "value",
    "period",
    "role",
    "recomputed",
    "printed_change",
]


@pytest.fixture(scope="module")
def no_table_21_root(tmp_path_factory) -> Path:
    """The 2022 report without Table 21 (and the sentence before it), extracted once for
    the module (its tests only read it): the folder of its seeds/, data/ and outputs/."""
    root = tmp_path_factory.mktemp("no_table_21")
    with pytest.MonkeyPatch.context() as mp:
        put_edition(mp, root, without_table_21())
        write_data()
    clear_all()
    return root


@pytest.fixture
def no_table_21(no_table_21_root, monkeypatch):
    """The package reads the edition without Table 21."""
    put_edition(monkeypatch, no_table_21_root, without_table_21())  # the same text again
    assert not in_edition("t21")
    yield
    clear_all()


# --------------------------------------------------------------------------------------
# load_totals(table_id, missing_ok=True)
# --------------------------------------------------------------------------------------


def test_a_table_the_edition_does_not_print_is_an_empty_frame(no_table_21):
    t21 = load_totals("t21", missing_ok=True)
    assert t21.empty
    assert list(t21.columns) == COLUMNS
    assert pd.api.types.is_integer_dtype(t21["year"])
    for col in ("value", "recomputed", "printed_change"):
        assert pd.api.types.is_float_dtype(t21[col]), col
    for col in ("sex", "measure", "unit", "period", "role"):
        assert pd.api.types.is_string_dtype(t21[col]), col
    # the columns and types of a printed table's frame (Table 22, sex pairs like Table 21)
    t22 = load_totals("t22", missing_ok=True)
    assert set(COLUMNS) <= set(t22.columns)
    for col in set(COLUMNS) - {"value"}:
        assert t21[col].dtype == t22[col].dtype, col
    # what a chapter does with it selects nothing
    rows = t21[(t21["year"] == 2022) & (t21["sex"] == "total") & (t21["role"] == "value")]
    assert rows.empty
    assert cell(t21, year=2022, measure="members", sex="total") is None


def test_a_printed_table_is_the_same_with_the_option(no_table_21):
    # line 500, Table 22 (printed as Table 21 in this edition): "2022  35  35  229,413
    # 108,113  4.69"
    t22 = load_totals("t22", missing_ok=True)
    pd.testing.assert_frame_equal(t22, load_totals("t22"))
    assert cell(t22, year=2022, measure="contribution_paid_members", sex="total") == 229_413
    assert cell(t22, year=2022, measure="contribution_paid_members", sex="female") == 108_113
    assert cell(t22, year=2021, measure="contribution_paid_members", sex="total") == 218_136


def test_without_the_option_the_error_is_unchanged(no_table_21):
    with pytest.raises(UnknownTableError, match=r"^unknown table id 't21'; known ids: t01"):
        load_totals("t21")


def test_an_id_that_is_no_table_is_an_error_with_the_option_as_without_it():
    for options in ({}, {"missing_ok": True}):
        with pytest.raises(KeyError, match="t99"):
            load_totals("t99", **options)


def test_the_facts_of_the_report_year_are_those_its_text_states():
    facts = stated_facts(2022)
    assert facts.index.name == "fact_id"
    assert pd.api.types.is_float_dtype(facts)
    # line 140: "As of 2022, NSSF has registered a total of 21,430 formal and informal
    # institutions/enterprises/establishments consisting of 3,120,208 members (1,798,510
    # females), received contribution income of around 740,480.76 million Riels …"
    assert facts["s2_registered_enterprises"] == 21_430
    assert facts["s2_members_total"] == 3_120_208
    assert facts["s2_members_female"] == 1_798_510
    assert facts["s2_contribution_income"] == 740_480.76
    # line 492: "there are 35 contributory and contribution-paid institutions consisting
    # of 229,413 members (108,113 females) …"
    assert facts["a21_contribution_paid_members_total"] == 229_413


def test_an_earlier_year_has_no_stated_facts():
    facts = stated_facts(2021)
    assert facts.empty
    assert facts.index.name == "fact_id"
    assert pd.api.types.is_float_dtype(facts)
    assert facts.get("s2_registered_enterprises") is None


def test_a_year_without_data_is_an_error():
    with pytest.raises(YearNotAvailableError, match="no data for year 2020"):
        stated_facts(2020)


def test_a_fact_whose_sentence_the_edition_drops_is_not_stated(no_table_21):
    # line 479, the sentence before Table 21: "… NSSF has registered 35 institutions
    # consisting of 257,644 members (107,650 females)."
    facts = stated_facts(2022)
    assert "a21_registered_institutions" not in facts.index
    assert facts["a21_contribution_paid_institutions"] == 35
