"""Validation of data files: columns, types, units, counts, females ≤ total, unique keys.

Every rule raises :class:`~nssf_analysis.exceptions.ValidationError` naming the
file, the 1-based data row, the column and the rule.  :func:`validate_tidy` checks a tidy
table (:func:`tidy_types` only types one the manifest lists as validated);
:func:`check_columns` and :func:`check_integers` serve every other file of ``data/`` (raw
tables, catalog, checks, facts, graphics, directories).
"""

from __future__ import annotations

import pandas as pd

from nssf_analysis.data.units import COUNT_UNITS, UNITS
from nssf_analysis.exceptions import ValidationError

__all__ = [
    "check_choices",
    "check_columns",
    "check_females",
    "check_integers",
    "check_numbers",
    "tidy_types",
    "validate_tidy",
]

REQUIRED = ["sex", "year", "measure", "unit", "value"]
NON_KEY = {"value", "line", "column"}


def _row(df: pd.DataFrame, idx) -> int:
    return int(df.index.get_loc(idx)) + 1


#: How a count is named in an error: its value and its unit.
_COUNT = "count {value:g} ({unit})"

#: Columns that hold whole numbers wherever they occur (report lines, columns, months …).
INTEGER_COLUMNS = ("line", "column", "month", "period_start")


def check_columns(df: pd.DataFrame, path, required) -> None:
    """Raise ``required-column`` if one of ``required`` is not a column of ``df``.

    Parameters
    ----------
    df : DataFrame
        The file as read.
    path : str or Path
        The file, named in errors.
    required : iterable of str
        Column names the file must have.
    """
    for col in required:
        if col not in df.columns:
            raise ValidationError(
                "required-column", path, None, col, f"missing; the file has {list(df.columns)}"
            )


def check_integers(df: pd.DataFrame, path, columns) -> pd.DataFrame:
    """Return ``df`` with ``columns`` (those present) as int; raise ``integer`` on a bad cell.

    Parameters
    ----------
    df : DataFrame
        The file as read (strings).
    path : str or Path
        The file, named in errors.
    columns : iterable of str
        Columns that must hold whole numbers (absent ones are skipped).
    """
    present = [c for c in columns if c in df.columns]
    return _converted(df, path, present, "integer", "a whole number", _as_integers)


def check_numbers(df: pd.DataFrame, path, columns) -> pd.DataFrame:
    """Return ``df`` with ``columns`` as numbers; raise ``number`` on a blank or non-number.

    The parameters are those of :func:`check_integers`; every column must be present.
    """
    return _converted(df, path, columns, "number", "a number", _as_numbers)


def _as_integers(cells: pd.Series):
    text = cells.astype(str).str.strip()
    return text.str.fullmatch(r"-?\d+"), lambda: text.astype(int)


def _as_numbers(cells: pd.Series):
    num = pd.to_numeric(cells, errors="coerce")
    return ~(num.isna() | (cells.astype(str).str.strip() == "")), lambda: num


def _converted(df: pd.DataFrame, path, columns, rule: str, what: str, convert) -> pd.DataFrame:
    """Return a copy of ``df`` with ``columns`` converted; raise ``rule`` at the first bad cell.

    ``convert(cells)`` gives which cells are good and a function that converts them all.
    """
    df = df.copy()
    for col in columns:
        ok, values = convert(df[col])
        if not ok.all():
            idx = ok[~ok].index[0]
            raise ValidationError(
                rule, path, _row(df, idx), col, f"{df.at[idx, col]!r} is not {what}"
            )
        df[col] = values()
    return df


def _refuse(df: pd.DataFrame, path, bad: pd.Series, rule: str, column, what: str) -> None:
    """Raise ``rule`` at the first row where ``bad`` holds.

    ``what`` says what is wrong, a :meth:`str.format` template over the row's cells
    (``"{unit!r} is not in the vocabulary"``).
    """
    if bad.any():
        idx = bad[bad].index[0]
        raise ValidationError(rule, path, _row(df, idx), column, what.format(**df.loc[idx]))


def check_choices(df: pd.DataFrame, path, column: str, allowed) -> None:
    """Raise ``allowed-value`` if a cell of ``column`` is not one of ``allowed``."""
    what = "{" + column + "!r} is not one of " + str(sorted(allowed))
    _refuse(df, path, ~df[column].isin(list(allowed)), "allowed-value", column, what)


def validate_tidy(df: pd.DataFrame, path, known_years: set[int]) -> pd.DataFrame:
    """Validate a tidy table and return it with typed ``year`` and ``value`` columns.

    Parameters
    ----------
    df : DataFrame
        The table as read from CSV (every column as string).
    path : str or Path
        The file, named in errors.
    known_years : set of int
        Years the data may contain.

    Returns
    -------
    DataFrame
        ``year`` as int, ``value`` as float, other columns as read.

    Raises
    ------
    ValidationError
        Rules: ``required-column``, ``number``, ``integer`` (report line, column, month,
        period start), ``known-year``, ``unit``, ``non-negative``, ``integer-count``,
        ``females-not-above-total``, ``unique-key``.
    """
    check_columns(df, path, REQUIRED)
    df = tidy_types(df, path)
    known = "{year} is not one of " + str(sorted(known_years))
    _refuse(df, path, ~df["year"].isin(known_years), "known-year", "year", known)
    vocabulary = "{unit!r} is not in the vocabulary " + str(sorted(UNITS))
    _refuse(df, path, ~df["unit"].isin(UNITS), "unit", "unit", vocabulary)
    counts = df["unit"].isin(COUNT_UNITS)
    _refuse(df, path, counts & (df["value"] < 0), "non-negative", "value", _COUNT + " is negative")
    whole = counts & (df["value"] % 1 != 0)
    _refuse(df, path, whole, "integer-count", "value", _COUNT + " is not whole")
    keys = [c for c in df.columns if c not in NON_KEY]
    dup = df.duplicated(subset=keys, keep=False)
    if dup.any():
        idx = dup[dup].index[1] if dup.sum() > 1 else dup[dup].index[0]
        where = ", ".join(f"{k}={df.at[idx, k]}" for k in keys if str(df.at[idx, k]) != "")
        raise ValidationError("unique-key", path, _row(df, idx), None, f"duplicate key ({where})")
    check_females(df, path)
    return df


def tidy_types(df: pd.DataFrame, path) -> pd.DataFrame:
    """Return a tidy table with ``year`` and the whole-number columns as int, ``value`` a number.

    The parameters are those of :func:`validate_tidy`; rules ``number``, ``integer`` and
    ``known-year`` (a year that is not whole).
    """
    df = check_numbers(df, path, ("value", "year"))
    df = check_integers(df, path, INTEGER_COLUMNS)
    if (df["year"] % 1 != 0).any():
        idx = df.index[(df["year"] % 1 != 0)][0]
        raise ValidationError(
            "known-year", path, _row(df, idx), "year", f"{df.at[idx, 'year']} is not a whole year"
        )
    df["year"] = df["year"].astype(int)
    return df


def check_females(df: pd.DataFrame, path) -> None:
    """Raise if a female count exceeds the total it belongs to (same key, sex='total')."""
    if "sex" not in df.columns or not (df["sex"] == "female").any():
        return
    keys = [c for c in df.columns if c not in NON_KEY | {"sex"}]
    fem = df[df["sex"] == "female"].reset_index()
    tot = df[df["sex"] == "total"]
    merged = fem.merge(tot, on=keys, suffixes=("", "_total"), how="inner")
    over = merged[merged["value"] > merged["value_total"] + 1e-9]
    if not over.empty:
        r = over.iloc[0]
        raise ValidationError(
            "females-not-above-total",
            path,
            _row(df, r["index"]),
            "value",
            f"females {r['value']:g} > total {r['value_total']:g} "
            f"for measure {r['measure']} in {r['year']}",
        )
