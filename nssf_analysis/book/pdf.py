"""The PDF edition of a year's book, printed by Debian's Chromium through Playwright.

:func:`print_document` joins the book's pages into one HTML document; :func:`write_pdf`
serves it to Chromium as ``print-edition.html`` of the book folder (no file is written; only
``file:`` requests load; none of its scripts runs), marks its tables wider than a portrait
page, prints it once untagged to read the page of each chapter (in half the time of a tagged
print, with the same pages), then tagged, with an outline and those pages in the contents
(a rebuild starts from the pages of the previous edition, and prints once if they hold);
pikepdf fixes its dates, metadata, outline, link texts and structure IDs, so the same book
gives the same bytes.  Playwright's driver ends Chromium and removes its profile when the
build ends, even by SIGKILL.  No Chromium or ``NSSF_PDF=0``: no PDF edition.
``NSSF_CHROMIUM``: another Chromium binary; ``NSSF_PDF_TIMEOUT``: the seconds Chromium may
take to load it (600).
"""

from __future__ import annotations

import asyncio
import datetime
import html
import io
import os
import re
import shutil
import threading
from pathlib import Path

import pikepdf
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from nssf_analysis.book.pages import plain_text
from nssf_analysis.exceptions import NSSFError

__all__ = ["PDFError", "find_chromium", "pdf_name", "print_document", "write_pdf"]

#: The address the print document is served at, in the book folder (no such file is written).
PRINT_SOURCE = "print-edition.html"
#: Chromium's flags besides Playwright's own (which include ``--remote-debugging-pipe``).
CHROMIUM_ARGS = (
    "--no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
    " --disable-sync --no-first-run --disable-dev-shm-usage"
).split()
PRODUCER, CREATOR = "nssf-analysis (Chromium, pikepdf)", "nssf-analysis"
#: The footer Chromium prints; the page-margin boxes of ``print.css`` are switched off.
FOOTER = (
    '<div style="width:100%;margin:0 12mm;display:flex;justify-content:space-between;'
    "font:8px 'DejaVu Sans',sans-serif;color:#5b6775\"><span>{}</span><span>Page "
    '<span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
)
#: How ``page.pdf`` prints: A4 (the stylesheet's size), tagged, with an outline and a footer.
PDF_OPTIONS = {"format": "A4", "print_background": True, "tagged": True, "outline": True}
PDF_OPTIONS |= {"prefer_css_page_size": True, "display_header_footer": True}
STYLESHEETS = ("book", "pygments", "print")  # in the book's assets/
#: Each page on new paper (so a book shorter than its pages is blank).
STYLE = ".print-page { break-before: page }"
#: A slash between words in a text, where a narrow column may break a line.
SLASH = re.compile(r"(?<=[a-z])/(?=[A-Z])")
MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.S)
#: What a page has that the print has not: its pager and its headings' anchor links.
DROP = re.compile(r'<nav class="pager".*?</nav>|<a [^>]*class="anchor-link".*?</a>', re.S)
#: A structure element's ID as Chromium writes it: ``node`` and a DOM node number.
NODE_ID = re.compile(r"node[0-9]+")
#: Chromium tags ``<strong>`` and ``<em>`` with PDF 2.0 types; PDF 1.7 readers need a role.
ROLES = {"/Strong": pikepdf.Name.Span, "/Em": pikepdf.Name.Span}
#: The window the book is measured in: A4's width less print.css's margins (186 mm), in CSS px.
PORTRAIT = {"width": 703, "height": 1000}
#: What is wider than a portrait page goes on landscape pages (print.css's ``.print-wide``):
#: else Chromium would shrink every page of the book to fit it.
WIDE = """() => document.querySelectorAll(".print-page table").forEach(t => {
  if (t.offsetWidth > t.closest(".print-page").clientWidth)
    (t.closest(".nssf-table, .jp-OutputArea-child") || t).classList.add("print-wide") })"""


class PDFError(NSSFError):
    """Chromium could not print the PDF edition, or printed an implausible one."""


def pdf_name(year: int) -> str:
    """Return the file name of a year's PDF edition in the book folder."""
    return f"nssf-annual-report-{year}.pdf"


def find_chromium() -> str | None:
    """Return the Chromium to print with, or None (none installed, or ``NSSF_PDF=0``)."""
    if os.environ.get("NSSF_PDF", "1") == "0":
        return None
    if env := os.environ.get("NSSF_CHROMIUM"):  # a path or a name on PATH
        return shutil.which(env)
    found = [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")]
    found.append("/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None)
    return next((f for f in found if f), None)


def _escaped_text(fragment: str) -> str:
    return html.escape(plain_text(fragment))


def _local_link(m: re.Match, page: str, ids: dict) -> str:
    """Point a link to a page of the book inside the document; drop one to a file."""
    url = m.group(1)
    if re.match(r"(https?|mailto):", url):
        return m.group(0)
    target, _, frag = url.partition("#")  # a file's link would be a path on this machine
    target = target or page
    return f' href="#{ids.get((target, frag), frag)}"' if (target, "") in ids else ""


def print_document(book_dir: Path, files: list[str], front: dict, pages: dict | None = None) -> str:
    """Return the one HTML document of the whole book, in reading order.

    Parameters
    ----------
    book_dir : Path
        The book folder (the document's stylesheets are its ``assets/``).
    files : list of str
        The pages in reading order (``index.html`` first: the front matter, "About this book"
        in the contents; the others are its numbered chapters).
    front : dict
        ``title``, ``edition``, ``date``, ``licence``, ``citation`` and ``contact`` of the
        title page, as text (every value is escaped; an empty date or contact is left out).
    pages : dict, optional
        The page number of each anchor the contents lists (none: the numbers are left blank).
    """
    f = {key: html.escape(str(value)) for key, value in front.items()}
    parts, toc, about = [], [], ""

    def entry(anchor: str, label: str) -> str:  # a line of the contents: title .... page
        number = (pages or {}).get(anchor, "")
        return f'<a href="#{anchor}"><span>{label}</span><span class="print-pg">{number}</span></a>'

    texts = {name: (Path(book_dir) / name).read_text(encoding="utf-8") for name in files}
    bodies = {
        n: DROP.sub("", m.group(1) if (m := MAIN.search(t)) else "") for n, t in texts.items()
    }
    ids, taken = {}, set()  # (page, id) -> its id in the document: the first page keeps an id
    for name, body in bodies.items():
        stem, found = name.removesuffix(".html"), dict.fromkeys(re.findall(r'\sid="([^"]+)"', body))
        ids[(name, "")] = f"page-{stem}"
        ids |= {(name, i): f"{stem}.{i}" if i in taken else i for i in found}
        taken |= {ids[(name, i)] for i in found} | {f"page-{stem}"}
    for name, body in bodies.items():
        body = re.sub(r'\shref="([^"]*)"', lambda m, n=name: _local_link(m, n, ids), body)
        body = re.sub(r'(\sid=")([^"]+)"', lambda m, n=name: f'{m[1]}{ids[(n, m[2])]}"', body)
        body = re.sub(r">[^<]+<", lambda m: SLASH.sub("/<wbr>", m[0]), body)
        title = re.search(r"<title>(.*?)</title>", texts[name], re.S)
        anchor = ids[(name, "")]
        parts.append(f'<section class="print-page" id="{anchor}">{body}</section>')
        if name == "index.html":
            about = f'<p class="print-toc-front">{entry(anchor, "About this book")}</p>'
            continue
        subs = "".join(
            f"<li>{entry(i, _escaped_text(t))}</li>"
            for i, t in re.findall(r'<h2\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h2>', body, re.S)
        )
        label = _escaped_text(title.group(1).split(" · ")[0]) if title else html.escape(name)
        toc.append(f"<li>{entry(anchor, label)}{subs and f'<ul>{subs}</ul>'}</li>")
    css = "".join(f'<link rel="stylesheet" href="assets/{c}.css">' for c in STYLESHEETS)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{f['title']}, {f['edition']}</title>{css}<style>{STYLE}</style></head>"
        f'<body class="print-edition"><section class="print-front"><h1 class="print-title">'
        f'{f["title"]}</h1><p class="print-edition">{f["edition"]}</p>'
        + (f"<p>Published {f['date']}.</p>" if f.get("date") else "")
        + f"<p>{f['licence']}</p><p><strong>How to cite:</strong> {f['citation']}</p>"
        + (f"<p>Contact: {f['contact']}</p>" if f.get("contact") else "")
        + "</section>"
        '<nav class="print-toc" aria-label="Contents"><h2 id="print-contents">Contents</h2>'
        f"{about}<ol>{''.join(toc)}</ol></nav><main>{''.join(parts)}</main></body></html>\n"
    )


def _dest_pages(data: bytes) -> dict[str, int]:
    """Return the page (from 1) of each named destination of a PDF Chromium printed."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        number = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
        dests = pdf.Root.get("/Dests", pikepdf.Dictionary())
        return {key[1:]: number[dests[key][0].objgen] for key in dests.keys()}


def _previous_pages(path: Path | None) -> dict[str, int]:
    """Return the page of each named destination of an earlier print ({} if there is none)."""
    try:
        return _dest_pages(path.read_bytes()) if path else {}
    except (OSError, pikepdf.PdfError, KeyError, IndexError):
        return {}


def _renumber_ids(pdf: pikepdf.Pdf) -> None:
    """Renumber the structure elements' IDs ``node00000001``, ``node00000002``, … in order.

    Chromium names them by its DOM node numbers, which count every node its renderer
    process made before, so the same document gets other IDs when Chromium gives the print
    a renderer that has drawn a page already (as it may, under load).  Every ID is renamed
    in the same order, so that the ``/IDTree`` stays sorted: an element's ``/ID``, the
    table cells' ``/Headers`` (in their attributes, ``/A``) and the ``/IDTree`` itself.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/IDTree" not in root:
        return
    places = []  # (array or dictionary, index or key, the ID there)
    trees = [root.IDTree]
    while trees:  # the name tree: its nodes' /Kids, /Limits and /Names (ID, element, …)
        node = trees.pop()
        trees += list(node.get("/Kids", []))
        places += [(node.Limits, i, str(v)) for i, v in enumerate(node.get("/Limits", []))]
        names = node.get("/Names", [])
        for i in range(0, len(names) - 1, 2):
            places.append((names, i, str(names[i])))
            if isinstance(names[i + 1], pikepdf.Dictionary) and "/ID" in names[i + 1]:
                places.append((names[i + 1], "/ID", str(names[i + 1].ID)))
    for obj in pdf.objects:  # every structure element's attributes: a cell's /Headers
        if isinstance(obj, pikepdf.Dictionary) and "/S" in obj and "/A" in obj:
            attributes = obj.A if isinstance(obj.A, pikepdf.Array) else [obj.A]
            for a in attributes:
                if isinstance(a, pikepdf.Dictionary) and "/Headers" in a:
                    places += [(a.Headers, i, str(v)) for i, v in enumerate(a.Headers)]
    ids = sorted({old for _, _, old in places if NODE_ID.fullmatch(old)}, key=lambda i: int(i[4:]))
    new = {old: f"node{n:08d}" for n, old in enumerate(ids, start=1)}
    for where, key, old in places:
        if old in new:
            where[key] = pikepdf.String(new[old])


def _fix(pdf: pikepdf.Pdf, title: str, date: datetime.datetime, headings: list[str]) -> None:
    """Give Chromium's PDF fixed dates and producer, XMP metadata, link texts, a role map.

    Its structure IDs are made independent of Chromium's history (:func:`_renumber_ids`).
    An outline entry of a heading printed on two lines lacks the space between them (Chromium
    joins the lines): it gets the heading's text back.
    """
    _renumber_ids(pdf)
    spaced = {re.sub(r"\s", "", h): h for h in headings}
    items = [pdf.Root.Outlines.get("/First")] if "/Outlines" in pdf.Root else []
    while items:
        if (item := items.pop()) is not None:
            item.Title = spaced.get(re.sub(r"\s", "", str(item.Title)), item.Title)
            items += [item.get("/First"), item.get("/Next")]
    utc = date.astimezone(datetime.UTC) if date.tzinfo else date.replace(tzinfo=datetime.UTC)
    stamp = utc.strftime("D:%Y%m%d%H%M%S+00'00'")
    info = dict(Title=title, Producer=PRODUCER, Creator=CREATOR, CreationDate=stamp)
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(ModDate=stamp, **info))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["dc:title"], xmp["dc:language"] = title, ["en"]
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            xmp[key] = utc.isoformat()
        xmp["pdf:Producer"], xmp["xmp:CreatorTool"] = PRODUCER, CREATOR
    pdf.Root.Lang = "en"
    for annot in (a for page in pdf.pages for a in page.get("/Annots", [])):
        if annot.get("/Subtype") == "/Link":
            uri = annot.get("/A", {}).get("/URI")
            annot.Contents = str(uri) if uri else f"Go to {str(annot.get('/Dest')).lstrip('/')}"
    if "/StructTreeRoot" in pdf.Root:
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(ROLES)


def _in_thread(func):
    """Return ``func()`` run in a thread of its own.

    Playwright's sync API refuses a thread whose asyncio loop runs (a notebook's kernel, a
    test that drives a browser), so the print then runs in a fresh thread; without a
    running loop it runs in the caller's thread (an interrupted print then ends cleanly).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func()
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = func()
        except BaseException as err:  # re-raised in the caller's thread
            out["error"] = err

    thread = threading.Thread(target=run, name="nssf-pdf", daemon=True)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def write_pdf(
    book_dir: Path,
    year: int,
    files: list[str],
    front: dict,
    *,
    date: datetime.datetime,
    previous: Path | None = None,
) -> Path | None:
    """Print the PDF edition of the book in ``book_dir``; return its path.

    Parameters
    ----------
    book_dir : Path
        The book folder, every page and asset written.
    year : int
        The report year (it names the PDF).
    files : list of str
        The pages in reading order.
    front : dict
        The title page's fields (see :func:`print_document`).
    date : datetime.datetime
        The PDF's creation and modification date (naive: UTC).
    previous : Path, optional
        The book's previous PDF edition: its chapters' pages are the first guess of the
        contents' page numbers, so that a rebuild whose pages did not move prints once.

    Returns
    -------
    Path or None
        ``<book_dir>/nssf-annual-report-<year>.pdf``; None without Chromium.

    Raises
    ------
    PDFError
        If Chromium cannot start or print, prints fewer pages than ``files`` or other pages
        for the chapters in each print.
    """
    if (chromium := find_chromium()) is None:
        return None
    book_dir, title = Path(book_dir).resolve(), str(front["title"])
    target, url = book_dir / pdf_name(year), (book_dir / PRINT_SOURCE).as_uri()
    what, served = f"PDF edition {year} ({book_dir})", {"content_type": "text/html"}
    # an empty header: without one Chromium prints the date and title
    footer = {"header_template": "<i></i>", "footer_template": FOOTER.format(html.escape(title))}

    def chromium_prints() -> bytes:
        with sync_playwright() as playwright:
            with playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS) as b:
                numbers = _previous_pages(previous)
                for _ in range(3):  # the contents' page numbers: printed, read, printed again
                    # a page of its own for each print: the same bytes, first print or not
                    page = b.new_page(java_script_enabled=False, viewport=PORTRAIT)
                    page.set_default_timeout(float(os.environ.get("NSSF_PDF_TIMEOUT", 600)) * 1e3)
                    page.emulate_media(media="print")
                    page.route(re.compile(r"^(?!file:)"), lambda route: route.abort())
                    page.route(lambda u: u == url, lambda route: route.fulfill(**served))
                    served["body"] = print_document(book_dir, files, front, numbers)
                    page.goto(url)
                    page.evaluate(WIDE)
                    # a print that only finds the pages is untagged: half the time, same pages
                    tags = {} if numbers else {"tagged": False}
                    data = page.pdf(**PDF_OPTIONS | tags, **footer)
                    page.close()
                    if (found := _dest_pages(data)) == numbers:
                        return data
                    numbers = found
                raise PDFError(f"{what}: the contents' page numbers do not settle")

    try:
        data = _in_thread(chromium_prints)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) < len(files):  # each page starts on new paper
                n = f"{len(pdf.pages)} page(s) printed for {len(files)} pages"
                raise PDFError(f"{what}: {n}: is the book blanked (a stray <style>?)")
            heads = re.findall(r"<h[1-6]\b[^>]*>(.*?)</h[1-6]>", served["body"], re.S)
            _fix(pdf, title, date, [plain_text(h) for h in heads])
            tmp = target.with_name(f".{target.name}.tmp")
            pdf.save(tmp, deterministic_id=True)
    except (PlaywrightError, pikepdf.PdfError) as err:
        lines = str(err).strip().splitlines() or [type(err).__name__]  # and how Chromium ended:
        cause = " ".join(lines[:1] + [ln.strip(" -") for ln in lines if "did exit" in ln][:1])
        raise PDFError(f"{what}: {chromium} could not print: {cause}") from None
    return tmp.replace(target)
