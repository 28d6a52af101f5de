"""Nothing lost, nothing injected: each fault met as a user meets it.

Every case runs the command line on a private copy of ``data/`` (and of ``seeds/`` where the
report is changed) and asserts a one-line message naming the file or table, the row or report
line and the column, exit status 1, no traceback, and that ``data/`` is unchanged byte for byte.
Report lines and values are read off ``seeds/nssf_annual_report_2022.txt``.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_data_cache_persist import set_value

from nssf_analysis import cli
from nssf_analysis.analysis import values as av
from nssf_analysis.data.cache import clear_all
from nssf_analysis.data.pipeline import write_data

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nssf_annual_report_2022.txt"


def snapshot(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_cli(*args, env=None):
    """Run ``nssf-report`` in a fresh process, as a user does."""
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "nssf_analysis.cli", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=ROOT,
    )


def assert_one_line_error(res, *fragments):
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr, res.stderr
    assert res.stderr.count("\n") == 1, res.stderr
    assert res.stderr.startswith("nssf-report: error: ")
    for f in fragments:
        assert f in res.stderr, (f, res.stderr)


def main_error(capsys, *args):
    """Run ``cli.main`` in this process; return (status, stderr)."""
    status = cli.main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    return status, err


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A copy of the seeds and of data/ in one folder; the package reads them."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds / SEED.name)
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    env = {"NSSF_SEEDS": str(seeds), "NSSF_DATA": str(data)}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    clear_all()
    yield tmp_path, seeds / SEED.name, data, env
    clear_all()


def edit_report(seed: Path, line: int, old: str, new: str) -> None:
    lines = seed.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    seed.write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------------------
# Atomic extraction
# --------------------------------------------------------------------------------------


def test_a_failed_extraction_leaves_data_as_it_was(workspace):
    tmp, seed, data, env = workspace
    before = snapshot(data)
    # Table 10, report line 319: "2022  14,742  7,923 ..." -> one number turned to text
    edit_report(seed, 319, "7,923", "7,9x3")
    res = run_cli("extract", "--quiet", env=env)
    assert_one_line_error(res, "t10 (Table 10), report line 319: column 3: '7,9x3' is not a number")
    assert snapshot(data) == before
    assert sorted(p.name for p in tmp.iterdir()) == ["data", "seeds"]  # no temporary left


def test_a_failed_extraction_into_a_new_folder_creates_nothing(workspace, capsys):
    tmp, seed, _data, _env = workspace
    edit_report(seed, 319, "7,923", "7,9x3")
    status, err = main_error(capsys, "extract", "--quiet")
    assert status == 1 and "report line 319" in err
    fresh = tmp / "fresh"
    with pytest.raises(Exception, match="report line 319"):
        write_data(fresh)
    assert not fresh.exists()
    assert sorted(p.name for p in tmp.iterdir()) == ["data", "seeds"]


def test_a_good_extraction_replaces_every_file(workspace, capsys):
    tmp, _seed, data, _env = workspace
    committed = snapshot(ROOT / "data")
    (data / "tidy" / "t10.csv").write_text("broken\n", encoding="utf-8")
    (data / "stray.csv").write_text("x\n", encoding="utf-8")
    # a temporary folder left by an extraction that was killed (pid 0 is never a user process)
    stale = tmp / ".data.new-999999999-abc"
    stale.mkdir()
    assert cli.main(["extract", "--quiet"]) == 0
    assert "extracted report 2022" in capsys.readouterr().out
    assert snapshot(data) == committed
    assert sorted(p.name for p in tmp.iterdir()) == ["data", "seeds"]


def test_a_data_folder_that_cannot_be_created_is_a_one_line_error(workspace, capsys):
    tmp, _seed, data, _env = workspace
    before = snapshot(data)
    blocker = tmp / "not-a-folder"
    blocker.write_text("a file where the data folder's parent should be\n", encoding="utf-8")
    os.environ["NSSF_DATA"] = str(blocker / "data")
    status, err = main_error(capsys, "extract", "--quiet")
    assert status == 1
    assert f"{blocker}: cannot write a new data folder here" in err
    assert "is unchanged" in err
    assert snapshot(data) == before


# --------------------------------------------------------------------------------------
# Each table's shape is its contract
# --------------------------------------------------------------------------------------


def delete_report_lines(seed: Path, first: int, last: int, starts: str) -> None:
    lines = seed.read_text(encoding="utf-8").split("\n")
    assert lines[first - 1].startswith(starts), lines[first - 1]
    del lines[first - 1 : last]
    seed.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    "first, last, starts, message",
    [
        # Table 10's 2022 row (report line 319)
        (319, 319, "2022\t14,742", "t10 (Table 10), report line 318: row '2022' is missing"),
        # Annex 6.1.4, Pursat (line 1686)
        (1686, 1686, "15\tPursat\t113", "a6_1_4 (Annex 6.1.4), report line 1685: row 'Pursat'"),
        # Table 67's last block, "Dissemination of Pension Scheme" (lines 1317-1323)
        (
            1317,
            1323,
            "Dissemination of Pension Scheme",
            "t67 (Table 67), report line 1300: block 'Dissemination of Pension Scheme' is missing",
        ),
        # Table 13's row "2  Temporary Disability Benefits" (line 371)
        (
            371,
            371,
            "2\tTemporary Disability Benefits",
            "t13 (Table 13), report line 370: row 'Temporary Disability Benefits' is missing",
        ),
    ],
)
def test_a_row_or_block_lost_from_the_report_fails_extraction(
    workspace, first, last, starts, message
):
    tmp, seed, data, env = workspace
    before = snapshot(data)
    delete_report_lines(seed, first, last, starts)
    res = run_cli("extract", "--quiet", env=env)
    assert_one_line_error(res, message)
    assert snapshot(data) == before
    assert sorted(p.name for p in tmp.iterdir()) == ["data", "seeds"]


def test_a_renamed_column_fails_extraction(workspace, capsys):
    _tmp, seed, data, _env = workspace
    before = snapshot(data)
    # Table 10's header, report line 316: "Description  Total  Females  Workplace Accidents …"
    edit_report(seed, 316, "Commuting Accidents", "Commuting Injuries")
    status, err = main_error(capsys, "extract", "--quiet")
    assert status == 1
    assert "t10 (Table 10), report line 316: header label 'Commuting Accidents' is missing" in err
    assert snapshot(data) == before


def test_an_added_row_fails_extraction(workspace, capsys):
    _tmp, seed, data, _env = workspace
    before = snapshot(data)
    # a sixth benefit in Table 13 before its total row (report line 375)
    edit_report(seed, 375, "Total\t", "6\tNew Benefits\t1\t2\t100.00%\nTotal\t")
    status, err = main_error(capsys, "extract", "--quiet")
    assert status == 1
    assert (
        "t13 (Table 13), report line 375: row 'New Benefits' is not one of the table's rows" in err
    )
    assert snapshot(data) == before


def test_a_raw_file_that_lost_a_row_fails_validation(data_copy, capsys):
    path = data_copy / "raw" / "t10.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[4].startswith(",319,body,2022,")
    del lines[4]
    path.write_text("".join(lines), encoding="utf-8")
    status, err = main_error(capsys, "validate")
    assert status == 1
    assert "raw/t10.csv, row 3: rule 'complete' broken: t10 (Table 10), report line 318" in err
    assert "row '2022' is missing" in err


# --------------------------------------------------------------------------------------
# One-line errors for every malformed file
# --------------------------------------------------------------------------------------


def cut_mid_line(path: Path, keep_lines: int, keep_chars: int) -> None:
    text = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(text[:keep_lines]) + "\n" + text[keep_lines][:keep_chars])


@pytest.mark.parametrize("command", ["validate", "audit"])
def test_a_file_cut_mid_line(workspace, command, tmp_path):
    _tmp, _seed, data, env = workspace
    before = snapshot(data)
    # t10.csv: header + 12 rows; cut inside row 5 ("commuting_accidents,total,2021,...")
    cut_mid_line(data / "tidy" / "t10.csv", 5, 20)
    env = {**env, "NSSF_OUTPUTS": str(tmp_path / "outputs")}
    res = run_cli(command, env=env)
    assert_one_line_error(res, "t10.csv, row 5: rule 'line-end'", "it was cut")
    assert snapshot(data) != before  # the damage is the user's own, and it is named


def test_a_row_cut_and_closed_with_a_line_end(data_copy, capsys):
    path = data_copy / "tidy" / "t10.csv"
    text = path.read_text(encoding="utf-8").split("\n")
    text[3] = text[3][: text[3].index(",2021")]  # row 3 keeps injury_type and sex only
    path.write_text("\n".join(text), encoding="utf-8")
    status, err = main_error(capsys, "validate")
    assert status == 1
    assert "t10.csv, row 3, column 'year': rule 'row-length'" in err
    assert "2 fields where the header has 8" in err


def test_a_row_with_too_many_fields(data_copy, capsys):
    path = data_copy / "tidy" / "t10.csv"
    text = path.read_text(encoding="utf-8").split("\n")
    text[2] += ",9"
    path.write_text("\n".join(text), encoding="utf-8")
    status, err = main_error(capsys, "validate")
    assert status == 1 and "t10.csv, row 2: rule 'row-length'" in err
    assert "9 fields where the header has 8" in err


def test_bad_utf8_names_row_and_column(data_copy, capsys):
    path = data_copy / "tidy" / "a6_1_1_business.csv"
    raw = path.read_bytes().split(b"\n")
    raw[4] = raw[4].replace(b",", b",\xff", 2).replace(b",\xff", b",", 1)  # third field
    path.write_bytes(b"\n".join(raw))
    status, err = main_error(capsys, "validate")
    assert status == 1
    assert "a6_1_1_business.csv, row 4, column 'business': rule 'utf-8'" in err
    assert "byte 0xff" in err


def test_an_empty_file(data_copy, capsys):
    (data_copy / "raw" / "t23.csv").write_bytes(b"")
    status, err = main_error(capsys, "validate")
    assert status == 1 and "t23.csv: rule 'not-empty' broken: the file is empty" in err


@pytest.mark.parametrize(
    "file, column, row, bad, rule",
    [
        ("tidy/t10.csv", "line", 2, "318x", "integer"),
        ("tidy/t10.csv", "column", 7, "4.5", "integer"),
        ("tidy/t10.csv", "year", 1, "", "number"),
        ("tidy/a6_1_3_monthly.csv", "month", 3, "March", "integer"),
        ("tidy/t01.csv", "period_start", 1, "20o8", "integer"),
        ("raw/t10.csv", "line", 4, "three hundred", "integer"),
        ("raw/t10.csv", "kind", 1, "heading", "allowed-value"),
        ("tidy/a6_6_3.csv", "line", 2, "-", "integer"),
        ("catalog.csv", "tidy_rows", 10, "many", "integer"),
        ("catalog.csv", "years", 1, "2021;2022", "years"),
        ("facts.csv", "value", 1, "21,430", "number"),
        ("checks.csv", "line", 5, "", "integer"),
        ("graphics.csv", "line", 11, "l210", "integer"),
    ],
)
def test_wrong_type_in_a_column(data_copy, capsys, file, column, row, bad, rule):
    import pandas as pd

    path = data_copy / file
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row - 1, column] = bad
    df.to_csv(path, index=False, lineterminator="\n")
    status, err = main_error(capsys, "validate")
    assert status == 1
    assert f"{Path(file).name}, row {row}, column '{column}': rule '{rule}'" in err


def test_broken_metadata_json(data_copy, capsys):
    path = data_copy / "metadata.json"
    path.write_text(path.read_text(encoding="utf-8")[:500], encoding="utf-8")
    status, err = main_error(capsys, "validate")
    assert status == 1 and "metadata.json: rule 'json' broken: line" in err


def test_a_tidy_file_cut_at_a_line_end_loses_rows(data_copy, capsys):
    path = data_copy / "tidy" / "t10.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:7]), encoding="utf-8")  # header + the 2021 rows only
    status, err = main_error(capsys, "validate")
    assert status == 1
    assert "t10.csv, column 'year': rule 'complete' broken: no rows for 2022" in err


def test_a_tidy_file_that_lost_rows_names_the_first_one_lost(data_copy, capsys):
    path = data_copy / "tidy" / "a6_1_4.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:30]), encoding="utf-8")  # header + 29 of 60 rows
    status, err = main_error(capsys, "validate")
    assert status == 1
    assert "a6_1_4.csv: rule 'complete' broken: 29 rows where the catalog records 60" in err
    # Annex 6.1.4, report line 1686: "15  Pursat  113  67" -> the females, 67, were cut
    assert "the first missing is no=15, province=Pursat, sex=female" in err
    assert "(value 67, report line 1686, column 4)" in err


@pytest.mark.parametrize(
    "file, keep, message",
    [
        # 87 tables: t01 … t71, then 13 annex tables and 3 directories; 40 kept
        ("catalog.csv", 41, "catalog.csv, column 'table_id': rule 'complete' broken: no row"),
        ("checks.csv", 100, "checks.csv, column 'table_id': rule 'complete' broken:"),
        ("facts.csv", 100, "facts.csv, column 'fact_id': rule 'complete' broken: no row for fact"),
        # graphics.csv lists Graphic 1 … 11; the last one cut
        (
            "graphics.csv",
            11,
            "graphics.csv, column 'graphic_id': rule 'complete' broken: no row for Graphic 11",
        ),
        ("raw/a6_6_3.csv", 10, "a6_6_3.csv: rule 'complete' broken: 9 rows where the catalog"),
    ],
)
def test_any_file_cut_at_a_line_end(data_copy, capsys, file, keep, message):
    path = data_copy / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:keep]), encoding="utf-8")
    status, err = main_error(capsys, "validate")
    assert status == 1 and message in err


def test_a_folder_where_a_file_should_be(data_copy, capsys):
    path = data_copy / "tidy" / "t13.csv"
    path.unlink()
    path.mkdir()
    status, err = main_error(capsys, "validate")
    assert status == 1 and "t13.csv: rule 'readable' broken: a folder, not a file" in err


# --------------------------------------------------------------------------------------
# Caches keyed on the data they read
# --------------------------------------------------------------------------------------


def test_a_long_lived_session_sees_a_rewritten_tidy_file(data_copy):

    # Table 10, report line 319, column 4: 7,342 workplace accidents in 2022
    def workplace_2022():
        return av.lookup("t10", 2022, injury_type="workplace_accidents", sex="total")

    assert workplace_2022() == 7342
    set_value(data_copy / "tidy" / "t10.csv", 319, 4, "7343")  # the same size: 4 digits
    assert workplace_2022() == 7343
    # and again later, when the time stamps alone tell the change
    set_value(data_copy / "tidy" / "t10.csv", 319, 4, "17342")
    assert workplace_2022() == 17342


def test_a_session_sees_a_new_extraction(workspace):

    _tmp, seed, data, _env = workspace
    from nssf_analysis.analysis import values

    cell = {"injury_type": "commuting_accidents", "sex": "female"}
    assert av.lookup("t10", 2022, **cell) == 4326
    assert values.printed_cell("t10", 2022, **cell).printed == "4,326"
    # Table 10, report line 319: commuting accidents, females 4,326 -> 4,327
    edit_report(seed, 319, "4,326", "4,327")
    write_data(progress=False)
    # the kernel keeps its modules; only data/ changed
    assert av.lookup("t10", 2022, **cell) == 4327
    assert values.printed_cell("t10", 2022, **cell).printed == "4,327"


def test_a_session_follows_the_data_folder(data_copy, monkeypatch, tmp_path):

    assert av.lookup("t10", 2021, injury_type="workplace_accidents", sex="total") == 5719
    other = tmp_path / "other"
    shutil.copytree(data_copy, other)
    set_value(other / "tidy" / "t10.csv", 318, 4, "5000")
    monkeypatch.setenv("NSSF_DATA", str(other))
    assert av.lookup("t10", 2021, injury_type="workplace_accidents", sex="total") == 5000


def test_a_report_with_bad_utf8_is_a_one_line_error(workspace, capsys):
    _tmp, seed, data, _env = workspace
    before = snapshot(data)
    lines = seed.read_bytes().split(b"\n")
    lines[318] = lines[318].replace(b"14,742", b"14\xff742")  # report line 319
    seed.write_bytes(b"\n".join(lines))
    status, err = main_error(capsys, "extract", "--quiet")
    assert status == 1
    assert f"{seed}, line 319: byte 0xff is not UTF-8 text" in err
    assert snapshot(data) == before
