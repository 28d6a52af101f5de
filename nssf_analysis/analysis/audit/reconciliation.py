"""Reconciliation of the headline figures of section 2 with the tables that hold their parts.

:data:`HEADLINES` (declared once, in :mod:`nssf_analysis.analysis.headlines`) gives
each headline's parts; :func:`reconcile` rebuilds each headline from its parts as the
audit reads them (:func:`.crossref.term_value`), shows the printed value, the rebuilt
value and the gap, and the gap once the ``unit`` findings of the run are applied.
"""

from __future__ import annotations

import math

import pandas as pd

from nssf_analysis.analysis import headlines as headlines_mod
from nssf_analysis.analysis import select
from nssf_analysis.analysis.audit.common import factor, fmt, half_unit, load_sources
from nssf_analysis.analysis.audit.crossref import term_value
from nssf_analysis.analysis.audit.results import run
from nssf_analysis.analysis.audit.rules import REPORT, Term
from nssf_analysis.analysis.headlines import Headline
from nssf_analysis.exceptions import NSSFError

__all__ = ["HEADLINES", "headline_terms", "reconcile"]

#: The headline figures of section 2, declared once in :mod:`nssf_analysis.headlines`.
HEADLINES: tuple[Headline, ...] = headlines_mod.HEADLINES


def headline_terms(h: Headline) -> tuple[Term, ...]:
    """Return the audit's terms of a headline's parts (report year, the parts' dims).

    Parameters
    ----------
    h : Headline
        A declaration of :data:`nssf_analysis.headlines.HEADLINES`.
    """
    out = []
    for p in h.parts:
        selector = select.text(p.selector())
        if p.source != "facts":
            selector = f"{REPORT}; {selector}"
        out.append(Term(source=p.source, select=selector, unit=p.unit))
    return tuple(out)


def reconcile(year: int | None = None) -> pd.DataFrame:
    """Rebuild the headline figures of section 2 from their parts (:data:`HEADLINES`).

    Parameters
    ----------
    year : int, optional
        Year of the tables' figures (default: the report year).  The prose states
        the headlines of the report year only; for another year ``printed`` is empty.

    Returns
    -------
    DataFrame
        One row per headline and formula: ``fact_id``, ``scheme``, ``measure``,
        ``sex``, ``unit``, ``basis``, ``formula``, ``values``, ``printed``,
        ``rebuilt``, ``gap`` (printed - rebuilt), ``tolerance``, ``status``, then
        ``adjusted_rebuilt``, ``adjusted_gap``, ``adjusted_status`` and
        ``adjusted_by`` (the ``unit`` findings applied), ``left_out`` (the parts whose
        source prints no figure for ``year``, left out of the sum: Table 59 in 2021) and
        ``note``. ``status`` is ``ok`` (equal), ``rounding``, ``inconsistency``, ``no
        printed headline`` (another year), ``no data ('-')``, ``parts missing`` or ``no
        figures for the year`` (no part's source gives the year).
    """
    res, src = run(), load_sources()
    year = res.report_year if year is None else int(year)
    facts = src.facts.set_index("fact_id")
    unit_findings = res.findings[res.findings["rule"] == "unit"]
    rows = []
    for h in HEADLINES:
        if h.fact_id not in facts.index:
            continue
        fact = facts.loc[h.fact_id]
        unit = fact["unit"]
        printed = float(fact["value"]) if year == res.report_year else math.nan
        ptol = half_unit(fact["printed"]) if year == res.report_year else 0.0
        parts, missing = [], False
        terms = headline_terms(h)
        # a source that prints no figure for the year is left out (Table 59 in 2021: the
        # pension scheme began in 2022); the headline is rebuilt from the others
        given = [t for t in terms if headlines_mod.gives_year(t.source, year)]
        skipped = [p for p in h.parts if not headlines_mod.gives_year(p.source, year)]
        if not given:
            missing = "no figures for the year"
        for t in given:
            s = term_value(src, t, year, unit)
            if s is None or s.dash:
                missing = "no data ('-')" if s is not None else "parts missing"
                break
            f = factor(s.unit, unit)
            if f is None:
                raise NSSFError(f"headline {h.fact_id}: {s.unit} cannot be converted to {unit}")
            parts.append((t, s, f))
        row = {
            "fact_id": h.fact_id,
            "scheme": fact["scheme"],
            "measure": fact["measure"],
            "sex": fact["sex"],
            "unit": unit,
            "basis": h.basis,
            "formula": " + ".join(s.text for _, s, _ in parts).replace("+ - ", "- ")
            if not missing
            else "",
            "values": "",
            "printed": printed,
            "rebuilt": math.nan,
            "gap": math.nan,
            "tolerance": math.nan,
            "status": "no printed headline" if math.isnan(printed) else "",
            "adjusted_rebuilt": math.nan,
            "adjusted_gap": math.nan,
            "adjusted_status": "",
            "adjusted_by": "",
            "left_out": " + ".join(dict.fromkeys(p.describe() for p in skipped))
            if not missing
            else "",
            "note": h.note,
        }
        if missing:
            row["status"] = missing
            rows.append(row)
            continue
        rebuilt = sum(s.value * f for _, s, f in parts)
        tol = ptol + sum(s.tol * f for _, s, f in parts)
        row["values"] = " + ".join(fmt(s.value * f, s.tol * f) for _, s, f in parts).replace(
            "+ -", "- "
        )
        row["rebuilt"] = round(rebuilt, 6)
        row["tolerance"] = round(tol, 6)
        if not math.isnan(printed):
            row["gap"] = round(printed - rebuilt, 6)
            row["status"] = _gap_status(printed - rebuilt, tol, printed)
        used = {t.source for t, _, _ in parts} & set(res.adjustments)
        if used:
            adj = sum(s.value * f * res.adjustments.get(t.source, 1.0) for t, s, f in parts)
            atol = ptol + sum(s.tol * f * res.adjustments.get(t.source, 1.0) for t, s, f in parts)
            row["adjusted_rebuilt"] = round(adj, 6)
            if not math.isnan(printed):
                row["adjusted_gap"] = round(printed - adj, 6)
                row["adjusted_status"] = _gap_status(printed - adj, atol, printed)
            row["adjusted_by"] = ", ".join(
                unit_findings[unit_findings["table_id"].isin(used)]["finding_id"]
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _gap_status(gap: float, tol: float, scale: float) -> str:
    eps = 1e-9 * max(1.0, abs(scale))
    if abs(gap) <= eps:
        return "ok"
    if abs(gap) <= tol + eps:
        return "rounding"
    return "inconsistency"
