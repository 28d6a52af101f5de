"""The PDF edition: one print document from the book's pages, printed by Chromium."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from nssf_analysis import site_pdf

FRONT = {
    "title": "A <book>",
    "edition": "2022 edition",
    "date": "2026-12-01",
    "licence": "Free to use.",
    "citation": "Someone (2026). A book.",
    "contact": "Someone <someone@example.org>",
}

PAGE = """<!DOCTYPE html><html><head><title>{title} · A book</title></head><body>
<nav class="sidebar"><a href="other.html">Sidebar</a></nav>
<main id="content" class="content">
<h1 id="top-{n}">{title}<a class="anchor-link" href="#top-{n}">¶</a></h1>
<h2 id="part-{n}">Part of {title}</h2>
<p>Text of {title}. See <a href="{other}#part-{m}">the other page</a> or
<a href="{other}">its start</a> or <a href="data/x.csv">a file</a>.</p>
<table><tr><th>Wide</th><td>1</td><td>2</td><td>3</td><td>4</td><td>5</td><td>6</td></tr></table>
<nav class="pager"><a href="{other}">next</a></nav>
</main>
<footer>Footer</footer></body></html>"""


@pytest.fixture()
def book(tmp_path):
    (tmp_path / "assets").mkdir()
    for n, (name, other, m) in enumerate(
        [("index.html", "two.html", 1), ("two.html", "index.html", 0)]
    ):
        title = "Overview" if n == 0 else "Chapter two"
        (tmp_path / name).write_text(PAGE.format(title=title, n=n, m=m, other=other))
    from nssf_analysis.book import TEMPLATES

    for css in ("book.css", "print.css"):
        shutil.copyfile(TEMPLATES / "book" / "assets" / css, tmp_path / "assets" / css)
    return tmp_path


def test_the_print_document_has_a_front_page_contents_and_every_page(book):
    doc = site_pdf.print_document(book, ["index.html", "two.html"], FRONT)
    assert doc.count('<section class="print-page"') == 2
    assert doc.index('id="page-index"') < doc.index('id="page-two"')
    # contents: each page and its sections, linked inside the document
    assert '<a href="#page-two">Chapter two</a>' in doc
    assert '<a href="#part-1">Part of Chapter two</a>' in doc
    # links between pages become links inside the document; files stay files
    assert 'href="#part-1"' in doc and 'href="#page-two"' in doc
    # a link to a file would be a path on the printing machine's disk in the PDF
    assert "data/x.csv" not in doc and "<a>a file</a>" in doc
    assert "two.html" not in doc and "Sidebar" not in doc and "Footer" not in doc
    assert "pager" not in doc
    assert "A &lt;book&gt;" in doc and "<book>" not in doc  # the front page's text is escaped
    assert "<script" not in doc
    assert 'href="assets/print.css"' in doc


def test_fixed_dates_and_ids_keep_the_file_length():
    raw = (
        b"%PDF-1.4\n1 0 obj <</CreationDate (D:20261202011803+00'00') "
        b"/ModDate (D:20261202011803+00'00')>> endobj\n"
        b"<xmp:CreateDate>2026-12-02T01:18:03+00:00</xmp:CreateDate>"
        b"uuid:0f8e1c2a-1111-2222-3333-444455556666\n"
        b"trailer <</ID [<00112233445566778899aabbccddeeff> <ffeeddccbbaa99887766554433221100>]>>"
    )
    fixed = site_pdf.fix_pdf(raw, b"seed")
    assert len(fixed) == len(raw)
    assert b"2026" not in fixed and b"0f8e1c2a" not in fixed and b"ffeeddcc" not in fixed
    assert fixed == site_pdf.fix_pdf(raw.replace(b"011803", b"095959"), b"seed")


def test_structure_element_ids_are_numbered_in_order_whatever_chromium_counted():
    # two prints of one document: the same structure, the node numbers one apart
    def tagged(first: int) -> bytes:
        a, b, c = (b"(node%08d)" % (first + k) for k in (0, 1, 5))
        return (
            b"%PDF-1.4\n1 0 obj <</S /TH /ID " + a + b">> endobj\n"
            b"2 0 obj <</S /TD /A [<</O /Table /Headers [" + a + b"]>>] /ID " + b + b">> endobj\n"
            b"3 0 obj <</S /P /ID " + c + b">> endobj\n"
            b"4 0 obj <</Limits ["
            + a
            + b" "
            + c
            + b"] /Names ["
            + a
            + b" 1 0 R "
            + b
            + b" 2 0 R "
            + c
            + b" 3 0 R]>> endobj\n"
        )

    fixed = site_pdf.fix_pdf(tagged(42), b"seed")
    assert fixed == site_pdf.fix_pdf(tagged(43), b"seed")
    assert len(fixed) == len(tagged(42))
    assert b"/TH /ID (node00000001)" in fixed and b"/Headers [(node00000001)]" in fixed
    assert b"/TD" in fixed and b"/ID (node00000002)" in fixed
    assert b"/Limits [(node00000001) (node00000003)]" in fixed


CHROMIUM = site_pdf.find_chromium()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make browser)")
def test_chromium_prints_an_a4_pdf_with_page_numbers(book, tmp_path_factory):
    cache = tmp_path_factory.mktemp("pdf-cache")
    pdf = site_pdf.write_pdf(book, 2022, ["index.html", "two.html"], FRONT, CHROMIUM, cache)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert not (book / site_pdf.PRINT_SOURCE).exists()  # the print document is removed
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "(A4)" in info
        pages = int(next(ln for ln in info.splitlines() if ln.startswith("Pages:")).split()[1])
        assert pages >= 4  # front page, contents, a page per chapter
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
        ).stdout
        assert "Page 1 of" in text and "Contents" in text and "Chapter two" in text
        assert "Wide" in text and "6" in text  # the table's last column is on the page
    # printed again from the cache: the same bytes
    pdf.unlink()
    again = site_pdf.write_pdf(book, 2022, ["index.html", "two.html"], FRONT, CHROMIUM, cache)
    assert again.read_bytes() == data


def test_no_chromium_means_no_pdf(monkeypatch):
    monkeypatch.setenv("NSSF_PDF", "0")
    assert site_pdf.find_chromium() is None
    monkeypatch.setenv("NSSF_PDF", "1")
    monkeypatch.setenv("NSSF_CHROMIUM", "/nonexistent/chromium")
    assert site_pdf.find_chromium() is None


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make browser)")
def test_the_same_book_printed_in_two_folders_gives_the_same_bytes(book, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere") / "deeper" / "book"
    shutil.copytree(book, other)
    files = ["index.html", "two.html"]
    a = site_pdf.write_pdf(book, 2022, files, FRONT, CHROMIUM).read_bytes()
    b = site_pdf.write_pdf(other, 2022, files, FRONT, CHROMIUM).read_bytes()
    assert a == b
    assert str(book).encode() not in a


def _fake_chromium(tmp_path, body: str):
    """A stand-in for Chromium: a shell script (``body``) given Chromium's arguments."""
    script = tmp_path / "fake-chromium"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def _running(pid: int) -> bool:
    """Return whether process ``pid`` still runs (a zombie waiting to be reaped does not)."""
    for _ in range(40):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.05)
    return True


def test_a_print_runs_while_the_caller_goes_on_and_cancel_stops_it(book, tmp_path_factory):
    bin_dir = tmp_path_factory.mktemp("bin")
    pid_file = bin_dir / "helper.pid"
    # a helper process, as Chromium starts its renderers
    chromium = _fake_chromium(bin_dir, f"sleep 30 & echo $! > {pid_file}; wait")
    printing = site_pdf.start_pdf(book, 2022, ["index.html", "two.html"], FRONT, chromium)
    assert (book / site_pdf.PRINT_SOURCE).exists()  # Chromium is given the document
    assert printing.process.poll() is None  # start_pdf returned while it prints
    for _ in range(100):  # the helper has started once its pid is written
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.05)
    helper = int(pid_file.read_text())
    printing.cancel()
    assert printing.process.returncode is not None  # stopped, not left behind
    assert not _running(helper)  # its helper too
    assert not (book / site_pdf.PRINT_SOURCE).exists()
    assert not (book / site_pdf.pdf_name(2022)).exists()


def test_chromium_prints_in_a_process_group_of_its_own_in_the_builds_session(
    book, tmp_path_factory
):
    # its own group: cancel stops its helpers; the build's session: on Linux the cores
    # are shared between sessions first, and the build's low-priority work must yield
    chromium = _fake_chromium(tmp_path_factory.mktemp("bin"), "sleep 30")
    printing = site_pdf.start_pdf(book, 2022, ["index.html", "two.html"], FRONT, chromium)
    try:
        pid = printing.process.pid
        assert os.getpgid(pid) == pid != os.getpgid(0)
        assert os.getsid(pid) == os.getsid(0)
    finally:
        printing.cancel()


def test_a_print_that_fails_names_the_year_binary_and_chromiums_last_message(
    book, tmp_path_factory
):
    bin_dir = tmp_path_factory.mktemp("bin")
    chromium = _fake_chromium(bin_dir, "echo 'first line' >&2; echo 'no display found' >&2; exit 3")
    printing = site_pdf.start_pdf(book, 2022, ["index.html", "two.html"], FRONT, chromium)
    with pytest.raises(site_pdf.PDFError) as err:
        printing.result()
    msg = str(err.value)
    assert "PDF edition 2022" in msg and chromium in msg
    assert "exited with 3" in msg and "no display found" in msg
    assert not (book / site_pdf.PRINT_SOURCE).exists()


FAKE_DEVTOOLS = r"""#!{python}
# a stand-in for Chromium: answers the DevTools commands on fd 3 / fd 4 as Chromium does
import base64, json, os, sys
log = open({log!r}, "w")
json.dump(sys.argv[1:], log)
log.write("\n")
buffer = b""
while True:
    chunk = os.read(3, 65536)
    if not chunk:
        break
    buffer += chunk
    while b"\0" in buffer:
        raw, _, buffer = buffer.partition(b"\0")
        message = json.loads(raw)
        log.write(raw.decode() + "\n")
        log.flush()
        method = message["method"]
        result = {{
            "Target.createTarget": {{"targetId": "T1"}},
            "Target.attachToTarget": {{"sessionId": "S1"}},
            "Page.navigate": {{"frameId": "F1"}},
            "Page.printToPDF": {{"data": base64.b64encode({pdf!r}).decode()}},
        }}.get(method, {{}})
        answer = {{"id": message["id"], "result": result}}
        if "sessionId" in message:
            answer["sessionId"] = message["sessionId"]
        os.write(4, json.dumps(answer).encode() + b"\0")
        if method == "Page.navigate":
            event = {{"method": "Page.loadEventFired", "params": {{}}, "sessionId": "S1"}}
            os.write(4, json.dumps(event).encode() + b"\0")
"""


def _fake_devtools(bin_dir: Path, pdf: bytes) -> tuple[str, Path]:
    """A fake Chromium that speaks the DevTools pipe and prints ``pdf``; and its log."""
    import sys

    log = bin_dir / "devtools.log"
    script = bin_dir / "fake-chromium"
    script.write_text(FAKE_DEVTOOLS.format(python=sys.executable, log=str(log), pdf=pdf))
    script.chmod(0o755)
    return str(script), log


def test_a_print_that_writes_a_pdf_is_fixed_and_cached(book, tmp_path_factory):
    import json

    bin_dir = tmp_path_factory.mktemp("bin")
    cache = tmp_path_factory.mktemp("pdf-cache")
    # the fake prints a PDF with a date
    chromium, log = _fake_devtools(bin_dir, b"%PDF-1.4 /CreationDate (D:20261203091500Z)")
    pdf = site_pdf.write_pdf(book, 2022, ["index.html", "two.html"], FRONT, chromium, cache)
    assert pdf.read_bytes() == b"%PDF-1.4 /CreationDate (D:20000101000000Z)"
    assert len(list(cache.glob("*.pdf"))) == 1
    # Chromium was driven over its pipe, the network blocked, and asked for a tagged
    # PDF with an outline, of the print document in the book's folder
    args, *messages = (json.loads(line) for line in log.read_text().splitlines())
    assert "--remote-debugging-pipe" in args and "--proxy-server=127.0.0.1:9" in args
    calls = {m["method"]: m["params"] for m in messages}
    assert calls["Page.navigate"]["url"] == (book / site_pdf.PRINT_SOURCE).resolve().as_uri()
    options = calls["Page.printToPDF"]
    assert options["generateTaggedPDF"] is True and options["generateDocumentOutline"] is True
    assert options["preferCSSPageSize"] is True and options["displayHeaderFooter"] is False
    assert not (book / site_pdf.PRINT_SOURCE).exists()
    # the same book again: from the cache, no Chromium (this one would fail)
    pdf.unlink()
    broken = _fake_chromium(tmp_path_factory.mktemp("bin2"), "exit 1")
    again = site_pdf.start_pdf(book, 2022, ["index.html", "two.html"], FRONT, broken, cache)
    assert again.process is None
    assert again.result().read_bytes() == b"%PDF-1.4 /CreationDate (D:20000101000000Z)"


def test_a_browser_started_ahead_prints_and_is_closed_when_the_book_is_cached(
    book, tmp_path_factory
):
    bin_dir = tmp_path_factory.mktemp("bin")
    cache = tmp_path_factory.mktemp("pdf-cache")
    chromium, log = _fake_devtools(bin_dir, b"%PDF-1.4 ahead")
    files = ["index.html", "two.html"]
    ahead = site_pdf.start_browser(chromium, 2022)
    pdf = site_pdf.start_pdf(book, 2022, files, FRONT, chromium, cache, browser=ahead).result()
    assert pdf.read_bytes() == b"%PDF-1.4 ahead"
    assert ahead.process.poll() is not None  # closed after the print
    # printed before: the browser started ahead is closed at once, nothing is printed
    log.unlink()
    second = site_pdf.start_browser(chromium, 2022)
    again = site_pdf.start_pdf(book, 2022, files, FRONT, chromium, cache, browser=second)
    assert second.process.poll() is not None
    assert again.result().read_bytes() == b"%PDF-1.4 ahead"
    assert "Page.printToPDF" not in (log.read_text() if log.exists() else "")
    assert site_pdf.start_browser(None, 2022) is None  # no Chromium: no PDF edition


def test_a_chromium_that_reports_an_error_names_the_command(book, tmp_path_factory):
    bin_dir = tmp_path_factory.mktemp("bin")
    chromium, _ = _fake_devtools(bin_dir, b"")  # an empty PDF
    with pytest.raises(site_pdf.PDFError, match="PDF edition 2022: .* wrote an empty PDF"):
        site_pdf.write_pdf(book, 2022, ["index.html", "two.html"], FRONT, chromium)
    assert not (book / site_pdf.PRINT_SOURCE).exists()
    assert not (book / site_pdf.pdf_name(2022)).exists()


def test_a_print_that_takes_too_long_is_stopped_and_named(book, tmp_path_factory, monkeypatch):
    chromium = _fake_chromium(tmp_path_factory.mktemp("bin"), "sleep 30")  # never answers
    monkeypatch.setattr(site_pdf, "PRINT_TIMEOUT", 1)
    started = time.monotonic()
    printing = site_pdf.start_pdf(book, 2022, ["index.html", "two.html"], FRONT, chromium)
    with pytest.raises(site_pdf.PDFError, match=r"did not finish within 1 s \(NSSF_PDF_TIMEOUT\)"):
        printing.result()
    assert time.monotonic() - started < 15
    assert printing.process.poll() is not None  # stopped
    assert not (book / site_pdf.PRINT_SOURCE).exists()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make browser)")
def test_chromium_ends_when_the_build_that_started_it_is_killed(monkeypatch):
    # its pipe closes with the build's process, however that ends (SIGKILL included)
    import sys
    import tempfile

    # a temporary folder of the test's own, as builds of other tests running meanwhile
    # clean up the shared one; a short path, as Chromium puts its socket there and a
    # socket's path has at most 107 bytes
    own = Path(tempfile.mkdtemp(prefix="nssf-t-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(own))
    monkeypatch.setattr(tempfile, "tempdir", str(own))

    code = (
        "import time\nfrom nssf_analysis.book import pdf\n"
        "b = pdf.start_browser(pdf.find_chromium(), 2022)\n"
        "print(b.process.pid, b.profile, flush=True)\ntime.sleep(60)\n"
    )
    build = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pid, profile = build.stdout.readline().split()
    assert Path(profile).parent == own
    try:
        assert _running(int(pid))
        build.kill()
        build.wait()
        for _ in range(200):
            if not _running(int(pid)):
                break
            time.sleep(0.1)
        assert not _running(int(pid))
        # the killed build could not remove its profile; the next build's Chromium does
        assert Path(profile).is_dir()
        browser = site_pdf.start_browser(CHROMIUM, 2022)
        try:
            assert not Path(profile).exists()
            assert browser.profile.is_dir()
        finally:
            browser.close()
        assert not browser.profile.exists()
    finally:
        shutil.rmtree(own, ignore_errors=True)


def _profile(folder: Path, name: str, owner: str | None) -> Path:
    path = folder / f"nssf-pdf-{name}"
    (path / "profile").mkdir(parents=True)
    if owner is not None:
        (path / "owner").write_text(owner)
    return path


def test_only_the_profiles_of_builds_no_longer_running_are_removed(tmp_path):
    ended = subprocess.Popen(["true"])
    ended.wait()  # its number names no process now
    me = os.getpid()
    # field 22 of /proc/<pid>/stat: this process's start in clock ticks since boot
    started = Path(f"/proc/{me}/stat").read_text().rsplit(")", 1)[1].split()[19]
    gone = _profile(tmp_path, "gone", f"{ended.pid} 12345\n")
    reused = _profile(tmp_path, "reused", f"{me} {int(started) + 1}\n")  # a later process
    mine = _profile(tmp_path, "mine", f"{me} {started}\n")
    unknown_start = _profile(tmp_path, "unknown", f"{me} -\n")
    being_made = _profile(tmp_path, "new", None)
    garbled = _profile(tmp_path, "garbled", "not a process\n")
    group = _profile(tmp_path, "group", "0 12345\n")  # os.kill(0, 0) names a group
    everyone = _profile(tmp_path, "everyone", "-1 12345\n")
    other = tmp_path / "other-folder"
    other.mkdir()

    removed = site_pdf.remove_stale_profiles(tmp_path)

    assert sorted(removed) == sorted([gone, reused])
    assert not gone.exists() and not reused.exists()
    for kept in (mine, unknown_start, being_made, garbled, group, everyone, other):
        assert kept.is_dir()
