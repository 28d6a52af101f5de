"""The book as a publication: its fields (``publication.toml`` beside this module), citation.

Shared by the pages, the downloads, the PDF edition and the data package.  The book's
date is not typed anywhere: it is the date of the sources the book is built from
(:func:`source_date`: ``SOURCE_DATE_EPOCH``, else the commit date of ``HEAD``), so the
same commit gives the same date.  A field left empty (the address, the contact's e-mail)
is left out of the citation and of every page, never shown as a placeholder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup

from nssf_analysis import paths
from nssf_analysis.exceptions import NSSFError

__all__ = [
    "DATAPACKAGE",
    "Licence",
    "Publication",
    "PublicationError",
    "bibtex",
    "citation",
    "contact_text",
    "edition",
    "figures_source",
    "index_context",
    "json_ld",
    "licence_statement",
    "publication",
    "ris",
    "source_date",
    "unset_fields",
    "unset_note",
]

#: The file with the publication's fields.
PUBLICATION_FILE = Path(__file__).resolve().parent / "publication.toml"
#: The data package, relative to the book folder.
DATAPACKAGE = "data/datapackage.json"
#: The fields read from the file: (key, form its text must match, what it must be).
FIELDS = {
    "title": ("title", r"\S", "a non-empty text"),
    "publisher": ("publisher", r"\S", "a non-empty text"),
    "url": ("url", r"^(https?://\S+)?$", "empty or an http(s) address"),
    "source_title": ("source_title", r"\S", "a non-empty text"),
    "source_publisher": ("source_publisher", r"\S", "a non-empty text"),
    "contact_name": ("contact.name", r"\S", "a non-empty text"),
    "contact_email": (
        "contact.email",
        r"^([^@\s]+@[^@\s]+\.[A-Za-z]{2,})?$",
        "empty or an e-mail address",
    ),
}
#: The fields of each licence (``[licence.data]``, ``[licence.code]``).
LICENCE_FIELDS = {
    "covers": (r"\S", "a non-empty text"),
    "name": (r"\S", "a non-empty text"),
    "id": (r"^[A-Za-z0-9.+-]+$", "an SPDX licence identifier"),
    "path": (r"^https?://\S+$", "an http(s) address"),
}
#: Fields that may be empty, and how the build names them when they are.
OPTIONAL = {"url": "url", "contact_email": "contact email"}


class PublicationError(NSSFError):
    """``publication.toml`` is missing a field or has one of the wrong form."""


@dataclass(frozen=True)
class Licence:
    """A licence and what it covers (``covers``: "the code" …; ``id``: SPDX)."""

    covers: str
    name: str
    id: str
    path: str


@dataclass(frozen=True)
class Publication:
    """The fields of ``publication.toml`` and the date of the book's sources.

    ``data_licence`` covers what the project derives (the data, the book's text, tables
    and graphics), ``code_licence`` the code; ``url`` and ``contact_email`` may be empty;
    ``date`` is :func:`source_date` (None when the sources have no date).
    """

    title: str
    publisher: str
    url: str
    source_title: str
    source_publisher: str
    data_licence: Licence
    code_licence: Licence
    contact_name: str
    contact_email: str
    date: dt.date | None = None


def source_date(root: Path | None = None) -> dt.date | None:
    """Return the date of the sources the book is built from, None when they have none.

    ``SOURCE_DATE_EPOCH`` (seconds since 1970, as a UTC date) when set, for reproducible
    builds; else the commit date of ``HEAD`` (``git log -1 --format=%cs``) when ``root``
    (default: the project) is a git checkout.  The same commit gives the same date.

    Raises
    ------
    PublicationError
        If ``SOURCE_DATE_EPOCH`` is set but no whole number of seconds.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise PublicationError(f"SOURCE_DATE_EPOCH must be whole seconds, not {epoch!r}")
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    try:
        res = subprocess.run(
            ["git", "-C", str(root or paths.ROOT), "log", "-1", "--format=%cs"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = res.stdout.strip()
    if res.returncode or not re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return None
    return dt.date.fromisoformat(text)


def _checked(path: Path, table: dict, key: str, form: str, what: str) -> str:
    value = table.get(key.rpartition(".")[2])
    if not isinstance(value, str) or not re.search(form, value.strip()):
        raise PublicationError(f"{path}: field {key} must be {what}, not {value!r}")
    return value.strip()


@cache
def _read(path: Path, stamp: tuple) -> Publication:
    """Return the checked fields of a publication file (``stamp``: its size and time)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise PublicationError(f"{path}: cannot be read: {err}") from None
    if "publication_date" in data:
        raise PublicationError(
            f"{path}: field publication_date is not read: the book's date is the date of its "
            "sources (the commit, or SOURCE_DATE_EPOCH); remove the field"
        )
    values = {}
    for name, (key, form, what) in FIELDS.items():
        section = key.rpartition(".")[0]
        if not isinstance(table := data.get(section) if section else data, dict):
            raise PublicationError(f"{path}: section [{section}] is missing")
        values[name] = _checked(path, table, key, form, what)
    for kind in ("data", "code"):
        table = data.get("licence", {}).get(kind) if isinstance(data.get("licence"), dict) else None
        if not isinstance(table, dict):
            raise PublicationError(f"{path}: section [licence.{kind}] is missing")
        values[f"{kind}_licence"] = Licence(
            **{
                name: _checked(path, table, f"licence.{kind}.{name}", form, what)
                for name, (form, what) in LICENCE_FIELDS.items()
            }
        )
    return Publication(**values)


def publication(path: Path | None = None, root: Path | None = None) -> Publication:
    """Return a publication file's checked fields (default :data:`PUBLICATION_FILE`).

    The file is read once while unchanged; ``date`` is :func:`source_date` of ``root``.

    Raises
    ------
    PublicationError
        If the file cannot be read, a field is missing, empty (only ``url`` and
        ``contact.email`` may be) or not of its form, or the file still types a
        ``publication_date``; the message names the file and the field.
    """
    path = Path(path or PUBLICATION_FILE)
    try:
        stat = path.stat()
        stamp = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        stamp = ()
    return dataclasses.replace(_read(path, stamp), date=source_date(root))


def unset_fields(pub: Publication | None = None) -> list[str]:
    """Return the names of the optional fields the publication leaves empty ("url" …)."""
    pub = pub or publication()
    return [label for name, label in OPTIONAL.items() if not getattr(pub, name)]


def unset_note(pub: Publication | None = None) -> str | None:
    """Return the one line a build says of what the citation leaves out, None if nothing."""
    pub = pub or publication()
    parts = []
    if missing := unset_fields(pub):
        parts.append(f"{PUBLICATION_FILE.name} sets no {', '.join(missing)}")
    if pub.date is None:
        parts.append("the sources have no date (no git commit, no SOURCE_DATE_EPOCH)")
    return f"note: {'; '.join(parts)}: the citation leaves them out" if parts else None


def edition(year: int) -> str:
    """Return the name of a year's edition, e.g. ``"2022 edition"``."""
    return f"{year} edition"


def figures_source(
    year: int | None, pub: Publication | None = None, report: int | None = None
) -> str:
    """Return the report that prints a year's figures, as the book's sources name it.

    ``report``: the year of the report ``data/`` was extracted from (default
    :func:`nssf_analysis.data.catalog.report_year`).  An earlier year's figures are that
    report's comparison columns: "… Action Plans 2022 (comparison columns for 2021)";
    ``year`` None names the whole report (every year it prints).
    """
    pub = pub or publication()
    if report is None:
        from nssf_analysis.data.catalog import report_year

        report = report_year()
    name = f"{pub.source_title} {report}"
    return name if year is None or year >= report else f"{name} (comparison columns for {year})"


def _version(commit: str | None) -> str:
    return (commit or "unknown")[:12]


def citation(
    year: int, commit: str | None, pub: Publication | None = None, report: int | None = None
) -> str:
    """Return the suggested citation of a year's book; ``commit`` None leaves out the version.

    No address when ``url`` is empty; "n.d." when the sources have no date.
    """
    pub = pub or publication()
    parts = [
        f"{pub.publisher} ({pub.date.year if pub.date else 'n.d.'}).",
        f"{pub.title}, {edition(year)} [data set and analysis].",
    ]
    parts += [] if commit is None else [f"Version {_version(commit)}."]
    parts += [f"{pub.url}."] if pub.url else []
    parts.append(f"Source of the figures: {figures_source(year, pub, report)}.")
    return " ".join(parts)


def licence_statement(pub: Publication | None = None) -> str:
    """Return the licences in one text: what each covers, and the report as the source."""
    pub = pub or publication()
    data, code = pub.data_licence, pub.code_licence
    return (
        f"{data.covers[:1].upper()}{data.covers[1:]}: {data.name}, {data.path}; "
        f"{code.covers}: {code.name}, "
        f"{code.path}. Every figure comes from the report of the {pub.source_publisher}: "
        "credit it as the source."
    )


def contact_text(pub: Publication | None = None) -> str:
    """Return the contact as text: the name, with ``<e-mail>`` when one is set."""
    pub = pub or publication()
    return f"{pub.contact_name} <{pub.contact_email}>" if pub.contact_email else pub.contact_name


# --------------------------------------------------------------------- BibTeX and RIS
_TEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _one_line(text: str) -> str:
    """Return ``text`` on one line: control characters as spaces, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]", " ", str(text))).strip()


def _tex(text: str) -> str:
    """Return ``text`` as BibTeX field text: braces stay balanced, TeX specials are text."""
    return re.sub(r"[\\{}&%$#_~^]", lambda m: _TEX[m[0]], _one_line(text))


def _tex_url(url: str) -> str:
    return re.sub(r"[\\{}\s]", lambda m: f"%{ord(m[0]):02X}", url)


def bibtex(year: int, commit: str | None, pub: Publication | None = None, report=None) -> str:
    """Return the citation of a year's book as a BibTeX ``@misc`` entry (every field escaped)."""
    pub = pub or publication()
    key = re.sub(r"[^a-z0-9]+", "-", f"{pub.publisher} {year}".lower()).strip("-") or "book"
    fields = [
        ("author", "{" + _tex(pub.publisher) + "}"),  # an organisation: one name, as written
        ("title", "{" + _tex(f"{pub.title}, {edition(year)}") + "}"),
        ("year", str(pub.date.year) if pub.date else ""),
        ("date", pub.date.isoformat() if pub.date else ""),
        ("version", "" if commit is None else _tex(_version(commit))),
        ("edition", _tex(edition(year))),
        ("publisher", _tex(pub.publisher)),
        ("howpublished", "Data set and analysis"),
        ("url", _tex_url(pub.url)),
        ("note", _tex(f"Source of the figures: {figures_source(year, pub, report)}")),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n"


def ris(year: int, commit: str | None, pub: Publication | None = None, report=None) -> str:
    """Return the citation of a year's book as a RIS record (type ``DATA``, one line a tag)."""
    pub = pub or publication()
    notes = [] if commit is None else [f"Version {_version(commit)}."]
    notes.append(f"Source of the figures: {figures_source(year, pub, report)}.")
    tags = [
        ("TY", "DATA"),
        ("AU", pub.publisher),
        ("TI", f"{pub.title}, {edition(year)}"),
        ("PY", str(pub.date.year) if pub.date else ""),
        ("DA", pub.date.strftime("%Y/%m/%d") if pub.date else ""),
        ("ET", edition(year)),
        ("PB", pub.publisher),
        ("UR", pub.url),
        ("N1", " ".join(notes)),
    ]
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in tags if _one_line(value)]
    return "\n".join([*lines, "ER  - "]) + "\n"


# --------------------------------------------------------------------- the index page
def json_ld(data: dict) -> Markup:
    """Return ``data`` as JSON no text can end a ``<script>`` with (``<>&`` JSON-escaped)."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def index_context(
    year: int, commit: str, workbook: str, pdf: str | None, pub: Publication | None = None
) -> dict:
    """Return what the index page shows of the book as a publication (its ``site``).

    ``commit``: the book's commit; ``workbook``: the file name (under ``data/``) of the
    workbook of every tidy table; ``pdf``: the PDF edition's file name or None.  Keys:
    ``citation``, ``bibtex``, ``ris``, ``edition``, ``commit``, ``url`` (empty when
    unset), ``licence`` (:func:`licence_statement`), ``licences`` (the data licence,
    then the code's: :class:`Licence`), ``source`` (:func:`figures_source`), ``date``
    (ISO, empty when unknown), ``contact_name``, ``contact_email`` (empty when unset),
    ``pdf``, ``datapackage`` and ``json_ld`` (the schema.org ``Dataset``, Markup).
    """
    pub = pub or publication()
    cited, source = citation(year, commit, pub), figures_source(year, pub)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    files = [
        ("Every tidy table in one Excel workbook", xlsx, f"data/{workbook}"),
        ("Frictionless data package describing every CSV file", "application/json", DATAPACKAGE),
    ] + ([(f"PDF edition {year}", "application/pdf", pdf)] if pdf else [])
    org = {"@type": "Organization", "name": pub.publisher}
    report = {
        "@type": "CreativeWork",
        "name": source,
        "publisher": {"@type": "Organization", "name": pub.source_publisher},
    }
    code = {
        "@type": "SoftwareSourceCode",
        "name": f"{pub.publisher} code",
        "version": _version(commit),
        "license": pub.code_licence.path,
    }
    dataset = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": f"{pub.title}, {edition(year)}",
        "description": "Every table of the National Social Security Fund's annual report for "
        f"{year}, extracted from the report text, checked and analysed.",
        "version": _version(commit),
        "license": pub.data_licence.path,
        "creditText": f"Source of the figures: {source}",
        "creator": org | ({"email": pub.contact_email} if pub.contact_email else {}),
        "publisher": org,
        "isBasedOn": [report, code],
        "temporalCoverage": str(year),
        "spatialCoverage": {"@type": "Place", "name": "Cambodia"},
        "keywords": ["social security", "Cambodia", "NSSF", "official statistics"],
        "citation": cited,
        "distribution": [
            {"@type": "DataDownload", "name": n, "encodingFormat": f, "contentUrl": u}
            for n, f, u in files
        ],
    }
    dataset |= {"datePublished": pub.date.isoformat()} if pub.date else {}
    dataset |= {"url": pub.url} if pub.url else {}
    return {
        "citation": cited,
        "bibtex": bibtex(year, commit, pub),
        "ris": ris(year, commit, pub),
        "edition": edition(year),
        "commit": commit,
        "url": pub.url,
        "licence": licence_statement(pub),
        "licences": [pub.data_licence, pub.code_licence],
        "source": source,
        "date": pub.date.isoformat() if pub.date else "",
        "contact_name": pub.contact_name,
        "contact_email": pub.contact_email,
        "pdf": pdf,
        "datapackage": DATAPACKAGE,
        "json_ld": json_ld(dataset),
    }
