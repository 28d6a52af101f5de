"""A Frictionless data package (``datapackage.json``) describing every CSV of ``data/``.

A resource per file (tidy, as printed, catalog, checks …) with its title, description,
source and Table Schema: each column's type read from its values, and its title,
description and unit from ``metadata.json``.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from nssf_analysis.data.catalog import OTHER_DATA_FILES

__all__ = ["infer_type", "write_datapackage"]

_INT = re.compile(r"^-?\d+$")
_NUM = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
#: Columns of the raw tables (every cell as printed, a string) that are not cells.
RAW_COLUMNS = {
    "block": "Block of a table printed in several blocks.",
    "line": "Line of the report text.",
    "kind": "What the row is: header, data, total …",
}


def infer_type(values: list[str]) -> str:
    """Return the Table Schema type of a column's values (blanks are missing values).

    ``integer`` when every value is whole, ``number`` when every value is a number, else
    (and for a column of blanks only) ``string``.
    """
    filled = [v for v in values if v != ""]
    if filled and all(_INT.match(v) for v in filled):
        return "integer"
    return "number" if filled and all(_NUM.match(v) for v in filled) else "string"


def _schema(path: Path, docs: dict, raw: bool) -> dict:
    with open(path, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh)) or [[]]
    fields = []
    for i, name in enumerate(header):
        values = [r[i] if i < len(r) else "" for r in rows]
        kind = "string" if raw and name != "line" else infer_type(values)
        # a measured value: whole numbers in one table, not in another, the same type
        field = {"name": name, "type": "number" if name == "value" and kind == "integer" else kind}
        doc = docs.get(name) or {}
        default = RAW_COLUMNS.get(name, "A cell of the printed table, as printed.") if raw else ""
        extra = {
            "title": doc.get("title") if doc.get("title") != name else "",
            "description": doc.get("description") or default,
            "unit": doc.get("unit"),
        }
        fields.append(field | {k: v for k, v in extra.items() if v})
    return {"fields": fields, "missingValues": [""]}


def _resource(rel: str, title: str, description: str, **extra) -> dict:
    return {
        "name": re.sub(r"[^a-z0-9._-]+", "-", rel.lower().removesuffix(".csv").replace("/", "-")),
        "path": rel,
        "profile": "tabular-data-resource",
        "title": title,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        **extra,
    }


def write_datapackage(
    target: Path,
    data_dir: Path,
    year: int | None = None,
    commit: str = "",
    *,
    publication,
    citation: str = "",
    source: str = "",
) -> dict:
    """Write the data package of ``data_dir`` as JSON to ``target``; return it.

    Parameters
    ----------
    target : Path
        The ``datapackage.json`` to write, in ``data_dir`` (a folder laid out like ``data/``).
    data_dir : Path
        The folder described.
    year : int, optional
        The report year of the book the package comes with (its name and title).
    commit : str
        The commit the data were built from (the package's version).
    publication : nssf_analysis.publication.Publication
        Its title, licences (data, then code), source, date and contact (given: this layer
        does not read the book's); an empty contact e-mail or date is left out.
    citation : str
        The book's citation, with its version (the package's ``citation``; none if empty).
    source : str
        The report the data come from, with its year (default: the publication's source).
    """
    data_dir, pub = Path(data_dir), publication
    source = source or pub.source_title
    meta = json.loads((data_dir / "metadata.json").read_text(encoding="utf-8"))
    with open(data_dir / "catalog.csv", newline="", encoding="utf-8") as fh:
        cat = {r["table_id"]: r for r in csv.DictReader(fh)}
    year = year or int(meta.get("report_year", 0)) or None
    resources = []
    for tid, info in sorted(cat.items()):
        columns = meta.get("tables", {}).get(tid, {}).get("columns", {})
        title, where = f"{info['label']}: {info['title']}", info["source"] or pub.source_publisher
        unit, notes = info["unit"], info["notes"]
        about = (f" Unit: {unit}." if unit else "") + (f" Note: {notes}." if notes else "")
        for kind, what in (
            ("tidy", "tidy long form: dimensions, year, measure, value"),
            ("raw", "exactly as printed: every cell a string"),
        ):
            if (data_dir / kind / f"{tid}.csv").exists():
                resources.append(
                    _resource(
                        f"{kind}/{tid}.csv",
                        f"{title} ({kind})",
                        f"{title}, {what}.{about}",
                        sources=[{"title": f"{source}, {info['label']}: {where}"}],
                        schema=_schema(data_dir / kind / f"{tid}.csv", columns, kind == "raw"),
                    )
                )
    for name, title, description in OTHER_DATA_FILES:
        if name.endswith(".csv") and (data_dir / name).exists():
            schema = _schema(data_dir / name, {}, False)
            resources.append(_resource(name, title, description, schema=schema))
    package = {
        "profile": "tabular-data-package",
        "name": "nssf-annual-report" + (f"-{year}" if year else ""),
        "title": pub.title + (f", {year} edition" if year else ""),
        "description": "Every table of the NSSF annual report, extracted from the report "
        "text, checked and tidied; with the tables as printed, the catalog, the checks, the "
        "facts the prose states and the list of graphics.",
        "version": commit[:12] if commit and commit != "unknown" else "unknown",
        **({"created": pub.date.isoformat() + "T00:00:00Z"} if pub.date else {}),
        **({"homepage": pub.url} if pub.url else {}),
        "licenses": [
            {"name": x.id, "path": x.path, "title": f"{x.name}: {x.covers}"}
            for x in (pub.data_licence, pub.code_licence)
        ],
        "sources": [{"title": source}],
        **({"citation": citation} if citation else {}),
        "contributors": [
            {"title": pub.contact_name, "role": "author"}
            | ({"email": pub.contact_email} if pub.contact_email else {})
        ],
        "keywords": ["Cambodia", "social security", "NSSF", "official statistics"],
        "resources": resources,
    }
    text = json.dumps(package, indent=1, ensure_ascii=False) + "\n"
    Path(target).write_text(text, encoding="utf-8")
    return package
