"""The PDF edition: one print document of a book, printed by Chromium through Playwright."""

import base64
import contextlib
import datetime
import io
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import pikepdf
import psutil
import pytest
from playwright.sync_api import sync_playwright
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


def differences(a: Path, b: Path) -> list[str]:
    """Where two PDFs differ, object by object (empty: the same bytes); said when a test's
    two prints differ, so that a failure names the page, stream or key."""
    if a.read_bytes() == b.read_bytes():
        return []
    found = []
    with pikepdf.open(a) as x, pikepdf.open(b) as y:
        if len(x.pages) != len(y.pages):
            return [f"{len(x.pages)} pages against {len(y.pages)}"]
        for n, (p, q) in enumerate(zip(x.pages, y.pages, strict=True), start=1):
            if p.Contents.read_bytes() != q.Contents.read_bytes():
                found.append(f"page {n}: its content differs")
        objects = zip(x.objects, y.objects, strict=False)
        for i, (o, u) in enumerate(objects):
            if isinstance(o, pikepdf.Stream) and isinstance(u, pikepdf.Stream):
                if o.read_bytes() != u.read_bytes():
                    found.append(f"object {i}: stream {o.get('/Type', o.get('/Subtype', ''))}")
            elif repr(o) != repr(u):
                found.append(f"object {i}: {repr(o)[:80]} against {repr(u)[:80]}")
        found.append(f"{len(x.objects)} objects against {len(y.objects)}")
    return found[:12]


def test_the_print_document_has_a_front_page_contents_and_every_page(tmp_path):
    doc = pdf.print_document(make_book(tmp_path), FILES, FRONT)
    assert doc.count('<section class="print-page"') == 3
    assert doc.index('id="page-index"') < doc.index('id="page-two"') < doc.index('id="page-three"')
    toc = doc[doc.index('<nav class="print-toc"') : doc.index("</nav>")]
    # the index page is the front matter, not numbered; the chapters are, once each
    assert '<p class="print-toc-front"><a href="#page-index"><span>About this book</span>' in toc
    assert "Overview" not in toc and toc.count("<span>Chapter two</span>") == 1
    assert (
        '<ol><li><a href="#page-two"><span>Chapter two</span><span class="print-pg"></span>' in toc
    )
    assert '<li><a href="#part-1"><span>Part of Chapter two</span>' in toc
    assert 'href="#part-1">its part' in doc and 'href="#page-two">the next page' in doc
    assert '<a href="https://example.org/">' in doc and "<a>a file</a>" in doc  # no path
    for gone in ("x.csv", "two.html", "Sidebar", "Footer", "pager", "anchor-link"):
        assert gone not in doc
    # every front value is text: the script is shown, never run
    assert "A &lt;script&gt;alert(1)&lt;/script&gt; book" in doc and "<script" not in doc
    assert "Someone &lt;s@example.org&gt;" in doc
    # the page numbers of the second print
    doc = pdf.print_document(tmp_path, FILES, FRONT, {"page-two": 4, "part-1": 12})
    assert '<a href="#page-two"><span>Chapter two</span><span class="print-pg">4</span>' in doc
    assert (
        '<a href="#part-1"><span>Part of Chapter two</span><span class="print-pg">12</span>' in doc
    )


def test_an_id_two_pages_share_is_made_unique_and_its_links_follow(tmp_path):
    book = make_book(tmp_path)
    for name in ("two.html", "three.html"):
        page = (book / name).read_text().replace("</main>", '<h2 id="notes">Notes</h2></main>')
        (book / name).write_text(page.replace("</h1>", '</h1><a href="#notes">notes</a>'))
    index = (book / "index.html").read_text()
    (book / "index.html").write_text(
        index.replace("</h1>", '</h1><a href="three.html#notes">n</a>')
    )
    doc = pdf.print_document(book, FILES, FRONT)
    assert doc.count('id="notes"') == 1 and doc.count('id="three.notes"') == 1
    two, three = doc.split('id="page-three"')
    assert '<a href="#notes">notes</a>' in two.split('id="page-two"')[1]
    assert '<a href="#three.notes">notes</a>' in three and 'href="#three.notes">n</a>' in doc
    assert '<a href="#three.notes"><span>Notes</span>' in doc  # in the contents


def test_a_slash_between_words_may_break_a_line_in_text_only(tmp_path):
    book = make_book(tmp_path)
    page = '<td title="Enterprises/Establishments">Search for Enterprises/Establishments</td>'
    (book / "two.html").write_text(
        (book / "two.html").read_text().replace("</main>", page + "</main>")
    )
    doc = pdf.print_document(book, FILES, FRONT)
    assert (
        '<td title="Enterprises/Establishments">Search for Enterprises/<wbr>Establishments' in doc
    )


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


def tree_ids(data: bytes) -> list[str]:
    """The IDs of a tagged PDF's structure elements, as its ``/IDTree`` lists them."""
    with pikepdf.open(io.BytesIO(data)) as doc:
        tree = doc.Root.StructTreeRoot.IDTree
        return [str(k) for node in tree.get("/Kids", [tree]) for k in node.Names[::2]]


@needs_chromium
def test_the_structure_ids_do_not_depend_on_what_chromium_drew_before(tmp_path):
    # Chromium names structure elements by DOM node numbers, which count the nodes its
    # renderer made before: printed again in the same tab, the same document gets others
    book = make_book(tmp_path / "book").resolve()
    url = (book / pdf.PRINT_SOURCE).as_uri()
    body = pdf.print_document(book, FILES, FRONT, {"page-two": 3, "page-three": 4})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=pdf.find_chromium(), args=pdf.CHROMIUM_ARGS
        )
        page = browser.new_page(java_script_enabled=False, viewport=pdf.PORTRAIT)
        page.route(lambda u: u == url, lambda r: r.fulfill(content_type="text/html", body=body))
        prints = []
        for _ in range(2):
            page.goto(url)
            prints.append(page.pdf(**pdf.PDF_OPTIONS))
        browser.close()
    first, second = map(tree_ids, prints)
    assert len(first) == len(second) == 6 and first != second  # a table's 2 headings a page

    def fixed(data: bytes) -> bytes:
        out = io.BytesIO()
        with pikepdf.open(io.BytesIO(data)) as doc:
            pdf._fix(doc, "A book", DATE, [])
            doc.save(out, deterministic_id=True)
        return out.getvalue()

    assert fixed(prints[0]) == fixed(prints[1])
    assert tree_ids(fixed(prints[1])) == [f"node{n:08d}" for n in range(1, 7)]


@needs_chromium
def test_a_reprint_whose_pages_hold_prints_once_with_the_same_bytes(printed, tmp_path, monkeypatch):
    book = make_book(tmp_path / "book")
    read = []  # the PDFs whose pages are read: the previous edition's, then each print's
    real = pdf._dest_pages
    monkeypatch.setattr(pdf, "_dest_pages", lambda data: read.append(data) or real(data))
    again = pdf.write_pdf(book, 2022, FILES, FRONT, date=DATE, previous=printed[0])
    assert len(read) == 2  # the previous edition, and one print whose pages were the same
    assert differences(again, printed[0]) == []  # the same bytes as a print from scratch
    read.clear()  # an unreadable previous edition: printed as from scratch, untagged first
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 cut")
    anew = pdf.write_pdf(book, 2022, FILES, FRONT, date=DATE, previous=tmp_path / "broken.pdf")
    assert len(read) == 3  # the broken file, the untagged print, the tagged one
    assert differences(anew, printed[0]) == []


@needs_chromium
def test_the_pdf_has_its_pages_outline_metadata_dates_and_the_same_bytes_again(printed):
    path = printed[0]  # nothing else is left in the book folder
    assert differences(path, printed[1]) == []  # the same bytes, printed in another folder
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


def structure(path: Path) -> tuple[set[str], dict[str, str]]:
    """The structure types a tagged PDF uses, and its role map."""
    with pikepdf.open(path) as doc:
        assert doc.Root.MarkInfo.Marked
        root = doc.Root.StructTreeRoot
        roles = {str(k)[1:]: str(v)[1:] for k, v in root.get("/RoleMap", {}).items()}
        types, stack = set(), [root]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Dictionary) and "/K" in node:
                stack.extend(node.K if isinstance(node.K, pikepdf.Array) else [node.K])
                types |= {str(node.S)[1:]} if "/S" in node else set()
    return types, roles


def link_texts(reader: PdfReader) -> list[str]:
    """The /Contents of each link of a PDF ("None": none)."""
    return [
        str(a.get("/Contents"))
        for page in reader.pages
        for a in (x.get_object() for x in page.get("/Annots", []))
        if a["/Subtype"] == "/Link"
    ]


@needs_chromium
def test_the_pdf_is_tagged_with_standard_structure_types_and_described_links(printed):
    types, roles = structure(printed[0])
    assert {"Document", "H1", "H2", "P", "Link", "Table", "TR", "TH", "TD", "Strong"} <= types
    for kind in types - STANDARD:
        assert roles.get(kind, "?") in STANDARD, f"/{kind} is not a standard type"
    links = link_texts(PdfReader(printed[0]))  # every link says where it goes
    assert "None" not in links and not [link for link in links if "x.csv" in link]
    assert {"https://example.org/", "Go to part-1", "Go to page-two"} <= set(links)


#: The pages of a longer book: the index page and 11 chapters ("Chapter two" to "Chapter 12").
LONG = ["index.html"] + [f"c{n:02d}.html" for n in range(1, 12)]
#: print.css's page margins, top and bottom, in points (16 mm, 18 mm).
TOP, BOTTOM = 16 / 25.4 * 72, 18 / 25.4 * 72
FILLER = "<p>" + "A sentence of the chapter that fills its page. " * 24 + "</p>"


def png(width: int, height: int) -> str:
    """A grey PNG image as a data address."""
    row = b"\0" + b"\x80\x80\x80" * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + data).decode()


#: A graphic as the chapters show it: caption, image (3 times as tall as wide: 485 mm at the
#: page's width), source.
GRAPHIC = (
    '<div class="jp-OutputArea"><div class="jp-OutputArea-child"><div class="nssf-graphic">'
    '<b>Graphic 1:</b> A tall chart</div></div><div class="jp-OutputArea-child">'
    '<img alt="A tall chart" src="{}" width="611"></div>'
    '<div class="jp-OutputArea-child"><p>Source: the tall chart\'s source.</p></div></div>'
)
#: A table of 18 columns of 7-digit numbers: wider than a portrait page, not than a landscape one.
WIDE_TABLE = (
    "<table><caption>Table 9: A wide table</caption><thead><tr>"
    + "".join(f"<th>Column {n}</th>" for n in range(18))
    + "</tr></thead>"
    + ("<tr>" + "<td>1,234,567</td>" * 18 + "</tr>") * 3
    + "</table>"
)


@pytest.fixture(scope="module")
def printed_long(tmp_path_factory):
    """A book of 11 chapters, one with a tall graphic low on a page, one with a wide table."""
    book = make_book(tmp_path_factory.mktemp("long") / "book", LONG)
    for name, extra in (
        ("c03.html", FILLER * 3 + GRAPHIC.format(png(600, 1800))),
        ("c05.html", WIDE_TABLE),
    ):
        page = (book / name).read_text(encoding="utf-8")
        (book / name).write_text(page.replace('<nav class="pager"', extra + '<nav class="pager"'))
    return PdfReader(pdf.write_pdf(book, 2022, LONG, FRONT, date=DATE))


def texts(page) -> list[tuple[float, float, str]]:
    """The text runs of a PDF page: (height above the page's foot in pt, size in pt, text)."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5
            found.append((y, round(size * scale, 1), text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def contents(pages: list[str]) -> tuple[int, list[tuple[int, str, int]]]:
    """The "About this book" page and (number, title, page) of each chapter in the contents.

    ``pages`` are the text of each page of the PDF (the contents start on the second).
    """
    about = int(re.search(r"^\s*About this book\s+(\d+)\s*$", pages[1], re.M)[1])
    text = "\n".join(pages[1 : about - 1])
    chapters = re.findall(r"^\s*(\d+)\. (.+?)\s+(\d+)\s*$", text, re.M)
    return about, [(int(n), title, int(page)) for n, title, page in chapters]


def images(reader: PdfReader) -> list[tuple[int, float]]:
    """(page, height in pt) of each image a PDF draws, through its forms."""
    found = []

    def walk(n: int, content, resources, ctm: pikepdf.Matrix) -> None:
        stack = []
        for operands, op in pikepdf.parse_content_stream(content):
            if str(op) == "q":
                stack.append(ctm)
            elif str(op) == "Q":
                ctm = stack.pop()
            elif str(op) == "cm":
                ctm = pikepdf.Matrix(*map(float, operands)) @ ctm
            elif str(op) == "Do" and (x := resources.XObject[operands[0]]).Subtype == "/Image":
                found.append((n, abs(ctm.b) + abs(ctm.d)))
            elif str(op) == "Do" and x.Subtype == "/Form":
                m = pikepdf.Matrix(*map(float, x.get("/Matrix", [1, 0, 0, 1, 0, 0])))
                walk(n, x, x.get("/Resources", resources), m @ ctm)

    with pikepdf.open(reader.stream) as doc:
        for n, page in enumerate(doc.pages, 1):
            if page.Resources.get("/XObject"):
                walk(n, page, page.Resources, pikepdf.Matrix())
    return found


def printable(reader: PdfReader, n: int) -> float:
    """The height of page ``n``'s printable box, in pt."""
    return float(reader.pages[n - 1].mediabox.height) - TOP - BOTTOM


@needs_chromium
def test_the_contents_give_each_chapter_once_numbered_whole_with_its_page(printed_long):
    reader = printed_long
    about, chapters = contents([page.extract_text() for page in reader.pages])
    titles = ["Chapter two", "Chapter three"] + [f"Chapter {n}" for n in range(4, 13)]
    assert [(n, t) for n, t, _ in chapters] == list(enumerate(titles, 1))  # "10.", "11." whole
    starts = {}  # the page each chapter's heading is printed on, after the contents
    for n, page in enumerate(reader.pages[about - 1 :], about):
        for line in page.extract_text().splitlines():
            starts.setdefault(line.strip(), n)
    assert starts["Overview"] == about  # the index page's heading
    assert [page for _, _, page in chapters] == [starts[t] for t in titles]
    # title page, contents, index, then a page a chapter but Chapter 4's graphic (the next
    # page) and Chapter 6's wide table (a landscape page after it)
    assert [page for _, _, page in chapters] == [4, 5, 6, 8, 9, 11, 12, 13, 14, 15, 16]


@needs_chromium
def test_a_graphic_fits_its_page_beside_its_caption_and_source(printed_long):
    reader = printed_long
    ((page, height),) = images(reader)
    assert height <= printable(reader, page) and abs(height - 200 / 25.4 * 72) < 1  # 200 mm
    text = reader.pages[page - 1].extract_text()
    assert "Graphic 1: A tall chart" in text and "Source: the tall chart's source." in text
    assert "Chapter 4" not in text  # its chapter's heading is on the page before


@needs_chromium
def test_a_wide_table_gets_a_landscape_page_at_the_size_of_every_table(printed_long):
    reader = printed_long
    (wide,) = [p for p in reader.pages if "Table 9: A wide table" in p.extract_text()]
    assert wide.mediabox.width > wide.mediabox.height  # landscape
    assert {s for _, s, t in texts(wide) if t == "1,234,567"} == {6.5}
    assert [p.mediabox.width > p.mediabox.height for p in reader.pages].count(True) == 1
    # no page shrunk to fit the table: each page's text at 10 pt, its table at 6.5 pt
    sizes = [{t: s for _, s, t in texts(page)} for page in reader.pages]
    assert [s["See"] for s in sizes if "See" in s] == [10.0] * 12
    assert [s["Year"] for s in sizes if "Year" in s] == [6.5] * 12


@needs_chromium
@pytest.mark.slow
def test_the_published_pdf_edition_is_one_a_library_would_shelve(published):
    book_dir, _ = published
    path = book_dir / pdf.pdf_name(2022)
    if not path.exists() or not shutil.which("pdftotext"):
        pytest.skip("no PDF edition or no pdftotext (make browser installs both)")
    reader = PdfReader(path)
    layout = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True
    )
    pages = layout.stdout.split("\f")
    # the contents: each page of the book once, numbered whole, at the page its heading is on
    about, chapters = contents(pages)
    outline = [o for o in reader.outline if not isinstance(o, list)]
    top = [(reader.get_destination_page_number(o) + 1, o.title) for o in outline]
    assert top[1] == (about, "NSSF annual report 2022: data and analysis")  # the index page
    assert [(n, page) for n, _, page in chapters] == [(n, p) for n, (p, _) in enumerate(top[2:], 1)]
    titles = [t for _, t, _ in chapters]
    named = {
        re.search(r"<title>(.*?) · ", f.read_text(encoding="utf-8"))[1]
        for f in book_dir.glob("*.html")
        if f.name != "index.html"
    }
    assert len(set(titles)) == len(titles) == len(named) and set(titles) == named
    assert titles[:2] == ["Overview", "A. Occupational risk scheme"]
    # tagged with standard types, links described, metadata from the sources' date
    types, roles = structure(path)
    assert all(roles.get(kind, "?") in STANDARD for kind in types - STANDARD), types - STANDARD
    assert "None" not in link_texts(reader) and "" not in link_texts(reader)
    with pikepdf.open(path) as doc:
        info, meta = doc.docinfo, doc.open_metadata()
        assert all(str(v) == str(v).strip() for v in info.values())
        assert meta["dc:title"] == str(info.Title) and meta["dc:language"] == {"en"}
        stamp = str(info.CreationDate)
        assert meta["xmp:CreateDate"].startswith(f"{stamp[2:6]}-{stamp[6:8]}-{stamp[8:10]}T")
        assert not stamp.startswith("D:2000") and str(info.ModDate) == stamp
    # every image fits its page's printable box, and each graphic is beside its caption
    drawn = images(reader)
    assert drawn and all(height <= printable(reader, page) for page, height in drawn)
    html = "".join(f.read_text(encoding="utf-8") for f in book_dir.glob("0*.html"))
    for n in sorted(set(re.findall(r'<img alt="Graphic (\d+):', html)), key=int):
        (caption,) = [
            k for k, text in enumerate(pages, 1) if re.search(rf"^\s*Graphic {n}: ", text, re.M)
        ]
        assert caption in {page for page, _ in drawn}, f"Graphic {n} is not beside its caption"
    # the body at 10 pt (no page shrunk to fit a table), a landscape page after a full one
    assert 10.0 in {size for _, size, _ in texts(reader.pages[top[2][0] - 1])}
    for k, page in enumerate(reader.pages[1:], 2):
        before = reader.pages[k - 2]
        if (
            page.mediabox.width > page.mediabox.height
            and before.mediabox.width < before.mediabox.height
        ):
            lowest = min(y for y, _, _ in texts(before) if y > BOTTOM)
            assert lowest < BOTTOM + printable(reader, k - 1) / 2, f"page {k - 1} is mostly blank"


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
