"""Tests of nssf_analysis.facts: numbers stated in the report's prose.

Every expected value below was copied by hand from seeds/nssf_annual_report_2022.txt.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from nssf_analysis.data.facts import FactSpec, Number, apply_spec, extract_facts
from nssf_analysis.data.report_text import seed_file
from nssf_analysis.exceptions import ExtractionError

COLUMNS = [
    "fact_id",
    "section",
    "scheme",
    "sector",
    "measure",
    "sex",
    "unit",
    "value",
    "printed",
    "sentence",
    "line",
]

UNITS = {
    "persons",
    "enterprises",
    "institutions",
    "documents",
    "times/persons",
    "times",
    "million riels",
    "billion riels",
    "percent",
    "cases",
    "factories",
    "cards",
    "health facilities",
    "associations",
}


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return seed_file(2022).read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def facts(lines) -> pd.DataFrame:
    return extract_facts(lines)


def _fact(facts: pd.DataFrame, fact_id: str) -> pd.Series:
    rows = facts[facts["fact_id"] == fact_id]
    assert len(rows) == 1, f"{fact_id}: {len(rows)} rows"
    return rows.iloc[0]


# (fact_id, section, sex, unit, value, printed), copied by hand from the report text.
EXPECTED = [
    # 2. ANNUAL ACHIEVEMENTS, headline paragraph
    ("s2_registered_enterprises", "2", "total", "enterprises", 21430, "21,430"),
    ("s2_members_total", "2", "total", "persons", 3120208, "3,120,208"),
    ("s2_members_female", "2", "female", "persons", 1798510, "1,798,510"),
    ("s2_contribution_income", "2", "total", "million riels", 740480.76, "740,480.76"),
    ("s2_expenditure", "2", "total", "million riels", 345900.98, "345,900.98"),
    ("s2_victims_total", "2", "total", "persons", 9083, "9,083"),
    ("s2_victims_female", "2", "female", "persons", 4539, "4,539"),
    ("s2_health_care_access_total", "2", "total", "times/persons", 3000040, "3,000,040"),
    ("s2_health_care_access_female", "2", "female", "times/persons", 2195365, "2,195,365"),
    # 2. per-scheme paragraphs
    ("s2or_registered_enterprises", "2.OR", "total", "enterprises", 20483, "20,483"),
    ("s2or_contribution_income", "2.OR", "total", "million riels", 142398.50, "142,398.50"),
    ("s2or_expenditure", "2.OR", "total", "million riels", 22619.33, "22,619.33"),
    ("s2hc_registered_enterprises", "2.HC", "total", "enterprises", 18803, "18,803"),
    ("s2hc_expenditure", "2.HC", "total", "million riels", 323281.65, "323,281.65"),
    ("s2pen_voluntary_members_total", "2.PEN", "total", "persons", 2706, "2,706"),
    ("s2pen_voluntary_members_female", "2.PEN", "female", "persons", 992, "992"),
    ("s2pen_contribution_income", "2.PEN", "total", "million riels", 111321.01, "111,321.01"),
    # A.1.1
    ("a11_registered_enterprises", "A.1.1", "total", "enterprises", 20448, "20,448"),
    ("a11_new_enterprises", "A.1.1", "total", "enterprises", 3105, "3,105"),
    ("a11_new_members_female", "A.1.1", "female", "persons", 138101, "138,101"),
    ("a11_contributory_enterprises", "A.1.1", "total", "enterprises", 12238, "12,238"),
    ("a11_contribution_paid_enterprises", "A.1.1", "total", "enterprises", 11625, "11,625"),
    ("a11_contribution_paid_members_total", "A.1.1", "total", "persons", 1388623, "1,388,623"),
    ("a11_contribution_paid_members_female", "A.1.1", "female", "persons", 876568, "876,568"),
    ("a11_on_time_share", "A.1.1", "total", "percent", 94.99, "94.99"),
    ("a11_late_share", "A.1.1", "total", "percent", 5.01, "5.01"),
    # A.1.3
    ("a13_claims_documents", "A.1.3", "total", "documents", 13826, "13,826"),
    ("a13_claims_victims_total", "A.1.3", "total", "persons", 9273, "9,273"),
    ("a13_claims_victims_female", "A.1.3", "female", "persons", 4617, "4,617"),
    ("a13_provision_documents", "A.1.3", "total", "documents", 13742, "13,742"),
    ("a13_beneficiary_victims_total", "A.1.3", "total", "persons", 9013, "9,013"),
    ("a13_beneficiary_victims_female", "A.1.3", "female", "persons", 4521, "4,521"),
    ("a13_health_care_access_total", "A.1.3", "total", "times/persons", 13506, "13,506"),
    ("a13_expenditure", "A.1.3", "total", "billion riels", 22.26, "22.26"),
    # A.2.1 / A.2.3
    ("a21_registered_institutions", "A.2.1", "total", "institutions", 35, "35"),
    ("a21_members_total", "A.2.1", "total", "persons", 257644, "257,644"),
    ("a21_contribution_income", "A.2.1", "total", "billion riels", 4.69, "4.69"),
    ("a23_claims_documents", "A.2.3", "total", "documents", 79, "79"),
    ("a23_expenditure", "A.2.3", "total", "million riels", 316.32, "316.32"),
    # B.1.1 / B.1.2
    ("b11_registered_enterprises", "B.1.1", "total", "enterprises", 17821, "17,821"),
    ("b11_contributory_enterprises", "B.1.1", "total", "enterprises", 12236, "12,236"),
    ("b12_contracted_health_facilities", "B.1.2", "total", "health facilities", 1501, "1,501"),
    ("b12_claims_documents", "B.1.2", "total", "documents", 64627, "64,627"),
    ("b12_claims_victims_total", "B.1.2", "total", "persons", 64226, "64,226"),
    ("b12_claims_victims_female", "B.1.2", "female", "persons", 60374, "60,374"),
    ("b12_provision_documents", "B.1.2", "total", "documents", 64412, "64,412"),
    ("b12_emergency_documents", "B.1.2", "total", "documents", 240, "240"),
    ("b12_maternity_allowance_documents", "B.1.2", "total", "documents", 50664, "50,664"),
    ("b12_daily_allowance_documents", "B.1.2", "total", "documents", 13508, "13,508"),
    ("b12_health_care_access_total", "B.1.2", "total", "times/persons", 2662335, "2,662,335"),
    ("b12_health_care_access_female", "B.1.2", "female", "times/persons", 2054688, "2,054,688"),
    ("b12_expenditure", "B.1.2", "total", "billion riels", 260.10, "260.10"),
    # B.2.1 / B.2.2
    ("b21_registered_institutions", "B.2.1", "total", "institutions", 39, "39"),
    ("b21_contribution_income", "B.2.1", "total", "billion riels", 40.52, "40.52"),
    ("b22_health_care_access_total", "B.2.2", "total", "times/persons", 337705, "337,705"),
    # C
    ("c_registered_enterprises", "C", "total", "enterprises", 14352, "14,352"),
    ("c_contribution_income", "C", "total", "billion riels", 111.54, "111.54"),
    ("c_voluntary_contribution_income", "C", "total", "billion riels", 0.22, "0.22"),
    ("c_on_time_share", "C", "total", "percent", 86.81, "86.81"),
    # D.1
    ("d1_informal_enterprises", "D.1", "total", "enterprises", 943, "943"),
    ("d1_informal_members_total", "D.1", "total", "persons", 96259, "96,259"),
    ("d1_informal_members_female", "D.1", "female", "persons", 20822, "20,822"),
    ("d1_local_institutions", "D.1", "total", "institutions", 223, "223"),
    ("d1_athlete_associations", "D.1", "total", "associations", 1, "1"),
    ("d1_athletes_total", "D.1", "total", "persons", 1183, "1,183"),
    ("d1_driver_associations", "D.1", "total", "associations", 30, "30"),
    ("d1_other_enterprise_members_female", "D.1", "female", "persons", 2017, "2,017"),
    # E
    ("e1_governing_body_meetings", "E.1", "total", "times", 6, "6"),
    ("e3_medical_council_meetings", "E.3", "total", "times", 29, "29"),
    ("e4_official_physician_meetings", "E.4", "total", "times", 36, "36"),
    ("e4_evaluated_victims_total", "E.4", "total", "persons", 1005, "1,005"),
    ("e4_evaluated_victims_female", "E.4", "female", "persons", 385, "385"),
    ("e51_traffic_accident_cases", "E.5.1", "total", "cases", 13, "13"),
    ("e51_injured_workers_female", "E.5.1", "female", "persons", 355, "355"),
    ("e52_factories_investigated", "E.5.2", "total", "factories", 8, "8"),
    ("e52_unconscious_workers_total", "E.5.2", "total", "persons", 266, "266"),
    ("e53_card_members_total", "E.5.3", "total", "persons", 3206, "3,206"),
    ("e53_card_members_female", "E.5.3", "female", "persons", 1695, "1,695"),
    ("e53_lost_cards_total", "E.5.3", "total", "cards", 778, "778"),
    ("e53_renewal_cards_female", "E.5.3", "female", "cards", 996, "996"),
]


@pytest.mark.parametrize(
    ("fact_id", "section", "sex", "unit", "value", "printed"),
    EXPECTED,
    ids=[row[0] for row in EXPECTED],
)
def test_expected_fact(facts, fact_id, section, sex, unit, value, printed):
    row = _fact(facts, fact_id)
    assert row["section"] == section
    assert row["sex"] == sex
    assert row["unit"] == unit
    assert row["value"] == pytest.approx(value)
    assert row["printed"] == printed
    assert printed in row["sentence"]


def test_columns_and_dtypes(facts):
    assert list(facts.columns) == COLUMNS
    assert facts["value"].dtype == float
    assert pd.api.types.is_integer_dtype(facts["line"])


def test_stray_space_thousands_separator(facts, lines):
    row = _fact(facts, "a13_health_care_access_female")
    assert row["printed"] == "7, 166"
    assert row["value"] == 7166.0
    assert row["sex"] == "female"
    assert row["unit"] == "times/persons"
    assert row["line"] == 381
    assert "(7, 166 times/females)" in row["sentence"]
    assert "(7, 166 times/females)" in lines[row["line"] - 1]


def test_b22_female_count_printed_as_times_persons(facts):
    row = _fact(facts, "b22_health_care_access_female")
    assert row["printed"] == "140,677"
    assert row["value"] == 140677.0
    assert row["sex"] == "female"
    assert row["unit"] == "times/persons"
    assert "337,705 times/persons (140,677 times/persons)" in row["sentence"]


def test_known_lines(facts):
    assert _fact(facts, "s2_members_total")["line"] == 140
    assert _fact(facts, "a11_registered_enterprises")["line"] == 162
    assert _fact(facts, "c_voluntary_contribution_income")["line"] == 978
    assert _fact(facts, "d1_athletes_female")["line"] == 997
    assert _fact(facts, "e53_renewal_cards_female")["line"] == 1140


def test_whole_sentence_is_kept(facts):
    e1 = _fact(facts, "e1_governing_body_meetings")["sentence"]
    assert e1 == (
        "In 2022, the NSSF Governing Body has organized its first mandate meetings "
        "for 6 times with outcomes as follows:"
    )
    bullet = _fact(facts, "d1_athletes_total")["sentence"]
    assert bullet == "- 1 association with a total of 1,183 athletes (338 females);"


def test_fact_ids_unique_and_snake_case(facts):
    assert facts["fact_id"].is_unique
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", f) for f in facts["fact_id"])
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", m) for m in facts["measure"])


def test_every_unit_of_the_vocabulary_is_used(facts):
    assert set(facts["unit"]) == UNITS


def test_controlled_vocabularies(facts):
    assert set(facts["sex"]) == {"total", "female"}
    assert set(facts["scheme"]) <= {
        "occupational_risk",
        "health_care",
        "pension",
        "informal",
        "institutional",
        "all",
    }
    assert set(facts["sector"]) <= {"private", "public", "all", "informal"}


def test_tidy_key_is_unique(facts):
    key = ["section", "scheme", "sector", "measure", "sex"]
    assert not facts.duplicated(key).any()


def test_sections_covered(facts):
    expected = {
        "2", "2.OR", "2.HC", "2.PEN", "A.1.1", "A.1.3", "A.2.1", "A.2.3", "B.1.1", "B.1.2",
        "B.2.1", "B.2.2", "C", "D.1", "E.1", "E.3", "E.4", "E.5.1", "E.5.2", "E.5.3",
    }  # fmt: skip
    assert set(facts["section"]) == expected


def test_sorted_by_line_then_position(facts, lines):
    assert facts["line"].is_monotonic_increasing
    for line_no, group in facts.groupby("line", sort=True):
        text = lines[line_no - 1]
        cursor = 0
        for printed in group["printed"]:
            found = text.find(printed, cursor)
            assert found >= 0, (line_no, printed)
            cursor = found + len(printed)


def test_sentence_comes_from_its_line(facts, lines):
    for row in facts.itertuples():
        assert row.sentence == row.sentence.strip()
        assert row.sentence in lines[row.line - 1]
        assert row.printed in row.sentence


def test_deterministic(lines, facts):
    pd.testing.assert_frame_equal(extract_facts(lines), facts)


def test_no_hard_coded_line_numbers(lines, facts):
    shifted = extract_facts(["", "Preface", ""] + lines)
    assert (shifted["line"] - facts["line"] == 3).all()
    pd.testing.assert_frame_equal(shifted.drop(columns="line"), facts.drop(columns="line"))


def test_prose_parts_add_up(facts):
    v = facts.set_index("fact_id")["value"]
    # D.1: the four bullets add up to the headline.
    groups = [
        "d1_local_institutions",
        "d1_athlete_associations",
        "d1_driver_associations",
        "d1_other_enterprises",
    ]
    assert v[groups].sum() == v["d1_informal_enterprises"]
    members = [
        "d1_local_institution_members",
        "d1_athletes",
        "d1_driver_association_members",
        "d1_other_enterprise_members",
    ]
    for sex in ("total", "female"):
        assert sum(v[f"{m}_{sex}"] for m in members) == v[f"d1_informal_members_{sex}"]
    # E.5.3: the five kinds of cards add up to the members.
    kinds = ["new", "lost", "damaged", "corrected", "renewal"]
    for sex in ("total", "female"):
        assert sum(v[f"e53_{k}_cards_{sex}"] for k in kinds) == v[f"e53_card_members_{sex}"]
    # Section 2: schemes add up to the headline (pension income as stated in section 2).
    assert v["s2or_contribution_income"] + v["s2hc_contribution_income"] + v[
        "s2pen_contribution_income"
    ] == pytest.approx(v["s2_contribution_income"])
    assert v["s2or_expenditure"] + v["s2hc_expenditure"] == pytest.approx(v["s2_expenditure"])
    # Health care access: private + public = headline (so 140,677 is indeed the female count).
    for sex in ("total", "female"):
        assert (
            v[f"b12_health_care_access_{sex}"] + v[f"b22_health_care_access_{sex}"]
            == v[f"s2_health_care_access_{sex}"]
        )


# --- errors ---------------------------------------------------------------------------


def test_heading_without_anchor_raises_naming_the_fact():
    synthetic = [
        "CONTENT",
        "2. ANNUAL ACHIEVEMENTS\t2",
        "",
        "2. ANNUAL ACHIEVEMENTS",
        "",
        "In 2022 the Fund did many things, none of them counted here.",
        "",
        "A. STRENGTHENING AND EXTENDING THE IMPLEMENTATION OF SOCIAL SECURITY SCHEME",
    ]
    with pytest.raises(ExtractionError) as info:
        extract_facts(synthetic)
    message = str(info.value)
    assert "s2_registered_enterprises" in message
    assert "section 2" in message
    assert "anchor" in message and "not found under heading '2'" in message


SPEC = FactSpec(
    section="X.1",
    heading="X.1",
    anchor=r"registered a total of",
    scheme="all",
    sector="all",
    numbers=(
        Number("x1_enterprises", "registered_enterprises", "enterprises"),
        Number("x1_members_total", "members", "persons"),
    ),
)


def test_apply_spec_on_synthetic_lines():
    synthetic = [
        "X.1. Synthetic Section",
        "In the year 2022, NSSF has registered a total of 1,234 enterprises with 56, 789 members.",
        "X.2. Next Section",
        "NSSF has registered a total of 9 enterprises with 9 members.",
    ]
    records = apply_spec(synthetic, SPEC)
    assert [(r["fact_id"], r["value"], r["printed"], r["line"]) for r in records] == [
        ("x1_enterprises", 1234.0, "1,234", 2),
        ("x1_members_total", 56789.0, "56, 789", 2),
    ]


def test_wrong_count_of_numbers_raises():
    synthetic = [
        "X.1. Synthetic Section",
        "NSSF has registered a total of 1,234 enterprises with 5,678 members (910 females).",
    ]
    with pytest.raises(ExtractionError, match=r"x1_enterprises.*section X\.1.*expected 2.*found 3"):
        apply_spec(synthetic, SPEC)


def test_missing_heading_raises():
    synthetic = ["X.2. Other Section", "NSSF has registered a total of 1 enterprises with 2."]
    with pytest.raises(ExtractionError, match=r"x1_enterprises.*section X\.1.*heading"):
        apply_spec(synthetic, SPEC)


def test_anchor_outside_the_section_is_not_used():
    synthetic = [
        "X.1. Synthetic Section",
        "Nothing here.",
        "X.2. Next Section",
        "NSSF has registered a total of 1 enterprises with 2 members.",
    ]
    with pytest.raises(ExtractionError, match=r"x1_enterprises.*not found"):
        apply_spec(synthetic, SPEC)


def test_ambiguous_anchor_raises():
    synthetic = [
        "X.1. Synthetic Section",
        "NSSF has registered a total of 1 enterprises with 2 members.",
        "NSSF has registered a total of 3 enterprises with 4 members.",
    ]
    with pytest.raises(ExtractionError, match=r"x1_enterprises.*matches 2 sentences"):
        apply_spec(synthetic, SPEC)
