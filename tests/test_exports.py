"""Downloads under every table and graphic: the files, the links to them, the workbooks."""

import csv
import dataclasses
import io
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nssf_analysis.book import exports as dl

FORMULA = '=HYPERLINK("http://x","y")'
COMMAND = "+cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (FORMULA, "'" + FORMULA),
        (COMMAND, "'" + COMMAND),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("-2+3", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-12.5", "-12.5"),  # printed numbers and a printed dash are no formulas
        ("-", "-"),
        ("+18.08%", "+18.08%"),
        ("-1,234", "-1,234"),
        ("Takeo Eye Hospital", "Takeo Eye Hospital"),
        ("a=b", "a=b"),
        (12, 12),
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_is_quoted(cell, written):
    assert dl.spreadsheet_text(cell) == written


def workbook(**kw):
    frame = pd.DataFrame(
        {
            "Year": ["2008-2021", "2008-2022"],
            "Enterprises": ["17,317", "20,448"],
            "Amount": ["120.63", "-12.5"],
            "Change": ["", "+18.08%"],
        }
    )
    args = dict(
        sheet="t01",
        title="Table 1: Registered enterprises",
        unit="enterprises",
        source="Department of Registration and Contribution",
        notes=["A note on the table."],
        year=2022,
        citation="Someone (2026). A book.",
    )
    args.update(kw)
    frame = args.pop("frame", frame)
    return dl.table_workbook(frame, **args)


def rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_workbook_holds_the_table_with_its_title_unit_source_notes_and_citation():
    wb = openpyxl.load_workbook(io.BytesIO(workbook()))
    assert wb.sheetnames == ["t01"]
    ws = wb["t01"]
    assert ws["A1"].value == "Table 1: Registered enterprises, 2022" and ws["A1"].font.b
    above = [r[0] for r in rows(ws)[: [r[0] for r in rows(ws)].index("Year")]]
    for line in (
        "Unit: enterprises",
        "Source: Department of Registration and Contribution",
        "Note 1: A note on the table.",
        "How to cite: Someone (2026). A book.",
    ):
        assert line in above
    assert any(str(x).startswith("Licence: ") for x in above)
    assert any(str(x).startswith("Contact: ") for x in above)
    head = [r[0] for r in rows(ws)].index("Year") + 1
    assert [c.value for c in ws[head]] == ["Year", "Enterprises", "Amount", "Change"]
    # printed numbers become numbers shown as printed; other text stays text
    second = ws[head + 2]
    assert second[1].value == 20448 and second[1].number_format == "#,##0"
    assert second[2].value == -12.5 and second[2].number_format == "0.0"
    assert ws[head + 1][2].value == 120.63 and ws[head + 1][2].number_format == "0.00"
    assert second[0].value == "2008-2022" and second[3].value == "+18.08%"
    assert ws[head + 1][3].value is None  # blank stays blank


def cover(**kw) -> list[str]:
    ws = openpyxl.load_workbook(io.BytesIO(workbook(**kw)))["t01"]
    firsts = [r[0] for r in rows(ws)]
    return [str(x) for x in firsts[: firsts.index("Year")] if x is not None]


def line(lines: list[str], head: str) -> str:
    return next(x for x in lines if x.startswith(f"{head}: ")).removeprefix(f"{head}: ")


def test_the_workbook_cover_gives_both_licences_and_the_source_of_the_figures():
    lines = cover()
    licence = line(lines, "Licence")
    assert "CC BY 4.0" in licence and "https://creativecommons.org/licenses/by/4.0/" in licence
    assert "MIT License" in licence and "the code" in licence
    assert "National Social Security Fund" in licence and "source" in licence
    assert line(lines, "Source of the figures").endswith(
        "Report on Annual Achievements and Action Plans 2022."
    )
    # the 2021 figures are the comparison columns of the 2022 report
    older = line(cover(year=2021), "Source of the figures")
    assert older.endswith("Action Plans 2022 (comparison columns for 2021).")


def test_the_workbook_cover_leaves_out_an_unset_email_and_gives_a_set_one(monkeypatch):
    from nssf_analysis import publication as site

    text = "\n".join(cover())
    assert "example.org" not in text and "[URL]" not in text and "<>" not in text
    pub = site.publication()
    assert line(cover(), "Contact") == pub.contact_name
    monkeypatch.setattr(
        dl, "publication", lambda: dataclasses.replace(pub, contact_email="someone@x.org")
    )
    assert line(cover(), "Contact") == f"{pub.contact_name} <someone@x.org>"


def test_the_workbook_cover_cites_the_book_with_its_version_and_date(monkeypatch):
    from nssf_analysis import publication as site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796126400")  # 1 December 2026
    cited = site.citation(2022, "0123456789abcdef")
    lines = cover(citation=cited)
    assert line(lines, "How to cite") == cited and "Version 0123456789ab." in cited
    assert line(lines, "Published by").endswith(", 2026-12-01")
    assert cited.startswith(f"{site.publication().publisher} (2026). ")


def test_the_workbook_bytes_depend_only_on_its_content():
    here = workbook()
    # made again in another process, a second later, with another hash seed and time zone
    time.sleep(1.1)
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "from test_exports import workbook; sys.stdout.buffer.write(workbook())"
    )
    env = dict(os.environ, PYTHONHASHSEED="777", TZ="America/Adak")
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=True, env=env, timeout=300
    ).stdout
    assert here == other
    with zipfile.ZipFile(io.BytesIO(here)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == [
        "2000-01-01T00:00:00Z",
        "2000-01-01T00:00:00Z",
    ]
    assert here != workbook(unit="persons")


def test_text_in_a_workbook_is_a_string_never_a_formula():
    frame = pd.DataFrame({"=1+1": [FORMULA, "12"], "Address": [COMMAND, "-"]})
    ws = openpyxl.load_workbook(io.BytesIO(workbook(frame=frame, title="=2+2")))["t01"]
    cells = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value is not None}
    for text in (FORMULA, COMMAND, "=1+1", "-", "=2+2, 2022"):
        assert cells[text] == "s"
    assert cells[12] == "n"


def child(inner):
    return (
        '<div class="jp-OutputArea-child">\n<div class="jp-OutputArea-output">\n'
        + inner
        + "\n</div>\n</div>\n"
    )


FRAGMENT = (
    '<div class="jp-OutputArea">\n'
    + child(
        '<div class="nssf-table" id="t05"><table><caption><span class="nssf-table-label">'
        'Table 5:</span> Title</caption></table>\n<div class="nssf-table-notes">Unit</div>'
        "</div>"
    )
    + child('<div class="nssf-graphic" id="graphic-3"><b>Graphic 3:</b> Title</div>')
    + child('<img alt="Graphic 3: …" src="data:image/png;base64,AAAA"/>')
    + child("<p>Source: Department of Registration.</p>")
    + child('<div class="nssf-graphic" id="graphic-10"><b>Graphic 10:</b> not printed</div>')
    + child('<div class="nssf-table" id="headlines"><table></table></div>')
    + "</div>\n"
)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "tidy").mkdir(parents=True)
    monkeypatch.setenv("NSSF_DATA", str(data))
    return data


def test_links_go_under_each_table_and_under_each_drawn_graphic(tmp_path, data_dir, monkeypatch):
    (data_dir / "tidy" / "t05.csv").write_text("year,value\n2022,1\n", encoding="utf-8")
    asked = []

    def table_files(table_id, year, citation):
        asked.append((table_id, year, citation))
        return {f"data/shown/{table_id}.csv": b"shown\n", f"data/shown/{table_id}.xlsx": b"xl"}

    def graphic_file(number, year):
        asked.append((number, year))
        return b"drawn\n"

    monkeypatch.setattr(dl, "table_files", table_files)
    monkeypatch.setattr(dl, "graphic_file", graphic_file)
    monkeypatch.setattr(dl, "catalog_row", lambda table_id: {"label": "Table 5"})
    book = tmp_path / "book"
    out = dl.annotate(FRAGMENT, book, 2022, "cite", {"t05"})
    # graphic 10 shows no image, "headlines" is no table of the catalog
    assert asked == [("t05", 2022, "cite"), (3, 2022)]
    table_end = out.index('<div class="nssf-table-notes">Unit</div></div>') + len(
        '<div class="nssf-table-notes">Unit</div></div>'
    )
    assert out[table_end:].lstrip().startswith('<p class="nssf-downloads">')
    table_links = [
        ("data/shown/t05.csv", "table as shown (CSV)"),
        ("data/shown/t05.xlsx", "table as shown (Excel)"),
        ("data/tidy/t05.csv", "tidy data (CSV)"),
    ]
    graphic_links = [("data/graphics/graphic-3.csv", "data drawn (CSV)")]
    # the graphic's links come after its image and its source line
    link = out.index('href="data/graphics/graphic-3.csv"')
    assert out.index("<img") < out.index("Source: Department") < link
    assert link < out.index('id="graphic-10"')
    # nothing else changed
    assert (
        out.replace("\n" + dl.links_html("Table 5", table_links), "").replace(
            "\n" + dl.links_html("Graphic 3", graphic_links), ""
        )
        == FRAGMENT
    )
    assert "Download Table 5:" in out and "Download Graphic 3:" in out
    assert (book / "data/shown/t05.csv").read_bytes() == b"shown\n"
    assert (book / "data/shown/t05.xlsx").read_bytes() == b"xl"
    assert (book / "data/graphics/graphic-3.csv").read_bytes() == b"drawn\n"


def test_link_text_is_escaped():
    html = dl.links_html("<b>x</b>", [("data/a&b.csv", "<i>csv</i>")])
    assert "<b>" not in html and "<i>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and 'href="data/a&amp;b.csv"' in html


def test_the_downloads_of_a_real_table_and_graphic(tmp_path, monkeypatch):
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    book = tmp_path / "book"
    out = dl.annotate(FRAGMENT, book, 2022, "cite", {"t05"})
    for href in ("data/shown/t05.csv", "data/shown/t05.xlsx", "data/tidy/t05.csv"):
        assert f'href="{href}"' in out
    shown = (book / "data" / "shown" / "t05.csv").read_text(encoding="utf-8")
    # Table 5 as the report prints it: 11,272 contributory enterprises in 2021
    assert shown.splitlines()[1].startswith('2021,"11,272","9,549"')
    ws = openpyxl.load_workbook(book / "data" / "shown" / "t05.xlsx")["t05"]
    assert ws["A1"].value.startswith("Table 5: ") and ws["A1"].value.endswith(", 2022")
    assert "year" in (book / "data" / "graphics" / "graphic-3.csv").read_text(encoding="utf-8")
    # Table 5 prints 2021 and 2022 only: no table as shown for another year
    assert dl.table_files("t05", 1999, "cite") == {}


def test_text_from_the_report_is_inert_in_a_tables_files(tmp_path, monkeypatch):
    from nssf_analysis.render import directory_view, tables

    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    frame = pd.DataFrame({"Name": [FORMULA, "Takeo Eye Hospital"], "Mobile": [COMMAND, "-"]})
    monkeypatch.setattr(directory_view, "display_frame", lambda table_id: frame)
    monkeypatch.setattr(tables, "table_years_any", lambda table_id: [2022])
    fragment = '<div class="nssf-table" id="a6_6_1"><table></table></div>'
    book = tmp_path / "book"
    dl.annotate(fragment, book, 2022, f"cite {tmp_path}", {"a6_6_1"})  # a citation of its own
    with open(book / "data/shown/a6_6_1.csv", newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [
            ["Name", "Mobile"],
            ["'" + FORMULA, "'" + COMMAND],
            ["Takeo Eye Hospital", "-"],
        ]
    ws = openpyxl.load_workbook(book / "data/shown/a6_6_1.xlsx")["a6_6_1"]
    cells = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[FORMULA] == "s" and cells[COMMAND] == "s"


def test_the_workbook_of_every_tidy_table_holds_text_as_strings(tmp_path, data_dir, monkeypatch):
    tidy = "name,note,value\n" + f'"{FORMULA.replace(chr(34), chr(34) * 2)}",{COMMAND},12.5\n'
    (data_dir / "tidy" / "t99.csv").write_text(tidy, encoding="utf-8")
    monkeypatch.setattr(dl, "catalog", lambda: pd.DataFrame({"table_id": ["t99"], "title": ["=1"]}))
    dl.write_workbook(tmp_path / "a.xlsx")
    dl.write_workbook(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert wb.sheetnames == ["catalog", "t99"]
    assert rows(wb["catalog"]) == [["table_id", "title"], ["t99", "=1"]]
    assert wb["catalog"]["B2"].data_type == "s"
    assert rows(wb["t99"]) == [["name", "note", "value"], [FORMULA, COMMAND, 12.5]]
    assert [c.data_type for c in wb["t99"][2]] == ["s", "s", "n"]
