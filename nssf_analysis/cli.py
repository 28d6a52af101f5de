"""Command line: ``nssf-report extract | validate | catalog | audit | build``.

Errors the package raises on purpose, and file system faults (a read-only folder, a full
disk), are printed as one line on stderr and the command exits with status 1 (no
traceback); a bad parameter is one line naming it and what is allowed (status 2);
Ctrl-C (or SIGTERM) ends a command with one line and status 130.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import signal
import sys
import threading

from nssf_analysis.exceptions import (
    CommandInterruptedError,
    ExtractionInterruptedError,
    NSSFError,
    interruptions_held,
)

__all__ = ["build_parser", "main", "positive_int", "report_year"]

#: Exit status of a command ended by Ctrl-C (128 + SIGINT, as a shell reports it).
INTERRUPTED = 130
#: The longest line of an error message that is printed whole.
MAX_LINE = 600
#: The modules each command imports, imported with Ctrl-C held (see :func:`main`).
MODULES = {
    "extract": ("nssf_analysis.book.build", "nssf_analysis.data.pipeline"),
    "validate": ("nssf_analysis.data.pipeline",),
    "catalog": ("nssf_analysis.data.catalog",),
    "audit": ("nssf_analysis.analysis.audit.outputs", "nssf_analysis.data.pipeline"),
    "build": ("nssf_analysis.book.build",),
}


def _cmd_extract(args) -> int:
    from nssf_analysis.book.build import build_lock
    from nssf_analysis.data.editions import summary_text
    from nssf_analysis.data.pipeline import write_data
    from nssf_analysis.paths import data_dir

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    info = None
    try:
        with build_lock(say):  # not while a build reads
            info = write_data(progress=not args.quiet, strict=args.strict)
    except KeyboardInterrupt:  # before write_data began or after it ended
        state = "is unchanged" if info is None else "holds the new extraction"
        raise ExtractionInterruptedError(f"extraction interrupted; {data_dir()} {state}") from None
    print(summary_text(info["edition"], info["facts_missing"]))
    print(
        f"extracted report {info['report_year']}: {info['tables']} tables, "
        f"{info['directories']} directories, {info['checks']} checks -> {data_dir()}"
    )
    return 0


def _cmd_validate(args) -> int:
    from nssf_analysis.data.pipeline import validate_data

    n = validate_data()
    print(f"validated {n} tables: raw and tidy files pass every rule")
    return 0


def _cmd_catalog(args) -> int:
    from nssf_analysis.data.catalog import catalog

    cols = ["table_id", "label", "section", "scheme", "unit", "title"]
    print(catalog()[cols].to_string(index=False, max_colwidth=60))
    return 0


def _cmd_audit(args) -> int:
    from nssf_analysis.analysis.audit.outputs import run_cli
    from nssf_analysis.data.pipeline import validate_data

    validate_data()  # a malformed file is one named error, before any rule runs
    return run_cli(args)


def _cmd_build(args) -> int:
    from nssf_analysis.book.build import run_cli

    return run_cli(args)


def positive_int(text: str) -> int:
    """Parse a whole number of at least 1 (an argparse type: ``--jobs``)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def report_year(text: str) -> int:
    """Parse a report year (an argparse type: ``--year``); a bad one lists the years with data.

    Whether the year has data is checked by the build (the message lists them too).
    """
    value = text.strip()
    if value.isascii() and value.isdigit() and len(value) == 4:
        return int(value)
    from nssf_analysis.data.catalog import available_years

    try:
        years = "available years: " + ", ".join(map(str, available_years()))
    except (NSSFError, OSError, ValueError) as err:
        years = f"no year has data yet ({_line(str(err).splitlines()[0])})"
    raise argparse.ArgumentTypeError(f"{text!r} is not a year; {years}")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: the parameter and what is allowed."""

    def error(self, message: str):
        """Print ``<prog>: error: <message>`` (no usage block) and exit with status 2."""
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {_line(message)} (see {self.prog} --help)\n")


def _line(text: str) -> str:
    """Return one line of a message, its middle left out when longer than :data:`MAX_LINE`."""
    text = text.replace("\r", " ")
    if len(text) <= MAX_LINE:
        return text
    head, tail = text[: MAX_LINE * 2 // 3], text[-(MAX_LINE // 4) :]
    return f"{head} … ({len(text) - len(head) - len(tail)} characters left out) … {tail}"


def _message(err: BaseException) -> str:
    """Return an error's message, each line at most :data:`MAX_LINE` characters."""
    return "\n".join(_line(x) for x in str(err).splitlines() if x.strip()) or type(err).__name__


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``nssf-report``."""
    p = _Parser(prog="nssf-report", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("extract", help="extract every table of the report into data/")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.add_argument(
        "--strict",
        action="store_true",
        help="fail if the report prints a table the specs do not know, or lacks a known "
        "table or a declared fact of its prose",
    )
    e.set_defaults(func=_cmd_extract)
    v = sub.add_parser("validate", help="validate every data file")
    v.set_defaults(func=_cmd_validate)
    c = sub.add_parser("catalog", help="list the tables")
    c.set_defaults(func=_cmd_catalog)
    a = sub.add_parser("audit", help="audit the report's internal consistency")
    a.add_argument("--out", default=None, help="output folder (default outputs/audit)")
    a.set_defaults(func=_cmd_audit)
    b = sub.add_parser("build", help="run the notebooks and build the HTML book")
    which = b.add_mutually_exclusive_group()
    which.add_argument("--year", type=report_year, action="append", help="report year (repeatable)")
    which.add_argument("--all-years", action="store_true", help="build every year with data")
    b.add_argument(
        "--jobs",
        type=positive_int,
        default=None,
        help="notebooks run in parallel (default: $NSSF_JOBS, else the cores it may use)",
    )
    b.add_argument("--force", action="store_true", help="run every notebook again")
    b.set_defaults(func=_cmd_build)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    # what the command builds is freed with the process: at exit, the interpreter's last
    # full collection, which would go through all of it (a third of a second after a
    # build), is left out, as the build's workers do; a caller that goes on is unaffected
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    term = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stops it as Ctrl-C does
    try:
        # a Ctrl-C while the modules load is acted on once they are loaded: an extension
        # module (pikepdf's) swallows a KeyboardInterrupt raised while it loads
        with interruptions_held():
            for name in MODULES.get(args.command, ()):
                importlib.import_module(name)
        return args.func(args)
    except CommandInterruptedError as err:
        print(f"nssf-report: {_message(err)}", file=sys.stderr)
        return INTERRUPTED
    except KeyboardInterrupt:
        print(f"nssf-report: {args.command} interrupted", file=sys.stderr)
        return INTERRUPTED
    except NSSFError as err:
        print(f"nssf-report: error: {_message(err)}", file=sys.stderr)
        return 1
    except OSError as err:  # a file system fault no layer names (a read-only outputs/ …)
        where = f"{err.filename}: " if err.filename else ""
        print(f"nssf-report: error: {where}{err.strerror or err}", file=sys.stderr)
        return 1
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, signal.SIG_DFL if term is None else term)


if __name__ == "__main__":
    sys.exit(main())
