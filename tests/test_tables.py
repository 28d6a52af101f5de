"""Report-style tables: layout, recomputed totals and changes, markers, captions.

Expected numbers are read in the report (the printed tables) or computed by hand
from printed values; they never come from the code under test.
"""

import re

import pandas as pd
import pytest

from nssf_analysis.analysis import values as av
from nssf_analysis.data.catalog import catalog
from nssf_analysis.render import directory_view, tables

ALL_IDS = list(catalog()["table_id"])


def cell(table_id, year, **dims):
    return av.lookup(table_id, year, **dims)


# --- layout -------------------------------------------------------------------------


def test_layout_years_as_rows_for_an_office_breakdown():
    lay = av.layout("t01")
    assert lay.years_in_rows and lay.compare
    assert lay.row_dims == ()
    assert lay.col_dims == ("office", "measure", "sex")


def test_layout_items_in_rows_years_in_columns():
    lay = av.layout("t06")
    assert not lay.years_in_rows
    assert lay.row_dims == ("no", "item")
    assert set(lay.col_dims) == {"measure", "office", "sex"}


def test_layout_row_label_resolving_to_measure():
    # Table 9 prints the measure ("Occupational Risk Reports") as a row label
    assert av.layout("t09").row_dims == ("measure", "status")


def test_layout_block_dimension_is_the_outer_row():
    assert av.layout("t61").row_dims[0] == "worker_group"
    assert av.layout("t67").row_dims[0] == "scheme"


def test_single_year_tables_do_not_compare():
    assert not av.layout("a6_1_1").compare
    assert not av.layout("t38").compare
    assert av.layout("t56").compare  # printed with an empty 2021 row


# --- recomputed totals (expected values printed in the report) ----------------------


def test_office_total_recomputed_table_1():
    # Table 1, row 2008-2022: Total 20,448 enterprises, 2,584,706 members, 1,646,397 females
    assert cell("t01", 2022, office="total", measure="enterprises") == 20448
    assert cell("t01", 2022, office="total", measure="members") == 2584706
    assert cell("t01", 2022, office="total", measure="members", sex="female") == 1646397


def test_injury_type_total_table_10():
    # Table 10, 2022: Total 14,742, Females 7,923
    assert cell("t10", 2022, injury_type="all", measure="injuries") == 14742
    assert cell("t10", 2022, injury_type="all", measure="injuries", sex="female") == 7923


def test_degree_total_excludes_non_occupational_risks_table_11():
    # Overall Total 2021 = 9,447 + 1,762 + 194 = 11,403 (Non-Occupational Risks not added)
    assert cell("t11", 2021, degree="all", measure="injuries") == 9447 + 1762 + 194


def test_item_total_table_13():
    # Table 13 Total: 9,521 (2021) and 13,826 (2022)
    assert cell("t13", 2021, item="Total") == 9521
    assert cell("t13", 2022, item="Total") == 13826


def test_subtotals_and_total_printed_first_table_18():
    # 1. = 1.17 + 0.18 + 2.34 + 0.63 + 2.63 + 0.94 + 5.78 + 0.18 = 13.85; the report prints 13.86
    sub = cell("t18", 2022, no="1.", item="Occupational Risk Benefits")
    assert sub == pytest.approx(13.86)
    v = av.values("t18", 2022)
    row = v[(v["no"] == "1.") & (v["year"] == 2022)].iloc[0]
    assert row["recomputed"] == pytest.approx(13.85)
    # Grand total = 13.85 + 8.40 + 0.00 = 22.25; the report prints 22.26
    assert cell("t18", 2022, item="Total") == pytest.approx(22.26)


def test_two_total_dimensions_table_9():
    # Table 9, 2022: investigation results Total/Total 15,184; reports Total 15,013
    assert cell("t09", 2022, measure="investigation_results", level="total", status="total") == (
        15184
    )
    assert cell("t09", 2022, measure="occupational_risk_reports", level="total", status="all") == (
        15013
    )


def test_grand_total_table_38():
    # Table 38: Grand Total 1,501 health facilities
    assert cell("t38", 2022, level="total", facility_type="all") == 1501


def test_only_printed_totals_are_added():
    # Annex 6.5.2 prints "Number of Mothers/Children" for both sectors, not twins/triplets
    df = av.values("a6_5_2", 2022)
    alls = df[(df["sector"] == "all") & (df["province"] != "Total")]
    assert set(alls["measure"]) == {"mothers", "children"}


def test_non_additive_measures_are_not_summed():
    df = av.values("t61", 2022)
    allow = df[(df["worker_group"] == "all") & (df["measure"] == "allowance_per_newborn")]
    assert allow.empty


def test_month_total_annex_6_1_3():
    # Annex 6.1.3 (months), Total row, January: 241
    assert cell("a6_1_3_monthly", 2022, province="Total", month="1", no="") == 241


def test_lookup_needs_enough_dimensions():
    with pytest.raises(ValueError, match="give more dimensions"):
        av.lookup("t01", 2022, measure="members")


def test_values_keep_the_year_before_only():
    years = set(av.values("t10", 2022)["year"])
    assert years == {2021, 2022}
    assert set(av.values("t10", 2021)["year"]) == {2021}


# --- changes -----------------------------------------------------------------------


def test_change_percent_by_hand():
    assert av.change_percent(200.0, 250.0) == (pytest.approx(25.0), "ok")
    assert av.change_percent(0.0, 5.0) == (None, "new (from 0)")
    assert av.change_percent(0.0, 0.0) == (None, "no change")
    assert av.change_percent(None, 5.0) == (None, "not available")


def test_changes_recomputed_table_1():
    ch = av.changes("t01", 2022)
    row = ch[(ch["office"] == "total") & (ch["measure"] == "enterprises") & (ch["sex"] == "total")]
    # (20,448 - 17,317) / 17,317 = 18.0805 %
    assert row["change"].iloc[0] == pytest.approx(3131 / 17317 * 100)


def test_changes_without_the_year_before_are_not_available():
    ch = av.changes("t10", 2021)
    assert set(ch["reading"]) == {"not available"}
    assert ch["change"].isna().all()


def test_change_from_zero_table_23():
    ch = av.changes("t23", 2022)
    rep = ch[(ch["measure"] == "occupational_risk_reports") & (ch["level"] == "total")]
    assert rep["reading"].iloc[0] == "new (from 0)"


def test_format_value_and_change():
    assert av.format_value(1234567.0, "persons") == "1,234,567"
    assert av.format_value(22.3, "billion riels") == "22.30"
    assert av.format_value(94.99, "percent") == "94.99%"
    assert av.format_value(float("nan"), "persons") == "–"
    assert tables.format_change(18.0805, "ok") == "+18.08%"
    assert tables.format_change(None, "not available") == "not available"
    # whole riels print without decimals, million and billion riels with two
    assert av.format_value(1500.0, "riels") == "1,500"
    assert av.format_value(316.32, "million riels") == "316.32"
    assert av.format_value(5.0, "million riels") == "5.00"
    # the indicators' display: one decimal, a share's difference in points
    assert tables.format_change(16.4045, "ok", decimals=1, points=0.84) == "+16.4% (+0.84 pts)"
    assert tables.format_change(float("nan"), "ok") == "not available"
    assert tables.format_change(None, "no change") == "no change"


def test_one_formatter_of_a_value_with_its_unit():
    from nssf_analysis.analysis import values

    assert av.format_value is values.format_value
    assert {"riels", "million riels", "billion riels"} <= tables.SHOWN_UNITS


def test_source_lines_below_a_table():
    from nssf_analysis.render.printed import source_lines

    info = {"source": "NSSF", "notes": ""}
    assert source_lines(info, ["persons", ""]) == ["Unit: persons.", "Source: NSSF."]
    assert source_lines({"notes": "x"}, []) == ["Note: x."]


def test_labels():
    assert tables.label("sex", "female") == "Females"
    assert tables.label("office", "head_offices") == "Head offices"
    assert tables.label("measure", "contributions", "billion riels") == (
        "Contributions (billion riels)"
    )
    assert tables.label("measure", "enterprises", "enterprises") == "Enterprises"
    assert tables.label("month", "3") == "Mar"
    assert tables.label("status", "all", total="total") == ""


# --- the table ---------------------------------------------------------------------


def test_table_html_has_anchor_caption_unit_source():
    html = tables.table("t13", 2022).to_html()
    assert 'id="t13"' in html
    assert "Table 13:</span>" in html and "Benefits Claim" in html
    assert "Unit: documents." in html
    assert "Source: Department of Social Security Benefits." in html


def test_table_html_is_deterministic():
    assert tables.table("t10", 2022).to_html() == tables.table("t10", 2022).to_html()


def test_annex_anchor():
    assert 'id="a6_1_4"' in tables.table("a6_1_4", 2022).to_html()


def test_markers_link_to_the_data_quality_chapter():
    html = tables.table("t18", 2022).to_html()
    # Table 18 prints 13.86 for subtotal 1. in 2022 where the items add up to 13.85: a
    # difference within rounding, marked with the one note its 15 such cells share (the
    # data-quality chapter lists each)
    assert 'href="08_data_quality.html#finding-t18"' in html
    assert "13.86<sup" in html
    assert "15 cells differ from what the printed figures give, within rounding" in html


def test_structural_findings_are_noted_below_the_table():
    html = tables.table("t23", 2022).to_html()
    assert "the row prints one cell fewer than its header has columns" in html


def test_table_without_rows_for_the_year_says_so():
    st = tables.table("t56", 2021)
    html = st.to_html()
    assert "The report has no data for 2021 in this table (it covers 2022)." in html
    assert 'id="t56"' in html and "Table 56:" in html


def test_repr_is_the_caption_without_address():
    assert repr(tables.table("t10", 2022)).startswith("Table 10: Occupational Risk")


@pytest.mark.parametrize("year", [2022, 2021])
@pytest.mark.parametrize("table_id", ALL_IDS)
def test_every_table_renders_for_every_year(table_id, year):
    html = tables.table(table_id, year).to_html()
    assert f'id="{table_id}"' in html
    label = catalog().set_index("table_id").loc[table_id, "label"]
    assert f"{label}:</span>" in html
    assert not re.search(r"\bnan\b", html)


# --- directories and provinces ------------------------------------------------------


def test_directory_lists_every_facility_per_province():
    d = directory_view.directory_frame("a6_6_1")
    assert len(d) == 1501  # Table 38: 1,501 health facilities signed the agreement
    assert d.index.name == "Capital/province"
    assert "Phnom Penh" in set(d.index)


def test_the_annex_chapter_counts_the_directories_and_places():
    from chapter import run_cells

    annex = run_cells("06_provinces", 2022)
    c = annex["counts"]
    health = c[("Health care", "Total")]
    assert health.sum() == 1501  # Table 38 / Annex 6.6.1: 1,501 health-care facilities
    assert (c[("Health care", "Public")] + c[("Health care", "Private")] == health).all()
    # Annex 6.1.1, Phnom Penh: 715,371 workers, the most of any place
    assert annex["workers_by_place"].index[0] == "Phnom Penh"
    assert annex["workers_by_place"]["Phnom Penh"] == 715371


def test_contents_cover_every_table_with_a_chapter_link():
    c = tables.contents(2022)
    assert len(c) == len(ALL_IDS)
    assert c["Table"].str.contains(r'href="0[1-6]_[a-z_]+\.html#', regex=True).all()
    t10 = c[c["Table"].str.contains("#t10")].iloc[0]
    assert "01_occupational_risk.html#t10" in t10["Table"]
    # Table 10 prints 0.00% for the occupational diseases (0 → 0), total and females
    assert t10["Flagged checks"] == 2


def test_plain_table_aligns_text_left_and_numbers_right():

    from nssf_analysis.render.tables import plain_table

    frame = pd.DataFrame(
        {
            "Indicator": ["Compliance <paid>", "Approval"],
            "Value": ["94.99%", "n/a"],
            "Count": ["11,625", "<0.001"],
            "Change": ["+1.2%", "new"],
        }
    )
    html = plain_table(frame, "demo").to_html()
    assert 'id="T_demo"' in html
    assert "Compliance &lt;paid&gt;" in html  # text is escaped
    # one rule per text column (column 0) and none for the number columns 1-3
    assert "#T_demo td.col0 {\n  text-align: left;" in html
    for i in (1, 2, 3):
        assert f"td.col{i} {{" not in html
    assert "row_heading" not in html  # no index


def test_catalog_row_is_the_catalogs_row_and_a_copy():
    from nssf_analysis.data.catalog import catalog_row

    row = catalog_row("t01")
    assert row["label"] == "Table 1"
    assert row["table_id"] == "t01"
    row["label"] = "changed"
    assert catalog_row("t01")["label"] == "Table 1"
    with pytest.raises(KeyError):
        catalog_row("t999")


def test_load_totals_adds_each_printed_subtotal_once_table_66():
    from nssf_analysis import load_totals

    t66 = load_totals("t66")
    assert not t66.duplicated().any()
    # report line 1241: "1. Training Courses and Workshops  33  929  286  49  783  281"
    sub = t66[(t66["role"] == "subtotal") & (t66["no"] == "1.") & (t66["year"] == 2022)]
    got = {(r["measure"], r["sex"]): r["value"] for r in sub.to_dict("records")}
    assert got == {
        ("courses", "total"): 49,
        ("participants", "total"): 783,
        ("participants", "female"): 281,
    }
    # "Total (1+2)  34  932  288  51  787  281": one row per printed cell
    total = t66[(t66["role"] == "total") & (t66["year"] == 2022)]
    assert sorted(total["value"]) == [51, 281, 787]
