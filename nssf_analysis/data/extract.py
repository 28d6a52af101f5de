"""Extraction: the report text → every table exactly as printed (``data/raw``).

The report is a plain-text rendering in which table rows are tab-separated
lines.  Extraction is one-way and deterministic: it finds each table by its
printed label ("Table 10: …") or annex heading ("6.1.4. …"), cuts its lines up
to the source line (numbered tables) or the printed total row (annex tables)
and writes every cell as a string, exactly as printed, with the line of the
report it comes from.  Which known table a "Table N" is, is decided by what it
is (title, section, layout: :mod:`nssf_analysis.data.editions`), not by N.
Interpretation (which cells are years, totals, …) is the tidy layer's job.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nssf_analysis.data.specs import SECTION_SCHEMES, TIDY
from nssf_analysis.data.specs.annex import ANNEX_TABLES
from nssf_analysis.data.specs.part_c_to_e import TABLE_OPTIONS
from nssf_analysis.exceptions import ExtractionError

__all__ = [
    "PERIOD_RE",
    "YEAR_RE",
    "PrintedTable",
    "RawTable",
    "annex_start",
    "cut_printed",
    "find_annex_table",
    "find_graphics",
    "find_printed_tables",
    "is_value",
    "layout_of",
    "scheme_of",
    "split_cells",
    "table_layout",
    "write_csv",
]

#: Printed numbers: ``1,234``, ``-4.35%``, ``0.00``, ``1300%``.
NUMBER_RE = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?%?$|^-?\d+(\.\d+)?%?$")
YEAR_RE = re.compile(r"^(19|20)\d{2}$")
PERIOD_RE = re.compile(r"^(19|20)\d{2}\s*-\s*(19|20)\d{2}$")
TABLE_RE = re.compile(r"(?:^|\*\*)Table (\d+):\s*(.*?)\**\s*$")
GRAPHIC_RE = re.compile(r"^Graphic (\d+)[.:]\s*(.*?)\s*$")
SECTION_RE = re.compile(r"^(?:\*\*)?([A-E](?:\.\d+)*)\.?\s+([A-Z][^*\t]*?)(?:\*\*.*)?\s*$")
YEAR_IN_TEXT_RE = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


@dataclass
class RawTable:
    """One table as printed.

    Attributes
    ----------
    table_id : str
        Stable identifier (``t01`` … ``t71``, ``a6_1_1`` …).
    label : str
        The report's label ("Table 10", "Annex 6.1.4").
    title : str
        Title as printed (without the label).
    section : str
        Report section the table belongs to ("A.1.2", "6.1.4").
    source : str
        The "Source: …" line without its prefix ('' for annex tables).
    notes : str
        Notes printed with the table (annex footnotes).
    title_line : int
        1-based report line of the title.
    rows : list of dict
        One dict per printed row: ``block``, ``line``, ``kind`` and ``cells``.
    """

    table_id: str
    label: str
    title: str
    section: str
    source: str = ""
    notes: str = ""
    title_line: int = 0
    rows: list = field(default_factory=list)

    @property
    def width(self) -> int:
        """Return the largest number of cells of any row."""
        return max((len(r["cells"]) for r in self.rows), default=0)

    @classmethod
    def from_frame(cls, raw: pd.DataFrame, row) -> RawTable:
        """Rebuild a table from its ``data/raw`` frame and its catalog row.

        Parameters
        ----------
        raw : DataFrame
            The table as printed (:func:`nssf_analysis.data.catalog.load_raw`).
        row : Series or dict
            Its catalog row (``table_id``, ``label``, ``title``, ``section``, ``source``,
            ``notes``, ``line``).
        """
        cells_cols = [c for c in raw.columns if re.fullmatch(r"c\d+", c)]
        rows = []
        for r in raw.to_dict("records"):
            cells = [r[c] for c in cells_cols]
            while len(cells) > 1 and cells[-1] == "" and r["kind"] == "block":
                cells.pop()
            rows.append(
                {"block": r["block"], "line": int(r["line"]), "kind": r["kind"], "cells": cells}
            )
        return cls(
            table_id=str(row["table_id"]),
            label=row["label"],
            title=row["title"],
            section=row["section"],
            source=row["source"],
            notes=row["notes"],
            title_line=int(row["line"]),
            rows=rows,
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the table as a frame of strings, one row per printed row."""
        width = self.width
        records = []
        for r in self.rows:
            cells = r["cells"] + [""] * (width - len(r["cells"]))
            records.append([r["block"], str(r["line"]), r["kind"], *cells])
        cols = ["block", "line", "kind", *[f"c{i}" for i in range(1, width + 1)]]
        return pd.DataFrame(records, columns=cols, dtype=str)


def split_cells(line: str) -> list[str]:
    """Split a printed row into its cells, stripping spaces but keeping empty cells."""
    return [c.strip() for c in line.split("\t")]


def is_value(cell: str) -> bool:
    """Return True for a printed number or the report's '-' placeholder (not a bare year)."""
    return cell == "-" or (bool(NUMBER_RE.match(cell)) and not YEAR_RE.match(cell))


def _is_data_row(cells: list[str]) -> bool:
    first = cells[0] if cells else ""
    if YEAR_RE.match(first) or PERIOD_RE.match(first) or first.startswith("Fluctuation"):
        return True
    return any(is_value(c) for c in cells[1:])


def _is_block_label(cells: list[str]) -> bool:
    return bool(cells and cells[0]) and not any(c for c in cells[1:]) and not _is_data_row(cells)


def _rows_from_lines(lines, start, end, table_id, blocks, header_rows):
    """Cut report lines [start, end) (0-based) into classified rows."""
    rows = []
    block = ""
    in_header = True
    n_header = 0
    for i in range(start, end):
        raw = lines[i]
        if not raw.strip():
            continue
        cells = split_cells(raw)
        # drop trailing empties created only by trailing tabs of a short label line
        if blocks and _is_block_label(cells) and (rows or not cells[0].startswith("Description")):
            if not (header_rows and n_header < header_rows and not rows):
                block = cells[0]
                in_header = True
                n_header = 0
                rows.append({"block": block, "line": i + 1, "kind": "block", "cells": [cells[0]]})
                continue
        if header_rows is not None:
            kind = "header" if n_header < header_rows else "body"
        else:
            if in_header and _is_data_row(cells):
                in_header = False
            kind = "header" if in_header else "body"
        if kind == "header":
            n_header += 1
        rows.append({"block": block, "line": i + 1, "kind": kind, "cells": cells})
    if not rows:
        raise ExtractionError(f"{table_id}: no rows found between report lines {start + 1}-{end}")
    return rows


def _section_of(lines: list[str], index: int) -> str:
    for j in range(index, -1, -1):
        m = SECTION_RE.match(lines[j])
        if m:
            return m.group(1)
    return ""


@dataclass
class PrintedTable:
    """A "Table N: title" of an edition, found by its label, before it is identified.

    Attributes
    ----------
    number : int
        The printed number N.
    label : str
        "Table N": this edition's label of the table.
    title : str
        Title as printed.
    section : str
        Report section the table is printed in.
    title_line : int
        1-based report line of the title.
    start, end : int
        0-based report lines of the table: from ``start`` (the line after the title) up
        to ``end`` (its "Source:" line), excluded.
    source : str
        The "Source: …" line without its prefix.
    """

    number: int
    label: str
    title: str
    section: str
    title_line: int
    start: int
    end: int
    source: str


def find_printed_tables(lines: list[str]) -> list[PrintedTable]:
    """Find every "Table N:" of the report and where it ends (its "Source:" line).

    Parameters
    ----------
    lines : list of str
        The whole report, line by line; a "Table N" of the contents is not a table.

    Returns
    -------
    list of PrintedTable
        In report order; raises ExtractionError if numbers are missing or repeated or a
        table has no "Source:" line.
    """
    found = []
    for i, line in enumerate(lines):
        m = TABLE_RE.search(line)
        if m:
            found.append((int(m.group(1)), m.group(2).strip(), i))
    numbers = [n for n, _, _ in found]
    expected = list(range(1, max(numbers, default=0) + 1))
    if numbers != expected:
        raise ExtractionError(
            f"report: table numbers {numbers} are not 1..{len(expected)} in order"
        )
    printed = []
    for k, (n, title, i) in enumerate(found):
        limit = found[k + 1][2] if k + 1 < len(found) else len(lines)
        end = next((j for j in range(i + 1, limit) if lines[j].startswith("Source:")), None)
        if end is None:
            raise ExtractionError(
                f"Table {n} (line {i + 1}): no 'Source:' line before the next table"
            )
        printed.append(
            PrintedTable(
                number=n,
                label=f"Table {n}",
                title=title,
                section=_section_of(lines, i),
                title_line=i + 1,
                start=i + 1,
                end=end,
                source=lines[end][len("Source:") :].strip(),
            )
        )
    return printed


def cut_printed(lines: list[str], table: PrintedTable, table_id: str) -> RawTable:
    """Cut a printed table into rows with the extraction options of ``table_id``.

    Parameters
    ----------
    lines : list of str
        The report lines.
    table : PrintedTable
        Where the table is printed.
    table_id : str
        The identifier the table gets (a stable one such as ``t05``, or ``new_05`` for a
        table unknown to the specs, which is cut without options). Options are
        ``blocks`` and ``header_rows``, from ``part_c_to_e.TABLE_OPTIONS`` of the specs
        or the table's tidy spec.
    """
    spec = TIDY.get(table_id)
    opts = {k: spec[k] for k in ("blocks", "header_rows") if isinstance(spec, dict) and k in spec}
    opts.update(TABLE_OPTIONS.get(table_id, {}))
    rows = _rows_from_lines(
        lines,
        table.start,
        table.end,
        table_id,
        opts.get("blocks", False),
        opts.get("header_rows"),
    )
    return RawTable(
        table_id=table_id,
        label=table.label,
        title=table.title,
        section=table.section,
        source=table.source,
        title_line=table.title_line,
        rows=rows,
    )


def layout_of(lines: list[str], start: int, end: int) -> list[tuple[int, tuple[str, ...]]]:
    """Return a table's layout: the labels each of its printed lines carries.

    A label is every cell that is not a value (a number or '-'), with years written
    as ``<year>`` so that an edition with every year moved on has the same layout.
    Blank lines are skipped; a line of values only has an empty label tuple.

    Parameters
    ----------
    lines : list of str
        The report lines.
    start, end : int
        0-based lines of the table (``end`` excluded).

    Returns
    -------
    list of (int, tuple of str)
        The 1-based report line and its labels, for each non-blank line.
    """
    out = []
    for i in range(start, end):
        if not lines[i].strip():
            continue
        labels = tuple(
            YEAR_IN_TEXT_RE.sub("<year>", " ".join(c.split()))
            for c in split_cells(lines[i])
            if c and not is_value(c)
        )
        out.append((i + 1, labels))
    return out


def annex_start(lines: list[str]) -> int:
    """Return the 0-based index of the annex heading (not the table of contents entry)."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("6. ANNEX"):
            return i
    raise ExtractionError("report: no '6. ANNEX' heading")


def find_annex_table(lines: list[str], table_id: str, start: int | None = None) -> RawTable | None:
    """Find one annex table of :data:`~nssf_analysis.data.specs.annex.ANNEX_TABLES` by its heading.

    The table starts after its heading (searched from the annex heading on) and ends
    with its printed "Total" row; a note line in parentheses right after the total row
    is kept as the table's note.

    Parameters
    ----------
    lines : list of str
        The report lines.
    table_id : str
        An annex table id (``a6_1_4`` …).
    start : int, optional
        0-based line of the annex heading (default :func:`annex_start`).

    Returns
    -------
    RawTable or None
        None when the edition does not print the heading; raises ExtractionError when it
        does but no "Total" row follows.
    """
    spec = ANNEX_TABLES[table_id]
    start = annex_start(lines) if start is None else start
    pattern = re.compile(spec["heading"])
    head = next((i for i in range(start, len(lines)) if pattern.search(lines[i])), None)
    if head is None:
        return None
    total = None
    for j in range(head + 1, len(lines)):
        cells = split_cells(lines[j])
        if "Total" in cells[:2] and any(is_value(c) for c in cells):
            total = j
            break
    if total is None:
        raise ExtractionError(f"{table_id}: no 'Total' row after its heading (line {head + 1})")
    rows = _rows_from_lines(lines, head + 1, total + 1, table_id, False, spec.get("header_rows"))
    notes = ""
    nxt = next((j for j in range(total + 1, len(lines)) if lines[j].strip()), None)
    if nxt is not None and lines[nxt].strip().startswith("("):
        notes = lines[nxt].strip().strip("()")
    return RawTable(
        table_id=table_id,
        label=spec["label"],
        title=spec["title"],
        section=spec["section"],
        notes=notes,
        title_line=head + 1,
        rows=rows,
    )


def table_layout(lines: list[str], table: RawTable) -> list[tuple[int, tuple[str, ...]]]:
    """Return the layout (:func:`layout_of`) of the lines a cut table spans."""
    if not table.rows:
        return []
    return layout_of(lines, table.rows[0]["line"] - 1, table.rows[-1]["line"])


def find_graphics(lines: list[str]) -> pd.DataFrame:
    """List the graphics the report refers to: number, title, section, source and line."""
    records = []
    for i, line in enumerate(lines):
        m = GRAPHIC_RE.match(line)
        if m:
            src = next(
                (
                    lines[j]
                    for j in range(i + 1, min(i + 8, len(lines)))
                    if lines[j].startswith("Source:")
                ),
                "",
            )
            records.append(
                {
                    "graphic_id": f"graphic-{int(m.group(1))}",
                    "label": f"Graphic {int(m.group(1))}",
                    "title": m.group(2),
                    "section": _section_of(lines, i),
                    "source": src[len("Source:") :].strip(),
                    "line": i + 1,
                }
            )
    return pd.DataFrame(records)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write a frame as UTF-8 CSV with LF line ends, deterministically (no index)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8", quoting=csv.QUOTE_MINIMAL)


def scheme_of(section: str) -> tuple[str, str]:
    """Return (scheme, sector) for a report section such as "A.1.2" or "6.5.2"."""
    for prefix, value in SECTION_SCHEMES:
        if section == prefix or section.startswith(prefix + "."):
            return value
    return ("institutional", "all")
