"""Editions that differ from 2022 the way a new edition does, made from the 2022 text.

Each test edition is the 2022 report with tables inserted, removed, swapped, reworded
or changed in layout. Known tables must come out under their stable identifiers with
the values of the 2022 extraction (the committed ``data/``), labelled with the edition's
own numbers; what is new or missing is named. Every extraction goes to a temporary
folder: the project's ``data/`` is never touched.
"""

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from chapter import run_cells

from nssf_analysis.cli import main
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.data import editions
from nssf_analysis.data.cache import clear_all
from nssf_analysis.data.catalog import catalog
from nssf_analysis.data.pipeline import write_data
from nssf_analysis.data.report_text import read_lines
from nssf_analysis.data.revisions import REVISION_COLUMNS
from nssf_analysis.data.specs.annex import ANNEX_TABLES
from nssf_analysis.exceptions import ExtractionError

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nssf_annual_report_2022.txt"
DATA = ROOT / "data"
NOTEBOOKS = ROOT / "notebooks"
TITLE_RE = re.compile(r"((?:^|\*\*)Table )(\d+)(:)")

#: A table of a kind the 2022 report does not print (numbers made up for the test).
NEW_TABLE = [
    "Table 5: Voluntary Members by Age Group",
    "",
    "Description\tUnder 30\t30 to 50\tOver 50\tTotal",
    "2021\t1,200\t2,300\t400\t3,900",
    "2022\t1,500\t2,600\t500\t4,600",
    "Fluctuation (± %)\t25.00%\t13.04%\t25.00%\t17.95%",
    "",
    "Source: Department of Registration and Contribution",
    "",
]


def base_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def title_index(lines: list[str], n: int) -> int:
    """0-based line of "Table n:" (as printed: at the start or after '**')."""
    return next(i for i, x in enumerate(lines) if (m := TITLE_RE.search(x)) and m[2] == str(n))


def span(lines: list[str], n: int) -> tuple[int, int]:
    """0-based [title line, line after the "Source:" line) of Table n."""
    start = title_index(lines, n)
    end = next(j for j in range(start + 1, len(lines)) if lines[j].startswith("Source:"))
    return start, end + 1


def renumber(lines: list[str]) -> list[str]:
    """Number the tables 1, 2, … in the order printed, as a new edition does."""
    out, k = [], 0
    for x in lines:
        if TITLE_RE.search(x):
            k += 1
            x = TITLE_RE.sub(lambda m, k=k: f"{m[1]}{k}{m[3]}", x, count=1)
        out.append(x)
    return out


def summary(data: Path) -> pd.DataFrame:
    return pd.read_csv(data / "edition.csv", dtype=str, keep_default_na=False).set_index("table_id")


def assert_same_values(data: Path, except_ids=()) -> int:
    """Every known table has the 2022 extraction's raw cells and tidy values.

    Report lines move with the text around them, so the line column is left out.
    """
    n = 0
    for layer in ("raw", "tidy"):
        for path in sorted((DATA / layer).glob("*.csv")):
            if path.stem in except_ids:
                continue
            want = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="line")
            got = pd.read_csv(data / layer / path.name, dtype=str, keep_default_na=False)
            pd.testing.assert_frame_equal(got.drop(columns="line"), want, obj=path.name)
            n += 1
    return n


def test_the_reference_is_the_2022_report():
    doc = json.loads(editions.REFERENCE_PATH.read_text(encoding="utf-8"))
    assert doc == json.loads(json.dumps(editions.reference_from_lines(read_lines(SEED))))
    ref = editions.reference()
    # report line 227: "Table 5: Number of Contribution-Paid Enterprises/Establishments and
    # Workers", in A.1.1, first header label "Description"
    assert ref["t05"]["label"] == "Table 5"
    assert (
        ref["t05"]["title"] == "Number of Contribution-Paid Enterprises/Establishments and Workers"
    )
    assert ref["t05"]["section"] == "A.1.1"
    assert ref["t05"]["layout"][0][0] == "Description"
    # line 231: "2021\t11,272\t…": the year is a label written <year>, numbers are not labels
    assert ref["t05"]["layout"][2] == ["<year>"]


def test_the_2022_report_is_every_table_matched():
    ed = editions.match_edition(read_lines(SEED))
    assert ed.counts() == {"matched": 84, "renumbered": 0, "reworded": 0, "new": 0, "missing": 0}
    assert [t.label for t in ed.numbered] == [f"Table {n}" for n in range(1, 72)]
    committed = pd.read_csv(DATA / "edition.csv", dtype=str, keep_default_na=False)
    assert set(committed["status"]) == {"matched"} and len(committed) == 84


def test_a_table_inserted_before_table_5(edition):
    lines = base_lines()
    at = title_index(lines, 5)
    data = edition(renumber(lines[:at] + NEW_TABLE + lines[at:]))
    info = write_data()
    assert info["tables"] == 84
    s = summary(data)
    # the new table keeps its printed number as its name and is kept as printed
    assert s.loc["new_05", "status"] == "new" and s.loc["new_05", "label"] == "Table 5"
    assert s.loc["new_05", "raw_file"] == "raw/new_05.csv"
    raw = pd.read_csv(data / "raw" / "new_05.csv", dtype=str, keep_default_na=False)
    assert list(raw.iloc[2, 3:8]) == ["2022", "1,500", "2,600", "500", "4,600"]
    # every later table is renumbered, its identifier stays
    assert s.loc["t05", "status"] == "renumbered" and s.loc["t05", "label"] == "Table 6"
    assert s.loc["t05", "reference_label"] == "Table 5"
    assert s.loc["t71", "label"] == "Table 72"
    assert s.loc["t04", "status"] == "matched" and s.loc["t04", "label"] == "Table 4"
    labels = catalog().set_index("table_id")["label"]
    assert labels["t05"] == "Table 6" and labels["t70"] == "Table 71"
    assert "new_05" not in labels.index  # no spec, so no tidy table
    assert assert_same_values(data) == 2 * 87
    # the committed t05 (Table 5, line 232): 2022, 137.71 billion riels of contributions
    t05 = pd.read_csv(data / "tidy" / "t05.csv", dtype=str, keep_default_na=False)
    assert "137.71" in set(t05.loc[t05["year"] == "2022", "value"])


def test_table_21_removed(edition):
    lines = base_lines()
    a, b = span(lines, 21)
    data = edition(renumber(lines[:a] + lines[b:]))
    info = write_data()
    assert info["tables"] == 83
    s = summary(data)
    assert s.loc["t21", "status"] == "missing" and s.loc["t21", "label"] == ""
    assert s.loc["t21", "reference_title"] == "Number of Registered Institutions and Members"
    assert s.loc["t22", "status"] == "renumbered" and s.loc["t22", "label"] == "Table 21"
    assert "t21" not in set(catalog()["table_id"])
    assert not (data / "raw" / "t21.csv").exists()
    assert not catalog_mod.in_edition("t21") and catalog_mod.in_edition("t22")
    assert catalog_mod.in_edition("a6_6_3")  # a directory: printed, not in the summary
    assert catalog_mod.absence_note("t21") == (
        "This edition does not print Table 21 of the 2022 report "
        "(Number of Registered Institutions and Members)."
    )
    assert catalog_mod.absence_note("t22") is None
    assert assert_same_values(data, except_ids={"t21"}) == 2 * 86
    # the audit leaves out the cross-references to the missing table instead of failing
    from nssf_analysis.analysis import audit

    assert "t21" not in set(audit.results.findings()["table_id"])
    # the chapters run on such an edition: tests/test_next_edition.py (its 2023 book)


def test_reworded_titles_match_by_similarity(edition):
    lines = base_lines()
    i13, i06 = title_index(lines, 13), title_index(lines, 6)
    lines[i13] = lines[i13].replace("Benefits Claim", "Claims for Benefits")
    lines[i06] = lines[i06].replace(
        "Inspection of Registration", "Inspections of Enterprise Registration"
    )
    data = edition(lines)
    write_data()
    s = summary(data)
    assert s.loc["t13", "status"] == "reworded" and s.loc["t13", "title"] == "Claims for Benefits"
    # token-sorted "benefits claim" (14 characters) against "benefits claims for" (19):
    # all 14 in common, 2 * 14 / 33 = 84.85
    assert s.loc["t13", "score"] == "84.8"
    # "inspection of registration" (26) against "enterprise inspections of registration"
    # (38): 26 in common, 2 * 26 / 64 = 81.25
    assert s.loc["t06", "status"] == "reworded" and s.loc["t06", "score"] == "81.2"
    # the other "Benefits Claim" tables (26, 39, 48) are still matched to their own
    assert (s.loc[["t26", "t39", "t48"], "status"] == "matched").all()
    assert catalog().set_index("table_id").loc["t13", "title"] == "Claims for Benefits"
    assert assert_same_values(data) == 2 * 87


def test_two_tables_that_swapped_places_are_renumbered(edition):
    lines = base_lines()
    a6, b6 = span(lines, 6)
    a7, b7 = span(lines, 7)
    assert b6 <= a7
    swapped = lines[:a6] + lines[a7:b7] + lines[b6:a7] + lines[a6:b6] + lines[b7:]
    data = edition(renumber(swapped))
    write_data()
    s = summary(data)
    assert s.loc["t06", "status"] == "renumbered" and s.loc["t06", "label"] == "Table 7"
    assert s.loc["t07", "status"] == "renumbered" and s.loc["t07", "label"] == "Table 6"
    assert s.loc["t07", "title"] == "Inspection of Contribution Collection"
    assert assert_same_values(data) == 2 * 87


def test_the_cli_prints_the_summary_and_strict_fails(edition, capsys):
    lines = base_lines()
    at = title_index(lines, 5)
    a, b = span(lines, 21)
    changed = lines[:at] + NEW_TABLE + lines[at:a] + lines[b:]
    data = edition(renumber(changed))
    assert main(["extract", "--quiet", "--strict"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "new: Table 5 'Voluntary Members by Age Group'" in err
    assert "missing: t21 (Table 21)" in err
    assert not data.exists()  # failed before anything was written
    assert main(["extract", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "1 new" in out and "1 missing" in out
    assert "new        Table 5: Voluntary Members by Age Group" in out
    assert "missing    t21 (Table 21): Number of Registered Institutions and Members" in out
    assert "renumbered t05: Table 5 -> Table 6" in out
    # tables 1-4 and the 13 annex tables keep their place; t05 … t20 move on by one,
    # t22 … t71 keep their numbers (one table in, one out before them)
    counts = summary(data)["status"].value_counts()
    assert counts["matched"] == 4 + 13 + 50 and counts["renumbered"] == 16


def _unchanged(tmp_path, monkeypatch, lines):
    """Extract ``lines`` over a copy of data/ and return (error, whether data/ is unchanged)."""
    import shutil

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "nssf_annual_report_2022.txt").write_text("\n".join(lines), encoding="utf-8")
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    monkeypatch.setenv("NSSF_SEEDS", str(seeds))
    monkeypatch.setenv("NSSF_DATA", str(data))
    clear_all()
    try:
        with pytest.raises(ExtractionError) as info:
            write_data()
    finally:
        clear_all()
    after = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    return str(info.value), before == after


def test_a_new_province_row_is_a_named_error(tmp_path, monkeypatch):
    lines = base_lines()
    # annex 6.1.1: "25\tTboung Khmum\t196\t8,946\t4,277" is followed by the Total row
    k = lines.index("25\tTboung Khmum\t196\t8,946\t4,277")
    lines.insert(k + 1, "26\tNew Province\t10\t200\t100")
    message, unchanged = _unchanged(tmp_path, monkeypatch, lines)
    assert message == (
        f"a6_1_1 (Annex 6.1.1), report line {k + 2}: row 'New Province' is not one of the "
        "table's rows 'Banteay Meanchey', 'Battambang', 'Kampong Cham', … (26 rows) …, "
        "'Tboung Khmum', 'Total': the table's layout changed; declare it in "
        "nssf_analysis/data/specs/annex.py, TIDY['a6_1_1'] (rows: ROWS['a6_1_1'])"
    )
    assert unchanged


def test_a_new_column_is_a_named_error(tmp_path, monkeypatch):
    lines = base_lines()
    a, _ = span(lines, 21)
    header = a + 2  # "Description\tInstitutions\tMembers\tFemales"
    assert lines[header] == "Description\tInstitutions\tMembers\tFemales"
    lines[header] += "\tBranches"
    for k in (header + 1, header + 2):
        lines[k] += "\t3"
    message, unchanged = _unchanged(tmp_path, monkeypatch, lines)
    assert message == (
        f"t21 (Table 21), report line {header + 1}: header label 'Branches' is not in the "
        "table's layout; declare it in nssf_analysis/data/specs/part_a_occupational_risk.py, "
        "TIDY['t21'] (header: HEADERS['t21'])"
    )
    assert unchanged


def test_a_lost_data_row_is_a_named_error(tmp_path, monkeypatch):
    lines = base_lines()
    k = lines.index("7\tKampot\t152\t16,936\t11,473")  # annex 6.1.1
    del lines[k]
    message, unchanged = _unchanged(tmp_path, monkeypatch, lines)
    # reported at the line before the lost one ("6\tKampong Thom…", 1-based k)
    assert message == (
        f"a6_1_1 (Annex 6.1.1), report line {k}: row 'Kampot' is missing after this line; "
        "the table must have the rows 'Banteay Meanchey', 'Battambang', 'Kampong Cham', "
        "… (26 rows) …, 'Tboung Khmum', 'Total'; if the edition dropped or renamed it, "
        "change it in nssf_analysis/data/specs/annex.py, TIDY['a6_1_1'] (rows: ROWS['a6_1_1'])"
    )
    assert unchanged


def test_a_lost_year_row_is_a_named_error(tmp_path, monkeypatch):
    lines = base_lines()
    a, _ = span(lines, 21)
    assert lines[a + 3].startswith("2021\t35\t")
    del lines[a + 3]
    message, unchanged = _unchanged(tmp_path, monkeypatch, lines)
    assert message.startswith("t21 (Table 21), report line ")
    assert "row '2021' is missing after this line" in message
    assert unchanged


def test_a_table_printed_twice_is_ambiguous(tmp_path, monkeypatch):
    lines = base_lines()
    a, b = span(lines, 13)
    message, unchanged = _unchanged(
        tmp_path, monkeypatch, renumber(lines[:b] + lines[a:b] + lines[b:])
    )
    assert message.startswith(
        "t13 (Table 13 of the 2022 report, 'Benefits Claim'): ambiguous match, candidates: "
        f"Table 13 'Benefits Claim' line {a + 1} (score 100.0, title 100); "
        f"Table 14 'Benefits Claim' line {b + 1} (score 100.0, title 100)"
    )
    assert unchanged


def test_a_weak_match_lists_its_candidates(tmp_path, monkeypatch):
    lines = base_lines()
    a, _ = span(lines, 21)
    lines[a] = "Table 21: Public Bodies Covered"
    message, unchanged = _unchanged(tmp_path, monkeypatch, lines)
    assert message.startswith(
        "t21 (Table 21 of the 2022 report, 'Number of Registered Institutions and Members'): "
        "no table of this edition matches well enough (a match needs a score of 75); "
        f"candidates: Table 21 'Public Bodies Covered' line {a + 1} (score "
    )
    assert unchanged


#: The worked example of README "A new report": the whole declaration of the new table.
DECLARATION = {
    "family": "age_groups",
    "rows": ["year"],
    "levels": ["age_group"],
    "defaults": {"measure": "members"},
    "labels": {"Total": {"age_group": "total"}},
    "totals": {"age_group": "total"},
    "title": "Voluntary Members by Age Group",
    "section": "A.1.1",
    "first_edition": 2023,
}


def test_a_new_table_is_a_short_declaration(edition, monkeypatch):
    from test_new_report import moved_on

    from nssf_analysis.data import specs
    from nssf_analysis.data.catalog import load_checks, load_table

    monkeypatch.setitem(specs.TIDY, "voluntary_members_age", DECLARATION)
    lines = moved_on("\n".join(base_lines())).split("\n")
    new = moved_on("\n".join(NEW_TABLE)).split("\n")
    at = title_index(lines, 5)
    data = edition(renumber(lines[:at] + new + lines[at:]), "nssf_annual_report_2023.txt")
    info = write_data()
    assert info["tables"] == 85
    s = summary(data)
    assert s.loc["voluntary_members_age", "status"] == "matched"
    assert s.loc["voluntary_members_age", "label"] == "Table 5"
    assert "new" not in set(s["status"])
    t = load_table("voluntary_members_age", year=2023).set_index("age_group")["value"]
    # the new table's 2023 row (the test's own numbers): 1,500, 2,600 and 500 persons
    assert t.to_dict() == {"under_30": 1500, "30_to_50": 2600, "over_50": 500}
    checks = load_checks()
    mine = checks[checks["table_id"] == "voluntary_members_age"]
    assert len(mine) and set(mine["status"]) == {"ok"}  # totals and fluctuations add up
    # the 2022 report does not print it, and does not list it as missing
    ed = editions.match_edition(read_lines(SEED))
    assert "voluntary_members_age" not in set(ed.summary["table_id"])


@pytest.fixture(scope="module")
def data_quality():
    """The data-quality chapter's names: its code cells run once, for 2022, on ``data/``."""
    return run_cells("08_data_quality", 2022)


def test_two_editions_side_by_side_list_the_revisions(tmp_path, monkeypatch, data_quality):
    from test_new_report import moved_on

    from nssf_analysis.data.catalog import available_years, load_table

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (seeds / "nssf_annual_report_2022.txt").write_text(text, encoding="utf-8")
    # the 2023 edition prints 2022 and 2023; its "2022" numbers are the 2022 report's
    # 2021 row, so every 2022 value that differs from 2021 is revised by it
    (seeds / "nssf_annual_report_2023.txt").write_text(moved_on(text), encoding="utf-8")
    data = tmp_path / "data"
    monkeypatch.setenv("NSSF_SEEDS", str(seeds))
    monkeypatch.setenv("NSSF_DATA", str(data))
    clear_all()
    try:
        info = write_data()
        assert info["report_year"] == 2023
        assert available_years() == [2021, 2022, 2023]
        t21 = load_table("t21").set_index(["year", "sex", "measure"])
        # 2021 only the 2022 edition prints (report line 484: 35, 248,892, 103,368)
        assert t21.loc[(2021, "total", "members"), "value"] == 248892
        # 2022 from the newer edition: its "2022" row, which is the 2022 report's 2021 row
        assert t21.loc[(2022, "total", "members"), "value"] == 248892
        assert t21.loc[(2022, "female", "members"), "line"] == 484
        assert t21.loc[(2023, "total", "members"), "value"] == 257644
        rev = catalog_mod.load_revisions()
        mine = rev[rev["table_id"] == "t21"].set_index(["measure", "cell"])
        # the 2022 report's line 485 prints 2022: 35 institutions (unchanged), 257,644
        # members and 107,650 females; the 2023 edition prints 248,892 and 103,368
        assert sorted(mine.index) == [("members", "sex=female"), ("members", "sex=total")]
        r = mine.loc[("members", "sex=total")]
        assert (r["old"], r["new"], r["year"]) == (257644, 248892, 2022)
        assert (r["old_edition"], r["old_line"], r["new_edition"]) == (2022, 485, 2023)
        # the book's "what changed since the last edition" section says it in words
        shown = data_quality["revisions_frame"](2022)
        row = shown[(shown["Table"] == "Table 21") & (shown["Cell"] == "Members, Total")]
        assert list(row.iloc[0][["Older edition", "Newer edition", "Difference"]]) == [
            "257,644 (2022)",
            "248,892 (2023)",
            "-8,752",  # 248,892 - 257,644
        ]
        html = data_quality["revisions"](2022).to_html()
        text = re.sub(r"<[^>]+>", " ", html.split("</style>")[-1])
        assert 'id="T_revisions"' in html and "Members, Females" in text
        assert "=" not in text  # cells in words, no key=value bookkeeping
        # annex tables hold the report year only: nothing printed twice, nothing revised
        assert not set(rev["table_id"]) & set(ANNEX_TABLES)
        assert sorted(set(load_table("a6_1_1")["year"])) == [2022, 2023]
        # the older edition's tables as printed are kept beside the newest's
        older_raw = data / "editions" / "2022" / "raw" / "t21.csv"
        assert older_raw.read_bytes() == (DATA / "raw" / "t21.csv").read_bytes()
        meta = json.loads((data / "metadata.json").read_text(encoding="utf-8"))
        assert [e["report_year"] for e in meta["older_editions"]] == [2022]
    finally:
        clear_all()


def test_one_edition_revises_nothing():
    rev = pd.read_csv(DATA / "revisions.csv", dtype=str, keep_default_na=False)
    assert list(rev.columns) == REVISION_COLUMNS and rev.empty
