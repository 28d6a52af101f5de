"""The reading API of ``data/``: the catalog, every table as printed and tidy, and the rest.

``data/`` is written by ``nssf-report extract`` (:mod:`nssf_analysis.data.pipeline`), which
validates every file before it lists its SHA-256 in the manifest ``data/SHA256SUMS``
(:mod:`nssf_analysis.data.files`).  A load here *trusts* a file whose content, and the
catalog's, are the ones the manifest lists: it is parsed and typed, not checked again.
Any other file (edited by hand, damaged, or in a folder without a manifest) is checked in
full by the ``read_*`` functions below with the rules of :mod:`nssf_analysis.data.validate`,
and a broken one is an error naming file, row, column and rule.  ``nssf-report validate``
checks every file whatever the manifest says (:func:`nssf_analysis.data.pipeline.validate_data`
calls these readers with ``trust=False``, and adds the writer's own rules).

Every file is read through :func:`nssf_analysis.data.files.read_bytes` (each read is a
recorded load) and results are cached with :func:`nssf_analysis.data.cache.data_cache`
while the files they loaded are unchanged; the frames returned are the caller's copies,
except :func:`catalog` (shared: do not change it).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nssf_analysis import paths
from nssf_analysis.data.cache import data_cache
from nssf_analysis.data.files import read_csv, read_json, same_files, trusted
from nssf_analysis.data.specs import GRAPHIC_COUNT, REFERENCE_YEAR, TIDY
from nssf_analysis.data.validate import (
    check_choices,
    check_columns,
    check_integers,
    check_numbers,
    tidy_types,
    validate_tidy,
)
from nssf_analysis.exceptions import (
    NSSFError,
    UnknownTableError,
    ValidationError,
    YearNotAvailableError,
)

__all__ = [
    "CATALOG_COLUMNS",
    "DIRECTORIES",
    "DIRECTORY_COLUMNS",
    "FACTS_MISSING",
    "FACTS_MISSING_COLUMNS",
    "OTHER_DATA_FILES",
    "absence_note",
    "available_years",
    "catalog",
    "catalog_row",
    "check_count",
    "check_id",
    "check_year",
    "in_edition",
    "load_checks",
    "load_edition",
    "load_facts",
    "load_facts_missing",
    "load_graphics",
    "load_raw",
    "load_revisions",
    "load_table",
    "metadata",
    "read_catalog",
    "read_checks",
    "read_facts",
    "read_facts_missing",
    "read_graphics",
    "read_metadata",
    "read_raw",
    "read_tidy",
    "report_metadata",
    "report_year",
    "stated_facts",
]

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
    (
        "facts_missing.csv",
        "Missing facts",
        "the declared facts of the prose this edition does not print (only when there are "
        "some): fact, section, and the heading and sentence anchor looked for",
    ),
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

#: The file of ``data/`` naming the facts this edition does not print, written (and named
#: under the key ``facts_missing`` of ``metadata.json``) only when there are some.
FACTS_MISSING = "facts_missing.csv"
#: Its columns: the fact, its section, the heading and anchor of the sentence looked for,
#: and why it is missing ("heading not printed" or "sentence not printed").
FACTS_MISSING_COLUMNS = ["fact_id", "section", "heading", "anchor", "reason"]

#: Columns of ``data/catalog.csv`` that hold whole numbers.
CATALOG_INTEGERS = ("line", "raw_rows", "tidy_rows", "checks", "check_issues")
#: Row kinds of a raw table file.
RAW_KINDS = ("header", "block", "body")
#: Columns every directory file must have.
DIRECTORY_COLUMNS = {
    "a6_6_1": ["province", "no", "name", "line"],
    "a6_6_2": ["province", "no", "name", "line"],
    "a6_6_3": ["branch", "office", "address", "line"],
}


# --------------------------------------------------------------------------------------
# Reading and checking each file (a data folder ``root``; ``trust``: see the module notes)
# --------------------------------------------------------------------------------------


def _missing_in_edition(root: Path) -> set[str]:
    """Return the known tables the edition summary lists as not printed in this edition."""
    path = root / "edition.csv"
    if not path.exists():
        return set()
    summary = read_csv(path)
    if "status" not in summary.columns:
        return set()
    return set(summary.loc[summary["status"] == "missing", "table_id"])


def read_catalog(root: Path, trust: bool = False) -> pd.DataFrame:
    """Read and check ``catalog.csv`` of a data folder (strings).

    Parameters
    ----------
    root : Path
        The data folder.
    trust : bool
        Skip the checks when the manifest lists the file as it is.
    """
    path = root / "catalog.csv"
    if not path.exists():
        raise NSSFError(f"{path}: not found; run 'nssf-report extract' first")
    df = read_csv(path)
    if trust and trusted(path):
        return df
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
    _listed_once(df, path, "table_id", "table")
    return df


def read_metadata(root: Path) -> dict:
    """Read and check ``metadata.json`` of a data folder.

    Parameters
    ----------
    root : Path
        The data folder.
    """
    path = root / "metadata.json"
    doc = read_json(path)
    if not isinstance(doc.get("report_year"), int) or not isinstance(doc.get("tables"), dict):
        raise ValidationError(
            "metadata", path, None, None, "needs an integer 'report_year' and a 'tables' object"
        )
    return doc


def check_count(
    df: pd.DataFrame, path: Path, row: pd.Series, column: str, missing: str = ""
) -> None:
    """Raise ``complete`` when a file has fewer or more rows than the catalog records.

    Parameters
    ----------
    df : DataFrame
        The file as read.
    path : Path
        The file, named in the error.
    row : Series
        The table's catalog row (named by its id).
    column : str
        The catalog's count: ``raw_rows`` or ``tidy_rows``.
    missing : str
        What the error adds (the first value lost).
    """
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


def read_raw(root: Path, row: pd.Series, trust: bool = False, check=None) -> pd.DataFrame:
    """Read and check a table as printed, ``raw/<table_id>.csv`` (strings).

    Parameters
    ----------
    root : Path
        The data folder.
    row : Series
        The table's catalog row (named by its id).
    trust : bool
        Skip the checks when the manifest lists the file and the catalog as they are.
    check : callable, optional
        ``check(df, path, row)``, a further check run before the row count (the writer's
        layout check).
    """
    path = root / "raw" / f"{row.name}.csv"
    df = read_csv(path)
    if trust and trusted(path, root / "catalog.csv"):
        return df
    if row["family"] == "directory":
        check_columns(df, path, ["line"])
    else:
        check_columns(df, path, ["block", "line", "kind", "c1"])
        check_choices(df, path, "kind", RAW_KINDS)
    check_integers(df, path, ["line"])
    if check is not None:
        check(df, path, row)
    check_count(df, path, row, "raw_rows")
    return df


def read_tidy(
    root: Path, row: pd.Series, years: set[int], trust: bool = False, check=None
) -> pd.DataFrame:
    """Read and check a tidy table, ``tidy/<table_id>.csv`` (typed, see :func:`load_table`).

    Parameters
    ----------
    root : Path
        The data folder.
    row : Series
        The table's catalog row (named by its id).
    years : set of int
        The years the data may hold.
    trust : bool
        Only type the file when the manifest lists it and the catalog as they are.
    check : callable, optional
        ``check(df, path, row)``, a further check run before the row count.
    """
    path = root / "tidy" / f"{row.name}.csv"
    df = read_csv(path)
    family = row["family"]
    if trust and trusted(path, root / "catalog.csv"):
        return df if family in ("directory", "text") else tidy_types(df, path)
    if family in ("directory", "text"):
        text = ["partner", "project", "outcome", "line"]
        check_columns(df, path, DIRECTORY_COLUMNS.get(row.name, text))
        check_integers(df, path, ["line"])
    else:
        df = validate_tidy(df, path, years)
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
    if check is not None:
        check(df, path, row)
    check_count(df, path, row, "tidy_rows")
    return df


def read_checks(root: Path, cat: pd.DataFrame | None = None, trust: bool = False) -> pd.DataFrame:
    """Read and check ``checks.csv`` (strings); ``cat``: the catalog its counts must match."""
    path = root / "checks.csv"
    df = read_csv(path)
    if trust and trusted(path):
        return df
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


def read_facts(root: Path, trust: bool = False) -> pd.DataFrame:
    """Read and check ``facts.csv``: ``value`` a float, ``line`` an int."""
    path = root / "facts.csv"
    df = read_csv(path)
    if trust and trusted(path):
        return df.astype({"value": float, "line": int})
    check_columns(df, path, ["fact_id", "section", "measure", "unit", "value", "line"])
    df = check_numbers(df, path, ["value"])
    df["value"] = df["value"].astype(float)
    return check_integers(df, path, ["line"])


def read_facts_missing(root: Path, trust: bool = False) -> pd.DataFrame:
    """Read and check ``facts_missing.csv`` (strings); empty when the edition lacks no fact.

    The file is there, and ``metadata.json`` names it under the key ``facts_missing``,
    when the edition does not print some declared facts: one row per fact, listed once.
    A file that ``metadata.json`` does not name, or the other way round, breaks
    ``complete``.

    Parameters
    ----------
    root : Path
        The data folder.
    trust : bool
        Skip the checks when the manifest lists the file as it is.
    """
    path = root / FACTS_MISSING
    listed = read_metadata(root).get("facts_missing")
    if listed is None:
        if path.exists() and not trust:
            raise ValidationError(
                "complete", path, None, None, "metadata.json does not name it ('facts_missing')"
            )
        return pd.DataFrame(columns=FACTS_MISSING_COLUMNS, dtype=str)
    if listed != FACTS_MISSING:
        raise ValidationError(
            "metadata",
            root / "metadata.json",
            None,
            None,
            f"'facts_missing' must be {FACTS_MISSING!r}",
        )
    df = read_csv(path)
    if trust and trusted(path):
        return df
    check_columns(df, path, FACTS_MISSING_COLUMNS)
    if df.empty:
        raise ValidationError("complete", path, None, None, "no fact; metadata.json names it")
    _listed_once(df, path, "fact_id", "fact")
    return df


def _listed_once(df: pd.DataFrame, path: Path, column: str, what: str) -> None:
    """Raise a ValidationError naming the first row whose ``column`` repeats an earlier one."""
    dup = df[column].duplicated()
    if dup.any():
        i = int(dup.to_numpy().argmax())
        raise ValidationError(
            "unique-key", path, i + 1, column, f"{what} {df[column].iloc[i]} listed twice"
        )


def read_graphics(root: Path, trust: bool = False) -> pd.DataFrame:
    """Read and check ``graphics.csv`` (strings)."""
    path = root / "graphics.csv"
    df = read_csv(path)
    if trust and trusted(path):
        return df
    check_columns(df, path, ["graphic_id", "label", "title", "section", "line"])
    check_integers(df, path, ["line"])
    for n in range(1, GRAPHIC_COUNT + 1):
        if f"graphic-{n}" not in set(df["graphic_id"]):
            raise ValidationError("complete", path, None, "graphic_id", f"no row for Graphic {n}")
    return df


# --------------------------------------------------------------------------------------
# The reading API
# --------------------------------------------------------------------------------------


@data_cache
def catalog() -> pd.DataFrame:
    """Return the catalog: one row per table (id, label, title, section, scheme, …).

    Returns
    -------
    DataFrame
        Columns ``table_id``, ``label``, ``title``, ``section``, ``scheme``, ``sector``,
        ``family``, ``unit``, ``source``, ``notes``, ``years``, ``line``, ``raw_rows``,
        ``tidy_rows``, ``checks`` and ``check_issues`` (strings).  Shared: do not change it.

    Examples
    --------
    >>> cat = catalog()
    >>> cat.query("section == 'A.1.2'")[["table_id", "label", "title"]].head(2)
      table_id    label                                  title
    5      t06  Table 6             Inspection of Registration
    6      t07  Table 7  Inspection of Contribution Collection
    """
    return read_catalog(paths.data_dir(), trust=True)


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


def _row(table_id: str) -> pd.Series:
    return pd.Series(_catalog_rows()[table_id], name=table_id)


@data_cache
def report_metadata() -> dict:
    """Return ``data/metadata.json``: ``report_year``, ``seed``, ``tables`` … (shared)."""
    return read_metadata(paths.data_dir())


def metadata(table_id: str) -> dict:
    """Return a table's metadata: label, title, section, source, notes, units, columns."""
    check_id(table_id)
    return report_metadata()["tables"][table_id]


def report_year() -> int:
    """Return the year of the newest report, the one ``data/`` was extracted from."""
    return int(report_metadata()["report_year"])


def check_id(table_id: str) -> None:
    """Raise :class:`UnknownTableError`, listing the known ids, if the catalog lacks a table."""
    if table_id not in _catalog_rows():
        ids = list(catalog()["table_id"])
        raise UnknownTableError(
            f"unknown table id {table_id!r}; known ids: {', '.join(ids[:5])} … {ids[-1]} "
            f"(see catalog())"
        )


def available_years() -> list[int]:
    """Return every year for which some table has data.

    Examples
    --------
    >>> available_years()
    [2021, 2022]
    """
    years = set()
    for y in catalog()["years"]:
        years |= {int(x) for x in y.split("; ") if x}
    return sorted(years)


def check_year(year) -> int:
    """Return ``year`` as int, or raise YearNotAvailableError listing the available years.

    Examples
    --------
    >>> check_year("2022")
    2022
    """
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

    Examples
    --------
    >>> load_raw("t10").loc[2, ["line", "kind", "c1", "c2", "c3"]].tolist()
    ['318', 'body', '2021', '11,403', '6,297']
    """
    with same_files():  # the catalog and the file hashed once for the checks below
        check_id(table_id)
        return _raw(table_id).copy()


@data_cache
def _raw(table_id: str) -> pd.DataFrame:
    return read_raw(paths.data_dir(), _row(table_id), trust=True)


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

    Examples
    --------
    >>> load_table("t10", 2022).head(2)
               injury_type     sex  year   measure     unit  value  line  column
    0  workplace_accidents   total  2022  injuries  persons   7342   319       4
    1  workplace_accidents  female  2022  injuries  persons   3597   319       5
    """
    with same_files():  # the catalog and the file hashed once for the checks below
        check_id(table_id)
        df = _tidy(table_id).copy()
        if catalog_row(table_id)["family"] in ("directory", "text") or year is None:
            return df
        return df[df["year"] == check_year(year)].reset_index(drop=True)


@data_cache
def _tidy(table_id: str) -> pd.DataFrame:
    years = set(available_years())
    return read_tidy(paths.data_dir(), _row(table_id), years, trust=True)


@data_cache
def _checks() -> pd.DataFrame:
    return read_checks(paths.data_dir(), trust=True)


def load_checks() -> pd.DataFrame:
    """Return every check made while tidying (totals, fluctuations, shares, structure)."""
    return _checks().copy()


@data_cache
def _facts() -> pd.DataFrame:
    return read_facts(paths.data_dir(), trust=True)


def load_facts() -> pd.DataFrame:
    """Return the numbers stated in the report's prose.

    Examples
    --------
    >>> facts = load_facts()
    >>> list(facts.columns[:4])
    ['fact_id', 'section', 'scheme', 'sector']
    """
    return _facts().copy()


def stated_facts(year) -> pd.Series:
    """Return the figures the report states in its text, for the report's own year only.

    The report's prose describes the year of the report: a chapter run for that year
    quotes these figures, a chapter run for an earlier year has none of them (its
    tables' comparison columns give that year's figures).

    Parameters
    ----------
    year : int
        A year with data (:func:`check_year`); the report's own year is the newest
        (``max(available_years())``).

    Returns
    -------
    Series
        ``value`` (float) by ``fact_id``, the facts of :func:`load_facts`; empty for an
        earlier year, so that ``stated_facts(year).get(fact_id)`` is None and the
        sentence that needs the figure is left out.

    Raises
    ------
    YearNotAvailableError
        If ``year`` is not a year with data.

    Examples
    --------
    >>> facts = stated_facts(2022)  # "As of 2022, NSSF has registered a total of 21,430 …"
    >>> float(facts["s2_registered_enterprises"])
    21430.0
    >>> stated_facts(2021).get("s2_registered_enterprises") is None
    True
    """
    facts = _facts().set_index("fact_id")["value"]
    if check_year(year) != max(available_years()):
        facts = facts.iloc[:0]
    return facts.copy()


@data_cache
def _facts_missing() -> pd.DataFrame:
    return read_facts_missing(paths.data_dir(), trust=True)


def load_facts_missing() -> pd.DataFrame:
    """Return the declared facts of the prose this edition does not print (maybe none).

    Returns
    -------
    DataFrame
        One row per fact: ``fact_id``, ``section``, ``heading``, ``anchor`` (the sentence
        looked for) and ``reason`` (strings). Such a fact has no row in :func:`load_facts`.

    Examples
    --------
    >>> load_facts_missing().empty
    True
    """
    return _facts_missing().copy()


@data_cache
def _graphics() -> pd.DataFrame:
    return read_graphics(paths.data_dir(), trust=True)


def load_graphics() -> pd.DataFrame:
    """Return the list of graphics the report refers to."""
    return _graphics().copy()


# --------------------------------------------------------------------------------------
# Editions: what this edition prints, what it revises
# --------------------------------------------------------------------------------------


@data_cache
def _edition() -> pd.DataFrame:
    return read_csv(paths.data_dir() / "edition.csv")


def load_edition() -> pd.DataFrame:
    """Return the summary of the extracted edition (``data/edition.csv``, strings)."""
    return _edition().copy()


def in_edition(table_id: str) -> bool:
    """Return whether the extracted edition prints a known table.

    Parameters
    ----------
    table_id : str
        A stable identifier (``t21``, ``a6_6_3`` …). Tables the summary does not list
        (the annex directories) are printed if the catalog has them.

    Examples
    --------
    >>> in_edition("t21")
    True
    """
    ed = _edition().set_index("table_id")
    if table_id in ed.index:
        return ed.loc[table_id, "status"] != "missing"
    return table_id in set(catalog()["table_id"])


def absence_note(table_id: str) -> str | None:
    """Return the sentence a chapter shows for a known table this edition does not print.

    Parameters
    ----------
    table_id : str
        A stable identifier.

    Returns
    -------
    str or None
        E.g. "This edition does not print Table 21 of the 2022 report (Number of
        Registered Institutions and Members)."; None when the edition prints it.
    """
    if in_edition(table_id):
        return None
    ed = _edition().set_index("table_id")
    if table_id not in ed.index or not ed.loc[table_id, "reference_label"]:
        return "This edition does not print this table."
    ref = ed.loc[table_id]
    return (
        f"This edition does not print {ref['reference_label']} of the {REFERENCE_YEAR} "
        f"report ({ref['reference_title']})."
    )


@data_cache
def _revisions() -> pd.DataFrame:
    df = read_csv(paths.data_dir() / "revisions.csv")
    for col in ("old", "new"):
        df[col] = df[col].astype(float)
    for col in ("year", "old_edition", "old_line", "new_edition", "new_line"):
        df[col] = df[col].astype(int)
    return df


def load_revisions() -> pd.DataFrame:
    """Return what the newest edition revises of older ones (``data/revisions.csv``).

    Returns
    -------
    DataFrame
        One row per revised cell: ``table_id``, ``label`` (newest edition), ``year``,
        ``measure``, ``unit``, ``cell`` (the other dimensions), ``old`` and ``new``
        values (floats), and the edition and report line of each. Empty when
        ``seeds/`` holds one report.
    """
    return _revisions().copy()
