"""The command line: bad parameters give one line naming the parameter and what is allowed."""

import subprocess
import sys

import pytest

from nssf_analysis.cli import main


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "nssf_analysis.cli", *args], capture_output=True, text=True
    )


def test_build_for_a_year_without_data(tmp_path, monkeypatch):
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path))
    res = run("build", "--year", "2019")
    assert res.returncode == 1
    assert res.stderr == "nssf-report: error: no data for year 2019; available years: 2021, 2022\n"
    assert not (tmp_path / "2019").exists()


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_build_jobs_must_be_positive(jobs, capsys):
    with pytest.raises(SystemExit) as info:
        main(["build", "--jobs", jobs])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --jobs: {jobs!r} is not a whole number of at least 1" in err


@pytest.mark.parametrize("jobs", ["0", "-1", "two", "1.5", "\u00b2"])
def test_nssf_jobs_must_be_positive(jobs, tmp_path, monkeypatch):
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path))
    monkeypatch.setenv("NSSF_JOBS", jobs)
    res = run("build")
    assert res.returncode == 1
    assert (
        res.stderr
        == f"nssf-report: error: NSSF_JOBS={jobs!r} is not a whole number of at least 1\n"
    )
    assert list(tmp_path.iterdir()) == []  # refused before anything is written


def test_the_default_jobs_are_the_cores_the_build_may_use(monkeypatch):
    # one core allowed (taskset), none said: one notebook at a time; NSSF_JOBS says 3
    monkeypatch.delenv("NSSF_JOBS", raising=False)
    code = "from nssf_analysis.book.build import default_jobs; print(default_jobs())"
    one = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], capture_output=True)
    assert one.stdout == b"1\n"
    monkeypatch.setenv("NSSF_JOBS", "3")
    said = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], capture_output=True)
    assert said.stdout == b"3\n"


def test_unknown_command_is_refused(capsys):
    with pytest.raises(SystemExit) as info:
        main(["publish"])
    assert info.value.code == 2
    assert "invalid choice: 'publish'" in capsys.readouterr().err


def test_a_command_leaves_what_it_made_to_the_process_exit():
    # the interpreter's last full collection is skipped: at exit every object left is
    # frozen (checked by an exit handler registered before, so run after, the command's)
    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from nssf_analysis.cli import main\n"
        "assert main(['catalog']) == 0\n"
        "print('frozen before exit:', gc.get_freeze_count() > 0)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-2:] == ["frozen before exit: False", "frozen at exit: True"]
