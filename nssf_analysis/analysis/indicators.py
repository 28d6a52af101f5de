"""Standard indicators computed from the tidy tables, each declared once as data.

Every indicator is an :class:`Indicator`: an id, a title, the formula in words, a
numerator and a denominator (:class:`Selector`: which rows of which tidy table are
summed), the reference group, the unit and the multiplier (per 100,000, per 1,000,
percent …) and notes. :func:`compute` evaluates all of them for one report year from
``data/tidy`` and adds the change against the previous year where both years exist;
:func:`methodology_markdown` writes the page that defines them.

Choices made once, here, for every indicator:

* **Covered workers.** The denominator of the private-sector injury, fatality and
  health-care rates is the number of *contribution-paid* workers (Table 5 for the
  occupational-risk scheme, Table 37 for health care): only workers whose employer paid
  contributions in the year are insured, and these are the people whose injuries NSSF
  investigates and pays for. The number of registered workers at year end (Table 2) is
  used for a sensitivity variant (``or_injury_rate_registered``) and for the province
  annex, which gives registered workers only. The public sector uses contribution-paid
  members (Table 22 / Table 47).
* **Phnom Penh khans.** Annex 6.1.4 lists the reports of the khan branches (Dangkao,
  Mean Chey, Russy Keo, Pur Senchey, Chrouy Changvar) separately from "Phnom Penh"
  (the head office), while Annex 6.1.1 gives Phnom Penh one worker count. The 24 other
  provinces of Annex 6.1.1 add up exactly to the provincial-branch workers of Table 2,
  so the khan branches' workers can only be counted under Phnom Penh; their reports are
  therefore added to Phnom Penh (:data:`KHANS`). The annex total then equals Table 9's
  total of reports and the worker total equals Table 2's.
* **Abroad.** Annex 6.5.2 counts childbirth allowances for births abroad; they are in
  the national figure but in no province.
* **Table 31** is headed "Billion Riels" but the report's text states its grand total,
  316.32, in million riels; its amounts are read as million riels
  (:data:`nssf_analysis.units.READINGS`).
* **Change.** A change from a zero base is "new", no change between two zeros is "–"
  (:func:`change`); a missing year is "n/a". The report itself prints 100 % and 0 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nssf_analysis.data import units
from nssf_analysis.data.catalog import available_years, catalog, check_year, load_table
from nssf_analysis.exceptions import NSSFError
from nssf_analysis.render.tables import plain_table

#: Label of a change from a zero base.
NEW = "new"
#: Label of no change between two zeros.
NO_CHANGE = "–"
#: Label of a change that cannot be computed (a year or a value is missing).
NOT_AVAILABLE = "n/a"

#: Phnom Penh khan branches listed separately in Annex 6.1.4, counted under Phnom Penh.
KHANS = ("Dangkao", "Mean Chey", "Russy Keo", "Pur Senchey", "Chrouy Changvar")
KHANS_TO_PHNOM_PENH = {k: "Phnom Penh" for k in KHANS}

#: Topics in the order the notebook and the methodology page present them.
TOPICS = {
    "occupational_risk": "Occupational risk",
    "compliance": "Contribution compliance",
    "benefits": "Claims and expenditure",
    "health_care": "Health-care use",
    "childbirth": "Maternity and childbirth allowances",
    "provinces": "Provinces",
    "female_shares": "Female shares",
}

OUTPUT_COLUMNS = [
    "indicator",
    "title",
    "topic",
    "dimension",
    "group",
    "sex",
    "year",
    "numerator",
    "denominator",
    "value",
    "unit",
    "previous",
    "change_pct",
    "difference",
    "change_note",
    "note",
]


@dataclass(frozen=True)
class Prefix:
    """A row filter matching labels that start with ``text`` (e.g. row numbers "1.").

    Parameters
    ----------
    text : str
        The prefix, e.g. ``"1."`` for rows 1.1, 1.2, ….
    """

    text: str


@dataclass(frozen=True)
class Selector:
    """Which rows of a tidy table are summed into a numerator or a denominator.

    Parameters
    ----------
    table : str
        Table id, e.g. ``"t10"``.
    measure : str or tuple of str
        Value(s) of the ``measure`` column.
    where : dict
        Column → value (str), values (tuple) or :class:`Prefix`; rows must match all.
    sex : str or None
        ``"total"`` or ``"female"``; None takes the sex of the indicator row.
    scale : float
        Factor applied to the sum (used to correct a unit printed wrongly).
    relabel : dict
        Group label → group it is counted under (e.g. khans → Phnom Penh).
    exclude : tuple of str
        Group labels left out of the group rows (they stay in the total row).
    text : str
        What the selection is, in words, for the methodology page.
    """

    table: str
    measure: str | tuple[str, ...]
    where: dict = field(default_factory=dict)
    sex: str | None = None
    scale: float = 1.0
    relabel: dict = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Indicator:
    """One indicator, declared as data.

    Parameters
    ----------
    id : str
        Stable identifier, e.g. ``"or_fatal_rate"``.
    title : str
        Short title.
    topic : str
        Key of :data:`TOPICS`.
    formula : str
        The formula in words.
    numerator, denominator : Selector
        What is divided by what.
    reference_group : str
        The population the indicator refers to.
    unit : str
        Unit of the value, e.g. ``"per 100,000 workers"``.
    multiplier : float
        Value = numerator / denominator × multiplier.
    group : str
        Label of the total row (the sector, or "Cambodia" for province indicators).
    by : str or None
        Dimension column giving one row per group (``"province"``, ``"item"``).
    sexes : tuple of str
        Sexes computed; with a selector's ``sex=None`` each uses its own rows.
    proportion : bool
        True when the numerator counts a subset of the denominator's units, so that a
        binomial (Wilson) interval makes sense.
    notes : str
        Caveats.
    """

    id: str
    title: str
    topic: str
    formula: str
    numerator: Selector
    denominator: Selector
    reference_group: str
    unit: str
    multiplier: float
    group: str
    by: str | None = None
    sexes: tuple[str, ...] = ("total",)
    proportion: bool = False
    notes: str = ""


# --------------------------------------------------------------------------------------
# Selectors used by several indicators
# --------------------------------------------------------------------------------------
_INJURY_TYPES = ("workplace_accidents", "commuting_accidents", "occupational_diseases")
_DEGREES = ("minor_injuries", "severe_injuries", "deaths")


def _injuries(table: str, types=_INJURY_TYPES, text="all injuries") -> Selector:
    return Selector(table, "injuries", {"injury_type": tuple(types)}, text=text)


def _degree(table: str, degrees, text: str) -> Selector:
    return Selector(table, "injuries", {"degree": tuple(degrees)}, text=text)


_OR_PAID = Selector("t05", "contribution_paid_workers", text="contribution-paid workers")
_OR_REGISTERED = Selector(
    "t02", "members", text="registered workers at year end (head offices + branches)"
)
_PUB_PAID = Selector("t22", "contribution_paid_members", text="contribution-paid members")
_HC_PAID = Selector("t37", "contribution_paid_workers", text="contribution-paid workers")
_PUB_HC_PAID = Selector("t47", "contribution_paid_members", text="contribution-paid members")

_COVERED = (
    "Covered workers are contribution-paid workers: only workers whose contributions were "
    "paid in the year are insured and have their injuries investigated."
)
_REPORTS_NOTE = (
    "An occupational-risk report is a notification, not a confirmed injury; one person may "
    "be reported more than once."
)


def _rate_family(prefix, sector, injuries, degrees, paid, ref, sexes, extra_note=""):
    """Declare the five injury rates and three shares of one sector (data, not logic)."""
    t_inj, t_deg = injuries, degrees
    per = "per 100,000 covered workers"
    return [
        Indicator(
            f"{prefix}_injury_rate",
            f"Occupational injuries per 100,000 covered workers ({sector})",
            "occupational_risk",
            "injuries of every type / covered workers × 100,000",
            _injuries(t_inj),
            paid,
            ref,
            per,
            1e5,
            f"{sector} sector",
            sexes=sexes,
            notes=_COVERED + extra_note,
        ),
        Indicator(
            f"{prefix}_workplace_rate",
            f"Occupational injuries excluding commuting accidents per 100,000 ({sector})",
            "occupational_risk",
            "(workplace accidents + occupational diseases) / covered workers × 100,000",
            _injuries(
                t_inj,
                ("workplace_accidents", "occupational_diseases"),
                "workplace accidents and occupational diseases",
            ),
            paid,
            ref,
            per,
            1e5,
            f"{sector} sector",
            sexes=sexes,
            notes="The ILO definition of occupational injury excludes commuting accidents. "
            + _COVERED,
        ),
        Indicator(
            f"{prefix}_commuting_rate",
            f"Commuting accidents per 100,000 covered workers ({sector})",
            "occupational_risk",
            "commuting accidents / covered workers × 100,000",
            _injuries(t_inj, ("commuting_accidents",), "commuting accidents"),
            paid,
            ref,
            per,
            1e5,
            f"{sector} sector",
            sexes=sexes,
            notes=_COVERED,
        ),
        Indicator(
            f"{prefix}_severe_rate",
            f"Severe injuries per 100,000 covered workers ({sector})",
            "occupational_risk",
            "severe injuries / covered workers × 100,000",
            _degree(t_deg, ("severe_injuries",), "severe injuries"),
            paid,
            ref,
            per,
            1e5,
            f"{sector} sector",
            sexes=sexes,
            notes=_COVERED,
        ),
        Indicator(
            f"{prefix}_fatal_rate",
            f"Fatal occupational injuries per 100,000 covered workers ({sector})",
            "occupational_risk",
            "deaths / covered workers × 100,000 (SDG 8.8.1 style)",
            _degree(t_deg, ("deaths",), "deaths"),
            paid,
            ref,
            per,
            1e5,
            f"{sector} sector",
            sexes=sexes,
            notes="SDG 8.8.1 counts fatal occupational injuries per 100,000 workers; here the "
            "deaths include commuting accidents, which the report does not separate by "
            "degree. " + _COVERED,
        ),
        Indicator(
            f"{prefix}_severe_share",
            f"Share of severe cases among injuries ({sector})",
            "occupational_risk",
            "severe injuries / (minor + severe injuries + deaths) × 100",
            _degree(t_deg, ("severe_injuries",), "severe injuries"),
            _degree(t_deg, _DEGREES, "minor injuries, severe injuries and deaths"),
            f"occupational injuries ({sector} sector)",
            "percent",
            100,
            f"{sector} sector",
            sexes=sexes,
            proportion=True,
            notes="Cases classed as non-occupational risks are left out.",
        ),
        Indicator(
            f"{prefix}_case_fatality",
            f"Case-fatality share ({sector})",
            "occupational_risk",
            "deaths / (minor + severe injuries + deaths) × 100",
            _degree(t_deg, ("deaths",), "deaths"),
            _degree(t_deg, _DEGREES, "minor injuries, severe injuries and deaths"),
            f"occupational injuries ({sector} sector)",
            "percent",
            100,
            f"{sector} sector",
            sexes=sexes,
            proportion=True,
            notes="Cases classed as non-occupational risks are left out.",
        ),
        Indicator(
            f"{prefix}_commuting_share",
            f"Share of commuting accidents among injuries ({sector})",
            "occupational_risk",
            "commuting accidents / injuries of every type × 100",
            _injuries(t_inj, ("commuting_accidents",), "commuting accidents"),
            _injuries(t_inj),
            f"occupational injuries ({sector} sector)",
            "percent",
            100,
            f"{sector} sector",
            sexes=sexes,
            proportion=True,
        ),
    ]


def _compliance(iid, title, table, paid, contributory, group, unit_word):
    return Indicator(
        iid,
        title,
        "compliance",
        f"contribution-paid {unit_word} / contributory {unit_word} × 100",
        Selector(table, paid, text=f"contribution-paid {unit_word}"),
        Selector(table, contributory, text=f"contributory {unit_word}"),
        f"contributory {unit_word}",
        "percent",
        100,
        group,
        proportion=True,
        notes="The report prints this share for enterprises; it is recomputed here.",
    )


def _approval(iid, title, claims_table, provision_table, group, by=None, notes=""):
    return Indicator(
        iid,
        title,
        "benefits",
        "documents provided / documents claimed × 100",
        Selector(provision_table, "provision", text="benefit documents provided"),
        Selector(claims_table, "claims", text="benefit documents claimed"),
        "benefit claims (documents)",
        "percent",
        100,
        group,
        by=by,
        notes="Documents provided in a year may answer claims of an earlier year, so the "
        "ratio can exceed 100 %. " + notes,
    )


_BILLION_TO_THOUSAND_PER = 1e6  # billion riels / n → thousand riels per unit


def _female_share(iid, what, table, measure, group, where=None, by=None, notes="", relabel=None):
    where, relabel = where or {}, relabel or {}
    return Indicator(
        iid,
        f"Female share of {what}, {group}",
        "female_shares",
        f"female {what} / all {what} × 100",
        Selector(table, measure, where, sex="female", relabel=relabel, text=f"female {what}"),
        Selector(table, measure, where, sex="total", relabel=relabel, text=f"all {what}"),
        what,
        "percent",
        100,
        group,
        by=by,
        sexes=("female",),
        proportion=True,
        notes=notes,
    )


def _declare() -> tuple[Indicator, ...]:
    ind: list[Indicator] = []
    ind += _rate_family(
        "or",
        "private",
        "t10",
        "t11",
        _OR_PAID,
        "contribution-paid workers (Table 5)",
        ("total", "female"),
    )
    ind.append(
        Indicator(
            "or_injury_rate_registered",
            "Occupational injuries per 100,000 registered workers (private, sensitivity)",
            "occupational_risk",
            "injuries of every type / registered workers at year end × 100,000",
            _injuries("t10"),
            _OR_REGISTERED,
            "registered workers at year end (Table 2)",
            "per 100,000 registered workers",
            1e5,
            "private sector",
            sexes=("total", "female"),
            notes="Sensitivity variant of or_injury_rate with the year-end register as "
            "denominator; registered workers include workers whose contributions were not "
            "paid.",
        )
    )
    ind += _rate_family(
        "pub",
        "public",
        "t24",
        "t25",
        _PUB_PAID,
        "contribution-paid members (Table 22)",
        ("total", "female"),
        " The public-sector occupational-risk tables report no case in 2021.",
    )
    ind.append(
        Indicator(
            "or_reports_per_1000",
            "Occupational-risk reports per 1,000 registered workers (private)",
            "occupational_risk",
            "occupational-risk reports (central + provincial) / registered workers × 1,000",
            Selector("t09", "occupational_risk_reports", text="occupational-risk reports"),
            _OR_REGISTERED,
            "registered workers at year end (Table 2)",
            "per 1,000 registered workers",
            1e3,
            "private sector",
            notes=_REPORTS_NOTE + " Same definition as the province indicator "
            "or_reports_per_1000_province, so that the national figures agree.",
        )
    )
    # -- compliance -------------------------------------------------------------------
    ind += [
        _compliance(
            "or_enterprise_compliance",
            "Contribution compliance of enterprises (occupational risk)",
            "t05",
            "contribution_paid_enterprises",
            "contributory_enterprises",
            "private sector",
            "enterprises",
        ),
        _compliance(
            "hc_enterprise_compliance",
            "Contribution compliance of enterprises (health care)",
            "t37",
            "contribution_paid_enterprises",
            "contributory_enterprises",
            "private sector",
            "enterprises",
        ),
        _compliance(
            "pension_enterprise_compliance",
            "Contribution compliance of enterprises (pension)",
            "t59",
            "contribution_paid_enterprises",
            "contributory_enterprises",
            "private sector",
            "enterprises",
        ),
        _compliance(
            "pub_institution_compliance",
            "Contribution compliance of institutions (occupational risk)",
            "t22",
            "contribution_paid_institutions",
            "contributory_institutions",
            "public sector",
            "institutions",
        ),
        _compliance(
            "pub_hc_institution_compliance",
            "Contribution compliance of institutions (health care)",
            "t47",
            "contribution_paid_institutions",
            "contributory_institutions",
            "public sector",
            "institutions",
        ),
        Indicator(
            "or_paid_worker_ratio",
            "Contribution-paid workers per 100 registered workers (occupational risk)",
            "compliance",
            "contribution-paid workers (Table 5) / registered workers at year end (Table 2) × 100",
            _OR_PAID,
            _OR_REGISTERED,
            "registered workers at year end (Table 2)",
            "percent",
            100,
            "private sector",
            sexes=("total", "female"),
            notes="Workers paid for during the year are compared with the year-end "
            "register; they are not a strict subset of it.",
        ),
        Indicator(
            "or_contribution_per_worker",
            "Contributions per contribution-paid worker (occupational risk)",
            "compliance",
            "contributions (billion riels) / contribution-paid workers × 1,000,000",
            Selector("t05", "contributions", sex="total", text="contributions (billion riels)"),
            Selector("t05", "contribution_paid_workers", sex="total", text="workers"),
            "contribution-paid workers (Table 5)",
            "thousand riels per worker",
            _BILLION_TO_THOUSAND_PER,
            "private sector",
        ),
        Indicator(
            "hc_contribution_per_worker",
            "Contributions per contribution-paid worker (health care)",
            "compliance",
            "contributions (billion riels) / contribution-paid workers × 1,000,000",
            Selector("t37", "contributions", sex="total", text="contributions (billion riels)"),
            Selector("t37", "contribution_paid_workers", sex="total", text="workers"),
            "contribution-paid workers (Table 37)",
            "thousand riels per worker",
            _BILLION_TO_THOUSAND_PER,
            "private sector",
        ),
    ]
    # -- claims and expenditure -------------------------------------------------------
    ind += [
        _approval(
            "or_claim_approval",
            "Benefit documents provided per 100 claimed (occupational risk, private)",
            "t13",
            "t14",
            "private sector",
            notes="Table 13 and Table 14 list benefits differently (nursing and caretakers' "
            "benefits are provided but not claimed separately), so only totals compare.",
        ),
        _approval(
            "pub_claim_approval",
            "Benefit documents provided per 100 claimed (occupational risk, public)",
            "t26",
            "t27",
            "public sector",
            notes="Only totals compare (Table 26 and Table 27 list benefits differently).",
        ),
        _approval(
            "hc_claim_approval",
            "Benefit documents provided per 100 claimed (health care, private)",
            "t39",
            "t40",
            "all benefits",
            by="item",
            notes="Table 39 and Table 40 list the same benefits, so each is compared.",
        ),
        _approval(
            "pub_hc_claim_approval",
            "Benefit documents provided per 100 claimed (health care, public)",
            "t48",
            "t49",
            "public sector",
        ),
        Indicator(
            "or_benefit_per_victim",
            "Cash-benefit expenditure per victim receiving benefits (occupational risk, private)",
            "benefits",
            "benefit expenditure (rows 1.x, billion riels) / victims receiving benefits × "
            "1,000,000",
            Selector(
                "t18",
                "expenditure",
                {"no": Prefix("1.")},
                sex="total",
                text="occupational-risk benefit expenditure (rows 1.1-1.8)",
            ),
            Selector("t15", "victims_receiving_benefits", sex="total", text="victims"),
            "victims receiving benefits (Table 15)",
            "thousand riels per victim",
            _BILLION_TO_THOUSAND_PER,
            "private sector",
            notes="Health-facility payments (rows 2.x) are left out: they pay for care, "
            "not for the victims counted in Table 15. Pensions paid in a year include "
            "pensions awarded in earlier years.",
        ),
        Indicator(
            "or_benefit_per_document",
            "Cash-benefit expenditure per benefit document provided (occupational risk, private)",
            "benefits",
            "benefit expenditure (rows 1.x, billion riels) / documents provided × 1,000,000",
            Selector(
                "t18",
                "expenditure",
                {"no": Prefix("1.")},
                sex="total",
                text="occupational-risk benefit expenditure (rows 1.1-1.8)",
            ),
            Selector("t14", "provision", text="benefit documents provided"),
            "benefit documents provided (Table 14)",
            "thousand riels per document",
            _BILLION_TO_THOUSAND_PER,
            "private sector",
        ),
        Indicator(
            "or_facility_per_service",
            "Health-facility expenditure per service use (occupational risk, private)",
            "benefits",
            "health-facility expenditure (rows 2.x, billion riels) / (outpatient + inpatient "
            "services) × 1,000,000",
            Selector(
                "t18",
                "expenditure",
                {"no": Prefix("2.")},
                sex="total",
                text="health-facility expenditure (rows 2.1-2.2)",
            ),
            Selector("t16", "members_accessing_services", text="outpatient + inpatient uses"),
            "service uses (Table 16)",
            "thousand riels per service use",
            _BILLION_TO_THOUSAND_PER,
            "private sector",
        ),
        Indicator(
            "pub_benefit_per_victim",
            "Cash-benefit expenditure per victim receiving benefits (occupational risk, public)",
            "benefits",
            "benefit expenditure (rows 1.x, million riels as corrected) / victims receiving "
            "benefits × 1,000,000",
            Selector(
                "t31",
                "expenditure",
                {"no": Prefix("1.")},
                sex="total",
                scale=units.factor(units.reading("t31", "billion riels"), "billion riels"),
                text="benefit expenditure (rows 1.1-1.7), read as million riels and "
                "converted to billion riels",
            ),
            Selector("t28", "victims_receiving_benefits", sex="total", text="victims"),
            "victims receiving benefits (Table 28)",
            "thousand riels per victim",
            _BILLION_TO_THOUSAND_PER,
            "public sector",
            notes="Table 31's amounts in the reading stated under Conventions above.",
        ),
        Indicator(
            "hc_benefit_per_beneficiary",
            "Cash-benefit expenditure per member receiving benefits (health care, private)",
            "benefits",
            "benefit expenditure (rows 1.x, billion riels) / members receiving benefits × "
            "1,000,000",
            Selector(
                "t44",
                "expenditure",
                {"no": Prefix("1.")},
                sex="total",
                text="daily, emergency and maternity benefit expenditure (rows 1.1-1.3)",
            ),
            Selector("t41", "members_receiving_benefits", sex="total", text="members"),
            "members receiving benefits (Table 41)",
            "thousand riels per member",
            _BILLION_TO_THOUSAND_PER,
            "private sector",
        ),
        Indicator(
            "hc_benefit_per_document",
            "Cash-benefit expenditure per benefit document provided (health care, private)",
            "benefits",
            "benefit expenditure (rows 1.x, billion riels) / documents provided × 1,000,000",
            Selector(
                "t44",
                "expenditure",
                {"no": Prefix("1.")},
                sex="total",
                text="daily, emergency and maternity benefit expenditure (rows 1.1-1.3)",
            ),
            Selector("t40", "provision", text="benefit documents provided"),
            "benefit documents provided (Table 40)",
            "thousand riels per document",
            _BILLION_TO_THOUSAND_PER,
            "private sector",
        ),
        Indicator(
            "hc_facility_per_service",
            "Hospital expenditure per service use (health care, private)",
            "benefits",
            "official-hospital expenditure (row 2, billion riels) / (outpatient + inpatient "
            "services) × 1,000,000",
            Selector(
                "t44",
                "expenditure",
                {"no": Prefix("2")},
                sex="total",
                text="official-hospital expenditure (row 2)",
            ),
            Selector("t42", "members_accessing_services", text="outpatient + inpatient uses"),
            "service uses (Table 42)",
            "thousand riels per service use",
            _BILLION_TO_THOUSAND_PER,
            "private sector",
        ),
        Indicator(
            "pub_hc_facility_per_service",
            "Hospital expenditure per service use (health care, public)",
            "benefits",
            "official-hospital expenditure (row 2, billion riels) / (outpatient + inpatient "
            "services) × 1,000,000",
            Selector(
                "t53",
                "expenditure",
                {"no": "2"},
                sex="total",
                text="official-hospital expenditure (row 2)",
            ),
            Selector("t51", "members_accessing_services", text="outpatient + inpatient uses"),
            "service uses (Table 51)",
            "thousand riels per service use",
            _BILLION_TO_THOUSAND_PER,
            "public sector",
        ),
    ]
    # -- health-care use --------------------------------------------------------------
    for prefix, sector, use_t, paid, paid_t in (
        ("hc", "private", "t42", _HC_PAID, "Table 37"),
        ("pub_hc", "public", "t51", _PUB_HC_PAID, "Table 47"),
    ):
        ind += [
            Indicator(
                f"{prefix}_opd_per_member",
                f"Outpatient visits per member ({sector})",
                "health_care",
                "outpatient visits / contribution-paid members",
                Selector(
                    use_t,
                    "members_accessing_services",
                    {"item": "Outpatient Department (OPD)"},
                    text="outpatient visits",
                ),
                paid,
                f"contribution-paid members ({paid_t})",
                "visits per member",
                1,
                f"{sector} sector",
                notes="Visits are counted as times/persons: one member may visit many times.",
            ),
            Indicator(
                f"{prefix}_ipd_per_1000",
                f"Inpatient admissions per 1,000 members ({sector})",
                "health_care",
                "inpatient admissions / contribution-paid members × 1,000",
                Selector(
                    use_t,
                    "members_accessing_services",
                    {"item": "Inpatient Department (IPD)"},
                    text="inpatient admissions",
                ),
                paid,
                f"contribution-paid members ({paid_t})",
                "per 1,000 members",
                1e3,
                f"{sector} sector",
            ),
        ]
    # -- maternity and childbirth ---------------------------------------------------
    ind += [
        Indicator(
            "hc_maternity_per_1000_females",
            "Maternity-benefit documents per 1,000 female members (health care, private)",
            "childbirth",
            "maternity-benefit documents provided / female contribution-paid workers × 1,000",
            Selector(
                "t40",
                "provision",
                {"item": "Maternity Benefits"},
                sex="total",
                text="maternity-benefit documents provided",
            ),
            Selector("t37", "contribution_paid_workers", sex="female", text="female workers"),
            "female contribution-paid workers (Table 37)",
            "per 1,000 female members",
            1e3,
            "private sector",
            sexes=("female",),
        ),
        Indicator(
            "childbirth_mothers_per_1000_females",
            "Mothers receiving the childbirth allowance per 1,000 female members (formal)",
            "childbirth",
            "mothers receiving the allowance (formal sector) / female contribution-paid "
            "workers × 1,000",
            Selector(
                "t61",
                "mothers",
                {"worker_group": "formal"},
                sex="total",
                text="mothers receiving the allowance, formal sector",
            ),
            Selector("t37", "contribution_paid_workers", sex="female", text="female workers"),
            "female contribution-paid workers (Table 37)",
            "per 1,000 female members",
            1e3,
            "formal sector",
            sexes=("female",),
        ),
        Indicator(
            "childbirth_mothers_per_1000_females_province",
            "Mothers receiving the childbirth allowance per 1,000 female members, by province",
            "provinces",
            "mothers receiving the allowance (formal sector, Annex 6.5.2) / female workers "
            "registered in the health-care scheme (Annex 6.3.1) × 1,000",
            Selector(
                "a6_5_2",
                "mothers",
                {"sector": "formal"},
                sex="total",
                exclude=("Abroad",),
                text="mothers receiving the allowance, formal sector",
            ),
            Selector("a6_3_1", "workers", sex="female", text="female registered workers"),
            "female workers registered in the health-care scheme (Annex 6.3.1)",
            "per 1,000 female members",
            1e3,
            "Cambodia",
            by="province",
            sexes=("female",),
            notes="Births abroad are in the national row but in no province. A mother is "
            "counted where her allowance was paid; workers where their employer is "
            "registered.",
        ),
    ]
    # -- provinces --------------------------------------------------------------------
    ind.append(
        Indicator(
            "or_reports_per_1000_province",
            "Occupational-risk reports per 1,000 registered workers, by province (private)",
            "provinces",
            "occupational-risk reports (Annex 6.1.4) / registered workers (Annex 6.1.1) × 1,000",
            Selector(
                "a6_1_4",
                "occupational_risk_reports",
                relabel=KHANS_TO_PHNOM_PENH,
                text="occupational-risk reports (Phnom Penh khan branches added to Phnom Penh)",
            ),
            Selector("a6_1_1", "workers", text="registered workers"),
            "registered workers (Annex 6.1.1)",
            "per 1,000 registered workers",
            1e3,
            "Cambodia",
            by="province",
            sexes=("total", "female"),
            notes=_REPORTS_NOTE + " Khan branches of Phnom Penh have no worker count of "
            "their own and are added to Phnom Penh. Workers are counted where their "
            "employer is registered: members registered at the head office may work in "
            "another province.",
        )
    )
    # -- female shares ----------------------------------------------------------------
    ind += [
        _female_share(
            "female_share_or_registered",
            "registered workers (occupational risk)",
            "t02",
            "members",
            "private sector",
        ),
        _female_share(
            "female_share_or_paid",
            "contribution-paid workers (occupational risk)",
            "t05",
            "contribution_paid_workers",
            "private sector",
        ),
        _female_share(
            "female_share_or_injuries",
            "occupational injuries",
            "t10",
            "injuries",
            "private sector",
            {"injury_type": _INJURY_TYPES},
        ),
        _female_share(
            "female_share_or_commuting",
            "commuting accidents",
            "t10",
            "injuries",
            "private sector",
            {"injury_type": "commuting_accidents"},
        ),
        _female_share(
            "female_share_or_severe",
            "severe injuries",
            "t11",
            "injuries",
            "private sector",
            {"degree": "severe_injuries"},
        ),
        _female_share(
            "female_share_or_deaths",
            "deaths",
            "t11",
            "injuries",
            "private sector",
            {"degree": "deaths"},
        ),
        _female_share(
            "female_share_or_victims",
            "victims receiving benefits",
            "t15",
            "victims_receiving_benefits",
            "private sector",
        ),
        _female_share(
            "female_share_pub_paid",
            "contribution-paid members (occupational risk)",
            "t22",
            "contribution_paid_members",
            "public sector",
        ),
        _female_share(
            "female_share_pub_injuries",
            "occupational injuries",
            "t24",
            "injuries",
            "public sector",
            {"injury_type": _INJURY_TYPES},
        ),
        _female_share(
            "female_share_pub_deaths",
            "deaths",
            "t25",
            "injuries",
            "public sector",
            {"degree": "deaths"},
        ),
        _female_share(
            "female_share_hc_paid",
            "contribution-paid workers (health care)",
            "t37",
            "contribution_paid_workers",
            "private sector",
        ),
        _female_share(
            "female_share_hc_beneficiaries",
            "members receiving benefits (health care)",
            "t41",
            "members_receiving_benefits",
            "private sector",
            notes="Maternity benefits make most health-care cash benefits.",
        ),
        _female_share(
            "female_share_pub_hc_paid",
            "contribution-paid members (health care)",
            "t47",
            "contribution_paid_members",
            "public sector",
        ),
        _female_share(
            "female_share_pub_hc_beneficiaries",
            "members receiving benefits (health care)",
            "t50",
            "members_receiving_benefits",
            "public sector",
        ),
        _female_share(
            "female_share_pension_paid",
            "contribution-paid members (pension)",
            "t59",
            "contribution_paid_members",
            "private sector",
        ),
        _female_share(
            "female_share_reports_province",
            "occupational-risk reports",
            "a6_1_4",
            "occupational_risk_reports",
            "Cambodia",
            by="province",
            notes="Khan branches are added to Phnom Penh.",
            relabel=KHANS_TO_PHNOM_PENH,
        ),
    ]
    return tuple(ind)


#: Every indicator, in presentation order.
INDICATORS: tuple[Indicator, ...] = _declare()
_BY_ID = {i.id: i for i in INDICATORS}
if len(_BY_ID) != len(INDICATORS):  # pragma: no cover - a declaration error
    raise NSSFError("indicators: duplicate indicator id")


def get(indicator_id: str) -> Indicator:
    """Return the declaration of one indicator.

    Parameters
    ----------
    indicator_id : str
        E.g. ``"or_fatal_rate"``.

    Returns
    -------
    Indicator
        The declaration.
    """
    try:
        return _BY_ID[indicator_id]
    except KeyError:
        raise NSSFError(f"unknown indicator {indicator_id!r}; known: {', '.join(_BY_ID)}") from None


def definitions() -> pd.DataFrame:
    """Return one row per indicator: id, title, topic, formula, tables, unit, notes.

    Returns
    -------
    DataFrame
        Columns ``indicator``, ``title``, ``topic``, ``formula``, ``numerator_table``,
        ``numerator``, ``denominator_table``, ``denominator``, ``reference_group``,
        ``unit``, ``multiplier``, ``by``, ``sexes``, ``proportion`` and ``notes``.
    """
    rows = []
    for i in INDICATORS:
        rows.append(
            {
                "indicator": i.id,
                "title": i.title,
                "topic": i.topic,
                "formula": i.formula,
                "numerator_table": i.numerator.table,
                "numerator": i.numerator.text,
                "denominator_table": i.denominator.table,
                "denominator": i.denominator.text,
                "reference_group": i.reference_group,
                "unit": i.unit,
                "multiplier": i.multiplier,
                "by": i.by or "",
                "sexes": ", ".join(i.sexes),
                "proportion": i.proportion,
                "notes": i.notes,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Computation
# --------------------------------------------------------------------------------------
def change(base, current):
    """Return the relative change from ``base`` to ``current`` in percent, or a label.

    Parameters
    ----------
    base, current : float or None
        Values of the previous and the current year.

    Returns
    -------
    float or str
        ``(current - base) / base × 100``; :data:`NEW` ("new") when the base is zero and
        the current value is not; :data:`NO_CHANGE` ("–") when both are zero;
        :data:`NOT_AVAILABLE` ("n/a") when either is missing. Never infinity, never a
        made-up 100 %.

    Examples
    --------
    >>> change(200, 221)
    10.5
    >>> change(0, 5), change(0, 0), change(None, 5)
    ('new', '–', 'n/a')
    """
    if _missing(base) or _missing(current):
        return NOT_AVAILABLE
    base, current = float(base), float(current)
    if base == 0:
        return NO_CHANGE if current == 0 else NEW
    return (current - base) / base * 100


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def _mask(series: pd.Series, cond) -> pd.Series:
    if isinstance(cond, Prefix):
        return series.astype(str).str.startswith(cond.text)
    if isinstance(cond, tuple | list | set | frozenset):
        return series.isin(list(cond))
    return series == cond


def _table_years(table_id: str) -> set[int]:
    return set(load_table(table_id)["year"])


def _select(sel: Selector, year: int, sex: str) -> pd.DataFrame | None:
    """Rows of ``sel`` for one year and sex; None when the table has no such year."""
    df = load_table(sel.table)
    if year not in set(df["year"]):
        return None
    d = df[df["year"] == year]
    measures = sel.measure if isinstance(sel.measure, tuple) else (sel.measure,)
    d = d[d["measure"].isin(measures)]
    for col, cond in sel.where.items():
        if col not in d.columns:
            raise NSSFError(f"indicator selector: {sel.table} has no column {col!r}")
        d = d[_mask(d[col], cond)]
    d = d[d["sex"] == (sel.sex or sex)]
    if d.empty:
        raise NSSFError(
            f"indicator selector matched no row: table {sel.table}, measure {sel.measure}, "
            f"where {sel.where}, sex {sel.sex or sex}, year {year}"
        )
    return d


def _sums(sel: Selector, year: int, sex: str, by: str | None):
    """Return (total, {group: sum}) or (None, None) when the year is missing."""
    d = _select(sel, year, sex)
    if d is None:
        return None, None
    values = d["value"].astype(float) * sel.scale
    total = float(values.sum())
    if by is None:
        return total, {}
    labels = d[by].map(lambda x: sel.relabel.get(x, x))
    groups: dict[str, float] = {}
    for label, v in zip(labels, values, strict=True):
        if label in sel.exclude:
            continue
        groups[label] = groups.get(label, 0.0) + float(v)
    return total, groups


def _label(table_id: str) -> str:
    """Return the report's label of a table ("Table 59") for a table id."""
    cat = catalog().set_index("table_id")
    return str(cat.loc[table_id, "label"]) if table_id in cat.index else table_id


def _row(ind, dimension, group, sex, year, num, den, note=""):
    if num is None or den is None:
        value = np.nan
    elif den == 0:
        value = np.nan
        note = note or "denominator is zero"
    else:
        value = num / den * ind.multiplier
    return {
        "indicator": ind.id,
        "title": ind.title,
        "topic": ind.topic,
        "dimension": dimension,
        "group": group,
        "sex": sex,
        "year": year,
        "numerator": np.nan if num is None else num,
        "denominator": np.nan if den is None else den,
        "value": value,
        "unit": ind.unit,
        "note": note,
    }


def evaluate(ind: Indicator, year: int) -> list[dict]:
    """Evaluate one indicator declaration for one year (no change from the year before).

    Parameters
    ----------
    ind : Indicator
        A declaration (one of :data:`INDICATORS` or a new one).
    year : int
        The year.

    Returns
    -------
    list of dict
        One record per group and sex, with the columns of :func:`compute` except the
        change columns. A table without data for the year gives one total row whose
        value is NaN and whose note says "not available: …".

    Raises
    ------
    NSSFError
        When a table has data for the year but the selector matches no row (a
        declaration that no longer fits the data).
    """
    rows = []
    for sex in ind.sexes:
        num_total, num_groups = _sums(ind.numerator, year, sex, ind.by)
        den_total, den_groups = _sums(ind.denominator, year, sex, ind.by)
        missing = [
            s.table
            for s, v in ((ind.numerator, num_total), (ind.denominator, den_total))
            if v is None
        ]
        total_dim = "total" if ind.by else "sector"
        if missing:
            labels = [_label(t) for t in sorted(set(missing))]
            verb = "has" if len(labels) == 1 else "have"
            note = f"not available: {' and '.join(labels)} {verb} no {year} data"
            rows.append(_row(ind, total_dim, ind.group, sex, year, None, None, note))
            continue
        rows.append(_row(ind, total_dim, ind.group, sex, year, num_total, den_total))
        if ind.by:
            for g in list(dict.fromkeys([*den_groups, *num_groups])):
                num, den = num_groups.get(g), den_groups.get(g)
                note = ""
                if num is None and g not in ind.numerator.exclude:
                    note = f"no {ind.numerator.table} row"
                if den is None:
                    note = f"no {ind.denominator.table} row"
                rows.append(_row(ind, ind.by, g, sex, year, num, den, note))
    return rows


def _compute_year(year: int, ids) -> pd.DataFrame:
    rows = []
    for i in ids:
        rows += evaluate(get(i), year)
    return pd.DataFrame(rows)


def compute(year, ids=None) -> pd.DataFrame:
    """Compute the indicators for one report year, with the change from the year before.

    Parameters
    ----------
    year : int
        A year with data (see :func:`nssf_analysis.catalog.check_year`).
    ids : list of str, optional
        Indicator ids (default: all of :data:`INDICATORS`).

    Returns
    -------
    DataFrame
        One row per indicator, group and sex: ``indicator``, ``title``, ``topic``,
        ``dimension`` (sector / total / province / item), ``group``, ``sex``, ``year``,
        ``numerator``, ``denominator``, ``value``, ``unit``, ``previous`` (value of the
        year before), ``change_pct`` (relative change in percent, NaN when it is a
        label), ``difference`` (value − previous, in the unit: percentage points for
        shares), ``change_note`` ("" when the change is a number, else "new", "–" or
        "n/a") and ``note`` (why a value is missing). Values are not rounded.

    Raises
    ------
    YearNotAvailableError
        When ``year`` has no data at all.
    """
    year = check_year(year)
    ids = list(ids) if ids is not None else [i.id for i in INDICATORS]
    cur = _compute_year(year, ids)
    keys = ["indicator", "dimension", "group", "sex"]
    if year - 1 in available_years():
        prev = _compute_year(year - 1, ids)[[*keys, "value"]]
        prev = prev.rename(columns={"value": "previous"})
        cur = cur.merge(prev, on=keys, how="left")
    else:
        cur["previous"] = np.nan
    changes = [change(b, c) for b, c in zip(cur["previous"], cur["value"], strict=True)]
    cur["change_pct"] = [c if isinstance(c, float) else np.nan for c in changes]
    cur["change_note"] = [c if isinstance(c, str) else "" for c in changes]
    cur["difference"] = cur["value"] - cur["previous"]
    return cur[OUTPUT_COLUMNS].reset_index(drop=True)


def value(frame: pd.DataFrame, indicator_id: str, group=None, sex=None) -> float:
    """Return one value of a :func:`compute` result.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`compute`.
    indicator_id : str
        Indicator id.
    group : str, optional
        Group label (default: the indicator's total row).
    sex : str, optional
        Sex (default: the indicator's first sex).

    Returns
    -------
    float
        The value (NaN when not available).
    """
    ind = get(indicator_id)
    group = group or ind.group
    sex = sex or ind.sexes[0]
    row = frame[
        (frame["indicator"] == indicator_id) & (frame["group"] == group) & (frame["sex"] == sex)
    ]
    if len(row) != 1:
        raise NSSFError(f"{indicator_id}: no single row for group {group!r}, sex {sex!r}")
    return float(row["value"].iloc[0])


# --------------------------------------------------------------------------------------
# Display and prose
# --------------------------------------------------------------------------------------
def fmt(x, unit: str = "", decimals: int = 2) -> str:
    """Format a number for display and prose (rounding happens here only).

    Parameters
    ----------
    x : float
        The number (NaN gives "n/a").
    unit : str
        ``"percent"`` adds "%"; ``"count"`` shows whole numbers without decimals;
        anything else shows ``decimals`` decimals.
    decimals : int
        Decimals of non-count numbers.

    Returns
    -------
    str
        E.g. ``"1,061.63"``, ``"94.99%"``, ``"14,742"``.
    """
    if _missing(x):
        return NOT_AVAILABLE
    x = float(x)
    if unit == "percent":
        return f"{x:,.{decimals}f}%"
    if unit == "count":
        return f"{x:,.0f}" if x == int(x) else f"{x:,.2f}"
    return f"{x:,.{decimals}f}"


def format_change(change_pct, change_note, unit: str = "", difference=np.nan) -> str:
    """Format a change for display: "+16.4%", "new", "–" or "n/a".

    Parameters
    ----------
    change_pct : float
        Relative change in percent (NaN when it is a label).
    change_note : str
        The label when there is no number.
    unit : str
        Unit of the indicator; for "percent" the difference in points is added.
    difference : float
        Difference in the indicator's unit.

    Returns
    -------
    str
        The formatted change.
    """
    if change_note:
        return change_note
    if _missing(change_pct):
        return NOT_AVAILABLE
    text = f"{change_pct:+,.1f}%"
    if unit == "percent" and not _missing(difference):
        text += f" ({difference:+,.2f} pts)"
    return text


def display_table(frame: pd.DataFrame, topic: str | None = None):
    """Return a display table of :func:`compute` results: rounded text, one topic.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`compute`.
    topic : str, optional
        Key of :data:`TOPICS` to keep.

    Returns
    -------
    pandas.io.formats.style.Styler
        Of a frame (``.data``) with columns Indicator, Group, Sex, Numerator,
        Denominator, Value, Unit, Previous, Change, Note — formatted strings for display
        only; no index, text left and numbers right.
    """
    df = frame if topic is None else frame[frame["topic"] == topic]
    out = pd.DataFrame(
        {
            "Indicator": df["title"],
            "Group": df["group"],
            "Sex": df["sex"],
            "Numerator": [fmt(v, "count") for v in df["numerator"]],
            "Denominator": [fmt(v, "count") for v in df["denominator"]],
            "Value": [fmt(v, u) for v, u in zip(df["value"], df["unit"], strict=True)],
            "Unit": df["unit"],
            "Previous": [fmt(v, u) for v, u in zip(df["previous"], df["unit"], strict=True)],
            "Change": [
                format_change(c, n, u, d)
                for c, n, u, d in zip(
                    df["change_pct"], df["change_note"], df["unit"], df["difference"], strict=True
                )
            ],
            "Note": df["note"],
        }
    )
    return plain_table(out.reset_index(drop=True), f"indicators-{topic or 'all'}")


def describe(frame: pd.DataFrame, topic: str) -> str:
    """Return Markdown prose describing one topic of :func:`compute` results.

    Every number in the text comes from ``frame``; nothing is typed by hand.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`compute`.
    topic : str
        Key of :data:`TOPICS`.

    Returns
    -------
    str
        Markdown: one bullet per indicator (its total row, total sex first), with the
        numerator, denominator and the change from the previous year.
    """
    df = frame[(frame["topic"] == topic) & frame["dimension"].isin(["sector", "total"])]
    if df.empty:
        return f"No indicator of topic {topic!r}."
    year = int(df["year"].iloc[0])
    no_base = year - 1 not in available_years()
    lines = []
    for _, r in df.iterrows():
        both = len(get(r["indicator"]).sexes) > 1
        who = " (females)" if both and r["sex"] == "female" else ""
        if _missing(r["value"]):
            reason = str(r["note"] or NOT_AVAILABLE)
            lines.append(f"- **{r['title']}**{who}: {reason}.")
            continue
        ch = format_change(r["change_pct"], r["change_note"], r["unit"], r["difference"])
        if no_base:
            prev = ""
        elif not _missing(r["previous"]):
            prev = f"; {year - 1}: {fmt(r['previous'], r['unit'])}, change {ch}"
        elif ch == NOT_AVAILABLE:
            prev = f"; no {year - 1} value to compare"
        else:
            prev = f"; change {ch}"
        unit = "" if r["unit"] == "percent" else f" {r['unit']}"
        lines.append(
            f"- **{r['title']}**{who}: {fmt(r['value'], r['unit'])}{unit} "
            f"({fmt(r['numerator'], 'count')} / {fmt(r['denominator'], 'count')}){prev}."
        )
    head = f"In {year}:"
    if no_base:
        head = (
            f"In {year} (there is no {year - 1} data, so no change from the previous year "
            f"can be computed):"
        )
    return head + "\n\n" + "\n".join(lines)


#: Columns of :func:`province_table`: (indicator, sex, column title).
PROVINCE_COLUMNS = (
    ("or_reports_per_1000_province", "total", "Reports per 1,000 workers"),
    ("or_reports_per_1000_province", "female", "Reports per 1,000 female workers"),
    ("female_share_reports_province", "female", "Female share of reports (%)"),
    (
        "childbirth_mothers_per_1000_females_province",
        "female",
        "Childbirth-allowance mothers per 1,000 female members",
    ),
)


def province_table(frame: pd.DataFrame):
    """Return a display table of the province indicators: one row per province.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`compute`.

    Returns
    -------
    pandas.io.formats.style.Styler
        Of a frame (``.data``) with Province, reports, registered workers, and one
        column per entry of :data:`PROVINCE_COLUMNS` (formatted text; the national row
        first). When the province tables have no data for the year, one row that says so.
    """
    rep = frame[(frame["indicator"] == "or_reports_per_1000_province") & (frame["sex"] == "total")]
    if rep.empty or rep["value"].isna().all():
        note = rep["note"].iloc[0] if not rep.empty else "not computed"
        return plain_table(
            pd.DataFrame({"Province": ["Cambodia"], "Note": [note]}), "indicators-provinces"
        )
    out = pd.DataFrame(
        {
            "Province": rep["group"].to_numpy(),
            "Reports": [fmt(v, "count") for v in rep["numerator"]],
            "Registered workers": [fmt(v, "count") for v in rep["denominator"]],
        }
    )
    for iid, sex, title in PROVINCE_COLUMNS:
        d = frame[(frame["indicator"] == iid) & (frame["sex"] == sex)]
        values = dict(zip(d["group"], d["value"], strict=True))
        out[title] = [fmt(values.get(g, np.nan)) for g in out["Province"]]
    return plain_table(out, "indicators-provinces")


def describe_provinces(frame: pd.DataFrame, indicator_id: str, n: int = 3) -> str:
    """Return Markdown prose on the highest and lowest provinces of one indicator.

    Parameters
    ----------
    frame : DataFrame
        A result of :func:`compute`.
    indicator_id : str
        A by-province indicator.
    n : int
        How many provinces to name at each end.

    Returns
    -------
    str
        Markdown naming the national value and the ``n`` highest and lowest provinces,
        or saying that the province data are not available for the year.
    """
    ind = get(indicator_id)
    df = frame[(frame["indicator"] == indicator_id) & (frame["sex"] == ind.sexes[0])]
    if df.empty:
        return f"{ind.title}: not computed."
    year = int(df["year"].iloc[0])
    total = df[df["dimension"] == "total"].iloc[0]
    if _missing(total["value"]):
        reason = str(total["note"]).removeprefix("not available: ")
        return (
            f"**{ind.title}** cannot be computed for {year}: {reason} "
            f"(the province annex tables exist for {', '.join(map(str, input_years(ind.id)))} "
            f"only)."
        )
    prov = df[(df["dimension"] == ind.by) & df["value"].notna()].sort_values(
        "value", ascending=False
    )

    def names(d):
        return ", ".join(f"{g} ({fmt(v)})" for g, v in zip(d["group"], d["value"], strict=True))

    return (
        f"**{ind.title}**, {year}: {fmt(total['value'])} {ind.unit} nationally "
        f"({fmt(total['numerator'], 'count')} / {fmt(total['denominator'], 'count')}), over "
        f"{len(prov)} "
        f"provinces. Highest: {names(prov.head(n))}. Lowest: {names(prov.tail(n)[::-1])}."
    )


def input_years(indicator_id: str) -> list[int]:
    """Return the years in which both the numerator and the denominator table have data.

    Parameters
    ----------
    indicator_id : str
        Indicator id.

    Returns
    -------
    list of int
        Sorted years.
    """
    ind = get(indicator_id)
    return sorted(_table_years(ind.numerator.table) & _table_years(ind.denominator.table))


def methodology_markdown() -> str:
    """Return the Markdown page that defines every indicator.

    Returns
    -------
    str
        A page with the general conventions (covered workers, Phnom Penh khans, births
        abroad, the unit of Table 31, how changes are labelled) and, per topic, every
        indicator's formula, numerator and denominator tables, reference group, unit,
        multiplier and caveats.
    """
    cat = catalog().set_index("table_id")

    def table(sel: Selector) -> str:
        label = cat.loc[sel.table, "label"] if sel.table in cat.index else sel.table
        title = cat.loc[sel.table, "title"] if sel.table in cat.index else ""
        sex = f"; sex: {sel.sex}" if sel.sex else ""
        return f"{label} (`{sel.table}`, *{title}*): {sel.text}{sex}"

    out = [
        "# Methodology: indicators",
        "",
        "Every indicator is declared once in `nssf_analysis.indicators` and computed from "
        "the tidy tables by `compute(year)`: value = numerator / denominator × multiplier. "
        "Values are kept unrounded; they are rounded only for display.",
        "",
        "## Conventions",
        "",
        "- **Covered workers.** Rates of the private sector use the contribution-paid "
        "workers of the year (Table 5 for occupational risk, Table 37 for health care) "
        "as the population at risk: only workers whose contributions were paid are "
        "insured, and these are the workers whose injuries NSSF investigates. The year-end "
        "register (Table 2) is used in a sensitivity variant and wherever the report gives "
        "no other count (the province annex). The public sector uses contribution-paid "
        "members (Table 22 and Table 47).",
        "- **Phnom Penh khans.** Annex 6.1.4 lists the khan branches "
        f"({', '.join(KHANS)}) apart from Phnom Penh, but Annex 6.1.1 has one worker count "
        "for Phnom Penh and the other 24 provinces add up to the provincial-branch total "
        "of Table 2. The khans' reports are therefore added to Phnom Penh, which keeps the "
        "annex totals equal to Table 9 (reports) and Table 2 (workers).",
        "- **Births abroad** (Annex 6.5.2) count in the national figure only.",
        units.methodology_markdown(),
        "- **Change** is the relative change from the previous year, in percent; for "
        "shares the difference in percentage points is shown too. A change from zero is "
        f"labelled \u201c{NEW}\u201d, no change between two zeros \u201c{NO_CHANGE}\u201d, "
        f"and a change that cannot be computed (the previous year has no data) "
        f"\u201c{NOT_AVAILABLE}\u201d; never infinity, never 100 %.",
        "- **Not available.** When a table has no data for the year, the indicator's value "
        "is empty and its note names the table; no number is made up.",
        "",
    ]
    for topic, heading in TOPICS.items():
        inds = [i for i in INDICATORS if i.topic == topic]
        if not inds:
            continue
        out += [f"## {heading}", ""]
        for i in inds:
            by = f" One row per {i.by}, plus the national total ({i.group})." if i.by else ""
            sexes = " and ".join(i.sexes)
            out += [
                f"### {i.title}",
                "",
                f"- **Id:** `{i.id}`",
                f"- **Formula:** {i.formula}",
                f"- **Numerator:** {table(i.numerator)}",
                f"- **Denominator:** {table(i.denominator)}",
                f"- **Reference group:** {i.reference_group}.{by}",
                f"- **Unit:** {i.unit} (multiplier {i.multiplier:,g}); computed for: {sexes}",
            ]
            if i.notes:
                out.append(f"- **Caveats:** {i.notes}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"
