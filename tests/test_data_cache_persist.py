"""The cache of what ``data/`` gives, the loads each process declares, and the manifest.

A result kept in memory or on disk (``@data_cache(persist=True)``, for the next process:
every chapter of the book runs on a fresh kernel) is used while the files it loaded are
unchanged; served without computing it, it declares the same loads as computing it did,
so that the book's chapter keys stay right.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from nssf_analysis.data import cache, catalog, files
from nssf_analysis.data.pipeline import validate_data
from nssf_analysis.exceptions import ValidationError

ROOT = Path(__file__).resolve().parent.parent

#: A module with a persisted function that reads two data files through the one reader.
MODULE = """
from nssf_analysis import paths
from nssf_analysis.data.cache import data_cache
from nssf_analysis.data.files import read_text

CALLS = []

@data_cache(persist=True)
def total(scale):
    CALLS.append(scale)
    d = paths.data_dir()
    return scale * sum(int(x) for name in ("tidy/t1.csv", "extra.txt")
                       for x in read_text(d / name).split())
"""


@pytest.fixture
def store(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "tidy").mkdir(parents=True)
    (data / "tidy" / "t1.csv").write_text("1 2 3\n", encoding="utf-8")
    (data / "tidy" / "t2.csv").write_text("100\n", encoding="utf-8")
    (data / "extra.txt").write_text("10\n", encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "persisted_example.py").write_text(MODULE, encoding="utf-8")
    monkeypatch.setenv("NSSF_DATA", str(data))
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("NSSF_SEEDS", str(tmp_path / "seeds"))
    return tmp_path


def fresh_process(root, code: str, env_extra=None) -> str:
    """Run ``code`` in a new Python process (as a new kernel would) and return its output."""
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


def stored(root: Path) -> list[Path]:
    return list((root / "outputs" / ".cache" / "data").rglob("output.pkl"))


def test_a_result_serves_the_next_process_until_a_file_it_loaded_changes(store):
    data = store / "data"
    assert fresh_process(store, CALL) == "32 1"  # 2 * (1 + 2 + 3 + 10), computed once
    assert fresh_process(store, CALL) == "32 0"  # from disk: not computed again
    assert len(stored(store)) == 1
    (data / "tidy" / "t1.csv").write_text("1 2 4\n", encoding="utf-8")  # same size
    assert fresh_process(store, CALL) == "34 1"
    assert fresh_process(store, CALL) == "34 0"
    (data / "tidy" / "t2.csv").write_text("999\n", encoding="utf-8")  # never loaded
    assert fresh_process(store, CALL) == "34 0"


def test_other_arguments_are_other_results(store):
    assert fresh_process(store, CALL) == "32 1"
    three = "import persisted_example as m\nprint(m.total(3), len(m.CALLS))\n"
    assert fresh_process(store, three) == "48 1"
    assert fresh_process(store, three) == "48 0"


def test_a_result_from_disk_declares_the_loads_of_its_computation(store):
    first, second = store / "first.loads", store / "second.loads"
    assert fresh_process(store, CALL, {"NSSF_LOADS_FILE": str(first)}) == "32 1"
    assert fresh_process(store, CALL, {"NSSF_LOADS_FILE": str(second)}) == "32 0"
    data = store / "data"
    want = f"{data / 'tidy' / 't1.csv'}\n{data / 'extra.txt'}\n"  # outside the project
    assert first.read_text(encoding="utf-8") == want
    assert second.read_text(encoding="utf-8") == want


def test_an_outer_cached_call_sees_an_edit_under_a_result_from_disk(store):
    fresh_process(store, CALL)
    code = """
    from nssf_analysis import paths
    from nssf_analysis.data.cache import data_cache
    import persisted_example as m

    RUNS = []

    @data_cache
    def outer():
        RUNS.append(1)
        return m.total(2)

    outer()
    outer()
    (paths.data_dir() / "extra.txt").write_text("11\\n", encoding="utf-8")
    print(outer(), len(RUNS), len(m.CALLS))
    """
    # 2 * (1 + 2 + 3 + 11): the outer result is computed again, the inner one too
    assert fresh_process(store, code) == "34 2 1"


def test_a_truncated_store_file_is_computed_again(store):
    fresh_process(store, CALL)
    (entry,) = stored(store)
    entry.write_bytes(entry.read_bytes()[:10])
    assert fresh_process(store, CALL) == "32 1"
    assert fresh_process(store, CALL) == "32 0"


def test_the_store_keeps_the_entries_read_last_within_its_limit(store):
    each = "import persisted_example as m\nprint([m.total(s) for s in (2, 3, 4)], len(m.CALLS))"
    assert fresh_process(store, each) == "[32, 48, 64] 3"  # 16 * scale; 16 = 1 + 2 + 3 + 10
    entries = {}
    for output in stored(store):
        meta = json.loads((output.parent / "metadata.json").read_text(encoding="utf-8"))
        scale = int(re.search(r"\((\d),\)", meta["input_args"]["key"])[1])
        entries[scale] = output.parent
    assert sorted(entries) == [2, 3, 4]
    # read last: 4, then 2; the entry of 3 was read longest ago (access times set by hand)
    for scale, read in ((3, 1_000_000), (2, 2_000_000), (4, 3_000_000)):
        os.utime(entries[scale] / "output.pkl", (read, read))
    sizes = {s: sum(f.stat().st_size for f in e.iterdir()) for s, e in entries.items()}
    old_lock = store / "outputs" / ".cache" / "data" / "locks" / "old"
    old_lock.touch()
    os.utime(old_lock, (1_000_000, 1_000_000))
    new_locks = [p for p in old_lock.parent.iterdir() if p != old_lock]
    cache.trim_store(sizes[2] + sizes[4])
    assert sorted(p.parent for p in stored(store)) == sorted([entries[2], entries[4]])
    assert not old_lock.exists()
    assert all(p.exists() for p in new_locks) and len(new_locks) == 3
    # kept: 2 and 4 served from disk; removed: 3 computed again
    assert fresh_process(store, each) == "[32, 48, 64] 1"


def test_trimming_a_store_that_is_not_there_does_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    cache.trim_store(0)
    assert not (tmp_path / "outputs").exists()


def test_without_persist_nothing_is_written(store):
    calls = []

    @cache.data_cache
    def plain():
        calls.append(1)
        return 1

    assert plain() == plain() == 1
    assert calls == [1]
    assert not (store / "outputs" / ".cache" / "data").exists()


# --------------------------------------------------------------------------------------
# Loads of the real data
# --------------------------------------------------------------------------------------


def test_a_fresh_process_declares_what_load_table_reads(tmp_path):
    loads = tmp_path / "loads"
    code = "from nssf_analysis.data.catalog import load_table\nload_table('t10')\n"
    env = {k: v for k, v in os.environ.items() if k not in ("NSSF_DATA", "NSSF_OUTPUTS")}
    env["NSSF_LOADS_FILE"] = str(loads)
    res = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, timeout=120)
    assert res.returncode == 0
    # the catalog (which tables there are) and the table: once each
    assert loads.read_text(encoding="utf-8") == "data/catalog.csv\ndata/tidy/t10.csv\n"


def test_loads_lists_each_file_once(data_copy):
    catalog.load_table("t10")
    catalog.load_table("t10")
    catalog.load_raw("t10")
    mine = [f for f in files.loads() if f.startswith(str(data_copy))]  # outside the project
    assert mine == [
        f"{data_copy}/{name}" for name in ("catalog.csv", "tidy/t10.csv", "raw/t10.csv")
    ]


# --------------------------------------------------------------------------------------
# The manifest: validated once, trusted while unchanged
# --------------------------------------------------------------------------------------


def test_the_manifest_lists_every_file_of_data_with_its_sha256():
    lines = (ROOT / "data" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    names = [line.split("  ", 1)[1] for line in lines]
    on_disk = sorted(
        p.relative_to(ROOT / "data").as_posix()
        for p in (ROOT / "data").rglob("*")
        if p.is_file() and p.name != "SHA256SUMS"
    )
    assert names == on_disk  # sorted by path, every file, itself left out
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((ROOT / "data" / name).read_bytes()).hexdigest() == digest


def test_a_file_the_manifest_lists_is_trusted_validate_checks_it_all(data_copy):
    # Table 15, report line 403: 5,916 victims in 2021, 3,048 of them females -> 9,999
    path = data_copy / "tidy" / "t15.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    females = (df["year"] == "2021") & (df["sex"] == "female")
    df.loc[females, "value"] = "9999"
    df.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(ValidationError, match="rule 'females-not-above-total'"):
        catalog.load_table("t15")  # not the content the manifest lists: validated
    manifest = data_copy / "SHA256SUMS"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    lines = [
        f"{digest}  tidy/t15.csv" if line.endswith("  tidy/t15.csv") else line
        for line in manifest.read_text(encoding="utf-8").splitlines()
    ]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    t15 = catalog.load_table("t15", 2021)  # listed as it is now: trusted, not checked
    assert set(t15.loc[t15["sex"] == "female", "value"]) == {9999}
    with pytest.raises(ValidationError, match="rule 'females-not-above-total'"):
        validate_data()


def set_value(path: Path, line: int, column: int, new: str) -> None:
    """Set the value of the tidy row printed at report (line, column)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    mask = (df["line"] == str(line)) & (df["column"] == str(column))
    assert mask.sum() == 1
    df.loc[mask, "value"] = new
    df.to_csv(path, index=False, lineterminator="\n")


def test_a_long_lived_session_sees_a_hand_edit_at_the_next_call(data_copy):
    manifest = (data_copy / "SHA256SUMS").read_bytes()

    @cache.data_cache
    def workplace_accidents_2022() -> float:
        df = catalog.load_table("t10", 2022)
        pick = (df["injury_type"] == "workplace_accidents") & (df["sex"] == "total")
        return float(df.loc[pick, "value"].iloc[0])

    # Table 10, report line 319, column 4: 7,342 workplace accidents in 2022
    assert workplace_accidents_2022() == 7342
    set_value(data_copy / "tidy" / "t10.csv", 319, 4, "7343")  # the same size: 4 digits
    assert workplace_accidents_2022() == 7343
    assert catalog.load_table("t10", 2022)["value"].max() >= 7343
    set_value(data_copy / "tidy" / "t10.csv", 319, 4, "7342")  # back as extracted
    assert workplace_accidents_2022() == 7342
    assert (data_copy / "SHA256SUMS").read_bytes() == manifest  # a read writes nothing
