"""What every audit rule shares: the data files read once, labels, selection, records.

* :class:`Sources` — the data files of one run (:func:`load_sources`);
* :class:`Labeler` — where a number is printed, in the report's own words;
* :func:`pick` — the cells a rule's selector names (:mod:`nssf_analysis.analysis.select`,
  the printed fluctuations left out unless the selector names ``role``);
* :class:`Columns` — a source's columns as arrays, for selecting cells quickly
  (:func:`columns`, made once per run) and :func:`records` — a frame's rows as dicts;
* :func:`record` — one check, with every field a check has;
* the number helpers of the sentences and tolerances (:func:`half_unit`, :func:`factor`,
  :func:`fmt`, :func:`num`, :func:`figure`).

A new helper that two rule modules need goes here, once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from nssf_analysis import paths
from nssf_analysis.analysis import select
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.data import tidy, units
from nssf_analysis.data.checks import decimals
from nssf_analysis.data.declarations import read_toml
from nssf_analysis.data.extract import RawTable, is_value
from nssf_analysis.data.files import read_csv
from nssf_analysis.data.specs import renamed, tidy_spec
from nssf_analysis.exceptions import NSSFError

__all__ = [
    "Labeler",
    "Sources",
    "factor",
    "declared",
    "checked_selector",
    "Columns",
    "columns",
    "figure",
    "fmt",
    "half_unit",
    "labeler",
    "load_sources",
    "num",
    "pick",
    "place",
    "record",
    "records",
    "where_of",
]

# --------------------------------------------------------------------------------------
# Declarations kept as data files beside the modules
# --------------------------------------------------------------------------------------


def declared(path: Path, table: str, required: set[str], optional: set[str] = frozenset()):
    """Return the ``[[table]]`` entries of a TOML file of declarations, checked.

    Parameters
    ----------
    path : Path
        The file (beside the module that declares the rules).
    table : str
        The name of its array of tables.
    required, optional : set of str
        The keys an entry must have and those it may have.

    Returns
    -------
    list of (str, dict)
        Each entry with the words that name it in an error ("subsets.toml subset 3").

    Raises
    ------
    NSSFError
        Naming the file and the entry, for a missing or an unknown key.
    """
    entries = read_toml(path).get(table) or []
    if not entries:
        raise NSSFError(f"{path.name}: no [[{table}]] entry")
    out = []
    for n, entry in enumerate(entries, 1):
        key = f"{path.name} {table} {n}"
        unknown, missing = set(entry) - required - set(optional), required - set(entry)
        if unknown or missing:
            raise NSSFError(f"{key}: unknown keys {sorted(unknown)}, missing {sorted(missing)}")
        out.append((key, entry))
    return out


def checked_selector(key: str, text: str) -> str:
    """Return ``text`` if it parses as a selector; else raise NSSFError naming ``key``."""
    try:
        select.parse(text)
    except NSSFError as err:
        raise NSSFError(f"{key}: {err}") from None
    return text


# --------------------------------------------------------------------------------------
# Sources: the data files, read once per run
# --------------------------------------------------------------------------------------

_BOOKKEEPING = {"role", "printed", "value", "line", "column", "unit", "total_of"}


def _norm(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
    return str(v)


@dataclass
class Sources:
    """The data files of one audit run: cells of every table, directories and facts."""

    report_year: int
    labels: dict  # table id -> label ("Table 18")
    sections: dict  # table id -> section
    raw: dict = field(default_factory=dict)  # table id -> raw frame
    cells: dict = field(default_factory=dict)  # source -> frame of cells
    checks: dict = field(default_factory=dict)  # table id -> tidy checks
    directories: dict = field(default_factory=dict)
    labelers: dict = field(default_factory=dict)
    facts: pd.DataFrame | None = None
    columns: dict = field(default_factory=dict)  # source -> Columns, made once per run


class _Printed:
    """A report's raw table, catalog row, spec and renames; equal to another with the same."""

    def __init__(self, raw: pd.DataFrame, row: Mapping, report_year: int):
        self.raw, self.row, self.report_year = raw, row, report_year
        cells = [list(raw.columns), raw.index.tolist(), raw.to_numpy().tolist()]
        tid = row["table_id"]
        content = [cells, row, tidy_spec(tid), renamed(tid, report_year), report_year]
        self.key = hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Printed) and self.key == other.key


@functools.lru_cache(maxsize=256)
def _interpreted(printed: _Printed) -> tuple[pd.DataFrame, list[dict]]:
    """Interpret and check one raw table (as ``tidy.raw_table``); kept by its content.

    A run on edited data (another folder, or one file changed) interprets again only the
    tables whose content changed.  The callers copy what they change.
    """
    table = RawTable.from_frame(printed.raw, printed.row)
    cells, findings = tidy.interpret(table, printed.report_year)
    checks = tidy.table_checks(cells.copy(), findings, table.table_id)
    for col in cells.columns:
        if col not in _BOOKKEEPING:
            cells[col] = [_norm(v) for v in cells[col]]
    cells["line"] = cells["line"].astype(int)
    cells["column"] = cells["column"].astype(int)
    return cells, checks


def load_sources() -> Sources:
    """Read the data files the audit checks (catalog, raw tables, directories, facts)."""
    cat = catalog_mod.catalog()
    ry = catalog_mod.report_year()
    src = Sources(
        report_year=ry,
        labels=dict(zip(cat["table_id"], cat["label"], strict=True)),
        sections=dict(zip(cat["table_id"], cat["section"], strict=True)),
    )
    for tid, family in zip(cat["table_id"], cat["family"], strict=True):
        if family == "directory":
            df = read_csv(paths.tidy_dir() / f"{tid}.csv")  # as is: the audit checks it
            src.directories[tid] = df
            frame = df.copy()
            frame["value"] = 1.0
            frame["printed"] = "1"
            frame["unit"] = "health facilities"
            frame["role"] = "value"
            frame["line"] = frame["line"].astype(int)
            frame["column"] = 0
            src.cells[tid] = frame
            continue
        if family == "text":
            continue
        src.raw[tid] = catalog_mod.load_raw(tid)
        cells, checks = _interpreted(_Printed(src.raw[tid], catalog_mod.catalog_row(tid), ry))
        src.cells[tid] = cells.copy()
        src.checks[tid] = [dict(c) for c in checks]
    facts = catalog_mod.load_facts()
    facts = facts.assign(year=str(ry), role="value", column=0)
    src.facts = facts
    src.cells["facts"] = facts
    return src


# --------------------------------------------------------------------------------------
# Labels: where a number is printed, in the report's own words
# --------------------------------------------------------------------------------------


class Labeler:
    """Row and column labels of the cells of one raw table."""

    def __init__(self, table_id: str, raw: pd.DataFrame):
        spec = tidy_spec(table_id)
        n_label = spec.get("header_label_cols", len(spec["rows"]))
        cols = [c for c in raw.columns if c.startswith("c")]
        self.rows: dict[int, str] = {}
        self.columns: dict[int, dict[int, str]] = {}
        rows = records(raw)
        blocks = list(dict.fromkeys(r["block"] for r in rows))
        for block in blocks:
            part = [r for r in rows if r["block"] == block]
            header = [[r[c] for c in cols] for r in part if r["kind"] == "header"]
            paths_ = tidy.column_paths(header, len(cols)) if header else []
            col_labels = {}
            for j, path in enumerate(paths_):
                words = list(dict.fromkeys(p for p in path if p))
                col_labels[j + 1] = " / ".join(words)
            last_first = ""
            for r in part:
                if r["kind"] != "body":
                    continue
                cells = [r[c] for c in cols]
                labels = cells[:n_label]
                rest = cells[n_label:]
                while rest and rest[0] and not is_value(rest[0]):
                    labels.append(rest.pop(0))
                if labels and not labels[0]:
                    labels[0] = last_first
                last_first = labels[0] if labels else ""
                text = " ".join(x for x in labels if x)
                if block and len(blocks) > 1:
                    text = f"{block}: {text}"
                line = int(r["line"])
                self.rows[line] = text
                self.columns[line] = col_labels

    def at(self, line: int, column: int | None) -> str:
        """Return ``"row | column"`` for a report line and 1-based column."""
        row = self.rows.get(int(line), "")
        if column is None or (isinstance(column, float) and math.isnan(column)):
            return row
        col = self.columns.get(int(line), {}).get(int(column), "")
        return f"{row} | {col}" if col else row


def labeler(src: Sources, table_id: str) -> Labeler:
    """Return the :class:`Labeler` of a raw table, made once per run."""
    if table_id not in src.labelers:
        src.labelers[table_id] = Labeler(table_id, src.raw[table_id])
    return src.labelers[table_id]


# --------------------------------------------------------------------------------------
# Selection and records
# --------------------------------------------------------------------------------------

_NO_FLUCTUATION = select.Not(("fluctuation",))


def where_of(*selectors: str, year: int | None = None) -> dict:
    """Parse and join selectors (:func:`nssf_analysis.analysis.select.parse`).

    Parameters
    ----------
    *selectors : str
        Selectors in the text form (``"key=value; key!=v1|v2"``); empty ones are skipped.
    year : int, optional
        The report year, for ``@report`` and ``@previous``.

    Returns
    -------
    dict
        Column → condition; a cell must meet all of them.

    Raises
    ------
    NSSFError
        If two selectors name the same column.
    """
    out: dict = {}
    for text in selectors:
        part = select.parse(text, year)
        twice = sorted(set(out) & set(part))
        if twice:
            raise NSSFError(f"audit selectors {selectors!r} both name {', '.join(twice)}")
        out.update(part)
    return out


def pick(frame: pd.DataFrame, where: Mapping) -> pd.DataFrame:
    """Return the cells of ``frame`` that meet ``where`` (:func:`where_of`).

    The printed fluctuations are left out unless ``where`` names ``role``; a condition on
    a column the frame lacks selects nothing (a ``!=`` condition then holds).
    """
    return frame.iloc[Columns(frame).positions(where)]


class Columns:
    """The columns of one frame of cells as arrays, to select and read cells quickly.

    :meth:`positions` selects the cells :func:`pick` returns; :meth:`values` reads a
    column.  Each column is converted once, when first asked for.

    Parameters
    ----------
    frame : DataFrame
        The cells of one source (not changed).
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.names = set(frame.columns)
        self._values: dict[str, np.ndarray] = {}
        self._text: dict[str, np.ndarray] = {}

    def values(self, column: str) -> np.ndarray:
        """Return a column's values (``frame[column].to_numpy()``)."""
        if column not in self._values:
            self._values[column] = self.frame[column].to_numpy()
        return self._values[column]

    def text(self, column: str) -> np.ndarray:
        """Return a column's values as text, as :func:`.select.mask` compares them."""
        if column not in self._text:
            self._text[column] = self.frame[column].astype(str).to_numpy()
        return self._text[column]

    def positions(self, where: Mapping) -> np.ndarray:
        """Return the positions of the cells that meet ``where`` (see :func:`pick`)."""
        if "role" in self.names and "role" not in where:
            where = {**where, "role": _NO_FLUCTUATION}
        return np.flatnonzero(select.mask(self.frame, where, text=self.text).to_numpy())


def columns(src: Sources, source: str) -> Columns:
    """Return the :class:`Columns` of a source's cells, made once per run."""
    if source not in src.columns:
        src.columns[source] = Columns(src.cells[source])
    return src.columns[source]


def records(frame: pd.DataFrame) -> list[dict]:
    """Return the rows of a frame as dicts of Python values, as ``to_dict("records")`` does."""
    names = list(frame.columns)
    columns_ = [frame[c].tolist() for c in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns_, strict=True)]


#: Every field of a check record and its value when a rule does not set it.
_RECORD = {
    "rule": "",
    "check": "",
    "table_id": "",
    "location": "",
    "line": 0,
    "column": 0,
    "year": "",
    "printed": "",
    "expected": "",
    "computed": None,
    "difference": None,
    "tolerance": None,
    "status": "ok",
    "ref_table": "",
    "ref_line": 0,
    "ref_location": "",
    "detail": "",
    "note": "",
}


def place(cell) -> dict:
    """Return the ``line`` and ``column`` fields of a record at one cell (a row of cells)."""
    return {"line": int(cell["line"]), "column": int(cell["column"])}


def record(**fields) -> dict:
    """Return one check: the fields given, the others at their defaults (status ``ok``)."""
    return {**_RECORD, **fields}


# --------------------------------------------------------------------------------------
# Numbers and places in words
# --------------------------------------------------------------------------------------


def half_unit(printed: str) -> float:
    """Return half a unit of the last printed digit ("22.26" → 0.005, "1,501" → 0)."""
    text = str(printed).strip().rstrip("%")
    return 0.5 * 10 ** -decimals(text) if "." in text else 0.0


def factor(unit: str, target: str) -> float | None:
    """Return the factor from ``unit`` to ``target`` (:mod:`nssf_analysis.data.units`).

    None when the two differ and are not both units of money.
    """
    if unit != target and not (units.is_money(unit) and units.is_money(target)):
        return None
    return units.factor(unit, target)


def fmt(value: float, tol: float = 0.0) -> str:
    """Format a number with as many decimals as its tolerance warrants."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    d = 0
    if tol > 0:
        d = max(0, min(6, -math.floor(math.log10(tol * 2))))
    elif not float(value).is_integer():
        d = 2
    return f"{value:,.{d}f}"


def num(v) -> str:
    """Format a number of a sentence: no decimals when whole, else up to four."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    v = float(v)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.4f}".rstrip("0").rstrip(".")


def figure(v: float) -> str:
    """Format a figure of the families' sentences: no decimals when whole, else two."""
    v = float(v)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
