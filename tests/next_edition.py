"""A plausible next edition: the 2023 report, made from the 2022 report's text.

``python tests/next_edition.py OUT`` writes it to the file OUT; :func:`next_edition`
returns its text. Starting from seeds/nssf_annual_report_2022.txt, each change is one
step below, in this order:

1. **Years move on by one** (2022 -> 2023, then 2021 -> 2022), in the title page, the
   column and row headings and the prose, as in ``tests/test_new_report.py``.
2. **The comparison year keeps the figures the 2022 report prints for 2022.** After step 1
   the "2022" row or column of a table holds the 2022 report's 2021 figures, the "2023"
   one its 2022 figures; the 2022 cells take the 2023 cells' figures, so this edition
   prints for 2022 what the 2022 report prints. It has no figures of its own for 2023:
   they stay the 2022 report's 2022 figures, and every printed fluctuation becomes
   0.00 %. Tables printed for the report year only (the annex, Tables 38, 56-59 and 71)
   have no comparison year, and Table 65 is running text. Table 23 prints its
   investigation rows one cell short, as the 2022 report does: their 2022 central-level
   cell stays missing, so their three 2022 totals no longer add up (the checks say so).
3. **Three figures of 2022 are revised** in two tables (:data:`REVISIONS`, with their
   printed totals and fluctuations made to fit).
4. **Table 21 is dropped** with the paragraph that states its 2022 row (section A.2.1).
5. **A table is inserted**: :data:`NEW_TABLE`, after Table 71 (section E.7.5).
6. **A title is reworded**: Table 6 "Inspection of Registration" becomes
   "Inspections of Enterprise Registration".
7. The tables are numbered 1, 2, … in printed order: Tables 22-71 become 21-70, the
   inserted table is Table 71.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from test_editions import renumber, span, title_index
from test_new_report import moved_on

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nssf_annual_report_2022.txt"

#: A printed figure: "1,202", "137.71", "-13.05%", "-" (not available).
FIGURE = re.compile(r"-?[\d,]*\.?\d+%?|-")
#: A comparison-year label of a row ("2022", "2008-2022") or of a column ("2022 (Million Riels)").
COMPARED = re.compile(r"(?:\d{4}-)?2022(?: \(.*\))?")
REPORTED = re.compile(r"(?:\d{4}-)?2023(?: \(.*\))?")


@dataclass(frozen=True)
class Revision:
    """A figure of 2022 the 2023 edition prints differently from the 2022 report."""

    table: str  # its label in the 2023 edition (the same as in 2022: before Table 21)
    row: str  # the printed row label
    column: str  # the printed column label
    old: str  # as the 2022 report prints it
    new: str  # as the 2023 edition prints it
    difference: str  # new - old, by hand


#: The figures revised on purpose (step 3), with the difference worked out by hand.
REVISIONS = [
    Revision("Table 5", "2022", "Contributions (Billion Riels)", "137.71", "137.95", "+0.24"),
    Revision("Table 16", "Outpatient Department (OPD)", "2022", "8,822", "8,830", "+8"),
    Revision("Table 16", "Inpatient Department (IPD)", "2022", "4,684", "4,680", "-4"),
]

#: Step 3 as lines of the text after step 2: (table, line as it is, line as the edition
#: prints it).
#: Fluctuations by hand, the 2023 figure against the revised 2022 one: Table 5,
#: 137.71 / 137.95 - 1 = -0.17 %; Table 16, 8,822 / 8,830 - 1 = -0.09 %,
#: 4,684 / 4,680 - 1 = +0.09 % and the total 13,506 / 13,510 - 1 = -0.03 %
#: (8,830 + 4,680 = 13,510).
REVISED_LINES = [
    (
        5,
        "2022\t12,238\t11,625\t1,388,623\t876,568\t137.71\t94.99%",
        "2022\t12,238\t11,625\t1,388,623\t876,568\t137.95\t94.99%",
    ),
    (
        5,
        "Fluctuation (± %)\t0.00%\t0.00%\t0.00%\t0.00%\t0.00%\t0.00%",
        "Fluctuation (± %)\t0.00%\t0.00%\t0.00%\t0.00%\t-0.17%\t0.00%",
    ),
    (
        16,
        "1\tOutpatient Department (OPD)\tTimes/Persons\t8,822\t8,822\t0.00%",
        "1\tOutpatient Department (OPD)\tTimes/Persons\t8,830\t8,822\t-0.09%",
    ),
    (
        16,
        "2\tInpatient Department (IPD)\t\t4,684\t4,684\t0.00%",
        "2\tInpatient Department (IPD)\t\t4,680\t4,684\t0.09%",
    ),
    (16, "Total\t\t\t13,506\t13,506\t0.00%", "Total\t\t\t13,510\t13,506\t-0.03%"),
]

#: The paragraph of section A.2.1 that states Table 21's 2022 row (step 4), after step 1.
REGISTRATION = (
    "Since the implementation of Occupational Risk Scheme for public employees until the "
    "year of 2023, NSSF has registered 35 institutions consisting of 257,644 members "
    "(107,650 females)."
)

#: The table step 5 inserts (made up; 2,950 / 2,400 - 1 = 22.92 %, and so on).
NEW_TABLE = [
    "Table 72: Followers of the NSSF Pages on Social Media",
    "",
    "Description\tFacebook\tTelegram\tYouTube\tTotal",
    "2022\t2,400\t800\t300\t3,500",
    "2023\t2,950\t1,000\t350\t4,300",
    "Fluctuation (± %)\t22.92%\t25.00%\t16.67%\t22.86%",
    "",
    "Source: Department of Customer Services and Public Relations",
    "",
]

#: Step 6: Table 6's title as the 2023 edition prints it.
OLD_TITLE = "Table 6: Inspection of Registration"
NEW_TITLE = "Table 6: Inspections of Enterprise Registration"


def _is_figure(cell: str) -> bool:
    return cell == "" or FIGURE.fullmatch(cell) is not None


def _copy_figures(target: list[str], source: list[str]) -> list[str]:
    """Put each figure of ``source`` where ``target`` prints a figure (labels stay)."""
    out = list(target)
    for k, (t, s) in enumerate(zip(target, source, strict=False)):
        if _is_figure(t) and _is_figure(s):
            out[k] = s
    return out


def _no_change(cells: list[str]) -> list[str]:
    """Return the cells with every printed change 0.00 %."""
    return ["0.00%" if c and FIGURE.fullmatch(c) else c for c in cells]


def keep_comparison_year(lines: list[str], a: int, b: int) -> None:
    """Step 2 for the table at lines ``a`` to ``b`` (in place)."""
    rows = [x.split("\t") for x in lines[a:b]]
    # years as rows: the "2022" row takes the figures of the next "2023" row
    for i, cells in enumerate(rows):
        if COMPARED.fullmatch(cells[0]):
            j = next(j for j in range(i + 1, len(rows)) if REPORTED.fullmatch(rows[j][0]))
            lines[a + i] = "\t".join([cells[0], *rows[j][1:]])
        elif cells[0].startswith("Fluctuation"):
            lines[a + i] = "\t".join([cells[0], *_no_change(cells[1:])])
    # years as columns: in every row below the heading, the 2022 cells take the 2023 ones
    heading = next((i for i, c in enumerate(rows) if any(COMPARED.fullmatch(x) for x in c)), None)
    if heading is None or COMPARED.fullmatch(rows[heading][0]):
        return
    cells = rows[heading]
    old = next(k for k, x in enumerate(cells) if COMPARED.fullmatch(x))
    new = next(k for k, x in enumerate(cells) if REPORTED.fullmatch(x))
    width = new - old
    change = next(
        (k for c in rows[: heading + 1] for k, x in enumerate(c) if x.startswith("Fluctuation")),
        len(cells),
    )
    for i in range(heading + 1, len(rows)):
        row = rows[i]
        copied = _copy_figures(row[old:new], row[new : new + width])
        row = row[:old] + copied + row[new:change] + _no_change(row[change:])
        lines[a + i] = "\t".join(row)


def next_edition(text: str | None = None) -> str:
    """Return the 2023 edition's text, made from the 2022 report's (steps 1-7)."""
    text = SEED.read_text(encoding="utf-8") if text is None else text
    lines = moved_on(text).split("\n")  # step 1
    for n in range(1, 72):  # step 2, table by table (Table N to its "Source:" line)
        keep_comparison_year(lines, *span(lines, n))
    for n, before, after in REVISED_LINES:  # step 3
        a, b = span(lines, n)
        lines[lines.index(before, a, b)] = after
    at = lines.index(REGISTRATION)  # step 4: the paragraph, blank lines, Table 21
    _, end = span(lines, 21)
    del lines[at:end]
    _, end = span(lines, 71)  # step 5: after Table 71 and a blank line
    lines[end + 1 : end + 1] = NEW_TABLE
    at = title_index(lines, 6)  # step 6
    lines[at] = lines[at].replace(OLD_TITLE, NEW_TITLE)
    return "\n".join(renumber(lines))  # step 7


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(next_edition(), encoding="utf-8")
