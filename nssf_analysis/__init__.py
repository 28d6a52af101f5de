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
    downloads, the PDF edition and the golden notebooks of the tests.

Beside them, :mod:`nssf_analysis.paths`, :mod:`nssf_analysis.exceptions` and
:mod:`nssf_analysis.cli`. The public reading API is :func:`catalog`,
:func:`load_raw` and :func:`load_table`.

The modules of the former flat package keep their names as aliases
(``nssf_analysis.catalog`` is :mod:`nssf_analysis.data.catalog`, the same module
object), so that notebooks and scripts written against them keep working.
"""

import importlib
import importlib.abc
import importlib.util
import sys

__version__ = "0.1.0"

#: Names of the former flat package → the module that now holds them.
MOVED = {
    "specs": "nssf_analysis.data.specs",
    "extract": "nssf_analysis.data.extract",
    "tidy": "nssf_analysis.data.tidy",
    "facts": "nssf_analysis.data.facts",
    "directories": "nssf_analysis.data.directories",
    "validate": "nssf_analysis.data.validate",
    "editions": "nssf_analysis.data.editions",
    "units": "nssf_analysis.data.units",
    "cache": "nssf_analysis.data.cache",
    "catalog": "nssf_analysis.data.catalog",
    "headlines": "nssf_analysis.analysis.headlines",
    "audit": "nssf_analysis.render.audit_view",
    "audit_relations": "nssf_analysis.analysis.audit.relations",
    "audit_directories": "nssf_analysis.analysis.audit.directories",
    "style": "nssf_analysis.render.style",
    "wording": "nssf_analysis.render.wording",
    "tables": "nssf_analysis.render.tables",
    "printed": "nssf_analysis.render.printed",
    "charts": "nssf_analysis.render.charts",
    "prose": "nssf_analysis.render.prose",
    "sections": "nssf_analysis.render.sections",
    "directory_view": "nssf_analysis.render.directory_view",
    "site_search": "nssf_analysis.book.search",
    "site_pdf": "nssf_analysis.book.pdf",
    "datapackage": "nssf_analysis.data.datapackage",
}


class _AliasLoader(importlib.abc.Loader):
    """Loads a former name as the very module that now holds it."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def get_code(self, fullname):
        """Return the code of the module named, so that ``python -m <former name>`` runs."""
        spec = importlib.util.find_spec(self.target)
        return spec.loader.get_code(self.target)

    def exec_module(self, module):
        # Re-registering keeps one module object under both names.
        sys.modules[self.target] = module


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``nssf_analysis.<former name>`` for the names in :data:`MOVED`."""

    def find_spec(self, fullname, path=None, target=None):
        prefix, _, leaf = fullname.rpartition(".")
        if prefix != __name__ or leaf not in MOVED:
            return None
        target_spec = importlib.util.find_spec(MOVED[leaf])
        return importlib.util.spec_from_loader(
            fullname, _AliasLoader(MOVED[leaf]), origin=target_spec.origin
        )


if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _AliasFinder())


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
    "available_years": "nssf_analysis.data.catalog",
    "check_year": "nssf_analysis.data.catalog",
    "in_edition": "nssf_analysis.data.catalog",
    "findings": "nssf_analysis.analysis.audit",
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
    # the house style (setup() applies it)
    "SEX_COLORS": "nssf_analysis.render.style",
    "PALETTE": "nssf_analysis.render.style",
    "thousands": "nssf_analysis.render.style",
}

__all__ = ["setup", *API]


def __getattr__(name):
    """Give the public API (:data:`API`) and the former module names on first use."""
    if name in API:
        return getattr(importlib.import_module(API[name]), name)
    if name in MOVED:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
