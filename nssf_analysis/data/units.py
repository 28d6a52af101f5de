"""Units: the one vocabulary of units, money scaling, and the reading of each amount.

:data:`VOCABULARY` declares every unit the report uses, once, with where it is used
(the tables, the prose or both); :data:`UNITS` (the tables' vocabulary),
:data:`FACT_UNITS` (the prose's), :data:`COUNT_UNITS` and :data:`MONEY_UNITS` follow
from it. :data:`MEASURE_UNITS` gives a measure's unit where no label prints it, and
:data:`UNIT_WORDS` the unit a printed word names. A new unit goes in
:data:`VOCABULARY`; a new unit of money also in :data:`MONEY_SCALE`.

The report prints amounts in riels, million riels and billion riels. Where a table's
heading and the report's own text disagree about the scale of the same amounts,
:data:`READINGS` declares the reading the book uses, with the evidence for it. Every
paragraph, indicator and sum reads the amounts through :func:`read`, so no sum mixes
scales; the table itself keeps the label as printed, and the audit states the
conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COUNT_UNITS",
    "FACT_UNITS",
    "MEASURE_UNITS",
    "MONEY_SCALE",
    "MONEY_UNITS",
    "READINGS",
    "UNITS",
    "UNIT_WORDS",
    "VOCABULARY",
    "Reading",
    "factor",
    "is_money",
    "methodology_markdown",
    "read",
    "reading",
]

#: Riels per unit of each money unit.
MONEY_SCALE = {"riels": 1.0, "million riels": 1e6, "billion riels": 1e9}

#: Every unit the report uses (as the report labels them, lower case) and where:
#: ``tables`` (the tidy data's ``unit`` column), ``prose`` (the facts' ``unit`` column).
VOCABULARY = {
    "persons": "tables prose",
    "enterprises": "tables prose",
    "institutions": "tables prose",
    "documents": "tables prose",
    "times": "tables prose",
    "times/persons": "tables prose",
    "riels": "tables",
    "million riels": "tables prose",
    "billion riels": "tables prose",
    "percent": "tables prose",
    "reports": "tables",
    "cases": "tables prose",
    "factories": "tables prose",
    "courses": "tables",
    "news": "tables",
    "health facilities": "tables prose",
    "cards": "prose",
    "associations": "prose",
}

#: Units of money (those :data:`MONEY_SCALE` scales).
MONEY_UNITS = frozenset(MONEY_SCALE)

#: The controlled vocabulary of units of the tables.
UNITS = frozenset(u for u, used in VOCABULARY.items() if "tables" in used.split())

#: The controlled vocabulary of units of the facts of the prose.
FACT_UNITS = frozenset(u for u, used in VOCABULARY.items() if "prose" in used.split())

#: Units of the tables whose values are counts (non-negative integers).
COUNT_UNITS = UNITS - MONEY_UNITS - {"percent"}

#: The unit a printed word or parenthesis names ("(Billion Riels)", "%").
UNIT_WORDS = {
    "billion riels": "billion riels",
    "million riels": "million riels",
    "riels": "riels",
    "documents": "documents",
    "persons": "persons",
    "times": "times",
    "times/persons": "times/persons",
    "%": "percent",
}

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


@dataclass(frozen=True)
class Reading:
    """How the amounts of one table are read when the report labels them inconsistently.

    Parameters
    ----------
    table_id : str
        The table.
    printed : str
        The unit the table's heading prints.
    read : str
        The unit its amounts are read in everywhere outside the table itself.
    evidence : str
        Why, in the report's own words and figures (a sentence for the methodology page).
    """

    table_id: str
    printed: str
    read: str
    evidence: str


#: The documented reading of every table whose printed unit the report contradicts.
READINGS: dict[str, Reading] = {
    "t31": Reading(
        "t31",
        "billion riels",
        "million riels",
        "Table 31 (benefits expenditure of the public sector's occupational risk scheme) is "
        "headed \u201cBillion Riels\u201d, but the text of section A.2.3 gives its total, "
        "316.32, in million riels, and only that reading adds up to the expenditure of the "
        "occupational risk scheme stated in section 2 (22,619.33 million riels: Tables 18, "
        "20, 31 and 33). Its amounts are read as million riels in every paragraph, "
        "indicator and sum of this book; the table shows the heading as printed.",
    ),
}


def is_money(unit: str) -> bool:
    """Whether ``unit`` is a unit of money (riels, million riels, billion riels)."""
    return unit in MONEY_UNITS


def factor(unit: str, target: str) -> float:
    """Return the factor that converts an amount in ``unit`` to ``target``.

    Raises
    ------
    ValueError
        When either unit is not a unit of money and the two differ.
    """
    if unit == target:
        return 1.0
    if unit not in MONEY_SCALE or target not in MONEY_SCALE:
        raise ValueError(f"cannot convert {unit!r} to {target!r}")
    return MONEY_SCALE[unit] / MONEY_SCALE[target]


def reading(table_id: str, unit: str) -> str:
    """Return the unit a table's amounts printed in ``unit`` are read in.

    Parameters
    ----------
    table_id : str
        The table.
    unit : str
        The unit as printed (from the tidy data).
    """
    r = READINGS.get(table_id)
    return r.read if r is not None and r.printed == unit else unit


def read(table_id: str, value: float, unit: str) -> tuple[float, str]:
    """Return an amount of a table in its documented reading: ``(value, unit)``.

    The value itself is unchanged; only the unit it is read in may differ from the
    printed one (Table 31: billion riels as printed, million riels as read).
    """
    return value, reading(table_id, unit)


def methodology_markdown() -> str:
    """Return the methodology page's statement of the units and their readings (Markdown)."""
    lines = [
        "- **Units of money.** Amounts are shown in the unit the report prints them in "
        "(riels, million riels or billion riels); sums over tables are converted to one "
        "unit first (1 billion riels = 1,000 million riels).",
    ]
    for r in READINGS.values():
        lines.append(f"- **Unit of Table {int(r.table_id[1:])}.** {r.evidence}")
    return "\n".join(lines)
