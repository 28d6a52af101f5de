"""Plain progress lines of the notebook runs (a build whose output is no terminal)."""

from nssf_analysis.build_progress import LineProgress

JOBS = [{"name": n, "year": 2022} for n in ("00_a", "01_b", "02_c")]


def test_one_line_as_each_notebook_starts_and_one_as_it_ends():
    said = []
    p = LineProgress(JOBS, workers=2, say=said.append)
    p.begin()
    assert said == [
        "notebook 00_a.ipynb (year=2022): started",
        "notebook 01_b.ipynb (year=2022): started",
    ]
    p.done(1, {"status": "ok", "seconds": 2.25})
    p.done(0, {"status": "failed", "seconds": 1.0})
    p.done(2, {"status": "ok", "seconds": 3.0})
    assert said[2:] == [
        "notebook 01_b.ipynb (year=2022): done in 2.2 s [1/3]",
        "notebook 02_c.ipynb (year=2022): started",  # a worker was free again
        "notebook 00_a.ipynb (year=2022): failed in 1.0 s [2/3]",
        "notebook 02_c.ipynb (year=2022): done in 3.0 s [3/3]",
    ]


def test_nothing_is_said_when_a_bar_is_shown():
    said = []
    p = LineProgress(JOBS, workers=1, say=said.append, enabled=False)
    p.begin()
    p.done(0, {"status": "ok", "seconds": 1.0})
    assert said == []
