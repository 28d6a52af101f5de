"""Part B of the report, health care: Tables 34–55 (B.1 private sector, B.2 public sector).

Its tables' entries of ``TIDY``, ``ROWS`` and ``HEADERS`` (see :mod:`nssf_analysis.data.specs`).
"""

from __future__ import annotations

from nssf_analysis.data.specs.families import (
    CLAIMED_PAID,
    CONTRIB,
    ITEMS,
    ITEMS_UNIT_SEX,
    SEX_PAIR,
    variant,
)

__all__ = ["HEADERS", "RENAMED", "ROWS", "TIDY"]

#: Benefit documents by item and year (Table 48 counts claims, Table 49 provisions).
_DOCUMENTS_BY_YEAR = {
    "family": "items_by_year",
    "rows": ["item"],
    "levels": ["measure", "year"],
    "defaults": {"measure": "claims"},
    "labels": {"Documents": {"unit": "documents"}},
}

#: Tidy specifications (see :mod:`nssf_analysis.data.specs`).
TIDY = {
    "t34": "t01",
    "t35": "t02",
    "t36": "t04",
    "t37": CONTRIB,
    "t38": {
        "family": "facility_types",
        "rows": ["level"],
        "levels": ["measure", "facility_type"],
        "year": "report",
        "labels": {
            "Health Facilities Signed the Agreement with NSSF": {"measure": "health_facilities"},
            "Central Level": {"level": "central"},
            "Provincial Level": {"level": "provincial"},
            "Grand Total": {"level": "total", "facility_type": "all"},
        },
        "row_labels": {"Total": {"level": "total"}},
        "totals": {"level": "total", "facility_type": "all"},
    },
    "t39": variant(
        ITEMS, defaults={"measure": "claims"}, labels={"Documents": {"unit": "documents"}}
    ),
    "t40": variant(
        ITEMS, defaults={"measure": "provision"}, labels={"Documents": {"unit": "documents"}}
    ),
    "t41": SEX_PAIR,
    "t42": "t16",
    "t43": CLAIMED_PAID,
    "t44": "t18",
    "t45": variant(ITEMS_UNIT_SEX, defaults={"measure": "medical_rehabilitation"}),
    "t46": {
        "family": "public_groups",
        "rows": ["year"],
        "levels": ["group", "measure"],
        "labels": {"Total": {"group": "total"}},
        "totals": {"group": "total"},
    },
    "t47": "t22",
    "t48": _DOCUMENTS_BY_YEAR,
    "t49": variant(_DOCUMENTS_BY_YEAR, defaults={"measure": "provision"}),
    "t50": SEX_PAIR,
    "t51": "t16",
    "t52": CLAIMED_PAID,
    "t53": "t18",
    "t54": variant(ITEMS_UNIT_SEX, defaults={"measure": "medical_rehabilitation_services"}),
    "t55": variant(
        ITEMS,
        labels={
            "Calculated as (Million Riels)": {
                "measure": "medical_rehabilitation_expenditure",
                "unit": "million riels",
            }
        },
    ),
}


#: Body-row labels of the tables whose rows are not the year rows.
ROWS = {
    "t34": ("2016-{previous}", "2016-{report}", "Fluctuation"),
    "t38": ("Central Level", "Provincial Level", "Total", "Grand Total"),
    "t39": (
        "Daily Allowances",
        "Medical Care Services Benefits (Cases of Emergency)",
        "Maternity Benefits",
        "Total",
    ),
    "t40": "t39",
    "t42": "t16",
    "t43": ("Number of Health Facilities / Documents", "Number of Pharmacies", "Total"),
    "t44": (
        "1. Expenditure by Types of Benefits",
        "Daily Allowances",
        "Medical Care Services Benefits (Cases of Emergency)",
        "Maternity Benefits",
        "2. Official Hospitals",
        "Total (1+2)",
    ),
    "t45": (
        "Medical Rehabilitation Services Provision / Times/Persons",
        "Medical Expenditure / Million Riels",
    ),
    "t48": ("Medical Care Services Benefits (Cases of Emergency)",),
    "t49": "t48",
    "t51": "t16",
    "t52": "t43",
    "t53": (
        "Referral and Medical Care Services (Cases of Emergency)",
        "Expenditure of Official Hospitals",
        "Total",
    ),
    "t54": ("Public Officials / Times/Persons", "Former Civil Servants", "Veterans", "Total"),
    "t55": ("Public Officials", "Former Civil Servants", "Veterans", "Total"),
}


#: Header labels, as printed (a string names a table printed alike).
HEADERS = {
    "t34": "t01",
    "t35": "t01",
    "t36": "t01",
    "t37": "t05",
    "t38": (
        "Description",
        "Health Facilities Signed the Agreement with NSSF",
        "National Hospitals",
        "Referral Hospitals",
        "Health Centers",
        "Private Hospitals",
    ),
    "t39": (
        "No.",
        "Claims by Types of Benefits",
        "Documents",
        "Fluctuation (± %)",
        "{previous}",
        "{report}",
    ),
    "t40": (
        "No.",
        "Provision by Types of Benefits",
        "Documents",
        "Fluctuation (± %)",
        "{previous}",
        "{report}",
    ),
    "t41": ("Description", "Members Receiving Benefits", "Total", "Females"),
    "t42": "t16",
    "t43": (
        "No.",
        "Description",
        "Unit",
        "{previous}",
        "{report}",
        "Fluctuation (± %)",
        "Claimed",
        "Paid",
    ),
    "t44": "t18",
    "t45": "t19",
    "t46": (
        "Description",
        "Total",
        "Public Employees",
        "Former Civil Servants",
        "Veterans",
        "Institutions",
        "Members",
        "Females",
    ),
    "t47": "t22",
    "t48": ("Benefits Claim", "Documents", "Fluctuation (± %)", "{previous}", "{report}"),
    "t49": ("Benefits Provision", "Documents", "Fluctuation (± %)", "{previous}", "{report}"),
    "t50": "t41",
    "t51": "t16",
    "t52": "t43",
    "t53": "t18",
    "t54": "t19",
    "t55": (
        "No.",
        "Description",
        "Calculated as (Million Riels)",
        "{previous}",
        "{report}",
        "Fluctuation (± %)",
    ),
}


#: Labels an edition prints in place of the ones before it, by table and by the first
#: edition that prints them, e.g. ``{"t13": {2023: {"Funerary Grants": "Funeral Grants"}}}``
#: (see :func:`nssf_analysis.data.specs.renamed`).
RENAMED: dict = {}
