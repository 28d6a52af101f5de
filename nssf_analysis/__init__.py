"""nssf_analysis: the NSSF annual report as validated data, notebooks and a book.

The package's folders are its layers, and imports run one way, from the seeds to the
pages:

``data``
    The report text → ``data/`` and back: table specifications, extraction, the tidy
    layer, validation, editions, units, and the catalog that reads ``data/``.
``analysis``
    Numbers from the data: printed values and changes, the section-2 headlines,
    indicators, statistics and the audit. No HTML and no IPython here.
``render``
    What a page shows: formatting, plain words, report tables as printed, charts,
    prose and the sections of each chapter.
``book``
    The published book: executing the notebooks, rendering, the build cache, search,
    downloads and the PDF edition.

Beside them, :mod:`nssf_analysis.paths`, :mod:`nssf_analysis.exceptions`,
:mod:`nssf_analysis.processes` and :mod:`nssf_analysis.cli`.

A notebook imports what it needs from one place, this package (:data:`API`): the loaders,
the report's tables as printed, the report's text, the words of a figure and a change,
and the house style. Each name lives in the module of its layer; ``from nssf_analysis
import load_table`` is :func:`nssf_analysis.data.catalog.load_table`.
"""

import importlib

__version__ = "0.1.0"


def setup() -> None:
    """Apply the house style; every chapter notebook calls it first.

    It fixes pandas display options, the matplotlib style (colour-blind-safe palette,
    figure size, dpi, fonts) and the metadata of saved figures, so that outputs are
    the same from run to run (:func:`nssf_analysis.render.style.setup`).
    """
    from nssf_analysis.render.style import setup as _setup

    _setup()


#: The public API a notebook imports from one place: name → the module that holds it.
API = {
    # the data
    "catalog": "nssf_analysis.data.catalog",
    "load_table": "nssf_analysis.data.catalog",
    "load_raw": "nssf_analysis.data.catalog",
    "load_facts": "nssf_analysis.data.catalog",
    "stated_facts": "nssf_analysis.data.catalog",
    "available_years": "nssf_analysis.data.catalog",
    "check_year": "nssf_analysis.data.catalog",
    "in_edition": "nssf_analysis.data.catalog",
    "findings": "nssf_analysis.analysis.audit.results",
    "load_totals": "nssf_analysis.analysis.values",
    "cell": "nssf_analysis.analysis.figures",
    "both": "nssf_analysis.analysis.figures",
    "share": "nssf_analysis.analysis.figures",
    "known": "nssf_analysis.analysis.figures",
    # the page
    "printed": "nssf_analysis.render.page",
    "remaining": "nssf_analysis.render.page",
    "quote": "nssf_analysis.render.page",
    "graphic": "nssf_analysis.render.page",
    "md": "nssf_analysis.render.page",
    "fmt": "nssf_analysis.render.page",
    "change": "nssf_analysis.render.page",
    "change_in": "nssf_analysis.render.page",
    "listing": "nssf_analysis.render.page",
    "label": "nssf_analysis.render.tables",
    "plain_table": "nssf_analysis.render.tables",
    # the house style (setup() applies it)
    "SEX_COLORS": "nssf_analysis.render.style",
    "PALETTE": "nssf_analysis.render.style",
    "thousands": "nssf_analysis.render.style",
}

__all__ = ["setup", *API]


def __getattr__(name):
    """Give the public API (:data:`API`) on first use."""
    if name in API:
        return getattr(importlib.import_module(API[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
