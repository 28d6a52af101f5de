"""Next year's report, end to end: the recipe of README "A new report", followed.

The 2023 report does not exist yet: ``tests/next_edition.py`` makes a plausible one from
the 2022 text, with three figures of 2022 revised on purpose, Table 21 and its paragraph
dropped, a table inserted and a title reworded (its docstring lists each change, and
:data:`next_edition.REVISIONS` the revisions worked out by hand).

The module follows the recipe once, in temporary seeds/, data/ and outputs/ folders:

1. with the 2022 report alone, extract and build a 2022 book (of one short chapter,
   the pension scheme's: a 2022 book made before the new report lands is what counts);
2. put the 2023 report in seeds/ and extract (``nssf-report extract``);
3. build the 2023 book, every chapter unchanged, then the 2022 one (``nssf-report build
   --year …``), as ``make books`` does for every year; the 2022 book is rebuilt with the
   chapters the tests read (the pension scheme and data quality).

The tests then read what the commands printed, data/ and the two books. Expected values
come from the 2022 report and the generator's hand-written list, never from the code.
The renamed-row tests extract in folders of their own.
"""

import contextlib
import io
import json
import re
import shutil
import signal
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from next_edition import REVISIONS, next_edition
from test_missing_facts import DROPPED

from nssf_analysis.cli import main
from nssf_analysis.data import specs
from nssf_analysis.data.cache import clear_all
from nssf_analysis.data.pipeline import write_data
from nssf_analysis.data.specs import part_a_occupational_risk
from nssf_analysis.exceptions import ExtractionError

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nssf_annual_report_2022.txt"
NEW_SEED = "nssf_annual_report_2023.txt"
PART_A = "nssf_analysis/data/specs/part_a_occupational_risk.py"
#: The chapter's sentence when no figure of the year is revised (its code, shown behind a
#: toggle, has "{year}" where the page says the year).
SAME = re.compile(r"editions print the same figures for \d{4}")
#: Table 13 of the 2022 report, report line 374: its fifth row, in the 2023 edition.
FUNERARY = "5\tFunerary Grants\t236\t236\t0.00%"


def run(*argv: str) -> tuple[int, str, str]:
    """Run ``nssf-report`` with ``argv``; return its status, stdout and stderr.

    ``build`` makes SIGTERM stop it as Ctrl-C does: the test process gets its own back.
    """
    out, err = io.StringIO(), io.StringIO()
    sigterm = signal.getsignal(signal.SIGTERM)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(list(argv))
    finally:
        signal.signal(signal.SIGTERM, sigterm)
        clear_all()
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def recipe(tmp_path_factory, kernel):
    """Follow the recipe once (steps 1-3 above); return the folders and what was printed."""
    root = tmp_path_factory.mktemp("next_edition")
    seeds, data, outputs = root / "seeds", root / "data", root / "outputs"
    seeds.mkdir()
    shutil.copy(SEED, seeds / SEED.name)
    chapter, chapters = root / "notebooks", root / "notebooks-2022"
    for folder, names in ((chapter, ["03_pension"]), (chapters, ["03_pension", "08_data_quality"])):
        folder.mkdir()
        for name in names:
            shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", folder)
    said = {}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in (("SEEDS", seeds), ("DATA", data), ("OUTPUTS", outputs)):
            mp.setenv(f"NSSF_{name}", str(value))
        mp.setenv("NSSF_PDF", "0")  # the PDF edition is another test's
        clear_all()
        assert run("extract", "--quiet")[0] == 0
        with mp.context() as one:
            one.setenv("NSSF_NOTEBOOKS", str(chapter))
            said["before"] = run("build", "--year", "2022")
        (seeds / NEW_SEED).write_text(next_edition(), encoding="utf-8")
        said["extract"] = run("extract", "--quiet")
        said["2023"] = run("build", "--year", "2023")
        with mp.context() as two:
            two.setenv("NSSF_NOTEBOOKS", str(chapters))
            said["2022"] = run("build", "--year", "2022")
    clear_all()
    return SimpleNamespace(data=data, books=outputs, said=said)


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def figure(text: str) -> float:
    return float(text.replace(",", ""))


def page(recipe, year: int) -> str:
    return (recipe.books / str(year) / "book" / "08_data_quality.html").read_text(encoding="utf-8")


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --------------------------------------------------------------------------------------
# The extraction: what the edition lacks is reported, not an error
# --------------------------------------------------------------------------------------


def test_the_extraction_reports_table_21_and_its_facts_missing(recipe):
    status, out, err = recipe.said["extract"]
    assert status == 0, err
    # 84 known tables: Table 21 missing, Tables 22-71 renumbered 21-70 (50), Table 6
    # reworded; the inserted table is new, as Table 71
    assert "tables: 32 matched, 50 renumbered, 1 reworded, 1 new, 1 missing" in out
    assert "missing    t21 (Table 21): Number of Registered Institutions and Members" in out
    assert "new        Table 71: Followers of the NSSF Pages on Social Media" in out
    assert "facts: " in out and ", 3 missing" in out
    summary = read(recipe.data / "edition.csv").set_index("table_id")
    assert summary.loc["t21", "status"] == "missing" and summary.loc["t21", "label"] == ""
    assert summary.loc["t22", "label"] == "Table 21"
    assert summary.loc["t06", "status"] == "reworded"
    assert summary.loc["t06", "title"] == "Inspections of Enterprise Registration"
    assert summary.loc["new_71", "status"] == "new"
    missing = read(recipe.data / "facts_missing.csv")
    assert list(missing["fact_id"]) == DROPPED
    assert set(missing["reason"]) == {"sentence not printed"}
    # the 2022 report's tables stay beside the newest's, Table 21 included
    older = read(recipe.data / "editions" / "2022" / "edition.csv").set_index("table_id")
    assert older.loc["t21", "status"] == "matched"
    assert (recipe.data / "editions" / "2022" / "raw" / "t21.csv").is_file()


def test_the_revisions_are_the_figures_revised_on_purpose(recipe):
    rev = read(recipe.data / "revisions.csv")
    got = sorted(
        (r.label, r.year, figure(r.old), figure(r.new), r.old_edition, r.new_edition)
        for r in rev.itertuples()
    )
    want = sorted(
        (r.table, "2022", figure(r.old), figure(r.new), "2022", "2023") for r in REVISIONS
    )
    assert got == want


# --------------------------------------------------------------------------------------
# The books: the 2022 book lists the revisions, the 2023 book links to the list
# --------------------------------------------------------------------------------------


def test_the_2022_book_lists_each_revised_figure(recipe):
    html = page(recipe, 2022)
    assert 'id="T_revisions"' in html
    table = html[html.index('id="T_revisions"') :]
    table = table[: table.index("</table>")]
    rows = [
        [words(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]
    rows = [r for r in rows if r]
    assert len(rows) == len(REVISIONS)
    for r in REVISIONS:
        # the cell in words names its printed row or column (the other one is the year)
        named = (r.column if r.row == "2022" else r.row).casefold()
        (shown,) = [x for x in rows if x[0] == r.table and named in x[2].casefold()]
        assert shown[1] == "2022"
        assert shown[3:] == [f"{r.old} (2022)", f"{r.new} (2023)", r.difference]
    assert not SAME.search(words(html))


def test_the_2023_book_links_to_the_2022_list(recipe):
    said = words(page(recipe, 2023))
    assert "The 2023 report revises 3 figures of 2022" in said
    assert 'href="../../2022/book/08_data_quality.html#T_revisions"' in page(recipe, 2023)
    assert not SAME.search(said)
    # the link's target: the list of the 2022 book, next to it
    target = recipe.books / "2023" / "book" / "../../2022/book/08_data_quality.html"
    assert 'id="T_revisions"' in target.read_text(encoding="utf-8")


def test_a_book_made_before_the_new_report_is_named_stale(recipe):
    for step in ("before", "2023", "2022"):
        assert recipe.said[step][0] == 0, recipe.said[step][2]
    stale = "warning: the 2022 book was made from other data than data/ holds now"
    assert stale not in recipe.said["before"][2]
    # the first build after the new report names the 2022 book and what to run
    said = recipe.said["2023"][2]
    assert stale in said and "run 'make books' to bring every book up to date" in said
    # once the 2022 book is built again, both books are current: no warning
    assert "warning: the" not in recipe.said["2022"][2]
    assert "book 2022: rendered" in recipe.said["2022"][1]


# --------------------------------------------------------------------------------------
# The 2023 book: every chapter ran unchanged on the new edition
# --------------------------------------------------------------------------------------


def said_by(recipe, year: int, name: str, mime: str) -> str:
    """The outputs of type ``mime`` of a chapter as executed for ``year``'s book."""
    nb = json.loads((recipe.books / str(year) / "notebooks" / f"{name}.ipynb").read_text())
    return "\n".join(
        "".join(o.get("data", {}).get(mime, "")) for c in nb["cells"] for o in c.get("outputs", [])
    )


def test_every_chapter_runs_unchanged_for_the_new_year(recipe):
    assert recipe.said["2023"][0] == 0, recipe.said["2023"][2]
    chapters = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    book = recipe.books / "2023" / "book"
    assert sorted(p.stem for p in book.glob("[0-9][0-9]_*.html")) == chapters
    html = said_by(recipe, 2023, "01_occupational_risk", "text/html")
    # Table 4 for 2023: the 2022 report's 2022 figures (line 205: 3,105 enterprises), the
    # same as this edition prints for 2022, so the printed fluctuation is 0.00%
    at_t04 = html[html.index('id="t04"') :]
    table = at_t04[: at_t04.index("</table>")]
    assert "Newly Registered Enterprises and Members" in table
    assert "3,105" in table and "0.00%" in table and "158.32%" not in table
    assert "In 2023" in said_by(recipe, 2023, "01_occupational_risk", "text/markdown")


def test_a_renumbered_table_keeps_its_anchor_and_shows_its_new_number(recipe):
    # Table 22 of the 2022 report is Table 21 of the 2023 edition: cited as t22 still
    html = said_by(recipe, 2023, "01_occupational_risk", "text/html")
    at_t22 = html[html.index('id="t22"') :]
    caption = at_t22[: at_t22.index("</caption>")]
    assert '"nssf-table-label">Table 21:</span>' in caption
    assert "Number of Contribution-Paid Institutions and Members" in caption


def test_the_chapter_leaves_out_what_needs_the_missing_facts(recipe):
    said = said_by(recipe, 2023, "01_occupational_risk", "text/markdown")
    absent = (
        "This edition does not print Table 21 of the 2022 report (Number of Registered "
        "Institutions and Members)."
    )
    assert said.count(absent) == 1
    # the dropped paragraph's figures (line 479: 257,644 members, 107,650 females) are
    # nowhere; the contribution sentence of Table 22, now Table 21, stays: 229,413
    # members, 108,113 females
    assert "257,644" not in said and "107,650" not in said
    assert "229,413" in said and "108,113" in said


# --------------------------------------------------------------------------------------
# A row the new edition renames: declared for it, the 2022 report still fits
# --------------------------------------------------------------------------------------


@pytest.fixture
def renamed_row(tmp_path, monkeypatch):
    """Seeds: the 2022 report and the 2023 edition, Table 13's row 5 renamed in 2023."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds / SEED.name)
    lines = next_edition().split("\n")
    k = lines.index(FUNERARY)
    lines[k] = FUNERARY.replace("Funerary Grants", "Funeral Grants")
    (seeds / NEW_SEED).write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("NSSF_SEEDS", str(seeds))
    monkeypatch.setenv("NSSF_DATA", str(tmp_path / "data"))
    clear_all()
    yield SimpleNamespace(line=k + 1, data=tmp_path / "data")
    clear_all()


def declare(monkeypatch, first: int) -> None:
    """Declare in part A, as README "A new report" shows, the new name from ``first`` on."""
    entry = {"t13": {first: {"Funerary Grants": "Funeral Grants"}}}
    for mapping in (specs.RENAMED, part_a_occupational_risk.RENAMED):
        monkeypatch.setitem(mapping, "t13", entry["t13"])


def test_an_undeclared_rename_names_the_report_and_the_declaration(renamed_row):
    with pytest.raises(ExtractionError) as info:
        write_data()
    message = str(info.value)
    # the row before it (line 373 of the 2022 report) is the line the error names
    assert message.startswith(
        f"{NEW_SEED}: t13 (Table 13), report line {renamed_row.line - 1}: row 'Funerary "
        "Grants' is missing after this line;"
    )
    assert message.endswith(
        f"row 'Funeral Grants' (line {renamed_row.line}) is not one of them; if the 2023 "
        f"edition renamed it, declare it in {PART_A}, RENAMED['t13']: {{2023: {{'Funerary "
        f"Grants': 'Funeral Grants'}}}}; if it dropped it, change it in {PART_A}, "
        "TIDY['t13'] (rows: ROWS['t13'])"
    )
    assert not renamed_row.data.exists()


def test_a_rename_declared_for_2023_leaves_the_2022_report_as_it_is(renamed_row, monkeypatch):
    declare(monkeypatch, 2023)
    write_data()
    data = renamed_row.data
    # as printed: each edition's own words
    assert "Funeral Grants" in set(read(data / "raw" / "t13.csv")["c2"])
    assert "Funerary Grants" in set(read(data / "editions" / "2022" / "raw" / "t13.csv")["c2"])
    # tidy: one key, the 2022 label, for every year; 2022 from the 2023 edition's line
    t13 = read(data / "tidy" / "t13.csv")
    grants = t13[t13["no"] == "5"].set_index("year")
    assert set(grants["item"]) == {"Funerary Grants"}
    # Table 13, line 374 of the 2022 report: 187 in 2021, 236 in 2022 (kept by 2023)
    assert grants.loc["2021", "value"] == "187" and grants.loc["2022", "value"] == "236"
    assert grants.loc["2022", "line"] == str(renamed_row.line)
    # nothing else changed: the revisions are the three of the generator
    assert len(read(data / "revisions.csv")) == len(REVISIONS)


def test_a_rename_declared_for_the_wrong_edition_names_the_older_report(renamed_row, monkeypatch):
    declare(monkeypatch, 2022)  # the 2022 report still prints "Funerary Grants"
    with pytest.raises(ExtractionError) as info:
        write_data()
    message = str(info.value)
    assert message.startswith(f"{SEED.name}: t13 (Table 13), report line 373: ")
    assert message.endswith(
        f"the 2022 edition prints 'Funerary Grants', but {PART_A}, RENAMED['t13'] names it "
        "'Funeral Grants' from the 2022 edition on: correct the edition there"
    )
    assert not renamed_row.data.exists()
