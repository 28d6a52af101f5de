"""Golden executed notebooks for the nbval regression tests (``make goldens``).

Every ``notebooks/NN_*.ipynb`` is executed for each year of :data:`YEARS` with the
book's papermill runner (:func:`~nssf_analysis.book.execute.execute_notebook`, on a plain
kernel, as nbval runs them), stripped of what varies from run to run (as the book does,
:func:`~nssf_analysis.book.pages.sanitize_notebook`) and of images, which nbval does not
compare, and written to ``tests/golden/<year>/``.  Regenerating the goldens of an
unchanged project rewrites them byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from nssf_analysis import paths
from nssf_analysis.book.build import discover_notebooks
from nssf_analysis.book.execute import execute_notebook
from nssf_analysis.book.pages import sanitize_notebook

__all__ = ["DROPPED_MIME", "YEARS", "golden_dir", "main", "make_golden", "strip"]

#: Years the goldens are made for: the report year and the year before it.
YEARS = (2022, 2021)
#: Output data not kept (nbval does not compare images).
DROPPED_MIME = ("image/png", "image/jpeg", "image/svg+xml")


def golden_dir() -> Path:
    """Return ``tests/golden``, the folder of the golden notebooks."""
    return paths.ROOT / "tests" / "golden"


def strip(nb, source_ids: list):
    """Strip an executed notebook of what varies from run to run and of images (in place)."""
    nb = sanitize_notebook(nb, source_ids)
    nb.metadata.get("language_info", {}).pop("version", None)
    for out in (o for cell in nb.cells for o in cell.get("outputs", [])):
        for mime in DROPPED_MIME:
            out.get("data", {}).pop(mime, None)
            out.get("metadata", {}).pop(mime, None)
        out.get("metadata", {}).pop("needs_background", None)
    return nb


def make_golden(source: Path, year: int, target: Path) -> None:
    """Execute ``source`` for ``year`` and write it, stripped, to ``target``."""
    nb = execute_notebook(source, None, year, source.parent)
    ids = [c.get("id") for c in json.loads(source.read_text(encoding="utf-8"))["cells"]]
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.from_dict(strip(nb, ids)), str(target))


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m nssf_analysis.book.goldens [--year Y] [--notebook NAME]``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, action="append", help="year (repeatable)")
    ap.add_argument("--notebook", action="append", help="notebook name without .ipynb")
    args = ap.parse_args(argv)
    sources = [
        s
        for s in discover_notebooks(paths.notebooks_dir())
        if s.stem in (args.notebook or [s.stem])
    ]
    out = golden_dir()
    jobs = [(s, y, out / str(y) / s.name) for y in args.year or YEARS for s in sources]
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(make_golden, *zip(*jobs, strict=True)))
    print(f"{len(jobs)} goldens -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
