"""Downloads where the reader is: under every table and graphic, links to its data.

A table as shown has three files: an Excel workbook, a CSV and the CSV's description.

* The workbook: a cover (title, unit, source, the table's notes, licence, citation), the
  table, and a sheet ``notes``.  A printed number is a number with a number format:
  a count ``#,##0``, an amount with the decimals the report prints (``#,##0.00``), a
  percentage a fraction shown as printed ("18.08%" is 0.1808 with ``0.00%``).  A number
  that labels a row (a year, a row number, a code) is an integer with the format ``0``,
  never with a thousands separator; a section number ("1.1") and the column headings stay
  text.  Every note the book puts on a cell (:func:`nssf_analysis.render.printed.
  printed_table`) is a comment on that cell and a row of ``notes`` (cell reference, the
  cell's value, the note's number in the book, its text); the table's own notes head it.
* The CSV: the cells as printed, in UTF-8.
* Its description, ``<name>.csv-metadata.json`` beside it (where a CSVW processor looks
  first): title, unit, source, licence, citation, the columns, and every note: a note on
  a cell targets it with an RFC 7111 fragment (``t18.csv#cell=3,5``: the header line is
  row 1).  A graphic's CSV has one too.

Workbooks are reproducible byte for byte.  Text from the report stays inert: in a workbook
a text is a string cell, never a formula.  In a CSV, a cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return and is no printed number ("-12.5", "+8.57%", the
lone "-" the report prints for nothing) gets an apostrophe before it (OWASP's advice on
CSV injection): "- Train staff" is written "'- Train staff".  An apostrophe rather than a
space because importers trim spaces (LibreOffice's "Trim spaces", pandas'
``skipinitialspace``), which would bring the formula back, while an apostrophe stays,
shows plainly that the text was changed, and is one character to strip.  The raw and
tidy layers in ``data/`` stay exact; only the downloads made here are changed.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from nssf_analysis import paths
from nssf_analysis import publication as site
from nssf_analysis.data.cache import data_cache
from nssf_analysis.data.catalog import (
    catalog,
    catalog_row,
    load_graphics,
)
from nssf_analysis.publication import publication

__all__ = ["Value", "annotate", "csv_metadata", "graphic_file", "links_html", "printed_value"]
__all__ += ["spreadsheet_text", "table_files", "table_workbook", "workbook_bytes"]
__all__ += ["graphic_metadata", "write_workbook"]

#: Where the tables as shown and the graphics' data go in the book.
SHOWN_DIR, GRAPHICS_DIR = "data/shown", "data/graphics"
#: The name of a CSV's description beside it (CSVW's first place to look).
METADATA = "{}-metadata.json"
#: The time of every workbook's zip entries and document properties.
FIXED_TIME = (2000, 1, 1, 0, 0, 0)
#: Fonts of a workbook's rows (:func:`workbook_bytes`).
STYLES = {"title": Font(bold=True, size=14), "head": Font(bold=True)}
#: The sheet of a table's notes.
NOTES_SHEET = "notes"
#: What the book says of the printed totals and changes of a numbered or annex table.
MARKED_NOTE = (
    "Totals and changes are printed as in the report; where a recomputed value differs, "
    "the book marks the cell: here the cell has a comment and a row of the notes sheet, "
    "and the book's data-quality chapter explains it."
)
_NUMBER = re.compile(r"^([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%?)$")
_PRINTED_NUMBER = re.compile(r"^-$|^[-+]?(\d[\d,]*(\.\d+)?|\.\d+)%?$")
_DIV_TAGS = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1>|<div\b([^>]*)>|</div\s*>", re.S)
_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")
_ATTR = re.compile(r"""\b(id|class)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")


def spreadsheet_text(value):
    """Return ``value``, with ``'`` before it if a spreadsheet would evaluate it.

    That is a text beginning ``=``, ``+``, ``-``, ``@``, tab or CR that is no number ("-12.5")
    and no lone "-".
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return value if _PRINTED_NUMBER.match(value) else "'" + value
    return value


def _csv(frame: pd.DataFrame) -> bytes:
    frame = frame.rename(columns=spreadsheet_text).map(spreadsheet_text)
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


@dataclass(frozen=True)
class Value:
    """A workbook cell: its value, number format, comment and link (a place in the book)."""

    value: object
    number_format: str | None = None
    comment: str | None = None
    link: str | None = None


def printed_value(text: str, label: bool = False) -> Value:
    """Return a printed cell as a workbook value: a number with its format, or the text.

    Parameters
    ----------
    text : str
        The cell as printed ("20,448", "120.63", "18.08%", "2022", "-", "Head Offices").
    label : bool
        Whether the cell labels its row: a whole number there (a year, a row number, a
        code) is an integer shown without a separator (``0``); a number with a point (a
        section, "1.1") or a leading zero stays text.

    Examples
    --------
    >>> printed_value("20,448")
    Value(value=20448, number_format='#,##0', comment=None, link=None)
    >>> printed_value("18.08%")
    Value(value=0.1808, number_format='0.00%', comment=None, link=None)
    >>> printed_value("2022", label=True).number_format
    '0'
    """
    text = str(text).strip()
    m = _NUMBER.match(text)
    if not m:
        return Value(text or None)
    sign, whole, decimals, percent = m.groups()
    decimals = decimals or ""
    if label and not percent and "," not in whole:
        if decimals or (whole[0] == "0" and len(whole) > 1):
            return Value(text)
        return Value(int(text), "0")
    grouped = "," in whole or not percent  # counts and amounts: thousands; percentages: as printed
    fmt = ("#,##0" if grouped else "0") + ("." + "0" * len(decimals) if decimals else "")
    number = f"{sign}{whole.replace(',', '')}.{decimals or '0'}"
    if percent:
        value: float | int = round(float(number) / 100, len(decimals) + 2)
        fmt += "%"
    else:
        value = float(number) if decimals else int(float(number))
    if sign == "+":  # a printed plus stays on screen
        fmt = f"+{fmt};-{fmt};{fmt}"
    return Value(value, fmt)


def _cell(ws, value, style: str, author: str):
    if style not in STYLES and not isinstance(value, Value):
        if not isinstance(value, str) or not (value[:1] == "=" or value in ERROR_CODES):
            return value  # as openpyxl writes it: a number, or a text that is no formula
    spec = value if isinstance(value, Value) else Value(value)
    cell = WriteOnlyCell(ws, spec.value)
    if isinstance(spec.value, str):
        cell.data_type = "s"  # never a formula, whatever it begins with
    if spec.number_format:
        cell.number_format = spec.number_format
    if spec.comment:
        lines = sum(1 + len(part) // 60 for part in spec.comment.split("\n"))
        cell.comment = Comment(spec.comment, author, height=20 + 15 * lines, width=360)
    if spec.link:
        cell.hyperlink = Hyperlink(ref="", location=spec.link)
    if style in STYLES:
        cell.font = STYLES[style]
    return cell


def workbook_bytes(title: str, sheets: dict[str, list], widths: dict[str, list], pub=None) -> bytes:
    """Return an Excel workbook whose bytes depend only on its content.

    ``sheets``: ``{name: [(style, values), …]}``, a row each; style: :data:`STYLES` or "".
    A value is a :class:`Value` (a number format, a comment, a link) or a plain value; a
    text is a string cell, never a formula; ``pub``: the publication (default: as set now).
    """
    wb = Workbook(write_only=True)
    author = (pub or publication()).publisher  # the workbook's and its comments'
    wb.properties.creator = wb.properties.lastModifiedBy = author
    wb.properties.title = title
    for name, rows in sheets.items():
        ws = wb.create_sheet(name[:31])
        for j, width in enumerate(widths.get(name, []), start=1):
            ws.column_dimensions[get_column_letter(j)].width = width
        for style, values in rows:
            ws.append([_cell(ws, v, style, author) for v in values])
    raw, out, stamp = io.BytesIO(), io.BytesIO(), b"%04d-%02d-%02dT%02d:%02d:%02dZ" % FIXED_TIME
    wb.save(raw)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # fixed times: of every entry, and the document's dates
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _DATES.sub(rb"\g<1>" + stamp, body)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def _about(unit, source, notes, year, citation, pub, more=()) -> dict[str, str]:
    return {
        "Unit": unit or "see the column headings",
        "Source": source or pub.source_publisher,
        **{f"Note {i}": note for i, note in enumerate(notes, start=1)},
        **dict(more),
        "Source of the figures": f"{site.figures_source(year, pub)}.",
        "Published by": ", ".join([pub.publisher] + ([pub.date.isoformat()] if pub.date else [])),
        "Licence": site.licence_statement(pub),
        "Contact": site.contact_text(pub),
        "How to cite": citation,
    }


def table_workbook(
    frame, sheet, title, unit, source, notes, year, citation, *, kinds=None, cell_notes=(), pub=None
) -> bytes:
    """Return the Excel workbook of one table: its cover and the table, then its notes.

    Parameters
    ----------
    frame : DataFrame
        The cells as printed (strings), headed as shown.
    sheet, title : str
        The table's sheet (its id) and title ("Table 18: …").
    unit, source : str
        Blank when unknown.
    notes : list of str
        The table's own notes (on the cover and at the top of the notes sheet).
    year : int
        The book's year.
    citation : str
        The book's.
    kinds : list of list of str, optional
        The kind of every cell of ``frame`` (:class:`nssf_analysis.render.printed.Cell`):
        ``label`` cells label their row (see :func:`printed_value`).  Default: the first
        column labels, the others are values.
    cell_notes : list of (int, int, int, str)
        The notes on cells: row and column of ``frame`` (from 0), the note's number in
        the book, its text.
    pub : Publication, optional
        The publication (default: as set now, :func:`nssf_analysis.publication.publication`).
    """
    pub, more = pub or publication(), []
    if cell_notes:
        cells = len({(i, j) for i, j, _, _ in cell_notes})
        more.append(
            (
                "Notes on cells",
                f"{len(cell_notes)} on {cells} cell{'s' * (cells > 1)}: each is a comment on "
                f"its cell and a row of the sheet '{NOTES_SHEET}'.",
            )
        )
    about = _about(unit, source, notes, year, citation, pub, more)
    intro = (
        "Values as printed in the report: a number is a number shown with the report's "
        "decimals, a percentage a fraction shown as a percentage."
    )
    rows = [("title", [f"{title}, {year}"]), ("", [intro])]
    rows += [("", [f"{head}: {text}"]) for head, text in about.items()] + [("", [])]
    rows += [("head", [str(c) for c in frame.columns])]
    first = len(rows) + 1  # the worksheet row of the table's first row

    def ref(i: int, j: int) -> str:
        return f"{get_column_letter(j + 1)}{first + i}"

    on_cell: dict[tuple[int, int], list[str]] = {}
    for i, j, number, text in cell_notes:
        on_cell.setdefault((i, j), []).append(f"Note {number}: {text}")
    values = [
        [
            printed_value(str(text), (kinds[i][j] == "label") if kinds else j == 0)
            for j, text in enumerate(row)
        ]
        for i, row in enumerate(frame.itertuples(index=False))
    ]
    for (i, j), texts in on_cell.items():
        values[i][j] = Value(values[i][j].value, values[i][j].number_format, "\n".join(texts))
    rows += [("", row) for row in values]
    quoted = "'" + sheet[:31].replace("'", "''") + "'"
    listed = [("title", [f"Notes: {title}, {year}"])]
    listed += [
        ("", [f"Cell: the cell of the sheet '{sheet[:31]}' the note is on (a link to it)."]),
        ("", ["Value: that cell's value; Note no.: the note's number in the book."]),
        ("", []),
        ("head", ["Cell", "Value", "Note no.", "Text"]),
    ]
    listed += [("", ["(whole table)", None, None, text]) for text in notes]
    for i, j, number, text in sorted(cell_notes):
        shown = Value(values[i][j].value, values[i][j].number_format)
        listed.append(("", [Value(ref(i, j), link=f"{quoted}!{ref(i, j)}"), shown, number, text]))
    columns = [[c, *frame.iloc[:, j]] for j, c in enumerate(frame)]
    widths = [min(60, max(10, *(len(str(v)) + 2 for v in col))) for col in columns]
    sheets = {sheet: rows, NOTES_SHEET: listed}
    return workbook_bytes(title, sheets, {sheet: widths, NOTES_SHEET: [16, 14, 8, 100]}, pub)


def csv_metadata(
    name,
    frame,
    title,
    unit,
    source,
    notes,
    year,
    citation,
    cell_notes=(),
    description=None,
    pub=None,
) -> bytes:
    """Return the CSVW description of a CSV download (``<name>-metadata.json`` beside it).

    Parameters
    ----------
    name : str
        The CSV's file name ("t18.csv"), the ``url`` the description is of.
    frame : DataFrame
        What the CSV holds (its columns are described).
    title, unit, source, notes, year, citation
        As for :func:`table_workbook`.
    cell_notes : list of (int, int, int, str)
        The notes on cells (row and column of ``frame`` from 0, number, text); each targets
        its cell by an RFC 7111 fragment, the header line being row 1.
    description : str, optional
        What the values are; by default "Values as printed in the report."
    pub : Publication, optional
        As for :func:`table_workbook`.
    """
    pub = pub or publication()

    def note(target: str, text: str) -> dict:
        return {
            "type": "Annotation",
            "motivation": "commenting",
            "target": target,
            "bodyValue": text,
        }

    described = {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": name,
        "dc:title": f"{title}, {year}",
        "dc:description": description or "Values as printed in the report.",
        "schema:unitText": unit or "see the column headings",
        "dc:source": [source or pub.source_publisher, f"{site.figures_source(year, pub)}."],
        "dc:publisher": pub.publisher,
        "dc:license": {"@id": pub.data_licence.path},
        "dc:rights": site.licence_statement(pub),
        "dc:bibliographicCitation": citation,
        "notes": [note(name, text) for text in notes]
        + [
            note(f"{name}#cell={i + 2},{j + 1}", f"Note {number}: {text}")
            for i, j, number, text in sorted(cell_notes)
        ],
        "dialect": {"header": True, "encoding": "utf-8"},
        "tableSchema": {
            "columns": [
                {"titles": str(spreadsheet_text(str(c))), "datatype": _datatype(frame[c])}
                for c in frame
            ]
        },
    }
    return (json.dumps(described, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _datatype(column: pd.Series) -> str:
    """Return the CSVW datatype of a column: integer, number or string."""
    if pd.api.types.is_integer_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return "integer"
    return "number" if pd.api.types.is_float_dtype(column) else "string"


def _printed_cells(table_id: str, year: int, frame: pd.DataFrame):
    """Return the kinds of the cells of a printed table as shown, and the notes on them.

    ``frame`` is the table as shown (:func:`nssf_analysis.render.printed.display_frame`):
    its rows are the printed body rows, after a column ``Block`` when the table has blocks.
    """
    from nssf_analysis.render.printed import printed_table

    t = printed_table(table_id, year)
    texts = {n.number: n.text for n in t.notes}
    grid = t.rows()
    shown = [[c.text if c else "" for c in row] for row in grid]
    if shown != frame.astype(str).values.tolist():
        raise ValueError(f"{table_id} ({year}): the table as shown is not its printed cells")
    kinds = [["label" if c is None or c.kind == "block" else c.kind for c in row] for row in grid]
    cell_notes = [
        (i, j, n, texts[n])
        for i, row in enumerate(grid)
        for j, c in enumerate(row)
        if c is not None and c.kind != "block"
        for n in c.notes
    ]
    later = [x for x in t.lines if not x.startswith(("Unit: ", "Source: ", "Note: "))]
    return kinds, cell_notes, later


@data_cache(persist=True)
def table_files(table_id: str, year: int, citation: str, pub=None) -> dict[str, bytes]:
    """Return the downloads of a table as shown: ``{path in the book: bytes}``.

    The CSV, its CSVW description and the workbook; empty when the table has no data for
    ``year``; ``citation`` goes into the workbook and the description, and ``pub`` (default:
    as set now) says who publishes them.  Kept on disk while the data files it read are
    unchanged.
    """
    from nssf_analysis.render import directory_view, tables

    if year not in tables.table_years_any(table_id):
        return {}
    pub = pub or publication()  # read once, for the workbook and the description
    info = catalog_row(table_id)
    notes = [str(info["notes"])] if info.get("notes") else []
    kinds, cell_notes = None, []
    if info["family"] == "directory":
        frame = directory_view.display_frame(table_id)
        notes.append("Type: read from the facility's name as the report prints it.")
        kinds = [["label"] * frame.shape[1]] * len(frame)
    else:  # a text table too (Table 65): as printed, as its page shows it
        frame = tables.report_frame(table_id, year).fillna("")
        kinds, cell_notes, later = _printed_cells(table_id, year, frame)
        notes += [*later, MARKED_NOTE]
    title = f"{info['label']}: {info['title']}"
    about = (title, info["unit"], info["source"], notes, year, citation)
    xlsx = table_workbook(frame, table_id, *about, kinds=kinds, cell_notes=cell_notes, pub=pub)
    name = f"{table_id}.csv"
    return {
        f"{SHOWN_DIR}/{name}": _csv(frame),
        f"{SHOWN_DIR}/{METADATA.format(name)}": csv_metadata(
            name, frame, *about, cell_notes, pub=pub
        ),
        f"{SHOWN_DIR}/{table_id}.xlsx": xlsx,
    }


@data_cache(persist=True)
def graphic_file(number: int, year: int) -> bytes | None:
    """Return the CSV of the data a graphic draws, None when it draws nothing that year."""
    from nssf_analysis.render import charts

    return _csv(charts.graphic_data(number, year)) if charts.has_data(number, year) else None


@data_cache(persist=True)
def graphic_metadata(number: int, year: int, citation: str, pub=None) -> bytes:
    """Return the CSVW description of a graphic's CSV (:func:`graphic_file`).

    ``pub``: as for :func:`table_files`.
    """
    from nssf_analysis.render import charts

    info = load_graphics().set_index("graphic_id").loc[f"graphic-{number}"]
    data = charts.graphic_data(number, year)
    units = "; ".join(sorted({str(u) for u in data["unit"] if str(u)}))
    title = f"{info['label']}: {info['title']}"
    name = f"graphic-{number}.csv"
    table = catalog_row(charts.GRAPHICS[number][0])["label"]
    what = f"The data the graphic draws, read from {table} of the report."
    about = (title, units, info["source"], [], year, citation)
    return csv_metadata(name, data, *about, description=what, pub=pub)


#: The words of a download's link, by how its file name ends.
LINK_TEXT = {
    ".xlsx": "table as shown (Excel)",
    ".csv": "table as shown (CSV)",
    "-metadata.json": "the CSV's title, unit, source and notes (CSVW JSON)",
}


def links_html(label: str, links: list[tuple[str, str]]) -> str:
    """Return the list of download links ``[(href, text), …]`` put under a table or graphic.

    A labelled ``<ul>``, one ``<li>`` per link; the stylesheet shows it as one line of links
    separated by " · ".
    """
    items = Markup("").join(
        Markup('<li><a href="{}" download>{}</a></li>').format(*x) for x in links
    )
    block = (
        '<div class="nssf-downloads"><span class="nssf-downloads-label">{}:</span> '
        "<ul>{}</ul></div>"
    )
    return str(Markup(block).format(f"Download {label}", items))


def annotate(
    fragment: str, book_dir: Path, year: int, citation: str, table_ids: set[str], pub=None
) -> str:
    """Write the downloads of a chapter's tables and graphics; return it with their links.

    ``fragment``: the chapter's rendered cells; ``book_dir``: the book folder (files go under
    its ``data/``); ``citation``: in the workbooks; ``table_ids``: the catalog's tables;
    ``pub``: the publication (default: as set now, read once).  A
    table's links go after it; a graphic's after its image, or after its source line.
    """
    pub = pub or publication()
    divs, stack = [], []  # each <div>, as it ends: start, end, id, classes, depth
    for m in _DIV_TAGS.finditer(fragment):
        if m[2] is not None:
            a = {k: html.unescape(x + y + z) for k, x, y, z in _ATTR.findall(m[2])}
            stack.append(dict(start=m.start(), id=a.get("id", ""), cls=a.get("class", "").split()))
        elif m[0].startswith("</") and stack:
            divs.append(stack.pop() | {"end": m.end(), "depth": len(stack)})
    kids = sorted((d for d in divs if "jp-OutputArea-child" in d["cls"]), key=lambda d: d["start"])
    blocks = [d["start"] for d in divs if {"nssf-table", "nssf-graphic"} & {*d["cls"]} and d["id"]]
    inserts = []
    for d in divs:
        if "nssf-table" in d["cls"] and d["id"] in table_ids:
            files, at = table_files(d["id"], year, citation, pub), d["end"]
            links = [(f, next(v for k, v in LINK_TEXT.items() if f.endswith(k))) for f in files]
            if (paths.tidy_dir() / f"{d['id']}.csv").exists():
                links.append((f"data/tidy/{d['id']}.csv", "tidy data (CSV)"))
            label = catalog_row(d["id"])["label"]
        elif "nssf-graphic" in d["cls"] and (m := re.fullmatch(r"graphic-(\d+)", d["id"])):
            stop, at = min([b for b in blocks if b > d["start"]], default=len(fragment)), None
            for mine in [c for c in kids if c["start"] <= d["start"] < c["end"]][-1:]:
                later = [c for c in kids if mine["end"] <= c["start"] < stop]
                later = [c for c in later if c["depth"] == mine["depth"]] + [None]
                for c, after in zip(later, later[1:], strict=False):
                    if at is None and c and "<img" in fragment[c["start"] : c["end"]]:
                        source = after and "Source:" in fragment[after["start"] : after["end"]]
                        at = (after if source else c)["end"]
            data, label = graphic_file(int(m[1]), year) if at else None, f"Graphic {m[1]}"
            name = f"{GRAPHICS_DIR}/graphic-{m[1]}.csv"
            files = {name: data} if data else {}
            if data:
                files[METADATA.format(name)] = graphic_metadata(int(m[1]), year, citation, pub)
            links = [
                (f, "data drawn (CSV)" if f == name else LINK_TEXT["-metadata.json"]) for f in files
            ]
        else:
            continue
        for rel, data in files.items():
            (Path(book_dir) / rel).parent.mkdir(parents=True, exist_ok=True)
            (Path(book_dir) / rel).write_bytes(data)
        if links:
            inserts.append((at, -len(inserts), links_html(label, links)))
    parts, last = [], 0
    for at, _, line in sorted(inserts):  # of two lines at one place, the later found first
        parts, last = [*parts, fragment[last:at], "\n", line], at
    return "".join(parts) + fragment[last:]


def _tidy_cell(column: str, value):
    """Return a tidy table's cell for the workbook: digits as a number, a value formatted.

    A code or a single year printed as digits (``"4"``, ``"2022"``) is a number without a
    thousands separator; a figure of the ``value`` column keeps its decimals and gets one.
    """
    if isinstance(value, str):
        return int(value) if re.fullmatch(r"0|[1-9]\d{0,14}", value) else value or None
    if pd.isna(value):
        return None
    if column == "value" and isinstance(value, int | float) and not isinstance(value, bool):
        decimals = len(f"{value:.6f}".rstrip("0").split(".")[1])
        return Value(value, "#,##0" + ("." + "0" * decimals if decimals else ""))
    return value


def write_workbook(target: Path) -> None:
    """Write every tidy table into one Excel workbook: the catalog, then a sheet per table.

    Text is a string cell, never a formula; the catalog's counts are numbers; the same data
    give the same bytes.
    """
    frames = {"catalog": catalog().astype(object)}
    for t in frames["catalog"]["table_id"]:
        frames[t] = pd.read_csv(paths.tidy_dir() / f"{t}.csv", keep_default_na=False)
    sheets = {n: [("head", [str(c) for c in f.columns])] for n, f in frames.items()}
    for name, f in frames.items():
        f = f.astype(object)
        sheets[name] += [
            ("", [_tidy_cell(c, v) for c, v in zip(f.columns, r, strict=True)]) for r in f.values
        ]
    Path(target).write_bytes(workbook_bytes("NSSF annual report: every tidy table", sheets, {}))
