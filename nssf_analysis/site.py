"""What the book offers its readers beyond the pages: search, downloads, citation, PDF.

:func:`render_book <nssf_analysis.book.render_book>` calls these once per year's book:

- :func:`publish` after every page is written: the search index
  (:mod:`nssf_analysis.site_search`).
"""

from __future__ import annotations

from pathlib import Path

from . import site_search


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
