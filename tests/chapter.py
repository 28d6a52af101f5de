"""Run a chapter notebook's code in this process, to test what its cells compute.

The code cells run in order in one namespace, with ``year`` in place of the parameters
cell, as papermill would run them; what they display is discarded. A test then checks
the chapter's own frames (``rr``, ``model`` …) against hand arithmetic.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import matplotlib
import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def run_cells(name: str, year: int) -> dict:
    """Execute the code cells of ``notebooks/<name>.ipynb`` for ``year``; return its names.

    The figures the chapter hands to :func:`nssf_analysis.render.page.graphic` are kept
    under the name ``"_graphics"``: {graphic number: Figure or None}.
    """
    from nssf_analysis.render import page

    matplotlib.use("Agg")
    drawn: dict = {}
    real = page.graphic

    def keep(number, year, fig=None):
        drawn[number] = fig

    page.graphic = keep
    path = NOTEBOOKS / f"{name}.ipynb"
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    cells[0] = f"year = {year!r}"  # the parameters cell
    names: dict = {"__name__": f"chapter_{name}", "_graphics": drawn}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for n, source in enumerate(cells, start=1):
                exec(compile(source, f"{path.name}, code cell {n}", "exec"), names)  # noqa: S102
    finally:
        page.graphic = real
    return names
