"""Tests of the audit: hand-checked findings, mutations of the data files, reconciliation.

Expected values come from the report text (report line numbers are given) and from
hand arithmetic written out in each test, never from running the audit.
"""

import functools
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from chapter import run_cells

from nssf_analysis.analysis import audit, select
from nssf_analysis.analysis.audit import common, results
from nssf_analysis.data.extract import write_csv
from nssf_analysis.exceptions import NSSFError
from nssf_analysis.render import audit_view, tables

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "08_data_quality.ipynb"


# ------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def result():
    """The audit of the committed data (computed before any test redirects NSSF_DATA)."""
    return audit.results.run()


@pytest.fixture(scope="module")
def chapter():
    """The data-quality chapter's names: its code cells run once, for 2022."""
    return run_cells("08_data_quality", 2022)


def _finding(findings, rule, table_id, line, column=None):
    hit = findings[
        (findings["rule"] == rule) & (findings["table_id"] == table_id) & (findings["line"] == line)
    ]
    if column is not None:
        hit = hit[hit["column"] == column]
    assert len(hit) == 1, f"{rule} {table_id} line {line}: {len(hit)} findings"
    return hit.iloc[0]


def _check(checks, rule, table_id, line, column):
    hit = checks[
        (checks["rule"] == rule)
        & (checks["table_id"] == table_id)
        & (checks["line"] == line)
        & (checks["column"] == column)
    ]
    return hit


#: Rules that a mutation test exercises, filled when the tests are defined (:func:`_mutation`).
MUTATED_RULES: set[str] = set()
#: Every set :func:`_changed` returned during the running mutation test.
_CHANGES: list[set] = []


def _mutation(*rules: str):
    """Declare the rules a mutation test exercises; each must be among the changes it sees."""
    MUTATED_RULES.update(rules)

    def decorate(test):
        @functools.wraps(test)
        def run(*args, **kwargs):
            _CHANGES.clear()
            test(*args, **kwargs)
            seen = {c[0] for changed in _CHANGES for c in changed}
            assert set(rules) <= seen, f"{test.__name__}: no change of rule {set(rules) - seen}"

        return run

    return decorate


def _changed(before: pd.DataFrame, after: pd.DataFrame) -> set:
    """(rule, table, line, column) of every finding added, removed or altered.

    The families between places have their own mutation tests (test_audit_relations.py)
    and are left out here.
    """
    cols = ["class", "printed", "expected"]
    b = before[~before["rule"].isin(list(audit.rules.FAMILIES))].set_index("finding_id")
    a = after[~after["rule"].isin(list(audit.rules.FAMILIES))].set_index("finding_id")
    out = set()
    for fid in set(b.index) | set(a.index):
        if fid in b.index and fid in a.index and list(b.loc[fid, cols]) == list(a.loc[fid, cols]):
            continue
        row = a.loc[fid] if fid in a.index else b.loc[fid]
        out.add((row["rule"], row["table_id"], int(row["line"]), int(row["column"])))
    _CHANGES.append(out)
    return out


def _set_raw(data: Path, table_id: str, line: int, col: int, old: str, new: str) -> None:
    path = data / "raw" / f"{table_id}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[df["line"] == str(line)]
    assert len(idx) == 1
    assert df.loc[idx[0], f"c{col}"] == old
    df.loc[idx[0], f"c{col}"] = new
    write_csv(df, path)


def _set_fact(data: Path, fact_id: str, **values: str) -> None:
    """Set columns of one fact of ``facts.csv`` (e.g. ``value`` and ``printed``)."""
    path = data / "facts.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[df["fact_id"] == fact_id]
    assert len(idx) == 1
    df.loc[idx[0], list(values)] = list(values.values())
    write_csv(df, path)


def _rerun() -> pd.DataFrame:
    return audit.results.run().findings


# ------------------------------------------------------------------ hand-checked findings


def test_table18_subtotal_is_a_rounding_difference(result):
    # report lines 431-438, 2022: 1.17+0.18+2.34+0.63+2.63+0.94+5.78+0.18 = 13.85;
    # line 430 prints 13.86
    f = _finding(result.findings, "sum", "t18", 430, 4)
    assert f["class"] == "rounding"
    assert f["printed"] == "13.86"
    assert f["difference"] == pytest.approx(13.86 - 13.85)


def test_table44_parts_printed_without_decimals(result):
    # line 806 prints 111 and line 807 prints 143 where the table prints two decimals
    for line in (806, 807):
        f = _finding(result.findings, "precision", "t44", line, 4)
        assert f["class"] == "rounding"
    # line 808: 5.85 + 0.12 + 111 + 143 = 259.97 against 260.10, within 0.5 + 0.5
    total = _finding(result.findings, "sum", "t44", 808, 4)
    assert total["difference"] == pytest.approx(260.10 - 259.97)
    assert total["class"] == "rounding"
    # line 803: 5.85 + 0.12 + 111 = 116.97 against 116.93
    sub = _finding(result.findings, "sum", "t44", 803, 4)
    assert sub["difference"] == pytest.approx(116.93 - 116.97)
    assert sub["class"] == "rounding"


def test_table31_prints_billions_for_millions(result):
    # line 633 prints 316.32 under "Expenditure (Billion Riels)"; line 574 states
    # "a total expenditure of 316.32 million Riels"
    f = _finding(result.findings, "unit", "t31", 633, 4)
    assert f["class"] == "inconsistency"
    assert f["printed"] == "316.32 billion riels"
    assert f["expected"] == "316.32 million riels"
    assert f["ref_line"] == 574
    assert result.adjustments == {"t31": pytest.approx(0.001)}


def test_table59_contributions_against_section_c(result):
    # line 985 prints 111.32; line 978 states 111.54 billion riels (0.22 voluntary)
    f = _finding(result.findings, "prose", "t59", 985, 6)
    assert f["class"] == "inconsistency"
    assert f["difference"] == pytest.approx(111.32 - 111.54)


def test_monthly_annex_against_annex_613(result):
    # lines 1660-1665: month sums 41, 55, 56, 13, 31 against Annex 6.1.3 (lines 1627-1632)
    # 43, 56, 54, 15, 28; e.g. Svay Rieng 5+1+2+0+0+2+7+5+10+3+3+3 = 41
    expected = {1660: 41 - 43, 1661: 55 - 56, 1662: 56 - 54, 1663: 13 - 15, 1665: 31 - 28}
    f = result.findings
    f = f[(f["rule"] == "annex") & (f["table_id"] == "a6_1_3_monthly")]
    assert dict(zip(f["line"], f["difference"], strict=True)) == expected
    assert set(f["class"]) == {"inconsistency"}


def test_table47_missing_fluctuation(result):
    # line 849 leaves the contribution-paid institutions' change blank: (39 - 38) / 38
    f = _finding(result.findings, "blank", "t47", 849, 3)
    assert f["class"] == "structural"
    assert f["expected"].startswith(f"{(39 - 38) / 38 * 100:.2f}%")


def test_table23_rows_one_cell_short_and_annex_confirms_alignment(result):
    # lines 513-515 print six value cells for seven columns
    f = result.findings
    shifted = f[(f["rule"] == "shifted_cells") & (f["table_id"] == "t23")]
    assert sorted(shifted["line"]) == [513, 514, 515]
    # read aligned to the right, 2022 central = 1, 6, 7: Annex 6.2.2 Phnom Penh prints
    # 1, 6, 7 (report line 1793), so the cross-references hold
    checks = result.checks
    central = checks[
        (checks["rule"] == "annex")
        & (checks["table_id"] == "t23")
        & checks["line"].isin([513, 514, 515])
        & (checks["column"] == 5)
    ]
    assert len(central) == 3
    assert set(central["class"]) == {"ok"}


def test_table2_head_offices_are_the_phnom_penh_row(result):
    # line 179: head offices 7,924 / 715,371 / 407,646; Annex 6.1.1 line 1446 the same
    checks = result.checks
    ho = checks[
        (checks["rule"] == "annex")
        & (checks["table_id"] == "t02")
        & (checks["line"] == 179)
        & checks["column"].isin([5, 6, 7])
    ]
    assert len(ho) == 3
    assert set(ho["class"]) == {"ok"}
    assert set(ho["ref_line"]) == {1446}


def test_table38_against_directory(result):
    # Table 38 (lines 733-736) against the entries of Annex 6.6.1: 1,501 in all
    checks = result.checks
    d = checks[checks["rule"] == "directory"]
    assert len(d) == 5
    assert set(d["class"]) == {"ok"}
    grand = d[(d["line"] == 736) & (d["column"] == 2)].iloc[0]
    assert grand["computed"] == 1501


def test_directory_numbering_gap(result):
    # report line 2936: the Kandal public list prints "40 H C C Clinic and Maternity"
    # where no. 16 belongs; Phnom Penh private no. 40 has that name (line 2930)
    f = _finding(result.findings, "numbering", "a6_6_2", 2936)
    assert f["printed"] == "40 H C C Clinic and Maternity"
    assert f["expected"] == "no. 16"
    assert "line 2930" in f["sentence"]
    assert len(result.findings[result.findings["rule"] == "numbering"]) == 1


def test_duplicate_names_in_directory_lists(result):
    f = result.findings
    d = f[f["rule"] == "duplicate_name"]
    got = {(r["table_id"], r["printed"]) for _, r in d.iterrows()}
    assert got == {
        ("a6_6_1", "nos. 25 and 58"),  # Phnom Penh, Ponhea Pun Health Center
        ("a6_6_1", "nos. 83 and 40"),  # Kampong Cham, Baray Health Center (83 printed first)
        ("a6_6_1", "nos. 15 and 23"),  # Takeo, Kampeng Health Center
        ("a6_6_1", "nos. 21 and 25"),  # Takeo, Kvav Health Center
    }
    assert "Ponhea Pun Health Center" in d[d["printed"] == "nos. 25 and 58"].iloc[0]["location"]


def test_prose_number_with_a_stray_space(result):
    # line 381: "(7, 166 times/females)"
    f = _finding(result.findings, "format", "facts", 381)
    assert f["printed"] == "7, 166"
    assert f["class"] == "structural"
    # the sentence names the section of the text (A.1.3), not the figure's id
    assert f["sentence"] == "Prose, section A.1.3: the text prints '7, 166' for 7,166."


def test_changes_from_zero_are_conventions(result):
    f = result.findings
    # line 606: Table 29 total 0 -> 63 printed 100.00%
    assert _finding(f, "fluctuation", "t29", 606, 6)["class"] == "convention"
    # line 467: Table 20 social rehabilitation 0.00 -> 0.00 printed 0.00%
    assert _finding(f, "fluctuation", "t20", 467, 5)["class"] == "convention"
    # line 952: Table 56 2021 printed '-', change printed 100.00%
    assert _finding(f, "fluctuation", "t56", 952, 2)["class"] == "convention"
    conv = result.conventions.set_index("convention")
    for name in ("from_zero", "both_zero", "no_base"):
        assert conv.loc[name, "adopted"]
        assert conv.loc[name, "holds"] == conv.loc[name, "cases"] > 0


def test_a_convention_that_rarely_holds_is_not_adopted():
    def rec(printed, difference):
        return {
            "rule": "fluctuation",
            "expected": "change from zero",
            "printed": printed,
            "difference": difference,
            "status": "convention" if difference == 0 else "inconsistency",
            "note": "",
        }

    # five changes from zero printed 100.00%, five printed 50.00% (want 100)
    records = [rec("100.00%", 0.0) for _ in range(5)] + [rec("50.00%", -50.0) for _ in range(5)]
    conv = audit.results.learn_conventions(records).set_index("convention")
    assert conv.loc["from_zero", "cases"] == 10
    assert conv.loc["from_zero", "holds"] == 5
    assert not conv.loc["from_zero", "adopted"]
    results._classify(records, audit.results.learn_conventions(records))
    assert {r["status"] for r in records} == {"inconsistency"}


def test_parse_selector():
    conds = select.parse("year=@report; province!=Phnom Penh|Total; sex=total", 2022)
    assert conds == {
        "year": "2022",
        "province": select.Not(("Phnom Penh", "Total")),
        "sex": "total",
    }
    assert select.parse("year=@previous", 2022) == {"year": "2021"}


def test_a_selector_leaves_the_fluctuations_out_unless_it_names_role():
    frame = pd.DataFrame(
        {
            "role": ["value", "fluctuation", "value"],
            "province": ["Phnom Penh", "Phnom Penh", "Kandal"],
            "year": ["2022", "2022", "2022"],
        }
    )
    where = common.where_of("year=@report", "province!=Kandal", year=2022)
    assert list(common.pick(frame, where).index) == [0]
    assert list(common.pick(frame, {**where, "role": "fluctuation"}).index) == [1]
    # a column the cells lack selects nothing; a condition against it holds
    assert common.pick(frame, common.where_of("office=total")).empty
    assert len(common.pick(frame, common.where_of("office!=total"))) == 2
    with pytest.raises(NSSFError, match="both name year"):
        common.where_of("year=2022", "year=2021")


def test_finding_ids_are_stable_and_unique(result):
    ids = result.findings["finding_id"]
    assert ids.is_unique
    assert all(re.fullmatch(r"F-[a-z]+-[a-z0-9_]+-[0-9a-f]{6}", i) for i in ids)
    results._run_cached.cache_clear()
    again = audit.results.run().findings["finding_id"]
    assert list(again) == list(ids)


def test_a_table_is_interpreted_again_when_its_content_or_declaration_changes(monkeypatch):
    from nssf_analysis.data import specs
    from nssf_analysis.data.catalog import catalog_row, load_raw

    raw, row = load_raw("t13"), catalog_row("t13")
    kept = common._Printed(raw, row, 2022)
    same = common._Printed(raw.copy(), dict(row), 2022)
    assert same == kept and hash(same) == hash(kept)
    edited = raw.copy()
    edited.loc[edited["line"] == "375", "c4"] = "13,827"  # line 375: 13,826 claims in 2022
    assert common._Printed(edited, row, 2022) != kept
    assert common._Printed(raw, row, 2023) != kept
    # a rename declared for the 2022 edition (README "A new report")
    monkeypatch.setitem(specs.RENAMED, "t13", {2022: {"Funerary Grants": "Funeral Grants"}})
    assert common._Printed(raw, row, 2022) != kept


def test_only_non_ok_checks_are_findings(result):
    s = audit.results.summary().set_index("rule")
    assert s.loc["all", "findings"] == len(result.findings)
    assert s.loc["all", "checks"] == len(result.checks)
    assert "ok" not in set(result.findings["class"])
    assert s.loc["all", "ok"] == (result.checks["class"] == "ok").sum()


# ------------------------------------------------------------------ mutations


@pytest.fixture(scope="module")
def base_findings(result):
    return result.findings


@_mutation("sum")
def test_mutation_part(base_findings, data_copy):
    # Table 18 line 433, 1.3 in 2022: 2.34 -> 2.94
    _set_raw(data_copy, "t18", 433, 4, "2.34", "2.94")
    assert _changed(base_findings, _rerun()) == {
        ("sum", "t18", 430, 4),  # 1. = 1.1 + ... + 1.8: 14.45 against 13.86
        ("sum", "t18", 442, 4),  # grand total: 22.85 against 22.26
        ("fluctuation", "t18", 433, 5),  # (2.94 - 1.64) / 1.64 = 79.27% against 42.75%
    }


@_mutation("sum")
def test_mutation_total(base_findings, data_copy):
    # Table 13 line 375, total claims 2022: 13,826 -> 13,827
    _set_raw(data_copy, "t13", 375, 4, "13,826", "13,827")
    changed = _changed(base_findings, _rerun())
    assert changed == {
        ("sum", "t13", 375, 4),  # 4,752+6,453+1,424+961+236 = 13,826
        ("fluctuation", "t13", 375, 5),  # 4,306 / 9,521 = 45.23%, within rounding of 45.22%
        ("prose", "t13", 375, 4),  # line 364 states 13,826 documents
    }
    f = _rerun()
    assert _finding(f, "fluctuation", "t13", 375, 5)["class"] == "rounding"
    assert _finding(f, "sum", "t13", 375, 4)["class"] == "inconsistency"


@_mutation("fluctuation")
def test_mutation_fluctuation(base_findings, data_copy):
    # Table 13 line 374, funerary grants: (236 - 187) / 187 = 26.20%; print 26.90%
    _set_raw(data_copy, "t13", 374, 5, "26.20%", "26.90%")
    assert _changed(base_findings, _rerun()) == {("fluctuation", "t13", 374, 5)}


@_mutation("annex")
def test_mutation_annex_cell(base_findings, data_copy):
    # Annex 6.1.1 line 1442, Kandal workers: 149,618 -> 149,718
    _set_raw(data_copy, "a6_1_1", 1442, 4, "149,618", "149,718")
    assert _changed(base_findings, _rerun()) == {
        ("sum", "a6_1_1", 1460, 4),  # the Total row's workers
        ("tables", "a6_4_1", 1856, 4),  # Annex 6.4.1 Kandal repeats 149,618
        ("annex", "t02", 179, 9),  # Table 2 provincial branches' members
    }


@_mutation("annex")
def test_mutation_annex_against_annex(base_findings, data_copy):
    # Annex 6.1.3 (months) line 1660, Svay Rieng total: 41 -> 43 (Annex 6.1.3 prints 43)
    _set_raw(data_copy, "a6_1_3_monthly", 1660, 15, "41", "43")
    assert _changed(base_findings, _rerun()) == {
        ("annex", "a6_1_3_monthly", 1660, 15),  # now equal: the finding goes
        ("sum", "a6_1_3_monthly", 1660, 15),  # months add up to 41
        ("sum", "a6_1_3_monthly", 1666, 15),  # the provinces' totals add up to 3,107
    }


@_mutation("identity")
def test_mutation_identity(base_findings, data_copy):
    # Table 61 line 1024, formal newborns 2022: 56,085 -> 56,095
    _set_raw(data_copy, "t61", 1024, 5, "56,085", "56,095")
    assert _changed(base_findings, _rerun()) == {
        ("identity", "t61", 1024, 5),  # 55,682 + 393 + 2 x 5 = 56,085
        ("identity", "t61", 1024, 7),  # 56,095 x 400,000 = 22.44 billion, printed 22.43
        ("annex", "t61", 1024, 5),  # Annex 6.5.2 formal children 56,085
        ("sum", "t61", 1018, 5),  # all = formal + informal: 56,095 + 88 = 56,183
        ("fluctuation", "t61", 1025, 5),  # (56,095 - 65,462) / 65,462 = -14.31%
    }


@_mutation("unit")
def test_mutation_unit_label(base_findings, data_copy):
    # Table 31 line 620: a header in million riels makes it agree with the prose
    _set_raw(data_copy, "t31", 620, 3, "Expenditure (Billion Riels)", "Expenditure (Million Riels)")
    assert _changed(base_findings, _rerun()) == {("unit", "t31", 633, 4)}
    assert audit.results.run().adjustments == {}


@_mutation("blank")
def test_mutation_blank_filled(base_findings, data_copy):
    # Table 47 line 849: print the missing change (39 - 38) / 38 = 2.63%
    _set_raw(data_copy, "t47", 849, 3, "", "2.63%")
    assert _changed(base_findings, _rerun()) == {("blank", "t47", 849, 3)}


@_mutation("shifted_cells")
def test_mutation_shifted_cells(base_findings, data_copy):
    # Table 23 line 512: a label cell in place of the first value leaves six values
    _set_raw(data_copy, "t23", 512, 2, "0", "Reports")
    changed = _changed(base_findings, _rerun())
    assert ("shifted_cells", "t23", 512, 0) in changed
    assert {c[1:3] for c in changed} == {("t23", 512)}


@_mutation("duplicate_name")
def test_mutation_directory_duplicate(base_findings, data_copy):
    # Annex 6.6.1 Phnom Penh public no. 30 (line 1946) renamed as no. 2 (line 1947)
    path = data_copy / "tidy" / "a6_6_1.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[(df["province"] == "Phnom Penh") & (df["no"] == "30")]
    assert df.loc[idx[0], "name"] == "Choeung Ek Health Center"
    df.loc[idx[0], "name"] = "Calmette Hospital"
    write_csv(df, path)
    assert _changed(base_findings, _rerun()) == {("duplicate_name", "a6_6_1", 1946, 0)}


@_mutation("directory")
def test_mutation_directory_entry_removed(base_findings, data_copy):
    # Annex 6.6.1 Kep private (line 2097) removed: Table 38 counts 60 provincial private
    # hospitals and 1,501 facilities
    path = data_copy / "tidy" / "a6_6_1.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    keep = ~((df["province"] == "Kep") & (df["ownership"] == "private"))
    assert (~keep).sum() == 1
    write_csv(df[keep], path)
    assert _changed(base_findings, _rerun()) == {
        ("directory", "t38", 734, 5),  # 60 against 59
        ("directory", "t38", 736, 2),  # 1,501 against 1,500
    }


@_mutation("numbering")
def test_mutation_directory_renumbered(base_findings, data_copy):
    # Annex 6.6.2 Kandal public: number the stray entry 16
    path = data_copy / "tidy" / "a6_6_2.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[(df["province"] == "Kandal") & (df["no"] == "40")]
    df.loc[idx[0], "no"] = "16"
    write_csv(df, path)
    assert _changed(base_findings, _rerun()) == {("numbering", "a6_6_2", 2936, 0)}


@_mutation("prose")
def test_mutation_prose_fact(base_findings, data_copy):
    # facts.csv: a21_members_total 257,644 (line 479) -> 257,645; Table 21 line 485
    _set_fact(data_copy, "a21_members_total", value="257645.0", printed="257,645")
    assert _changed(base_findings, _rerun()) == {("prose", "t21", 485, 3)}


@_mutation("shares")
def test_mutation_shares(base_findings, data_copy):
    # Table 63 line 1108, 2022 general vehicles: cars 3.00% -> 4.00%, so that motorcycles,
    # cars and others add up to 94 + 4 + 3 = 101%
    _set_raw(data_copy, "t63", 1108, 9, "3.00%", "4.00%")
    f = _rerun()
    assert _changed(base_findings, f) == {
        ("shares", "t63", 1108, 8),  # reported at the first share, motorcycles
        ("fluctuation", "t63", 1109, 9),  # (4.00 - 2.00) / 2.00 = 100.00% against 50.00%
    }
    s = _finding(f, "shares", "t63", 1108, 8)
    assert s["location"] == "2022 | General Vehicles (%) / Motorcycles"
    assert s["printed"] == "94.00% + 4.00% + 3.00%"
    assert s["difference"] == pytest.approx(101 - 100)
    # 1 point is more than the rounding of three shares printed to 0.01 (3 x 0.005)
    assert s["class"] == "inconsistency"


@_mutation("precision")
def test_mutation_precision(base_findings, data_copy):
    # Annex 6.5.2 line 1913, Kandal total amount: 2,010.00 -> 2,010, the same value
    # (5,025 children x 400,000 riels = 2,010 million riels) printed without the two
    # decimals of the other 26 amounts in million riels (lines 1911-1937)
    _set_raw(data_copy, "a6_5_2", 1913, 14, "2,010.00", "2,010")
    f = _rerun()
    # the value is unchanged: the identity and the Total row (line 1937) still hold
    assert _changed(base_findings, f) == {("precision", "a6_5_2", 1913, 14)}
    p = _finding(f, "precision", "a6_5_2", 1913, 14)
    assert p["printed"] == "2,010"
    assert p["expected"] == "2 decimals"
    assert p["class"] == "rounding"


@_mutation("tables")
def test_mutation_tables(base_findings, data_copy):
    # Table 36 line 698, head offices' new enterprises in 2021: 752 -> 753; Table 4
    # prints 752 for the same enterprises (line 203)
    _set_raw(data_copy, "t36", 698, 5, "752", "753")
    f = _rerun()
    assert _changed(base_findings, f) == {
        ("tables", "t36", 698, 5),  # 753 against Table 4's 752
        ("sum", "t36", 698, 2),  # total 1,202 against 753 + 450 = 1,203
        ("fluctuation", "t36", 700, 5),  # (1,663 - 753) / 753 = 120.85% against 121.14%
    }
    t = _finding(f, "tables", "t36", 698, 5)
    assert t["class"] == "inconsistency"
    assert t["difference"] == 753 - 752
    assert (t["ref_table"], t["ref_line"]) == ("t04", 203)


@_mutation("format")
def test_mutation_format(base_findings, data_copy):
    # facts.csv: a13_claims_documents, "13,826 documents" (line 364), printed with a
    # space for the thousands separator; its value, and so Table 13's prose check, holds
    _set_fact(data_copy, "a13_claims_documents", printed="13 826")
    f = _rerun()
    assert _changed(base_findings, f) == {("format", "facts", 364, 0)}
    g = _finding(f, "format", "facts", 364)
    assert g["location"] == "a13_claims_documents: section A.1.3"
    assert g["printed"] == "13 826"
    assert g["expected"] == "13,826"
    assert g["class"] == "structural"


def test_every_rule_has_a_mutation_test():
    # the rules declared by @_mutation above; a rule added to the audit needs one (the
    # families between places have theirs in test_audit_relations.py)
    assert set(audit.rules.RULES) - MUTATED_RULES - set(audit.rules.FAMILIES) == set()
    assert MUTATED_RULES - set(audit.rules.RULES) == set()


# ------------------------------------------------------------------ reconciliation


@pytest.fixture(scope="module")
def recon(result):
    return audit.reconciliation.reconcile()


def _row(recon, fact_id, basis="tables"):
    r = recon[(recon["fact_id"] == fact_id) & (recon["basis"] == basis)]
    assert len(r) == 1
    return r.iloc[0]


@pytest.mark.parametrize(
    ("fact_id", "printed", "parts"),
    [
        ("s2or_registered_enterprises", 20483, [20448, 35]),  # Tables 1 and 21
        ("s2hc_registered_enterprises", 18803, [17821, 39, 943]),  # Tables 34, 46, 60
        ("s2_registered_enterprises", 21430, [20448, 39, 943]),  # Tables 1, 46, 60
        ("s2_members_total", 3120208, [2584706, 439243, 96259]),
        ("s2_members_female", 1798510, [1646397, 131291, 20822]),
        ("s2or_members_total", 2842350, [2584706, 257644]),
        ("s2or_members_female", 1754047, [1646397, 107650]),
        ("s2_victims_total", 9083, [9013, 70]),  # Tables 15 and 28
        ("s2_victims_female", 4539, [4521, 18]),
        ("s2_health_care_access_total", 3000040, [2662335, 337705]),  # Tables 42 and 51
        ("s2_health_care_access_female", 2195365, [2054688, 140677]),  # prose B.1.2, B.2.2
        ("s2pen_members_total", 2584706, [2584706]),  # Table 56
    ],
)
def test_reconciled_counts(recon, fact_id, printed, parts):
    r = _row(recon, fact_id)
    assert r["printed"] == printed
    assert r["rebuilt"] == sum(parts)
    assert r["gap"] == 0
    assert r["status"] == "ok"


@pytest.mark.parametrize(
    ("fact_id", "printed", "billions", "status"),
    [
        ("s2or_contribution_income", 142398.50, [137.71, 4.69], "rounding"),  # Tables 5, 22
        ("s2hc_contribution_income", 486761.25, [446.25, 40.52], "rounding"),  # 37, 47
        ("s2pen_contribution_income", 111321.01, [111.32], "rounding"),  # Table 59
        (
            "s2_contribution_income",
            740480.76,
            [137.71, 4.69, 446.25, 40.52, 111.32],
            "rounding",
        ),
    ],
)
def test_reconciled_contributions(recon, fact_id, printed, billions, status):
    r = _row(recon, fact_id)
    rebuilt = sum(billions) * 1000  # million riels
    assert r["rebuilt"] == pytest.approx(rebuilt)
    assert r["gap"] == pytest.approx(printed - rebuilt)
    # each part printed to 0.005 billion = 5 million riels
    assert abs(r["gap"]) <= 5 * len(billions) + 0.005
    assert r["status"] == status


def test_reconciled_expenditure_with_and_without_the_unit_finding(recon, result):
    r = _row(recon, "s2or_expenditure")
    # as printed: 22.26 bn (T18) + 316.32 "bn" (T31) + 42.20 m (T20) + 0.00 m (T33)
    as_printed = 22260 + 316320 + 42.20 + 0.00
    assert r["rebuilt"] == pytest.approx(as_printed)
    assert r["gap"] == pytest.approx(22619.33 - as_printed)
    assert r["status"] == "inconsistency"
    # Table 31 read in million riels: 22,260 + 316.32 + 42.20 = 22,618.52; gap 0.81
    assert r["adjusted_rebuilt"] == pytest.approx(22618.52)
    assert r["adjusted_gap"] == pytest.approx(0.81)
    assert r["adjusted_status"] == "rounding"
    unit = result.findings[result.findings["rule"] == "unit"]["finding_id"].iloc[0]
    assert r["adjusted_by"] == unit
    hc = _row(recon, "s2hc_expenditure")
    # 260.10 bn (T44) + 63.18 bn (T53) + 1.03 m (T45) + 4.69 m (T55) = 323,285.72
    assert hc["rebuilt"] == pytest.approx(323285.72)
    assert hc["gap"] == pytest.approx(323281.65 - 323285.72)
    assert hc["status"] == "rounding"
    total = _row(recon, "s2_expenditure")
    assert total["adjusted_gap"] == pytest.approx(345900.98 - (22618.52 + 323285.72))
    heads = _row(recon, "s2_expenditure", "headlines")
    assert heads["rebuilt"] == pytest.approx(22619.33 + 323281.65)
    assert heads["status"] == "ok"


def test_reconciliation_of_a_year_without_headlines(result):
    r = audit.reconciliation.reconcile(2021).set_index("fact_id")
    # Table 15 (5,916) + Table 28 (10) victims in 2021; the prose states no 2021 headline
    row = r.loc["s2_victims_total"]
    assert row["rebuilt"] == 5916 + 10
    assert math.isnan(row["printed"])
    assert row["status"] == "no printed headline"


# ------------------------------------------------------------------ outputs and links


def test_cli_writes_the_files(tmp_path):
    out = tmp_path / "audit"
    proc = subprocess.run(
        [sys.executable, "-m", "nssf_analysis.cli", "audit", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "findings" in proc.stdout
    for name in (
        "findings.csv",
        "findings.json",
        "summary.csv",
        "reconciliation.csv",
        "conventions.csv",
    ):
        assert (out / name).stat().st_size > 0
    f = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
    assert list(f.columns) == audit.rules.FINDING_COLUMNS
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert len(doc["findings"]) == len(f)
    s = pd.read_csv(out / "summary.csv")
    assert int(s.loc[s["rule"] == "all", "findings"].iloc[0]) == len(f)


def test_table_links():
    assert audit_view.table_link("t18") == "01_occupational_risk.html#t18"
    assert audit_view.table_link("t44") == "02_health_care.html#t44"
    assert audit_view.table_link("t59") == "03_pension.html#t59"
    assert audit_view.table_link("t61") == "04_informal_sector.html#t61"
    assert audit_view.table_link("t63") == "05_institutional.html#t63"
    assert audit_view.table_link("a6_6_2") == "06_provinces.html#a6_6_2"
    assert tables.chapter_of("2.OR") == "00_overview"
    with pytest.raises(NSSFError, match="no chapter for report section 'Z.1'"):
        tables.chapter_of("Z.1")


def test_findings_table_anchors(result, chapter):
    # the chapter's page of each year shows each of the year's findings once: those of a
    # family between places in the family's table, the others in the table of their class
    shown, pages = set(), {}
    for year in (2022, 2021):
        parts = [chapter["family_table"](f, year) for f in audit.rules.FAMILIES]
        parts += [chapter["findings_table"](c, year) for c in audit.rules.CLASSES]
        html = pages[year] = "".join(p.to_html() for p in parts if hasattr(p, "to_html"))
        found = results.findings(year)
        for fid in found["finding_id"]:
            assert html.count(f'id="{fid}"') == 1
        for tid in set(found["table_id"]):
            assert html.count(f'id="finding-{tid}"') == 1
        shown |= set(found["finding_id"])
    assert shown == set(result.findings["finding_id"])  # every finding has its anchor
    assert 'href="01_occupational_risk.html#t18"' in pages[2022]
    assert audit_view.finding_link("t18") == "08_data_quality.html#finding-t18"
    assert audit_view.finding_link("t12") is None  # Table 12 is consistent


def test_finding_anchors_mark_the_first_finding_of_each_table():
    found = pd.DataFrame(
        {"finding_id": ["t18-a", "t18-b", "t04-a"], "table_id": ["t18", "t18", "t04"]},
        index=[5, 7, 9],
    )
    assert audit_view.finding_anchors(found).to_dict() == {
        5: '<span id="t18-a"></span><span id="finding-t18"></span>',
        7: '<span id="t18-b"></span>',
        9: '<span id="t04-a"></span><span id="finding-t04"></span>',
    }


def test_notebook_is_clean_and_parameterised():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "nssf-analysis"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert code[0].source == "year: int = 2022  # report year: one of the years with data"
    assert "check_year(year)" in code[1].source
    for c in code:
        assert not c.outputs and c.execution_count is None
    # the chapter's tables are written in the chapter; the package gives it the links
    source = "\n" + "\n".join(c.source for c in code)
    for name in ("audit_table", "family_table", "findings_table", "revisions"):
        assert f"\ndef {name}(" in source, name
    for c in nb.cells:
        if c.cell_type == "markdown":
            assert not re.search(r"\d", c.source), c.source[:60]
