"""The cross-references of :data:`.rules.XREFS`, evaluated cell by cell.

:func:`cross_checks` evaluates every :class:`~.rules.XRef`: the cells each
:class:`~.rules.Term` selects (as :func:`.common.pick` does, through the source's
:class:`~.common.Columns`), summed per join group and converted to one unit, compared
within the rounding of the printed values (rules
``identity``, ``annex``, ``tables``, ``directory``, ``prose`` and ``unit``).
:func:`term_value` evaluates one term alone, for the reconciliation of the headlines.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nssf_analysis.analysis.audit.common import (
    Columns,
    Sources,
    columns,
    factor,
    fmt,
    half_unit,
    labeler,
    record,
    where_of,
)
from nssf_analysis.analysis.audit.rules import XREFS, Term, XRef
from nssf_analysis.data import editions, units
from nssf_analysis.exceptions import NSSFError

__all__ = ["cross_checks", "term_value"]


@dataclass
class _Side:
    value: float
    tol: float
    unit: str
    cells: list  # the _Cells used
    text: str
    missing: bool = False
    dash: bool = False


@dataclass
class _Cells:
    """Some cells of one source: its :class:`~.common.Columns` and their positions."""

    cols: Columns
    at: np.ndarray

    def __len__(self) -> int:
        return len(self.at)

    def array(self, column: str) -> np.ndarray:
        """Return the cells' values of one column."""
        return self.cols.values(column)[self.at]

    def column(self, column: str) -> list:
        """Return the cells' values of one column as Python objects."""
        return self.array(column).tolist()

    def first(self, column: str):
        """Return the first cell's value of one column."""
        return self.cols.values(column)[self.at[0]]


def _columns(src: Sources, source: str) -> Columns:
    if source not in src.cells:
        raise NSSFError(f"audit rule refers to unknown source {source!r}")
    return columns(src, source)


def _groups(cells: _Cells, join: tuple[str, ...]) -> dict:
    """Group cells by the values of the join columns, in order of first appearance.

    As :meth:`pandas.DataFrame.groupby` (``sort=False``): a cell with a missing value
    in a join column belongs to no group.
    """
    if not join:
        return {(): cells}
    if not len(cells) or any(k not in cells.cols.names for k in join):
        return {}
    out: dict = {}
    keys = zip(*(cells.column(k) for k in join), strict=True)
    for pos, key in zip(cells.at.tolist(), keys, strict=True):
        if not any(pd.isna(k) for k in key):
            out.setdefault(key, []).append(pos)
    return {k: _Cells(cells.cols, np.array(v, dtype=np.intp)) for k, v in out.items()}


def _describe(src: Sources, source: str, cells: _Cells) -> str:
    if source == "facts":
        return "prose " + ", ".join(
            f"{f} (line {n})"
            for f, n in zip(cells.column("fact_id"), cells.column("line"), strict=True)
        )
    label = src.labels.get(source, source)
    if source in src.directories:
        return f"{label}: {len(cells)} entries"
    lab = labeler(src, source)
    places = list(
        dict.fromkeys(
            lab.at(ln, c)
            for ln, c in zip(cells.column("line"), cells.column("column"), strict=True)
        )
    )
    if len(places) > 3:
        return f"{label}: {len(places)} cells ({places[0]} ... {places[-1]})"
    return f"{label}: " + " + ".join(places)


class _Picked:
    """A term's selected cells, grouped by the join columns (one group when no join)."""

    def __init__(self, src: Sources, term: Term, extra: str, join: tuple, year: int):
        self.term = term
        self.groups: dict = {}
        self.times: dict = {}
        self.per: dict = {}
        if term.source == "const":
            return
        cols = _columns(src, term.source)

        def picked(*selectors: str) -> dict:
            return _groups(_Cells(cols, cols.positions(where_of(*selectors, year=year))), join)

        self.groups = picked(term.select, extra)
        if term.times:
            self.times = picked(term.times)
        if term.per:
            self.per = picked(term.per)


def _term_value(src: Sources, picked: _Picked, key: tuple, target: str | None) -> _Side | None:
    """Evaluate one term for one join group; None when it selects nothing."""
    term = picked.term
    if term.source == "const":
        return _Side(term.coef, 0.0, target or "", [], f"{term.coef:g}")
    grp = picked.groups.get(key)
    if grp is None or not len(grp):
        return None
    values = grp.array("value")
    if pd.isna(values).any():
        return _Side(math.nan, 0.0, "", [grp], "", dash=True)
    found = set(grp.column("unit"))
    if len(found) != 1:
        raise NSSFError(
            f"audit rule on {term.source} {term.select!r}: cells in several units {sorted(found)}"
        )
    unit = found.pop()
    value = _sum(values)
    tol = sum(half_unit(p) for p in grp.column("printed"))
    text = _describe(src, term.source, grp)
    used = [grp]
    for op, groups in (("times", picked.times), ("per", picked.per)):
        if not (term.times if op == "times" else term.per):
            continue
        og = groups.get(key)
        if og is None or not len(og):
            return None
        ovalues = og.array("value")
        if pd.isna(ovalues).any():
            return None
        ov = _sum(ovalues)
        ot = sum(half_unit(p) for p in og.column("printed"))
        if op == "times":
            tol = abs(value) * ot + abs(ov) * tol
            value *= ov
            text += " x " + _describe(src, term.source, og)
        else:
            if ov == 0:
                return None
            tol = tol / abs(ov) + abs(value) * ot / ov**2
            value /= ov
            text += " / " + _describe(src, term.source, og)
        used.append(og)
    unit = term.unit or unit
    value *= term.coef
    tol *= abs(term.coef)
    if term.coef == -1.0:
        text = f"- {text}"
    elif term.coef != 1.0:
        text = f"{term.coef:g} x {text}"
    return _Side(value, tol, unit, used, text)


def _sum(values: np.ndarray) -> float:
    """Return the sum of values with no missing one, as :meth:`pandas.Series.sum` adds them."""
    if values.dtype == np.float64:
        return float(values.sum())
    return float(pd.Series(values).sum())


def term_value(src: Sources, term: Term, year: int, unit: str | None) -> _Side | None:
    """Evaluate one term alone (no join, no pair) in the unit ``unit``.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.
    term : Term
        The term; ``@report`` in its selector stands for ``year``.
    year : int
        The year of the figures.
    unit : str or None
        The unit of a ``const`` term.

    Returns
    -------
    _Side or None
        ``value``, ``tol`` (the rounding of the printed values), ``unit``, ``text`` (the
        cells in words) and ``dash`` (a cell printed "-"); None when nothing is selected.
    """
    return _term_value(src, _Picked(src, term, "", (), year), (), unit)


def _side(src: Sources, picked: list[_Picked], key: tuple, target: str | None) -> _Side:
    """Sum the terms of one side for one join group, in the unit ``target``."""
    parts = []
    for p in picked:
        s = _term_value(src, p, key, target)
        if s is None:
            return _Side(math.nan, 0.0, target or "", [], "", missing=True)
        if s.dash:
            return s
        parts.append(s)
    unit = target or parts[0].unit
    value, tol, cells, texts = 0.0, 0.0, [], []
    for s in parts:
        f = factor(s.unit, unit)
        if f is None:
            raise _UnitMismatch(s.unit, unit)
        value += s.value * f
        tol += s.tol * f
        cells += s.cells
        texts.append(s.text)
    text = " + ".join(texts).replace("+ - ", "- ")
    return _Side(value, tol, unit, cells, text)


class _UnitMismatch(Exception):
    def __init__(self, unit, target):
        super().__init__(f"{unit} vs {target}")
        self.unit, self.target = unit, target


def _is_table(src: Sources, source: str) -> bool:
    return source in src.raw


def _printed(printed: list[str], value: float, unit: str) -> str:
    text = " + ".join(printed) if len(printed) <= 3 else fmt(value)
    return text if unit == "percent" else f"{text} {unit}"


def cross_checks(src: Sources, xrefs: tuple[XRef, ...] = XREFS) -> list[dict]:
    """Evaluate every cross-reference of ``xrefs``: one record per pair and join group.

    The left side is ``ok`` when it equals the right side, or is the right side
    rounded to the left's printed decimals; ``rounding`` when the difference is within
    the rounding of all the printed values involved; otherwise ``inconsistency``.  A
    join group present on the left but not on the right is ``structural``.  When a
    money cross-reference holds only with one side multiplied or divided by 1,000, the
    record's rule is ``unit``; when one side is the prose and the other one table, the
    table's unit label is taken to be the wrong one (``adjust`` gives the factor that
    corrects its values).

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.
    xrefs : tuple of XRef
        The rules (default :data:`XREFS`).

    Returns
    -------
    list of dict
        One record per evaluated comparison: each cross-reference, pair of selectors and
        join group.
    """
    year = src.report_year
    known = editions.reference()
    out = []
    for x in xrefs:
        sources = [t.source for t in (x.left, *x.right)]
        if any(s not in src.cells and s in known for s in sources):
            continue  # a table this edition does not print: nothing to compare with
        for lpart, rpart in x.pairs:
            left = _Picked(src, x.left, lpart, x.join, year)
            right = [_Picked(src, t, rpart, x.join, year) for t in x.right]
            for key in left.groups:
                rec = _evaluate(src, x, lpart, key, left, right)
                if rec is not None:
                    out.append(rec)
    return out


def _left_location(src: Sources, source: str, first: _Cells) -> str:
    if _is_table(src, source):
        return labeler(src, source).at(first.first("line"), first.first("column"))
    if source == "facts":
        return f"{first.first('fact_id')}: section {first.first('section')}"
    return f"{src.labels.get(source, source)} entries"


def _rule_key(x: XRef) -> str:
    """Return a short key of a cross-reference, stable while the rule is unchanged."""
    return hashlib.sha1(repr(x).encode("utf-8")).hexdigest()[:6]


def _evaluate(src, x: XRef, lpart: str, key: tuple, left_p, right_p) -> dict | None:
    left = _side(src, [left_p], key, None)
    if left.missing or left.dash:
        return None
    first = left.cells[0]  # the cells of the left side are all of one source
    ltable = x.left.source
    years = (
        sorted({y for c in left.cells for y in c.column("year")} - {""})
        if "year" in first.cols.names
        else []
    )
    printed = [p for c in left.cells for p in c.column("printed")]
    base = dict(
        check=f"{x.rule}:{_rule_key(x)}",
        table_id=ltable,
        location=_left_location(src, ltable, first),
        line=int(first.first("line")),
        column=int(first.first("column")),
        year=years[-1] if years else "",
        printed=_printed(printed, left.value, left.unit),
        detail=" ; ".join(p for p in (x.left.select, lpart, ", ".join(key)) if p),
        note=x.note,
    )
    try:
        right = _side(src, right_p, key, left.unit)
    except _UnitMismatch as err:
        return record(
            rule="unit",
            expected=f"a value in {left.unit}",
            status="inconsistency",
            ref_table=next((t.source for t in x.right if t.source != "const"), ""),
            ref_location=f"a term in {err.unit}",
            **base,
        )
    if right.dash:
        return None
    rsrc = next((t.source for t in x.right if t.source != "const"), "")
    if right.missing:
        return record(
            rule=x.rule,
            expected="a counterpart in "
            + ", ".join(src.labels.get(t.source, t.source) for t in x.right),
            status="structural",
            ref_table=rsrc,
            **base,
        )
    rfirst = right.cells[0] if right.cells else None
    ref = dict(
        ref_table=rsrc,
        ref_line=int(rfirst.first("line")) if rfirst is not None else 0,
        ref_location=right.text,
    )
    lv, rv = left.value, right.value
    tol = x.tol if x.tol is not None else left.tol + right.tol
    eps = 1e-9 * max(1.0, abs(lv), abs(rv))
    diff = lv - rv
    expected = f"{'=' if x.relation == '==' else '<='} {fmt(rv, tol)} {right.unit}".rstrip()
    if x.relation == "<=":
        status = "ok" if lv <= rv + tol + eps else "inconsistency"
    elif abs(diff) <= left.tol + eps:
        status = "ok"
    elif abs(diff) <= tol + eps:
        status = "rounding"
    else:
        status = "inconsistency"
    rule, adjust = x.rule, None
    if status == "inconsistency" and x.relation == "==" and units.is_money(left.unit):
        for k in (1000.0, 0.001):
            if abs(lv - rv * k) <= left.tol + right.tol * k + eps:
                rule = "unit"
                tables = [t.source for t in x.right if _is_table(src, t.source)]
                if _is_table(src, ltable) and all(t.source == "facts" for t in x.right):
                    adjust = (ltable, 1.0 / k)
                elif ltable == "facts" and len(tables) == len(x.right) == 1:
                    adjust = (tables[0], k)
                if sum(len(c) for c in right.cells) == 1:
                    expected = f"{rfirst.first('printed')} {rfirst.first('unit')}"
                break
    rec = record(
        rule=rule,
        expected=expected,
        computed=round(rv, 6),
        difference=round(diff, 6),
        tolerance=round(tol, 6),
        status=status,
        **base,
        **ref,
    )
    rec["adjust"] = adjust
    return rec


# --------------------------------------------------------------------------------------
