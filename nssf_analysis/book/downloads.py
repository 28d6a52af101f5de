"""Downloads where the reader is: under every table and graphic, links to its data.

:func:`annotate` finds the report's tables (``<div class="nssf-table" id="t10">`` …)
and graphics (``<div class="nssf-graphic" id="graphic-3">``) in a rendered chapter,
writes their data into the book and puts a line of links under each:

- a table: the table as shown (the printed values, totals and changes included,
  :func:`nssf_analysis.tables.report_frame`) as CSV (``data/shown/<id>.csv``) and as an
  Excel workbook (``data/shown/<id>.xlsx``), and its tidy CSV (``data/tidy/<id>.csv``);
- a graphic: the exact data it draws (:func:`nssf_analysis.charts.graphic_data`) as
  CSV (``data/graphics/graphic-<n>.csv``).

The workbook of a table follows the conventions of UK official statistics (gptables):
a cover sheet (title, what the workbook holds, source, licence, contact, citation), a
notes sheet and the table's sheet, which starts with its title, unit and source.  Its
bytes depend only on its content (fixed times).
"""

from __future__ import annotations

import functools
import html as html_mod
import io
import re
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from nssf_analysis.book.buildcache import FIXED_TIME, reproducible_zip
from nssf_analysis.book.pages import scan_fragment
from nssf_analysis.data.cache import data_cache

#: Folders of the book's data folder for the tables as shown and the graphics' data.
SHOWN_DIR = "data/shown"
GRAPHICS_DIR = "data/graphics"
_GRAPHIC_ID = re.compile(r"^graphic-(\d+)$")
_PLAIN_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")


def _classes(d: dict) -> list[str]:
    return (d["attrs"].get("class") or "").split()


_MARKER = re.compile(r'<sup class="nssf-flag[^"]*">.*?</sup>', re.S)
_TAG = re.compile(r"<[^>]+>")


def plain_text(value) -> str:
    """Return a display cell as plain text: markers and markup removed, entities read.

    ``"no change<sup class="nssf-flag …"><a …>c</a></sup>"`` gives ``"no change"``: a
    marker points to the data-quality chapter of the book and is no value.
    """
    text = str(value)
    if "<" not in text and "&" not in text:
        return text
    return html_mod.unescape(_TAG.sub("", _MARKER.sub("", text))).strip()


def flat_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a display frame with one header row and plain text in every cell.

    Column levels are joined with " / " (a level that repeats the one above, or is
    empty, is left out); the row index becomes the first columns, named as the report
    names them; markers and markup are removed from the cells (:func:`plain_text`).
    """
    out = frame.copy()
    if isinstance(out.columns, pd.MultiIndex):
        names = []
        for col in out.columns:
            parts: list[str] = []
            for p in col:
                p = str(p).strip()
                if p and (not parts or parts[-1] != p):
                    parts.append(p)
            names.append(" / ".join(parts))
        out.columns = names
    else:
        out.columns = [str(c) for c in out.columns]
    index_names = [n if n else f"Row {i + 1}" for i, n in enumerate(out.index.names)]
    if any(out.index.names) or not isinstance(out.index, pd.RangeIndex):
        out.index = out.index.set_names(index_names)
        out = out.reset_index()
    out.columns = [plain_text(c) for c in out.columns]
    return out.fillna("").astype(str).map(plain_text)


def has_table_files(table_id: str, year: int) -> bool:
    """Whether a table has downloads in the book of ``year`` (it has data for that year).

    What :func:`shown_frame` and so :func:`table_files` decide by, read from the
    catalog only: the book writes a table's links before its files are made.
    """
    from nssf_analysis.render import tables

    return year in tables.table_years_any(table_id)


def has_graphic_file(number: int, year: int) -> bool:
    """Whether a graphic has a download in the book of ``year`` (it draws data that year).

    What :func:`graphic_file` decides by.
    """
    from nssf_analysis.render import charts

    return number in charts.GRAPHICS and charts.has_data(number, year)


def shown_frame(table_id: str, year: int) -> pd.DataFrame | None:
    """Return a table as the book shows it for ``year`` (one header row), or None.

    None when the table has no data for ``year`` (the book says so instead).
    """
    from nssf_analysis.data.catalog import load_table
    from nssf_analysis.render import directory_view, tables

    if not has_table_files(table_id, year):
        return None
    family = tables._info(table_id)["family"]
    if family == "directory":
        return directory_view.display_frame(table_id)
    if family == "text":
        df = load_table(table_id)
        frame = df[["partner", "project", "outcome"]].copy()
        frame.columns = ["Partner", "Project", "Outcome"]
        return frame.fillna("").astype(str)
    return flat_frame(tables.report_frame(table_id, year))


def _excel_value(text: str):
    """Return a printed number ("15,464", "12.5") as a number for Excel, other text as is."""
    t = text.strip()
    if _PLAIN_NUMBER.match(t):
        number = float(t.replace(",", ""))
        return int(number) if "." not in t else number
    return text


def table_workbook(
    frame: pd.DataFrame,
    *,
    sheet: str,
    title: str,
    unit: str,
    source: str,
    notes: list[str],
    year: int,
    citation: str,
) -> bytes:
    """Return an Excel workbook of one table: cover, notes and the table's sheet.

    Parameters
    ----------
    frame : DataFrame
        The table (one header row, every cell a string as printed).
    sheet : str
        Name of the table's sheet (the table id).
    title : str
        "Table N: title".
    unit, source : str
        The table's unit and source (blank when unknown).
    notes : list of str
        Notes on the table (the notes sheet numbers them).
    year : int
        The year the table shows.
    citation : str
        The suggested citation of the book.

    Returns
    -------
    bytes
        The ``.xlsx`` file, identical for identical content.
    """
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from nssf_analysis.book.publication import publication

    pub = publication()
    fixed = dt.datetime(*FIXED_TIME)
    wb = Workbook()
    wb.properties.creator = pub.publisher
    wb.properties.lastModifiedBy = pub.publisher
    wb.properties.title = title
    wb.properties.created = fixed
    wb.properties.modified = fixed
    bold, big = Font(bold=True), Font(bold=True, size=14)

    cover = wb.active
    cover.title = "Cover"
    cover["A1"] = title
    cover["A1"].font = big
    rows = [
        ("About this workbook", f"{title}, as printed in the report, for {year}."),
        ("Worksheets", f"Notes: notes on the table. {sheet}: the table."),
        ("Unit", unit or "see the column headings"),
        ("Source", source or pub.source_publisher),
        ("Data from", f"{pub.source_title}, {year}."),
        ("Published by", f"{pub.publisher}, {pub.publication_date.isoformat()}"),
        ("Licence", pub.licence_statement),
        ("Contact", f"{pub.contact_name} <{pub.contact_email}>"),
        ("How to cite", citation),
    ]
    r = 3
    for head, text in rows:
        cover.cell(row=r, column=1, value=head).font = bold
        cover.cell(row=r + 1, column=1, value=text).alignment = Alignment(wrap_text=True)
        r += 3
    cover.column_dimensions["A"].width = 100

    ns = wb.create_sheet("Notes")
    ns["A1"] = "Notes"
    ns["A1"].font = big
    ns["A2"] = "This worksheet contains one table of notes."
    ns.cell(row=4, column=1, value="Note number").font = bold
    ns.cell(row=4, column=2, value="Note text").font = bold
    for i, note in enumerate(notes or ["No notes on this table."], start=1):
        ns.cell(row=4 + i, column=1, value=f"[note {i}]")
        ns.cell(row=4 + i, column=2, value=note)
    ns.column_dimensions["A"].width = 14
    ns.column_dimensions["B"].width = 100

    ws = wb.create_sheet(sheet[:31])
    ws["A1"] = f"{title}, {year}"
    ws["A1"].font = big
    ws["A2"] = "This worksheet contains one table. Values as printed in the report."
    ws["A3"] = f"Unit: {unit}" if unit else "Unit: see the column headings"
    ws["A4"] = f"Source: {source}" if source else f"Source: {pub.source_publisher}"
    if notes:
        ws["A5"] = "Notes: see the Notes worksheet " + ", ".join(
            f"[note {i}]" for i in range(1, len(notes) + 1)
        )
    header_row = 7
    for j, col in enumerate(frame.columns, start=1):
        ws.cell(row=header_row, column=j, value=str(col)).font = bold
        ws.column_dimensions[ws.cell(row=header_row, column=j).column_letter].width = min(
            60, max(10, len(str(col)) + 2, *(len(str(v)) + 2 for v in frame.iloc[:, j - 1]))
        )
    for i, row in enumerate(frame.itertuples(index=False), start=header_row + 1):
        for j, v in enumerate(row, start=1):
            value = _excel_value(str(v))
            cell = ws.cell(row=i, column=j, value=value)
            if isinstance(value, int):
                cell.number_format = "#,##0"
            elif isinstance(value, float):
                decimals = len(str(v).split(".")[1])
                cell.number_format = "#,##0." + "0" * decimals
    raw = io.BytesIO()
    wb.save(raw)
    return reproducible_zip(raw.getvalue())


def _notes_of(table_id: str) -> list[str]:
    from nssf_analysis.render import tables

    info = tables._info(table_id)
    notes = []
    if info.get("notes"):
        notes.append(str(info["notes"]))
    if info.get("family") not in ("directory", "text"):
        notes.append(
            "Totals and changes are printed as in the report; where a recomputed value "
            "differs, the book marks the cell and its data-quality chapter explains it."
        )
    if info.get("family") == "directory":
        notes.append("Type: read from the facility's name as the report prints it.")
    return notes


@data_cache(persist=True, maxsize=512)
def table_files(table_id: str, year: int, citation: str) -> dict[str, bytes]:
    """Return the downloads of a table as shown: ``{path in the book: bytes}``.

    The CSV and the Excel workbook (cover with the citation, notes, title, unit and
    source) of :func:`shown_frame`; empty when the table has no data for the year.  The
    result is kept on disk while the data files it read are unchanged
    (:func:`nssf_analysis.data.cache.data_cache`), so a book whose data changed in one
    table makes the files of the tables that read it again and copies the others.

    Parameters
    ----------
    table_id : str
        A table of the catalog.
    year : int
        The year of the book.
    citation : str
        The citation written on the workbook's cover.
    """
    from nssf_analysis.render import tables

    frame = shown_frame(table_id, year)
    if frame is None:
        return {}
    info = tables._info(table_id)
    workbook = table_workbook(
        frame,
        sheet=table_id,
        title=f"{info['label']}: {info['title']}",
        unit=str(info.get("unit") or ""),
        source=str(info.get("source") or ""),
        notes=_notes_of(table_id),
        year=year,
        citation=citation,
    )
    csv_path, xlsx_path = _table_paths(table_id)
    return {
        csv_path: frame.to_csv(index=False, lineterminator="\n").encode(),
        xlsx_path: workbook,
    }


@data_cache(persist=True)
def graphic_file(number: int, year: int) -> bytes | None:
    """Return the CSV of the data a graphic draws, or None when it draws nothing that year.

    Kept on disk like :func:`table_files`, while the data files it read are unchanged.

    Parameters
    ----------
    number : int
        The graphic's number.
    year : int
        The year of the book.
    """
    from nssf_analysis.render import charts

    if not has_graphic_file(number, year):
        return None
    frame = charts.graphic_data(number, year)
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _table_paths(table_id: str) -> list[str]:
    """Return where a table's downloads go in the book: the CSV, then the workbook."""
    return [f"{SHOWN_DIR}/{table_id}.csv", f"{SHOWN_DIR}/{table_id}.xlsx"]


def _graphic_path(number: int) -> str:
    return f"{GRAPHICS_DIR}/graphic-{number}.csv"


class Downloads:
    """Writes the data behind a year's tables and graphics into a book folder, once each.

    Parameters
    ----------
    target_dir : Path or None
        The book folder (its ``data/tidy`` already written); None to compute the files
        without writing them (see :func:`prefetch`).
    year : int
        The year of the book.
    citation : str
        The citation written on each workbook's cover.
    defer : bool
        Give the links at once and make the files later, in :meth:`write_pending`:
        whether a table or graphic has files is read from the catalog
        (:func:`has_table_files`, :func:`has_graphic_file`), so the book's pages can be
        written, and printed, while its downloads are made.
    """

    def __init__(self, target_dir: Path | None, year: int, citation: str, *, defer=False):
        self.target = None if target_dir is None else Path(target_dir)
        self.year = year
        self.citation = citation
        self.defer = defer
        self.done: dict[str, list[tuple[str, str]]] = {}
        #: ``(what, make, paths)`` of each table or graphic linked before its files
        self.pending: list[tuple[str, object, list[str]]] = []

    def _write(self, rel: str, data: bytes) -> None:
        if self.target is None:  # computing only (see prefetch)
            return
        target = self.target / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def _write_table(self, table_id: str) -> list[str]:
        files = table_files(table_id, self.year, self.citation)
        for rel, data in files.items():
            self._write(rel, data)
        return list(files)

    def _write_graphic(self, number: int) -> list[str]:
        data = graphic_file(number, self.year)
        if data is None:
            return []
        self._write(_graphic_path(number), data)
        return [_graphic_path(number)]

    def table(self, table_id: str) -> list[tuple[str, str]]:
        """Write a table's downloads; return ``[(href, text), …]`` (empty without data)."""
        if table_id in self.done:
            return self.done[table_id]
        if not self.defer:
            files = self._write_table(table_id)
        elif has_table_files(table_id, self.year):
            files = _table_paths(table_id)
            self.pending.append((f"table {table_id}", lambda: self._write_table(table_id), files))
        else:
            files = []
        links = [
            (rel, f"table as shown ({'CSV' if rel.endswith('.csv') else 'Excel'})") for rel in files
        ]
        if self.target is not None and (self.target / "data" / "tidy" / f"{table_id}.csv").exists():
            links.append((f"data/tidy/{table_id}.csv", "tidy data (CSV)"))
        self.done[table_id] = links
        return links

    def graphic(self, number: int) -> list[tuple[str, str]]:
        """Write the data a graphic draws; return its link (empty when nothing is drawn)."""
        key = f"graphic-{number}"
        if key in self.done:
            return self.done[key]
        if not self.defer:
            files = self._write_graphic(number)
        elif has_graphic_file(number, self.year):
            files = [_graphic_path(number)]
            self.pending.append((f"graphic {number}", lambda: self._write_graphic(number), files))
        else:
            files = []
        self.done[key] = [(rel, "data drawn (CSV)") for rel in files]
        return self.done[key]

    def write_pending(self) -> int:
        """Make and write the files of the links given while deferred; return how many.

        Raises
        ------
        nssf_analysis.book.plan.BookBuildError
            If a table or graphic did not give the files its links point to (what the
            catalog says it has for the year and what it gives disagree).
        """
        from nssf_analysis.book.plan import BookBuildError

        written = 0
        pending, self.pending = self.pending, []
        for what, make, expected in pending:
            files = make()
            if files != expected:
                raise BookBuildError(
                    f"book {self.year}: the downloads of {what} are {files or 'none'}, "
                    f"but its page links to {expected}"
                )
            written += len(files)
        return written


def links_html(label: str, links: list[tuple[str, str]]) -> str:
    """Return the line of download links put under a table or graphic."""
    items = Markup(" · ").join(
        Markup('<a href="{}" download>{}</a>').format(href, text) for href, text in links
    )
    return str(
        Markup(
            '<p class="nssf-downloads"><span class="nssf-downloads-label">{}:</span> {}</p>'
        ).format(f"Download {label}", items)
    )


def annotate(fragment: str, downloads: Downloads, table_ids: set) -> str:
    """Return a chapter's HTML with a line of download links under every table and graphic.

    Parameters
    ----------
    fragment : str
        The chapter's rendered cells.
    downloads : Downloads
        Writes the files the links point to.
    table_ids : set of str
        The tables of the catalog (other ``nssf-table`` blocks get no links).
    """
    inserts: list[tuple[int, str]] = []
    for kind, ident, at, label in places(fragment, frozenset(table_ids)):
        if kind == "table":
            links = downloads.table(ident)
            if links:
                inserts.append((at, links_html(label or "this table", links)))
        else:
            links = downloads.graphic(ident)
            if links:
                inserts.append((at, links_html(f"Graphic {ident}", links)))
    # in document order; of two lines at one place, the one found later comes first
    parts, last = [], 0
    for i in sorted(range(len(inserts)), key=lambda i: (inserts[i][0], -i)):
        at, text = inserts[i]
        parts += [fragment[last:at], "\n", text]
        last = at
    parts.append(fragment[last:])
    return "".join(parts)


@functools.lru_cache(maxsize=32)
def places(fragment: str, table_ids: frozenset) -> tuple:
    """Return where the links of a chapter's tables and graphics go, in document order.

    The parse :func:`annotate` needs, kept for the fragments seen last (it depends on
    nothing but its arguments): the build parses each chapter while the others run.

    Returns
    -------
    tuple
        ``(kind, id, offset, label)``: ``("table", table id, end of its block, its
        label)`` or ``("graphic", number, after its image and source line, "")``.
    """
    divs = scan_fragment(fragment).divs
    children = sorted(
        (d for d in divs if "jp-OutputArea-child" in _classes(d)), key=lambda d: d["start"]
    )
    found = []
    for d in divs:
        cls, ident = _classes(d), d["attrs"].get("id") or ""
        if "nssf-table" in cls and ident in table_ids:
            found.append(("table", ident, d["end"], html_mod.unescape(_label_of(fragment, d))))
        elif "nssf-graphic" in cls and _GRAPHIC_ID.match(ident):
            at = _after_figure(fragment, d, children, divs)
            if at is not None:
                found.append(("graphic", int(_GRAPHIC_ID.match(ident).group(1)), at, ""))
    return tuple(found)


def prefetch(fragment: str, year: int, citation: str, table_ids: set) -> int:
    """Compute the downloads of a chapter's tables and graphics ahead of its book.

    What :func:`annotate` will ask for (:func:`table_files`, :func:`graphic_file`) is
    computed and kept on disk, nothing is written into a book: the build calls this as
    each chapter finishes, while the others still run, so that the book's pages, written
    after the last chapter, find the files made.

    Parameters
    ----------
    fragment : str
        The chapter's rendered cells.
    year : int
        The year of the book.
    citation : str
        The citation of the book's workbooks (as :func:`nssf_analysis.book.site.downloads`
        gives it: the files are kept under their arguments).
    table_ids : set of str
        The tables of the catalog.

    Returns
    -------
    int
        How many tables and graphics have downloads.
    """
    downloads = Downloads(None, year, citation)
    annotate(fragment, downloads, table_ids)
    return sum(1 for links in downloads.done.values() if links)


def _label_of(fragment: str, d: dict) -> str:
    m = re.search(
        r'<span class="nssf-table-label">([^<]*?):?</span>', fragment[d["start"] : d["end"]]
    )
    return m.group(1) if m else ""


def _after_figure(fragment: str, caption: dict, children: list, divs: list) -> int | None:
    """Return where the links of a graphic go: after its image and its source line."""
    mine = [c for c in children if c["start"] <= caption["start"] < c["end"]]
    if not mine:
        return None
    anchored = [
        d["start"]
        for d in divs
        if d["start"] > caption["start"]
        and ({"nssf-table", "nssf-graphic"} & set(_classes(d)))
        and d["attrs"].get("id")
    ]
    stop = min(anchored) if anchored else len(fragment)
    later = [c for c in children if c["start"] > mine[-1]["end"] - 1 and c["start"] < stop]
    later = [c for c in later if c["depth"] == mine[-1]["depth"]]
    for i, c in enumerate(later):
        if "<img" in fragment[c["start"] : c["end"]]:
            end = c["end"]
            if i + 1 < len(later):
                nxt = fragment[later[i + 1]["start"] : later[i + 1]["end"]]
                if re.search(r"<p>\s*Source:", nxt):
                    end = later[i + 1]["end"]
            return end
    return None


__all__ = [
    "Downloads",
    "annotate",
    "flat_frame",
    "has_graphic_file",
    "has_table_files",
    "links_html",
    "prefetch",
    "shown_frame",
    "table_workbook",
]
