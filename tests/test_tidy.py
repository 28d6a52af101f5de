"""Tidy layer tests: expected values read off the report or computed by hand."""

import pandas as pd
import pytest

from nssf_analysis.data.catalog import catalog, load_checks, load_table
from nssf_analysis.data.checks import change_percent
from nssf_analysis.data.tidy import column_paths, parse_value, slug


def one(df, **kw):
    m = pd.Series(True, index=df.index)
    for k, v in kw.items():
        m &= df[k] == v
    assert m.sum() == 1, df[m]
    return df[m].iloc[0]["value"]


def test_office_breakdown_parts_only():
    t = load_table("t02")
    assert set(t["office"]) == {"head_offices", "provincial_branches"}  # totals dropped
    assert one(t, office="head_offices", measure="members", sex="female", year=2022) == 407646
    assert one(t, office="provincial_branches", measure="enterprises", year=2021) == 5028


def test_cumulative_period():
    t = load_table("t01")
    row = t[
        (t["period"] == "2008-2021")
        & (t["office"] == "head_offices")
        & (t["measure"] == "enterprises")
    ]
    assert row.iloc[0]["value"] == 10152
    assert row.iloc[0]["period_start"] == 2008 and row.iloc[0]["year"] == 2021


def test_injury_types_and_sex():
    t = load_table("t10", year=2022)
    assert one(t, injury_type="workplace_accidents", sex="female") == 3597
    assert one(t, injury_type="commuting_accidents", sex="total") == 7400
    assert "all" not in set(t["injury_type"])


def test_items_hierarchy_subtotals_dropped():
    t = load_table("t18")
    assert "1." not in set(t["no"]) and "Total" not in set(t["item"])
    assert one(t, no="1.7", year=2022) == 5.78
    assert set(t["unit"]) == {"billion riels"}


def test_units_from_unit_column_and_headers():
    assert set(load_table("t16")["unit"]) == {"times/persons"}
    assert set(load_table("t20")["unit"]) == {"million riels"}
    t45 = load_table("t45")
    assert set(t45["unit"]) == {"times/persons", "million riels"}


def test_shifted_row_right_aligned_and_reported():
    t = load_table("t23", year=2022)
    assert one(t, measure="investigation_results", status="new", level="central") == 1
    assert one(t, measure="investigation_results", status="new", level="provincial") == 29
    checks = load_checks()
    shifted = checks[(checks["table_id"] == "t23") & (checks["check"] == "shifted_cells")]
    assert list(shifted["line"]) == ["513", "514", "515"]


def test_blocks_as_dimension():
    t = load_table("t61", year=2022)
    assert one(t, worker_group="informal", measure="mothers") == 88
    assert set(t["worker_group"]) == {"formal", "informal"}


def test_annex_province_and_months():
    t = load_table("a6_1_3_monthly")
    assert one(t, province="Phnom Penh", month=12) == 147
    assert len(t) == 25 * 12
    a = load_table("a6_5_2")
    assert one(a, province="Abroad", sector="formal", measure="children") == 20


def test_report_year_used_when_table_prints_none():
    assert set(load_table("t71")["year"]) == {2022}


def test_checks_kept_with_conventions():
    c = load_checks()
    # Table 24 prints 100.00% for a change from 0 (2021) to 79 (2022): a convention
    row = c[
        (c["table_id"] == "t24")
        & (c["check"] == "fluctuation")
        & (c["location"] == "injury_type=all; measure=injuries; sex=total")
    ]
    assert list(row["status"]) == ["convention"]
    # Table 1: 20,448 = 11,805 + 8,643 exactly
    tot = c[(c["table_id"] == "t01") & (c["check"] == "sum:office") & (c["printed"] == "20,448")]
    assert list(tot["status"]) == ["ok"]
    # Table 5 prints 12.13% for 84.71% -> 94.99%: (94.99-84.71)/84.71 = 12.1355% -> rounding
    r = c[(c["table_id"] == "t05") & (c["printed"] == "12.13%")]
    assert list(r["status"]) == ["rounding"]


def test_catalog_rows():
    cat = catalog().set_index("table_id")
    assert len(cat) == 87
    assert cat.loc["t10", "label"] == "Table 10"
    assert cat.loc["t10", "section"] == "A.1.2"
    assert cat.loc["t10", "scheme"] == "occupational_risk"
    assert cat.loc["t46", "sector"] == "public"
    assert cat.loc["a6_1_4", "label"] == "Annex 6.1.4"
    assert cat.loc["t13", "source"] == "Department of Social Security Benefits"


@pytest.mark.parametrize(
    "text, value",
    [
        ("1,234", 1234.0),
        ("-4.35%", -4.35),
        ("0.00", 0.0),
        ("1300%", 1300.0),
        ("-", None),
        ("", None),
    ],
)
def test_parse_value(text, value):
    assert parse_value(text) == value


def test_parse_value_rejects_text():
    with pytest.raises(ValueError):
        parse_value("12a")


def test_change_percent():
    assert change_percent(11272, 12238) == pytest.approx(8.5699, abs=1e-4)
    assert change_percent(0, 5) is None


def test_slug():
    assert slug("Provincial/Khan Branches") == "provincial_khan_branches"
    assert slug("Contributions (Billion Riels)") == "contributions"


def test_column_paths_span_within_parent():
    header = [
        ["Description", "Total", "", "", "Head", "", ""],
        ["", "Ent", "Mem", "Fem", "Ent", "Mem", "Fem"],
    ]
    paths = column_paths(header, 7)
    assert paths[3] == ["Total", "Fem"] and paths[4] == ["Head", "Ent"]
    header = [["D", "A", "B", ""], ["", "", "x", "y"]]
    assert column_paths(header, 4)[1] == ["A", ""]


def test_raw_round_trip_gives_same_tidy():
    """Tidying the committed raw file gives the committed tidy file."""
    from nssf_analysis.data.tidy import build, raw_table

    for tid in ["t01", "t18", "t23", "t61", "t67", "a6_5_2"]:
        tidy, _ = build(raw_table(tid), 2022)
        committed = load_table(tid)
        assert len(tidy) == len(committed), tid
        assert [float(v) for v in tidy["value"]] == list(committed["value"]), tid


def test_rounding_tolerance_by_printed_precision():
    from nssf_analysis.data.checks import rounding_tolerance

    # Table 44, 2022: 5.85 + 0.12 + 111 = 116.97 against a printed 116.93
    tol = rounding_tolerance(["5.85", "0.12", "111", "116.93"], "billion riels")
    assert tol == pytest.approx(0.005 + 0.005 + 0.5 + 0.005)
    assert abs(116.93 - 116.97) <= tol
    assert rounding_tolerance(["3", "4", "7"], "persons") == 0.0
    c = load_checks()
    row = c[(c["table_id"] == "t44") & (c["printed"] == "116.93")]
    assert list(row["status"]) == ["rounding"]
