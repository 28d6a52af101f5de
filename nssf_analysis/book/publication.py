"""The book as a publication: title, licence, date, contact and the suggested citation.

Every field is set once, in ``nssf_analysis/templates/book/publication.toml``, and
checked when it is read (:func:`publication`): a missing or malformed field is a
:class:`PublicationError` naming the file and the field.  :func:`citation` writes the
"How to cite" text of a year's edition from it.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nssf_analysis.exceptions import NSSFError

#: The file with the publication's fields.
PUBLICATION_FILE = Path(__file__).resolve().parent / "templates" / "book" / "publication.toml"
#: What the citation shows while the book has no address of its own.
URL_PLACEHOLDER = "[URL]"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_TEXT = ("title", "publisher", "publication_date", "source_title", "source_publisher")


class PublicationError(NSSFError):
    """``publication.toml`` is missing a field or has one of the wrong form."""


@dataclass(frozen=True)
class Publication:
    """The fields of ``publication.toml``, checked."""

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


def _field(data: dict, key: str, where: str, path: Path, allow_empty: bool = False) -> str:
    value = data.get(key)
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise PublicationError(f"{path}: field {where}{key} must be a non-empty text")
    return value.strip()


def load_publication(path: Path | None = None) -> Publication:
    """Read and check a publication file.

    Parameters
    ----------
    path : Path, optional
        Default :data:`PUBLICATION_FILE`.

    Raises
    ------
    PublicationError
        If the file is missing or unreadable, or a field is missing, empty or malformed
        (the date is not ``YYYY-MM-DD``, the e-mail address or the URL has no valid form).
    """
    path = Path(path) if path else PUBLICATION_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise PublicationError(f"{path}: cannot be read: {err}") from None
    text = {k: _field(data, k, "", path) for k in _TEXT}
    url = _field(data, "url", "", path, allow_empty=True)
    if url and not re.match(r"^https?://\S+$", url):
        raise PublicationError(f"{path}: field url must be empty or an http(s) address")
    try:
        date = dt.date.fromisoformat(text["publication_date"])
    except ValueError:
        raise PublicationError(
            f"{path}: field publication_date must be a date YYYY-MM-DD, "
            f"not {text['publication_date']!r}"
        ) from None
    lic, contact = data.get("licence"), data.get("contact")
    if not isinstance(lic, dict):
        raise PublicationError(f"{path}: section [licence] is missing")
    if not isinstance(contact, dict):
        raise PublicationError(f"{path}: section [contact] is missing")
    email = _field(contact, "email", "contact.", path)
    if not _EMAIL.match(email):
        raise PublicationError(f"{path}: field contact.email is not an e-mail address")
    return Publication(
        title=text["title"],
        publisher=text["publisher"],
        publication_date=date,
        url=url,
        source_title=text["source_title"],
        source_publisher=text["source_publisher"],
        licence_name=_field(lic, "name", "licence.", path),
        licence_id=_field(lic, "id", "licence.", path),
        licence_path=_field(lic, "path", "licence.", path),
        licence_statement=_field(lic, "statement", "licence.", path),
        contact_name=_field(contact, "name", "contact.", path),
        contact_email=email,
    )


@cache
def publication() -> Publication:
    """Return the project's publication fields (read once)."""
    return load_publication()


def edition(year: int) -> str:
    """Return the name of a year's edition, e.g. ``"2022 edition"``."""
    return f"{year} edition"


def citation(year: int, commit: str | None, pub: Publication | None = None) -> str:
    """Return the suggested citation of a year's book.

    Parameters
    ----------
    year : int
        The report year of the book.
    commit : str or None
        The commit the book was built from (its first 12 characters are cited); None
        leaves the version out (the workbooks, whose bytes depend on the data only).
    pub : Publication, optional
        Default :func:`publication`.

    Returns
    -------
    str
        "<publisher> (<date year>). <title>, <year> edition [data set and analysis].
        Version <commit>. <URL>. Data: <source>, <year>."
    """
    pub = pub or publication()
    url = pub.url or URL_PLACEHOLDER
    version = ""
    if commit is not None:
        version = f" Version {commit[:12] if commit and commit != 'unknown' else 'unknown'}."
    return (
        f"{pub.publisher} ({pub.publication_date.year}). {pub.title}, {edition(year)} "
        f"[data set and analysis].{version} {url}. "
        f"Data: {pub.source_title}, {year}."
    )
