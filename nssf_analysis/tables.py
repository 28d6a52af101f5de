"""Report tables for the book, and the values behind them.

- :func:`table` shows a table as the report prints it
  (:mod:`nssf_analysis.printed`): every printed cell, totals and changes included,
  with numbered markers and notes where the audit finds that a printed cell differs
  from what its parts give. Directories are shown per capital/province.
- :func:`values` and :func:`lookup` give the tidy values of a table with its totals,
  driven by the table's spec (:mod:`nssf_analysis.specs`): the total the report
  prints wherever it prints one, otherwise the sum of the parts (column
  ``recomputed`` keeps the sum of the parts for every total).
- :func:`changes` gives the change of every value on the year before, recomputed
  (``change``, ``reading``) and as printed (``printed``): a missing base year reads
  "not available", a zero base "new (from 0)" and two zeros "no change".
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import jinja2
import pandas as pd
from pandas.io.formats.style import Styler

from .cache import data_cache
from .catalog import available_years, catalog, load_checks, load_table
from .directory_view import directory, directory_frame
from .exceptions import NSSFError
from .printed import PrintedTable, display_frame, printed_table
from .specs import tidy_spec

#: Check statuses that mark a cell (the report printed something else than the data gives).
FLAG_STATUSES = ("rounding", "inconsistency", "convention", "structural")
NOT_AVAILABLE = "not available"
#: Columns of a tidy table that are not dimensions.
NOT_DIMS = {"year", "period", "period_start", "value", "line", "column", "unit", "role"}
#: Row dimensions printed as labels (kept verbatim).
PRINTED = ("no", "item", "province", "business_code", "business")
#: Spec row names whose labels resolve to other dimensions.
ROW_ALIASES = {"activity": ("measure",)}
#: Total values of a dimension that are labelled "Total".
TOTAL_WORDS = {"total", "all", "Total"}
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
#: Units written after a measure's name in headers (counts speak for themselves).
SHOWN_UNITS = {
    "billion riels",
    "million riels",
    "riels",
    "percent",
    "documents",
    "times/persons",
}
#: Display names of measures where the snake_case name reads badly.
MEASURE_LABELS = {
    "contributory_enterprises": "Contributory enterprises (average)",
    "contribution_paid_enterprises": "Contribution-paid enterprises (average)",
    "contribution_paid_workers": "Contribution-paid workers (average)",
    "contribution_paid_members": "Contribution-paid members (average)",
    "contributory_institutions": "Contributory institutions",
    "contribution_paid_institutions": "Contribution-paid institutions",
    "contribution_paid_enterprises_share": "Contribution-paid enterprises",
    "survivors_pension_documents": "Survivors' pension benefits",
    "members_accessing_services": "Members accessing services",
    "health_facility_documents": "Health facilities",
    "occupational_risk_reports": "Occupational risk reports",
    "general_vehicles_share": "General vehicles",
    "offending_vehicles_share": "Offending vehicles",
    "sectors_share": "Sectors",
    "mothers": "Primiparae/multiparae",
    "mothers_with_twins": "with twins",
    "mothers_with_triplets": "with triplets",
    "allowance_per_newborn": "Allowance per newborn",
    "allowance_per_child": "Allowance per child",
}
VALUE_LABELS = {
    "female": "Females",
    "less_than_20": "Degree less than 20%",
    "from_20_up": "Degree from 20% up",
    "banks_micro_finances": "Banks/micro-finances",
    "non_occupational_risks": "Non-occupational risks",
    "head_offices": "Head offices",
    "provincial_branches": "Provincial branches",
}

_TEMPLATE = """{% extends "html_table.tpl" %}
{% block before_table %}<div class="nssf-table" id="{{ uuid }}">
{% endblock before_table %}
{% block after_table %}{% if caption and caption is not string %}
<div class="nssf-table-notes">{{ caption[1] }}</div>
{% endif %}</div>
{% endblock after_table %}
"""


class ReportStyler(Styler):
    """A Styler whose HTML is wrapped in ``<div id="<uuid>">`` with notes below the table.

    The caption may be a pair ``(title, notes)``: the title is the table's
    ``<caption>``, the notes (source, unit, markers) follow the table.
    """

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.DictLoader({"report_table.tpl": _TEMPLATE}), Styler.loader]
        ),
        trim_blocks=True,
    )
    template_html_table = env.get_template("report_table.tpl")

    def __repr__(self) -> str:
        caption = self.caption[0] if isinstance(self.caption, tuple) else self.caption
        return re.sub(r"<[^>]+>", "", caption or "ReportStyler").strip()


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


def _parse_location(text: str) -> dict:
    out = {}
    for part in re.split(r"; (?=[a-z_]+=)", text):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k] = v
    return out


@data_cache
def _checks(table_id: str) -> pd.DataFrame:
    ch = load_checks()
    ch = ch[ch["table_id"] == table_id].copy()
    ch["loc"] = [_parse_location(x) for x in ch["location"]]
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


def _matches(row: dict, pattern: dict) -> bool:
    return all(str(row.get(k, "")) == v for k, v in pattern.items())


def _keep_printed(sums: pd.DataFrame, patterns: list[dict]) -> pd.DataFrame:
    if not patterns or sums.empty:
        return sums
    keep = [any(_matches(r, p) for p in patterns) for r in sums.to_dict("records")]
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
        for p in _printed_totals(table_id, "subitems"):
            code = p.get("no", "")
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
    derived = df["role"] != "value"
    ch = _checks(table_id)
    for c in ch[ch["check"].str.startswith("sum:")].to_dict("records"):
        printed = _printed_number(c["printed"])
        if printed is None:
            continue
        loc = {k: v for k, v in c["loc"].items() if k not in ("period", "period_start")}
        hit = derived & pd.Series([_matches(r, loc) for r in df.to_dict("records")], index=df.index)
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
    df = df[df["year"] == year]
    dims.setdefault("sex", "total")
    for k, v in dims.items():
        if k in df.columns:
            df = df[df[k] == str(v)]
        elif v not in ("", "total"):
            return None
    if df.empty:
        return None
    if len(df) > 1:
        raise ValueError(f"{table_id}: {dims} selects {len(df)} values; give more dimensions")
    return float(df["value"].iloc[0]), str(df["unit"].iloc[0])


def change_percent(base: float | None, current: float | None) -> tuple[float | None, str]:
    """Return the change from ``base`` to ``current`` in percent and how it reads.

    Parameters
    ----------
    base, current : float or None
        Values of the earlier and of the later year (None when missing).

    Returns
    -------
    change : float or None
        ``(current - base) / base * 100``, or None when it is not defined.
    status : str
        ``"ok"``, ``"not available"`` (a year is missing), ``"new (from 0)"`` or
        ``"no change"`` (both zero).
    """
    if base is None or current is None or pd.isna(base) or pd.isna(current):
        return None, NOT_AVAILABLE
    if base == 0:
        return (None, "no change") if current == 0 else (None, "new (from 0)")
    return (current - base) / base * 100.0, "ok"


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
# Labels and formatting
# --------------------------------------------------------------------------------------


def label(dim: str, value: str, unit: str = "", total: str | None = None) -> str:
    """Return the display label of a dimension value.

    Parameters
    ----------
    dim : str
        Dimension name (``office``, ``measure``, ``sex`` …).
    value : str
        Its value as stored in the tidy data.
    unit : str, optional
        For measures: the unit, written in parentheses when it is not a count.
    total : str, optional
        The value that stands for the total of this dimension in the table; another
        "all"/"total" value then means "not broken down" and gets no label.
    """
    if dim in PRINTED or dim == "unit":
        return value
    if dim == "month":
        return MONTHS[int(value) - 1] if value.isdigit() else "Total"
    if value in TOTAL_WORDS:
        return "Total" if total in (None, value) else ""
    if dim == "measure":
        text = MEASURE_LABELS.get(value, value.replace("_", " ").capitalize())
        if unit in SHOWN_UNITS:
            text += " (%)" if unit == "percent" else f" ({unit})"
        return text
    if value in VALUE_LABELS:
        return VALUE_LABELS[value]
    return value.replace("_", " ").capitalize()


def format_value(value, unit: str) -> str:
    """Format a value the way the report prints it ("1,234", "22.26", "94.99%").

    Parameters
    ----------
    value : float or None
        The value (None or NaN print as "–").
    unit : str
        Its unit: percentages get a "%", money two decimals, counts none.
    """
    if value is None or pd.isna(value):
        return "–"
    if unit == "percent":
        return f"{value:,.2f}%"
    if unit in ("billion riels", "million riels") or not float(value).is_integer():
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def format_change(change: float | None, status: str) -> str:
    """Format a recomputed change ("+18.08%", "not available", "new (from 0)")."""
    if status != "ok":
        return status
    return f"{change:+,.2f}%"


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
        if _matches(cell, loc):
            out.append(c)
    return out


def report_frame(table_id: str, year: int) -> pd.DataFrame:
    """Return the table as the book displays it: the printed cells, as strings.

    Parameters
    ----------
    table_id : str
        A numbered, annex or text table.
    year : int
        The book's year (see :func:`nssf_analysis.printed.printed_table`).
    """
    return display_frame(table_id, year)


# --------------------------------------------------------------------------------------
# Captions and the Styler
# --------------------------------------------------------------------------------------


def _info(table_id: str) -> dict:
    return catalog().set_index("table_id").loc[table_id].to_dict()


def caption_html(table_id: str) -> str:
    """Return the caption "Table N: title" (annex tables: "Annex 6.1.1: title")."""
    info = _info(table_id)
    return (
        f'<span class="nssf-table-label">{html.escape(info["label"])}:</span> '
        f'<span class="nssf-table-title">{html.escape(info["title"])}</span>'
    )


def _notes_html(table_id: str, units: list[str], extra: list[str]) -> str:
    info = _info(table_id)
    parts = []
    if units:
        parts.append(f"Unit: {html.escape(', '.join(u for u in units if u))}.")
    if info.get("source"):
        parts.append(f"Source: {html.escape(info['source'])}.")
    if info.get("notes"):
        parts.append(f"Note: {html.escape(info['notes'])}.")
    parts += extra
    return "<br>".join(parts)


TABLE_CSS = [
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold;"},
    {"selector": "td", "props": "text-align: right; white-space: nowrap;"},
    {"selector": "th", "props": "text-align: left;"},
    # wide enough for a period such as "2008-2022" on one line; longer labels wrap
    {"selector": "th.row_heading", "props": "min-width: 6.5rem;"},
    {"selector": "td.total, td.subtotal", "props": "font-weight: bold;"},
    {"selector": "td.change", "props": "font-style: italic;"},
]


def _styler(frame: pd.DataFrame, table_id: str, notes: str, classes=None) -> ReportStyler:
    st = ReportStyler(frame, cell_ids=False)
    st.set_uuid(table_id)
    st.set_caption((caption_html(table_id), notes))
    st.set_table_attributes('class="nssf-report-table"')
    st.set_table_styles(TABLE_CSS)
    if classes is not None:
        st.set_td_classes(classes)
    return st


#: A cell of a display table that reads as a number ("11,625", "94.99%", "+1.2%",
#: "<0.001") or as one of the placeholders for a missing value.
_NUMBER_TEXT = re.compile(r"^[<>+\-−–]?\s*\d[\d,]*(\.\d+)?\s*%?$|^(n/a|new|–|-|)$")


def text_columns(frame: pd.DataFrame, formats: dict | None = None) -> tuple[list, list]:
    """Return the columns of ``frame`` that hold text, and those of them read as words.

    Parameters
    ----------
    frame : DataFrame
        A display frame.
    formats : dict, optional
        Columns formatted as numbers (never text).

    Returns
    -------
    (list, list)
        Every non-numeric column, and those whose cells do not all read as a number
        ("11,625", "94.99%", "+1.2%", "<0.001") or a placeholder (blank, "n/a", "new", "–").
    """
    formats = formats or {}
    text = [
        c
        for c in frame.columns
        if c not in formats and not pd.api.types.is_numeric_dtype(frame[c].dtype)
    ]
    words = [
        c
        for c in text
        if not frame[c].map(lambda v: bool(_NUMBER_TEXT.match(str(v).strip()))).all()
    ]
    return text, words


#: CSS of a column of words in a display table: left, wrapping, never squeezed to nothing.
WORD_COLUMN_CSS = "text-align: left; white-space: normal; min-width: 8rem;"


def align_rules(frame: pd.DataFrame, formats: dict | None = None) -> list[dict]:
    """Return Styler table styles: numbers right, word columns left and wrapping.

    One CSS rule per word column (not per cell), so large tables stay small.
    """
    rules = [{"selector": "td", "props": "text-align: right;"}]
    for c in text_columns(frame, formats)[1]:
        i = frame.columns.get_loc(c)
        selector = f"td.col{i}, th.col_heading.col{i}"
        rules.append({"selector": selector, "props": WORD_COLUMN_CSS})
    return rules


def plain_table(frame: pd.DataFrame, uuid: str, formats: dict | None = None) -> Styler:
    """Return a display Styler of ``frame``: no index, text left and numbers right.

    Text columns are HTML-escaped; alignment follows :func:`align_rules`.

    Parameters
    ----------
    frame : DataFrame
        What to show (usually already formatted as text).
    uuid : str
        Stable id of the table (deterministic HTML, and an anchor for links).
    formats : dict, optional
        ``Styler.format`` formatters for numeric columns, by column name.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    st = frame.style.hide(axis="index").format(formats or {}, na_rep="")
    text = text_columns(frame, formats)[0]
    if text:
        st = st.format(escape="html", subset=text, na_rep="")
    return st.set_table_styles(align_rules(frame, formats)).set_uuid(uuid)


def empty_table(table_id: str, year: int, why: str | None = None) -> ReportStyler:
    """Return the table's caption with a one-line message that it has no data for ``year``."""
    years = ", ".join(str(y) for y in table_years_any(table_id))
    msg = why or f"The report has no data for {year} in this table (it covers {years})."
    frame = pd.DataFrame({"": [msg]}, index=pd.Index([""]))
    return _styler(frame, table_id, _notes_html(table_id, [], []))


def table_years_any(table_id: str) -> list[int]:
    """Return the years a table (numbered, annex or directory) has data for."""
    return sorted(int(y) for y in _info(table_id)["years"].split("; ") if y)


def table(table_id: str, year: int) -> ReportStyler | PrintedTable:
    """Return a table as the report prints it, for the book of ``year``.

    Parameters
    ----------
    table_id : str
        Any table of the catalog: numbered (``t01`` …), annex (``a6_1_1`` …),
        directory (``a6_6_1`` …) or text (``t65``).
    year : int
        The year shown.

    Returns
    -------
    PrintedTable or ReportStyler
        Numbered, annex and text tables: the printed cells with the markers and notes
        of the audit's findings (:func:`nssf_analysis.printed.printed_table`);
        directories: a Styler. The HTML carries the anchor ``id="<table_id>"``.
    """
    family = _info(table_id)["family"]
    if year not in table_years_any(table_id):
        return empty_table(table_id, year)
    if family == "directory":
        return directory(table_id, year)
    return printed_table(table_id, year)


# --------------------------------------------------------------------------------------
# Directories, text tables, province profiles
# --------------------------------------------------------------------------------------


def directory_counts(year: int) -> pd.DataFrame:
    """Return, per capital/province, how many facilities and branch offices the annex lists.

    Parameters
    ----------
    year : int
        The year (directories exist for the report year only; other years give an
        empty frame).
    """
    cols = {}
    for tid, name in (
        ("a6_6_1", "Health-care facilities"),
        ("a6_6_2", "Occupational-risk facilities"),
    ):
        if year not in table_years_any(tid):
            continue
        d = load_table(tid)
        for own in ("public", "private"):
            cols[(name, own.capitalize())] = d[d["ownership"] == own].groupby("province").size()
        cols[(name, "Total")] = d.groupby("province").size()
    if year in table_years_any("a6_6_3"):
        d = directory_frame("a6_6_3")
        cols[("Branch offices", "Total")] = d.groupby(level=0).size()
    if not cols:
        return pd.DataFrame()
    out = pd.DataFrame(cols).fillna(0).astype(int)
    out.index.name = "Capital/province"
    return out


def directory_summary(year: int) -> ReportStyler | pd.DataFrame:
    """Return :func:`directory_counts` as a styled table (anchor ``directories``)."""
    counts = directory_counts(year)
    st = ReportStyler(counts if not counts.empty else pd.DataFrame({"": ["no directory"]}))
    st.set_uuid("directories")
    if counts.empty:
        msg = f"The annex directories list facilities for {', '.join(map(str, _dir_years()))}."
        st = ReportStyler(pd.DataFrame({"": [msg]}, index=pd.Index([""])))
        st.set_uuid("directories")
    st.set_caption(
        (
            "Health facilities and branch offices per capital/province (Annex 6.6)",
            "Counted from the directories of Annex 6.6.1, 6.6.2 and 6.6.3.",
        )
    )
    st.set_table_styles(TABLE_CSS)
    return st


def _dir_years() -> list[int]:
    return table_years_any("a6_6_1")


#: Province tables of the annex and the measure each contributes to the profile.
PROFILE = [
    ("a6_1_1", "workers", "Workers (occupational risk)"),
    ("a6_1_3", "new_workers", "New workers"),
    ("a6_1_4", "occupational_risk_reports", "Occupational risk reports"),
    ("a6_1_5", "investigation_results", "Investigation results"),
    ("a6_3_1", "workers", "Workers (health care)"),
    ("a6_4_1", "workers", "Workers (pension)"),
    ("a6_5_1", "workers", "Informal workers"),
    ("a6_5_2", "mothers", "Mothers at childbirth"),
]


def province_profile(year: int) -> pd.DataFrame:
    """Return one row per capital/province with the main measure of each annex table.

    Parameters
    ----------
    year : int
        The year (annex tables exist for the report year only).

    Returns
    -------
    DataFrame
        Index: capital/province as printed; one column per annex table (see
        :data:`PROFILE`); NaN where a table does not list the place.
    """
    cols = {}
    for tid, measure, name in PROFILE:
        df = values(tid, year)
        df = df[(df["year"] == year) & (df["measure"] == measure) & (df["sex"] == "total")]
        df = df[df["province"] != "Total"]
        for d in ("status", "sector"):
            if d in df.columns:
                df = df[df[d].isin(["total", "all"])] if d == "status" else df[df[d] == "all"]
        if df.empty:
            continue
        cols[f"{name} ({_info(tid)['label']})"] = df.groupby("province", sort=False)["value"].sum()
    out = pd.DataFrame(cols)
    out.index.name = "Capital/province"
    return out


def province_table(year: int) -> ReportStyler:
    """Return :func:`province_profile` as a styled table (anchor ``province-profile``)."""
    prof = province_profile(year)
    if prof.empty:
        years = ", ".join(str(y) for y in table_years_any("a6_1_1"))
        prof = pd.DataFrame({"": [f"The annex has province tables for {years} only."]})
        prof.index = pd.Index([""])
        fmt = None
    else:
        fmt = {c: (lambda v: format_value(v, "persons")) for c in prof.columns}
    st = ReportStyler(prof)
    st.set_uuid("province-profile")
    st.set_caption(
        (
            f"Capital/provinces at a glance, {year}",
            "Each column is the total of one annex table for the capital/province, "
            "as printed (Phnom Penh khans and 'Abroad' appear where a table lists them); "
            "– where a table does not list the place.",
        )
    )
    st.set_table_styles(TABLE_CSS)
    if fmt:
        st.format(fmt)
    return st


# --------------------------------------------------------------------------------------
# Contents of the book
# --------------------------------------------------------------------------------------

#: Chapter (notebook) of each top-level section of the report ("2": the headline figures).
CHAPTERS = {
    "2": "00_overview",
    "A": "01_occupational_risk",
    "B": "02_health_care",
    "C": "03_pension",
    "D": "04_informal_sector",
    "E": "05_institutional",
    "6": "06_provinces",
}


def chapter_of(section: str) -> str:
    """Return the notebook that presents a report section ("A.1.2" → 01_occupational_risk).

    Parameters
    ----------
    section : str
        Section as in the catalog (``"A.1.3"``, ``"6.1.1"``, ``"2.OR"``).

    Raises
    ------
    NSSFError
        For a section no chapter presents.
    """
    key = str(section)[:1]
    if key not in CHAPTERS:
        raise NSSFError(f"no chapter for report section {section!r}")
    return CHAPTERS[key]


def contents(year: int) -> pd.DataFrame:
    """Return every table with its chapter, the years it covers and its flagged checks.

    Parameters
    ----------
    year : int
        The year of interest (``has data`` says whether the table has rows for it).
    """
    cat = catalog()
    ch = load_checks()
    flagged = ch[ch["status"].isin(FLAG_STATUSES)].groupby("table_id").size()
    rows = []
    for r in cat.to_dict("records"):
        chapter = chapter_of(r["section"])
        rows.append(
            {
                "Table": f'<a href="{chapter}.html#{r["table_id"]}">{html.escape(r["label"])}</a>',
                "Title": r["title"],
                "Section": r["section"],
                "Years": r["years"].replace("; ", ", "),
                f"Data for {year}": "yes" if year in table_years_any(r["table_id"]) else "no",
                "Flagged checks": int(flagged.get(r["table_id"], 0)),
            }
        )
    return pd.DataFrame(rows)


def contents_table(year: int) -> ReportStyler:
    """Return :func:`contents` as a styled table (anchor ``contents``)."""
    frame = contents(year)
    st = ReportStyler(frame)
    st.set_uuid("contents")
    st.hide(axis="index")
    st.set_caption(
        (
            "Every table of the report and where this book shows it",
            "Flagged checks: printed totals or changes that differ from the recomputed "
            "ones (see the data-quality chapter).",
        )
    )
    st.set_table_styles(TABLE_CSS + align_rules(frame))
    return st
