"""Command line: ``nssf-report extract | validate | catalog | audit | build``.

Errors the package raises on purpose are printed as one line on stderr and the
command exits with status 1 (no traceback).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import sys

from nssf_analysis.exceptions import NSSFError

__all__ = ["build_parser", "main", "positive_int"]


def _cmd_extract(args) -> int:
    from nssf_analysis.book.build import build_lock
    from nssf_analysis.data.editions import summary_text
    from nssf_analysis.data.pipeline import write_data
    from nssf_analysis.paths import data_dir

    with build_lock(lambda msg: print(msg, file=sys.stderr, flush=True)):  # not while a build reads
        info = write_data(progress=not args.quiet, strict=args.strict)
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


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``nssf-report``."""
    p = argparse.ArgumentParser(prog="nssf-report", description=__doc__.splitlines()[0])
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
    which.add_argument("--year", type=int, action="append", help="report year (repeatable)")
    which.add_argument("--all-years", action="store_true", help="build every year with data")
    b.add_argument(
        "--jobs",
        type=positive_int,
        default=None,
        help="notebooks run in parallel (default: cores)",
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
    try:
        return args.func(args)
    except NSSFError as err:
        print(f"nssf-report: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
