"""Errors and revisions say where to act: the spec to change, the list to read.

A layout or spec error of an extraction names the table, the report line and the label,
and ends with where to declare the change: the spec module (the part module whose
``TIDY`` holds the table, found from where the merged ``specs.TIDY`` comes from) and
the table's entry. The data-quality chapter of the newest report's year, whose figures
no older edition prints, names the revisions of earlier years and links to their lists.

Every edition is the 2022 report changed or moved by whole years, written to a temporary
``seeds/`` and extracted to a temporary ``data/``: the project's ``data/`` is never
touched.
"""

import re
from pathlib import Path

import pytest
from chapter import run_cells
from test_editions import NEW_TABLE, renumber

from nssf_analysis.cli import main
from nssf_analysis.data import specs
from nssf_analysis.data.cache import clear_all
from nssf_analysis.data.pipeline import write_data
from nssf_analysis.data.specs import part_a_occupational_risk, spec_module, where_declared
from nssf_analysis.exceptions import ExtractionError

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nssf_annual_report_2022.txt"
PART_A = "nssf_analysis/data/specs/part_a_occupational_risk.py"
ANNEX = "nssf_analysis/data/specs/annex.py"

#: Table 16 of the 2022 report, report line 413 (0-based 412): its second row.
IPD_ROW = "2\tInpatient Department (IPD)\t\t5,387\t4,684\t-13.05%"
#: Annex 6.1.1: the row before the Total row (as in tests/test_editions.py).
LAST_PROVINCE = "25\tTboung Khmum\t196\t8,946\t4,277"


def base_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def moved_on(text: str) -> str:
    """The report with every year one later (2022 -> 2023 first, then 2021 -> 2022)."""
    text = re.sub(r"(?<!\d)2022(?!\d)", "\0", text)
    text = re.sub(r"(?<!\d)2021(?!\d)", "2022", text)
    return text.replace("\0", "2023")


def moved_back(text: str) -> str:
    """The report with every year one earlier (2021 -> 2020 first, then 2022 -> 2021)."""
    text = re.sub(r"(?<!\d)2021(?!\d)", "2020", text)
    return re.sub(r"(?<!\d)2022(?!\d)", "2021", text)


@pytest.fixture
def edition(tmp_path, monkeypatch):
    """Write report texts as the seeds; the package reads a temporary data/ and outputs/."""

    def make(texts: dict[str, str]) -> Path:
        seeds = tmp_path / "seeds"
        seeds.mkdir(exist_ok=True)
        for name, text in texts.items():
            (seeds / name).write_text(text, encoding="utf-8")
        monkeypatch.setenv("NSSF_SEEDS", str(seeds))
        monkeypatch.setenv("NSSF_DATA", str(tmp_path / "data"))
        # a private outputs/ (its build lock): a build running beside the tests waits no one
        monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
        clear_all()
        return tmp_path / "data"

    yield make
    clear_all()


def extraction_error(edition, lines: list[str]) -> str:
    """Extract the 2022 report changed to ``lines``; return the error (nothing is written)."""
    data = edition({"nssf_annual_report_2022.txt": "\n".join(lines)})
    with pytest.raises(ExtractionError) as info:
        write_data()
    assert not data.exists()
    return str(info.value)


# --------------------------------------------------------------------------------------
# Where a table is declared
# --------------------------------------------------------------------------------------


def test_every_table_is_found_in_the_module_that_declares_it():
    for tid in specs.TIDY:
        path = spec_module(tid)
        assert path and path.startswith("nssf_analysis/data/specs/"), tid
        assert f'"{tid}":' in (ROOT / path).read_text(encoding="utf-8"), (tid, path)
    assert spec_module("t16") == PART_A and spec_module("a6_1_1") == ANNEX
    assert spec_module("t42") == "nssf_analysis/data/specs/part_b_health_care.py"
    assert spec_module("t21", "ROWS") is None  # its rows are the year rows


def test_an_entry_that_names_another_says_so():
    # part B: "t42": "t16" in ROWS; t16's rows are in part A
    assert where_declared("t42", "rows") == (
        "nssf_analysis/data/specs/part_b_health_care.py, TIDY['t42'] (rows: ROWS['t42'], "
        "which names ROWS['t16'] of part_a_occupational_risk.py)"
    )
    assert where_declared("t21", "header") == f"{PART_A}, TIDY['t21'] (header: HEADERS['t21'])"
    assert where_declared("t21", "rows").startswith(
        f"{PART_A}, TIDY['t21'] (rows: the year rows of vocabulary.YEAR_ROWS;"
    )


# --------------------------------------------------------------------------------------
# Errors of extraction end with where to act
# --------------------------------------------------------------------------------------


def test_a_renamed_row_of_table_16_names_where_to_change_it(edition, capsys):
    lines = base_lines()
    k = lines.index(IPD_ROW)  # 0-based: report line k + 1; the row before it is line k
    lines[k] = lines[k].replace("Inpatient Department (IPD)", "Day Surgery")
    data = edition({"nssf_annual_report_2022.txt": "\n".join(lines)})
    assert main(["extract", "--quiet"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nssf-report: error: ")
    assert (
        f"t16 (Table 16), report line {k}: row 'Inpatient Department (IPD)' is missing after "
        "this line" in err
    )
    assert f"row 'Day Surgery' (line {k + 1}) is not one of them" in err
    assert err.rstrip("\n").endswith(
        f"if the edition dropped or renamed it, change it in {PART_A}, TIDY['t16'] "
        "(rows: ROWS['t16'])"
    )
    assert not data.exists()


def test_a_new_row_of_table_16_names_where_to_declare_it(edition):
    lines = base_lines()
    k = lines.index(IPD_ROW) + 1  # the Total row: the new row goes before it
    lines.insert(k, "3\tDay Surgery\t\t10\t12\t20.00%")
    message = extraction_error(edition, lines)
    assert message == (
        f"t16 (Table 16), report line {k + 1}: row 'Day Surgery' is not one of the table's "
        "rows 'Outpatient Department (OPD) / Times/Persons', 'Inpatient Department (IPD)', "
        "'Total': the table's layout changed; declare it in "
        f"{PART_A}, TIDY['t16'] (rows: ROWS['t16'])"
    )


def test_a_new_province_of_an_annex_table_names_annex_py(edition):
    lines = base_lines()
    k = lines.index(LAST_PROVINCE)
    lines.insert(k + 1, "26\tNew Province\t10\t200\t100")
    message = extraction_error(edition, lines)
    assert message.startswith(
        f"a6_1_1 (Annex 6.1.1), report line {k + 2}: row 'New Province' is not one of the "
    )
    assert message.endswith(f"declare it in {ANNEX}, TIDY['a6_1_1'] (rows: ROWS['a6_1_1'])")


def test_a_new_column_names_the_header_entry(edition):
    lines = base_lines()
    header = lines.index("Description\tInstitutions\tMembers\tFemales")  # Table 21
    lines[header] += "\tBranches"
    for k in (header + 1, header + 2):
        lines[k] += "\t3"
    message = extraction_error(edition, lines)
    assert message == (
        f"t21 (Table 21), report line {header + 1}: header label 'Branches' is not in the "
        f"table's layout; declare it in {PART_A}, TIDY['t21'] (header: HEADERS['t21'])"
    )


def test_a_label_lost_from_a_header_line_names_the_spec_and_the_layout_file(edition):
    lines = base_lines()
    start = lines.index("Table 4: Newly Registered Enterprises and Members")
    header = start + 3  # the second header row: "\tEnterprises\tMembers\tFemales" x 3
    lines[header] = lines[header].rsplit("\tFemales", 1)[0]
    message = extraction_error(edition, lines)
    # the contract still holds (Females is printed twice more): the fingerprint catches it
    assert message == (
        f"t04 (Table 4), report line {header + 1}: label 'Females' of the 2022 layout is "
        "missing: the table's layout changed; if it is meant, make the spec follow in "
        f"{PART_A}, TIDY['t04'] (header: HEADERS['t04'], which names HEADERS['t01']), then "
        "the layout of 't04' in "
        "nssf_analysis/data/layouts_2022.json"
    )


def test_a_declared_table_without_a_measure_names_its_entry(edition, monkeypatch):
    # the README's new table, declared in part A without the measure its cells count
    declaration = {
        "family": "age_groups",
        "rows": ["year"],
        "levels": ["age_group"],
        "labels": {"Total": {"age_group": "total"}},
        "title": "Voluntary Members by Age Group",
        "section": "A.1.1",
        "first_edition": 2022,
    }
    for mapping in (specs.TIDY, part_a_occupational_risk.TIDY):
        monkeypatch.setitem(mapping, "voluntary_members_age", declaration)
    lines = base_lines()
    at = lines.index("Table 5: Number of Contribution-Paid Enterprises/Establishments and Workers")
    message = extraction_error(edition, renumber(lines[:at] + NEW_TABLE + lines[at:]))
    assert message == (
        f"voluntary_members_age (Table 5), report line {at + 4}: column 2: no measure for "
        f"'1,200'; declare it in {PART_A}, TIDY['voluntary_members_age'] (labels or defaults)"
    )


# --------------------------------------------------------------------------------------
# The newest book names the revisions of earlier years
# --------------------------------------------------------------------------------------


def test_the_newest_book_links_to_the_revisions_of_earlier_years(edition):
    from nssf_analysis.data.catalog import available_years, load_revisions

    text = SEED.read_text(encoding="utf-8")
    edition(
        {
            "nssf_annual_report_2021.txt": moved_back(text),
            "nssf_annual_report_2022.txt": text,
            "nssf_annual_report_2023.txt": moved_on(text),
        }
    )
    info = write_data()
    assert info["report_year"] == 2023
    assert available_years() == [2020, 2021, 2022, 2023]
    rev = load_revisions()
    # each earlier year is revised by the next edition: its "previous year" row is the
    # 2022 report's 2021 row, where the older edition prints the 2022 report's 2022 row
    by_year = rev.groupby("year")["new_edition"].agg(set).to_dict()
    assert by_year == {2021: {2022}, 2022: {2023}}
    # Table 21 of the 2022 report, lines 484-485: members 248,892 (2021), 257,644 (2022)
    t21 = rev[(rev["table_id"] == "t21") & (rev["cell"] == "sex=total")].set_index("year")
    assert (t21.loc[2022, "old"], t21.loc[2022, "new"]) == (257644, 248892)
    assert (t21.loc[2021, "old"], t21.loc[2021, "new"]) == (257644, 248892)
    n = {y: int((rev["year"] == y).sum()) for y in (2021, 2022)}
    assert n[2022] > 0 and n[2021] > 0

    names = run_cells("08_data_quality", 2023)
    said = names["revisions"](2023).data
    assert said == (
        f"The 2023 report revises {n[2022]:,} figures of 2022: see [the 2022 book's list]"
        "(../../2022/book/08_data_quality.html#T_revisions). "
        f"The 2022 report revises {n[2021]:,} figures of 2021: see [the 2021 book's list]"
        "(../../2021/book/08_data_quality.html#T_revisions)."
    )
    assert "the same figures" not in said
    # the anchor the links point to: the list each of those books shows
    for y in (2022, 2021):
        assert 'id="T_revisions"' in names["revisions"](y).to_html()
    # a book of an older year lists its own revisions, and names no other year's
    assert names["earlier_revisions"](2022) == []


def test_the_readme_example_renames_a_row_of_table_13(edition, monkeypatch):
    """README "A new report": the message, the two-line change in ROWS, the next message."""
    lines = base_lines()
    k = lines.index("5\tFunerary Grants\t187\t236\t26.20%")  # report line 374
    lines[k] = lines[k].replace("Funerary Grants", "Funeral Grants")
    message = extraction_error(edition, lines)
    assert message.startswith(
        f"t13 (Table 13), report line {k}: row 'Funerary Grants' is missing after this line;"
    )
    assert message.endswith(
        f"; row 'Funeral Grants' (line {k + 1}) is not one of them; if the edition dropped or "
        f"renamed it, change it in {PART_A}, TIDY['t13'] (rows: ROWS['t13'])"
    )
    rows = tuple("Funeral Grants" if r == "Funerary Grants" else r for r in specs.ROWS["t13"])
    for mapping in (specs.ROWS, part_a_occupational_risk.ROWS):
        monkeypatch.setitem(mapping, "t13", rows)
    assert extraction_error(edition, lines).endswith(
        f": the table's layout changed; if it is meant, make the spec follow in {PART_A}, "
        "TIDY['t13'] (rows: ROWS['t13']), then the layout of 't13' in "
        "nssf_analysis/data/layouts_2022.json"
    )
