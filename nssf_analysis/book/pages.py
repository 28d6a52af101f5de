"""Turn an executed notebook into a chapter's HTML: sanitise, render with nbconvert, clean.

:func:`sanitize_notebook` strips what varies from run to run out of an executed notebook;
:func:`render_fragment` renders its cells with nbconvert's HTML exporter and the
project's template ``templates/nbconvert/nssf`` and cleans the result with
:func:`clean_html` (the maintained sanitiser nh3 and an allow-list of elements,
attributes and URL schemes), then makes its tables and headings plain to assistive
technology; :func:`scan_fragment` reads a page's headings and anchors.
"""

from __future__ import annotations

import copy
import functools
import html
import re
from pathlib import Path
from typing import NamedTuple

import nh3

__all__ = [
    "ERROR_CELL_TAG",
    "INJECTED_TAG",
    "TEMPLATES",
    "Scan",
    "clean_html",
    "first_line",
    "plain_text",
    "render_fragment",
    "sanitize_notebook",
    "scan_fragment",
]

#: Templates: ``nbconvert/nssf`` renders a notebook's cells, ``book/`` the pages.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Tags papermill gives the cells it adds.
INJECTED_TAG, ERROR_CELL_TAG = "injected-parameters", "papermill-error-cell-tag"
_ADDRESS_RE = re.compile(r" at 0x[0-9a-fA-F]{4,}>")
#: The kernel's folder of cell code: in the build's temporary folder, named for its pid.
_KERNEL_TMP_RE = re.compile(r"(?:nssf-b-\d+-\w+/)?ipykernel_\d+")
_SCRIPT_TYPES = (
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)


def first_line(text) -> str:
    """Return the first non-blank line of ``text`` (a string or a list of lines), stripped."""
    text = "".join(text) if isinstance(text, list) else str(text)
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "")


def sanitize_notebook(nb: dict, source_ids: list) -> dict:
    """Strip run-dependent content from an executed notebook, in place; return it.

    Removes papermill's metadata and each cell's execution times, gives the
    injected-parameters cell a fixed id and every other cell the id of its source cell
    (``cell-<n>`` when it has none), and replaces memory addresses (``<… at 0x7f…>``) and
    the kernel's process id in the names it gives cell code (``ipykernel_<pid>``, in
    the build's temporary folder ``nssf-b-<pid>-…``, which is left out).

    Parameters
    ----------
    nb : dict
        Executed notebook (nbformat 4).
    source_ids : list
        Cell ids of the source notebook, in order (None where absent).
    """
    for key in ("papermill", "widgets"):
        nb.setdefault("metadata", {}).pop(key, None)
    n = 0
    for cell in nb.get("cells", []):
        md = cell.setdefault("metadata", {})
        md.pop("execution", None)
        md.pop("papermill", None)
        tags = md.get("tags", [])
        if INJECTED_TAG in tags:
            cell["id"] = INJECTED_TAG
        elif ERROR_CELL_TAG in tags:
            cell["id"] = f"papermill-error-{n}"
        else:
            cell["id"] = (source_ids[n] if n < len(source_ids) else None) or f"cell-{n}"
            n += 1
        for out in cell.get("outputs", []):
            plain = (out.get("data") or {}).get("text/plain")
            if isinstance(plain, str):
                out["data"]["text/plain"] = _ADDRESS_RE.sub(" at 0x…>", plain)
            if isinstance(out.get("text"), str):
                out["text"] = _KERNEL_TMP_RE.sub("ipykernel_<pid>", out["text"])
            if isinstance(out.get("traceback"), list):
                out["traceback"] = [
                    _KERNEL_TMP_RE.sub("ipykernel_<pid>", t) for t in out["traceback"]
                ]
    return nb


def _for_the_book(nb: dict) -> tuple[dict, list[str]]:
    """Return a copy of ``nb`` without stderr and script outputs, and warnings for stderr."""
    nb, warnings, number = copy.deepcopy(nb), [], 0
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        number += INJECTED_TAG not in tags and ERROR_CELL_TAG not in tags
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                warnings.append(f"cell {number} wrote to stderr: {first_line(out.get('text'))}")
                continue
            data = out.get("data")
            for mime in _SCRIPT_TYPES:
                (data or {}).pop(mime, None)
            if data == {}:
                continue
            kept.append(out)
        if "outputs" in cell:
            cell["outputs"] = kept
    return nb, warnings


# ----------------------------------------------------------------- the allow-list
_TAGS = set(
    "a abbr b blockquote br caption code col colgroup dd details div dl dt em figcaption "
    "figure h1 h2 h3 h4 h5 h6 hr i img li nav ol p pre small span strong style sub summary "
    "sup table tbody td tfoot th thead tr ul wbr".split()
)
_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "role", "aria-label", "aria-hidden", "aria-describedby"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope", "headers"},
    "td": {"colspan", "rowspan", "headers"},
    "li": {"value"},
    "ol": {"start"},
}
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")
_NO_ALT = "No description has been provided for this image"
#: What a chapter's ``<style>`` may hold: rules of pandas Stylers, scoped to their table.
_CSS_RULE = re.compile(r"\s*([^{}]+?)\s*\{([^{}]*)\}")
_CSS_SELECTOR = re.compile(r"^#T_[\w-]+(\s+[\w.\-]+)*$")
_CSS_PROPS = {"text-align", "white-space", "min-width", "font-weight", "font-style", "caption-side"}
_CSS_VALUE = re.compile(r"^[\w.%\s-]+$")


def _attribute(tag: str, name: str, value: str) -> str | None:
    """Keep a URL only when it is relative (a page of the book) or an inline image."""
    if (
        name == "href"
        and re.match(r"^[\w+.-]+:", value)
        and not value.startswith(("http", "mailto"))
    ):
        return None
    if name == "src":
        return value if _DATA_IMAGE.match(value) else None
    return value


def _clean_css(css: str) -> str:
    """Return the rules of ``css`` that pass the allow-list, written out again."""
    rules, pos = [], 0
    for m in _CSS_RULE.finditer(css):
        if css[pos : m.start()].strip():
            break
        pos = m.end()
        selectors = [" ".join(s.split()) for s in m.group(1).split(",")]
        decls = [d.split(":", 1) for d in m.group(2).split(";") if d.strip()]
        if all(_CSS_SELECTOR.match(s) for s in selectors) and all(
            len(d) == 2 and d[0].strip() in _CSS_PROPS and _CSS_VALUE.match(d[1].strip())
            for d in decls
        ):
            body = "; ".join(f"{k.strip()}: {v.strip()}" for k, v in decls)
            rules.append(f"{', '.join(selectors)} {{ {body} }}")
    return "\n".join(rules)


def clean_html(html: str) -> str:
    """Return ``html`` with only allowed elements, attributes and URLs (nh3, an allow-list).

    Kept: text markup, lists, tables, details, headings, images given inline
    (``data:image/…``) and links to the book's own pages or to ``http(s)`` addresses;
    ``<style>`` keeps only rules of the form pandas Stylers write (scoped to a table's
    ``#T_…`` id, alignment and font properties).  Everything else (scripts, frames,
    forms, event handlers, remote images, other URL schemes, comments) goes, and an
    image without a text alternative gets a stock one.

    Parameters
    ----------
    html : str
        An HTML fragment (the rendered cells of a chapter, or a page's body).
    """
    out = nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "template", "iframe", "object", "noscript", "textarea"},
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute,
        generic_attribute_prefixes={"data-"},  # read by the book's own scripts only
        link_rel=None,
        url_schemes={"http", "https", "mailto", "data"},
    )
    out = re.sub(
        r"(<style>)(.*?)(</style>)", lambda m: m[1] + _clean_css(m[2]) + m[3], out, flags=re.S
    )
    return re.sub(r"<img(?![^>]*\balt=)", f'<img alt="{_NO_ALT}"', out)


@functools.lru_cache(maxsize=1)
def _exporter():
    """Return nbconvert's HTML exporter with the project's template (one per process).

    Without the two passes nbconvert's own exporter makes over the HTML, which took
    most of a chapter's rendering time: bleach on every cell, and BeautifulSoup over the
    page to add image text alternatives and focus stops.  :func:`render_fragment` cleans
    the whole fragment once (:func:`clean_html`, which gives images their alternatives),
    and the book's script makes the scrolling regions focusable.
    """
    from nbconvert import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from traitlets.config import Config

    class ChapterExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            lexer = nb.metadata.get("language_info", {}).get("pygments_lexer", "ipython3")
            self.register_filter("highlight_code", Highlight2HTML(pygments_lexer=lexer))
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, resources=resources),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    cfg = Config()
    cfg.TagRemovePreprocessor.enabled = True
    cfg.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell"}
    cfg.TagRemovePreprocessor.remove_input_tags = {"remove-input", "remove_input"}
    cfg.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
    cfg.HTMLExporter.exclude_input_prompt = True
    cfg.HTMLExporter.exclude_output_prompt = True
    exporter = ChapterExporter(
        config=cfg, template_name="nssf", extra_template_basedirs=[str(TEMPLATES / "nbconvert")]
    )
    exporter.register_filter("clean_html", lambda html: html)  # see above
    return exporter


def render_fragment(nb: dict, name: str) -> tuple[str, list[str]]:
    """Render an executed notebook's cells to a clean HTML fragment (no page around it).

    Parameters
    ----------
    nb : dict
        Sanitised executed notebook.
    name : str
        Notebook name, e.g. ``"01_occupational_risk"``.

    Returns
    -------
    tuple
        ``(html, warnings)``: one warning per output written to stderr, naming its cell
        (such outputs are not shown).
    """
    import nbformat

    clean, warnings = _for_the_book(nb)
    body, _ = _exporter().from_notebook_node(
        nbformat.from_dict(clean), resources={"metadata": {"name": name}}
    )
    return _accessible(clean_html(body.strip())) + "\n", warnings


#: A paragraph that is only a short bold line ("**Pension Scheme**"), or a heading before it.
_BOLD_LINE = re.compile(r"<h([1-6])\b|<p><strong>([^<]{1,120}[^<.:;,])</strong></p>")


def _accessible(text: str) -> str:
    """Return a rendered chapter as assistive technology reads it best.

    Stylers' ``<style>`` rules go onto their cells and every table's data cells are
    tied to their headings (:mod:`nssf_analysis.render.tables`); a paragraph that is only
    a short bold line is a heading one level below the heading before it; an empty
    anchor ``<a id>`` becomes a ``<span id>``.
    """
    from nssf_analysis.render import tables

    level = 1

    def heading(m: re.Match) -> str:
        nonlocal level
        if m[1]:
            level = int(m[1])
            return m[0]
        return f'<h{min(level + 1, 6)} class="nssf-subhead">{m[2]}</h{min(level + 1, 6)}>'

    text = re.sub(r'<a id="([^"]*)"></a>', r'<span id="\1"></span>', text)
    return tables.associate_headers(tables.inline_styles(_BOLD_LINE.sub(heading, text)))


_ID = re.compile(r'<[a-z][\w-]*\b[^>]*?\sid="([^"]*)"')
_HEADING = re.compile(r'<h([1-4])\b[^>]*?\sid="([^"]*)"[^>]*>(.*?)</h\1>', re.S)
_ANCHOR = re.compile(r'<a\b[^>]*class="[^"]*anchor-link[^"]*"[^>]*>.*?</a>', re.S)


class Scan(NamedTuple):
    """What the book reads from a page's HTML: every ``id``, and the headings with one."""

    ids: list
    headings: list  # {"level", "id", "text"}


def scan_fragment(text: str) -> Scan:
    """Return the ids and the headings (``<h1>``-``<h4>`` with an id) of clean HTML.

    ``text`` is HTML as :func:`clean_html` or Jinja writes it (quoted attributes); a
    heading's text leaves out its anchor link.
    """
    headings = [
        {"level": int(m[1]), "id": html.unescape(m[2]), "text": plain_text(_ANCHOR.sub("", m[3]))}
        for m in _HEADING.finditer(text)
    ]
    return Scan([html.unescape(i) for i in _ID.findall(text)], headings)


def plain_text(fragment: str) -> str:
    """Return the text of an HTML fragment: tags dropped, entities read, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())
