"""The report's figures as printed, and its section-2 headlines rebuilt from them.

:func:`printed_cell` looks up one figure as the report prints it (a table cell, a
printed total, the printed change on the year before); only where the report prints
no such figure does it fall back to the total recomputed from the parts.

:data:`HEADLINES` declares, once, the formula of every headline figure of section 2
(*Annual Achievements*): the table cells (or the report's own sentences) it adds up.
The overview (:func:`headlines`, used by :mod:`nssf_analysis.prose` and
:mod:`nssf_analysis.sections`) and the audit's reconciliation
(:func:`nssf_analysis.audit.reconciliation.reconcile`) both read these declarations. Amounts are
read in their documented unit (:mod:`nssf_analysis.units`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from nssf_analysis.analysis.values import (
    Cell as Cell,
)
from nssf_analysis.analysis.values import (
    cells_as_printed,
    format_value,
    report_year,
    select_cells,
)
from nssf_analysis.analysis.values import (
    printed_cell as printed_cell,
)
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.data import units

__all__ = [
    "HEADLINES",
    "Headline",
    "Part",
    "SCHEMES",
    "edition_source",
    "MEASURE_WORDS",
    "get",
    "gives_year",
    "headline_label",
    "headlines",
    "index_figures",
    "left_out",
    "rebuild",
]

# --------------------------------------------------------------------------------------
# Section 2: the headline figures and what they add up
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One part of a headline: the cells of one source that it adds.

    Parameters
    ----------
    source : str
        A table id, or ``"facts"`` for a figure of the report's own sentences.
    dims : tuple of (str, str)
        The dimensions that select the cells (for ``facts``: ``("fact_id", …)``).
    unit : str, optional
        The unit the part counts in when it differs from its cells' (public
        institutions count among the enterprises).
    """

    source: str
    dims: tuple[tuple[str, str], ...]
    unit: str | None = None

    def selector(self) -> dict:
        """Return :attr:`dims` as a dict."""
        return dict(self.dims)

    def describe(self) -> str:
        """Return the part in words: "Table 1 (members, females)"."""
        d = self.selector()
        if self.source == "facts":
            return "the report's text"
        what = d.get("item") or d.get("measure") or ""
        what = what.replace("_", " ").lower()
        words = ", ".join(w for w in (what, "females" if d.get("sex") == "female" else "") if w)
        return f"Table {int(self.source[1:])}" + (f" ({words})" if words else "")


@dataclass(frozen=True)
class Headline:
    """A headline figure of section 2 and the parts it is rebuilt from.

    Parameters
    ----------
    fact_id : str
        The headline in ``data/facts.csv``.
    parts : tuple of Part
        Added up into the rebuilt value (converted to the headline's unit).
    note : str
        How the formula follows from the report.
    basis : str
        ``tables`` (rebuilt from the tables) or ``headlines`` (from the per-scheme
        headlines).
    """

    fact_id: str
    parts: tuple[Part, ...]
    note: str = ""
    basis: str = "tables"


def _p(source: str, unit: str | None = None, **dims) -> Part:
    return Part(source, tuple(dims.items()), unit)


def _members(sex: str, *tables: tuple[str, dict]) -> tuple[Part, ...]:
    return tuple(_p(t, **sel, measure="members", sex=sex) for t, sel in tables)


_T01_ENT = _p("t01", office="total", measure="enterprises", sex="total")
# the headlines count institutions together with enterprises
_OR_ENT = (_T01_ENT, _p("t21", "enterprises", measure="institutions"))
_HC_ENT = (
    _p("t34", office="total", measure="enterprises", sex="total"),
    _p("t46", "enterprises", group="total", measure="institutions"),
    _p("t60", office="total", measure="enterprises", sex="total"),
)
_OR_EXP = (
    _p("t18", item="Total"),
    _p("t31", item="Total"),
    _p("t20", item="Total"),
    _p("t33", item="Total"),
)
_HC_EXP = (
    _p("t44", item="Total"),
    _p("t53", item="Total"),
    _p("t45", item="Medical Expenditure"),
    _p("t55", item="Total"),
)
_OR_INC = (_p("t05", measure="contributions"), _p("t22", measure="contributions"))
_HC_INC = (_p("t37", measure="contributions"), _p("t47", measure="contributions"))
_PEN_INC = (_p("t59", measure="contributions"),)
_VISITS = (_p("t42", item="Total"), _p("t51", item="Total"))
_VISITS_F = (
    _p("facts", fact_id="b12_health_care_access_female"),
    _p("facts", fact_id="b22_health_care_access_female"),
)
_OR_MEM = (("t01", {"office": "total"}), ("t21", {}))
_HC_MEM = (("t34", {"office": "total"}), ("t46", {"group": "total"}), ("t60", {"office": "total"}))
_ALL_MEM = (("t01", {"office": "total"}), ("t46", {"group": "total"}), ("t60", {"office": "total"}))
_VICTIMS = {s: (_p("t15", sex=s), _p("t28", sex=s)) for s in ("total", "female")}
_EXP_NOTE = (
    "Benefits (Tables 18 and 31) plus rehabilitation (Tables 20 and 33): without "
    "rehabilitation the headline is 43 million riels above the tables."
)

#: The headline figures of section 2 and the formulas that rebuild them.
HEADLINES: tuple[Headline, ...] = (
    Headline(
        "s2_registered_enterprises",
        (_OR_ENT[0], _HC_ENT[1], _HC_ENT[2]),
        "Private enterprises since 2008 (Table 1), public institutions in health care "
        "(Table 46; the occupational risk scheme's public institutions of Table 21 are "
        "among them) and informal enterprises (Table 60).",
    ),
    Headline("s2_members_total", _members("total", *_ALL_MEM), "Tables 1, 46 and 60."),
    Headline("s2_members_female", _members("female", *_ALL_MEM), "Tables 1, 46 and 60."),
    Headline(
        "s2_contribution_income",
        _OR_INC + _HC_INC + _PEN_INC,
        "Contributions of Tables 5, 22, 37, 47 and 59.",
    ),
    Headline(
        "s2_expenditure",
        _OR_EXP + _HC_EXP,
        "Occupational risk and health care expenditure; the sentence attributes the "
        "whole amount to the occupational risk scheme.",
    ),
    Headline(
        "s2_victims_total", _VICTIMS["total"], "Victims receiving benefits, Tables 15 and 28."
    ),
    Headline("s2_victims_female", _VICTIMS["female"], "Tables 15 and 28."),
    Headline(
        "s2_health_care_access_total",
        _VISITS,
        "Health care scheme visits, Tables 42 and 51 (Tables 16 and 29 are occupational risk).",
    ),
    Headline(
        "s2_health_care_access_female",
        _VISITS_F,
        "No table prints females; the text of B.1.2 and B.2.2 does.",
    ),
    Headline(
        "s2_contribution_income",
        tuple(_p("facts", fact_id=f"s2{s}_contribution_income") for s in ("or", "hc", "pen")),
        "The three schemes' headlines.",
        "headlines",
    ),
    Headline(
        "s2_expenditure",
        tuple(_p("facts", fact_id=f"s2{s}_expenditure") for s in ("or", "hc")),
        "The occupational risk and health care headlines.",
        "headlines",
    ),
    Headline("s2or_registered_enterprises", _OR_ENT, "Table 1 (since 2008) and Table 21."),
    Headline("s2or_members_total", _members("total", *_OR_MEM), "Tables 1 and 21."),
    Headline("s2or_members_female", _members("female", *_OR_MEM), "Tables 1 and 21."),
    Headline("s2or_contribution_income", _OR_INC, "Tables 5 and 22 (billion riels)."),
    Headline("s2or_expenditure", _OR_EXP, _EXP_NOTE),
    Headline("s2or_victims_total", _VICTIMS["total"], "Tables 15 and 28."),
    Headline("s2or_victims_female", _VICTIMS["female"], "Tables 15 and 28."),
    Headline("s2hc_registered_enterprises", _HC_ENT, "Tables 34, 46 and 60."),
    Headline("s2hc_members_total", _members("total", *_HC_MEM), "Tables 34, 46 and 60."),
    Headline("s2hc_members_female", _members("female", *_HC_MEM), "Tables 34, 46 and 60."),
    Headline("s2hc_contribution_income", _HC_INC, "Tables 37 and 47 (billion riels)."),
    Headline(
        "s2hc_expenditure",
        _HC_EXP,
        "Benefits (Tables 44 and 53) plus medical rehabilitation (Tables 45 and 55), as for "
        "occupational risk; both formulas agree within rounding.",
    ),
    Headline("s2hc_health_care_access_total", _VISITS, "Tables 42 and 51."),
    Headline("s2hc_health_care_access_female", _VISITS_F, "The text of B.1.2 and B.2.2."),
    Headline(
        "s2pen_registered_enterprises",
        (_p("t56", office="total", measure="enterprises", sex="total"),),
        "Table 56.",
    ),
    Headline("s2pen_members_total", _members("total", ("t56", {"office": "total"})), "Table 56."),
    Headline("s2pen_members_female", _members("female", ("t56", {"office": "total"})), "Table 56."),
    Headline(
        "s2pen_contribution_income",
        _PEN_INC,
        "Table 59 (billion riels); section C states 111.54 billion including 0.22 billion "
        "of voluntary contributions.",
    ),
)

#: Scheme of each group of headline figures, in words.
SCHEMES = {"s2": "All schemes", "s2or": "Occupational risk", "s2hc": "Health care"}
SCHEMES["s2pen"] = "Pension"


def get(fact_id: str, basis: str = "tables") -> Headline:
    """Return the declaration of one headline figure."""
    for h in HEADLINES:
        if h.fact_id == fact_id and h.basis == basis:
            return h
    raise KeyError(f"no headline {fact_id!r} on the basis {basis!r}")


def gives_year(source: str, year: int) -> bool:
    """Say whether a source of headline parts prints any figure for ``year``.

    The report's text (``"facts"``) states the report's own year only; a table prints
    the years of its catalog row (Table 59 of the 2022 report: 2022 only, the pension
    scheme began that year). A table the catalog lacks prints nothing.

    Parameters
    ----------
    source : str
        A table id, or ``"facts"``.
    year : int
        The year of the figures.

    Examples
    --------
    >>> gives_year("t05", 2021), gives_year("t59", 2021)
    (True, False)
    """
    if source == "facts":
        return year == report_year()
    try:
        years = str(catalog_mod.catalog_row(source)["years"]).split("; ")
    except KeyError:
        return False
    return str(year) in years


def _part_value(part: Part, year: int) -> tuple[float, str] | None:
    """Return the sum of a part's cells for ``year`` in their documented unit."""
    if part.source == "facts":
        if year != report_year():
            return None
        f = catalog_mod.load_facts().set_index("fact_id")
        fact_id = part.selector()["fact_id"]
        if fact_id not in f.index:
            return None  # the edition no longer prints the sentence (data/facts_missing.csv)
        row = f.loc[fact_id]
        return float(row["value"]), str(row["unit"])
    cells = cells_as_printed(part.source)
    hit = select_cells(cells[cells["role"] != "fluctuation"], part.selector())
    if hit is None:
        return None
    hit = hit[hit["year"] == str(year)]
    if hit.empty or hit["value"].isna().any():
        return None
    (unit,) = set(hit["unit"])
    return float(hit["value"].sum()), part.unit or units.reading(part.source, unit)


def rebuild(headline: Headline, year: int) -> tuple[float | None, list[tuple[Part, float, str]]]:
    """Rebuild one headline figure from its parts.

    A part whose source prints no figure for ``year`` (:func:`gives_year`: a table that
    does not cover the year, the report's text for another year) is left out; the
    headline is rebuilt from every other part. A part whose source covers the year but
    has no value there makes the headline impossible to rebuild.

    Parameters
    ----------
    headline : Headline
        A declaration of :data:`HEADLINES`.
    year : int
        The year of the tables' figures.

    Returns
    -------
    value : float or None
        The sum of the parts in the headline's unit, or None when a part has no value
        or no part gives the year.
    parts : list of (Part, value, unit)
        Each part used and its value in its own (documented) unit.
    """
    target = catalog_mod.load_facts().set_index("fact_id").loc[headline.fact_id, "unit"]
    total, parts = 0.0, []
    for part in headline.parts:
        if not gives_year(part.source, year):
            continue
        got = _part_value(part, year)
        if got is None:
            return None, parts
        value, unit = got
        parts.append((part, value, unit))
        total += value * (units.factor(unit, target) if units.is_money(target) else 1.0)
    return (total if parts else None), parts


def left_out(headline: Headline, year: int) -> list[Part]:
    """Return the parts of a headline whose source prints no figure for ``year``."""
    return [p for p in headline.parts if not gives_year(p.source, year)]


def headlines(year: int, basis: str = "tables") -> pd.DataFrame:
    """Return the section-2 headline figures: as printed and as rebuilt from the tables.

    Parameters
    ----------
    year : int
        The year; the report prints its headlines for its own year only, so for
        other years ``printed`` and ``gap`` are NaN.
    basis : str
        Which formulas (``tables`` or ``headlines``).

    Returns
    -------
    DataFrame
        One row per headline the edition prints (a headline whose sentence it no longer
        prints is left out, as :mod:`nssf_analysis.data.facts` reports it missing):
        ``fact_id``, ``scheme`` (in words), ``measure``,
        ``sex``, ``unit``, ``printed``, ``rebuilt``, ``gap`` (printed − rebuilt),
        ``sources`` (the parts it is rebuilt from, in words), ``left_out`` (the parts
        whose source prints no figure for ``year``, e.g. Table 59 in 2021) and ``note``.
    """
    f = catalog_mod.load_facts().set_index("fact_id")
    rows = []
    for h in HEADLINES:
        if h.basis != basis or h.fact_id not in f.index:
            continue  # another formula, or a headline the edition no longer prints
        rebuilt, used = rebuild(h, year)
        printed = float(f.loc[h.fact_id, "value"]) if year == report_year() else math.nan
        skipped = left_out(h, year) if rebuilt is not None else []
        shown = [p for p, _, _ in used] if rebuilt is not None else list(h.parts)
        rows.append(
            {
                "fact_id": h.fact_id,
                "scheme": SCHEMES[h.fact_id.split("_")[0]],
                "measure": f.loc[h.fact_id, "measure"],
                "sex": f.loc[h.fact_id, "sex"],
                "unit": f.loc[h.fact_id, "unit"],
                "printed": printed,
                "rebuilt": math.nan if rebuilt is None else rebuilt,
                "gap": printed - rebuilt if rebuilt is not None else math.nan,
                "sources": " + ".join(dict.fromkeys(p.describe() for p in shown)),
                "left_out": " + ".join(dict.fromkeys(p.describe() for p in skipped)),
                "note": h.note,
            }
        )
    return pd.DataFrame(rows)


#: The words of each headline measure, as a reader names it.
MEASURE_WORDS = {
    "registered_enterprises": "Registered enterprises",
    "members": "Members",
    "contribution_income": "Contribution income",
    "expenditure": "Benefits expenditure",
    "victims": "Victims",
    "health_care_access": "Health care access",
}
#: Measures whose headline for the whole fund is a sum over the schemes' own amounts:
#: their label names it ("Benefits expenditure, all schemes").
_SUMMED = ("contribution_income", "expenditure")


def headline_label(measure: str, sex: str, scheme: str = "") -> str:
    """Return a headline's name in words: "Members (females)".

    Parameters
    ----------
    measure, sex : str
        The headline's measure and sex, as in ``data/facts.csv``.
    scheme : str, optional
        The scheme in words (:data:`SCHEMES`); for the whole fund (``"All schemes"``) the
        amounts that add up the schemes' own say so.

    Examples
    --------
    >>> headline_label("expenditure", "total", "All schemes")
    'Benefits expenditure, all schemes'
    >>> headline_label("members", "female")
    'Members (females)'
    """
    text = MEASURE_WORDS.get(measure) or measure.replace("_", " ").strip().capitalize()
    if scheme == SCHEMES["s2"] and measure in _SUMMED:
        text += ", all schemes"
    return text + (" (females)" if sex == "female" else "")


def edition_source(year: int) -> str:
    """Say in one sentence what the figures of the edition for ``year`` come from.

    Parameters
    ----------
    year : int
        The year the edition shows.
    """
    ry = report_year()
    if year == ry:
        return (
            f"This edition shows {year}, the year of the {ry} report: its figures are the "
            "report's own, with the year before where the report prints it."
        )
    return (
        f"This edition shows {year}. Its figures come from the comparison columns ({year}) "
        f"of the tables of the {ry} report; the report states its headline figures and its "
        f"text for {ry} only, so the figures below are the {year} sums of the same table "
        f"cells that make up the {ry} headlines."
    )


def index_figures(year: int) -> tuple[list[dict], str]:
    """Return the headline figures of the book's front page for ``year`` and what they are.

    For the report's year they are the figures section 2 states; for another year the
    same headlines rebuilt from that year's columns of the tables (a headline the tables
    cannot give for that year is left out).

    Parameters
    ----------
    year : int
        The year the edition shows.

    Returns
    -------
    rows : list of dict
        ``printed`` (the figure as text), ``unit`` and ``label``.
    note : str
        What the figures are and where they come from (:func:`edition_source`).
    """
    if year == report_year():
        facts = catalog_mod.load_facts()
        facts = facts[facts["section"].astype(str) == "2"]
        rows = [
            {
                "printed": r["printed"],
                "unit": r["unit"],
                "label": headline_label(r["measure"], r["sex"], SCHEMES["s2"]),
            }
            for r in facts.to_dict("records")
        ]
        note = f"As stated in section 2 of the {year} report. " + edition_source(year)
        return rows, note
    h = headlines(year)
    h = h[(h["scheme"] == SCHEMES["s2"]) & h["rebuilt"].notna()]
    rows = [
        {
            "printed": format_value(r["rebuilt"], r["unit"]),
            "unit": r["unit"],
            "label": headline_label(r["measure"], r["sex"], r["scheme"]),
        }
        for r in h.to_dict("records")
    ]
    return rows, edition_source(year)
