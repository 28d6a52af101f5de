"""Tests of the audit's rules between places: stocks and flows, parts and wholes, copies,
counts against lists, names across directories, prose attributions and the source text.

Expected values come from the report text (report line numbers are given) and from hand
arithmetic written out in each test, never from running the audit.  Each mutation test
corrupts one cell of a copy of the data and expects exactly one finding of its family to
appear, change or go.
"""

import functools
import re
from pathlib import Path

import pandas as pd
import pytest

from nssf_analysis import audit, audit_relations
from nssf_analysis.extract import write_csv

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
    return audit.run()


@pytest.fixture(scope="module")
def base(result):
    return result.findings


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
    return audit.run().findings


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
    idx = df.index[df["line"] == str(line)]
    assert len(idx) == 1 and df.loc[idx[0], column] == old
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
    fam = result.findings[result.findings["rule"].isin(list(audit_relations.FAMILIES))]
    assert len(fam)
    for s in fam["sentence"]:
        assert s and not re.search(r"\w=\w", s), s
        assert not any(r in s for r in audit_relations.FAMILIES), s


def test_every_family_is_a_rule_with_a_mutation_test():
    assert set(audit_relations.FAMILIES) <= set(audit.RULES)
    implemented = {r for r in audit_relations.FAMILIES if r in audit.run().checks["rule"].values}
    assert implemented <= MUTATED
