"""Families of tables: the specs many tables share, and :func:`variant` of one.

A family is the shape of a kind of table (offices by year, items by year, sex pairs …);
a table of that shape names it in its part's :data:`TIDY` (``"t02": HQ``) or changes
a key or two (``variant(HQ, cumulative=True)``).
"""

from __future__ import annotations

__all__ = [
    "CLAIMED_PAID",
    "CONTRIB",
    "DEGREES",
    "DISSEMINATION",
    "HQ",
    "INJURY_TYPES",
    "INSPECTION",
    "ITEMS",
    "ITEMS_UNIT",
    "ITEMS_UNIT_SEX",
    "LEVELS",
    "SEX_PAIR",
    "variant",
]

HQ = {
    "family": "office_breakdown",
    "rows": ["year"],
    "levels": ["office", "measure"],
    "labels": {"Total": {"office": "total"}},
    "totals": {"office": "total"},
}
CONTRIB = {
    "family": "contribution",
    "rows": ["year"],
    "levels": ["measure", "sex"],
}
INSPECTION = {
    "family": "inspection",
    "rows": ["no", "item"],
    "levels": ["year", "measure", "office"],
    "defaults": {"office": "total"},
    "totals": {"office": "total"},
}
LEVELS = {
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
INJURY_TYPES = {
    "family": "injury_types",
    "rows": ["year"],
    "levels": ["injury_type", "sex"],
    "level_labels": {
        0: {"Total": {"injury_type": "all"}, "Females": {"injury_type": "all", "sex": "female"}}
    },
    "defaults": {"measure": "injuries"},
    "totals": {"injury_type": "all"},
}
DEGREES = {
    "family": "injury_degrees",
    "rows": ["year"],
    "levels": ["measure", "degree", "sex"],
    "labels": {"Occupational Risk Investigation Results": {"measure": "injuries"}},
    "level_labels": {1: {"Overall Total": {"degree": "all"}, "Total": {"degree": "all"}}},
    "totals": {"degree": ("all", ["minor_injuries", "severe_injuries", "deaths"])},
}
ITEMS = {
    "family": "items_by_year",
    "rows": ["no", "item"],
    "levels": ["measure", "year"],
}
ITEMS_UNIT = {
    "family": "items_by_year",
    "rows": ["no", "item", "unit"],
    "levels": ["year"],
    "ffill": ["unit"],
}
ITEMS_UNIT_SEX = {
    "family": "items_by_year",
    "rows": ["no", "item", "unit"],
    "levels": ["year", "sex"],
    "ffill": ["unit"],
}
CLAIMED_PAID = {
    "family": "items_by_year",
    "rows": ["no", "item", "unit"],
    "levels": ["year", "status"],
    "ffill": ["unit"],
    "defaults": {"measure": "health_facility_documents"},
}
SEX_PAIR = {"family": "sex_pair", "rows": ["year"], "levels": ["measure", "sex"]}
DISSEMINATION = {
    "family": "dissemination",
    "rows": ["year"],
    "levels": ["measure", "sex"],
    "labels": {
        "Enterprises Receiving Educational Dissemination": {},
        "Participated Workers": {"measure": "participated_workers"},
    },
}


def variant(base: dict, **kw) -> dict:
    """Return a copy of a family's spec with some keys changed: ``variant(HQ, cumulative=True)``."""
    out = dict(base)
    out.update(kw)
    return out
