"""The data catalog: writing ``data/`` from the seeds, and the public reading API.

``write_data()`` runs the whole data layer (extract → tidy → checks → catalog) and
is what ``nssf-report extract`` calls.  ``catalog()``, ``load_raw()`` and
``load_table()`` read what it wrote; every load is validated.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths
from .directories import extract_directories
from .editions import (
    check_strict,
    match_edition,
    older_editions,
    revisions_frame,
    with_older_years,
    write_older,
)
from .exceptions import NSSFError, UnknownTableError, YearNotAvailableError
from .extract import (
    RawTable,
    find_graphics,
    read_lines,
    report_year,
    scheme_of,
    write_csv,
)
from .facts import extract_facts
from .specs import tidy_spec
from .tidy import build
from .validate import validate_tidy

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

#: What each tidy column means (the per-column metadata of every table).
COLUMN_DOCS = {
    "block": ("Block", "", "Block of a table printed in several blocks."),
    "worker_group": ("Worker group", "", "all / formal / informal female workers."),
    "scheme": ("Scheme", "", "Social security scheme the row concerns."),
    "audience": ("Audience", "", "workers or drivers reached by dissemination."),
    "group": ("Member group", "", "Public employees, former civil servants, veterans."),
    "sector": ("Sector", "", "formal / informal sector (all = both)."),
    "no": ("No.", "", "Row number as printed in the report."),
    "province": ("Capital/province", "", "Capital, province or Phnom Penh khan as printed."),
    "business_code": ("Business code", "", "Business code as printed."),
    "business": ("Type of business", "", "Type of business as printed."),
    "item": ("Item", "", "Row label as printed (activity, benefit type, service…)."),
    "office": ("Office", "", "head_offices / provincial_branches (where registered)."),
    "level": ("Level", "", "central / provincial level."),
    "facility_type": ("Facility type", "", "Type of health facility."),
    "injury_type": ("Injury type", "", "workplace / commuting accidents, occupational diseases."),
    "degree": ("Degree", "", "Degree of injury or of permanent disability."),
    "category": ("Category", "", "Category of victims, vehicles or sectors."),
    "status": ("Status", "", "Status of a case or document (new/old, claimed/paid, …)."),
    "month": ("Month", "", "Month of the report year (1-12)."),
    "sex": ("Sex", "", "total (all persons) or female."),
    "period": ("Period", "", "Cumulative period as printed, e.g. 2008-2021."),
    "period_start": ("Period start", "year", "First year of a cumulative period."),
    "year": ("Year", "year", "Year the value refers to (last year of a cumulative period)."),
    "measure": ("Measure", "", "What is counted or summed (snake_case)."),
    "unit": ("Unit", "", "Unit of value, from the controlled vocabulary."),
    "value": ("Value", "see unit", "The number as printed, parsed."),
    "line": ("Report line", "", "Line of the report text the number is printed on."),
    "column": ("Report column", "", "Tab-separated column of that line (1-based)."),
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


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_data(out: Path | None = None, progress: bool = False, strict: bool = False) -> dict:
    """Extract every table of the newest report into ``data/`` (raw, tidy, checks, catalog).

    Tables are identified by what they are (:func:`editions.match_edition`); the edition
    summary goes to ``edition.csv`` and tables new in the edition to ``raw/new_<n>.csv``.
    With several reports in ``seeds/``, a table's tidy rows hold every year any of them
    prints, each year from the newest edition that prints it; what the newest revises is
    listed in ``revisions.csv`` and older editions' tables as printed go to
    ``editions/<year>/raw``.

    Parameters
    ----------
    out : Path, optional
        Target folder (default :func:`paths.data_dir`).
    progress : bool
        Show a progress bar.
    strict : bool
        Fail, before anything is written, if the edition prints a table the specs do not
        know or lacks a known one.

    Returns
    -------
    dict
        Counts of what was written; ``edition`` is the :class:`editions.Edition`.
    """
    out = Path(out) if out else paths.data_dir()
    years = seed_years()
    if not years:
        raise NSSFError(f"{paths.seeds_dir()}: no nssf_annual_report_<year>.txt file")
    year = years[-1]
    seed = paths.seed_path(year)
    lines = read_lines(seed)
    ry = report_year(lines, str(seed))
    if ry != year:
        raise NSSFError(f"{seed}: title says report year {ry}, file name says {year}")
    edition = match_edition(lines)
    if strict:
        check_strict(edition)
    older = older_editions(years)
    tables = edition.tables
    revisions = []
    (out / "raw").mkdir(parents=True, exist_ok=True)
    (out / "tidy").mkdir(parents=True, exist_ok=True)
    catalog_rows, all_checks, meta = [], [], {}
    iterator = tables
    if progress:
        from tqdm import tqdm

        iterator = tqdm(tables, desc="tables", unit="table")
    for t in iterator:
        raw = t.to_frame()
        write_csv(raw, out / "raw" / f"{t.table_id}.csv")
        tidy, checks = build(t, ry)
        tidy, revised = with_older_years(t, tidy, ry, older, build)
        revisions += revised
        write_csv(tidy, out / "tidy" / f"{t.table_id}.csv")
        all_checks += checks
        scheme, sector = scheme_of(t.section)
        units = sorted(set(tidy["unit"])) if "unit" in tidy.columns else []
        yrs = sorted(set(tidy["year"])) if "year" in tidy.columns else [ry]
        spec = tidy_spec(t.table_id)
        issues = sum(c["status"] in ("inconsistency", "structural") for c in checks)
        catalog_rows.append(
            {
                "table_id": t.table_id,
                "label": t.label,
                "title": t.title,
                "section": t.section,
                "scheme": scheme,
                "sector": sector,
                "family": spec["family"],
                "unit": "; ".join(units),
                "source": t.source,
                "notes": t.notes,
                "years": "; ".join(str(y) for y in yrs),
                "line": t.title_line,
                "raw_rows": len(raw),
                "tidy_rows": len(tidy),
                "checks": len(checks),
                "check_issues": issues,
            }
        )
        meta[t.table_id] = {
            "label": t.label,
            "title": t.title,
            "section": t.section,
            "source": t.source,
            "notes": t.notes,
            "units": units,
            "columns": {
                c: dict(
                    zip(
                        ("title", "unit", "description"),
                        COLUMN_DOCS.get(c, (c, "", "")),
                        strict=True,
                    )
                )
                for c in tidy.columns
            },
        }
    for tid, df in extract_directories(lines).items():
        label, title, section = DIRECTORIES[tid]
        write_csv(df, out / "raw" / f"{tid}.csv")
        write_csv(df, out / "tidy" / f"{tid}.csv")
        scheme, sector = scheme_of(section)
        catalog_rows.append(
            {
                "table_id": tid,
                "label": label,
                "title": title,
                "section": section,
                "scheme": scheme,
                "sector": sector,
                "family": "directory",
                "unit": "",
                "source": "",
                "notes": "",
                "years": str(ry),
                "line": int(df["line"].min()),
                "raw_rows": len(df),
                "tidy_rows": len(df),
                "checks": 0,
                "check_issues": 0,
            }
        )
        meta[tid] = {
            "label": label,
            "title": title,
            "section": section,
            "source": "",
            "notes": "",
            "units": [],
            "columns": {c: {"title": c, "unit": "", "description": ""} for c in df.columns},
        }
    for t in edition.new:
        write_csv(t.to_frame(), out / "raw" / f"{t.table_id}.csv")
    write_csv(edition.summary, out / "edition.csv")
    write_csv(revisions_frame(revisions), out / "revisions.csv")
    write_older(out, older, write_csv)
    cat = pd.DataFrame(catalog_rows, columns=CATALOG_COLUMNS)
    write_csv(cat, out / "catalog.csv")
    checks = pd.DataFrame(all_checks)
    checks.insert(0, "check_id", [f"C{i:04d}" for i in range(1, len(checks) + 1)])
    write_csv(checks, out / "checks.csv")
    write_csv(extract_facts(lines), out / "facts.csv")
    write_csv(find_graphics(lines), out / "graphics.csv")
    meta_doc = {
        "report_year": ry,
        "seed": seed.name,
        "seed_sha256": _sha(seed),
        "tables": meta,
    }
    if older:
        meta_doc["older_editions"] = [
            {"report_year": o.year, "seed": o.seed.name, "seed_sha256": _sha(o.seed)} for o in older
        ]
    (out / "metadata.json").write_text(
        json.dumps(meta_doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    _clear_caches()
    return {
        "report_year": ry,
        "tables": len(tables),
        "directories": 3,
        "checks": len(checks),
        "facts": "facts.csv",
        "edition": edition,
    }


def _clear_caches() -> None:
    catalog.cache_clear()
    _metadata.cache_clear()


@lru_cache(maxsize=1)
def catalog() -> pd.DataFrame:
    """Return the catalog: one row per table (id, label, title, section, scheme, …).

    Returns
    -------
    DataFrame
        Columns ``table_id``, ``label``, ``title``, ``section``, ``scheme``, ``sector``,
        ``family``, ``unit``, ``source``, ``notes``, ``years``, ``line``, ``raw_rows``,
        ``tidy_rows``, ``checks`` and ``check_issues``.
    """
    path = paths.data_dir() / "catalog.csv"
    if not path.exists():
        raise NSSFError(f"{path}: not found; run 'nssf-report extract' first")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _metadata() -> dict:
    return json.loads((paths.data_dir() / "metadata.json").read_text(encoding="utf-8"))


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


def load_raw(table_id: str) -> pd.DataFrame:
    """Return a table exactly as printed: every cell a string ('' where blank).

    Parameters
    ----------
    table_id : str
        E.g. ``"t10"`` or ``"a6_1_4"``.
    """
    _check_id(table_id)
    path = paths.raw_dir() / f"{table_id}.csv"
    if not path.exists():
        raise NSSFError(f"{path}: not found; run 'nssf-report extract'")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


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
    cells_cols = [c for c in raw.columns if c.startswith("c")]
    rows = []
    for _, r in raw.iterrows():
        cells = [r[c] for c in cells_cols]
        while len(cells) > 1 and cells[-1] == "" and r["kind"] == "block":
            cells.pop()
        rows.append(
            {"block": r["block"], "line": int(r["line"]), "kind": r["kind"], "cells": cells}
        )
    return RawTable(
        table_id=table_id,
        label=row["label"],
        title=row["title"],
        section=row["section"],
        source=row["source"],
        notes=row["notes"],
        title_line=int(row["line"]),
        rows=rows,
    )


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
        ``value`` (float), ``line`` and ``column``.
    """
    _check_id(table_id)
    path = paths.tidy_dir() / f"{table_id}.csv"
    if not path.exists():
        raise NSSFError(f"{path}: not found; run 'nssf-report extract'")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = catalog().set_index("table_id").loc[table_id]
    if row["family"] in ("directory", "text"):
        return df
    df = validate_tidy(df, path, set(available_years()) | _period_years(df))
    for col in ("line", "column", "month", "period_start"):
        if col in df.columns:
            df[col] = df[col].astype(int)
    if year is not None:
        df = df[df["year"] == check_year(year)].reset_index(drop=True)
    return df


def _period_years(df: pd.DataFrame) -> set[int]:
    return set()


def load_checks() -> pd.DataFrame:
    """Return every check made while tidying (totals, fluctuations, shares, structure)."""
    return pd.read_csv(paths.data_dir() / "checks.csv", dtype=str, keep_default_na=False)


def load_facts() -> pd.DataFrame:
    """Return the numbers stated in the report's prose."""
    df = pd.read_csv(paths.data_dir() / "facts.csv", dtype=str, keep_default_na=False)
    df["value"] = df["value"].astype(float)
    df["line"] = df["line"].astype(int)
    return df


def load_graphics() -> pd.DataFrame:
    """Return the list of graphics the report refers to."""
    return pd.read_csv(paths.data_dir() / "graphics.csv", dtype=str, keep_default_na=False)
