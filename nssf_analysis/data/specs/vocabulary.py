"""Labels that mean the same in every table of the report.

A printed label becomes ``{dim: slug(label)}`` unless a label map says otherwise: a
table's ``labels`` (any level) or ``level_labels`` (one level), or :data:`LABELS` here
(every table). Years, periods and "Fluctuation" headers are recognised everywhere.
"""

from __future__ import annotations

__all__ = ["LABELS", "MONTH_NAMES", "PRINTED_DIMS", "YEAR_ROWS"]

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

#: Month names as the monthly tables print them, January first.
MONTH_NAMES = (
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
)

#: Body rows of a table whose rows are years: the year before, the report year, the change.
YEAR_ROWS = ("{previous}", "{report}", "Fluctuation")

#: Dimensions whose values are row labels as printed (not turned into identifiers).
PRINTED_DIMS = {"no", "item", "province", "business", "business_code"}
