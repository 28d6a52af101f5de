"""The PDF edition of a year's book, printed by Debian's Chromium from the print stylesheet.

:func:`print_document` puts every page of the book into one HTML document: a title
page (title, edition, publication date, licence, citation), a table of contents with
a link to every chapter and section, then each page's content, every chapter starting
on a new page.  Links between pages become links inside the document.  The book's
stylesheet with its print rules and ``assets/print.css`` (A4, page numbers in the
footer, tables fitted to the page width) lay it out; nothing runs in it.

:func:`write_pdf` prints it with headless Chromium (``--print-to-pdf``, network
blocked; :func:`start_pdf` starts the print and returns, so the caller can go on while
Chromium lays the book out) into ``<book>/nssf-annual-report-<year>.pdf``.  The dates
and random ids Chromium writes are replaced by fixed ones, so the same book gives the
same bytes.
Without Chromium (or with ``NSSF_PDF=0``) there is no PDF edition and the build says
so.  Set ``NSSF_CHROMIUM`` to use another Chromium binary.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from markupsafe import Markup

from nssf_analysis.book.pages import OffsetParser
from nssf_analysis.exceptions import NSSFError

#: Seconds Chromium may take to print the book.
PRINT_TIMEOUT = int(os.environ.get("NSSF_PDF_TIMEOUT", "600"))
#: The temporary document Chromium prints (removed afterwards).
PRINT_SOURCE = "print-edition.html"
#: Flags of headless Chromium: no sandbox (root in a container), no GPU, no network.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--no-pdf-header-footer",
    "--generate-pdf-document-outline",
)


class PDFError(NSSFError):
    """Chromium could not print the PDF edition."""


def pdf_name(year: int) -> str:
    """Return the file name of a year's PDF edition."""
    return f"nssf-annual-report-{year}.pdf"


def find_chromium() -> str | None:
    """Return the Chromium to print with, or None (not installed, or ``NSSF_PDF=0``)."""
    if os.environ.get("NSSF_PDF", "1") == "0":
        return None
    env = os.environ.get("NSSF_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class _Main(OffsetParser):
    """The inner HTML of ``<main>`` of a page, its title and its h1/h2 headings."""

    def __init__(self, text: str):
        super().__init__(text, convert_charrefs=True)
        self.begin = self.end = None
        self.depth = 0
        self.headings: list[tuple[int, str, str]] = []
        self._h = None
        self._skip = 0
        self.parse()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self.depth += 1
            if self.depth == 1:
                self.begin = self.text.index(">", self.position()) + 1
        elif self.depth and tag in ("h1", "h2") and a.get("id") and self._h is None:
            self._h = [int(tag[1]), a["id"], ""]
        elif self._h is not None and tag == "a" and "anchor-link" in (a.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
            if self.depth == 0 and self.end is None:
                self.end = self.position()
        elif self._h is not None and tag == "a" and self._skip:
            self._skip -= 1
        elif self._h is not None and tag == f"h{self._h[0]}":
            self.headings.append((self._h[0], self._h[1], " ".join(self._h[2].split())))
            self._h = None

    def handle_data(self, data):
        if self._h is not None and not self._skip:
            self._h[2] += data

    def inner(self) -> str:
        if self.begin is None or self.end is None:
            return ""
        return self.text[self.begin : self.end]


_PAGER = re.compile(r'<nav class="pager".*?</nav>', re.S)
_HREF = re.compile(r'\shref="([^"]*)"')
_PAGE_LINK = re.compile(r"^([A-Za-z0-9_.\-]+\.html)(#.*)?$")


def _local_links(html: str, files: set) -> str:
    """Return ``html`` with its links fit for the print document.

    A link to a page of the book or an anchor on it points inside the document; a link
    to the web (``http(s):``, ``mailto:``) stays; a link to a file of the book (a CSV
    download) loses its address, as a PDF would hold it as a path on the disk where it
    was printed.
    """

    def repl(m):
        url = m.group(1)
        if url.startswith("#") or re.match(r"^(https?|mailto):", url):
            return m.group(0)
        page = _PAGE_LINK.match(url)
        if page and page.group(1) in files:
            frag = page.group(2)
            return f' href="{frag}"' if frag and len(frag) > 1 else f' href="#page-{url[:-5]}"'
        return ""

    return _HREF.sub(repl, html)


def print_document(book_dir: Path, files: list[str], front: dict) -> str:
    """Return the one-document print edition of the pages ``files`` of a book.

    Parameters
    ----------
    book_dir : Path
        The book folder.
    files : list of str
        The pages in reading order (``index.html`` first).
    front : dict
        ``title``, ``edition``, ``date``, ``licence``, ``citation`` and ``contact`` of
        the title page.
    """
    book_dir = Path(book_dir)
    names = set(files)
    parts, toc = [], []
    for name in files:
        text = (book_dir / name).read_text(encoding="utf-8")
        main = _Main(text)
        m = re.search(r"<title>(.*?)</title>", text, re.S)
        title = Markup(m.group(1).split(" · ")[0]).unescape() if m else name
        body = _local_links(_PAGER.sub("", main.inner()), names)
        anchor = f"page-{name[:-5]}"
        parts.append(
            Markup('<section class="print-page" id="{}">{}</section>').format(anchor, Markup(body))
        )
        subs = [(i, t) for level, i, t in main.headings if level == 2 and t]
        toc.append((anchor, title, subs))
    toc_html = Markup("").join(
        Markup('<li><a href="#{}">{}</a>{}</li>').format(
            a,
            t,
            Markup("<ol>{}</ol>").format(
                Markup("").join(
                    Markup('<li><a href="#{}">{}</a></li>').format(i, s) for i, s in subs
                )
            )
            if subs
            else "",
        )
        for a, t, subs in toc
    )
    front_html = Markup(
        '<section class="print-front"><h1 class="print-title">{title}</h1>'
        '<p class="print-edition">{edition}</p><p>Published {date}.</p>'
        "<p>{licence}</p><p><strong>How to cite:</strong> {citation}</p>"
        "<p>Contact: {contact}</p></section>"
        '<nav class="print-toc" aria-label="Contents"><h2 id="print-contents">Contents</h2>'
        "<ol>{toc}</ol></nav>"
    ).format(toc=toc_html, **front)
    return str(
        Markup(
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>{title}, {edition}</title>"
            '<link rel="stylesheet" href="assets/book.css">'
            '<link rel="stylesheet" href="assets/pygments.css">'
            '<link rel="stylesheet" href="assets/print.css">'
            '</head><body class="print-edition">{front}{body}</body></html>\n'
        ).format(
            title=front["title"],
            edition=front["edition"],
            front=front_html,
            body=Markup("\n").join(parts),
        )
    )


_DATE = re.compile(rb"D:\d{14}([+\-Z][0-9']*)?")
_XMP_DATE = re.compile(rb"(<xmp:[A-Za-z]+Date>)([^<]+)(</xmp:[A-Za-z]+Date>)")
_UUID = re.compile(rb"uuid:[0-9a-fA-F\-]{36}")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*\]")


def _same_length(text: bytes, new: bytes) -> bytes:
    return (new + b"0" * len(text))[: len(text)] if len(new) < len(text) else new[: len(text)]


def fix_pdf(data: bytes, seed: bytes) -> bytes:
    """Replace the dates and ids that differ between two prints of the same document.

    Every replacement keeps the length of what it replaces, so the file's offsets stay
    right.

    Parameters
    ----------
    data : bytes
        The PDF as Chromium wrote it.
    seed : bytes
        What the fixed ids are derived from (the printed document).
    """
    digest = hashlib.sha256(seed).hexdigest().encode()

    def date(m):
        return _same_length(m.group(0), b"D:20000101000000Z" + b" " * 16)

    def xmp(m):
        return (
            m.group(1) + _same_length(m.group(2), b"2000-01-01T00:00:00Z" + b" " * 16) + m.group(3)
        )

    def uuid(m):
        u = digest[:32].decode()
        return f"uuid:{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:32]}".encode()

    def ident(m):
        a = _same_length(m.group(1), digest)
        return m.group(0).replace(m.group(1), a).replace(m.group(2), a)

    data = _DATE.sub(date, data)
    data = _XMP_DATE.sub(xmp, data)
    data = _UUID.sub(uuid, data)
    return _ID.sub(ident, data)


def write_pdf(
    book_dir: Path,
    year: int,
    files: list[str],
    front: dict,
    chromium: str,
    cache: Path | None = None,
) -> Path:
    """Print the PDF edition of the book in ``book_dir``; return its path.

    The same as ``start_pdf(...).result()`` (see :func:`start_pdf`).

    Parameters
    ----------
    book_dir : Path
        The book folder, every page and asset written.
    year : int
        The report year.
    files : list of str
        The pages in reading order.
    front : dict
        The title page's fields (see :func:`print_document`).
    chromium : str
        The Chromium binary (:func:`find_chromium`).
    cache : Path, optional
        Folder of PDFs by the hash of what they print: an unchanged book is not
        printed again.

    Raises
    ------
    PDFError
        If Chromium fails, times out or writes no PDF.
    """
    return start_pdf(book_dir, year, files, front, chromium, cache).result()


def start_pdf(
    book_dir: Path,
    year: int,
    files: list[str],
    front: dict,
    chromium: str,
    cache: Path | None = None,
) -> PendingPDF:
    """Start printing the PDF edition of the book in ``book_dir``; return at once.

    Chromium prints in its own processes while the caller goes on (the build writes
    the search index meanwhile); :meth:`PendingPDF.result` waits for it and writes the
    PDF, :meth:`PendingPDF.cancel` stops it.  A book printed before (same document, same
    stylesheets) is copied from ``cache`` and no Chromium starts.  The pages and
    stylesheets must not change until the result is taken.

    Parameters
    ----------
    book_dir, year, files, front, chromium, cache
        As for :func:`write_pdf`.

    Returns
    -------
    PendingPDF

    Raises
    ------
    PDFError
        If Chromium cannot be started.
    """
    book_dir = Path(book_dir)
    doc = print_document(book_dir, files, front)
    key_parts = [doc.encode("utf-8")]
    for css in ("book.css", "pygments.css", "print.css"):
        p = book_dir / "assets" / css
        key_parts.append(p.read_bytes() if p.exists() else b"")
    key = hashlib.sha256(b"\0".join(key_parts)).hexdigest()[:24]
    return PendingPDF(book_dir, year, doc, key, chromium, None if cache is None else Path(cache))


class PendingPDF:
    """A PDF edition being printed (see :func:`start_pdf`)."""

    def __init__(
        self, book_dir: Path, year: int, doc: str, key: str, chromium: str, cache: Path | None
    ):
        self.year, self.doc, self.key = year, doc, key
        self.chromium, self.cache = chromium, cache
        self.target = book_dir / pdf_name(year)
        self.source = book_dir / PRINT_SOURCE
        self.process: subprocess.Popen | None = None
        self.profile: Path | None = None
        self.started = time.monotonic()
        kept = None if cache is None else cache / f"{key}.pdf"
        if kept is not None and kept.is_file():
            self.kept = kept
            return
        self.kept = None
        self.source.write_text(doc, encoding="utf-8")
        self.profile = Path(tempfile.mkdtemp(prefix="nssf-pdf-"))
        cmd = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={self.profile / 'profile'}",
            f"--print-to-pdf={self.profile / 'out.pdf'}",
            self.source.resolve().as_uri(),
        ]
        # Chromium's messages go to a file: a pipe nobody reads while the caller works
        # could fill up and stop it
        self.log = self.profile / "chromium.log"
        try:
            with open(self.log, "wb") as log:
                # a process group of its own: cancel stops Chromium's helper processes
                # too; the build's session (not a new one), so that on Linux, where the
                # scheduler shares the cores between sessions first, the work the build
                # does at the lowest priority while Chromium prints
                # (:mod:`nssf_analysis.book.priority`) yields to it
                self.process = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    process_group=0,
                )
        except OSError as err:
            self._clean()
            raise PDFError(f"PDF edition {year}: cannot run {chromium}: {err}") from None

    def _clean(self) -> None:
        self.source.unlink(missing_ok=True)
        if self.profile is not None:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    def cancel(self) -> None:
        """Stop Chromium (if it still prints) and remove what it was given."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            try:  # helpers left in Chromium's process group
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self._clean()

    def result(self) -> Path:
        """Wait for Chromium, write the PDF edition into the book; return its path.

        Raises
        ------
        PDFError
            If Chromium fails, takes longer than :data:`PRINT_TIMEOUT` seconds from the
            start, or writes no PDF.
        """
        if self.kept is not None:
            shutil.copyfile(self.kept, self.target)
            return self.target
        year, chromium = self.year, self.chromium
        try:
            left = max(0.0, PRINT_TIMEOUT - (time.monotonic() - self.started))
            try:
                self.process.wait(timeout=left)
            except subprocess.TimeoutExpired:
                raise PDFError(
                    f"PDF edition {year}: {chromium} did not finish within {PRINT_TIMEOUT} s "
                    "(NSSF_PDF_TIMEOUT)"
                ) from None
            raw = self.profile / "out.pdf"
            code = self.process.returncode
            if code != 0 or not raw.is_file() or raw.stat().st_size == 0:
                stderr = self.log.read_text(encoding="utf-8", errors="replace")
                tail = stderr.strip().splitlines()[-1:] or ["no output"]
                raise PDFError(
                    f"PDF edition {year}: {chromium} exited with {code} and wrote no "
                    f"PDF: {tail[0][:200]}"
                )
            data = fix_pdf(raw.read_bytes(), self.doc.encode("utf-8"))
        finally:
            self.cancel()
        self.target.write_bytes(data)
        if self.cache is not None:
            self.cache.mkdir(parents=True, exist_ok=True)
            for old in self.cache.glob("*.pdf"):
                old.unlink(missing_ok=True)
            tmp = self.cache / f".{self.key}.tmp"
            tmp.write_bytes(data)
            tmp.replace(self.cache / f"{self.key}.pdf")
        return self.target


__all__ = [
    "PDFError",
    "PendingPDF",
    "find_chromium",
    "fix_pdf",
    "pdf_name",
    "print_document",
    "start_pdf",
    "write_pdf",
]
