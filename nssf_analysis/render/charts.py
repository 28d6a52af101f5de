"""The report's graphics, redrawn from the data they depict.

Each of Graphic 1 … 9 is drawn from the table it depicts (:data:`GRAPHICS`);
:func:`graphic_data` returns the long frame that is plotted and
:func:`graphic` the :class:`matplotlib.figure.Figure`. Graphics 10 and 11 are
printed in the report without their data (:data:`NOT_PRINTED`).

One house style (:func:`nssf_analysis.style.setup`): the colour-blind-safe
palette, one title per graphic (its caption, :func:`title`), axis labels with units,
thousands separators; a total/female pair is always drawn in
:data:`~nssf_analysis.style.TOTAL_COLOR` / :data:`~nssf_analysis.style.FEMALE_COLOR`.
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nssf_analysis.data.catalog import catalog, load_graphics
from nssf_analysis.render import style
from nssf_analysis.render.tables import label, values

__all__ = [
    "GRAPHICS",
    "NOT_PRINTED",
    "PAIR_COLORS",
    "SCHEME_WORDS",
    "SECTOR_WORDS",
    "SERIES_COLORS",
    "TOP_BUSINESSES",
    "alt_text",
    "graphic",
    "graphic_data",
    "graphic_info",
    "has_data",
    "selection",
    "title",
]

#: Graphic number → (table it depicts, kind of chart).
GRAPHICS = {
    1: ("a6_1_3", "places"),
    2: ("a6_1_1_business", "places"),
    3: ("t05", "contribution"),
    4: ("t10", "breakdown"),
    5: ("t11", "breakdown"),
    6: ("t24", "breakdown"),
    7: ("t25", "breakdown"),
    8: ("t37", "contribution"),
    9: ("t61", "childbirth"),
}
#: Graphics whose data the report does not print: the table and facts that say most.
NOT_PRINTED = {10: ("t63", "e51_"), 11: ("t64", "e52_")}
#: How many business types Graphic 2 shows (the largest by workers).
TOP_BUSINESSES = 15
#: Colours of series that are not a total/female pair.
SERIES_COLORS = {
    "Contributory enterprises": style.PALETTE[2],
    "Contribution-paid enterprises": style.PALETTE[4],
    "Enterprises": style.PALETTE[2],
    "Mothers": style.PALETTE[3],
    "Newborns": style.PALETTE[2],
}
PAIR_COLORS = {"Total": style.TOTAL_COLOR, "Females": style.FEMALE_COLOR}
#: The words for a catalog's scheme and sector in a graphic's title.
SCHEME_WORDS = {
    "occupational_risk": "occupational risk scheme",
    "health_care": "health care scheme",
    "pension": "pension scheme",
    "childbirth_allowance": "childbirth allowances",
}
SECTOR_WORDS = {"private": "private sector", "public": "public sector"}


def graphic_info(number: int) -> dict:
    """Return a graphic's label, title, section and source as the report prints them.

    Parameters
    ----------
    number : int
        1 … 11.
    """
    g = load_graphics()
    row = g[g["label"] == f"Graphic {number}"]
    if row.empty:
        raise KeyError(f"no Graphic {number} in the report (see data/graphics.csv)")
    return row.iloc[0].to_dict()


def title(number: int) -> str:
    """Return a graphic's title with the scheme and sector it depicts.

    The report's title, followed by the scheme and sector of the table the graphic is
    drawn from, so that graphics the report titles alike (4 and 6, 5 and 7, 3 and 8)
    say which figures they show: "Graphic 6: Occupational Risk Investigation Results by
    Types of Injuries — occupational risk scheme, public sector".

    Parameters
    ----------
    number : int
        1 … 11.
    """
    info = graphic_info(number)
    text = f"{info['label']}: {info['title']}"
    if number not in GRAPHICS:
        return text
    row = catalog().set_index("table_id").loc[GRAPHICS[number][0]]
    words = [SCHEME_WORDS.get(row["scheme"], ""), SECTOR_WORDS.get(row["sector"], "")]
    words = [w for w in words if w]
    return f"{text} \u2014 {', '.join(words)}" if words else text


def selection(number: int, year: int) -> str:
    """Say which part of its table a graphic shows when it shows a subset, else "".

    Parameters
    ----------
    number : int
        1 … 9.
    year : int
        The year shown.
    """
    if number != 2:
        return ""
    df = values(GRAPHICS[2][0], year)
    df = df[(df["year"] == year) & (df["business"] != "Total") & (df["role"] == "value")]
    n = df["business"].nunique()
    label = catalog().set_index("table_id").loc[GRAPHICS[2][0], "label"]
    return (
        f"The {min(TOP_BUSINESSES, n)} business types with the most workers, of the {n} "
        f"that {label} lists (the table gives all of them)."
    )


def _years(df: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in df["year"].unique())


def _places(table_id: str, year: int) -> pd.DataFrame:
    """Return new (or registered) enterprises and workers per place, largest first."""
    df = values(table_id, year)
    df = df[df["year"] == year]
    place = "province" if "province" in df.columns else "business"
    df = df[(df[place] != "Total") & (df["role"] == "value")]
    ent = df[df["measure"].str.endswith("enterprises")]
    wrk = df[df["measure"].str.endswith("workers")]
    order = wrk[wrk["sex"] == "total"].groupby(place, sort=False)["value"].sum().sort_values().index
    if table_id == "a6_1_1_business":
        order = order[-TOP_BUSINESSES:]
    rows = []
    for _, r in ent.iterrows():
        rows.append(("Enterprises", r[place], "Enterprises", r["value"], r["unit"]))
    for _, r in wrk.iterrows():
        rows.append(("Workers", r[place], label("sex", r["sex"]), r["value"], r["unit"]))
    out = pd.DataFrame(rows, columns=["panel", "category", "series", "value", "unit"])
    out = out[out["category"].isin(order)]
    out["category"] = pd.Categorical(out["category"], categories=list(order), ordered=True)
    out = out.sort_values(["panel", "category"], kind="stable").reset_index(drop=True)
    out["category"] = out["category"].astype(str)
    out.insert(0, "year", year)
    return out


def _contribution(table_id: str, year: int) -> pd.DataFrame:
    df = values(table_id, year)
    rows = []
    for y in _years(df):
        d = df[df["year"] == y]
        for m, name in (
            ("contributory_enterprises", "Contributory enterprises"),
            ("contribution_paid_enterprises", "Contribution-paid enterprises"),
        ):
            v = d[d["measure"] == m]["value"]
            if not v.empty:
                rows.append((y, "Enterprises", str(y), name, float(v.iloc[0]), "enterprises"))
        w = d[d["measure"].isin(["contribution_paid_workers", "contribution_paid_members"])]
        for _, r in w.iterrows():
            rows.append((y, "Workers", str(y), label("sex", r["sex"]), r["value"], "persons"))
    return pd.DataFrame(rows, columns=["year", "panel", "category", "series", "value", "unit"])


def _breakdown(table_id: str, year: int) -> pd.DataFrame:
    df = values(table_id, year)
    dim = "injury_type" if "injury_type" in df.columns else "degree"
    df = df[(df["role"] == "value") & (df[dim] != "all")]
    rows = []
    for r in df.to_dict("records"):
        rows.append(
            (
                r["year"],
                str(r["year"]),
                label(dim, r[dim]),
                label("sex", r["sex"]),
                r["value"],
                r["unit"],
            )
        )
    return pd.DataFrame(rows, columns=["year", "panel", "category", "series", "value", "unit"])


def _childbirth(table_id: str, year: int) -> pd.DataFrame:
    df = values(table_id, year)
    df = df[df["worker_group"].isin(["formal", "informal"])]
    df = df[df["measure"].isin(["mothers", "newborns"])]
    rows = []
    for r in df.to_dict("records"):
        rows.append(
            (
                r["year"],
                f"{label('worker_group', r['worker_group'])} female workers",
                str(r["year"]),
                "Mothers" if r["measure"] == "mothers" else "Newborns",
                r["value"],
                r["unit"],
            )
        )
    return pd.DataFrame(rows, columns=["year", "panel", "category", "series", "value", "unit"])


_DATA = {
    "places": _places,
    "contribution": _contribution,
    "breakdown": _breakdown,
    "childbirth": _childbirth,
}


def graphic_data(number: int, year: int) -> pd.DataFrame:
    """Return the data a graphic plots for ``year`` (and the year before, where it compares).

    Parameters
    ----------
    number : int
        1 … 9 (Graphics 10 and 11 have no printed data, see :data:`NOT_PRINTED`).
    year : int
        The year shown.

    Returns
    -------
    DataFrame
        Columns ``year``, ``panel`` (one subplot each), ``category`` (x axis),
        ``series`` (bars), ``value`` and ``unit``; empty when the table has no data
        for ``year``.
    """
    if number not in GRAPHICS:
        raise KeyError(f"Graphic {number}: the report does not print the data it depicts")
    table_id, kind = GRAPHICS[number]
    return _DATA[kind](table_id, year)


def has_data(number: int, year: int) -> bool:
    """Whether a graphic can be drawn for ``year`` (its table has data for that year)."""
    if number not in GRAPHICS:
        return False
    return bool(len(graphic_data(number, year))) and year in set(graphic_data(number, year)["year"])


def _color(series: str, i: int) -> str:
    if series in PAIR_COLORS:
        return PAIR_COLORS[series]
    return SERIES_COLORS.get(series, style.PALETTE[(i + 2) % len(style.PALETTE)])


def _unit_label(unit: str) -> str:
    return unit[:1].upper() + unit[1:] if unit else ""


def _short(text: str, width: int = 26) -> str:
    """Wrap a long category name on two lines, shortened with "…" beyond that."""
    lines = textwrap.wrap(text, width)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1] + "\u2026"]
    return "\n".join(lines)


def _bars(ax, data: pd.DataFrame, horizontal: bool, labels: bool, width_in: float = 6.0) -> None:
    cats = list(dict.fromkeys(data["category"]))
    series = list(dict.fromkeys(data["series"]))
    n = len(series)
    width = 0.8 / n
    pos = {c: i for i, c in enumerate(cats)}
    wide = False
    for j, s in enumerate(series):
        d = data[data["series"] == s]
        # horizontal bars: the first series on top within its category
        k = n - 1 - j if horizontal else j
        x = [pos[c] - 0.4 + width * (k + 0.5) for c in d["category"]]
        if horizontal:
            bars = ax.barh(x, d["value"], height=width, color=_color(s, j), label=s)
        else:
            bars = ax.bar(x, d["value"], width=width, color=_color(s, j), label=s)
        if labels:
            texts = [f"{v:,.0f}" for v in data["value"]]
            # a label wider than its bar (a character is about 0.6 em) stands upright
            wide = max(map(len, texts)) * 0.6 * style.MIN_FONT / 72 > 0.7 * width_in / (
                n * len(cats)
            )
            ax.bar_label(
                bars,
                labels=[f"{v:,.0f}" for v in d["value"]],
                fontsize=style.MIN_FONT,
                padding=2,
                rotation=90 if wide else 0,
            )
    ticks = list(range(len(cats)))
    unit = _unit_label(data["unit"].iloc[0])
    if horizontal:
        ax.set_yticks(ticks, [_short(c) for c in cats], fontsize=style.MIN_FONT)
        ax.set_xlabel(unit)
        ax.grid(axis="x", alpha=0.3)
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        style.thousands(ax, "x")
        ax.legend(fontsize=style.MIN_FONT, loc="lower right")
    else:
        ax.set_xticks(ticks, [textwrap.fill(c, 12) for c in cats], fontsize=style.MIN_FONT)
        ax.set_ylabel(unit)
        style.thousands(ax, "y")
        ax.margins(y=0.4 if wide else 0.15)
        cols = n if sum(len(s) for s in series) * 0.6 * style.MIN_FONT / 72 < width_in else 1
        ax.legend(
            fontsize=style.MIN_FONT, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=cols
        )


def alt_text(number: int, year: int) -> str:
    """Return the text alternative of a graphic's image: what it shows and where the numbers are.

    Parameters
    ----------
    number : int
        1 … 9.
    year : int
        The year shown.

    Returns
    -------
    str
        E.g. "Graphic 4: Occupational Risk Investigation Results by Types of Injuries.
        Bar chart of 2021 and 2022 from Table 10, which gives its numbers."
    """
    years = " and ".join(str(y) for y in _years(graphic_data(number, year)))
    table_id = GRAPHICS[number][0]
    source = catalog().set_index("table_id").loc[table_id, "label"]
    return f"{title(number)}. Bar chart of {years} from {source}, which gives its numbers."


def graphic(number: int, year: int) -> Figure:
    """Draw a graphic of the report from the data it depicts.

    Parameters
    ----------
    number : int
        1 … 9.
    year : int
        The year shown (with the year before where the graphic compares years).

    Returns
    -------
    Figure
        One panel per part of the data, without a title of its own: the book prints
        :func:`title` as the graphic's caption above it.

    Raises
    ------
    KeyError
        For Graphics 10 and 11 (no printed data) and unknown numbers.
    ValueError
        When the graphic's table has no data for ``year``.
    """
    data = graphic_data(number, year)
    if not has_data(number, year):
        raise ValueError(f"Graphic {number}: no data for {year}")
    style.setup()
    kind = GRAPHICS[number][1]
    horizontal = kind == "places"
    panels = list(dict.fromkeys(data["panel"]))
    n_cat = data["category"].nunique()
    long_names = data["category"].str.len().max() > 20
    # panels side by side while they fit the width, else one under the other
    stacked = (horizontal and long_names) or kind == "breakdown"
    if horizontal:
        rows = n_cat * (len(panels) if stacked else 1)
        size = (style.FIGSIZE[0], 1.0 + (0.42 if long_names else 0.26) * rows)
    else:
        size = (style.FIGSIZE[0], style.FIGSIZE[1] * (0.8 * len(panels) if stacked else 1))
    grid = {"nrows": len(panels), "ncols": 1} if stacked else {"nrows": 1, "ncols": len(panels)}
    fig = Figure(figsize=size, dpi=style.DPI, layout="constrained")
    share = kind == "breakdown" or (horizontal and not stacked)
    axes = fig.subplots(**grid, sharey=share, squeeze=False).ravel()
    for ax, panel in zip(axes, panels, strict=True):
        d = data[data["panel"] == panel]
        width_in = 0.8 * size[0] / (1 if stacked else len(panels))
        _bars(ax, d, horizontal, labels=not horizontal, width_in=width_in)
        ax.set_title(panel, fontsize=style.MIN_FONT + 1)
        if horizontal and not stacked and ax is not axes[0]:
            ax.tick_params(axis="y", labelleft=False)
    if not horizontal and not data["value"].abs().max():  # only zeros: an axis from 0 to 1
        for ax in axes:
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_locator(MaxNLocator(1, integer=True))
    # the title is the caption above the image (one title per figure)
    fig.set_label(alt_text(number, year))  # the image's text alternative in the book
    return fig
