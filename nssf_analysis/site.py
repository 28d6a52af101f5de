"""What the book offers its readers beyond the pages: search, downloads, citation, PDF.

:func:`render_book <nssf_analysis.book.render_book>` calls these once per year's book:

- :class:`Downloads` and :func:`annotate` for each chapter: the data under every table
  and graphic (:mod:`nssf_analysis.site_downloads`);
- :func:`citation`: the suggested citation (:mod:`nssf_analysis.publication`);
- :func:`publish` after every page is written: the search index
  (:mod:`nssf_analysis.site_search`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import paths, site_search
from .bookcache import sha256_json
from .publication import citation
from .site_downloads import Downloads, annotate

__all__ = ["Downloads", "annotate", "citation", "downloads", "publish"]


def downloads(target_dir: Path, year: int, inputs) -> Downloads:
    """Return the writer of a year's table and graphic downloads, with its cache.

    The files depend on the data, the package code, the book's templates (with the
    publication fields), the library versions and the year; they are kept in
    ``outputs/.cache/downloads/<year>-<key>/`` and copied into later books with the same
    inputs.  Folders of the year with another key are removed.

    Parameters
    ----------
    target_dir : Path
        The book folder being written.
    year : int
        The report year of the book.
    inputs : nssf_analysis.book.Inputs
        The build's input hashes.
    """
    key = sha256_json(
        {
            "data": inputs.data,
            "code": inputs.code,
            "templates": inputs.book_templates,
            "versions": inputs.versions,
            "year": year,
        }
    )[:16]
    root = paths.outputs_dir() / ".cache" / "downloads"
    keep = root / f"{year}-{key}"
    if root.is_dir():
        for old in root.glob(f"{year}-*"):
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)
    return Downloads(target_dir, year, citation(year, None), cache=keep)


def publish(target_dir: Path, year: int, log=None) -> dict:
    """Finish a year's book written into ``target_dir``: index it for search.

    Parameters
    ----------
    target_dir : Path
        The book folder, every page written.
    year : int
        The report year of the book.
    log : callable, optional
        Receives one line of text per notice.

    Returns
    -------
    dict
        ``{"search_documents": n}``.
    """
    target_dir = Path(target_dir)
    pages = sorted(p.name for p in target_dir.glob("*.html"))
    return {"search_documents": site_search.write_search(target_dir, pages)}
