"""Part A of the report, occupational risk: Tables 1–33 (A.1 private sector, A.2 public sector).

Its tables' entries of ``TIDY``, ``ROWS`` and ``HEADERS`` (see :mod:`nssf_analysis.data.specs`).
"""

from __future__ import annotations

from nssf_analysis.data.specs.families import (
    CLAIMED_PAID,
    CONTRIB,
    DEGREES,
    HQ,
    INJURY_TYPES,
    INSPECTION,
    ITEMS,
    ITEMS_UNIT,
    ITEMS_UNIT_SEX,
    LEVELS,
    SEX_PAIR,
    variant,
)

__all__ = ["HEADERS", "PRIVATE_BENEFITS", "PUBLIC_BENEFITS", "RENAMED", "ROWS", "TIDY"]

#: Tidy specifications (see :mod:`nssf_analysis.data.specs`).
TIDY = {
    "t01": variant(HQ, cumulative=True),
    "t02": HQ,
    "t03": HQ,
    "t04": variant(HQ, defaults={"measure_prefix": "new_"}),
    "t05": CONTRIB,
    "t06": INSPECTION,
    "t07": INSPECTION,
    "t08": INSPECTION,
    "t09": LEVELS,
    "t10": INJURY_TYPES,
    "t11": DEGREES,
    "t12": {
        "family": "sex_pair",
        "rows": ["year"],
        "levels": ["measure", "status"],
        "labels": {
            "Survivors' Pension Benefits (Documents)": {
                "measure": "survivors_pension_documents",
                "unit": "documents",
            }
        },
        "totals": {"status": ("investigation", ["provision", "non_provision"])},
    },
    "t13": variant(
        ITEMS, labels={"Claims (Documents)": {"measure": "claims", "unit": "documents"}}
    ),
    "t14": variant(
        ITEMS,
        labels={"Benefits Provision (Documents)": {"measure": "provision", "unit": "documents"}},
    ),
    "t15": SEX_PAIR,
    "t16": variant(ITEMS_UNIT, defaults={"measure": "members_accessing_services"}),
    "t17": variant(CLAIMED_PAID, rows=["item", "unit"]),
    "t18": ITEMS,
    "t19": variant(ITEMS_UNIT_SEX, defaults={"measure": "rehabilitation_services"}),
    "t20": variant(ITEMS, levels=["year"], defaults={"measure": "rehabilitation_expenditure"}),
    "t21": {"family": "sex_pair", "rows": ["year"], "levels": ["measure"]},
    "t22": {
        "family": "contribution",
        "rows": ["year"],
        "levels": ["measure", "sex"],
        "level_labels": {
            1: {
                "Contributory": {"measure": "contributory_institutions"},
                "Contribution-Paid": {"measure": "contribution_paid_institutions"},
            }
        },
    },
    "t23": variant(LEVELS, header_label_cols=1),
    "t24": INJURY_TYPES,
    "t25": DEGREES,
    "t26": "t13",
    "t27": "t14",
    "t28": variant(
        SEX_PAIR,
        labels={
            "Victims Receiving Benefits (Persons)": {
                "measure": "victims_receiving_benefits",
                "unit": "persons",
            }
        },
    ),
    "t29": "t16",
    "t30": "t17",
    "t31": "t18",
    "t32": "t19",
    "t33": "t20",
}


#: The occupational-risk benefits of the private sector, as Tables 14 and 18 list them.
PRIVATE_BENEFITS = (
    "Medical Care Services Benefits",
    "Nursing Benefits",
    "Temporary Disability Benefits",
    "Benefits of Permanent Disability Less than 20% (Lump-Sum)",
    "Benefits of Permanent Disability More than 20% (Pension)",
    "Funerary Grants",
    "Survivors' Pension Benefits",
    "Caretakers' Benefits",
)
#: The public sector's (Tables 27 and 31): the same but temporary disability.
PUBLIC_BENEFITS = tuple(b for b in PRIVATE_BENEFITS if b != "Temporary Disability Benefits")

#: Body-row labels of the tables whose rows are not the year rows.
ROWS = {
    "t01": ("2008-{previous}", "2008-{report}", "Fluctuation"),
    "t06": (
        "Search for New Enterprises/Establishments",
        "Distribute Notifications of Inspection",
        "Inspect the Registration",
        "Inspect Transitional Penalties",
        "Total",
    ),
    "t07": (
        "Distribute Notifications on Contributions",
        "Distribute Notifications on Contribution Collection",
        "Distribute Notifications on Transitional Penalties",
        "Inspect the Contribution Collection",
        "Enterprises/Establishments that Filed Complaints to the Court",
        "Total",
    ),
    "t08": (
        "Inspect Suspected, Closed-Opened, and Suspended Enterprises",
        "Distribute Registration Certificates of Enterprises/Establishments",
        "Facilitate the Registration",
        "Facilitate the Contributions Payment",
        "Inspect Work Injury Reports",
        "Do the Presentation on NSSF Benefits",
        "Explain the Procedure on Contributions Payment to Enterprises/Establishments",
        "Coordinate and Solve Cases of Workers Protesting Against Health Facilities",
        "Coordinate and Resolve Other Complaints",
        "Inspect Incorrect Number of Workers' Reports",
        "Coordinate and Inspect Actual Situations (Cases of Fainting, Fire, or Others) in "
        "Enterprises/Establishments",
        "Total Results of Other Tasks",
    ),
    "t09": ("Occupational Risk Reports", "Investigation Results / New", "Old", "Total"),
    "t13": (
        "Medical Care Services Benefits",
        "Temporary Disability Benefits",
        "Permanent Disability Benefits",
        "Survivors' Pension Benefits",
        "Funerary Grants",
        "Total",
    ),
    "t14": (*PRIVATE_BENEFITS, "Total"),
    "t16": ("Outpatient Department (OPD) / Times/Persons", "Inpatient Department (IPD)", "Total"),
    "t17": ("Number of Health Facilities / Documents",),
    "t18": (
        "1. Occupational Risk Benefits",
        *PRIVATE_BENEFITS,
        "2. Types of Health Facilities",
        "Official Hospitals",
        "Unofficial Hospitals",
        "Grand Total (1+2)",
    ),
    "t19": (
        "Medical Rehabilitation Services / Times/Persons",
        "Vocational Rehabilitation Services",
        "Social Rehabilitation Services",
        "Job Placement Services",
        "Total",
    ),
    "t20": (
        "Medical Rehabilitation Services",
        "Vocational Rehabilitation Services",
        "Social Rehabilitation Services",
        "Job Placement Services",
        "Total",
    ),
    "t23": "t09",
    "t26": (
        "Medical Care Services Benefits",
        "Permanent Disability Benefits",
        "Survivors' Pension Benefits",
        "Funerary Grants",
        "Total",
    ),
    "t27": (*PUBLIC_BENEFITS, "Total"),
    "t29": "t16",
    "t30": "t17",
    "t31": (
        "1. Occupational Risk Benefits",
        *PUBLIC_BENEFITS,
        "2. Health Facilities",
        "Official Hospitals",
        "Unofficial Hospitals",
        "Grand Total (1+2)",
    ),
    "t32": "t19",
    "t33": "t20",
}


#: Header labels, as printed (a string names a table printed alike).
HEADERS = {
    "t01": (
        "Description",
        "Total",
        "Head Offices",
        "Provincial Branches",
        "Enterprises",
        "Members",
        "Females",
    ),
    "t02": "t01",
    "t03": "t01",
    "t04": "t01",
    "t05": (
        "Description",
        "Contributory Enterprises (Average)",
        "Contribution-Paid Enterprises (Average)",
        "Contribution-Paid Workers (Average)",
        "Contributions (Billion Riels)",
        "Percentage of Contribution-Paid Enterprises",
        "Total",
        "Females",
    ),
    "t06": (
        "No.",
        "Activities",
        "{previous}",
        "{report}",
        "Fluctuation (± %)",
        "Times",
        "Enterprises",
        "Head Offices",
        "Provincial/Khan Branches",
        "Total",
    ),
    "t07": "t06",
    "t08": "t06",
    "t09": (
        "Activities",
        "{previous}",
        "{report}",
        "Fluctuation (± %)",
        "Central Level",
        "Provincial Level",
        "Total",
    ),
    "t10": (
        "Description",
        "Total",
        "Females",
        "Workplace Accidents",
        "Commuting Accidents",
        "Occupational Diseases",
    ),
    "t11": (
        "Description",
        "Occupational Risk Investigation Results",
        "Overall Total",
        "Minor Injuries",
        "Severe Injuries",
        "Deaths",
        "Non-Occupational Risks",
        "Total",
        "Females",
    ),
    "t12": (
        "Description",
        "Survivors' Pension Benefits (Documents)",
        "Investigation",
        "Provision",
        "Non-Provision",
    ),
    "t13": (
        "No.",
        "Types of Benefits",
        "Claims (Documents)",
        "{previous}",
        "{report}",
        "Fluctuation (± %)",
    ),
    "t14": (
        "No.",
        "Types of Benefits",
        "Benefits Provision (Documents)",
        "{previous}",
        "{report}",
        "Fluctuation (± %)",
    ),
    "t15": ("Description", "Victims Receiving Benefits", "Total", "Females"),
    "t16": ("No.", "Description", "Unit", "{previous}", "{report}", "Fluctuation (± %)"),
    "t17": (
        "Description",
        "Unit",
        "{previous}",
        "{report}",
        "Fluctuation (± %)",
        "Claimed",
        "Paid",
    ),
    "t18": (
        "No.",
        "Description",
        "Expenditure (Billion Riels)",
        "Fluctuation (± %)",
        "{previous}",
        "{report}",
    ),
    "t19": (
        "No.",
        "Description",
        "Unit",
        "{previous}",
        "{report}",
        "Fluctuation (± %)",
        "Total",
        "Females",
    ),
    "t20": (
        "No.",
        "Description",
        "{previous} (Million Riels)",
        "{report} (Million Riels)",
        "Fluctuation (± %)",
    ),
    "t21": ("Description", "Institutions", "Members", "Females"),
    "t22": (
        "Description",
        "Institutions",
        "Contribution-Paid Members (Average)",
        "Contributions (Billion Riels)",
        "Contributory",
        "Contribution-Paid",
        "Total",
        "Females",
    ),
    "t23": "t09",
    "t24": "t10",
    "t25": (
        "Description",
        "Occupational Risk Investigation Results",
        "Total",
        "Minor Injuries",
        "Severe Injuries",
        "Deaths",
        "Non-Occupational Risks",
        "Females",
    ),
    "t26": "t13",
    "t27": "t14",
    "t28": ("Description", "Victims Receiving Benefits (Persons)", "Total", "Females"),
    "t29": "t16",
    "t30": "t17",
    "t31": "t18",
    "t32": "t19",
    "t33": "t20",
}


#: Labels an edition prints in place of the ones before it, by table and by the first
#: edition that prints them, e.g. ``{"t13": {2023: {"Funerary Grants": "Funeral Grants"}}}``
#: (see :func:`nssf_analysis.data.specs.renamed`).
RENAMED: dict = {}
