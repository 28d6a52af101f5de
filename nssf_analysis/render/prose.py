"""Prose written from the data, and the report's own text.

Each section's paragraph is a list of sentence templates (:data:`INTROS`) whose
figures are the ones the report prints (:func:`nssf_analysis.headlines.printed_cell`),
amounts in their documented unit (:mod:`nssf_analysis.units`), for the year shown.
The main figure of a sentence is followed by its change on the year before in words
where the report has both years ("…, up 3.01 % on 2021"). A sentence whose figures are
missing for that year is left out. Nothing here types a number: every figure comes
from ``data/`` or the report's text.

:func:`overview` writes the report's section-2 paragraph from the headline formulas
of :mod:`nssf_analysis.headlines`. :func:`report_sections` reads the report's
numbered sections from its contents and :func:`report_section` shows a section's own
text (lists whole, always escaped). :func:`edition` and :func:`pension_start` say what
an edition's figures are.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from nssf_analysis import paths
from nssf_analysis.analysis import changes, headlines
from nssf_analysis.analysis.headlines import printed_cell
from nssf_analysis.data import editions, units
from nssf_analysis.data.catalog import load_facts
from nssf_analysis.data.extract import read_lines
from nssf_analysis.render.charts import NOT_PRINTED, graphic_info
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


def _o(tid, measure, sex="total"):
    """Select a total over offices (office-breakdown tables)."""
    return (tid, {"office": "total", "measure": measure, "sex": sex})


def _m(tid, measure, sex="total", **kw):
    return (tid, {"measure": measure, "sex": sex, **kw})


def _i(tid, item="Total", **kw):
    """Select an item row (by default the recomputed Total) of an items table."""
    return (tid, {"item": item, **kw})


#: Section → sentences: (template, {name: (table_id, dims)}).
INTROS: dict[str, list[tuple[str, dict]]] = {
    "A.1.1": [
        (
            "Since the occupational risk scheme began, NSSF has registered {ent} "
            "enterprises/establishments with {mem} members{mem_change}, of whom {fem} females, "
            "by {year} (Table 1).",
            {
                "ent": _o("t01", "enterprises"),
                "mem": _o("t01", "members"),
                "fem": _o("t01", "members", "female"),
            },
        ),
        (
            "In {year}, {new} new enterprises/establishments registered{new_change}, with {newm} "
            "members, of whom {newf} females (Table 4).",
            {
                "new": _o("t04", "new_enterprises"),
                "newm": _o("t04", "new_members"),
                "newf": _o("t04", "new_members", "female"),
            },
        ),
        (
            "NSSF imposed the average contribution on {contrib} enterprises/establishments; "
            "{paid} of them paid on time ({share} of contributory enterprises), for {wrk} "
            "workers, of whom {wrkf} females, with contributions of {amount}{amount_change} "
            "(Table 5).",
            {
                "contrib": _m("t05", "contributory_enterprises"),
                "paid": _m("t05", "contribution_paid_enterprises"),
                "share": _m("t05", "contribution_paid_enterprises_share"),
                "wrk": _m("t05", "contribution_paid_workers"),
                "wrkf": _m("t05", "contribution_paid_workers", "female"),
                "amount": _m("t05", "contributions"),
            },
        ),
    ],
    "A.1.2": [
        (
            "Inspectors made {t6} inspections of registration{t6_change}, in {e6} enterprises "
            "(Table 6), {t7} inspections of contribution collection in {e7} enterprises "
            "(Table 7) and {t8} other inspection tasks in {e8} enterprises (Table 8).",
            {
                "t6": _i("t06", office="total", measure="times"),
                "e6": _i("t06", office="total", measure="enterprises"),
                "t7": _i("t07", office="total", measure="times"),
                "e7": _i("t07", office="total", measure="enterprises"),
                "t8": _i("t08", office="total", measure="times"),
                "e8": _i("t08", office="total", measure="enterprises"),
            },
        ),
        (
            "NSSF received {rep} occupational risk reports{rep_change}, and produced {inv} "
            "investigation results (Table 9).",
            {
                "rep": _m("t09", "occupational_risk_reports", level="total", status="all"),
                "inv": _m("t09", "investigation_results", level="total", status="total"),
            },
        ),
        (
            "The investigations concern {inj} injured workers{inj_change}, of whom {injf} "
            "females: {work} in workplace accidents and {comm} in commuting accidents "
            "(Table 10); {minor} minor injuries, {severe} severe injuries and {deaths} "
            "deaths (Table 11).",
            {
                "inj": _m("t10", "injuries", injury_type="all"),
                "injf": _m("t10", "injuries", "female", injury_type="all"),
                "work": _m("t10", "injuries", injury_type="workplace_accidents"),
                "comm": _m("t10", "injuries", injury_type="commuting_accidents"),
                "minor": _m("t11", "injuries", degree="minor_injuries"),
                "severe": _m("t11", "injuries", degree="severe_injuries"),
                "deaths": _m("t11", "injuries", degree="deaths"),
            },
        ),
        (
            "Entitlement to survivors' pension benefits was investigated for {inv} "
            "documents, {prov} of which led to provision (Table 12).",
            {
                "inv": _m("t12", "survivors_pension_documents", status="investigation"),
                "prov": _m("t12", "survivors_pension_documents", status="provision"),
            },
        ),
    ],
    "A.1.3": [
        (
            "NSSF received {claims} documents of occupational risk claims (Table 13) and "
            "provided benefits on {prov} documents (Table 14) to {vic} victims{vic_change}, of "
            "whom {vicf} females (Table 15).",
            {
                "claims": _i("t13"),
                "prov": _i("t14"),
                "vic": _m("t15", "victims_receiving_benefits"),
                "vicf": _m("t15", "victims_receiving_benefits", "female"),
            },
        ),
        (
            "Members accessed health facilities {acc} times/persons{acc_change} (Table 16); "
            "benefits expenditure came to {exp}{exp_change} (Table 18).",
            {"acc": _i("t16"), "exp": _i("t18")},
        ),
    ],
    "A.1.4": [
        (
            "Rehabilitation services were provided {reh} times/persons{reh_change}, of which "
            "{rehf} to females (Table 19), at a cost of {cost}{cost_change} (Table 20).",
            {
                "reh": _i("t19"),
                "rehf": _i("t19", sex="female"),
                "cost": _i("t20"),
            },
        ),
    ],
    "A.2.1": [
        (
            "In the public sector, {inst} institutions with {mem} members{mem_change}, of whom "
            "{fem} females, are registered in the occupational risk scheme (Table 21).",
            {
                "inst": _m("t21", "institutions"),
                "mem": _m("t21", "members"),
                "fem": _m("t21", "members", "female"),
            },
        ),
        (
            "{paid} institutions paid the average contribution for {mem} members, of whom {fem} "
            "females, with contributions of {amount}{amount_change} (Table 22).",
            {
                "paid": _m("t22", "contribution_paid_institutions"),
                "mem": _m("t22", "contribution_paid_members"),
                "fem": _m("t22", "contribution_paid_members", "female"),
                "amount": _m("t22", "contributions"),
            },
        ),
    ],
    "A.2.2": [
        (
            "NSSF received {rep} occupational risk reports from the public sector{rep_change}, and "
            "produced {inv} investigation results (Table 23), concerning {inj} injured "
            "persons, of whom {injf} females (Table 24); {deaths} of them died (Table 25).",
            {
                "rep": _m("t23", "occupational_risk_reports", level="total", status="all"),
                "inv": _m("t23", "investigation_results", level="total", status="total"),
                "inj": _m("t24", "injuries", injury_type="all"),
                "injf": _m("t24", "injuries", "female", injury_type="all"),
                "deaths": _m("t25", "injuries", degree="deaths"),
            },
        ),
    ],
    "A.2.3": [
        (
            "NSSF received {claims} documents of claims (Table 26) and provided benefits on "
            "{prov} documents (Table 27) to {vic} victims, of whom {vicf} females (Table 28); "
            "benefits expenditure came to {exp}{exp_change} (Table 31).",
            {
                "claims": _i("t26"),
                "prov": _i("t27"),
                "vic": _m("t28", "victims_receiving_benefits"),
                "vicf": _m("t28", "victims_receiving_benefits", "female"),
                "exp": _i("t31"),
            },
        ),
        (
            "Members accessed health facilities {acc} times/persons{acc_change} (Table 29).",
            {"acc": _i("t29")},
        ),
    ],
    "A.2.4": [
        (
            "Rehabilitation services were provided {reh} times/persons{reh_change}, of which "
            "{rehf} to females (Table 32), at a cost of {cost}{cost_change} (Table 33).",
            {"reh": _i("t32"), "rehf": _i("t32", sex="female"), "cost": _i("t33")},
        ),
    ],
    "B.1.1": [
        (
            "Since the health care scheme began, NSSF has registered {ent} "
            "enterprises/establishments with {mem} members{mem_change}, of whom {fem} females, "
            "by {year} (Table 34); {new} enterprises/establishments registered in {year} "
            "(Table 36).",
            {
                "ent": _o("t34", "enterprises"),
                "mem": _o("t34", "members"),
                "fem": _o("t34", "members", "female"),
                "new": _o("t36", "new_enterprises"),
            },
        ),
        (
            "NSSF imposed the average contribution on {contrib} enterprises/establishments; "
            "{paid} of them paid on time ({share}), for {wrk} workers, of whom {wrkf} females, "
            "with contributions of {amount}{amount_change} (Table 37).",
            {
                "contrib": _m("t37", "contributory_enterprises"),
                "paid": _m("t37", "contribution_paid_enterprises"),
                "share": _m("t37", "contribution_paid_enterprises_share"),
                "wrk": _m("t37", "contribution_paid_workers"),
                "wrkf": _m("t37", "contribution_paid_workers", "female"),
                "amount": _m("t37", "contributions"),
            },
        ),
    ],
    "B.1.2": [
        (
            "NSSF has agreements with {fac} health facilities{fac_change} (Table 38).",
            {"fac": _m("t38", "health_facilities", level="total", facility_type="all")},
        ),
        (
            "NSSF received {claims} documents of health care claims (Table 39) and provided "
            "benefits on {prov} documents (Table 40) to {mem} members{mem_change}, of whom {memf} "
            "females (Table 41).",
            {
                "claims": _i("t39"),
                "prov": _i("t40"),
                "mem": _m("t41", "members_receiving_benefits"),
                "memf": _m("t41", "members_receiving_benefits", "female"),
            },
        ),
        (
            "Members accessed health facilities {acc} times/persons{acc_change} (Table 42); "
            "benefits expenditure came to {exp}{exp_change} (Table 44).",
            {"acc": _i("t42"), "exp": _i("t44")},
        ),
    ],
    "B.1.3": [
        (
            "Medical rehabilitation services were provided {reh} times/persons{reh_change}, of "
            "which {rehf} to females, at a cost of {cost}{cost_change} (Table 45).",
            {
                "reh": _i("t45", "Medical Rehabilitation Services Provision"),
                "rehf": _i("t45", "Medical Rehabilitation Services Provision", sex="female"),
                "cost": _i("t45", "Medical Expenditure"),
            },
        ),
    ],
    "B.2.1": [
        (
            "In the public sector, {inst} institutions with {mem} members, of whom {fem} "
            "females, are registered in the health care scheme (Table 46); {paid} "
            "institutions paid contributions for {pm} members, in total {amount}{amount_change} "
            "(Table 47).",
            {
                "inst": _m("t46", "institutions", group="total"),
                "mem": _m("t46", "members", group="total"),
                "fem": _m("t46", "members", "female", group="total"),
                "paid": _m("t47", "contribution_paid_institutions"),
                "amount": _m("t47", "contributions"),
                "pm": _m("t47", "contribution_paid_members"),
            },
        ),
    ],
    "B.2.2": [
        (
            "{mem} members, of whom {memf} females, received benefits (Table 50); members accessed "
            "health facilities {acc} times/persons{acc_change} (Table 51); benefits "
            "expenditure came to {exp}{exp_change} (Table 53).",
            {
                "mem": _m("t50", "members_receiving_benefits"),
                "memf": _m("t50", "members_receiving_benefits", "female"),
                "acc": _i("t51"),
                "exp": _i("t53"),
            },
        ),
    ],
    "B.2.3": [
        (
            "Medical rehabilitation services were provided {reh} times/persons{reh_change} "
            "(Table 54), at a cost of {cost}{cost_change} (Table 55).",
            {"reh": _i("t54"), "cost": _i("t55")},
        ),
    ],
    "C": [
        (
            "By {year}, {ent} enterprises/establishments with {mem} members, of whom {fem} "
            "females, are registered in the pension scheme (Table 56).",
            {
                "ent": _o("t56", "enterprises"),
                "mem": _o("t56", "members"),
                "fem": _o("t56", "members", "female"),
            },
        ),
        (
            "NSSF imposed the average contribution on {contrib} enterprises/establishments; "
            "{paid} of them paid ({share}), for {mem} members, of whom {memf} females, with "
            "contributions of {amount} (Table 59).",
            {
                "contrib": _m("t59", "contributory_enterprises"),
                "paid": _m("t59", "contribution_paid_enterprises"),
                "share": _m("t59", "contribution_paid_enterprises_share"),
                "mem": _m("t59", "contribution_paid_members"),
                "memf": _m("t59", "contribution_paid_members", "female"),
                "amount": _m("t59", "contributions"),
            },
        ),
    ],
    "D.1": [
        (
            "NSSF counts {ent} registered informal enterprises/establishments with {mem} "
            "members{mem_change}, of whom {fem} females (Table 60).",
            {
                "ent": _o("t60", "enterprises"),
                "mem": _o("t60", "members"),
                "fem": _o("t60", "members", "female"),
            },
        ),
    ],
    "D.2": [
        (
            "{mothers} female workers gave birth to {newborns} newborns and received "
            "additional allowances of {amount} in total{amount_change} (Table 61); {formal} of the "
            "mothers "
            "are formal and {informal} informal workers.",
            {
                "mothers": _m("t61", "mothers", worker_group="all"),
                "newborns": _m("t61", "newborns", worker_group="all"),
                "amount": _m("t61", "total_allowance", worker_group="all"),
                "formal": _m("t61", "mothers", worker_group="formal"),
                "informal": _m("t61", "mothers", worker_group="informal"),
            },
        ),
    ],
    "E.4": [
        (
            "Official physicians met {meet} times and evaluated the permanent disability "
            "degree of {vic} victims{vic_change}, of whom {vicf} females (Table 62).",
            {
                "meet": _m("t62", "meetings"),
                "vic": _m("t62", "victims", degree="all"),
                "vicf": _m("t62", "victims", "female", degree="all"),
            },
        ),
    ],
    "E.5.1": [
        (
            "Workers' traffic accidents: {cases} cases{cases_change}, with {vic} victims, {deaths} "
            "of them killed (Table 63).",
            {
                "cases": _m("t63", "cases"),
                "vic": _m("t63", "victims", category="all"),
                "deaths": _m("t63", "victims", category="deaths"),
            },
        ),
    ],
    "E.5.2": [
        (
            "Cases of fainting: {fac} factories with {wrk} unconscious workers{wrk_change}, "
            "of whom {wrkf} females (Table 64).",
            {
                "fac": _m("t64", "factories"),
                "wrk": _m("t64", "unconscious_workers"),
                "wrkf": _m("t64", "unconscious_workers", "female"),
            },
        ),
    ],
    "E.6.2": [
        (
            "NSSF officials took part in {courses} training courses and study visits, with "
            "{part} participants{part_change}, of whom {partf} females (Table 66).",
            {
                "courses": _i("t66", measure="courses"),
                "part": _i("t66", measure="participants"),
                "partf": _i("t66", measure="participants", sex="female"),
            },
        ),
    ],
    "E.7": [
        (
            "The social security schemes were disseminated {times} times to {part} "
            "participants{part_change}, of whom {partf} females (Table 67).",
            {
                "times": _m("t67", "times", scheme="all"),
                "part": _m("t67", "participants", scheme="all"),
                "partf": _m("t67", "participants", "female", scheme="all"),
            },
        ),
    ],
}


def _sentence(template: str, quantities: dict, year: int) -> str | None:
    words = {}
    if not all(editions.in_edition(tid) for tid, _ in quantities.values()):
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


_TOC_LINE = re.compile(r"^((?:[A-E]|\d)(?:\.\d+)*)\.?\s+(.+?)\.*\t\d+\s*$")


def _report_lines(year: int) -> tuple[str, ...]:
    return _lines_of(str(paths.seed_path(year)))


@cache
def _lines_of(path: str) -> tuple[str, ...]:
    return tuple(read_lines(Path(path)))


def report_sections(year: int | None = None) -> tuple[tuple[str, str, int], ...]:
    """Return the numbered sections of a report, from its table of contents.

    Parameters
    ----------
    year : int, optional
        The report's year (default: the report in ``seeds/``).

    Returns
    -------
    tuple of (code, title, line)
        ``("E.6.4", "Internal Audit", 1290)``: each section's code, its title as the
        contents print it, and the index of its heading in the report's body (-1 when
        the body has no such heading).
    """
    return _sections_of(str(paths.seed_path(year or report_year())))


@cache
def _sections_of(path: str) -> tuple[tuple[str, str, int], ...]:
    lines = _lines_of(path)
    hits = [(i, m) for i, ln in enumerate(lines) if (m := _TOC_LINE.match(ln))]
    toc = hits[:1]
    for i, m in hits[1:]:  # the contents: one block of lines, blank lines aside
        if i - toc[-1][0] > 2:
            break
        toc.append((i, m))
    out, pos = [], toc[-1][0] + 1
    for _, m in toc:
        code, title = m.group(1), m.group(2).strip()
        head = re.compile(rf"^{re.escape(code)}\.?(\s|\*|$)")
        at = next(
            (i for i in range(pos, len(lines)) if head.match(lines[i]) and "\t" not in lines[i]),
            -1,
        )
        if at >= 0:
            pos = at
        out.append((code, title, at))
    return tuple(out)


def _section_body(year: int, code: str) -> list[str]:
    lines = _report_lines(year)
    secs = report_sections(year)
    starts = sorted(at for _, _, at in secs if at >= 0)
    at = {c: a for c, _, a in secs}[code]
    if at < 0:
        return []
    end = next((a for a in starts if a > at), len(lines))
    if code == "5":  # the conclusion ends where the signature begins
        end = next((i for i in range(at, end) if lines[i].startswith("Phnom Penh, ")), end)
    first = re.sub(rf"^{re.escape(code)}\.?\s*", "", lines[at])
    title = {c: t for c, t, _ in secs}[code]
    rest = first[len(title) :] if first.lower().startswith(title.lower()) else ""
    return ([rest] if rest.strip() else []) + list(lines[at + 1 : end])


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
    if not paths.seed_path(year).exists():
        return (
            f"The text of this section is in the {report_year()} report and describes "
            f"{report_year()}; there is no {year} report in this project (the "
            f"{report_year()} edition of this book shows it)."
        )
    out, skip = [], False
    for raw in _section_body(year, code):
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
