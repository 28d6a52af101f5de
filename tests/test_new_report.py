"""Next year's report drops in as new data, with the notebooks unchanged.

There is no 2023 report yet, so the test makes one: the 2022 text with every year moved
on by one (2022 -> 2023, 2021 -> 2022). Its numbers are the 2022 report's, so the
expected values below are read from the 2022 report at the lines named.
"""

import re
from pathlib import Path

import pytest

from nssf_analysis.data.cache import clear_all
from nssf_analysis.data.catalog import available_years, check_year, load_table
from nssf_analysis.data.pipeline import write_data
from nssf_analysis.exceptions import ExtractionError, YearNotAvailableError

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nssf_annual_report_2022.txt"


def moved_on(text: str) -> str:
    """The report with every year one later (2022 -> 2023 first, then 2021 -> 2022)."""
    text = re.sub(r"(?<!\d)2022(?!\d)", "\0", text)
    text = re.sub(r"(?<!\d)2021(?!\d)", "2022", text)
    return text.replace("\0", "2023")


def use(monkeypatch, seeds: Path, data: Path) -> None:
    monkeypatch.setenv("NSSF_SEEDS", str(seeds))
    monkeypatch.setenv("NSSF_DATA", str(data))
    clear_all()


@pytest.fixture
def report_2023(tmp_path, monkeypatch):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    target = seeds / "nssf_annual_report_2023.txt"
    target.write_text(moved_on(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    use(monkeypatch, seeds, tmp_path / "data")
    yield target
    clear_all()


def test_the_new_report_is_extracted_with_the_same_specs(report_2023):
    info = write_data()
    assert info["report_year"] == 2023 and info["tables"] == 84
    assert available_years() == [2022, 2023]
    # the same tables under the same numbers: every one matched as printed in 2022
    assert info["edition"].counts()["matched"] == 84
    # Table 4, line 206 of the 2022 report: head offices 1,663 enterprises and 137,345
    # members, provincial branches 1,442 and 141,403 (the printed totals 3,105 and
    # 278,748 are checked, then left out of tidy data)
    t04 = load_table("t04", year=2023)
    parts = t04[t04.sex == "total"].set_index(["office", "measure"])["value"]
    assert parts["head_offices", "new_enterprises"] == 1663
    assert parts["provincial_branches", "new_members"] == 141403
    assert parts.xs("new_enterprises", level="measure").sum() == 3105
    with pytest.raises(YearNotAvailableError, match="available years: 2022, 2023"):
        check_year(2021)


def test_a_table_whose_layout_changed_is_an_error(report_2023):
    lines = report_2023.read_text(encoding="utf-8").split("\n")
    start = lines.index("Table 4: Newly Registered Enterprises and Members")  # 0-based
    header = start + 3  # the second header row: "\tEnterprises\tMembers\tFemales" x 3
    assert lines[header].endswith("\tFemales")
    lines[header] = lines[header].rsplit("\tFemales", 1)[0]  # a column label lost
    report_2023.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ExtractionError) as info:
        write_data()
    # named at the line that lost it: the second header row, 1-based line header + 1
    assert str(info.value) == (
        f"t04 (Table 4), report line {header + 1}: label 'Females' of the 2022 layout is "
        "missing: the table's layout changed; if it is meant, make the spec follow in "
        "nssf_analysis/data/specs/part_a_occupational_risk.py, TIDY['t04'] (header: "
        "HEADERS['t04'], which names HEADERS['t01']), then the layout of 't04' in "
        "nssf_analysis/data/layouts_2022.json"
    )
    assert not (report_2023.parent.parent / "data").exists()  # nothing was written
