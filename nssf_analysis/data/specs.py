"""Table specifications: every table of the report described once, as data.

Extraction (:mod:`nssf_analysis.extract`) uses :data:`ANNEX_TABLES` and
:data:`TABLE_OPTIONS` to find and cut tables; the tidy layer
(:mod:`nssf_analysis.tidy`) uses :data:`TIDY` to interpret them; :func:`contract`
gives the rows, blocks and header labels each table must have.
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


# --------------------------------------------------------------------------------------
# Completeness contracts
# --------------------------------------------------------------------------------------
#
# A table's shape is part of its contract: the labels of its body rows (in every block),
# its blocks and the labels of its header, as printed in the 2022 report.  Years are
# relative: "{report}" is the report's year and "{previous}" the year before, so next
# year's report fits the same contract.  Tables whose rows are years (most of them) need
# no entry in :data:`ROWS`: their rows are :data:`YEAR_ROWS`.  Blocks follow from the
# spec's labels of its ``block_dim``.  A string value names a table printed alike.
# Extraction and validation refuse a table that lost or gained a row, block or column.

#: The report's graphics are "Graphic 1" … "Graphic 11" (``data/graphics.csv`` lists each).
GRAPHIC_COUNT = 11

#: Body rows of a table whose rows are years: the year before, the report year, the change.
YEAR_ROWS = ("{previous}", "{report}", "Fluctuation")

#: Capitals/provinces in the order of the annex tables, and their total row.
PROVINCES = (
    "Banteay Meanchey",
    "Battambang",
    "Kampong Cham",
    "Kampong Chhnang",
    "Kampong Speu",
    "Kampong Thom",
    "Kampot",
    "Kandal",
    "Koh Kong",
    "Kratie",
    "Mondul Kiri",
    "Phnom Penh",
    "Preah Vihear",
    "Prey Veng",
    "Pursat",
    "Ratanak Kiri",
    "Siem Reap",
    "Preah Sihanouk",
    "Stung Treng",
    "Svay Rieng",
    "Takeo",
    "Otdar Meanchey",
    "Kep",
    "Pailin",
    "Tboung Khmum",
    "Total",
)
#: The same, with the five Phnom Penh khans the occupational-risk annexes list apart.
PROVINCES_AND_KHANS = PROVINCES[:-1] + (
    "Dangkao",
    "Mean Chey",
    "Russy Keo",
    "Pur Senchey",
    "Chrouy Changvar",
    "Total",
)

#: Body-row labels of each table whose rows are not the family's year rows.
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
    "t14": (
        "Medical Care Services Benefits",
        "Nursing Benefits",
        "Temporary Disability Benefits",
        "Benefits of Permanent Disability Less than 20% (Lump-Sum)",
        "Benefits of Permanent Disability More than 20% (Pension)",
        "Funerary Grants",
        "Survivors' Pension Benefits",
        "Caretakers' Benefits",
        "Total",
    ),
    "t16": ("Outpatient Department (OPD) / Times/Persons", "Inpatient Department (IPD)", "Total"),
    "t17": ("Number of Health Facilities / Documents",),
    "t18": (
        "1. Occupational Risk Benefits",
        "Medical Care Services Benefits",
        "Nursing Benefits",
        "Temporary Disability Benefits",
        "Benefits of Permanent Disability Less than 20% (Lump-Sum)",
        "Benefits of Permanent Disability More than 20% (Pension)",
        "Funerary Grants",
        "Survivors' Pension Benefits",
        "Caretakers' Benefits",
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
    "t27": (
        "Medical Care Services Benefits",
        "Nursing Benefits",
        "Benefits of Permanent Disability Less than 20% (Lump-Sum)",
        "Benefits of Permanent Disability More than 20% (Pension)",
        "Funerary Grants",
        "Survivors' Pension Benefits",
        "Caretakers' Benefits",
        "Total",
    ),
    "t29": "t16",
    "t30": "t17",
    "t31": (
        "1. Occupational Risk Benefits",
        "Medical Care Services Benefits",
        "Nursing Benefits",
        "Benefits of Permanent Disability Less than 20% (Lump-Sum)",
        "Benefits of Permanent Disability More than 20% (Pension)",
        "Funerary Grants",
        "Survivors' Pension Benefits",
        "Caretakers' Benefits",
        "2. Health Facilities",
        "Official Hospitals",
        "Unofficial Hospitals",
        "Grand Total (1+2)",
    ),
    "t32": "t19",
    "t33": "t20",
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
    "t66": (
        "Training Courses and Workshops",
        "Local",
        "Abroad",
        "Study Visits",
        "Local",
        "Abroad",
        "Total (1+2)",
    ),
    "t71": (
        "Dissemination via Facebook Page (National Social Security Fund - NSSF)",
        "Dissemination via the NSSF Website - www.nssf.gov.kh",
        "Dissemination via Youtube and Telegram Channel (National Social Security Fund)",
        "Live on Facebook Page",
        "NSSF Press Release",
    ),
    "a6_1_1": PROVINCES,
    "a6_1_1_business": (
        "Raising of Animals and Growing of Crops",
        "Crude Petroleum and Natural Gas Extracting Industry",
        "Mining Discovery Activities",
        "Manufacture of Canned Fruits and Vegetables",
        "Manufacture of Forage",
        "Sugar Manufacturing Factory",
        "Manufacture of Food",
        "Manufacture of Other Food Products",
        "Manufacture of Beer",
        "Manufacture of Beverage",
        "Manufacture of Tobacco-Derived Products",
        "Weaving",
        "Garment",
        "Manufacture of Other Garment Products",
        "1912 / Manufacture of Bag",
        "1920 / Manufacture of Shoe",
        "2029 / Manufacture of Wooden and Styrofoam Products",
        "Manufacture of Paper",
        "Paper Products",
        "Printing",
        "Manufacture of Refined Petroleum Products",
        "Manufacture of Medicine",
        "Manufacture of Chemical and Toxic Products",
        "Manufacture of Rubber Products",
        "Manufacture of Plastic",
        "Manufacture of Glass and Glass Products",
        "Productions of Cement, Concrete, and Skim Coat",
        "Cutting and Carving of Stones and Brick Kilns",
        "Manufacture of Steel and Zinc",
        "Electricity Generation",
        "Manufacture of Cable",
        "Manufacture of Electronic Equipments",
        "Manufacture of Pharmaceutical Equipments",
        "Manufacture of Car",
        "Motorcycle Manufacturing Factory",
        "Bicycle Manufacturing Factory",
        "Jewelry",
        "Manufacture of Games and Toys",
        "Other Product Manufacturing Factories",
        "Manufacture of Gas and Distribution of Gas",
        "Construction",
        "Digital Sale",
        "Car Sale",
        "Sale, Maintenance, and Repair of Motorcycle",
        "Fuel Sale",
        "Sale of Food, Beverage, and Tobacco",
        "Sale of Household Goods",
        "Fire Extinguisher Sales",
        "Sales and Supply of Electrical Equipments",
        "Wholesale of Other Goods",
        "Sale of Food, Beverage and Tobacco",
        "Sale of Pharmaceuticals, Pharmaceutical Equipment, Cosmetics and Cosmetic Material",
        "Sale of Textile, Garment, Shoe, and Leather Products",
        "Mall",
        "Repair of Car",
        "Repair of Household Materials, Appliances, and Electrical Equipment",
        "Hotel",
        "Restaurant",
        "Rail Transportation",
        "Water and Marine Transportation",
        "Airport",
        "Tourism Activities",
        "Delivery Agency",
        "Telecommunication",
        "Bank",
        "Life Insurance",
        "Non-Life Insurance",
        "Stock Market Activities (Securities)",
        "Sale, Purchase, and Lease of Real Estate",
        "Supplies and Consultation of Computer Software",
        "Legal Activities",
        "Auditing Activities",
        "Market Research Activities",
        "Business Activities",
        "Architecture, Engineering, and Technical Consultation",
        "Advertisement",
        "Migrant Recruitment",
        "Security",
        "Photographic Activities",
        "Packaging Activities",
        "Other Business Activities",
        "General Public Services Activities (District Hall)",
        "Social Security",
        "Primary School",
        "High School",
        "Technical and Vocational Training Center",
        "University",
        "Hospital",
        "Dental Clinic",
        "Cleaning",
        "Business Association",
        "Religious and Organizational Activities",
        "Radio and Television",
        "Other Entertainment Activities",
        "Activities of News Agent",
        "Museum and Maintenance Activities of Building and Historical Site",
        "Sport Activities",
        "Other Gambling Activities",
        "Sale of Lottery",
        "Laundry",
        "Port Activities",
        "Other Services",
        "Domestic Workers",
        "Non-Government Organizations",
        "Total",
    ),
    "a6_1_2": "a6_1_1",
    "a6_1_3": "a6_1_1",
    "a6_1_3_monthly": "a6_1_1",
    "a6_1_4": PROVINCES_AND_KHANS,
    "a6_1_5": "a6_1_4",
    "a6_2_1": "a6_1_4",
    "a6_2_2": "a6_1_4",
    "a6_3_1": "a6_1_1",
    "a6_4_1": "a6_1_1",
    "a6_5_1": "a6_1_1",
    "a6_5_2": (
        "Abroad",
        "Phnom Penh",
        "Kandal",
        "Kampong Speu",
        "Kampong Chhnang",
        "Prey Veng",
        "Kampong Cham",
        "Kratie",
        "Stung Treng",
        "Svay Rieng",
        "Takeo",
        "Kampot",
        "Kep",
        "Preah Sihanouk",
        "Koh Kong",
        "Kampong Thom",
        "Pursat",
        "Battambang",
        "Siem Reap",
        "Banteay Meanchey",
        "Otdar Meanchey",
        "Pailin",
        "Preah Vihear",
        "Mondul Kiri",
        "Ratanak Kiri",
        "Tboung Khmum",
        "Total",
    ),
}

#: Header labels of each table, as printed (a reference names a table printed alike).
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
    "t56": "t01",
    "t57": "t01",
    "t58": "t01",
    "t59": (
        "Description",
        "Contributory Enterprises (Average)",
        "Contribution-Paid Enterprises (Average)",
        "Contribution-Paid Members (Average)",
        "Contributions (Billion Riels)",
        "Percentage of Contribution-Paid Enterprises",
        "Total",
        "Females",
    ),
    "t60": "t01",
    "t61": (
        "Description",
        "Number of Primiparae/Multiparae (Persons)",
        "Total of Newborns (Persons)",
        "Additional Allowances per Newborn (Riels)",
        "Total Allowance (Billion Riels)",
        "Total of Primiparae/Multiparae",
        "Primiparae/Multiparae with Twins",
        "Primiparae/Multiparae with Triplets",
    ),
    "t62": (
        "Description",
        "Meetings (Times)",
        "Degree Less than 20%",
        "Degree From 20% Up",
        "Total Victims",
        "Total",
        "Females",
    ),
    "t63": (
        "Workers' Traffic Accidents",
        "Cases",
        "Situations of Victims (Persons)",
        "General Vehicles (%)",
        "Offending Vehicles (%)",
        "Sectors (%)",
        "Deaths",
        "Severe Injuries",
        "Minor Injuries",
        "Total",
        "Females",
        "Motorcycles",
        "Cars",
        "Others",
        "Vehicles Transporting Workers",
        "Other Vehicles",
        "Factories",
        "Banks/Micro-Finances",
    ),
    "t64": (
        "Description",
        "Factories with Cases of Unconscious Workers",
        "Unconscious Workers",
        "Factories",
        "Times",
        "Total",
        "Females",
    ),
    "t66": (
        "No.",
        "Description",
        "{previous}",
        "{report}",
        "Fluctuation (± %)",
        "Courses",
        "Total",
        "Females",
        "Persons",
    ),
    "t67": ("Description", "Times", "Participants", "Total", "Females"),
    "t68": (
        "Description",
        "Enterprises Receiving Educational Dissemination",
        "Participated Workers",
        "Enterprises",
        "Times",
        "Total",
        "Females",
    ),
    "t69": "t68",
    "t70": ("Description", "Workers", "Drivers", "Enterprises", "Times", "Participants", "Females"),
    "t71": ("No.", "Description", "Number of News"),
    "a6_1_1": ("No.", "Capital/Provinces", "{report}", "Enterprises", "Workers", "Females"),
    "a6_1_1_business": (
        "No.",
        "Business Code",
        "Types of Businesses",
        "Numbers of Enterprises",
        "Number of Workers",
        "Total",
        "Females",
    ),
    "a6_1_2": (
        "No.",
        "Capital/Provinces",
        "Number of Enterprises",
        "Number of Workers",
        "Total",
        "Females",
    ),
    "a6_1_3": "a6_1_1",
    "a6_1_3_monthly": (
        "No.",
        "Capital/Provinces",
        "Jan",
        "Feb",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "Total",
    ),
    "a6_1_4": ("No.", "Capital/Provinces", "Occupational Risk Reports", "Total", "Females"),
    "a6_1_5": ("No.", "Capital/Provinces/Khan", "Investigation Results", "New", "Old", "Total"),
    "a6_2_1": ("No.", "Capital/Provinces/Khan", "Occupational Risk Reports", "Total", "Females"),
    "a6_2_2": "a6_1_5",
    "a6_3_1": "a6_1_1",
    "a6_4_1": "a6_1_1",
    "a6_5_1": "a6_1_1",
    "a6_5_2": (
        "No.",
        "Capital/Provinces",
        "Number of Mothers",
        "Number of Children",
        "Formal Sector",
        "Informal Sector",
        "Allowance in One Child (Riels)",
        "Total Amount (Million Riels)",
        "Mothers",
        "Children",
        "Twins",
        "Triplets",
    ),
}


def _follow(mapping: dict, table_id: str, default):
    value = mapping.get(table_id, default)
    while isinstance(value, str):
        value = mapping[value]
    return value


def contract(table_id: str, report_year: int) -> dict | None:
    """Return what a table must have, for a report year: rows, blocks and header labels.

    Parameters
    ----------
    table_id : str
        A numbered or annex table id.
    report_year : int
        The report's year ("{report}"; "{previous}" is the year before).

    Returns
    -------
    dict or None
        ``rows`` (body-row labels of each block, in order; a change row reads
        "Fluctuation"), ``blocks`` (block labels, ``""`` for a table without blocks) and
        ``header`` (every label of the header rows); None for the text table and for a
        table declared for a later edition (its layout is checked by the edition match).
    """
    spec = tidy_spec(table_id)
    if spec["family"] == "text" or table_id not in HEADERS:
        return None  # running text, or a table new in a later edition (no 2022 layout)
    years = {"report": report_year, "previous": report_year - 1}
    rows = _follow(ROWS, table_id, YEAR_ROWS)
    header = _follow(HEADERS, table_id, ())
    dim = spec.get("block_dim")
    blocks = tuple(k for k, v in spec.get("labels", {}).items() if dim in v) if dim else ("",)
    return {
        "rows": tuple(r.format(**years) for r in rows),
        "blocks": blocks,
        "header": tuple(h.format(**years) for h in header),
    }
