"""Every standard indicator, declared once as data (:data:`INDICATORS`).

A new indicator is one more :class:`~nssf_analysis.analysis.indicator_spec.Indicator`
in :func:`_declare`, in the topic it belongs to; :func:`get` finds a declaration by
id and :func:`definitions` lists them all as a table. The methodology page
(:func:`nssf_analysis.analysis.indicators.methodology_markdown`) and the computation
(:func:`nssf_analysis.analysis.indicators.compute`) both read these declarations.
"""

from __future__ import annotations

import pandas as pd

from nssf_analysis.analysis.indicator_spec import (
    BILLION_TO_THOUSAND_PER,
    HC_PAID,
    INJURY_TYPES,
    KHANS_TO_PHNOM_PENH,
    OR_PAID,
    OR_REGISTERED,
    PUB_HC_PAID,
    PUB_PAID,
    REPORTS_NOTE,
    Indicator,
    approval,
    compliance,
    expenditure_rows,
    female_share,
    injury_rows,
    rate_family,
)
from nssf_analysis.analysis.select import Prefix, Selector
from nssf_analysis.data import units
from nssf_analysis.exceptions import NSSFError

__all__ = ["INDICATORS", "definitions", "get"]


def _declare() -> tuple[Indicator, ...]:
    ind: list[Indicator] = []
    ind += rate_family(
        "or",
        "private",
        "t10",
        "t11",
        OR_PAID,
        "contribution-paid workers (Table 5)",
        ("total", "female"),
    )
    ind.append(
        Indicator(
            id="or_injury_rate_registered",
            title="Occupational injuries per 100,000 registered workers (private, sensitivity)",
            topic="occupational_risk",
            formula="injuries of every type / registered workers at year end × 100,000",
            numerator=injury_rows("t10"),
            denominator=OR_REGISTERED,
            reference_group="registered workers at year end (Table 2)",
            unit="per 100,000 registered workers",
            multiplier=1e5,
            group="private sector",
            sexes=("total", "female"),
            notes="Sensitivity variant of or_injury_rate with the year-end register as "
            "denominator; registered workers include workers whose contributions were not "
            "paid.",
        )
    )
    ind += rate_family(
        "pub",
        "public",
        "t24",
        "t25",
        PUB_PAID,
        "contribution-paid members (Table 22)",
        ("total", "female"),
        " The public-sector occupational-risk tables report no case in 2021.",
    )
    ind.append(
        Indicator(
            id="or_reports_per_1000",
            title="Occupational-risk reports per 1,000 registered workers (private)",
            topic="occupational_risk",
            formula="occupational-risk reports (central + provincial) / registered workers × 1,000",
            numerator=Selector(
                "t09", "occupational_risk_reports", text="occupational-risk reports"
            ),
            denominator=OR_REGISTERED,
            reference_group="registered workers at year end (Table 2)",
            unit="per 1,000 registered workers",
            multiplier=1e3,
            group="private sector",
            notes=REPORTS_NOTE + " Same definition as the province indicator "
            "or_reports_per_1000_province, so that the national figures agree.",
        )
    )
    # -- compliance -------------------------------------------------------------------
    ind += [
        compliance(
            "or_enterprise_compliance",
            "Contribution compliance of enterprises (occupational risk)",
            "t05",
            "contribution_paid_enterprises",
            "contributory_enterprises",
            "private sector",
            "enterprises",
        ),
        compliance(
            "hc_enterprise_compliance",
            "Contribution compliance of enterprises (health care)",
            "t37",
            "contribution_paid_enterprises",
            "contributory_enterprises",
            "private sector",
            "enterprises",
        ),
        compliance(
            "pension_enterprise_compliance",
            "Contribution compliance of enterprises (pension)",
            "t59",
            "contribution_paid_enterprises",
            "contributory_enterprises",
            "private sector",
            "enterprises",
        ),
        compliance(
            "pub_institution_compliance",
            "Contribution compliance of institutions (occupational risk)",
            "t22",
            "contribution_paid_institutions",
            "contributory_institutions",
            "public sector",
            "institutions",
        ),
        compliance(
            "pub_hc_institution_compliance",
            "Contribution compliance of institutions (health care)",
            "t47",
            "contribution_paid_institutions",
            "contributory_institutions",
            "public sector",
            "institutions",
        ),
        Indicator(
            id="or_paid_worker_ratio",
            title="Contribution-paid workers per 100 registered workers (occupational risk)",
            topic="compliance",
            formula="contribution-paid workers (Table 5) / registered workers at year end (Table "
            "2) × 100",
            numerator=OR_PAID,
            denominator=OR_REGISTERED,
            reference_group="registered workers at year end (Table 2)",
            unit="percent",
            multiplier=100,
            group="private sector",
            sexes=("total", "female"),
            notes="Workers paid for during the year are compared with the year-end "
            "register; they are not a strict subset of it.",
        ),
        Indicator(
            id="or_contribution_per_worker",
            title="Contributions per contribution-paid worker (occupational risk)",
            topic="compliance",
            formula="contributions (billion riels) / contribution-paid workers × 1,000,000",
            numerator=Selector(
                "t05", "contributions", sex="total", text="contributions (billion riels)"
            ),
            denominator=Selector("t05", "contribution_paid_workers", sex="total", text="workers"),
            reference_group="contribution-paid workers (Table 5)",
            unit="thousand riels per worker",
            multiplier=BILLION_TO_THOUSAND_PER,
            group="private sector",
        ),
        Indicator(
            id="hc_contribution_per_worker",
            title="Contributions per contribution-paid worker (health care)",
            topic="compliance",
            formula="contributions (billion riels) / contribution-paid workers × 1,000,000",
            numerator=Selector(
                "t37", "contributions", sex="total", text="contributions (billion riels)"
            ),
            denominator=Selector("t37", "contribution_paid_workers", sex="total", text="workers"),
            reference_group="contribution-paid workers (Table 37)",
            unit="thousand riels per worker",
            multiplier=BILLION_TO_THOUSAND_PER,
            group="private sector",
        ),
    ]
    # -- claims and expenditure -------------------------------------------------------
    ind += [
        approval(
            "or_claim_approval",
            "Benefit documents provided per 100 claimed (occupational risk, private)",
            "t13",
            "t14",
            "private sector",
            notes="Table 13 and Table 14 list benefits differently (nursing and caretakers' "
            "benefits are provided but not claimed separately), so only totals compare.",
        ),
        approval(
            "pub_claim_approval",
            "Benefit documents provided per 100 claimed (occupational risk, public)",
            "t26",
            "t27",
            "public sector",
            notes="Only totals compare (Table 26 and Table 27 list benefits differently).",
        ),
        approval(
            "hc_claim_approval",
            "Benefit documents provided per 100 claimed (health care, private)",
            "t39",
            "t40",
            "all benefits",
            by="item",
            notes="Table 39 and Table 40 list the same benefits, so each is compared.",
        ),
        approval(
            "pub_hc_claim_approval",
            "Benefit documents provided per 100 claimed (health care, public)",
            "t48",
            "t49",
            "public sector",
        ),
        Indicator(
            id="or_benefit_per_victim",
            title="Cash-benefit expenditure per victim receiving benefits (occupational risk, "
            "private)",
            topic="benefits",
            formula="benefit expenditure (rows 1.x, billion riels) / victims receiving benefits × "
            "1,000,000",
            numerator=expenditure_rows(
                "t18", Prefix("1."), "occupational-risk benefit expenditure (rows 1.1-1.8)"
            ),
            denominator=Selector("t15", "victims_receiving_benefits", sex="total", text="victims"),
            reference_group="victims receiving benefits (Table 15)",
            unit="thousand riels per victim",
            multiplier=BILLION_TO_THOUSAND_PER,
            group="private sector",
            notes="Health-facility payments (rows 2.x) are left out: they pay for care, "
            "not for the victims counted in Table 15. Pensions paid in a year include "
            "pensions awarded in earlier years.",
        ),
        Indicator(
            id="or_benefit_per_document",
            title="Cash-benefit expenditure per benefit document provided (occupational risk, "
            "private)",
            topic="benefits",
            formula="benefit expenditure (rows 1.x, billion riels) / documents provided × "
            "1,000,000",
            numerator=expenditure_rows(
                "t18", Prefix("1."), "occupational-risk benefit expenditure (rows 1.1-1.8)"
            ),
            denominator=Selector("t14", "provision", text="benefit documents provided"),
            reference_group="benefit documents provided (Table 14)",
            unit="thousand riels per document",
            multiplier=BILLION_TO_THOUSAND_PER,
            group="private sector",
        ),
        Indicator(
            id="or_facility_per_service",
            title="Health-facility expenditure per service use (occupational risk, private)",
            topic="benefits",
            formula="health-facility expenditure (rows 2.x, billion riels) / (outpatient + "
            "inpatient "
            "services) × 1,000,000",
            numerator=expenditure_rows(
                "t18", Prefix("2."), "health-facility expenditure (rows 2.1-2.2)"
            ),
            denominator=Selector(
                "t16", "members_accessing_services", text="outpatient + inpatient uses"
            ),
            reference_group="service uses (Table 16)",
            unit="thousand riels per service use",
            multiplier=BILLION_TO_THOUSAND_PER,
            group="private sector",
        ),
        Indicator(
            id="pub_benefit_per_victim",
            title="Cash-benefit expenditure per victim receiving benefits (occupational risk, "
            "public)",
            topic="benefits",
            formula="benefit expenditure (rows 1.x, million riels as corrected) / victims "
            "receiving "
            "benefits × 1,000,000",
            numerator=Selector(
                "t31",
                "expenditure",
                {"no": Prefix("1.")},
                sex="total",
                scale=units.factor(units.reading("t31", "billion riels"), "billion riels"),
                text="benefit expenditure (rows 1.1-1.7), read as million riels and "
                "converted to billion riels",
            ),
            denominator=Selector("t28", "victims_receiving_benefits", sex="total", text="victims"),
            reference_group="victims receiving benefits (Table 28)",
            unit="thousand riels per victim",
            multiplier=BILLION_TO_THOUSAND_PER,
            group="public sector",
            notes="Table 31's amounts in the reading stated under Conventions above.",
        ),
        Indicator(
            id="hc_benefit_per_beneficiary",
            title="Cash-benefit expenditure per member receiving benefits (health care, private)",
            topic="benefits",
            formula="benefit expenditure (rows 1.x, billion riels) / members receiving benefits × "
            "1,000,000",
            numerator=expenditure_rows(
                "t44",
                Prefix("1."),
                "daily, emergency and maternity benefit expenditure (rows 1.1-1.3)",
            ),
            denominator=Selector("t41", "members_receiving_benefits", sex="total", text="members"),
            reference_group="members receiving benefits (Table 41)",
            unit="thousand riels per member",
            multiplier=BILLION_TO_THOUSAND_PER,
            group="private sector",
        ),
        Indicator(
            id="hc_benefit_per_document",
            title="Cash-benefit expenditure per benefit document provided (health care, private)",
            topic="benefits",
            formula="benefit expenditure (rows 1.x, billion riels) / documents provided × "
            "1,000,000",
            numerator=expenditure_rows(
                "t44",
                Prefix("1."),
                "daily, emergency and maternity benefit expenditure (rows 1.1-1.3)",
            ),
            denominator=Selector("t40", "provision", text="benefit documents provided"),
            reference_group="benefit documents provided (Table 40)",
            unit="thousand riels per document",
            multiplier=BILLION_TO_THOUSAND_PER,
            group="private sector",
        ),
        Indicator(
            id="hc_facility_per_service",
            title="Hospital expenditure per service use (health care, private)",
            topic="benefits",
            formula="official-hospital expenditure (row 2, billion riels) / (outpatient + "
            "inpatient "
            "services) × 1,000,000",
            numerator=expenditure_rows("t44", Prefix("2"), "official-hospital expenditure (row 2)"),
            denominator=Selector(
                "t42", "members_accessing_services", text="outpatient + inpatient uses"
            ),
            reference_group="service uses (Table 42)",
            unit="thousand riels per service use",
            multiplier=BILLION_TO_THOUSAND_PER,
            group="private sector",
        ),
        Indicator(
            id="pub_hc_facility_per_service",
            title="Hospital expenditure per service use (health care, public)",
            topic="benefits",
            formula="official-hospital expenditure (row 2, billion riels) / (outpatient + "
            "inpatient "
            "services) × 1,000,000",
            numerator=expenditure_rows("t53", "2", "official-hospital expenditure (row 2)"),
            denominator=Selector(
                "t51", "members_accessing_services", text="outpatient + inpatient uses"
            ),
            reference_group="service uses (Table 51)",
            unit="thousand riels per service use",
            multiplier=BILLION_TO_THOUSAND_PER,
            group="public sector",
        ),
    ]
    # -- health-care use --------------------------------------------------------------
    for prefix, sector, use_t, paid, paid_t in (
        ("hc", "private", "t42", HC_PAID, "Table 37"),
        ("pub_hc", "public", "t51", PUB_HC_PAID, "Table 47"),
    ):
        for key, item, what, title, unit, per, notes in (
            (
                "opd_per_member",
                "Outpatient Department (OPD)",
                "outpatient visits",
                "Outpatient visits per member",
                "visits per member",
                1,
                "Visits are counted as times/persons: one member may visit many times.",
            ),
            (
                "ipd_per_1000",
                "Inpatient Department (IPD)",
                "inpatient admissions",
                "Inpatient admissions per 1,000 members",
                "per 1,000 members",
                1e3,
                "",
            ),
        ):
            ind.append(
                Indicator(
                    id=f"{prefix}_{key}",
                    title=f"{title} ({sector})",
                    topic="health_care",
                    formula=f"{what} / contribution-paid members" + (" × 1,000" if per > 1 else ""),
                    numerator=Selector(
                        use_t, "members_accessing_services", {"item": item}, text=what
                    ),
                    denominator=paid,
                    reference_group=f"contribution-paid members ({paid_t})",
                    unit=unit,
                    multiplier=per,
                    group=f"{sector} sector",
                    notes=notes,
                )
            )
    # -- maternity and childbirth ---------------------------------------------------
    ind += [
        Indicator(
            id="hc_maternity_per_1000_females",
            title="Maternity-benefit documents per 1,000 female members (health care, private)",
            topic="childbirth",
            formula="maternity-benefit documents provided / female contribution-paid workers × "
            "1,000",
            numerator=Selector(
                "t40",
                "provision",
                {"item": "Maternity Benefits"},
                sex="total",
                text="maternity-benefit documents provided",
            ),
            denominator=Selector(
                "t37", "contribution_paid_workers", sex="female", text="female workers"
            ),
            reference_group="female contribution-paid workers (Table 37)",
            unit="per 1,000 female members",
            multiplier=1e3,
            group="private sector",
            sexes=("female",),
        ),
        Indicator(
            id="childbirth_mothers_per_1000_females",
            title="Mothers receiving the childbirth allowance per 1,000 female members (formal)",
            topic="childbirth",
            formula="mothers receiving the allowance (formal sector) / female contribution-paid "
            "workers × 1,000",
            numerator=Selector(
                "t61",
                "mothers",
                {"worker_group": "formal"},
                sex="total",
                text="mothers receiving the allowance, formal sector",
            ),
            denominator=Selector(
                "t37", "contribution_paid_workers", sex="female", text="female workers"
            ),
            reference_group="female contribution-paid workers (Table 37)",
            unit="per 1,000 female members",
            multiplier=1e3,
            group="formal sector",
            sexes=("female",),
        ),
        Indicator(
            id="childbirth_mothers_per_1000_females_province",
            title="Mothers receiving the childbirth allowance per 1,000 female members, by "
            "province",
            topic="provinces",
            formula="mothers receiving the allowance (formal sector, Annex 6.5.2) / female workers "
            "registered in the health-care scheme (Annex 6.3.1) × 1,000",
            numerator=Selector(
                "a6_5_2",
                "mothers",
                {"sector": "formal"},
                sex="total",
                exclude=("Abroad",),
                text="mothers receiving the allowance, formal sector",
            ),
            denominator=Selector(
                "a6_3_1", "workers", sex="female", text="female registered workers"
            ),
            reference_group="female workers registered in the health-care scheme (Annex 6.3.1)",
            unit="per 1,000 female members",
            multiplier=1e3,
            group="Cambodia",
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
            id="or_reports_per_1000_province",
            title="Occupational-risk reports per 1,000 registered workers, by province (private)",
            topic="provinces",
            formula="occupational-risk reports (Annex 6.1.4) / registered workers (Annex 6.1.1) × "
            "1,000",
            numerator=Selector(
                "a6_1_4",
                "occupational_risk_reports",
                relabel=KHANS_TO_PHNOM_PENH,
                text="occupational-risk reports (Phnom Penh khan branches added to Phnom Penh)",
            ),
            denominator=Selector("a6_1_1", "workers", text="registered workers"),
            reference_group="registered workers (Annex 6.1.1)",
            unit="per 1,000 registered workers",
            multiplier=1e3,
            group="Cambodia",
            by="province",
            sexes=("total", "female"),
            notes=REPORTS_NOTE + " Khan branches of Phnom Penh have no worker count of "
            "their own and are added to Phnom Penh. Workers are counted where their "
            "employer is registered: members registered at the head office may work in "
            "another province.",
        )
    )
    # -- female shares ----------------------------------------------------------------
    ind += [
        female_share(
            "female_share_or_registered",
            "registered workers (occupational risk)",
            "t02",
            "members",
            "private sector",
        ),
        female_share(
            "female_share_or_paid",
            "contribution-paid workers (occupational risk)",
            "t05",
            "contribution_paid_workers",
            "private sector",
        ),
        female_share(
            "female_share_or_injuries",
            "occupational injuries",
            "t10",
            "injuries",
            "private sector",
            {"injury_type": INJURY_TYPES},
        ),
        female_share(
            "female_share_or_commuting",
            "commuting accidents",
            "t10",
            "injuries",
            "private sector",
            {"injury_type": "commuting_accidents"},
        ),
        female_share(
            "female_share_or_severe",
            "severe injuries",
            "t11",
            "injuries",
            "private sector",
            {"degree": "severe_injuries"},
        ),
        female_share(
            "female_share_or_deaths",
            "deaths",
            "t11",
            "injuries",
            "private sector",
            {"degree": "deaths"},
        ),
        female_share(
            "female_share_or_victims",
            "victims receiving benefits",
            "t15",
            "victims_receiving_benefits",
            "private sector",
        ),
        female_share(
            "female_share_pub_paid",
            "contribution-paid members (occupational risk)",
            "t22",
            "contribution_paid_members",
            "public sector",
        ),
        female_share(
            "female_share_pub_injuries",
            "occupational injuries",
            "t24",
            "injuries",
            "public sector",
            {"injury_type": INJURY_TYPES},
        ),
        female_share(
            "female_share_pub_deaths",
            "deaths",
            "t25",
            "injuries",
            "public sector",
            {"degree": "deaths"},
        ),
        female_share(
            "female_share_hc_paid",
            "contribution-paid workers (health care)",
            "t37",
            "contribution_paid_workers",
            "private sector",
        ),
        female_share(
            "female_share_hc_beneficiaries",
            "members receiving benefits (health care)",
            "t41",
            "members_receiving_benefits",
            "private sector",
            notes="Maternity benefits make most health-care cash benefits.",
        ),
        female_share(
            "female_share_pub_hc_paid",
            "contribution-paid members (health care)",
            "t47",
            "contribution_paid_members",
            "public sector",
        ),
        female_share(
            "female_share_pub_hc_beneficiaries",
            "members receiving benefits (health care)",
            "t50",
            "members_receiving_benefits",
            "public sector",
        ),
        female_share(
            "female_share_pension_paid",
            "contribution-paid members (pension)",
            "t59",
            "contribution_paid_members",
            "private sector",
        ),
        female_share(
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
