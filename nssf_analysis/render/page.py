"""What a chapter notebook calls to put its analysis on the page.

A chapter computes its figures in pandas and writes its paragraphs itself; these helpers
do only what every chapter would otherwise repeat:

- :func:`printed` shows a report table exactly as printed, with the audit's markers and
  notes, and remembers it was shown; :func:`remaining` then lists, at the end of a
  section, every table of that section no cell showed (and the tables this edition does
  not print), so that a new edition never loses a table.
- :func:`fmt` writes a figure for a sentence, :func:`change` the words of a change on the
  year before, :func:`md` turns a computed sentence into a Markdown output.
- :func:`quote` shows the report's own text of a section, escaped.
- :func:`graphic` puts a figure drawn in the notebook under the graphic's caption and over
  its source line.
"""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display
from matplotlib.figure import Figure

from nssf_analysis.analysis import changes, figures
from nssf_analysis.analysis.values import change_percent, format_value
from nssf_analysis.data import editions, units
from nssf_analysis.data.catalog import absence_note, catalog, in_edition, load_edition
from nssf_analysis.exceptions import NSSFError
from nssf_analysis.render import charts, prose, tables

__all__ = [
    "change",
    "change_in",
    "fmt",
    "graphic",
    "listing",
    "md",
    "printed",
    "quote",
    "remaining",
    "shown",
]

#: The tables :func:`printed` has shown in this kernel, in order.
_SHOWN: list[str] = []


def shown() -> list[str]:
    """Return the ids of the tables :func:`printed` has shown so far, in order."""
    return list(_SHOWN)


def printed(table_id: str, year: int):
    """Return a report table as the report prints it, for the book of ``year``.

    Every printed cell is shown as printed (totals and changes included); where the audit
    finds that a printed total or change differs from what its parts give, the cell
    carries a numbered marker and a note under the table. A table this edition does not
    print is reported in its place.

    Parameters
    ----------
    table_id : str
        A table of the catalog, e.g. ``"t10"`` or ``"a6_1_3"``.
    year : int
        The book's year.

    Returns
    -------
    PrintedTable, Styler or Markdown
        What the notebook displays; its HTML carries the anchor ``id="<table_id>"``.

    Examples
    --------
    >>> printed("t10", 2022)  # doctest: +SKIP
    """
    _SHOWN.append(table_id)
    if not in_edition(table_id):
        return Markdown(absence_note(table_id) or f"This edition does not print {table_id}.")
    return tables.table(table_id, year)


def _in(section: str, prefix: str) -> bool:
    return section == prefix or section.startswith(prefix + ".")


def remaining(section: str, year: int) -> None:
    """Show the tables of a section that no cell has shown, and say which are not printed.

    A chapter ends each section with this call: whatever a new edition adds to the
    section is shown as printed, and a table the reference edition has there but this
    one does not print gets one sentence.

    Parameters
    ----------
    section : str
        A section code as in the catalog: ``"A.1.1"``, or ``"A"`` for every section below.
    year : int
        The book's year.

    Examples
    --------
    >>> remaining("A.1.1", 2022)  # doctest: +SKIP
    """
    cat = catalog()
    for table_id in cat.loc[[_in(s, section) for s in cat["section"]], "table_id"]:
        if table_id not in _SHOWN:
            display(printed(table_id, year))
    ed = load_edition()
    ref = editions.reference()
    for table_id in ed.loc[ed["status"] == "missing", "table_id"]:
        if table_id in ref and _in(ref[table_id]["section"], section):
            if table_id not in _SHOWN:
                display(Markdown(absence_note(table_id)))


def fmt(value: float, unit: str = "") -> str:
    """Write a figure for a sentence as the report writes it, money with its unit.

    Parameters
    ----------
    value : float
        The figure.
    unit : str
        Its unit from the tidy table's ``unit`` column.

    Examples
    --------
    >>> fmt(20448, "enterprises")
    '20,448'
    >>> fmt(137.705, "billion riels")
    '137.71 billion riels'
    >>> fmt(94.99, "percent")
    '94.99%'
    """
    text = format_value(value, unit)
    return f"{text} {unit}" if units.is_money(unit) else text


def change(
    new: float, old: float | None, prev: int, unit: str = "", printed: float | None = None
) -> str:
    """Write the change from the year before as words that follow a figure, or "".

    Parameters
    ----------
    new, old : float
        This year's figure and the year before's (None or NaN when there is none).
    prev : int
        The year before.
    unit : str
        The unit, to name the base when a figure falls to zero.
    printed : float, optional
        The change the report prints for this figure (percent): said instead of the one
        computed from the two figures, which the report computes from unrounded numbers.

    Examples
    --------
    >>> change(120, 100, 2021)
    ', up 20.00 % on 2021'
    >>> change(446.25, 391.05, 2021, printed=14.11)
    ', up 14.11 % on 2021'
    >>> change(0, 0, 2021)
    ', none in 2021 either'
    >>> change(5, None, 2021)
    ''
    """
    base = None if old is None or pd.isna(old) else float(old)
    pct, reading = change_percent(base, float(new))
    written = "" if base is None else fmt(base, unit)
    if reading not in (changes.OK, changes.NEW, changes.NO_CHANGE):
        return ""
    if reading == changes.OK and printed is not None and not pd.isna(printed):
        pct = float(printed)
    return prose.change_words(pct, reading, prev, written)


def change_in(frame: pd.DataFrame, year: int, unit: str = "", **dims) -> str:
    """Write the change on the year before of one cell of a table, as the report prints it.

    The figures of ``year`` and ``year - 1`` at ``dims`` are read from ``frame`` (a
    :func:`~nssf_analysis.analysis.values.load_totals` frame), and the change the report
    prints for the cell, where it prints one, is said (:func:`change`).

    Examples
    --------
    >>> t37 = load_totals("t37")  # doctest: +SKIP
    >>> change_in(t37, 2022, measure="contributions")  # doctest: +SKIP
    ', up 14.11 % on 2021'
    """
    now, before = figures.both(frame, year, **dims)
    if now is None:
        return ""
    printed = figures.cell(frame, "printed_change", year=year, **dims)
    return change(now, before, year - 1, unit, printed=printed)


def listing(items, last: str = "and") -> str:
    """Join words the way a sentence lists them.

    Examples
    --------
    >>> listing(["a"]), listing(["a", "b"]), listing(["a", "b", "c"], "or")
    ('a', 'a and b', 'a, b or c')
    """
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def md(*parts: str) -> Markdown:
    """Return sentences computed in the notebook as one Markdown paragraph.

    Parts that are empty (a sentence left out because its figures are missing) are
    dropped; the rest are joined by spaces.

    Examples
    --------
    >>> md("One.", "", "Two.").data
    'One. Two.'
    """
    return Markdown(" ".join(p for p in parts if p))


def quote(code: str, year: int, part: str | None = None) -> Markdown | None:
    """Return the report's own text of a section, lists whole, always escaped.

    Parameters
    ----------
    code : str
        The section's number as the report prints it: ``"1"``, ``"E.5.1"``.
    year : int
        The book's year (a year without its own report says where the text is).
    part : str, optional
        One part of the section, for a chapter that puts each of the report's
        sub-headings (❖) as its own heading over its tables: ``""`` is the text before
        the first sub-heading, other words the text under the sub-heading they begin
        (without the sub-heading); empty in a year without its own report.

    Returns
    -------
    Markdown or None
        The text, escaped; None (nothing to display) when the part has no text.

    Examples
    --------
    >>> quote("E.6.4", 2022)  # doctest: +SKIP
    <IPython.core.display.Markdown object>
    >>> quote("E.6.2", 2022, "Human Resources Training")  # doctest: +SKIP
    <IPython.core.display.Markdown object>
    """
    text = prose.report_section(code, year, part)
    return text if text.data else None


def graphic(number: int, year: int, fig: Figure | None = None) -> None:
    """Display a graphic: its anchored caption, the figure drawn and its source line.

    Parameters
    ----------
    number : int
        The graphic's number in the report (1 … 11).
    year : int
        The book's year.
    fig : Figure, optional
        The figure the notebook drew (none for Graphics 10 and 11, whose data the report
        does not print: they say so and list what the report prints instead, and none for
        a year the graphic's table does not cover: that is said).

    Raises
    ------
    NSSFError
        When the graphic's table has data for ``year`` but no figure is given.

    Examples
    --------
    >>> fig, ax = plt.subplots()  # doctest: +SKIP
    >>> ax.bar(["2021", "2022"], [11403, 14742])  # doctest: +SKIP
    >>> graphic(4, 2022, fig)  # doctest: +SKIP
    """
    if number in charts.NOT_PRINTED:
        display(prose.unprinted_graphic(number, year))
        return
    info = charts.graphic_info(number)
    rest = charts.title(number)[len(info["label"]) + 2 :]
    display(
        HTML(
            f'<div class="nssf-graphic" id="graphic-{number}"><b>'
            f"{html.escape(info['label'])}:</b> {html.escape(rest)}</div>"
        )
    )
    if not charts.has_data(number, year):
        table_id = charts.GRAPHICS[number][0]
        years = ", ".join(str(y) for y in tables.table_years_any(table_id))
        display(Markdown(f"No data for {year}: the table this graphic depicts covers {years}."))
        return
    if fig is None:
        raise NSSFError(f"Graphic {number}: draw it for {year} and pass the figure")
    fig.set_label(charts.alt_text(number, year))
    display(fig)
    plt.close(fig)  # drawn with pyplot: shown once, here, not again at the cell's end
    table_id = charts.GRAPHICS[number][0]
    label = catalog().set_index("table_id").loc[table_id, "label"]
    subset = charts.selection(number, year)
    display(
        Markdown(f"{subset + ' ' if subset else ''}Source: {info['source']}. Drawn from {label}.")
    )
