"""Parts C to E of the report (Tables 56–71).

C is the pension scheme, D the informal sector and childbirth allowance, E the
institutional work.

Its tables' entries of ``TIDY``, ``ROWS`` and ``HEADERS`` (see :mod:`nssf_analysis.data.specs`).
"""

from __future__ import annotations

from nssf_analysis.data.specs.families import CONTRIB, DISSEMINATION, HQ, ITEMS, variant

__all__ = ["HEADERS", "RENAMED", "ROWS", "TABLE_OPTIONS", "TIDY"]

#: Extraction options of numbered tables: ``blocks`` (a row holding only a label opens a
#: new block) and ``header_rows`` (fixed header depth, where auto-detection cannot work).
TABLE_OPTIONS = {
    "t61": {"blocks": True},
    "t65": {"header_rows": 1},
    "t67": {"blocks": True},
}

#: Tidy specifications (see :mod:`nssf_analysis.data.specs`).
TIDY = {
    "t56": HQ,
    "t57": HQ,
    "t58": "t04",
    "t59": CONTRIB,
    "t60": HQ,
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
    "t68": DISSEMINATION,
    "t69": DISSEMINATION,
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
    "t71": variant(
        ITEMS, levels=["measure"], year="report", labels={"Number of News": {"measure": "news"}}
    ),
}


#: Body-row labels of the tables whose rows are not the year rows.
ROWS = {
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
}


#: Header labels, as printed (a string names a table printed alike).
HEADERS = {
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
}


#: Labels an edition prints in place of the ones before it, by table and by the first
#: edition that prints them, e.g. ``{"t13": {2023: {"Funerary Grants": "Funeral Grants"}}}``
#: (see :func:`nssf_analysis.data.specs.renamed`).
RENAMED: dict = {}
