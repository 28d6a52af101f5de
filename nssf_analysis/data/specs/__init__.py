"""Table specifications: every table of the report described once, as data.

Where a table is declared
-------------------------
A new table spec goes in the module of the report part that prints it:

``part_a_occupational_risk``
    Part A, occupational risk (Tables 1–33);
``part_b_health_care``
    Part B, health care (Tables 34–55);
``part_c_to_e``
    Parts C–E, pension, informal sector, childbirth allowance and institutional work
    (Tables 56–71), with :data:`TABLE_OPTIONS` (how a numbered table is cut);
``annex``
    the annex tables (:data:`ANNEX_TABLES`: the heading that opens each one).

Each part module has four mappings keyed by the table's stable id: ``TIDY`` (how its
cells are read: the dimension of each row-label column and header level, label maps,
totals), ``ROWS`` (its body-row labels, where they are not the year rows),
``HEADERS`` (its header labels as printed) and ``RENAMED`` (labels a later edition prints
in place of the 2022 report's: :func:`renamed`). :mod:`~nssf_analysis.data.specs.families`
holds the specs many tables share, :mod:`~nssf_analysis.data.specs.vocabulary` the
labels that mean the same in every table, and :mod:`nssf_analysis.data.units` the
units (the vocabulary, the unit of each measure, money scaling).

This module merges the parts, in the report's order, and gives the API: extraction
(:mod:`nssf_analysis.data.extract`) uses ``annex.ANNEX_TABLES`` and
``part_c_to_e.TABLE_OPTIONS`` (imported from their modules) to find and cut tables;
the tidy layer (:mod:`nssf_analysis.data.tidy`) uses :func:`tidy_spec`; :func:`contract`
gives the rows, blocks and header labels each table must have.
"""

from __future__ import annotations

from nssf_analysis.data.specs import (
    annex,
    part_a_occupational_risk,
    part_b_health_care,
    part_c_to_e,
)
from nssf_analysis.data.specs.vocabulary import YEAR_ROWS
from nssf_analysis.exceptions import ExtractionError

__all__ = [
    "GRAPHIC_COUNT",
    "HEADERS",
    "REFERENCE_YEAR",
    "RENAMED",
    "ROWS",
    "SECTION_SCHEMES",
    "TIDY",
    "contract",
    "renamed",
    "spec_module",
    "tidy_spec",
    "where_declared",
    "where_renamed",
]

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

#: The report's parts in printed order: the mappings below are merged from these.
PARTS = (part_a_occupational_risk, part_b_health_care, part_c_to_e, annex)

#: Tidy specification of every table, by stable id (a string names a table read alike).
#: Each printed label becomes ``{dim: slug(label)}`` unless a label map says otherwise;
#: ``totals`` says which value of a dimension is the sum of which others; ``defaults``
#: fills dimensions a cell does not get from its labels.
TIDY: dict = {tid: spec for part in PARTS for tid, spec in part.TIDY.items()}

#: Body-row labels of each table whose rows are not the year rows (:data:`YEAR_ROWS`).
ROWS: dict = {tid: rows for part in PARTS for tid, rows in part.ROWS.items()}

#: Header labels of each table, as printed (a reference names a table printed alike).
HEADERS: dict = {tid: h for part in PARTS for tid, h in part.HEADERS.items()}

#: Labels an edition prints in place of the ones before it: {table: {first edition:
#: {label before: label from then on}}} (see :func:`renamed`).
RENAMED: dict = {tid: r for part in PARTS for tid, r in part.RENAMED.items()}

#: The report whose tables define the identifiers (its Table N is ``tNN``) and the layouts.
REFERENCE_YEAR = 2022

#: The report's graphics are "Graphic 1" … "Graphic 11" (``data/graphics.csv`` lists each).
GRAPHIC_COUNT = 11


def tidy_spec(table_id: str) -> dict:
    """Return the tidy spec of a table, following references to another table's spec."""
    spec = TIDY[table_id]
    while isinstance(spec, str):
        spec = TIDY[spec]
    return spec


# --------------------------------------------------------------------------------------
# Where a table is declared (for errors that say where to act)
# --------------------------------------------------------------------------------------


def spec_module(table_id: str, mapping: str = "TIDY") -> str | None:
    """Return the file of the part module that declares a table, as a path from the project root.

    Parameters
    ----------
    table_id : str
        A numbered or annex table id.
    mapping : str
        ``"TIDY"``, ``"ROWS"``, ``"HEADERS"`` or ``"RENAMED"``: which of the part's
        mappings.

    Returns
    -------
    str or None
        E.g. ``"nssf_analysis/data/specs/part_a_occupational_risk.py"``: the module of
        :data:`PARTS` whose ``mapping`` has the table; None when no part has it (a table
        whose rows are the year rows has no ``ROWS`` entry).
    """
    for part in PARTS:
        if table_id in getattr(part, mapping):
            return part.__name__.replace(".", "/") + ".py"
    return None


def _names(table_id: str, mapping: str) -> str:
    """Return "names ROWS['t16'] of part_a_….py" for an entry that names another's, else ""."""
    merged = {"TIDY": TIDY, "ROWS": ROWS, "HEADERS": HEADERS}[mapping]
    target = table_id
    while isinstance(merged.get(target), str):
        target = merged[target]
    if target == table_id:
        return ""
    there = spec_module(target, mapping)
    here = spec_module(table_id, mapping)
    of = f" of {there.rsplit('/', 1)[-1]}" if there and there != here else ""
    return f"names {mapping}[{target!r}]{of}"


def _entry(table_id: str, mapping: str) -> str:
    """Name a table's entry of a mapping, and the entry it names if it is a reference."""
    names = _names(table_id, mapping)
    return f"{mapping}[{table_id!r}]" + (f", which {names}" if names else "")


def where_declared(table_id: str, aspect: str = "") -> str:
    """Return where a table's spec is written: its module file, its entry and what in it.

    Every layout or spec error of an extraction ends with it, so that the reader knows
    which declaration to change, e.g. ``nssf_analysis/data/specs/part_a_occupational_risk.py,
    TIDY['t16'] (rows: ROWS['t16'])``. An entry that names another table's (``"t29":
    "t16"``) says so: changing that one changes every table that names it.

    Parameters
    ----------
    table_id : str
        A numbered or annex table id.
    aspect : str
        ``"rows"`` (its body-row labels: its ``ROWS`` entry), ``"header"`` (its header
        labels: its ``HEADERS`` entry), ``"blocks"`` (the labels of its ``block_dim``), or
        words naming keys of its ``TIDY`` entry (``"levels and labels"``).
    """
    module = spec_module(table_id) or "the module of nssf_analysis/data/specs/ for its part"
    if aspect == "rows":
        what = "rows: " + (
            _entry(table_id, "ROWS")
            if table_id in ROWS
            else f"the year rows of vocabulary.YEAR_ROWS; ROWS[{table_id!r}] declares others"
        )
    elif aspect == "header":
        what = "header: " + (
            _entry(table_id, "HEADERS") if table_id in HEADERS else "its levels and labels"
        )
    elif aspect == "blocks":
        what = f"blocks: its labels of {tidy_spec(table_id).get('block_dim')!r}"
    else:
        names = _names(table_id, "TIDY")
        what = "; ".join(x for x in (aspect, names and f"it {names}") if x)
    where = f"{module}, TIDY[{table_id!r}]"
    return f"{where} ({what})" if what else where


def where_renamed(table_id: str, year: int, old: str, new: str) -> str:
    """Return the declaration that makes an edition's new name of a label known.

    Parameters
    ----------
    table_id : str
        A numbered or annex table id.
    year : int
        The first edition that prints the new name.
    old, new : str
        The label as the editions before print it, and as ``year``'s does.

    Examples
    --------
    >>> module, entry = where_renamed("t13", 2023, "Funerary Grants", "Funeral Grants").split(", ")
    >>> module
    'nssf_analysis/data/specs/part_a_occupational_risk.py'
    >>> entry
    "RENAMED['t13']: {2023: {'Funerary Grants': 'Funeral Grants'}}"
    """
    module = spec_module(table_id) or "the module of nssf_analysis/data/specs/ for its part"
    return f"{module}, RENAMED[{table_id!r}]: {{{year}: {{{old!r}: {new!r}}}}}"


def renamed(table_id: str, report_year: int) -> dict[str, str]:
    """Return the labels an edition prints in place of the 2022 report's.

    A later edition may print a row, column or block label of a known table in other
    words ("Funeral Grants" for "Funerary Grants"). Declared in ``RENAMED`` of the
    table's part module with the first edition that prints it, the new name is the one
    that edition and every later one must print, while the editions before it keep
    theirs: the contract (:func:`contract`) and the 2022 layout the edition is compared
    with follow the declaration, and the tidy layer reads the new name as the 2022
    label, so that a row keeps one key in every edition.

    Parameters
    ----------
    table_id : str
        A numbered or annex table id.
    report_year : int
        The edition's year.

    Returns
    -------
    dict
        {label of the 2022 report: label of this edition}, for the labels renamed by
        this edition or an earlier one (empty for the 2022 report).
    """
    out: dict[str, str] = {}
    for first, names in sorted(RENAMED.get(table_id, {}).items()):
        if first > report_year:
            break
        for old, new in names.items():
            key = next((k for k, v in out.items() if v == old), old)
            out[key] = new
    return {k: v for k, v in out.items() if k != v}


def _rename_row(row: str, names: dict[str, str]) -> str:
    """Rename each part of a contract row label ("Outpatient … / Times/Persons")."""
    return " / ".join(names.get(part, part) for part in row.split(" / "))


# --------------------------------------------------------------------------------------
# Completeness contracts
# --------------------------------------------------------------------------------------
#
# A table's shape is part of its contract: the labels of its body rows (in every block),
# its blocks and the labels of its header, as printed in the 2022 report.  Years are
# relative: "{report}" is the report's year and "{previous}" the year before, so next
# year's report fits the same contract.  Tables whose rows are years (most of them) need
# no entry in ``ROWS``: their rows are :data:`YEAR_ROWS`.  Blocks follow from the
# spec's labels of its ``block_dim``.  A string value names a table printed alike.
# Extraction and validation refuse a table that lost or gained a row, block or column.


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
        ``header`` (every label of the header rows), in the words of the edition of
        ``report_year`` (:func:`renamed`); None for the text table and for a table
        declared for a later edition (its layout is checked by the edition match).

    Raises
    ------
    ExtractionError
        A label renamed in ``RENAMED`` that the table does not have.
    """
    spec = tidy_spec(table_id)
    if spec["family"] == "text" or table_id not in HEADERS:
        return None  # running text, or a table new in a later edition (no 2022 layout)
    years = {"report": report_year, "previous": report_year - 1}
    rows = _follow(ROWS, table_id, YEAR_ROWS)
    header = _follow(HEADERS, table_id, ())
    dim = spec.get("block_dim")
    blocks = tuple(k for k, v in spec.get("labels", {}).items() if dim in v) if dim else ("",)
    out = {
        "rows": tuple(r.format(**years) for r in rows),
        "blocks": blocks,
        "header": tuple(h.format(**years) for h in header),
    }
    names = renamed(table_id, report_year)
    if not names:
        return out
    known = {p for r in out["rows"] for p in r.split(" / ")} | set(blocks) | set(out["header"])
    for first, declared in sorted(RENAMED[table_id].items()):
        if first > report_year:
            break
        for old, new in declared.items():
            if old not in known:
                raise ExtractionError(
                    f"{table_id}: RENAMED[{table_id!r}][{first}] renames {old!r}, which is "
                    f"not a label of the table before the {first} edition; correct it in "
                    f"{spec_module(table_id)}"
                )
            known.add(new)
    return {
        "rows": tuple(_rename_row(r, names) for r in out["rows"]),
        "blocks": tuple(names.get(b, b) for b in blocks),
        "header": tuple(names.get(h, h) for h in out["header"]),
    }
