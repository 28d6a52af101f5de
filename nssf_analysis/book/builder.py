"""Build the published HTML book: run the chapter notebooks, render them, publish.

``nssf-report build [--year Y]... [--all-years] [--jobs N] [--force]`` calls
:func:`run_cli`, which calls :func:`build`:

1. **Find** the chapter notebooks ``NN_<name>.ipynb`` of the notebooks folder
   (``notebooks/``, or ``$NSSF_NOTEBOOKS``).
2. **Check** that every output folder can be written (:func:`preflight`): a file in
   the way is reported in one line before any notebook runs.
3. **Plan** from content hashes: a notebook runs again only when its source, the data
   files it read when it last ran, the package code (its Python and data files), the
   library versions or its parameters changed; ``--force`` runs everything.  Each
   kernel records which files of ``data/`` it opens or lists
   (:mod:`nssf_analysis.book.readlog`), and that list is kept with the run, so a change to
   one table's data runs again only the chapters that read it (a run whose reads are
   unknown depends on every file).  The hashes are kept in
   ``outputs/.cache/book-cache.json``.
4. **Execute** the rest with papermill in worker processes, in parallel (``--jobs``,
   default: one per core).  Workers (and through them their kernels) end when the
   build process ends, however it ends (SIGKILL included), and each finished run is
   entered into the cache at once, so an interrupted or failed build keeps it.  Every
   notebook runs on a fresh kernel of its own, but the kernel is started ahead (the
   first while the worker imports papermill, the next while the previous notebook is
   rendered) with the modules the chapters import already imported
   (:data:`~nssf_analysis.book.execute.PRELOADED`).  Each kernel talks
   to its worker over Unix domain sockets (``ipc`` transport) in a
   private runtime folder, so kernels started at the same moment never compete for
   TCP ports (with the default ``tcp`` transport jupyter_client picks free ports by
   binding to port 0 and closing the socket before the kernel binds them, which two
   processes can race for).  Each executed notebook is stripped of run-dependent
   metadata (times, durations, random cell ids) and its body rendered to HTML with
   nbconvert and the project's template (``templates/nbconvert/nssf``) in the same
   worker, then cleaned of anything that could run a script (:func:`clean_html`).
5. **Render** the book into a temporary folder beside the target: a page per chapter,
   ``index.html``, ``methodology.html``, ``catalog.html``, CSV and Excel downloads, local
   CSS and JavaScript only; every value from data is escaped (Jinja autoescape).  Then
   **swap** it in with one atomic rename.  A failing notebook, an interrupted or killed
   build, or a second concurrent build (which waits on ``outputs/.cache/build.lock``)
   never leaves a half-written book.

Two builds of the same commit write byte-identical pages.

Where each stage lives: finding notebooks and years, the input hashes and cache keys in
:mod:`~nssf_analysis.book.plan`; worker processes, kernels and the papermill runner in
:mod:`~nssf_analysis.book.execute`; sanitising and rendering an executed notebook and
cleaning its HTML in :mod:`~nssf_analysis.book.pages`; the pages around the chapters,
the workbook and the atomic swap in :mod:`~nssf_analysis.book.publish`.  This module
runs the stages in order (:func:`build`, :func:`run_cli`) and offers every name of the
former ``book`` module (``__all__``).
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from nssf_analysis import paths
from nssf_analysis.book.buildcache import (
    CACHE_SCHEMA,
    BuildLock,
    CacheIndex,
    atomic_write_text,
    remove_stale,
    sha256_bytes,
    sha256_json,
    skip_iri_grammar,
)
from nssf_analysis.book.execute import (
    CELL_TIMEOUT,
    KernelServer,
    _check_kernel,
    _run_jobs,
    describe_failure,
    execute_notebook,
    run_notebook_job,
)
from nssf_analysis.book.pages import (
    clean_html,
    prepare_for_render,
    render_fragment,
    sanitize_notebook,
)
from nssf_analysis.book.plan import (
    CHAPTER_RE,
    FOOTER_PACKAGES,
    KERNEL_INSTALL,
    KERNEL_NAME,
    KEY_PACKAGES,
    TEMPLATES,
    BookBuildError,
    BuildInterruptedError,
    Inputs,
    NotebookFailedError,
    _cache_paths,
    _entry_valid,
    _fragment_valid,
    code_key,
    data_key,
    discover_notebooks,
    execution_key,
    fragment_key,
    git_state,
    notebooks_dir,
    package_versions,
    resolve_years,
    years_with_data,
)
from nssf_analysis.book.priority import lower_thread_priority
from nssf_analysis.book.publish import (
    WORKBOOK,
    WORKBOOK_TIME,
    Chapter,
    _ensure_workbook,
    _publish_year,
    _workbook_path,
    _write_years_index,
    methodology_markdown,
    render_book,
    write_workbook,
)

#: The names of the former ``book`` module, all offered here (and by ``book.<name>``).
__all__ = [
    "CELL_TIMEOUT",
    "CHAPTER_RE",
    "FOOTER_PACKAGES",
    "KERNEL_INSTALL",
    "KERNEL_NAME",
    "KEY_PACKAGES",
    "TEMPLATES",
    "WORKBOOK",
    "WORKBOOK_TIME",
    "BookBuildError",
    "BuildInterruptedError",
    "BuildReport",
    "Chapter",
    "Inputs",
    "NotebookFailedError",
    "NotebookRun",
    "build",
    "clean_html",
    "code_key",
    "data_key",
    "describe_failure",
    "discover_notebooks",
    "execute_notebook",
    "execution_key",
    "fragment_key",
    "git_state",
    "methodology_markdown",
    "notebooks_dir",
    "package_versions",
    "preflight",
    "prepare_for_render",
    "render_book",
    "render_fragment",
    "resolve_years",
    "run_cli",
    "run_notebook_job",
    "sanitize_notebook",
    "write_workbook",
    "years_with_data",
]


# ------------------------------------------------------------------------- the build


@dataclass
class NotebookRun:
    """What the build did with one notebook for one year."""

    year: int
    name: str
    status: str  # "executed", "cached", "rendered" or "failed"
    seconds: float
    message: str = ""
    warnings: list = field(default_factory=list)


@dataclass
class BuildReport:
    """The outcome of :func:`build`: notebook runs, books written, total time."""

    runs: list = field(default_factory=list)
    books: dict = field(default_factory=dict)  # year -> "rendered" | "up to date"
    seconds: float = 0.0
    render_seconds: dict = field(default_factory=dict)

    def summary(self) -> str:
        """Return the per-notebook timings and the books written, as printed text."""
        lines = [f"  {'notebook':<32} {'year':>4}  {'status':<9} {'seconds':>8}"]
        for r in self.runs:
            secs = f"{r.seconds:8.1f}" if r.status != "cached" else f"{'-':>8}"
            lines.append(f"  {r.name:<32} {r.year:>4}  {r.status:<9} {secs}")
        for year, state in sorted(self.books.items()):
            book = paths.outputs_dir() / str(year) / "book" / "index.html"
            extra = ""
            if year in self.render_seconds:
                extra = f" in {self.render_seconds[year]:.1f} s"
            lines.append(f"book {year}: {state}{extra} -> {_display(book)}")
        lines.append(f"build finished in {self.seconds:.1f} s")
        return "\n".join(lines)


def _display(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def _remove_leftovers(out_root: Path) -> None:
    """Delete what an interrupted or killed build left behind (under the build lock)."""
    cache_dir = out_root / ".cache"
    remove_stale(cache_dir, (".staging-", ".book-cache.json.", ".write-probe-"))
    remove_stale(out_root, (".index.html.", ".write-probe-"))
    for folder in [*(cache_dir / "executed").glob("*"), cache_dir / "xlsx"]:
        if folder.is_dir():
            remove_stale(folder, (".",))
    for year_dir in out_root.iterdir():
        if year_dir.is_dir() and year_dir.name.isdigit():
            remove_stale(year_dir, (".book-tmp-", ".notebooks-tmp-", ".book-old-", ".write-probe-"))


def _prune_executed(cache_dir: Path, year: int, name: str, keep: set) -> None:
    folder = cache_dir / "executed" / str(year)
    if not folder.is_dir():
        return
    pattern = re.compile(rf"^{re.escape(name)}-[0-9a-f]{{16}}\.(ipynb|html)$")
    for p in folder.iterdir():
        if pattern.match(p.name) and p.name not in keep:
            p.unlink(missing_ok=True)


def _not_a_folder(path: Path) -> BookBuildError:
    return BookBuildError(
        f"cannot write the book: {_display(path)} is a file, not a folder "
        "(move it away and build again)"
    )


def _writable_folder(path: Path) -> None:
    """Make sure ``path`` is a folder the build can create files in."""
    for p in (path, *path.parents):
        if p.exists() or p.is_symlink():
            if not p.is_dir():
                raise _not_a_folder(p)
            break
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise BookBuildError(
            f"cannot write the book: {_display(path)}: {err.strerror or err}"
        ) from None


def preflight(out_root: Path, years: list[int]) -> None:
    """Check that every folder and file a build writes can be written, before it runs.

    Called before any notebook runs, so that a file in the way (where the cache, a
    year's folder, its book or its executed notebooks must be) or a folder that cannot
    be written is reported at once, in one line, instead of after every notebook ran.

    Parameters
    ----------
    out_root : Path
        The outputs folder.
    years : list of int
        The years about to be built.

    Raises
    ------
    BookBuildError
        Naming the path that cannot be written and why.
    """
    out_root = Path(out_root)
    cache_dir = out_root / ".cache"
    folders = [out_root, cache_dir, cache_dir / "executed", cache_dir / "xlsx"]
    for y in years:
        folders += [cache_dir / "executed" / str(y), out_root / str(y)]
    for folder in folders:
        _writable_folder(folder)
    for y in years:
        for sub in ("book", "notebooks", "failed"):
            p = out_root / str(y) / sub
            if (p.exists() or p.is_symlink()) and not p.is_dir():
                raise _not_a_folder(p)
    for p in (out_root / "index.html", cache_dir / "book-cache.json", cache_dir / "build.lock"):
        if p.is_dir():
            raise BookBuildError(
                f"cannot write the book: {_display(p)} is a folder, not a file "
                "(move it away and build again)"
            )


def build(
    years=None,
    *,
    all_years: bool = False,
    jobs: int | None = None,
    force: bool = False,
    notebooks: Path | None = None,
    progress: bool = True,
    log=None,
) -> BuildReport:
    """Run the chapter notebooks that need it and publish each year's book.

    Parameters
    ----------
    years : list of int, optional
        Report years to build (default: the newest year with data).
    all_years : bool
        Build every year with data.
    jobs : int, optional
        Notebooks run at once (default: the number of cores).
    force : bool
        Run every notebook and render every book again, whatever the cache says.
    notebooks : Path, optional
        Folder of the chapter notebooks (default :func:`notebooks_dir`).
    progress : bool
        Show a progress bar on stderr.
    log : callable, optional
        Receives one line of text at a time (default: print to stderr).

    Returns
    -------
    BuildReport
        Per-notebook status and timings, the books written.

    Raises
    ------
    BookBuildError
        If ``years`` and ``all_years`` are both given, or an output folder cannot be
        written (checked before any notebook runs).
    NotebookFailedError
        If a notebook fails: names the notebook, the cell and the error; its executed
        copy is kept in ``outputs/<year>/failed/`` and that year's previous book stays.
    BuildInterruptedError
        If the build is interrupted; nothing half-built is published.
    """
    start = time.perf_counter()
    skip_iri_grammar()  # the book pages import nbconvert, which imports jsonschema
    say = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    if years and all_years:
        raise BookBuildError("give either years (--year) or every year (--all-years), not both")
    nbdir = Path(notebooks) if notebooks else notebooks_dir()
    sources = discover_notebooks(nbdir)
    build_years = resolve_years(years, all_years)
    out_root = paths.outputs_dir()
    cache_dir = out_root / ".cache"
    workers = max(1, int(jobs or os.cpu_count() or 1))
    report = BuildReport()
    preflight(out_root, build_years)

    with BuildLock(cache_dir / "build.lock", notify=say):
        _remove_leftovers(out_root)
        inputs = Inputs.collect()
        index = CacheIndex(cache_dir / "book-cache.json")

        plan, todo = [], []
        staging = cache_dir / f".staging-{os.getpid()}"
        for y in build_years:
            for src in sources:
                name = src.stem
                ck = code_key(src, y, inputs)
                entry = index.notebook(y, name)
                # a new run's files are named after the whole data; a cached run is valid
                # while the files it read (recorded with it) are unchanged
                executed, fragment = _cache_paths(cache_dir, y, name, execution_key(src, y, inputs))
                state, key, fkey = "execute", None, None
                if not force and entry and entry.get("code_key") == ck:
                    key = execution_key(src, y, inputs, entry.get("reads"))
                    fkey = fragment_key(key, inputs)
                    if _entry_valid(entry, key, cache_dir):
                        state = "cached" if _fragment_valid(entry, fkey, cache_dir) else "render"
                item = {"year": y, "name": name, "source": src, "key": key, "fkey": fkey}
                item.update(code_key=ck, state=state, executed=executed, fragment=fragment)
                item.update(entry=entry)
                plan.append(item)
                if state == "execute":
                    todo.append(
                        {
                            "name": name,
                            "year": y,
                            "source": str(src),
                            "cwd": str(nbdir),
                            "executed": str(executed),
                            "fragment": str(fragment),
                            "staging": str(staging / str(y)),
                            "failed": str(out_root / str(y) / "failed" / f"{name}.ipynb"),
                        }
                    )

        recorded: dict[tuple, dict] = {}

        def record(i: int, res: dict) -> None:
            """Enter a finished run into the cache index at once (kept if interrupted)."""
            job = todo[i]
            item = items[(job["year"], job["name"])]
            recorded[(job["year"], job["name"])] = res
            if res["status"] != "ok":
                return
            reads = res.get("reads")
            item["key"] = execution_key(item["source"], job["year"], inputs, reads)
            item["fkey"] = fragment_key(item["key"], inputs)
            entry = {
                "key": item["key"],
                "code_key": item["code_key"],
                "reads": reads,
                "executed": item["executed"].relative_to(cache_dir).as_posix(),
                "executed_sha256": res["executed_sha256"],
                "fragment_key": item["fkey"],
                "fragment": item["fragment"].relative_to(cache_dir).as_posix(),
                "fragment_sha256": res["fragment_sha256"],
                "seconds": round(res["seconds"], 3),
            }
            index.set_notebook(job["year"], job["name"], entry)
            index.save()
            background.add_ahead(
                _prefetch_chapter, job["name"], item["fragment"], item["executed"], job["year"]
            )
            _prune_executed(
                cache_dir, job["year"], job["name"], {item["executed"].name, item["fragment"].name}
            )

        items = {(i["year"], i["name"]): i for i in plan}
        server = background = None
        try:
            if todo:
                # the kernel server first: its imports are what the first notebook waits for
                server = KernelServer.start(_check_kernel())
                background = _background_work(plan, cache_dir, inputs)
                say(
                    f"running {len(todo)} notebook(s) on {min(workers, len(todo))} "
                    f"process(es); {len(plan) - len(todo)} from the cache"
                )
                _run_jobs(
                    todo,
                    min(workers, len(todo)),
                    progress,
                    say,
                    on_result=record,
                    kernels_dir=server.kernels_dir if server else None,
                )
        except KeyboardInterrupt:
            raise BuildInterruptedError(
                "build interrupted; no book was changed (run it again to resume: "
                "notebooks that finished are cached)"
            ) from None
        finally:
            if server is not None:
                server.stop()
            shutil.rmtree(staging, ignore_errors=True)

        failures: dict[int, list] = {}
        for item in plan:
            y, name = item["year"], item["name"]
            if item["state"] == "execute":
                res = recorded[(y, name)]
                if res["status"] != "ok":
                    failures.setdefault(y, []).append(res)
                    report.runs.append(
                        NotebookRun(y, name, "failed", res["seconds"], res["message"])
                    )
                    continue
                report.runs.append(
                    NotebookRun(y, name, "executed", res["seconds"], warnings=res["warnings"])
                )
                for w in res["warnings"]:
                    say(f"warning: {name}.ipynb (year={y}) {w} (not shown in the book)")
            elif item["state"] == "render":
                t0 = time.perf_counter()
                entry = dict(item["entry"])
                nb = json.loads((cache_dir / entry["executed"]).read_text(encoding="utf-8"))
                html, warnings = render_fragment(nb, name)
                frag = cache_dir / entry["executed"].replace(".ipynb", ".html")
                atomic_write_text(frag, html)
                entry.update(
                    fragment_key=item["fkey"],
                    fragment=frag.relative_to(cache_dir).as_posix(),
                    fragment_sha256=sha256_bytes(html.encode("utf-8")),
                )
                index.set_notebook(y, name, entry)
                report.runs.append(
                    NotebookRun(y, name, "rendered", time.perf_counter() - t0, warnings=warnings)
                )
            else:
                report.runs.append(NotebookRun(y, name, "cached", 0.0))
        index.save()

        if background is not None:
            background.wait()
        ok_years = [y for y in build_years if y not in failures]
        existing = {
            int(p.name)
            for p in out_root.iterdir()
            if p.is_dir() and p.name.isdigit() and (p / "book" / "index.html").exists()
        }
        all_built = sorted(set(ok_years) | existing)
        try:
            for y in ok_years:
                chapters = [i for i in plan if i["year"] == y]
                entries = [index.notebook(y, i["name"]) for i in chapters]
                bkey = sha256_json(
                    {
                        "schema": CACHE_SCHEMA,
                        "year": y,
                        "years": all_built,
                        "built": ok_years,
                        "chapters": [
                            [i["name"], e["fragment_sha256"], e["executed_sha256"]]
                            for i, e in zip(chapters, entries, strict=True)
                        ],
                        "data": inputs.data,
                        "code": inputs.code,
                        "templates": inputs.book_templates,
                        "readme": inputs.readme,
                        "versions": inputs.versions,
                        "git": inputs.git,
                    }
                )
                year_dir = out_root / str(y)
                if (
                    not force
                    and index.book(y) == bkey
                    and (year_dir / "book" / "index.html").exists()
                    and (year_dir / "notebooks").is_dir()
                ):
                    report.books[y] = "up to date"
                    continue
                t0 = time.perf_counter()
                ahead = _print_ahead(y, chapters, entries, cache_dir)
                _publish_year(
                    y, chapters, entries, cache_dir, inputs, all_built, set(ok_years), ahead
                )
                index.set_book(y, bkey)
                index.save()
                report.books[y] = "rendered"
                report.render_seconds[y] = time.perf_counter() - t0
            if all_built:
                _write_years_index(out_root)
        except KeyboardInterrupt:
            raise BuildInterruptedError(
                "build interrupted while rendering; the previous book is unchanged"
            ) from None

    report.seconds = time.perf_counter() - start
    if failures:
        lines = [res["message"] for y in sorted(failures) for res in failures[y]]
        first_year = sorted(failures)[0]
        failed_dir = _display(out_root / str(first_year) / "failed")
        kept = [out_root / str(y) / "book" for y in sorted(failures)]
        kept_text = ", ".join(_display(b) for b in kept if (b / "index.html").exists())
        lines.append(
            f"  executed notebook(s) with the error marked saved in {failed_dir}/; "
            + (f"previous book kept: {kept_text}" if kept_text else "no book was published")
        )
        if len(lines) > 6:
            lines = lines[:5] + [f"  … and {len(lines) - 5} more"]
        raise NotebookFailedError("\n".join(lines))
    return report


def _print_ahead(year: int, chapters: list[dict], entries: list[dict], cache_dir: Path) -> bool:
    """Whether to start Chromium while the pages are written (it will likely print).

    Yes when no PDF edition of the year was printed before, or when a chapter's page
    differs from the one of the last build (its rendered cells changed).  Otherwise the
    print document is most likely the one printed last, whose PDF the cache holds: a
    Chromium started ahead would only take CPU time from the page writer.  Either way
    the print happens when the document changed (Chromium then starts after the pages).
    """
    from nssf_analysis.book.site import pdf_cache_dir

    if not any(pdf_cache_dir(cache_dir, year).glob("*.pdf")):
        return True
    for item, entry in zip(chapters, entries, strict=True):
        before = item["entry"] or {}
        if entry.get("fragment_sha256") != before.get("fragment_sha256"):
            return True
    return False


def _background_work(plan: list[dict], cache_dir: Path, inputs: Inputs) -> _Background:
    """Start the work the build's own process does while the chapters run.

    The downloads of the chapters that run, as their previous run showed them (see
    :func:`_prefetch_previous`), the workbook of all tables (it does not depend on the
    chapters), the downloads of the chapters that come from the cache and the
    methodology page; then, as each chapter finishes, its downloads.  All of it at the
    lowest CPU priority, in the time the kernels leave; the downloads of the chapters
    that ran not made when the last chapter ends are left to the page writer, which
    makes them while Chromium prints.
    """
    background = _Background()
    # first what the page writer would wait for: the downloads of the chapters that run
    for item in plan:
        entry = item["entry"]
        if item["state"] == "execute" and entry and entry.get("fragment"):
            background.add_ahead(_prefetch_previous, cache_dir / entry["fragment"], item["year"])
    if not _workbook_path(cache_dir, inputs).exists():
        background.add(_ensure_workbook, cache_dir, inputs)
    for item in plan:
        if item["state"] == "cached":
            entry = item["entry"]
            fragment, executed = (cache_dir / entry[k] for k in ("fragment", "executed"))
            background.add_optional(
                _prefetch_chapter, item["name"], fragment, executed, item["year"]
            )
    background.add_optional(_prefetch_methodology)
    return background


class _Background:
    """Run tasks one after another in a daemon thread of the build's process.

    While the chapters run in the worker processes, the build's own process is idle:
    it writes the workbook of all tables there (:meth:`add`, whose error :meth:`wait`
    re-raises), loads the downloads of the chapters that come from the cache and
    computes those of each chapter as it finishes (:meth:`add_optional`: an error there
    is the page writer's to report, when it asks for the same files).  One thread, so the
    caches of :mod:`nssf_analysis.data.cache` are used by one thread at a time; of the
    lowest CPU priority (:func:`~nssf_analysis.book.priority.lower_thread_priority`), so
    the kernels keep the cores.
    """

    def __init__(self):
        self.error: BaseException | None = None
        self.tasks: queue.SimpleQueue = queue.SimpleQueue()
        self.closing = False
        self.skipped = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        lower_thread_priority()
        while True:
            task = self.tasks.get()
            if task is None:
                return
            func, args, optional, ahead = task
            if ahead and self.closing:  # work ahead that is no longer ahead
                self.skipped += 1
                continue
            try:
                func(*args)
            except Exception as err:
                if not optional and self.error is None:
                    self.error = err  # re-raised in the build's thread by wait()
            except BaseException as err:
                self.error = self.error or err
                return

    def add(self, func, *args) -> None:
        """Queue ``func(*args)``; :meth:`wait` raises what it raises."""
        self.tasks.put((func, args, False, False))

    def add_optional(self, func, *args) -> None:
        """Queue ``func(*args)``, whose errors are ignored (work done ahead of need)."""
        self.tasks.put((func, args, True, False))

    def add_ahead(self, func, *args) -> None:
        """Queue ``func(*args)`` as :meth:`add_optional`, skipped if not started by :meth:`wait`.

        For the downloads of the chapters that run: what is not made when the last
        chapter ends is made while Chromium prints the book.
        """
        self.tasks.put((func, args, True, True))

    def wait(self) -> None:
        """Finish every task but those queued by :meth:`add_ahead` and not yet started.

        Raise the first error of a task queued by :meth:`add`.
        """
        self.closing = True
        self.tasks.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _prefetch_chapter(name: str, fragment: Path, executed: Path, year: int) -> None:
    """Read a chapter for its page and compute its downloads, ahead of the pages.

    See :func:`site.prefetch_downloads`; what is read and parsed is kept in memory for
    the pages written after the last chapter.
    """
    from nssf_analysis.book import site
    from nssf_analysis.book.publish import _load_chapter

    chapter = _load_chapter(name, fragment, executed)
    site.prefetch_downloads(chapter.fragment, year)


def _prefetch_previous(fragment: Path, year: int) -> None:
    """Compute, with the data as it is now, the downloads of a chapter's previous run.

    A chapter that runs again because data it reads changed shows mostly the same
    tables: their files (kept on disk under the data they read) are made while it
    runs, so that the page writer, after it, finds them made.  Nothing of the previous
    run is published; a table the new run shows and the old did not is made after it.
    """
    from nssf_analysis.book import site

    site.prefetch_downloads(fragment.read_text(encoding="utf-8"), year)


def _prefetch_methodology() -> None:
    """Render the methodology page's HTML ahead of the pages (kept in memory)."""
    from nssf_analysis.book.publish import methodology_html, methodology_markdown

    methodology_html(methodology_markdown())


def run_cli(args) -> int:
    """Entry point of ``nssf-report build``; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        ``year`` (list of int or None), ``all_years``, ``jobs`` and ``force``.
    """
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
