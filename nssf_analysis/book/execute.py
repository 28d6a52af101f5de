"""Execute chapter notebooks: worker processes, their kernels, the papermill runner.

What goes here: the one papermill call every executed notebook goes through
(:func:`execute_notebook`, also used by :mod:`nssf_analysis.book.goldens`), the worker
processes of a build and their signal handling (no worker or kernel outlives the
build), the kernels started ahead of each notebook (fresh for every run, so no state
passes from one chapter to the next), the job a worker runs for one notebook
(:func:`run_notebook_job`: execute, sanitise, render) and the pool that runs the jobs
(:func:`_run_jobs`).  What a failure says (:func:`describe_failure`) is here too.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from nssf_analysis.book import readlog
from nssf_analysis.book.buildcache import (
    atomic_write_text,
    kill_children,
    remove_path,
    set_parent_death_signal,
    sha256_bytes,
    skip_iri_grammar,
)
from nssf_analysis.book.pages import (
    _ERROR_CELL_TAG,
    _INJECTED_TAG,
    _first_line,
    _source_cell_ids,
    render_fragment,
    sanitize_notebook,
)
from nssf_analysis.book.plan import KERNEL_INSTALL, KERNEL_NAME, BookBuildError

#: Seconds one cell may run before the build gives up on it.
CELL_TIMEOUT = int(os.environ.get("NSSF_CELL_TIMEOUT", "1800"))


def describe_failure(nb, name: str, year: int, err: BaseException) -> tuple[int | None, str]:
    """Return the failing cell's number and a few lines saying what failed where.

    Parameters
    ----------
    nb : dict or None
        The executed notebook as papermill saved it (with its error marks), if any.
    name : str
        Notebook file name.
    year : int
        The ``year`` parameter of the run.
    err : BaseException
        What papermill raised.

    Returns
    -------
    tuple
        ``(cell number or None, message)``; the cell number counts the cells of the
        source notebook from 1, as a notebook editor shows them.
    """
    cell_no, source = None, ""
    if nb is not None:
        n = 0
        for cell in nb.get("cells", []):
            tags = cell.get("metadata", {}).get("tags", [])
            if _INJECTED_TAG in tags or _ERROR_CELL_TAG in tags:
                continue
            n += 1
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors:
                cell_no, source = n, _failing_line(errors[-1]) or _first_line(cell["source"])
                break
    ename = getattr(err, "ename", None) or type(err).__name__
    evalue = getattr(err, "evalue", None)
    if evalue is None:
        evalue = _first_line(str(err))
    where = f"cell {cell_no}" if cell_no else "before any cell ran"
    msg = f"notebook {name} (year={year}) failed in {where}: {ename}: {_first_line(evalue)}"
    if source:
        msg += f"\n  at: {source[:120]}"
    return cell_no, msg


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _failing_line(error_output: dict) -> str:
    """Return "line N: <code>" of the cell line an IPython traceback points at ("---->")."""
    frames = [_ANSI_RE.sub("", t) for t in error_output.get("traceback", [])]
    for frame in frames:  # the first frame with an arrow is the notebook cell
        for line in frame.splitlines():
            m = re.match(r"^\s*-+>\s*(\d+)\s(.*)$", line)
            if m:
                return f"line {m.group(1)}: {m.group(2).strip()}"
    return ""


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


_IN_JOB = False
_PARENT_PID: int | None = None
#: Scratch files of the job a worker is running, deleted if the worker has to stop at once.
_JOB_SCRATCH: list[Path] = []
#: Runtime folders of kernels started and not yet stopped.
_PENDING_SCRATCH: list[Path] = []


def _worker_term(signum, frame):
    """SIGTERM in a worker.

    When the build process is gone (the signal is the parent-death signal, e.g. after
    the build was killed with SIGKILL), the worker kills its kernel, deletes the
    job's scratch files and exits at once: nobody is left to wait for it.  When the
    build itself asks the worker to stop, a running job is unwound (papermill shuts
    its kernel down) and an idle worker exits.
    """
    if _PARENT_PID is not None and os.getppid() != _PARENT_PID:
        _exit_now(signum)
    if _IN_JOB:
        # If unwinding hangs, stop anyway after a grace period.
        timer = threading.Timer(15.0, _exit_now, args=(signum,))
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt(f"signal {signum}")
    os._exit(128 + signum)


def _exit_now(signum: int) -> None:
    """Kill this worker's kernel, remove the job's scratch files and exit."""
    kill_children(signal.SIGKILL)
    for p in list(_JOB_SCRATCH) + list(_PENDING_SCRATCH):
        remove_path(p)
    os._exit(128 + signum)


def _ignore(signum, frame):
    return None


def _watch_parent() -> None:
    """Exit at once (kernel killed, scratch removed) when the build process is gone.

    A thread, so that it works whatever signal handlers the libraries a job runs
    install meanwhile (nbclient replaces SIGTERM's while a notebook runs).
    """
    while True:
        time.sleep(0.5)
        if os.getppid() != _PARENT_PID:
            _exit_now(signal.SIGTERM)


def _worker_init(
    parent_pid: int | None = None, cwd: str | None = None, kernels_dir: str | None = None
) -> None:
    """Set up a worker process: the main process decides about Ctrl-C and stops us.

    The worker asks for SIGTERM when the build process dies, however it dies, and
    watches its parent, so no worker (and, through it, no kernel) outlives the build.
    It then starts the kernel of its first notebook (see :func:`_start_kernel`), which
    boots while the worker imports papermill and nbconvert.
    """
    global _PARENT_PID, _NEXT_KERNEL, _SPEC_MANAGER
    _PARENT_PID = parent_pid
    skip_iri_grammar()  # before papermill imports jsonschema
    signal.signal(signal.SIGINT, _ignore)  # a Python handler is not inherited by kernels
    signal.signal(signal.SIGTERM, _worker_term)
    set_parent_death_signal(signal.SIGTERM, parent_pid)
    if parent_pid is not None:
        threading.Thread(target=_watch_parent, daemon=True).start()
    # what the worker holds is freed with the process: its exit skips the interpreter's
    # last full collection (a quarter of a second the build would wait for)
    atexit.register(gc.freeze)
    atexit.register(_drop_next_kernel)
    if kernels_dir is not None:
        from jupyter_client.kernelspec import KernelSpecManager

        _SPEC_MANAGER = KernelSpecManager(kernel_dirs=[kernels_dir])
    if cwd is not None:
        _NEXT_KERNEL = _start_kernel(cwd)
        _warm_worker()


def _warm_worker() -> None:
    """Import papermill and compile the page templates while the first kernel starts.

    Otherwise the first notebook of the worker would pay for them after its kernel is
    ready (importing papermill) and after it ran (rendering its cells).  Best effort: a
    failure here shows again, where it matters, in the job.
    """
    try:
        import nbformat
        import papermill  # noqa: F401

        render_fragment(nbformat.v4.new_notebook(), "warm-up")
    except Exception:
        pass


class KernelServer:
    """The build's kernel server (:mod:`nssf_analysis.book.warmkernel`), while it runs.

    Started by the build once it knows notebooks will run, before its workers, so that
    it imports while they start; each worker's kernels are then forked from it, ready.
    :meth:`start` returns None when ``NSSF_WARM_KERNELS=0`` or the kernel specification
    cannot be served warm; kernels are then started the ordinary way, as they are by
    their relay should the server fail.

    Attributes
    ----------
    kernels_dir : str
        The folder of the kernel specification whose command asks the server.
    """

    def __init__(self, proc, folder: Path, kernels_dir: Path):
        self.proc, self.folder, self.kernels_dir = proc, folder, str(kernels_dir)

    @classmethod
    def start(cls, spec) -> KernelServer | None:
        """Start the server (it does not wait for its imports); None when not served.

        Parameters
        ----------
        spec : InstalledKernel
            The installed kernel specification, as :func:`_check_kernel` returns it.
        """
        import subprocess

        from nssf_analysis.book import warmkernel

        if not warmkernel.enabled():
            return None
        folder = Path(tempfile.mkdtemp(prefix="nssf-z-"))  # short path: socket names <= 107
        command = warmkernel.prepare(spec, str(folder / "s"), os.getpid(), folder)
        if command is None:
            shutil.rmtree(folder, ignore_errors=True)
            return None
        with open(folder / "server.log", "wb") as log:
            proc = subprocess.Popen(
                command, cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        return cls(proc, folder, folder / "kernels")

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except Exception:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


#: The kernel specifications a worker's kernels are started from (None: the installed).
_SPEC_MANAGER = None


@dataclass
class _Kernel:
    """A kernel started for exactly one notebook run, with its private runtime folder."""

    km: object
    runtime: Path
    reads_log: Path
    cwd: str
    log: object


_NEXT_KERNEL: _Kernel | None = None


def _start_kernel(cwd: str) -> _Kernel:
    """Start a fresh kernel for the next notebook run (it does not wait for it to boot).

    The kernel talks over Unix sockets in a new runtime folder, records the data files
    it reads into that folder (:mod:`nssf_analysis.book.readlog`), imports the modules
    every chapter imports (:data:`PRELOADED`) before the first cell, and writes its
    log lines to a file there instead of the build's terminal.  A kernel runs one
    notebook only and is shut down after it: started ahead, it saves the notebook the
    wait for the kernel's start and imports, never its isolation.
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    runtime = Path(tempfile.mkdtemp(prefix="nssf-k-"))  # short path: socket names ≤ 107
    _PENDING_SCRATCH.append(runtime)
    reads_log = runtime / "reads.log"
    env = dict(os.environ)
    env["JUPYTER_RUNTIME_DIR"] = str(runtime)
    env[readlog.ENV] = str(reads_log)
    log = open(runtime / "kernel.log", "wb")
    warm = {} if _SPEC_MANAGER is None else {"kernel_spec_manager": _SPEC_MANAGER}
    km = AsyncKernelManager(
        kernel_name=KERNEL_NAME,
        transport="ipc",
        **warm,
        ip=str(runtime / "k"),
        connection_file=str(runtime / "kernel.json"),
    )
    run_sync(km.start_kernel)(
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=log,
        extra_arguments=[f"--IPKernelApp.exec_lines={_KERNEL_START}"],
    )
    return _Kernel(km=km, runtime=runtime, reads_log=reads_log, cwd=cwd, log=log)


def _stop_kernel(kernel: _Kernel) -> None:
    """Shut a kernel down now and delete its runtime folder."""
    from jupyter_core.utils import run_sync

    try:
        if kernel.km.has_kernel:
            run_sync(kernel.km.shutdown_kernel)(now=True)
    except Exception:  # already gone
        pass
    kernel.log.close()
    shutil.rmtree(kernel.runtime, ignore_errors=True)
    if kernel.runtime in _PENDING_SCRATCH:
        _PENDING_SCRATCH.remove(kernel.runtime)


def _drop_next_kernel() -> None:
    """Stop the kernel started ahead, if no notebook came for it."""
    global _NEXT_KERNEL
    if _NEXT_KERNEL is not None:
        _stop_kernel(_NEXT_KERNEL)
        _NEXT_KERNEL = None


def _take_kernel(cwd: str) -> _Kernel:
    """Return the kernel started ahead for this working folder, else start one now."""
    from jupyter_core.utils import run_sync

    global _NEXT_KERNEL
    kernel, _NEXT_KERNEL = _NEXT_KERNEL, None
    if kernel is not None and (kernel.cwd != cwd or not run_sync(kernel.km.is_alive)()):
        _stop_kernel(kernel)
        kernel = None
    return kernel or _start_kernel(cwd)


#: Modules a kernel imports before the first cell, by the names the chapters import them
#: by (``from nssf_analysis import audit, sections …``): the costly part of a chapter's
#: first cell (pandas, matplotlib), paid while the kernel is started ahead.  Only what
#: nearly every chapter imports: the statistics (statsmodels and scipy, 0.9 s) are left
#: to the one chapter that imports them.  None of these reads data when imported, and
#: none binds a name in the notebook.
PRELOADED = (
    "pandas",
    "IPython.display",
    "nssf_analysis.catalog",
    "nssf_analysis.tables",
    "nssf_analysis.prose",
    "nssf_analysis.sections",
    "nssf_analysis.audit",
)
#: Run by each kernel before the first cell: record the data files it reads, import
#: :data:`PRELOADED`.  It binds no name in the notebook's namespace.
_KERNEL_START = (
    "import nssf_analysis.readlog as _nssf_readlog; _nssf_readlog.install(); del _nssf_readlog; "
    "import importlib as _nssf_importlib; "
    f"_nssf_m = list(map(_nssf_importlib.import_module, {','.join(PRELOADED)!r}.split(','))); "
    "del _nssf_importlib, _nssf_m"
)


def execute_notebook(source, target, year: int, cwd, km=None) -> dict:
    """Execute one chapter notebook with papermill: the one runner of the project.

    Every executed notebook, the book's chapters and the golden notebooks of the tests,
    runs through here: on the kernel :data:`KERNEL_NAME`, with the single parameter
    ``year``, without a progress bar or echoed output, and with :data:`CELL_TIMEOUT`
    seconds allowed per cell.  What it returns still holds run-dependent metadata;
    :func:`~nssf_analysis.book.pages.sanitize_notebook` strips it.

    Parameters
    ----------
    source : str or Path
        The source notebook.
    target : str or Path or None
        Where papermill writes the executed notebook (None: nowhere).
    year : int
        The ``year`` parameter.
    cwd : str or Path
        Working folder of the kernel.
    km : jupyter_client.KernelManager, optional
        A kernel started ahead (see :func:`_start_kernel`); default: papermill starts
        one of :data:`KERNEL_NAME`.

    Returns
    -------
    dict
        The executed notebook (a ``NotebookNode``).
    """
    import papermill as pm

    return pm.execute_notebook(
        str(source),
        None if target is None else str(target),
        parameters={"year": year},
        kernel_name=KERNEL_NAME,
        cwd=str(cwd),
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        execution_timeout=CELL_TIMEOUT,
        km=km,
    )


def run_notebook_job(job: dict) -> dict:
    """Execute one notebook with papermill and render its cells (runs in a worker).

    Parameters
    ----------
    job : dict
        ``name``, ``source``, ``year``, ``cwd``, ``executed`` (target of the
        sanitised notebook), ``fragment`` (target of the HTML body), ``staging``
        (scratch folder) and ``failed`` (where a failed run is kept).

    Returns
    -------
    dict
        ``status`` ("ok" or "failed"), ``seconds``, and ``warnings``,
        ``executed_sha256``, ``fragment_sha256``, ``reads`` (the data files the kernel
        read, None if unknown) on success or ``message``, ``cell`` on failure.
    """
    global _IN_JOB, _NEXT_KERNEL
    _IN_JOB = True
    start = time.perf_counter()
    name, year = job["name"], job["year"]
    staging = Path(job["staging"])
    staging.mkdir(parents=True, exist_ok=True)
    out = staging / f"{name}.ipynb"
    kernel = _take_kernel(job["cwd"])
    runtime = kernel.runtime
    _JOB_SCRATCH[:] = [runtime, out]
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
    # Log lines jupyter_client or papermill write (e.g. "KeyboardInterrupt caught in
    # kernel" on shutdown) go to a file instead of the build's terminal.
    log = open(runtime / "worker.log", "wb")
    saved_fds = (os.dup(1), os.dup(2))
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    try:
        import nbformat

        try:
            try:
                nb = execute_notebook(job["source"], out, year, job["cwd"], km=kernel.km)
            finally:
                signal.signal(signal.SIGTERM, _worker_term)  # nbclient replaced it
                reads = readlog.read_log(kernel.reads_log)
                _stop_kernel(kernel)
                if job.get("more"):  # boots while this notebook is rendered
                    _NEXT_KERNEL = _start_kernel(job["cwd"])
        except Exception as err:  # the notebook failed: keep it, say where
            saved = None
            if out.exists():
                failed = Path(job["failed"])
                failed.parent.mkdir(parents=True, exist_ok=True)
                os.replace(out, failed)
                saved = json.loads(failed.read_text(encoding="utf-8"))
            cell, message = describe_failure(saved, f"{name}.ipynb", year, err)
            return {
                "status": "failed",
                "cell": cell,
                "message": message,
                "saved": saved is not None,
                "seconds": time.perf_counter() - start,
            }
        clean = sanitize_notebook(dict(nb), _source_cell_ids(Path(job["source"])))
        text = nbformat.writes(nbformat.from_dict(clean))
        atomic_write_text(Path(job["executed"]), text)
        try:
            html, warnings = render_fragment(clean, name)
        except Exception as err:
            return {
                "status": "failed",
                "cell": None,
                "message": f"notebook {name}.ipynb (year={year}) ran but could not be "
                f"rendered: {type(err).__name__}: {_first_line(str(err))}",
                "saved": False,
                "seconds": time.perf_counter() - start,
            }
        atomic_write_text(Path(job["fragment"]), html)
        Path(job["failed"]).unlink(missing_ok=True)
        return {
            "status": "ok",
            "seconds": time.perf_counter() - start,
            "warnings": warnings,
            "executed_sha256": sha256_bytes(text.encode("utf-8")),
            "fragment_sha256": sha256_bytes(html.encode("utf-8")),
            "reads": reads,
        }
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        for fd in saved_fds:
            os.close(fd)
        log.close()
        out.unlink(missing_ok=True)
        _stop_kernel(kernel)
        _JOB_SCRATCH.clear()
        _IN_JOB = False


@dataclass(frozen=True)
class InstalledKernel:
    """An installed kernel specification: its folder and what its ``kernel.json`` says.

    Attributes
    ----------
    resource_dir : str
        The specification's folder (named after the kernel).
    data : dict
        The contents of its ``kernel.json``.
    """

    resource_dir: str
    data: dict

    @property
    def argv(self) -> list[str]:
        """The command that starts the kernel."""
        return list(self.data.get("argv") or [])

    def to_dict(self) -> dict:
        """Return a copy of ``kernel.json``'s contents."""
        return json.loads(json.dumps(self.data))


def _check_kernel() -> InstalledKernel:
    """Return the installed kernel specification :data:`KERNEL_NAME`.

    Read from the first folder of ``jupyter_core.paths.jupyter_path("kernels")`` that
    holds ``<name>/kernel.json``, where ``jupyter_client``'s ``KernelSpecManager`` (which
    the workers use) finds it too.  The build reads the file itself so that it can start
    the kernel server at once: importing ``jupyter_client`` costs a fifth of a second,
    paid in the workers anyway.

    Raises
    ------
    BookBuildError
        If it is not installed (with the command that installs it) or its
        ``kernel.json`` cannot be read (naming the file).
    """
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("kernels"):
        spec_file = Path(folder) / KERNEL_NAME / "kernel.json"
        if not spec_file.is_file():
            continue
        try:
            data = json.loads(spec_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as err:
            raise BookBuildError(
                f"{spec_file}: the Jupyter kernel {KERNEL_NAME!r} cannot be read "
                f"({type(err).__name__}: {err}); install it again: {KERNEL_INSTALL}"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("argv"), list):
            raise BookBuildError(
                f"{spec_file}: the Jupyter kernel {KERNEL_NAME!r} has no command (argv); "
                f"install it again: {KERNEL_INSTALL}"
            )
        return InstalledKernel(str(spec_file.parent), data)
    raise BookBuildError(
        f"the Jupyter kernel {KERNEL_NAME!r} is not installed; run: {KERNEL_INSTALL}"
    )


def _stop_pool(executor) -> None:
    """Stop a process pool now: cancel what waits, end the workers we started."""
    procs = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + 10
    for p in procs:
        p.join(max(0.1, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(5)


def _run_jobs(
    jobs: list[dict],
    workers: int,
    progress: bool,
    say=None,
    on_result=None,
    kernels_dir: str | None = None,
) -> list[dict]:
    """Run notebook jobs in ``workers`` processes; return one result per job, in order.

    ``progress`` shows a bar; without it ``say`` gets a line as each notebook starts and
    ends (:class:`~nssf_analysis.build_progress.LineProgress`). ``on_result(i, result)``
    is called as each job finishes, so that what finished is recorded even if the build
    is interrupted before the others do.  ``kernels_dir`` (see :class:`KernelServer`)
    has the workers start their kernels from the build's kernel server.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm

    from nssf_analysis.book.progress import LineProgress

    lines = LineProgress(jobs, workers, say, enabled=not progress)

    results: list[dict | None] = [None] * len(jobs)
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context("spawn"),
        initializer=_worker_init,
        initargs=(os.getpid(), jobs[0]["cwd"] if jobs else None, kernels_dir),
    )
    in_main = threading.current_thread() is threading.main_thread()
    old_term = signal.signal(signal.SIGTERM, _raise_interrupt) if in_main else None
    try:
        # a worker starts the kernel of its next notebook ahead while more are waiting
        futures = {
            executor.submit(run_notebook_job, dict(job, more=i < len(jobs) - workers)): i
            for i, job in enumerate(jobs)
        }
        lines.begin()
        with tqdm(
            total=len(jobs),
            desc="notebooks",
            unit="nb",
            disable=not progress,
            file=sys.stderr,
            dynamic_ncols=True,
        ) as bar:
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    res = fut.result()
                except Exception as err:  # a worker died (killed, out of memory …)
                    res = {
                        "status": "failed",
                        "cell": None,
                        "message": f"notebook {jobs[i]['name']}.ipynb (year={jobs[i]['year']})"
                        f": its worker process died: {type(err).__name__}: {err}",
                        "saved": False,
                        "seconds": 0.0,
                    }
                results[i] = res
                if on_result is not None:
                    on_result(i, res)
                lines.done(i, res)
                bar.set_postfix_str(f"{jobs[i]['year']}/{jobs[i]['name']} {res['status']}")
                bar.update(1)
        executor.shutdown(wait=True)
    except BaseException:
        _stop_pool(executor)
        raise
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, old_term)
    return results  # type: ignore[return-value]
