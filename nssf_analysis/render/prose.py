"""Prose written from the data, and the report's own text.

Each section's paragraph is a list of sentence templates (:data:`INTROS`, kept in
``render/intros.toml``: a new sentence goes there) whose figures are the ones the
report prints (:func:`nssf_analysis.headlines.printed_cell`), amounts in their
documented unit (:mod:`nssf_analysis.units`), for the year shown. The main figure of a
sentence is followed by its change on the year before in words where the report has
both years ("…, up 3.01 % on 2021"). A sentence whose figures are missing for that year
is left out. Nothing here types a number: every figure comes from ``data/`` or the
report's text.

:func:`overview` writes the report's section-2 paragraph from the headline formulas
of :mod:`nssf_analysis.headlines`. :func:`report_sections` gives the report's
numbered sections (read by :mod:`nssf_analysis.data.report_text`, which reads the
report's text for every page) and :func:`report_section` shows a section's own text
(lists whole, always escaped). :func:`edition` and :func:`pension_start` say what
an edition's figures are.
"""

from __future__ import annotations

import html
import re

import pandas as pd
from IPython.display import Markdown

from nssf_analysis.analysis import changes, headlines
from nssf_analysis.analysis.headlines import printed_cell
from nssf_analysis.data import report_text, units
from nssf_analysis.data.catalog import in_edition, load_facts
from nssf_analysis.render.charts import NOT_PRINTED, graphic_info
from nssf_analysis.render.intros import INTROS
from nssf_analysis.render.tables import caption_html, change_percent, format_value, table_years


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
        How the change reads (:func:`nssf_analysis.tables.change_percent`).
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


def say(table_id: str, year: int, dims: dict) -> tuple[str, str] | None:
    """Write a quantity as printed and its change on the year before, or None.

    The figure is the one the report prints (:func:`nssf_analysis.headlines.printed_cell`),
    amounts in their documented unit; the change is the one the report prints where it
    prints one for ``year``, else the change computed from the two printed figures.

    Parameters
    ----------
    table_id : str
        The table the quantity comes from.
    year : int
        The year.
    dims : dict
        Dimensions that select the cell (see :func:`nssf_analysis.tables.lookup_cell`).

    Returns
    -------
    (text, change) or None
        ``text`` is e.g. ``"**20,448**"``; ``change`` the words of
        :func:`change_words` (``", up 18.08 % on 2021"``), empty when the year before
        has no figure.
    """
    cur = printed_cell(table_id, year, **dims)
    if cur is None:
        return None
    prev = year - 1
    base = printed_cell(table_id, prev, **dims) if prev in table_years(table_id) else None
    change, reading = change_percent(None if base is None else base.value, cur.value)
    if reading == "ok" and cur.change is not None:
        change = cur.change
    text = f"**{say_value(cur.value, cur.unit)}**"
    before = "" if base is None else say_value(base.value, base.unit)
    return text, change_words(change, reading, prev, before)


# --------------------------------------------------------------------------------------
# The paragraph of each section
# --------------------------------------------------------------------------------------


def _sentence(template: str, quantities: dict, year: int) -> str | None:
    words = {}
    if not all(in_edition(tid) for tid, _ in quantities.values()):
        return None  # the edition does not print a table the sentence needs
    for name, (tid, dims) in quantities.items():
        said = say(tid, year, dims)
        if said is None:
            return None
        words[name], words[f"{name}_change"] = said
    return template.format(year=year, prev=year - 1, **words)


def intro_text(section: str, year: int) -> str:
    """Return the opening paragraph of a section for ``year`` as Markdown text.

    The figures are those the report prints; the main figure of a sentence is followed
    by its change on the year before where the report has both years ("…, up 3.01 %
    on 2021"). A sentence whose figures are missing for ``year`` is left out.

    Parameters
    ----------
    section : str
        A key of :data:`INTROS` (``"A.1.1"``, ``"C"`` …).
    year : int
        The year.
    """
    kept = [s for s in (_sentence(t, q, year) for t, q in INTROS[section]) if s]
    if not kept:
        tables = sorted({tid for _, q in INTROS[section] for tid, _ in q.values()})
        years = sorted({y for t in tables for y in table_years(t)})
        return (
            f"The report has no figures for {year} in this section "
            f"(its tables cover {', '.join(map(str, years))})."
        )
    return " ".join(kept)


def intro(section: str, year: int) -> Markdown:
    """Return the opening paragraph of a section, written from the data (Markdown).

    Parameters
    ----------
    section : str
        A key of :data:`INTROS`.
    year : int
        The year.
    """
    return Markdown(intro_text(section, year))


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


def section_markdown(code: str, year: int) -> str:
    """Return the report's own text of one section as Markdown (tables and graphics left out).

    The paragraphs and list items between the section's heading and the next heading,
    with the report's sub-headings (❖) in bold. Tables and graphics are shown by
    :func:`nssf_analysis.sections.show`, so their captions, cells and sources are left
    out here. Every piece of text is escaped (:func:`escape_markdown`).

    Parameters
    ----------
    code : str
        A section code of :func:`report_sections` (``"E.1"``, ``"3"`` …).
    year : int
        The year; a year without its own report says where the text is.
    """
    if not report_text.has_report(year):
        return (
            f"The text of this section is in the {report_year()} report and describes "
            f"{report_year()}; there is no {year} report in this project (the "
            f"{report_year()} edition of this book shows it)."
        )
    out, skip = [], False
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
        if not text:
            out.append("")
        elif text.startswith("❖"):
            out += ["", f"**{escape_markdown(text.lstrip('❖ ').strip())}**", ""]
        elif re.match(r"^-\s", text):
            indent = "    " if raw.startswith(" ") else ""
            out.append(f"{indent}- {escape_markdown(text[1:].strip())}")
        else:
            out += ["", escape_markdown(text), ""]
    md = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    return md


def report_section(code: str, year: int) -> Markdown:
    """Return :func:`section_markdown` for display.

    Parameters
    ----------
    code : str
        A section code (``"E.6.4"``).
    year : int
        The year.
    """
    return Markdown(section_markdown(code, year))


# --------------------------------------------------------------------------------------
# Section 2: the year in figures, rebuilt from the tables
# --------------------------------------------------------------------------------------


def overview_text(year: int) -> str:
    """Return the report's opening paragraph (section 2) rebuilt from the tables (Markdown).

    The figures are the headline formulas of :data:`nssf_analysis.headlines.HEADLINES`
    summed over the printed table figures of ``year``, amounts in their documented unit
    (:mod:`nssf_analysis.units`).

    Parameters
    ----------
    year : int
        The year.
    """
    h = headlines.headlines(year).set_index("fact_id")

    def v(fid):
        x = h.loc[fid, "rebuilt"]
        return None if pd.isna(x) else f"**{say_value(x, h.loc[fid, 'unit'])}**"

    sentences = [
        (
            "By the end of {year}, the tables of the report add up to {ent} registered "
            "institutions/enterprises/establishments (formal and informal) with {mem} "
            "members, of whom {fem} females.",
            ("s2_registered_enterprises", "s2_members_total", "s2_members_female"),
        ),
        ("Contributions came to {inc}.", ("s2_contribution_income",)),
        (
            "The benefits expenditure of the occupational risk and health care schemes came "
            "to {exp}.",
            ("s2_expenditure",),
        ),
        (
            "{vic} victims, of whom {vicf} females, received occupational risk benefits.",
            ("s2_victims_total", "s2_victims_female"),
        ),
        (
            "Members accessed health care services {acc} times/persons.",
            ("s2_health_care_access_total",),
        ),
    ]
    names = {
        "s2_registered_enterprises": "ent",
        "s2_members_total": "mem",
        "s2_members_female": "fem",
        "s2_contribution_income": "inc",
        "s2_expenditure": "exp",
        "s2_victims_total": "vic",
        "s2_victims_female": "vicf",
        "s2_health_care_access_total": "acc",
    }
    kept = []
    for template, fids in sentences:
        words = {names[f]: v(f) for f in fids}
        if all(words.values()):
            kept.append(template.format(year=year, **words))
    text = " ".join(kept)
    if year == report_year():
        close = h["gap"].abs() <= 1e-6
        missing = h["rebuilt"].isna()
        differ = ~close & ~missing
        rel = (h["gap"].abs() / h["printed"].abs() * 100)[differ]
        by = f", by at most {rel.max():.3f} % of the printed figure" if differ.any() else ""
        text += (
            f"\n\nOf the {len(h)} headline figures the report prints in section 2, "
            f"{int(close.sum())} are rebuilt exactly, {int(differ.sum())} differ{by} (see "
            f"the table below), and {int(missing.sum())} cannot be rebuilt from the tables."
        )
    else:
        text += (
            f"\n\nThe report prints its headline figures for {report_year()} only; the "
            f"{year} figures above are the comparison columns of its tables."
        )
    return text


def overview(year: int) -> Markdown:
    """Return :func:`overview_text` for display.

    Parameters
    ----------
    year : int
        The year.
    """
    return Markdown(overview_text(year))


# --------------------------------------------------------------------------------------
# Editions: what the book for a year is made of
# --------------------------------------------------------------------------------------


def edition(year: int) -> Markdown:
    """Say what the figures of the edition for ``year`` come from.

    Parameters
    ----------
    year : int
        The year the edition shows.
    """
    return Markdown(headlines.edition_source(year))


def pension_start_text(year: int) -> str:
    """Say when the pension scheme started, as the report states it, and what ``year`` has.

    The dates are read from the opening sentence of the report's section C.

    Parameters
    ----------
    year : int
        The year the edition shows.
    """
    text = section_markdown("C", report_year())
    m = re.search(r"since (\d{1,2} \w+ (\d{4}))", text)
    if m is None:
        return "The report does not state when the pension scheme started."
    started, start_year = m.group(1), int(m.group(2))
    paid = re.search(r"contribution payment from (\d{1,2} \w+ \d{4})", text)
    pay = f" (contributions from {paid.group(1)})" if paid else ""
    if year < start_year:
        return (
            f"The social security scheme on pension started on {started}{pay}, after the "
            f"year of this edition: there are no pension figures for {year}."
        )
    if year == start_year:
        return (
            f"The social security scheme on pension started on {started}{pay}, so its "
            f"tables have no earlier year to compare with."
        )
    return f"The social security scheme on pension started on {started}{pay}."


def pension_start(year: int) -> Markdown:
    """Return :func:`pension_start_text` for display."""
    return Markdown(pension_start_text(year))
