"""The data catalog: the public reading API of ``data/`` (and of the report's text).

``data/`` is written by :func:`nssf_analysis.data.pipeline.write_data` (``nssf-report
extract``); this module still offers it, and the writer's other names, for the
scripts written against the former flat package.

``catalog()``, ``load_raw()`` and ``load_table()`` read what it wrote; every load is
validated.  Every data file is read by :func:`read_bytes` (through :func:`read_text`,
:func:`read_csv` and :func:`read_json`), which turn a missing, unreadable, badly
encoded, empty or cut file into a one-line :class:`ValidationError`.  Results are
cached with :func:`nssf_analysis.cache.data_cache`, keyed on the files they read.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd

from nssf_analysis import paths
from nssf_analysis.data.cache import clear_all, data_cache, note_read
from nssf_analysis.data.extract import (
    RawTable,
)
from nssf_analysis.data.facts import FACT_SPECS
from nssf_analysis.data.layout import layout_problem
from nssf_analysis.data.specs import GRAPHIC_COUNT, TIDY
from nssf_analysis.data.tidy import build
from nssf_analysis.data.validate import (
    check_choices,
    check_columns,
    check_integers,
    check_numbers,
    validate_tidy,
)
from nssf_analysis.exceptions import (
    NSSFError,
    UnknownTableError,
    ValidationError,
    YearNotAvailableError,
)

DIRECTORIES = {
    "a6_6_1": (
        "Annex 6.6.1",
        "Health Facilities Signed the Agreement with the National Social "
        "Security Fund in Health Care Scheme",
        "6.6.1",
    ),
    "a6_6_2": (
        "Annex 6.6.2",
        "Health Facilities Signed the Agreement with the National Social "
        "Security Fund in Occupational Risk Scheme",
        "6.6.2",
    ),
    "a6_6_3": ("Annex 6.6.3", "Branch Offices of the National Social Security Fund", "6.6.3"),
}

CATALOG_COLUMNS = [
    "table_id",
    "label",
    "title",
    "section",
    "scheme",
    "sector",
    "family",
    "unit",
    "source",
    "notes",
    "years",
    "line",
    "raw_rows",
    "tidy_rows",
    "checks",
    "check_issues",
]


def seed_years() -> list[int]:
    """Return the years of the report files in ``seeds/``, oldest first."""
    years = []
    for p in sorted(paths.seeds_dir().glob("nssf_annual_report_*.txt")):
        m = re.search(r"(\d{4})", p.name)
        if m:
            years.append(int(m.group(1)))
    return sorted(years)


# --------------------------------------------------------------------------------------
# Reading files: every read of data/ goes through read_bytes
# --------------------------------------------------------------------------------------


def read_bytes(path: Path) -> bytes:
    """Return the bytes of a data file; a missing or unreadable file is a one-line error.

    Every file of ``data/`` the package reads is read here; the read is recorded for
    :func:`nssf_analysis.cache.data_cache` first.

    Parameters
    ----------
    path : Path
        The file.
    """
    note_read(path)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise NSSFError(f"{path}: not found; run 'nssf-report extract'") from None
    except IsADirectoryError:
        raise ValidationError("readable", path, None, None, "a folder, not a file") from None
    except OSError as err:
        raise ValidationError(
            "readable", path, None, None, f"cannot be read ({err.strerror or err})"
        ) from None


def _decode(path: Path, raw: bytes) -> str:
    """Decode UTF-8 (a byte-order mark is allowed); locate a bad byte by row and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        row, column = _locate_bad_byte(raw, err.start)
        raise ValidationError(
            "utf-8",
            path,
            row,
            column,
            f"byte 0x{raw[err.start]:02x} at offset {err.start} is not UTF-8 text",
        ) from None


def _locate_bad_byte(raw: bytes, offset: int) -> tuple[int | None, str | None]:
    line = raw[:offset].count(b"\n")  # 0-based line of the file; line 0 is the header
    text = raw.decode("utf-8", errors="replace")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError):
        return (line or None), None
    for i, rec in enumerate(df.itertuples(index=False)):
        for col, value in zip(df.columns, rec, strict=True):
            if isinstance(value, str) and "\ufffd" in value:
                return i + 1, col
    return (line or None), None


def read_text(path: Path) -> str:
    """Return a data file as text (UTF-8); bad bytes are a ``utf-8`` error naming row and column.

    Parameters
    ----------
    path : Path
        The file.
    """
    return _decode(Path(path), read_bytes(path))


def read_csv(path: Path) -> pd.DataFrame:
    """Read a data CSV file as strings ('' where blank), refusing a malformed file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    DataFrame
        Every cell a string.

    Raises
    ------
    ValidationError
        Rules ``readable``, ``utf-8``, ``not-empty``, ``line-end`` (the file was cut inside
        a row: the last row has no line end), ``csv`` (the text is not CSV, e.g. an open
        quote) and ``row-length`` (a row with more or fewer fields than the header).
    """
    path = Path(path)
    text = read_text(path)
    if not text.strip():
        raise ValidationError("not-empty", path, None, None, "the file is empty")
    lines = text.splitlines()
    if not text.endswith(("\n", "\r")):
        row = len(lines) - 1
        raise ValidationError(
            "line-end",
            path,
            row or None,
            None,
            f"the file ends inside {'this row' if row else 'its header'} (no line end after "
            "it): it was cut",
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = [r for r in reader if r]
    except csv.Error as err:
        raise ValidationError(
            "csv", path, (reader.line_num - 1) or None, None, f"not valid CSV ({err})"
        ) from None
    header = records[0]
    for i, rec in enumerate(records[1:], start=1):
        if len(rec) != len(header):
            col = header[len(rec)] if len(rec) < len(header) else None
            cut = ": the row is cut" if len(rec) < len(header) else ""
            raise ValidationError(
                "row-length",
                path,
                i,
                col,
                f"{len(rec)} fields where the header has {len(header)}{cut}",
            )
    return pd.DataFrame(records[1:], columns=header, dtype=str)


def read_json(path: Path) -> dict:
    """Read a JSON data file (``metadata.json``); invalid JSON is a ``json`` error.

    Parameters
    ----------
    path : Path
        The file.
    """
    text = read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValidationError(
            "json", path, None, None, f"line {err.lineno}, column {err.colno}: {err.msg}"
        ) from None
    if not isinstance(doc, dict):
        raise ValidationError("json", path, None, None, "not a JSON object")
    return doc


def _clear_caches() -> None:
    """Forget every cached read of ``data/`` (see :mod:`nssf_analysis.cache`)."""
    clear_all()


# --------------------------------------------------------------------------------------
# Reading API
# --------------------------------------------------------------------------------------

#: Files of ``data/`` besides the tables: name, title and what each holds (the book's
#: downloads and the data package describe them from here).
OTHER_DATA_FILES = (
    (
        "catalog.csv",
        "Catalog",
        "one row per table: id, label, title, section, scheme, unit, source, years",
    ),
    ("metadata.json", "Metadata", "per table and column: title, unit and description"),
    ("checks.csv", "Checks", "every check made while tidying, with its status"),
    ("facts.csv", "Facts", "the numbers the report's prose states, with sentence and line"),
    ("graphics.csv", "Graphics", "the report's graphics: number, title, section, source"),
    (
        "edition.csv",
        "Edition",
        "how each table of this edition was matched to the known "
        "tables: matched, renumbered, reworded, new or missing",
    ),
    (
        "revisions.csv",
        "Revisions",
        "every value the newest edition prints differently from an older one",
    ),
)


#: Columns of ``data/catalog.csv`` that hold whole numbers.
CATALOG_INTEGERS = ("line", "raw_rows", "tidy_rows", "checks", "check_issues")


def _missing_in_edition(root: Path) -> set[str]:
    """Return the known tables the edition summary lists as not printed in this edition."""
    path = root / "edition.csv"
    if not path.exists():
        return set()
    summary = read_csv(path)
    if "status" not in summary.columns:
        return set()
    return set(summary.loc[summary["status"] == "missing", "table_id"])


def _read_catalog(root: Path) -> pd.DataFrame:
    path = root / "catalog.csv"
    if not path.exists():
        raise NSSFError(f"{path}: not found; run 'nssf-report extract' first")
    df = read_csv(path)
    check_columns(df, path, CATALOG_COLUMNS)
    check_integers(df, path, CATALOG_INTEGERS)
    years = df["years"].str.fullmatch(r"\d{4}(; \d{4})*")
    if not years.all():
        i = int((~years).to_numpy().argmax())
        raise ValidationError(
            "years", path, i + 1, "years", f"{df['years'].iloc[i]!r} is not a list of years"
        )
    ids = list(df["table_id"])
    for tid in [*TIDY, *DIRECTORIES]:
        if tid not in ids and tid not in _missing_in_edition(root):
            raise ValidationError(
                "complete", path, None, "table_id", f"no row for table {tid}: the catalog is cut"
            )
    dup = df["table_id"].duplicated()
    if dup.any():
        i = int(dup.to_numpy().argmax())
        raise ValidationError(
            "unique-key", path, i + 1, "table_id", f"table {df['table_id'].iloc[i]} listed twice"
        )
    return df


@data_cache
def catalog() -> pd.DataFrame:
    """Return the catalog: one row per table (id, label, title, section, scheme, …).

    Returns
    -------
    DataFrame
        Columns ``table_id``, ``label``, ``title``, ``section``, ``scheme``, ``sector``,
        ``family``, ``unit``, ``source``, ``notes``, ``years``, ``line``, ``raw_rows``,
        ``tidy_rows``, ``checks`` and ``check_issues``.
    """
    return _read_catalog(paths.data_dir())


@data_cache
def _catalog_rows() -> dict[str, dict]:
    return {row["table_id"]: row for row in catalog().to_dict("records")}


def catalog_row(table_id: str) -> dict:
    """Return one table's row of the catalog, ``{column: value}`` (a copy).

    Parameters
    ----------
    table_id : str
        A table of the catalog.

    Raises
    ------
    KeyError
        If the catalog has no such table.
    """
    return dict(_catalog_rows()[table_id])


def _read_metadata(root: Path) -> dict:
    path = root / "metadata.json"
    doc = read_json(path)
    if not isinstance(doc.get("report_year"), int) or not isinstance(doc.get("tables"), dict):
        raise ValidationError(
            "metadata", path, None, None, "needs an integer 'report_year' and a 'tables' object"
        )
    return doc


@data_cache
def _metadata() -> dict:
    return _read_metadata(paths.data_dir())


def metadata(table_id: str) -> dict:
    """Return a table's metadata: label, title, section, source, notes, units, columns."""
    _check_id(table_id)
    return _metadata()["tables"][table_id]


def _check_id(table_id: str) -> None:
    ids = list(catalog()["table_id"])
    if table_id not in ids:
        raise UnknownTableError(
            f"unknown table id {table_id!r}; known ids: {', '.join(ids[:5])} … {ids[-1]} "
            f"(see catalog())"
        )


def available_years() -> list[int]:
    """Return every year for which some table has data."""
    years = set()
    for y in catalog()["years"]:
        years |= {int(x) for x in y.split("; ") if x}
    return sorted(years)


def check_year(year) -> int:
    """Return ``year`` as int, or raise YearNotAvailableError listing the available years."""
    avail = available_years()
    try:
        y = int(year)
        if isinstance(year, float | str) and str(year).strip() != str(y):
            raise ValueError
    except (TypeError, ValueError):
        raise YearNotAvailableError(
            f"parameter year={year!r} is not an integer year; available years: "
            f"{', '.join(map(str, avail))}"
        ) from None
    if isinstance(year, bool) or y not in avail:
        raise YearNotAvailableError(
            f"no data for year {year!r}; available years: {', '.join(map(str, avail))}"
        )
    return y


#: Row kinds of a raw table file.
RAW_KINDS = ("header", "block", "body")


def _check_count(
    df: pd.DataFrame, path: Path, row: pd.Series, column: str, missing: str = ""
) -> None:
    """Raise ``complete`` when a file has fewer or more rows than the catalog records."""
    want = int(row[column])
    if len(df) != want:
        what = "missing" if len(df) < want else "too many"
        raise ValidationError(
            "complete",
            path,
            None,
            None,
            f"{len(df)} rows where the catalog records {want} for {row.name} ({row['label']}): "
            f"{abs(want - len(df))} {what}" + (f"; {missing}" if missing else ""),
        )


def _first_missing_tidy_row(root: Path, row: pd.Series, df: pd.DataFrame) -> str:
    """Name the first value of the raw file that a tidy file lost ('' if none can be named)."""
    try:
        report_year = _read_metadata(root)["report_year"]
        raw = _read_raw(root, row, report_year)
        expected, _ = build(_to_raw_table(raw, row), report_year)
    except (NSSFError, KeyError, ValueError):
        return ""
    have = set(zip(df["line"].astype(str), df["column"].astype(str), strict=True))
    keys = [c for c in expected.columns if c not in ("value", "line", "column", "unit")]
    for r in expected.to_dict("records"):
        if (str(r["line"]), str(r["column"])) not in have:
            what = ", ".join(f"{k}={r[k]}" for k in keys if str(r[k]) != "")
            return (
                f"the first missing is {what} (value {r['value']}, report line {r['line']}, "
                f"column {r['column']})"
            )
    return ""


def _read_raw(root: Path, row: pd.Series, report_year: int, layout: bool = False) -> pd.DataFrame:
    """Read and check a raw file; ``layout`` also checks it against the table's contract.

    Loading (:func:`load_raw`) checks structure, types and the row count; the contract is
    checked by extraction and :func:`validate_data`, so that the audit can still be run on
    a raw file edited to try its rules.
    """
    path = root / "raw" / f"{row.name}.csv"
    df = read_csv(path)
    if row["family"] == "directory":
        check_columns(df, path, ["line"])
    else:
        check_columns(df, path, ["block", "line", "kind", "c1"])
        check_choices(df, path, "kind", RAW_KINDS)
    check_integers(df, path, ["line"])
    if layout and row["family"] not in ("directory", "text"):
        problem = layout_problem(_to_raw_table(df, row), report_year)
        if problem:
            line, detail = problem
            at = df.index[df["line"] == str(line)]
            raise ValidationError(
                "complete",
                path,
                int(at[0]) + 1 if len(at) else None,
                None,
                f"{row.name} ({row['label']}), report line {line}: {detail}",
            )
    _check_count(df, path, row, "raw_rows")
    return df


def load_raw(table_id: str) -> pd.DataFrame:
    """Return a table exactly as printed: every cell a string ('' where blank).

    Parameters
    ----------
    table_id : str
        E.g. ``"t10"`` or ``"a6_1_4"``.
    """
    _check_id(table_id)
    return _raw_validated(table_id).copy()


@data_cache
def _raw_validated(table_id: str) -> pd.DataFrame:
    row = catalog().set_index("table_id").loc[table_id]
    return _read_raw(paths.data_dir(), row, int(_metadata()["report_year"]))


def raw_table(table_id: str) -> RawTable:
    """Rebuild a numbered or annex table's :class:`RawTable` from its ``data/raw`` file.

    This lets the tidy interpreter and its checks run on the committed (or a
    modified) raw file instead of the report text.

    Parameters
    ----------
    table_id : str
        A numbered or annex table id (not a directory).
    """
    raw = load_raw(table_id)
    row = catalog().set_index("table_id").loc[table_id]
    if row["family"] == "directory":
        raise NSSFError(f"{table_id} is a directory, not a table")
    return _to_raw_table(raw, row)


def _to_raw_table(raw: pd.DataFrame, row: pd.Series) -> RawTable:
    cells_cols = [c for c in raw.columns if re.fullmatch(r"c\d+", c)]
    rows = []
    for r in raw.to_dict("records"):
        cells = [r[c] for c in cells_cols]
        while len(cells) > 1 and cells[-1] == "" and r["kind"] == "block":
            cells.pop()
        rows.append(
            {"block": r["block"], "line": int(r["line"]), "kind": r["kind"], "cells": cells}
        )
    return RawTable(
        table_id=str(row.name),
        label=row["label"],
        title=row["title"],
        section=row["section"],
        source=row["source"],
        notes=row["notes"],
        title_line=int(row["line"]),
        rows=rows,
    )


#: Columns every directory file must have.
DIRECTORY_COLUMNS = {
    "a6_6_1": ["province", "no", "name", "line"],
    "a6_6_2": ["province", "no", "name", "line"],
    "a6_6_3": ["branch", "office", "address", "line"],
}


def _read_tidy(root: Path, row: pd.Series, known_years: set[int]) -> pd.DataFrame:
    path = root / "tidy" / f"{row.name}.csv"
    df = read_csv(path)
    if row["family"] == "directory":
        check_columns(df, path, DIRECTORY_COLUMNS.get(row.name, ["line"]))
        check_integers(df, path, ["line"])
    elif row["family"] == "text":
        check_columns(df, path, ["partner", "project", "outcome", "line"])
        check_integers(df, path, ["line"])
    else:
        df = validate_tidy(df, path, known_years)
        have = set(df["year"])
        for y in (int(x) for x in row["years"].split("; ")):
            if y not in have:
                raise ValidationError(
                    "complete",
                    path,
                    None,
                    "year",
                    f"no rows for {y}, which the catalog lists for {row.name} ({row['label']}): "
                    f"{row['years']}",
                )
    if len(df) < int(row["tidy_rows"]) and row["family"] not in ("directory", "text"):
        _check_count(df, path, row, "tidy_rows", _first_missing_tidy_row(root, row, df))
    _check_count(df, path, row, "tidy_rows")
    return df


def load_table(table_id: str, year: int | None = None) -> pd.DataFrame:
    """Return a tidy table, validated, optionally only the rows of one year.

    Parameters
    ----------
    table_id : str
        E.g. ``"t10"``.
    year : int, optional
        Keep only this year's rows; the year must be one with data (else
        :class:`YearNotAvailableError`), but a table may have no rows for it.

    Returns
    -------
    DataFrame
        Dimension columns (strings), ``year`` (int), ``measure``, ``unit``,
        ``value`` (float), ``line`` and ``column``.  Directories and the text table
        are returned as strings.
    """
    _check_id(table_id)
    family = _tidy_validated(table_id)[0]
    df = _tidy_validated(table_id)[1].copy()
    if family in ("directory", "text"):
        return df
    if year is not None:
        df = df[df["year"] == check_year(year)].reset_index(drop=True)
    return df


@data_cache
def _tidy_validated(table_id: str) -> tuple[str, pd.DataFrame]:
    """Return a table's family and its validated tidy frame (callers get a copy)."""
    row = catalog().set_index("table_id").loc[table_id]
    return row["family"], _read_tidy(paths.data_dir(), row, set(available_years()))


def _read_checks(root: Path, cat: pd.DataFrame | None = None) -> pd.DataFrame:
    path = root / "checks.csv"
    df = read_csv(path)
    check_columns(df, path, ["check_id", "table_id", "check", "location", "line", "status"])
    check_integers(df, path, ["line"])
    if cat is not None:
        counts = df["table_id"].value_counts()
        for tid, want in zip(cat["table_id"], cat["checks"], strict=True):
            have = int(counts.get(tid, 0))
            if have != int(want):
                raise ValidationError(
                    "complete",
                    path,
                    None,
                    "table_id",
                    f"{have} checks of {tid} where the catalog records {want}",
                )
    return df


def load_checks() -> pd.DataFrame:
    """Return every check made while tidying (totals, fluctuations, shares, structure)."""
    return _read_checks(paths.data_dir())


def _read_facts(root: Path) -> pd.DataFrame:
    path = root / "facts.csv"
    df = read_csv(path)
    check_columns(df, path, ["fact_id", "section", "measure", "unit", "value", "line"])
    df = check_numbers(df, path, ["value"])
    df["value"] = df["value"].astype(float)
    have = set(df["fact_id"])
    for spec in FACT_SPECS:
        for fact_id in spec.fact_ids:
            if fact_id not in have:
                raise ValidationError(
                    "complete",
                    path,
                    None,
                    "fact_id",
                    f"no row for fact {fact_id} (section {spec.section})",
                )
    return check_integers(df, path, ["line"])


def load_facts() -> pd.DataFrame:
    """Return the numbers stated in the report's prose."""
    return _read_facts(paths.data_dir())


def _read_graphics(root: Path) -> pd.DataFrame:
    path = root / "graphics.csv"
    df = read_csv(path)
    check_columns(df, path, ["graphic_id", "label", "title", "section", "line"])
    check_integers(df, path, ["line"])
    for n in range(1, GRAPHIC_COUNT + 1):
        if f"graphic-{n}" not in set(df["graphic_id"]):
            raise ValidationError("complete", path, None, "graphic_id", f"no row for Graphic {n}")
    return df


def load_graphics() -> pd.DataFrame:
    """Return the list of graphics the report refers to."""
    return _read_graphics(paths.data_dir())


def validate_data(root: Path | None = None) -> int:
    """Check every file of a data folder as the readers do; return the number of tables.

    Parameters
    ----------
    root : Path, optional
        The data folder (default :func:`paths.data_dir`).

    Raises
    ------
    ValidationError
        Naming the first file, row, column and rule that fail.
    """
    root = Path(root) if root is not None else paths.data_dir()
    cat = _read_catalog(root).set_index("table_id", drop=False)
    meta = _read_metadata(root)
    report_year = meta["report_year"]
    for tid in cat["table_id"]:
        if tid not in meta["tables"]:
            raise ValidationError(
                "complete", root / "metadata.json", None, None, f"no entry for table {tid}"
            )
    years = {int(y) for ys in cat["years"] for y in ys.split("; ")}
    for _, row in cat.iterrows():
        _read_raw(root, row, report_year, layout=True)
        _read_tidy(root, row, years)
    _read_checks(root, cat)
    _read_facts(root)
    _read_graphics(root)
    return len(cat)


# --------------------------------------------------------------------------------------
# The writer's names, offered here too
# --------------------------------------------------------------------------------------

#: Names of :mod:`nssf_analysis.data.pipeline` this module offers (``catalog.write_data``).
PIPELINE_NAMES = (
    "COLUMN_DOCS",
    "write_data",
    "_remove_stale_temporaries",
    "_sha",
    "_swap_in",
    "_write_all",
)


def __getattr__(name):
    """Give the writer's names on first use (the pipeline imports this module)."""
    if name in PIPELINE_NAMES:
        from nssf_analysis.data import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
