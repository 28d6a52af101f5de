"""Report tables as printed: the book shows the report's own cells, with markers.

The book's report tables are drawn from ``data/raw`` — every cell as the report
prints it, totals and "Fluctuation" rows and columns included — never from values
recomputed from rounded parts. Where the data-quality audit finds that a printed
cell differs from what its parts give (a total, a change, a unit, a cross-reference),
the cell keeps its printed text and carries a numbered marker; the note with that
number under the table says, in words, what the report prints and what the
recomputed value is. The notes are part of the table's HTML, so they are visible on
screen, on touch screens and in print.

Header rows become a header with spanning cells, by the convention the tidy layer
documents: a header label spans the empty cells to its right within its parent's
span, and a label with nothing below it spans down.

For a year before the report year (the 2021 book is made of the 2022 report's
comparison columns) the columns or rows that hold only later years or changes are
left out, and the notes say where the figures come from.

:func:`printed_table` returns a :class:`PrintedTable`, which Jupyter displays as
HTML; :func:`display_frame` returns the same cells as a DataFrame of strings (one
column per printed column, headed by its header path), which is what the downloads
of a table "as displayed" hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from nssf_analysis.data.cache import data_cache
from nssf_analysis.data.catalog import (
    available_years,
    catalog_row,
    load_checks,
    load_raw,
    load_table,
)
from nssf_analysis.data.extract import is_value
from nssf_analysis.render import wording

__all__ = [
    "CONVENTION_NOTE",
    "Cell",
    "FINDING_URL",
    "MARKED",
    "Note",
    "PrintedTable",
    "display_frame",
    "header_spans",
    "note_text",
    "printed_table",
    "source_lines",
]

#: Classes of findings that mark a printed cell.
MARKED = ("inconsistency", "structural", "rounding", "convention")
#: Where the data-quality chapter lists the findings of a table.
FINDING_URL = "08_data_quality.html#finding-{table_id}"
#: One sentence for every change the report prints by its zero-base convention.
CONVENTION_NOTE = (
    "The report prints a change from zero (or from a year without data) as 100.00 % and "
    "no change between two zeros as 0.00 %; the change from zero itself is not defined."
)
_YEAR_RE = re.compile(r"(?:^|\D)((?:19|20)\d{2})$")


@dataclass
class Note:
    """One numbered note under a table.

    Attributes
    ----------
    number : int
        The marker's number (1, 2 …), in reading order.
    status : str
        The finding's class: ``inconsistency``, ``structural``, ``rounding`` or
        ``convention``.
    text : str
        The note, in plain words.
    """

    number: int
    status: str
    text: str


@dataclass
class Cell:
    """One cell of the printed grid."""

    text: str
    kind: str = "label"  # label, value, total, change, blank
    notes: list[int] = field(default_factory=list)
    colspan: int = 1
    rowspan: int = 1

    @property
    def css(self) -> str:
        """Return the cell's classes: its kind, and ``nssf-short`` for a short label."""
        short = self.kind == "label" and len(self.text) <= 12
        return f"nssf-{self.kind}{' nssf-short' if short else ''}"


@dataclass
class PrintedTable:
    """A report table as printed, ready to render.

    Attributes
    ----------
    table_id, label, title : str
        The table and its caption ("Table 18", "Expenditure on …").
    header : list of list of Cell
        Header rows (spanning cells placed once, with colspan/rowspan).
    body : list of (str, list of Cell)
        Body rows: the row's kind (``body``, ``block`` or ``header``) and its cells.
    lines : list of str
        The lines under the table: unit, source, notes, where the figures come from.
    notes : list of Note
        The numbered notes the markers point to.
    width : int
        Number of printed columns.
    columns : list of str
        Each column's header path ("Total / Members"), as the downloads head them.
    """

    table_id: str
    label: str
    title: str
    header: list
    body: list
    lines: list
    notes: list
    width: int
    columns: list

    def rows(self) -> list[list]:
        """Return the body rows as shown: their cells, after the block's cell in a block table.

        Header rows repeated in the body are left out; before a table's first block the
        block's cell is None.
        """
        blocks = any(kind == "block" for kind, _ in self.body)
        out, block = [], None
        for kind, cells in self.body:
            if kind == "block":
                block = cells[0]
            elif kind == "body":
                out.append([block, *cells] if blocks else list(cells))
        return out

    def to_html(self) -> str:
        """Return the table's HTML: anchor, caption, header, rows, notes (all escaped)."""
        return _TEMPLATE.render(t=self, finding_url=FINDING_URL.format(table_id=self.table_id))

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"{self.label}: {self.title}"


_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)


def _break_after_slashes(text: str) -> Markup:
    """Escape ``text`` and let it break after each "/" ("Primiparae/Multiparae")."""
    return Markup("/<wbr>").join(escape(part) for part in str(text).split("/"))


_ENV.filters["wbr"] = _break_after_slashes
_TEMPLATE = _ENV.from_string(
    """\
{%- macro cell(c, tag, scope) -%}
<{{ tag }}{% if tag == 'th' and c.text %} scope="{{ scope }}"{% endif %} \
class="{{ c.css }}"{% if c.colspan > 1 %} colspan="{{ c.colspan }}"{% endif %}\
{% if c.rowspan > 1 %} rowspan="{{ c.rowspan }}"{% endif %}>\
{{ c.text|wbr if c.kind == 'head' else c.text }}\
{% for n in c.notes %}<sup class="nssf-flag"><a href="#{{ t.table_id }}-note-{{ n }}" \
aria-label="note {{ n }}">{{ n }}</a></sup>{% endfor %}</{{ tag }}>
{%- endmacro %}
<div class="nssf-table nssf-printed{% if t.width > 9 %} nssf-wide{% endif %}" id="{{ t.table_id }}">
<div class="nssf-scroll">
<table class="nssf-report-table">
<caption><span class="nssf-table-label">{{ t.label }}:</span> \
<span class="nssf-table-title">{{ t.title }}</span></caption>
<thead>
{% for row in t.header %}
<tr>{% for c in row %}{{ cell(c, 'th', 'col') }}{% endfor %}</tr>
{% endfor %}
</thead>
<tbody>
{% for kind, row in t.body %}
{% if kind == 'block' %}
<tr class="nssf-block">{% for c in row %}{{ cell(c, 'th', 'colgroup') }}{% endfor %}</tr>
{% elif kind == 'header' %}
<tr class="nssf-subheader">{% for c in row %}{{ cell(c, 'th', 'col') }}{% endfor %}</tr>
{% else %}
<tr>{% for c in row %}{{ cell(c, 'th' if loop.first and c.kind == 'label' else 'td', 'row') }}\
{% endfor %}</tr>
{% endif %}
{% endfor %}
</tbody>
</table>
</div>
<div class="nssf-table-notes">
{% for line in t.lines %}
<p>{{ line }}</p>
{% endfor %}
{% if t.notes %}
<ol class="nssf-notes">
{% for n in t.notes %}
<li id="{{ t.table_id }}-note-{{ n.number }}" value="{{ n.number }}" \
class="nssf-note nssf-{{ n.status }}">{{ n.text }}</li>
{% endfor %}
</ol>
<p class="nssf-notes-more">Numbered cells are printed as the report prints them; \
<a href="{{ finding_url }}">the data-quality chapter</a> lists every finding.</p>
{% endif %}
</div>
</div>
"""
)


# --------------------------------------------------------------------------------------
# The grid: raw rows, header spans, the year of every cell
# --------------------------------------------------------------------------------------


def _rows(table_id: str) -> list[dict]:
    raw = load_raw(table_id)
    cols = [c for c in raw.columns if re.fullmatch(r"c\d+", c)]
    return [
        {
            "block": r["block"],
            "line": int(r["line"]),
            "kind": r["kind"],
            "cells": [r[c] for c in cols],
        }
        for r in raw.to_dict("records")
    ]


def header_spans(rows: list[list[str]]) -> list[list[tuple[int, int, int, str]]]:
    """Place the labels of printed header rows as spanning cells.

    A label spans the empty cells to its right within its parent's span; a label with
    only empty cells below it spans down to the last header row.

    Parameters
    ----------
    rows : list of list of str
        The header rows, each as wide as the table.

    Returns
    -------
    list of list of (start, colspan, rowspan, text)
        For each header row, the cells that start in it, left to right.

    Examples
    --------
    >>> spans = header_spans([["No.", "Value", "", "Change"], ["", "2021", "2022", ""]])
    >>> spans[0]
    [(0, 1, 2, 'No.'), (1, 2, 1, 'Value'), (3, 1, 2, 'Change')]
    >>> spans[1]
    [(1, 1, 1, '2021'), (2, 1, 1, '2022')]
    """
    if not rows:
        return []
    width = max(len(r) for r in rows)
    grid = [list(r) + [""] * (width - len(r)) for r in rows]
    out: list[list[list]] = [[] for _ in grid]
    # spans still open for the level below: [start, end, level, index in out[level]]
    parents = [(0, width, None)]
    for level, cells in enumerate(grid):
        nxt = []
        for start, end, owner in parents:
            if owner is not None and not any(cells[start:end]):
                out[owner[0]][owner[1]][2] += 1  # nothing below: the parent spans down
                nxt.append((start, end, owner))
                continue
            j = start
            while j < end:
                k = j + 1
                if cells[j]:
                    while k < end and not cells[k]:
                        k += 1
                out[level].append([j, k - j, 1, cells[j]])
                nxt.append((j, k, (level, len(out[level]) - 1)))
                j = k
        parents = nxt
    return [[tuple(c) for c in row] for row in out]


def _findings(table_id: str) -> list[dict]:
    """Return the audit's findings located at cells of this table (line and column).

    A finding about a whole row has column 0.
    """
    from nssf_analysis.analysis import audit

    f = audit.results.findings()
    f = f[(f["table_id"] == table_id) & f["class"].isin(MARKED) & (f["line"] != "")]
    out = []
    for r in f.to_dict("records"):
        r["line"] = int(float(r["line"]))
        r["column"] = int(float(r["column"] or 0))
        out.append(r)
    return out


def _cell_years(table_id: str) -> dict[tuple[int, int], str]:
    """Return the year (or ``"change"``) of every value cell, by (line, column)."""
    out: dict[tuple[int, int], str] = {}
    family = catalog_row(table_id)["family"]
    if family not in ("directory", "text"):
        tidy = load_table(table_id)
        for line, col, year in zip(tidy["line"], tidy["column"], tidy["year"], strict=True):
            out[(int(line), int(col))] = str(year)
    ch = load_checks()
    ch = ch[(ch["table_id"] == table_id) & (ch["column"] != "")]
    for r in ch.to_dict("records"):
        key = (int(r["line"]), int(float(r["column"])))
        if r["check"] == "fluctuation":
            out[key] = "change"
        else:
            m = re.search(r"(?:^|; )year=(\d{4})", r["location"])
            if m:
                out.setdefault(key, m.group(1))
    return out


def _role_of(table_id: str) -> dict[tuple[int, int], str]:
    """Return ``total`` or ``change`` for the printed totals and changes, by cell."""
    ch = load_checks()
    ch = ch[(ch["table_id"] == table_id) & (ch["column"] != "")]
    out = {}
    for r in ch.to_dict("records"):
        key = (int(r["line"]), int(float(r["column"])))
        if r["check"] == "fluctuation":
            out[key] = "change"
        elif r["check"].startswith("sum:"):
            out[key] = "total"
    return out


def _drop_later(rows: list[dict], years: dict, year: int) -> tuple[list[dict], set[int]]:
    """Leave out rows and columns whose value cells are all of later years or changes."""
    later = {str(y) for y in range(year + 1, year + 50)} | {"change"}

    def only_later(keys) -> bool:
        tags = {years[k] for k in keys if k in years}
        return bool(tags) and tags <= later

    width = max((len(r["cells"]) for r in rows), default=0)
    body = [r for r in rows if r["kind"] == "body"]
    drop_cols = {
        c
        for c in range(1, width + 1)
        if only_later((r["line"], c) for r in body if c <= len(r["cells"]) and r["cells"][c - 1])
    }
    kept = []
    for r in rows:
        cells = [(r["line"], c) for c in range(1, len(r["cells"]) + 1) if c not in drop_cols]
        if r["kind"] == "body" and only_later(k for k in cells if r["cells"][k[1] - 1]):
            continue
        kept.append(r)
    return kept, drop_cols


# --------------------------------------------------------------------------------------
# Notes: one sentence per finding, in plain words
# --------------------------------------------------------------------------------------


def _header_paths(header: list[list[str]], width: int) -> list[str]:
    paths = []
    for c in range(width):
        parts = []
        for row in header_spans(header):
            for start, span, _, text in row:
                if start <= c < start + span and text:
                    parts.append(text)
        paths.append(" / ".join(dict.fromkeys(parts)))
    return paths


def _row_label(cells: list[str], values: set[int]) -> str:
    words = [c for i, c in enumerate(cells, 1) if c and i not in values and not is_value(c)]
    return " ".join(words) if words else " ".join(c for c in cells[:1] if c)


_LEADING_NUMBER = re.compile(r"^[=<>\s]*(-?[\d,]*\.?\d+%?)")


def _num(text, decimals: int | None = None) -> str:
    """Return the leading number of an audit value ("29.78% = (2022 - 2021) …" → "29.78").

    With ``decimals`` the number is written with that many decimals; otherwise whole
    numbers have none and others two.
    """
    m = _LEADING_NUMBER.match(str(text))
    if not m:
        return str(text)
    v = float(m.group(1).replace(",", "").rstrip("%"))
    if decimals is None:
        decimals = 0 if v.is_integer() else 2
    return f"{v:,.{decimals}f}"


def note_text(f: dict, where: str) -> str:
    """Return the note for one finding at a cell described as ``where``.

    Parameters
    ----------
    f : dict
        A finding (:func:`nssf_analysis.audit.results.findings` columns).
    where : str
        The cell in words ("Grand Total (1+2), Expenditure (Billion Riels) / 2022").
    """
    rule, cls = f["rule"], f["class"]
    printed = f["printed"]
    if rule == "fluctuation" and cls == "convention":
        return CONVENTION_NOTE
    if rule == "fluctuation":
        gap = ", within the rounding of the printed figures" if cls == "rounding" else ""
        return (
            f"{where}: the report prints {printed}; from the printed figures the change is "
            f"{_num(f['expected'], 2)} %{gap}."
        )
    if rule == "sum":
        gap = ", within the rounding of the printed parts" if cls == "rounding" else ""
        return (
            f"{where}: the report prints {printed}; its printed parts add up to "
            f"{_num(f['expected'])}{gap}."
        )
    if rule == "precision":
        return (
            f"{where}: printed as {printed}, not with the {f['expected']} of the table's "
            "other values of this unit."
        )
    if rule == "shifted_cells":
        return (
            f"{where}: the row prints one cell fewer than its header has columns; its values "
            "are read as aligned to the right."
        )
    if rule == "blank":
        return f"{where}: left blank where {wording.plain(f['expected'])} is expected."
    if rule == "unit":
        return (
            f"{where}: printed as {printed}, while the report's text gives the same figure as "
            f"{f['expected']}; one of the two unit labels is wrong (the methodology states "
            "the reading this book uses)."
        )
    return wording.plain(f.get("sentence") or f"{where}: the report prints {printed}.")


# --------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------


def _info(table_id: str) -> dict:
    return catalog_row(table_id)


@data_cache(persist=True, maxsize=128)
def printed_table(table_id: str, year: int) -> PrintedTable:
    """Return a report table as printed, for the book of ``year``.

    The result is kept on disk while the files it read are unchanged
    (:func:`nssf_analysis.data.cache.data_cache`): the chapter that shows the table
    computes it, the book's page writer loads it for the table's downloads
    (:func:`nssf_analysis.render.printed.display_frame`).  Callers share it and must not
    change it in place.

    Parameters
    ----------
    table_id : str
        A numbered, annex or text table (``t01`` … ``t71``, ``a6_1_1`` …, ``t65``).
    year : int
        The book's year: the report year shows the whole printed table; an earlier
        year leaves out the columns and rows of later years and the changes.

    Returns
    -------
    PrintedTable
    """
    info = _info(table_id)
    rows = _rows(table_id)
    years = _cell_years(table_id)
    report_year = max(available_years())
    dropped: set[int] = set()
    if year < report_year:
        rows, dropped = _drop_later(rows, years, year)
    width = max((len(r["cells"]) for r in rows), default=0)
    keep = [c for c in range(1, width + 1) if c not in dropped]
    roles = _role_of(table_id)
    values = {c for (_, c) in years}

    # notes: one number per distinct sentence, in reading order; the differences within
    # rounding of two or more cells shown share one sentence (audit.notes.rounding_note),
    # a single one keeps its own, which gives both figures
    from nssf_analysis.analysis.audit.notes import is_shared, rounding_note

    by_cell: dict[tuple[int, int], list[dict]] = {}
    for f in _findings(table_id):
        by_cell.setdefault((f["line"], f["column"]), []).append(f)
    lines_shown = {r["line"] for r in rows if r["kind"] == "body"}
    within = [
        f
        for (line, col), found in by_cell.items()
        if line in lines_shown and col in keep
        for f in found
        if is_shared(f)
    ]
    shared = rounding_note(within) if len(within) > 1 else ""
    h0, h1 = _header_group(rows)
    first_header = [r["cells"] for r in rows[h0:h1]]
    paths = _header_paths(first_header, width)
    notes: list[Note] = []
    numbers: dict[str, int] = {}

    def mark(line: int, col: int, cells: list[str]) -> list[int]:
        found = list(by_cell.get((line, col), []))
        if keep and col == keep[0]:
            found = by_cell.get((line, 0), []) + found
        out = []
        for f in found:
            if f["column"] == 0:  # a finding about the whole row
                where = f["location"] or _row_label(cells, values)
            else:
                where = ", ".join(p for p in (_row_label(cells, values), paths[col - 1]) if p)
            text = shared if shared and is_shared(f) else note_text(f, where)
            if text not in numbers:
                numbers[text] = len(notes) + 1
                notes.append(Note(numbers[text], f["class"], text))
            if numbers[text] not in out:
                out.append(numbers[text])
        return out

    def select(cells: list[str]) -> list[str]:
        cells = cells + [""] * (width - len(cells))
        return [cells[c - 1] for c in keep]

    header_cells = [select(r) for r in first_header]
    columns = _header_paths(header_cells, len(keep))
    header = [
        [Cell(text, "head", colspan=span, rowspan=down) for _, span, down, text in row]
        for row in header_spans(header_cells)
    ]
    body = []
    seen_header = {tuple(map(tuple, header_cells))}
    rest = rows[:h0] + rows[h1:]
    pending_header: list[list[str]] = []
    for r in rest:
        if r["kind"] == "header":
            pending_header.append(select(r["cells"]))
            continue
        if pending_header:
            if tuple(map(tuple, pending_header)) not in seen_header:
                for row in header_spans(pending_header):
                    body.append(
                        ("header", [Cell(t, "head", colspan=s, rowspan=d) for _, s, d, t in row])
                    )
            pending_header = []
        if r["kind"] == "block":
            label = next((c for c in r["cells"] if c), "")
            body.append(("block", [Cell(label, "block", colspan=len(keep))]))
            continue
        cells = []
        full = r["cells"] + [""] * (width - len(r["cells"]))
        for c in keep:
            text = full[c - 1]
            key = (r["line"], c)
            if key in years or key in roles:
                kind = roles.get(key, "value")
            elif not text:
                kind = "blank"
            else:
                kind = "value" if c in values and is_value(text) else "label"
            cells.append(Cell(text, kind, mark(r["line"], c, full)))
        body.append(("body", cells))

    lines = _lines(info, table_id, year, report_year)
    return PrintedTable(
        table_id=table_id,
        label=info["label"],
        title=info["title"],
        header=header,
        body=body,
        lines=lines,
        notes=notes,
        width=len(keep),
        columns=columns,
    )


def _header_group(rows: list[dict]) -> tuple[int, int]:
    """Return the slice of the first run of header rows (the table's own header)."""
    start = next((i for i, r in enumerate(rows) if r["kind"] == "header"), 0)
    end = start
    while end < len(rows) and rows[end]["kind"] == "header":
        end += 1
    return start, end


def source_lines(info: dict, units: list[str]) -> list[str]:
    """Return the lines below a table: its units, its source and the report's note.

    Parameters
    ----------
    info : dict
        The table's row of the catalog (``source``, ``notes``).
    units : list of str
        The units to state (none: no unit line).

    Returns
    -------
    list of str
        Plain text, e.g. ``["Unit: persons.", "Source: NSSF."]``.
    """
    out = []
    units = [u for u in units if u]
    if units:
        out.append(f"Unit: {', '.join(units)}.")
    if info.get("source"):
        out.append(f"Source: {info['source']}.")
    if info.get("notes"):
        out.append(f"Note: {info['notes']}.")
    return out


def _lines(info: dict, table_id: str, year: int, report_year: int) -> list[str]:
    out = source_lines(info, str(info.get("unit", "")).split("; "))
    if year < report_year:
        out.append(
            f"The {year} figures are those the {report_year} report prints for comparison; "
            f"its {report_year} figures and changes are left out here."
        )
    return out


def display_frame(table_id: str, year: int) -> pd.DataFrame:
    """Return the table as displayed: printed strings, one column per printed column.

    Columns are headed by their header path ("Total / Members"); block tables get a
    first column ``Block``; repeated header rows are left out; markers are not part of
    the cells.

    Parameters
    ----------
    table_id : str
        A numbered, annex or text table.
    year : int
        The book's year (see :func:`printed_table`).
    """
    t = printed_table(table_id, year)
    names = [n or f"Column {j + 1}" for j, n in enumerate(t.columns)]
    seen: dict[str, int] = {}
    for j, n in enumerate(names):
        seen[n] = seen.get(n, 0) + 1
        if seen[n] > 1:
            names[j] = f"{n} ({seen[n]})"
    records = [[c.text if c else "" for c in row] for row in t.rows()]
    has_blocks = any(k == "block" for k, _ in t.body)
    cols = ["Block", *names] if has_blocks else names
    return pd.DataFrame(records, columns=cols, dtype=str)
