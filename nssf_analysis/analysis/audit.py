"""Audit of the report's own consistency, and reconciliation of its headline figures.

Every rule is declared once, as data, and one generic function applies it to every
table it fits.  The audit reads the data files (``data/raw``, ``data/facts.csv`` and the
directories in ``data/tidy``), never the report text, so a changed cell in a data file
is detected.

Rules
-----
``sum``, ``fluctuation``, ``shares``, ``shifted_cells``
    the checks of :func:`nssf_analysis.tidy.build` (printed totals against the sum of
    their parts, printed changes against the change recomputed from the two years,
    percentage shares against 100, rows printed with too few cells), re-run on every
    table rebuilt from its raw file;
``blank``
    a blank cell between the printed numbers of a row (:func:`blank_checks`);
``precision``
    a number printed with another number of decimals than the other numbers of the
    same unit in its table (:func:`precision_checks`);
``identity``, ``annex``, ``tables``, ``directory``, ``prose``
    the cross-references of :data:`XREFS`: a formula within one table, the same
    quantity in a main table and an annex, in two main tables, in a table and a
    directory, in a table and the prose (:func:`cross_checks`);
``unit``
    a cross-reference that holds only when one side is read in a unit 1,000 times
    larger or smaller than the unit it prints;
``numbering``, ``duplicate_name``
    the numbered lists of the directories (:data:`DIRECTORY_LISTS`);
``format``
    a number of the prose printed in a non-standard way.
``stock_flow``, ``subset``, ``copy``, ``prose_attribution``
    the families between tables of :mod:`nssf_analysis.audit_relations` (a cumulative
    stock against its flow, a part against its whole, the same block under different
    bases, a figure of several schemes attributed to one, a bracketed label out of
    pattern);
``list_count``, ``directory_names``, ``source_text``
    the families of :mod:`nssf_analysis.audit_directories` (counts against the annex
    lists, names across the directories, conversion debris in the report text).

Every check gets a status: ``ok``, ``rounding`` (a difference the rounding of the
printed values explains), ``convention`` (the report's documented way of printing a
change from zero), ``inconsistency`` or ``structural`` (a cell missing, misplaced or
misnumbered).  The checks that are not ``ok`` are the *findings*; each has a stable
``finding_id`` derived from its rule and location.

The report's conventions are learned from the data (:func:`learn_conventions`): a
convention is adopted when it holds in at least :data:`CONVENTION_SHARE` of its cases;
only then are the cases that follow it classed ``convention``.

:data:`HEADLINES` rebuilds the headline figures of section 2 from the tables that
hold their parts; :func:`reconcile` shows the printed value, the rebuilt value and
the gap, and the gap once the ``unit`` findings are applied.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nssf_analysis import paths
from nssf_analysis.analysis import audit_directories, audit_relations
from nssf_analysis.analysis import headlines as headlines_mod
from nssf_analysis.analysis.audit_relations import FAMILIES
from nssf_analysis.analysis.headlines import Headline
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.data import tidy
from nssf_analysis.data.cache import data_cache
from nssf_analysis.data.extract import is_value
from nssf_analysis.data.specs import tidy_spec
from nssf_analysis.exceptions import NSSFError
from nssf_analysis.render import wording
from nssf_analysis.render.tables import chapter_of

__all__ = [
    "CLASSES",
    "CONVENTIONS",
    "DIRECTORY_LISTS",
    "FINDING_COLUMNS",
    "HEADLINES",
    "RULES",
    "XREFS",
    "AuditResult",
    "Headline",
    "Term",
    "XRef",
    "blank_checks",
    "conventions_table",
    "cross_checks",
    "families_table",
    "family_table",
    "directory_checks",
    "findings",
    "finding_link",
    "findings_table",
    "intro",
    "format_checks",
    "headline_terms",
    "learn_conventions",
    "parse_selector",
    "precision_checks",
    "reconcile",
    "reconciliation_table",
    "rules_table",
    "run",
    "run_cli",
    "summary",
    "summary_table",
    "table_checks",
    "table_link",
    "write_outputs",
]

# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------

#: Classes of a finding, most serious first, with what each means.
CLASSES = {
    "inconsistency": "the report contradicts itself by more than rounding explains",
    "structural": "a cell or entry is missing, misplaced, misnumbered or repeated",
    "rounding": "a difference that the rounding of the printed values explains",
    "convention": "the report's documented way of printing a change from zero",
}
_CLASS_RANK = {c: i for i, c in enumerate(CLASSES)}

#: Every rule: its group and what it checks.
RULES = {
    "sum": ("table", "printed totals (rows and columns) against the sum of their parts"),
    "fluctuation": ("table", "printed fluctuations against the change of the two years"),
    "shares": ("table", "percentage shares against 100%"),
    "shifted_cells": ("table", "rows printed with fewer value cells than columns"),
    "blank": ("table", "blank cells between the printed numbers of a row"),
    "precision": ("table", "numbers printed with other decimals than their unit's"),
    "identity": ("cross-reference", "a formula linking cells of one table"),
    "annex": ("cross-reference", "a main table against its annex (or annex against annex)"),
    "tables": ("cross-reference", "the same figure in two main tables (within or across schemes)"),
    "directory": ("cross-reference", "a table against the count of a directory's entries"),
    "prose": ("cross-reference", "a table against the prose (or the prose against itself)"),
    "unit": ("cross-reference", "a cross-reference that holds only in another unit"),
    "numbering": ("directory", "directory lists numbered 1..n without gaps or repeats"),
    "duplicate_name": ("directory", "a name listed twice in one directory list"),
    "format": ("prose", "numbers of the prose printed in the standard way"),
    **{rule: ("between places", text) for rule, (_head, text) in FAMILIES.items()},
}

#: Columns of ``findings.csv``.
FINDING_COLUMNS = [
    "finding_id",
    "rule",
    "check",
    "class",
    "table_id",
    "label",
    "location",
    "line",
    "column",
    "year",
    "printed",
    "expected",
    "difference",
    "tolerance",
    "ref_table",
    "ref_line",
    "ref_location",
    "sentence",
    "detail",
]

#: Money units and their size in riels.
MONEY = {"riels": 1.0, "million riels": 1e6, "billion riels": 1e9}

#: Share of its cases in which a convention must hold to be adopted.
CONVENTION_SHARE = 0.9

AUDIT_PAGE = "08_data_quality"

# --------------------------------------------------------------------------------------
# Rules as data: cross-references
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One side's term: the sum of the cells a selector picks in one source.

    Parameters
    ----------
    source : str
        A table id (``"t18"``, ``"a6_1_1"``), ``"facts"`` (the prose), a directory id
        (``"a6_6_1"``: every entry counts one) or ``"const"`` (the number ``coef``).
    select : str
        Selector: ``"key=value; key=v1|v2; key!=value"``; ``@report`` stands for the
        report year and ``@previous`` for the year before.  A selector that does not
        name ``role`` leaves the printed fluctuations out.
    coef : float
        Factor applied to the term (``-1`` subtracts it).
    times, per : str, optional
        Selectors of cells, in the same source and join group, that the term is
        multiplied by or divided by.
    unit : str, optional
        Unit of the term when ``times`` or ``per`` change it.
    """

    source: str
    select: str = ""
    coef: float = 1.0
    times: str | None = None
    per: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class XRef:
    """A cross-reference: ``left`` must equal (or not exceed) the sum of ``right``.

    Parameters
    ----------
    rule : str
        ``identity``, ``annex``, ``tables``, ``directory`` or ``prose``.
    left : Term
        The side the finding is reported at.
    right : tuple of Term
        Terms summed into the other side.
    relation : str
        ``"=="`` or ``"<="``.
    pairs : tuple of (str, str)
        Selector parts added to the left and to every right term; the rule is checked
        once per pair (e.g. enterprises, members, female members).
    join : tuple of str
        Columns both sides are grouped by; the rule is checked once per group.
    tol : float, optional
        Absolute tolerance; by default the rounding of the printed values.
    note : str
        What the report implies that the rule rests on.
    """

    rule: str
    left: Term
    right: tuple[Term, ...]
    relation: str = "=="
    pairs: tuple[tuple[str, str], ...] = (("", ""),)
    join: tuple[str, ...] = ()
    tol: float | None = None
    note: str = ""


_REPORT = "year=@report"
#: Registration figures: the main tables' measures and the annexes' measures.
_REG = (
    ("measure=enterprises; sex=total", "measure=enterprises; sex=total"),
    ("measure=members; sex=total", "measure=workers; sex=total"),
    ("measure=members; sex=female", "measure=workers; sex=female"),
)
_NEW_REG = tuple((a.replace("=", "=new_", 1), b.replace("=", "=new_", 1)) for a, b in _REG)
#: Where a main table's office or level is in an annex by capital/province.
_OFFICE_ROWS = (
    ("office=total", "province=Total"),
    ("office=head_offices", "province=Phnom Penh"),
    ("office=provincial_branches", "province!=Phnom Penh|Total"),
)
_LEVEL_ROWS = (
    ("level=total", "province=Total"),
    ("level=central", "province=Phnom Penh"),
    ("level=provincial", "province!=Phnom Penh|Total"),
)
_OFFICE_NOTE = (
    "Head offices are the annex's Phnom Penh row and provincial branches every other row: "
    "the report prints the same figures for both."
)
_LEVEL_NOTE = (
    "The central level is the annex's Phnom Penh row; the Phnom Penh khan branches "
    "(Dangkao, Mean Chey, ...) count at the provincial level."
)
#: Main tables by office and the annex that details them by capital/province.
_ANNEX_BY_OFFICE = (
    ("t02", "a6_1_1", _REG),
    ("t03", "a6_1_2", _REG),
    ("t04", "a6_1_3", _NEW_REG),
    ("t35", "a6_3_1", _REG),
    ("t57", "a6_4_1", _REG),
    ("t60", "a6_5_1", _REG),
)
#: Main tables by level and the annexes that detail them.
_ANNEX_BY_LEVEL = (
    ("t09", "a6_1_4", (("measure=occupational_risk_reports", "sex=total"),)),
    ("t23", "a6_2_1", (("measure=occupational_risk_reports", "sex=total"),)),
    *(
        (
            t,
            a,
            tuple(
                (f"measure=investigation_results; status={s}", f"status={s}")
                for s in ("new", "old", "total")
            ),
        )
        for t, a in (("t09", "a6_1_5"), ("t23", "a6_2_2"))
    ),
)
#: Figures the prose states and the table cell that prints them: (table, selector, fact).
_PROSE = (
    ("t01", "office=total; measure=enterprises; sex=total", "a11_registered_enterprises"),
    ("t01", "office=total; measure=members; sex=total", "a11_members_total"),
    ("t01", "office=total; measure=members; sex=female", "a11_members_female"),
    ("t04", "office=total; measure=new_enterprises; sex=total", "a11_new_enterprises"),
    ("t04", "office=total; measure=new_members; sex=total", "a11_new_members_total"),
    ("t04", "office=total; measure=new_members; sex=female", "a11_new_members_female"),
    ("t05", "measure=contributory_enterprises", "a11_contributory_enterprises"),
    ("t05", "measure=contribution_paid_enterprises", "a11_contribution_paid_enterprises"),
    ("t05", "measure=contribution_paid_workers; sex=total", "a11_contribution_paid_members_total"),
    (
        "t05",
        "measure=contribution_paid_workers; sex=female",
        "a11_contribution_paid_members_female",
    ),
    ("t05", "measure=contribution_paid_enterprises_share", "a11_on_time_share"),
    ("t13", "item=Total", "a13_claims_documents"),
    ("t14", "item=Total", "a13_provision_documents"),
    ("t15", "sex=total", "a13_beneficiary_victims_total"),
    ("t15", "sex=female", "a13_beneficiary_victims_female"),
    ("t16", "item=Total", "a13_health_care_access_total"),
    ("t18", "item=Total", "a13_expenditure"),
    ("t21", "measure=institutions", "a21_registered_institutions"),
    ("t21", "measure=members; sex=total", "a21_members_total"),
    ("t21", "measure=members; sex=female", "a21_members_female"),
    ("t22", "measure=contribution_paid_institutions", "a21_contribution_paid_institutions"),
    ("t22", "measure=contribution_paid_members; sex=total", "a21_contribution_paid_members_total"),
    (
        "t22",
        "measure=contribution_paid_members; sex=female",
        "a21_contribution_paid_members_female",
    ),
    ("t22", "measure=contributions", "a21_contribution_income"),
    ("t26", "item=Total", "a23_claims_documents"),
    ("t27", "item=Total", "a23_provision_documents"),
    ("t28", "sex=total", "a23_beneficiary_victims_total"),
    ("t28", "sex=female", "a23_beneficiary_victims_female"),
    ("t31", "item=Total", "a23_expenditure"),
    ("t34", "office=total; measure=enterprises; sex=total", "b11_registered_enterprises"),
    ("t34", "office=total; measure=members; sex=total", "b11_members_total"),
    ("t34", "office=total; measure=members; sex=female", "b11_members_female"),
    ("t36", "office=total; measure=new_enterprises; sex=total", "b11_new_enterprises"),
    ("t36", "office=total; measure=new_members; sex=total", "b11_new_members_total"),
    ("t36", "office=total; measure=new_members; sex=female", "b11_new_members_female"),
    ("t37", "measure=contributory_enterprises", "b11_contributory_enterprises"),
    ("t37", "measure=contribution_paid_enterprises", "b11_contribution_paid_enterprises"),
    ("t37", "measure=contribution_paid_workers; sex=total", "b11_contribution_paid_members_total"),
    (
        "t37",
        "measure=contribution_paid_workers; sex=female",
        "b11_contribution_paid_members_female",
    ),
    ("t37", "measure=contribution_paid_enterprises_share", "b11_on_time_share"),
    ("t38", "facility_type=all", "b12_contracted_health_facilities"),
    ("t39", "item=Total", "b12_claims_documents"),
    ("t40", "item=Total", "b12_provision_documents"),
    ("t40", "item=Medical Care Services Benefits (Cases of Emergency)", "b12_emergency_documents"),
    ("t40", "item=Maternity Benefits", "b12_maternity_allowance_documents"),
    ("t40", "item=Daily Allowances", "b12_daily_allowance_documents"),
    ("t42", "item=Total", "b12_health_care_access_total"),
    ("t44", "item=Total", "b12_expenditure"),
    ("t46", "group=total; measure=institutions", "b21_registered_institutions"),
    ("t46", "group=total; measure=members; sex=total", "b21_members_total"),
    ("t46", "group=total; measure=members; sex=female", "b21_members_female"),
    ("t47", "measure=contribution_paid_institutions", "b21_contribution_paid_institutions"),
    ("t47", "measure=contribution_paid_members; sex=total", "b21_contribution_paid_members_total"),
    (
        "t47",
        "measure=contribution_paid_members; sex=female",
        "b21_contribution_paid_members_female",
    ),
    ("t47", "measure=contributions", "b21_contribution_income"),
    ("t48", "measure=claims", "b22_claims_documents"),
    ("t49", "measure=provision", "b22_provision_documents"),
    ("t50", "sex=total", "b22_beneficiary_victims_total"),
    ("t50", "sex=female", "b22_beneficiary_victims_female"),
    ("t51", "item=Total", "b22_health_care_access_total"),
    ("t56", "office=total; measure=enterprises; sex=total", "c_registered_enterprises"),
    ("t56", "office=total; measure=members; sex=total", "c_members_total"),
    ("t56", "office=total; measure=members; sex=female", "c_members_female"),
    ("t59", "measure=contributory_enterprises", "c_contributory_enterprises"),
    ("t59", "measure=contribution_paid_enterprises", "c_contribution_paid_enterprises"),
    ("t59", "measure=contribution_paid_members; sex=total", "c_contribution_paid_members_total"),
    ("t59", "measure=contribution_paid_members; sex=female", "c_contribution_paid_members_female"),
    ("t59", "measure=contribution_paid_enterprises_share", "c_on_time_share"),
    ("t59", "measure=contributions", "c_contribution_income"),
    ("t60", "office=total; measure=enterprises; sex=total", "d1_informal_enterprises"),
    ("t60", "office=total; measure=members; sex=total", "d1_informal_members_total"),
    ("t60", "office=total; measure=members; sex=female", "d1_informal_members_female"),
    ("t62", "measure=meetings", "e4_official_physician_meetings"),
    ("t62", "measure=victims; degree=all; sex=total", "e4_evaluated_victims_total"),
    ("t62", "measure=victims; degree=all; sex=female", "e4_evaluated_victims_female"),
    ("t64", "measure=factories", "e52_factories_investigated"),
    ("t64", "measure=unconscious_workers; sex=total", "e52_unconscious_workers_total"),
    ("t64", "measure=unconscious_workers; sex=female", "e52_unconscious_workers_female"),
)
_PROSE_NOTES = {
    "c_contribution_income": (
        "Section C states 111.54 billion riels collected, of which 0.22 billion voluntary "
        "(fact c_voluntary_contribution_income); Table 59 may leave the voluntary part out."
    ),
}
#: Totals the prose states with their parts in the same paragraph: (total, parts, unit the
#: parts are counted in).
_PROSE_SUMS = (
    (
        "d1_informal_enterprises",
        (
            "d1_local_institutions",
            "d1_athlete_associations",
            "d1_driver_associations",
            "d1_other_enterprises",
        ),
        "enterprises",
    ),
    *(
        (
            f"d1_informal_members_{s}",
            (
                f"d1_local_institution_members_{s}",
                f"d1_athletes_{s}",
                f"d1_driver_association_members_{s}",
                f"d1_other_enterprise_members_{s}",
            ),
            "persons",
        )
        for s in ("total", "female")
    ),
    *(
        (
            f"e53_card_members_{s}",
            tuple(f"e53_{k}_cards_{s}" for k in ("new", "lost", "damaged", "corrected", "renewal")),
            "persons",
        )
        for s in ("total", "female")
    ),
    ("s2pen_voluntary_members_total", ("c_voluntary_members_total",), "persons"),
    ("s2pen_voluntary_members_female", ("c_voluntary_members_female",), "persons"),
)
_SHARE_PARTS = "measure=contribution_paid_enterprises"
_SHARE_BASE = "measure=contributory_enterprises"
_BIRTHS = (
    Term("", "measure=mothers"),
    Term("", "measure=mothers_with_twins"),
    Term("", "measure=mothers_with_triplets", coef=2.0),
)


def _on(source: str, terms: tuple[Term, ...]) -> tuple[Term, ...]:
    """Return ``terms`` with their source set to ``source``."""
    return tuple(Term(source, t.select, t.coef, t.times, t.per, t.unit) for t in terms)


#: Every cross-reference of the audit, evaluated by :func:`cross_checks`.
XREFS: tuple[XRef, ...] = (
    # ---- identities: formulas within one table
    *(
        XRef(
            "identity",
            Term(t, "measure=contribution_paid_enterprises_share"),
            (Term(t, _SHARE_PARTS, coef=100.0, per=_SHARE_BASE, unit="percent"),),
            join=("year",),
            note="Percentage of contribution-paid enterprises = paid / contributory x 100.",
        )
        for t in ("t05", "t37", "t59")
    ),
    XRef(
        "identity",
        Term("t61", "measure=newborns"),
        _on("t61", _BIRTHS),
        join=("worker_group", "year"),
        note="Newborns = mothers + mothers with twins + 2 x mothers with triplets.",
    ),
    XRef(
        "identity",
        Term("t61", "measure=total_allowance"),
        (Term("t61", "measure=newborns", times="measure=allowance_per_newborn", unit="riels"),),
        join=("worker_group", "year"),
        note="Total allowance = newborns x allowance per newborn.",
    ),
    XRef(
        "identity",
        Term("a6_5_2", "measure=children"),
        (
            Term("a6_5_2", "measure=mothers"),
            Term("a6_5_2", "measure=twins"),
            Term("a6_5_2", "measure=triplets", coef=2.0),
        ),
        pairs=(("sector=formal", "sector=formal"), ("sector=informal", "sector=informal")),
        join=("province",),
        note="Children = mothers + twins + 2 x triplets (twins and triplets count mothers).",
    ),
    XRef(
        "identity",
        Term("a6_5_2", "measure=total_amount"),
        (
            Term(
                "a6_5_2",
                "measure=children; sector=all",
                times="measure=allowance_per_child",
                unit="riels",
            ),
        ),
        join=("province",),
        note="Total amount = children x allowance per child.",
    ),
    # ---- main tables against their annexes
    *(
        XRef(
            "annex",
            Term(main, f"{_REPORT}; {office}"),
            (Term(annex, rows),),
            pairs=pairs,
            note=_OFFICE_NOTE,
        )
        for main, annex, pairs in _ANNEX_BY_OFFICE
        for office, rows in _OFFICE_ROWS
    ),
    *(
        XRef(
            "annex",
            Term(main, f"{_REPORT}; {level}"),
            (Term(annex, rows),),
            pairs=pairs,
            note=_LEVEL_NOTE,
        )
        for main, annex, pairs in _ANNEX_BY_LEVEL
        for level, rows in _LEVEL_ROWS
    ),
    XRef(
        "annex",
        Term("a6_1_1_business", "business=Total"),
        (Term("a6_1_1", "province=Total"),),
        join=("measure", "sex"),
        note="Annex 6.1.1 prints the same enterprises and workers by business and by province.",
    ),
    XRef(
        "annex",
        Term("a6_1_3_monthly", "month=total"),
        (Term("a6_1_3", "measure=new_enterprises"),),
        join=("province",),
        note="The monthly annex counts the same new enterprises as Annex 6.1.3.",
    ),
    XRef(
        "annex",
        Term("t61", _REPORT),
        (Term("a6_5_2", "province=Total"),),
        pairs=(
            *(
                (f"worker_group={g}; measure=mothers", f"sector={g}; measure=mothers")
                for g in ("all", "formal", "informal")
            ),
            *(
                (f"worker_group={g}; measure=newborns", f"sector={g}; measure=children")
                for g in ("all", "formal", "informal")
            ),
            *(
                (f"worker_group={g}; measure=mothers_with_{k}", f"sector={g}; measure={k}")
                for g in ("formal", "informal")
                for k in ("twins", "triplets")
            ),
            ("worker_group=all; measure=allowance_per_newborn", "measure=allowance_per_child"),
            ("worker_group=all; measure=total_allowance", "measure=total_amount"),
        ),
        note="Annex 6.5.2 details Table 61's report year by capital/province.",
    ),
    # ---- the same figure in two main tables
    XRef(
        "tables",
        Term("t34", "measure=members"),
        (Term("t01", "measure=members"),),
        join=("office", "sex", "year"),
        note="Health care (since 2016) and occupational risk (since 2008) count the same members.",
    ),
    XRef(
        "tables",
        Term("t56", f"{_REPORT}; measure=members"),
        (Term("t01", f"{_REPORT}; measure=members"),),
        join=("office", "sex"),
        note="The pension scheme registers the members of the occupational risk scheme.",
    ),
    XRef(
        "tables",
        Term("t36", ""),
        (Term("t04", ""),),
        join=("office", "measure", "sex", "year"),
        note="Tables 4 and 36 print the same newly registered enterprises and members.",
    ),
    XRef(
        "tables",
        Term("t57", _REPORT),
        (Term("t02", _REPORT),),
        join=("office", "measure", "sex"),
        note="The pension scheme's update repeats the occupational risk scheme's.",
    ),
    XRef(
        "tables",
        Term("a6_4_1", ""),
        (Term("a6_1_1", ""),),
        join=("province", "measure", "sex"),
        note="Annexes 6.4.1 and 6.1.1 detail Tables 57 and 2, which print the same figures.",
    ),
    *(
        XRef(
            "tables",
            Term(a, "injury_type=all"),
            (Term(b, "degree=all"),),
            join=("sex", "year"),
            note="Investigation results by type of injury and by degree count the same victims.",
        )
        for a, b in (("t10", "t11"), ("t24", "t25"))
    ),
    XRef(
        "tables",
        Term("t34", "measure=enterprises"),
        (Term("t01", "measure=enterprises"),),
        relation="<=",
        join=("office", "year"),
        note="Health care started in 2016: its enterprises are among those registered since 2008.",
    ),
    XRef(
        "tables",
        Term("t35", ""),
        (Term("t02", ""),),
        relation="<=",
        join=("office", "measure", "sex", "year"),
        note="Enterprises updated in the health care scheme are among those of occupational risk.",
    ),
    XRef(
        "tables",
        Term("t21", ""),
        (Term("t46", "group=total"),),
        relation="<=",
        join=("measure", "sex", "year"),
        note="Public institutions in occupational risk are among those in health care.",
    ),
    # ---- tables against directories
    *(
        XRef(
            "directory",
            Term("t38", f"level={level}; facility_type={types}"),
            (Term("a6_6_1", rows),),
            note="Table 38 refers to Annex 6.6.1; central level = the Phnom Penh lists.",
        )
        for level, types, rows in (
            (
                "central",
                "national_hospitals|referral_hospitals|health_centers",
                "province=Phnom Penh; ownership=public",
            ),
            ("central", "private_hospitals", "province=Phnom Penh; ownership=private"),
            (
                "provincial",
                "national_hospitals|referral_hospitals|health_centers",
                "province!=Phnom Penh; ownership=public",
            ),
            ("provincial", "private_hospitals", "province!=Phnom Penh; ownership=private"),
            ("total", "all", ""),
        )
    ),
    # ---- tables against the prose
    *(
        XRef(
            "prose",
            Term(t, f"{_REPORT}; {sel}"),
            (Term("facts", f"fact_id={fact}"),),
            note=_PROSE_NOTES.get(fact, ""),
        )
        for t, sel, fact in _PROSE
    ),
    *(
        XRef(
            "prose",
            Term("facts", f"fact_id={fact}"),
            (Term("const", coef=100.0), Term(t, f"{_REPORT}; {sel}", coef=-1.0)),
            note="The late share is what the on-time share leaves of 100%.",
        )
        for t, sel, fact in (
            ("t05", "measure=contribution_paid_enterprises_share", "a11_late_share"),
            ("t37", "measure=contribution_paid_enterprises_share", "b11_late_share"),
            ("t59", "measure=contribution_paid_enterprises_share", "c_late_share"),
        )
    ),
    *(
        XRef(
            "prose",
            Term("facts", f"fact_id={total}"),
            tuple(Term("facts", f"fact_id={p}", unit=unit) for p in parts),
            note="A total the prose states with its parts (each part counts one member).",
        )
        for total, parts, unit in _PROSE_SUMS
    ),
)

# --------------------------------------------------------------------------------------
# Rules as data: headlines, directories, conventions
# --------------------------------------------------------------------------------------


#: The headline figures of section 2, declared once in :mod:`nssf_analysis.headlines`.
HEADLINES: tuple[Headline, ...] = headlines_mod.HEADLINES


def headline_terms(h: Headline) -> tuple[Term, ...]:
    """Return the audit's terms of a headline's parts (report year, the parts' dims).

    Parameters
    ----------
    h : Headline
        A declaration of :data:`nssf_analysis.headlines.HEADLINES`.
    """
    out = []
    for p in h.parts:
        select = "; ".join(f"{k}={v}" for k, v in p.dims)
        if p.source != "facts":
            select = f"{_REPORT}; {select}"
        out.append(Term(p.source, select, unit=p.unit))
    return tuple(out)


#: Directory lists: (directory, columns that identify a list, columns of an entry's name).
DIRECTORY_LISTS = (
    ("a6_6_1", ("province", "ownership"), ("name",)),
    ("a6_6_2", ("province", "ownership"), ("name",)),
    ("a6_6_3", ("group",), ("address",)),
)

#: The report's conventions for printing a change whose base is zero or missing.
CONVENTIONS = {
    "from_zero": "a change from a zero base to a non-zero value is printed as 100.00%",
    "both_zero": "no change between two zeros is printed as 0.00%",
    "no_base": "a change from a year printed '-' (no data) is printed as 100.00%",
}
_FACT_NUMBER_RE = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$")

# --------------------------------------------------------------------------------------
# Sources: the data files, read once per run
# --------------------------------------------------------------------------------------

_BOOKKEEPING = {"role", "printed", "value", "line", "column", "unit", "total_of"}


def _norm(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
    return str(v)


@dataclass
class _Sources:
    report_year: int
    labels: dict  # table id -> label ("Table 18")
    sections: dict  # table id -> section
    raw: dict = field(default_factory=dict)  # table id -> raw frame
    cells: dict = field(default_factory=dict)  # source -> frame of cells
    checks: dict = field(default_factory=dict)  # table id -> tidy checks
    directories: dict = field(default_factory=dict)
    labelers: dict = field(default_factory=dict)
    facts: pd.DataFrame | None = None


def _load_sources() -> _Sources:
    cat = catalog_mod.catalog()
    ry = int(catalog_mod._metadata()["report_year"])
    src = _Sources(
        report_year=ry,
        labels=dict(zip(cat["table_id"], cat["label"], strict=True)),
        sections=dict(zip(cat["table_id"], cat["section"], strict=True)),
    )
    for tid, family in zip(cat["table_id"], cat["family"], strict=True):
        if family == "directory":
            df = pd.read_csv(paths.tidy_dir() / f"{tid}.csv", dtype=str, keep_default_na=False)
            src.directories[tid] = df
            frame = df.copy()
            frame["value"] = 1.0
            frame["printed"] = "1"
            frame["unit"] = "health facilities"
            frame["role"] = "value"
            frame["line"] = frame["line"].astype(int)
            frame["column"] = 0
            src.cells[tid] = frame
            continue
        if family == "text":
            continue
        table = catalog_mod.raw_table(tid)
        src.raw[tid] = catalog_mod.load_raw(tid)
        cells, _ = tidy.interpret(table, ry)
        _, checks = tidy.build(table, ry)
        for col in cells.columns:
            if col not in _BOOKKEEPING:
                cells[col] = [_norm(v) for v in cells[col]]
        cells["line"] = cells["line"].astype(int)
        cells["column"] = cells["column"].astype(int)
        src.cells[tid] = cells
        src.checks[tid] = checks
    facts = catalog_mod.load_facts()
    facts = facts.assign(year=str(ry), role="value", column=0)
    src.facts = facts
    src.cells["facts"] = facts
    return src


# --------------------------------------------------------------------------------------
# Labels: where a number is printed, in the report's own words
# --------------------------------------------------------------------------------------


class _Labeler:
    """Row and column labels of the cells of one raw table."""

    def __init__(self, table_id: str, raw: pd.DataFrame):
        spec = tidy_spec(table_id)
        n_label = spec.get("header_label_cols", len(spec["rows"]))
        cols = [c for c in raw.columns if c.startswith("c")]
        self.rows: dict[int, str] = {}
        self.columns: dict[int, dict[int, str]] = {}
        blocks = list(dict.fromkeys(raw["block"]))
        for block in blocks:
            part = raw[raw["block"] == block]
            header = [[r[c] for c in cols] for _, r in part[part["kind"] == "header"].iterrows()]
            paths_ = tidy.column_paths(header, len(cols)) if header else []
            col_labels = {}
            for j, path in enumerate(paths_):
                words = list(dict.fromkeys(p for p in path if p))
                col_labels[j + 1] = " / ".join(words)
            last_first = ""
            for _, r in part[part["kind"] == "body"].iterrows():
                cells = [r[c] for c in cols]
                labels = cells[:n_label]
                rest = cells[n_label:]
                while rest and rest[0] and not is_value(rest[0]):
                    labels.append(rest.pop(0))
                if labels and not labels[0]:
                    labels[0] = last_first
                last_first = labels[0] if labels else ""
                text = " ".join(x for x in labels if x)
                if block and len(blocks) > 1:
                    text = f"{block}: {text}"
                line = int(r["line"])
                self.rows[line] = text
                self.columns[line] = col_labels

    def at(self, line: int, column: int | None) -> str:
        """Return ``"row | column"`` for a report line and 1-based column."""
        row = self.rows.get(int(line), "")
        if column is None or (isinstance(column, float) and math.isnan(column)):
            return row
        col = self.columns.get(int(line), {}).get(int(column), "")
        return f"{row} | {col}" if col else row


def _labeler(src: _Sources, table_id: str) -> _Labeler:
    if table_id not in src.labelers:
        src.labelers[table_id] = _Labeler(table_id, src.raw[table_id])
    return src.labelers[table_id]


# --------------------------------------------------------------------------------------
# Selectors
# --------------------------------------------------------------------------------------


def parse_selector(text: str, year: int) -> list[tuple[str, bool, set[str]]]:
    """Parse a selector into ``(column, negated, values)`` conditions.

    Parameters
    ----------
    text : str
        ``"key=value; key=v1|v2; key!=value"``; parts are separated by ``;``.
    year : int
        Replaces ``@report`` (and ``year - 1`` replaces ``@previous``).

    Returns
    -------
    list of tuple
        One condition per part; a cell must meet all of them.

    Raises
    ------
    NSSFError
        If a part has no ``=``.
    """
    out = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        neg = "!=" in part
        if "=" not in part:
            raise NSSFError(f"selector {text!r}: part {part!r} has no '='")
        key, value = part.split("!=" if neg else "=", 1)
        values = set()
        for v in value.split("|"):
            v = v.strip().replace("@report", str(year)).replace("@previous", str(year - 1))
            values.add(v)
        out.append((key.strip(), neg, values))
    return out


def _select(frame: pd.DataFrame, selector: str, year: int) -> pd.DataFrame:
    conds = parse_selector(selector, year)
    mask = pd.Series(True, index=frame.index)
    if "role" in frame.columns and not any(k == "role" for k, _, _ in conds):
        mask &= frame["role"] != "fluctuation"
    for key, neg, values in conds:
        if key not in frame.columns:
            if not neg:
                return frame.iloc[0:0]
            continue
        hit = frame[key].astype(str).isin(values)
        mask &= ~hit if neg else hit
    return frame[mask]


def _join(selector: str, extra: str) -> str:
    return "; ".join(p for p in (selector, extra) if p)


# --------------------------------------------------------------------------------------
# Table checks (tidy.build on the raw files), blanks, precision
# --------------------------------------------------------------------------------------


def _rule_of(check: str) -> str:
    return check.split(":")[0]


def _year_of(location: str) -> str:
    m = re.search(r"\byear=(\d{4})", location or "")
    return m.group(1) if m else ""


def _record(**kw) -> dict:
    base = {
        "rule": "",
        "check": "",
        "table_id": "",
        "location": "",
        "line": 0,
        "column": 0,
        "year": "",
        "printed": "",
        "expected": "",
        "computed": None,
        "difference": None,
        "tolerance": None,
        "status": "ok",
        "ref_table": "",
        "ref_line": 0,
        "ref_location": "",
        "detail": "",
        "note": "",
    }
    base.update(kw)
    return base


def table_checks(src: _Sources) -> list[dict]:
    """Return the checks of :func:`tidy.build` on every table, with report labels.

    Parameters
    ----------
    src : _Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per check (totals, fluctuations, shares, shifted cells).
    """
    out = []
    for tid, checks in src.checks.items():
        lab = _labeler(src, tid)
        cells = src.cells[tid]
        years = sorted({y for y in cells.get("year", pd.Series(dtype=str)) if y})
        for c in checks:
            column = c.get("column")
            column = None if column is None or pd.isna(column) else int(column)
            rule = _rule_of(c["check"])
            year = _year_of(c["location"])
            if not year and rule == "fluctuation" and years:
                year = years[-1]
            out.append(
                _record(
                    rule=rule,
                    check=c["check"],
                    table_id=tid,
                    location=lab.at(c["line"], column),
                    line=int(c["line"]),
                    column=column or 0,
                    year=year,
                    printed=str(c["printed"]),
                    expected=str(c["expected"]),
                    computed=c.get("computed"),
                    difference=c.get("difference"),
                    status=c["status"],
                    detail=c["location"],
                )
            )
    return out


def blank_checks(src: _Sources) -> list[dict]:
    """Find blank cells between the printed numbers of a row.

    A row's value cells start after its label cells; a blank value cell with a printed
    number to its right is a blank where the header calls for a number.  When the row
    is a "Fluctuation" row, the expected value is the change recomputed from the two
    years of the same column.

    Parameters
    ----------
    src : _Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One ``ok`` record per row without such a blank, one ``structural`` record per
        blank cell.
    """
    out = []
    for tid, raw in src.raw.items():
        spec = tidy_spec(tid)
        n_label = spec.get("header_label_cols", len(spec["rows"]))
        lab = _labeler(src, tid)
        cells = src.cells[tid]
        cols = [c for c in raw.columns if c.startswith("c")]
        for _, r in raw[raw["kind"] == "body"].iterrows():
            row = [r[c] for c in cols]
            start = n_label
            while start < len(row) and row[start] and not is_value(row[start]):
                start += 1
            last = max((i for i, x in enumerate(row) if x), default=-1)
            line = int(r["line"])
            blanks = [i for i in range(start, last) if row[i] == ""]
            if not blanks:
                out.append(_record(rule="blank", check="blank", table_id=tid, line=line))
                continue
            for i in blanks:
                column = i + 1
                expected, computed = "a printed number", None
                if tidy.FLUCT_RE.match(row[0] or ""):
                    same = cells[
                        (cells["column"] == column)
                        & (cells["block"] == r["block"] if "block" in cells.columns else True)
                        & cells["role"].isin(["value", "total"])
                        & cells["value"].notna()
                    ].sort_values("line")
                    if len(same) == 2 and same["value"].iloc[0] != 0:
                        computed = tidy.change_percent(same["value"].iloc[0], same["value"].iloc[1])
                        expected = f"{computed:.2f}% (change of the two years above)"
                out.append(
                    _record(
                        rule="blank",
                        check="blank",
                        table_id=tid,
                        location=lab.at(line, column),
                        line=line,
                        column=column,
                        printed="(blank)",
                        expected=expected,
                        computed=computed,
                        status="structural",
                    )
                )
    return out


def precision_checks(src: _Sources) -> list[dict]:
    """Find numbers printed with other decimals than the other numbers of their unit.

    Within a table, the printed numbers of one unit (fluctuations apart) are expected
    to share one number of decimals, learned as the most frequent one.

    Parameters
    ----------
    src : _Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per printed number; those that depart are ``rounding``.
    """
    out = []
    for tid in src.raw:
        cells = src.cells[tid]
        cells = cells[cells["value"].notna()]
        lab = _labeler(src, tid)
        kind = cells["role"].eq("fluctuation").map({True: "change", False: "value"})
        for (unit, _k), grp in cells.groupby([cells["unit"], kind], sort=False):
            decs = grp["printed"].map(tidy.decimals)
            counts = decs.value_counts()
            modal = max(d for d, n in counts.items() if n == counts.max())
            years = grp["year"] if "year" in grp.columns else [""] * len(grp)
            for line, column, year, printed, d in zip(
                grp["line"], grp["column"], years, grp["printed"], decs, strict=True
            ):
                status = "ok" if d == modal else "rounding"
                out.append(
                    _record(
                        rule="precision",
                        check=f"precision:{unit}",
                        table_id=tid,
                        location=lab.at(line, column) if status != "ok" else "",
                        line=int(line),
                        column=int(column),
                        year=year or "",
                        printed=printed,
                        expected=f"{modal} decimals",
                        computed=float(d),
                        difference=float(modal - d),
                        status=status,
                        detail=f"unit={unit}",
                    )
                )
    return out


# --------------------------------------------------------------------------------------
# Cross-references
# --------------------------------------------------------------------------------------


def _half_unit(printed: str) -> float:
    """Return half a unit of the last printed digit ("22.26" → 0.005, "1,501" → 0)."""
    text = str(printed).strip().rstrip("%")
    return 0.5 * 10 ** -tidy.decimals(text) if "." in text else 0.0


def _factor(unit: str, target: str) -> float | None:
    if unit == target:
        return 1.0
    if unit in MONEY and target in MONEY:
        return MONEY[unit] / MONEY[target]
    return None


@dataclass
class _Side:
    value: float
    tol: float
    unit: str
    cells: list  # frames of the cells used
    text: str
    missing: bool = False
    dash: bool = False


def _source_frame(src: _Sources, source: str) -> pd.DataFrame:
    if source not in src.cells:
        raise NSSFError(f"audit rule refers to unknown source {source!r}")
    return src.cells[source]


def _groups(frame: pd.DataFrame, join: tuple[str, ...]) -> dict:
    if not join:
        return {(): frame}
    if frame.empty or any(k not in frame.columns for k in join):
        return {}
    return {
        (k if isinstance(k, tuple) else (k,)): g for k, g in frame.groupby(list(join), sort=False)
    }


def _describe(src: _Sources, source: str, cells: pd.DataFrame) -> str:
    if source == "facts":
        return "prose " + ", ".join(
            f"{f} (line {n})" for f, n in zip(cells["fact_id"], cells["line"], strict=True)
        )
    label = src.labels.get(source, source)
    if source in src.directories:
        return f"{label}: {len(cells)} entries"
    lab = _labeler(src, source)
    places = list(
        dict.fromkeys(lab.at(ln, c) for ln, c in zip(cells["line"], cells["column"], strict=True))
    )
    if len(places) > 3:
        return f"{label}: {len(places)} cells ({places[0]} ... {places[-1]})"
    return f"{label}: " + " + ".join(places)


class _Picked:
    """A term's selected cells, grouped by the join columns (one group when no join)."""

    def __init__(self, src: _Sources, term: Term, extra: str, join: tuple, year: int):
        self.term = term
        self.groups: dict = {}
        self.times: dict = {}
        self.per: dict = {}
        if term.source == "const":
            return
        frame = _source_frame(src, term.source)
        self.groups = _groups(_select(frame, _join(term.select, extra), year), join)
        if term.times:
            self.times = _groups(_select(frame, term.times, year), join)
        if term.per:
            self.per = _groups(_select(frame, term.per, year), join)


def _term_value(src: _Sources, picked: _Picked, key: tuple, target: str | None) -> _Side | None:
    """Evaluate one term for one join group; None when it selects nothing."""
    term = picked.term
    if term.source == "const":
        return _Side(term.coef, 0.0, target or "", [], f"{term.coef:g}")
    grp = picked.groups.get(key)
    if grp is None or grp.empty:
        return None
    if grp["value"].isna().any():
        return _Side(math.nan, 0.0, "", [grp], "", dash=True)
    units = set(grp["unit"])
    if len(units) != 1:
        raise NSSFError(
            f"audit rule on {term.source} {term.select!r}: cells in several units {sorted(units)}"
        )
    unit = units.pop()
    value = float(grp["value"].sum())
    tol = sum(_half_unit(p) for p in grp["printed"])
    text = _describe(src, term.source, grp)
    used = [grp]
    for op, groups in (("times", picked.times), ("per", picked.per)):
        if not (term.times if op == "times" else term.per):
            continue
        og = groups.get(key)
        if og is None or og.empty or og["value"].isna().any():
            return None
        ov = float(og["value"].sum())
        ot = sum(_half_unit(p) for p in og["printed"])
        if op == "times":
            tol = abs(value) * ot + abs(ov) * tol
            value *= ov
            text += " x " + _describe(src, term.source, og)
        else:
            if ov == 0:
                return None
            tol = tol / abs(ov) + abs(value) * ot / ov**2
            value /= ov
            text += " / " + _describe(src, term.source, og)
        used.append(og)
    unit = term.unit or unit
    value *= term.coef
    tol *= abs(term.coef)
    if term.coef == -1.0:
        text = f"- {text}"
    elif term.coef != 1.0:
        text = f"{term.coef:g} x {text}"
    return _Side(value, tol, unit, used, text)


def _side(src: _Sources, picked: list[_Picked], key: tuple, target: str | None) -> _Side:
    """Sum the terms of one side for one join group, in the unit ``target``."""
    parts = []
    for p in picked:
        s = _term_value(src, p, key, target)
        if s is None:
            return _Side(math.nan, 0.0, target or "", [], "", missing=True)
        if s.dash:
            return s
        parts.append(s)
    unit = target or parts[0].unit
    value, tol, cells, texts = 0.0, 0.0, [], []
    for s in parts:
        f = _factor(s.unit, unit)
        if f is None:
            raise _UnitMismatch(s.unit, unit)
        value += s.value * f
        tol += s.tol * f
        cells += s.cells
        texts.append(s.text)
    text = " + ".join(texts).replace("+ - ", "- ")
    return _Side(value, tol, unit, cells, text)


class _UnitMismatch(Exception):
    def __init__(self, unit, target):
        super().__init__(f"{unit} vs {target}")
        self.unit, self.target = unit, target


def _fmt(value: float, tol: float = 0.0) -> str:
    """Format a number with as many decimals as its tolerance warrants."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    d = 0
    if tol > 0:
        d = max(0, min(6, -math.floor(math.log10(tol * 2))))
    elif not float(value).is_integer():
        d = 2
    return f"{value:,.{d}f}"


def _is_table(src: _Sources, source: str) -> bool:
    return source in src.raw


def _printed(cells: pd.DataFrame, value: float, unit: str) -> str:
    text = " + ".join(cells["printed"]) if len(cells) <= 3 else _fmt(value)
    return text if unit == "percent" else f"{text} {unit}"


def cross_checks(src: _Sources, xrefs: tuple[XRef, ...] = XREFS) -> list[dict]:
    """Evaluate every cross-reference of ``xrefs``: one record per pair and join group.

    The left side is ``ok`` when it equals the right side, or is the right side
    rounded to the left's printed decimals; ``rounding`` when the difference is within
    the rounding of all the printed values involved; otherwise ``inconsistency``.  A
    join group present on the left but not on the right is ``structural``.  When a
    money cross-reference holds only with one side multiplied or divided by 1,000, the
    record's rule is ``unit``; when one side is the prose and the other one table, the
    table's unit label is taken to be the wrong one (``adjust`` gives the factor that
    corrects its values).

    Parameters
    ----------
    src : _Sources
        The data files as read by the audit.
    xrefs : tuple of XRef
        The rules (default :data:`XREFS`).

    Returns
    -------
    list of dict
        One record per evaluated comparison.
    """
    year = src.report_year
    out = []
    for x in xrefs:
        for lpart, rpart in x.pairs:
            left = _Picked(src, x.left, lpart, x.join, year)
            right = [_Picked(src, t, rpart, x.join, year) for t in x.right]
            for key in left.groups:
                rec = _evaluate(src, x, lpart, key, left, right)
                if rec is not None:
                    out.append(rec)
    return out


def _left_location(src: _Sources, source: str, first: pd.Series) -> str:
    if _is_table(src, source):
        return _labeler(src, source).at(first["line"], first["column"])
    if source == "facts":
        return f"{first['fact_id']}: section {first['section']}"
    return f"{src.labels.get(source, source)} entries"


def _rule_key(x: XRef) -> str:
    """Return a short key of a cross-reference, stable while the rule is unchanged."""
    return hashlib.sha1(repr(x).encode("utf-8")).hexdigest()[:6]


def _evaluate(src, x: XRef, lpart: str, key: tuple, left_p, right_p) -> dict | None:
    left = _side(src, [left_p], key, None)
    if left.missing or left.dash:
        return None
    lcells = pd.concat(left.cells)
    first = lcells.iloc[0]
    ltable = x.left.source
    years = sorted(set(lcells["year"]) - {""}) if "year" in lcells.columns else []
    base = dict(
        check=f"{x.rule}:{_rule_key(x)}",
        table_id=ltable,
        location=_left_location(src, ltable, first),
        line=int(first["line"]),
        column=int(first["column"]),
        year=years[-1] if years else "",
        printed=_printed(lcells, left.value, left.unit),
        detail=" ; ".join(p for p in (x.left.select, lpart, ", ".join(key)) if p),
        note=x.note,
    )
    try:
        right = _side(src, right_p, key, left.unit)
    except _UnitMismatch as err:
        return _record(
            rule="unit",
            expected=f"a value in {left.unit}",
            status="inconsistency",
            ref_table=next((t.source for t in x.right if t.source != "const"), ""),
            ref_location=f"a term in {err.unit}",
            **base,
        )
    if right.dash:
        return None
    rsrc = next((t.source for t in x.right if t.source != "const"), "")
    if right.missing:
        return _record(
            rule=x.rule,
            expected="a counterpart in "
            + ", ".join(src.labels.get(t.source, t.source) for t in x.right),
            status="structural",
            ref_table=rsrc,
            **base,
        )
    rcells = pd.concat(right.cells) if right.cells else None
    ref = dict(
        ref_table=rsrc,
        ref_line=int(rcells.iloc[0]["line"]) if rcells is not None else 0,
        ref_location=right.text,
    )
    lv, rv = left.value, right.value
    tol = x.tol if x.tol is not None else left.tol + right.tol
    eps = 1e-9 * max(1.0, abs(lv), abs(rv))
    diff = lv - rv
    expected = f"{'=' if x.relation == '==' else '<='} {_fmt(rv, tol)} {right.unit}".rstrip()
    if x.relation == "<=":
        status = "ok" if lv <= rv + tol + eps else "inconsistency"
    elif abs(diff) <= left.tol + eps:
        status = "ok"
    elif abs(diff) <= tol + eps:
        status = "rounding"
    else:
        status = "inconsistency"
    rule, adjust = x.rule, None
    if status == "inconsistency" and x.relation == "==" and left.unit in MONEY:
        for k in (1000.0, 0.001):
            if abs(lv - rv * k) <= left.tol + right.tol * k + eps:
                rule = "unit"
                tables = [t.source for t in x.right if _is_table(src, t.source)]
                if _is_table(src, ltable) and all(t.source == "facts" for t in x.right):
                    adjust = (ltable, 1.0 / k)
                elif ltable == "facts" and len(tables) == len(x.right) == 1:
                    adjust = (tables[0], k)
                if rcells is not None and len(rcells) == 1:
                    expected = f"{rcells.iloc[0]['printed']} {rcells.iloc[0]['unit']}"
                break
    rec = _record(
        rule=rule,
        expected=expected,
        computed=round(rv, 6),
        difference=round(diff, 6),
        tolerance=round(tol, 6),
        status=status,
        **base,
        **ref,
    )
    rec["adjust"] = adjust
    return rec


# --------------------------------------------------------------------------------------
# Directories and the prose's number format
# --------------------------------------------------------------------------------------


def directory_checks(src: _Sources) -> list[dict]:
    """Check every directory list for numbering gaps, repeats and duplicate names.

    A list of *n* entries must be numbered 1..n.  A number outside 1..n or repeated
    stands where a missing number is expected: when as many numbers are missing as
    stand out, they are paired in order and reported together.  A name (compared
    without case and extra spaces) must appear once in a list.

    Parameters
    ----------
    src : _Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One ``ok`` record per list and rule, one ``structural`` record per problem.
    """
    out = []
    for tid, keys, name_cols in DIRECTORY_LISTS:
        df = src.directories.get(tid)
        if df is None:
            continue
        df = df.assign(_name=df[list(name_cols)].agg(" ".join, axis=1).str.split().str.join(" "))
        name_col = "_name"
        label = src.labels.get(tid, tid)
        for lkey, grp in df.groupby(list(keys), sort=False):
            lkey = lkey if isinstance(lkey, tuple) else (lkey,)
            where = " / ".join(lkey)
            numbered = grp[grp["no"].str.strip() != ""].copy()
            numbered["n"] = numbered["no"].astype(int)
            n = len(numbered)
            present = list(numbered["n"])
            missing = [k for k in range(1, n + 1) if k not in present]
            seen, extra = set(), []
            for _, r in numbered.sort_values("line", kind="stable").iterrows():
                if r["n"] < 1 or r["n"] > n or r["n"] in seen:
                    extra.append(r)
                seen.add(r["n"])
            problems = []
            if len(missing) == len(extra):
                problems = list(zip(missing, extra, strict=True))
            else:
                problems = [(m, None) for m in missing] + [(None, e) for e in extra]
            if not problems:
                out.append(_record(rule="numbering", check="numbering", table_id=tid, detail=where))
            for m, e in problems:
                hint = ""
                if e is not None:
                    same = df[(df["no"] == e["no"]) & (df[name_col] == e[name_col])]
                    same = same[same["line"] != e["line"]]
                    if len(same):
                        s = same.iloc[0]
                        hint = (
                            f"the same number and name are in the list "
                            f"{' / '.join(s[k] for k in keys)} (line {s['line']})"
                        )
                out.append(
                    _record(
                        rule="numbering",
                        check="numbering",
                        table_id=tid,
                        location=f"{label}: {where} list",
                        line=int(e["line"])
                        if e is not None
                        else int(grp["line"].astype(int).min()),
                        printed=f"{e['no']} {e[name_col]}" if e is not None else "(none)",
                        expected=f"no. {m}" if m is not None else f"a number in 1..{n} used once",
                        difference=float(int(e["no"]) - m) if (m and e is not None) else None,
                        status="structural",
                        detail=where,
                        note=hint,
                    )
                )
            names = grp[name_col].str.casefold()
            dups = names[names.duplicated(keep=False) & (names != "")]
            if dups.empty:
                out.append(
                    _record(
                        rule="duplicate_name", check="duplicate_name", table_id=tid, detail=where
                    )
                )
            for _, idx in dups.groupby(dups, sort=False).groups.items():
                rows = grp.loc[list(idx)].sort_values("line", kind="stable")
                first = rows.iloc[0]
                out.append(
                    _record(
                        rule="duplicate_name",
                        check="duplicate_name",
                        table_id=tid,
                        location=f"{label}: {where} list: {first[name_col]}",
                        line=int(first["line"]),
                        printed="nos. " + " and ".join(rows["no"]),
                        expected="each name once",
                        ref_line=int(rows.iloc[1]["line"]),
                        ref_table=tid,
                        ref_location="lines " + " and ".join(rows["line"].astype(str)),
                        status="structural",
                        detail=where,
                    )
                )
    return out


def format_checks(src: _Sources) -> list[dict]:
    """Check that every number of the prose is printed in the standard way ("1,234.56").

    Parameters
    ----------
    src : _Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per fact; a non-standard one is ``structural``.
    """
    out = []
    for _, f in src.facts.iterrows():
        ok = bool(_FACT_NUMBER_RE.match(f["printed"]))
        out.append(
            _record(
                rule="format",
                check="format",
                table_id="facts",
                location=f"{f['fact_id']}: section {f['section']}",
                line=int(f["line"]),
                year=f["year"],
                printed=f["printed"],
                expected=_fmt(f["value"]),
                status="ok" if ok else "structural",
            )
        )
    return out


# --------------------------------------------------------------------------------------
# Conventions and classes
# --------------------------------------------------------------------------------------


def _convention_kind(rec: dict) -> str | None:
    if rec["rule"] != "fluctuation":
        return None
    if rec["expected"].startswith("new"):
        return "no_base"
    if rec["expected"] == "change from zero":
        printed = tidy.parse_value(rec["printed"])
        want = printed - (rec["difference"] or 0.0)
        return "from_zero" if want == 100.0 else "both_zero"
    return None


def _holds(rec: dict, kind: str) -> bool:
    printed = tidy.parse_value(rec["printed"])
    if kind == "no_base":
        return printed == 100.0
    return rec["difference"] == 0.0


def learn_conventions(records: list[dict]) -> pd.DataFrame:
    """Count how often each convention of :data:`CONVENTIONS` holds, and adopt it or not.

    Also reports, for information, how often printed fluctuations and totals match
    the values recomputed from the printed figures exactly, within rounding, or not.

    Parameters
    ----------
    records : list of dict
        The audit's check records.

    Returns
    -------
    DataFrame
        One row per convention: ``convention``, ``description``, ``cases``, ``holds``,
        ``share`` and ``adopted``.
    """
    rows = []
    for name, text in CONVENTIONS.items():
        cases = [r for r in records if _convention_kind(r) == name]
        holds = sum(_holds(r, name) for r in cases)
        share = holds / len(cases) if cases else math.nan
        rows.append(
            {
                "convention": name,
                "description": text,
                "cases": len(cases),
                "holds": holds,
                "share": share,
                "adopted": bool(cases) and share >= CONVENTION_SHARE,
            }
        )
    for rule, text in (
        ("fluctuation", "printed changes equal the change of the printed figures, rounded"),
        ("sum", "printed totals equal the sum of their printed parts"),
    ):
        cases = [r for r in records if r["rule"] == rule and _convention_kind(r) is None]
        exact = sum(r["status"] == "ok" for r in cases)
        within = sum(r["status"] == "rounding" for r in cases)
        rows.append(
            {
                "convention": f"{rule}_rounding",
                "description": f"{text}; otherwise within the rounding of the printed values",
                "cases": len(cases),
                "holds": exact + within,
                "share": (exact + within) / len(cases) if cases else math.nan,
                "adopted": True,
                "exact": exact,
                "within_rounding": within,
            }
        )
    df = pd.DataFrame(rows)
    df["exact"] = df["exact"].astype("Int64")
    df["within_rounding"] = df["within_rounding"].astype("Int64")
    return df


def _classify(records: list[dict], conventions: pd.DataFrame) -> None:
    adopted = dict(zip(conventions["convention"], conventions["adopted"], strict=True))
    for r in records:
        kind = _convention_kind(r)
        if kind is None:
            continue
        holds = _holds(r, kind)
        r["status"] = "convention" if holds and adopted.get(kind) else "inconsistency"
        r["note"] = CONVENTIONS[kind]
    # a total that misses the sum of its parts only by the rounding of parts printed
    # with fewer decimals than their unit's is a rounding difference
    coarse: dict = {}
    for r in records:
        if r["rule"] == "precision" and r["status"] != "ok" and (r["difference"] or 0) > 0:
            coarse.setdefault((r["table_id"], r["year"]), []).append(r)
    for r in records:
        if r["rule"] != "sum" or r["status"] != "inconsistency":
            continue
        parts = coarse.get((r["table_id"], r["year"]), [])
        slack = sum(0.5 * 10 ** -int(p["computed"]) for p in parts)
        if parts and abs(r["difference"]) <= slack + 1e-9:
            r["status"] = "rounding"
            r["tolerance"] = slack
            r["note"] = (
                "within the rounding of "
                + ", ".join(f"{p['printed']} (line {p['line']})" for p in parts)
                + ", printed with fewer decimals"
            )


# --------------------------------------------------------------------------------------
# Findings: ids and sentences
# --------------------------------------------------------------------------------------


def _display_expected(r: dict) -> str:
    """Return what consistency requires, with the recomputed value first."""
    text = re.sub(r"(\d{4})\.0\b", r"\1", r["expected"])
    if r["computed"] is None or (isinstance(r["computed"], float) and math.isnan(r["computed"])):
        return text
    if r["rule"] == "fluctuation":
        return f"{r['computed']:.2f}% = {text}"
    if r["rule"] in ("sum", "shares"):
        return f"{_num(r['computed'])} ({text})"
    return text


def _finding_id(r: dict) -> str:
    key = "|".join(
        str(r[k]) for k in ("rule", "check", "table_id", "location", "line", "column", "detail")
    )
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]
    return f"F-{r['rule'].replace('_', '')}-{r['table_id']}-{digest}"


def _num(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    v = float(v)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.4f}".rstrip("0").rstrip(".")


def _sentence(r: dict, label: str) -> str:
    if isinstance(r.get("text"), str) and r["text"]:
        return r["text"]
    rule, status, loc = r["rule"], r["status"], r["location"]
    where = f"{label}, {loc}" if loc else label
    diff = _num(abs(r["difference"])) if r["difference"] is not None else ""
    if rule == "sum":
        tail = {
            "rounding": "within the rounding of the printed values",
            "inconsistency": "more than the rounding of the printed values explains",
        }.get(status, "")
        if r.get("note") and status == "rounding" and "fewer decimals" in r["note"]:
            tail = r["note"]
        return (
            f"{where}: the printed total {r['printed']} differs from the sum of its parts "
            f"({_num(r['computed'])}) by {diff}, {tail}."
        )
    if rule == "fluctuation":
        if status == "convention":
            return f"{where}: {r['printed']}, printed by the report's convention: {r['note']}."
        if r["computed"] is None:
            return f"{where}: the printed change {r['printed']} breaks the report's convention."
        tail = (
            "within the range the rounding of the printed figures allows"
            if status == "rounding"
            else "more than the rounding of the printed figures allows"
        )
        return (
            f"{where}: the printed change {r['printed']} differs from the change recomputed "
            f"from the printed figures ({_num(r['computed'])}%), {tail}."
        )
    if rule == "shares":
        return f"{where}: the shares {r['printed']} add up to {_num(r['computed'])}%, not 100%."
    if rule == "shifted_cells":
        return (
            f"{where} (line {r['line']}): the row prints fewer value cells than the table has "
            f"columns; its values are read as aligned to the right."
        )
    if rule == "blank":
        return f"{where}: a blank cell where the row and its header call for {r['expected']}."
    if rule == "precision":
        return (
            f"{where}: {r['printed']} is printed with {int(r['computed'])} decimals where the "
            f"table's other {r['detail'].removeprefix('unit=')} values have "
            f"{r['expected'].split()[0]}."
        )
    if rule in ("identity", "annex", "tables", "directory", "prose"):
        if status == "structural":
            return f"{where}: no counterpart: {r['expected']} has no matching cell."
        rel = "at most" if r["expected"].startswith("<=") else "equal to"
        value = r["expected"].lstrip("<=").strip()
        if status == "rounding":
            tail = f"they differ by {diff}, within the rounding of the printed values."
        else:
            note = f" ({r['note']})" if r.get("note") else ""
            tail = f"they differ by {diff}{note}."
        return (
            f"{where} prints {r['printed']}; it should be {rel} {r['ref_location']}, "
            f"which gives {value}: {tail}"
        )
    if rule == "unit":
        if r["difference"] is None:
            return f"{where} prints {r['printed']}; {r['ref_location']} cannot be compared with it."
        return (
            f"{where} prints {r['printed']}, and {r['ref_location']} states {r['expected']} for "
            f"the same figure: the numbers agree but the units differ by a factor of 1,000, "
            f"so one of the two unit labels is wrong."
        )
    if rule == "numbering":
        hint = f"; {r['note']}" if r.get("note") else ""
        if r["printed"] == "(none)":
            return f"{loc}: {r['expected']} is missing{hint}."
        return (
            f"{loc}: an entry numbered {r['printed']!r} stands where {r['expected']} "
            f"is expected{hint}."
        )
    if rule == "duplicate_name":
        return f"{loc}: listed twice ({r['printed']}, {r['ref_location']})."
    if rule == "format":
        return f"{where}: the prose prints {r['printed']!r} for {r['expected']}."
    return f"{where}: {r['printed']} against {r['expected']}."


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


@dataclass
class AuditResult:
    """Everything one audit run produced.

    Attributes
    ----------
    report_year : int
        Year of the audited report.
    checks : DataFrame
        Every check made (``status`` ok included).
    findings : DataFrame
        The checks that are not ok, with :data:`FINDING_COLUMNS`.
    conventions : DataFrame
        The learned conventions (:func:`learn_conventions`).
    adjustments : dict
        Table id → factor that corrects its unit, from the ``unit`` findings.
    labels, sections : dict
        Table id → label and report section.
    """

    report_year: int
    checks: pd.DataFrame
    findings: pd.DataFrame
    conventions: pd.DataFrame
    adjustments: dict
    labels: dict
    sections: dict
    sources: _Sources = field(repr=False, default=None)


def _signature() -> tuple:
    d = paths.data_dir()
    files = [d / "catalog.csv", d / "metadata.json", d / "facts.csv"]
    files += sorted((d / "raw").glob("*.csv")) + sorted((d / "tidy").glob("a6_6_*.csv"))
    files += sorted(paths.seeds_dir().glob("*.txt"))
    sig = []
    for p in files:
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        sig.append((p.name, st.st_mtime_ns, st.st_size))
    return (str(d), tuple(sig))


def run() -> AuditResult:
    """Run the whole audit on the data files (cached until a data file changes).

    Returns
    -------
    AuditResult
    """
    return _run_cached(_signature())


@data_cache(maxsize=4)
def _run_cached(signature: tuple) -> AuditResult:
    src = _load_sources()
    records = table_checks(src) + blank_checks(src) + precision_checks(src)
    records += cross_checks(src) + directory_checks(src) + format_checks(src)
    records += audit_relations.checks(src) + audit_directories.checks(src)
    conventions = learn_conventions(records)
    _classify(records, conventions)
    conventions = learn_conventions(records)  # the rounding counts after classification
    for r in records:
        r["expected"] = _display_expected(r)
    adjustments = {}
    for r in records:
        if r["rule"] == "unit" and r.get("adjust"):
            adjustments[r["adjust"][0]] = r["adjust"][1]
    order = {t: i for i, t in enumerate(src.labels)}
    order["facts"] = len(order)
    checks = pd.DataFrame(records).drop(columns=["adjust"], errors="ignore")
    checks["label"] = [
        "Prose" if t == "facts" else src.labels.get(t, t) for t in checks["table_id"]
    ]
    checks["sentence"] = ""
    bad = checks["status"] != "ok"
    checks.loc[bad, "sentence"] = [_sentence(r, r["label"]) for r in checks[bad].to_dict("records")]
    checks["finding_id"] = ""
    checks.loc[bad, "finding_id"] = [_finding_id(r) for r in checks[bad].to_dict("records")]
    checks["class"] = checks["status"]
    checks["_rank"] = checks["class"].map(lambda c: _CLASS_RANK.get(c, 9))
    checks["_order"] = checks["table_id"].map(lambda t: order.get(t, len(order) + 1))
    checks = checks.sort_values(
        ["_rank", "_order", "line", "column", "rule", "finding_id"], kind="stable"
    ).reset_index(drop=True)
    f = checks[checks["class"] != "ok"].copy()
    if f["finding_id"].duplicated().any():
        dup = f.loc[f["finding_id"].duplicated(), "finding_id"].iloc[0]
        raise NSSFError(f"audit: finding id {dup} is not unique")
    findings_ = f[FINDING_COLUMNS].reset_index(drop=True)
    return AuditResult(
        report_year=src.report_year,
        checks=checks.drop(columns=["_rank", "_order"]),
        findings=findings_,
        conventions=conventions,
        adjustments=adjustments,
        labels=src.labels,
        sections=src.sections,
        sources=src,
    )


def findings(year: int | None = None) -> pd.DataFrame:
    """Return the findings, most serious first; optionally those about one year.

    Parameters
    ----------
    year : int, optional
        Keep the findings about this year's figures and those with no year (structure,
        directories).

    Returns
    -------
    DataFrame
        Columns :data:`FINDING_COLUMNS`.
    """
    df = run().findings
    if year is not None:
        df = df[(df["year"] == str(year)) | (df["year"] == "")].reset_index(drop=True)
    return df


def summary(year: int | None = None) -> pd.DataFrame:
    """Return the number of checks per rule and status (ok included).

    Parameters
    ----------
    year : int, optional
        Count only the checks about this year's figures and those with no year.

    Returns
    -------
    DataFrame
        One row per rule of :data:`RULES`: ``rule``, ``group``, ``checks``, ``ok`` and
        one column per class, then ``findings``.
    """
    checks = run().checks
    if year is not None:
        checks = checks[(checks["year"] == str(year)) | (checks["year"] == "")]
    counts = checks.groupby(["rule", "class"]).size().unstack(fill_value=0)
    rows = []
    for rule, (group, _text) in RULES.items():
        row = {"rule": rule, "group": group}
        for cls in ("ok", *CLASSES):
            row[cls] = (
                int(counts.loc[rule, cls]) if rule in counts.index and cls in counts.columns else 0
            )
        row["checks"] = sum(row[c] for c in ("ok", *CLASSES))
        row["findings"] = row["checks"] - row["ok"]
        rows.append(row)
    df = pd.DataFrame(rows, columns=["rule", "group", "checks", "ok", *CLASSES, "findings"])
    total = {"rule": "all", "group": ""}
    total.update({c: int(df[c].sum()) for c in df.columns[2:]})
    return pd.concat([df, pd.DataFrame([total])], ignore_index=True)


# --------------------------------------------------------------------------------------
# Reconciliation of the headline figures
# --------------------------------------------------------------------------------------


def reconcile(year: int | None = None) -> pd.DataFrame:
    """Rebuild the headline figures of section 2 from their parts (:data:`HEADLINES`).

    Parameters
    ----------
    year : int, optional
        Year of the tables' figures (default: the report year).  The prose states
        the headlines of the report year only; for another year ``printed`` is empty.

    Returns
    -------
    DataFrame
        One row per headline and formula: ``fact_id``, ``scheme``, ``measure``,
        ``sex``, ``unit``, ``basis``, ``formula``, ``values``, ``printed``,
        ``rebuilt``, ``gap`` (printed - rebuilt), ``tolerance``, ``status``, then
        ``adjusted_rebuilt``, ``adjusted_gap``, ``adjusted_status`` and
        ``adjusted_by`` (the ``unit`` findings applied), and ``note``.
    """
    res = run()
    src = res.sources
    year = res.report_year if year is None else int(year)
    facts = src.facts.set_index("fact_id")
    unit_findings = res.findings[res.findings["rule"] == "unit"]
    rows = []
    for h in HEADLINES:
        if h.fact_id not in facts.index:
            continue
        fact = facts.loc[h.fact_id]
        unit = fact["unit"]
        printed = float(fact["value"]) if year == res.report_year else math.nan
        ptol = _half_unit(fact["printed"]) if year == res.report_year else 0.0
        parts, missing = [], False
        for t in headline_terms(h):
            s = (
                _term_value(src, _Picked(src, t, "", (), year), (), unit)
                if t.source != "facts" or year == res.report_year
                else None
            )
            if s is None or s.dash:
                missing = "no data ('-')" if s is not None else "parts missing"
                break
            f = _factor(s.unit, unit)
            if f is None:
                raise NSSFError(f"headline {h.fact_id}: {s.unit} cannot be converted to {unit}")
            parts.append((t, s, f))
        row = {
            "fact_id": h.fact_id,
            "scheme": fact["scheme"],
            "measure": fact["measure"],
            "sex": fact["sex"],
            "unit": unit,
            "basis": h.basis,
            "formula": " + ".join(s.text for _, s, _ in parts).replace("+ - ", "- ")
            if not missing
            else "",
            "values": "",
            "printed": printed,
            "rebuilt": math.nan,
            "gap": math.nan,
            "tolerance": math.nan,
            "status": "no printed headline" if math.isnan(printed) else "",
            "adjusted_rebuilt": math.nan,
            "adjusted_gap": math.nan,
            "adjusted_status": "",
            "adjusted_by": "",
            "note": h.note,
        }
        if missing:
            row["status"] = missing
            rows.append(row)
            continue
        rebuilt = sum(s.value * f for _, s, f in parts)
        tol = ptol + sum(s.tol * f for _, s, f in parts)
        row["values"] = " + ".join(_fmt(s.value * f, s.tol * f) for _, s, f in parts).replace(
            "+ -", "- "
        )
        row["rebuilt"] = round(rebuilt, 6)
        row["tolerance"] = round(tol, 6)
        if not math.isnan(printed):
            row["gap"] = round(printed - rebuilt, 6)
            row["status"] = _gap_status(printed - rebuilt, tol, printed)
        used = {t.source for t, _, _ in parts} & set(res.adjustments)
        if used:
            adj = sum(s.value * f * res.adjustments.get(t.source, 1.0) for t, s, f in parts)
            atol = ptol + sum(s.tol * f * res.adjustments.get(t.source, 1.0) for t, s, f in parts)
            row["adjusted_rebuilt"] = round(adj, 6)
            if not math.isnan(printed):
                row["adjusted_gap"] = round(printed - adj, 6)
                row["adjusted_status"] = _gap_status(printed - adj, atol, printed)
            row["adjusted_by"] = ", ".join(
                unit_findings[unit_findings["table_id"].isin(used)]["finding_id"]
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _gap_status(gap: float, tol: float, scale: float) -> str:
    eps = 1e-9 * max(1.0, abs(scale))
    if abs(gap) <= eps:
        return "ok"
    if abs(gap) <= tol + eps:
        return "rounding"
    return "inconsistency"


# --------------------------------------------------------------------------------------
# Outputs and command line
# --------------------------------------------------------------------------------------


def write_outputs(out: Path | str | None = None) -> dict:
    """Write the findings, the summary, the reconciliation and the conventions.

    The files are ``findings.csv``, ``findings.json``, ``summary.csv``,
    ``reconciliation.csv`` and ``conventions.csv``.

    Parameters
    ----------
    out : Path or str, optional
        Output folder (default ``outputs/audit``).

    Returns
    -------
    dict
        The paths written, by name.
    """
    out = Path(out) if out else paths.outputs_dir() / "audit"
    out.mkdir(parents=True, exist_ok=True)
    res = run()
    written = {}
    f = res.findings
    written["findings.csv"] = out / "findings.csv"
    f.to_csv(written["findings.csv"], index=False, lineterminator="\n")
    written["findings.json"] = out / "findings.json"
    records = json.loads(f.to_json(orient="records"))
    written["findings.json"].write_text(
        json.dumps(
            {"report_year": res.report_year, "findings": records}, indent=1, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )
    for name, df in (
        ("summary.csv", summary()),
        ("reconciliation.csv", reconcile()),
        ("conventions.csv", res.conventions),
    ):
        written[name] = out / name
        df.to_csv(written[name], index=False, lineterminator="\n")
    return written


def run_cli(args) -> int:
    """Run the audit for ``nssf-report audit [--out DIR]``; print the counts.

    Parameters
    ----------
    args : argparse.Namespace
        ``args.out``: output folder, or None for ``outputs/audit``.

    Returns
    -------
    int
        0.
    """
    out = Path(args.out) if getattr(args, "out", None) else paths.outputs_dir() / "audit"
    written = write_outputs(out)
    res = run()
    s = summary()
    total = s[s["rule"] == "all"].iloc[0]
    classes = ", ".join(f"{c} {int(total[c])}" for c in CLASSES)
    print(
        f"audit of the {res.report_year} report: {int(total['checks'])} checks, "
        f"{int(total['ok'])} ok, {int(total['findings'])} findings ({classes})"
    )
    shown = s[(s["checks"] > 0) & (s["rule"] != "all")]
    print(shown.drop(columns=["group"]).to_string(index=False))
    rec = reconcile()
    print(
        f"reconciliation: {len(rec)} headline formulas, "
        + ", ".join(f"{k} {v}" for k, v in rec["status"].value_counts().sort_index().items())
    )
    print(f"written: {', '.join(sorted(written))} -> {out}")
    return 0


# --------------------------------------------------------------------------------------
# Notebook helpers
# --------------------------------------------------------------------------------------


def table_link(table_id: str) -> str:
    """Return the link to a table in its chapter, e.g. ``01_occupational_risk.html#t18``.

    Parameters
    ----------
    table_id : str
        A table id of the catalog.
    """
    catalog_mod._check_id(table_id)
    section = catalog_mod.metadata(table_id)["section"]
    return f"{chapter_of(section)}.html#{table_id}"


def finding_link(table_id: str, year: int | None = None) -> str | None:
    """Return the link to a table's first finding in the data-quality chapter.

    Parameters
    ----------
    table_id : str
        A table id of the catalog.
    year : int, optional
        As in :func:`findings`.

    Returns
    -------
    str or None
        ``08_data_quality.html#finding-<table_id>``, or None when the table has no
        finding.
    """
    f = findings(year)
    if not (f["table_id"] == table_id).any():
        return None
    return f"{AUDIT_PAGE}.html#finding-{table_id}"


def _fact_link(src: _Sources, fact_id: str) -> str:
    sec = src.facts.set_index("fact_id").loc[fact_id, "section"]
    return f"{chapter_of(sec)}.html"


def _esc(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return html.escape(str(v))


def findings_table(year: int | None = None, classes=None, rules=None, families: bool = True):
    """Return the findings as a Styler: each with an anchor, linked to its table.

    Every finding carries ``id="<finding_id>"``; the first finding of each table (in
    the order of :func:`findings`, most serious first) also carries
    ``id="finding-<table_id>"``, which the other chapters link to.

    Parameters
    ----------
    year : int, optional
        As in :func:`findings`.
    classes, rules : iterable of str, optional
        Keep only these classes or rules.
    families : bool
        Include the findings of the families between places (:data:`FAMILIES`), which
        :func:`family_table` shows by family.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    res = run()
    f = findings(year)
    first = ~f["table_id"].duplicated()
    f = f.assign(_first=first)
    if classes is not None:
        f = f[f["class"].isin(list(classes))]
    if rules is not None:
        f = f[f["rule"].isin(list(rules))]
    if not families:
        f = f[~f["rule"].isin(list(FAMILIES))]
    rows = []
    for n, (_, r) in enumerate(f.iterrows(), 1):
        anchor = f'<span id="{r["finding_id"]}"></span>'
        if r["_first"]:
            anchor += f'<span id="finding-{r["table_id"]}"></span>'
        if r["table_id"] == "facts":
            fact = r["location"].split(":")[0]
            href = _fact_link(res.sources, fact)
        else:
            href = table_link(r["table_id"])
        rows.append(
            {
                "finding": f'{anchor}<a href="#{r["finding_id"]}">{n}</a>',
                "class": _esc(r["class"]),
                "rule": _esc(wording.name(r["rule"])),
                "table": f'<a href="{href}">{_esc(r["label"])}</a>',
                "printed": _esc(r["printed"]),
                "expected": _esc(wording.plain(r["expected"])),
                "finding in words": _esc(wording.plain(r["sentence"])),
            }
        )
    cols = ["finding", "class", "rule", "table", "printed", "expected", "finding in words"]
    df = pd.DataFrame(rows, columns=cols)
    key = "-".join(sorted(classes or [])) + "-".join(sorted(rules or []))
    key += "" if families else "-tables"
    return (
        df.style.hide(axis="index")
        .set_table_styles([{"selector": "td, th", "props": "text-align: left;"}])
        .set_uuid(f"audit-findings-{key or 'all'}")
        .set_table_attributes('class="audit-findings"')
    )


def _table_href(src: _Sources, table_id: str, location: str) -> str:
    if table_id == "facts":
        return _fact_link(src, location.split(":")[0])
    return table_link(table_id)


def family_table(rule: str, year: int | None = None):
    """Return the findings of one family between places, in plain sentences.

    Each row names the places involved (linked to their tables), the class and the
    finding in words; each finding carries its anchor (and the anchor of its table when
    it is the table's first finding, as in :func:`findings_table`).

    Parameters
    ----------
    rule : str
        A family of :data:`FAMILIES`.
    year : int, optional
        As in :func:`findings`.

    Returns
    -------
    pandas.io.formats.style.Styler or IPython.display.Markdown
        The table, or a sentence saying that every check of the family holds.

    Raises
    ------
    NSSFError
        If ``rule`` is not a family.
    """
    if rule not in FAMILIES:
        raise NSSFError(f"audit: unknown family {rule!r}; families: {', '.join(FAMILIES)}")
    res = run()
    f = findings(year)
    f = f.assign(_first=~f["table_id"].duplicated())
    f = f[f["rule"] == rule]
    involved = {}
    if "tables" in res.checks.columns:
        involved = {
            i: t
            for i, t in zip(res.checks["finding_id"], res.checks["tables"], strict=True)
            if isinstance(t, str) and t
        }
    if f.empty:
        from IPython.display import Markdown

        checks = res.checks[res.checks["rule"] == rule]
        if year is not None:
            checks = checks[(checks["year"] == str(year)) | (checks["year"] == "")]
        if checks.empty:
            return Markdown(f"No check of this kind concerns the figures of {year}.")
        return Markdown(f"All {len(checks):,} checks of this kind hold: no finding.")
    rows = []
    for _, r in f.iterrows():
        anchor = f'<span id="{r["finding_id"]}"></span>'
        if r["_first"]:
            anchor += f'<span id="finding-{r["table_id"]}"></span>'
        links = []
        ids = (r["table_id"], r["ref_table"], *involved.get(r["finding_id"], "").split())
        for tid in dict.fromkeys(t for t in ids if t):
            label = "Prose" if tid == "facts" else res.labels.get(tid, tid)
            href = _table_href(res.sources, tid, r["location"])
            links.append(f'<a href="{href}">{_esc(label)}</a>')
        rows.append(
            {
                "where": anchor + ", ".join(links),
                "class": _esc(r["class"]),
                "finding in words": _esc(r["sentence"]),
            }
        )
    df = pd.DataFrame(rows, columns=["where", "class", "finding in words"])
    return (
        df.style.hide(axis="index")
        .set_table_styles([{"selector": "td, th", "props": "text-align: left;"}])
        .set_uuid(f"audit-family-{rule.replace('_', '-')}-{year or 'all'}")
        .set_table_attributes('class="audit-findings"')
    )


def families_table(year: int | None = None):
    """Return the checks and findings of each family between places, for display.

    Parameters
    ----------
    year : int, optional
        As in :func:`summary`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per family: its heading, what it checks, the number of checks, of
        those that hold and of the findings of each class.
    """
    s = summary(year).set_index("rule")
    rows = []
    for rule, (heading, text) in FAMILIES.items():
        r = s.loc[rule]
        rows.append(
            {
                "family": heading,
                "what is checked": text,
                **{c: int(r[c]) for c in ("checks", "ok", *CLASSES, "findings")},
            }
        )
    counts = {c: "{:,}" for c in ("checks", "ok", *CLASSES, "findings")}
    return _styled(pd.DataFrame(rows), "audit-families", counts)


def _styled(df: pd.DataFrame, uuid: str, numbers: dict | None = None):
    """Return :func:`nssf_analysis.tables.plain_table` of ``df`` (no index, text left).

    The page speaks plain words (:mod:`nssf_analysis.wording`): column names and rule or
    convention ids in words, sentences without report lines, fact ids or ``key=value``.
    The findings files keep them.
    """
    from nssf_analysis.render.tables import plain_table

    df = df.copy()
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            if col in ("rule", "kind", "convention", "family"):
                df[col] = df[col].map(lambda v: wording.name(v) if isinstance(v, str) else v)
            else:
                df[col] = df[col].map(lambda v: wording.plain(v) if isinstance(v, str) else v)
    names = {c: wording.heading(c) for c in df.columns}
    numbers = {names[c]: f for c, f in (numbers or {}).items() if c in names}
    return plain_table(df.rename(columns=names), uuid, numbers)


def summary_table(year: int | None = None):
    """Return :func:`summary` with each rule's description, for display.

    Parameters
    ----------
    year : int, optional
        As in :func:`summary`.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    s = summary(year)
    s.insert(2, "what is checked", [RULES.get(r, ("", "all rules"))[1] for r in s["rule"]])
    counts = {c: "{:,}" for c in ("checks", "ok", *CLASSES, "findings")}
    return _styled(s, "audit-summary", counts)


def conventions_table():
    """Return the learned conventions (:func:`learn_conventions`) for display.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    c = run().conventions.copy()
    c["adopted"] = c["adopted"].map({True: "yes", False: "no"})
    numbers = {"share": "{:.1%}", "exact": "{:,}", "within_rounding": "{:,}"}
    return _styled(c, "audit-conventions", numbers)


def rules_table():
    """Return the cross-references of :data:`XREFS` as a table, one row per rule.

    Returns
    -------
    pandas.io.formats.style.Styler
        Columns ``rule``, ``left``, ``relation``, ``right``, ``pairs``, ``join``,
        ``tolerance`` and ``note``.
    """
    res = run()
    lab = res.labels

    def term(t: Term) -> str:
        name = "prose" if t.source == "facts" else lab.get(t.source, t.source)
        if t.source == "const":
            return f"{t.coef:g}"
        text = f"{name} [{t.select}]" if t.select else name
        if t.times:
            text += f" x [{t.times}]"
        if t.per:
            text += f" / [{t.per}]"
        if t.coef != 1.0:
            text = f"{t.coef:g} x {text}"
        return text

    rows = []
    for x in XREFS:
        rows.append(
            {
                "rule": x.rule,
                "left": term(x.left),
                "relation": "=" if x.relation == "==" else "<=",
                "right": " + ".join(term(t) for t in x.right),
                "pairs": len(x.pairs),
                "join": ", ".join(x.join),
                "tolerance": "rounding" if x.tol is None else f"{x.tol:g}",
                "note": x.note,
            }
        )
    return _styled(pd.DataFrame(rows), "audit-rules")


def reconciliation_table(year: int | None = None):
    """Return :func:`reconcile` for display (Styler, numbers with separators).

    Parameters
    ----------
    year : int, optional
        As in :func:`reconcile`.
    """
    r = reconcile(year)
    cols = [
        "fact_id",
        "basis",
        "unit",
        "printed",
        "rebuilt",
        "gap",
        "status",
        "adjusted_gap",
        "adjusted_status",
        "values",
        "formula",
        "note",
    ]
    num = {c: "{:,.2f}" for c in ("printed", "rebuilt", "gap", "adjusted_gap")}
    return _styled(r[cols], "audit-reconciliation", num)


def intro(year: int | None = None):
    """Return a Markdown paragraph with the audit's counts, for the chapter's opening.

    Parameters
    ----------
    year : int, optional
        As in :func:`summary`.

    Returns
    -------
    IPython.display.Markdown
    """
    from IPython.display import Markdown

    res = run()
    s = summary(year).set_index("rule").loc["all"]
    scope = (
        f"the {res.report_year} report"
        if year is None or int(year) == res.report_year
        else f"the figures of {year} printed in the {res.report_year} report"
    )
    text = (
        f"The audit of {scope} made **{int(s['checks']):,} checks**: "
        f"{int(s['ok']):,} hold exactly and **{int(s['findings']):,}** are findings — "
        + ", ".join(f"{int(s[c]):,} {c}" for c in CLASSES)
        + "."
    )
    return Markdown(text)
