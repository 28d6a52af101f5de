"""Build the book: run the chapter notebooks with papermill, render them, publish each year.

``nssf-report build [--year Y]... [--all-years] [--jobs N] [--force]`` calls :func:`build`:

1. **Plan.** The chapters are the notebooks ``NN_<name>.ipynb`` of ``notebooks/`` (or
   ``$NSSF_NOTEBOOKS``).  A chapter runs again when its key changed — its notebook, the
   package code, the templates, the library versions, its parameters — or when a file
   it *loaded* changed: the package's loaders write each file of ``data/`` and ``seeds/``
   they read to the file named by ``$NSSF_LOADS_FILE`` (see
   :mod:`nssf_analysis.data.cache`), the build keeps those files' SHA-256 with the run
   in ``outputs/.cache/book-cache.json``, and a one-table data change re-runs only the
   chapters that load that table.  A cached run is used only when its files are there
   with the SHA-256 recorded when they were written.
2. **Execute** with papermill in a process pool (``--jobs``, default :func:`default_jobs`,
   :mod:`nssf_analysis.book.execute`), each notebook on a fresh kernel forked from a warm
   process (:mod:`nssf_analysis.book.kernels`), and render it with nbconvert in the same
   worker (:mod:`nssf_analysis.book.pages`).  Workers and kernels die with the build,
   however it ends (:mod:`nssf_analysis.processes`).
3. **Publish** each year's book into a folder beside the target and rename it into
   place (:mod:`nssf_analysis.book.publish`), under one lock (``outputs/.cache/build.lock``)
   that ``nssf-report extract`` takes too.  A failed notebook keeps the previous book.
   The store of persisted results is then trimmed to its limit
   (:func:`nssf_analysis.data.cache.trim_store`).
"""

from __future__ import annotations

import fcntl
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
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from nssf_analysis import paths, processes
from nssf_analysis import publication as site
from nssf_analysis.book import pages, publish
from nssf_analysis.book.execute import KERNEL_NAME, run_chapter, worker_init
from nssf_analysis.data.cache import code_hash, trim_store
from nssf_analysis.data.catalog import available_years
from nssf_analysis.data.files import load_name
from nssf_analysis.exceptions import (
    BookBuildError,
    BuildInterruptedError,
    NotebookFailedError,
    YearNotAvailableError,
)

__all__ = [
    "BuildReport",
    "Run",
    "Inputs",
    "build",
    "build_lock",
    "default_jobs",
    "discover_notebooks",
    "resolve_years",
    "run_cli",
    "sha256",
    "tree_hash",
]

KERNEL_INSTALL = f".venv/bin/python -m ipykernel install --sys-prefix --name {KERNEL_NAME}"
#: Libraries whose version is part of every key (outputs may change with them).
KEY_PACKAGES = publish.FOOTER_PACKAGES + (
    *("numpy", "scipy", "seaborn", "ipykernel", "nbclient", "nbformat", "jinja2", "pygments"),
    *("mistune", "openpyxl", "nh3", "playwright", "pikepdf"),
)
CHAPTER_RE = re.compile(r"^(\d{2})_([A-Za-z0-9][A-Za-z0-9_\-]*)\.ipynb$")
#: Bumped when what the cache holds changes shape.
CACHE_SCHEMA = 3


def sha256(data: bytes | str | Path | object) -> str:
    """Return the SHA-256 of bytes, of a file's content (a Path), or of an object as JSON."""
    if isinstance(data, Path):
        data = data.read_bytes()
    elif not isinstance(data, bytes | str):
        data = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def tree_hash(folder: Path, digests: dict | None = None) -> str:
    """Return one SHA-256 over the files of ``folder``: each path and its content's SHA-256.

    Files and folders whose name starts with a dot, and ``__pycache__``, are left out.
    ``digests``, if given, receives each file's SHA-256 under its load name
    (:func:`nssf_analysis.data.files.load_name`), so that it is not read twice.
    """
    h = hashlib.sha256()
    for p in sorted(p for p in folder.glob("**/*") if p.is_file()):
        rel = p.relative_to(folder).as_posix()
        if not any(s.startswith(".") or s == "__pycache__" for s in rel.split("/")):
            digest = sha256(p)
            h.update(rel.encode() + b"\0" + digest.encode() + b"\n")
            if digests is not None:
                digests[load_name(p)] = digest
    return h.hexdigest()


def _display(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


# ------------------------------------------------------------------------ plan
def discover_notebooks(folder: Path) -> list[Path]:
    """Return the chapter notebooks ``NN_<name>.ipynb`` of ``folder``, in chapter order.

    Raises
    ------
    BookBuildError
        If the folder holds none.
    """
    found = sorted(p for p in Path(folder).glob("*.ipynb") if CHAPTER_RE.match(p.name))
    if not found:
        raise BookBuildError(f"{folder}: no chapter notebook (NN_<name>.ipynb) to build")
    return found


def resolve_years(years=None, all_years: bool = False) -> list[int]:
    """Return the years to build: those given, every year with data, or the newest.

    Raises
    ------
    YearNotAvailableError
        If a year asked for has no data; the message lists the available years.
    """
    avail = available_years()
    if all_years or not years:
        return avail if all_years else avail[-1:]
    for y in years:
        if y not in avail:
            raise YearNotAvailableError(
                f"no data for year {y}; available years: {', '.join(map(str, avail))}"
            )
    return sorted(set(years))


def default_jobs() -> int:
    """Return how many notebooks a build runs at once when not told (``--jobs``).

    ``$NSSF_JOBS`` if set (a CI runner or a shared server may want fewer than its cores),
    else the cores this process may run on (``os.sched_getaffinity``: ``taskset`` and
    cpusets count, which ``os.cpu_count`` ignores).

    Raises
    ------
    BookBuildError
        If ``$NSSF_JOBS`` is not a whole number of at least 1.
    """
    text = os.environ.get("NSSF_JOBS", "").strip()
    if text:
        if not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
            raise BookBuildError(f"NSSF_JOBS={text!r} is not a whole number of at least 1")
        return int(text)
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _git_state() -> dict:
    def git(*args) -> str | None:
        try:
            res = subprocess.run(
                ["git", *args], cwd=paths.ROOT, capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return res.stdout.strip() if res.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return {"commit": "unknown", "dirty": False, "date": None}
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or git("log", "-1", "--format=%ct")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status), "date": int(epoch) if epoch else None}


@dataclass
class Inputs:
    """Hashes of what every chapter and book depends on besides the files it loads."""

    code: str
    templates: str
    readme: str
    versions: dict
    git: dict
    data: str = ""
    seeds: str = ""
    _files: dict = field(default_factory=dict, repr=False)

    @classmethod
    def collect(cls) -> Inputs:
        """Hash the package code and data files, the templates, the README, ``data/``."""
        versions = {}
        for name in KEY_PACKAGES:
            try:
                versions[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                versions[name] = "not installed"
        readme, digests = paths.ROOT / "README.md", {}  # data/ and seeds/ read once
        return cls(
            code=code_hash(),  # the package's code and data files, as persisted results use
            templates=tree_hash(pages.TEMPLATES),
            readme=sha256(readme) if readme.exists() else "",
            versions=versions,
            git=_git_state(),
            data=tree_hash(paths.data_dir(), digests),
            seeds=tree_hash(paths.seeds_dir(), digests),
            _files=digests,
        )

    def file_hash(self, name: str) -> str | None:
        """Return the SHA-256 of a loaded file (a path; relative ones from the project)."""
        if name not in self._files:
            p = Path(name) if Path(name).is_absolute() else paths.ROOT / name
            self._files[name] = sha256(p) if p.is_file() else None
        return self._files[name]

    def chapter_key(self, source: Path, year: int) -> str:
        """Return the key of a chapter run without its loads (see the module docstring)."""
        return sha256(
            [CACHE_SCHEMA, sha256(source), self.code, self.templates, self.versions, KERNEL_NAME]
            + [{"year": year}]
        )


@contextmanager
def build_lock(say=None):
    """Hold ``outputs/.cache/build.lock`` (``fcntl.flock``; freed however the holder ends).

    Builds and extractions take it, so that one never reads what the other is writing;
    a second one waits, saying so once through ``say``.
    """
    path = paths.outputs_dir() / ".cache" / "build.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if say:
                say(f"another build or extraction holds {_display(path)}; waiting for it …")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------- execute
def _check_kernel() -> None:
    """Raise a one-line error naming the command that installs the kernel, if it is missing."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except (NoSuchKernel, OSError, ValueError) as err:
        raise BookBuildError(
            f"the Jupyter kernel {KERNEL_NAME!r} is not installed or unreadable ({err}); "
            f"run: {KERNEL_INSTALL}"
        ) from None


def _run_jobs(jobs: list[dict], workers: int, progress: bool, say, on_result) -> None:
    """Run ``jobs`` in a process pool; ``on_result(job, result)`` as each one ends."""
    import multiprocessing
    from multiprocessing import resource_tracker

    from tqdm import tqdm

    # Everything the workers and their kernels put in the temporary folder (sockets,
    # connection files, multiprocessing's folders) goes in one folder of this build's,
    # removed at the end, or by the next build if this one is killed
    # (publish.remove_leftovers: the folder is named for this process).
    tmp = tempfile.mkdtemp(prefix=f"{publish.BUILD_TMP}{os.getpid()}-")
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = tmp  # the spawned workers' temporary folder
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker_init,
        initargs=(os.getpid(),),
    )
    try:
        # The workers start with Ctrl-C blocked, until they ignore it (worker_init): the
        # resource tracker first, as its start unblocks Ctrl-C.  And with no standard
        # error: a Ctrl-C can still interrupt the start of one (inside its vfork), which
        # would then print the traceback of its broken pipe under the build's one line.
        resource_tracker.ensure_running()
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        stderr, quiet = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)
        try:
            futures = {pool.submit(run_chapter, job): job for job in jobs}
        finally:
            os.dup2(stderr, 2)
            os.close(stderr)
            os.close(quiet)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        with tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress) as bar:
            for fut in as_completed(futures):
                job = futures[fut]
                try:
                    res = fut.result()
                except Exception as err:  # the worker died (killed, out of memory …)
                    res = {
                        "status": "failed",
                        "seconds": 0.0,
                        "message": f"notebook "
                        f"{job['name']}.ipynb (year={job['year']}): its worker died: {err}",
                    }
                on_result(job, res)
                bar.update(1)
                if not progress:
                    say(f"  {job['name']} {job['year']}: {res['status']} in {res['seconds']:.1f} s")
        pool.shutdown()
    except BaseException:
        workers = multiprocessing.active_children()  # the pool's, before it forgets them
        for worker in workers:  # each with its kernels; joined here, not behind the pool
            processes.kill_tree(worker.pid)
            worker.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.join()
        raise
    finally:
        os.environ.pop("TMPDIR") if before is None else os.environ.update(TMPDIR=before)
        shutil.rmtree(tmp, ignore_errors=True)


# ----------------------------------------------------------------------- build
class Run(NamedTuple):
    """What the build did with one notebook for one year."""

    year: int
    name: str
    status: str  # "executed", "cached" or "failed"
    seconds: float


@dataclass
class BuildReport:
    """The outcome of :func:`build`: one :class:`Run` per notebook and year, the books, the time."""

    runs: list = field(default_factory=list)
    books: dict = field(default_factory=dict)  # year -> "rendered" | "up to date"
    seconds: float = 0.0

    def summary(self) -> str:
        """Return the per-notebook status and time and the books written, as text."""
        lines = [f"  {'notebook':<32} {'year':>4}  {'status':<9} {'seconds':>8}"]
        for r in self.runs:
            shown = f"{r.seconds:8.1f}" if r.status != "cached" else f"{'-':>8}"
            lines.append(f"  {r.name:<32} {r.year:>4}  {r.status:<9} {shown}")
        for year, state in sorted(self.books.items()):
            book = paths.outputs_dir() / str(year) / "book" / "index.html"
            lines.append(f"book {year}: {state} -> {_display(book)}")
        return "\n".join([*lines, f"build finished in {self.seconds:.1f} s"])


def _entry_valid(entry: dict | None, key: str, inputs: Inputs, cache: Path) -> bool:
    """Whether a cached run has this key, unchanged loads and its files as written."""
    if not entry or entry.get("key") != key:
        return False
    if any(inputs.file_hash(f) != h for f, h in entry["loads"].items()):
        return False
    return all(
        (cache / entry[k]).is_file() and sha256(cache / entry[k]) == entry[f"{k}_sha256"]
        for k in ("executed", "fragment")
    )


def _read_index(path: Path) -> dict:
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        if index.get("schema") == CACHE_SCHEMA:
            return index
    except (OSError, ValueError, AttributeError):
        pass
    return {"schema": CACHE_SCHEMA, "chapters": {}, "books": {}}


def _write_index(path: Path, index: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(index, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _plan(sources, years, inputs: Inputs, index: dict, cache: Path, force: bool, warm: bool):
    """Return every (year, name) of the build, and the jobs of those that must run."""
    plan, todo = [], []
    for y, src in ((y, src) for y in years for src in sources):
        name, key = src.stem, inputs.chapter_key(src, y)
        plan.append((y, name))
        if force or not _entry_valid(index["chapters"].get(f"{y}/{name}"), key, inputs, cache):
            base = f"{cache / 'executed' / str(y) / name}-{key[:16]}"
            failed = paths.outputs_dir() / str(y) / "failed" / f"{name}.ipynb"
            todo.append(dict(name=name, year=y, source=str(src), cwd=str(src.parent), key=key))
            todo[-1].update(warm=warm, loads=f"{base}.loads", failed=str(failed))
            todo[-1].update(executed=f"{base}.ipynb", fragment=f"{base}.html")
    return plan, todo


def build(
    years=None,
    *,
    all_years: bool = False,
    jobs: int | None = None,
    force: bool = False,
    notebooks: Path | None = None,
    progress: bool = True,
    log=None,
    warm: bool | None = None,
) -> BuildReport:
    """Run the chapter notebooks that need it and publish each year's book.

    Parameters
    ----------
    years : list of int, optional
        Report years to build (default: the newest year with data).
    all_years : bool
        Build every year with data.
    jobs : int, optional
        Notebooks run at once (default: :func:`default_jobs`, ``$NSSF_JOBS`` or the cores).
    force : bool
        Run every notebook and write every book again.
    notebooks : Path, optional
        Folder of the chapter notebooks (default ``$NSSF_NOTEBOOKS`` or ``notebooks/``).
    progress : bool
        Show a progress bar on stderr (else a line per notebook).
    log : callable, optional
        Receives each line of text (default: stderr).
    warm : bool, optional
        Fork each kernel from a warm process (default: yes, unless ``NSSF_WARM=0``).

    Raises
    ------
    BookBuildError
        Years and all years both given, a bad ``$NSSF_JOBS``, an output folder that cannot
        be written.
    NotebookFailedError
        A notebook failed: names the notebook, cell and error; its executed copy is kept
        in ``outputs/<year>/failed/`` and the year's previous book stays.
    BuildInterruptedError
        Interrupted; nothing half-built is published.
    """
    start, report = time.perf_counter(), BuildReport()
    sys.modules.setdefault("rfc3987_syntax", None)  # see execute.worker_init
    processes.mark_session()
    say = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    if years and all_years:
        raise BookBuildError("give either years (--year) or every year (--all-years), not both")
    nbdir = Path(notebooks or os.environ.get("NSSF_NOTEBOOKS") or paths.notebooks_dir())
    sources, build_years = discover_notebooks(nbdir), resolve_years(years, all_years)
    warm = os.environ.get("NSSF_WARM", "1") != "0" if warm is None else warm
    jobs = jobs or default_jobs()
    out_root = paths.outputs_dir()
    cache, index_path = out_root / ".cache", out_root / ".cache" / "book-cache.json"
    publish.preflight(out_root, build_years)
    _check_kernel()
    if note := site.unset_note():  # once a build: what the citation leaves out
        say(note)
    with build_lock(say):
        publish.remove_leftovers(out_root)
        inputs, index = Inputs.collect(), _read_index(index_path)
        plan, todo = _plan(sources, build_years, inputs, index, cache, force, warm)
        results = {}

        def record(job: dict, res: dict) -> None:  # at once: an interrupted build keeps it
            results[(job["year"], job["name"])] = res
            if res["status"] == "ok":
                rel = {
                    k: Path(job[k]).relative_to(cache).as_posix() for k in ("executed", "fragment")
                }
                index["chapters"][f"{job['year']}/{job['name']}"] = rel | {
                    "key": job["key"],
                    "loads": {f: inputs.file_hash(f) for f in res["loads"]},
                    **{k: res[k] for k in ("executed_sha256", "fragment_sha256")},
                }
                _write_index(index_path, index)
                for w in res["warnings"]:
                    say(f"warning: {job['name']}.ipynb (year={job['year']}) {w} (not in the book)")

        workers = min(len(todo), jobs)
        say(
            f"{len(plan)} notebooks: {len(todo)} to run on {workers} process(es), "
            f"{len(plan) - len(todo)} from the cache"
        )
        try:
            if todo:
                _run_jobs(todo, workers, progress, say, record)
            failures = {}
            for y, name in plan:
                res = results.get((y, name), {"status": "cached", "seconds": 0.0})
                status = {"ok": "executed", "cached": "cached"}.get(res["status"], "failed")
                report.runs.append(Run(y, name, status, res["seconds"]))
                if status == "failed":
                    failures.setdefault(y, []).append(res["message"])
            ok_years = [y for y in build_years if y not in failures]
            shown = sorted(set(ok_years) | publish.published_years(out_root))
            for y in ok_years:
                names = [n for yy, n in plan if yy == y]
                chapters = [index["chapters"][f"{y}/{n}"] for n in names]
                key = sha256([CACHE_SCHEMA, y, shown, chapters, inputs, publish.pdf_possible()])
                if not force and index["books"].get(str(y)) == key and publish.is_published(y):
                    report.books[y] = "up to date"
                    continue
                publish.publish_year(y, names, chapters, cache, inputs, shown, set(ok_years))
                index["books"][str(y)] = key
                index.setdefault("data", {})[str(y)] = inputs.data  # what its figures are from
                _write_index(index_path, index)
                report.books[y] = "rendered"
            publish.write_years_index(out_root)
            if todo or "rendered" in report.books.values():  # what may have added results
                trim_store()  # the persisted results of older code and data go, past a size
            _warn_stale_books(out_root, index, inputs.data, ok_years, say)
        except KeyboardInterrupt:
            raise BuildInterruptedError(
                "build interrupted; no book was changed (run it again to resume: "
                "notebooks that finished are cached)"
            ) from None
    report.seconds = time.perf_counter() - start
    if failures:
        lines = [m for y in sorted(failures) for m in failures[y]]
        lines = lines[:5] + ([f"  … and {len(lines) - 5} more"] if len(lines) > 5 else [])
        kept = [_display(b) for y in failures if (b := out_root / str(y) / "book").is_dir()]
        where = _display(out_root / str(min(failures)) / "failed")
        kept_text = f"previous book kept: {', '.join(kept)}" if kept else "no book was published"
        raise NotebookFailedError(
            "\n".join([*lines, f"  the failed notebooks: {where}/; {kept_text}"])
        )
    return report


def _warn_stale_books(out_root: Path, index: dict, data: str, built: list[int], say) -> None:
    """Say which published books were made from other data than ``data/`` holds now.

    After a new report lands, ``data/`` holds what it prints, revisions of earlier years'
    figures included: a book of another year made before then shows the older figures.
    """
    made_from = index.get("data", {})
    stale = [
        y
        for y in sorted(publish.published_years(out_root) - set(built))
        if made_from.get(str(y), data) != data
    ]
    if stale:
        books = "book was" if len(stale) == 1 else "books were"
        say(
            f"warning: the {', '.join(map(str, stale))} {books} made from other data than "
            "data/ holds now (a newer report may revise its figures): run 'make books' to "
            "bring every book up to date"
        )


def run_cli(args) -> int:
    """Entry point of ``nssf-report build``; return the exit status.

    SIGTERM stops the build as Ctrl-C does: nothing half-built is published.
    """
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        report = build(
            years=args.year,
            all_years=args.all_years,
            jobs=args.jobs,
            force=args.force,
            progress=sys.stderr.isatty() or bool(os.environ.get("NSSF_PROGRESS")),
        )
    except KeyboardInterrupt:
        raise BuildInterruptedError("build interrupted; no book was changed") from None
    except OSError as err:  # a file system fault after the preflight (disk full …)
        where = f"{_display(Path(err.filename))}: " if err.filename else ""
        raise BookBuildError(
            f"cannot write the book: {where}{err.strerror or err}; the previous book is unchanged"
        ) from None
    print(report.summary())
    return 0
