"""The one reader of declaration files: a bad file is one clear error naming it."""

import pytest

from nssf_analysis.analysis.audit.common import declared
from nssf_analysis.data.declarations import read_toml
from nssf_analysis.data.facts import load_fact_specs
from nssf_analysis.exceptions import ExtractionError, NSSFError


def test_read_toml_reads_a_table(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text('[[subset]]\npart = "t22"\n', encoding="utf-8")
    assert read_toml(p) == {"subset": [{"part": "t22"}]}


@pytest.mark.parametrize(
    "content", [b'[[subset]\npart = "t22"\n', b"\xff\xfe not text", None], ids=str
)
def test_every_reader_names_the_bad_file(tmp_path, content):
    p = tmp_path / "bad.toml"
    if content is not None:
        p.write_bytes(content)
    for read, error in (
        (lambda: read_toml(p), NSSFError),
        (lambda: load_fact_specs(p), ExtractionError),
        (lambda: declared(p, "subset", {"part"}), NSSFError),
    ):
        with pytest.raises(error, match=r"bad\.toml: cannot be read as TOML"):
            read()
