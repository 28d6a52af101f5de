"""Table specifications: every table of the report described once, as data.

Extraction (:mod:`nssf_analysis.extract`) uses :data:`ANNEX_TABLES` and
:data:`TABLE_OPTIONS` to find and cut tables; the tidy layer
(:mod:`nssf_analysis.tidy`) uses :data:`TIDY` to interpret them.
"""

from __future__ import annotations

#: (section prefix, (scheme, sector)); the first prefix that matches wins.
SECTION_SCHEMES = [
    ("A.1", ("occupational_risk", "private")),
    ("A.2", ("occupational_risk", "public")),
    ("B.1", ("health_care", "private")),
    ("B.2", ("health_care", "public")),
    ("C", ("pension", "private")),
    ("D.1", ("informal", "informal")),
    ("D.2", ("childbirth_allowance", "all")),
    ("E", ("institutional", "all")),
    ("6.1", ("occupational_risk", "private")),
    ("6.2", ("occupational_risk", "public")),
    ("6.3", ("health_care", "private")),
    ("6.4", ("pension", "private")),
    ("6.5.1", ("informal", "informal")),
    ("6.5.2", ("childbirth_allowance", "all")),
    ("6.6.1", ("health_care", "all")),
    ("6.6.2", ("occupational_risk", "all")),
    ("6.6.3", ("institutional", "all")),
]

#: Annex tables: the regex of the heading that opens each, its label, title and section.
ANNEX_TABLES = {
    "a6_1_1": {
        "heading": r"6\.1\.1\. Update of Enterprises/Establishments and Workers",
        "label": "Annex 6.1.1",
        "title": "Update of Enterprises/Establishments and Workers (occupational risk, private "
        "sector) by capital/province",
        "section": "6.1.1",
    },
    "a6_1_1_business": {
        "heading": r"Update of Registered Enterprises/Establishments and Workers by Types of "
        r"Businesses",
        "label": "Annex 6.1.1 (business codes)",
        "title": "Update of Registered Enterprises/Establishments and Workers by Types of "
        "Businesses",
        "section": "6.1.1",
    },
    "a6_1_2": {
        "heading": r"6\.1\.2\. Update of Garment and Footwear Enterprises",
        "label": "Annex 6.1.2",
        "title": "Update of Garment and Footwear Enterprises by capital/province",
        "section": "6.1.2",
    },
    "a6_1_3": {
        "heading": r"6\.1\.3\. Update of Newly Registered",
        "label": "Annex 6.1.3",
        "title": "Update of Newly Registered Enterprises/Establishments and Workers by "
        "capital/province",
        "section": "6.1.3",
    },
    "a6_1_3_monthly": {
        "heading": r"Number of Newly Registered Enterprises/Establishments by Months",
        "label": "Annex 6.1.3 (months)",
        "title": "Number of Newly Registered Enterprises/Establishments by Months and the "
        "Capital/Provinces",
        "section": "6.1.3",
    },
    "a6_1_4": {
        "heading": r"6\.1\.4\. Occupational Risk Reports",
        "label": "Annex 6.1.4",
        "title": "Occupational Risk Reports (private sector) by capital/province/khan",
        "section": "6.1.4",
    },
    "a6_1_5": {
        "heading": r"6\.1\.5\. Investigation Results",
        "label": "Annex 6.1.5",
        "title": "Investigation Results (private sector) by capital/province/khan",
        "section": "6.1.5",
    },
    "a6_2_1": {
        "heading": r"6\.2\.1\. Occupational Risk Reports",
        "label": "Annex 6.2.1",
        "title": "Occupational Risk Reports (public sector) by capital/province/khan",
        "section": "6.2.1",
    },
    "a6_2_2": {
        "heading": r"6\.2\.2\. Investigation Results",
        "label": "Annex 6.2.2",
        "title": "Investigation Results (public sector) by capital/province/khan",
        "section": "6.2.2",
    },
    "a6_3_1": {
        "heading": r"6\.3\.1\. Update of Enterprises/Establishments and Workers",
        "label": "Annex 6.3.1",
        "title": "Update of Enterprises/Establishments and Workers (health care scheme) by "
        "capital/province",
        "section": "6.3.1",
    },
    "a6_4_1": {
        "heading": r"6\.4\.1\. Update of Enterprises/Establishments and Workers",
        "label": "Annex 6.4.1",
        "title": "Update of Enterprises/Establishments and Workers (pension scheme) by "
        "capital/province",
        "section": "6.4.1",
    },
    "a6_5_1": {
        "heading": r"6\.5\.1\. Update of Registered Enterprises/Establishments and Workers",
        "label": "Annex 6.5.1",
        "title": "Update of Registered Enterprises/Establishments and Workers (informal sector) "
        "by capital/province",
        "section": "6.5.1",
    },
    "a6_5_2": {
        "heading": r"6\.5\.2\. Additional Allowances to Female Workers at Childbirth",
        "label": "Annex 6.5.2",
        "title": "Additional Allowances to Female Workers at Childbirth by capital/province",
        "section": "6.5.2",
    },
}

#: Extraction options of numbered tables: ``blocks`` (a row holding only a label opens a
#: new block) and ``header_rows`` (fixed header depth, where auto-detection cannot work).
TABLE_OPTIONS = {
    "t61": {"blocks": True},
    "t65": {"header_rows": 1},
    "t67": {"blocks": True},
}


# --------------------------------------------------------------------------------------
# Tidy specifications
# --------------------------------------------------------------------------------------
#
# Each table names the dimension of each of its row-label columns (``rows``) and of each
# header level (``levels``).  A printed label becomes ``{dim: slug(label)}`` unless a label
# map says otherwise: ``labels`` (this table, any level), ``level_labels`` (this table, one
# level) or :data:`LABELS` (every table).  Years, periods and "Fluctuation" headers are
# recognised everywhere.  ``totals`` says which value of a dimension is the sum of which
# others; ``defaults`` fills dimensions a cell does not get from its labels.

#: Labels that mean the same in every table.
LABELS = {
    "Females": {"sex": "female"},
    "Enterprises": {"measure": "enterprises"},
    "Members": {"measure": "members"},
    "Workers": {"measure": "workers"},
    "Institutions": {"measure": "institutions"},
    "Times": {"measure": "times"},
    "Documents": {"unit": "documents"},
    "Claimed": {"status": "claimed"},
    "Paid": {"status": "paid"},
    "Head Offices": {"office": "head_offices"},
    "Provincial Branches": {"office": "provincial_branches"},
    "Provincial/Khan Branches": {"office": "provincial_branches"},
    "Central Level": {"level": "central"},
    "Provincial Level": {"level": "provincial"},
    "Contributory Enterprises (Average)": {"measure": "contributory_enterprises"},
    "Contribution-Paid Enterprises (Average)": {"measure": "contribution_paid_enterprises"},
    "Contribution-Paid Workers (Average)": {"measure": "contribution_paid_workers"},
    "Contribution-Paid Members (Average)": {"measure": "contribution_paid_members"},
    "Contributions (Billion Riels)": {"measure": "contributions", "unit": "billion riels"},
    "Percentage of Contribution-Paid Enterprises": {
        "measure": "contribution_paid_enterprises_share",
        "unit": "percent",
    },
    "Expenditure (Billion Riels)": {"measure": "expenditure", "unit": "billion riels"},
    "Numbers of Enterprises": {"measure": "enterprises"},
    "Number of Enterprises": {"measure": "enterprises"},
    "Number of Workers": {"measure": "workers"},
}

#: Unit of a measure when no label says it (by measure name).
MEASURE_UNITS = {
    "enterprises": "enterprises",
    "contributory_enterprises": "enterprises",
    "contribution_paid_enterprises": "enterprises",
    "members": "persons",
    "workers": "persons",
    "contribution_paid_workers": "persons",
    "contribution_paid_members": "persons",
    "institutions": "institutions",
    "contributory_institutions": "institutions",
    "contribution_paid_institutions": "institutions",
    "times": "times",
    "injuries": "persons",
    "victims": "persons",
    "victims_receiving_benefits": "persons",
    "members_receiving_benefits": "persons",
    "occupational_risk_reports": "reports",
    "investigation_results": "cases",
    "meetings": "times",
    "cases": "cases",
    "factories": "factories",
    "unconscious_workers": "persons",
    "participants": "persons",
    "participated_workers": "persons",
    "courses": "courses",
    "news": "news",
    "mothers": "persons",
    "mothers_with_twins": "persons",
    "mothers_with_triplets": "persons",
    "children": "persons",
    "twins": "persons",
    "triplets": "persons",
    "newborns": "persons",
    "new_enterprises": "enterprises",
    "health_facilities": "health facilities",
}

#: The controlled vocabulary of units (as the report labels them, lower case).
UNITS = {
    "persons",
    "enterprises",
    "institutions",
    "documents",
    "times",
    "times/persons",
    "riels",
    "million riels",
    "billion riels",
    "percent",
    "reports",
    "cases",
    "factories",
    "courses",
    "news",
    "health facilities",
}

#: Units whose values are counts (non-negative integers).
COUNT_UNITS = UNITS - {"riels", "million riels", "billion riels", "percent"}

_HQ = {
    "family": "office_breakdown",
    "rows": ["year"],
    "levels": ["office", "measure"],
    "labels": {"Total": {"office": "total"}},
    "totals": {"office": "total"},
}
_CONTRIB = {
    "family": "contribution",
    "rows": ["year"],
    "levels": ["measure", "sex"],
}
_INSPECTION = {
    "family": "inspection",
    "rows": ["no", "item"],
    "levels": ["year", "measure", "office"],
    "defaults": {"office": "total"},
    "totals": {"office": "total"},
}
_LEVELS = {
    "family": "central_provincial",
    "rows": ["activity", "status"],
    "levels": ["year", "level"],
    "labels": {
        "Occupational Risk Reports": {"measure": "occupational_risk_reports", "status": "all"},
        "Investigation Results": {"measure": "investigation_results"},
        "New": {"status": "new"},
        "Old": {"status": "old"},
    },
    "level_labels": {1: {"Total": {"level": "total"}}},
    "row_labels": {"Total": {"status": "total"}},
    "defaults": {"level": "total"},
    "totals": {"level": "total", "status": "total"},
}
_INJURY_TYPES = {
    "family": "injury_types",
    "rows": ["year"],
    "levels": ["injury_type", "sex"],
    "level_labels": {
        0: {"Total": {"injury_type": "all"}, "Females": {"injury_type": "all", "sex": "female"}}
    },
    "defaults": {"measure": "injuries"},
    "totals": {"injury_type": "all"},
}
_DEGREES = {
    "family": "injury_degrees",
    "rows": ["year"],
    "levels": ["measure", "degree", "sex"],
    "labels": {"Occupational Risk Investigation Results": {"measure": "injuries"}},
    "level_labels": {1: {"Overall Total": {"degree": "all"}, "Total": {"degree": "all"}}},
    "totals": {"degree": ("all", ["minor_injuries", "severe_injuries", "deaths"])},
}
_ITEMS = {
    "family": "items_by_year",
    "rows": ["no", "item"],
    "levels": ["measure", "year"],
}
_ITEMS_UNIT = {
    "family": "items_by_year",
    "rows": ["no", "item", "unit"],
    "levels": ["year"],
    "ffill": ["unit"],
}
_ITEMS_UNIT_SEX = {
    "family": "items_by_year",
    "rows": ["no", "item", "unit"],
    "levels": ["year", "sex"],
    "ffill": ["unit"],
}
_CLAIMED_PAID = {
    "family": "items_by_year",
    "rows": ["no", "item", "unit"],
    "levels": ["year", "status"],
    "ffill": ["unit"],
    "defaults": {"measure": "health_facility_documents"},
}
_SEX_PAIR = {"family": "sex_pair", "rows": ["year"], "levels": ["measure", "sex"]}
_DISSEMINATION = {
    "family": "dissemination",
    "rows": ["year"],
    "levels": ["measure", "sex"],
    "labels": {
        "Enterprises Receiving Educational Dissemination": {},
        "Participated Workers": {"measure": "participated_workers"},
    },
}
_PROVINCES = {
    "family": "provinces",
    "rows": ["no", "province"],
    "levels": ["year", "measure"],
    "year": "report",
    "totals": {"province": "Total"},
}
_PROVINCE_SEX = {
    "family": "provinces",
    "rows": ["no", "province"],
    "levels": ["measure", "sex"],
    "year": "report",
    "labels": {
        "Number of Enterprises": {"measure": "enterprises"},
        "Number of Workers": {"measure": "workers"},
    },
    "totals": {"province": "Total"},
}
_INVESTIGATIONS = {
    "family": "provinces",
    "rows": ["no", "province"],
    "levels": ["measure", "status"],
    "year": "report",
    "labels": {"New": {"status": "new"}, "Old": {"status": "old"}},
    "level_labels": {1: {"Total": {"status": "total"}}},
    "totals": {"province": "Total", "status": "total"},
}


def _with(base, **kw):
    out = dict(base)
    out.update(kw)
    return out


TIDY = {
    "t01": _with(_HQ, cumulative=True),
    "t02": _HQ,
    "t03": _HQ,
    "t04": _with(_HQ, defaults={"measure_prefix": "new_"}),
    "t05": _CONTRIB,
    "t06": _INSPECTION,
    "t07": _INSPECTION,
    "t08": _INSPECTION,
    "t09": _LEVELS,
    "t10": _INJURY_TYPES,
    "t11": _DEGREES,
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
    "t13": _with(_ITEMS, labels={"Claims (Documents)": {"measure": "claims", "unit": "documents"}}),
    "t14": _with(
        _ITEMS,
        labels={"Benefits Provision (Documents)": {"measure": "provision", "unit": "documents"}},
    ),
    "t15": _SEX_PAIR,
    "t16": _with(_ITEMS_UNIT, defaults={"measure": "members_accessing_services"}),
    "t17": _with(_CLAIMED_PAID, rows=["item", "unit"]),
    "t18": _ITEMS,
    "t19": _with(_ITEMS_UNIT_SEX, defaults={"measure": "rehabilitation_services"}),
    "t20": _with(_ITEMS, levels=["year"], defaults={"measure": "rehabilitation_expenditure"}),
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
    "t23": _with(_LEVELS, header_label_cols=1),
    "t24": _INJURY_TYPES,
    "t25": _DEGREES,
    "t26": "t13",
    "t27": "t14",
    "t28": _with(
        _SEX_PAIR,
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
    "t34": _with(_HQ, cumulative=True),
    "t35": _HQ,
    "t36": "t04",
    "t37": _CONTRIB,
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
    "t39": _with(
        _ITEMS, defaults={"measure": "claims"}, labels={"Documents": {"unit": "documents"}}
    ),
    "t40": _with(
        _ITEMS, defaults={"measure": "provision"}, labels={"Documents": {"unit": "documents"}}
    ),
    "t41": _SEX_PAIR,
    "t42": "t16",
    "t43": _CLAIMED_PAID,
    "t44": "t18",
    "t45": _with(_ITEMS_UNIT_SEX, defaults={"measure": "medical_rehabilitation"}),
    "t46": {
        "family": "public_groups",
        "rows": ["year"],
        "levels": ["group", "measure"],
        "labels": {"Total": {"group": "total"}},
        "totals": {"group": "total"},
    },
    "t47": "t22",
    "t48": {
        "family": "items_by_year",
        "rows": ["item"],
        "levels": ["measure", "year"],
        "defaults": {"measure": "claims"},
        "labels": {"Documents": {"unit": "documents"}},
    },
    "t49": {
        "family": "items_by_year",
        "rows": ["item"],
        "levels": ["measure", "year"],
        "defaults": {"measure": "provision"},
        "labels": {"Documents": {"unit": "documents"}},
    },
    "t50": _SEX_PAIR,
    "t51": "t16",
    "t52": _CLAIMED_PAID,
    "t53": "t18",
    "t54": _with(_ITEMS_UNIT_SEX, defaults={"measure": "medical_rehabilitation_services"}),
    "t55": _with(
        _ITEMS,
        labels={
            "Calculated as (Million Riels)": {
                "measure": "medical_rehabilitation_expenditure",
                "unit": "million riels",
            }
        },
    ),
    "t56": _HQ,
    "t57": _HQ,
    "t58": "t04",
    "t59": _CONTRIB,
    "t60": _HQ,
    "t61": {
        "family": "childbirth",
        "rows": ["year"],
        "levels": ["measure", "measure"],
        "block_dim": "worker_group",
        "labels": {
            "Total Female Workers at Childbirth": {"worker_group": "all"},
            "Formal Female Workers": {"worker_group": "formal"},
            "Informal Female Workers": {"worker_group": "informal"},
            "Number of Primiparae/Multiparae (Persons)": {"unit": "persons"},
            "Total of Primiparae/Multiparae": {"measure": "mothers"},
            "Primiparae/Multiparae with Twins": {"measure": "mothers_with_twins"},
            "Primiparae/Multiparae with Triplets": {"measure": "mothers_with_triplets"},
            "Total of Newborns (Persons)": {"measure": "newborns", "unit": "persons"},
            "Additional Allowances per Newborn (Riels)": {
                "measure": "allowance_per_newborn",
                "unit": "riels",
            },
            "Total Allowance (Billion Riels)": {
                "measure": "total_allowance",
                "unit": "billion riels",
            },
        },
        "non_additive": ["allowance_per_newborn"],
        "totals": {"worker_group": ("all", ["formal", "informal"])},
    },
    "t62": {
        "family": "disability_evaluation",
        "rows": ["year"],
        "levels": ["measure", "sex"],
        "labels": {
            "Meetings (Times)": {"measure": "meetings", "unit": "times"},
            "Degree Less than 20%": {"measure": "victims", "degree": "less_than_20"},
            "Degree From 20% Up": {"measure": "victims", "degree": "from_20_up"},
            "Total Victims": {"measure": "victims", "degree": "all"},
        },
        "totals": {"degree": "all"},
    },
    "t63": {
        "family": "traffic_accidents",
        "rows": ["year"],
        "levels": ["measure", "category"],
        "labels": {
            "Cases": {"measure": "cases"},
            "Situations of Victims (Persons)": {"measure": "victims", "unit": "persons"},
            "General Vehicles (%)": {"measure": "general_vehicles_share", "unit": "percent"},
            "Offending Vehicles (%)": {"measure": "offending_vehicles_share", "unit": "percent"},
            "Sectors (%)": {"measure": "sectors_share", "unit": "percent"},
        },
        "level_labels": {
            1: {"Total": {"category": "all"}, "Females": {"category": "all", "sex": "female"}}
        },
        "totals": {"category": ("all", ["deaths", "severe_injuries", "minor_injuries"])},
        "shares": "category",
    },
    "t64": {
        "family": "fainting",
        "rows": ["year"],
        "levels": ["measure", "measure"],
        "labels": {
            "Factories with Cases of Unconscious Workers": {},
            "Factories": {"measure": "factories"},
            "Unconscious Workers": {"measure": "unconscious_workers"},
            "Total": {"sex": "total"},
        },
    },
    "t65": {"family": "text"},
    "t66": {
        "family": "items_by_year",
        "rows": ["no", "item"],
        "levels": ["year", "measure", "unit"],
        "level_labels": {
            1: {
                "Courses": {"measure": "courses"},
                "Total": {"measure": "participants", "sex": "total"},
                "Females": {"measure": "participants", "sex": "female"},
            },
            2: {"Persons": {"unit": "persons"}},
        },
    },
    "t67": {
        "family": "dissemination",
        "rows": ["year"],
        "levels": ["measure", "sex"],
        "block_dim": "scheme",
        "labels": {
            "": {"scheme": "all"},
            "Dissemination of Occupational Risk Scheme": {"scheme": "occupational_risk"},
            "Dissemination of Health Care Scheme": {"scheme": "health_care"},
            "Dissemination of Pension Scheme": {"scheme": "pension"},
            "Participants": {"measure": "participants"},
        },
        "totals": {"scheme": ("all", ["occupational_risk", "health_care", "pension"])},
    },
    "t68": _DISSEMINATION,
    "t69": _DISSEMINATION,
    "t70": {
        "family": "dissemination",
        "rows": ["year"],
        "levels": ["audience", "measure"],
        "labels": {
            "Workers": {"audience": "workers"},
            "Drivers": {"audience": "drivers"},
            "Participants": {"measure": "participants"},
        },
    },
    "t71": _with(
        _ITEMS, levels=["measure"], year="report", labels={"Number of News": {"measure": "news"}}
    ),
    "a6_1_1": _PROVINCES,
    "a6_1_1_business": _with(
        _PROVINCE_SEX,
        family="business_codes",
        rows=["no", "business_code", "business"],
        totals={"business": "Total"},
    ),
    "a6_1_2": _PROVINCE_SEX,
    "a6_1_3": _with(_PROVINCES, defaults={"measure_prefix": "new_"}),
    "a6_1_3_monthly": {
        "family": "provinces",
        "rows": ["no", "province"],
        "levels": ["month"],
        "year": "report",
        "defaults": {"measure": "new_enterprises"},
        "labels": {"Total": {"month": "total"}},
        "totals": {"province": "Total", "month": "total"},
    },
    "a6_1_4": _with(
        _PROVINCE_SEX,
        labels={"Occupational Risk Reports": {"measure": "occupational_risk_reports"}},
    ),
    "a6_1_5": _with(
        _INVESTIGATIONS,
        labels={
            "Investigation Results": {"measure": "investigation_results"},
            "New": {"status": "new"},
            "Old": {"status": "old"},
        },
    ),
    "a6_2_1": "a6_1_4",
    "a6_2_2": "a6_1_5",
    "a6_3_1": _PROVINCES,
    "a6_4_1": _PROVINCES,
    "a6_5_1": _PROVINCES,
    "a6_5_2": {
        "family": "provinces",
        "rows": ["no", "province"],
        "levels": ["sector", "measure"],
        "year": "report",
        "labels": {
            "Number of Mothers": {"measure": "mothers", "sector": "all"},
            "Number of Children": {"measure": "children", "sector": "all"},
            "Formal Sector": {"sector": "formal"},
            "Informal Sector": {"sector": "informal"},
            "Allowance in One Child (Riels)": {"measure": "allowance_per_child", "unit": "riels"},
            "Total Amount (Million Riels)": {"measure": "total_amount", "unit": "million riels"},
        },
        "non_additive": ["allowance_per_child"],
        "totals": {"province": "Total", "sector": ("all", ["formal", "informal"])},
    },
}


def tidy_spec(table_id: str) -> dict:
    """Return the tidy spec of a table, following references to another table's spec."""
    spec = TIDY[table_id]
    while isinstance(spec, str):
        spec = TIDY[spec]
    return spec
