"""Extraction: the report text → every table exactly as printed (``data/raw``).

The report is a plain-text rendering in which table rows are tab-separated
lines.  Extraction is one-way and deterministic: it finds each table by its
printed label ("Table 10: …") or annex heading ("6.1.4. …"), cuts its lines up
to the source line (numbered tables) or the printed total row (annex tables)
and writes every cell as a string, exactly as printed, with the line of the
report it comes from.  Interpretation (which cells are years, totals, …) is
the tidy layer's job.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .exceptions import ExtractionError
from .specs import ANNEX_TABLES, SECTION_SCHEMES

#: Printed numbers: ``1,234``, ``-4.35%``, ``0.00``, ``1300%``.
NUMBER_RE = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?%?$|^-?\d+(\.\d+)?%?$")
YEAR_RE = re.compile(r"^(19|20)\d{2}$")
PERIOD_RE = re.compile(r"^(19|20)\d{2}\s*-\s*(19|20)\d{2}$")
TABLE_RE = re.compile(r"(?:^|\*\*)Table (\d+):\s*(.*?)\**\s*$")
GRAPHIC_RE = re.compile(r"^Graphic (\d+)[.:]\s*(.*?)\s*$")
SECTION_RE = re.compile(r"^(?:\*\*)?([A-E](?:\.\d+)*)\.?\s+([A-Z][^*\t]*?)(?:\*\*.*)?\s*$")
TITLE_YEAR_RE = re.compile(r"REPORT ON ANNUAL ACHIEVEMENTS (\d{4})")


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

    def to_frame(self) -> pd.DataFrame:
        """Return the table as a frame of strings, one row per printed row."""
        width = self.width
        records = []
        for r in self.rows:
            cells = r["cells"] + [""] * (width - len(r["cells"]))
            records.append([r["block"], str(r["line"]), r["kind"], *cells])
        cols = ["block", "line", "kind", *[f"c{i}" for i in range(1, width + 1)]]
        return pd.DataFrame(records, columns=cols, dtype=str)


def read_lines(path: Path) -> list[str]:
    """Read the report as a list of lines without line terminators.

    Parameters
    ----------
    path : Path
        The report text file.

    Returns
    -------
    list of str
    """
    if not Path(path).exists():
        raise ExtractionError(f"{path}: report file not found")
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise ExtractionError(f"{path}: cannot be read ({err.strerror or err})") from None
    try:
        return raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ExtractionError(
            f"{path}, line {line}: byte 0x{raw[err.start]:02x} is not UTF-8 text"
        ) from None


def report_year(lines: list[str], path: str = "report") -> int:
    """Return the report year printed in the report's title.

    Parameters
    ----------
    lines : list of str
        The report lines.
    path : str
        File name, used in the error message.
    """
    for line in lines[:50]:
        m = TITLE_YEAR_RE.search(line)
        if m:
            return int(m.group(1))
    raise ExtractionError(f"{path}: no 'REPORT ON ANNUAL ACHIEVEMENTS <year>' title in lines 1-50")


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


def find_numbered_tables(lines: list[str]) -> list[RawTable]:
    """Find every "Table N:" of the report and cut it up to its "Source:" line.

    Parameters
    ----------
    lines : list of str
        The report lines.

    Returns
    -------
    list of RawTable
        In report order; raises ExtractionError if numbers are missing or repeated.
    """
    from .specs import TABLE_OPTIONS

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
    tables = []
    for k, (n, title, i) in enumerate(found):
        limit = found[k + 1][2] if k + 1 < len(found) else len(lines)
        end = next((j for j in range(i + 1, limit) if lines[j].startswith("Source:")), None)
        if end is None:
            raise ExtractionError(
                f"Table {n} (line {i + 1}): no 'Source:' line before the next table"
            )
        tid = f"t{n:02d}"
        opts = TABLE_OPTIONS.get(tid, {})
        rows = _rows_from_lines(
            lines, i + 1, end, tid, opts.get("blocks", False), opts.get("header_rows")
        )
        tables.append(
            RawTable(
                table_id=tid,
                label=f"Table {n}",
                title=title,
                section=_section_of(lines, i),
                source=lines[end][len("Source:") :].strip(),
                title_line=i + 1,
                rows=rows,
            )
        )
    return tables


def annex_start(lines: list[str]) -> int:
    """Return the 0-based index of the annex heading (not the table of contents entry)."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("6. ANNEX"):
            return i
    raise ExtractionError("report: no '6. ANNEX' heading")


def find_annex_tables(lines: list[str]) -> list[RawTable]:
    """Find the annex tables declared in :data:`specs.ANNEX_TABLES`.

    Each starts after its heading (searched from the annex heading on) and ends
    with its printed "Total" row; a note line in parentheses right after the
    total row is kept as the table's note.

    Parameters
    ----------
    lines : list of str
        The report lines.

    Returns
    -------
    list of RawTable
    """
    start = annex_start(lines)
    tables = []
    for tid, spec in ANNEX_TABLES.items():
        pattern = re.compile(spec["heading"])
        head = next((i for i in range(start, len(lines)) if pattern.search(lines[i])), None)
        if head is None:
            raise ExtractionError(f"{tid}: heading /{spec['heading']}/ not found in the annex")
        total = None
        for j in range(head + 1, len(lines)):
            cells = split_cells(lines[j])
            if "Total" in cells[:2] and any(is_value(c) for c in cells):
                total = j
                break
        if total is None:
            raise ExtractionError(f"{tid}: no 'Total' row after its heading (line {head + 1})")
        rows = _rows_from_lines(lines, head + 1, total + 1, tid, False, spec.get("header_rows"))
        notes = ""
        nxt = next((j for j in range(total + 1, len(lines)) if lines[j].strip()), None)
        if nxt is not None and lines[nxt].strip().startswith("("):
            notes = lines[nxt].strip().strip("()")
        tables.append(
            RawTable(
                table_id=tid,
                label=spec["label"],
                title=spec["title"],
                section=spec["section"],
                notes=notes,
                title_line=head + 1,
                rows=rows,
            )
        )
    return tables


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


def extract_tables(lines: list[str]) -> list[RawTable]:
    """Return every numbered and annex table of the report, as printed."""
    return find_numbered_tables(lines) + find_annex_tables(lines)


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
