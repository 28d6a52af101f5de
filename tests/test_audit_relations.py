"""Tests of the audit's rules between places: stocks and flows, parts and wholes, copies,
counts against lists, names across directories, prose attributions and the source text.

Expected values come from the report text (report line numbers are given) and from hand
arithmetic written out in each test, never from running the audit.  Each mutation test
corrupts one cell of a copy of the data and expects exactly one finding of its family to
appear, change or go.
"""

import functools
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from chapter import run_cells

from nssf_analysis.analysis import audit
from nssf_analysis.data.extract import write_csv
from nssf_analysis.exceptions import NSSFError

ROOT = Path(__file__).resolve().parent.parent

#: Families a mutation test exercises (filled by :func:`_mutation`).
MUTATED: set[str] = set()


def _mutation(family: str):
    MUTATED.add(family)

    def decorate(test):
        @functools.wraps(test)
        def run(*args, **kwargs):
            return test(*args, **kwargs)

        return run

    return decorate


@pytest.fixture(scope="module")
def result():
    return audit.results.run()


@pytest.fixture(scope="module")
def base(result):
    return result.findings


@pytest.fixture(scope="module")
def chapter():
    """The data-quality chapter's names: its code cells run once, for 2022."""
    return run_cells("08_data_quality", 2022)


def _family(findings: pd.DataFrame, rule: str) -> pd.DataFrame:
    return findings[findings["rule"] == rule]


def _one(findings, rule, table_id, line=None):
    f = _family(findings, rule)
    f = f[f["table_id"] == table_id]
    if line is not None:
        f = f[f["line"] == line]
    assert len(f) == 1, f"{rule} {table_id} {line}: {len(f)} findings"
    return f.iloc[0]


def _delta(before: pd.DataFrame, after: pd.DataFrame, rule: str) -> tuple[set, set]:
    """Finding ids of ``rule`` that appeared and that went."""
    b = set(_family(before, rule)["finding_id"])
    a = set(_family(after, rule)["finding_id"])
    return a - b, b - a


def _rerun() -> pd.DataFrame:
    return audit.results.run().findings


def _set_raw(data: Path, table_id: str, line: int, col: int, old: str, new: str) -> None:
    path = data / "raw" / f"{table_id}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[df["line"] == str(line)]
    assert len(idx) == 1
    assert df.loc[idx[0], f"c{col}"] == old
    df.loc[idx[0], f"c{col}"] = new
    write_csv(df, path)


def _set_sentence(data: Path, line: int, old: str, new: str) -> None:
    """Edit the sentence of every fact stated on one report line."""
    path = data / "facts.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[df["line"] == str(line)]
    assert len(idx) and all(old in s for s in df.loc[idx, "sentence"])
    df.loc[idx, "sentence"] = df.loc[idx, "sentence"].str.replace(old, new, regex=False)
    write_csv(df, path)


def _set_entry(data: Path, table_id: str, line: int, column: str, old: str, new: str) -> None:
    path = data / "tidy" / f"{table_id}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[(df["line"] == str(line)) & (df[column] == old)]
    assert len(idx) == 1
    df.loc[idx[0], column] = new
    write_csv(df, path)


# ------------------------------------------------------------------ 1. stocks and flows


def test_table1_enterprises_grow_more_than_the_new_registrations(result):
    # report lines 168-169 and 204: 17,317 + 3,105 = 20,422 against 20,448 printed;
    # head offices 10,152 + 1,663 = 11,815 against 11,805; branches 7,165 + 1,442 = 8,607
    # against 8,643
    f = _one(result.findings, "stock_flow", "t01")
    assert f["class"] == "inconsistency"
    assert (f["line"], f["printed"]) == (169, "20,448")
    assert f["difference"] == 20448 - (17317 + 3105)
    assert f["ref_table"] == "t04"
    s = f["sentence"]
    for part in ("17,317", "3,105", "20,422", "11,805", "11,815", "8,643", "8,607", "Table 4"):
        assert part in s
    # the members columns agree: 2,305,958 + 278,748 = 2,584,706 (no finding of its own)
    assert not re.search(r"\w=\w", s) and "_" not in s


def test_table34_enterprises_against_table36(result):
    # lines 674-675 and 699: 14,689 + 3,105 = 17,794 against 17,821
    f = _one(result.findings, "stock_flow", "t34")
    assert f["difference"] == 17821 - (14689 + 3105)
    assert f["ref_table"] == "t36"
    assert "10,091" in f["sentence"] and "8,437 + 1,663 = 10,100" in f["sentence"]


def test_stock_flow_only_pairs_cumulative_tables(result):
    c = result.checks[result.checks["rule"] == "stock_flow"]
    # two stock tables (Tables 1 and 34), three measure/sex columns each
    assert set(c["table_id"]) == {"t01", "t34"}
    assert len(c) == 6


@_mutation("stock_flow")
def test_mutation_stock_flow(base, data_copy):
    # Table 4 line 204, females of head offices: 66,799 -> 66,899; Table 1's stock
    # 758,230 + 66,899 = 825,129 against 825,029 printed
    _set_raw(data_copy, "t04", 204, 7, "66,799", "66,899")
    after = _rerun()
    new, gone = _delta(base, after, "stock_flow")
    assert not gone and len(new) == 1
    f = after.set_index("finding_id").loc[new.pop()]
    assert f["table_id"] == "t01"
    assert f["difference"] == 825029 - 825129
    assert "825,029" in f["sentence"] and "66,899" in f["sentence"]


# ------------------------------------------------------------------ 2. parts and wholes


def test_table22_paid_females_exceed_registered_females(result):
    # line 499 prints 108,113 contribution-paid females, line 485 (Table 21) 107,650
    f = _one(result.findings, "subset", "t22")
    assert f["year"] == "2022"
    assert f["difference"] == 108113 - 107650
    assert f["ref_table"] == "t21"


def test_table47_paid_females_exceed_table46(result):
    # line 848: 133,468 against 131,291 registered females (line 834)
    f = _one(result.findings, "subset", "t47")
    assert f["difference"] == 133468 - 131291


def test_provision_exceeds_claims(result):
    f = _family(result.findings, "subset")
    t40 = f[f["table_id"] == "t40"].set_index("year")
    # 2021: emergency 184 > 99, maternity 59,054 > 58,605, total 113,601 > 113,170,
    # grouped into one finding; 2022: maternity 50,664 > 50,463
    assert set(t40.index) == {"2021", "2022"}
    assert t40.loc["2021", "difference"] == 184 - 99
    for v in ("59,054", "58,605", "113,601", "113,170"):
        assert v in t40.loc["2021", "sentence"]
    assert t40.loc["2022", "difference"] == 50664 - 50463
    # Table 27 line 584: 11 funerary grants provided against 10 claimed (Table 26)
    t27 = _one(result.findings, "subset", "t27")
    assert (t27["difference"], t27["ref_table"]) == (1, "t26")


def test_paid_health_facilities_exceed_claimed(result):
    # Table 17 line 422: 702 paid against 612 claimed (2021), 937 against 908 (2022)
    f = _family(result.findings, "subset")
    t17 = f[f["table_id"] == "t17"].set_index("year")["difference"].to_dict()
    assert t17 == {"2021": 702 - 612, "2022": 937 - 908}


def test_subsets_that_hold_are_checked(result):
    c = result.checks[result.checks["rule"] == "subset"]
    ok = c[c["status"] == "ok"]
    # Table 5: 1,388,623 paid workers in 2022 are fewer than the registered members
    assert ((ok["table_id"] == "t05") & (ok["year"] == "2022")).any()
    # Table 14 provisions are within Table 13's claims in both years
    assert set(ok[ok["table_id"] == "t14"]["year"]) == {"2021", "2022"}


@_mutation("subset")
def test_mutation_subset(base, data_copy):
    # Table 5 line 232: 11,625 contribution-paid enterprises -> 12,300, more than the
    # 12,238 contributory enterprises of the same row
    _set_raw(data_copy, "t05", 232, 3, "11,625", "12,300")
    after = _rerun()
    new, gone = _delta(base, after, "subset")
    assert not gone and len(new) == 1
    f = after.set_index("finding_id").loc[new.pop()]
    assert (f["table_id"], f["year"], f["difference"]) == ("t05", "2022", 12300 - 12238)


# ------------------------------------------------------------------ 3. copies


def test_members_copied_beside_other_enterprises(result):
    f = _family(result.findings, "copy").set_index("line")
    # Table 1 line 168 (2008-2021) and Table 34 line 674 (2016-2021): 2,305,958 members
    # beside 17,317 and 14,689 enterprises
    assert f.loc[168, "difference"] == 17317 - 14689
    # Table 1 line 169, Table 34 line 675, Table 56 line 951: 2,584,706 members beside
    # 20,448, 17,821 and 14,352 enterprises
    assert f.loc[169, "difference"] == 20448 - 14352
    for v in ("20,448", "17,821", "14,352", "Table 56", "2016-2022"):
        assert v in f.loc[169, "sentence"]
    # Tables 2 and 57 (and 4 and 36) print the same block with the same enterprises
    ok = result.checks[(result.checks["rule"] == "copy") & (result.checks["status"] == "ok")]
    assert {"t02", "t04"} <= set(ok["table_id"])


@_mutation("copy")
def test_mutation_copy(base, data_copy):
    # Table 57 line 961: 14,075 enterprises -> 14,000 beside Table 2's members
    _set_raw(data_copy, "t57", 961, 2, "14,075", "14,000")
    after = _rerun()
    new, gone = _delta(base, after, "copy")
    assert not gone and len(new) == 1
    f = after.set_index("finding_id").loc[new.pop()]
    assert (f["table_id"], f["line"], f["difference"]) == ("t02", 179, 14075 - 14000)


# ------------------------------------------------------------------ 4. counts against lists


def test_table38_central_health_centres_count_a_name_twice(result):
    # line 733 prints 42 health centres at the central level; the Phnom Penh public list
    # (lines 1946-1974) has 42 health-centre entries, nos. 17-58, but Ponhea Pun Health
    # Center is both no. 25 and no. 58: 41 distinct names
    f = _family(result.findings, "list_count")
    f = f[(f["table_id"] == "t38") & (f["line"] == 733)].iloc[0]
    assert f["expected"] == "42 entries, 41 distinct names"
    assert "Ponhea Pun Health Center" in f["sentence"]


def test_table38_provincial_hospitals_and_health_centres(result):
    # line 734: 0 national + 113 referral hospitals and 1,200 health centres; the
    # provincial public lists hold 1,313 entries (0 + 113 + 1,200, as the public total
    # agrees), of which 116 are hospitals: the referral hospitals and three named
    # otherwise (Tboung Khmum Cambodia-China Friendship Hospital, Battambang Provincial
    # Police Hospital, Military Region 1 Hospital); 1,313 - 116 = 1,197 health centres
    f = _family(result.findings, "list_count")
    f = f[(f["table_id"] == "t38") & (f["line"] == 734)].set_index("printed")
    assert f.loc["113 hospitals", "difference"] == 113 - 116
    for name in ("Military Region 1 Hospital", "Battambang Provincial Police Hospital"):
        assert name in f.loc["113 hospitals", "sentence"]
    assert f.loc["1,200 health centers", "expected"].startswith(f"{1313 - 116:,} entries")


def test_annex_branch_row_without_a_branch_office(result):
    # Annexes 6.1.4 (line 1701), 6.1.5, 6.2.1 and 6.2.2 print a row for Chrouy Changvar;
    # Annex 6.6.3 (lines 3184-3187) lists four Phnom Penh branches: Pur Senchey, Russey
    # Keo, Mean Chey, Dangkao
    f = _one(result.findings, "list_count", "a6_1_4", 1701)
    for v in ("Chrouy Changvar", "Annex 6.2.2", "Pur Senchey, Russey Keo, Mean Chey, Dangkao"):
        assert v in f["sentence"]


@_mutation("list_count")
def test_mutation_list_count(base, data_copy):
    # Annex 6.6.1 line 1977: the second private facility of Phnom Penh renamed as the
    # first; 70 entries but 69 distinct names against Table 38's 70 private hospitals
    _set_entry(
        data_copy, "a6_6_1", 1977, "name", "Ratanak Clinic", "Pasteur Institute (Phnom Penh)"
    )
    after = _rerun()
    new, gone = _delta(base, after, "list_count")
    assert not gone and len(new) == 1
    f = after.set_index("finding_id").loc[new.pop()]
    assert (f["table_id"], f["expected"]) == ("t38", "70 entries, 69 distinct names")


# ------------------------------------------------------------------ 5. names across directories


def test_facilities_spelled_two_ways(result):
    f = _family(result.findings, "directory_names").set_index("line")
    # line 2900 (Annex 6.6.2) against line 1952 (Annex 6.6.1)
    assert f.loc[2900, "printed"] == "Prek Pneou Referral Hospital"
    assert f.loc[2900, "expected"] == "Prek Pnœou Referral Hospital"
    assert f.loc[2900, "ref_line"] == 1952
    # line 2908 against line 1960: 16 Ouksaphea / 16 Ousaphea
    assert f.loc[2908, "expected"] == "16 Ousaphea Hospital"
    # the province heading of list 13 (line 3047 against line 2469)
    h = f[f["printed"] == "BANTEAY MEANCHHEY PROVINCE"].iloc[0]
    assert (h["expected"], h["ref_table"]) == ("BANTEAY MEANCHEY PROVINCE", "a6_6_1")
    # H C C Clinic and Maternity: Phnom Penh (line 2930) and Kandal (line 2936)
    assert "Kandal" in f.loc[2930, "sentence"]
    # "Polyclinic I" and "Polyclinic II" are different facilities, never one spelled twice
    assert not f["sentence"].str.contains('Polyclinic I"').any()


def test_branch_spelled_two_ways(result):
    # Annex 6.1.4 line 1699 "Russy Keo"; Annex 6.6.3 line 3184 "Russey Keo"
    f = _one(result.findings, "directory_names", "a6_1_4", 1699)
    assert (f["printed"], f["expected"]) == ("Russy Keo", "Russey Keo")


def test_branch_offices_located_elsewhere(result):
    # Annex 6.6.3: the Bek Chan office, listed under Kampong Speu, is in "Ang Snuol
    # District, Kandal Province" (line 3148); Takeo's second office in "Kong Pisei
    # District, Kampong Speu Province" (line 3165); the Mean Chey branch in "Khan Chbar
    # Ampov" (line 3185) and the Dangkao branch in "Khan Pur Senchey" (line 3186)
    f = _family(result.findings, "directory_names")
    f = f[f["table_id"] == "a6_6_3"].set_index("line")
    assert f.loc[3148, "printed"] == "Kandal"
    assert f.loc[3165, "printed"] == "Kampong Speu"
    assert (f.loc[3185, "printed"], f.loc[3185, "expected"]) == ("Chbar Ampov", "Mean Chey")
    assert (f.loc[3186, "printed"], f.loc[3186, "expected"]) == ("Pur Senchey", "Dangkao")


@_mutation("directory_names")
def test_mutation_directory_names(base, data_copy):
    # Annex 6.6.2 line 2895: "Calmette Hospital" -> "Calmete Hospital"
    _set_entry(data_copy, "a6_6_2", 2895, "name", "Calmette Hospital", "Calmete Hospital")
    after = _rerun()
    new, gone = _delta(base, after, "directory_names")
    assert not gone and len(new) == 1
    f = after.set_index("finding_id").loc[new.pop()]
    assert (f["line"], f["expected"], f["ref_line"]) == (2895, "Calmette Hospital", 1947)


# ------------------------------------------------------------------ 7. the source text


@pytest.fixture
def seed_copy(tmp_path, monkeypatch, data_copy):
    dst = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", dst)
    monkeypatch.setenv("NSSF_SEEDS", str(dst))
    return dst / "nssf_annual_report_2022.txt"


def _set_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[line - 1] == old
    lines[line - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def test_separator_rows_of_dashes(result):
    # Annex 6.6.1 text: "---<TAB>-----..." at lines 2098, 2116, 2359, 2517, 2582, 2717, 2755
    f = _one(result.findings, "source_text", "a6_6_1")
    assert f["ref_location"] == "lines 2098, 2116, 2359, 2517, 2582, 2717, 2755"
    assert f["difference"] == 7


@_mutation("source_text")
def test_mutation_source_debris(base, seed_copy):
    # a blank line inside Annex 6.6.2 (line 2914) becomes a separator row
    _set_line(seed_copy, 2914, "", "---\t------\t--\t--")
    after = _rerun()
    new, gone = _delta(base, after, "source_text")
    assert not gone and len(new) == 1
    f = after.set_index("finding_id").loc[new.pop()]
    assert (f["table_id"], f["line"]) == ("a6_6_2", 2914)


@_mutation("source_text")
def test_mutation_heading_out_of_sequence(base, seed_copy):
    # Annex 6.6.2 line 2972: "5. KRATIE PROVINCE" numbered 6
    _set_line(seed_copy, 2972, "5. KRATIE PROVINCE\t\t\t", "6. KRATIE PROVINCE\t\t\t")
    after = _rerun()
    new, gone = _delta(base, after, "source_text")
    assert not gone and len(new) == 1
    f = after.set_index("finding_id").loc[new.pop()]
    assert (f["line"], f["expected"]) == (2972, "number 5")


# ------------------------------------------------------------------ 6. prose attributions


def test_expenditure_attributed_to_one_scheme(result):
    # line 140: 345,900.98 million riels "on the benefits provision of Occupational Risk
    # Scheme"; line 144: 22,619.33 (occupational risk), line 148: 323,281.65 (health
    # care); 22,619.33 + 323,281.65 = 345,900.98
    f = _family(result.findings, "prose_attribution")
    f = f[f["line"] == 140].iloc[0]
    assert f["difference"] == pytest.approx(345900.98 - 22619.33)
    assert "323,281.65" in f["sentence"] and "22,619.33" in f["sentence"]


def test_bracket_label_breaks_the_pattern(result):
    # line 867: "337,705 times/persons (140,677 times/persons)"; lines 140, 148, 381, 757
    # print times/persons (... times/females)
    f = _one(result.findings, "prose_attribution", "facts", 867)
    assert f["printed"] == "337,705 times/persons (140,677 times/persons)"
    assert f["expected"] == "140,677 times/females"


@_mutation("prose_attribution")
def test_mutation_prose_attribution(base, data_copy):
    # line 140: the contribution income attributed to the pension scheme; its own figure
    # is 111,321.01 (line 152)
    _set_sentence(
        data_copy,
        140,
        "740,480.76 million Riels,",
        "740,480.76 million Riels in the Pension Scheme,",
    )
    after = _rerun()
    new, gone = _delta(base, after, "prose_attribution")
    assert not gone and len(new) == 1
    f = after.set_index("finding_id").loc[new.pop()]
    assert f["difference"] == pytest.approx(740480.76 - 111321.01)


@_mutation("prose_attribution")
def test_mutation_bracket_label(base, data_copy):
    # line 381: "13,506 times/persons (7, 166 times/females)" -> "(7, 166 times/persons)"
    _set_sentence(data_copy, 381, "(7, 166 times/females)", "(7, 166 times/persons)")
    after = _rerun()
    new, gone = _delta(base, after, "prose_attribution")
    assert not gone and len(new) == 1
    assert after.set_index("finding_id").loc[new.pop(), "line"] == 381


# ------------------------------------------------------------------ all families


def test_sentences_are_plain(result):
    fam = result.findings[result.findings["rule"].isin(list(audit.rules.FAMILIES))]
    assert len(fam)
    for s in fam["sentence"]:
        assert s and not re.search(r"\w=\w", s), s
        assert not any(r in s for r in audit.rules.FAMILIES), s


def test_every_family_is_a_rule_with_a_mutation_test():
    assert set(audit.rules.FAMILIES) <= set(audit.rules.RULES)
    implemented = {
        r for r in audit.rules.FAMILIES if r in audit.results.run().checks["rule"].values
    }
    assert implemented <= MUTATED


def test_family_table_in_the_chapter(result, chapter):
    family_table = chapter["family_table"]
    html = family_table("stock_flow", 2022).to_html()
    ids = _family(result.findings, "stock_flow")["finding_id"]
    assert len(ids) == 2 and all(f'id="{i}"' in html for i in ids)
    # both sides are linked: Table 1 and Table 4 (occupational risk), Table 34 and 36
    for href in ("01_occupational_risk.html#t04", "02_health_care.html#t36"):
        assert href in html
    # the stock-flow checks all concern 2022: nothing to show for 2021, and it says so
    assert "No check of this kind" in family_table("stock_flow", 2021).data
    with pytest.raises(NSSFError, match="unknown family 'nope'"):
        family_table("nope", 2022)
    fam = chapter["families"].data.set_index("Family")  # the chapter's table, for 2022
    assert fam.loc["Stocks and flows", "Findings"] == 2
