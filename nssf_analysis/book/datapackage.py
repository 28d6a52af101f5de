"""A Frictionless data package (``datapackage.json``) describing every CSV of ``data/``.

:func:`describe` writes one resource per file — the tidy tables (``tidy/<id>.csv``),
the tables as printed (``raw/<id>.csv``), the catalog, the checks, the facts and the
graphics — each with its title, description, source and a Table Schema: every column
with its type (read from the values: integer, number or string), title, description
and unit, from ``catalog.csv`` and ``metadata.json``.  The package carries the
publication's licence, sources and contact (:mod:`nssf_analysis.publication`).
The book writes it as ``data/datapackage.json`` beside the files it describes.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from nssf_analysis import paths
from nssf_analysis.book.publication import Publication, edition, publication
from nssf_analysis.data.catalog import OTHER_DATA_FILES

_INT = re.compile(r"^-?\d+$")
_NUM = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
#: Columns that hold numbers of any kind (a table whose values are all whole still has
#: the same type as one with decimals).
NUMBER_COLUMNS = {"value"}
#: Columns of the raw tables (every cell as printed, a string).
RAW_COLUMNS = {
    "block": "Block of a table printed in several blocks.",
    "line": "Line of the report text.",
    "kind": "What the row is: header, data, total …",
}


def infer_type(values: list[str]) -> str:
    """Return the Table Schema type of a column from its values (blanks are missing).

    ``integer`` when every value is a whole number, ``number`` when every value is a
    number, else ``string``; a column of blanks only is a ``string``.
    """
    filled = [v for v in values if v != ""]
    if not filled:
        return "string"
    if all(_INT.match(v) for v in filled):
        return "integer"
    if all(_NUM.match(v) for v in filled):
        return "number"
    return "string"


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return (rows[0] if rows else []), rows[1:]


def _schema(path: Path, docs: dict, raw: bool = False) -> dict:
    header, rows = _read(path)
    fields = []
    for i, name in enumerate(header):
        values = [r[i] if i < len(r) else "" for r in rows]
        doc = docs.get(name) or {}
        kind = "string" if raw and name != "line" else infer_type(values)
        if name in NUMBER_COLUMNS and kind == "integer":
            kind = "number"  # a measured value: whole numbers in one table, not in another
        field = {"name": name, "type": kind}
        title = doc.get("title") or ""
        if title and title != name:
            field["title"] = title
        description = doc.get("description") or ""
        if raw and not description:
            description = RAW_COLUMNS.get(name, "A cell of the printed table, as printed.")
        if description:
            field["description"] = description
        unit = doc.get("unit") or ""
        if unit:
            field["unit"] = unit
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def _resource_name(rel: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", rel.lower().removesuffix(".csv").replace("/", "-"))


def describe(data_dir: Path | None = None, year: int | None = None, commit: str = "") -> dict:
    """Return the data package descriptor of a data folder.

    Parameters
    ----------
    data_dir : Path, optional
        A folder laid out like ``data/`` (default: the project's).
    year : int, optional
        The report year of the book the package comes with (its name and title).
    commit : str
        The commit the data were built from (the package's version).
    """
    data_dir = Path(data_dir) if data_dir else paths.data_dir()
    meta = json.loads((data_dir / "metadata.json").read_text(encoding="utf-8"))
    tables_meta = meta.get("tables", {})
    with open(data_dir / "catalog.csv", newline="", encoding="utf-8") as fh:
        cat = {r["table_id"]: r for r in csv.DictReader(fh)}
    pub: Publication = publication()
    year = year or int(meta.get("report_year", 0)) or None
    resources = []
    for tid in sorted(cat):
        info, tmeta = cat[tid], tables_meta.get(tid, {})
        title = f"{info['label']}: {info['title']}"
        source = info.get("source") or pub.source_publisher
        for kind, folder, what in (
            ("tidy", "tidy", "tidy long form: dimensions, year, measure, value"),
            ("raw", "raw", "exactly as printed: every cell a string"),
        ):
            path = data_dir / folder / f"{tid}.csv"
            if not path.exists():
                continue
            rel = f"{folder}/{tid}.csv"
            res = {
                "name": _resource_name(rel),
                "path": rel,
                "profile": "tabular-data-resource",
                "title": f"{title} ({kind})",
                "description": f"{title}, {what}."
                + (f" Unit: {info['unit']}." if info.get("unit") else "")
                + (f" Note: {info['notes']}." if info.get("notes") else ""),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "sources": [{"title": f"{pub.source_title}, {info['label']}: {source}"}],
                "schema": _schema(path, tmeta.get("columns", {}), raw=kind == "raw"),
            }
            resources.append(res)
    for name, title, description in OTHER_DATA_FILES:
        path = data_dir / name
        if path.exists() and name.endswith(".csv"):
            resources.append(
                {
                    "name": _resource_name(name),
                    "path": name,
                    "profile": "tabular-data-resource",
                    "title": title,
                    "description": description,
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "schema": _schema(path, {}),
                }
            )
    name = "nssf-annual-report" + (f"-{year}" if year else "")
    package = {
        "profile": "tabular-data-package",
        "name": name,
        "title": pub.title + (f", {edition(year)}" if year else ""),
        "description": (
            "Every table of the NSSF annual report, extracted from the report text, "
            "checked and tidied; with the tables as printed, the catalog, the checks, "
            "the facts the prose states and the list of graphics."
        ),
        "version": commit[:12] if commit and commit != "unknown" else "unknown",
        "created": pub.publication_date.isoformat() + "T00:00:00Z",
        "licenses": [{"name": pub.licence_id, "path": pub.licence_path, "title": pub.licence_name}],
        "sources": [{"title": pub.source_title}],
        "contributors": [{"title": pub.contact_name, "email": pub.contact_email, "role": "author"}],
        "keywords": ["Cambodia", "social security", "NSSF", "official statistics"],
        "resources": resources,
    }
    return package


def write_datapackage(target: Path, data_dir: Path, year: int | None = None, commit="") -> dict:
    """Write :func:`describe` of ``data_dir`` as JSON to ``target``; return the descriptor."""
    package = describe(data_dir, year, commit)
    Path(target).write_text(
        json.dumps(package, indent=1, ensure_ascii=False, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    return package
