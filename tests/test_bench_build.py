"""The build benchmark's own arithmetic, checks and options (expected values by hand)."""

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "bench_build", Path(__file__).resolve().parent.parent / "benchmarks" / "bench_build.py"
)
bench = importlib.util.module_from_spec(SPEC)
sys.modules["bench_build"] = bench  # dataclasses look their module up by name
SPEC.loader.exec_module(bench)

#: Wall seconds of two rounds; the ratios below are worked out by hand from them.
WALL = {
    "naive": [100.0, 100.0],
    "cold": [25.0, 29.0],  # / naive: 0.25, 0.29 -> median 0.27
    "nowarm": [
        26.0,
        30.0,
    ],  # / cold: 1.04, 1.0345 -> 1.0372; saving: 100*1/26 = 3.846 %, 100*1/30 = 3.333 % -> 3.590 %
    "pdf": [40.0, 50.0],
    "previous": [25.0, 25.0],  # cold / previous: 1.0, 1.16 -> median 1.08
    "same": [0.5, 0.7],  # median 0.6 s
    "chapter": [10.0, 30.0],  # / pdf: 0.25, 0.6 -> median 0.425
    "table": [30.0, 20.0],  # / pdf: 0.75, 0.4 -> median 0.575
}


def test_each_round_has_its_own_ratio():
    assert bench.per_round([20.0, 30.0, 18.0], [80.0, 60.0, 90.0]) == pytest.approx(
        [0.25, 0.5, 0.2]
    )
    with pytest.raises(ValueError):  # a round without its other phase
        bench.per_round([20.0, 30.0], [80.0])


def test_the_saving_is_a_percentage_of_the_build_without_warm_kernels():
    assert bench.saving(45.0, 50.0) == pytest.approx(10.0)  # 5 s of 50 s
    assert bench.saving(30.0, 40.0) == pytest.approx(25.0)  # 10 s of 40 s
    assert bench.saving(60.0, 50.0) == pytest.approx(-20.0)  # warm kernels cost 10 s of 50 s


def test_the_goal_is_checked_on_the_median_of_the_rounds():
    line = bench.goal_line("cold / naive", [0.25, 0.5, 0.2], "<=", 0.30, "{:.3f}")
    assert "0.250   goal <= 0.300   PASS" in line  # median 0.25
    assert line.endswith("rounds: 0.250, 0.500, 0.200")
    assert "FAIL" in bench.goal_line("x", [0.31, 0.2, 0.4], "<=", 0.30, "{:.3f}")  # 0.31
    assert "PASS" in bench.goal_line("x", [0.30], "<=", 0.30, "{:.3f}")  # at the goal
    assert "PASS" in bench.goal_line("x", [10.0, 8.0, 20.0], ">=", 10, "{:.1f} %")  # 10
    assert "9.5 %   goal >= 10.0 %   FAIL" in bench.goal_line(
        "x", [8.0, 9.5, 30.0], ">=", 10, "{:.1f} %"
    )
    assert "0.60 s   goal < 1.00 s   PASS" in bench.goal_line(
        "x", [0.4, 1.2, 0.6], "<", 1, "{:.2f} s"
    )
    assert "FAIL" in bench.goal_line("x", [1.0], "<", 1, "{:.2f} s")  # not under 1 s
    assert "FAIL" in bench.goal_line("x", [0.8, 1.4], "<", 1, "{:.2f} s")  # median 1.1
    no_goal = bench.goal_line("x", [2.0, 4.0], None, 0, "{:.3f}")
    assert "3.000   (no goal)" in no_goal and "PASS" not in no_goal and "FAIL" not in no_goal
    assert "n/a" in bench.goal_line("x", None, "<=", 1.15, "{:.3f}")


def test_every_ratio_line_of_a_run():
    lines = bench.goal_lines(WALL)
    expected = [
        ("cold no PDF / naive", "0.270", "PASS", "rounds: 0.250, 0.290"),
        ("cold no PDF / previous build", "1.080", "PASS", "rounds: 1.000, 1.160"),
        ("no-warm / warm", "1.037", "(no goal)", "rounds: 1.040, 1.034"),
        ("warm saving, % of no-warm", "3.6 %", "FAIL", "rounds: 3.8 %, 3.3 %"),
        ("no-change rebuild", "0.60 s", "PASS", "rounds: 0.50 s, 0.70 s"),
        ("one chapter / cold with PDF", "0.425", "PASS", "rounds: 0.250, 0.600"),
        ("one table / cold with PDF", "0.575", "FAIL", "rounds: 0.750, 0.400"),
    ]
    assert len(lines) == len(expected)
    for line, (label, median, verdict, rounds) in zip(lines, expected, strict=True):
        assert line.strip().startswith(label)
        assert f" {median}   " in line and verdict in line and line.endswith(rounds)


def test_without_the_previous_build_its_ratio_is_not_available():
    wall = {k: v for k, v in WALL.items() if k != "previous"}
    line = bench.goal_lines(wall)[1]
    assert "previous build" in line and "n/a" in line
    assert "PASS" not in line and "FAIL" not in line


SUMMARY = """\
  notebook                         year  status     seconds
  00_overview                      2022  cached           -
  01_pension                       2022  executed       3.2
  02_health                        2022  cached           -
book 2022: rendered -> outputs/2022/book/index.html
build finished in 4.0 s
"""
NAMES = ["00_overview", "01_pension", "02_health"]


def test_the_build_summary_must_show_exactly_what_ran_and_the_book():
    ok, detail = bench.check_statuses(SUMMARY, 2022, NAMES, {"01_pension"}, "rendered")
    assert ok and detail == "executed: 01_pension; book rendered"
    assert not bench.check_statuses(SUMMARY, 2022, NAMES, {"02_health"}, "rendered")[0]
    assert not bench.check_statuses(SUMMARY, 2022, NAMES, set(), "rendered")[0]
    assert not bench.check_statuses(SUMMARY, 2022, NAMES, {"01_pension"}, "up to date")[0]
    assert not bench.check_statuses(SUMMARY, 2021, NAMES, {"01_pension"}, "rendered")[0]
    assert not bench.check_statuses(SUMMARY, 2022, [*NAMES, "03_x"], {"01_pension"}, "rendered")[0]
    # the previous build's book line: "rendered in <s> s"
    old = SUMMARY.replace("rendered ->", "rendered in 1.5 s ->").replace("cached  ", "executed")
    ok, detail = bench.check_statuses(old, 2022, NAMES, set(NAMES), "rendered")
    assert ok and detail == "executed: all; book rendered"


def test_the_table_changed_is_the_one_the_fewest_chapters_loaded(tmp_path):
    tidy = tmp_path / "data" / "tidy"
    tidy.mkdir(parents=True)
    for name in ("t01", "t02", "t03", "t04"):
        (tidy / f"{name}.csv").write_text("value\n1\n", encoding="utf-8")
    cache = tmp_path / "outputs" / ".cache"
    cache.mkdir(parents=True)
    t02, t03 = str(tidy / "t02.csv"), str(tidy / "t03.csv")  # absolute: NSSF_DATA elsewhere
    chapters = {
        "2022/00_a": {"loads": {t02: "h", t03: "h", "seeds/x.txt": "h"}},
        "2022/01_b": {"loads": {t02: "h"}},
        "2021/00_a": {"loads": {t03: "h"}},  # another year
    }
    index = json.dumps({"chapters": chapters})
    (cache / "book-cache.json").write_text(index, encoding="utf-8")
    # t01 and t04: loaded by none; t02: by two chapters; t03: by one in 2022
    table, readers = bench.pick_table(tmp_path / "outputs", tmp_path / "data", 2022)
    assert (table.name, readers) == ("t03.csv", {"00_a"})


def test_one_value_of_the_table_is_raised_by_one(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("no,value,unit\n1,,persons\n2,15464,persons\n3,7,persons\n", encoding="utf-8")
    assert bench.change_table(path) == "15464 -> 15465"
    assert path.read_text(encoding="utf-8") == (
        "no,value,unit\n1,,persons\n2,15465,persons\n3,7,persons\n"
    )
    path.write_text("value\n2.5\n", encoding="utf-8")
    assert bench.change_table(path) == "2.5 -> 3.5"


def test_an_edit_to_the_package_changes_its_stamp(tmp_path, monkeypatch):
    package = tmp_path / "nssf_analysis"
    (package / "__pycache__").mkdir(parents=True)
    for name in ("a.py", "__pycache__/a.pyc"):
        (package / name).write_text("x", encoding="utf-8")
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    before = bench.code_stamp()
    assert before == {(str(package / "a.py"), (package / "a.py").stat().st_mtime_ns)}
    os.utime(package / "__pycache__" / "a.pyc", ns=(1, 1))  # compiled code: not an edit
    (package / "__pycache__" / "b.pyc").write_text("y", encoding="utf-8")
    assert bench.code_stamp() == before
    os.utime(package / "a.py", ns=(1, 1))
    assert bench.code_stamp() != before


def test_rounds_must_be_a_whole_number_of_at_least_one(capsys):
    assert bench.parse_args(["--rounds", "5"]).rounds == 5
    assert bench.parse_args([]).rounds == 3
    for bad in ("0", "-1", "two", "1.5"):
        with pytest.raises(SystemExit) as exit_:
            bench.parse_args(["--rounds", bad])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert f"argument --rounds: '{bad}' is not a whole number of at least 1" in err
