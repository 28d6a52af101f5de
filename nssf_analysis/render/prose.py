"""The report's own text, and the words of a change.

:func:`report_sections` gives the report's numbered sections (read by
:mod:`nssf_analysis.data.report_text`) and :func:`report_section` shows a section's own
text (lists whole, always escaped); :func:`unprinted_graphic` says what the report prints
in place of a graphic whose data it does not print. :func:`change_words` writes a change
on the year before as the words that follow a figure. The chapters' paragraphs are
written in the notebooks themselves.
"""

from __future__ import annotations

import html
import re

from IPython.display import Markdown

from nssf_analysis.analysis import changes, headlines
from nssf_analysis.analysis.values import format_value
from nssf_analysis.data import report_text, units
from nssf_analysis.data.catalog import load_facts
from nssf_analysis.render.charts import NOT_PRINTED, graphic_info
from nssf_analysis.render.tables import caption_html

__all__ = [
    "change_words",
    "escape_markdown",
    "report_section",
    "report_sections",
    "report_year",
    "say_value",
    "section_markdown",
    "unprinted_graphic",
]


def report_year() -> int:
    """Return the year of the report in ``seeds/`` (:func:`headlines.report_year`)."""
    return headlines.report_year()


# --------------------------------------------------------------------------------------
# Quantities
# --------------------------------------------------------------------------------------


def say_value(value: float, unit: str) -> str:
    """Write a value for prose: "20,448", "137.71 billion riels", "94.99%"."""
    text = format_value(value, unit)
    return f"{text} {unit}" if units.is_money(unit) else text


def change_words(change: float | None, reading: str, prev: int, base: str = "") -> str:
    """Write a change on the year before as words to follow a number, or "".

    Parameters
    ----------
    change : float or None
        The change in percent (None when it is not defined).
    reading : str
        How the change reads (:func:`nssf_analysis.av.change_percent`).
    prev : int
        The year before.
    base : str
        The figure of the year before as written (for a fall to zero).

    Returns
    -------
    str
        ", up 3.01 % on 2021", ", down 4.35 % on 2021", ", as in 2021",
        ", up from none in 2021", ", against 0.57 million riels in 2021" (a fall to
        zero), or "" when there is nothing to compare with.
    """
    if reading == changes.NEW:
        return f", up from none in {prev}"
    if reading == changes.NO_CHANGE:
        return f", none in {prev} either"
    if reading != changes.OK or change is None:
        return ""
    if round(change, 2) == 0:
        return f", as in {prev}"
    if round(change, 2) == -100 and base:
        return f", against {base} in {prev}"
    way = "up" if change > 0 else "down"
    return f", {way} {abs(change):,.2f} % on {prev}"


# --------------------------------------------------------------------------------------
# What the report itself says
# --------------------------------------------------------------------------------------


def escape_markdown(text: str) -> str:
    r"""Escape report text for Markdown: ``< > &`` as entities, Markdown marks with ``\``.

    Text from the report is shown as text, never read as markup: a link printed in
    angle brackets stays visible, ``*`` and ``_`` do not start emphasis.
    """
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", text)


def unprinted_graphic(number: int, year: int) -> Markdown:
    """Say that the report does not print a graphic's data, and show what it does print.

    Parameters
    ----------
    number : int
        10 or 11.
    year : int
        The year.
    """
    table_id, prefix = NOT_PRINTED[number]
    info = graphic_info(number)
    f = load_facts()
    f = f[f["fact_id"].str.startswith(prefix)]
    lines = [
        f'<a id="graphic-{number}"></a>',
        "",
        f"**{info['label']}: {info['title']}**",
        "",
        "The report prints this graphic without the data behind it, so it cannot be "
        f"redrawn. What the report does print: {caption_html(table_id)} (below) and, in its "
        "text,",
        "",
    ]
    if year == report_year():
        for r in f.to_dict("records"):
            what = r["measure"].replace("_", " ")
            sex = " (females)" if r["sex"] == "female" else ""
            lines.append(f"- {what}{sex}: **{say_value(r['value'], r['unit'])}**")
    else:
        lines.append(f"- figures for {report_year()} only (none for {year}).")
    lines += ["", f"Source: {info['source']}."]
    return Markdown("\n".join(lines))


def report_sections(year: int | None = None) -> tuple[tuple[str, str, int], ...]:
    """Return the numbered sections of a report, from its table of contents.

    Parameters
    ----------
    year : int, optional
        The report's year (default: the report in ``seeds/``).

    Returns
    -------
    tuple of (code, title, line)
        See :func:`nssf_analysis.data.report_text.report_sections`.
    """
    return report_text.report_sections(year or report_year())


_CAPTION = re.compile(r"^\**(Table \d+:|Graphic \d+\.)")


def section_markdown(code: str, year: int, part: str | None = None) -> str:
    """Return the report's own text of one section as Markdown (tables and graphics left out).

    The paragraphs and list items between the section's heading and the next heading,
    with the report's sub-headings (❖) in bold. Tables and graphics are shown by
    :func:`nssf_analysis.render.page.printed`, so their captions, cells and sources are left
    out here. Every piece of text is escaped (:func:`escape_markdown`).

    Parameters
    ----------
    code : str
        A section code of :func:`report_sections` (``"E.1"``, ``"3"`` …).
    year : int
        The year; a year without its own report says where the text is.
    part : str, optional
        One part of the section, for a chapter that shows each sub-heading's tables
        under its own heading: ``""`` is the text before the first sub-heading; any
        other words select the text under the sub-heading that starts with them (case
        aside), up to the next sub-heading, without the sub-heading itself. A part the
        section does not have, or a named part in a year without its own report, is
        empty.

    Examples
    --------
    >>> "Human Resources Training" in section_markdown("E.6.2", 2022, "Cooperation")
    False
    """
    if not report_text.has_report(year):
        if part:
            return ""
        return (
            f"The text of this section is in the {report_year()} report and describes "
            f"{report_year()}; there is no {year} report in this project (the "
            f"{report_year()} edition of this book shows it)."
        )
    out, skip = [], False
    keep = part in (None, "")  # the text before the first sub-heading
    for raw in report_text.section_lines(year, code):
        ln = raw.replace("**", "").rstrip()
        if _CAPTION.match(ln.strip()):
            skip = True
        if skip:
            skip = not ln.startswith("Source:")
            continue
        if "\t" in ln or ln.startswith("Source:"):
            continue
        text = ln.strip()
        if text.startswith("❖"):
            heading = text.lstrip("❖ ").strip()
            if part is None:
                out += ["", f"**{escape_markdown(heading)}**", ""]
            else:
                keep = bool(part) and heading.lower().startswith(part.lower())
            continue
        if not keep:
            continue
        if not text:
            out.append("")
        elif re.match(r"^-\s", text):
            indent = "    " if raw.startswith(" ") else ""
            out.append(f"{indent}- {escape_markdown(text[1:].strip())}")
        else:
            out += ["", escape_markdown(text), ""]
    md = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    return md


def report_section(code: str, year: int, part: str | None = None) -> Markdown:
    """Return :func:`section_markdown` for display.

    Parameters
    ----------
    code : str
        A section code (``"E.6.4"``).
    year : int
        The year.
    part : str, optional
        One part of the section (:func:`section_markdown`).
    """
    return Markdown(section_markdown(code, year, part))
