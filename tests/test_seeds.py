"""Reports in ``seeds/`` are found by what they are: the year their own title page gives.

Expected years are the report's: line 7 of ``seeds/nssf_annual_report_2022.txt`` prints
"REPORT ON ANNUAL ACHIEVEMENTS 2022".
"""

from pathlib import Path

import pytest

from nssf_analysis.cli import main
from nssf_analysis.data import report_text
from nssf_analysis.data.cache import clear_all
from nssf_analysis.exceptions import ExtractionError

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "seeds" / "nssf_annual_report_2022.txt").read_text(encoding="utf-8")


@pytest.fixture
def seeds(tmp_path, monkeypatch):
    folder = tmp_path / "seeds"
    folder.mkdir()
    monkeypatch.setenv("NSSF_SEEDS", str(folder))
    monkeypatch.setenv("NSSF_DATA", str(tmp_path / "data"))
    clear_all()
    yield folder
    clear_all()


def test_the_title_page_gives_the_year():
    assert report_text.title_year(TEXT.splitlines()) == 2022
    assert "REPORT ON ANNUAL ACHIEVEMENTS 2022" in TEXT.splitlines()[6]


def test_a_report_is_found_whatever_its_name(seeds):
    (seeds / "NSSF_Annual_Report_2022.txt").write_text(TEXT, encoding="utf-8")
    assert report_text.seed_files() == {2022: seeds / "NSSF_Annual_Report_2022.txt"}
    assert report_text.seed_years() == [2022] and report_text.has_report(2022)
    # the year comes from the title, not the name
    (seeds / "NSSF_Annual_Report_2022.txt").rename(seeds / "nssf_annual_report_2023_final.txt")
    assert report_text.seed_files() == {2022: seeds / "nssf_annual_report_2023_final.txt"}


def test_a_file_without_a_title_year_is_one_error_naming_it(seeds):
    (seeds / "notes.txt").write_text("minutes of a meeting\n", encoding="utf-8")
    with pytest.raises(ExtractionError, match=r"notes\.txt: no 'REPORT ON ANNUAL ACHIEVEMENTS"):
        report_text.seed_files()


def test_two_reports_of_one_year_are_one_error_naming_both(seeds):
    (seeds / "a.txt").write_text(TEXT, encoding="utf-8")
    (seeds / "b.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(ExtractionError) as err:
        report_text.seed_files()
    assert str(err.value) == (
        f"{seeds / 'a.txt'} and {seeds / 'b.txt'}: both are the 2022 report; keep one in seeds/"
    )


def test_a_year_without_its_report_names_only_what_exists(seeds):
    (seeds / "report.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(ExtractionError) as err:
        report_text.seed_file(2023)
    assert str(err.value) == f"{seeds}: no report of 2023 (reports: 2022)"


def test_extract_reads_a_report_saved_under_another_name(seeds, capsys):
    (seeds / "NSSF_Annual_Report_2022.txt").write_text(TEXT, encoding="utf-8")
    assert main(["extract"]) == 0
    meta = (seeds.parent / "data" / "metadata.json").read_text(encoding="utf-8")
    assert '"seed": "NSSF_Annual_Report_2022.txt"' in meta


def test_extract_with_two_reports_of_one_year_fails_in_one_line(seeds, capsys):
    (seeds / "a.txt").write_text(TEXT, encoding="utf-8")
    (seeds / "b.txt").write_text(TEXT, encoding="utf-8")
    assert main(["extract"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "both are the 2022 report" in err[0]
    assert not (seeds.parent / "data").exists()  # nothing written
