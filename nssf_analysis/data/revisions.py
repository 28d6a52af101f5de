"""Several editions side by side: the years an older report prints, and its revisions.

With several reports in ``seeds/``, each older one is matched like the newest
(:func:`nssf_analysis.data.editions.match_edition`); a table's tidy rows then hold every
year any edition prints, each from the newest edition that prints it
(:func:`with_older_years`), and every value the newest prints differently is a revision
(``data/revisions.csv``, read back by :func:`nssf_analysis.data.catalog.load_revisions`).
With several reports, an extraction error starts with the file name of the report it
comes from (:func:`naming`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nssf_analysis.data.editions import Edition, match_edition
from nssf_analysis.data.extract import RawTable, write_csv
from nssf_analysis.data.report_text import read_lines, seed_file
from nssf_analysis.data.tidy import build
from nssf_analysis.exceptions import ExtractionError

__all__ = [
    "REVISION_COLUMNS",
    "OlderEdition",
    "merge_years",
    "naming",
    "older_editions",
    "revisions_frame",
    "table_revisions",
    "with_older_years",
    "write_older",
]

#: Columns of ``data/revisions.csv``: every value a newer edition prints differently.
REVISION_COLUMNS = [
    "table_id",
    "label",
    "year",
    "measure",
    "unit",
    "cell",
    "old",
    "new",
    "old_edition",
    "old_line",
    "new_edition",
    "new_line",
]
#: Tidy columns that are not part of a cell's key.
_NOT_KEY = {"value", "line", "column", "_edition"}


@contextmanager
def naming(seed: Path, named: bool = True) -> Iterator[None]:
    """Start an extraction error raised inside with the name of the report it comes from.

    With several reports in ``seeds/``, "report line 373" alone does not say which
    report: the error then reads ``nssf_annual_report_2022.txt: t13 (Table 13), report
    line 373: …``.

    Parameters
    ----------
    seed : Path
        The report text being read.
    named : bool
        Whether to name it (False leaves the error as it is: a single report).
    """
    try:
        yield
    except ExtractionError as err:
        if not named:
            raise
        raise ExtractionError(f"{seed.name}: {err}") from None


@dataclass
class OlderEdition:
    """An older report of ``seeds/``, matched like the newest one.

    Attributes
    ----------
    year : int
        Its report year.
    seed : Path
        Its report text.
    edition : Edition
        Its tables (see :func:`match_edition`).
    """

    year: int
    seed: Path
    edition: Edition

    def table(self, table_id: str) -> RawTable | None:
        """Return the known table ``table_id`` as this edition prints it, or None."""
        return next((t for t in self.edition.tables if t.table_id == table_id), None)


def older_editions(years: list[int]) -> list[OlderEdition]:
    """Match every report of ``seeds/`` but the newest, newest first.

    Parameters
    ----------
    years : list of int
        The report years of ``seeds/``, oldest first (the last is the newest).
    """
    out = []
    for y in reversed(years[:-1]):
        seed = seed_file(y)
        with naming(seed):
            edition = match_edition(read_lines(seed))
        out.append(OlderEdition(year=y, seed=seed, edition=edition))
    return out


def _cell(row: dict, key: list[str]) -> str:
    return "; ".join(
        f"{d}={row[d]}" for d in key if d not in ("year", "measure", "unit") and row[d] != ""
    )


def table_revisions(
    table_id: str, label: str, new: pd.DataFrame, old: pd.DataFrame, old_year: int
) -> list[dict]:
    """List the cells an older edition prints and a newer one prints with another value.

    Parameters
    ----------
    table_id, label : str
        The table and its label in the newest edition.
    new : DataFrame
        The tidy table as the newer editions give it, with an ``_edition`` column (the
        report year each row comes from).
    old : DataFrame
        The tidy table as the older edition prints it.
    old_year : int
        The older edition's report year.

    Returns
    -------
    list of dict
        One per revised cell (:data:`REVISION_COLUMNS`).
    """
    if "year" not in new.columns or "year" not in old.columns:
        return []
    key = [c for c in new.columns if c not in _NOT_KEY and c in old.columns]
    both = new.merge(old, on=key, suffixes=("_new", "_old"))
    out = []
    for r in both.to_dict("records"):
        if float(r["value_new"]) == float(r["value_old"]):
            continue
        out.append(
            {
                "table_id": table_id,
                "label": label,
                "year": r["year"],
                "measure": r["measure"],
                "unit": r["unit"],
                "cell": _cell(r, key),
                "old": r["value_old"],
                "new": r["value_new"],
                "old_edition": old_year,
                "old_line": r["line_old"],
                "new_edition": r["_edition"],
                "new_line": r["line_new"],
            }
        )
    return out


def merge_years(new: pd.DataFrame, old: pd.DataFrame, old_year: int) -> pd.DataFrame:
    """Return the older edition's rows for years the newer ones do not print, then theirs.

    A year printed by both is taken from the newer edition. ``new`` carries an
    ``_edition`` column (the report year of each row); the older rows get ``old_year``.
    Tables without years (running text) keep the newer edition's rows only.
    """
    if "year" not in new.columns or "year" not in old.columns:
        return new
    keep = old[~old["year"].isin(set(new["year"]))].copy()
    keep["_edition"] = old_year
    merged = pd.concat([keep, new], ignore_index=True)
    cols = list(new.columns) + [c for c in merged.columns if c not in new.columns]
    return merged[cols].fillna("")


def with_older_years(
    table: RawTable, tidy: pd.DataFrame, report_year: int, older: list[OlderEdition]
) -> tuple[pd.DataFrame, list[dict]]:
    """Add to a table's tidy rows the years only older editions print; list revisions.

    Parameters
    ----------
    table : RawTable
        The table as the newest edition prints it.
    tidy : DataFrame
        Its tidy rows.
    report_year : int
        The newest edition's year.
    older : list of OlderEdition
        The older editions, newest first.

    Returns
    -------
    (DataFrame, list of dict)
        The merged tidy table (same columns as ``tidy``) and the revised cells.
    """
    if not older:
        return tidy, []
    merged = tidy.assign(_edition=report_year)
    revisions = []
    for o in older:
        ot = o.table(table.table_id)
        if ot is None:
            continue
        with naming(o.seed):
            old, _ = build(ot, o.year)
        revisions += table_revisions(table.table_id, table.label, merged, old, o.year)
        merged = merge_years(merged, old, o.year)
    return merged.drop(columns="_edition"), revisions


def write_older(out: Path, older: list[OlderEdition]) -> None:
    """Write each older edition's tables as printed to ``editions/<year>/raw``.

    Its summary goes to ``editions/<year>/edition.csv``.
    """
    for o in older:
        folder = out / "editions" / str(o.year)
        for t in o.edition.tables + o.edition.new:
            write_csv(t.to_frame(), folder / "raw" / f"{t.table_id}.csv")
        write_csv(o.edition.summary, folder / "edition.csv")


def revisions_frame(records: list[dict]) -> pd.DataFrame:
    """Return revision records as the frame of ``data/revisions.csv``."""
    return pd.DataFrame(records, columns=REVISION_COLUMNS)
