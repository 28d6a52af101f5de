"""Values of a report table: printed totals first, recomputed sums and changes beside.

- :func:`layout` says which dimensions of a table are rows and which are columns,
  from its spec (:mod:`nssf_analysis.data.specs`).
- :func:`values` and :func:`lookup` give the tidy values of a table with its totals:
  the total the report prints wherever it prints one, otherwise the sum of the parts
  (column ``recomputed`` keeps the sum of the parts for every total).
- :func:`printed_cell` looks up one figure as the report prints it (a table cell, a
  printed total, the printed change on the year before); only where the report prints
  no such figure does it fall back to :func:`lookup_cell` (the tidy value, or the total
  recomputed from the parts). Both select cells by :func:`select_cells`.
- :func:`format_value` writes a value with its unit as the report prints it.
- :func:`changes` gives the change of every value on the year before, recomputed
  (``change``, ``reading``) and as printed (``printed``); the readings are the
  statuses of :mod:`nssf_analysis.analysis.changes` (a missing base year reads
  "not available", a zero base "new (from 0)" and two zeros "no change").

Cells are selected through :mod:`nssf_analysis.analysis.select`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from nssf_analysis.analysis import select
from nssf_analysis.analysis.changes import NOT_AVAILABLE as NOT_AVAILABLE
from nssf_analysis.analysis.changes import change_percent as change_percent
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.data import tidy, units
from nssf_analysis.data.cache import data_cache
from nssf_analysis.data.catalog import available_years, load_checks, load_table
from nssf_analysis.data.specs import TIDY, tidy_spec

__all__ = [
    "Cell",
    "Layout",
    "NOT_DIMS",
    "PRINTED",
    "ROW_ALIASES",
    "TOTALS_COLUMNS",
    "cells_as_printed",
    "changes",
    "format_value",
    "layout",
    "load_totals",
    "lookup",
    "lookup_cell",
    "printed_cell",
    "report_year",
    "select_cells",
    "table_years",
    "values",
]

#: Columns of a tidy table that are not dimensions.
NOT_DIMS = {"year", "period", "period_start", "value", "line", "column", "unit", "role"}
#: Row dimensions printed as labels (kept verbatim).
PRINTED = ("no", "item", "province", "business_code", "business")
#: Spec row names whose labels resolve to other dimensions.
ROW_ALIASES = {"activity": ("measure",)}
#: The columns every frame of :func:`load_totals` has beside the table's own dimensions,
#: with their types (``value`` is int where every number a table prints is whole); the
#: empty frame of a table the edition does not print has these only.
TOTALS_COLUMNS = {
    "sex": "str",
    "year": "int64",
    "measure": "str",
    "unit": "str",
    "value": "float64",
    "period": "str",
    "role": "str",
    "recomputed": "float64",
    "printed_change": "float64",
}

# --------------------------------------------------------------------------------------
# Layout: which dimensions are rows and which are columns
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How a table is laid out, derived from its tidy spec.

    Attributes
    ----------
    table_id : str
        The table.
    family : str
        Layout family of the spec (``office_breakdown``, ``items_by_year`` …).
    row_dims, col_dims : tuple of str
        Dimensions printed as row labels and as column headers.
    years_in_rows : bool
        Years are rows (with a change row) rather than column groups.
    compare : bool
        The table compares two years (it has a change column or row).
    totals : tuple
        ``(dim, total_value, parts)`` for every total the spec declares; parts
        is ``None`` when every other value of the dimension is a part.
    non_additive : tuple of str
        Measures that are never summed (an allowance per child, percentages).
    """

    table_id: str
    family: str
    row_dims: tuple[str, ...]
    col_dims: tuple[str, ...]
    years_in_rows: bool
    compare: bool
    totals: tuple
    non_additive: tuple[str, ...]


def _dims(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in NOT_DIMS]


@data_cache
def layout(table_id: str) -> Layout:
    """Return the layout of a numbered or annex table.

    Parameters
    ----------
    table_id : str
        E.g. ``"t10"``.

    Returns
    -------
    Layout
    """
    spec = tidy_spec(table_id)
    df = _tidy(table_id)
    present = _dims(df)
    rows: list[str] = []
    if spec.get("block_dim") in present:
        rows.append(spec["block_dim"])
    for name in spec.get("rows", []):
        if name == "year":
            continue
        if name == "unit" or name in present:
            rows.append(name)
        for alias in ROW_ALIASES.get(name, ()):
            if alias in present and alias not in rows:
                rows.append(alias)
    levels = [d for d in spec.get("levels", []) if d in present and d not in rows]
    others = [d for d in present if d not in rows and d not in levels and d != "sex"]
    cols = [d for d in dict.fromkeys(levels + others) if d != "sex"] + ["sex"]
    totals = []
    for dim, t in spec.get("totals", {}).items():
        total, parts = t if isinstance(t, tuple) else (t, None)
        totals.append((dim, total, tuple(parts) if parts else None))
    return Layout(
        table_id=table_id,
        family=spec["family"],
        row_dims=tuple(rows),
        col_dims=tuple(c for c in cols if c in present),
        years_in_rows="year" in spec.get("rows", []),
        compare=spec.get("year") != "report",
        totals=tuple(totals),
        non_additive=tuple(spec.get("non_additive", [])),
    )


# --------------------------------------------------------------------------------------
# Data: tidy values, recomputed totals, recomputed changes
# --------------------------------------------------------------------------------------


@data_cache
def _tidy(table_id: str) -> pd.DataFrame:
    df = load_table(table_id)
    for c in _dims(df):
        df[c] = df[c].astype(str)
    if "period" not in df.columns:
        df["period"] = ""
    df["period"] = df["period"].astype(str)
    df["role"] = "value"
    return df.drop(columns=[c for c in ("period_start",) if c in df.columns])


@data_cache
def _checks(table_id: str) -> pd.DataFrame:
    ch = load_checks()
    ch = ch[ch["table_id"] == table_id].copy()
    ch["loc"] = [select.location(x) for x in ch["location"]]
    return ch.reset_index(drop=True)


def _printed_totals(table_id: str, dim: str) -> list[dict]:
    """Return the dimension patterns of the totals of ``dim`` the report printed."""
    ch = _checks(table_id)
    out = []
    for loc in ch.loc[ch["check"] == f"sum:{dim}", "loc"]:
        p = {k: v for k, v in loc.items() if k not in ("year", "period", "period_start")}
        if p not in out:
            out.append(p)
    return out


def _keep_printed(sums: pd.DataFrame, patterns: list[dict]) -> pd.DataFrame:
    if not patterns or sums.empty:
        return sums
    keep = [any(select.matches(r, p) for p in patterns) for r in sums.to_dict("records")]
    return sums[keep]


def _additive(df: pd.DataFrame, lay: Layout) -> pd.Series:
    return (df["unit"] != "percent") & ~df["measure"].isin(lay.non_additive)


def _sum_over(df: pd.DataFrame, dim: str, total: str, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    keys = [c for c in df.columns if c not in ("value", "line", "column", "role", dim, *drop)]
    sums = df.groupby(keys, sort=False, dropna=False)["value"].sum().reset_index()
    sums[dim] = total
    for d in drop:
        sums[d] = ""
    return sums


@data_cache
def _full(table_id: str) -> pd.DataFrame:
    """Tidy values of every year plus the recomputed totals the report printed."""
    lay = layout(table_id)
    df = _tidy(table_id).drop(columns=["line", "column"])
    for dim, total, parts in lay.totals:
        if dim not in df.columns:
            continue
        base = df[_additive(df, lay) & (df[dim] != total) & (df[dim] != "")]
        if parts is not None:
            base = base[base[dim].isin(parts)]
        drop = tuple(d for d in PRINTED if d in df.columns and d != dim) if dim in PRINTED else ()
        sums = _keep_printed(_sum_over(base, dim, total, drop), _printed_totals(table_id, dim))
        sums["role"] = "total"
        df = pd.concat([df, sums], ignore_index=True)
    if "no" in df.columns and "item" in df.columns:
        leaves = df[df["item"] != "Total"]
        subs = []
        firsts: dict[str, dict] = {}  # one subtotal per item, whatever cells it prints
        for p in _printed_totals(table_id, "subitems"):
            firsts.setdefault(p.get("no", ""), p)
        for code, p in firsts.items():
            kids = leaves[leaves["no"].str.startswith(code) & (leaves["no"] != code)]
            kids = kids[_additive(kids, layout(table_id))]
            if kids.empty:
                continue
            s = _sum_over(kids, "item", p.get("item", ""), drop=("no",))
            s["no"] = code
            s["role"] = "subtotal"
            subs.append(s)
        if _printed_totals(table_id, "item"):
            base = leaves[_additive(leaves, lay) & (leaves["item"] != "")]
            s = _keep_printed(
                _sum_over(base, "item", "Total", drop=("no",)), _printed_totals(table_id, "item")
            )
            s["role"] = "total"
            subs.append(s)
        if subs:
            df = pd.concat([df, *subs], ignore_index=True)
    return _printed_first(table_id, df.reset_index(drop=True))


def _printed_number(text: str) -> float | None:
    try:
        return float(str(text).replace(",", "").replace(" ", "").rstrip("%"))
    except ValueError:
        return None


def _printed_first(table_id: str, df: pd.DataFrame) -> pd.DataFrame:
    """Replace recomputed totals by the totals the report prints, keeping both.

    ``recomputed`` holds the sum of the parts for every total and subtotal; ``value``
    is the printed total wherever the report prints one (a sum check names it).
    """
    df = df.copy()
    df["recomputed"] = df["value"].where(df["role"] != "value")
    derived = df.index[df["role"] != "value"]
    # the rows a printed total may replace, read once: the loop changes ``value`` only,
    # which no check's location names (a location is dimensions and the year)
    rows = df.loc[derived].drop(columns=["value"]).to_dict("records")
    ch = _checks(table_id)
    for c in ch[ch["check"].str.startswith("sum:")].to_dict("records"):
        printed = _printed_number(c["printed"])
        if printed is None:
            continue
        loc = {k: v for k, v in c["loc"].items() if k not in ("period", "period_start")}
        hit = [i for i, r in zip(derived, rows, strict=True) if select.matches(r, loc)]
        df.loc[hit, "value"] = printed
    return df


def table_years(table_id: str) -> list[int]:
    """Return the years a table has data for."""
    return sorted(int(y) for y in _tidy(table_id)["year"].unique())


def values(table_id: str, year: int) -> pd.DataFrame:
    """Return the values shown for ``year``: that year and the year before, with totals.

    Parameters
    ----------
    table_id : str
        A numbered or annex table.
    year : int
        The year of interest.

    Returns
    -------
    DataFrame
        The tidy columns (dimensions as strings, ``year``, ``measure``, ``unit``,
        ``value``) and ``role``: ``value`` (as in the tidy data), ``total`` or
        ``subtotal`` (recomputed from the parts).
    """
    df = _full(table_id)
    return df[df["year"].isin([year - 1, year])].reset_index(drop=True)


def load_totals(table_id: str, *, missing_ok: bool = False) -> pd.DataFrame:
    """Return a tidy table with the totals the report prints, every year it covers.

    The tidy layer holds the parts only; this adds a row for every total and subtotal
    the report prints (column ``role``: ``value``, ``total`` or ``subtotal``), with the
    printed figure in ``value`` and the sum of its parts in ``recomputed``. A sentence
    that quotes a total takes it from here, so the book's text says what the report
    prints.

    Parameters
    ----------
    table_id : str
        A numbered or annex table, e.g. ``"t10"``.
    missing_ok : bool
        For a table this edition does not print
        (:func:`~nssf_analysis.data.catalog.in_edition` is false), return an empty
        frame instead of raising: the columns every table's frame has
        (:data:`TOTALS_COLUMNS`, with their types), so that filters on ``year``,
        ``sex``, ``measure``, ``role`` or ``value`` select nothing and the sentences
        that need the table are left out. A table's own dimensions (``office``,
        ``item`` …) come from the printed table and are not there.

    Returns
    -------
    DataFrame
        The dimensions of the table (strings), ``sex``, ``year`` (int), ``measure``,
        ``unit``, ``value``, ``period``, ``role``, ``recomputed`` and
        ``printed_change`` (the change on the year before the report prints, for its
        own year).

    Raises
    ------
    UnknownTableError
        If the catalog lacks the table: an edition that does not print it, without
        ``missing_ok``.
    KeyError
        If no spec declares ``table_id`` (with or without ``missing_ok``).

    Examples
    --------
    >>> t10 = load_totals("t10")  # doctest: +SKIP
    >>> t10.query("injury_type == 'all' and sex == 'total'")[["year", "value"]]  # doctest: +SKIP
       year    value
    12  2021  11403.0
    14  2022  14742.0

    A table the edition does not print, in a chapter that runs on every edition:

    >>> t21 = load_totals("t21", missing_ok=True)  # doctest: +SKIP
    >>> t21[(t21["year"] == 2022) & (t21["sex"] == "total")].empty  # doctest: +SKIP
    True
    """
    if missing_ok and table_id in TIDY and not catalog_mod.in_edition(table_id):
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in TOTALS_COLUMNS.items()})
    df = _full(table_id).copy()
    df["printed_change"] = float("nan")
    year = max(available_years())  # the report prints the changes of its own year
    if {year - 1, year} <= set(df["year"]):
        ch = changes(table_id, year)
        keys = [c for c in ch.columns if c not in ("base", "current", "change", "reading")]
        keys.remove("printed")
        at = df.index[df["year"] == year]
        got = df.loc[at, keys].merge(ch[[*keys, "printed"]], on=keys, how="left")
        df.loc[at, "printed_change"] = pd.to_numeric(got["printed"], errors="coerce").to_numpy()
    return df


def lookup(table_id: str, year: int, **dims) -> float | None:
    """Return one value (a tidy value or a recomputed total), or None when there is none.

    Parameters
    ----------
    table_id : str
        The table.
    year : int
        The year.
    **dims
        Dimension values that select the cell, e.g. ``measure="members",
        office="total"``. ``sex`` defaults to ``"total"``; dimensions not given must
        not vary among the matching rows.

    Returns
    -------
    float or None
    """
    found = lookup_cell(table_id, year, **dims)
    return None if found is None else found[0]


def lookup_cell(table_id: str, year: int, **dims) -> tuple[float, str] | None:
    """Return ``(value, unit)`` of one cell as :func:`lookup` selects it, or None.

    Raises
    ------
    ValueError
        When the dimensions select more than one cell.
    """
    df = _full(table_id)
    dims.setdefault("sex", "total")
    df = select_cells(df[df["year"] == year], dims)
    if df is None or df.empty:
        return None
    if len(df) > 1:
        raise ValueError(f"{table_id}: {dims} selects {len(df)} values; give more dimensions")
    return float(df["value"].iloc[0]), str(df["unit"].iloc[0])


# --------------------------------------------------------------------------------------
# Figures as printed: the printed-first lookup of one figure
# --------------------------------------------------------------------------------------

_NOT_DIMS = {"role", "printed", "value", "line", "column", "unit", "total_of", "year"}
_NOT_DIMS |= {"period", "period_start"}


@dataclass(frozen=True)
class Cell:
    """One figure of a table for one year.

    Attributes
    ----------
    value : float
        The figure.
    unit : str
        Its unit in the documented reading (:func:`nssf_analysis.units.reading`).
    printed : str
        The figure as the report prints it ("22.26", "13,506"); empty when the report
        prints no such figure and ``value`` is recomputed from the parts.
    change : float or None
        The change on the year before in percent as the report prints it, or None
        when the report prints none for this figure and year.
    """

    value: float
    unit: str
    printed: str
    change: float | None = None


def _norm(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def report_year() -> int:
    """Return the year of the report in ``seeds/`` (the latest year with data)."""
    return catalog_mod.report_year()


def cells_as_printed(table_id: str) -> pd.DataFrame:
    """Return the cells of a table as printed: values, printed totals, printed changes.

    One row per printed cell (:func:`nssf_analysis.data.tidy.interpret`), dimensions
    as text; ``role`` tells values, totals and ``fluctuation`` (printed changes) apart.
    """
    return _cells_in(report_year(), table_id)


@data_cache
def _cells_in(year: int, table_id: str) -> pd.DataFrame:
    cells, _ = tidy.interpret(tidy.raw_table(table_id), year)
    cells = cells.copy()
    for col in cells.columns:
        if col not in ("value", "line", "column"):
            cells[col] = [_norm(v) for v in cells[col]]
    return cells


def select_cells(frame: pd.DataFrame, dims: dict) -> pd.DataFrame | None:
    """Return the rows of ``frame`` whose dimensions are ``dims``, or None.

    A dimension the frame lacks selects nothing (None) unless its value is ``""`` or
    ``"total"`` (the frame is then not broken down by it).
    """
    if any(k not in frame.columns and str(v) not in ("", "total") for k, v in dims.items()):
        return None
    return frame[select.mask(frame, {k: str(v) for k, v in dims.items() if k in frame.columns})]


def printed_cell(table_id: str, year: int, **dims) -> Cell | None:
    """Return one figure of a table as the report prints it, or None when it has none.

    Parameters
    ----------
    table_id : str
        A numbered or annex table.
    year : int
        The year of the figure.
    **dims
        Dimensions that select the cell, as in
        :func:`nssf_analysis.tables.lookup_cell` (``sex`` defaults to ``"total"``);
        ``unit`` may select too.

    Returns
    -------
    Cell or None
        The printed figure (with the printed change on the year before when the report
        prints one for ``year``); where the report prints no such figure, the total
        recomputed from the parts (``printed`` empty); None when there is no value.
    """
    dims = {"sex": "total", **dims}
    cells = cells_as_printed(table_id)
    values = select_cells(cells[cells["role"] != "fluctuation"], dims)
    if values is not None:
        hit = values[values["year"] == str(year)]
        if len(hit) > 1:
            raise ValueError(f"{table_id}: {dims} selects {len(hit)} values; give more dimensions")
        if len(hit) == 1:
            row = hit.iloc[0]
            if pd.isna(row["value"]):
                return None
            change = None
            if year == report_year():
                keys = {k: row[k] for k in cells.columns if k not in _NOT_DIMS}
                fl = select_cells(cells[cells["role"] == "fluctuation"], keys)
                fl = fl[fl["line"] == row["line"]] if len(fl) > 1 else fl
                if fl is not None and len(fl) == 1 and not pd.isna(fl["value"].iloc[0]):
                    change = float(fl["value"].iloc[0])
            unit = units.reading(table_id, row["unit"])
            return Cell(float(row["value"]), unit, row["printed"], change)
    looked = lookup_cell(table_id, year, **{k: v for k, v in dims.items() if k != "unit"})
    if looked is None:
        return None
    value, unit = looked
    return Cell(value, units.reading(table_id, unit), "")


def format_value(value, unit: str) -> str:
    """Write a value the way the report prints it ("1,234", "22.26", "94.99%").

    The one display of a value with its unit (the book's tables and prose, the
    headlines rebuilt for another year); :mod:`nssf_analysis.render.tables` shows it.

    Parameters
    ----------
    value : float or None
        The value (None or NaN print as "–").
    unit : str
        Its unit: percentages get a "%", million and billion riels two decimals
        (:data:`nssf_analysis.data.units.MONEY_SCALE`), whole counts none.
    """
    if value is None or pd.isna(value):
        return "–"
    if unit == "percent":
        return f"{value:,.2f}%"
    if units.MONEY_SCALE.get(unit, 1) > 1 or not float(value).is_integer():
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def changes(table_id: str, year: int) -> pd.DataFrame:
    """Return the change from ``year - 1`` to ``year`` of every value shown.

    Parameters
    ----------
    table_id : str
        A numbered or annex table.
    year : int
        The later year.

    Returns
    -------
    DataFrame
        One row per cell: its dimensions, ``measure``, ``unit``, ``base``,
        ``current``, ``change`` (percent or NaN) and ``reading`` (see
        :func:`change_percent`).
    """
    df = values(table_id, year)
    keys = [c for c in df.columns if c not in ("value", "recomputed", "year", "period", "role")]
    cur = df[df["year"] == year]
    base = df[df["year"] == year - 1]
    merged = cur.merge(base[[*keys, "value"]], on=keys, how="left", suffixes=("", "_base"))
    out = merged[keys].copy()
    out["base"] = merged["value_base"]
    out["current"] = merged["value"]
    res = [change_percent(b, c) for b, c in zip(out["base"], out["current"], strict=True)]
    out["change"] = [r[0] for r in res]
    out["reading"] = [r[1] for r in res]
    printed = year == max(available_years()) and (year - 1) in set(df["year"])
    out["printed"] = _printed_changes(table_id, out) if printed else None
    return out


def _printed_changes(table_id: str, cells: pd.DataFrame) -> list[float | None]:
    """Return the change the report prints for each cell (``None`` where it prints none).

    The report's "Fluctuation (± %)" compares its own year with the year before.
    """
    ch = _checks(table_id)
    flucts = ch[ch["check"] == "fluctuation"].to_dict("records")
    out = []
    for rec in cells.to_dict("records"):
        hits = _cell_checks(rec, flucts)
        out.append(_printed_number(hits[0]["printed"]) if hits else None)
    return out


# --------------------------------------------------------------------------------------
# Checks at a cell
# --------------------------------------------------------------------------------------


def _cell_checks(cell: dict, checks: list[dict]) -> list[dict]:
    out = []
    for c in checks:
        loc = dict(c["loc"])
        if not loc or "=" not in c["location"]:
            continue
        loc.pop("period", None)
        loc.pop("period_start", None)
        if select.matches(cell, loc):
            out.append(c)
    return out
