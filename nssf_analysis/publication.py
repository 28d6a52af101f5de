"""The book as a publication: its fields (``publication.toml`` beside this module), citation.

Shared by the pages, the downloads, the PDF edition and the data package.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

from markupsafe import Markup

from nssf_analysis.exceptions import NSSFError

__all__ = [
    "DATAPACKAGE",
    "Publication",
    "PublicationError",
    "citation",
    "edition",
    "index_context",
    "json_ld",
    "publication",
]

#: The file with the publication's fields.
PUBLICATION_FILE = Path(__file__).resolve().parent / "publication.toml"
#: What the citation shows while the book has no address of its own.
URL_PLACEHOLDER = "[URL]"
#: The data package, relative to the book folder.
DATAPACKAGE = "data/datapackage.json"
#: Fields of a form of their own: (pattern the text must match, what it must be).
FORMS = {
    "url": (r"^(https?://\S+)?$", "empty or an http(s) address"),
    "publication_date": (r"^\d{4}-\d\d-\d\d$", "a date YYYY-MM-DD"),
    "contact.email": (r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", "an e-mail address"),
}


class PublicationError(NSSFError):
    """``publication.toml`` is missing a field or has one of the wrong form."""


@dataclass(frozen=True)
class Publication:
    """The fields of ``publication.toml`` (``licence_name`` is ``name`` of ``[licence]`` …)."""

    title: str
    publisher: str
    publication_date: dt.date
    url: str
    source_title: str
    source_publisher: str
    licence_name: str
    licence_id: str
    licence_path: str
    licence_statement: str
    contact_name: str
    contact_email: str


@cache
def publication(path: Path | None = None) -> Publication:
    """Return a publication file's checked fields, read once (default :data:`PUBLICATION_FILE`).

    Raises
    ------
    PublicationError
        If the file cannot be read or a field is missing, empty (only ``url`` may be) or
        not of its form (:data:`FORMS`); the message names the file and the field.
    """
    path = Path(path or PUBLICATION_FILE)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise PublicationError(f"{path}: cannot be read: {err}") from None
    values = {}
    for field in fields(Publication):
        key = re.sub(r"^(licence|contact)_", r"\1.", field.name)
        section, _, name = key.rpartition(".")
        if not isinstance(table := data.get(section) if section else data, dict):
            raise PublicationError(f"{path}: section [{section}] is missing")
        form, what = FORMS.get(key, (r"\S", "a non-empty text"))
        value = table.get(name)
        if not isinstance(value, str) or not re.search(form, value.strip()):
            raise PublicationError(f"{path}: field {key} must be {what}, not {value!r}")
        values[field.name] = value.strip()
    try:
        return Publication(
            **values | {"publication_date": dt.date.fromisoformat(values["publication_date"])}
        )
    except ValueError:
        raise PublicationError(f"{path}: field publication_date is no date") from None


def edition(year: int) -> str:
    """Return the name of a year's edition, e.g. ``"2022 edition"``."""
    return f"{year} edition"


def citation(year: int, commit: str | None, pub: Publication | None = None) -> str:
    """Return the suggested citation of a year's book; ``commit`` None leaves out the version."""
    pub = pub or publication()
    version = "" if commit is None else f" Version {commit[:12] if commit else 'unknown'}."
    return (
        f"{pub.publisher} ({pub.publication_date.year}). {pub.title}, {edition(year)} "
        f"[data set and analysis].{version} {pub.url or URL_PLACEHOLDER}. "
        f"Data: {pub.source_title}, {year}."
    )


def json_ld(data: dict) -> Markup:
    """Return ``data`` as JSON no text can end a ``<script>`` with (``<>&`` JSON-escaped)."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def index_context(year: int, commit: str, workbook: str, pdf: str | None) -> dict:
    """Return what the index page shows of the book as a publication (its ``site``).

    ``commit``: the book's commit; ``workbook``: the file name (under ``data/``) of the
    workbook of every tidy table; ``pdf``: the PDF edition's file name or None.  Keys:
    ``citation``, ``edition``, ``commit``, ``url``, ``licence``, ``licence_name``,
    ``licence_path``, ``date``, ``contact_name``, ``contact_email``, ``pdf``,
    ``datapackage`` and ``json_ld`` (the schema.org ``Dataset``, Markup).
    """
    pub = publication()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    files = [
        ("Every tidy table in one Excel workbook", xlsx, f"data/{workbook}"),
        ("Frictionless data package describing every CSV file", "application/json", DATAPACKAGE),
    ] + ([(f"PDF edition {year}", "application/pdf", pdf)] if pdf else [])
    org = {"@type": "Organization", "name": pub.publisher}
    source = {"@type": "Organization", "name": pub.source_publisher}
    dataset = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": f"{pub.title}, {edition(year)}",
        "description": "Every table of the National Social Security Fund's annual report for "
        f"{year}, extracted from the report text, checked and analysed.",
        "version": commit[:12] or "unknown",
        "datePublished": pub.publication_date.isoformat(),
        "license": pub.licence_path,
        "creator": dict(org, email=pub.contact_email),
        "publisher": org,
        "isBasedOn": {"@type": "CreativeWork", "name": pub.source_title, "publisher": source},
        "temporalCoverage": str(year),
        "spatialCoverage": {"@type": "Place", "name": "Cambodia"},
        "keywords": ["social security", "Cambodia", "NSSF", "official statistics"],
        "citation": citation(year, commit),
        "distribution": [
            {"@type": "DataDownload", "name": n, "encodingFormat": f, "contentUrl": u}
            for n, f, u in files
        ],
    } | ({"url": pub.url} if pub.url else {})
    same = ("licence_name", "licence_path", "contact_name", "contact_email")
    return {k: getattr(pub, k) for k in same} | {
        "citation": citation(year, commit),
        "edition": edition(year),
        "commit": commit,
        "url": pub.url or URL_PLACEHOLDER,
        "licence": pub.licence_statement,
        "date": pub.publication_date.isoformat(),
        "pdf": pdf,
        "datapackage": DATAPACKAGE,
        "json_ld": json_ld(dataset),
    }
