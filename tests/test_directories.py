"""Tests of nssf_analysis.directories (annexes 6.6.1, 6.6.2 and 6.6.3).

Every expected value below was read by hand from
seeds/nssf_annual_report_2022.txt (annex lines 1941-3187), not produced by the code:
list sizes are the last printed number of each list, names and line numbers are
copied from the report text.
"""

from __future__ import annotations

import pandas as pd
import pytest

from nssf_analysis.data.directories import extract_directories
from nssf_analysis.data.report_text import seed_file
from nssf_analysis.exceptions import ExtractionError

FACILITY_COLUMNS = [
    "province_no",
    "province_heading",
    "province",
    "ownership",
    "no",
    "name",
    "line",
]
BRANCH_COLUMNS = [
    "group",
    "no",
    "branch",
    "office",
    "address",
    "mobile_numbers",
    "landline_numbers",
    "line",
]

NORMALIZED_PROVINCES = [
    "Phnom Penh",
    "Kandal",
    "Kep",
    "Koh Kong",
    "Kratie",
    "Kampong Cham",
    "Kampong Chhnang",
    "Kampong Thom",
    "Kampong Speu",
    "Kampot",
    "Takeo",
    "Tboung Khmum",
    "Banteay Meanchey",
    "Pailin",
    "Battambang",
    "Pursat",
    "Prey Veng",
    "Preah Vihear",
    "Preah Sihanouk",
    "Mondul Kiri",
    "Ratanak Kiri",
    "Siem Reap",
    "Stung Treng",
    "Svay Rieng",
    "Otdar Meanchey",
]

# (public, private) list sizes by hand: last printed number of each list; 0 = no list.
COUNTS_661 = {
    "Phnom Penh": (58, 70),
    "Kandal": (113, 12),
    "Kep": (6, 1),
    "Koh Kong": (15, 1),
    "Kratie": (44, 0),
    "Kampong Cham": (99, 3),
    "Kampong Chhnang": (46, 3),
    "Kampong Thom": (58, 1),
    "Kampong Speu": (61, 12),
    "Kampot": (69, 1),
    "Takeo": (89, 9),
    "Tboung Khmum": (75, 3),
    "Banteay Meanchey": (77, 2),
    "Pailin": (7, 0),
    "Battambang": (90, 2),
    "Pursat": (44, 0),
    "Prey Veng": (125, 0),
    "Preah Vihear": (28, 0),
    "Preah Sihanouk": (16, 2),
    "Mondul Kiri": (13, 0),
    "Ratanak Kiri": (31, 1),
    "Siem Reap": (98, 3),
    "Stung Treng": (16, 0),
    "Svay Rieng": (54, 4),
    "Otdar Meanchey": (39, 0),
}

# Kandal public is printed 1..15, 17..29 plus a stray "40" (line 2936): 29 entries.
COUNTS_662 = {
    "Phnom Penh": (29, 40),
    "Kandal": (29, 10),
    "Kep": (1, 1),
    "Koh Kong": (2, 1),
    "Kratie": (15, 0),
    "Kampong Cham": (12, 1),
    "Kampong Chhnang": (8, 2),
    "Kampong Thom": (9, 0),
    "Kampong Speu": (10, 6),
    "Kampot": (8, 0),
    "Takeo": (14, 4),
    "Tboung Khmum": (11, 2),
    "Banteay Meanchey": (13, 2),
    "Pailin": (1, 0),
    "Battambang": (15, 0),
    "Pursat": (6, 0),
    "Prey Veng": (22, 0),
    "Preah Vihear": (4, 0),
    "Preah Sihanouk": (3, 2),
    "Mondul Kiri": (4, 0),
    "Ratanak Kiri": (9, 1),
    "Siem Reap": (10, 2),
    "Stung Treng": (2, 0),
    "Svay Rieng": (10, 3),
    "Otdar Meanchey": (3, 0),
}


@pytest.fixture(scope="module")
def report_lines() -> list[str]:
    return seed_file(2022).read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def dirs(report_lines) -> dict[str, pd.DataFrame]:
    return extract_directories(report_lines)


def _row(df: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for column, value in where.items():
        mask &= df[column] == value
    rows = df[mask]
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return rows.iloc[0]


# ---------------------------------------------------------------- shape and types


def test_keys_columns_and_dtypes(dirs):
    assert list(dirs) == ["a6_6_1", "a6_6_2", "a6_6_3"]
    for table_id, columns in [
        ("a6_6_1", FACILITY_COLUMNS),
        ("a6_6_2", FACILITY_COLUMNS),
        ("a6_6_3", BRANCH_COLUMNS),
    ]:
        df = dirs[table_id]
        assert list(df.columns) == columns
        assert not df.isna().any().any()
        assert pd.api.types.is_integer_dtype(df["line"])
        for column in columns[:-1]:
            assert df[column].dtype == object, (table_id, column)
            assert df[column].map(type).eq(str).all(), (table_id, column)


def test_row_counts(dirs):
    assert len(dirs["a6_6_1"]) == 1501
    assert len(dirs["a6_6_2"]) == 327
    assert len(dirs["a6_6_3"]) == 35


# ---------------------------------------------------------------- facility directories


def test_661_total_matches_table_38(dirs):
    # Table 38 (report lines 729-736): grand total 1,501; private hospitals 130
    # (70 central + 60 provincial); central level = Phnom Penh: 6 + 10 + 42 public, 70 private.
    df = dirs["a6_6_1"]
    assert len(df) == 1501
    assert (df["ownership"] == "private").sum() == 130
    assert (df["ownership"] == "public").sum() == 6 + 123 + 1242
    pp = df[df["province"] == "Phnom Penh"]
    assert (pp["ownership"] == "public").sum() == 6 + 10 + 42
    assert (pp["ownership"] == "private").sum() == 70
    provincial = df[df["province"] != "Phnom Penh"]
    assert (provincial["ownership"] == "private").sum() == 60
    assert (provincial["ownership"] == "public").sum() == 0 + 113 + 1200


@pytest.mark.parametrize(("table_id", "counts"), [("a6_6_1", COUNTS_661), ("a6_6_2", COUNTS_662)])
def test_counts_per_province_and_ownership(dirs, table_id, counts):
    df = dirs[table_id]
    found = df.groupby(["province", "ownership"]).size().to_dict()
    expected = {}
    for province, (public, private) in counts.items():
        if public:
            expected[(province, "public")] = public
        if private:
            expected[(province, "private")] = private
    assert found == expected
    assert len(df) == sum(expected.values())


@pytest.mark.parametrize("table_id", ["a6_6_1", "a6_6_2"])
def test_every_province_normalized(dirs, table_id):
    df = dirs[table_id]
    assert set(df["province"]) <= set(NORMALIZED_PROVINCES)
    # all 25 provinces appear, in printed order, numbered 1..25
    order = df.drop_duplicates("province")[["province_no", "province"]]
    assert order["province"].tolist() == NORMALIZED_PROVINCES
    assert order["province_no"].tolist() == [str(i) for i in range(1, 26)]


@pytest.mark.parametrize(
    ("table_id", "banteay"),
    [
        ("a6_6_1", "BANTEAY MEANCHEY PROVINCE"),  # line 2469
        ("a6_6_2", "BANTEAY MEANCHHEY PROVINCE"),  # line 3047, the report's typo
    ],
)
def test_headings_kept_as_printed(dirs, table_id, banteay):
    df = dirs[table_id]
    headings = df.drop_duplicates("province").set_index("province")["province_heading"]
    assert headings["Phnom Penh"] == "PHNOM PENH"
    assert headings["Kandal"] == "KANDAL PROVINCE"
    assert headings["Banteay Meanchey"] == banteay
    assert headings["Otdar Meanchey"] == "OTDAR MEANCHEY PROVINCE"


@pytest.mark.parametrize(
    ("province", "ownership", "no", "name", "line"),
    [
        # a6_6_1 first/last of several lists (report lines copied by hand)
        ("Phnom Penh", "public", "1", "National Maternal and Child Health Center", 1946),
        ("Phnom Penh", "public", "29", "Chamkar Doung Health Center", 1974),
        ("Phnom Penh", "public", "30", "Choeung Ek Health Center", 1946),
        ("Phnom Penh", "public", "58", "Ponhea Pun Health Center", 1974),
        ("Phnom Penh", "private", "1", "Pasteur Institute (Phnom Penh)", 1976),
        ("Phnom Penh", "private", "36", "Senmonorom Clinic", 2012),
        ("Phnom Penh", "private", "70", "Kbal Domrey Clinic and Maternity", 2010),
        ("Kandal", "public", "113", "Hun Sen Tuol Prich Health Center", 2075),
        ("Kandal", "private", "12", "Bek Chan Clinic", 2085),
        ("Kep", "public", "1", "Kep Provincial Referral Hospital", 2091),
        ("Kep", "public", "6", "Prey Thom Health Center", 2093),
        ("Kep", "private", "1", "Sokomal Kep Clinic and Maternity", 2097),
        ("Kratie", "public", "44", "Chambok Health Center", 2144),
        ("Banteay Meanchey", "public", "77", "Chak Puork Health Center", 2511),
        ("Prey Veng", "public", "125", "Russey Srok Health Center", 2678),
        ("Svay Rieng", "private", "4", "Phasokpheap II Clinic", 2861),
        ("Otdar Meanchey", "public", "1", "Anlong Veang Referral Hospital", 2867),
        ("Otdar Meanchey", "public", "39", "Ou Krouch Health Center", 2886),
    ],
)
def test_661_entries(dirs, province, ownership, no, name, line):
    row = _row(dirs["a6_6_1"], province=province, ownership=ownership, no=no)
    assert row["name"] == name
    assert row["line"] == line


@pytest.mark.parametrize(
    ("province", "ownership", "no", "name", "line"),
    [
        ("Phnom Penh", "public", "1", "National Maternal and Child Health Center", 2894),
        ("Phnom Penh", "public", "15", "16 Ouksaphea Hospital", 2908),
        ("Phnom Penh", "public", "29", "Prek Eng Health Center", 2907),
        ("Phnom Penh", "private", "40", "H C C Clinic and Maternity", 2930),
        ("Kandal", "public", "40", "H C C Clinic and Maternity", 2936),  # stray number
        ("Kandal", "public", "17", "Damnak Ampil Health Center", 2937),
        ("Kandal", "private", "10", "Mannysar Clinic and Maternity", 2958),
        ("Preah Sihanouk", "private", "2", "CT Clinic", 3100),
        ("Svay Rieng", "private", "2", "Sorphorn Ovang Clinic", 3136),
        ("Otdar Meanchey", "public", "2", "Anlong Veang Referral Hospital", 3140),
        ("Otdar Meanchey", "public", "3", "Osmach Health Center", 3139),
    ],
)
def test_662_entries(dirs, province, ownership, no, name, line):
    row = _row(dirs["a6_6_2"], province=province, ownership=ownership, no=no)
    assert row["name"] == name
    assert row["line"] == line


def test_rows_ordered_by_printed_number(dirs):
    pp = dirs["a6_6_1"].query("province == 'Phnom Penh' and ownership == 'public'")
    assert pp["no"].tolist() == [str(i) for i in range(1, 59)]
    kandal = dirs["a6_6_2"].query("province == 'Kandal' and ownership == 'public'")
    assert kandal["no"].tolist() == [str(i) for i in [*range(1, 16), *range(17, 30), 40]]
    # the first rows of the table: Phnom Penh public, then private after no. 58
    df = dirs["a6_6_1"]
    assert df.iloc[57][["ownership", "no"]].tolist() == ["public", "58"]
    assert df.iloc[58][["ownership", "no"]].tolist() == ["private", "1"]
    # last row: Otdar Meanchey public no. 39 (right column, line 2886), not the
    # last printed line (no. 20, line 2887)
    assert df.iloc[-1][["province", "no", "name", "line"]].tolist() == [
        "Otdar Meanchey",
        "39",
        "Ou Krouch Health Center",
        2886,
    ]


def test_annex_heading_not_table_of_contents(dirs):
    assert dirs["a6_6_1"]["line"].min() == 1946
    assert dirs["a6_6_1"]["line"].max() == 2887
    assert dirs["a6_6_2"]["line"].between(2894, 3140).all()


# ---------------------------------------------------------------- branch offices


def test_branch_groups(dirs):
    df = dirs["a6_6_3"]
    assert df["group"].value_counts().to_dict() == {"provincial": 31, "phnom_penh": 4}
    numbered = df[df["no"] != ""]
    assert numbered.query("group == 'provincial'")["no"].tolist() == [str(i) for i in range(1, 25)]
    assert numbered.query("group == 'phnom_penh'")["branch"].tolist() == [
        "Pur Senchey",
        "Russey Keo",
        "Mean Chey",
        "Dangkao",
    ]


def test_branch_split_phone_cell(dirs):
    row = _row(dirs["a6_6_3"], line=3146)
    assert row[["group", "no", "branch"]].tolist() == ["provincial", "1", "Kandal"]
    assert row["office"] == "Takhmao Branch Office"
    assert row["mobile_numbers"] == "096 615 6168; 012 788 711; 069 788 711"
    assert row["landline_numbers"] == "023 988 411; 023 425 707; 024 640 676"
    assert row["address"].startswith("#01, Street 202, Deum Mean Village")
    assert row["address"].endswith("Kandal Province (Takhmao Branch Office)")

    row = _row(dirs["a6_6_3"], line=3160)
    assert row["mobile_numbers"] == "086 562 900; 010 752 336; 077 990 048"
    row = _row(dirs["a6_6_3"], line=3185)  # one number each
    assert row["mobile_numbers"] == "077 366 555"
    assert row["landline_numbers"] == "023 999 219"
    assert row["office"] == ""  # "(in Borey Peng Huoth ...)" is not a branch office


def test_branch_continuation_rows(dirs):
    df = dirs["a6_6_3"]
    row = _row(df, line=3147)
    assert row["no"] == ""
    assert row["branch"] == "Kandal"
    assert row["office"] == "Prek Tamak Branch Office"
    assert row["mobile_numbers"] == "085 567 766; 012 854 226"

    row = _row(df, line=3159)  # empty mobile cell
    assert row[["no", "branch", "office"]].tolist() == [
        "",
        "Banteay Meanchey",
        "Poav Paet Branch Office",
    ]
    assert row["mobile_numbers"] == ""
    assert row["landline_numbers"] == "054 711 441"

    row = _row(df, line=3165)  # Takeo's second office, no "(... Branch Office)"
    assert row[["no", "branch", "office"]].tolist() == ["", "Takeo", ""]

    continuation = df[df["no"] == ""]
    assert continuation["branch"].tolist() == [
        "Kandal",
        "Kampong Speu",
        "Svay Rieng",
        "Kampong Chhnang",
        "Banteay Meanchey",
        "Kampong Cham",
        "Takeo",
    ]


# ---------------------------------------------------------------- synthetic reports

HEAD_1 = (
    "6.6.1. Health Facilities Signed the Agreement with the National Social Security Fund "
    "in Health Care Scheme"
)
HEAD_2 = (
    "6.6.2. Health Facilities Signed the Agreement with the National Social Security Fund "
    "in Occupational Risk Scheme"
)
HEAD_3 = "6.6.3. Branch Offices of the National Social Security Fund"

FACILITIES = [
    "No.\tName of Health Facilities\tNo.\tName of Health Facilities",
    "1. PHNOM PENH\t\t\t",
    "Public Health Facilities\t\t\t",
    "1\tAlpha Hospital\t3\tGamma Health Center",
    "",
    "2\tBeta Hospital\t\t",
    "Private Health Facilities",
    "1\tDelta Clinic\t\t",
    "---\t------\t--\t--",
    "13. BANTEAY MEANCHHEY PROVINCE",
    "Public Health Facilities",
    "1\tEpsilon Health Center\t\t",
]
BRANCHES = [
    "Address and Phone Numbers for Contacting the NSSF Provincial Branches\t\t\t\t",
    "No.\tNSSF Provincial Branches\tAddress\tMobile Numbers\tLandline Numbers",
    "1\tKandal\tSome Village (Takhmao Branch Office)\t096 615 6168 012 788 711\t023 988 411",
    "\t\tOther Village (Prek Tamak Branch Office)\t\t023 999 219",
    "",
    "Address and Phone Numbers for Contacting the NSSF Khan Branches in Phnom Penh",
    "No.\tNSSF Phnom Penh Branches\tAddress\tMobile Numbers\tLandline Numbers",
    "1\tPur Senchey\t#81, Street X, Phnom Penh\t012 808 684\t023 999 219",
]


def _report(fac1=FACILITIES, fac2=FACILITIES, branches=BRANCHES) -> list[str]:
    """Build a small report: a table of contents, then the three annex sections."""
    return [
        "Table of Contents",
        HEAD_1 + "\t46",
        HEAD_2 + ".....\t64",
        HEAD_3 + "\t70",
        "",
        HEAD_1,
        "",
        *fac1,
        HEAD_2,
        *fac2,
        HEAD_3,
        *branches,
        "HOTLINE",
        "1286",
    ]


def test_synthetic_report_parses():
    lines = _report()
    dirs = extract_directories(lines)
    df = dirs["a6_6_1"]
    assert df["name"].tolist() == [
        "Alpha Hospital",
        "Beta Hospital",
        "Gamma Health Center",
        "Delta Clinic",
        "Epsilon Health Center",
    ]
    assert df["no"].tolist() == ["1", "2", "3", "1", "1"]
    assert df["line"].tolist() == [11, 13, 11, 15, 19]
    assert df["province"].tolist()[-1] == "Banteay Meanchey"
    assert df["province_heading"].tolist()[-1] == "BANTEAY MEANCHHEY PROVINCE"
    assert df["province_no"].tolist()[-1] == "13"
    branches = dirs["a6_6_3"]
    assert branches["branch"].tolist() == ["Kandal", "Kandal", "Pur Senchey"]
    assert branches["mobile_numbers"].tolist() == ["096 615 6168; 012 788 711", "", "012 808 684"]
    assert branches["office"].tolist() == ["Takhmao Branch Office", "Prek Tamak Branch Office", ""]


def _expect_error(lines, *fragments):
    with pytest.raises(ExtractionError) as info:
        extract_directories(lines)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_garbage_line_raises_with_line_number():
    fac = [*FACILITIES[:5], "Total: 3 facilities", *FACILITIES[5:]]
    lines = _report(fac1=fac)
    garbage_line = lines.index("Total: 3 facilities") + 1
    assert garbage_line == 13
    _expect_error(lines, "a6_6_1", "report line 13", "Total: 3 facilities")


def test_unknown_province_heading_raises():
    fac = [*FACILITIES, "26. ATLANTIS PROVINCE", "Public Health Facilities", "1\tX Center"]
    lines = _report(fac2=fac)
    line_no = lines.index("26. ATLANTIS PROVINCE") + 1
    _expect_error(
        lines, "a6_6_2", f"report line {line_no}", "ATLANTIS PROVINCE", "unknown province"
    )


def test_entry_before_ownership_heading_raises():
    fac = ["1. PHNOM PENH", "1\tAlpha Hospital\t\t"]
    lines = _report(fac1=fac)
    _expect_error(lines, "a6_6_1", "report line 9", "Alpha Hospital")


def test_repeated_number_raises():
    fac = ["1. PHNOM PENH", "Public Health Facilities", "1\tA\t2\tB", "2\tC\t\t"]
    lines = _report(fac1=fac)
    _expect_error(lines, "a6_6_1", "report line 11", "repeated")


def test_half_empty_right_pair_raises():
    fac = ["1. PHNOM PENH", "Public Health Facilities", "1\tA\t2\t"]
    _expect_error(_report(fac1=fac), "a6_6_1", "report line 10")


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("012 788", "groups"),  # not a multiple of 3
        ("012 788 711 12 345 678", "does not start with 0"),
        ("012 788 71x", "non-digit"),
    ],
)
def test_bad_phone_cell_raises(cell, reason):
    branches = [*BRANCHES]
    branches[2] = f"1\tKandal\tSome Village\t{cell}\t023 988 411"
    lines = _report(branches=branches)
    line_no = lines.index(branches[2]) + 1
    _expect_error(lines, "a6_6_3", f"report line {line_no}", cell, reason)


def test_continuation_without_branch_raises():
    branches = [*BRANCHES[:2], "\t\tOrphan Village\t\t023 999 219", *BRANCHES[2:]]
    lines = _report(branches=branches)
    line_no = lines.index("\t\tOrphan Village\t\t023 999 219") + 1
    _expect_error(lines, "a6_6_3", f"report line {line_no}", "Orphan Village")


def test_branch_garbage_line_raises():
    branches = [*BRANCHES[:4], "Note: phones may change", *BRANCHES[4:]]
    lines = _report(branches=branches)
    line_no = lines.index("Note: phones may change") + 1
    _expect_error(lines, "a6_6_3", f"report line {line_no}", "Note: phones may change")


def test_missing_heading_raises():
    lines = [line for line in _report() if line != HEAD_2]
    _expect_error(lines, "a6_6_2", "found 0")
