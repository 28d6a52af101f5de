"""Downloads where the reader is: under every table and graphic, links to its data.

Workbooks are reproducible byte for byte.  Text from the report stays inert: never a formula
in a workbook; in a CSV, ``'`` before a cell a spreadsheet would evaluate (OWASP).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from nssf_analysis import paths
from nssf_analysis import publication as site
from nssf_analysis.data.cache import data_cache
from nssf_analysis.data.catalog import catalog, catalog_row, load_table
from nssf_analysis.publication import publication

__all__ = ["annotate", "graphic_file", "links_html", "spreadsheet_text", "table_files"]
__all__ += ["table_workbook", "workbook_bytes", "write_workbook"]

#: Where the tables as shown and the graphics' data go in the book.
SHOWN_DIR, GRAPHICS_DIR = "data/shown", "data/graphics"
#: The time of every workbook's zip entries and document properties.
FIXED_TIME = (2000, 1, 1, 0, 0, 0)
#: Fonts of a workbook's rows (:func:`workbook_bytes`).
STYLES = {"title": Font(bold=True, size=14), "head": Font(bold=True)}
_PLAIN_NUMBER = re.compile(r"^-?(\d{1,3}(,\d{3})*|\d+)(\.\d+)?$")
_PRINTED_NUMBER = re.compile(r"^-$|^[-+]?(\d[\d,]*(\.\d+)?|\.\d+)%?$")
_DIV_TAGS = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1>|<div\b([^>]*)>|</div\s*>", re.S)
_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")
_ATTR = re.compile(r"""\b(id|class)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")


def spreadsheet_text(value):
    """Return ``value``, with ``'`` before it if a spreadsheet would evaluate it.

    That is a text beginning ``=``, ``+``, ``-``, ``@``, tab or CR that is no number ("-12.5").
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return value if _PRINTED_NUMBER.match(value) else "'" + value
    return value


def _csv(frame: pd.DataFrame) -> bytes:
    frame = frame.rename(columns=spreadsheet_text).map(spreadsheet_text)
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _cell(ws, value, style: str) -> WriteOnlyCell:
    cell, text = WriteOnlyCell(ws, value), str(value).strip()
    if style == "numbers" and _PLAIN_NUMBER.match(text):
        decimals = len(text.partition(".")[2])
        cell.value = (float if decimals else int)(text.replace(",", ""))
        thousands = "#,##0" if "," in text else "0"
        cell.number_format = thousands + "." * bool(decimals) + "0" * decimals
    elif isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it begins with
    if style in STYLES:
        cell.font = STYLES[style]
    return cell


def workbook_bytes(title: str, sheets: dict[str, list], widths: dict[str, list]) -> bytes:
    """Return an Excel workbook whose bytes depend only on its content.

    ``sheets``: ``{name: [(style, values), …]}``, a row each (a text never a formula); style:
    :data:`STYLES`, "numbers" (a printed number becomes a number shown as printed) or "".
    """
    wb = Workbook(write_only=True)
    wb.properties.creator = wb.properties.lastModifiedBy = publication().publisher
    wb.properties.title = title
    for name, rows in sheets.items():
        ws = wb.create_sheet(name[:31])
        for j, width in enumerate(widths.get(name, []), start=1):
            ws.column_dimensions[get_column_letter(j)].width = width
        for style, values in rows:
            ws.append([_cell(ws, v, style) for v in values])
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


def table_workbook(frame, sheet, title, unit, source, notes, year, citation) -> bytes:
    """Return the Excel workbook of one table: its title, what is known of it, the table.

    ``frame``: cells as printed; ``unit``, ``source``: blank when unknown; ``citation``: the book's.
    """
    pub = publication()
    about = {
        "Unit": unit or "see the column headings",
        "Source": source or pub.source_publisher,
        **{f"Note {i}": note for i, note in enumerate(notes, start=1)},
        "Source of the figures": f"{site.figures_source(year, pub)}.",
        "Published by": ", ".join([pub.publisher] + ([pub.date.isoformat()] if pub.date else [])),
        "Licence": site.licence_statement(pub),
        "Contact": site.contact_text(pub),
        "How to cite": citation,
    }
    rows = [("title", [f"{title}, {year}"]), ("", ["Values as printed in the report."])]
    rows += [("", [f"{head}: {text}"]) for head, text in about.items()] + [("", [])]
    rows += [("head", [str(c) for c in frame.columns])]
    rows += [("numbers", [str(v) for v in row]) for row in frame.itertuples(index=False)]
    columns = [[c, *frame.iloc[:, j]] for j, c in enumerate(frame)]
    widths = [min(60, max(10, *(len(str(v)) + 2 for v in col))) for col in columns]
    return workbook_bytes(title, {sheet: rows}, {sheet: widths})


@data_cache(persist=True)
def table_files(table_id: str, year: int, citation: str) -> dict[str, bytes]:
    """Return the downloads of a table as shown (CSV, workbook): ``{path in the book: bytes}``.

    Empty when the table has no data for ``year``; ``citation`` goes into the workbook.
    Kept on disk while the data files it read are unchanged.
    """
    from nssf_analysis.render import directory_view, tables

    if year not in tables.table_years_any(table_id):
        return {}
    info = catalog_row(table_id)
    notes = [str(info["notes"])] if info.get("notes") else []
    if info["family"] == "directory":
        frame = directory_view.display_frame(table_id)
        notes.append("Type: read from the facility's name as the report prints it.")
    elif info["family"] == "text":
        frame = load_table(table_id)[["partner", "project", "outcome"]].fillna("").astype(str)
        frame.columns = ["Partner", "Project", "Outcome"]
    else:
        frame = tables.report_frame(table_id, year).fillna("")
        notes.append(
            "Totals and changes are printed as in the report; where a recomputed value "
            "differs, the book marks the cell and its data-quality chapter explains it."
        )
    about = (f"{info['label']}: {info['title']}", info["unit"], info["source"], notes)
    xlsx = table_workbook(frame, table_id, *about, year, citation)
    return {f"{SHOWN_DIR}/{table_id}.csv": _csv(frame), f"{SHOWN_DIR}/{table_id}.xlsx": xlsx}


@data_cache(persist=True)
def graphic_file(number: int, year: int) -> bytes | None:
    """Return the CSV of the data a graphic draws, None when it draws nothing that year."""
    from nssf_analysis.render import charts

    return _csv(charts.graphic_data(number, year)) if charts.has_data(number, year) else None


def links_html(label: str, links: list[tuple[str, str]]) -> str:
    """Return the line of download links ``[(href, text), …]`` put under a table or graphic."""
    items = Markup(" · ").join(Markup('<a href="{}" download>{}</a>').format(*x) for x in links)
    line = '<p class="nssf-downloads"><span class="nssf-downloads-label">{}:</span> {}</p>'
    return str(Markup(line).format(f"Download {label}", items))


def annotate(fragment: str, book_dir: Path, year: int, citation: str, table_ids: set[str]) -> str:
    """Write the downloads of a chapter's tables and graphics; return it with their links.

    ``fragment``: the chapter's rendered cells; ``book_dir``: the book folder (files go under
    its ``data/``); ``citation``: in the workbooks; ``table_ids``: the catalog's tables.  A
    table's links go after it; a graphic's after its image, or after its source line.
    """
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
            files, at = table_files(d["id"], year, citation), d["end"]
            links = [(f, f"table as shown ({'Excel' if f[-1] == 'x' else 'CSV'})") for f in files]
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
            files = {f"{GRAPHICS_DIR}/graphic-{m[1]}.csv": data} if data else {}
            links = [(f, "data drawn (CSV)") for f in files]
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


def write_workbook(target: Path) -> None:
    """Write every tidy table into one Excel workbook: the catalog, then a sheet per table.

    Text is a string cell, never a formula; the same data give the same bytes.
    """
    frames = {"catalog": catalog()}
    for t in frames["catalog"]["table_id"]:
        frames[t] = pd.read_csv(paths.tidy_dir() / f"{t}.csv", keep_default_na=False)
    sheets = {n: [("head", [str(c) for c in f.columns])] for n, f in frames.items()}
    for name, f in frames.items():
        sheets[name] += [("", r) for r in f.astype(object).where(f.notna(), None).itertuples(False)]
    Path(target).write_bytes(workbook_bytes("NSSF annual report: every tidy table", sheets, {}))
