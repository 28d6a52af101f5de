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
