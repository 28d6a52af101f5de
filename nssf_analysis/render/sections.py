"""The report's sections as notebook content: tables and graphics in report order.

The chapters (``notebooks/00_overview.ipynb`` … ``06_provinces.ipynb``) are thin:
each code cell calls one helper of this module, :mod:`nssf_analysis.tables`,
:mod:`nssf_analysis.charts` or :mod:`nssf_analysis.prose`. Which table and which
graphic a section shows comes from the catalog's and the graphics list's
``section`` column (:func:`items`), never from a list typed here.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown, display

from nssf_analysis.analysis import headlines
from nssf_analysis.data import editions
from nssf_analysis.data.catalog import (
    absence_note,
    catalog,
    load_edition,
    load_graphics,
    load_revisions,
)
from nssf_analysis.render import charts, prose, tables


def _in(section: str, prefix: str) -> bool:
    return section == prefix or section.startswith(prefix + ".")


def items(section: str) -> pd.DataFrame:
    """Return the tables and graphics of a report section, in report order.

    Parameters
    ----------
    section : str
        A section code as in the catalog: ``"A.1.1"`` (that section), ``"A"`` or
        ``"6.1"`` (every section below it).

    Returns
    -------
    DataFrame
        Columns ``kind`` (``table`` or ``graphic``), ``id`` (table id or graphic
        number), ``label`` and ``line`` (where the report prints it).
    """
    cat = catalog()
    rows = [
        {"kind": "table", "id": r["table_id"], "label": r["label"], "line": int(r["line"])}
        for r in cat.to_dict("records")
        if _in(r["section"], section)
    ]
    for g in load_graphics().to_dict("records"):
        if _in(g["section"], section):
            number = int(g["label"].split()[-1])
            rows.append(
                {"kind": "graphic", "id": number, "label": g["label"], "line": int(g["line"])}
            )
    out = pd.DataFrame(rows, columns=["kind", "id", "label", "line"])
    return out.sort_values("line", kind="stable").reset_index(drop=True)


def graphic_caption(number: int) -> HTML:
    """Return the anchor and caption of a graphic: ``<div id="graphic-N">Graphic N: title``.

    The title names the scheme and sector (:func:`nssf_analysis.charts.title`); it is
    the graphic's only title.
    """
    info = charts.graphic_info(number)
    rest = charts.title(number)[len(info["label"]) + 2 :]
    return HTML(
        f'<div class="nssf-graphic" id="graphic-{number}"><b>{html.escape(info["label"])}:</b> '
        f"{html.escape(rest)}</div>"
    )


def graphic_source(number: int, year: int) -> Markdown:
    """Return the source line of a graphic, the table it is drawn from and what it selects.

    Parameters
    ----------
    number : int
        1 … 9.
    year : int
        The year shown (a graphic showing a subset says which, :func:`charts.selection`).
    """
    info = charts.graphic_info(number)
    table_id = charts.GRAPHICS[number][0]
    label = catalog().set_index("table_id").loc[table_id, "label"]
    subset = charts.selection(number, year)
    return Markdown(
        f"{subset + ' ' if subset else ''}Source: {info['source']}. Drawn from {label}."
    )


def graphic(number: int, year: int) -> None:
    """Display a graphic: its anchored caption, the figure and its source.

    Graphics whose data the report does not print (10, 11) say so and show what
    the report prints instead; a graphic without data for ``year`` says so.

    Parameters
    ----------
    number : int
        1 … 11.
    year : int
        The year shown.
    """
    if number in charts.NOT_PRINTED:
        display(prose.unprinted_graphic(number, year))
        return
    display(graphic_caption(number))
    if not charts.has_data(number, year):
        table_id = charts.GRAPHICS[number][0]
        years = ", ".join(str(y) for y in tables.table_years_any(table_id))
        display(Markdown(f"No data for {year}: the table this graphic depicts covers {years}."))
        return
    display(charts.graphic(number, year))
    display(graphic_source(number, year))


def show(section: str, year: int) -> None:
    """Display every table and graphic of a report section for ``year``, in report order.

    Parameters
    ----------
    section : str
        Section code (see :func:`items`).
    year : int
        The year shown.
    """
    for item in items(section).to_dict("records"):
        if item["kind"] == "table":
            display(tables.table(item["id"], year))
        else:
            graphic(item["id"], year)
    for note in absent(section):
        display(Markdown(note))


def absent(section: str) -> list[str]:
    """Return a sentence for each known table of a section this edition does not print.

    Parameters
    ----------
    section : str
        Section code (see :func:`items`).

    Returns
    -------
    list of str
        E.g. "This edition does not print Table 21 of the 2022 report (…)."
    """
    ed = load_edition()
    ref = editions.reference()
    missing = ed.loc[ed["status"] == "missing", "table_id"]
    return [
        absence_note(tid) for tid in missing if tid in ref and _in(ref[tid]["section"], section)
    ]


def headline_table(year: int) -> tables.ReportStyler:
    """Return the section-2 headline figures, printed and rebuilt, as a styled table.

    Parameters
    ----------
    year : int
        The year (the report prints headlines for its own year only).
    """
    h = headlines.headlines(year)
    frame = pd.DataFrame(
        {
            "Headline": [
                f"{m.replace('_', ' ').capitalize()}{' (females)' if s == 'female' else ''}"
                for m, s in zip(h["measure"], h["sex"], strict=True)
            ],
            "Scheme": h["scheme"].to_numpy(),
            "Unit": h["unit"].to_numpy(),
            "Printed": [_num(v, u) for v, u in zip(h["printed"], h["unit"], strict=True)],
            "Rebuilt": [_num(v, u) for v, u in zip(h["rebuilt"], h["unit"], strict=True)],
            "Gap (printed − rebuilt)": [
                _num(v, u) for v, u in zip(h["gap"], h["unit"], strict=True)
            ],
            "Made of": h["sources"].to_numpy(),
            "Note": h["note"].to_numpy(),
        }
    )
    st = tables.ReportStyler(frame)
    st.hide(axis="index")
    st.set_uuid("headlines")
    st.set_caption(
        (
            f"Section 2 headline figures rebuilt from the tables, {year}",
            "Printed: the figure stated in section 2 of the report; rebuilt: the sum of the "
            "table figures listed under <i>Made of</i>, as printed, converted to the "
            "headline's unit (Table 31 read in million riels, see the methodology); "
            "– where there is nothing to compare.",
        )
    )
    st.set_table_styles(tables.TABLE_CSS + tables.align_rules(frame))
    return st


def _num(value, unit: str) -> str:
    return tables.format_value(value, unit)


def revisions_frame(year: int) -> pd.DataFrame:
    """Return what the newest edition revises of an older one, as a reader reads it.

    Parameters
    ----------
    year : int
        The book's year: the revisions of that year's figures.

    Returns
    -------
    DataFrame
        One row per revised cell: table (its label in the newest edition), year, cell
        (measure and the other dimensions), the value each edition prints and the
        difference; empty when ``seeds/`` holds one report or nothing of ``year`` changed.
    """
    rev = load_revisions()
    rev = rev[rev["year"].astype(str) == str(year)]
    return pd.DataFrame(
        {
            "Table": rev["label"].to_numpy(),
            "Year": rev["year"].to_numpy(),
            "Cell": [
                _cell_words(m, u, c)
                for m, u, c in zip(rev["measure"], rev["unit"], rev["cell"], strict=True)
            ],
            "Older edition": [
                f"{v:,.2f}".rstrip("0").rstrip(".") + f" ({e})"
                for v, e in zip(rev["old"], rev["old_edition"], strict=True)
            ],
            "Newer edition": [
                f"{v:,.2f}".rstrip("0").rstrip(".") + f" ({e})"
                for v, e in zip(rev["new"], rev["new_edition"], strict=True)
            ],
            "Difference": [
                f"{n - o:+,.2f}".rstrip("0").rstrip(".")
                for o, n in zip(rev["old"], rev["new"], strict=True)
            ],
        }
    )


def _cell_words(measure: str, unit: str, cell: str) -> str:
    """Write a revised cell in words ("Members, Females" for members; sex=female)."""
    words = [tables.label("measure", measure, unit)]
    for part in filter(None, str(cell).split("; ")):
        dim, _, value = part.partition("=")
        words.append(tables.label(dim, value))
    return ", ".join(w for w in words if w)


def revisions(year: int):
    """Display what changed since the last edition: every revised figure of ``year``.

    Parameters
    ----------
    year : int
        The book's year.

    Returns
    -------
    Styler or Markdown
        The revisions as a table (anchor ``revisions``), or one sentence when there is
        nothing to compare.
    """
    frame = revisions_frame(year)
    if not frame.empty:
        return tables.plain_table(frame, "revisions")
    from nssf_analysis.data.catalog import seed_years

    reports = seed_years()
    if len(reports) < 2:
        return Markdown(
            f"The data come from one report, the {reports[-1]} edition: there is no earlier "
            "edition to compare with."
        )
    named = ", ".join(str(y) for y in reports)
    return Markdown(f"The {named} editions print the same figures for {year}.")
