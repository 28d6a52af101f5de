"""Prose written from the data: the paragraphs that open each section of the report.

Each section's paragraph is a list of sentence templates (:data:`INTROS`) whose
numbers are looked up in the tables (tidy values and recomputed totals) for the
year shown, each followed by its change on the year before. A sentence whose
numbers are missing for that year is left out. Nothing here types a number: every
figure comes from ``data/``.

:func:`headlines` rebuilds the report's section-2 headline figures from the
component tables (:data:`HEADLINES`) and sets them beside the printed ones
(``s2*`` facts). :func:`report_says` quotes the report's own sentences (facts);
:func:`report_text` the challenges, remedies and action plans.
"""

from __future__ import annotations

import re

import pandas as pd
from IPython.display import Markdown

from . import paths
from .catalog import available_years, load_facts
from .charts import NOT_PRINTED, graphic_info
from .extract import read_lines
from .tables import (
    NOT_AVAILABLE,
    caption_html,
    change_percent,
    format_value,
    lookup_cell,
    table_years,
)

MONEY = ("billion riels", "million riels", "riels")
#: Factor from a unit to another (money only).
SCALE = {
    ("billion riels", "million riels"): 1000.0,
    ("million riels", "million riels"): 1.0,
    ("billion riels", "billion riels"): 1.0,
}


def report_year() -> int:
    """Return the year of the report in ``seeds/`` (the latest year with data)."""
    return max(available_years())


# --------------------------------------------------------------------------------------
# Quantities
# --------------------------------------------------------------------------------------


def say_value(value: float, unit: str) -> str:
    """Write a value for prose: "20,448", "137.71 billion riels", "94.99%"."""
    text = format_value(value, unit)
    return f"{text} {unit}" if unit in MONEY else text


def say(table_id: str, year: int, dims: dict) -> tuple[str, str] | None:
    """Write a quantity with its change on the year before, or None when it has no value.

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
    (text, reading) or None
        ``text`` is e.g. ``"**20,448** (+18.08%)"``, ``"**81** (up from 0)"`` or
        ``"**14,352** (change not available)"`` when the year before has no data;
        ``reading`` is the reading of :func:`~nssf_analysis.tables.change_percent`.
    """
    cur = lookup_cell(table_id, year, **dims)
    if cur is None:
        return None
    value, unit = cur
    prev = year - 1
    base = lookup_cell(table_id, prev, **dims) if prev in table_years(table_id) else None
    change, reading = change_percent(None if base is None else base[0], value)
    text = f"**{say_value(value, unit)}**"
    suffix = {
        "ok": f"{change:+,.2f}%" if change is not None else "",
        "new (from 0)": "up from 0",
        "no change": "also 0 before",
        NOT_AVAILABLE: "change not available",
    }[reading]
    return f"{text} ({suffix})", reading


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
            "enterprises/establishments with {mem} members, of whom {fem} females, by {year} "
            "(Table 1).",
            {
                "ent": _o("t01", "enterprises"),
                "mem": _o("t01", "members"),
                "fem": _o("t01", "members", "female"),
            },
        ),
        (
            "In {year}, {new} new enterprises/establishments registered with {newm} members, "
            "of whom {newf} females (Table 4).",
            {
                "new": _o("t04", "new_enterprises"),
                "newm": _o("t04", "new_members"),
                "newf": _o("t04", "new_members", "female"),
            },
        ),
        (
            "NSSF imposed the average contribution on {contrib} enterprises/establishments; "
            "{paid} of them paid on time ({share} of contributory enterprises), for {wrk} "
            "workers, of whom {wrkf} females, with contributions of {amount} (Table 5).",
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
            "Inspectors made {t6} inspections of registration in {e6} enterprises "
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
            "NSSF received {rep} occupational risk reports and produced {inv} investigation "
            "results (Table 9).",
            {
                "rep": _m("t09", "occupational_risk_reports", level="total", status="all"),
                "inv": _m("t09", "investigation_results", level="total", status="total"),
            },
        ),
        (
            "The investigations concern {inj} injured workers, of whom {injf} females: {work} "
            "in workplace accidents and {comm} in commuting accidents (Table 10); {minor} "
            "minor injuries, {severe} severe injuries and {deaths} deaths (Table 11).",
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
            "provided benefits on {prov} documents (Table 14) to {vic} victims, of whom {vicf} "
            "females (Table 15).",
            {
                "claims": _i("t13"),
                "prov": _i("t14"),
                "vic": _m("t15", "victims_receiving_benefits"),
                "vicf": _m("t15", "victims_receiving_benefits", "female"),
            },
        ),
        (
            "Members accessed health facilities {acc} times/persons (Table 16); benefits "
            "expenditure came to {exp} (Table 18).",
            {"acc": _i("t16"), "exp": _i("t18")},
        ),
    ],
    "A.1.4": [
        (
            "Rehabilitation services were provided {reh} times/persons, of which {rehf} to "
            "females (Table 19) at a cost of {cost} (Table 20).",
            {
                "reh": _i("t19"),
                "rehf": _i("t19", sex="female"),
                "cost": _i("t20"),
            },
        ),
    ],
    "A.2.1": [
        (
            "In the public sector, {inst} institutions with {mem} members, of whom {fem} "
            "females, are registered in the occupational risk scheme (Table 21).",
            {
                "inst": _m("t21", "institutions"),
                "mem": _m("t21", "members"),
                "fem": _m("t21", "members", "female"),
            },
        ),
        (
            "{paid} institutions paid the average contribution for {mem} members, of whom {fem} "
            "females, with contributions of {amount} (Table 22).",
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
            "NSSF received {rep} occupational risk reports from the public sector and "
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
            "benefits expenditure came to {exp} (Table 31).",
            {
                "claims": _i("t26"),
                "prov": _i("t27"),
                "vic": _m("t28", "victims_receiving_benefits"),
                "vicf": _m("t28", "victims_receiving_benefits", "female"),
                "exp": _i("t31"),
            },
        ),
        (
            "Members accessed health facilities {acc} times/persons (Table 29).",
            {"acc": _i("t29")},
        ),
    ],
    "A.2.4": [
        (
            "Rehabilitation services were provided {reh} times/persons, of which {rehf} to "
            "females (Table 32) at a cost of {cost} (Table 33).",
            {"reh": _i("t32"), "rehf": _i("t32", sex="female"), "cost": _i("t33")},
        ),
    ],
    "B.1.1": [
        (
            "Since the health care scheme began, NSSF has registered {ent} "
            "enterprises/establishments with {mem} members, of whom {fem} females, by {year} "
            "(Table 34); {new} enterprises/establishments registered in {year} (Table 36).",
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
            "with contributions of {amount} (Table 37).",
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
            "NSSF has agreements with {fac} health facilities (Table 38).",
            {"fac": _m("t38", "health_facilities", level="total", facility_type="all")},
        ),
        (
            "NSSF received {claims} documents of health care claims (Table 39) and provided "
            "benefits on {prov} documents (Table 40) to {mem} members, of whom {memf} females "
            "(Table 41).",
            {
                "claims": _i("t39"),
                "prov": _i("t40"),
                "mem": _m("t41", "members_receiving_benefits"),
                "memf": _m("t41", "members_receiving_benefits", "female"),
            },
        ),
        (
            "Members accessed health facilities {acc} times/persons (Table 42); benefits "
            "expenditure came to {exp} (Table 44).",
            {"acc": _i("t42"), "exp": _i("t44")},
        ),
    ],
    "B.1.3": [
        (
            "Medical rehabilitation services were provided {reh} times/persons, of which {rehf} to "
            "females at a cost of {cost} (Table 45).",
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
            "institutions paid contributions of {amount} for {pm} members (Table 47).",
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
            "health facilities {acc} times/persons (Table 51); benefits expenditure came to "
            "{exp} (Table 53).",
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
            "Medical rehabilitation services were provided {reh} times/persons (Table 54) "
            "at a cost of {cost} (Table 55).",
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
            "members, of whom {fem} females (Table 60).",
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
            "additional allowances of {amount} in total (Table 61); {formal} of the mothers "
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
            "degree of {vic} victims, of whom {vicf} females (Table 62).",
            {
                "meet": _m("t62", "meetings"),
                "vic": _m("t62", "victims", degree="all"),
                "vicf": _m("t62", "victims", "female", degree="all"),
            },
        ),
    ],
    "E.5.1": [
        (
            "Workers' traffic accidents: {cases} cases with {vic} victims, {deaths} of them "
            "killed (Table 63).",
            {
                "cases": _m("t63", "cases"),
                "vic": _m("t63", "victims", category="all"),
                "deaths": _m("t63", "victims", category="deaths"),
            },
        ),
    ],
    "E.5.2": [
        (
            "Cases of fainting: {fac} factories, {wrk} unconscious workers, of whom {wrkf} females "
            "(Table 64).",
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
            "{part} participants, of whom {partf} females (Table 66).",
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
            "participants, of whom {partf} females (Table 67).",
            {
                "times": _m("t67", "times", scheme="all"),
                "part": _m("t67", "participants", scheme="all"),
                "partf": _m("t67", "participants", "female", scheme="all"),
            },
        ),
    ],
}


def _sentence(template: str, quantities: dict, year: int) -> tuple[str, list] | None:
    words, readings = {}, []
    for name, (tid, dims) in quantities.items():
        said = say(tid, year, dims)
        if said is None:
            return None
        words[name], reading = said
        readings.append(reading)
    return template.format(year=year, prev=year - 1, **words), readings


def intro_text(section: str, year: int) -> str:
    """Return the opening paragraph of a section for ``year`` as Markdown text.

    Every number is followed by its change on the year before, in brackets; when no
    number of the paragraph has a figure for the year before, the brackets are left
    out and one sentence says so.

    Parameters
    ----------
    section : str
        A key of :data:`INTROS` (``"A.1.1"``, ``"C"`` …).
    year : int
        The year.
    """
    said = [_sentence(t, q, year) for t, q in INTROS[section]]
    kept = [s for s in said if s]
    if not kept:
        tables = sorted({tid for _, q in INTROS[section] for tid, _ in q.values()})
        years = sorted({y for t in tables for y in table_years(t)})
        return (
            f"The report has no figures for {year} in this section "
            f"(its tables cover {', '.join(map(str, years))})."
        )
    readings = [r for _, rs in kept for r in rs]
    text = " ".join(s for s, _ in kept)
    if all(r == NOT_AVAILABLE for r in readings):
        text = text.replace(" (change not available)", "")
        return f"{text} There are no {year - 1} figures to compare with."
    return f"{text} Changes in brackets are on {year - 1}."


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


def report_says(section: str, year: int) -> Markdown:
    """Quote the report's sentences that state numbers in a section (from the facts).

    Parameters
    ----------
    section : str
        Section code as in ``data/facts.csv`` (``"E.1"``, ``"E.5.3"`` …).
    year : int
        The year; the report states these figures for its own year only.
    """
    f = load_facts()
    f = f[f["section"] == section]
    if year != report_year():
        return Markdown(
            f"The report states the figures of section {section} for {report_year()} only."
        )
    if f.empty:
        return Markdown(f"The report states no figures in section {section}.")
    quotes = [
        f"> {s} (report line {ln})"
        for s, ln in dict.fromkeys(zip(f["sentence"], f["line"], strict=True))
    ]
    return Markdown("The report says:\n\n" + "\n>\n".join(quotes))


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


def _body_heading(lines: list[str], pattern: str) -> int | None:
    rx = re.compile(pattern)
    hits = [i for i, ln in enumerate(lines) if rx.match(ln) and "\t" not in ln]
    return hits[-1] if hits else None


def report_text(start: str, end: str, year: int) -> Markdown:
    r"""Return a text section of the report (e.g. its challenges) for ``year``.

    Parameters
    ----------
    start, end : str
        Regular expressions of the heading that opens the section and of the
        heading that follows it, e.g. ``r"3\\. CHALLENGES"`` and ``r"4\\. REMEDIES"``.
    year : int
        The report year; a year without its own report says so.
    """
    seed = paths.seed_path(year)
    if not seed.exists():
        return Markdown(
            f"There is no {year} report in this project; this text is in the "
            f"{report_year()} report (the {report_year()} edition of this chapter)."
        )
    lines = read_lines(seed)
    i, j = _body_heading(lines, start), _body_heading(lines, end)
    if i is None or j is None or j <= i:
        return Markdown(f"The {year} report has no section matching {start!r}.")
    body = [ln.replace("❖", "").replace("**", "").rstrip() for ln in lines[i + 1 : j]]
    text = "\n".join(ln if not ln.startswith(" - ") else "    " + ln[1:] for ln in body)
    return Markdown(re.sub(r"\n{3,}", "\n\n", text).strip())


# --------------------------------------------------------------------------------------
# Section 2: the headline figures rebuilt from the tables
# --------------------------------------------------------------------------------------


def _t(tid, **dims):
    return (tid, {"sex": "total", **dims})


_OR_ENT = [_t("t01", office="total", measure="enterprises"), _t("t21", measure="institutions")]
_OR_MEM = [_t("t01", office="total", measure="members"), _t("t21", measure="members")]
_HC_ENT = [
    _t("t34", office="total", measure="enterprises"),
    _t("t46", group="total", measure="institutions"),
    _t("t60", office="total", measure="enterprises"),
]
_HC_MEM = [
    _t("t34", office="total", measure="members"),
    _t("t46", group="total", measure="members"),
    _t("t60", office="total", measure="members"),
]
_OR_CON = [_t("t05", measure="contributions"), _t("t22", measure="contributions")]
_HC_CON = [_t("t37", measure="contributions"), _t("t47", measure="contributions")]
_PEN_CON = [_t("t59", measure="contributions")]
_OR_EXP = [_t("t18", item="Total"), _t("t20", item="Total"), _t("t31", item="Total")]
_OR_EXP += [_t("t33", item="Total")]
_HC_EXP = [
    _t("t44", item="Total"),
    _t("t45", item="Medical Expenditure"),
    _t("t53", item="Total"),
    _t("t55", item="Total"),
]
_VIC = [
    _t("t15", measure="victims_receiving_benefits"),
    _t("t28", measure="victims_receiving_benefits"),
]
_ACC = [_t("t42", item="Total"), _t("t51", item="Total")]


def _female(terms):
    return [(tid, {**dims, "sex": "female"}) for tid, dims in terms]


#: Headline fact → the table cells it adds up (``None``: the tables do not give it).
HEADLINES: dict[str, list | None] = {
    "s2_registered_enterprises": [
        _OR_ENT[0],
        _t("t46", group="total", measure="institutions"),
        _t("t60", office="total", measure="enterprises"),
    ],
    "s2_members_total": _HC_MEM,
    "s2_members_female": _female(_HC_MEM),
    "s2_contribution_income": _OR_CON + _HC_CON + _PEN_CON,
    "s2_expenditure": _OR_EXP + _HC_EXP,
    "s2_victims_total": _VIC,
    "s2_victims_female": _female(_VIC),
    "s2_health_care_access_total": _ACC,
    "s2_health_care_access_female": None,
    "s2or_registered_enterprises": _OR_ENT,
    "s2or_members_total": _OR_MEM,
    "s2or_members_female": _female(_OR_MEM),
    "s2or_contribution_income": _OR_CON,
    "s2or_expenditure": _OR_EXP,
    "s2or_victims_total": _VIC,
    "s2or_victims_female": _female(_VIC),
    "s2hc_registered_enterprises": _HC_ENT,
    "s2hc_members_total": _HC_MEM,
    "s2hc_members_female": _female(_HC_MEM),
    "s2hc_contribution_income": _HC_CON,
    "s2hc_expenditure": _HC_EXP,
    "s2hc_health_care_access_total": _ACC,
    "s2hc_health_care_access_female": None,
    "s2pen_registered_enterprises": [_t("t56", office="total", measure="enterprises")],
    "s2pen_members_total": [_t("t56", office="total", measure="members")],
    "s2pen_members_female": _female([_t("t56", office="total", measure="members")]),
    "s2pen_voluntary_members_total": None,
    "s2pen_voluntary_members_female": None,
    "s2pen_contribution_income": _PEN_CON,
}


def _term_label(tid: str, dims: dict) -> str:
    what = dims.get("item") or dims.get("measure", "")
    sex = " females" if dims.get("sex") == "female" else ""
    return f"Table {int(tid[1:])} {what.replace('_', ' ')}{sex}"


#: Scheme of each group of headline facts.
SCHEMES = {"s2": "All", "s2or": "Occupational risk", "s2hc": "Health care", "s2pen": "Pension"}


def rebuild(fact_id: str, year: int) -> tuple[float | None, str, list[tuple[str, float, str]]]:
    """Rebuild one headline figure from its component tables.

    Parameters
    ----------
    fact_id : str
        A key of :data:`HEADLINES`.
    year : int
        The year.

    Returns
    -------
    value : float or None
        The sum of the components that have a value for ``year``, in the headline's
        unit; None when the tables do not give it or no component has a value.
    formula : str
        The components, e.g. "Table 1 enterprises + Table 21 institutions"; a
        component without a value for ``year`` is marked "(no data)".
    parts : list of (label, value, unit)
        Each component's value in its own unit.
    """
    terms = HEADLINES[fact_id]
    if terms is None:
        return None, "not in the tables", []
    unit = load_facts().set_index("fact_id").loc[fact_id, "unit"]
    total, labels, parts = None, [], []
    for tid, dims in terms:
        c = lookup_cell(tid, year, **dims)
        if c is None:
            labels.append(f"{_term_label(tid, dims)} (no data)")
            continue
        labels.append(_term_label(tid, dims))
        value, u = c
        parts.append((_term_label(tid, dims), value, u))
        total = (total or 0.0) + value * SCALE.get((u, unit), 1.0)
    return total, " + ".join(labels), parts


def _unit_note(gap: float, parts: list, unit: str) -> str:
    """Say which component would close a large gap if it were printed in million riels."""
    if pd.isna(gap) or unit != "million riels":
        return ""
    for name, value, u in parts:
        if u == "billion riels" and value:
            alt = gap + value * (SCALE[(u, unit)] - 1.0)
            if abs(alt) < abs(gap) / 100:
                return (
                    f"{name} is printed in billion riels; read as million riels the gap "
                    f"is {alt:,.2f}."
                )
    return ""


def headlines(year: int) -> pd.DataFrame:
    """Return the section-2 headline figures: as printed and as rebuilt from the tables.

    Parameters
    ----------
    year : int
        The year; the report prints its headlines for its own year only, so for
        other years ``printed`` and ``gap`` are NaN.

    Returns
    -------
    DataFrame
        One row per headline fact: ``fact_id``, ``measure``, ``sex``, ``unit``,
        ``printed``, ``rebuilt``, ``gap`` (printed − rebuilt), ``formula`` and
        ``note`` (a likely explanation of a large gap, else empty).
    """
    f = load_facts().set_index("fact_id")
    rows = []
    for fid in HEADLINES:
        rebuilt, formula, parts = rebuild(fid, year)
        printed = float(f.loc[fid, "value"]) if year == report_year() else float("nan")
        gap = printed - rebuilt if rebuilt is not None else float("nan")
        rows.append(
            {
                "fact_id": fid,
                "measure": f.loc[fid, "measure"],
                "sex": f.loc[fid, "sex"],
                "unit": f.loc[fid, "unit"],
                "printed": printed,
                "rebuilt": float("nan") if rebuilt is None else rebuilt,
                "gap": gap,
                "formula": formula,
                "note": _unit_note(gap, parts, f.loc[fid, "unit"]),
            }
        )
    return pd.DataFrame(rows)


def overview(year: int) -> Markdown:
    """Return the report's opening paragraph (section 2) rebuilt from the tables.

    Parameters
    ----------
    year : int
        The year.
    """
    h = headlines(year).set_index("fact_id")

    def v(fid):
        x = h.loc[fid, "rebuilt"]
        return "not available" if pd.isna(x) else f"**{say_value(x, h.loc[fid, 'unit'])}**"

    text = (
        f"By the end of {year}, the tables of the report add up to "
        f"{v('s2_registered_enterprises')} registered institutions/enterprises/"
        f"establishments (formal and informal) with "
        f"{v('s2_members_total')} members ({v('s2_members_female')} females). Contributions "
        f"came to {v('s2_contribution_income')}; benefits expenditure of the occupational "
        f"risk and health care schemes to {v('s2_expenditure')}. {v('s2_victims_total')} "
        f"victims ({v('s2_victims_female')} females) received occupational risk benefits and "
        f"members accessed health care services {v('s2_health_care_access_total')} "
        f"times/persons."
    )
    if year == report_year():
        gaps = h[h["gap"].abs() > 1e-6].dropna(subset=["gap"])
        text += (
            f"\n\n{len(h) - len(gaps) - h['rebuilt'].isna().sum()} of the {len(h)} headline "
            f"figures the report prints in section 2 are rebuilt exactly; "
            f"{len(gaps)} differ and {int(h['rebuilt'].isna().sum())} cannot be rebuilt "
            "from the tables (see the table below)."
        )
    else:
        text += (
            f"\n\nThe report prints its headline figures for {report_year()} only; "
            f"there is nothing printed to compare the {year} figures with."
        )
    return Markdown(text)
