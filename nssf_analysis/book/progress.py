"""Progress of the notebook runs as plain lines, for a build whose output is no terminal.

A terminal gets tqdm's bar; a log file, a pipe or CI gets one line per notebook when
it starts and one when it ends (with its status, its time and how many are done).
The process pool starts jobs in the order they were submitted, one whenever a worker
is free, so the first ``workers`` jobs start at once and each finished job starts the
next one.
"""

from __future__ import annotations


class LineProgress:
    """Say when each notebook job starts and ends.

    Parameters
    ----------
    jobs : list of dict
        The jobs, in the order they were submitted (``name`` and ``year`` each).
    workers : int
        Jobs that run at once.
    say : callable or None
        Receives each line; None (or ``enabled=False``) says nothing.
    enabled : bool
        Whether to say anything (False when a progress bar is shown instead).
    """

    def __init__(self, jobs: list[dict], workers: int, say=None, enabled: bool = True):
        self.jobs = jobs
        self.workers = max(1, workers)
        self.say = say if enabled else None
        self.next = 0
        self.finished = 0

    def _name(self, i: int) -> str:
        job = self.jobs[i]
        return f"notebook {job['name']}.ipynb (year={job['year']})"

    def _start_next(self) -> None:
        if self.next < len(self.jobs):
            if self.say:
                self.say(f"{self._name(self.next)}: started")
            self.next += 1

    def begin(self) -> None:
        """Say that the first ``workers`` jobs started."""
        for _ in range(min(self.workers, len(self.jobs))):
            self._start_next()

    def done(self, i: int, result: dict) -> None:
        """Say that job ``i`` ended with ``result`` (status, seconds); start the next."""
        self.finished += 1
        if self.say:
            status = "done" if result.get("status") == "ok" else result.get("status", "?")
            self.say(
                f"{self._name(i)}: {status} in {result.get('seconds', 0.0):.1f} s "
                f"[{self.finished}/{len(self.jobs)}]"
            )
        self._start_next()
