"""The chapter notebooks: parameterised, clean, and in step with their goldens.

The goldens under ``tests/golden/<year>/`` are what nbval re-executes and compares
(``make test``); they are only worth it while their code is the source notebooks' code.
"""

import re
from pathlib import Path

import goldens
import nbformat
import papermill as pm
import pytest
from design import CHAPTERS

from nssf_analysis.book.build import CHAPTER_RE
from nssf_analysis.book.execute import execute_notebook

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if CHAPTER_RE.match(p.name))
EXPLORE = ROOT / "notebooks" / "explore.ipynb"
NAMES = [p.stem for p in SOURCES]
PARAMETERS = "year: int = 2022  # report year: one of the years with data"
#: Section references such as "A.1.2", "6.1" or "section 2" are the only digits prose may hold.
SECTION_REF = re.compile(r"\b[A-E](\.\d+)+\b|\b\d+(\.\d+)+\b|\bsection \d+\b")


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_chapters_of_the_design_are_there():
    assert NAMES == CHAPTERS


@pytest.mark.parametrize("path", [*SOURCES, EXPLORE], ids=[*NAMES, "explore"])
def test_source_notebook_is_clean_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "nssf-analysis"
    code = code_cells(nb)
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[0].source == PARAMETERS
    assert code[1].source.strip().endswith("year = check_year(year)")
    # one house style, applied before anything is drawn: nssf_analysis.setup()
    assert re.search(r"^from nssf_analysis import \(?[^)]*\bsetup\b", code[2].source, re.M)
    assert code[2].source.strip().endswith("\nsetup()")
    for c in code:
        assert not c.outputs and c.execution_count is None, c.source
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for c in nb.cells:
        if c.cell_type == "markdown":
            prose = SECTION_REF.sub("", re.sub(r"`[^`]*`", "", c.source))
            assert not re.search(r"\d", prose), f"a number typed into Markdown: {c.source[:80]}"


@pytest.mark.parametrize("path", SOURCES, ids=NAMES)
def test_papermill_documents_the_year_parameter(path):
    params = pm.inspect_notebook(str(path))
    assert list(params) == ["year"]
    assert params["year"]["inferred_type_name"] == "int"
    assert params["year"]["default"] == "2022"
    assert "report year" in params["year"]["help"]


@pytest.mark.parametrize("year", goldens.YEARS)
@pytest.mark.parametrize("path", SOURCES, ids=NAMES)
def test_golden_code_is_the_source_code(path, year):
    golden = goldens.golden_dir() / str(year) / path.name
    assert golden.exists(), f"{golden} missing: run 'make goldens'"
    src = code_cells(nbformat.read(path, as_version=4))
    gold = code_cells(nbformat.read(golden, as_version=4))
    injected = [c for c in gold if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and injected[0].source.strip().endswith(f"year = {year}")
    rest = [c.source for c in gold if c is not injected[0]]
    assert rest == [c.source for c in src], f"{golden} is stale: run 'make goldens'"
    for c in gold:
        assert c.metadata.get("tags", []) != ["parameters"] or c.outputs == []
        for out in c.outputs:
            assert out.get("output_type") != "error", f"{golden}: an error output"
            assert not set(out.get("data", {})) & set(goldens.DROPPED_MIME)


@pytest.mark.parametrize("value", [2019, 2023, "2022.5"])
def test_a_year_without_data_fails_in_one_line(value, tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as info:
        execute_notebook(
            ROOT / "notebooks" / "03_pension.ipynb",
            tmp_path / "out.ipynb",
            value,
            ROOT / "notebooks",
        )
    err = info.value
    assert err.ename == "YearNotAvailableError"
    assert err.traceback == [f"YearNotAvailableError: {err.evalue}"]
    assert "available years: 2021, 2022" in err.evalue
    # it stops at the cell right after the injected parameters, before any output
    assert err.exec_count == 3


def test_strip_keeps_only_what_nbval_compares():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("fig", id="run-random-id")
    cell.metadata["papermill"] = {"duration": 1.5}
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": "iVBOR", "text/plain": "<Figure at 0x7f6eed9c0a90>"},
            metadata={"image/png": {"alt": "Graphic 4"}, "needs_background": "light"},
        )
    ]
    nb.cells = [cell]
    nb.metadata["papermill"] = {"start_time": "2026-01-01", "parameters": {"year": 2022}}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    out = goldens.strip(nb, ["source-id"])
    (c,) = out.cells
    assert c.id == "source-id" and "papermill" not in c.metadata and "execution" not in c.metadata
    assert c.outputs[0].data == {"text/plain": "<Figure at 0x…>"}
    assert c.outputs[0].metadata == {}
    assert "papermill" not in out.metadata and out.metadata["language_info"] == {"name": "python"}


@pytest.mark.parametrize("year", goldens.YEARS)
def test_the_walk_through_runs_for_every_year(year, tmp_path):
    """``notebooks/explore.ipynb`` is not a chapter, but it must run as the README says."""
    nb = execute_notebook(EXPLORE, tmp_path / "explore.ipynb", year, ROOT / "notebooks")
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
    # it shows a table as printed, a chart and the rate it sets out to compute
    shown = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert 'id="t10"' in shown
    assert any("image/png" in o.get("data", {}) for o in outputs)
