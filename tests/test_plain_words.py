"""The pages speak plain words: no identifiers, key=value pairs or report lines.

Checked on the golden executed notebooks (what the book renders for 2022 and 2021) and
on the wording helpers with sentences written by hand.
"""

import html
import json
import re
from pathlib import Path

import pytest

from nssf_analysis.render import wording

GOLDEN = Path(__file__).resolve().parent / "golden"
NOTEBOOKS = sorted(GOLDEN.glob("*/*.ipynb"))
#: What must not reach a reader: key=value pairs, snake_case identifiers, report lines,
#: constants, calls, code marks and the bare status "ok".
INTERNAL = re.compile(
    r"\b[a-z_]+=[^\s;]+|\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\b(?:report )?lines? \d+"
    r"|\b[A-Z]{2,}_[A-Z_]+\b|\w\(\)|`|\bok\b"
)


def page_text(nb_path: Path) -> list[tuple[str, str]]:
    out = []
    for cell in json.loads(nb_path.read_text(encoding="utf-8"))["cells"]:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            shown = "".join(data.get("text/html", "")) + "".join(data.get("text/markdown", ""))
            shown = re.sub(r"<style.*?</style>", " ", shown, flags=re.S)
            out.append(("".join(cell["source"]), html.unescape(re.sub(r"<[^>]+>", " ", shown))))
    return out


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_no_internal_vocabulary_on_any_page(nb_path):
    bad = [(src[:40], INTERNAL.findall(text)[:3]) for src, text in page_text(nb_path)]
    assert [b for b in bad if b[1]] == []


def test_plain_drops_lines_fact_ids_and_key_value_pairs():
    assert (
        wording.plain("Table 23, Old (line 514): one cell short") == "Table 23, Old: one cell short"
    )
    assert wording.plain("Annex 6.6.1: listed twice (nos. 25 and 58, lines 1970 and 1974).") == (
        "Annex 6.6.1: listed twice (nos. 25 and 58)."
    )
    assert (
        wording.plain("equal to prose a23_expenditure (line 574)") == "equal to the report's text"
    )
    assert wording.plain("Section C (fact c_voluntary_contribution_income) states it") == (
        "Section C states it"
    )
    assert wording.plain("0.22 voluntary (fact c_voluntary_income); Table 59 may") == (
        "0.22 voluntary; Table 59 may"
    )
    assert wording.plain("at office=total; measure=members the total") == "at the total"


def test_names_and_headings_in_words():
    assert wording.name("shifted_cells") == "Shifted cells"
    assert wording.heading("adjusted_gap") == "Adjusted gap"


def test_the_pattern_catches_what_an_editor_found():
    # words an editor found on the pages of an earlier book, and words a reader may read
    for text in (
        "see nssf_analysis.audit",
        "indicators.methodology_markdown() declares them",
        "above stats.DISPERSION_THRESHOLD",
        "a test_poisson_2indep of the two rates",
        "s2_registered_enterprises",
        "the status ok",
    ):
        assert INTERNAL.search(text), text
    for text in (
        "a score test for the ratio of two Poisson rates",
        "Registered enterprises: 21,430 (Table 1, Table 46 and Table 60)",
        "The NSSF Website - www.nssf.gov.kh",
        "OK",
    ):
        assert not INTERNAL.search(text), text
