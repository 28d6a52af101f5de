"""What an indicator declaration is, and the building blocks the declarations share.

An indicator is an :class:`Indicator` (keyword-only fields): an id, a title, the
formula in words, a numerator and a denominator (:class:`~nssf_analysis.analysis.select.Selector`:
which rows of which tidy table are summed), the reference group, the unit, the
multiplier and notes. The declarations themselves are in
:mod:`nssf_analysis.analysis.indicator_declarations` (a new indicator goes there); this
module holds the dataclass, the topics, the Phnom Penh khans and the helpers that
declare families of indicators (the injury rates of a sector, compliance shares,
approval ratios, female shares). The computation is :mod:`nssf_analysis.analysis.indicators`.
"""

from __future__ import annotations

from dataclasses import dataclass

from nssf_analysis.analysis.select import Selector

__all__ = [
    "BILLION_TO_THOUSAND_PER",
    "COVERED",
    "DEGREES",
    "HC_PAID",
    "INJURY_TYPES",
    "Indicator",
    "KHANS",
    "KHANS_TO_PHNOM_PENH",
    "OR_PAID",
    "OR_REGISTERED",
    "PUB_HC_PAID",
    "PUB_PAID",
    "REPORTS_NOTE",
    "TOPICS",
    "approval",
    "compliance",
    "degree_rows",
    "expenditure_rows",
    "female_share",
    "injury_rows",
    "rate_family",
]

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


@dataclass(frozen=True, kw_only=True)
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
INJURY_TYPES = ("workplace_accidents", "commuting_accidents", "occupational_diseases")
DEGREES = ("minor_injuries", "severe_injuries", "deaths")


def injury_rows(table: str, types=INJURY_TYPES, text="all injuries") -> Selector:
    """Select the injuries of ``types`` (default: every type) of an injury-type table."""
    return Selector(table, "injuries", {"injury_type": tuple(types)}, text=text)


def degree_rows(table: str, degrees, text: str) -> Selector:
    """Select the injuries of ``degrees`` of an injury-degree table."""
    return Selector(table, "injuries", {"degree": tuple(degrees)}, text=text)


OR_PAID = Selector("t05", "contribution_paid_workers", text="contribution-paid workers")
OR_REGISTERED = Selector(
    "t02", "members", text="registered workers at year end (head offices + branches)"
)
PUB_PAID = Selector("t22", "contribution_paid_members", text="contribution-paid members")
HC_PAID = Selector("t37", "contribution_paid_workers", text="contribution-paid workers")
PUB_HC_PAID = Selector("t47", "contribution_paid_members", text="contribution-paid members")

COVERED = (
    "Covered workers are contribution-paid workers: only workers whose contributions were "
    "paid in the year are insured and have their injuries investigated."
)
REPORTS_NOTE = (
    "An occupational-risk report is a notification, not a confirmed injury; one person may "
    "be reported more than once."
)


def expenditure_rows(table: str, rows, text: str) -> Selector:
    """Select the expenditure of the numbered rows ``rows`` (a row number or a Prefix)."""
    return Selector(table, "expenditure", {"no": rows}, sex="total", text=text)


def rate_family(prefix, sector, injuries, degrees, paid, ref, sexes, extra_note=""):
    """Declare the five injury rates and three shares of one sector (data, not logic)."""
    t_inj, t_deg = injuries, degrees
    common = {"topic": "occupational_risk", "group": f"{sector} sector", "sexes": sexes}
    rate = {
        **common,
        "denominator": paid,
        "reference_group": ref,
        "unit": "per 100,000 covered workers",
        "multiplier": 1e5,
    }
    share = {
        **common,
        "reference_group": f"occupational injuries ({sector} sector)",
        "unit": "percent",
        "multiplier": 100,
        "proportion": True,
    }
    return [
        Indicator(
            id=f"{prefix}_injury_rate",
            title=f"Occupational injuries per 100,000 covered workers ({sector})",
            formula="injuries of every type / covered workers × 100,000",
            numerator=injury_rows(t_inj),
            **rate,
            notes=COVERED + extra_note,
        ),
        Indicator(
            id=f"{prefix}_workplace_rate",
            title=f"Occupational injuries excluding commuting accidents per 100,000 ({sector})",
            formula="(workplace accidents + occupational diseases) / covered workers × 100,000",
            numerator=injury_rows(
                t_inj,
                ("workplace_accidents", "occupational_diseases"),
                "workplace accidents and occupational diseases",
            ),
            **rate,
            notes="The ILO definition of occupational injury excludes commuting accidents. "
            + COVERED,
        ),
        Indicator(
            id=f"{prefix}_commuting_rate",
            title=f"Commuting accidents per 100,000 covered workers ({sector})",
            formula="commuting accidents / covered workers × 100,000",
            numerator=injury_rows(t_inj, ("commuting_accidents",), "commuting accidents"),
            **rate,
            notes=COVERED,
        ),
        Indicator(
            id=f"{prefix}_severe_rate",
            title=f"Severe injuries per 100,000 covered workers ({sector})",
            formula="severe injuries / covered workers × 100,000",
            numerator=degree_rows(t_deg, ("severe_injuries",), "severe injuries"),
            **rate,
            notes=COVERED,
        ),
        Indicator(
            id=f"{prefix}_fatal_rate",
            title=f"Fatal occupational injuries per 100,000 covered workers ({sector})",
            formula="deaths / covered workers × 100,000 (SDG 8.8.1 style)",
            numerator=degree_rows(t_deg, ("deaths",), "deaths"),
            **rate,
            notes="SDG 8.8.1 counts fatal occupational injuries per 100,000 workers; here the "
            "deaths include commuting accidents, which the report does not separate by "
            "degree. " + COVERED,
        ),
        *(
            Indicator(
                id=f"{prefix}_{key}",
                title=f"{title} ({sector})",
                formula=f"{what} / (minor + severe injuries + deaths) × 100",
                numerator=degree_rows(t_deg, (measure,), what),
                denominator=degree_rows(
                    t_deg, DEGREES, "minor injuries, severe injuries and deaths"
                ),
                **share,
                notes="Cases classed as non-occupational risks are left out.",
            )
            for key, title, measure, what in (
                (
                    "severe_share",
                    "Share of severe cases among injuries",
                    "severe_injuries",
                    "severe injuries",
                ),
                ("case_fatality", "Case-fatality share", "deaths", "deaths"),
            )
        ),
        Indicator(
            id=f"{prefix}_commuting_share",
            title=f"Share of commuting accidents among injuries ({sector})",
            formula="commuting accidents / injuries of every type × 100",
            numerator=injury_rows(t_inj, ("commuting_accidents",), "commuting accidents"),
            denominator=injury_rows(t_inj),
            **share,
        ),
    ]


def compliance(iid, title, table, paid, contributory, group, unit_word):
    """Declare a compliance share: contribution-paid / contributory units × 100."""
    return Indicator(
        id=iid,
        title=title,
        topic="compliance",
        formula=f"contribution-paid {unit_word} / contributory {unit_word} × 100",
        numerator=Selector(table, paid, text=f"contribution-paid {unit_word}"),
        denominator=Selector(table, contributory, text=f"contributory {unit_word}"),
        reference_group=f"contributory {unit_word}",
        unit="percent",
        multiplier=100,
        group=group,
        proportion=True,
        notes="The report prints this share for enterprises; it is recomputed here.",
    )


def approval(iid, title, claims_table, provision_table, group, by=None, notes=""):
    """Declare an approval ratio: benefit documents provided / claimed × 100."""
    return Indicator(
        id=iid,
        title=title,
        topic="benefits",
        formula="documents provided / documents claimed × 100",
        numerator=Selector(provision_table, "provision", text="benefit documents provided"),
        denominator=Selector(claims_table, "claims", text="benefit documents claimed"),
        reference_group="benefit claims (documents)",
        unit="percent",
        multiplier=100,
        group=group,
        by=by,
        notes="Documents provided in a year may answer claims of an earlier year, so the "
        "ratio can exceed 100 %. " + notes,
    )


BILLION_TO_THOUSAND_PER = 1e6  # billion riels / n → thousand riels per unit


def female_share(iid, what, table, measure, group, where=None, by=None, notes="", relabel=None):
    """Declare the female share of ``what``: female rows / all rows × 100."""
    where, relabel = where or {}, relabel or {}
    return Indicator(
        id=iid,
        title=f"Female share of {what}, {group}",
        topic="female_shares",
        formula=f"female {what} / all {what} × 100",
        numerator=Selector(
            table, measure, where, sex="female", relabel=relabel, text=f"female {what}"
        ),
        denominator=Selector(
            table, measure, where, sex="total", relabel=relabel, text=f"all {what}"
        ),
        reference_group=what,
        unit="percent",
        multiplier=100,
        group=group,
        by=by,
        sexes=("female",),
        proportion=True,
        notes=notes,
    )
