"""Which data files a notebook read: the record the book's cache keys each chapter on.

The book builder (:mod:`nssf_analysis.book`) sets ``$NSSF_READLOG`` to a fresh file for
each notebook run and has the kernel call :func:`install` before the first cell.  From
then on every file of ``data/`` the kernel opens, and every folder of ``data/`` it
lists, is written to that file once, as a path relative to ``data/``: whoever opens it
(the catalog reader, the audit, a library), however it is opened (``open``,
``Path.read_text``, ``pandas.read_csv``).  This uses Python's audit hooks (PEP 578),
which see every ``open`` and ``os.scandir`` / ``os.listdir`` of the process.

Without ``$NSSF_READLOG`` nothing is recorded and :func:`record` does nothing, so a
JupyterLab session or a test pays nothing.
"""

from __future__ import annotations

import os
import sys

#: Environment variable naming the file the paths read are appended to.
ENV = "NSSF_READLOG"
#: First line of a read log: tells "recorded, nothing read" from "not recorded".
HEADER = "# data files read"

_state: dict = {"log": None, "roots": (), "seen": set(), "busy": False}


def _roots() -> tuple[str, ...]:
    from nssf_analysis import paths

    root = str(paths.data_dir())
    found = {os.path.abspath(root), os.path.realpath(root)}
    return tuple(sorted(found))


def _relative(path) -> str | None:
    """Return ``path`` relative to ``data/`` (POSIX form), or None if outside it."""
    try:
        text = os.fsdecode(os.fspath(path))
    except TypeError:
        return None  # a file descriptor
    full = os.path.abspath(text)
    for root in _state["roots"]:
        if full == root:
            return "."
        if full.startswith(root + os.sep):
            return full[len(root) + 1 :].replace(os.sep, "/")
    return None


def record(path) -> None:
    """Note that the data file (or folder) ``path`` was read (once per run and path).

    Parameters
    ----------
    path : str or os.PathLike
        A path inside ``data/``; paths elsewhere are ignored.
    """
    log = _state["log"]
    if log is None or _state["busy"]:
        return
    rel = _relative(path)
    if rel is None or rel in _state["seen"]:
        return
    _state["busy"] = True
    try:
        _state["seen"].add(rel)
        log.write(rel + "\n")
        log.flush()
    finally:
        _state["busy"] = False


def _hook(event: str, args: tuple) -> None:
    if event == "open" or event in ("os.scandir", "os.listdir"):
        if args and args[0] is not None and not isinstance(args[0], int):
            record(args[0])


def install() -> bool:
    """Start recording the data files this process reads, if ``$NSSF_READLOG`` is set.

    Returns
    -------
    bool
        True when recording (the log file is started with :data:`HEADER`).
    """
    target = os.environ.get(ENV)
    if not target or _state["log"] is not None:
        return _state["log"] is not None
    _state["busy"] = True
    try:
        _state["roots"] = _roots()
        _state["log"] = open(target, "a", encoding="utf-8")  # noqa: SIM115 (kept open)
        _state["log"].write(HEADER + "\n")
        _state["log"].flush()
    finally:
        _state["busy"] = False
    sys.addaudithook(_hook)
    return True


def read_log(path) -> list[str] | None:
    """Return the sorted paths (relative to ``data/``) a read log lists.

    Parameters
    ----------
    path : str or os.PathLike
        The file ``$NSSF_READLOG`` named.

    Returns
    -------
    list of str or None
        None when nothing was recorded (the file is missing or lacks :data:`HEADER`):
        the reads are then unknown.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    if not lines or lines[0] != HEADER:
        return None
    return sorted({ln for ln in lines[1:] if ln})
