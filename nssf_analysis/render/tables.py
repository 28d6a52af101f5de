"""Report tables for the book: labels, the display of values and changes, Stylers.

- :func:`table` shows a table as the report prints it
  (:mod:`nssf_analysis.render.printed`): every printed cell, totals and changes
  included, with numbered markers and notes where the audit finds that a printed cell
  differs from what its parts give. Directories are shown per capital/province.
- :func:`label` names a dimension value; :func:`format_value` (from
  :mod:`nssf_analysis.analysis.values`) writes a value with its unit and
  :func:`format_change` is the one display of a change (its statuses are those of
  :mod:`nssf_analysis.analysis.changes`).
- :func:`plain_table` and :class:`ReportStyler` are the Stylers of every display table.
- The values behind the tables (``values``, ``lookup``, ``changes`` …) are computed in
  :mod:`nssf_analysis.analysis.values`.
"""

from __future__ import annotations

import html
import re

import jinja2
import pandas as pd
from pandas.io.formats.style import Styler

from nssf_analysis.analysis.changes import LABELS as CHANGE_LABELS
from nssf_analysis.analysis.changes import NOT_AVAILABLE, OK, missing
from nssf_analysis.analysis.values import PRINTED
from nssf_analysis.data import units
from nssf_analysis.data.catalog import catalog, catalog_row, load_checks
from nssf_analysis.exceptions import NSSFError
from nssf_analysis.render.directory_view import directory
from nssf_analysis.render.printed import (
    PrintedTable,
    display_frame,
    printed_table,
    source_lines,
)

__all__ = [
    "CHAPTERS",
    "FLAG_STATUSES",
    "MEASURE_LABELS",
    "MONTHS",
    "ReportStyler",
    "SHOWN_UNITS",
    "TABLE_CSS",
    "TOTAL_WORDS",
    "VALUE_LABELS",
    "WORD_COLUMN_CSS",
    "align_rules",
    "associate_headers",
    "caption_html",
    "chapter_of",
    "contents",
    "contents_table",
    "empty_table",
    "format_change",
    "inline_styles",
    "label",
    "plain_table",
    "report_frame",
    "table",
    "table_years_any",
    "text_columns",
]

#: Check statuses that mark a cell (the report printed something else than the data gives).
FLAG_STATUSES = ("rounding", "inconsistency", "convention", "structural")
#: Total values of a dimension that are labelled "Total".
TOTAL_WORDS = {"total", "all", "Total"}
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
#: Units written after a measure's name in headers (counts speak for themselves).
SHOWN_UNITS = {*units.MONEY_SCALE, "percent", "documents", "times/persons"}
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

    Examples
    --------
    >>> label("sex", "female"), label("injury_type", "commuting_accidents")
    ('Females', 'Commuting accidents')
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


def format_change(
    change: float | None, status: str = OK, *, decimals: int = 2, points: float | None = None
) -> str:
    """Format a change for display: "+18.08%", or its status ("new (from 0)" …).

    The one display of a change: the statuses are the words of
    :mod:`nssf_analysis.analysis.changes`.

    Parameters
    ----------
    change : float or None
        The change in percent (None or NaN when it is not a number).
    status : str
        Its status (:func:`nssf_analysis.analysis.changes.change_percent`); any
        status but "ok" is shown as it is.
    decimals : int
        Decimals of the percentage.
    points : float, optional
        A difference in percentage points, added as " (+0.84 pts)".
    """
    if status != OK:
        return status
    if missing(change):
        return NOT_AVAILABLE
    text = f"{change:+,.{decimals}f}%"
    if points is not None and not missing(points):
        text += f" ({points:+,.2f} pts)"
    return text


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
    return catalog_row(table_id)


def caption_html(table_id: str) -> str:
    """Return the caption "Table N: title" (annex tables: "Annex 6.1.1: title")."""
    info = _info(table_id)
    return (
        f'<span class="nssf-table-label">{html.escape(info["label"])}:</span> '
        f'<span class="nssf-table-title">{html.escape(info["title"])}</span>'
    )


def _notes_html(table_id: str, units: list[str], extra: list[str]) -> str:
    parts = [html.escape(line) for line in source_lines(_info(table_id), units)]
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
#: "<0.001") or as one of the placeholders for a missing value
#: (the change statuses of :mod:`nssf_analysis.analysis.changes` among them).
_NUMBER_TEXT = re.compile(
    r"^[<>+\-−–]?\s*\d[\d,]*(\.\d+)?\s*%?$|^(n/a|new|–|-|)$|^("
    + "|".join(re.escape(w) for w in CHANGE_LABELS)
    + ")$"
)


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


def plain_table(
    frame: pd.DataFrame, uuid: str, formats: dict | None = None, caption: str | None = None
) -> Styler:
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
    caption : str, optional
        What the table shows, in a few words: its ``<caption>`` (escaped), which names
        the table for a screen reader.

    Returns
    -------
    pandas.io.formats.style.Styler

    Examples
    --------
    >>> frame = pd.DataFrame({"Province": ["Kep <1>"], "Reports": ["6"]})
    >>> html = plain_table(frame, "demo").to_html()
    >>> 'id="T_demo"' in html and "Kep &lt;1&gt;" in html
    True
    """
    st = frame.style.hide(axis="index").format(formats or {}, na_rep="")
    text = text_columns(frame, formats)[0]
    if text:
        st = st.format(escape="html", subset=text, na_rep="")
    if caption:
        st = st.set_caption(html.escape(caption))
    return st.set_table_styles(align_rules(frame, formats)).set_uuid(uuid)


# --------------------------------------------------------------------------------------
# Header cells: every data cell tied to its headings
# --------------------------------------------------------------------------------------

_TABLE_HTML = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_ROW_HTML = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL_HTML = re.compile(r"<(th|td)\b([^>]*)>(.*?)</\1>", re.S)
_BLANK_HTML = re.compile(r"^(\s|&nbsp;|&#160;|\xa0)*$")
_ID_HTML = re.compile(r'\sid="([^"]+)"')


def _attr(attrs: str, name: str, value: str | None = None, *, get: bool = False):
    """Read (``get``) or set an attribute in a tag's attribute text (``None``: remove it)."""
    pattern = rf'\s{name}="([^"]*)"'
    if get:
        m = re.search(pattern, attrs)
        return m[1] if m else None
    if value is None:
        return re.sub(pattern, "", attrs)
    new = f' {name}="{value}"'
    if re.search(pattern, attrs):  # in its place: the same HTML again gives the same text
        return re.sub(pattern, lambda _: new, attrs)
    return attrs.rstrip() + new


def _grid(rows: list[list[dict]]) -> int:
    """Place every cell in the grid (its ``row`` and ``col``); return the table's width."""
    taken, width = set(), 0
    for i, cells in enumerate(rows):
        col = 0
        for c in cells:
            while (i, col) in taken:
                col += 1
            c["row"], c["col"] = i, col
            c["rs"] = int(_attr(c["attrs"], "rowspan", get=True) or 1)
            c["cs"] = int(_attr(c["attrs"], "colspan", get=True) or 1)
            taken |= {(a, b) for a in range(i + 1, i + c["rs"]) for b in range(col, col + c["cs"])}
            col += c["cs"]
            width = max(width, col)
    return width


def _scope_suffices(ths: list[dict]) -> bool:
    """Return whether ``scope`` names every cell's headers unambiguously.

    It does while at most one row and one column hold more than one header cell and no
    header spans both rows and columns (HTML_CodeSniffer's rule, technique H43).
    """
    if any(c["rs"] > 1 and c["cs"] > 1 for c in ths):
        return False
    per_row, per_col = {}, {}
    for c in ths:
        per_row[c["row"]] = per_row.get(c["row"], 0) + c["cs"]
        per_col[c["col"]] = per_col.get(c["col"], 0) + c["rs"]
    return all(sum(n > 1 for n in d.values()) <= 1 for d in (per_row, per_col))


def _tie(table: str, prefix: str) -> str:
    """Return one table's HTML with its data cells tied to their header cells."""
    head_end = table.find("</thead>")
    found = list(_ROW_HTML.finditer(table))
    rows = [
        [
            {"tag": c[1], "attrs": c[2], "body": c[3], "head": r.start() < head_end}
            for c in _CELL_HTML.finditer(r[1])
        ]
        for r in found
    ]
    width = _grid(rows)
    for cells in rows:
        for c in cells:  # an empty header cell heads nothing
            if c["tag"] == "th" and _BLANK_HTML.match(c["body"]):
                c.update(tag="td", attrs=_attr(c["attrs"], "scope"))
        if len(cells) == 1 and cells[0]["tag"] == "th" and not cells[0]["head"] and width > 1:
            # a heading across a body row (a block, a province) heads the rows below it
            # from the first column: across the row it would head every cell of the table
            if _attr(cells[0]["attrs"], "colspan", get=True) == str(width):
                first = cells[0]
                first["attrs"] = _attr(_attr(first["attrs"], "colspan"), "scope", "rowgroup")
                first.update(group=True, body=f'<span class="nssf-across">{first["body"]}</span>')
                cells.append({"tag": "td", "attrs": f' colspan="{width - 1}"', "body": ""})
    _grid(rows)
    ths = [c for cells in rows for c in cells if c["tag"] == "th"]
    if _scope_suffices(ths):
        for c in ths:
            if _attr(c["attrs"], "scope", get=True) is None:
                c["attrs"] = _attr(c["attrs"], "scope", "col" if c["head"] else "row")
    else:
        by_row, by_col, group = {}, {}, None
        for c in ths:
            c["id"] = _attr(c["attrs"], "id", get=True) or f"{prefix}-h{c['row']}-{c['col']}"
            c["attrs"] = _attr(_attr(c["attrs"], "scope"), "id", c["id"])
            for a in range(c["row"], c["row"] + c["rs"]):
                by_row.setdefault(a, [c["col"], []])[1].append(c["id"])
            for b in range(c["col"], c["col"] + c["cs"]):
                by_col.setdefault(b, [c["row"], []])[1].append(c["id"])
        for cells in rows:
            for c in cells:
                if c.get("group"):
                    group = c["id"]
                elif c["tag"] == "th" and not c["head"] and c["col"] == 0 and group:
                    c["attrs"] = _attr(c["attrs"], "headers", group)
                if c["tag"] != "td":
                    continue
                ids = set()
                for a in range(c["row"], c["row"] + c["rs"]):
                    for b in range(c["col"], c["col"] + c["cs"]):
                        if a in by_row and b >= by_row[a][0]:
                            ids.update(by_row[a][1])
                        if b in by_col and a >= by_col[b][0]:
                            ids.update(by_col[b][1])
                c["attrs"] = _attr(c["attrs"], "headers", " ".join(sorted(ids)) or None)
    out, last = [], 0
    for r, cells in zip(found, rows, strict=True):
        inner = "".join(f"<{c['tag']}{c['attrs']}>{c['body']}</{c['tag']}>" for c in cells)
        out += [table[last : r.start(1)], inner]
        last = r.end(1)
    return "".join(out) + table[last:]


_STYLE_HTML = re.compile(r"<style\b[^>]*>(.*?)</style>\s*", re.S)
_RULE_CSS = re.compile(r"\s*([^{}]+?)\s*\{([^{}]*)\}")
_TAG_HTML = re.compile(r"<([a-z][a-z0-9]*)\b([^>]*)>")


def inline_styles(fragment: str) -> str:
    """Return ``fragment`` without ``<style>``: each Styler rule is written on its cells.

    HTML allows ``<style>`` in a page's head only; the rules pandas Stylers write
    (``#T_<uuid> td.col2 { … }``: a table's id and one element with classes) become
    the ``style`` of each element of that table they select, in the order of the
    cascade (fewer classes first, then the order written). Other rules are dropped.

    Parameters
    ----------
    fragment : str
        HTML with the ``<style>`` elements of pandas Stylers.

    Examples
    --------
    >>> inline_styles(
    ...     "<style>#T_a td { text-align: right } #T_a td.col1 { text-align: left }</style>"
    ...     '<table id="T_a"><tr><td class="col0">1</td><td class="col1">x</td></tr></table>'
    ... )
    '<table id="T_a"><tr><td class="col0" style="text-align: right">1</td><td class="col1" \
style="text-align: left">x</td></tr></table>'
    """
    rules: dict[str, list] = {}
    for block in _STYLE_HTML.findall(fragment):
        for order, (selectors, body) in enumerate(_RULE_CSS.findall(block)):
            for selector in selectors.split(","):
                parts = selector.split()
                if len(parts) == 2 and parts[0].startswith("#"):
                    tag, *classes = parts[1].split(".")
                    decls = [d.split(":", 1) for d in body.split(";") if ":" in d]
                    rule = (len(classes), order, tag, set(classes), decls)
                    rules.setdefault(parts[0][1:], []).append(rule)

    def element(m: re.Match, own: list) -> str:
        classes = set((_attr(m[2], "class", get=True) or "").split())
        style: dict[str, str] = {}
        for _, _, tag, need, decls in sorted(own, key=lambda r: r[:2]):
            if tag in ("", m[1]) and need <= classes:
                style |= {k.strip(): v.strip() for k, v in decls}
        if not style:
            return m[0]
        return f"<{m[1]}{_attr(m[2], 'style', '; '.join(f'{k}: {v}' for k, v in style.items()))}>"

    def table(m: re.Match) -> str:
        own = rules.get(_attr(m[0].split(">", 1)[0], "id", get=True) or "", [])
        return _TAG_HTML.sub(lambda t: element(t, own), m[0]) if own else m[0]

    return _TABLE_HTML.sub(table, _STYLE_HTML.sub("", fragment))


def associate_headers(fragment: str) -> str:
    """Return ``fragment`` with every table's data cells tied to their header cells.

    A table with one row of column headings and one column of row headings keeps
    ``scope`` (added where a header cell lacks it). A table with more levels (two rows
    of column headings, a heading over several columns and rows) gives every header
    cell an ``id`` and every data cell the ``headers`` of the header cells above it in
    its column and before it in its row. A heading that spans a whole body row (a
    block of rows, a province) is put in the first column with an empty cell beside it
    (its text, in ``<span class="nssf-across">``, may run on over that cell): it heads
    the rows below it (their row headings name it in ``headers``), not every column of
    the table. An empty header cell becomes a data cell.

    Parameters
    ----------
    fragment : str
        HTML as written by the book's templates, pandas Stylers or nh3 (attribute
        values in double quotes; tables not nested). New ids start with the table's
        ``id``, or else with the ``id`` written last before the table.

    Examples
    --------
    >>> html = associate_headers(
    ...     '<div id="t"><table><thead><tr><th rowspan="2">Year</th><th colspan="2">'
    ...     "Members</th></tr><tr><th>Total</th><th>Females</th></tr></thead><tbody>"
    ...     "<tr><th>2022</th><td>5</td><td>3</td></tr></tbody></table></div>"
    ... )
    >>> re.findall(r'<td headers="([^"]*)"', html)
    ['t-h0-1 t-h1-1 t-h2-0', 't-h0-1 t-h1-2 t-h2-0']
    """
    out, last, seen = [], 0, {}
    for m in _TABLE_HTML.finditer(fragment):
        own = _ID_HTML.search(m[0].split(">", 1)[0])
        before = _ID_HTML.findall(fragment[max(0, m.start() - 3000) : m.start()])
        prefix = own[1] if own else (before[-1] if before else "table")
        seen[prefix] = seen.get(prefix, 0) + 1  # two tables after one id: t, t-2
        prefix += f"-{seen[prefix]}" if seen[prefix] > 1 else ""
        out += [fragment[last : m.start()], _tie(m[0], prefix)]
        last = m.end()
    return "".join(out) + fragment[last:]


def empty_table(table_id: str, year: int, why: str | None = None) -> ReportStyler:
    """Return the table's caption with a one-line message that it has no data for ``year``."""
    years = ", ".join(str(y) for y in table_years_any(table_id))
    msg = why or f"The report has no data for {year} in this table (it covers {years})."
    frame = pd.DataFrame({str(year): [msg]})
    st = _styler(frame, table_id, _notes_html(table_id, [], []))
    message = [{"selector": "td", "props": "text-align: left; white-space: normal;"}]
    return st.hide(axis="index").set_table_styles(message, overwrite=False)


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
