"""The book builder: a small book from throwaway notebooks, checked by parsing its HTML.

Every build here runs real notebooks on the project's kernel into a temporary outputs
folder (``NSSF_OUTPUTS``) from a temporary notebooks folder, so the project's own
``notebooks/`` and ``outputs/`` are never touched.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from nssf_analysis.book import build as book
from nssf_analysis.book import execute, pages, publish
from nssf_analysis.data.cache import clear_all
from nssf_analysis.exceptions import (
    BookBuildError,
    BuildInterruptedError,
    NotebookFailedError,
    NSSFError,
    YearNotAvailableError,
)
from nssf_analysis.processes import MARK, leftovers

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
KERNELSPEC = {
    "name": "nssf-analysis",
    "display_name": "Python (nssf-analysis)",
    "language": "python",
}
STDERR_MARKER = "NSSF-TEST-STDERR-MARKER"

# --------------------------------------------------------------------------- helpers


def make_notebook(cells) -> nbformat.NotebookNode:
    """A notebook from (kind, source) pairs; kind is md, code or param."""
    nb = nbformat.v4.new_notebook()
    for i, (kind, src) in enumerate(cells):
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(src)
        else:
            cell = nbformat.v4.new_code_cell(src)
            if kind == "param":
                cell.metadata["tags"] = ["parameters"]
        cell.id = f"c{i}"
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def count_run(name: str) -> str:
    # appends to runs.log in the working directory, which must be the notebooks folder
    return f"with open('runs.log', 'a') as fh:\n    fh.write(f'{name} {{year}}\\n')"


PARAMS = ("param", "year = 2022  # report year")

CHAPTERS = {
    "01_first": [
        ("md", "# First chapter\n\nRegistered enterprises and members."),
        PARAMS,
        ("code", count_run("01_first")),
        ("md", "## Registered members"),
        (
            "code",
            "from IPython.display import HTML\n"
            "from nssf_analysis.data.catalog import load_table\n"
            "df = load_table('t10', year)\n"
            "HTML('<div id=\"t10\"><p>Table 10</p>' + df.head(3).to_html() + '</div>')",
        ),
        (
            "code",
            # the marker is assembled at run time so the code itself does not contain it
            "import sys, warnings\nmarker = 'NSSF-TEST-' + 'STDERR-MARKER'\n"
            "print(marker, file=sys.stderr)\nwarnings.warn(marker + ' warning')",
        ),
        ("md", "### Notes on members"),
        ("code", "print('members counted:', len(df))"),
    ],
    "02_second": [
        ("md", "# Second chapter"),
        PARAMS,
        ("code", count_run("02_second")),
        ("md", "## A graphic"),
        (
            "code",
            "import matplotlib.pyplot as plt\n"
            "from IPython.display import HTML, display\n"
            "from nssf_analysis.render import style\n"
            "style.setup()\n"
            "display(HTML('<figure id=\"graphic-4\"><figcaption>Graphic 4</figcaption>'\n"
            "             '</figure>'))\n"
            "fig, ax = plt.subplots()\n"
            "ax.bar(['a', 'b'], [year - 2000, 3])\n"
            "plt.show()",
        ),
        ("md", "## Trends"),
        ("code", "[1, 2, 3]"),
    ],
    "03_third": [
        ("md", "# Third chapter"),
        PARAMS,
        ("code", count_run("03_third")),
        ("md", "## Year"),
        ("code", "print('the year is', year)"),
    ],
}


def write_notebooks(folder: Path, chapters=CHAPTERS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, cells in chapters.items():
        nbformat.write(make_notebook(cells), folder / f"{name}.ipynb")
    return folder


def runs(folder: Path) -> list[str]:
    log = folder / "runs.log"
    return log.read_text().splitlines() if log.exists() else []


def book_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def cli(
    outputs: Path, notebooks: Path, *args, warm: bool = False, tmp: Path | None = None, **popen
):
    """``nssf-report build`` in a process of its own, with a session mark of its own.

    ``tmp`` gives the build a temporary folder of its own (``TMPDIR``).
    """
    mark = f"test-build-{uuid.uuid4().hex}"
    env = dict(os.environ, NSSF_OUTPUTS=str(outputs), NSSF_NOTEBOOKS=str(notebooks))
    if tmp is not None:
        env["TMPDIR"] = str(tmp)
    env.update({MARK: mark, "NSSF_WARM": "1" if warm else "0"})
    cmd = [sys.executable, "-m", "nssf_analysis.cli", "build", *args]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )
    proc.mark = mark
    return proc


def leftovers_of(proc, wait: float = 15.0) -> list:
    """The processes the build ``proc`` started that still run after ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while (left := leftovers(proc.mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [(p.pid, " ".join(p.cmdline())[:100]) for p in left]


class Built:
    """A book built once for the module, and a second, no-change build of it."""

    def __init__(self, base: Path):
        self.base = base
        self.notebooks = write_notebooks(base / "notebooks")
        self.outputs = base / "outputs"
        self.book = self.outputs / "2022" / "book"
        self.logs: list[str] = []

    def build(self, **kw):
        return book.build(notebooks=self.notebooks, progress=False, log=self.logs.append, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory, kernel):
    b = Built(tmp_path_factory.mktemp("book"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NSSF_OUTPUTS", str(b.outputs))
        mp.setenv("NSSF_PDF", "0")
        mp.setenv("NSSF_WARM", "0")
        clear_all()
        b.first = b.build()
        b.first_logs = list(b.logs)
        b.runs_after_first = runs(b.notebooks)
        b.executed_mtimes = {
            p.name: p.stat().st_mtime_ns
            for p in (b.outputs / ".cache" / "executed" / "2022").iterdir()
        }
        b.second = b.build()
        yield b


#: A chapter that says it started (file ``started`` in the notebooks folder) and waits.
SLOW = [
    ("md", "# Slow chapter"),
    PARAMS,
    ("code", "import time\nopen('started', 'w').close()\ntime.sleep(120)"),
]


#: Says it started, then waits (at most a minute) for the file ``release``.
HOLD = (
    "import os, time\nopen('started', 'w').close()\n"
    "for _ in range(600):\n    if os.path.exists('release'):\n        break\n    time.sleep(0.1)"
)


def wait_for_slow(nbs: Path) -> None:
    deadline = time.monotonic() + 120
    while not (nbs / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (nbs / "started").exists()


@pytest.fixture(autouse=True)
def quick_builds(monkeypatch):
    """The small books of this module build without the PDF edition (``test_site_pdf``
    prints one, and the real book of ``conftest.published`` has one) and on plain kernels,
    but for the tests that kill or interrupt a build: those run on warm kernels."""
    monkeypatch.setenv("NSSF_PDF", "0")
    monkeypatch.setenv("NSSF_WARM", "0")


def copy_build(built: Built, dst: Path) -> tuple[Path, Path]:
    """A private copy of the built notebooks and outputs (cache included)."""
    nbs = dst / "notebooks"
    out = dst / "outputs"
    shutil.copytree(built.notebooks, nbs)
    shutil.copytree(built.outputs, out)
    return nbs, out


# --------------------------------------------------------------- parsing the HTML


class Page(HTMLParser):
    """ids, links, resources and text of one page."""

    LINK_ATTRS = {
        ("a", "href"),
        ("link", "href"),
        ("script", "src"),
        ("img", "src"),
        ("iframe", "src"),
        ("source", "src"),
        ("video", "src"),
        ("audio", "src"),
        ("embed", "src"),
        ("object", "data"),
        ("form", "action"),
    }

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.tags: list[tuple[str, dict]] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.add(a["id"])
        for t, attr in self.LINK_ATTRS:
            if tag == t and attr in a:
                self.links.append((tag, a[attr]))
        if "srcset" in a:
            self.links += [(tag, s.split()[0]) for s in a["srcset"].split(",") if s.strip()]
        if "style" in a:
            self.styles.append(a["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def is_external(url: str) -> bool:
    url = url.strip()
    if url.startswith("//"):
        return True
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    return bool(m) and m.group(1).lower() not in ("data", "mailto")


def parse_book(root: Path) -> dict[Path, Page]:
    return {p: Page(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.html"))}


# ------------------------------------------------------------------ the built book


def test_book_has_a_page_per_chapter_and_the_generated_pages(built):
    names = sorted(p.name for p in built.book.glob("*.html"))
    assert names == [
        "01_first.html",
        "02_second.html",
        "03_third.html",
        "catalog.html",
        "index.html",
        "methodology.html",
    ]
    assert sorted(p.name for p in (built.outputs / "2022" / "notebooks").iterdir()) == [
        "01_first.ipynb",
        "02_second.ipynb",
        "03_third.ipynb",
    ]
    assert [(r.name, r.status) for r in built.first.runs] == [
        ("01_first", "executed"),
        ("02_second", "executed"),
        ("03_third", "executed"),
    ]


def assert_every_page_reachable(book_dir: Path) -> None:
    seen, todo = set(), [book_dir / "index.html"]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        for tag, url in Page(page.read_text(encoding="utf-8")).links:
            if tag != "a" or is_external(url):
                continue
            path = urlsplit(url).path
            if path.endswith(".html"):
                target = (page.parent / unquote(path)).resolve()
                if target.is_relative_to(book_dir.resolve()):
                    todo.append(target)
    assert {p.resolve() for p in book_dir.rglob("*.html")} == {p.resolve() for p in seen}


def assert_links_resolve(book_dir: Path) -> int:
    """Every internal link and anchor of the book resolves; return how many were checked."""
    pages = parse_book(book_dir)
    checked = 0
    for page, parsed in pages.items():
        for _tag, url in parsed.links:
            if is_external(url) or url.startswith(("data:", "mailto:")):
                continue
            parts = urlsplit(url)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.exists(), f"{page.name}: broken link {url}"
            if parts.fragment:
                ids = pages[target].ids if target in pages else Page(target.read_text()).ids
                assert unquote(parts.fragment) in ids, f"{page.name}: no anchor for {url}"
            checked += 1
    return checked


def assert_offline(book_dir: Path) -> None:
    """No script, style, image or font of the book loads anything from outside it."""
    for page, parsed in parse_book(book_dir).items():
        for tag, url in parsed.links:
            if tag in ("a", "form"):  # a hyperlink loads nothing until followed
                continue
            assert not is_external(url), f"{page.name}: <{tag}> loads from outside: {url}"
        for tag, attrs in parsed.tags:
            assert not (tag == "link" and attrs.get("rel") == "preconnect"), page.name
        for style in parsed.styles:
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", style):
                assert not is_external(url), f"{page.name}: style loads {url}"
            assert "@import" not in style
        text = page.read_text(encoding="utf-8")
        for word in ("require.js", "mathjax", "MathJax", "cdn.", "unpkg", "googleapis"):
            assert word not in text, f"{page.name} mentions {word}"
    for asset in (book_dir / "assets").iterdir():
        text = asset.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), asset.name
        assert "@import" not in text and "@font-face" not in text, asset.name


def assert_no_error_output(book_dir: Path) -> None:
    for page in book_dir.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "application/vnd.jupyter.stderr" not in text, page.name
        assert "Traceback" not in text, page.name


def test_every_page_is_reachable_from_the_index(built):
    assert_every_page_reachable(built.book)


def test_every_internal_link_and_anchor_resolves(built):
    assert assert_links_resolve(built.book) > 100  # chapters, sidebar, catalog downloads …


def test_no_external_url_in_any_resource(built):
    assert_offline(built.book)


def test_no_error_or_stderr_output_is_rendered(built):
    assert_no_error_output(built.book)
    for page in built.book.glob("*.html"):
        assert STDERR_MARKER not in page.read_text(encoding="utf-8"), page.name
    # … but the build reported it, naming the notebook
    warned = [m for m in built.first_logs if STDERR_MARKER in m]
    assert warned and all("01_first.ipynb" in m for m in warned)


def test_chapter_page_has_sidebar_headings_anchors_and_pager(built):
    text = (built.book / "01_first.html").read_text(encoding="utf-8")
    page = Page(text)
    assert "<title>First chapter" in text
    # the notebook's Markdown headings are in the sidebar, linking to their anchors
    start = text.index('<nav class="sidebar"')
    sidebar = text[start : text.index("</nav>", start)]
    assert 'href="#Registered-members">Registered members</a>' in sidebar
    assert 'href="#Notes-on-members">Notes on members</a>' in sidebar
    assert {"Registered-members", "Notes-on-members"} <= page.ids
    # the table anchor the notebook emitted, listed with its downloads
    assert "t10" in page.ids
    assert 'href="#t10"' in sidebar and 'href="data/tidy/t10.csv"' in sidebar
    # previous / next
    assert 'rel="prev" href="index.html"' in text
    assert 'rel="next" href="02_second.html"' in text
    second = Page((built.book / "02_second.html").read_text(encoding="utf-8"))
    assert "graphic-4" in second.ids
    assert ("a", "#graphic-4") in second.links


def test_code_is_hidden_by_default_with_a_toggle(built):
    text = (built.book / "01_first.html").read_text(encoding="utf-8")
    assert text.count('<details class="nssf-code">') == 6  # 5 code cells + injected parameters
    assert '<details class="nssf-code" open' not in text
    assert 'id="toggle-code"' in text
    assert '<script src="assets/book.js"></script>' in text
    js = (built.book / "assets" / "book.js").read_text()
    assert "toggle-code" in js and "details.nssf-code" in js


def test_index_has_headline_figures_and_chapters(built):
    text = (built.book / "index.html").read_text(encoding="utf-8")
    # section 2 of the 2022 report: "a total of 21,430 … enterprises … 3,120,208 members
    # (1,798,510 females)"
    for printed in ("21,430", "3,120,208", "1,798,510", "740,480.76"):
        assert printed in text
    for href, title in (
        ("01_first.html", "First chapter"),
        ("02_second.html", "Second chapter"),
        ("03_third.html", "Third chapter"),
    ):
        assert re.search(rf'href="{href}"><span class="num">\d\d</span> {title}</a>', text)
    assert 'href="catalog.html"' in text and 'href="methodology.html"' in text


def test_downloads_are_the_data_files(built):
    data = built.book / "data"
    tidy_ids = sorted(p.stem for p in (DATA / "tidy").glob("*.csv"))
    assert sorted(p.stem for p in (data / "tidy").glob("*.csv")) == tidy_ids
    assert (data / "tidy" / "t10.csv").read_bytes() == (DATA / "tidy" / "t10.csv").read_bytes()
    assert (data / "raw" / "a6_1_1.csv").read_bytes() == (DATA / "raw" / "a6_1_1.csv").read_bytes()
    catalog_page = (built.book / "catalog.html").read_text(encoding="utf-8")
    for tid in tidy_ids:
        assert f'href="data/tidy/{tid}.csv"' in catalog_page
        assert f'href="data/raw/{tid}.csv"' in catalog_page
    # the catalog points to where a table is shown
    assert 'href="01_first.html#t10"' in catalog_page


def test_excel_workbook_has_every_tidy_table(built):
    from openpyxl import load_workbook

    path = built.book / "data" / publish.WORKBOOK
    with open(DATA / "catalog.csv", newline="") as fh:
        ids = [r["table_id"] for r in csv.DictReader(fh)]
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["catalog", *ids]
    with open(DATA / "tidy" / "t10.csv", newline="") as fh:
        expected = list(csv.reader(fh))
    rows = [list(r) for r in wb["t10"].iter_rows(values_only=True)]
    assert rows[0] == expected[0]
    assert len(rows) == len(expected)
    vi = expected[0].index("value")
    assert [float(r[vi]) for r in rows[1:]] == [float(r[vi]) for r in expected[1:]]
    wb.close()
    with zipfile.ZipFile(path) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_footer_names_commit_parameters_data_hash_and_versions(built):
    res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    commit = res.stdout.strip() if res.returncode == 0 else "unknown"
    h = hashlib.sha256()
    for p in sorted((p for p in DATA.rglob("*") if p.is_file()), key=lambda p: p.as_posix()):
        h.update(p.relative_to(DATA).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).hexdigest().encode() + b"\n")
    for page in built.book.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        footer = text[text.index('<footer class="footer">') :]
        assert f"<code>{commit}</code>" in footer, page.name
        assert "<code>year=2022</code>" in footer
        assert h.hexdigest() in footer
        for pkg in ("pandas", "matplotlib", "statsmodels", "papermill", "nbconvert"):
            assert f"{pkg} {metadata.version(pkg)}" in footer
        assert f"nssf-analysis {metadata.version('nssf-analysis')}" in footer


def test_pages_are_responsive(built):
    css = (built.book / "assets" / "book.css").read_text()
    assert "@media (max-width" in css
    for page in built.book.glob("*.html"):
        assert 'name="viewport" content="width=device-width' in page.read_text()


def test_methodology_page(built):
    page = Page((built.book / "methodology.html").read_text(encoding="utf-8"))
    assert any(tag == "h1" for tag, _ in page.tags)
    assert len([t for t, _ in page.tags if t in ("h2", "h3")]) >= 2


def test_years_index_lists_the_built_year(built):
    text = (built.outputs / "index.html").read_text()
    assert 'href="2022/book/index.html"' in text


# ----------------------------------------------------------------------- the cache


def test_second_build_is_served_from_the_cache(built):
    assert [r.status for r in built.second.runs] == ["cached"] * 3
    assert built.second.books == {2022: "up to date"}
    # the notebooks ran once each, in the notebooks folder, and not again
    assert sorted(built.runs_after_first) == ["01_first 2022", "02_second 2022", "03_third 2022"]
    assert runs(built.notebooks) == built.runs_after_first
    executed = built.outputs / ".cache" / "executed" / "2022"
    assert {p.name: p.stat().st_mtime_ns for p in executed.iterdir()} == built.executed_mtimes
    assert built.second.seconds < built.first.seconds / 10


def test_changed_notebook_runs_again_alone(built, tmp_path, monkeypatch):
    nbs, out = copy_build(built, tmp_path)
    monkeypatch.setenv("NSSF_OUTPUTS", str(out))
    (nbs / "runs.log").unlink()
    cells = list(CHAPTERS["03_third"]) + [("md", "## An added section")]
    nbformat.write(make_notebook(cells), nbs / "03_third.ipynb")
    report = book.build(notebooks=nbs, progress=False, log=lambda m: None)
    assert [(r.name, r.status) for r in report.runs] == [
        ("01_first", "cached"),
        ("02_second", "cached"),
        ("03_third", "executed"),
    ]
    assert runs(nbs) == ["03_third 2022"]
    assert report.books == {2022: "rendered"}
    assert "An added section" in (out / "2022" / "book" / "03_third.html").read_text()
    # a changed parameter runs everything for that year only
    inputs = book.Inputs.collect()
    assert inputs.chapter_key(nbs / "01_first.ipynb", 2021) != (
        inputs.chapter_key(nbs / "01_first.ipynb", 2022)
    )


def test_force_runs_everything(built, tmp_path, monkeypatch):
    nbs, out = copy_build(built, tmp_path)
    monkeypatch.setenv("NSSF_OUTPUTS", str(out))
    (nbs / "runs.log").unlink()
    monkeypatch.setenv("NSSF_JOBS", "1")  # one notebook at a time: the same book
    said = []
    report = book.build(notebooks=nbs, force=True, progress=False, log=said.append)
    assert "3 notebooks: 3 to run on 1 process(es), 0 from the cache" in said
    assert [r.status for r in report.runs] == ["executed"] * 3
    assert sorted(runs(nbs)) == ["01_first 2022", "02_second 2022", "03_third 2022"]
    # reproducible: the forced rebuild writes the same bytes, page for page
    assert book_files(out / "2022" / "book") == book_files(built.book)
    assert book_files(out / "2022" / "notebooks") == book_files(
        built.outputs / "2022" / "notebooks"
    )


def test_two_cold_builds_are_byte_identical(built, tmp_path, monkeypatch):
    nbs = write_notebooks(tmp_path / "elsewhere" / "notebooks")
    out = tmp_path / "other-outputs"
    monkeypatch.setenv("NSSF_OUTPUTS", str(out))
    book.build(notebooks=nbs, progress=False, log=lambda m: None)
    a, b = book_files(built.book), book_files(out / "2022" / "book")
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert different == []
    executed = json.loads((out / "2022" / "notebooks" / "02_second.ipynb").read_text())
    assert "papermill" not in executed["metadata"]
    assert all("execution" not in c["metadata"] for c in executed["cells"])
    assert any(
        "image/png" in o.get("data", {}) for c in executed["cells"] for o in c.get("outputs", [])
    )


# ------------------------------------------------------------------------ failures


def test_failing_notebook_keeps_the_previous_book(built, tmp_path):
    nbs, out = copy_build(built, tmp_path)
    before = book_files(out / "2022" / "book")
    broken = [
        ("md", "# Broken chapter"),
        PARAMS,
        ("code", "x = 1"),
        ("code", "y = 2\nz = x / 0\nprint(z)"),
        ("code", "print('never')"),
    ]
    nbformat.write(make_notebook(broken), nbs / "04_broken.ipynb")
    proc = cli(out, nbs)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 1
    err = [ln for ln in stderr.splitlines() if ln.startswith("nssf-report: error:")]
    assert len(err) == 1
    assert "04_broken.ipynb" in err[0] and "cell 4" in err[0] and "ZeroDivisionError" in err[0]
    assert "line 2: z = x / 0" in stderr
    assert "Traceback" not in stderr
    assert book_files(out / "2022" / "book") == before
    assert leftovers_of(proc) == []
    failed = json.loads((out / "2022" / "failed" / "04_broken.ipynb").read_text())
    errors = [
        o for c in failed["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
    ]
    assert errors and errors[0]["ename"] == "ZeroDivisionError"
    # fixed, the notebook runs alone, the book is published and failed/ is cleared
    broken[3] = ("code", "y = 2\nprint(x + y)")
    nbformat.write(make_notebook(broken), nbs / "04_broken.ipynb")
    proc = cli(out, nbs)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert re.search(r"04_broken\s+2022\s+executed", stdout)
    assert re.search(r"01_first\s+2022\s+cached", stdout)
    assert (out / "2022" / "book" / "04_broken.html").exists()
    assert not (out / "2022" / "failed").exists()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_build_leaves_the_previous_book(built, tmp_path, signum):
    nbs, out = copy_build(built, tmp_path)
    before = book_files(out / "2022" / "book")
    nbformat.write(make_notebook(SLOW), nbs / "04_slow.ipynb")
    proc = cli(
        out,
        nbs,
        "--force",
        warm=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for_slow(nbs)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "interrupted" in stderr
    assert book_files(out / "2022" / "book") == before
    leftovers = [p.name for p in (out / "2022").iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert leftovers_of(proc) == []


def test_a_killed_build_leaves_no_process_and_the_next_build_cleans_up(built, tmp_path):
    nbs, out = copy_build(built, tmp_path)
    before = book_files(out / "2022" / "book")
    nbformat.write(make_notebook(SLOW), nbs / "04_slow.ipynb")
    # a temporary folder of the test's own (short: it holds the kernels' sockets), so that
    # no other build of the test session cleans it up first
    own = Path(tempfile.mkdtemp(prefix="nk", dir="/tmp"))
    proc = cli(out, nbs, "--force", warm=True, tmp=own)
    wait_for_slow(nbs)
    proc.kill()
    proc.communicate(timeout=60)
    # the workers, their fork servers and kernels die with the build
    assert leftovers_of(proc) == []
    assert book_files(out / "2022" / "book") == before
    # the killed build's temporary folder (nssf-b-<pid>-…: its workers' and kernels'
    # sockets, connection files, multiprocessing folders) is still there
    killed = list(own.glob(f"{publish.BUILD_TMP}{proc.pid}-*"))
    assert killed and any(killed[0].iterdir())
    (nbs / "04_slow.ipynb").unlink()
    again = cli(out, nbs, tmp=own)
    _, stderr = again.communicate(timeout=600)
    assert again.returncode == 0, stderr
    # the next build removed it, and left nothing of its own
    assert list(own.iterdir()) == []
    own.rmdir()
    assert not list(out.glob(".cache/executed/*/*.running.ipynb"))
    assert [p.name for p in (out / "2022").iterdir() if p.name.startswith(".")] == []
    assert leftovers_of(again) == []


def test_two_builds_at_once_do_not_corrupt_each_other(built, tmp_path):
    nbs, out = copy_build(built, tmp_path)
    held = [("md", "# Held"), PARAMS, ("code", HOLD)]
    nbformat.write(make_notebook(held), nbs / "04_held.ipynb")
    first = cli(out, nbs, "--force")
    wait_for_slow(nbs)
    second = cli(out, nbs)
    time.sleep(3)  # the second build starts and waits for the lock
    (nbs / "release").touch()
    out1, err1 = first.communicate(timeout=600)
    out2, err2 = second.communicate(timeout=600)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "waiting for it" in err2
    # the second build started after the first had finished and found a whole book
    assert re.search(r"book 2022: (up to date|rendered)", out2)
    assert sorted(book_files(out / "2022" / "book")) == sorted(
        [*book_files(built.book), "04_held.html"]
    )
    assert [p.name for p in (out / "2022").iterdir() if p.name.startswith(".")] == []


def test_year_without_data_is_refused(built, monkeypatch):
    monkeypatch.setenv("NSSF_OUTPUTS", str(built.outputs))
    with pytest.raises(YearNotAvailableError, match=r"no data for year 1999; available years: "):
        book.build(years=[1999], notebooks=built.notebooks, progress=False)


def test_no_notebooks_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "out"))
    (tmp_path / "nb").mkdir()
    nbformat.write(make_notebook([("md", "# not a chapter")]), tmp_path / "nb" / "scratch.ipynb")
    with pytest.raises(BookBuildError, match="no chapter notebook"):
        book.build(notebooks=tmp_path / "nb", progress=False)


# ---------------------------------------------------------------------- several years


def test_several_years_get_a_year_switcher(built, tmp_path, monkeypatch, kernel):
    nbs = write_notebooks(tmp_path / "notebooks", {"01_first": CHAPTERS["01_first"]})
    out = tmp_path / "outputs"
    monkeypatch.setenv("NSSF_OUTPUTS", str(out))
    report = book.build(years=[2021, 2022], notebooks=nbs, progress=False, log=lambda m: None)
    assert report.books == {2021: "rendered", 2022: "rendered"}
    assert sorted(runs(nbs)) == ["01_first 2021", "01_first 2022"]
    top = Page((out / "index.html").read_text())
    assert ("a", "2021/book/index.html") in top.links and ("a", "2022/book/index.html") in top.links
    for year, other in ((2021, 2022), (2022, 2021)):
        for page in (out / str(year) / "book").glob("*.html"):
            parsed = Page(page.read_text())
            link = f"../../{other}/book/{page.name}"
            assert ("a", link) in parsed.links, page
            assert (page.parent / link).resolve().exists()
            assert f'<span class="year current" aria-current="page">{year}</span>' in (
                page.read_text()
            )


# ---------------------------------------------------------------- the small pieces


def test_sanitize_notebook_removes_run_dependent_content():
    nb = {
        "metadata": {"papermill": {"start_time": "2024-01-01"}, "kernelspec": KERNELSPEC},
        "cells": [
            {"cell_type": "code", "id": "x1", "metadata": {"tags": ["parameters"]}},
            {
                "cell_type": "code",
                "id": "random-uuid",
                "metadata": {"tags": ["injected-parameters"], "papermill": {"duration": 1}},
            },
            {
                "cell_type": "code",
                "id": "random-2",
                "metadata": {"execution": {"iopub.status.busy": "2024"}},
                "outputs": [
                    {
                        "output_type": "execute_result",
                        "data": {"text/plain": "[<matplotlib.lines.Line2D at 0x7f3a2b1c0d90>]"},
                    },
                    {
                        "output_type": "stream",
                        "name": "stderr",
                        "text": "/tmp/nssf-b-4925-25rduavj/ipykernel_4977/12.py:4: UserWarning: w",
                    },
                ],
            },
        ],
    }
    out = pages.sanitize_notebook(nb, ["x1", None])
    # the build's temporary folder and the kernel's pid are the same from run to run
    assert out["cells"][2]["outputs"][1]["text"] == "/tmp/ipykernel_<pid>/12.py:4: UserWarning: w"
    assert out["metadata"] == {"kernelspec": KERNELSPEC}
    assert [c["id"] for c in out["cells"]] == ["x1", "injected-parameters", "cell-1"]
    assert out["cells"][1]["metadata"] == {"tags": ["injected-parameters"]}
    assert out["cells"][2]["metadata"] == {}
    assert out["cells"][2]["outputs"][0]["data"]["text/plain"] == (
        "[<matplotlib.lines.Line2D at 0x…>]"
    )


def test_prepare_for_render_drops_stderr_and_scripts():
    nb = {
        "metadata": {},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# t"},
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": "kept\n"},
                    {"output_type": "stream", "name": "stderr", "text": "\nUserWarning: x\n"},
                    {"output_type": "display_data", "data": {"application/javascript": "x()"}},
                    {
                        "output_type": "display_data",
                        "data": {"application/javascript": "y()", "text/plain": "fallback"},
                    },
                ],
            },
        ],
    }
    clean, warnings = pages._for_the_book(nb)
    assert warnings == ["cell 2 wrote to stderr: UserWarning: x"]
    assert clean["cells"][1]["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "kept\n"},
        {"output_type": "display_data", "data": {"text/plain": "fallback"}},
    ]
    assert len(nb["cells"][1]["outputs"]) == 4  # the original is left alone


def test_describe_failure_names_cell_line_and_error():
    tb = [
        "\x1b[31m-----\x1b[39m",
        "\x1b[31mKeyError\x1b[39m   Traceback (most recent call last)",
        "Cell \x1b[32mIn[3]\x1b[39m, line 2\n      1 a = 1\n"
        "\x1b[32m----> \x1b[39m\x1b[32m2\x1b[39m d[\x1b[33m'missing'\x1b[39m]\n",
        "\x1b[31mKeyError\x1b[39m: 'missing'",
    ]
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {"tags": ["papermill-error-cell-tag"]}},
            {"cell_type": "markdown", "metadata": {}, "source": "# x"},
            {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "outputs": []},
            {"cell_type": "code", "metadata": {"tags": ["injected-parameters"]}, "outputs": []},
            {
                "cell_type": "code",
                "metadata": {},
                "source": "a = 1\nd['missing']",
                "outputs": [{"output_type": "error", "traceback": tb}],
            },
        ]
    }

    class Err(Exception):
        ename, evalue = "KeyError", "'missing'"

    msg = execute._describe_failure(nb, "05_x.ipynb", 2022, Err())
    assert (
        msg.splitlines()[0]
        == "notebook 05_x.ipynb (year=2022) failed in cell 3: KeyError: 'missing'"
    )
    assert "line 2: d['missing']" in msg


def test_workbook_is_reproducible(tmp_path):
    from nssf_analysis.book.exports import write_workbook

    write_workbook(tmp_path / "a.xlsx")
    # another process, another hash seed and time zone, a second later
    time.sleep(1.1)
    env = dict(os.environ, PYTHONHASHSEED="12345", TZ="Pacific/Kiritimati")
    target = str(tmp_path / "b.xlsx")
    code = f"from nssf_analysis.book.exports import write_workbook; write_workbook({target!r})"
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=300)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as zf:
        assert {i.date_time for i in zf.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == [
        "2000-01-01T00:00:00Z",
        "2000-01-01T00:00:00Z",
    ]


def test_build_errors_are_package_errors():
    assert issubclass(NotebookFailedError, NSSFError)
    assert issubclass(BuildInterruptedError, NSSFError)


# ------------------------------------------------------- data-level dependencies

#: Chapters that read different data: one table each, the catalog only, nothing, and a
#: table named in a data file (so what it reads depends on the data).
DATA_CHAPTERS = {
    "01_reads_t10": [
        ("md", "# Reads Table 10"),
        PARAMS,
        ("code", count_run("01_reads_t10")),
        ("code", "from nssf_analysis.data.catalog import load_table\nload_table('t10', year)"),
    ],
    "02_reads_t11": [
        ("md", "# Reads Table 11"),
        PARAMS,
        ("code", count_run("02_reads_t11")),
        ("code", "from nssf_analysis.data.catalog import load_table\nload_table('t11', year)"),
    ],
    "03_reads_catalog": [
        ("md", "# Reads the catalog"),
        PARAMS,
        ("code", count_run("03_reads_catalog")),
        ("code", "from nssf_analysis.data.catalog import catalog\nlen(catalog())"),
    ],
    "04_reads_nothing": [
        ("md", "# Reads no data"),
        PARAMS,
        ("code", count_run("04_reads_nothing")),
        ("code", "print('the year is', year)"),
    ],
    "05_reads_picked": [
        ("md", "# Reads the table named in pick.txt"),
        PARAMS,
        ("code", count_run("05_reads_picked")),
        (
            "code",
            "from nssf_analysis import paths\nfrom nssf_analysis.data import files\n"
            "pick = files.read_text(paths.data_dir() / 'pick.txt').strip()\n"
            "values = files.read_csv(paths.tidy_dir() / f'{pick}.csv')['value']\n"
            "total = values.astype(float).sum()\n"
            "print(f'sum of {pick}: {total:.1f}')",
        ),
    ],
}


def bump_first_value(path: Path) -> float:
    """Add 1 to the first row's value of a tidy file; return the new sum of ``value``."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    rows[0]["value"] = repr(float(rows[0]["value"]) + 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return sum(float(r["value"]) for r in rows)


def printed(out: Path, name: str) -> str:
    nb = json.loads((out / "2022" / "notebooks" / f"{name}.ipynb").read_text())
    return "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))


def test_a_data_change_reruns_exactly_the_chapters_that_load_it(
    tmp_path, data_copy, monkeypatch, kernel
):
    nbs = write_notebooks(tmp_path / "notebooks", DATA_CHAPTERS)
    out = tmp_path / "outputs"
    monkeypatch.setenv("NSSF_OUTPUTS", str(out))
    (data_copy / "pick.txt").write_text("t10\n")

    def build_and_runs() -> list[str]:
        (nbs / "runs.log").unlink(missing_ok=True)
        clear_all()
        report = book.build(notebooks=nbs, progress=False, log=lambda m: None)
        ran = sorted(r.name for r in report.runs if r.status == "executed")
        assert sorted(line.split()[0] for line in runs(nbs)) == ran
        return ran

    def loads(name: str) -> list[str]:
        index = json.loads((out / ".cache" / "book-cache.json").read_text())["chapters"]
        return sorted(
            Path(f).relative_to(data_copy).as_posix() for f in index[f"2022/{name}"]["loads"]
        )

    assert build_and_runs() == sorted(DATA_CHAPTERS)
    assert "tidy/t10.csv" in loads("01_reads_t10") and "tidy/t11.csv" not in loads("01_reads_t10")
    assert "catalog.csv" in loads("03_reads_catalog")
    assert not [f for f in loads("03_reads_catalog") if f.startswith("tidy/")]
    assert loads("04_reads_nothing") == []
    assert loads("05_reads_picked") == ["pick.txt", "tidy/t10.csv"]

    # one table's data changes: only the chapters that load it run again, with its values
    bump_first_value(data_copy / "tidy" / "t11.csv")
    assert build_and_runs() == ["02_reads_t11"]
    assert build_and_runs() == []
    total = bump_first_value(data_copy / "tidy" / "t10.csv")
    assert build_and_runs() == ["01_reads_t10", "05_reads_picked"]
    assert f"sum of t10: {total:.1f}" in printed(out, "05_reads_picked")
    # the catalog is data too
    text = (data_copy / "catalog.csv").read_text()
    (data_copy / "catalog.csv").write_text(text.replace("Registered Enterprises", "Registered", 1))
    assert build_and_runs() == ["01_reads_t10", "02_reads_t11", "03_reads_catalog"]

    # what a chapter loads is recorded afresh each run: after pick.txt names t12, the
    # chapter depends on t12 and no longer on t10
    (data_copy / "pick.txt").write_text("t12\n")
    assert build_and_runs() == ["05_reads_picked"]
    assert loads("05_reads_picked") == ["pick.txt", "tidy/t12.csv"]
    bump_first_value(data_copy / "tidy" / "t10.csv")
    assert build_and_runs() == ["01_reads_t10"]
    total = bump_first_value(data_copy / "tidy" / "t12.csv")
    assert build_and_runs() == ["05_reads_picked"]
    assert f"sum of t12: {total:.1f}" in printed(out, "05_reads_picked")
    # a file that was loaded disappears: never served from the cache
    (data_copy / "pick.txt").unlink()
    with pytest.raises(NotebookFailedError, match="05_reads_picked"):
        book.build(notebooks=nbs, progress=False, log=lambda m: None)


def test_a_broken_cache_entry_is_run_again_never_served(built, tmp_path, monkeypatch):
    nbs, out = copy_build(built, tmp_path)
    monkeypatch.setenv("NSSF_OUTPUTS", str(out))
    (nbs / "runs.log").unlink()
    index = json.loads((out / ".cache" / "book-cache.json").read_text())["chapters"]
    (out / ".cache" / index["2022/01_first"]["fragment"]).write_text("<p>cut")
    (out / ".cache" / index["2022/02_second"]["executed"]).unlink()
    report = book.build(notebooks=nbs, progress=False, log=lambda m: None)
    assert [(r.name, r.status) for r in report.runs] == [
        ("01_first", "executed"),
        ("02_second", "executed"),
        ("03_third", "cached"),
    ]
    assert book_files(out / "2022" / "book") == book_files(built.book)
    (out / ".cache" / "book-cache.json").write_text("{not json")
    report = book.build(notebooks=nbs, progress=False, log=lambda m: None)
    assert [r.status for r in report.runs] == ["executed"] * 3


# ------------------------------------------------------------------ warm starts

LEAK_CHECK = (
    "import os, sys\n"
    "import nssf_analysis\n"
    "parent = open(f'/proc/{os.getppid()}/cmdline', 'rb').read().replace(b'\\0', b' ')\n"
    "served = b'forkserver' in parent\n"
    "with open('pids.log', 'a') as fh:\n"
    "    fh.write(f'{os.getpid()} {os.getppid()} {served}\\n')\n"
    "assert 'leaked' not in globals(), 'a variable of an earlier chapter is defined'\n"
    "assert not hasattr(nssf_analysis, 'leaked'), 'a module attribute was kept'\n"
    "assert 'NSSF_LEAKED' not in os.environ, 'an environment variable was kept'\n"
    "assert 'nssf_leaked_module' not in sys.modules, 'a module was kept'\n"
    "assert not [n for n in globals() if n.startswith('_nssf')], 'the warm start bound names'\n"
    "assert not served or 'pandas' in sys.modules, 'no warm start'"
)
LEAK_SET = (
    "import os, sys, types\n"
    "leaked = 'from an earlier chapter'\n"
    "nssf_analysis.leaked = 1\n"
    "os.environ['NSSF_LEAKED'] = '1'\n"
    "sys.modules['nssf_leaked_module'] = types.ModuleType('nssf_leaked_module')"
)


@pytest.mark.parametrize("warm", ["1", "0"])
def test_state_never_leaks_from_one_chapter_to_the_next(tmp_path, monkeypatch, kernel, warm):
    chapters = {
        f"0{i}_chapter": [
            ("md", f"# Chapter {i}"),
            PARAMS,
            ("code", LEAK_CHECK),
            ("code", LEAK_SET),
            ("code", "import matplotlib.pyplot as plt\n_ = plt.plot([1, 2])"),
        ]
        for i in range(1, 4)
    }
    nbs = write_notebooks(tmp_path / "notebooks", chapters)
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("NSSF_WARM", warm)
    # one worker: the three chapters run one after another in the same process, each
    # on the kernel started for it while the one before was finishing: with warm
    # kernels, each a new child of the build's kernel server, forked preloaded
    report = book.build(notebooks=nbs, jobs=1, progress=False, log=lambda m: None)
    assert [r.status for r in report.runs] == ["executed"] * 3
    runs = [line.split() for line in (nbs / "pids.log").read_text().splitlines()]
    assert len(runs) == 3 and len({pid for pid, _, _ in runs}) == 3  # a new kernel each
    # a figure a cell leaves open is shown at its end, as on a kernel started plainly
    for name in chapters:
        nb = json.loads((tmp_path / "outputs" / "2022" / "notebooks" / f"{name}.ipynb").read_text())
        (drawn,) = [c for c in nb["cells"] if "plt.plot" in "".join(c["source"])]
        assert [o["output_type"] for o in drawn["outputs"]] == ["display_data"]
        assert "image/png" in drawn["outputs"][0]["data"]
    if warm == "1":
        assert [served for _, _, served in runs] == ["True"] * 3
        assert len({parent for _, parent, _ in runs}) == 1  # one fork server for the worker
    else:
        assert [served for _, _, served in runs] == ["False"] * 3


def test_one_scan_reads_a_pages_anchors_and_headings():
    from nssf_analysis.book.pages import scan_fragment

    html = (
        '<h1 id="t">A &amp; B <a class="anchor-link" href="#t">¶</a></h1>\n'
        '<div id="x" class="c"><div>in</div></div><h2 id="s">Sub\n  two</h2><h3>no id</h3>'
    )
    scan = scan_fragment(html)
    assert scan.ids == ["t", "x", "s"]
    assert scan.headings == [
        {"level": 1, "id": "t", "text": "A & B"},  # without the anchor link's text
        {"level": 2, "id": "s", "text": "Sub two"},
    ]


def test_clean_html_keeps_an_allow_list_only():
    dirty = (
        '<p onclick="x()">a<script>alert(1)</script></p><img src="http://x/y.png">'
        '<img src="data:image/png;base64,AAAA"><a href="javascript:x()">j</a>'
        '<a href="02_second.html#t10">ok</a><form action="http://x"><input></form>'
        "<style>body{display:none}</style>"
        '<style type="text/css">#T_t10 td.col0 { text-align: left; }\n'
        "#T_t10 td { background: url(http://x) }</style><iframe src=x></iframe><!-- c -->"
    )
    clean = pages.clean_html(dirty)
    assert clean == (
        '<p>a</p><img alt="No description has been provided for this image">'
        '<img alt="No description has been provided for this image" '
        'src="data:image/png;base64,AAAA"><a>j</a><a href="02_second.html#t10">ok</a>'
        "<style></style>"
        "<style>#T_t10 td.col0 { text-align: left }</style>"
    )
