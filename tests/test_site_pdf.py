"""The PDF edition: one print document of a book, printed by Chromium through Playwright."""

import contextlib
import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pikepdf
import psutil
import pytest
from pypdf import PdfReader

from nssf_analysis.book import pdf

FRONT = dict(title="A <script>alert(1)</script> book", edition="2022 edition", date="2026")
FRONT |= dict(licence="CC BY 4.0", citation="Someone (2026).", contact="Someone <s@example.org>")
FILES = ["index.html", "two.html", "three.html"]
TITLES = ["Overview", "Chapter two", "Chapter three"]
# 16:30 in Phnom Penh (UTC+7) is 09:30 UTC
DATE = datetime.datetime(2026, 12, 1, 16, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
PRINT_CSS = Path(pdf.__file__).parent / "templates" / "book" / "assets" / "print.css"
REQUIRED = os.environ.get("NSSF_REQUIRE_BROWSER") == "1"
needs_chromium = pytest.mark.skipif(
    pdf.find_chromium() is None and not REQUIRED,
    reason="no Chromium (make browser) or NSSF_PDF=0: the PDF edition is not printed",
)
#: The standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4).
STANDARD = set(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3"
    " H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry"
    " Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form".split()
)

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title} · A book</title></head><body>
<nav class="sidebar"><a href="two.html">Sidebar</a></nav><main id="content">
<h1 id="top-{n}">{title}<a class="anchor-link" href="#top-{n}">¶</a></h1>
<p>See <a href="{other}#part-{m}">its part</a>, <a href="{other}">the next page</a>,
<a href="https://example.org/">the web</a> and <a href="data/x.csv">a file</a>.</p>
<h2 id="part-{n}">Part of {title}</h2>
<table><thead><tr><th>Year</th><th>Members</th></tr></thead>{rows}</table>
<nav class="pager"><a href="{other}">next</a></nav></main><footer>Footer</footer></body></html>"""


def make_book(folder: Path, files=FILES, rows=1) -> Path:
    """Write a small book: pages linking to the next one, each with a table."""
    (folder / "assets").mkdir(parents=True)
    if PRINT_CSS.exists():
        shutil.copyfile(PRINT_CSS, folder / "assets" / "print.css")
    body = "".join(f"<tr><td>{2000 + i}</td><td>{i * 1234}</td></tr>" for i in range(rows))
    for n, name in enumerate(files):
        m = (n + 1) % len(files)
        title = TITLES[n] if n < len(TITLES) else f"Chapter {n + 1}"
        page = PAGE.format(title=title, n=n, m=m, other=files[m], rows=body)
        (folder / name).write_text(page, encoding="utf-8")
    return folder


def test_the_print_document_has_a_front_page_contents_and_every_page(tmp_path):
    doc = pdf.print_document(make_book(tmp_path), FILES, FRONT)
    assert doc.count('<section class="print-page"') == 3
    assert doc.index('id="page-index"') < doc.index('id="page-two"') < doc.index('id="page-three"')
    assert '<a href="#page-two">Chapter two</a>' in doc  # the contents
    assert '<a href="#part-1">Part of Chapter two</a>' in doc
    assert 'href="#part-1">its part' in doc and 'href="#page-two">the next page' in doc
    assert '<a href="https://example.org/">' in doc and "<a>a file</a>" in doc  # no path
    for gone in ("x.csv", "two.html", "Sidebar", "Footer", "pager", "anchor-link"):
        assert gone not in doc
    # every front value is text: the script is shown, never run
    assert "A &lt;script&gt;alert(1)&lt;/script&gt; book" in doc and "<script" not in doc
    assert "Someone &lt;s@example.org&gt;" in doc


def test_no_chromium_means_no_pdf(tmp_path, monkeypatch):
    monkeypatch.setenv("NSSF_PDF", "0")
    assert pdf.find_chromium() is None
    assert pdf.write_pdf(make_book(tmp_path), 2022, FILES, FRONT, date=DATE) is None
    monkeypatch.setenv("NSSF_PDF", "1")
    monkeypatch.setenv("NSSF_CHROMIUM", str(tmp_path / "no-chromium"))
    assert pdf.find_chromium() is None


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The small book printed twice, in two folders: the two PDFs' paths."""
    assert pdf.find_chromium(), "NSSF_REQUIRE_BROWSER=1 but no Chromium: make browser"
    books = [make_book(tmp_path_factory.mktemp(n) / "book") for n in ("a", "elsewhere")]
    return [pdf.write_pdf(book, 2022, FILES, FRONT, date=DATE) for book in books]


@needs_chromium
def test_the_pdf_has_its_pages_outline_metadata_dates_and_the_same_bytes_again(printed):
    path = printed[0]  # nothing else is left in the book folder
    assert path.read_bytes() == printed[1].read_bytes()  # printed in another folder
    assert str(path.parent).encode() not in path.read_bytes()
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([*FILES, "assets", path.name])
    reader = PdfReader(path)
    assert len(reader.pages) >= 3
    assert [round(float(x)) for x in reader.pages[0].mediabox[2:]] == [595, 842]  # A4 in pt
    assert f"Page 1 of {len(reader.pages)}" in reader.pages[0].extract_text()

    def titles(outline):
        return [t for o in outline for t in (titles(o) if isinstance(o, list) else [o.title])]

    for title in TITLES:
        assert {title, f"Part of {title}"} <= set(titles(reader.outline))
    with pikepdf.open(path) as doc:
        info = doc.docinfo
        assert str(info.CreationDate) == str(info.ModDate) == "D:20261201093000+00'00'"
        assert str(doc.docinfo.Producer) == pdf.PRODUCER and str(doc.Root.Lang) == "en"
        meta = doc.open_metadata()
        assert meta["dc:title"] == FRONT["title"] and "en" in meta["dc:language"]
        assert meta["xmp:CreateDate"] == "2026-12-01T09:30:00+00:00"


@needs_chromium
def test_the_pdf_is_tagged_with_standard_structure_types_and_described_links(printed):
    with pikepdf.open(printed[0]) as doc:
        assert doc.Root.MarkInfo.Marked
        root = doc.Root.StructTreeRoot
        roles = {str(k): str(v) for k, v in root.get("/RoleMap", {}).items()}
        types, stack = set(), [root]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Dictionary) and "/K" in node:
                stack.extend(node.K if isinstance(node.K, pikepdf.Array) else [node.K])
                types |= {str(node.S)[1:]} if "/S" in node else set()
    assert {"Document", "H1", "H2", "P", "Link", "Table", "TR", "TH", "TD"} <= types
    for kind in types - STANDARD:
        assert roles.get(f"/{kind}", "/?")[1:] in STANDARD, f"/{kind} is not a standard type"
    links = [  # every link says where it goes
        str(a.get("/Contents"))
        for page in PdfReader(printed[0]).pages
        for a in (x.get_object() for x in page.get("/Annots", []))
        if a["/Subtype"] == "/Link"
    ]
    assert "None" not in links and not [link for link in links if "x.csv" in link]
    assert {"https://example.org/", "Go to part-1", "Go to page-two"} <= set(links)


@needs_chromium
def test_a_book_the_print_blanks_fails_the_build(tmp_path):
    # a stray style in one page hides every page: front page and contents, 2 pages for 3
    book, stray = make_book(tmp_path), "<style>main{display:none}</style><h1"
    (book / "two.html").write_text((book / "two.html").read_text().replace("<h1", stray))
    with pytest.raises(pdf.PDFError, match=r"2 page\(s\) printed for 3 pages") as err:
        pdf.write_pdf(book, 2022, FILES, FRONT, date=DATE)
    assert f"PDF edition 2022 ({book})" in str(err.value) and "\n" not in str(err.value)
    assert not [p for p in book.iterdir() if p.suffix in (".pdf", ".tmp")]


@needs_chromium
def test_a_build_called_where_an_asyncio_loop_runs_still_prints(tmp_path):
    # a notebook's kernel, or a test that drives a browser, runs a loop in its main thread
    import asyncio

    async def in_a_loop():
        return pdf.write_pdf(make_book(tmp_path), 2022, FILES, FRONT, date=DATE)

    assert asyncio.run(in_a_loop()) == tmp_path / pdf.pdf_name(2022)
    assert (tmp_path / pdf.pdf_name(2022)).read_bytes().startswith(b"%PDF-")


@needs_chromium
def test_a_chromium_that_cannot_start_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("NSSF_CHROMIUM", shutil.which("false"))
    with pytest.raises(pdf.PDFError, match="PDF edition 2022") as err:
        pdf.write_pdf(make_book(tmp_path), 2022, FILES, FRONT, date=DATE)
    assert shutil.which("false") in str(err.value) and "\n" not in str(err.value)


def running(process: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    return False


def processes(pid: int, tmp: Path) -> list[psutil.Process]:
    """The build's processes: its descendants and those that left the tree (crash handlers)."""
    found = psutil.Process(pid).children(recursive=True)
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if process.environ().get("TMPDIR") == str(tmp) and process.pid != pid:
                found += [] if process in found else [process]
    return found


KILLED_BUILD = """
import datetime, sys
from pathlib import Path
from playwright.sync_api import Page
from nssf_analysis.book import pdf
real, Page.pdf = Page.pdf, lambda page, **kw: print("printing", flush=True) or real(page, **kw)
pdf.write_pdf(Path(sys.argv[1]), 2022, sys.argv[2:], {front!r}, date=datetime.datetime(2026, 1, 1))
"""


@needs_chromium
@pytest.mark.slow
def test_nothing_outlives_a_build_killed_while_chromium_prints(tmp_path):
    files = ["index.html"] + [f"p{n}.html" for n in range(2, 21)]
    book = make_book(tmp_path / "book", files, rows=300)  # long enough to take seconds
    # a folder of its own for the temporary files (short: Chromium puts sockets there)
    own = Path(tempfile.mkdtemp(prefix="nssf-k-", dir="/tmp"))
    code, env = KILLED_BUILD.format(front=FRONT), dict(os.environ, TMPDIR=str(own))
    build = subprocess.Popen(
        [sys.executable, "-c", code, str(book), *files], env=env, text=True, stdout=subprocess.PIPE
    )
    started = []
    try:
        assert build.stdout.readline() == "printing\n"
        time.sleep(1)  # Chromium lays the book out
        started = processes(build.pid, own)
        assert build.poll() is None and "name='chromium'" in str(started), started
        assert "name='node" in str(started), started  # Playwright's driver
        build.send_signal(signal.SIGKILL)
        build.wait()
        for _ in range(75):  # 15 s at most
            alive = [p for p in started if running(p)]
            if not alive and not list(own.iterdir()):
                break
            time.sleep(0.2)
        # no process, no Playwright profile, no folder of Chromium's, no PDF
        assert not alive and not list(own.iterdir()), (alive, list(own.iterdir()))
        assert not [p for p in book.iterdir() if p.suffix in (".pdf", ".tmp")]
    finally:  # whatever the outcome, nothing of the test's is left running
        build.kill()
        for process in started:  # psutil checks it is the same process, not a new one
            with contextlib.suppress(psutil.Error):
                process.kill()
        shutil.rmtree(own, ignore_errors=True)
