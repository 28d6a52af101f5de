"""The PDF edition of a year's book, printed by Debian's Chromium from the print stylesheet.

:func:`print_document` puts every page of the book into one HTML document: a title
page (title, edition, publication date, licence, citation), a table of contents with
a link to every chapter and section, then each page's content, every chapter starting
on a new page.  Links between pages become links inside the document.  The book's
stylesheet with its print rules and ``assets/print.css`` (A4, page numbers in the
footer, tables fitted to the page width) lay it out; nothing runs in it.

:func:`write_pdf` prints it with headless Chromium (network blocked) into
``<book>/nssf-annual-report-<year>.pdf``: :class:`Browser` drives Chromium over its
DevTools pipe (``--remote-debugging-pipe``: load the document, ``Page.printToPDF``
tagged, with an outline), so that it can be started ahead, while the pages are still
being written (:func:`start_browser`), and :func:`start_pdf` starts the print and
returns, so the caller can go on while Chromium lays the book out.  The dates and
random ids Chromium writes are replaced by fixed ones, so the same book gives the same
bytes.
Without Chromium (or with ``NSSF_PDF=0``) there is no PDF edition and the build says
so.  Set ``NSSF_CHROMIUM`` to use another Chromium binary.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
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
)
#: How the book is printed (``Page.printToPDF``): the page size of the print stylesheet
#: (A4), its backgrounds, no header or footer of Chromium's own (the stylesheet numbers
#: the pages), a tagged PDF (its structure for screen readers) with an outline.
PRINT_OPTIONS = {
    "preferCSSPageSize": True,
    "printBackground": True,
    "displayHeaderFooter": False,
    "generateTaggedPDF": True,
    "generateDocumentOutline": True,
    "transferMode": "ReturnAsBase64",
}


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
#: The ids of the structure elements of a tagged PDF (Chromium's accessibility nodes):
#: in ``/ID``, the ``/Headers`` of table cells and the ``/IDTree``.
_NODE_ID = re.compile(rb"\(node(\d{8})\)")


def _same_length(text: bytes, new: bytes) -> bytes:
    return (new + b"0" * len(text))[: len(text)] if len(new) < len(text) else new[: len(text)]


def fix_pdf(data: bytes, seed: bytes) -> bytes:
    """Replace the dates and ids that differ between two prints of the same document.

    The dates become 2000-01-01, the document ids and XMP uuid are derived from
    ``seed``, and the ids of the structure elements (``(node00000042)``) are numbered
    from 1 in the order of their numbers.

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

    # the structure elements are named after accessibility nodes, whose numbers depend
    # on what Chromium happened to build before the print: numbered 1, 2, … in their
    # order instead (the same width, and the same order for the sorted id tree)
    rank = {old: b"%08d" % i for i, old in enumerate(sorted(set(_NODE_ID.findall(data))), 1)}

    def node(m):
        return b"(node" + rank[m.group(1)] + b")"

    data = _DATE.sub(date, data)
    data = _XMP_DATE.sub(xmp, data)
    data = _UUID.sub(uuid, data)
    data = _NODE_ID.sub(node, data)
    return _ID.sub(ident, data)


#: Run ``argv[3:]`` with the pipe ends ``argv[1]`` and ``argv[2]`` as its fd 3 and 4.
_AS_FD_3_AND_4 = """
import fcntl, os, sys
ends = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]
for fd in sys.argv[1:3]:
    os.close(int(fd))
os.dup2(ends[0], 3)
os.dup2(ends[1], 4)
for fd in ends:
    os.close(fd)
os.execv(sys.argv[3], sys.argv[3:])
"""


PROFILE_PREFIX = "nssf-pdf-"
PROFILE_OWNER = "owner"


def _process_start(pid: int) -> str | None:
    """Return when a process started, as the kernel counts it.

    Parameters
    ----------
    pid : int
        The process.

    Returns
    -------
    str or None
        None if no process ``pid`` runs; its start time in clock ticks since boot
        (``/proc/<pid>/stat``, field 22), which tells it from a later process given the
        same number; ``""`` where the start time cannot be read (not Linux).
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # it runs, as another user
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]  # the fields after the command's name


def remove_stale_profiles(folder: Path | None = None) -> list[Path]:
    """Remove the Chromium profiles of builds that ended without removing them.

    A build killed with SIGKILL cannot remove the profile its Chromium printed with
    (Chromium itself ends with the build, its pipe closes). Each profile folder names
    the build's process and its start time in a file ``owner``; the next build removes
    those whose process no longer runs (or whose number a later process now has). A
    folder without that file is left alone.

    Parameters
    ----------
    folder : Path, optional
        Where the profiles are (the temporary folder, the default).

    Returns
    -------
    list of Path
        The folders removed.
    """
    removed = []
    for path in sorted(Path(folder or tempfile.gettempdir()).glob(PROFILE_PREFIX + "*")):
        try:
            owner, start = (path / PROFILE_OWNER).read_text().split()
            pid = int(owner)
            if pid <= 0:  # 0 and -1 would name process groups to os.kill
                continue
            running = _process_start(pid)
        except (OSError, ValueError):
            continue  # not ours, or still being made
        if running is None or (running and start != "-" and running != start):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


class Browser:
    """A headless Chromium driven over its DevTools pipe, to print one document.

    Started at once (:func:`start_browser`), so the caller can write the document
    meanwhile; :meth:`print_pdf` prints it, :meth:`close` stops Chromium.  Chromium runs
    in a process group of its own (closing stops its helper processes too) within the
    caller's session: on Linux, where the scheduler shares the cores between sessions
    first, the work the build does at the lowest priority while Chromium prints
    (:mod:`nssf_analysis.book.priority`) then yields to it.  Chromium ends when its pipe
    closes, so also when the build's process ends, however it ends.

    Parameters
    ----------
    chromium : str
        The Chromium binary (:func:`find_chromium`).
    year : int
        The year of the book (named in errors).

    Raises
    ------
    PDFError
        If Chromium cannot be started.
    """

    def __init__(self, chromium: str, year: int):
        self.chromium, self.year = chromium, year
        remove_stale_profiles()
        self.profile = Path(tempfile.mkdtemp(prefix=PROFILE_PREFIX))
        start = _process_start(os.getpid()) or "-"
        (self.profile / PROFILE_OWNER).write_text(f"{os.getpid()} {start}\n")
        self.log = self.profile / "chromium.log"
        self.process: subprocess.Popen | None = None
        self._buffer = b""
        self._id = 0
        to_child, self._out = os.pipe()  # Chromium reads commands on its fd 3
        self._in, from_child = os.pipe()  # and writes answers on its fd 4
        # a small Python program gives Chromium the two ends as its fd 3 and 4 (no code
        # runs in the child between fork and exec: the build has threads)
        cmd = [
            sys.executable,
            "-I",
            "-S",
            "-c",
            _AS_FD_3_AND_4,
            str(to_child),
            str(from_child),
            chromium,
            *CHROMIUM_FLAGS,
            "--remote-debugging-pipe",
            f"--user-data-dir={self.profile / 'profile'}",
            "about:blank",
        ]
        try:
            # Chromium's messages go to a file: a pipe nobody reads could fill up
            with open(self.log, "wb") as log:
                self.process = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    pass_fds=(to_child, from_child),
                    process_group=0,
                )
        except OSError as err:
            self.close()
            raise PDFError(f"PDF edition {year}: cannot run {chromium}: {err}") from None
        finally:
            os.close(to_child)
            os.close(from_child)

    def _failed(self, what: str) -> PDFError:
        """Return the error of a print that failed: Chromium's exit and its last message."""
        code = None
        if self.process is not None:
            try:
                code = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        try:
            stderr = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            stderr = ""
        tail = stderr.strip().splitlines()[-1:] or ["no output"]
        how = f"exited with {code}" if code is not None else what
        return PDFError(
            f"PDF edition {self.year}: {self.chromium} {how} and wrote no PDF: {tail[0][:200]}"
        )

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode("utf-8") + b"\0"
        try:
            while data:
                data = data[os.write(self._out, data) :]
        except OSError:
            raise self._failed("closed its pipe") from None
        return self._id

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PDFError(
                    f"PDF edition {self.year}: {self.chromium} did not finish within "
                    f"{PRINT_TIMEOUT} s (NSSF_PDF_TIMEOUT)"
                )
            ready, _, _ = select.select([self._in], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(self._in, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                raise self._failed("closed its pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def _call(self, method, params=None, session=None, *, deadline: float, events=None) -> dict:
        wanted = self._send(method, params, session)
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    detail = message["error"].get("message", message["error"])
                    raise PDFError(f"PDF edition {self.year}: Chromium: {method}: {detail}")
                return message.get("result", {})
            if events is not None and "method" in message:
                events.append(message["method"])

    def print_pdf(self, url: str, timeout: float = PRINT_TIMEOUT) -> bytes:
        """Load ``url`` in a new tab, print it with :data:`PRINT_OPTIONS`; return the PDF.

        Raises
        ------
        PDFError
            If Chromium exits, reports an error, cannot load the document or takes longer
            than ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        target = self._call("Target.createTarget", {"url": "about:blank"}, deadline=deadline)
        session = self._call(
            "Target.attachToTarget",
            {"targetId": target["targetId"], "flatten": True},
            deadline=deadline,
        )["sessionId"]
        self._call("Page.enable", {}, session, deadline=deadline)
        events: list[str] = []
        nav = self._call("Page.navigate", {"url": url}, session, deadline=deadline, events=events)
        if nav.get("errorText"):
            raise PDFError(f"PDF edition {self.year}: cannot load {url}: {nav['errorText']}")
        while "Page.loadEventFired" not in events:
            message = self._receive(deadline)
            if message.get("method"):
                events.append(message["method"])
        result = self._call("Page.printToPDF", PRINT_OPTIONS, session, deadline=deadline)
        data = base64.b64decode(result.get("data", ""))
        if not data:
            raise PDFError(f"PDF edition {self.year}: {self.chromium} wrote an empty PDF")
        return data

    def stop(self) -> None:
        """Stop Chromium and its helper processes (a print under way ends with an error)."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            try:  # helpers left in Chromium's process group
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> None:
        """Stop Chromium, close the pipe and remove its profile.

        Not while another thread prints: :meth:`stop` first, and wait for it.
        """
        self.stop()
        for fd in (self._in, self._out):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._in = self._out = None
        shutil.rmtree(self.profile, ignore_errors=True)


def start_browser(chromium: str | None, year: int) -> Browser | None:
    """Start Chromium for the PDF edition ahead of the print; None without Chromium.

    The build starts it before it writes the book's pages, so that Chromium has started
    when the print document is ready; :func:`start_pdf` takes it (and closes it).

    Raises
    ------
    PDFError
        If Chromium cannot be started.
    """
    return None if chromium is None else Browser(chromium, year)


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
    browser: Browser | None = None,
) -> PendingPDF:
    """Start printing the PDF edition of the book in ``book_dir``; return at once.

    Chromium prints in its own processes while the caller goes on (the build writes
    the search index meanwhile); :meth:`PendingPDF.result` waits for it and writes the
    PDF, :meth:`PendingPDF.cancel` stops it.  A book printed before (same document, same
    stylesheets) is copied from ``cache`` and no Chromium prints.  The pages and
    stylesheets must not change until the result is taken.

    Parameters
    ----------
    book_dir, year, files, front, chromium, cache
        As for :func:`write_pdf`.
    browser : Browser, optional
        Chromium started ahead (:func:`start_browser`); else one is started here.  It is
        closed when the print ends or is cancelled (at once if the book is cached).

    Returns
    -------
    PendingPDF

    Raises
    ------
    PDFError
        If Chromium cannot be started.
    """
    book_dir = Path(book_dir)
    try:
        doc = print_document(book_dir, files, front)
        key_parts = [doc.encode("utf-8")]
        for css in ("book.css", "pygments.css", "print.css"):
            p = book_dir / "assets" / css
            key_parts.append(p.read_bytes() if p.exists() else b"")
        key = hashlib.sha256(b"\0".join(key_parts)).hexdigest()[:24]
        cache = None if cache is None else Path(cache)
        return PendingPDF(book_dir, year, doc, key, chromium, cache, browser)
    except BaseException:
        if browser is not None:
            browser.close()
        raise


class PendingPDF:
    """A PDF edition being printed (see :func:`start_pdf`)."""

    def __init__(
        self,
        book_dir: Path,
        year: int,
        doc: str,
        key: str,
        chromium: str,
        cache: Path | None,
        browser: Browser | None = None,
    ):
        self.year, self.doc, self.key = year, doc, key
        self.chromium, self.cache = chromium, cache
        self.target = book_dir / pdf_name(year)
        self.source = book_dir / PRINT_SOURCE
        self.browser: Browser | None = None
        self.thread: threading.Thread | None = None
        self.outcome: dict = {}
        self.started = time.monotonic()
        kept = None if cache is None else cache / f"{key}.pdf"
        if kept is not None and kept.is_file():
            self.kept = kept
            if browser is not None:
                browser.close()
            return
        self.kept = None
        self.source.write_text(doc, encoding="utf-8")
        try:
            self.browser = browser if browser is not None else Browser(chromium, year)
        except BaseException:
            self.source.unlink(missing_ok=True)
            raise
        url = self.source.resolve().as_uri()
        self.thread = threading.Thread(target=self._print, args=(url,), daemon=True)
        self.thread.start()

    @property
    def process(self) -> subprocess.Popen | None:
        """Chromium's process (None when the book came from the cache)."""
        return None if self.browser is None else self.browser.process

    def _print(self, url: str) -> None:
        try:
            left = max(0.0, PRINT_TIMEOUT - (time.monotonic() - self.started))
            self.outcome["data"] = self.browser.print_pdf(url, left)
        except PDFError as err:
            self.outcome["error"] = err
        except Exception as err:  # an answer that is not what the protocol says
            self.outcome["error"] = PDFError(
                f"PDF edition {self.year}: {self.chromium}: unexpected answer: {err}"
            )

    def cancel(self) -> None:
        """Stop Chromium (if it still prints) and remove what it was given."""
        if self.browser is not None:
            self.browser.stop()  # the printing thread reads the end of the pipe
            if self.thread is not None:
                self.thread.join(10)
            if self.thread is None or not self.thread.is_alive():  # else it still reads
                self.browser.close()
        self.source.unlink(missing_ok=True)

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
        try:
            self.thread.join()
            if "error" in self.outcome:
                raise self.outcome["error"]
            data = fix_pdf(self.outcome["data"], self.doc.encode("utf-8"))
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
    "Browser",
    "PDFError",
    "PendingPDF",
    "find_chromium",
    "fix_pdf",
    "pdf_name",
    "print_document",
    "remove_stale_profiles",
    "start_browser",
    "start_pdf",
    "write_pdf",
]
