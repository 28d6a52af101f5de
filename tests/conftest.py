import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from nssf_analysis.data.cache import clear_all
from nssf_analysis.data.report_text import read_lines

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nssf_annual_report_2022.txt"


@pytest.fixture(scope="session")
def lines():
    return read_lines(SEED)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of data/ that tests may corrupt; the package reads it instead.

    The results computed from it are kept under a private outputs/, not the project's.
    """
    dst = tmp_path / "data"
    shutil.copytree(ROOT / "data", dst)
    monkeypatch.setenv("NSSF_DATA", str(dst))
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    clear_all()
    yield dst
    clear_all()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless and offline, driven by Playwright (test_browser's settings)."""
    from test_browser import ARGS, CHROMIUM, sync_playwright

    assert CHROMIUM is not None, "NSSF_REQUIRE_BROWSER=1 but chromium is missing: make browser"
    assert sync_playwright is not None, "NSSF_REQUIRE_BROWSER=1 but Playwright is missing"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


#: The kernel nbval runs the golden notebooks on (the Makefile's ``NBVAL``): the project's
#: kernel, each one forked from a preloaded process as the book's chapters are
#: (:mod:`nssf_analysis.book.kernels`).  The goldens are made on plain kernels
#: (``tests/goldens.py``), so nbval also checks that the book's kernels compute the same.
FORKED_KERNEL = "nssf-analysis-forked"


def project_kernel() -> str:
    """Install the project's kernel into the virtualenv, as `make install` does, if missing."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("nssf-analysis")
    except NoSuchKernel:
        subprocess.run(
            [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name"]
            + ["nssf-analysis", "--display-name", "Python (nssf-analysis)"],
            check=True,
            capture_output=True,
        )
    return "nssf-analysis"


def pytest_configure(config):
    """Make :data:`FORKED_KERNEL` for this test process, in a folder of its own.

    It is the project's kernel with the book's provisioner; the folder is put first in
    ``JUPYTER_PATH`` and removed at the end, so that JupyterLab never lists it.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(project_kernel())
    folder = Path(tempfile.mkdtemp(prefix="nssf-kernels-"))
    (folder / "kernels" / FORKED_KERNEL).mkdir(parents=True)
    provisioner = {"kernel_provisioner": {"provisioner_name": "nssf-fork"}}
    forked = spec.to_dict() | {"metadata": {**spec.metadata, **provisioner}}
    forked["display_name"] += ", forked for the tests"
    text = json.dumps(forked, indent=1)
    (folder / "kernels" / FORKED_KERNEL / "kernel.json").write_text(text, encoding="utf-8")
    config.nssf_kernels = folder
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(folder), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )


def pytest_unconfigure(config):
    if folder := getattr(config, "nssf_kernels", None):  # None if pytest_configure failed
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def kernel():
    """The project's kernel, installed into the virtualenv as `make install` does."""
    return project_kernel()


@pytest.fixture(scope="session")
def published(tmp_path_factory, kernel):
    """The real 2022 book, built once per test run from the project's notebooks and data.

    Built with the 2021 book beside it (as ``make books`` builds them: the validators read
    both), into a temporary outputs folder, so the project's own ``outputs/`` is never
    touched.  The test processes of one run (pytest-xdist) share it: the first to ask
    builds it under a lock, the others read it and the report of that build.  The
    report holds the 2022 book's runs.
    """
    import fcntl
    import json

    from nssf_analysis.book import build as book

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "published"
    shared.mkdir(exist_ok=True)
    outputs, saved = shared / "outputs", shared / "report.json"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not saved.exists():
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("NSSF_OUTPUTS", str(outputs))
                clear_all()
                report = book.build(years=[2021, 2022], progress=False)
            clear_all()
            runs = [list(r) for r in report.runs if r.year == 2022]
            saved.write_text(json.dumps(runs), encoding="utf-8")
        report = book.BuildReport(runs=[book.Run(*r) for r in json.loads(saved.read_text())])
    return outputs / "2022" / "book", report


def put_edition(
    mp: pytest.MonkeyPatch, root: Path, lines: list[str], name: str = "nssf_annual_report_2022.txt"
) -> Path:
    """Write an edition's text as the newest seed in ``root/seeds``; through ``mp`` the
    package reads ``root/data`` (and keeps what it computes, and its lock, under
    ``root/outputs``).  Return the data folder."""
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    (seeds / name).write_text("\n".join(lines), encoding="utf-8")
    mp.setenv("NSSF_SEEDS", str(seeds))
    mp.setenv("NSSF_DATA", str(root / "data"))
    mp.setenv("NSSF_OUTPUTS", str(root / "outputs"))
    clear_all()
    return root / "data"


@pytest.fixture
def edition(tmp_path, monkeypatch):
    """Write an edition's text as the newest seed; the package reads a temporary data/
    (and keeps what it computes, and its lock, under a temporary outputs/): ``put_edition``
    in the test's folder."""

    def make(lines: list[str], name: str = "nssf_annual_report_2022.txt") -> Path:
        return put_edition(monkeypatch, tmp_path, lines, name)

    yield make
    clear_all()
