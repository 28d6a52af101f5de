"""Tidy layer: tables as printed → long form, with totals and changes checked.

One generic interpreter serves every table.  It reads a table's spec
(:data:`nssf_analysis.data.specs.TIDY`): the dimension of each row-label column and
of each header level, label maps, which values are totals of which parts.  It
produces one record per printed number (a *cell*) with a ``role``:

``value``
    an observation; kept in ``data/tidy``.
``total``
    a printed sum of other cells (a "Total" row or column); checked, then left out.
``fluctuation``
    a printed percent change; checked against the change recomputed from the
    two years, then left out.

The checks are kept as data (``data/checks.csv``) for the audit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from nssf_analysis.data import units as units_module
from nssf_analysis.data.catalog import catalog_row, load_raw
from nssf_analysis.data.checks import (
    check_fluctuations,
    check_shares,
    check_totals,
    dim_cols,
    totals_of,
)
from nssf_analysis.data.extract import PERIOD_RE, YEAR_RE, RawTable, is_value
from nssf_analysis.data.specs import renamed, tidy_spec, where_declared
from nssf_analysis.data.specs.vocabulary import LABELS, MONTH_NAMES, PRINTED_DIMS
from nssf_analysis.data.units import MEASURE_UNITS, UNIT_WORDS, UNITS
from nssf_analysis.exceptions import ExtractionError, NSSFError

__all__ = [
    "FLUCT_RE",
    "MONTHS",
    "build",
    "column_paths",
    "csv_number",
    "interpret",
    "parse_value",
    "raw_table",
    "row_label",
    "slug",
    "table_checks",
    "text_table",
    "tidy_frame",
]

FLUCT_RE = re.compile(r"^Fluctuation")
YEAR_UNIT_RE = re.compile(r"^((?:19|20)\d{2}) \((.+)\)$")
PAREN_RE = re.compile(r"\s*\(([^)]*)\)\s*$")
TOTAL_ROW_RE = re.compile(r"^(Grand )?Total\b")
CODE_RE = re.compile(r"^(\d+(?:\.\d+)*)\.?$")
CODE_LABEL_RE = re.compile(r"^(\d+(?:\.\d+)*)\.\s+(.+)$")
#: Month number of each printed month name.
MONTHS = {m: i + 1 for i, m in enumerate(MONTH_NAMES)}
#: Dimension columns, in the order they appear in tidy files (others follow).
DIM_ORDER = [
    "block",
    "worker_group",
    "scheme",
    "audience",
    "group",
    "sector",
    "no",
    "province",
    "business_code",
    "business",
    "item",
    "activity",
    "office",
    "level",
    "facility_type",
    "injury_type",
    "degree",
    "category",
    "status",
    "month",
]
TIDY_TAIL = ["sex", "period", "year", "measure", "unit", "value", "line"]
#: The units' vocabulary, as a path from the project root (errors name it).
UNITS_FILE = units_module.__name__.replace(".", "/") + ".py"


def slug(label: str) -> str:
    """Return a snake_case identifier for a printed label ("Head Offices" → "head_offices")."""
    text = PAREN_RE.sub("", label).lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def parse_value(text: str) -> float | None:
    """Parse a printed number ("1,234", "-4.35%", "0.00") to float; '-' and '' give None.

    Raises
    ------
    ValueError
        If the text is not a printed number.
    """
    text = text.strip()
    if text in ("", "-"):
        return None
    if not is_value(text):
        raise ValueError(f"not a number: {text!r}")
    return float(text.replace(",", "").rstrip("%"))


@dataclass
class Cell:
    """One printed number with its resolved dimensions."""

    dims: dict
    role: str
    printed: str
    value: float | None
    line: int
    column: int


def _resolve(label: str, dim: str, spec: dict, level: int | None) -> dict:
    label = label.strip()
    if level is not None:
        per_level = spec.get("level_labels", {}).get(level, {})
        if label in per_level:
            return dict(per_level[label])
    if label == "":
        return {}
    if label in spec.get("labels", {}):
        return dict(spec["labels"][label])
    if FLUCT_RE.match(label):
        return {"role": "fluctuation"}
    if YEAR_RE.match(label):
        return {"year": int(label)}
    if PERIOD_RE.match(label):
        start, end = (int(x) for x in label.split("-"))
        return {"year": end, "period": label.replace(" ", ""), "period_start": start}
    m = YEAR_UNIT_RE.match(label)
    if m:
        return {"year": int(m.group(1)), "unit": UNIT_WORDS.get(m.group(2).lower(), m.group(2))}
    if label in LABELS:
        return dict(LABELS[label])
    if dim == "month" and label in MONTHS:
        return {"month": MONTHS[label]}
    if dim == "sex":
        return {"sex": "total" if label == "Total" else slug(label)}
    out = {dim: slug(label)}
    unit = PAREN_RE.search(label)
    if unit and unit.group(1).lower() in UNIT_WORDS:
        out["unit"] = UNIT_WORDS[unit.group(1).lower()]
    return out


def column_paths(header_rows: list[list[str]], width: int) -> list[list[str]]:
    """Return each column's header labels, one per header level.

    A label spans the empty cells to its right, up to the next label on the same
    level or the end of its parent's span.

    Parameters
    ----------
    header_rows : list of list of str
        The printed header rows, top first.
    width : int
        Number of columns.
    """
    paths = [[] for _ in range(width)]
    parent = [0] * width
    for row in header_rows:
        cells = row + [""] * (width - len(row))
        label, span = "", 0
        spans = [0] * width
        for c in range(width):
            if c == 0 or cells[c] or parent[c] != parent[c - 1]:
                label, span = cells[c], c
            paths[c].append(label)
            spans[c] = span
        parent = spans
    return paths


def _row_labels(cells, n_label):
    """Split a body row into its label cells and value cells."""
    labels = cells[:n_label]
    rest = cells[n_label:]
    extra = []
    while rest and rest[0] and not is_value(rest[0]):
        extra.append(rest.pop(0))
    return labels, extra, rest


def row_label(cells: list[str], n_label: int) -> str:
    """Return the label of a printed body row, as a table's contract names it.

    The label cells (and any further text cells before the first number) without row
    numbers ("1", "1.1"), joined by " / "; a change row reads "Fluctuation".

    Parameters
    ----------
    cells : list of str
        The printed cells of the row.
    n_label : int
        Number of label columns of the table.
    """
    labels, extra, _ = _row_labels(list(cells), n_label)
    parts = [
        c
        for c in labels + extra
        if c and (YEAR_RE.match(c) or PERIOD_RE.match(c) or not CODE_RE.match(c))
    ]
    label = " / ".join(parts)
    return "Fluctuation" if FLUCT_RE.match(label) else label


def _inherit_measures(col_dims: list[dict]) -> None:
    """Give a "Females" or "Fluctuation" column the measure of the nearest column to its left.

    "Members | Females" prints the measure once; the females column counts members.
    """
    for j, d in enumerate(col_dims):
        if "measure" in d or not (d.get("sex") == "female" or d.get("role") == "fluctuation"):
            continue
        for k in range(j - 1, -1, -1):
            left = col_dims[k]
            if left.get("measure") and left.get("role") != "fluctuation":
                d["measure"] = left["measure"]
                break


class Interpreter:
    """Turn one :class:`RawTable` into cells, following its tidy spec.

    A label the edition prints in place of the 2022 report's (declared in ``RENAMED``:
    :func:`nssf_analysis.data.specs.renamed`) is read as the 2022 label, so that a row or
    column keeps its key, and its cells their dimensions, in every edition.
    """

    def __init__(self, table: RawTable, report_year: int):
        self.table = table
        self.spec = tidy_spec(table.table_id)
        self.report_year = report_year
        self.findings: list[dict] = []
        self.as_2022 = {new: old for old, new in renamed(table.table_id, report_year).items()}

    def rows(self) -> list[dict]:
        """Return the table's rows with each renamed label read as the 2022 label."""
        if not self.as_2022:
            return self.table.rows
        back = self.as_2022
        return [
            {
                **r,
                "block": back.get(r["block"], r["block"]),
                "cells": [back.get(c, c) for c in r["cells"]],
            }
            for r in self.table.rows
        ]

    def error(self, line, msg, act: str = "", aspect: str = ""):
        """Raise an :class:`ExtractionError` located at a report line.

        With ``act`` ("declare it in"), the message ends with where to act: the spec
        module and the table's entry, and ``aspect`` (what of the entry, see
        :func:`nssf_analysis.data.specs.where_declared`).
        """
        where = f"; {act} {where_declared(self.table.table_id, aspect)}" if act else ""
        raise ExtractionError(
            f"{self.table.table_id} ({self.table.label}), report line {line}: {msg}{where}"
        )

    def cells(self) -> list[Cell]:
        """Return every printed number of the table as a :class:`Cell`."""
        spec = self.spec
        rows_dims = spec["rows"]
        n_label = spec.get("header_label_cols", len(rows_dims))
        blocks = {}
        for r in self.rows():
            blocks.setdefault(r["block"], []).append(r)
        out = []
        for block, rows in blocks.items():
            block_dims = {}
            if spec.get("block_dim"):
                block_dims = dict(spec.get("labels", {}).get(block, {})) or _resolve(
                    block, spec["block_dim"], spec, None
                )
            header = [r["cells"] for r in rows if r["kind"] == "header"]
            body = [r for r in rows if r["kind"] == "body"]
            width = max(len(r["cells"]) for r in rows if r["kind"] != "block")
            paths = column_paths(header, width)
            value_cols = list(range(n_label, width))
            col_dims = [self._col_dims(paths[c]) for c in value_cols]
            _inherit_measures(col_dims)
            self._check_distinct_columns(value_cols, col_dims, rows)
            last = {}
            for r in body:
                labels, extra, values = _row_labels(r["cells"], n_label)
                labels += [""] * (n_label - len(labels))
                if len(values) > len(value_cols):
                    if any(values[len(value_cols) :]):
                        self.error(
                            r["line"],
                            f"{len(values)} values for {len(value_cols)} columns",
                            "if a column is new, declare it in",
                            "header",
                        )
                    values = values[: len(value_cols)]
                offset = len(value_cols) - len(values)
                if offset:
                    self.findings.append(
                        {
                            "table_id": self.table.table_id,
                            "check": "shifted_cells",
                            "location": " / ".join(x for x in labels + extra if x),
                            "line": r["line"],
                            "printed": "\t".join(r["cells"]),
                            "expected": f"{len(value_cols)} value cells",
                            "computed": f"{len(values)} value cells (aligned right)",
                            "difference": float(offset),
                            "status": "structural",
                        }
                    )
                rdims = self._row_dims(labels, extra, last, r["line"])
                for k, text in enumerate(values):
                    if text == "":
                        continue
                    j = k + offset
                    dims = {**block_dims, **col_dims[j]}
                    dims.update({k2: v for k2, v in rdims.items() if k2 != "_role" or v})
                    role = "value"
                    if (
                        dims.pop("role", None) == "fluctuation"
                        or rdims.get("role") == "fluctuation"
                    ):
                        role = "fluctuation"
                    try:
                        value = parse_value(text)
                    except ValueError:
                        self.error(r["line"], f"column {n_label + j + 1}: {text!r} is not a number")
                    out.append(Cell(dims, role, text, value, r["line"], n_label + j + 1))
        return out

    def _check_distinct_columns(self, value_cols, col_dims, rows):
        """Raise when two value columns read as the same cell: the header lost a label.

        A header label spans the empty cells to its right, so a header printed with one
        label fewer than the table has columns gives its neighbour's meaning to a column.
        """
        seen = {}
        line = next((r["line"] for r in rows if r["kind"] == "header"), rows[0]["line"])
        for c, dims in zip(value_cols, col_dims, strict=True):
            key = tuple(sorted(dims.items()))
            if key in seen:
                self.error(
                    line,
                    f"columns {seen[key] + 1} and {c + 1} both read as "
                    f"{', '.join(f'{k}={v}' for k, v in key) or 'no dimension'}: "
                    "the header no longer fits the table's layout",
                    "give each column its meaning in",
                    "levels and labels",
                )
            seen[key] = c

    def _col_dims(self, path):
        dims = {}
        level_dims = self.spec["levels"]
        for i, label in enumerate(path):
            dim = level_dims[i] if i < len(level_dims) else level_dims[-1]
            dims.update(_resolve(label, dim, self.spec, i))
        return dims

    def _row_dims(self, labels, extra, last, line):
        spec = self.spec
        names = spec["rows"]
        printed = labels + extra
        if len(printed) > len(names):
            self.error(
                line,
                f"row labels {printed} do not fit the row dimensions {names}",
                "declare them in",
                '"rows": the dimension of each row-label column',
            )
        printed += [""] * (len(names) - len(printed))
        dims = {}
        for i, (name, text) in enumerate(zip(names, printed, strict=True)):
            if name in spec.get("ffill", []) or (i == 0 and name not in PRINTED_DIMS):
                text = text or last.get(name, "")
            last[name] = text
            if name == "year":
                resolved = _resolve(text, name, spec, None)
                if "year" not in resolved and resolved.get("role") != "fluctuation":
                    self.error(
                        line,
                        f"row label {text!r} is not a year, period or Fluctuation",
                        "declare its dimension in",
                        '"rows" and labels',
                    )
                dims.update(resolved)
            elif name == "unit":
                if text:
                    dims["unit"] = UNIT_WORDS.get(text.lower(), text.lower())
            elif name in PRINTED_DIMS:
                dims[name] = text
            elif text in spec.get("row_labels", {}):
                dims.update(spec["row_labels"][text])
            else:
                dims.update(_resolve(text, name, spec, None))
        # "1. Occupational Risk Benefits" printed in the No. column
        if "no" in dims and "item" in dims and not dims["item"]:
            m = CODE_LABEL_RE.match(dims["no"])
            if m:
                dims["no"], dims["item"] = m.group(1) + ".", m.group(2)
        keys = [k for k in ("item", "province", "business") if k in dims]
        if any(TOTAL_ROW_RE.match(dims.get(k, "")) for k in ["no", *keys]):
            for k in keys:
                dims[k] = "Total"
            for k in ("no", "business_code"):
                if k in dims:
                    dims[k] = ""
        return dims


def _unit_for(dims: dict, spec: dict) -> str | None:
    if dims.get("unit"):
        return dims["unit"]
    measure = dims.get("measure", "")
    for key in (measure, measure.removeprefix("new_")):
        if key in MEASURE_UNITS:
            return MEASURE_UNITS[key]
    return None


def interpret(table: RawTable, report_year: int) -> tuple[pd.DataFrame, list[dict]]:
    """Interpret a raw table into a frame of cells (all roles) and structural findings.

    Parameters
    ----------
    table : RawTable
        The table as printed.
    report_year : int
        Year of the report, used by tables that print no year.

    Returns
    -------
    cells : DataFrame
        One row per printed number with its dimensions, ``role``, ``printed``,
        ``value``, ``line`` and ``column``.
    findings : list of dict
        Structural findings (short rows that had to be aligned).
    """
    it = Interpreter(table, report_year)
    spec = it.spec
    records = []
    for c in it.cells():
        d = dict(c.dims)
        for k, v in spec.get("defaults", {}).items():
            if k == "measure_prefix":
                continue
            d.setdefault(k, v)
        if "measure_prefix" in spec.get("defaults", {}) and d.get("measure"):
            d["measure"] = spec["defaults"]["measure_prefix"] + d["measure"]
        d.setdefault("sex", "total")
        if "year" not in d and c.role != "fluctuation":
            if spec.get("year") == "report":
                d["year"] = report_year
            else:
                it.error(
                    c.line,
                    f"column {c.column}: no year for {c.printed!r}",
                    "declare it in",
                    'levels, labels or "year"',
                )
        if not d.get("measure"):
            it.error(
                c.line,
                f"column {c.column}: no measure for {c.printed!r}",
                "declare it in",
                "labels or defaults",
            )
        unit = _unit_for(d, spec)
        if c.role == "fluctuation":
            unit = "percent"
        if unit not in UNITS:
            it.error(
                c.line,
                f"column {c.column}: unit {unit!r} is not in the vocabulary",
                f"declare it in {UNITS_FILE}, or give the label a unit in",
                "labels or defaults",
            )
        d["unit"] = unit
        d.update(role=c.role, printed=c.printed, value=c.value, line=c.line, column=c.column)
        records.append(d)
    df = pd.DataFrame(records)
    # mark totals
    df["total_of"] = ""
    for dim, total in totals_of(spec).items():
        if dim in df.columns:
            mask = (df[dim] == total[0]) & (df["role"] == "value")
            df.loc[mask, "role"] = "total"
            df.loc[mask, "total_of"] = (
                df.loc[mask, "total_of"].str.cat([dim] * mask.sum(), sep=" ").str.strip()
            )
    if "no" in df.columns and "item" in df.columns:
        _mark_subtotals(df)
    return df, it.findings


def _mark_subtotals(df: pd.DataFrame) -> None:
    codes = set(df["no"].astype(str))
    parents = {
        c for c in codes if c.endswith(".") and any(x.startswith(c) and x != c for x in codes)
    }
    mask = df["no"].isin(parents) & (df["role"] == "value")
    df.loc[mask, "role"] = "total"
    df.loc[mask, "total_of"] = "subitems"


def tidy_frame(cells: pd.DataFrame, table_id: str) -> pd.DataFrame:
    """Return the tidy form: observations only, dimension columns first, in report order."""
    spec = tidy_spec(table_id)
    df = cells[(cells["role"] == "value") & cells["value"].notna()].copy()
    dims = [d for d in DIM_ORDER if d in df.columns]
    dims += [
        d for d in dim_cols(df) if d not in dims and d not in TIDY_TAIL and d != "period_start"
    ]
    tail = ["sex", "year", "measure", "unit", "value", "line", "column"]
    if spec.get("cumulative"):
        tail = [
            "sex",
            "period",
            "period_start",
            "year",
            "measure",
            "unit",
            "value",
            "line",
            "column",
        ]
    df = df.sort_values(["line", "column"], kind="stable")
    out = df[dims + tail].copy()
    for d in dims:
        out[d] = out[d].fillna("")
    out["year"] = out["year"].astype(int)
    out["value"] = [csv_number(v) for v in out["value"]]
    if "month" in out.columns:
        out["month"] = out["month"].astype(int)
    if "period_start" in out.columns:
        out["period_start"] = out["period_start"].astype(int)
    return out.reset_index(drop=True)


def csv_number(value: float) -> str:
    """Write a value for CSV: whole numbers without a decimal point, others in shortest form."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def text_table(table: RawTable) -> pd.DataFrame:
    """Tidy a text table (Table 65): one row per outcome, with its partner and project."""
    partner = project = ""
    records = []
    for r in table.rows:
        if r["kind"] != "body":
            continue
        cells = [c for c in r["cells"] if c]
        if not cells:
            continue
        first = cells[0]
        if re.match(r"^\d+\.\s", first):
            partner, project = first, ""
            continue
        outcomes = cells
        if not first.startswith("-") and len(cells) == 1:
            if project and records and records[-1]["project"] == project:
                project = first
            else:
                project = (project + " " + first).strip() if project and not records else first
            continue
        if not first.startswith("-"):
            project, outcomes = first, cells[1:]
        for o in [x for cell in outcomes for x in re.split(r"(?<=;)\s+-\s+", cell)]:
            records.append(
                {
                    "partner": partner,
                    "project": project,
                    "outcome": o.lstrip("- ").strip(),
                    "line": r["line"],
                }
            )
    return pd.DataFrame(records, columns=["partner", "project", "outcome", "line"])


def build(table: RawTable, report_year: int) -> tuple[pd.DataFrame, list[dict]]:
    """Interpret, check and tidy one table.

    Parameters
    ----------
    table : RawTable
        The table as printed.
    report_year : int
        Year of the report.

    Returns
    -------
    tidy : DataFrame
        The tidy table.
    checks : list of dict
        Every check made (totals, fluctuations, shares, structure), with its status.
    """
    if tidy_spec(table.table_id)["family"] == "text":
        return text_table(table), []
    cells, findings = interpret(table, report_year)
    return tidy_frame(cells, table.table_id), table_checks(cells, findings, table.table_id)


def table_checks(cells: pd.DataFrame, findings: list[dict], table_id: str) -> list[dict]:
    """Return every check of one interpreted table, as :func:`build` makes them.

    Parameters
    ----------
    cells, findings
        What :func:`interpret` returned for the table (``cells`` is not changed).
    table_id : str
        The table.

    Returns
    -------
    list of dict
        The structural findings, then the checks of totals, fluctuations and shares.
    """
    checks = findings + check_totals(cells, table_id)
    return checks + check_fluctuations(cells, table_id) + check_shares(cells, table_id)


def raw_table(table_id: str) -> RawTable:
    """Rebuild a numbered or annex table's :class:`RawTable` from its ``data/raw`` file.

    This lets the interpreter and its checks run on the committed (or a modified) raw
    file instead of the report text.

    Parameters
    ----------
    table_id : str
        A numbered or annex table id (not a directory).
    """
    raw, row = load_raw(table_id), catalog_row(table_id)
    if row["family"] == "directory":
        raise NSSFError(f"{table_id} is a directory, not a table")
    return RawTable.from_frame(raw, row)
