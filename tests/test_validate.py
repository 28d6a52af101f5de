"""Bad input gets a clear error naming file, row, column and rule."""

import subprocess
import sys

import pandas as pd
import pytest

from nssf_analysis.data.catalog import load_raw, load_table
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


def test_contracts_are_relative_to_the_report_year():
    from nssf_analysis.data.specs import contract

    # Table 10 prints the rows 2021, 2022 and "Fluctuation (± %)" (report lines 318-320)
    assert contract("t10", 2022)["rows"] == ("2021", "2022", "Fluctuation")
    assert contract("t10", 2023)["rows"] == ("2022", "2023", "Fluctuation")
    # Table 1 counts from 2008 (line 168: "2008-2021")
    assert contract("t01", 2023)["rows"][:2] == ("2008-2022", "2008-2023")
    # Table 67 prints a first block without a label and three schemes (lines 1300-1322)
    assert contract("t67", 2022)["blocks"] == (
        "",
        "Dissemination of Occupational Risk Scheme",
        "Dissemination of Health Care Scheme",
        "Dissemination of Pension Scheme",
    )
    assert contract("t65", 2022) is None  # the text table has outcomes, not a layout


def small_t10(rows):
    from nssf_analysis.data.extract import RawTable

    header = [
        {"block": "", "line": 1, "kind": "header", "cells": ["Description", "Total", "Females"]},
        {
            "block": "",
            "line": 2,
            "kind": "header",
            "cells": ["", "", "", "Workplace Accidents", "", "Commuting Accidents", "", ""]
            + ["Occupational Diseases"],
        },
    ]
    body = [
        {"block": "", "line": 3 + i, "kind": "body", "cells": [label, "1", "1"]}
        for i, label in enumerate(rows)
    ]
    return RawTable("t10", "Table 10", "", "A.1.3", rows=header + body)


def test_layout_problem_names_line_and_label():
    from nssf_analysis.data.layout import layout_problem

    assert layout_problem(small_t10(["2021", "2022", "Fluctuation (± %)"]), 2022) is None
    assert layout_problem(small_t10(["2021", "Fluctuation (± %)"]), 2022) == (
        3,
        "row '2022' is missing after this line; the table must have the rows "
        "'2021', '2022', 'Fluctuation'",
    )
    line, msg = layout_problem(small_t10(["2021", "2022", "2023", "Fluctuation"]), 2022)
    assert line == 5 and msg.startswith("row '2023' is not one of the table's rows")
    # a report for 2023 must print 2022 and 2023
    line, msg = layout_problem(small_t10(["2021", "2022", "Fluctuation"]), 2023)
    assert line == 4 and msg.startswith("row '2023' is missing after this line")
