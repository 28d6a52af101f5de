"""Full-text search of the book that works offline, opened from disk as from a server.

:func:`write_search` reads every page of a built book and cuts it into documents, each
with the anchor a result links to:

- a section: a heading (``h1`` … ``h4`` with an id) and the paragraphs under it;
- a table: its caption, row labels and notes (``div.nssf-table`` with an id);
- a graphic: its caption (``div.nssf-graphic``, ``id="graphic-N"``);
- a directory entry: a row of an annex directory (a facility or a branch office).

Code cells, navigation, scripts and the footer are left out.  The documents are indexed
with lunr (the Python package, which writes the index lunr.js reads) and written, index
and documents, into ``assets/search-index.js``: a script that sets
``window.NSSF_SEARCH``.  The search box of every page (``assets/search.js``) adds it
and ``assets/lunr.min.js`` as ``<script>`` elements when a reader first searches, so
nothing is fetched and search works from ``file://``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

#: The script with the index and the documents, relative to the book folder.
INDEX_SCRIPT = "assets/search-index.js"
#: Most characters of body text kept per document (the index stays small).
MAX_BODY = 1200
#: Characters of a document shown under a result.
SNIPPET = 180
#: Elements whose content is never indexed.
SKIP_TAGS = {"script", "style", "nav", "footer", "header", "button", "form", "select"}
#: Classes of the directory cell that names an entry (a facility, a branch office).
TITLE_CELLS = {"dir-name", "dir-office"}
_HEADINGS = {"h1", "h2", "h3", "h4"}
_NUMBER = re.compile(r"^[\s\d.,%+\-−–()/]*$")


@dataclass
class Doc:
    """One search document: where it links to, its title and its text."""

    href: str
    title: str
    page: str
    kind: str
    body: list = field(default_factory=list)
    size: int = 0

    def add(self, text: str) -> None:
        """Append ``text`` to the body while it is below :data:`MAX_BODY` characters."""
        text = " ".join(text.split())
        if text and self.size < MAX_BODY and text not in self.body:
            self.body.append(text)
            self.size += len(text) + 1

    def text(self) -> str:
        """Return the body as one string."""
        return " ".join(self.body)[:MAX_BODY]


class _PageParser(HTMLParser):
    """Cut one page's ``<main>`` into :class:`Doc` objects."""

    def __init__(self, file: str, page_title: str):
        super().__init__(convert_charrefs=True)
        self.file, self.page_title = file, page_title
        self.docs: list[Doc] = []
        self.stack: list[tuple[str, Doc | None]] = []  # (tag, doc the element opened)
        self.current: Doc | None = None
        self.in_main = 0
        self.skip = 0
        self.heading: tuple[str, str] | None = None  # (tag, id) being read
        self.heading_text = ""
        self.anchor_skip = 0
        self.caption: Doc | None = None
        self.cell: str | None = None
        self.cell_tag = ""
        self.row: list[str] | None = None
        self.row_doc: Doc | None = None
        self.row_title = ""
        self.in_directory = 0
        self.table_depth = 0

    # -- helpers
    def _new(self, anchor: str, title: str, kind: str) -> Doc:
        href = f"{self.file}#{anchor}" if anchor else self.file
        doc = Doc(href=href, title=title, page=self.page_title, kind=kind)
        self.docs.append(doc)
        return doc

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        opened = None
        if tag == "main":
            self.in_main += 1
            self.current = self._new("", self.page_title, "page")
        if not self.in_main:
            return
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr", "col", "source"):
            return
        if self.skip or tag in SKIP_TAGS or (tag == "details" and "nssf-code" in classes):
            self.skip += 1
            self.stack.append((tag, None))
            return
        if tag in _HEADINGS and a.get("id") and self.heading is None:
            self.heading = (tag, a["id"])
            self.heading_text = ""
        elif tag == "a" and self.heading is not None and "anchor-link" in classes:
            self.anchor_skip += 1
        elif tag == "div" and a.get("id") and "nssf-table" in classes:
            opened = self.current
            info = "directory" if "nssf-directory" in classes else "table"
            self.current = self._new(a["id"], "", info)
            if info == "directory":
                self.in_directory += 1
        elif tag == "div" and a.get("id") and "nssf-graphic" in classes:
            opened = self.current
            self.current = self._new(a["id"], "", "graphic")
        elif tag == "caption":
            self.caption = self.current
            self.cell = ""
            self.cell_tag = "caption"
        elif tag == "table":
            self.table_depth += 1
        elif tag == "tr" and self.table_depth:
            self.row = []
            self.row_title = ""
            if self.in_directory and a.get("id") and "dir-group" not in classes:
                self.row_doc = self._new(a["id"], "", "entry")
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""
            self.cell_tag = "title" if TITLE_CELLS & set(classes) else tag
        self.stack.append((tag, opened))

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main -= 1
            return
        if not self.in_main or not self.stack:
            return
        # close up to the matching start tag (tolerates unclosed <p>, <li> …)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                break
        else:
            return
        while len(self.stack) > i:
            t, opened = self.stack.pop()
            self._close(t, opened)

    def _close(self, tag, opened):
        if self.skip:
            self.skip -= 1
            return
        if self.heading is not None and tag == "a" and self.anchor_skip:
            self.anchor_skip -= 1
        elif self.heading is not None and tag == self.heading[0]:
            title = " ".join(self.heading_text.split())
            self.current = self._new(self.heading[1], title, "section")
            self.heading = None
        elif tag == "caption" and self.caption is not None:
            title = " ".join((self.cell or "").split())
            self.caption.title = title
            self.cell = None
            self.caption = None
        elif tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            if self.cell_tag == "title":
                self.row_title = self.row[-1]
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self._row_done(self.row)
            self.row = None
            self.row_doc = None
        elif tag == "table":
            self.table_depth -= 1
        elif tag == "div" and opened is not None:
            if self.current is not None and self.current.kind == "directory":
                self.in_directory -= 1
            self.current = opened

    def _row_done(self, cells: list[str]) -> None:
        if self.row_doc is not None:
            doc = self.row_doc
            doc.title = self.row_title or " ".join(cells)
            doc.add(" · ".join(c for c in cells if c))
            if self.current is not None:
                doc.add(self.current.title)
            return
        if self.in_directory or self.current is None:
            return
        for c in cells:  # row labels and words, not the numbers
            if c and not _NUMBER.match(c):
                self.current.add(c)

    def handle_data(self, data):
        if not self.in_main or self.skip:
            return
        if self.heading is not None:
            if not self.anchor_skip:
                self.heading_text += data
            return
        if self.cell is not None:
            self.cell += data
            return
        if self.current is not None and not self.table_depth:
            self.current.add(data)


def page_documents(html: str, file: str, page_title: str) -> list[Doc]:
    """Return the search documents of one page.

    Parameters
    ----------
    html : str
        The page.
    file : str
        Its file name in the book (``"06_provinces.html"``), the base of every link.
    page_title : str
        Its title, shown with each result.
    """
    p = _PageParser(file, page_title)
    p.feed(html)
    p.close()
    return [d for d in p.docs if d.title or d.body]


def _page_title(html: str) -> str:
    m = re.search(r"<title>(.*?)</title>", html, re.S)
    if not m:
        return ""
    import html as html_mod

    return html_mod.unescape(m.group(1)).split(" · ")[0].strip()


def book_documents(book_dir: Path, files: list[str], cache: SearchCache | None = None):
    """Return the documents of every page ``files`` of the book in ``book_dir``.

    With ``cache``, the documents of a page whose ``<main>`` part, name and title are
    unchanged are read from it instead of cut again.
    """
    docs = []
    for name in files:
        html = (Path(book_dir) / name).read_text(encoding="utf-8")
        title = _page_title(html)
        if cache is None:
            docs += page_documents(html, name, title)
            continue
        part = _main_part(html)
        found = cache.get(
            "page",
            f"{name}\0{title}\0{part}",
            lambda: _doc_dicts(page_documents(part, name, title)),  # noqa: B023 (called now)
        )
        docs += [Doc(**d) for d in found]
    return docs


def build_index(docs: list[Doc]) -> dict:
    """Return ``{"index": <lunr index>, "docs": {ref: [href, title, page, kind, snippet]}}``.

    The titles weigh ten times the body text.
    """
    from lunr import lunr

    records = [{"id": str(i), "title": d.title, "body": d.text()} for i, d in enumerate(docs)]
    idx = lunr(
        ref="id",
        fields=[{"field_name": "title", "boost": 10}, "body"],
        documents=records,
    )
    store = {
        str(i): [d.href, d.title or d.text()[:120] or d.page, d.page, d.kind, d.text()[:SNIPPET]]
        for i, d in enumerate(docs)
    }
    return {"index": idx.serialize(), "docs": store}


def index_script(data: dict) -> str:
    """Return the JavaScript that sets ``window.NSSF_SEARCH`` to ``data``.

    The JSON is written in ASCII with ``<``, ``>`` and ``&`` escaped, so no text of the
    book can end the script or be read as markup.
    """
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return "window.NSSF_SEARCH = " + text + ";\n"


def _main_part(html: str) -> str:
    """Return the part of a page the documents come from (its ``<main>``, else all)."""
    start, end = html.find("<main"), html.rfind("</main>")
    return html[start : end + len("</main>")] if start >= 0 and end > start else html


class SearchCache:
    """Documents of pages and index scripts of documents, kept in a folder by content.

    A page's documents depend only on its ``<main>`` part, its file name and its title,
    and the index script (:func:`index_script`) only on the documents, so a book whose
    data changed in one table cuts again only the pages whose content changed and
    indexes again only if a document changed (numbers are not indexed).  Each entry is
    a JSON file named after the SHA-256 of what it depends on and of this module's
    code; :meth:`prune` drops the entries the last book did not use.

    Parameters
    ----------
    folder : Path
        The cache folder (``outputs/.cache/search``).
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.used: set[str] = set()
        self._code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

    def get(self, kind: str, content: str, compute):
        """Return the cached result for ``content``, else ``compute()`` (then kept)."""
        key = hashlib.sha256(f"{self._code}\0{kind}\0{content}".encode()).hexdigest()[:40]
        path = self.folder / f"{kind}-{key}.json"
        self.used.add(path.name)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        value = compute()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            tmp.write_text(json.dumps(value), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:  # a read-only outputs folder: nothing kept
            pass
        return value

    def prune(self) -> None:
        """Delete the entries not used since this cache was opened."""
        if self.folder.is_dir():
            for p in self.folder.glob("*.json"):
                if p.name not in self.used:
                    p.unlink(missing_ok=True)


def _doc_dicts(docs: list[Doc]) -> list[dict]:
    return [dict(vars(d)) for d in docs]


def write_search(book_dir: Path, files: list[str], cache: SearchCache | None = None) -> int:
    """Index the pages ``files`` of the book in ``book_dir``; return the document count.

    Writes :data:`INDEX_SCRIPT`.  With ``cache``, a page whose content is unchanged is
    not cut again and unchanged documents are not indexed again (the script is the same
    either way).
    """
    docs = book_documents(book_dir, files, cache)
    if cache is None:
        script = index_script(build_index(docs))
    else:  # the script itself is kept: its index is not read and written out again
        records = json.dumps(_doc_dicts(docs), sort_keys=True)
        script = cache.get("script", records, lambda: index_script(build_index(docs)))
        cache.prune()
    (Path(book_dir) / INDEX_SCRIPT).write_text(script, encoding="utf-8")
    return len(docs)
