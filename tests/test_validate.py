"""Bad input gets a clear error naming file, row, column and rule."""

import subprocess
import sys

import pandas as pd
import pytest

from nssf_analysis.catalog import load_raw, load_table
from nssf_analysis.exceptions import NSSFError, UnknownTableError, ValidationError


def corrupt(path, fn):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False, lineterminator="\n")


def test_unknown_table_id(data_copy):
    with pytest.raises(UnknownTableError, match="t99"):
        load_table("t99")


def test_missing_file(data_copy):
    (data_copy / "tidy" / "t10.csv").unlink()
    with pytest.raises(NSSFError, match="t10.csv: not found"):
        load_table("t10")


def test_missing_column(data_copy):
    corrupt(data_copy / "tidy" / "t10.csv", lambda d: d.drop(columns=["unit"]))
    with pytest.raises(ValidationError, match=r"t10.csv, column 'unit': rule 'required-column'"):
        load_table("t10")


def test_text_in_a_number(data_copy):
    corrupt(
        data_copy / "tidy" / "t10.csv",
        lambda d: d.assign(value=d["value"].where(d.index != 2, "12x")),
    )
    with pytest.raises(ValidationError, match=r"t10.csv, row 3, column 'value': rule 'number'"):
        load_table("t10")


def test_negative_count(data_copy):
    corrupt(
        data_copy / "tidy" / "t13.csv",
        lambda d: d.assign(value=d["value"].where(d.index != 0, "-5")),
    )
    with pytest.raises(ValidationError, match=r"row 1, column 'value': rule 'non-negative'"):
        load_table("t13")


def test_females_above_total(data_copy):
    # t15 rows: 2021 total, 2021 females, ... -> make 2021 females 9,999 > 5,916
    def f(d):
        m = (d["year"] == "2021") & (d["sex"] == "female")
        d.loc[m, "value"] = "9999"
        return d

    corrupt(data_copy / "tidy" / "t15.csv", f)
    with pytest.raises(ValidationError, match="rule 'females-not-above-total'.*9999 > total 5916"):
        load_table("t15")


def test_duplicate_key(data_copy):
    corrupt(data_copy / "tidy" / "t13.csv", lambda d: pd.concat([d, d.iloc[[0]]]))
    with pytest.raises(ValidationError, match=r"row 11.*rule 'unique-key'"):
        load_table("t13")


def test_unknown_year(data_copy):
    corrupt(
        data_copy / "tidy" / "t13.csv",
        lambda d: d.assign(year=d["year"].where(d.index != 0, "1999")),
    )
    with pytest.raises(ValidationError, match="rule 'known-year'"):
        load_table("t13")


def test_year_parameter(data_copy):
    from nssf_analysis.exceptions import YearNotAvailableError

    with pytest.raises(YearNotAvailableError, match="available years: 2021, 2022"):
        load_table("t10", year=2019)
    assert len(load_table("t56", year=2021)) == 0  # pension: no 2021 data, not an error


def test_raw_is_strings(data_copy):
    raw = load_raw("t56")
    assert all(isinstance(v, str) for col in raw.columns for v in raw[col])
    assert "-" in set(raw["c2"])


def test_cli_one_line_error(data_copy):
    corrupt(
        data_copy / "tidy" / "t13.csv",
        lambda d: d.assign(value=d["value"].where(d.index != 0, "-5")),
    )
    res = subprocess.run(
        [sys.executable, "-m", "nssf_analysis.cli", "validate"], capture_output=True, text=True
    )
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert "t13.csv, row 1, column 'value': rule 'non-negative'" in res.stderr


def test_cli_validate_ok(data_copy):
    res = subprocess.run(
        [sys.executable, "-m", "nssf_analysis.cli", "validate"], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert "validated 87 tables" in res.stdout
