"""Run one chapter in a worker of the build: papermill, then nbconvert (and the goldens' runner).

:func:`run_chapter` runs in a worker process of :func:`nssf_analysis.book.build.build`
(started with :func:`worker_init`); it imports only what a run needs, so that a worker
starts quickly.  :func:`execute_notebook` is the one papermill call of the project:
the book's chapters, the golden notebooks of the tests and the tests of the notebooks.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from nssf_analysis import processes
from nssf_analysis.book import pages

__all__ = ["CELL_TIMEOUT", "KERNEL_NAME", "execute_notebook", "run_chapter", "worker_init"]

#: The Jupyter kernel every chapter runs on (``make install`` installs it).
KERNEL_NAME = "nssf-analysis"
#: Seconds one cell may run before the build gives up on it.
CELL_TIMEOUT = int(os.environ.get("NSSF_CELL_TIMEOUT", "1800"))


def execute_notebook(source, target, year: int, cwd, km=None) -> dict:
    """Execute one notebook with papermill (the one runner: book chapters and goldens).

    On the kernel :data:`KERNEL_NAME` (or the kernel manager ``km``), with the single
    parameter ``year`` and :data:`CELL_TIMEOUT` seconds per cell; ``target`` None
    writes nothing.  Returns the executed notebook.
    """
    import papermill as pm

    return pm.execute_notebook(
        str(source),
        None if target is None else str(target),
        parameters={"year": year},
        kernel_name=KERNEL_NAME,
        cwd=str(cwd),
        progress_bar=False,
        request_save_on_cell_execute=False,
        execution_timeout=CELL_TIMEOUT,
        km=km,
    )


def _describe_failure(nb: dict | None, name: str, year: int, err: BaseException) -> str:
    """Return what failed where: the notebook, its cell (numbered as an editor does), the line."""
    cell_no, where_line = None, ""
    added = {pages.INJECTED_TAG, pages.ERROR_CELL_TAG}
    cells = [
        c for c in (nb or {}).get("cells", []) if not added & set(c["metadata"].get("tags", []))
    ]
    for n, cell in enumerate(cells, start=1):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            frames = "\n".join(
                re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", t) for t in errors[-1]["traceback"]
            )
            m = re.search(r"(?m)^\s*-+>\s*(\d+)\s(.*)$", frames)
            cell_no = n
            where_line = f"line {m[1]}: {m[2].strip()}" if m else pages.first_line(cell["source"])
            break
    ename = getattr(err, "ename", None) or type(err).__name__
    evalue = getattr(err, "evalue", None) or str(err)
    where = f"cell {cell_no}" if cell_no else "before any cell ran"
    msg = f"notebook {name} (year={year}) failed in {where}: {ename}: {pages.first_line(evalue)}"
    return msg + (f"\n  at: {where_line[:120]}" if where_line else "")


def worker_init(build_pid: int) -> None:
    """Set up a worker: dies with the build, own process group, quiet, no IRI grammars.

    jsonschema imports ``rfc3987_syntax`` only if it can, and compiling its IRI grammars
    costs two seconds of CPU in every process that imports nbformat: marked as missing,
    the "iri" format checks, which the notebook schema does not use, are left out.
    """
    processes.die_with_parent()
    if os.getppid() != build_pid:
        os._exit(1)
    os.setpgrp()  # Ctrl-C reaches the build, which stops the workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by the build
    sys.modules.setdefault("rfc3987_syntax", None)
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)


def run_chapter(job: dict) -> dict:
    """Execute one chapter with papermill and render it (runs in a worker process).

    ``job`` gives ``name``, ``source``, ``year``, ``cwd``, ``executed`` and ``fragment``
    (where the sanitised notebook and its HTML go), ``loads`` (the loads file),
    ``failed`` (where a failed run is kept) and ``warm`` (fork kernels).  Returns
    ``status`` and ``seconds``, and ``warnings``, ``loads`` and the SHA-256 of both
    files, or ``message``.
    """
    import nbformat
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    from nssf_analysis.book.kernels import WarmSpecs

    start = time.perf_counter()
    loads = Path(job["loads"])
    loads.parent.mkdir(parents=True, exist_ok=True)  # the folder of every file of the run
    loads.write_text("", encoding="utf-8")
    os.environ["NSSF_LOADS_FILE"] = str(loads)
    # Unix sockets in a folder of the run's own: kernels started at the same moment never
    # race for TCP ports (jupyter_client picks free ones, then closes them before binding).
    # It is in the build's temporary folder, and short: a socket's path is at most 107
    # bytes.
    sockets = tempfile.mkdtemp(prefix="k")
    specs = {"kernel_spec_manager": WarmSpecs()} if job["warm"] else {}
    km = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=f"{sockets}/k", **specs)
    running, failed = Path(job["executed"]).with_suffix(".running.ipynb"), Path(job["failed"])
    try:
        try:
            nb = execute_notebook(job["source"], running, job["year"], job["cwd"], km=km)
        finally:  # papermill shuts down only the kernels it started itself
            if km.has_kernel:
                run_sync(km.shutdown_kernel)()
            shutil.rmtree(sockets, ignore_errors=True)
    except Exception as err:
        saved = None
        if running.exists():
            failed.parent.mkdir(parents=True, exist_ok=True)
            os.replace(running, failed)
            saved = json.loads(failed.read_text(encoding="utf-8"))
        message = _describe_failure(saved, f"{job['name']}.ipynb", job["year"], err)
        return {"status": "failed", "message": message, "seconds": time.perf_counter() - start}
    running.unlink(missing_ok=True)
    failed.unlink(missing_ok=True)
    source_ids = [c.get("id") for c in json.loads(Path(job["source"]).read_text("utf-8"))["cells"]]
    nb = pages.sanitize_notebook(nb, source_ids)
    text = nbformat.writes(nb)
    html, warnings = pages.render_fragment(nb, job["name"])
    for path, content in ((job["executed"], text), (job["fragment"], html)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(content, encoding="utf-8")
    return {
        "status": "ok",
        "seconds": time.perf_counter() - start,
        "warnings": warnings,
        "loads": sorted(set(loads.read_text(encoding="utf-8").split())),
        "executed_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "fragment_sha256": hashlib.sha256(html.encode()).hexdigest(),
    }
