"""What the book offers its readers beyond the pages: search, downloads, citation, PDF.

:func:`render_book <nssf_analysis.book.render_book>` calls these once per year's book:

- :func:`index_context` for the index page: the "How to cite" block, licence,
  publication date, contact, the PDF edition and the schema.org ``Dataset`` JSON-LD;
- :func:`downloads` and :func:`annotate` for each chapter: the data under every table
  and graphic (:mod:`nssf_analysis.site_downloads`);
- :func:`publish` after every page is written: the search index
  (:mod:`nssf_analysis.site_search`), ``data/datapackage.json``
  (:mod:`nssf_analysis.datapackage`) and the PDF edition (:mod:`nssf_analysis.site_pdf`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from markupsafe import Markup

from nssf_analysis import paths
from nssf_analysis.book import pdf as site_pdf
from nssf_analysis.book import search as site_search
from nssf_analysis.book.datapackage import write_datapackage
from nssf_analysis.book.downloads import Downloads, annotate
from nssf_analysis.book.priority import run_low_priority
from nssf_analysis.book.publication import URL_PLACEHOLDER, citation, edition, publication

__all__ = [
    "Downloads",
    "annotate",
    "citation",
    "downloads",
    "index_context",
    "prefetch_downloads",
    "pdf_cache_dir",
    "publish",
    "start_browser",
]

#: The headings the index page adds to its table of contents.
INDEX_HEADINGS = [
    {"level": 2, "id": "how-to-cite", "text": "How to cite"},
]
#: The data package, relative to the book folder.
DATAPACKAGE = "data/datapackage.json"


def _say(log, text: str) -> None:
    (log or (lambda m: print(m, file=sys.stderr, flush=True)))(text)


def json_ld(data: dict) -> Markup:
    """Return ``data`` as JSON safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so no text can end the element
    (``</script>``) or open a comment; the JSON reads back the same.
    """
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def dataset(year: int, commit: str, pdf: str | None, workbook: str) -> dict:
    """Return the schema.org ``Dataset`` description of a year's book."""
    pub = publication()
    dist = [
        {
            "@type": "DataDownload",
            "name": "Every tidy table in one Excel workbook",
            "encodingFormat": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "contentUrl": f"data/{workbook}",
        },
        {
            "@type": "DataDownload",
            "name": "Frictionless data package describing every CSV file",
            "encodingFormat": "application/json",
            "contentUrl": DATAPACKAGE,
        },
    ]
    if pdf:
        dist.append(
            {
                "@type": "DataDownload",
                "name": f"PDF edition {year}",
                "encodingFormat": "application/pdf",
                "contentUrl": pdf,
            }
        )
    data = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": f"{pub.title}, {edition(year)}",
        "description": (
            "Every table of the National Social Security Fund's annual report for "
            f"{year}, extracted from the report text, checked and analysed."
        ),
        "version": commit[:12] if commit and commit != "unknown" else "unknown",
        "datePublished": pub.publication_date.isoformat(),
        "license": pub.licence_path,
        "creator": {"@type": "Organization", "name": pub.publisher, "email": pub.contact_email},
        "publisher": {"@type": "Organization", "name": pub.publisher},
        "isBasedOn": {
            "@type": "CreativeWork",
            "name": pub.source_title,
            "publisher": {"@type": "Organization", "name": pub.source_publisher},
        },
        "temporalCoverage": str(year),
        "spatialCoverage": {"@type": "Place", "name": "Cambodia"},
        "keywords": ["social security", "Cambodia", "NSSF", "official statistics"],
        "citation": citation(year, commit),
        "distribution": dist,
    }
    if pub.url:
        data["url"] = pub.url
    return data


def index_context(year: int, inputs, workbook: str) -> dict:
    """Return what the index page shows about the book as a publication.

    Parameters
    ----------
    year : int
        The report year.
    inputs : nssf_analysis.book.Inputs
        The build's inputs (the commit).
    workbook : str
        File name of the workbook of every tidy table (under ``data/``).

    Returns
    -------
    dict
        ``citation``, ``edition``, ``commit``, ``url``, ``licence``, ``licence_path``,
        ``date``, ``contact_name``, ``contact_email``, ``pdf`` (file name or None),
        ``datapackage`` and ``json_ld``.
    """
    pub = publication()
    commit = inputs.git["commit"]
    pdf = site_pdf.pdf_name(year) if site_pdf.find_chromium() else None
    return {
        "citation": citation(year, commit),
        "edition": edition(year),
        "commit": commit,
        "url": pub.url or URL_PLACEHOLDER,
        "licence": pub.licence_statement,
        "licence_name": pub.licence_name,
        "licence_path": pub.licence_path,
        "date": pub.publication_date.isoformat(),
        "contact_name": pub.contact_name,
        "contact_email": pub.contact_email,
        "pdf": pdf,
        "datapackage": DATAPACKAGE,
        "json_ld": json_ld(dataset(year, commit, pdf, workbook)),
    }


def downloads(target_dir: Path, year: int, defer: bool = False) -> Downloads:
    """Return the writer of a year's table and graphic downloads.

    Each table's and graphic's files are kept on disk while the data files they read
    are unchanged (:func:`nssf_analysis.book.downloads.table_files`,
    :func:`~nssf_analysis.book.downloads.graphic_file`), so a later book copies those of
    the tables and graphics whose data did not change.

    Parameters
    ----------
    target_dir : Path
        The book folder being written.
    year : int
        The report year of the book.
    defer : bool
        Give the links first and make the files in :func:`publish`, while Chromium
        prints (see :class:`~nssf_analysis.book.downloads.Downloads`).
    """
    return Downloads(target_dir, year, citation(year, None), defer=defer)


def prefetch_downloads(fragment: str, year: int) -> int:
    """Compute the downloads of one chapter's tables and graphics before its book is written.

    See :func:`nssf_analysis.book.downloads.prefetch`; the citation is the one
    :func:`downloads` gives the book's files.

    Parameters
    ----------
    fragment : str
        The chapter's rendered cells.
    year : int
        The report year of the book.

    Returns
    -------
    int
        How many tables and graphics have downloads.
    """
    from nssf_analysis.book.downloads import prefetch
    from nssf_analysis.data.catalog import catalog

    return prefetch(fragment, year, citation(year, None), set(catalog()["table_id"]))


def pdf_cache_dir(cache_dir: Path, year: int) -> Path:
    """Return the folder of a year's printed PDF editions under the build's cache folder."""
    return Path(cache_dir) / "pdf" / str(year)


def start_browser(year: int) -> site_pdf.Browser | None:
    """Start Chromium for a year's PDF edition, before the pages are written.

    None without Chromium (or with ``NSSF_PDF=0``); :func:`publish` takes it.

    Raises
    ------
    nssf_analysis.site_pdf.PDFError
        If Chromium is there but cannot be started.
    """
    return site_pdf.start_browser(site_pdf.find_chromium(), year)


def publish(
    target_dir: Path,
    year: int,
    inputs,
    files: list[str],
    log=None,
    downloads: Downloads | None = None,
    browser: site_pdf.Browser | None = None,
) -> dict:
    """Finish a year's book written into ``target_dir``: downloads, search, data package, PDF.

    Chromium prints the PDF edition while the files the pages' download links point to,
    the search index and the data package are written, at the lowest CPU priority
    (:func:`nssf_analysis.book.priority.run_low_priority`: Chromium's print is what the
    book waits for); an error in any of them stops the print.

    Parameters
    ----------
    target_dir : Path
        The book folder, every page written.
    year : int
        The report year of the book.
    inputs : nssf_analysis.book.Inputs
        The build's inputs (the commit).
    files : list of str
        The pages in reading order (the PDF edition follows it).
    log : callable, optional
        Receives one line of text per notice (default: stderr).
    downloads : Downloads, optional
        The writer the pages were annotated with, whose files are still to be made
        (:meth:`~nssf_analysis.book.downloads.Downloads.write_pending`).
    browser : Browser, optional
        Chromium started ahead (:func:`start_browser`) to print with; publish closes it.

    Returns
    -------
    dict
        ``downloads`` (files written here), ``search_documents`` (count) and ``pdf``
        (its path, or None).

    Raises
    ------
    nssf_analysis.site_pdf.PDFError
        If Chromium is there but cannot print the PDF edition.
    """
    target_dir = Path(target_dir)
    pages = sorted(p.name for p in target_dir.glob("*.html"))
    commit = inputs.git["commit"]
    out = {"pdf": None}
    chromium = browser.chromium if browser is not None else site_pdf.find_chromium()
    printing = None
    if chromium is None:
        _say(
            log,
            f"book {year}: no PDF edition (Chromium not found: make browser; "
            "or NSSF_PDF=0 was set)",
        )
    else:
        pub = publication()
        front = {
            "title": pub.title,
            "edition": edition(year),
            "date": pub.publication_date.isoformat(),
            "licence": pub.licence_statement,
            "citation": citation(year, commit),
            "contact": f"{pub.contact_name} <{pub.contact_email}>",
        }
        cache = pdf_cache_dir(paths.outputs_dir() / ".cache", year)
        _say(log, f"book {year}: PDF edition ({chromium}; unchanged books come from the cache)")
        # Chromium prints while the downloads, the search index and the data package
        # are made
        printing = site_pdf.start_pdf(
            target_dir, year, files, front, chromium, cache=cache, browser=browser
        )

    def while_printing() -> None:
        out["downloads"] = downloads.write_pending() if downloads is not None else 0
        search_cache = site_search.SearchCache(
            paths.outputs_dir() / ".cache" / "search" / str(year)
        )
        out["search_documents"] = site_search.write_search(target_dir, pages, search_cache)
        write_datapackage(target_dir / DATAPACKAGE, target_dir / "data", year, commit)

    try:
        run_low_priority(while_printing)
    except BaseException:
        if printing is not None:
            printing.cancel()
        raise
    if printing is not None:
        out["pdf"] = printing.result()
    return out
