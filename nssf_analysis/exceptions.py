"""Exceptions raised by nssf_analysis.

Every error carries enough context (file, table, row, column, rule) for a user
to find the offending cell without a traceback; the CLI prints ``str(err)``.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager

__all__ = [
    "BookBuildError",
    "BuildInterruptedError",
    "CommandInterruptedError",
    "ExtractionError",
    "ExtractionInterruptedError",
    "NSSFError",
    "NotebookFailedError",
    "UnknownTableError",
    "ValidationError",
    "YearNotAvailableError",
    "interruptions_held",
]


class NSSFError(Exception):
    """Base class of every error the package raises on purpose.

    In a notebook the error shows as the one line ``<ErrorName>: <message>``: IPython
    calls :meth:`_render_traceback_` instead of printing the traceback, since the
    message already names the file, table, row, column or parameter at fault.
    """

    def _render_traceback_(self) -> list[str]:
        """Return the lines IPython shows for this error: its name and message."""
        return [f"{type(self).__name__}: {self}"]


class ExtractionError(NSSFError):
    """The report text does not have the structure the table specs expect."""


class CommandInterruptedError(NSSFError):
    """A command was stopped by Ctrl-C or a signal; what it was writing was not kept.

    ``nssf-report`` prints the message and exits with status 130, as a shell does for
    a command ended by Ctrl-C.
    """


class ExtractionInterruptedError(ExtractionError, CommandInterruptedError):
    """The extraction was interrupted; the message says what ``data/`` holds."""


class UnknownTableError(NSSFError, KeyError):
    """A table id that is not in the catalog."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "unknown table"


class ValidationError(NSSFError):
    """A data file breaks a rule.

    Parameters
    ----------
    rule : str
        Short name of the broken rule, e.g. ``"non-negative"``.
    file : str
        Path of the file that breaks it.
    row : int or None
        1-based data row in the file (header excluded), if the rule concerns a row.
    column : str or None
        Column name, if the rule concerns a column.
    detail : str
        Human-readable explanation.
    """

    def __init__(self, rule, file, row=None, column=None, detail=""):
        self.rule = rule
        self.file = str(file)
        self.row = row
        self.column = column
        self.detail = detail
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: rule '{self.rule}' broken: {self.detail}"


class YearNotAvailableError(NSSFError, ValueError):
    """A year (or parameter value) for which there is no data."""


class BookBuildError(NSSFError):
    """The book could not be built; the previous book is left as it was."""


class NotebookFailedError(BookBuildError):
    """A chapter notebook raised an error; names the notebook, the cell and the error."""


class BuildInterruptedError(BookBuildError, CommandInterruptedError):
    """The build was interrupted (Ctrl-C or a signal) before it published anything."""


@contextmanager
def interruptions_held():
    """Hold Ctrl-C and SIGTERM until the block ends, then act on them as usual.

    For what an interruption must never cut in two: a folder half renamed or half
    removed, a module half imported (an extension module that swallows the
    ``KeyboardInterrupt`` raised in it loses the Ctrl-C).  Outside the main thread,
    where Python handles no signal, nothing is held.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    before = {s: signal.signal(s, lambda signum, frame: got.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        if got:
            handler = before[got[0]]
            if callable(handler):
                handler(got[0], None)  # Ctrl-C's own handler raises KeyboardInterrupt
            elif handler != signal.SIG_IGN:
                os.kill(os.getpid(), got[0])
