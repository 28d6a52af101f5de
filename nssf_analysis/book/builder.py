"""Build the published HTML book: run the chapter notebooks, render them, publish.

``nssf-report build [--year Y]... [--all-years] [--jobs N] [--force]`` calls
:func:`run_cli`, which calls :func:`build`:

1. **Find** the chapter notebooks ``NN_<name>.ipynb`` of the notebooks folder
   (``notebooks/``, or ``$NSSF_NOTEBOOKS``).
2. **Check** that every output folder can be written (:func:`preflight`): a file in
   the way is reported in one line before any notebook runs.
3. **Plan** from content hashes: a notebook runs again only when its source, the data
   files it read when it last ran, the package code (``nssf_analysis/*.py``), the
   library versions or its parameters changed; ``--force`` runs everything.  Each
   kernel records which files of ``data/`` it opens or lists
   (:mod:`nssf_analysis.readlog`), and that list is kept with the run, so a change to
   one table's data runs again only the chapters that read it (a run whose reads are
   unknown depends on every file).  The hashes are kept in
   ``outputs/.cache/book-cache.json``.
4. **Execute** the rest with papermill in worker processes, in parallel (``--jobs``,
   default: one per core).  Workers (and through them their kernels) end when the
   build process ends, however it ends (SIGKILL included), and each finished run is
   entered into the cache at once, so an interrupted or failed build keeps it.  Every
   notebook runs on a fresh kernel of its own, but the kernel is started ahead (the
   first while the worker imports papermill, the next while the previous notebook is
   rendered) with pandas and the catalog reader already imported.  Each kernel talks
   to its worker over Unix domain sockets (``ipc`` transport) in a
   private runtime folder, so kernels started at the same moment never compete for
   TCP ports (with the default ``tcp`` transport jupyter_client picks free ports by
   binding to port 0 and closing the socket before the kernel binds them, which two
   processes can race for).  Each executed notebook is stripped of run-dependent
   metadata (times, durations, random cell ids) and its body rendered to HTML with
   nbconvert and the project's template (``templates/nbconvert/nssf``) in the same
   worker, then cleaned of anything that could run a script (:func:`clean_html`).
5. **Render** the book into a temporary folder beside the target: a page per chapter,
   ``index.html``, ``methodology.html``, ``catalog.html``, CSV and Excel downloads, local
   CSS and JavaScript only; every value from data is escaped (Jinja autoescape).  Then
   **swap** it in with one atomic rename.  A failing notebook, an interrupted or killed
   build, or a second concurrent build (which waits on ``outputs/.cache/build.lock``)
   never leaves a half-written book.

Two builds of the same commit write byte-identical pages.
"""

from __future__ import annotations

import atexit
import copy
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

from nssf_analysis import paths
from nssf_analysis.book import readlog
from nssf_analysis.book.buildcache import (
    CACHE_SCHEMA,
    BuildLock,
    CacheIndex,
    atomic_write_bytes,
    atomic_write_text,
    kill_children,
    remove_path,
    remove_stale,
    set_parent_death_signal,
    sha256_bytes,
    sha256_file,
    sha256_json,
    swap_dir,
    tree_file_hashes,
    tree_hash,
    tree_hash_of,
)
from nssf_analysis.exceptions import NSSFError, YearNotAvailableError

#: The Jupyter kernel every chapter runs on (always passed to papermill explicitly).
KERNEL_NAME = "nssf-analysis"
#: Command that installs that kernel into the virtualenv.
KERNEL_INSTALL = (
    ".venv/bin/python -m ipykernel install --sys-prefix --name nssf-analysis "
    '--display-name "Python (nssf-analysis)"'
)
#: Templates: ``nbconvert/nssf`` renders a notebook's cells, ``book/`` the pages.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Package versions printed in every page's footer.
FOOTER_PACKAGES = ("nssf-analysis", "pandas", "matplotlib", "statsmodels", "papermill", "nbconvert")
#: Further libraries whose version is part of the cache keys (outputs may change with them).
KEY_PACKAGES = FOOTER_PACKAGES + (
    "numpy",
    "scipy",
    "seaborn",
    "ipykernel",
    "nbclient",
    "nbformat",
    "jinja2",
    "pygments",
    "mistune",
    "openpyxl",
)
#: A chapter notebook: two digits, an underscore, a name.
CHAPTER_RE = re.compile(r"^(\d{2})_([A-Za-z0-9][A-Za-z0-9_\-]*)\.ipynb$")
#: Name of the Excel workbook with every tidy table.
WORKBOOK = "nssf_tidy_tables.xlsx"
#: Time stamp written into the workbook (its properties and zip entries).
WORKBOOK_TIME = "2000-01-01T00:00:00Z"
#: Seconds one cell may run before the build gives up on it.
CELL_TIMEOUT = int(os.environ.get("NSSF_CELL_TIMEOUT", "1800"))
#: Files of ``data/`` offered for download besides the tables.
_ADDRESS_RE = re.compile(r" at 0x[0-9a-fA-F]{4,}>")
_KERNEL_TMP_RE = re.compile(r"ipykernel_\d+")  # the kernel's temporary folder for cell code
_ERROR_CELL_TAG = "papermill-error-cell-tag"
_INJECTED_TAG = "injected-parameters"


class BookBuildError(NSSFError):
    """The book could not be built; the previous book is left as it was."""


class NotebookFailedError(BookBuildError):
    """A chapter notebook raised an error; names the notebook, the cell and the error."""


class BuildInterruptedError(BookBuildError):
    """The build was interrupted (Ctrl-C or a signal) before it published anything."""


# --------------------------------------------------------------------------- inputs


def notebooks_dir() -> Path:
    """Return the folder of the chapter notebooks (``$NSSF_NOTEBOOKS`` or ``notebooks/``)."""
    env = os.environ.get("NSSF_NOTEBOOKS")
    return Path(env) if env else paths.notebooks_dir()


def discover_notebooks(folder: Path) -> list[Path]:
    """Return the chapter notebooks ``NN_<name>.ipynb`` of ``folder``, in chapter order.

    Parameters
    ----------
    folder : Path
        Folder to look in (not recursive).

    Raises
    ------
    BookBuildError
        If the folder holds no chapter notebook.
    """
    folder = Path(folder)
    found = sorted(p for p in folder.glob("*.ipynb") if CHAPTER_RE.match(p.name))
    if not found:
        raise BookBuildError(f"{folder}: no chapter notebook (NN_<name>.ipynb) to build")
    return found


def years_with_data() -> list[int]:
    """Return every year for which some table has data, read from ``data/catalog.csv``.

    The same answer as :func:`nssf_analysis.catalog.available_years`, read with the
    standard library so that a build with nothing to do need not import pandas.
    """
    path = paths.data_dir() / "catalog.csv"
    if not path.exists():
        raise NSSFError(f"{path}: not found; run 'nssf-report extract' first")
    years: set[int] = set()
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            years |= {int(y) for y in row.get("years", "").split("; ") if y.strip()}
    return sorted(years)


def resolve_years(years=None, all_years: bool = False) -> list[int]:
    """Return the years to build: the given ones, every year with data, or the newest.

    Parameters
    ----------
    years : list of int, optional
        Years asked for (``--year``, repeatable).
    all_years : bool
        Build every year with data.

    Raises
    ------
    YearNotAvailableError
        If a year asked for has no data; the message lists the available years.
    """
    avail = years_with_data()
    if all_years:
        return avail
    if not years:
        return [avail[-1]]
    for y in years:
        if y not in avail:
            raise YearNotAvailableError(
                f"no data for year {y}; available years: {', '.join(map(str, avail))}"
            )
    return sorted(set(years))


def package_versions(names=KEY_PACKAGES) -> dict[str, str]:
    """Return ``{package: version}`` for ``names`` ("not installed" when missing)."""
    out = {}
    for name in names:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_state(root: Path | None = None) -> dict:
    """Return the commit of the working tree and whether it has uncommitted changes.

    Parameters
    ----------
    root : Path, optional
        Folder inside the repository (default: the project root).

    Returns
    -------
    dict
        ``{"commit": <sha or "unknown">, "dirty": bool}``.
    """
    root = Path(root) if root else paths.ROOT

    def git(*args) -> str | None:
        try:
            res = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return res.stdout.strip() if res.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return {"commit": "unknown", "dirty": False}
    status = git("status", "--porcelain")
    return {"commit": commit, "dirty": bool(status)}


@dataclass
class Inputs:
    """Content hashes of everything a build depends on (computed once per build).

    ``data`` is one hash over every file of ``data/``; ``files`` the hash of each file
    (by its path relative to ``data/``), from which :meth:`read_hash` answers for the
    files a chapter read.
    """

    data: str
    code: str
    nb_template: str
    book_templates: str
    readme: str
    versions: dict
    git: dict
    files: dict = field(default_factory=dict)
    _extra: dict = field(default_factory=dict, repr=False)

    @classmethod
    def collect(cls) -> Inputs:
        """Hash ``data/``, the package code, the templates and the README."""
        readme = paths.ROOT / "README.md"
        files = tree_file_hashes(paths.data_dir())
        return cls(
            data=tree_hash_of(files),
            code=tree_hash(Path(__file__).resolve().parent.parent, ("**/*.py",)),
            nb_template=tree_hash(TEMPLATES / "nbconvert"),
            book_templates=tree_hash(TEMPLATES / "book"),
            readme=sha256_file(readme) if readme.exists() else "",
            versions=package_versions(),
            git=git_state(),
            files=files,
        )

    def read_hash(self, rel: str) -> str | None:
        """Return the hash of what a chapter read at ``rel`` (relative to ``data/``).

        A file's content hash; for a folder, the hash of the names it lists; None when
        nothing is there.
        """
        if rel in self.files:
            return self.files[rel]
        if rel not in self._extra:
            p = paths.data_dir() / rel
            if p.is_dir():
                value = "folder:" + sha256_json(sorted(os.listdir(p)))
            elif p.is_file():
                value = sha256_file(p)
            else:
                value = None
            self._extra[rel] = value
        return self._extra[rel]


def code_key(source: Path, year: int, inputs: Inputs) -> str:
    """Return the key of what a notebook run depends on besides data.

    It changes when the notebook's source, the package code, the library versions, the
    kernel or the parameters change.

    Parameters
    ----------
    source : Path
        The source notebook.
    year : int
        The ``year`` parameter.
    inputs : Inputs
        Hashes of the build's inputs.
    """
    return sha256_json(
        {
            "schema": CACHE_SCHEMA,
            "notebook": sha256_file(source),
            "code": inputs.code,
            "versions": inputs.versions,
            "kernel": KERNEL_NAME,
            "parameters": {"year": year},
        }
    )


def data_key(reads, inputs: Inputs) -> str:
    """Return the key of the data a notebook run read.

    Parameters
    ----------
    reads : list of str or None
        The paths (relative to ``data/``) the run read, as :mod:`nssf_analysis.readlog`
        recorded them; None when they are unknown, and then every file of ``data/``
        counts.
    inputs : Inputs
        Hashes of the build's inputs.
    """
    if reads is None:
        return sha256_json({"all data": inputs.data})
    return sha256_json({rel: inputs.read_hash(rel) for rel in sorted(reads)})


def execution_key(source: Path, year: int, inputs: Inputs, reads=None) -> str:
    """Return the cache key of one notebook run.

    It changes when the notebook's source, the data it read (every file of ``data/``
    when ``reads`` is None), the package code, the library versions, the kernel or the
    parameters change.

    Parameters
    ----------
    source : Path
        The source notebook.
    year : int
        The ``year`` parameter.
    inputs : Inputs
        Hashes of the build's inputs.
    reads : list of str, optional
        The data files the run read (see :func:`data_key`).
    """
    return sha256_json({"code": code_key(source, year, inputs), "data": data_key(reads, inputs)})


def fragment_key(exec_key: str, inputs: Inputs) -> str:
    """Return the cache key of a chapter's rendered cells (execution key + template)."""
    return sha256_json({"execution": exec_key, "template": inputs.nb_template})


# ------------------------------------------------------------------ notebook processing


def _source_cell_ids(source: Path) -> list:
    nb = json.loads(Path(source).read_text(encoding="utf-8"))
    return [c.get("id") for c in nb.get("cells", [])]


def sanitize_notebook(nb: dict, source_ids: list) -> dict:
    """Strip run-dependent content from an executed notebook, in place.

    Removes papermill's metadata (start and end times, durations, paths) and the
    execution time stamps of every cell, gives the injected-parameters cell a fixed
    id and every other cell the id of its source cell (``cell-<n>`` when it has none),
    and replaces memory addresses in plain-text representations (``<Figure at
    0x7f…>``) and the kernel's process id in the file names it gives cell code in
    warnings and tracebacks (``/tmp/ipykernel_<pid>/…``).  What remains depends only
    on the notebook, its inputs and its parameters.

    Parameters
    ----------
    nb : dict
        Executed notebook (nbformat 4), modified in place.
    source_ids : list
        Cell ids of the source notebook, in order (None where absent).

    Returns
    -------
    dict
        ``nb``.
    """
    nb.setdefault("metadata", {})
    for key in ("papermill", "widgets"):
        nb["metadata"].pop(key, None)
    n = 0
    for cell in nb.get("cells", []):
        md = cell.setdefault("metadata", {})
        md.pop("execution", None)
        md.pop("papermill", None)
        if _INJECTED_TAG in md.get("tags", []):
            cell["id"] = _INJECTED_TAG
        elif _ERROR_CELL_TAG in md.get("tags", []):
            cell["id"] = f"papermill-error-{n}"
        else:
            sid = source_ids[n] if n < len(source_ids) else None
            cell["id"] = sid or f"cell-{n}"
            n += 1
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data and isinstance(data.get("text/plain"), str):
                data["text/plain"] = _ADDRESS_RE.sub(" at 0x…>", data["text/plain"])
            if isinstance(out.get("text"), str):
                out["text"] = _KERNEL_TMP_RE.sub("ipykernel_<pid>", out["text"])
            if isinstance(out.get("traceback"), list):
                out["traceback"] = [
                    _KERNEL_TMP_RE.sub("ipykernel_<pid>", t) for t in out["traceback"]
                ]
    return nb


def _first_line(text) -> str:
    if isinstance(text, list):  # notebook JSON may store text as a list of lines
        text = "".join(text)
    lines = [ln for ln in str(text).splitlines() if ln.strip()]
    return lines[0].strip() if lines else ""


def prepare_for_render(nb: dict) -> tuple[dict, list[str]]:
    """Return a copy of ``nb`` fit for the book, and warnings about what was left out.

    Output written to stderr is not rendered (it is reported by the build instead),
    nor are outputs that would need scripts from elsewhere (JavaScript, widgets).

    Parameters
    ----------
    nb : dict
        Sanitised executed notebook.

    Returns
    -------
    tuple
        ``(notebook, warnings)``; each warning names the cell (1-based) and the first
        line of what it wrote to stderr.
    """
    nb = copy.deepcopy(nb)
    warnings = []
    script_types = (
        "application/javascript",
        "application/vnd.jupyter.widget-view+json",
        "application/vnd.jupyter.widget-state+json",
    )
    number = 0
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if _INJECTED_TAG not in tags and _ERROR_CELL_TAG not in tags:
            number += 1
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                warnings.append(f"cell {number} wrote to stderr: {_first_line(out.get('text'))}")
                continue
            data = out.get("data")
            if data:
                for mime in script_types:
                    data.pop(mime, None)
                if not data:
                    continue
            kept.append(out)
        if "outputs" in cell:
            cell["outputs"] = kept
    return nb, warnings


# ------------------------------------------------------------- safe HTML of outputs

#: Elements dropped together with everything inside them.
_DROP_WITH_CONTENT = frozenset(
    {
        "script",
        "template",
        "noscript",
        "iframe",
        "frame",
        "frameset",
        "object",
        "applet",
        "noembed",
        "noframes",
        "xmp",
        # SVG animation elements can set an attribute (e.g. href) to a script URL
        "animate",
        "set",
        "animatemotion",
        "animatetransform",
        "handler",
        "listener",
    }
)
#: Elements dropped on their own (their content, if any, is kept as ordinary content).
_DROP_TAG = frozenset({"embed", "base", "meta", "link", "param", "plaintext", "portal", "textarea"})
#: Elements whose content a browser reads as text up to their end tag.
_TEXT_CONTENT = ("style", "title")
_VOID = frozenset({"area", "br", "col", "hr", "img", "input", "source", "track", "wbr"})
#: Text alternative of an image that has none (nbconvert's wording).
_NO_ALT = "No description has been provided for this image"
_NAME_RE = re.compile(r"^[a-z][a-z0-9\-]*$")
_ATTR_RE = re.compile(r"^[a-z_:][a-z0-9_:.\-]*$")
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_BAD_SCHEME_RE = re.compile(r"^(javascript|vbscript|livescript|mocha):", re.IGNORECASE)
_DATA_OK_RE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.IGNORECASE)
_BAD_CSS_RE = re.compile(r"<|expression\s*\(|javascript:|-moz-binding|behaviou?r\s*:", re.I)
_URL_ATTRS = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "poster",
        "background",
        "cite",
        "data",
        "lowsrc",
        "dynsrc",
        "ping",
        "xlink:href",
        "codebase",
        "longdesc",
        "usemap",
        "manifest",
    }
)


def _safe_attr(name: str, value: str | None) -> bool:
    """Tell whether an attribute of an output's HTML may be kept."""
    if not _ATTR_RE.match(name) or name.startswith("on") or name in ("srcdoc", "is"):
        return False
    if value is None:
        return True
    plain = _CONTROL_RE.sub("", value)
    if _BAD_SCHEME_RE.match(plain) or "javascript:" in plain.lower():
        return False
    if name in _URL_ATTRS and plain.lower().startswith("data:") and not _DATA_OK_RE.match(plain):
        return False
    if name == "style" and _BAD_CSS_RE.search(value):
        return False
    return True


def clean_html(html: str) -> str:
    """Return ``html`` with everything that could run a script removed.

    The HTML a notebook's outputs produce (tables, figures, prose) is parsed and
    written out again from what was parsed: elements that run or embed code
    (``script``, ``iframe``, ``object``, SVG animations …) are dropped with their
    content, event handler attributes (``on…``), ``srcdoc`` and script URLs
    (``javascript:``, non-image ``data:``) are dropped, comments and declarations are
    dropped, and all text is escaped again.  Because the result is written from the
    parse, a browser reads it the way this parser did: markup the parser took as text
    stays text.  An image without a text alternative gets a stock one.

    Parameters
    ----------
    html : str
        An HTML fragment (the rendered cells of a chapter).

    Returns
    -------
    str
        The fragment without scripts, handlers or script URLs; everything else as it was
        parsed.
    """
    from html import escape
    from html.parser import HTMLParser

    out: list[str] = []

    class Cleaner(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.skip: list[str] = []  # open elements whose content is dropped
            self.raw = None  # name of the open <style> element
            self.open = dict.fromkeys(_TEXT_CONTENT, 0)

        def _tag(self, tag, attrs, close: bool) -> None:
            if self.skip:
                if tag == self.skip[-1] and not close:
                    self.skip.append(tag)
                return
            if tag in _DROP_WITH_CONTENT:
                if not close:
                    self.skip.append(tag)
                return
            if tag in _DROP_TAG or not _NAME_RE.match(tag):
                return
            kept = []
            for name, value in attrs:
                if _safe_attr(name, value):
                    kept.append(name if value is None else f'{name}="{escape(value, quote=True)}"')
            if tag == "img" and not any(name == "alt" for name, _ in attrs):
                kept.append(f'alt="{_NO_ALT}"')
            out.append("<" + " ".join([tag, *kept]) + ">")
            if close and tag not in _VOID:
                out.append(f"</{tag}>")  # written out: "<x/>" does not close an HTML element
            elif tag in _TEXT_CONTENT:
                self.open[tag] += 1
                if tag == "style":
                    self.raw = tag

        def handle_starttag(self, tag, attrs):
            self._tag(tag, attrs, close=False)

        def handle_startendtag(self, tag, attrs):
            self._tag(tag, attrs, close=True)

        def handle_endtag(self, tag):
            if self.skip:
                if tag == self.skip[-1]:
                    self.skip.pop()
                return
            if tag in _TEXT_CONTENT:
                if not self.open[tag]:
                    return
                self.open[tag] -= 1
                if tag == "style":
                    self.raw = None
            if tag in _DROP_WITH_CONTENT or tag in _DROP_TAG or not _NAME_RE.match(tag):
                return
            if tag not in _VOID:
                out.append(f"</{tag}>")

        def handle_data(self, data):
            if self.skip:
                return
            if self.raw:
                if not _BAD_CSS_RE.search(data):
                    out.append(data)
                return
            out.append(escape(data, quote=False))

    parser = Cleaner()
    parser.feed(html)
    parser.close()
    for tag in _TEXT_CONTENT:  # an element left open would swallow the rest of the page
        out.extend([f"</{tag}>"] * parser.open[tag])
    return "".join(out)


_EXPORTER = None


def _exporter():
    """Return the nbconvert exporter of chapter bodies (built once per process).

    It is nbconvert's HTML exporter without the last pass of its
    ``from_notebook_node``, which parses the whole page again with BeautifulSoup to add
    a stock text alternative to images that lack one and ``tabindex`` to the cells of a
    ``.jp-Notebook`` element (which chapter bodies do not have).  That pass takes most
    of the time of rendering a chapter with many tables; :func:`clean_html`, which
    parses the body anyway, adds the text alternative instead.
    """
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
        from traitlets.config import Config

        class BodyExporter(HTMLExporter):
            def from_notebook_node(self, nb, resources=None, **kw):
                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
                highlight = self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                )
                resources = self._init_resources(resources)
                data_type = WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                )
                self.register_filter("highlight_code", highlight)
                self.register_filter("filter_data_type", data_type)
                return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

        cfg = Config()
        cfg.TagRemovePreprocessor.enabled = True
        cfg.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell"}
        cfg.TagRemovePreprocessor.remove_input_tags = {"remove-input", "remove_input"}
        cfg.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
        cfg.HTMLExporter.exclude_input_prompt = True
        cfg.HTMLExporter.exclude_output_prompt = True
        _EXPORTER = BodyExporter(
            config=cfg,
            template_name="nssf",
            extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
        )
    return _EXPORTER


def render_fragment(nb: dict, name: str) -> tuple[str, list[str]]:
    """Render an executed notebook's cells to an HTML fragment (no page around it).

    Parameters
    ----------
    nb : dict
        Sanitised executed notebook.
    name : str
        Notebook name, e.g. ``"01_occupational_risk"``.

    Returns
    -------
    tuple
        ``(html, warnings)`` (see :func:`prepare_for_render`).
    """
    import nbformat

    clean, warnings = prepare_for_render(nb)
    node = nbformat.from_dict(clean)
    body, _ = _exporter().from_notebook_node(node, resources={"metadata": {"name": name}})
    return clean_html(body.strip()) + "\n", warnings


def describe_failure(nb, name: str, year: int, err: BaseException) -> tuple[int | None, str]:
    """Return the failing cell's number and a few lines saying what failed where.

    Parameters
    ----------
    nb : dict or None
        The executed notebook as papermill saved it (with its error marks), if any.
    name : str
        Notebook file name.
    year : int
        The ``year`` parameter of the run.
    err : BaseException
        What papermill raised.

    Returns
    -------
    tuple
        ``(cell number or None, message)``; the cell number counts the cells of the
        source notebook from 1, as a notebook editor shows them.
    """
    cell_no, source = None, ""
    if nb is not None:
        n = 0
        for cell in nb.get("cells", []):
            tags = cell.get("metadata", {}).get("tags", [])
            if _INJECTED_TAG in tags or _ERROR_CELL_TAG in tags:
                continue
            n += 1
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors:
                cell_no, source = n, _failing_line(errors[-1]) or _first_line(cell["source"])
                break
    ename = getattr(err, "ename", None) or type(err).__name__
    evalue = getattr(err, "evalue", None)
    if evalue is None:
        evalue = _first_line(str(err))
    where = f"cell {cell_no}" if cell_no else "before any cell ran"
    msg = f"notebook {name} (year={year}) failed in {where}: {ename}: {_first_line(evalue)}"
    if source:
        msg += f"\n  at: {source[:120]}"
    return cell_no, msg


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _failing_line(error_output: dict) -> str:
    """Return "line N: <code>" of the cell line an IPython traceback points at ("---->")."""
    frames = [_ANSI_RE.sub("", t) for t in error_output.get("traceback", [])]
    for frame in frames:  # the first frame with an arrow is the notebook cell
        for line in frame.splitlines():
            m = re.match(r"^\s*-+>\s*(\d+)\s(.*)$", line)
            if m:
                return f"line {m.group(1)}: {m.group(2).strip()}"
    return ""


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


_IN_JOB = False
_PARENT_PID: int | None = None
#: Scratch files of the job a worker is running, deleted if the worker has to stop at once.
_JOB_SCRATCH: list[Path] = []
#: Runtime folders of kernels started and not yet stopped.
_PENDING_SCRATCH: list[Path] = []


def _worker_term(signum, frame):
    """SIGTERM in a worker.

    When the build process is gone (the signal is the parent-death signal, e.g. after
    the build was killed with SIGKILL), the worker kills its kernel, deletes the
    job's scratch files and exits at once: nobody is left to wait for it.  When the
    build itself asks the worker to stop, a running job is unwound (papermill shuts
    its kernel down) and an idle worker exits.
    """
    if _PARENT_PID is not None and os.getppid() != _PARENT_PID:
        _exit_now(signum)
    if _IN_JOB:
        # If unwinding hangs, stop anyway after a grace period.
        timer = threading.Timer(15.0, _exit_now, args=(signum,))
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt(f"signal {signum}")
    os._exit(128 + signum)


def _exit_now(signum: int) -> None:
    """Kill this worker's kernel, remove the job's scratch files and exit."""
    kill_children(signal.SIGKILL)
    for p in list(_JOB_SCRATCH) + list(_PENDING_SCRATCH):
        remove_path(p)
    os._exit(128 + signum)


def _ignore(signum, frame):
    return None


def _watch_parent() -> None:
    """Exit at once (kernel killed, scratch removed) when the build process is gone.

    A thread, so that it works whatever signal handlers the libraries a job runs
    install meanwhile (nbclient replaces SIGTERM's while a notebook runs).
    """
    while True:
        time.sleep(0.5)
        if os.getppid() != _PARENT_PID:
            _exit_now(signal.SIGTERM)


def _worker_init(parent_pid: int | None = None, cwd: str | None = None) -> None:
    """Set up a worker process: the main process decides about Ctrl-C and stops us.

    The worker asks for SIGTERM when the build process dies, however it dies, and
    watches its parent, so no worker (and, through it, no kernel) outlives the build.
    It then starts the kernel of its first notebook (see :func:`_start_kernel`), which
    boots while the worker imports papermill and nbconvert.
    """
    global _PARENT_PID, _NEXT_KERNEL
    _PARENT_PID = parent_pid
    signal.signal(signal.SIGINT, _ignore)  # a Python handler is not inherited by kernels
    signal.signal(signal.SIGTERM, _worker_term)
    set_parent_death_signal(signal.SIGTERM, parent_pid)
    if parent_pid is not None:
        threading.Thread(target=_watch_parent, daemon=True).start()
    atexit.register(_drop_next_kernel)
    if cwd is not None:
        _NEXT_KERNEL = _start_kernel(cwd)


@dataclass
class _Kernel:
    """A kernel started for exactly one notebook run, with its private runtime folder."""

    km: object
    runtime: Path
    reads_log: Path
    cwd: str
    log: object


_NEXT_KERNEL: _Kernel | None = None


def _start_kernel(cwd: str) -> _Kernel:
    """Start a fresh kernel for the next notebook run (it does not wait for it to boot).

    The kernel talks over Unix sockets in a new runtime folder, records the data files
    it reads into that folder (:mod:`nssf_analysis.readlog`), imports pandas and the
    catalog reader before the first cell (every chapter imports them), and writes its
    log lines to a file there instead of the build's terminal.  A kernel runs one
    notebook only and is shut down after it: started ahead, it saves the notebook the
    wait for the kernel's start and imports, never its isolation.
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    runtime = Path(tempfile.mkdtemp(prefix="nssf-k-"))  # short path: socket names ≤ 107
    _PENDING_SCRATCH.append(runtime)
    reads_log = runtime / "reads.log"
    env = dict(os.environ)
    env["JUPYTER_RUNTIME_DIR"] = str(runtime)
    env[readlog.ENV] = str(reads_log)
    log = open(runtime / "kernel.log", "wb")
    km = AsyncKernelManager(
        kernel_name=KERNEL_NAME,
        transport="ipc",
        ip=str(runtime / "k"),
        connection_file=str(runtime / "kernel.json"),
    )
    run_sync(km.start_kernel)(
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=log,
        extra_arguments=[f"--IPKernelApp.exec_lines={_KERNEL_START}"],
    )
    return _Kernel(km=km, runtime=runtime, reads_log=reads_log, cwd=cwd, log=log)


def _stop_kernel(kernel: _Kernel) -> None:
    """Shut a kernel down now and delete its runtime folder."""
    from jupyter_core.utils import run_sync

    try:
        if kernel.km.has_kernel:
            run_sync(kernel.km.shutdown_kernel)(now=True)
    except Exception:  # already gone
        pass
    kernel.log.close()
    shutil.rmtree(kernel.runtime, ignore_errors=True)
    if kernel.runtime in _PENDING_SCRATCH:
        _PENDING_SCRATCH.remove(kernel.runtime)


def _drop_next_kernel() -> None:
    """Stop the kernel started ahead, if no notebook came for it."""
    global _NEXT_KERNEL
    if _NEXT_KERNEL is not None:
        _stop_kernel(_NEXT_KERNEL)
        _NEXT_KERNEL = None


def _take_kernel(cwd: str) -> _Kernel:
    """Return the kernel started ahead for this working folder, else start one now."""
    from jupyter_core.utils import run_sync

    global _NEXT_KERNEL
    kernel, _NEXT_KERNEL = _NEXT_KERNEL, None
    if kernel is not None and (kernel.cwd != cwd or not run_sync(kernel.km.is_alive)()):
        _stop_kernel(kernel)
        kernel = None
    return kernel or _start_kernel(cwd)


#: Run by each kernel before the first cell: record the data files it reads.  It binds
#: no name in the notebook's namespace.
_KERNEL_START = (
    "import nssf_analysis.readlog as _nssf_readlog; _nssf_readlog.install(); del _nssf_readlog; "
    "import pandas as _nssf_pandas, nssf_analysis.catalog as _nssf_catalog; "
    "del _nssf_pandas, _nssf_catalog"
)


def run_notebook_job(job: dict) -> dict:
    """Execute one notebook with papermill and render its cells (runs in a worker).

    Parameters
    ----------
    job : dict
        ``name``, ``source``, ``year``, ``cwd``, ``executed`` (target of the
        sanitised notebook), ``fragment`` (target of the HTML body), ``staging``
        (scratch folder) and ``failed`` (where a failed run is kept).

    Returns
    -------
    dict
        ``status`` ("ok" or "failed"), ``seconds``, and ``warnings``,
        ``executed_sha256``, ``fragment_sha256``, ``reads`` (the data files the kernel
        read, None if unknown) on success or ``message``, ``cell`` on failure.
    """
    global _IN_JOB, _NEXT_KERNEL
    _IN_JOB = True
    start = time.perf_counter()
    name, year = job["name"], job["year"]
    staging = Path(job["staging"])
    staging.mkdir(parents=True, exist_ok=True)
    out = staging / f"{name}.ipynb"
    kernel = _take_kernel(job["cwd"])
    runtime = kernel.runtime
    _JOB_SCRATCH[:] = [runtime, out]
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
    # Log lines jupyter_client or papermill write (e.g. "KeyboardInterrupt caught in
    # kernel" on shutdown) go to a file instead of the build's terminal.
    log = open(runtime / "worker.log", "wb")
    saved_fds = (os.dup(1), os.dup(2))
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    try:
        import nbformat
        import papermill as pm

        try:
            try:
                nb = pm.execute_notebook(
                    job["source"],
                    str(out),
                    parameters={"year": year},
                    kernel_name=KERNEL_NAME,
                    cwd=job["cwd"],
                    progress_bar=False,
                    log_output=False,
                    request_save_on_cell_execute=False,
                    execution_timeout=CELL_TIMEOUT,
                    km=kernel.km,
                )
            finally:
                signal.signal(signal.SIGTERM, _worker_term)  # nbclient replaced it
                reads = readlog.read_log(kernel.reads_log)
                _stop_kernel(kernel)
                if job.get("more"):  # boots while this notebook is rendered
                    _NEXT_KERNEL = _start_kernel(job["cwd"])
        except Exception as err:  # the notebook failed: keep it, say where
            saved = None
            if out.exists():
                failed = Path(job["failed"])
                failed.parent.mkdir(parents=True, exist_ok=True)
                os.replace(out, failed)
                saved = json.loads(failed.read_text(encoding="utf-8"))
            cell, message = describe_failure(saved, f"{name}.ipynb", year, err)
            return {
                "status": "failed",
                "cell": cell,
                "message": message,
                "saved": saved is not None,
                "seconds": time.perf_counter() - start,
            }
        clean = sanitize_notebook(dict(nb), _source_cell_ids(Path(job["source"])))
        text = nbformat.writes(nbformat.from_dict(clean))
        atomic_write_text(Path(job["executed"]), text)
        try:
            html, warnings = render_fragment(clean, name)
        except Exception as err:
            return {
                "status": "failed",
                "cell": None,
                "message": f"notebook {name}.ipynb (year={year}) ran but could not be "
                f"rendered: {type(err).__name__}: {_first_line(str(err))}",
                "saved": False,
                "seconds": time.perf_counter() - start,
            }
        atomic_write_text(Path(job["fragment"]), html)
        Path(job["failed"]).unlink(missing_ok=True)
        return {
            "status": "ok",
            "seconds": time.perf_counter() - start,
            "warnings": warnings,
            "executed_sha256": sha256_bytes(text.encode("utf-8")),
            "fragment_sha256": sha256_bytes(html.encode("utf-8")),
            "reads": reads,
        }
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        for fd in saved_fds:
            os.close(fd)
        log.close()
        out.unlink(missing_ok=True)
        _stop_kernel(kernel)
        _JOB_SCRATCH.clear()
        _IN_JOB = False


def _check_kernel() -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        raise BookBuildError(
            f"the Jupyter kernel {KERNEL_NAME!r} is not installed; run: {KERNEL_INSTALL}"
        ) from None


def _stop_pool(executor) -> None:
    """Stop a process pool now: cancel what waits, end the workers we started."""
    procs = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + 10
    for p in procs:
        p.join(max(0.1, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(5)


def _run_jobs(
    jobs: list[dict], workers: int, progress: bool, say=None, on_result=None
) -> list[dict]:
    """Run notebook jobs in ``workers`` processes; return one result per job, in order.

    ``progress`` shows a bar; without it ``say`` gets a line as each notebook starts and
    ends (:class:`~nssf_analysis.build_progress.LineProgress`). ``on_result(i, result)``
    is called as each job finishes, so that what finished is recorded even if the build
    is interrupted before the others do.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm

    from nssf_analysis.book.progress import LineProgress

    lines = LineProgress(jobs, workers, say, enabled=not progress)

    results: list[dict | None] = [None] * len(jobs)
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context("spawn"),
        initializer=_worker_init,
        initargs=(os.getpid(), jobs[0]["cwd"] if jobs else None),
    )
    in_main = threading.current_thread() is threading.main_thread()
    old_term = signal.signal(signal.SIGTERM, _raise_interrupt) if in_main else None
    try:
        # a worker starts the kernel of its next notebook ahead while more are waiting
        futures = {
            executor.submit(run_notebook_job, dict(job, more=i < len(jobs) - workers)): i
            for i, job in enumerate(jobs)
        }
        lines.begin()
        with tqdm(
            total=len(jobs),
            desc="notebooks",
            unit="nb",
            disable=not progress,
            file=sys.stderr,
            dynamic_ncols=True,
        ) as bar:
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    res = fut.result()
                except Exception as err:  # a worker died (killed, out of memory …)
                    res = {
                        "status": "failed",
                        "cell": None,
                        "message": f"notebook {jobs[i]['name']}.ipynb (year={jobs[i]['year']})"
                        f": its worker process died: {type(err).__name__}: {err}",
                        "saved": False,
                        "seconds": 0.0,
                    }
                results[i] = res
                if on_result is not None:
                    on_result(i, res)
                lines.done(i, res)
                bar.set_postfix_str(f"{jobs[i]['year']}/{jobs[i]['name']} {res['status']}")
                bar.update(1)
        executor.shutdown(wait=True)
    except BaseException:
        _stop_pool(executor)
        raise
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, old_term)
    return results  # type: ignore[return-value]


# -------------------------------------------------------------------------- rendering


class _Scan:
    """Headings (with ids) and every id of an HTML fragment."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        scan = self
        self.headings: list[dict] = []
        self.ids: list[str] = []

        class Parser(HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.heading = None
                self.skip = 0

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if a.get("id"):
                    scan.ids.append(a["id"])
                if tag in ("h1", "h2", "h3", "h4") and a.get("id") and self.heading is None:
                    self.heading = {"level": int(tag[1]), "id": a["id"], "text": ""}
                elif (
                    self.heading is not None
                    and tag == "a"
                    and "anchor-link" in (a.get("class") or "")
                ):
                    self.skip += 1

            def handle_endtag(self, tag):
                if self.heading is not None and tag == "a" and self.skip:
                    self.skip -= 1
                elif self.heading is not None and tag == f"h{self.heading['level']}":
                    self.heading["text"] = " ".join(self.heading["text"].split())
                    scan.headings.append(self.heading)
                    self.heading = None

            def handle_data(self, data):
                if self.heading is not None and not self.skip:
                    self.heading["text"] += data

        p = Parser()
        p.feed(html)
        p.close()


def _humanize(text: str) -> str:
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _chapter_title(stem: str, scan: _Scan) -> str:
    for h in scan.headings:
        if h["level"] == 1 and h["text"]:
            return h["text"]
    m = re.match(r"^\d{2}_(.*)$", stem)
    return _humanize(m.group(1) if m else stem)


def methodology_markdown() -> str:
    """Return the methodology page as Markdown.

    It is ``nssf_analysis.indicators.methodology_markdown()`` when that exists; until
    then, the data layer's conventions as the project README describes them.

    Raises
    ------
    BookBuildError
        If ``indicators.methodology_markdown()`` exists but fails.
    """
    try:
        from nssf_analysis.analysis import indicators

        func = indicators.methodology_markdown
    except (ImportError, AttributeError):
        return _readme_methodology()
    try:
        text = func()
    except Exception as err:
        raise BookBuildError(
            f"methodology page: nssf_analysis.indicators.methodology_markdown() failed: "
            f"{type(err).__name__}: {err}"
        ) from None
    if not re.search(r"(?m)^# ", text):
        text = "# Methodology\n\n" + text
    return text


def _readme_methodology() -> str:
    readme = paths.ROOT / "README.md"
    intro = (
        "# Methodology\n\n"
        "How the report becomes data: the conventions of the data layer, as the project "
        "README documents them. Every number in this book is read by code from the "
        "report text, checked, and traced back to its report line and column.\n"
    )
    if not readme.exists():
        return intro
    keep, skip = [], False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            continue
        if line.startswith("## "):
            skip = line[3:].strip().lower() in ("quick start", "installation")
        if not skip:
            keep.append(line)
    body = "\n".join(keep).strip()
    return intro + "\n" + body + "\n"


def _markdown_html(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text)


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".highlight") + "\n"


def write_workbook(target: Path) -> None:
    """Write every tidy table into one Excel workbook, a sheet each, reproducibly.

    The first sheet is the catalog.  Workbook properties and the time stamps of the
    file's zip entries are fixed, so the same data always gives the same bytes.

    Parameters
    ----------
    target : Path
        The ``.xlsx`` file to write.
    """
    import io
    import zipfile

    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from nssf_analysis.data.catalog import catalog

    fixed = pd.Timestamp(WORKBOOK_TIME).tz_localize(None).to_pydatetime()
    wb = Workbook(write_only=True)
    wb.properties.creator = "nssf-analysis"
    wb.properties.lastModifiedBy = "nssf-analysis"
    wb.properties.title = "NSSF annual report: every tidy table"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    bold = Font(bold=True)

    def add_sheet(title: str, df) -> None:
        ws = wb.create_sheet(title=title)
        header = []
        for col in df.columns:
            c = WriteOnlyCell(ws, value=str(col))
            c.font = bold
            header.append(c)
        ws.append(header)
        for row in df.astype(object).where(df.notna(), None).itertuples(index=False):
            ws.append(list(row))

    cat = catalog()
    add_sheet("catalog", cat)
    for tid in cat["table_id"]:
        df = pd.read_csv(paths.tidy_dir() / f"{tid}.csv", keep_default_na=False)
        add_sheet(tid, df)
    raw = io.BytesIO()
    wb.save(raw)
    stamp = WORKBOOK_TIME.encode()
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>" + stamp + rb"\g<3>",
                    body,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body)
    atomic_write_bytes(target, out.getvalue())


@dataclass
class Chapter:
    """A chapter of one year's book: its notebook and its rendered cells."""

    name: str
    number: str
    title: str
    file: str
    fragment: str
    headings: list
    ids: list
    executed: Path


def _load_chapter(name: str, fragment_path: Path, executed: Path) -> Chapter:
    html = fragment_path.read_text(encoding="utf-8")
    scan = _Scan(html)
    return Chapter(
        name=name,
        number=name[:2],
        title=_chapter_title(name, scan),
        file=f"{name}.html",
        fragment=html,
        headings=scan.headings,
        ids=scan.ids,
        executed=executed,
    )


def _jinja_env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES / "book")),
        autoescape=True,  # every value is escaped; only Markup (our own HTML) is not
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _year_links(year: int, years: list[int], page_file: str, out_root: Path, built: set):
    links = []
    for y in years:
        if y == year:
            links.append({"year": y, "href": page_file, "current": True})
            continue
        target = page_file
        if y not in built and not (out_root / str(y) / "book" / page_file).exists():
            target = "index.html"
        links.append({"year": y, "href": f"../../{y}/book/{target}", "current": False})
    return links


def render_book(
    year: int,
    chapters: list[Chapter],
    target_dir: Path,
    inputs: Inputs,
    years: list[int],
    built: set,
    workbook: Path,
) -> int:
    """Write one year's book into ``target_dir`` (a fresh folder); return the page count.

    Parameters
    ----------
    year : int
        The report year of the book.
    chapters : list of Chapter
        The rendered chapters, in order.
    target_dir : Path
        Empty folder to write into (swapped in place by the caller).
    inputs : Inputs
        Hashes and versions shown in the footer.
    years : list of int
        Every year that has a book (for the year switcher).
    built : set of int
        Years built by this run (their pages all exist).
    workbook : Path
        The Excel workbook to copy.
    """
    from markupsafe import Markup

    from nssf_analysis.analysis import headlines
    from nssf_analysis.data.catalog import OTHER_DATA_FILES, catalog, load_graphics

    out_root = paths.outputs_dir()
    env = _jinja_env()
    assets = target_dir / "assets"
    assets.mkdir(parents=True)
    for p in sorted((TEMPLATES / "book" / "assets").iterdir()):
        if p.is_file():
            shutil.copyfile(p, assets / p.name)
    (assets / "pygments.css").write_text(_pygments_css(), encoding="utf-8")

    data_out = target_dir / "data"
    for sub, src in (("tidy", paths.tidy_dir()), ("raw", paths.raw_dir())):
        (data_out / sub).mkdir(parents=True)
        for p in sorted(src.glob("*.csv")):
            shutil.copyfile(p, data_out / sub / p.name)
    for fname, _, _ in OTHER_DATA_FILES:
        if (paths.data_dir() / fname).exists():
            shutil.copyfile(paths.data_dir() / fname, data_out / fname)
    shutil.copyfile(workbook, data_out / WORKBOOK)

    cat = catalog()
    graphics = load_graphics()
    table_ids = set(cat["table_id"])
    graphic_labels = dict(zip(graphics["graphic_id"], graphics["label"], strict=True))
    graphic_titles = dict(zip(graphics["graphic_id"], graphics["title"], strict=True))
    cat_rows = {r["table_id"]: r for r in cat.to_dict("records")}

    book_title = f"NSSF annual report {year}: data and analysis"
    pages = [{"file": "index.html", "title": "Overview", "number": "", "kind": "index"}]
    pages += [
        {"file": c.file, "title": c.title, "number": c.number, "kind": "chapter"} for c in chapters
    ]
    pages += [
        {"file": "methodology.html", "title": "Methodology", "number": "", "kind": "methodology"},
        {"file": "catalog.html", "title": "Data catalog", "number": "", "kind": "catalog"},
    ]
    versions = {k: inputs.versions.get(k, "not installed") for k in FOOTER_PACKAGES}
    footer = {
        "commit": inputs.git["commit"],
        "dirty": inputs.git["dirty"],
        "parameters": {"year": year},
        "data_sha256": inputs.data,
        "versions": versions,
    }

    def book_ctx(page_file: str) -> dict:
        return {
            "title": book_title,
            "year": year,
            "pages": pages,
            "years": _year_links(year, years, page_file, out_root, built),
            "all_years_href": "../../index.html",
        }

    def write(template: str, i: int, page: dict, **ctx) -> None:
        html = env.get_template(template).render(
            page=page,
            book=book_ctx(pages[i]["file"]),
            prev=pages[i - 1] if i > 0 else None,
            next=pages[i + 1] if i + 1 < len(pages) else None,
            footer=footer,
            **ctx,
        )
        (target_dir / pages[i]["file"]).write_text(html, encoding="utf-8")

    where: dict[str, list] = {}
    for c in chapters:
        for i in c.ids:
            where.setdefault(i, [])
            link = {"href": f"{c.file}#{i}", "text": f"{c.number} {c.title}"}
            if link not in where[i]:
                where[i].append(link)

    fact_rows, facts_note = headlines.index_figures(year)

    page_no = 0
    index_page = dict(pages[0], headings=[], tables=[], graphics=[], has_code=False)
    index_page["headings"] = [
        {"level": 2, "id": "headline-figures", "text": "Headline figures"},
        {"level": 2, "id": "chapters", "text": "Chapters"},
        {"level": 2, "id": "downloads", "text": "Downloads"},
    ]
    chapter_list = [
        {
            "file": c.file,
            "number": c.number,
            "title": c.title,
            "sections": [h["text"] for h in c.headings if h["level"] == 2][:8],
        }
        for c in chapters
    ]
    from nssf_analysis.book import site

    index_page["headings"] += site.INDEX_HEADINGS
    write(
        "index.html.j2",
        page_no,
        index_page,
        site=site.index_context(year, inputs, WORKBOOK),
        facts=fact_rows,
        facts_note=facts_note,
        chapters=chapter_list,
        workbook=WORKBOOK,
        content="",
    )
    downloads = site.downloads(target_dir, year, inputs)
    for c in chapters:
        page_no += 1
        tables = [
            {"id": i, "label": cat_rows[i]["label"], "title": cat_rows[i]["title"]}
            for i in dict.fromkeys(c.ids)
            if i in table_ids
        ]
        graphs = [
            {
                "id": i,
                "label": graphic_labels.get(i, _humanize(i)),
                "title": graphic_titles.get(i, ""),
            }
            for i in dict.fromkeys(c.ids)
            if re.fullmatch(r"graphic-\d+", i)
        ]
        page = dict(
            pages[page_no],
            headings=[h for h in c.headings if h["level"] in (2, 3)],
            tables=tables,
            graphics=graphs,
            has_code="nssf-code" in c.fragment,
        )
        fragment = site.annotate(c.fragment, downloads, table_ids)
        write("chapter.html.j2", page_no, page, content=Markup(fragment))

    page_no += 1
    method_html = clean_html(_markdown_html(methodology_markdown()))
    scan = _Scan(method_html)
    page = dict(
        pages[page_no],
        headings=[h for h in scan.headings if h["level"] in (2, 3)],
        tables=[],
        graphics=[],
        has_code=False,
    )
    write("methodology.html.j2", page_no, page, content=Markup(method_html))

    page_no += 1
    tables = []
    for r in cat.to_dict("records"):
        tables.append(dict(r, links=where.get(r["table_id"], [])))
    graph_rows = []
    for r in graphics.to_dict("records"):
        graph_rows.append(dict(r, links=where.get(r["graphic_id"], [])))
    page = dict(
        pages[page_no],
        headings=[
            {"level": 2, "id": "tables", "text": "Tables"},
            {"level": 2, "id": "graphics", "text": "Graphics"},
            {"level": 2, "id": "other-files", "text": "Other files"},
        ],
        tables=[],
        graphics=[],
        has_code=False,
    )
    other = [{"name": n, "text": t} for n, _, t in OTHER_DATA_FILES if (data_out / n).exists()]
    write(
        "catalog.html.j2",
        page_no,
        page,
        tables=tables,
        graphics=graph_rows,
        other_files=other,
        workbook=WORKBOOK,
        content="",
    )
    site.publish(target_dir, year, inputs, [p["file"] for p in pages])
    return len(pages)


def _write_years_index(out_root: Path) -> None:
    years = sorted(
        int(p.name)
        for p in out_root.iterdir()
        if p.is_dir() and p.name.isdigit() and (p / "book" / "index.html").exists()
    )
    html = _jinja_env().get_template("years.html.j2").render(years=[{"year": y} for y in years])
    target = out_root / "index.html"
    if not target.exists() or target.read_text(encoding="utf-8") != html:
        atomic_write_text(target, html)


# ------------------------------------------------------------------------- the build


@dataclass
class NotebookRun:
    """What the build did with one notebook for one year."""

    year: int
    name: str
    status: str  # "executed", "cached", "rendered" or "failed"
    seconds: float
    message: str = ""
    warnings: list = field(default_factory=list)


@dataclass
class BuildReport:
    """The outcome of :func:`build`: notebook runs, books written, total time."""

    runs: list = field(default_factory=list)
    books: dict = field(default_factory=dict)  # year -> "rendered" | "up to date"
    seconds: float = 0.0
    render_seconds: dict = field(default_factory=dict)

    def summary(self) -> str:
        """Return the per-notebook timings and the books written, as printed text."""
        lines = [f"  {'notebook':<32} {'year':>4}  {'status':<9} {'seconds':>8}"]
        for r in self.runs:
            secs = f"{r.seconds:8.1f}" if r.status != "cached" else f"{'-':>8}"
            lines.append(f"  {r.name:<32} {r.year:>4}  {r.status:<9} {secs}")
        for year, state in sorted(self.books.items()):
            book = paths.outputs_dir() / str(year) / "book" / "index.html"
            extra = ""
            if year in self.render_seconds:
                extra = f" in {self.render_seconds[year]:.1f} s"
            lines.append(f"book {year}: {state}{extra} -> {_display(book)}")
        lines.append(f"build finished in {self.seconds:.1f} s")
        return "\n".join(lines)


def _display(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def _cache_paths(cache_dir: Path, year: int, name: str, key: str) -> tuple[Path, Path]:
    base = cache_dir / "executed" / str(year)
    return base / f"{name}-{key[:16]}.ipynb", base / f"{name}-{key[:16]}.html"


def _entry_valid(entry: dict | None, key: str, cache_dir: Path) -> bool:
    if not entry or entry.get("key") != key:
        return False
    ex = cache_dir / entry.get("executed", "")
    return ex.is_file() and sha256_file(ex) == entry.get("executed_sha256")


def _fragment_valid(entry: dict, fkey: str, cache_dir: Path) -> bool:
    if entry.get("fragment_key") != fkey:
        return False
    fr = cache_dir / entry.get("fragment", "")
    return fr.is_file() and sha256_file(fr) == entry.get("fragment_sha256")


def _remove_leftovers(out_root: Path) -> None:
    """Delete what an interrupted or killed build left behind (under the build lock)."""
    cache_dir = out_root / ".cache"
    remove_stale(cache_dir, (".staging-", ".book-cache.json.", ".write-probe-"))
    remove_stale(out_root, (".index.html.", ".write-probe-"))
    for folder in [*(cache_dir / "executed").glob("*"), cache_dir / "xlsx"]:
        if folder.is_dir():
            remove_stale(folder, (".",))
    for year_dir in out_root.iterdir():
        if year_dir.is_dir() and year_dir.name.isdigit():
            remove_stale(year_dir, (".book-tmp-", ".notebooks-tmp-", ".book-old-", ".write-probe-"))


def _prune_executed(cache_dir: Path, year: int, name: str, keep: set) -> None:
    folder = cache_dir / "executed" / str(year)
    if not folder.is_dir():
        return
    pattern = re.compile(rf"^{re.escape(name)}-[0-9a-f]{{16}}\.(ipynb|html)$")
    for p in folder.iterdir():
        if pattern.match(p.name) and p.name not in keep:
            p.unlink(missing_ok=True)


def _not_a_folder(path: Path) -> BookBuildError:
    return BookBuildError(
        f"cannot write the book: {_display(path)} is a file, not a folder "
        "(move it away and build again)"
    )


def _writable_folder(path: Path) -> None:
    """Make sure ``path`` is a folder the build can create files in."""
    for p in (path, *path.parents):
        if p.exists() or p.is_symlink():
            if not p.is_dir():
                raise _not_a_folder(p)
            break
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise BookBuildError(
            f"cannot write the book: {_display(path)}: {err.strerror or err}"
        ) from None


def preflight(out_root: Path, years: list[int]) -> None:
    """Check that every folder and file a build writes can be written, before it runs.

    Called before any notebook runs, so that a file in the way (where the cache, a
    year's folder, its book or its executed notebooks must be) or a folder that cannot
    be written is reported at once, in one line, instead of after every notebook ran.

    Parameters
    ----------
    out_root : Path
        The outputs folder.
    years : list of int
        The years about to be built.

    Raises
    ------
    BookBuildError
        Naming the path that cannot be written and why.
    """
    out_root = Path(out_root)
    cache_dir = out_root / ".cache"
    folders = [out_root, cache_dir, cache_dir / "executed", cache_dir / "xlsx"]
    for y in years:
        folders += [cache_dir / "executed" / str(y), out_root / str(y)]
    for folder in folders:
        _writable_folder(folder)
    for y in years:
        for sub in ("book", "notebooks", "failed"):
            p = out_root / str(y) / sub
            if (p.exists() or p.is_symlink()) and not p.is_dir():
                raise _not_a_folder(p)
    for p in (out_root / "index.html", cache_dir / "book-cache.json", cache_dir / "build.lock"):
        if p.is_dir():
            raise BookBuildError(
                f"cannot write the book: {_display(p)} is a folder, not a file "
                "(move it away and build again)"
            )


def build(
    years=None,
    *,
    all_years: bool = False,
    jobs: int | None = None,
    force: bool = False,
    notebooks: Path | None = None,
    progress: bool = True,
    log=None,
) -> BuildReport:
    """Run the chapter notebooks that need it and publish each year's book.

    Parameters
    ----------
    years : list of int, optional
        Report years to build (default: the newest year with data).
    all_years : bool
        Build every year with data.
    jobs : int, optional
        Notebooks run at once (default: the number of cores).
    force : bool
        Run every notebook and render every book again, whatever the cache says.
    notebooks : Path, optional
        Folder of the chapter notebooks (default :func:`notebooks_dir`).
    progress : bool
        Show a progress bar on stderr.
    log : callable, optional
        Receives one line of text at a time (default: print to stderr).

    Returns
    -------
    BuildReport
        Per-notebook status and timings, the books written.

    Raises
    ------
    BookBuildError
        If ``years`` and ``all_years`` are both given, or an output folder cannot be
        written (checked before any notebook runs).
    NotebookFailedError
        If a notebook fails: names the notebook, the cell and the error; its executed
        copy is kept in ``outputs/<year>/failed/`` and that year's previous book stays.
    BuildInterruptedError
        If the build is interrupted; nothing half-built is published.
    """
    start = time.perf_counter()
    say = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    if years and all_years:
        raise BookBuildError("give either years (--year) or every year (--all-years), not both")
    nbdir = Path(notebooks) if notebooks else notebooks_dir()
    sources = discover_notebooks(nbdir)
    build_years = resolve_years(years, all_years)
    out_root = paths.outputs_dir()
    cache_dir = out_root / ".cache"
    workers = max(1, int(jobs or os.cpu_count() or 1))
    report = BuildReport()
    preflight(out_root, build_years)

    with BuildLock(cache_dir / "build.lock", notify=say):
        _remove_leftovers(out_root)
        inputs = Inputs.collect()
        index = CacheIndex(cache_dir / "book-cache.json")

        plan, todo = [], []
        staging = cache_dir / f".staging-{os.getpid()}"
        for y in build_years:
            for src in sources:
                name = src.stem
                ck = code_key(src, y, inputs)
                entry = index.notebook(y, name)
                # a new run's files are named after the whole data; a cached run is valid
                # while the files it read (recorded with it) are unchanged
                executed, fragment = _cache_paths(cache_dir, y, name, execution_key(src, y, inputs))
                state, key, fkey = "execute", None, None
                if not force and entry and entry.get("code_key") == ck:
                    key = execution_key(src, y, inputs, entry.get("reads"))
                    fkey = fragment_key(key, inputs)
                    if _entry_valid(entry, key, cache_dir):
                        state = "cached" if _fragment_valid(entry, fkey, cache_dir) else "render"
                item = {"year": y, "name": name, "source": src, "key": key, "fkey": fkey}
                item.update(code_key=ck, state=state, executed=executed, fragment=fragment)
                item.update(entry=entry)
                plan.append(item)
                if state == "execute":
                    todo.append(
                        {
                            "name": name,
                            "year": y,
                            "source": str(src),
                            "cwd": str(nbdir),
                            "executed": str(executed),
                            "fragment": str(fragment),
                            "staging": str(staging / str(y)),
                            "failed": str(out_root / str(y) / "failed" / f"{name}.ipynb"),
                        }
                    )

        recorded: dict[tuple, dict] = {}

        def record(i: int, res: dict) -> None:
            """Enter a finished run into the cache index at once (kept if interrupted)."""
            job = todo[i]
            item = items[(job["year"], job["name"])]
            recorded[(job["year"], job["name"])] = res
            if res["status"] != "ok":
                return
            reads = res.get("reads")
            item["key"] = execution_key(item["source"], job["year"], inputs, reads)
            item["fkey"] = fragment_key(item["key"], inputs)
            entry = {
                "key": item["key"],
                "code_key": item["code_key"],
                "reads": reads,
                "executed": item["executed"].relative_to(cache_dir).as_posix(),
                "executed_sha256": res["executed_sha256"],
                "fragment_key": item["fkey"],
                "fragment": item["fragment"].relative_to(cache_dir).as_posix(),
                "fragment_sha256": res["fragment_sha256"],
                "seconds": round(res["seconds"], 3),
            }
            index.set_notebook(job["year"], job["name"], entry)
            index.save()
            _prune_executed(
                cache_dir, job["year"], job["name"], {item["executed"].name, item["fragment"].name}
            )

        items = {(i["year"], i["name"]): i for i in plan}
        # the workbook of all tables does not depend on the chapters: while they run,
        # the build's own process (otherwise idle) writes it
        workbook_job = None
        if todo and not _workbook_path(cache_dir, inputs).exists():
            workbook_job = _Background(_ensure_workbook, cache_dir, inputs)
        try:
            if todo:
                _check_kernel()
                say(
                    f"running {len(todo)} notebook(s) on {min(workers, len(todo))} "
                    f"process(es); {len(plan) - len(todo)} from the cache"
                )
                _run_jobs(todo, min(workers, len(todo)), progress, say, on_result=record)
        except KeyboardInterrupt:
            raise BuildInterruptedError(
                "build interrupted; no book was changed (run it again to resume: "
                "notebooks that finished are cached)"
            ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)

        failures: dict[int, list] = {}
        for item in plan:
            y, name = item["year"], item["name"]
            if item["state"] == "execute":
                res = recorded[(y, name)]
                if res["status"] != "ok":
                    failures.setdefault(y, []).append(res)
                    report.runs.append(
                        NotebookRun(y, name, "failed", res["seconds"], res["message"])
                    )
                    continue
                report.runs.append(
                    NotebookRun(y, name, "executed", res["seconds"], warnings=res["warnings"])
                )
                for w in res["warnings"]:
                    say(f"warning: {name}.ipynb (year={y}) {w} (not shown in the book)")
            elif item["state"] == "render":
                t0 = time.perf_counter()
                entry = dict(item["entry"])
                nb = json.loads((cache_dir / entry["executed"]).read_text(encoding="utf-8"))
                html, warnings = render_fragment(nb, name)
                frag = cache_dir / entry["executed"].replace(".ipynb", ".html")
                atomic_write_text(frag, html)
                entry.update(
                    fragment_key=item["fkey"],
                    fragment=frag.relative_to(cache_dir).as_posix(),
                    fragment_sha256=sha256_bytes(html.encode("utf-8")),
                )
                index.set_notebook(y, name, entry)
                report.runs.append(
                    NotebookRun(y, name, "rendered", time.perf_counter() - t0, warnings=warnings)
                )
            else:
                report.runs.append(NotebookRun(y, name, "cached", 0.0))
        index.save()

        if workbook_job is not None:
            workbook_job.wait()
        ok_years = [y for y in build_years if y not in failures]
        existing = {
            int(p.name)
            for p in out_root.iterdir()
            if p.is_dir() and p.name.isdigit() and (p / "book" / "index.html").exists()
        }
        all_built = sorted(set(ok_years) | existing)
        try:
            for y in ok_years:
                chapters = [i for i in plan if i["year"] == y]
                entries = [index.notebook(y, i["name"]) for i in chapters]
                bkey = sha256_json(
                    {
                        "schema": CACHE_SCHEMA,
                        "year": y,
                        "years": all_built,
                        "built": ok_years,
                        "chapters": [
                            [i["name"], e["fragment_sha256"], e["executed_sha256"]]
                            for i, e in zip(chapters, entries, strict=True)
                        ],
                        "data": inputs.data,
                        "code": inputs.code,
                        "templates": inputs.book_templates,
                        "readme": inputs.readme,
                        "versions": inputs.versions,
                        "git": inputs.git,
                    }
                )
                year_dir = out_root / str(y)
                if (
                    not force
                    and index.book(y) == bkey
                    and (year_dir / "book" / "index.html").exists()
                    and (year_dir / "notebooks").is_dir()
                ):
                    report.books[y] = "up to date"
                    continue
                t0 = time.perf_counter()
                _publish_year(y, chapters, entries, cache_dir, inputs, all_built, set(ok_years))
                index.set_book(y, bkey)
                index.save()
                report.books[y] = "rendered"
                report.render_seconds[y] = time.perf_counter() - t0
            if all_built:
                _write_years_index(out_root)
        except KeyboardInterrupt:
            raise BuildInterruptedError(
                "build interrupted while rendering; the previous book is unchanged"
            ) from None

    report.seconds = time.perf_counter() - start
    if failures:
        lines = [res["message"] for y in sorted(failures) for res in failures[y]]
        first_year = sorted(failures)[0]
        failed_dir = _display(out_root / str(first_year) / "failed")
        kept = [out_root / str(y) / "book" for y in sorted(failures)]
        kept_text = ", ".join(_display(b) for b in kept if (b / "index.html").exists())
        lines.append(
            f"  executed notebook(s) with the error marked saved in {failed_dir}/; "
            + (f"previous book kept: {kept_text}" if kept_text else "no book was published")
        )
        if len(lines) > 6:
            lines = lines[:5] + [f"  … and {len(lines) - 5} more"]
        raise NotebookFailedError("\n".join(lines))
    return report


def _workbook_path(cache_dir: Path, inputs: Inputs) -> Path:
    return cache_dir / "xlsx" / f"{inputs.data[:16]}-{inputs.code[:16]}.xlsx"


def _ensure_workbook(cache_dir: Path, inputs: Inputs) -> Path:
    """Return the cached Excel workbook of this data and code, writing it if missing."""
    workbook = _workbook_path(cache_dir, inputs)
    if not workbook.exists():
        for p in (cache_dir / "xlsx").glob("*.xlsx"):
            p.unlink(missing_ok=True)
        write_workbook(workbook)
    return workbook


class _Background:
    """Run a function in a daemon thread; :meth:`wait` re-raises what it raised."""

    def __init__(self, func, *args):
        self.error: BaseException | None = None

        def run():
            try:
                func(*args)
            except BaseException as err:  # re-raised in the build's thread by wait()
                self.error = err

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait(self) -> None:
        """Wait for the function to finish; raise its exception, if any."""
        self.thread.join()
        if self.error is not None:
            raise self.error


def _publish_year(
    year: int,
    chapters_plan: list,
    entries: list,
    cache_dir: Path,
    inputs: Inputs,
    years: list[int],
    built: set,
) -> None:
    """Render ``year``'s book and executed notebooks into temporary folders, swap them in."""
    out_root = paths.outputs_dir()
    year_dir = out_root / str(year)
    year_dir.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    tmp_book = year_dir / f".book-tmp-{pid}"
    tmp_nbs = year_dir / f".notebooks-tmp-{pid}"
    for p in (tmp_book, tmp_nbs):
        remove_path(p)
    try:
        tmp_nbs.mkdir()
        chapters = []
        for item, entry in zip(chapters_plan, entries, strict=True):
            executed = cache_dir / entry["executed"]
            shutil.copyfile(executed, tmp_nbs / f"{item['name']}.ipynb")
            chapters.append(_load_chapter(item["name"], cache_dir / entry["fragment"], executed))
        workbook = _ensure_workbook(cache_dir, inputs)
        tmp_book.mkdir()
        render_book(year, chapters, tmp_book, inputs, years, built, workbook)
        swap_dir(tmp_nbs, year_dir / "notebooks")
        swap_dir(tmp_book, year_dir / "book")
    finally:
        remove_path(tmp_book)
        remove_path(tmp_nbs)
    failed = year_dir / "failed"
    if failed.is_dir():
        for item in chapters_plan:
            (failed / f"{item['name']}.ipynb").unlink(missing_ok=True)
        if not any(failed.iterdir()):
            failed.rmdir()


def run_cli(args) -> int:
    """Entry point of ``nssf-report build``; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        ``year`` (list of int or None), ``all_years``, ``jobs`` and ``force``.
    """
    try:
        report = build(
            years=args.year,
            all_years=args.all_years,
            jobs=args.jobs,
            force=args.force,
            progress=sys.stderr.isatty() or bool(os.environ.get("NSSF_PROGRESS")),
        )
    except KeyboardInterrupt:
        raise BuildInterruptedError("build interrupted; no book was changed") from None
    except OSError as err:  # a file system fault after the preflight (disk full …)
        where = f"{_display(Path(err.filename))}: " if err.filename else ""
        raise BookBuildError(
            f"cannot write the book: {where}{err.strerror or err}; the previous book is unchanged"
        ) from None
    print(report.summary())
    return 0
