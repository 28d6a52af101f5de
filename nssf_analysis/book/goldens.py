"""Golden executed notebooks for the nbval regression tests (``make goldens``).

Every ``notebooks/*.ipynb`` is executed for each year by the book's papermill runner
(:func:`nssf_analysis.book.execute.execute_notebook`: the same kernel, the parameter
``year``, the same time limit) and written to
``tests/golden/<year>/<name>.ipynb`` with what legitimately varies from run to
run stripped (:func:`strip`): execution timestamps, papermill metadata, memory
addresses, and image data (nbval does not compare images; the charts have their
own pixel tests in ``tests/test_charts.py``). Regenerating the goldens of an
unchanged project rewrites them byte for byte.

Run ``python -m nssf_analysis.goldens`` (all notebooks, both years) or
``python -m nssf_analysis.goldens --year 2022 --notebook 03_pension``.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from nssf_analysis import paths

#: Years the goldens are made for: the report year and the year before it.
YEARS = (2022, 2021)
#: Output data not kept in goldens (not compared by nbval).
DROPPED_MIME = ("image/png", "image/jpeg", "image/svg+xml")


def golden_dir() -> Path:
    """Return ``tests/golden`` (the folder of the golden notebooks)."""
    return paths.ROOT / "tests" / "golden"


def strip(nb: nbformat.NotebookNode, source_ids: list | None = None) -> nbformat.NotebookNode:
    """Remove what varies between runs from an executed notebook (in place).

    What the book build removes (:func:`nssf_analysis.book.pages.sanitize_notebook`: papermill
    metadata, cell timings, memory addresses, the kernel's process id; cell ids from the
    source notebook), and the image data, which nbval does not compare.

    Parameters
    ----------
    nb : NotebookNode
        A notebook executed by papermill.
    source_ids : list, optional
        Cell ids of the source notebook, in order.

    Returns
    -------
    NotebookNode
        The same notebook.
    """
    from nssf_analysis.book.pages import sanitize_notebook

    sanitize_notebook(nb, source_ids or [])
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for mime in DROPPED_MIME:
                out.get("data", {}).pop(mime, None)
                out.get("metadata", {}).pop(mime, None)
            out.get("metadata", {}).pop("needs_background", None)
    return nb


def execute(source: Path, year: int, target: Path | None = None) -> nbformat.NotebookNode:
    """Execute one notebook for one year with papermill and return it stripped.

    Parameters
    ----------
    source : Path
        The source notebook.
    year : int
        Value of the ``year`` parameter.
    target : Path, optional
        Where to write the stripped notebook.
    """
    from nssf_analysis.book.execute import execute_notebook
    from nssf_analysis.book.pages import _source_cell_ids

    nb = execute_notebook(source, None, year, source.parent)
    nb = strip(nbformat.from_dict(nb), _source_cell_ids(source))
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(target))
    return nb


def _job(args: tuple[str, int, str]) -> tuple[str, int, float]:
    source, year, target = args
    t0 = time.perf_counter()
    execute(Path(source), year, Path(target))
    return Path(source).stem, year, time.perf_counter() - t0


def make_goldens(
    years=YEARS, names: list[str] | None = None, workers: int = 2, out: Path | None = None
) -> list[tuple[str, int, float]]:
    """Execute every source notebook for every year and write the goldens.

    Parameters
    ----------
    years : iterable of int
        The years.
    names : list of str, optional
        Notebook names (stems) to run; default every ``notebooks/*.ipynb``.
    workers : int
        Notebooks run in parallel.
    out : Path, optional
        Target folder (default :func:`golden_dir`).

    Returns
    -------
    list of (name, year, seconds)
    """
    out = out or golden_dir()
    sources = sorted(paths.notebooks_dir().glob("*.ipynb"))
    if names:
        sources = [s for s in sources if s.stem in names]
    jobs = [(str(s), y, str(out / str(y) / s.name)) for y in years for s in sources]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_job, jobs))


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m nssf_analysis.goldens [--year Y] [--notebook NAME]``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, action="append", help="year (repeatable)")
    ap.add_argument("--notebook", action="append", help="notebook name without .ipynb")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    done = make_goldens(args.year or YEARS, args.notebook, args.workers)
    for name, year, secs in done:
        print(f"{year} {name}: {secs:.1f} s")
    print(f"{len(done)} goldens in {time.perf_counter() - t0:.1f} s -> {golden_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
