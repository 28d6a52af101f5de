"""Reading single figures out of a tidy frame, for the sentences of a chapter.

A chapter's paragraph quotes a handful of cells of the tables it loads. These helpers pick
them out by their dimensions and say when one is missing (a year the table does not cover,
a table the edition does not print), so that a sentence whose figures are missing is left
out instead of printing "nan".
"""

from __future__ import annotations

import math

import pandas as pd

from nssf_analysis.exceptions import NSSFError

__all__ = ["both", "cell", "known", "share"]


def _select(frame: pd.DataFrame, dims: dict) -> pd.DataFrame:
    for dim, value in dims.items():
        if dim not in frame.columns:
            return frame.iloc[0:0]
        frame = frame[frame[dim] == value]
    return frame


def cell(frame: pd.DataFrame, column: str = "value", **dims) -> float | None:
    """Return the one figure of ``frame`` at ``dims``, or None when there is none.

    Parameters
    ----------
    frame : DataFrame
        A tidy table (:func:`~nssf_analysis.data.catalog.load_table` or
        :func:`~nssf_analysis.analysis.values.load_totals`).
    column : str
        The column to read: ``value``, or ``printed_change`` of :func:`load_totals`.
    **dims
        Column = value pairs that select one row, e.g. ``year=2022, sex="total"``.

    Raises
    ------
    NSSFError
        When more than one row matches (name more dimensions).

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2021, 2022], "sex": ["total"] * 2, "value": [10.0, 12.0]})
    >>> cell(t, year=2022, sex="total")
    12.0
    >>> cell(t, year=2020) is None
    True
    """
    rows = _select(frame, dims)
    if len(rows) > 1:
        raise NSSFError(f"{len(rows)} rows match {dims}: name more dimensions")
    if rows.empty or column not in rows.columns:
        return None
    value = rows[column].iloc[0]
    return None if value is None or pd.isna(value) else float(value)


def both(frame: pd.DataFrame, year: int, **dims) -> tuple[float | None, float | None]:
    """Return the figure of ``year`` and of the year before at ``dims`` (None where missing).

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2021, 2022], "value": [10.0, 12.0]})
    >>> both(t, 2022)
    (12.0, 10.0)
    """
    return cell(frame, year=year, **dims), cell(frame, year=year - 1, **dims)


def share(part: float | None, whole: float | None) -> float | None:
    """Return ``part`` as a percentage of ``whole``, or None when either is missing or zero.

    Examples
    --------
    >>> share(25, 200)
    12.5
    >>> share(3, 0) is None
    True
    """
    if part is None or whole is None or not whole or math.isnan(part) or math.isnan(whole):
        return None
    return 100 * part / whole


def known(*figures: float | None) -> bool:
    """Return whether every figure a sentence needs is there (none is None or NaN).

    Examples
    --------
    >>> known(1.0, 2.0), known(1.0, None), known(float("nan"))
    (True, False, False)
    """
    return all(f is not None and not (isinstance(f, float) and math.isnan(f)) for f in figures)
