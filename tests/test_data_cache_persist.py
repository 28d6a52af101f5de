"""Results of ``@data_cache(persist=True)`` kept on disk: never stale, and their reads seen.

A persisted result serves another process (every chapter of the book runs on a fresh
kernel) only while every data file it read, however it read it, and every data folder it
listed are unchanged; served from disk, it must still show the book's read log every file
and folder it depends on, so the chapters' data-level cache keys stay right.
"""

import subprocess
import sys
import textwrap

import pytest

from nssf_analysis.data import cache

#: A module with a persisted function that reads a file behind the catalog reader's back
#: (plain ``open``), reads another through it, and lists a folder.
MODULE = """
import os
from nssf_analysis import paths
from nssf_analysis.data.cache import data_cache
from nssf_analysis.data.catalog import read_text

CALLS = []

@data_cache(persist=True)
def total(scale):
    CALLS.append(scale)
    d = paths.data_dir()
    with open(d / "tidy" / "t1.csv", encoding="utf-8") as fh:
        values = [int(x) for x in fh.read().split()]
    values += [int(x) for x in read_text(d / "extra.txt").split()]
    return scale * sum(values) + len(os.listdir(d / "raw"))
"""


@pytest.fixture
def store(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "tidy").mkdir(parents=True)
    (data / "raw").mkdir()
    (data / "tidy" / "t1.csv").write_text("1 2 3\n", encoding="utf-8")
    (data / "tidy" / "t2.csv").write_text("100\n", encoding="utf-8")
    (data / "extra.txt").write_text("10\n", encoding="utf-8")
    (data / "raw" / "a.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "persisted_example.py").write_text(MODULE, encoding="utf-8")
    monkeypatch.setenv("NSSF_DATA", str(data))
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("NSSF_SEEDS", str(tmp_path / "seeds"))
    return tmp_path


def fresh_process(root, code: str, env_extra=None) -> str:
    """Run ``code`` in a new Python process (as a new kernel would) and return its output."""
    import os

    env = dict(os.environ, PYTHONPATH=str(root / "pkg"), **(env_extra or {}))
    res = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


CALL = """
import persisted_example as m
print(m.total(2), len(m.CALLS))
"""


def test_a_result_serves_the_next_process_until_a_file_it_read_changes(store):
    data = store / "data"
    # 2 * (1 + 2 + 3 + 10) + one file listed in raw/ = 33, computed once
    assert fresh_process(store, CALL) == "33 1"
    assert fresh_process(store, CALL) == "33 0"  # from disk: not computed again
    assert list((store / "outputs" / ".cache" / "data").glob("*/*.pickle"))
    # a file the function opened without the catalog reader
    (data / "tidy" / "t1.csv").write_text("1 2 4\n", encoding="utf-8")
    assert fresh_process(store, CALL) == "35 1"
    assert fresh_process(store, CALL) == "35 0"
    # a file read through the catalog reader, same size
    (data / "extra.txt").write_text("20\n", encoding="utf-8")
    assert fresh_process(store, CALL) == "55 1"
    # a new file in a folder it listed
    (data / "raw" / "b.csv").write_text("y\n", encoding="utf-8")
    assert fresh_process(store, CALL) == "56 1"
    # a file it never read changes nothing
    (data / "tidy" / "t2.csv").write_text("999\n", encoding="utf-8")
    assert fresh_process(store, CALL) == "56 0"


def test_other_arguments_are_other_results(store):
    assert fresh_process(store, CALL) == "33 1"
    three = "import persisted_example as m\nprint(m.total(3), len(m.CALLS))\n"
    assert fresh_process(store, three) == "49 1"
    assert fresh_process(store, three) == "49 0"


def test_a_result_from_disk_shows_the_read_log_what_it_depends_on(store):
    fresh_process(store, CALL)  # computed and persisted
    log = store / "reads.log"
    code = """
    from nssf_analysis.book import readlog
    readlog.install()
    import persisted_example as m
    print(m.total(2), len(m.CALLS))
    """
    assert fresh_process(store, code, {"NSSF_READLOG": str(log)}) == "33 0"
    from nssf_analysis.book import readlog

    # exactly what computing it read: not t2.csv, which it never opened
    assert readlog.read_log(log) == ["extra.txt", "raw", "tidy/t1.csv"]


def test_an_outer_cached_call_depends_on_the_files_of_a_result_from_disk(store):
    fresh_process(store, CALL)
    code = """
    from nssf_analysis.data.cache import data_cache
    import persisted_example as m

    RUNS = []

    @data_cache
    def outer():
        RUNS.append(1)
        return m.total(2)

    outer()
    outer()
    from nssf_analysis import paths
    (paths.data_dir() / "extra.txt").write_text("11\\n", encoding="utf-8")
    print(outer(), len(RUNS), len(m.CALLS))
    """
    # the edit (same size, just now: hashed) is seen by the outer in-memory cache too
    assert fresh_process(store, code) == "35 2 1"


def test_a_damaged_store_file_is_computed_again(store):
    fresh_process(store, CALL)
    for p in (store / "outputs" / ".cache" / "data").glob("*/*.pickle"):
        p.write_bytes(b"not a pickle")
    assert fresh_process(store, CALL) == "33 1"
    assert fresh_process(store, CALL) == "33 0"


def test_without_persist_nothing_is_written(store, monkeypatch):
    monkeypatch.syspath_prepend(str(store / "pkg"))
    calls = []

    @cache.data_cache
    def plain():
        calls.append(1)
        return 1

    assert plain() == plain() == 1
    assert calls == [1]
    assert not (store / "outputs" / ".cache" / "data").exists()


SLOW = """
import os, time
from pathlib import Path
from nssf_analysis import paths
from nssf_analysis.data.cache import data_cache

CALLS = []

@data_cache(persist=True)
def slow_total():
    CALLS.append(1)
    (Path(os.environ["STARTED"])).write_text("computing", encoding="utf-8")
    time.sleep(1.5)
    with open(paths.data_dir() / "tidy" / "t1.csv", encoding="utf-8") as fh:
        return sum(int(x) for x in fh.read().split())
"""


def test_processes_asking_at_once_compute_a_result_once(store):
    import os
    import time

    (store / "pkg" / "slow_example.py").write_text(SLOW, encoding="utf-8")
    started = store / "started"
    env = dict(os.environ, PYTHONPATH=str(store / "pkg"), STARTED=str(started))
    code = "import slow_example as m\nprint(m.slow_total(), len(m.CALLS))\n"

    def launch():
        return subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
        )

    first = launch()
    deadline = time.monotonic() + 60
    while not started.exists():  # the first process is computing
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    second = launch()  # asks while the first computes: waits, then loads its result
    outs = [p.communicate(timeout=120)[0].strip() for p in (first, second)]
    assert outs == ["6 1", "6 0"]  # 1 + 2 + 3, computed by the first process only
