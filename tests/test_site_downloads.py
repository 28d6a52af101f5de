"""Downloads under every table and graphic: the files and the links to them."""

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

from nssf_analysis import site_downloads as sd


def test_flat_frame_joins_header_levels_and_keeps_row_labels():
    cols = pd.MultiIndex.from_tuples(
        [
            ("Total", "Members", "Total"),
            ("Total", "Members", "Females"),
            ("Change (%)", "Change (%)", ""),
        ]
    )
    idx = pd.Index(["2008-2021", "2008-2022"], name="Year")
    frame = pd.DataFrame(
        [
            ["2,305,958", "1,508,296", ""],
            [
                "2,584,706",
                "1,646,397",
                'no change<sup class="nssf-flag nssf-convention"><a href="x.html">c</a></sup>',
            ],
        ],
        index=idx,
        columns=cols,
    )
    flat = sd.flat_frame(frame)
    assert list(flat.columns) == [
        "Year",
        "Total / Members / Total",
        "Total / Members / Females",
        "Change (%)",  # a level repeating the one above, or empty, is left out
    ]
    # markers are no values: the cell reads as printed
    assert flat.iloc[1].tolist() == ["2008-2022", "2,584,706", "1,646,397", "no change"]
    assert sd.plain_text("A &amp; B <b>bold</b>") == "A & B bold"


def workbook(**kw):
    frame = pd.DataFrame(
        {
            "Year": ["2008-2021", "2008-2022"],
            "Enterprises": ["17,317", "20,448"],
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
    return sd.table_workbook(frame, **args)


def test_the_workbook_has_a_cover_notes_and_a_titled_table_sheet():
    wb = openpyxl.load_workbook(io.BytesIO(workbook()))
    assert wb.sheetnames == ["Cover", "Notes", "t01"]
    cover = [c.value for row in wb["Cover"].iter_rows() for c in row if c.value]
    assert cover[0] == "Table 1: Registered enterprises"
    for field in ("Source", "Licence", "Contact", "How to cite", "Someone (2026). A book."):
        assert field in cover
    notes = list(wb["Notes"].iter_rows(min_row=4, values_only=True))
    assert notes[0][:2] == ("Note number", "Note text")
    assert notes[1][:2] == ("[note 1]", "A note on the table.")
    ws = wb["t01"]
    assert ws["A1"].value == "Table 1: Registered enterprises, 2022"
    assert ws["A3"].value == "Unit: enterprises"
    assert ws["A4"].value == "Source: Department of Registration and Contribution"
    assert [c.value for c in ws[7]] == ["Year", "Enterprises", "Change"]
    # printed numbers become numbers shown as printed; other text stays text
    assert ws["B9"].value == 20448 and ws["B9"].number_format == "#,##0"
    assert ws["A9"].value == "2008-2022" and ws["C9"].value == "+18.08%"


def test_the_workbook_bytes_depend_only_on_its_content():
    here = workbook()
    # made again in another process, a second later, with another hash seed and time zone
    time.sleep(1.1)
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "from test_site_downloads import workbook; sys.stdout.buffer.write(workbook())"
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


class FakeDownloads:
    def __init__(self):
        self.asked = []

    def table(self, table_id):
        self.asked.append(table_id)
        return [(f"data/shown/{table_id}.csv", "table as shown (CSV)")]

    def graphic(self, number):
        self.asked.append(number)
        return [(f"data/graphics/graphic-{number}.csv", "data drawn (CSV)")]


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


def test_links_go_under_each_table_and_under_each_drawn_graphic():
    fake = FakeDownloads()
    out = sd.annotate(FRAGMENT, fake, {"t05"})
    assert fake.asked == ["t05", 3]  # graphic 10 draws nothing, "headlines" is no table
    table_end = out.index('<div class="nssf-table-notes">Unit</div></div>') + len(
        '<div class="nssf-table-notes">Unit</div></div>'
    )
    assert out[table_end:].lstrip().startswith('<p class="nssf-downloads">')
    assert 'href="data/shown/t05.csv"' in out and "Download Table 5:" in out
    # the graphic's links come after its image and its source line
    link = out.index('href="data/graphics/graphic-3.csv"')
    assert out.index("<img") < out.index("Source: Department") < link
    assert link < out.index('id="graphic-10"')
    # nothing else changed
    assert (
        out.replace("\n" + sd.links_html("Table 5", fake.table("t05")), "").replace(
            "\n" + sd.links_html("Graphic 3", fake.graphic(3)), ""
        )
        == FRAGMENT
    )


def test_link_text_is_escaped():
    html = sd.links_html("<b>x</b>", [("data/a&b.csv", "<i>csv</i>")])
    assert "<b>" not in html and "<i>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and 'href="data/a&amp;b.csv"' in html


def test_downloads_are_copied_from_the_cache_when_present(tmp_path, monkeypatch):
    from nssf_analysis.render import charts

    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    sd.graphic_file.cache_clear()
    calls = []
    draw = charts.graphic_data

    def counted(number, year):
        calls.append(number)
        return draw(number, year)

    monkeypatch.setattr(charts, "graphic_data", counted)
    made = []
    for book in ("a", "b"):
        sd.graphic_file.cache_clear()  # a new process: only the copy on disk is left
        d = sd.Downloads(tmp_path / book, 2022, "cite")
        assert d.graphic(1) == [("data/graphics/graphic-1.csv", "data drawn (CSV)")]
        made.append(len(calls))
    a, b = (tmp_path / x / "data/graphics/graphic-1.csv" for x in ("a", "b"))
    assert a.read_bytes() == b.read_bytes() != b""
    assert made[0] > 0 and made[1] == made[0]  # the second book drew nothing again


def test_prefetch_makes_the_files_the_pages_then_copy(tmp_path, monkeypatch):
    # the build computes a chapter's downloads as the chapter finishes; the pages,
    # written later (in the same process or another), then compute nothing
    from nssf_analysis.book import downloads as dl
    from nssf_analysis.render import charts

    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    dl.table_files.cache_clear()
    dl.graphic_file.cache_clear()
    assert dl.prefetch(FRAGMENT, 2022, "cite", {"t05"}) == 2  # Table 5 and Graphic 3
    assert not (tmp_path / "book").exists()  # nothing written into a book
    dl.table_files.cache_clear()  # as in a new process: only the files on disk are left
    dl.graphic_file.cache_clear()

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(dl, "shown_frame", refuse)
    monkeypatch.setattr(charts, "graphic_data", refuse)
    book = sd.Downloads(tmp_path / "book", 2022, "cite")
    out = sd.annotate(FRAGMENT, book, {"t05"})
    assert 'href="data/shown/t05.xlsx"' in out and 'href="data/graphics/graphic-3.csv"' in out
    shown = (tmp_path / "book" / "data" / "shown" / "t05.csv").read_text(encoding="utf-8")
    # Table 5 as the report prints it: 11,272 contributory enterprises in 2021
    assert shown.splitlines()[1].startswith('2021,"11,272","9,549"')
    # another citation is another workbook cover: not served from the prefetch
    with __import__("pytest").raises(AssertionError, match="computed again"):
        sd.Downloads(tmp_path / "other", 2022, "other citation").table("t05")


def test_a_chapter_that_runs_again_finds_the_downloads_of_its_previous_tables_made(
    tmp_path, monkeypatch
):
    # while a chapter runs again (data it reads changed), the build makes the downloads
    # of the tables its previous run showed; the new run's page then computes nothing
    from nssf_analysis.book import builder, site
    from nssf_analysis.book import downloads as dl
    from nssf_analysis.render import charts

    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    previous = tmp_path / "previous.html"
    previous.write_text(FRAGMENT, encoding="utf-8")
    dl.table_files.cache_clear()
    dl.graphic_file.cache_clear()
    builder._prefetch_previous(previous, 2022)
    dl.table_files.cache_clear()  # the pages are written by the build's own process, but
    dl.graphic_file.cache_clear()  # what was made must also hold for another one

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(dl, "shown_frame", refuse)
    monkeypatch.setattr(charts, "graphic_data", refuse)
    again = FRAGMENT.replace("Title</caption>", "Title (again)</caption>")
    out = sd.annotate(again, site.downloads(tmp_path / "book", 2022), {"t05"})
    assert 'href="data/shown/t05.xlsx"' in out and 'href="data/graphics/graphic-3.csv"' in out
    assert "Title (again)" in out


def test_deferred_links_come_first_and_the_same_files_follow(tmp_path, monkeypatch):
    # the book writes its pages (and Chromium prints them) before the files are made
    from nssf_analysis.book import downloads as dl

    monkeypatch.setenv("NSSF_OUTPUTS", str(tmp_path / "outputs"))
    dl.table_files.cache_clear()
    dl.graphic_file.cache_clear()
    now = sd.annotate(FRAGMENT, sd.Downloads(tmp_path / "now", 2022, "cite"), {"t05"})
    deferred = sd.Downloads(tmp_path / "later", 2022, "cite", defer=True)
    later = sd.annotate(FRAGMENT, deferred, {"t05"})
    assert later == now  # the same links
    assert not (tmp_path / "later").exists()  # and no file yet
    assert deferred.write_pending() == 3  # Table 5 as CSV and Excel, Graphic 3's data
    made = sorted(p.relative_to(tmp_path / "later") for p in (tmp_path / "later").rglob("*.*"))
    assert [p.as_posix() for p in made] == [
        "data/graphics/graphic-3.csv",
        "data/shown/t05.csv",
        "data/shown/t05.xlsx",
    ]
    for p in made:
        assert (tmp_path / "later" / p).read_bytes() == (tmp_path / "now" / p).read_bytes()
    assert deferred.write_pending() == 0  # each file once


def test_a_table_without_data_for_the_year_gets_no_link_deferred_or_not(tmp_path):
    # Table 5 prints 2021 and 2022 only
    for defer in (False, True):
        d = sd.Downloads(tmp_path, 1999, "cite", defer=defer)
        assert d.table("t05") == [] and d.graphic(3) == []
        assert d.pending == []


def test_deferred_files_that_differ_from_their_links_stop_the_book(tmp_path, monkeypatch):
    import pytest

    from nssf_analysis.book import downloads as dl
    from nssf_analysis.book.plan import BookBuildError

    d = sd.Downloads(tmp_path, 2022, "cite", defer=True)
    assert [href for href, _ in d.table("t05")] == ["data/shown/t05.csv", "data/shown/t05.xlsx"]
    monkeypatch.setattr(dl, "table_files", lambda *args: {})  # as if it had no data
    with pytest.raises(BookBuildError, match=r"downloads of table t05 are none, but its page"):
        d.write_pending()
