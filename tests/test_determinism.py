"""Re-extraction reproduces the committed data/ byte for byte."""

import filecmp
import os
import subprocess
import sys
from pathlib import Path

from nssf_analysis.data.pipeline import write_data

ROOT = Path(__file__).resolve().parent.parent


def _files(d):
    return sorted(p.relative_to(d) for p in d.rglob("*") if p.is_file())


def test_committed_data_equals_fresh_extraction(tmp_path):
    write_data(tmp_path / "a")
    committed = ROOT / "data"
    assert _files(tmp_path / "a") == _files(committed)
    for rel in _files(committed):
        assert filecmp.cmp(committed / rel, tmp_path / "a" / rel, shallow=False), rel


def test_an_extraction_with_another_hash_seed_and_time_zone_is_identical(tmp_path):
    # in another process, with another hash seed (set and dict order of str keys) and time
    # zone: nothing written may depend on either.  Against the committed data/, which the
    # test above finds equal to an extraction in the test process
    env = dict(os.environ, PYTHONHASHSEED="4242", TZ="Pacific/Kiritimati")
    code = "from nssf_analysis.data.pipeline import write_data; "
    code += f"write_data({str(tmp_path / 'b')!r})"
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=600)
    committed = ROOT / "data"
    assert _files(tmp_path / "b") == _files(committed)
    for rel in _files(committed):
        assert (tmp_path / "b" / rel).read_bytes() == (committed / rel).read_bytes(), rel
