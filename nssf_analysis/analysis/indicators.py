"""Standard indicators computed from the tidy tables: the computation and its page.

Every indicator is declared once as data (an :class:`Indicator`, in
:mod:`nssf_analysis.analysis.indicator_declarations`; what a declaration is:
:mod:`nssf_analysis.analysis.indicator_spec`). :func:`compute` evaluates all of them for
one report year from ``data/tidy`` and adds the change against the previous year where
both years exist (:mod:`nssf_analysis.analysis.changes`); :func:`methodology_markdown`
writes the page that defines them from the same declarations. Tables and prose of the
results are in :mod:`nssf_analysis.render.indicator_view`.

Choices made once, here, for every indicator:

* **Covered workers.** The denominator of the private-sector injury, fatality and
  health-care rates is the number of *contribution-paid* workers (Table 5 for the
  occupational-risk scheme, Table 37 for health care): only workers whose employer paid
  contributions in the year are insured, and these are the people whose injuries NSSF
  investigates and pays for. The number of registered workers at year end (Table 2) is
  used for a sensitivity variant (``or_injury_rate_registered``) and for the province
  annex, which gives registered workers only. The public sector uses contribution-paid
  members (Table 22 / Table 47).
* **Phnom Penh khans.** Annex 6.1.4 lists the reports of the khan branches (Dangkao,
  Mean Chey, Russy Keo, Pur Senchey, Chrouy Changvar) separately from "Phnom Penh"
  (the head office), while Annex 6.1.1 gives Phnom Penh one worker count. The 24 other
  provinces of Annex 6.1.1 add up exactly to the provincial-branch workers of Table 2,
  so the khan branches' workers can only be counted under Phnom Penh; their reports are
  therefore added to Phnom Penh (:data:`KHANS`). The annex total then equals Table 9's
  total of reports and the worker total equals Table 2's.
* **Abroad.** Annex 6.5.2 counts childbirth allowances for births abroad; they are in
  the national figure but in no province.
* **Table 31** is headed "Billion Riels" but the report's text states its grand total,
  316.32, in million riels; its amounts are read as million riels
  (:data:`nssf_analysis.units.READINGS`).
* **Change.** A change from a zero base is "new (from 0)", no change between two zeros
  is "no change" (:func:`change`); a missing year is "not available" (the statuses of
  :mod:`nssf_analysis.analysis.changes`). The report itself prints 100 % and 0 %.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from nssf_analysis.analysis import select
from nssf_analysis.analysis.changes import NEW, NO_CHANGE, NOT_AVAILABLE, OK, change_percent
from nssf_analysis.analysis.indicator_declarations import INDICATORS, get
from nssf_analysis.analysis.indicator_spec import KHANS, TOPICS, Indicator
from nssf_analysis.analysis.select import Selector
from nssf_analysis.data import units
from nssf_analysis.data.catalog import available_years, catalog, check_year, load_table
from nssf_analysis.exceptions import NSSFError

__all__ = [
    "OUTPUT_COLUMNS",
    "change",
    "compute",
    "evaluate",
    "input_years",
    "methodology_markdown",
    "value",
]

OUTPUT_COLUMNS = [
    "indicator",
    "title",
    "topic",
    "dimension",
    "group",
    "sex",
    "year",
    "numerator",
    "denominator",
    "value",
    "unit",
    "previous",
    "change_pct",
    "difference",
    "change_note",
    "note",
]


# --------------------------------------------------------------------------------------
# Computation
# --------------------------------------------------------------------------------------
def change(base, current):
    """Return the relative change from ``base`` to ``current`` in percent, or its status.

    Parameters
    ----------
    base, current : float or None
        Values of the previous and the current year.

    Returns
    -------
    float or str
        ``(current - base) / base × 100``; otherwise the status of
        :func:`nssf_analysis.analysis.changes.change_percent`: :data:`NEW` when the base
        is zero and the current value is not, :data:`NO_CHANGE` when both are zero,
        :data:`NOT_AVAILABLE` when either is missing. Never infinity, never a made-up
        100 %.

    Examples
    --------
    >>> change(200, 221)
    10.5
    >>> change(0, 5), change(0, 0), change(None, 5)
    ('new (from 0)', 'no change', 'not available')
    """
    pct, status = change_percent(base, current)
    return pct if status == OK else status


def _table_years(table_id: str) -> set[int]:
    return set(load_table(table_id)["year"])


def _select(sel: Selector, year: int, sex: str) -> pd.DataFrame | None:
    """Rows of ``sel`` for one year and sex; None when the table has no such year."""
    df = load_table(sel.table)
    if year not in set(df["year"]):
        return None
    d = df[df["year"] == year]
    measures = sel.measure if isinstance(sel.measure, tuple) else (sel.measure,)
    d = d[d["measure"].isin(measures)]
    missing_cols = [c for c in sel.where if c not in d.columns]
    if missing_cols:
        raise NSSFError(f"indicator selector: {sel.table} has no column {missing_cols[0]!r}")
    d = d[select.mask(d, sel.where)]
    d = d[d["sex"] == (sel.sex or sex)]
    if d.empty:
        raise NSSFError(
            f"indicator selector matched no row: table {sel.table}, measure {sel.measure}, "
            f"where {sel.where}, sex {sel.sex or sex}, year {year}"
        )
    return d


def _sums(sel: Selector, year: int, sex: str, by: str | None):
    """Return (total, {group: sum}) or (None, None) when the year is missing."""
    d = _select(sel, year, sex)
    if d is None:
        return None, None
    values = d["value"].astype(float) * sel.scale
    total = float(values.sum())
    if by is None:
        return total, {}
    labels = d[by].map(lambda x: sel.relabel.get(x, x))
    groups: dict[str, float] = {}
    for label, v in zip(labels, values, strict=True):
        if label in sel.exclude:
            continue
        groups[label] = groups.get(label, 0.0) + float(v)
    return total, groups


def _label(table_id: str) -> str:
    """Return the report's label of a table ("Table 59") for a table id."""
    cat = catalog().set_index("table_id")
    return str(cat.loc[table_id, "label"]) if table_id in cat.index else table_id


def _row(ind, dimension, group, sex, year, num, den, note=""):
    if num is None or den is None:
        value = np.nan
    elif den == 0:
        value = np.nan
        note = note or "denominator is zero"
    else:
        value = num / den * ind.multiplier
    return {
        "indicator": ind.id,
        "title": ind.title,
        "topic": ind.topic,
        "dimension": dimension,
        "group": group,
        "sex": sex,
        "year": year,
        "numerator": np.nan if num is None else num,
        "denominator": np.nan if den is None else den,
        "value": value,
        "unit": ind.unit,
        "note": note,
    }


def evaluate(ind: Indicator, year: int) -> list[dict]:
    """Evaluate one indicator declaration for one year (no change from the year before).

    Parameters
    ----------
    ind : Indicator
        A declaration (one of :data:`INDICATORS` or a new one).
    year : int
        The year.

    Returns
    -------
    list of dict
        One record per group and sex, with the columns of :func:`compute` except the
        change columns. A table without data for the year gives one total row whose
        value is NaN and whose note says "not available: …".

    Raises
    ------
    NSSFError
        When a table has data for the year but the selector matches no row (a
        declaration that no longer fits the data).
    """
    rows = []
    for sex in ind.sexes:
        num_total, num_groups = _sums(ind.numerator, year, sex, ind.by)
        den_total, den_groups = _sums(ind.denominator, year, sex, ind.by)
        missing = [
            s.table
            for s, v in ((ind.numerator, num_total), (ind.denominator, den_total))
            if v is None
        ]
        total_dim = "total" if ind.by else "sector"
        if missing:
            labels = [_label(t) for t in sorted(set(missing))]
            verb = "has" if len(labels) == 1 else "have"
            note = f"not available: {' and '.join(labels)} {verb} no {year} data"
            rows.append(_row(ind, total_dim, ind.group, sex, year, None, None, note))
            continue
        rows.append(_row(ind, total_dim, ind.group, sex, year, num_total, den_total))
        if ind.by:
            for g in list(dict.fromkeys([*den_groups, *num_groups])):
                num, den = num_groups.get(g), den_groups.get(g)
                note = ""
                if num is None and g not in ind.numerator.exclude:
                    note = f"no {ind.numerator.table} row"
                if den is None:
                    note = f"no {ind.denominator.table} row"
                rows.append(_row(ind, ind.by, g, sex, year, num, den, note))
    return rows


def _compute_year(year: int, ids) -> pd.DataFrame:
    rows = []
    for i in ids:
        rows += evaluate(get(i), year)
    return pd.DataFrame(rows)


def compute(year, ids=None) -> pd.DataFrame:
    """Compute the indicators for one report year, with the change from the year before.

    Parameters
    ----------
    year : int
        A year with data (see :func:`nssf_analysis.catalog.check_year`).
    ids : list of str, optional
        Indicator ids (default: all of :data:`INDICATORS`).

    Returns
    -------
    DataFrame
        One row per indicator, group and sex: ``indicator``, ``title``, ``topic``,
        ``dimension`` (sector / total / province / item), ``group``, ``sex``, ``year``,
        ``numerator``, ``denominator``, ``value``, ``unit``, ``previous`` (value of the
        year before), ``change_pct`` (relative change in percent, NaN when it is a
        label), ``difference`` (value − previous, in the unit: percentage points for
        shares), ``change_note`` ("" when the change is a number, else its status:
        "new (from 0)", "no change" or "not available") and ``note`` (why a value is
        missing). Values are not rounded.

    Raises
    ------
    YearNotAvailableError
        When ``year`` has no data at all.
    """
    year = check_year(year)
    ids = list(ids) if ids is not None else [i.id for i in INDICATORS]
    cur = _compute_year(year, ids)
    keys = ["indicator", "dimension", "group", "sex"]
    if year - 1 in available_years():
        prev = _compute_year(year - 1, ids)[[*keys, "value"]]
        prev = prev.rename(columns={"value": "previous"})
        cur = cur.merge(prev, on=keys, how="left")
    else:
        cur["previous"] = np.nan
    changes = [change(b, c) for b, c in zip(cur["previous"], cur["value"], strict=True)]
    cur["change_pct"] = [c if isinstance(c, float) else np.nan for c in changes]
    cur["change_note"] = [c if isinstance(c, str) else "" for c in changes]
    cur["difference"] = cur["value"] - cur["previous"]
    return cur[OUTPUT_COLUMNS].reset_index(drop=True)


def value(frame: pd.DataFrame, indicator_id: str, group=None, sex=None) -> float:
    """Return one value of a :func:`compute` result.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`compute`.
    indicator_id : str
        Indicator id.
    group : str, optional
        Group label (default: the indicator's total row).
    sex : str, optional
        Sex (default: the indicator's first sex).

    Returns
    -------
    float
        The value (NaN when not available).
    """
    ind = get(indicator_id)
    group = group or ind.group
    sex = sex or ind.sexes[0]
    row = frame[
        (frame["indicator"] == indicator_id) & (frame["group"] == group) & (frame["sex"] == sex)
    ]
    if len(row) != 1:
        raise NSSFError(f"{indicator_id}: no single row for group {group!r}, sex {sex!r}")
    return float(row["value"].iloc[0])


def input_years(indicator_id: str) -> list[int]:
    """Return the years in which both the numerator and the denominator table have data.

    Parameters
    ----------
    indicator_id : str
        Indicator id.

    Returns
    -------
    list of int
        Sorted years.
    """
    ind = get(indicator_id)
    return sorted(_table_years(ind.numerator.table) & _table_years(ind.denominator.table))


#: The sex a numerator or denominator counts, in words ("total": both sexes, unsaid).
_SEX_WORDS = {"female": "females only"}
#: The sexes an indicator is computed for, in words.
_COMPUTED_FOR = {"total": "both sexes together", "female": "females"}


def methodology_markdown() -> str:
    """Return the Markdown page that defines every indicator.

    Returns
    -------
    str
        A page with the general conventions (covered workers, Phnom Penh khans, births
        abroad, the unit of Table 31, how changes are labelled) and, per topic, every
        indicator's formula, numerator and denominator tables, reference group, unit,
        multiplier and caveats, in words: no identifier of the code or the data.
    """
    cat = catalog().set_index("table_id")
    titles = {i.id: i.title for i in INDICATORS}

    def in_words(text: str) -> str:
        """Name another indicator by its title, not its id."""
        return re.sub(
            r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b",
            lambda m: f"\u201c{titles[m.group(0)]}\u201d" if m.group(0) in titles else m.group(0),
            text,
        )

    def table(sel: Selector) -> str:
        label = cat.loc[sel.table, "label"] if sel.table in cat.index else "a table"
        title = cat.loc[sel.table, "title"] if sel.table in cat.index else ""
        sex = _SEX_WORDS.get(sel.sex or "", "") if "female" not in sel.text else ""
        return f"{label} (*{title}*): {sel.text}{f', {sex}' if sex else ''}"

    out = [
        "# Methodology: indicators",
        "",
        "Every indicator is computed the same way from the report's tables: value = "
        "numerator / denominator × multiplier, for each year both tables cover. Values are "
        "kept unrounded; they are rounded only for display.",
        "",
        "## Conventions",
        "",
        "- **Covered workers.** Rates of the private sector use the contribution-paid "
        "workers of the year (Table 5 for occupational risk, Table 37 for health care) "
        "as the population at risk: only workers whose contributions were paid are "
        "insured, and these are the workers whose injuries NSSF investigates. The year-end "
        "register (Table 2) is used in a sensitivity variant and wherever the report gives "
        "no other count (the province annex). The public sector uses contribution-paid "
        "members (Table 22 and Table 47).",
        "- **Phnom Penh khans.** Annex 6.1.4 lists the khan branches "
        f"({', '.join(KHANS)}) apart from Phnom Penh, but Annex 6.1.1 has one worker count "
        "for Phnom Penh and the other 24 provinces add up to the provincial-branch total "
        "of Table 2. The khans' reports are therefore added to Phnom Penh, which keeps the "
        "annex totals equal to Table 9 (reports) and Table 2 (workers).",
        "- **Births abroad** (Annex 6.5.2) count in the national figure only.",
        units.methodology_markdown(),
        "- **Change** is the relative change from the previous year, in percent; for "
        "shares the difference in percentage points is shown too. A change from zero is "
        f"labelled \u201c{NEW}\u201d, no change between two zeros \u201c{NO_CHANGE}\u201d, "
        f"and a change that cannot be computed (the previous year has no data) "
        f"\u201c{NOT_AVAILABLE}\u201d; never infinity, never 100 %.",
        "- **Not available.** When a table has no data for the year, the indicator's value "
        "is empty and its note names the table; no number is made up.",
        "",
    ]
    for topic, heading in TOPICS.items():
        inds = [i for i in INDICATORS if i.topic == topic]
        if not inds:
            continue
        out += [f"## {heading}", ""]
        for i in inds:
            by = f" One row per {i.by}, plus the national total ({i.group})." if i.by else ""
            sexes = " and ".join(_COMPUTED_FOR.get(x, x) for x in i.sexes)
            out += [
                f"### {i.title}",
                "",
                f"- **Formula:** {i.formula}",
                f"- **Numerator:** {table(i.numerator)}",
                f"- **Denominator:** {table(i.denominator)}",
                f"- **Reference group:** {i.reference_group}.{by}",
                f"- **Unit:** {i.unit} (multiplier {i.multiplier:,g}); computed for: {sexes}",
            ]
            if i.notes:
                out.append(f"- **Caveats:** {in_words(i.notes)}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"
