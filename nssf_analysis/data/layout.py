"""A table's layout, checked once: the contract of its labels, then its printed lines.

Two declarations say what a known table looks like, and one check holds a printed
table to both, for extraction and for matching an edition alike:

* the **contract** (:func:`nssf_analysis.data.specs.contract`: its blocks, body rows and
  header labels, with relative years) — :func:`layout_problem` names the first label
  that differs, as printed; ``nssf-report validate`` holds the raw files to it too;
* the **fingerprint** (the labels of each printed line in the
  :data:`REFERENCE_YEAR` report, ``layouts_2022.json``, derived from that report) — it
  catches what the contract does not cover: a label moved to another line, labels
  printed in another order.

Both are the 2022 report's, in the words of the edition checked: a label a later
edition prints in other words is declared once, in ``RENAMED`` of the table's spec module
with the first edition that prints it (:func:`nssf_analysis.data.specs.renamed`), and
the editions before it keep theirs.

:func:`check_table` runs both, the contract first; every error names the table, the
report line and the label, and ends with where to act: the spec module and the table's
entry (:func:`nssf_analysis.data.specs.where_declared`), and for the fingerprint the
reference layout file too. In an edition after the 2022 report, a label printed in
place of another is named as the ``RENAMED`` declaration that makes it known
(:func:`nssf_analysis.data.specs.where_renamed`).
"""

from __future__ import annotations

import difflib
from collections import Counter

from nssf_analysis.data.extract import RawTable, is_value
from nssf_analysis.data.specs import (
    REFERENCE_YEAR,
    RENAMED,
    contract,
    renamed,
    spec_module,
    tidy_spec,
    where_declared,
    where_renamed,
)
from nssf_analysis.data.tidy import column_paths, parse_value, row_label
from nssf_analysis.exceptions import ExtractionError

__all__ = ["check_layout", "check_table", "layout_problem"]

#: The reference layouts (the fingerprint), as a path from the project root.
LAYOUTS_FILE = __name__.rsplit(".", 1)[0].replace(".", "/") + f"/layouts_{REFERENCE_YEAR}.json"


def _act(
    table_id: str, aspect: str, new: bool, year: int | None = None, rename: tuple | None = None
) -> str:
    """Return where to act on a label the spec lacks (``new``) or one no longer printed.

    In an edition after the 2022 report, a label printed in place of a lost one
    (``rename``: the lost label and the printed one) may be a new name: the edition's
    ``RENAMED`` declaration is named first. ``aspect`` None is a fault of the printed
    text (a cell that is not a number).
    """
    if aspect is None:
        return "correct the cell in the report's text"
    where = where_declared(table_id, aspect)
    if wrong := _wrong_rename(table_id, year, rename):
        return wrong
    if rename and year is not None and year > REFERENCE_YEAR:
        return (
            f"if the {year} edition renamed it, declare it in "
            f"{where_renamed(table_id, year, *rename)}; if it dropped it, change it in {where}"
        )
    if new:
        return f"declare it in {where}"
    return f"if the edition dropped or renamed it, change it in {where}"


def _wrong_rename(table_id: str, year: int | None, rename: tuple | None) -> str:
    """Say so when a label lost is a ``RENAMED`` name the edition does not print yet.

    ``rename`` is the label lost (the name ``RENAMED`` gives this edition) and the one
    printed in its place; a declaration whose first edition is too early reads so.
    """
    if not rename or year is None:
        return ""
    lost, printed = rename
    if lost not in renamed(table_id, year).values():
        return ""
    first = min(
        (e for e, declared in RENAMED[table_id].items() if e <= year and lost in declared.values()),
        default=year,
    )
    return (
        f"the {year} edition prints {printed!r}, but {spec_module(table_id)}, "
        f"RENAMED[{table_id!r}] names it {lost!r} from the {first} edition on: correct the "
        "edition there"
    )


def check_table(table: RawTable, year: int | None, ref: dict, label: str, layout: list) -> None:
    """Raise ExtractionError where a printed table's layout differs from what it must be.

    Parameters
    ----------
    table : RawTable
        The table as cut from the report.
    year : int or None
        The report's year (None when the title does not say: the contract is skipped).
    ref : dict
        The table's reference entry (:func:`nssf_analysis.data.editions.reference`).
    label : str
        Its label in this edition.
    layout : list of (int, tuple of str)
        Its printed lines (:func:`nssf_analysis.data.extract.layout_of`).
    """
    problem = _contract_problem(table, year) if year is not None else None
    if problem:
        line, what, aspect, new, rename = problem
        raise ExtractionError(
            f"{table.table_id} ({table.label}), report line {line}: {what}; "
            + _act(table.table_id, aspect, new, year, rename)
        )
    header_lines = {r["line"] for r in table.rows if r["kind"] == "header"}
    check_layout(ref, label, layout, header_lines, year)


# --------------------------------------------------------------------------------------
# The contract: blocks, rows and header labels
# --------------------------------------------------------------------------------------


def _listing(labels) -> str:
    labels = [repr(x) for x in labels]
    if len(labels) > 8:
        labels = labels[:3] + [f"… ({len(labels)} rows) …"] + labels[-2:]
    return ", ".join(labels)


def _missing(want: list, have: list):
    """Return the first item of ``want`` that ``have`` lacks (counting repeats), or None."""
    pool = list(have)
    for x in want:
        if x in pool:
            pool.remove(x)
        else:
            return x
    return None


def layout_problem(table, report_year: int) -> tuple[int, str] | None:
    """Return the first way a table differs from its contract, or None if it fits.

    Every block the spec declares must be printed, and no other; in each block the body
    rows must carry the contract's labels (:func:`nssf_analysis.specs.contract`), none
    missing and none added; the header must carry every contract label and no other;
    a body row has no cell past the columns of the header and of most rows, and every
    cell after its labels is a number (a misprinted one, ``14,7O2``, is named with its
    row and column).

    Parameters
    ----------
    table : RawTable
        The table as printed (from the report or rebuilt from its raw file).
    report_year : int
        The report's year, which the contract's relative years refer to.

    Returns
    -------
    tuple of (int, str) or None
        The report line at fault and what is wrong there.
    """
    problem = _contract_problem(table, report_year)
    return problem[:2] if problem else None


def _contract_problem(table, report_year: int) -> tuple[int, str, str, bool, tuple] | None:
    """Return :func:`layout_problem`'s line and words, and what to declare where.

    The third item says what of the spec the label belongs to (``"rows"``, ``"header"``
    or ``"blocks"``), the fourth whether the spec lacks it (True) or the table does, the
    fifth, for a label lost where another is printed, the two (else None).
    """
    want = contract(table.table_id, report_year)
    if want is None or not table.rows:
        return None
    spec = tidy_spec(table.table_id)
    n_label = spec.get("header_label_cols", len(spec["rows"]))
    first = table.rows[0]["line"]
    blocks: dict[str, list] = {}
    for r in table.rows:
        if r["kind"] != "block":
            blocks.setdefault(r["block"], [])
        if r["kind"] == "body":
            blocks[r["block"]].append(r)
    for b in want["blocks"]:
        if b not in blocks:
            return (
                first,
                f"block {b!r} is missing; the table must have the blocks "
                f"{_listing(want['blocks'])}",
                "blocks",
                False,
                _other(b, [x for x in blocks if x not in want["blocks"]]),
            )
    for b, rows in blocks.items():
        if b not in want["blocks"]:
            line = rows[0]["line"] if rows else first
            return line, f"block {b!r} is not one of the table's blocks", "blocks", True, None
    header = [c for r in table.rows if r["kind"] == "header" for c in r["cells"] if c]
    header_line = next((r["line"] for r in table.rows if r["kind"] == "header"), first)
    for h in want["header"]:
        if h not in header:
            return (
                header_line,
                f"header label {h!r} is missing: a column was lost or renamed, so the "
                "header no longer fits the table's layout",
                "header",
                False,
                _other(h, list(dict.fromkeys(x for x in header if x not in want["header"]))),
            )
    for h in header:
        if h not in want["header"]:
            return (
                header_line,
                f"header label {h!r} is not in the table's layout",
                "header",
                True,
                None,
            )
    problem = _cell_problem(table, n_label, set(want["rows"]))
    if problem:
        return problem
    for b, rows in blocks.items():
        labels = [row_label(r["cells"], n_label) for r in rows]
        where = f" of block {b!r}" if b else ""
        lost = _missing(list(want["rows"]), labels)
        if lost is not None:
            i = want["rows"].index(lost)
            before = [lab for lab in want["rows"][:i] if lab in labels]
            line = rows[labels.index(before[-1])]["line"] if before else header_line
            extra = _missing(labels, list(want["rows"]))
            printed = (
                f"; row {extra!r} (line {rows[labels.index(extra)]['line']}) is not one of them"
                if extra is not None
                else ""
            )
            return (
                line,
                f"row {lost!r}{where} is missing after this line; the table must have the "
                f"rows {_listing(want['rows'])}{printed}",
                "rows",
                False,
                _other(lost, [extra] if extra is not None else []),
            )
        extra = _missing(labels, list(want["rows"]))
        if extra is not None:
            return (
                rows[labels.index(extra)]["line"],
                f"row {extra!r}{where} is not one of the table's rows "
                f"{_listing(want['rows'])}: the table's layout changed",
                "rows",
                True,
                None,
            )
    return None


def _other(lost: str, printed: list[str]) -> tuple[str, str] | None:
    """Return (old, new) for a lost label where one label, another, is printed instead.

    Row labels are compared part by part ("Outpatient … / Times/Persons"): the one part
    that differs is the label renamed.
    """
    if len(printed) != 1:
        return None
    old, new = lost.split(" / "), printed[0].split(" / ")
    if len(old) == len(new):
        pairs = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
        if len(pairs) == 1:
            return pairs[0]
    return lost, printed[0]


def _filled(cells: list[str]) -> int:
    """Return the number of cells up to the last one that is not empty."""
    return max((i + 1 for i, c in enumerate(cells) if c.strip()), default=0)


def _header_of(table, row: dict, j: int) -> str:
    """Return the header labels over the cell ``j`` of a body row ("A / B"; "" if none)."""
    headers = [r["cells"] for r in table.rows if r["kind"] == "header"]
    own = [r["cells"] for r in table.rows if r["kind"] == "header" and r["block"] == row["block"]]
    path = column_paths(own or headers, j + 1)[j] if headers else []
    return " / ".join(dict.fromkeys(x for x in path if x))


def _not_a_number(text: str) -> bool:
    try:
        parse_value(text)
    except ValueError:
        return True
    return False


def _cell_problem(table, n_label: int, rows: set) -> tuple | None:
    """Return the first body row with a cell past the table's columns or not a number.

    The table's columns are those of its header and of most of its rows.

    A cell after a row's first number must be a number; a text cell before it that
    holds a digit and without which the row's label is one of ``rows`` (``2022`` in
    ``2022 | 14,7O2 | …``) is a misprinted number too, not a label.
    """
    headers = [r for r in table.rows if r["kind"] == "header"]
    body = Counter(_filled(r["cells"]) for r in table.rows if r["kind"] == "body")
    # as wide as the header and most rows: every row longer (a header one label short
    # is the fingerprint's to name)
    most = max(body.values(), default=0)
    common = min((w for w, n in body.items() if n == most), default=0)
    width = max(common, *(_filled(r["cells"]) for r in headers)) if headers else 0
    for r in table.rows:
        if r["kind"] != "body":
            continue
        cells = [c.strip() for c in r["cells"]]
        first = next((i for i in range(n_label, len(cells)) if is_value(cells[i])), len(cells))
        label = row_label(cells, n_label)
        for j in range(n_label, first):
            if (
                any(ch.isdigit() for ch in cells[j])
                and label not in rows
                and row_label(cells[:j], n_label) in rows
            ):
                return _misprint(table, r, row_label(cells[:j], n_label), j)
        for j in range(first + 1, len(cells)):
            if cells[j] and _not_a_number(cells[j]):
                return _misprint(table, r, label, j)
        if headers and _filled(cells) > width:
            j = next(i for i in range(width, len(cells)) if cells[i])
            return (
                r["line"],
                f"row {label!r} has a cell {_quoted(cells[j])} in column {j + 1}, past the "
                f"table's {width} columns",
                "header",
                True,
                None,
            )
    return None


def _quoted(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _misprint(table, row: dict, label: str, j: int) -> tuple:
    header = _header_of(table, row, j)
    under = f", under {header!r}" if header else ""
    what = (
        f"column {j + 1}: {_quoted(row['cells'][j].strip())} is not a number (row {label!r}{under})"
    )
    return row["line"], what, None, False, None


# --------------------------------------------------------------------------------------
# The fingerprint: the labels of each printed line
# --------------------------------------------------------------------------------------


def _shown(labels) -> str:
    text = " | ".join(labels) if labels else "(numbers only)"
    return "'" + text.replace("<year>", "(year)") + "'"


def check_layout(
    ref: dict, label: str, layout: list, header_lines=(), year: int | None = None
) -> None:
    """Raise ExtractionError where a table's layout differs from its reference layout.

    The error names the table, the report line and the label: a label lost or new in
    a line (a column lost or added), a row new in this edition or lost from it; it
    ends with where to act if the change is meant: the table's spec, then its layout in
    :data:`LAYOUTS_FILE`.

    Parameters
    ----------
    ref : dict
        The table's reference entry (:func:`reference`, :func:`added_tables`).
    label : str
        Its label in this edition.
    layout : list of (int, tuple of str)
        Its layout in this edition (:func:`nssf_analysis.extract.layout_of`).
    header_lines : collection of int
        The report lines of its header (a difference there is one of the header, else
        of the rows).
    year : int, optional
        The edition's year: the reference layout is taken in its words
        (:func:`nssf_analysis.data.specs.renamed`).
    """
    table_id = ref["table_id"]
    if ref["layout"] is None or tidy_spec(table_id)["family"] == "text":
        return  # running text: what it says changes from edition to edition
    names = renamed(table_id, year) if year is not None else {}
    ref = [tuple(names.get(x, x) for x in line) for line in ref["layout"]]
    got = [labels for _, labels in layout]
    if ref == got:
        return
    where = f"{table_id} ({label}), report line"
    ops = difflib.SequenceMatcher(None, ref, got, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        if tag == "replace":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=False):
                line = layout[j][0]
                what = _line_change(ref[i], got[j])
                if what:
                    lost = list((Counter(ref[i]) - Counter(got[j])).elements())
                    new = list((Counter(got[j]) - Counter(ref[i])).elements())
                    rename = (lost[0], new[0]) if len(lost) == len(new) == 1 else None
                    _raise(where, table_id, line, what, line in header_lines, year, rename)
            if i2 - i1 == j2 - j1:
                continue  # every line differs only by misprinted numbers
            if j2 - j1 > i2 - i1:  # more lines than the reference: the first extra is new
                tag, j1 = "insert", j1 + (i2 - i1)
            else:  # fewer: the first reference line left over is lost
                tag, i1, j1 = "delete", i1 + (j2 - j1), j2
        line, what = _row_change(tag, i1, j1, ref, got, layout)
        _raise(where, table_id, line, what, line in header_lines, year)


def _raise(
    where: str,
    table_id: str,
    line: int,
    what: str,
    in_header: bool,
    year: int | None = None,
    rename: tuple | None = None,
) -> None:
    """Raise a fingerprint error, ending with where to act if the change is meant.

    In an edition after the 2022 report, a label printed in place of another
    (``rename``) is named as the ``RENAMED`` declaration that makes it known.
    """
    if wrong := _wrong_rename(table_id, year, rename):
        raise ExtractionError(f"{where} {line}: {what}: the table's layout changed; {wrong}")
    if rename and year is not None and year > REFERENCE_YEAR:
        raise ExtractionError(
            f"{where} {line}: {what}: the table's layout changed; if the {year} edition "
            f"renamed it, declare it in {where_renamed(table_id, year, *rename)}"
        )
    spec = where_declared(table_id, "header" if in_header else "rows")
    raise ExtractionError(
        f"{where} {line}: {what}: the table's layout changed; if it is meant, make the spec "
        f"follow in {spec}, then the layout of {table_id!r} in {LAYOUTS_FILE}"
    )


def _misprinted_numbers(labels) -> bool:
    """Return True for labels that are numbers printed wrongly (left to the tidy layer)."""
    return bool(labels) and all(any(ch.isdigit() for ch in x) for x in labels)


def _line_change(ref: tuple, got: tuple) -> str:
    """Return how one printed line lost or gained labels (a column lost or new), or ""."""
    lost = Counter(ref) - Counter(got)
    new = Counter(got) - Counter(ref)
    if not lost and _misprinted_numbers(new):
        return ""  # a value cell that is not a number: the tidy layer names its column
    parts = []
    if lost:
        parts.append(
            ", ".join(_shown([x]) for x in lost)
            + f" of the {REFERENCE_YEAR} layout {'is' if len(lost) == 1 else 'are'} missing"
        )
    if new:
        parts.append(
            ", ".join(_shown([x]) for x in new) + f" {'is' if len(new) == 1 else 'are'} new"
        )
    if parts:
        return ("label " if len(lost) + len(new) == 1 else "labels ") + "; ".join(parts)
    return f"labels {_shown(got)} are printed in another order"


def _row_change(tag, i1, j1, ref, got, layout) -> tuple[int, str]:
    """Return the line and words for a row new in the edition (insert) or lost from it."""
    if tag == "insert":
        return (
            layout[j1][0],
            f"row {_shown(got[j1])} is new (not in the {REFERENCE_YEAR} layout)",
        )
    line = layout[j1][0] if j1 < len(layout) else layout[-1][0] if layout else 0
    return line, f"row {_shown(ref[i1])} of the {REFERENCE_YEAR} layout is missing (a lost row)"
