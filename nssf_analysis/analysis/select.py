"""One way to say which cells of a tidy table are meant: the selector.

A selection is a mapping ``column → condition``; a row is selected when it meets every
condition. A condition is

* a string: the column equals it (``"total"``);
* a tuple (or list, set): the column is one of them (``("new", "old")``);
* a :class:`Prefix`: the column starts with it (row numbers ``"1."`` → 1.1, 1.2 …);
* a :class:`Not`: the column is none of its values.

The same selection is written in text as ``"office=total; measure=members; sex=female"``
(``key=v1|v2`` for one of several values, ``key!=v`` for none of them, ``@report`` and
``@previous`` for the report year and the year before): :func:`parse` turns the text
into the mapping, :func:`text` turns a mapping back into text. The location of a
check (``"item=Total; sex=total"``, values verbatim, a value may hold ``"; "``) is read by
:func:`location`. The audit's rules, the
indicators' :class:`Selector` and :func:`nssf_analysis.analysis.values.lookup_cell` all
select through :func:`mask` and :func:`matches`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nssf_analysis.exceptions import NSSFError

__all__ = ["Not", "Prefix", "Selector", "hits", "location", "mask", "matches", "parse", "text"]


@dataclass(frozen=True)
class Prefix:
    """A condition matching labels that start with ``text`` (e.g. row numbers "1.").

    Parameters
    ----------
    text : str
        The prefix, e.g. ``"1."`` for rows 1.1, 1.2, ….
    """

    text: str


@dataclass(frozen=True)
class Not:
    """A condition matching labels that are none of ``values``.

    Parameters
    ----------
    values : tuple of str
        The labels left out.
    """

    values: tuple[str, ...]


@dataclass(frozen=True)
class Selector:
    """Which rows of a tidy table are summed into a numerator or a denominator.

    Parameters
    ----------
    table : str
        Table id, e.g. ``"t10"``.
    measure : str or tuple of str
        Value(s) of the ``measure`` column.
    where : dict
        Column → condition (see the module docstring); rows must meet all.
    sex : str or None
        ``"total"`` or ``"female"``; None takes the sex of the indicator row.
    scale : float
        Factor applied to the sum (used to correct a unit printed wrongly).
    relabel : dict
        Group label → group it is counted under (e.g. khans → Phnom Penh).
    exclude : tuple of str
        Group labels left out of the group rows (they stay in the total row).
    text : str
        What the selection is, in words, for the methodology page.
    """

    table: str
    measure: str | tuple[str, ...]
    where: dict = field(default_factory=dict)
    sex: str | None = None
    scale: float = 1.0
    relabel: dict = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    text: str = ""


def parse(selection: str, year: int | None = None) -> dict:
    """Parse ``"key=value; key=v1|v2; key!=value"`` into a selection mapping.

    Parameters
    ----------
    selection : str
        Parts separated by ``;``; an empty text selects every row.
    year : int, optional
        Replaces ``@report`` (and ``year - 1`` replaces ``@previous``).

    Returns
    -------
    dict
        Column → condition: a string, a tuple of strings (one of several) or
        :class:`Not`.

    Raises
    ------
    NSSFError
        If a part has no ``=``.
    """
    out: dict = {}
    for part in (p.strip() for p in selection.split(";")):
        if not part:
            continue
        negated = "!=" in part
        if "=" not in part:
            raise NSSFError(f"selector {selection!r}: part {part!r} has no '='")
        key, value = part.split("!=" if negated else "=", 1)
        values = []
        for v in value.split("|"):
            v = v.strip()
            if year is not None:
                v = v.replace("@report", str(year)).replace("@previous", str(year - 1))
            values.append(v)
        cond = Not(tuple(values)) if negated else values[0] if len(values) == 1 else tuple(values)
        out[key.strip()] = cond
    return out


def location(where: str) -> dict:
    """Parse the location of a check, ``"key=value; key=value"``, into a selection.

    Unlike :func:`parse` the values are verbatim (no ``|``, ``!=`` or ``@report``) and a
    value may itself contain ``"; "``: a part starts only where ``"; name="`` follows.
    Parts without ``=`` are ignored.

    Parameters
    ----------
    where : str
        E.g. ``"year=2022; item=Total; sex=total"``.

    Returns
    -------
    dict
        Column → value (str).
    """
    out = {}
    for part in re.split(r"; (?=[a-z_]+=)", where):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k] = v
    return out


def text(where: Mapping) -> str:
    """Return a selection mapping as text (the inverse of :func:`parse`).

    Parameters
    ----------
    where : mapping
        Column → condition.

    Returns
    -------
    str
        E.g. ``"office=total; measure=members"``.

    Raises
    ------
    NSSFError
        For a :class:`Prefix`, which the text form cannot say.
    """
    parts = []
    for key, cond in where.items():
        if isinstance(cond, Not):
            parts.append(f"{key}!={'|'.join(cond.values)}")
        elif isinstance(cond, Prefix):
            raise NSSFError(
                f"selector: {key}={cond!r} has no text form (text selects whole labels)"
            )
        elif isinstance(cond, tuple | list | set | frozenset):
            parts.append(f"{key}={'|'.join(str(c) for c in cond)}")
        else:
            parts.append(f"{key}={cond}")
    return "; ".join(parts)


def _meets(value: str, cond) -> bool:
    if isinstance(cond, Prefix):
        return value.startswith(cond.text)
    if isinstance(cond, Not):
        return value not in cond.values
    if isinstance(cond, tuple | list | set | frozenset):
        return value in {str(c) for c in cond}
    return value == str(cond)


def matches(row: Mapping, where: Mapping) -> bool:
    """Return whether one row (a mapping of column → value) meets every condition.

    A column the row lacks reads as ``""``.
    """
    return all(_meets(str(row.get(k, "")), c) for k, c in where.items())


def hits(values: np.ndarray, cond) -> np.ndarray:
    """Return which of ``values`` (an array of text) meet one condition.

    The condition is one of the module docstring's; a value that is not text (a
    missing value) meets only a :class:`Not`.

    Parameters
    ----------
    values : ndarray
        The values of one column, as text (``frame[column].astype(str).to_numpy()``).
    cond : str, tuple, Prefix or Not
        The condition.

    Returns
    -------
    ndarray of bool
    """
    if isinstance(cond, Prefix):
        return np.fromiter(
            (isinstance(v, str) and v.startswith(cond.text) for v in values), bool, len(values)
        )
    if isinstance(cond, Not):
        wanted = set(cond.values)
        return np.fromiter((v not in wanted for v in values), bool, len(values))
    if isinstance(cond, tuple | list | set | frozenset):
        wanted = {str(c) for c in cond}
        return np.fromiter((v in wanted for v in values), bool, len(values))
    return np.asarray(values == str(cond), dtype=bool)


def mask(frame: pd.DataFrame, where: Mapping, *, missing: str = "empty", text=None) -> pd.Series:
    """Return the boolean mask of the rows of ``frame`` that meet every condition.

    Parameters
    ----------
    frame : DataFrame
        A tidy table (values compared as text).
    where : mapping
        Column → condition.
    missing : {"empty", "ignore", "error"}
        What a condition on a column the frame lacks does: select nothing (a
        :class:`Not` condition is then met by every row), be ignored, or raise.
    text : callable, optional
        Returns a column's values as text (an array); by default
        ``frame[column].astype(str).to_numpy()``, for a caller that keeps them.

    Returns
    -------
    Series of bool

    Raises
    ------
    NSSFError
        With ``missing="error"``, naming the column.
    """
    out = np.ones(len(frame), dtype=bool)
    for key, cond in where.items():
        if key not in frame.columns:
            if missing == "error":
                raise NSSFError(f"selector: no column {key!r} (columns: {', '.join(frame)})")
            if missing == "empty" and not isinstance(cond, Not):
                return pd.Series(False, index=frame.index)
            continue
        out &= hits(text(key) if text else frame[key].astype(str).to_numpy(), cond)
    return pd.Series(out, index=frame.index)
