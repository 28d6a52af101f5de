"""Faults of `nssf-report build` as a user meets them: a killed build, a file in the way,
a folder that disappears mid-build, conflicting options, a failed run, markup in data.

Every build runs real notebooks on the project's kernel from a temporary notebooks folder
into a temporary outputs folder, so the project's own ``notebooks/`` and ``outputs/`` are
never touched.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import psutil
import pytest
from test_book import PARAMS, book_files, count_run, make_notebook, runs, write_notebooks

from nssf_analysis.book import build as book
from nssf_analysis.book import pages
from nssf_analysis.data.cache import clear_all
from nssf_analysis.exceptions import BookBuildError
from nssf_analysis.processes import MARK

QUICK = {
    "01_first": [("md", "# First chapter"), PARAMS, ("code", count_run("01_first"))],
    "02_second": [("md", "# Second chapter"), PARAMS, ("code", count_run("02_second"))],
}
#: A chapter that, while the file ``slow`` exists in the notebooks folder, says it started
#: (file ``started``) and then waits: a build can be killed while it runs.
SLOW = [
    ("md", "# Slow chapter"),
    PARAMS,
    ("code", count_run("02_slow")),
    (
        "code",
        "import os, time\n"
        "if os.path.exists('slow'):\n"
        "    open('started', 'w').close()\n"
        "    time.sleep(120)",
    ),
]


def run_cli(outputs: Path, notebooks: Path, *args, env=None, wait=True):
    """``nssf-report build``: no PDF edition, plain kernels unless ``env`` says otherwise."""
    extra = {"NSSF_PDF": "0", "NSSF_WARM": "0"} | (env or {})
    env = dict(os.environ, NSSF_OUTPUTS=str(outputs), NSSF_NOTEBOOKS=str(notebooks), **extra)
    cmd = [sys.executable, "-m", "nssf_analysis.cli", "build", *args]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait:
        return proc
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, err


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("nssf-report: error:")]


def hidden_entries(folder: Path) -> list[str]:
    return (
        sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
        if folder.is_dir()
        else []
    )


def marked_processes(mark: str) -> list[psutil.Process]:
    """Every live process whose environment carries the session mark ``mark``."""
    found = []
    for p in psutil.process_iter(["pid"]):
        try:
            if p.status() == psutil.STATUS_ZOMBIE:
                continue
            if p.environ().get(MARK) == mark:
                found.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


# ------------------------------------------------------------------ a killed build


def test_sigkill_of_a_build_leaves_no_process_and_keeps_finished_runs(tmp_path, kernel):
    nbs = write_notebooks(tmp_path / "nb", {"01_first": QUICK["01_first"], "02_slow": SLOW})
    out = tmp_path / "out"
    (nbs / "slow").touch()
    mark = uuid.uuid4().hex
    proc = run_cli(out, nbs, "--jobs", "2", env={MARK: mark, "NSSF_WARM": "1"}, wait=False)
    index = out / ".cache" / "book-cache.json"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        done = index.exists() and "2022/01_first" in json.loads(index.read_text())["chapters"]
        if done and (nbs / "started").exists():
            break
        time.sleep(0.1)
    assert proc.poll() is None, proc.communicate()
    family = psutil.Process(proc.pid).children(recursive=True)
    cmdlines = [" ".join(p.cmdline()) for p in family]
    # what must not survive the build: its workers, their fork servers and the kernels
    assert sum("spawn_main" in c for c in cmdlines) == 2, cmdlines
    assert any("forkserver" in c for c in cmdlines), cmdlines
    assert {p.pid for p in family} <= {p.pid for p in marked_processes(mark)}

    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    left = marked_processes(mark)
    deadline = time.monotonic() + 20
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = marked_processes(mark)
    assert [" ".join(p.cmdline()) for p in left] == []

    # the next build cleans up after the killed one and runs only what had not finished
    (nbs / "slow").unlink()
    code, stdout, stderr = run_cli(out, nbs)
    assert code == 0, stderr
    assert sorted(runs(nbs)) == ["01_first 2022", "02_slow 2022", "02_slow 2022"]
    assert re.search(r"01_first\s+2022\s+cached", stdout)
    assert hidden_entries(out / "2022") == []
    assert not list(out.glob(".cache/executed/*/*.running.ipynb"))


# ---------------------------------------------------------------- the preflight


@pytest.mark.parametrize(
    "in_the_way", [".cache", "2022", "2022/book", "2022/notebooks", ".cache/executed"]
)
def test_a_file_in_the_way_is_refused_before_any_notebook_runs(tmp_path, kernel, in_the_way):
    nbs = write_notebooks(tmp_path / "nb", QUICK)
    out = tmp_path / "out"
    blocker = out / in_the_way
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder\n")
    code, stdout, stderr = run_cli(out, nbs)
    assert code == 1
    assert "Traceback" not in stderr
    errors = error_lines(stderr)
    assert len(errors) == 1, stderr
    assert f"{blocker} is a file, not a folder" in errors[0]
    assert runs(nbs) == []  # no notebook ran
    assert blocker.read_text() == "not a folder\n"
    for folder in (out, out / "2022"):
        assert [n for n in hidden_entries(folder) if n != ".cache"] == []


def test_a_folder_that_becomes_a_file_mid_build_keeps_the_previous_book(tmp_path, kernel):
    nbs = write_notebooks(tmp_path / "nb", QUICK)
    out = tmp_path / "out"
    assert run_cli(out, nbs)[0] == 0
    before = book_files(out / "2022" / "book")
    # after the preflight, while it runs, a chapter puts a file where the executed
    # notebooks of the book must go
    sabotage = QUICK["02_second"] + [
        (
            "code",
            "import os, shutil\n"
            "p = os.path.join(os.environ['NSSF_OUTPUTS'], '2022', 'notebooks')\n"
            "shutil.rmtree(p)\n"
            "open(p, 'w').close()",
        )
    ]
    nbformat.write(make_notebook(sabotage), nbs / "02_second.ipynb")
    code, stdout, stderr = run_cli(out, nbs)
    assert code == 1
    assert "Traceback" not in stderr
    errors = error_lines(stderr)
    assert len(errors) == 1, stderr
    assert str(out / "2022" / "notebooks") in errors[0] and "previous book" in errors[0]
    assert book_files(out / "2022" / "book") == before
    assert hidden_entries(out / "2022") == []  # no .notebooks-tmp-<pid>, no .book-tmp-<pid>


# ------------------------------------------------------------------------ options


def test_year_and_all_years_together_are_refused(tmp_path):
    code, stdout, stderr = run_cli(tmp_path / "out", tmp_path, "--year", "2022", "--all-years")
    assert code == 2
    assert "--all-years: not allowed with argument --year" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "out").exists()
    with pytest.raises(BookBuildError, match="not both"):
        book.build(years=[2022], all_years=True, notebooks=tmp_path, progress=False)


# --------------------------------------------------- a failed build keeps the cache


def test_a_failed_build_keeps_the_cache_of_the_chapters_that_ran(tmp_path, kernel):
    broken = [("md", "# Broken"), PARAMS, ("code", count_run("03_broken")), ("code", "1 / 0")]
    nbs = write_notebooks(tmp_path / "nb", dict(QUICK, **{"03_broken": broken}))
    out = tmp_path / "out"
    code, stdout, stderr = run_cli(out, nbs)
    assert code == 1 and "ZeroDivisionError" in stderr
    assert sorted(runs(nbs)) == ["01_first 2022", "02_second 2022", "03_broken 2022"]
    broken[3] = ("code", "1 / 1")
    nbformat.write(make_notebook(broken), nbs / "03_broken.ipynb")
    (nbs / "runs.log").unlink()
    code, stdout, stderr = run_cli(out, nbs)
    assert code == 0, stderr
    assert runs(nbs) == ["03_broken 2022"]


# ------------------------------------------------------------------ markup in data

NO_ALT = "No description has been provided for this image"
EVIL_TITLE = "<script>alert(1)</script>Registered <img src=x onerror=alert(2)>"


class Parsed(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


#: The book's own scripts: the files of its assets folder.
OWN_SCRIPTS = {
    f"assets/{p.name}"
    for p in (Path(book.__file__).parent / "templates" / "book" / "assets").glob("*.js")
}


def assert_inert(page: Path) -> Parsed:
    parsed = Parsed(page.read_text(encoding="utf-8"))
    for tag, attrs in parsed.tags:
        if tag != "script":
            continue
        # the book's own scripts, or a data block (schema.org JSON-LD) that runs nothing
        assert attrs.get("src") in OWN_SCRIPTS or (
            "src" not in attrs and attrs.get("type") == "application/ld+json"
        ), (page, attrs)
    for tag, attrs in parsed.tags:
        assert tag not in ("iframe", "object", "embed"), page
        handlers = [k for k in attrs if k.startswith("on")]
        assert handlers == [], (page, tag, attrs)
        for value in attrs.values():
            assert "javascript:" not in value.replace(" ", "").lower(), (page, tag, attrs)
    return parsed


def poison(data: Path) -> None:
    def rewrite(name: str, change) -> None:
        path = data / name
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        fields = list(rows[0])
        change(rows)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)

    def catalog(rows):
        for r in rows:
            if r["table_id"] == "t10":
                r["title"] = EVIL_TITLE
                r["label"] = "Table 10 <b onmouseover=alert(3)>"

    def graphics(rows):
        rows[0]["title"] = "<svg onload=alert(4)>graphic"

    def facts(rows):
        for r in rows:
            if r["section"] == "2":
                r["unit"] = "<img src=x onerror=alert(5)>"

    rewrite("catalog.csv", catalog)
    rewrite("graphics.csv", graphics)
    rewrite("facts.csv", facts)


POISONED_CHAPTER = [
    ("md", "# Poisoned outputs"),
    PARAMS,
    (
        "code",
        "from IPython.display import HTML, Markdown, display\n"
        "import pandas as pd\n"
        "display(HTML('<div id=\"t10\"><p>Table 10</p><img src=x onerror=alert(6)>'\n"
        "             '<script>alert(7)</script><a href=\"javascript:alert(8)\">link</a>'\n"
        "             '<svg><style><img src=x onerror=alert(9)></style></svg>'\n"
        "             '<iframe srcdoc=\"<script>alert(10)</script>\"></iframe>'\n"
        "             '<p>shown after the markup</p></div>'))\n"
        "display(Markdown('<img src=x onerror=alert(11)> **markdown shown**'))\n"
        "pd.DataFrame({'label': ['<script>alert(12)</script> as text']})",
    ),
]


def test_markup_in_data_and_outputs_never_becomes_live_html(
    tmp_path, data_copy, monkeypatch, kernel
):
    poison(data_copy)
    clear_all()
    nbs = write_notebooks(tmp_path / "nb", {"01_poisoned": POISONED_CHAPTER})
    out = tmp_path / "out"
    monkeypatch.setenv("NSSF_OUTPUTS", str(out))
    book.build(notebooks=nbs, progress=False, log=lambda m: None)
    pages = {p.name: assert_inert(p) for p in sorted((out / "2022" / "book").glob("*.html"))}
    assert {"index.html", "01_poisoned.html", "catalog.html"} <= set(pages)
    assert_inert(out / "index.html")

    def text(name: str) -> str:
        return "".join(pages[name].text)

    # text from data is shown as text: in the catalog, the sidebar, the index
    assert EVIL_TITLE in text("catalog.html")
    assert "Table 10 <b onmouseover=alert(3)>" in text("catalog.html")
    assert "<svg onload=alert(4)>graphic" in text("catalog.html")
    assert "<img src=x onerror=alert(5)>" in text("index.html")
    chapter = pages["01_poisoned.html"]
    sidebar = [a for t, a in chapter.tags if t == "a" and a.get("href") == "#t10"]
    assert sidebar and sidebar[0]["title"] == EVIL_TITLE
    assert "Table 10 <b onmouseover=alert(3)>" in text("01_poisoned.html")
    # markup in outputs loses what would run and keeps its text
    for shown in ("shown after the markup", "markdown shown", "<script>alert(12)</script> as text"):
        assert shown in text("01_poisoned.html")


@pytest.mark.parametrize(
    ("markup", "kept"),
    [
        ("<img src=x onerror=alert(1)>", f'<img alt="{NO_ALT}">'),  # only inline images load
        ("<IMG SRC=x alt=a OnError=alert(1)>", '<img alt="a">'),
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ('<a href=" java\tscript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "<a>x</a>"),
        # a browser leaves the SVG at <img>: the image is kept, without its handler
        ("<svg><style><img src=x onerror=alert(1)></style></svg>", f'<img alt="{NO_ALT}">'),
        ("<!--><img src=x onerror=alert(1)>-->", f'<img alt="{NO_ALT}">--&gt;'),
        (
            "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>",
            "&gt;&lt;img src=x onerror=alert(1)&gt;",
        ),
        ("<svg><animate attributeName=href to=javascript:alert(1) /></svg>", ""),
        ('<form action="http://x"><input name=a></form>', ""),
        ("<style>body { display: none }</style><p>shown</p>", "<style></style><p>shown</p>"),
        ('<p style="color:red">s</p>', "<p>s</p>"),
        ("<p>1 &lt; 2 &amp; 3</p>", "<p>1 &lt; 2 &amp; 3</p>"),
        ("<title>open", "open"),
    ],
)
def test_clean_html_removes_what_could_run(markup, kept):
    assert pages.clean_html(markup) == kept


def test_clean_html_keeps_the_projects_own_markup():
    own = (
        '<details class="nssf-code"><summary>Code</summary></details>'
        "<style>#T_x td.col0 { text-align: left; white-space: normal }</style>"
        '<table id="T_x"><tbody><tr><td class="data">1,234</td></tr></tbody></table>'
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="Graphic 1: members">'
        '<a href="#t10" title="Table 10">Table 10</a>'
    )
    assert pages.clean_html(own) == own
