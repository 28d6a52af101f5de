import shutil
from pathlib import Path

import pytest

from nssf_analysis import catalog as catalog_mod
from nssf_analysis.extract import read_lines

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nssf_annual_report_2022.txt"


@pytest.fixture(scope="session")
def lines():
    return read_lines(SEED)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of data/ that tests may corrupt; the package reads it instead."""
    dst = tmp_path / "data"
    shutil.copytree(ROOT / "data", dst)
    monkeypatch.setenv("NSSF_DATA", str(dst))
    catalog_mod._clear_caches()
    yield dst
    catalog_mod._clear_caches()
