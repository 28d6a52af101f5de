"""Full-text search of the book that works offline, from disk as from a server.

:func:`write_search` cuts every page into documents (sections, tables, graphics, directory
entries) for the search box (``assets/search.js``), which indexes them with lunr.
"""

from __future__ import annotations

import html as html_mod
import json
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html

__all__ = ["INDEX_SCRIPT", "Doc", "page_documents", "write_search"]

#: The script with the index and the documents, relative to the book folder.
INDEX_SCRIPT = "assets/search-index.js"
#: Elements never indexed; classes of the cell naming a directory entry (facility, office).
SKIP_TAGS = {"script", "style", "nav", "footer", "header", "button", "form", "select"}
TITLE_CELLS = {"dir-name", "dir-office"}


@dataclass
class Doc:
    """One search document: where it links to, its title, its page, its kind and its text."""

    href: str
    title: str
    page: str
    kind: str
    body: str = ""

    def add(self, text: str) -> None:
        """Append ``text`` (spaces collapsed): every word and number of it is searched for."""
        if text := " ".join(text.split()):
            self.body = f"{self.body} {text}" if self.body else text


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _kids(el) -> list:
    """Return an element's text and children in order, leaving out what is never indexed."""
    kids = [el.text] if el.text else []
    for kid in el:
        if isinstance(kid.tag, str):  # an element, not a comment
            classes = _classes(kid)
            code = kid.tag == "details" and "nssf-code" in classes
            if not (kid.tag in SKIP_TAGS or code or "anchor-link" in classes):
                kids.append(kid)
        if kid.tail:
            kids.append(kid.tail)
    return kids


def _text(el) -> str:
    return " ".join(" ".join(k if isinstance(k, str) else _text(k) for k in _kids(el)).split())


def page_documents(html: str, file: str, page_title: str) -> list[Doc]:
    """Return the search documents of one page (``file``: its name, the base of every link)."""
    docs: list[Doc] = []

    def new(anchor: str, title: str, kind: str) -> Doc:
        docs.append(Doc(f"{file}#{anchor}" if anchor else file, title, page_title, kind))
        return docs[-1]

    def walk(el, at: list) -> None:  # at[0]: the document the text goes to
        tag, ident, classes, kids = el.tag, el.get("id"), _classes(el), _kids(el)
        cells = [(_text(k), _classes(k)) for k in kids if getattr(k, "tag", "") in ("td", "th")]
        if tag in ("h1", "h2", "h3", "h4") and ident:
            at[0] = new(ident, _text(el), "section")
        elif tag == "caption":
            at[0].title = _text(el)
        elif tag == "tr" and at[0].kind == "directory":  # an entry: a facility, an office
            if ident and "dir-group" not in classes:
                names = [t for t, c in cells if TITLE_CELLS & c] or [" ".join(t for t, _ in cells)]
                entry = new(ident, names[0], "entry")
                entry.add(" · ".join([t for t, _ in cells if t] + [at[0].title]))
        else:
            outer = at[0]
            block = tag == "div" and ident and {"nssf-table", "nssf-graphic"} & classes
            if block:
                kind = "graphic" if "nssf-graphic" in classes else "table"
                at[0] = new(ident, "", "directory" if "nssf-directory" in classes else kind)
            for kid in kids:
                at[0].add(kid) if isinstance(kid, str) else walk(kid, at)
            if block:
                at[0] = outer

    main = lxml.html.document_fromstring(html).find(".//main")
    if main is not None:
        walk(main, [new("", page_title, "page")])
    return [d for d in docs if d.title or d.body]


def write_search(book_dir: Path, files: list[str]) -> int:
    """Cut the pages ``files`` of the book in ``book_dir`` into documents; return their count.

    Writes :data:`INDEX_SCRIPT`: ``window.NSSF_SEARCH = {"docs": {ref: [href, title shown,
    page, kind, title, body]}}``, in ASCII JSON with ``<>&`` escaped so that no text of the
    book can end the script.  The page's ``search.js`` builds the lunr index from it on the
    first search, with its own cutting into words (numbers with or without separators,
    every script): building it here took seconds of every build, in the browser it takes
    a fraction of one search.
    """
    docs = []
    for name in files:
        html = (Path(book_dir) / name).read_text(encoding="utf-8")
        m = re.search(r"<title>(.*?)</title>", html, re.S)
        docs += page_documents(html, name, html_mod.unescape(m[1]).split(" · ")[0] if m else "")
    store = {
        str(i): [d.href, d.title or d.body[:120] or d.page, d.page, d.kind, d.title, d.body]
        for i, d in enumerate(docs)
    }
    text = json.dumps({"docs": store}, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    (Path(book_dir) / INDEX_SCRIPT).write_text(f"window.NSSF_SEARCH = {text};\n", encoding="utf-8")
    return len(docs)
