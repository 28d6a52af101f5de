"""Tables and prose of the indicators; the analysis API it shows is re-exported here.

The indicators are declared and computed in the analysis layer
(:mod:`nssf_analysis.analysis.indicators`); this module shows a :func:`compute` result:
:func:`display_table` and :func:`province_table` (Stylers), :func:`describe` and
:func:`describe_provinces` (Markdown prose), with numbers formatted by :func:`fmt` and
changes by :func:`nssf_analysis.render.tables.format_change`. The former flat name
``nssf_analysis.indicators`` is this module, so ``indicators.compute(year)`` and
``indicators.display_table(frame)`` both work.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nssf_analysis.analysis.changes import OK
from nssf_analysis.analysis.changes import missing as _missing
from nssf_analysis.analysis.indicators import *  # noqa: F403 - the API this view shows
from nssf_analysis.analysis.indicators import NOT_AVAILABLE, get, input_years
from nssf_analysis.analysis.indicators import __all__ as _analysis_all
from nssf_analysis.data.catalog import available_years
from nssf_analysis.render import tables

__all__ = [
    *_analysis_all,
    "PROVINCE_COLUMNS",
    "describe",
    "describe_provinces",
    "display_table",
    "fmt",
    "format_change",
    "province_table",
]


def fmt(x, unit: str = "", decimals: int = 2) -> str:
    """Format a number for display and prose (rounding happens here only).

    Parameters
    ----------
    x : float
        The number (NaN gives "not available").
    unit : str
        ``"percent"`` adds "%"; ``"count"`` shows whole numbers without decimals;
        anything else shows ``decimals`` decimals.
    decimals : int
        Decimals of non-count numbers.

    Returns
    -------
    str
        E.g. ``"1,061.63"``, ``"94.99%"``, ``"14,742"``.
    """
    if _missing(x):
        return NOT_AVAILABLE
    x = float(x)
    if unit == "percent":
        return f"{x:,.{decimals}f}%"
    if unit == "count":
        return f"{x:,.0f}" if x == int(x) else f"{x:,.2f}"
    return f"{x:,.{decimals}f}"


def format_change(change_pct, change_note, unit: str = "", difference=np.nan) -> str:
    """Format the change columns of a :func:`compute` row for display.

    Parameters
    ----------
    change_pct : float
        Relative change in percent (NaN when it is a status).
    change_note : str
        The status when there is no number (:mod:`nssf_analysis.analysis.changes`).
    unit : str
        Unit of the indicator; for "percent" the difference in points is added.
    difference : float
        Difference in the indicator's unit.

    Returns
    -------
    str
        "+16.4%", "+1.20% (+0.84 pts)", "new (from 0)", "no change" or "not available"
        (:func:`nssf_analysis.render.tables.format_change`, one decimal).
    """
    points = difference if unit == "percent" else None
    return tables.format_change(change_pct, change_note or OK, decimals=1, points=points)


def display_table(frame: pd.DataFrame, topic: str | None = None):
    """Return a display table of :func:`compute` results: rounded text, one topic.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`compute`.
    topic : str, optional
        Key of :data:`TOPICS` to keep.

    Returns
    -------
    pandas.io.formats.style.Styler
        Of a frame (``.data``) with columns Indicator, Group, Sex, Numerator,
        Denominator, Value, Unit, Previous, Change, Note — formatted strings for display
        only; no index, text left and numbers right.
    """
    df = frame if topic is None else frame[frame["topic"] == topic]
    out = pd.DataFrame(
        {
            "Indicator": df["title"],
            "Group": df["group"],
            "Sex": df["sex"],
            "Numerator": [fmt(v, "count") for v in df["numerator"]],
            "Denominator": [fmt(v, "count") for v in df["denominator"]],
            "Value": [fmt(v, u) for v, u in zip(df["value"], df["unit"], strict=True)],
            "Unit": df["unit"],
            "Previous": [fmt(v, u) for v, u in zip(df["previous"], df["unit"], strict=True)],
            "Change": [
                format_change(c, n, u, d)
                for c, n, u, d in zip(
                    df["change_pct"], df["change_note"], df["unit"], df["difference"], strict=True
                )
            ],
            "Note": df["note"],
        }
    )
    return tables.plain_table(out.reset_index(drop=True), f"indicators-{topic or 'all'}")


def describe(frame: pd.DataFrame, topic: str) -> str:
    """Return Markdown prose describing one topic of :func:`compute` results.

    Every number in the text comes from ``frame``; nothing is typed by hand.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`compute`.
    topic : str
        Key of :data:`TOPICS`.

    Returns
    -------
    str
        Markdown: one bullet per indicator (its total row, total sex first), with the
        numerator, denominator and the change from the previous year.
    """
    df = frame[(frame["topic"] == topic) & frame["dimension"].isin(["sector", "total"])]
    if df.empty:
        return f"No indicator of topic {topic!r}."
    year = int(df["year"].iloc[0])
    no_base = year - 1 not in available_years()
    lines = []
    for _, r in df.iterrows():
        both = len(get(r["indicator"]).sexes) > 1
        who = " (females)" if both and r["sex"] == "female" else ""
        if _missing(r["value"]):
            reason = str(r["note"] or NOT_AVAILABLE)
            lines.append(f"- **{r['title']}**{who}: {reason}.")
            continue
        ch = format_change(r["change_pct"], r["change_note"], r["unit"], r["difference"])
        if no_base:
            prev = ""
        elif not _missing(r["previous"]):
            prev = f"; {year - 1}: {fmt(r['previous'], r['unit'])}, change {ch}"
        elif ch == NOT_AVAILABLE:
            prev = f"; no {year - 1} value to compare"
        else:
            prev = f"; change {ch}"
        unit = "" if r["unit"] == "percent" else f" {r['unit']}"
        lines.append(
            f"- **{r['title']}**{who}: {fmt(r['value'], r['unit'])}{unit} "
            f"({fmt(r['numerator'], 'count')} / {fmt(r['denominator'], 'count')}){prev}."
        )
    head = f"In {year}:"
    if no_base:
        head = (
            f"In {year} (there is no {year - 1} data, so no change from the previous year "
            f"can be computed):"
        )
    return head + "\n\n" + "\n".join(lines)


#: Columns of :func:`province_table`: (indicator, sex, column title).
PROVINCE_COLUMNS = (
    ("or_reports_per_1000_province", "total", "Reports per 1,000 workers"),
    ("or_reports_per_1000_province", "female", "Reports per 1,000 female workers"),
    ("female_share_reports_province", "female", "Female share of reports (%)"),
    (
        "childbirth_mothers_per_1000_females_province",
        "female",
        "Childbirth-allowance mothers per 1,000 female members",
    ),
)


def province_table(frame: pd.DataFrame):
    """Return a display table of the province indicators: one row per province.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`compute`.

    Returns
    -------
    pandas.io.formats.style.Styler
        Of a frame (``.data``) with Province, reports, registered workers, and one
        column per entry of :data:`PROVINCE_COLUMNS` (formatted text; the national row
        first). When the province tables have no data for the year, one row that says so.
    """
    rep = frame[(frame["indicator"] == "or_reports_per_1000_province") & (frame["sex"] == "total")]
    if rep.empty or rep["value"].isna().all():
        note = rep["note"].iloc[0] if not rep.empty else "not computed"
        return tables.plain_table(
            pd.DataFrame({"Province": ["Cambodia"], "Note": [note]}), "indicators-provinces"
        )
    out = pd.DataFrame(
        {
            "Province": rep["group"].to_numpy(),
            "Reports": [fmt(v, "count") for v in rep["numerator"]],
            "Registered workers": [fmt(v, "count") for v in rep["denominator"]],
        }
    )
    for iid, sex, title in PROVINCE_COLUMNS:
        d = frame[(frame["indicator"] == iid) & (frame["sex"] == sex)]
        values = dict(zip(d["group"], d["value"], strict=True))
        out[title] = [fmt(values.get(g, np.nan)) for g in out["Province"]]
    return tables.plain_table(out, "indicators-provinces")


def describe_provinces(frame: pd.DataFrame, indicator_id: str, n: int = 3) -> str:
    """Return Markdown prose on the highest and lowest provinces of one indicator.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`compute`.
    indicator_id : str
        A by-province indicator.
    n : int
        How many provinces to name at each end.

    Returns
    -------
    str
        Markdown naming the national value and the ``n`` highest and lowest provinces,
        or saying that the province data are not available for the year.
    """
    ind = get(indicator_id)
    df = frame[(frame["indicator"] == indicator_id) & (frame["sex"] == ind.sexes[0])]
    if df.empty:
        return f"{ind.title}: not computed."
    year = int(df["year"].iloc[0])
    total = df[df["dimension"] == "total"].iloc[0]
    if _missing(total["value"]):
        reason = str(total["note"]).removeprefix("not available: ")
        return (
            f"**{ind.title}** cannot be computed for {year}: {reason} "
            f"(the province annex tables exist for {', '.join(map(str, input_years(ind.id)))} "
            f"only)."
        )
    prov = df[(df["dimension"] == ind.by) & df["value"].notna()].sort_values(
        "value", ascending=False
    )

    def names(d):
        return ", ".join(f"{g} ({fmt(v)})" for g, v in zip(d["group"], d["value"], strict=True))

    return (
        f"**{ind.title}**, {year}: {fmt(total['value'])} {ind.unit} nationally "
        f"({fmt(total['numerator'], 'count')} / {fmt(total['denominator'], 'count')}), over "
        f"{len(prov)} "
        f"provinces. Highest: {names(prov.head(n))}. Lowest: {names(prov.tail(n)[::-1])}."
    )
