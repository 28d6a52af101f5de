"""Work done ahead of need, at the lowest CPU priority, so it never slows what is needed.

The build's own process works while others use the cores: while the kernels run the
chapters it prepares the downloads and pages (:class:`nssf_analysis.book.builder`'s
background thread), and while Chromium prints the PDF edition it makes the download
files, the search index and the data package (:func:`nssf_analysis.book.site.publish`).
Run at the lowest priority (``nice`` 19), that work takes only the CPU time the kernels
and Chromium leave, instead of a share of theirs.  Linux sets the priority of one
thread (the build's other threads keep theirs); elsewhere nothing changes.  Where Linux
shares the cores between sessions first ("autogroups"), priorities count within a
session only: the kernels (forked by the build's kernel server) and Chromium (a process
group of its own, :mod:`nssf_analysis.book.pdf`) run in the build's session for that.
"""

from __future__ import annotations

import os
import sys
import threading

#: The nice value of work done ahead of need (the lowest priority).
LOW_PRIORITY = 19


def lower_thread_priority() -> bool:
    """Give the calling thread the lowest CPU priority; return whether it was set.

    Only on Linux, where a thread's priority is its own (``setpriority`` with the
    thread's id); elsewhere the call would lower the whole process, and nothing is done.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOW_PRIORITY)
    except OSError:
        return False
    return True


def run_low_priority(func, *args):
    """Call ``func(*args)`` in a thread of the lowest priority, wait, return its result.

    What it raises is raised here.  The calling thread waits meanwhile (so the two
    never use the caches of :mod:`nssf_analysis.data.cache` at once).
    """
    outcome: dict = {}

    def target() -> None:
        lower_thread_priority()
        try:
            outcome["value"] = func(*args)
        except BaseException as err:  # re-raised in the calling thread
            outcome["error"] = err

    thread = threading.Thread(target=target, name="nssf-low-priority", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


__all__ = ["LOW_PRIORITY", "lower_thread_priority", "run_low_priority"]
