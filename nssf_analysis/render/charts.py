"""The report's graphics: what each one depicts, its title, text alternative and data.

Each of Graphic 1 … 9 is drawn by its chapter from the table it depicts
(:data:`GRAPHICS`); :func:`graphic_data` returns the long frame behind it (the graphic's
download), :func:`title` its caption and :func:`alt_text` the text alternative of its
image. Graphics 10 and 11 are printed in the report without their data
(:data:`NOT_PRINTED`).
"""

from __future__ import annotations

import pandas as pd

from nssf_analysis.analysis.values import values
from nssf_analysis.data.catalog import catalog, load_graphics
from nssf_analysis.render.tables import label

__all__ = [
    "GRAPHICS",
    "NOT_PRINTED",
    "SCHEME_WORDS",
    "SECTOR_WORDS",
    "TOP_BUSINESSES",
    "alt_text",
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
