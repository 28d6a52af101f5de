"""The book's report tables show what the report prints.

Expected cells are read in the report text (``seeds/nssf_annual_report_2022.txt``)
and quoted here with the table they come from; nothing is copied from the code's
output.
"""

from html.parser import HTMLParser

import pandas as pd
import pytest

from nssf_analysis.analysis import values as av
from nssf_analysis.data.catalog import catalog, load_raw
from nssf_analysis.exceptions import NSSFError
from nssf_analysis.render import tables
from nssf_analysis.render.printed import display_frame, header_spans, printed_table

CAT = catalog()
TABLE_IDS = list(CAT.loc[CAT["family"] != "directory", "table_id"])


class _Cells(HTMLParser):
    """Collect the text of every th/td inside the element with a given id.

    ``done`` is true once that element has closed.
    """

    def __init__(self, anchor: str):
        super().__init__()
        self.anchor, self.depth, self.cells, self.notes = anchor, 0, [], []
        self._cell, self._in_sup, self._note = None, False, None
        self.done = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += 1
        elif attrs.get("id") == self.anchor:
            self.depth = 1
        if not self.depth:
            return
        if tag in ("td", "th"):
            self._cell = []
        elif tag == "sup":
            self._in_sup = True
        elif tag == "li":
            self._note = []

    def handle_endtag(self, tag):
        if not self.depth:
            return
        self.depth -= 1
        self.done = not self.depth
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "sup":
            self._in_sup = False
        elif tag == "li" and self._note is not None:
            self.notes.append("".join(self._note).strip())
            self._note = None

    def handle_data(self, data):
        if self._cell is not None and not self._in_sup:
            self._cell.append(data)
        if self._note is not None:
            self._note.append(data)


def rendered(table_id: str, year: int = 2022, html: str | None = None) -> _Cells:
    p = _Cells(table_id)
    p.feed(html if html is not None else printed_table(table_id, year).to_html())
    return p


def raw_cells(table_id: str) -> list[str]:
    raw = load_raw(table_id)
    cols = [c for c in raw.columns if c.startswith("c") and c[1:].isdigit()]
    return [v for v in raw[cols].to_numpy().ravel() if v]


# --- every printed cell, as printed ---------------------------------------------------


@pytest.mark.parametrize("table_id", TABLE_IDS)
def test_every_printed_cell_is_in_the_rendered_table(table_id):
    cells = rendered(table_id).cells
    missing = [v for v in raw_cells(table_id) if v not in cells]
    assert not missing, f"{table_id}: printed cells not shown: {missing[:5]}"


def test_printed_totals_and_changes_are_shown_not_recomputed():
    # Table 18 prints the 2022 grand total 22.26 and Nursing Benefits +49.47 %
    t18 = rendered("t18").cells
    assert "22.26" in t18 and "22.25" not in t18
    assert "49.47%" in t18 and "50.00%" not in t18
    # Table 44 prints its 2022 total as 260.10 and Maternity Benefits as 111 (no decimals)
    t44 = rendered("t44").cells
    assert "260.10" in t44 and "259.97" not in t44
    assert "111" in t44 and "111.00" not in t44
    # Table 61, informal female workers: total allowance change -4.35 %
    assert "-4.35%" in rendered("t61").cells


def test_recomputed_value_goes_into_a_note_under_the_table():
    t = rendered("t01")
    # Table 1 prints 20,448 enterprises for 2008-2022, but 17,317 (2008-2021) plus the
    # 3,105 newly registered in 2022 (Table 4) give 17,317 + 3,105 = 20,422
    note = [n for n in t.notes if "20,448" in n]
    assert note and "20,422" in note[0] and "17,317" in note[0]
    # Table 18's differences within rounding (e.g. its Grand Total 22.26, printed parts
    # 1.17 + 0.18 + 2.34 + 0.63 + 2.63 + 0.94 + 5.78 + 0.18 + 8.40 + 0.00 = 22.25) share
    # one note: 4 totals and 11 changes, 15 cells
    t18 = printed_table("t18", 2022)
    assert [n.status for n in t18.notes] == ["rounding"]
    assert t18.notes[0].text.startswith("15 cells differ")


def test_every_row_of_table_45_and_the_total_block_of_table_61():
    t45 = rendered("t45").cells
    assert "Medical Rehabilitation Services Provision" in t45
    assert "Medical Expenditure" in t45 and "6.60" in t45 and "1.03" in t45
    f61 = display_frame("t61", 2022)
    total = f61[f61["Block"] == "Total Female Workers at Childbirth"]
    assert (total["Additional Allowances per Newborn (Riels)"] == "400,000").sum() == 2


def test_text_table_65_keeps_every_item_and_escapes_the_link():
    html = printed_table("t65", 2022).to_html()
    cells = rendered("t65", html=html).cells
    assert any("<https://pilotscheme.nssf.gov.kh>" in c for c in cells)
    assert "&lt;https://pilotscheme.nssf.gov.kh&gt;" in html
    assert "<https://" not in html
    for item in (
        "- Signed the renewal Memorandum of Understanding for 2022-2026;",
        "- Strengthening the Monitoring and Evaluation",
        "- 3 NSSF leaders participated in a study visit to social security institutions in "
        "Malaysia.",
    ):
        assert item in cells


def test_blank_and_dash_cells_stay_as_printed():
    # Table 45 prints no females for the medical expenditure: the cells stay blank
    f = display_frame("t45", 2022)
    row = f[f["Description"] == "Medical Expenditure"].iloc[0]
    assert row["2021 / Females"] == "" and row["2022 / Females"] == ""


# --- headers ---------------------------------------------------------------------------


def test_header_spans_by_hand():
    # Table 1: "Total" spans its three measures; "Description" spans down
    spans = header_spans(
        [
            ["Description", "Total", "", "", "Head Offices", "", ""],
            ["", "Enterprises", "Members", "Females", "Enterprises", "Members", "Females"],
        ]
    )
    assert spans[0] == [(0, 1, 2, "Description"), (1, 3, 1, "Total"), (4, 3, 1, "Head Offices")]
    assert [c[3] for c in spans[1]] == ["Enterprises", "Members", "Females"] * 2


def test_header_spans_three_levels_with_a_change_column():
    # Table 6: year > measure > office, and the fluctuation per measure spans two rows
    spans = header_spans(
        [
            ["No.", "2021", "", "", "", "Fluctuation (± %)", ""],
            ["", "Times", "", "Enterprises", "", "Times", "Enterprises"],
            ["", "Head", "Total", "Head", "Total", "", ""],
        ]
    )
    assert spans[0] == [(0, 1, 3, "No."), (1, 4, 1, "2021"), (5, 2, 1, "Fluctuation (± %)")]
    assert spans[1] == [
        (1, 2, 1, "Times"),
        (3, 2, 1, "Enterprises"),
        (5, 1, 2, "Times"),
        (6, 1, 2, "Enterprises"),
    ]
    assert [c[3] for c in spans[2]] == ["Head", "Total", "Head", "Total"]


def test_display_frame_heads_columns_by_their_header_path():
    f = display_frame("t01", 2022)
    assert list(f.columns[:4]) == [
        "Description",
        "Total / Enterprises",
        "Total / Members",
        "Total / Females",
    ]
    assert list(f["Description"]) == ["2008-2021", "2008-2022", "Fluctuation (± %)"]


# --- the 2021 edition ------------------------------------------------------------------


def test_2021_shows_the_comparison_columns_only():
    # Table 18 for 2021: the 2021 column, no 2022 column and no changes
    f = display_frame("t18", 2021)
    assert list(f.columns) == ["No.", "Description", "Expenditure (Billion Riels) / 2021"]
    assert "17.13" in set(f.iloc[:, 2])  # Grand Total 2021
    # Table 1 for 2021: the 2008-2021 row only
    assert list(display_frame("t01", 2021)["Description"]) == ["2008-2021"]
    html = printed_table("t01", 2021).to_html()
    assert "20,448" not in html and "18.08%" not in html
    assert "the 2022 report prints for comparison" in html


# --- markers, notes and escaping -------------------------------------------------------


def test_markers_number_the_notes_and_link_to_them():
    t = printed_table("t18", 2022)
    html = t.to_html()
    assert t.notes and [n.number for n in t.notes] == list(range(1, len(t.notes) + 1))
    for n in t.notes:
        assert f'href="#t18-note-{n.number}"' in html
        assert f'id="t18-note-{n.number}"' in html
    assert 'href="08_data_quality.html#finding-t18"' in html


def test_one_note_for_every_change_printed_by_the_zero_base_convention():
    # Table 23 prints 100.00 % for every 2021 → 2022 change from 0
    notes = [n for n in printed_table("t23", 2022).notes if n.status == "convention"]
    assert len(notes) == 1 and "100.00 %" in notes[0].text


def test_no_marker_where_every_check_is_ok():
    t = printed_table("t02", 2022)
    assert not t.notes and "nssf-flag" not in t.to_html()


def test_notes_are_plain_words():
    for table_id in ("t18", "t23", "t31", "t45", "t59"):
        for n in printed_table(table_id, 2022).notes:
            assert "=" not in n.text and "line " not in n.text, n.text
            assert "_" not in n.text, n.text


def test_markup_in_a_title_or_source_is_shown_as_text(data_copy):
    poison = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    cat = pd.read_csv(data_copy / "catalog.csv", dtype=str, keep_default_na=False)
    cat.loc[cat["table_id"] == "t13", ["title", "source"]] = poison
    cat.to_csv(data_copy / "catalog.csv", index=False)
    html = printed_table("t13", 2022).to_html()
    assert "<script>" not in html and "<img" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2


def test_markup_in_a_label_is_shown_as_text(data_copy):
    raw = pd.read_csv(data_copy / "raw" / "t13.csv", dtype=str, keep_default_na=False)
    body = raw.index[raw["kind"] == "body"][0]
    raw.loc[body, "c2"] = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    raw.to_csv(data_copy / "raw" / "t13.csv", index=False)
    html = printed_table("t13", 2022).to_html()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html


def test_a_poisoned_label_is_refused_by_validation(data_copy):
    from nssf_analysis.data.pipeline import validate_data

    raw = pd.read_csv(data_copy / "raw" / "t13.csv", dtype=str, keep_default_na=False)
    body = raw.index[raw["kind"] == "body"][0]
    raw.loc[body, "c2"] = "<script>alert(1)</script>"
    raw.to_csv(data_copy / "raw" / "t13.csv", index=False)
    with pytest.raises(NSSFError, match="t13"):
        validate_data(data_copy)


def test_tables_table_shows_the_printed_table():
    assert isinstance(tables.table("t18", 2022), type(printed_table("t18", 2022)))
    assert repr(tables.table("t10", 2022)).startswith("Table 10: Occupational Risk")
    # a table without data for the year says so
    assert "no data for 2021" in tables.table("t56", 2021).to_html()


def test_lookup_gives_the_printed_total_and_keeps_the_recomputed_one():
    # Table 18 prints 22.26 for the 2022 grand total; its parts add up to 22.25
    assert av.lookup("t18", 2022, item="Total") == pytest.approx(22.26)
    v = av.values("t18", 2022)
    row = v[(v["item"] == "Total") & (v["year"] == 2022)].iloc[0]
    assert row["recomputed"] == pytest.approx(22.25)


def test_changes_carry_the_printed_change():
    # Table 18, Nursing Benefits: printed 49.47 %, recomputed (0.18 - 0.12) / 0.12 = 50 %
    c = av.changes("t18", 2022)
    row = c[c["item"] == "Nursing Benefits"].iloc[0]
    assert row["printed"] == pytest.approx(49.47)
    assert row["change"] == pytest.approx(50.0)


#: Run in a fresh process (as a chapter's kernel or the book's page writer is): print
#: Table 1 for 2022, count the calls of the function that reads its printed rows.
_FRESH = """
import hashlib
from nssf_analysis.render import printed
calls = []
rows = printed._rows
printed._rows = lambda table_id: calls.append(table_id) or rows(table_id)
html = printed.printed_table("t01", 2022).to_html()
print(len(calls), "2,305,958" in html, "2,305,959" in html)
print(hashlib.sha256(html.encode()).hexdigest())
"""


def _fresh(env) -> list[str]:
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, "-c", _FRESH], capture_output=True, text=True, env=env, timeout=120
    )
    assert res.returncode == 0, res.stderr
    return res.stdout.split()


def test_a_printed_table_serves_the_next_process_until_its_data_changes(data_copy, tmp_path):
    import os

    env = dict(os.environ, NSSF_DATA=str(data_copy), NSSF_OUTPUTS=str(tmp_path / "outputs"))
    first = _fresh(env)
    assert first[:3] == ["1", "True", "False"]  # computed: 2,305,958 members (Table 1)
    second = _fresh(env)
    assert second == ["0", *first[1:]]  # from disk: the same table, not computed again
    # one printed cell of Table 1 corrected: the table is computed again and shows it
    raw = data_copy / "raw" / "t01.csv"
    raw.write_text(raw.read_text(encoding="utf-8").replace("2,305,958", "2,305,959"), "utf-8")
    third = _fresh(env)
    assert (third[0], third[2]) == ("1", "True")  # its note: the parts add up to 2,305,958
