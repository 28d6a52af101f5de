"""The audit's rules, declared as data: classes, rules, conventions and cross-references.

What goes here
--------------
* a class of finding (:data:`CLASSES`), a rule and its group (:data:`RULES`), a family
  between places (:data:`FAMILIES`), a convention of the report (:data:`CONVENTIONS`),
  a column of ``findings.csv`` (:data:`FINDING_COLUMNS`);
* a cross-reference (:class:`XRef` of :class:`Term`, in :data:`XREFS`): a formula within
  one table, a main table against its annex, the same figure in two tables, a table
  against a directory or the prose.  The figures the prose states and the table cell
  that prints them are one row each of ``prose.csv`` (:data:`PROSE`), the same figure
  in two tables one ``[[same]]`` each of ``same_figures.toml`` (:data:`SAME_FIGURES`);
* a numbered directory list (:data:`DIRECTORY_LISTS`).

The functions that apply the rules are in :mod:`.checks` (one table or list),
:mod:`.crossref` (the cross-references), :mod:`.relations` and :mod:`.directories`
(the families between places); the families declare their own tables of rules there.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

from nssf_analysis.analysis.audit.common import checked_selector, declared
from nssf_analysis.exceptions import NSSFError

__all__ = [
    "CLASSES",
    "CONVENTIONS",
    "CONVENTION_SHARE",
    "DIRECTORY_LISTS",
    "FAMILIES",
    "FINDING_COLUMNS",
    "PROSE",
    "REPORT",
    "SAME_FIGURES",
    "RULES",
    "XREFS",
    "Term",
    "XRef",
]

# --------------------------------------------------------------------------------------
# Vocabulary

#: Classes of a finding, most serious first, with what each means.
CLASSES = {
    "inconsistency": "the report contradicts itself by more than rounding explains",
    "structural": "a cell or entry is missing, misplaced, misnumbered or repeated",
    "rounding": "a difference that the rounding of the printed values explains",
    "convention": "the report's documented way of printing a change from zero",
}

#: The families between places (:mod:`.relations`, :mod:`.directories`), in the order the
#: data-quality chapter shows them: rule -> (heading, what is checked).
FAMILIES = {
    "stock_flow": (
        "Stocks and flows",
        "a cumulative count of two periods against the newly registered of the later year",
    ),
    "subset": (
        "Parts and wholes",
        "a population that is part of another (paid of registered, provided of claimed, "
        "females of totals) must not exceed it",
    ),
    "copy": (
        "The same numbers under different bases",
        "a block of members printed in two tables beside other enterprise counts or periods",
    ),
    "list_count": (
        "Counts against the lists they count",
        "the counts of health facilities and branches against the entries of the annex lists",
    ),
    "directory_names": (
        "Names across the directories",
        "the same facility spelled or typed differently in two directories, or listed twice",
    ),
    "prose_attribution": (
        "What the prose attributes",
        "a figure attributed to one scheme that is the total of several, a label that breaks "
        "the pattern of the others",
    ),
    "source_text": (
        "The source text itself",
        "rows left over from the conversion of the report and headings out of sequence",
    ),
}

#: Every rule: its group and what it checks.
RULES = {
    "sum": ("table", "printed totals (rows and columns) against the sum of their parts"),
    "fluctuation": ("table", "printed fluctuations against the change of the two years"),
    "shares": ("table", "percentage shares against 100%"),
    "shifted_cells": ("table", "rows printed with fewer value cells than columns"),
    "blank": ("table", "blank cells between the printed numbers of a row"),
    "precision": ("table", "numbers printed with other decimals than their unit's"),
    "identity": ("cross-reference", "a formula linking cells of one table"),
    "annex": ("cross-reference", "a main table against its annex (or annex against annex)"),
    "tables": ("cross-reference", "the same figure in two main tables (within or across schemes)"),
    "directory": ("cross-reference", "a table against the count of a directory's entries"),
    "prose": ("cross-reference", "a table against the prose (or the prose against itself)"),
    "unit": ("cross-reference", "a cross-reference that holds only in another unit"),
    "numbering": ("directory", "directory lists numbered 1..n without gaps or repeats"),
    "duplicate_name": ("directory", "a name listed twice in one directory list"),
    "format": ("prose", "numbers of the prose printed in the standard way"),
    **{rule: ("between places", text) for rule, (_head, text) in FAMILIES.items()},
}

#: Columns of ``findings.csv``.
FINDING_COLUMNS = [
    "finding_id",
    "rule",
    "check",
    "class",
    "table_id",
    "label",
    "location",
    "line",
    "column",
    "year",
    "printed",
    "expected",
    "difference",
    "tolerance",
    "ref_table",
    "ref_line",
    "ref_location",
    "sentence",
    "detail",
]

#: Share of its cases in which a convention must hold to be adopted.
CONVENTION_SHARE = 0.9

# Rules as data: cross-references
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Term:
    """One side's term: the sum of the cells a selector picks in one source.

    Parameters
    ----------
    source : str
        A table id (``"t18"``, ``"a6_1_1"``), ``"facts"`` (the prose), a directory id
        (``"a6_6_1"``: every entry counts one) or ``"const"`` (the number ``coef``).
    select : str
        Selector: ``"key=value; key=v1|v2; key!=value"``; ``@report`` stands for the
        report year and ``@previous`` for the year before.  A selector that does not
        name ``role`` leaves the printed fluctuations out.
    coef : float
        Factor applied to the term (``-1`` subtracts it).
    times, per : str, optional
        Selectors of cells, in the same source and join group, that the term is
        multiplied by or divided by.
    unit : str, optional
        Unit of the term when ``times`` or ``per`` change it.
    """

    source: str
    select: str = ""
    coef: float = 1.0
    times: str | None = None
    per: str | None = None
    unit: str | None = None


@dataclass(frozen=True, kw_only=True)
class XRef:
    """A cross-reference: ``left`` must equal (or not exceed) the sum of ``right``.

    Parameters
    ----------
    rule : str
        ``identity``, ``annex``, ``tables``, ``directory`` or ``prose``.
    left : Term
        The side the finding is reported at.
    right : tuple of Term
        Terms summed into the other side.
    relation : str
        ``"=="`` or ``"<="``.
    pairs : tuple of (str, str)
        Selector parts added to the left and to every right term; the rule is checked
        once per pair (e.g. enterprises, members, female members).
    join : tuple of str
        Columns both sides are grouped by; the rule is checked once per group.
    tol : float, optional
        Absolute tolerance; by default the rounding of the printed values.
    note : str
        What the report implies that the rule rests on.
    """

    rule: str
    left: Term
    right: tuple[Term, ...]
    relation: str = "=="
    pairs: tuple[tuple[str, str], ...] = (("", ""),)
    join: tuple[str, ...] = ()
    tol: float | None = None
    note: str = ""


#: The selector part of the report year's figures.
REPORT = "year=@report"
#: Registration figures: the main tables' measures and the annexes' measures.
_REG = (
    ("measure=enterprises; sex=total", "measure=enterprises; sex=total"),
    ("measure=members; sex=total", "measure=workers; sex=total"),
    ("measure=members; sex=female", "measure=workers; sex=female"),
)
_NEW_REG = tuple((a.replace("=", "=new_", 1), b.replace("=", "=new_", 1)) for a, b in _REG)
#: Where a main table's office or level is in an annex by capital/province.
_OFFICE_ROWS = (
    ("office=total", "province=Total"),
    ("office=head_offices", "province=Phnom Penh"),
    ("office=provincial_branches", "province!=Phnom Penh|Total"),
)
_LEVEL_ROWS = (
    ("level=total", "province=Total"),
    ("level=central", "province=Phnom Penh"),
    ("level=provincial", "province!=Phnom Penh|Total"),
)
_OFFICE_NOTE = (
    "Head offices are the annex's Phnom Penh row and provincial branches every other row: "
    "the report prints the same figures for both."
)
_LEVEL_NOTE = (
    "The central level is the annex's Phnom Penh row; the Phnom Penh khan branches "
    "(Dangkao, Mean Chey, ...) count at the provincial level."
)
#: Main tables by office and the annex that details them by capital/province.
_ANNEX_BY_OFFICE = (
    ("t02", "a6_1_1", _REG),
    ("t03", "a6_1_2", _REG),
    ("t04", "a6_1_3", _NEW_REG),
    ("t35", "a6_3_1", _REG),
    ("t57", "a6_4_1", _REG),
    ("t60", "a6_5_1", _REG),
)
#: Main tables by level and the annexes that detail them.
_ANNEX_BY_LEVEL = (
    ("t09", "a6_1_4", (("measure=occupational_risk_reports", "sex=total"),)),
    ("t23", "a6_2_1", (("measure=occupational_risk_reports", "sex=total"),)),
    *(
        (
            t,
            a,
            tuple(
                (f"measure=investigation_results; status={s}", f"status={s}")
                for s in ("new", "old", "total")
            ),
        )
        for t, a in (("t09", "a6_1_5"), ("t23", "a6_2_2"))
    ),
)
#: Figures the prose states and the table cell that prints them: (table, selector, fact).
#: The file of the figures the prose states and the table cells that print them.
PROSE_FILE = Path(__file__).with_name("prose.csv")
_PROSE_COLUMNS = ["table_id", "select", "fact_id", "note"]


def _load_prose(path: Path = PROSE_FILE) -> tuple[tuple[str, str, str, str], ...]:
    """Read ``prose.csv``: one row per figure of the prose and the cell that prints it.

    Raises
    ------
    NSSFError
        Naming the file and the row, if the columns are not ``table_id, select, fact_id,
        note``, a table id or fact id is empty or a selector does not parse.
    """
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != _PROSE_COLUMNS:
            raise NSSFError(f"{path.name}: columns {reader.fieldnames}, want {_PROSE_COLUMNS}")
        rows = []
        for n, r in enumerate(reader, 2):
            key = f"{path.name} line {n} ({r['fact_id'] or r['table_id']})"
            if not r["table_id"] or not r["fact_id"]:
                raise NSSFError(f"{key}: table_id and fact_id are required")
            rows.append(
                (r["table_id"], checked_selector(key, r["select"]), r["fact_id"], r["note"] or "")
            )
    return tuple(rows)


#: Figures the prose states and the table cell that prints them:
#: ``(table, selector, fact, note)``, from ``prose.csv``.
PROSE = _load_prose()

#: The file of the same figures printed in two tables.
SAME_FIGURES_FILE = Path(__file__).with_name("same_figures.toml")


def _load_same_figures(path: Path = SAME_FIGURES_FILE) -> tuple[XRef, ...]:
    """Read the ``[[same]]`` entries of ``same_figures.toml`` as ``tables`` cross-references.

    Raises
    ------
    NSSFError
        Naming the file and the entry, for an unknown or missing key, a side that is not
        ``[table, selector]``, a relation other than ``==`` and ``<=`` or a selector that
        does not parse.
    """
    out = []
    for key, entry in declared(path, "same", {"left", "right", "join", "note"}, {"relation"}):
        sides = []
        for side in (entry["left"], entry["right"]):
            if not (isinstance(side, list) and len(side) == 2):
                raise NSSFError(f"{key}: a side is [table, selector], not {side!r}")
            sides.append(Term(source=side[0], select=checked_selector(key, side[1])))
        relation = entry.get("relation", "==")
        if relation not in ("==", "<="):
            raise NSSFError(f"{key}: relation {relation!r} is neither '==' nor '<='")
        out.append(
            XRef(
                rule="tables",
                left=sides[0],
                right=(sides[1],),
                relation=relation,
                join=tuple(entry["join"]),
                note=entry["note"],
            )
        )
    return tuple(out)


#: The same figure in two main tables (within or across schemes), from ``same_figures.toml``.
SAME_FIGURES = _load_same_figures()


#: Totals the prose states with their parts in the same paragraph: (total, parts, unit the
#: parts are counted in).
_PROSE_SUMS = (
    (
        "d1_informal_enterprises",
        (
            "d1_local_institutions",
            "d1_athlete_associations",
            "d1_driver_associations",
            "d1_other_enterprises",
        ),
        "enterprises",
    ),
    *(
        (
            f"d1_informal_members_{s}",
            (
                f"d1_local_institution_members_{s}",
                f"d1_athletes_{s}",
                f"d1_driver_association_members_{s}",
                f"d1_other_enterprise_members_{s}",
            ),
            "persons",
        )
        for s in ("total", "female")
    ),
    *(
        (
            f"e53_card_members_{s}",
            tuple(f"e53_{k}_cards_{s}" for k in ("new", "lost", "damaged", "corrected", "renewal")),
            "persons",
        )
        for s in ("total", "female")
    ),
    ("s2pen_voluntary_members_total", ("c_voluntary_members_total",), "persons"),
    ("s2pen_voluntary_members_female", ("c_voluntary_members_female",), "persons"),
)
_SHARE_PARTS = "measure=contribution_paid_enterprises"
_SHARE_BASE = "measure=contributory_enterprises"
_BIRTHS = (
    Term(source="", select="measure=mothers"),
    Term(source="", select="measure=mothers_with_twins"),
    Term(source="", select="measure=mothers_with_triplets", coef=2.0),
)


def _on(source: str, terms: tuple[Term, ...]) -> tuple[Term, ...]:
    """Return ``terms`` with their source set to ``source``."""
    return tuple(replace(t, source=source) for t in terms)


#: Every cross-reference of the audit, evaluated by :func:`cross_checks`.
XREFS: tuple[XRef, ...] = (
    # ---- identities: formulas within one table
    *(
        XRef(
            rule="identity",
            left=Term(source=t, select="measure=contribution_paid_enterprises_share"),
            right=(
                Term(source=t, select=_SHARE_PARTS, coef=100.0, per=_SHARE_BASE, unit="percent"),
            ),
            join=("year",),
            note="Percentage of contribution-paid enterprises = paid / contributory x 100.",
        )
        for t in ("t05", "t37", "t59")
    ),
    XRef(
        rule="identity",
        left=Term(source="t61", select="measure=newborns"),
        right=_on("t61", _BIRTHS),
        join=("worker_group", "year"),
        note="Newborns = mothers + mothers with twins + 2 x mothers with triplets.",
    ),
    *(
        XRef(
            rule="identity",
            left=Term(source=t, select=f"measure={total}"),
            right=(Term(source=t, select=count, times=f"measure={per}", unit="riels"),),
            join=join,
            note=note,
        )
        for t, total, count, per, join, note in (
            (
                "t61",
                "total_allowance",
                "measure=newborns",
                "allowance_per_newborn",
                ("worker_group", "year"),
                "Total allowance = newborns x allowance per newborn.",
            ),
            (
                "a6_5_2",
                "total_amount",
                "measure=children; sector=all",
                "allowance_per_child",
                ("province",),
                "Total amount = children x allowance per child.",
            ),
        )
    ),
    XRef(
        rule="identity",
        left=Term(source="a6_5_2", select="measure=children"),
        right=(
            Term(source="a6_5_2", select="measure=mothers"),
            Term(source="a6_5_2", select="measure=twins"),
            Term(source="a6_5_2", select="measure=triplets", coef=2.0),
        ),
        pairs=(("sector=formal", "sector=formal"), ("sector=informal", "sector=informal")),
        join=("province",),
        note="Children = mothers + twins + 2 x triplets (twins and triplets count mothers).",
    ),
    # ---- main tables against their annexes
    *(
        XRef(
            rule="annex",
            left=Term(source=main, select=f"{REPORT}; {place}"),
            right=(Term(source=annex, select=rows),),
            pairs=pairs,
            note=note,
        )
        for annexes, places, note in (
            (_ANNEX_BY_OFFICE, _OFFICE_ROWS, _OFFICE_NOTE),
            (_ANNEX_BY_LEVEL, _LEVEL_ROWS, _LEVEL_NOTE),
        )
        for main, annex, pairs in annexes
        for place, rows in places
    ),
    XRef(
        rule="annex",
        left=Term(source="a6_1_1_business", select="business=Total"),
        right=(Term(source="a6_1_1", select="province=Total"),),
        join=("measure", "sex"),
        note="Annex 6.1.1 prints the same enterprises and workers by business and by province.",
    ),
    XRef(
        rule="annex",
        left=Term(source="a6_1_3_monthly", select="month=total"),
        right=(Term(source="a6_1_3", select="measure=new_enterprises"),),
        join=("province",),
        note="The monthly annex counts the same new enterprises as Annex 6.1.3.",
    ),
    XRef(
        rule="annex",
        left=Term(source="t61", select=REPORT),
        right=(Term(source="a6_5_2", select="province=Total"),),
        pairs=(
            *(
                (f"worker_group={g}; measure=mothers", f"sector={g}; measure=mothers")
                for g in ("all", "formal", "informal")
            ),
            *(
                (f"worker_group={g}; measure=newborns", f"sector={g}; measure=children")
                for g in ("all", "formal", "informal")
            ),
            *(
                (f"worker_group={g}; measure=mothers_with_{k}", f"sector={g}; measure={k}")
                for g in ("formal", "informal")
                for k in ("twins", "triplets")
            ),
            ("worker_group=all; measure=allowance_per_newborn", "measure=allowance_per_child"),
            ("worker_group=all; measure=total_allowance", "measure=total_amount"),
        ),
        note="Annex 6.5.2 details Table 61's report year by capital/province.",
    ),
    # ---- the same figure in two main tables (same_figures.toml)
    *SAME_FIGURES,
    # ---- tables against directories
    *(
        XRef(
            rule="directory",
            left=Term(source="t38", select=f"level={level}; facility_type={types}"),
            right=(Term(source="a6_6_1", select=rows),),
            note="Table 38 refers to Annex 6.6.1; central level = the Phnom Penh lists.",
        )
        for level, types, rows in (
            (
                "central",
                "national_hospitals|referral_hospitals|health_centers",
                "province=Phnom Penh; ownership=public",
            ),
            ("central", "private_hospitals", "province=Phnom Penh; ownership=private"),
            (
                "provincial",
                "national_hospitals|referral_hospitals|health_centers",
                "province!=Phnom Penh; ownership=public",
            ),
            ("provincial", "private_hospitals", "province!=Phnom Penh; ownership=private"),
            ("total", "all", ""),
        )
    ),
    # ---- tables against the prose
    *(
        XRef(
            rule="prose",
            left=Term(source=t, select=f"{REPORT}; {sel}"),
            right=(Term(source="facts", select=f"fact_id={fact}"),),
            note=note,
        )
        for t, sel, fact, note in PROSE
    ),
    *(
        XRef(
            rule="prose",
            left=Term(source="facts", select=f"fact_id={fact}"),
            right=(
                Term(source="const", coef=100.0),
                Term(source=t, select=f"{REPORT}; {sel}", coef=-1.0),
            ),
            note="The late share is what the on-time share leaves of 100%.",
        )
        for t, sel, fact in (
            ("t05", "measure=contribution_paid_enterprises_share", "a11_late_share"),
            ("t37", "measure=contribution_paid_enterprises_share", "b11_late_share"),
            ("t59", "measure=contribution_paid_enterprises_share", "c_late_share"),
        )
    ),
    *(
        XRef(
            rule="prose",
            left=Term(source="facts", select=f"fact_id={total}"),
            right=tuple(Term(source="facts", select=f"fact_id={p}", unit=unit) for p in parts),
            note="A total the prose states with its parts (each part counts one member).",
        )
        for total, parts, unit in _PROSE_SUMS
    ),
)


#: Directory lists: (directory, columns that identify a list, columns of an entry's name).
DIRECTORY_LISTS = (
    ("a6_6_1", ("province", "ownership"), ("name",)),
    ("a6_6_2", ("province", "ownership"), ("name",)),
    ("a6_6_3", ("group",), ("address",)),
)

#: The report's conventions for printing a change whose base is zero or missing.
CONVENTIONS = {
    "from_zero": "a change from a zero base to a non-zero value is printed as 100.00%",
    "both_zero": "no change between two zeros is printed as 0.00%",
    "no_base": "a change from a year printed '-' (no data) is printed as 100.00%",
}
