"""Process helpers: a child dies with its parent, and no process of ours is left behind.

Every process a build starts (its workers, their kernel fork servers, the kernels, the
browser that prints the PDF edition) inherits the environment variable :data:`MARK`
with the build's own mark (:func:`mark_session`), so that :func:`leftovers` finds any of
them still running after the build, however it ended; ``make test`` ends with
``python -m nssf_analysis.processes`` (see :func:`main`), which fails when one is.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import sys
import threading
import time

import psutil

__all__ = [
    "alive",
    "MARK",
    "die_with",
    "die_with_parent",
    "kill_tree",
    "leftovers",
    "main",
    "mark_session",
]

#: The environment variable every process of a build or a test session inherits.
MARK = "NSSF_SESSION"


def mark_session() -> str:
    """Give this process (and so everything it starts) a session mark; return it.

    A mark already set (by ``make test`` or an outer build) is kept.
    """
    return os.environ.setdefault(MARK, f"nssf-{os.getpid()}-{time.time_ns()}")


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``signum`` to this process when its parent process ends.

    Used by the build's workers and the kernels they fork: a build that is killed
    (SIGKILL included) takes them with it.  If the parent has already gone, the signal
    comes at once.  Elsewhere than on Linux nothing is done.
    """
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(1, signum, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent or parent == 1:
        os.kill(os.getpid(), signum)


def die_with(pid: int, signum: int = signal.SIGKILL) -> None:
    """Send ``signum`` to this process when process ``pid`` ends (not only a parent).

    A daemon thread waits on a Linux pidfd of ``pid``; elsewhere nothing is done.
    """
    if not hasattr(os, "pidfd_open"):
        return
    fd = os.pidfd_open(pid)

    def wait() -> None:
        select.select([fd], [], [])
        os.kill(os.getpid(), signum)

    threading.Thread(target=wait, name=f"die-with-{pid}", daemon=True).start()


def kill_tree(pid: int | None = None, timeout: float = 5.0) -> int:
    """End every descendant of ``pid`` (default: this process): SIGTERM, then SIGKILL.

    Parameters
    ----------
    pid : int, optional
        The process whose descendants end (it is left running).
    timeout : float
        Seconds the processes get to end after SIGTERM.

    Returns
    -------
    int
        How many processes were signalled.
    """
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    for child in children:
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            pass
    for child in _running(children, timeout):
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    _running(children, timeout)
    return len(children)


def _running(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait up to ``timeout`` seconds for ``procs`` to end; return those still running.

    A zombie has ended: its parent, not this process, reaps it.
    """
    deadline = time.monotonic() + timeout
    while (left := [p for p in procs if alive(p.pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def leftovers(mark: str | None = None) -> list[psutil.Process]:
    """Return the running processes that carry the session mark ``mark``.

    Parameters
    ----------
    mark : str, optional
        Default: this process's own mark (``$NSSF_SESSION``).  This process and its
        ancestors are not counted.
    """
    mark = mark or os.environ.get(MARK)
    if not mark:
        return []
    me = psutil.Process()
    own = {me.pid, *(p.pid for p in me.parents())}
    found = []
    for proc in psutil.process_iter():
        if proc.pid in own:
            continue
        try:
            if proc.environ().get(MARK) == mark and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def main(argv: list[str] | None = None) -> int:
    """Fail (status 1) when a process of this session (``$NSSF_SESSION``) still runs.

    Waits up to ten seconds (``--wait SECONDS``) for processes that are ending, then
    lists those left.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m nssf_analysis.processes")
    parser.add_argument("--wait", type=float, default=10.0, metavar="SECONDS")
    deadline = time.monotonic() + parser.parse_args(argv).wait
    while (left := leftovers()) and time.monotonic() < deadline:
        time.sleep(0.25)
    for proc in left:
        try:
            cmd = " ".join(proc.cmdline())[:160]
        except psutil.Error:
            cmd = "?"
        print(f"left running: pid {proc.pid}: {cmd}", file=sys.stderr)
    if not os.environ.get(MARK):
        print(f"no session mark (${MARK}) to look for", file=sys.stderr)
        return 2
    print(f"processes left running by the session: {len(left)}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
