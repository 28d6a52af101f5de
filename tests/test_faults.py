"""Faults a user meets: Ctrl-C, a read-only or full disk, a misprinted report, a bad parameter.

Each ends in one line that names the file, table, row and column (or the parameter and
what is allowed) and a non-zero status, never a traceback; what was there is unchanged
and nothing is left behind. Every extraction reads the project's seeds (or a changed copy)
and writes a temporary ``data/``; every build writes a temporary ``outputs/``: the
project's own ``data/`` and ``outputs/`` are never touched.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from test_book import PARAMS, count_run, write_notebooks

from nssf_analysis.book import build as book
from nssf_analysis.book import publish
from nssf_analysis.cli import main
from nssf_analysis.data import pipeline
from nssf_analysis.data.cache import clear_all
from nssf_analysis.exceptions import BookBuildError, ExtractionError, NSSFError
from nssf_analysis.processes import MARK
from nssf_analysis.processes import leftovers as processes_left

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nssf_annual_report_2022.txt"
#: Exit status of a command ended by Ctrl-C.
INTERRUPTED = 130


def base_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def fingerprint(folder: Path) -> str:
    """One hash of every file's path and bytes under ``folder``."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def leftovers(parent: Path) -> list[str]:
    """What an extraction may leave beside ``data/``: its temporary folders."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".data."))


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The project's seeds, a copy of its data/ (with a file only the old data have)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "OLD").write_text("the data before the extraction\n", encoding="utf-8")
    monkeypatch.setenv("NSSF_SEEDS", str(ROOT / "seeds"))
    monkeypatch.setenv("NSSF_DATA", str(data))
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    clear_all()
    yield data
    clear_all()


def extract(capsys) -> tuple[int, str]:
    """``nssf-report extract --quiet`` in this process: its status and its stderr."""
    code = main(["extract", "--quiet"])
    return code, capsys.readouterr().err


def cli_env(data: Path, outputs: Path) -> dict:
    return dict(
        os.environ,
        NSSF_SEEDS=str(ROOT / "seeds"),
        NSSF_DATA=str(data),
        NSSF_OUTPUTS=str(outputs),
    )


def restore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def own_signals():
    """Signals are Python's to handle (the main thread); SIGTERM's handler is restored."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are handled in the main thread only")
    term = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, term)


# --------------------------------------------------------------------------------------
# 1. Ctrl-C during an extraction; a read-only data/
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_during_an_extraction_leaves_data_as_it_was(project, tmp_path, signum):
    before = fingerprint(project)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nssf_analysis.cli", "extract", "--quiet"],
        env=cli_env(project, tmp_path / "outputs"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=restore_sigint,
    )
    deadline = time.monotonic() + 120
    while not leftovers(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert leftovers(tmp_path), "the extraction never began writing its new folder"
    time.sleep(0.3)  # in the middle of writing it
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == INTERRUPTED
    assert err == f"nssf-report: extraction interrupted; {project} is unchanged\n"
    assert fingerprint(project) == before
    assert leftovers(tmp_path) == []


def test_ctrl_c_during_the_swap_is_acted_on_once_the_new_data_are_in(
    project, tmp_path, monkeypatch, capsys, own_signals
):
    rename = os.rename

    def ctrl_c_then_rename(src, dst):  # Ctrl-C as the old data/ is moved aside
        if Path(src) == project:
            os.kill(os.getpid(), signal.SIGINT)
        rename(src, dst)

    monkeypatch.setattr(pipeline.os, "rename", ctrl_c_then_rename)
    code, err = extract(capsys)
    assert code == INTERRUPTED
    assert err == f"nssf-report: extraction interrupted; {project} holds the new extraction\n"
    assert not (project / "OLD").exists()  # the old folder went whole
    assert (project / "catalog.csv").read_bytes() == (ROOT / "data" / "catalog.csv").read_bytes()
    assert leftovers(tmp_path) == []


def test_a_killed_extractions_folders_are_removed_by_the_next(project, tmp_path, monkeypatch):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    pid = int(gone.stdout)  # a process that has ended
    for name in (f".data.new-{pid}-abc", f".data.old-{pid}-def"):
        (tmp_path / name / "raw").mkdir(parents=True)
        (tmp_path / name / "raw" / "t01.csv").write_text("half written", encoding="utf-8")
    alive = tmp_path / f".data.new-{os.getppid()}-ghi"  # another extraction's, still running
    alive.mkdir()

    def stop(out, progress, strict):
        raise NSSFError("stopped before writing anything")

    monkeypatch.setattr(pipeline, "_write_all", stop)
    with pytest.raises(NSSFError, match="stopped"):
        pipeline.write_data()
    assert leftovers(tmp_path) == [alive.name]


def cannot_write(folder: Path):
    """Make ``folder`` read-only; return the command prefix under which that holds.

    Root may write anywhere: its command runs without the capabilities that allow it.
    """
    prefix = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("as root, a read-only folder needs setpriv to drop CAP_DAC_OVERRIDE")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    folder.chmod(0o555)
    return prefix


def extract_unable_to_write(folder: Path, env: dict) -> subprocess.CompletedProcess:
    """Run ``nssf-report extract`` unable to write in ``folder``, which is writable after."""
    prefix = cannot_write(folder)
    try:
        return subprocess.run(
            [*prefix, sys.executable, "-m", "nssf_analysis.cli", "extract", "--quiet"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("read_only", ["data", "data/raw"])
def test_a_read_only_data_folder_is_refused_with_one_line(project, tmp_path, read_only):
    before = fingerprint(project)
    folder = tmp_path / read_only
    res = extract_unable_to_write(folder, cli_env(project, tmp_path / "outputs"))
    assert res.returncode == 1
    assert res.stderr == (
        f"nssf-report: error: {folder}: read-only folder (no permission to write); "
        f"{project} is unchanged: make it writable to extract\n"
    )
    assert fingerprint(project) == before
    assert leftovers(tmp_path) == []


def test_a_read_only_project_folder_is_refused_with_one_line(tmp_path):
    parent = tmp_path / "project"
    data = parent / "data"
    shutil.copytree(ROOT / "data", data)
    res = extract_unable_to_write(parent, cli_env(data, tmp_path / "outputs"))
    assert res.returncode == 1
    assert res.stderr == (
        f"nssf-report: error: {parent}: cannot write a new data folder here (Permission "
        f"denied); {data} is unchanged\n"
    )
    assert leftovers(parent) == []


# --------------------------------------------------------------------------------------
# 2. Ctrl-C during a build
# --------------------------------------------------------------------------------------


def test_an_interrupted_build_is_one_line_and_status_130(
    tmp_path, monkeypatch, capsys, own_signals
):
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))

    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(book, "build", interrupted)
    assert main(["build", "--year", "2022"]) == INTERRUPTED
    assert capsys.readouterr().err == "nssf-report: build interrupted; no book was changed\n"


def test_ctrl_c_while_the_modules_load_is_not_lost(monkeypatch, capsys, own_signals):
    from nssf_analysis import cli

    load = cli.importlib.import_module

    def swallowing_load(name):  # an extension module that swallows a KeyboardInterrupt
        os.kill(os.getpid(), signal.SIGINT)
        try:
            time.sleep(0.05)
        except KeyboardInterrupt:
            pass
        return load(name)

    monkeypatch.setattr(cli.importlib, "import_module", swallowing_load)
    assert main(["catalog"]) == INTERRUPTED
    assert capsys.readouterr().err == "nssf-report: catalog interrupted\n"


CHAPTERS = {
    f"0{i}_quick": [("md", f"# Quick chapter {i}"), PARAMS, ("code", count_run(f"0{i}_quick"))]
    for i in range(1, 6)
}


def worker_started(pid: int) -> bool:
    """Whether the build ``pid`` has started a worker (which then imports, ~1 s)."""
    for child in psutil.Process(pid).children():
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                return True
        except psutil.Error:
            continue
    return False


def test_ctrl_c_of_a_real_build_is_one_line(tmp_path, kernel):
    """A terminal's Ctrl-C reaches the build's whole process group, as its workers start."""
    nbs = write_notebooks(tmp_path / "nb", CHAPTERS)
    mark = f"test-faults-{os.getpid()}-{time.time_ns()}"
    env = dict(
        os.environ,
        NSSF_OUTPUTS=str(tmp_path / "out"),
        NSSF_NOTEBOOKS=str(nbs),
        NSSF_PDF="0",
        NSSF_WARM="0",
        **{MARK: mark},
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "nssf_analysis.cli", "build", "--jobs", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=restore_sigint,
    )
    said = ""
    while proc.poll() is None and "notebooks:" not in said:
        said += proc.stderr.readline()
    assert "notebooks:" in said, said + proc.communicate()[1]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not worker_started(proc.pid):
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the build did not end within 60 s of Ctrl-C")
    assert proc.returncode == INTERRUPTED
    assert err == (
        "nssf-report: build interrupted; no book was changed (run it again to resume: "
        "notebooks that finished are cached)\n"
    )
    deadline = time.monotonic() + 15  # nothing the build started runs on
    while (left := processes_left(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [" ".join(p.cmdline()) for p in left] == []


# --------------------------------------------------------------------------------------
# 3. Messages of extraction
# --------------------------------------------------------------------------------------


def extraction_message(edition, capsys, lines: list[str]) -> str:
    """Extract the 2022 report changed to ``lines``: one line of error, nothing written."""
    data = edition(lines)
    code, err = extract(capsys)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert not data.exists() and leftovers(data.parent) == []
    assert err.startswith("nssf-report: error: ")
    return err.removeprefix("nssf-report: error: ").rstrip("\n")


def test_an_extra_cell_names_the_rows_line(edition, capsys):
    lines = base_lines()
    # Table 5, report lines 229-233: a header of 7 columns, rows 2021 and 2022 of 7 cells
    k = lines.index("2022\t12,238\t11,625\t1,388,623\t876,568\t137.71\t94.99%")
    lines[k] += "\t777"
    message = extraction_message(edition, capsys, lines)
    assert message.startswith(
        f"t05 (Table 5), report line {k + 1}: row '2022' has a cell '777' in column 8, past "
        "the table's 7 columns"
    )


def test_a_letter_o_for_a_zero_is_a_cell_that_is_not_a_number(edition, capsys):
    lines = base_lines()
    # Table 10, report line 319: "2022  14,742  7,923 …", printed under "Total"
    k = lines.index("2022\t14,742\t7,923\t7,342\t3,597\t7,400\t4,326\t0\t0")
    lines[k] = lines[k].replace("14,742", "14,7O2")
    message = extraction_message(edition, capsys, lines)
    assert message == (
        f"t10 (Table 10), report line {k + 1}: column 2: '14,7O2' is not a number (row "
        "'2022', under 'Total'); correct the cell in the report's text"
    )


def test_a_misprint_inside_a_row_names_its_column(edition, capsys):
    lines = base_lines()
    k = lines.index("2022\t12,238\t11,625\t1,388,623\t876,568\t137.71\t94.99%")  # Table 5
    lines[k] = lines[k].replace("137.71", "13O.71")
    message = extraction_message(edition, capsys, lines)
    assert message == (
        f"t05 (Table 5), report line {k + 1}: column 6: '13O.71' is not a number (row '2022', "
        "under 'Contributions (Billion Riels)'); correct the cell in the report's text"
    )


@pytest.mark.parametrize("content", ["the report 330 times", "junk"])
def test_a_50_mb_seed_file_is_a_short_error(tmp_path, monkeypatch, capsys, content):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    big = seeds / "nssf_annual_report_2022.txt"
    if content == "junk":
        big.write_bytes(b"\x00\xffjunk\t" * (50 * 2**20 // 7))
    else:
        big.write_bytes(SEED.read_bytes() * 330)  # 152,998 bytes each: 50.5 MB
    monkeypatch.setenv("NSSF_SEEDS", str(seeds))
    monkeypatch.setenv("NSSF_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    clear_all()
    code, err = extract(capsys)
    clear_all()
    assert code == 1 and err.count("\n") == 1 and len(err) < 300
    assert err.startswith(f"nssf-report: error: {big}: ")
    assert "too large for a report text" in err
    assert not (tmp_path / "data").exists() and leftovers(tmp_path) == []


def test_a_very_long_message_is_cut_to_one_short_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    numbers = ", ".join(str(n) for _ in range(60) for n in range(1, 72))

    def fails(**kwargs):
        raise ExtractionError(f"report: table numbers [{numbers}] are not 1..71 in order")

    monkeypatch.setattr(pipeline, "write_data", fails)
    code, err = extract(capsys)
    assert code == 1 and err.count("\n") == 1 and len(err) < 700
    assert err.startswith("nssf-report: error: report: table numbers [1, 2, 3")
    assert err.endswith("70, 71] are not 1..71 in order\n")
    assert "characters left out" in err


def test_a_full_disk_names_the_file(project, tmp_path, monkeypatch, capsys):
    before = fingerprint(project)
    write_csv = pipeline.write_csv

    def full_at_t05(df, path):
        if path.parent.name == "tidy" and path.name == "t05.csv":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        write_csv(df, path)

    monkeypatch.setattr(pipeline, "write_csv", full_at_t05)
    code, err = extract(capsys)
    assert code == 1
    assert err == (
        f"nssf-report: error: {project}/tidy/t05.csv: No space left on device (writing the "
        f"new extraction); {project} is unchanged\n"
    )
    assert fingerprint(project) == before
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------
# 4. A year given to make or to the command line is a value, never a command
# --------------------------------------------------------------------------------------

HACK = "2022; echo hacked"


def test_a_bad_year_is_one_line_listing_the_years(capsys):
    with pytest.raises(SystemExit) as info:
        main(["build", "--year", HACK])
    assert info.value.code == 2
    assert capsys.readouterr().err == (
        f"nssf-report build: error: argument --year: {HACK!r} is not a year; available "
        "years: 2021, 2022 (see nssf-report build --help)\n"
    )


def test_the_makefile_passes_year_as_one_value():
    make = shutil.which("make")
    if not make:
        pytest.skip("make is not installed")
    recipes = [ln for ln in (ROOT / "Makefile").read_text().splitlines() if ln.startswith("\t")]
    with_year = [ln for ln in recipes if "YEAR" in ln]
    assert with_year, "no recipe reads YEAR"
    for ln in with_year:
        assert not re.search(r"\$[({]YEAR[)}]", ln), ln  # make would paste it into the line
        assert '"$$YEAR"' in ln, ln
    # the value reaches a recipe's shell as the exported variable, as it was given
    probe = 'probe:\n\t@printf "%s\\n" "$$YEAR"\n'
    res = subprocess.run(
        [make, "-s", "-C", str(ROOT), "-f", "Makefile", "-f", "-", "probe", f"YEAR={HACK}"],
        input=probe,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"{HACK}\n"
    res = subprocess.run(
        [make, "-n", "-C", str(ROOT), "book", f"YEAR={HACK}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert '.venv/bin/nssf-report build --year "$YEAR"' in res.stdout.splitlines()
    assert "echo hacked" not in res.stdout


# --------------------------------------------------------------------------------------
# 5. An old book that cannot be removed after the swap
# --------------------------------------------------------------------------------------


@pytest.fixture
def undeletable(tmp_path):
    """Make a file under ``tmp_path`` that cannot be removed; return what removing it says.

    As root, the file is immutable (``chattr +i``); else its folder is read-only. Both
    are undone, wherever the file was moved, when the test ends.
    """

    def make(path: Path) -> str:
        if os.geteuid() == 0:
            res = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
            if res.returncode:
                pytest.skip(f"chattr +i is not possible here: {res.stderr.strip()}")
            return os.strerror(errno.EPERM)
        path.parent.chmod(0o555)
        return os.strerror(errno.EACCES)

    yield make
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-R", "-i", str(tmp_path)], check=True, capture_output=True)
    else:
        for p in tmp_path.rglob("*"):
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)


def test_an_old_book_that_cannot_be_removed_is_an_error(undeletable, tmp_path):
    year = tmp_path / "out" / "2022"
    (year / "book" / "assets").mkdir(parents=True)
    (year / "book" / "index.html").write_text("old book", encoding="utf-8")
    locked = year / "book" / "assets" / "locked.css"
    locked.write_text("old", encoding="utf-8")
    new = year / f".book-tmp-{os.getpid()}"
    new.mkdir()
    (new / "index.html").write_text("new book", encoding="utf-8")
    refused = undeletable(locked)
    old = year / f".book-old-{os.getpid()}"
    with pytest.raises(BookBuildError) as info:
        publish._swap(new, year / "book")
    assert str(info.value) == (
        f"{year / 'book'} is the new one, but the old one cannot be removed "
        f"({old / 'assets' / 'locked.css'}: {refused}): remove {old} by hand"
    )
    assert (year / "book" / "index.html").read_text(encoding="utf-8") == "new book"
    # the next build names it too, and goes no further until it is removed
    with pytest.raises(BookBuildError) as info:
        publish.remove_leftovers(tmp_path / "out")
    assert str(info.value) == (
        f"cannot write the book: {old}, left by an earlier build, cannot be removed "
        f"(locked.css: {refused}); remove it by hand"
    )


def test_the_leftovers_of_a_build_are_removed_by_the_next(tmp_path):
    year = tmp_path / "out" / "2022"
    for name in (".book-old-123", ".book-tmp-123", ".notebooks-tmp-123"):
        (year / name / "sub").mkdir(parents=True)
        (year / name / "sub" / "page.html").write_text("left", encoding="utf-8")
    (year / "book").mkdir()
    publish.remove_leftovers(tmp_path / "out")
    assert sorted(p.name for p in year.iterdir()) == ["book"]


# --------------------------------------------------------------------------------------
# 6. Caches that cannot lie
# --------------------------------------------------------------------------------------


def test_a_truncated_workbook_in_the_cache_is_written_again(tmp_path, monkeypatch):
    import types
    import zipfile

    import openpyxl

    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    inputs = types.SimpleNamespace(data="d" * 64, code="c" * 64)
    path = publish._workbook(inputs)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 3])  # cut short, as by a full disk or a kill
    again = publish._workbook(inputs)
    assert again == path and again.read_bytes() == whole
    with zipfile.ZipFile(again) as z:
        assert z.testzip() is None
    assert openpyxl.load_workbook(again, read_only=True).sheetnames[0] == "catalog"


def test_a_book_without_its_pdf_is_not_up_to_date_once_chromium_is_there(tmp_path, monkeypatch):
    from nssf_analysis.book import pdf

    if pdf.find_chromium() is None:
        if os.environ.get("NSSF_REQUIRE_BROWSER") == "1":
            pytest.fail("NSSF_REQUIRE_BROWSER=1 but no Chromium: make browser")
        pytest.skip("no Chromium (make browser)")
    nbs = write_notebooks(tmp_path / "nb", {"01_first": [("md", "# First"), PARAMS]})
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "out"))
    monkeypatch.setenv("NSSF_WARM", "0")
    book_dir = tmp_path / "out" / "2022" / "book"

    def build() -> str:
        return book.build(notebooks=nbs, progress=False, log=lambda m: None).books[2022]

    with monkeypatch.context() as m:  # a machine without Chromium: a book without a PDF
        m.setattr(publish, "pdf_possible", lambda: False)
        assert build() == "rendered"
        assert not list(book_dir.glob("*.pdf"))
        assert build() == "up to date"
    assert build() == "rendered"  # Chromium is there now: the book gets its PDF
    assert [p.name for p in book_dir.glob("*.pdf")] == [pdf.pdf_name(2022)]
    assert build() == "up to date"


def test_an_extraction_waits_for_a_build_that_holds_the_lock(tmp_path, data_copy):
    env = dict(os.environ, NSSF_DATA=str(data_copy), NSSF_OUTPUTS=str(tmp_path / "out"))
    with pytest.MonkeyPatch.context() as m:
        m.setenv("NSSF_OUTPUTS", env["NSSF_OUTPUTS"])
        with book.build_lock():  # a build runs
            proc = subprocess.Popen(
                [sys.executable, "-m", "nssf_analysis.cli", "extract"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            said = proc.stderr.readline()
            assert "waiting for it" in said and "build.lock" in said
            time.sleep(1)
            assert proc.poll() is None  # it waits: it writes nothing while the build reads
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err


def test_a_chapter_that_quotes_the_report_runs_again_when_the_seed_changes(tmp_path, monkeypatch):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    seed = seeds / SEED.name
    shutil.copyfile(SEED, seed)
    quoting = ("code", "from nssf_analysis import quote\nprint(quote('A.1.1', year).data)")
    nbs = write_notebooks(tmp_path / "nb", {"01_quotes": [PARAMS, quoting]})
    monkeypatch.setenv("NSSF_SEEDS", str(seeds))
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "out"))
    monkeypatch.setenv("NSSF_WARM", "0")
    monkeypatch.setenv("NSSF_PDF", "0")
    page = tmp_path / "out" / "2022" / "book" / "01_quotes.html"

    def build() -> str:
        clear_all()
        report = book.build(notebooks=nbs, progress=False, log=lambda m: None)
        return report.runs[0].status

    # report line 162 (section A.1.1): "NSSF has registered 20,448 enterprises/establishments"
    said = "NSSF has registered 20,448 enterprises"
    assert build() == "executed" and said in page.read_text(encoding="utf-8")
    text = SEED.read_text(encoding="utf-8")
    seed.write_text(text.replace(said, "NSSF has registered EDITED enterprises"), "utf-8")
    assert build() == "executed" and "EDITED" in page.read_text(encoding="utf-8")
    seed.write_text(text, encoding="utf-8")  # restored: the edited words leave the book
    assert build() == "executed"
    assert "EDITED" not in page.read_text(encoding="utf-8") and said in page.read_text("utf-8")
    assert build() == "cached"
