"""Downloads under every table and graphic: the files, the links to them, the workbooks."""

import csv
import dataclasses
import io
import json
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
        ("- Provide training to staff", "'- Provide training to staff"),  # as in Table 65
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
    assert wb.sheetnames == ["t01", "notes"]
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
    assert second[2].value == -12.5 and second[2].number_format == "#,##0.0"
    assert ws[head + 1][2].value == 120.63 and ws[head + 1][2].number_format == "#,##0.00"
    assert second[0].value == "2008-2022"
    assert second[3].value == 0.1808 and second[3].number_format == "+0.00%;-0.00%;0.00%"
    assert ws[head + 1][3].value is None  # blank stays blank
    notes = rows(wb["notes"])
    assert ["(whole table)", None, None, "A note on the table."] in notes


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


NOTED = [(1, 2, 1, "A note on a cell.")]  # a comment, a row of the notes sheet, a link


def test_the_workbook_bytes_depend_only_on_its_content():
    here = workbook(cell_notes=NOTED)
    # made again in another process, a second later, with another hash seed and time zone
    time.sleep(1.1)
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "from test_exports import NOTED, workbook; "
        "sys.stdout.buffer.write(workbook(cell_notes=NOTED))"
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

    def table_files(table_id, year, citation, pub=None):
        asked.append((table_id, year, citation))
        return {
            f"data/shown/{table_id}.csv": b"shown\n",
            f"data/shown/{table_id}.csv-metadata.json": b"{}\n",
            f"data/shown/{table_id}.xlsx": b"xl",
        }

    def graphic_file(number, year):
        asked.append((number, year))
        return b"drawn\n"

    def graphic_metadata(number, year, citation, pub=None):
        asked.append((number, year, citation))
        return b"{ }\n"

    monkeypatch.setattr(dl, "table_files", table_files)
    monkeypatch.setattr(dl, "graphic_file", graphic_file)
    monkeypatch.setattr(dl, "graphic_metadata", graphic_metadata)
    monkeypatch.setattr(dl, "catalog_row", lambda table_id: {"label": "Table 5"})
    book = tmp_path / "book"
    out = dl.annotate(FRAGMENT, book, 2022, "cite", {"t05"})
    # graphic 10 shows no image, "headlines" is no table of the catalog
    assert asked == [("t05", 2022, "cite"), (3, 2022), (3, 2022, "cite")]
    table_end = out.index('<div class="nssf-table-notes">Unit</div></div>') + len(
        '<div class="nssf-table-notes">Unit</div></div>'
    )
    assert out[table_end:].lstrip().startswith('<div class="nssf-downloads">')
    about = "the CSV's title, unit, source and notes (CSVW JSON)"
    table_links = [
        ("data/shown/t05.csv", "table as shown (CSV)"),
        ("data/shown/t05.csv-metadata.json", about),
        ("data/shown/t05.xlsx", "table as shown (Excel)"),
        ("data/tidy/t05.csv", "tidy data (CSV)"),
    ]
    graphic_links = [
        ("data/graphics/graphic-3.csv", "data drawn (CSV)"),
        ("data/graphics/graphic-3.csv-metadata.json", about),
    ]
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
    assert (book / "data/shown/t05.csv-metadata.json").read_bytes() == b"{}\n"
    assert (book / "data/graphics/graphic-3.csv-metadata.json").read_bytes() == b"{ }\n"


def test_link_text_is_escaped():
    html = dl.links_html("<b>x</b>", [("data/a&b.csv", "<i>csv</i>")])
    assert "<b>" not in html and "<i>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and 'href="data/a&amp;b.csv"' in html


def test_the_links_are_a_list_after_their_label():
    html = dl.links_html("Table 5", [("data/a.csv", "CSV"), ("data/a.xlsx", "Excel")])
    assert html == (
        '<div class="nssf-downloads"><span class="nssf-downloads-label">Download Table 5:</span> '
        '<ul><li><a href="data/a.csv" download>CSV</a></li>'
        '<li><a href="data/a.xlsx" download>Excel</a></li></ul></div>'
    )


def test_the_downloads_of_a_real_table_and_graphic(tmp_path, monkeypatch):
    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    book = tmp_path / "book"
    out = dl.annotate(FRAGMENT, book, 2022, "cite", {"t05"})
    for href in (
        "data/shown/t05.csv",
        "data/shown/t05.csv-metadata.json",
        "data/shown/t05.xlsx",
        "data/tidy/t05.csv",
        "data/graphics/graphic-3.csv",
        "data/graphics/graphic-3.csv-metadata.json",
    ):
        assert f'href="{href}"' in out
        assert (book / href).exists() or href.startswith("data/tidy/")  # tidy: copied by publish
    # the CSVs' descriptions: Table 5 and Graphic 3 as the report titles and sources them
    shown = json.loads((book / "data/shown/t05.csv-metadata.json").read_text(encoding="utf-8"))
    assert shown["url"] == "t05.csv"
    assert shown["dc:title"] == (
        "Table 5: Number of Contribution-Paid Enterprises/Establishments and Workers, 2022"
    )
    assert shown["dc:source"][0] == (
        "Department of Registration and Contribution and Department of Budget Management, "
        "Finance, and Accounting"
    )
    assert "billion riels" in shown["schema:unitText"]
    drawn = (book / "data/graphics/graphic-3.csv-metadata.json").read_text(encoding="utf-8")
    drawn = json.loads(drawn)
    assert drawn["url"] == "graphic-3.csv" and drawn["dc:title"].startswith("Graphic 3: Number")
    assert drawn["dc:source"][0] == shown["dc:source"][0] and drawn["schema:unitText"]
    assert {c["titles"]: c["datatype"] for c in drawn["tableSchema"]["columns"]}["value"] == (
        "number"
    )
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
    frame = pd.DataFrame(
        {
            "Name": [FORMULA, "Takeo Eye Hospital", "- Provide training"],
            "Mobile": [COMMAND, "-", "012 345 678"],
        }
    )
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
            ["'- Provide training", "012 345 678"],
        ]
    ws = openpyxl.load_workbook(book / "data/shown/a6_6_1.xlsx")["a6_6_1"]
    cells = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[FORMULA] == "s" and cells[COMMAND] == "s" and cells["- Provide training"] == "s"
    assert cells["012 345 678"] == "s"


def test_the_workbook_of_every_tidy_table_holds_text_as_strings(tmp_path, data_dir, monkeypatch):
    tidy = "name,note,no,value\n" + f'"{FORMULA.replace(chr(34), chr(34) * 2)}",{COMMAND},4,12.5\n'
    tidy += "Kep,,,20448\nKep,,012,2\n"  # a number without a code; a code with a leading zero
    (data_dir / "tidy" / "t99.csv").write_text(tidy, encoding="utf-8")
    catalog = pd.DataFrame({"table_id": ["t99"], "title": ["=1"], "line": ["164"]}, dtype="string")
    monkeypatch.setattr(dl, "catalog", lambda: catalog)
    dl.write_workbook(tmp_path / "a.xlsx")
    dl.write_workbook(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert wb.sheetnames == ["catalog", "t99"]
    assert rows(wb["catalog"]) == [["table_id", "title", "line"], ["t99", "=1", 164]]
    assert wb["catalog"]["B2"].data_type == "s" and wb["catalog"]["C2"].data_type == "n"
    assert rows(wb["t99"]) == [
        ["name", "note", "no", "value"],
        [FORMULA, COMMAND, 4, 12.5],
        ["Kep", None, None, 20448],
        ["Kep", None, "012", 2],
    ]
    assert [c.data_type for c in wb["t99"][2]] == ["s", "s", "n", "n"]
    # a figure has a number format with its decimals; a code none (no separator)
    formats = [
        (c.number_format, d.number_format)
        for c, d in zip(wb["t99"]["C"][1:], wb["t99"]["D"][1:], strict=True)
    ]
    assert formats == [("General", "#,##0.0"), ("General", "#,##0"), ("General", "#,##0")]


@pytest.mark.parametrize(
    ("printed", "label", "value", "number_format"),
    [
        ("20,448", False, 20448, "#,##0"),
        ("950", False, 950, "#,##0"),
        ("120.63", False, 120.63, "#,##0.00"),
        ("-12.5", False, -12.5, "#,##0.0"),
        ("18.08%", False, 0.1808, "0.00%"),
        ("-100.00%", False, -1.0, "0.00%"),
        ("3,419.73%", False, 34.1973, "#,##0.00%"),
        ("1300%", False, 13.0, "0%"),
        ("2022", True, 2022, "0"),  # a year labels its row: no separator
        ("1.1", True, "1.1", None),  # a section number stays text
        ("012", True, "012", None),  # so does a code with a leading zero
        ("-", False, "-", None),
        ("2008-2022", True, "2008-2022", None),
        ("", False, None, None),
    ],
)
def test_a_printed_cell_becomes_a_number_with_its_format(printed, label, value, number_format):
    got = dl.printed_value(printed, label)
    assert (got.value, got.number_format) == (value, number_format)
    assert type(got.value) is type(value)


def test_a_note_on_a_cell_is_its_comment_and_a_row_of_the_notes_sheet():
    frame = pd.DataFrame({"Year": ["2021", "2022"], "Amount": ["10.68", "13.86"]})
    kinds = [["label", "total"], ["label", "total"]]
    notes = [(1, 1, 2, "The parts add up to 13.85."), (0, 1, 1, "The parts add up to 10.69.")]
    wb = openpyxl.load_workbook(
        io.BytesIO(workbook(frame=frame, kinds=kinds, cell_notes=notes, notes=["On all."]))
    )
    ws, listed = wb["t01"], rows(wb["notes"])
    head = [r[0] for r in rows(ws)].index("Year") + 1
    assert [(c.value, c.number_format) for c in ws[head + 1]] == [(2021, "0"), (10.68, "#,##0.00")]
    assert ws.cell(head + 2, 2).comment.text == "Note 2: The parts add up to 13.85."
    assert ws.cell(head + 1, 1).comment is None
    start = listed.index(["Cell", "Value", "Note no.", "Text"])
    assert listed[start + 1 :] == [
        ["(whole table)", None, None, "On all."],
        [f"B{head + 1}", 10.68, 1, "The parts add up to 10.69."],
        [f"B{head + 2}", 13.86, 2, "The parts add up to 13.85."],
    ]
    link = wb["notes"].cell(start + 3, 1).hyperlink
    assert link.location == f"'t01'!B{head + 1}"


# --------------------------------------------------------------------------------------
# Every table's downloads for 2022, made once
# --------------------------------------------------------------------------------------

CITE = "Someone (2026). A book."
#: A text a spreadsheet reads as a number or a percentage.
NUMERIC = re.compile(r"^\s*[-+]?(\d[\d,]*(\.\d+)?|\.\d+)\s*%?\s*$")
#: A CSV cell a spreadsheet would evaluate: a formula character, then something.
EVALUATED = re.compile(r"^[=+\-@\t\r].")


@dataclasses.dataclass
class Download:
    table_id: str
    workbook: openpyxl.Workbook
    csv: list[list[str]]  # as written, the header first
    described: dict  # the CSV's CSVW description
    head: int  # the worksheet row of the table's column headings


@pytest.fixture(scope="module")
def downloads() -> dict[str, Download]:
    from nssf_analysis.render import tables

    out = {}
    for table_id in catalog_ids():
        files = dl.table_files(table_id, 2022, CITE)
        if 2022 not in tables.table_years_any(table_id):
            assert files == {}
            continue
        assert sorted(files) == [
            f"data/shown/{table_id}.csv",
            f"data/shown/{table_id}.csv-metadata.json",
            f"data/shown/{table_id}.xlsx",
        ]
        wb = openpyxl.load_workbook(io.BytesIO(files[f"data/shown/{table_id}.xlsx"]))
        text = files[f"data/shown/{table_id}.csv"].decode("utf-8")
        firsts = [r[0] for r in rows(wb[table_id])]
        out[table_id] = Download(
            table_id,
            wb,
            list(csv.reader(io.StringIO(text, newline=""))),
            json.loads(files[f"data/shown/{table_id}.csv-metadata.json"]),
            firsts.index(None, 1) + 2,  # the cover ends with an empty row
        )
    return out


def catalog_ids() -> list[str]:
    from nssf_analysis.data.catalog import catalog

    return list(catalog()["table_id"])


def unquoted(text: str) -> str:
    """Return a CSV cell as printed: without the apostrophe put before a formula."""
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


def displayed(cell) -> str:
    """Return a cell as a spreadsheet shows it (the number formats of the downloads)."""
    value, fmt = cell.value, cell.number_format
    if not isinstance(value, int | float):
        return "" if value is None else value
    plus, fmt = fmt.startswith("+"), fmt.split(";")[0].lstrip("+")
    percent, core = fmt.endswith("%"), fmt.rstrip("%")
    decimals, grouped = len(core.partition(".")[2]), "," in core
    number = value * 100 if percent else value
    text = f"{number:{',' if grouped else ''}.{decimals}f}" + "%" * percent
    return "+" + text if plus and number > 0 else text


def table_cells(d: Download):
    """Yield (row, column, worksheet cell, printed text) of every cell of the table."""
    ws = d.workbook[d.table_id]
    for i, printed in enumerate(d.csv[1:]):
        for j, text in enumerate(printed):
            yield i, j, ws.cell(d.head + 1 + i, j + 1), unquoted(text)


def printed_cells(table_id: str):
    """Return the body rows of a printed table as shown (after its block, if any)."""
    from nssf_analysis.render.printed import printed_table

    t = printed_table(table_id, 2022)
    return t, t.rows()


def unprinted(table_id: str) -> bool:
    """Whether a table's download is not its printed grid (a directory)."""
    return table_id.startswith("a6_6_")


def test_every_table_with_2022_figures_has_its_downloads(downloads):
    assert len(downloads) == 87  # 84 numbered, annex and text tables and 3 directories
    for d in downloads.values():
        assert [c.value for c in d.workbook[d.table_id][d.head]] == [unquoted(c) for c in d.csv[0]]
        assert d.workbook.sheetnames == [d.table_id, "notes"]


def test_every_cell_of_a_workbook_is_shown_as_printed_and_no_number_is_text(downloads):
    from nssf_analysis.render.printed import printed_table

    for d in downloads.values():
        body = [] if unprinted(d.table_id) else printed_table(d.table_id, 2022).body
        labels = {c.text for _, row in body for c in row if c.kind == "label"}
        for _, _, cell, printed in table_cells(d):
            where = f"{d.table_id}!{cell.coordinate} ({printed!r})"
            assert displayed(cell) == printed.strip(), where
            if NUMERIC.match(printed):  # a printed number is a number, a year without a comma
                assert (
                    isinstance(cell.value, int | float)
                    or re.fullmatch(r"\d+(\.\d+)+", printed)
                    and printed in labels
                ), where
            if re.fullmatch(r"(19|20)\d\d", printed):
                assert cell.number_format == "0", where
            if printed.endswith("%") and NUMERIC.match(printed):
                assert cell.number_format.endswith("%"), where
        for ws in d.workbook:
            for row in ws.iter_rows():
                for cell in row:
                    v = cell.value
                    if isinstance(v, str) and NUMERIC.match(v):  # a heading or a section no.
                        assert re.fullmatch(r"\d+(\.\d+)*", v), f"{d.table_id}!{cell.coordinate}"
                        assert cell.row == d.head or v in labels, f"{d.table_id}!{cell.coordinate}"


def test_a_year_is_never_shown_with_a_thousands_separator(downloads):
    years = 0
    for d in downloads.values():
        for _, _, cell, printed in table_cells(d):
            if re.fullmatch(r"(19|20)\d\d", printed):
                years += 1
                assert cell.value == int(printed) and cell.number_format == "0"
                assert displayed(cell) == printed
        # a year heading is text ("2021", as Table 16 prints it), never "2,021"
        for cell in d.workbook[d.table_id][d.head]:
            if NUMERIC.match(str(cell.value)):
                assert isinstance(cell.value, str) and re.fullmatch(r"(19|20)\d\d", cell.value)
    assert years >= 30  # Tables 2-5, 10-12 … label their rows 2021 and 2022


def test_table_1_stores_its_figures_as_numbers(downloads):
    ws, d = downloads["t01"].workbook["t01"], downloads["t01"]
    by_label = {r[0].value: r for r in ws.iter_rows(min_row=d.head + 1)}
    # Table 1 as the report prints it (line 170): "Fluctuation (± %) 18.08% 12.09% …"
    change = by_label["Fluctuation (± %)"][1:]
    assert [c.value for c in change] == [
        0.1808, 0.1209, 0.0916, 0.1628, 0.1136, 0.0881, 0.2063, 0.1289, 0.0951
    ]  # fmt: skip
    assert {c.number_format for c in change} == {"0.00%"}
    # line 169: "2008-2022 20,448 2,584,706 1,646,397 …"
    total = by_label["2008-2022"][1:4]
    assert [(c.value, c.number_format) for c in total] == [
        (20448, "#,##0"), (2584706, "#,##0"), (1646397, "#,##0")
    ]  # fmt: skip


def notes_sheet(d: Download) -> list[list]:
    listed = rows(d.workbook["notes"])
    return listed[listed.index(["Cell", "Value", "Note no.", "Text"]) + 1 :]


def test_every_note_the_book_shows_is_on_its_cell(downloads):
    for d in downloads.values():
        if unprinted(d.table_id):
            continue
        t, grid = printed_cells(d.table_id)
        texts = {n.number: n.text for n in t.notes}
        # the book's notes: (number, text, the noted cell as printed) for every marker
        expected = sorted(
            (n, texts[n], c.text) for row in grid for c in row if c is not None for n in c.notes
        )
        listed = [r for r in notes_sheet(d) if r[0] != "(whole table)"]
        ws = d.workbook[d.table_id]
        found = []
        for ref, value, number, text in listed:
            cell = ws[ref]
            assert cell.value == value and f"Note {number}: {text}" in cell.comment.text
            found.append((number, text, displayed(cell)))
        assert sorted(found) == expected, d.table_id
        assert {n for n, _, _ in found} == set(texts)  # every numbered note, none more
        # the table's own notes (the catalog's, the report's) are the sheet's first rows
        whole = " ".join(r[3] for r in notes_sheet(d) if r[0] == "(whole table)")
        for line in t.lines:
            if line.startswith("Note: "):  # Annex 6.1.1: "Garment Sector includes: 1711, …"
                assert line.removeprefix("Note: ").rstrip(".") in whole


def test_table_18_marks_its_15_cells_with_its_one_rounding_note(downloads):
    d = downloads["t18"]
    listed = notes_sheet(d)
    numbered = [r for r in listed if r[2] is not None]
    assert [r[2] for r in numbered] == [1] * 15
    # Table 18 (report lines 426-444): the totals and changes its printed parts do not give,
    # e.g. 1. Occupational Risk Benefits 2021: 0.97 + 0.12 + 1.64 + 0.26 + 1.90 + 0.74 +
    # 4.94 + 0.12 = 10.69, printed 10.68; its change 13.86 / 10.68 - 1 = 29.78 %, printed 29.72%
    ws = d.workbook["t18"]
    assert [displayed(ws[r[0]]) for r in numbered] == [
        "10.68", "13.86", "29.72%", "21.23%", "49.47%", "42.75%", "140.58%", "38.56%",
        "27.72%", "17.15%", "47.14%", "6.45", "30.35%", "35.04%", "22.26",
    ]  # fmt: skip
    shared = {text for _, _, _, text in numbered}
    assert len(shared) == 1 and next(iter(shared)).startswith("15 cells differ")
    for ref, _, number, text in numbered:
        assert ws[ref].comment.text == f"Note {number}: {text}"


def test_table_31_warns_of_billion_and_million_on_its_cell(downloads):
    d = downloads["t31"]
    ws = d.workbook["t31"]
    # line 633 prints 316.32 under "Billion Riels"; line 574 says "316.32 million Riels"
    grand = [r for r in ws.iter_rows(min_row=d.head + 1) if r[0].value == "Grand Total (1+2)"]
    cell = grand[0][3]
    assert cell.value == 316.32 and "million riels" in cell.comment.text
    assert any(r[0] == cell.coordinate and "million riels" in r[3] for r in notes_sheet(d))


def test_no_csv_cell_is_a_formula(downloads):
    from nssf_analysis.render import charts

    drawn = [dl.graphic_file(n, 2022) for n in charts.GRAPHICS]
    csvs = [d.csv for d in downloads.values()]
    csvs += [list(csv.reader(io.StringIO(x.decode("utf-8"), newline=""))) for x in drawn if x]
    assert len(csvs) > 87
    for rows_ in csvs:
        for cell in (c for r in rows_ for c in r):
            if EVALUATED.match(cell):  # only a printed number ("-100.00%") begins so
                assert re.fullmatch(r"[-+]?(\d[\d,]*(\.\d+)?|\.\d+)%?", cell), cell


def test_every_csv_has_its_title_unit_source_and_notes_beside_it(downloads):
    from nssf_analysis.data.catalog import catalog_row

    for d in downloads.values():
        info, described = catalog_row(d.table_id), d.described
        assert described["url"] == f"{d.table_id}.csv"
        assert described["dc:title"] == f"{info['label']}: {info['title']}, 2022"
        assert described["schema:unitText"] == (info["unit"] or "see the column headings")
        assert described["dc:source"][0] == (info["source"] or described["dc:source"][0])
        assert described["dc:source"][1].startswith("National Social Security Fund")
        assert described["dc:bibliographicCitation"] == CITE
        columns = [c["titles"] for c in described["tableSchema"]["columns"]]
        assert columns == d.csv[0]
        # a note on a cell targets it (RFC 7111: the header line is row 1)
        noted = []
        for note in described["notes"]:
            m = re.fullmatch(rf"{d.table_id}\.csv#cell=(\d+),(\d+)", note["target"])
            if m:
                number = int(note["bodyValue"].split(":")[0].removeprefix("Note "))
                noted.append((number, unquoted(d.csv[int(m[1]) - 1][int(m[2]) - 1])))
        ws = d.workbook[d.table_id]
        listed = [(r[2], displayed(ws[r[0]])) for r in notes_sheet(d) if r[2] is not None]
        assert sorted(noted) == sorted(listed), d.table_id


def test_table_65_downloads_have_the_two_columns_its_page_shows(downloads):
    # report lines 1162-1164: the headings, the partner, then the project under
    # "Description" and its outcomes under "Outcomes", as printed (as its page shows them)
    d = downloads["t65"]
    assert d.csv[0] == ["Description", "Outcomes"]
    rows = [[unquoted(c) for c in row] for row in d.csv[1:]]
    assert rows[0][0] == "1. Groupe de Recherches et d'Echanges Technologiques (GRET)"
    project = "Memorandum of Understanding (MOU) on Social Protection: Innovations for Informal"
    assert rows[1][0].startswith(project)
    assert rows[1][1].startswith("- Achieved the action plan of benefits package")
    assert d.csv[2][1].startswith("'- Achieved")  # inert in a spreadsheet
    assert [c.value for c in d.workbook["t65"][d.head]] == ["Description", "Outcomes"]
