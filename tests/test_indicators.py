"""Indicators checked against values computed by hand from the report's tables.

Every expected value is written as the arithmetic on the numbers printed in the report
(table and row named in a comment), never copied from the code's output.
"""

import math

import numpy as np
import pandas as pd
import pytest

from nssf_analysis.analysis import changes, indicator_declarations, indicator_spec
from nssf_analysis.analysis import indicators as ind
from nssf_analysis.analysis.indicators import Indicator, Selector
from nssf_analysis.exceptions import NSSFError, YearNotAvailableError


@pytest.fixture(scope="module")
def y2022():
    return ind.compute(2022)


@pytest.fixture(scope="module")
def y2021():
    return ind.compute(2021)


def val(frame, iid, group=None, sex=None, column="value"):
    i = indicator_declarations.get(iid)
    group = group or i.group
    sex = sex or i.sexes[0]
    row = frame[(frame.indicator == iid) & (frame.group == group) & (frame.sex == sex)]
    assert len(row) == 1, (iid, group, sex)
    return row[column].iloc[0]


# -- occupational risk, private sector ---------------------------------------------------
# Table 5, 2022: contribution-paid workers 1,388,623 (females 876,568); 2021: 1,250,308
# (801,545). Table 10, 2022: workplace 7,342 (F 3,597), commuting 7,400 (F 4,326),
# diseases 0; 2021: 5,719 / 5,684 / 0. Table 11, 2022: minor 12,119, severe 2,402
# (F 1,087), deaths 221 (F 65); 2021: 9,447, 1,762, 194.
def test_fatal_rate_2022(y2022):
    # SDG 8.8.1 style: 221 deaths (Table 11) / 1,388,623 covered workers (Table 5) x 100,000
    assert val(y2022, "or_fatal_rate") == pytest.approx(221 / 1_388_623 * 100_000)
    assert val(y2022, "or_fatal_rate") == pytest.approx(15.915, abs=0.001)
    assert val(y2022, "or_fatal_rate", sex="female") == pytest.approx(65 / 876_568 * 1e5)


def test_fatal_rate_change(y2022):
    rate21 = 194 / 1_250_308 * 1e5
    rate22 = 221 / 1_388_623 * 1e5
    assert val(y2022, "or_fatal_rate", column="previous") == pytest.approx(rate21)
    assert val(y2022, "or_fatal_rate", column="change_pct") == pytest.approx(
        (rate22 - rate21) / rate21 * 100
    )
    assert val(y2022, "or_fatal_rate", column="change_note") == ""


def test_injury_rates_with_and_without_commuting(y2022):
    assert val(y2022, "or_injury_rate") == pytest.approx((7342 + 7400 + 0) / 1_388_623 * 1e5)
    assert val(y2022, "or_workplace_rate") == pytest.approx((7342 + 0) / 1_388_623 * 1e5)
    assert val(y2022, "or_commuting_rate") == pytest.approx(7400 / 1_388_623 * 1e5)
    assert val(y2022, "or_severe_rate") == pytest.approx(2402 / 1_388_623 * 1e5)
    assert val(y2022, "or_injury_rate", sex="female") == pytest.approx(
        (3597 + 4326) / 876_568 * 1e5
    )


def test_injury_rate_registered_denominator(y2022):
    # Table 2, 2022: head offices 715,371 + provincial branches 699,087 members
    assert val(y2022, "or_injury_rate_registered") == pytest.approx(
        14_742 / (715_371 + 699_087) * 1e5
    )


def test_shares_private(y2022, y2021):
    injuries22 = 12_119 + 2_402 + 221  # Table 11 = Table 10's 7,342 + 7,400
    assert injuries22 == 7342 + 7400
    assert val(y2022, "or_severe_share") == pytest.approx(2402 / injuries22 * 100)
    assert val(y2022, "or_case_fatality") == pytest.approx(221 / injuries22 * 100)
    assert val(y2022, "or_commuting_share") == pytest.approx(7400 / (7342 + 7400) * 100)
    assert val(y2021, "or_case_fatality") == pytest.approx(194 / (9447 + 1762 + 194) * 100)
    # shares: the difference is in percentage points
    assert val(y2022, "or_case_fatality", column="difference") == pytest.approx(
        221 / injuries22 * 100 - 194 / 11_403 * 100
    )


def test_reports_per_1000_national(y2022, y2021):
    # Table 9: central 4,353 + provincial 10,660 reports (2022); 3,541 + 8,190 (2021)
    assert val(y2022, "or_reports_per_1000") == pytest.approx(
        (4353 + 10660) / (715_371 + 699_087) * 1000
    )
    assert val(y2021, "or_reports_per_1000") == pytest.approx(
        (3541 + 8190) / (679_433 + 715_891) * 1000
    )


# -- public sector ---------------------------------------------------------------------
def test_public_sector_rates_and_new(y2022):
    # Table 24, 2022: workplace 14, commuting 65; Table 22: 229,413 contribution-paid
    assert val(y2022, "pub_injury_rate") == pytest.approx((14 + 65) / 229_413 * 1e5)
    assert val(y2022, "pub_fatal_rate") == pytest.approx(10 / 229_413 * 1e5)
    # 2021 had no case: a change from zero is "new", never inf or a made-up 100 %
    assert val(y2022, "pub_injury_rate", column="previous") == 0
    assert val(y2022, "pub_injury_rate", column="change_note") == changes.NEW
    assert np.isnan(val(y2022, "pub_injury_rate", column="change_pct"))
    # Table 25, 2022: minor 16, severe 53, deaths 10
    assert val(y2022, "pub_case_fatality") == pytest.approx(10 / (16 + 53 + 10) * 100)


def test_public_zero_over_zero_is_not_a_number(y2021, y2022):
    # Table 25, 2021: no case at all -> a share 0/0 is undefined, said so in the note
    assert np.isnan(val(y2021, "pub_case_fatality"))
    assert val(y2021, "pub_case_fatality", column="note") == "denominator is zero"
    assert val(y2022, "pub_case_fatality", column="change_note") == changes.NOT_AVAILABLE


# -- compliance ------------------------------------------------------------------------
def test_compliance_matches_printed_shares(y2022, y2021):
    # Table 5 prints 94.99 % (2022) and 84.71 % (2021); Table 37 94.99 %; Table 59 86.81 %
    assert val(y2022, "or_enterprise_compliance") == pytest.approx(11_625 / 12_238 * 100)
    assert round(val(y2022, "or_enterprise_compliance"), 2) == 94.99
    assert round(val(y2021, "or_enterprise_compliance"), 2) == 84.71
    assert val(y2022, "hc_enterprise_compliance") == pytest.approx(11_623 / 12_236 * 100)
    assert round(val(y2022, "pension_enterprise_compliance"), 2) == 86.81
    assert val(y2022, "pub_institution_compliance") == 35 / 35 * 100
    assert val(y2022, "pub_hc_institution_compliance") == 39 / 39 * 100
    # 100 % in both years: no change, a real 0
    assert val(y2022, "pub_institution_compliance", column="change_pct") == 0


def test_contribution_per_worker(y2022):
    # Table 5: 137.71 billion riels / 1,388,623 workers, in thousand riels
    assert val(y2022, "or_contribution_per_worker") == pytest.approx(137.71e9 / 1_388_623 / 1e3)


# -- claims and expenditure ------------------------------------------------------------
def test_claim_approval(y2022):
    claimed = 4752 + 6453 + 1424 + 961 + 236  # Table 13, 2022
    provided = 2707 + 2403 + 6404 + 170 + 826 + 235 + 950 + 47  # Table 14, 2022
    assert val(y2022, "or_claim_approval") == pytest.approx(provided / claimed * 100)
    # Table 26 / 27, 2022
    assert val(y2022, "pub_claim_approval") == pytest.approx(
        (42 + 0 + 3 + 5 + 11 + 10 + 0) / (42 + 17 + 10 + 10) * 100
    )
    # Table 39 / 40 by item and in total
    assert val(y2022, "hc_claim_approval", group="Daily Allowances") == pytest.approx(
        13_508 / 13_750 * 100
    )
    assert val(y2022, "hc_claim_approval", group="Maternity Benefits") == pytest.approx(
        50_664 / 50_463 * 100
    )
    assert val(y2022, "hc_claim_approval") == pytest.approx(
        (13_508 + 240 + 50_664) / (13_750 + 414 + 50_463) * 100
    )
    # Table 48 / 49
    assert val(y2022, "pub_hc_claim_approval") == pytest.approx(110 / 182 * 100)


def test_expenditure_per_beneficiary(y2022):
    benefits = 1.17 + 0.18 + 2.34 + 0.63 + 2.63 + 0.94 + 5.78 + 0.18  # Table 18 rows 1.x
    assert val(y2022, "or_benefit_per_victim") == pytest.approx(benefits * 1e6 / 9013)
    assert val(y2022, "or_benefit_per_document") == pytest.approx(benefits * 1e6 / 13_742)
    # Table 18 rows 2.x (8.40 + 0) / Table 16 OPD 8,822 + IPD 4,684
    assert val(y2022, "or_facility_per_service") == pytest.approx(8.40 * 1e6 / (8822 + 4684))
    # Table 44 rows 1.x / Table 41 members receiving benefits
    assert val(y2022, "hc_benefit_per_beneficiary") == pytest.approx(
        (5.85 + 0.12 + 111) * 1e6 / 64_099
    )
    assert val(y2022, "hc_facility_per_service") == pytest.approx(143 * 1e6 / (2_487_386 + 174_949))


def test_table_31_read_as_million_riels(y2022):
    # Table 31 rows 1.x sum to 290.65, printed under "Billion Riels" but stated as million
    # riels in the text (line 574): 290.65 million riels / 70 victims = 4,152 thousand riels
    subtotal = 69.85 + 0 + 14.39 + 15.99 + 110 + 80.42 + 0
    assert subtotal == pytest.approx(290.65)
    assert val(y2022, "pub_benefit_per_victim") == pytest.approx(290.65e6 / 70 / 1e3)


# -- health care and childbirth --------------------------------------------------------
def test_health_care_use(y2022):
    # Table 42 / Table 37 (1,386,879); Table 51 / Table 47 (416,325)
    assert val(y2022, "hc_opd_per_member") == pytest.approx(2_487_386 / 1_386_879)
    assert val(y2022, "hc_ipd_per_1000") == pytest.approx(174_949 / 1_386_879 * 1000)
    assert val(y2022, "pub_hc_opd_per_member") == pytest.approx(316_589 / 416_325)
    assert val(y2022, "pub_hc_ipd_per_1000") == pytest.approx(21_116 / 416_325 * 1000)


def test_maternity_and_childbirth(y2022, y2021):
    # Table 40 maternity documents / Table 37 female contribution-paid workers
    assert val(y2022, "hc_maternity_per_1000_females") == pytest.approx(50_664 / 875_919 * 1000)
    # Table 61 formal mothers / Table 37 females
    assert val(y2022, "childbirth_mothers_per_1000_females") == pytest.approx(
        55_682 / 875_919 * 1000
    )
    assert val(y2021, "childbirth_mothers_per_1000_females") == pytest.approx(
        65_021 / 796_948 * 1000
    )


def test_childbirth_by_province(y2022):
    iid = "childbirth_mothers_per_1000_females_province"
    # Annex 6.5.2 Phnom Penh 15,696 formal mothers / Annex 6.3.1 Phnom Penh 407,461 females
    assert val(y2022, iid, group="Phnom Penh") == pytest.approx(15_696 / 407_461 * 1000)
    # Prey Veng: more mothers (2,628) than registered female workers (2,369): allowed,
    # mothers are counted where paid, workers where their employer is registered
    assert val(y2022, iid, group="Prey Veng") == pytest.approx(2628 / 2369 * 1000)
    # national: printed totals 55,682 mothers (births abroad included) / 880,345 females
    assert val(y2022, iid) == pytest.approx(55_682 / 880_345 * 1000)
    groups = set(y2022[y2022.indicator == iid].group)
    assert "Abroad" not in groups


# -- provinces -------------------------------------------------------------------------
def test_province_reports_khans_added_to_phnom_penh(y2022):
    iid = "or_reports_per_1000_province"
    # Annex 6.1.4: Phnom Penh 4,353 + Dangkao 731 + Mean Chey 73 + Russy Keo 274
    # + Pur Senchey 625 + Chrouy Changvar 0; Annex 6.1.1: Phnom Penh 715,371 workers
    pp = 4353 + 731 + 73 + 274 + 625 + 0
    assert val(y2022, iid, group="Phnom Penh", column="numerator") == pp
    assert val(y2022, iid, group="Phnom Penh") == pytest.approx(pp / 715_371 * 1000)
    assert val(y2022, iid, group="Takeo") == pytest.approx(2117 / 57_491 * 1000)
    # national row = printed annex totals 15,013 reports / 1,414,458 workers
    assert val(y2022, iid) == pytest.approx(15_013 / 1_414_458 * 1000)
    groups = set(y2022[y2022.indicator == iid].group)
    assert not groups & set(indicator_spec.KHANS)
    assert len(groups - {"Cambodia"}) == 25
    # Pailin: 0 female reports / 692 female workers is a real zero
    assert val(y2022, iid, group="Pailin", sex="female") == 0


def test_female_shares(y2022):
    assert val(y2022, "female_share_or_injuries") == pytest.approx(
        (3597 + 4326) / (7342 + 7400) * 100
    )
    assert val(y2022, "female_share_or_deaths") == pytest.approx(65 / 221 * 100)
    assert val(y2022, "female_share_reports_province", group="Phnom Penh") == pytest.approx(
        (2288 + 403 + 19 + 152 + 400 + 0) / (4353 + 731 + 73 + 274 + 625 + 0) * 100
    )


# -- years ----------------------------------------------------------------------------
def test_not_available_year_gives_clear_rows(y2021):
    row = y2021[y2021.indicator == "pension_enterprise_compliance"].iloc[0]
    assert np.isnan(row.value) and np.isnan(row.numerator)
    assert row.note == "not available: Table 59 has no 2021 data"
    prov = y2021[y2021.indicator == "or_reports_per_1000_province"]
    assert len(prov) == 2  # one total row per sex, no province rows
    assert prov.value.isna().all()
    assert prov.note.str.startswith("not available: Annex 6.1.1").all()


def test_2021_has_no_previous_year(y2021):
    assert y2021.previous.isna().all()
    assert (y2021.change_note == changes.NOT_AVAILABLE).all()


def test_unknown_year_raises():
    with pytest.raises(YearNotAvailableError, match="available years: 2021, 2022"):
        ind.compute(2019)


def test_every_indicator_has_a_row_and_no_infinity(y2022):
    assert set(y2022.indicator) == {i.id for i in indicator_declarations.INDICATORS}
    for col in ("value", "previous", "change_pct", "difference"):
        assert not np.isinf(y2022[col].astype(float)).any()
    assert list(y2022.columns) == ind.OUTPUT_COLUMNS


# -- change() ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "base, current, expected",
    [
        (194, 221, (221 - 194) / 194 * 100),
        (200, 100, -50.0),
        (5, 5, 0.0),
        (0, 5, "new (from 0)"),
        (0, 0, "no change"),
        (None, 5, "not available"),
        (5, None, "not available"),
        (float("nan"), 3, "not available"),
    ],
)
def test_change(base, current, expected):
    got = ind.change(base, current)
    if isinstance(expected, str):
        assert got == expected
    else:
        assert got == pytest.approx(expected)
        assert math.isfinite(got)


# -- declarations and edge cases --------------------------------------------------------
def test_selector_that_matches_nothing_is_an_error():
    bad = Indicator(
        id="bad", title="bad", topic="occupational_risk", formula="x / y",
        numerator=Selector("t11", "injuries", {"degree": "no_such_degree"}),
        denominator=Selector("t05", "contribution_paid_workers"),
        reference_group="workers", unit="per 100,000", multiplier=1e5, group="private sector",
    )  # fmt: skip
    with pytest.raises(NSSFError, match="matched no row"):
        ind.evaluate(bad, 2022)


def test_zero_denominator_gives_nan_and_note():
    zero = Indicator(
        id="zero", title="zero", topic="occupational_risk", formula="x / y",
        numerator=Selector("t11", "injuries", {"degree": "deaths"}),
        denominator=Selector("t25", "injuries", {"degree": "deaths"}),  # public deaths 2021 = 0
        reference_group="deaths", unit="ratio", multiplier=1, group="test",
    )  # fmt: skip
    with pytest.raises(TypeError):  # the fields of a declaration are keyword-only
        Indicator("zero", "zero")
    (row,) = ind.evaluate(zero, 2021)
    assert row["numerator"] == 194 and row["denominator"] == 0
    assert np.isnan(row["value"]) and row["note"] == "denominator is zero"


def test_unknown_indicator():
    with pytest.raises(NSSFError, match="unknown indicator"):
        indicator_declarations.get("no_such_indicator")


def test_formula_states_the_multiplier_that_computes_it():
    # the methodology page prints each declaration's formula; its "× 100,000" (or none)
    # must be the multiplier the same declaration computes with
    for i in indicator_declarations.INDICATORS:
        if i.multiplier == 1:
            assert "×" not in i.formula, i.id
        else:
            assert f"× {i.multiplier:,.0f}" in i.formula, i.id


def test_definitions_one_row_per_indicator():
    d = indicator_declarations.definitions()
    assert d.indicator.is_unique
    assert len(d) == len(indicator_declarations.INDICATORS)
    assert set(d.topic) <= set(indicator_spec.TOPICS)
    assert (d.formula.str.len() > 0).all() and (d.unit.str.len() > 0).all()


def test_methodology_markdown_defines_every_indicator():
    text = ind.methodology_markdown()
    for i in indicator_declarations.INDICATORS:
        assert f"### {i.title}\n" in text and f"`{i.id}`" not in text  # words, not ids
        assert i.formula in text
    assert "Dangkao" in text and "contribution-paid" in text
    assert "Table 11 (*" in text and "Annex 6.1.4 (*" in text
    assert text.startswith("# Methodology")


def test_one_change_vocabulary():
    # the indicators, the values behind the tables and the statistics use the same words
    from nssf_analysis.analysis import changes, values
    from nssf_analysis.render import tables

    assert (changes.NEW, changes.NO_CHANGE, changes.NOT_AVAILABLE) == (
        "new (from 0)",
        "no change",
        "not available",
    )
    assert changes.NEW is changes.NEW and changes.NOT_AVAILABLE is changes.NOT_AVAILABLE
    assert values.change_percent is changes.change_percent
    assert tables.format_change(None, "new (from 0)") == "new (from 0)"
    assert tables.format_change(16.4045, "ok", decimals=1) == "+16.4%"


def test_compute_subset_of_ids():
    df = ind.compute(2022, ["or_fatal_rate"])
    assert set(df.indicator) == {"or_fatal_rate"}
    assert isinstance(df, pd.DataFrame) and len(df) == 2  # total and female
