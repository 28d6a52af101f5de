"""Turn an executed notebook into a chapter's HTML: sanitise, render, clean.

What goes here: stripping what varies from run to run out of an executed notebook
(:func:`sanitize_notebook`), leaving out what the book does not show
(:func:`prepare_for_render`), rendering the cells with nbconvert and the project's
template ``templates/nbconvert/nssf`` (:func:`render_fragment`), and removing anything
that could run a script from the HTML of outputs (:func:`clean_html`).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from nssf_analysis.book.plan import TEMPLATES

_ADDRESS_RE = re.compile(r" at 0x[0-9a-fA-F]{4,}>")
_KERNEL_TMP_RE = re.compile(r"ipykernel_\d+")  # the kernel's temporary folder for cell code
_ERROR_CELL_TAG = "papermill-error-cell-tag"
_INJECTED_TAG = "injected-parameters"


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


class OffsetParser(HTMLParser):
    """An HTML parser of one text that tells where in it the tag being read starts.

    Subclasses set up their state, then call :meth:`parse`; :meth:`position` is the
    character offset in :attr:`text` of the tag a handler is called for.
    """

    def __init__(self, text: str, *, convert_charrefs: bool):
        super().__init__(convert_charrefs=convert_charrefs)
        self.text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def parse(self) -> None:
        """Read the whole text."""
        self.feed(self.text)
        self.close()

    def position(self) -> int:
        """Return the offset in the text of the tag being read."""
        line, col = self.getpos()
        return self._line_starts[line - 1] + col


class FragmentScan(OffsetParser):
    """What the book reads from a page's HTML, in one pass: anchors, headings, blocks.

    Read with :func:`scan_fragment`, which keeps the scans of the fragments seen last.

    Attributes
    ----------
    ids : list of str
        Every ``id`` attribute, in document order.
    headings : list of dict
        ``{"level", "id", "text"}`` of each ``<h1>`` to ``<h4>`` that has an id; the
        text leaves out the heading's anchor link.
    divs : list of dict
        Every ``<div>``: ``start`` (offset of its start tag), ``end`` (just after its
        end tag), ``attrs`` and ``depth`` (how many divs it is in), in the order they end.
    """

    def __init__(self, text: str):
        super().__init__(text, convert_charrefs=True)
        self.ids: list[str] = []
        self.headings: list[dict] = []
        self.divs: list[dict] = []
        self._open: list[dict] = []
        self._heading: dict | None = None
        self._skip = 0
        self.parse()

    def handle_starttag(self, tag, attrs):
        """Note the tag's id, open a div, start a heading or its anchor link."""
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "div":
            self._open.append({"start": self.position(), "attrs": a, "depth": len(self._open)})
        if tag in ("h1", "h2", "h3", "h4") and a.get("id") and self._heading is None:
            self._heading = {"level": int(tag[1]), "id": a["id"], "text": ""}
        elif self._heading is not None and tag == "a" and "anchor-link" in (a.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        """Close a div, an anchor link in a heading or the heading."""
        if tag == "div" and self._open:
            d = self._open.pop()
            d["end"] = self.text.index(">", self.position()) + 1
            self.divs.append(d)
        if self._heading is not None and tag == "a" and self._skip:
            self._skip -= 1
        elif self._heading is not None and tag == f"h{self._heading['level']}":
            self._heading["text"] = " ".join(self._heading["text"].split())
            self.headings.append(self._heading)
            self._heading = None

    def handle_data(self, data):
        """Add text to the heading being read (not its anchor link's)."""
        if self._heading is not None and not self._skip:
            self._heading["text"] += data


@functools.lru_cache(maxsize=32)
def scan_fragment(text: str) -> FragmentScan:
    """Return the :class:`FragmentScan` of ``text``, kept for the texts seen last.

    The pages of a chapter (its headings and anchors) and its download links (where its
    tables and graphics end) are read from the same scan.  Callers must not change it.
    """
    return FragmentScan(text)


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
