"""The build benchmark's own arithmetic: each round's ratio and its options."""

import importlib.util
import sys
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "bench_build", Path(__file__).resolve().parent.parent / "benchmarks" / "bench_build.py"
)
bench = importlib.util.module_from_spec(SPEC)
sys.modules["bench_build"] = bench  # dataclasses look their module up by name
SPEC.loader.exec_module(bench)


def _phase(seconds: float):
    return bench.Phase("p", bench.Measured(seconds=seconds))


def test_each_round_compares_its_cold_build_with_the_baseline_run_before_it():
    colds = [_phase(20.0), _phase(30.0), _phase(18.0)]
    naives = [_phase(80.0), _phase(60.0), _phase(90.0)]
    assert bench.round_ratios(colds, naives) == pytest.approx([0.25, 0.5, 0.2])


def test_rounds_without_a_baseline_each_are_an_error():
    with pytest.raises(ValueError):
        bench.round_ratios([_phase(20.0), _phase(30.0)], [_phase(80.0)])


def test_rounds_must_be_a_whole_number_of_at_least_one(capsys):
    assert bench.parse_args(["--rounds", "5"]).rounds == 5
    assert bench.parse_args([]).rounds == 3
    for bad in ("0", "-1", "two", "1.5"):
        with pytest.raises(SystemExit) as exit_:
            bench.parse_args(["--rounds", bad])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert f"argument --rounds: '{bad}' is not a whole number of at least 1" in err


def test_the_goal_line_says_pass_or_fail_against_its_goal():
    assert bench.ratio_line("cold / naive, median", 0.25, 1.0, 0.25).endswith("PASS")
    assert bench.ratio_line("cold / naive, median", 0.302, 1.0, 0.25).endswith("FAIL")
    assert "0.302" in bench.ratio_line("x", 0.302, 1.0, 0.25)
