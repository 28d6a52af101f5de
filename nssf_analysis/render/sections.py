"""What the overview and data-quality chapters show beside the analysis.

:func:`headline_table` sets the section-2 headline figures beside the sums of the table
cells they are made of; :func:`revisions` lists what a newer edition revises of the
year's figures.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from nssf_analysis.analysis import headlines
from nssf_analysis.analysis import values as av
from nssf_analysis.data.catalog import (
    load_revisions,
)
from nssf_analysis.render import tables

__all__ = ["headline_table", "revisions", "revisions_frame"]


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
    return av.format_value(value, unit)


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
