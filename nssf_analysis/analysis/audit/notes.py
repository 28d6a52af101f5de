"""What a printed table's notes count: findings, and differences within rounding.

A printed total that misses the sum of its printed parts by 0.01, or a printed change
that misses the change of its printed figures because the report computes it from
unrounded amounts, is no error: the rounding of the printed figures explains it. A
table with two or more such cells therefore carries one note for them all
(:func:`rounding_note`), not one note each (a single one keeps its own note, which gives
both figures); each inconsistency or structural finding keeps a note of its own.
:func:`table_counts` counts, per table, what the book of a year shows: the findings
proper, the cells within rounding and the changes printed by the report's convention.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from nssf_analysis.analysis.audit.results import run

__all__ = ["SHARED_RULES", "is_shared", "rounding_note", "shown_years", "table_counts"]

#: Rules whose differences within rounding a table notes once, together: a printed
#: total against the sum of its printed parts, a printed change against the change of
#: the printed figures.
SHARED_RULES = ("sum", "fluctuation")


def is_shared(finding: dict) -> bool:
    """Say whether a finding at a cell belongs to its table's one note on rounding.

    Parameters
    ----------
    finding : dict
        A finding (:func:`nssf_analysis.analysis.audit.results.findings` columns).
    """
    return finding["class"] == "rounding" and finding["rule"] in SHARED_RULES


def _decimals(printed: str) -> int:
    """Return the decimals of a printed number ("13.86" → 2, "1,300" → 0)."""
    text = str(printed).strip().rstrip("%")
    return len(text.split(".")[1]) if "." in text else 0


def _many(n: int, one: str, more: str) -> str:
    return f"{n:,} {one if n == 1 else more}"


def rounding_note(found: Iterable[dict]) -> str:
    """Return the one note on a table's differences within rounding.

    Parameters
    ----------
    found : iterable of dict
        The table's findings that :func:`is_shared` keeps, for the cells the table shows.

    Returns
    -------
    str
        One sentence, e.g. "15 cells differ from what the printed figures give, within
        rounding: 4 totals from the sum of their printed parts by at most 0.01 and 11
        changes from the change of their printed figures by at most 2.86 percentage
        points." ("" when there is none.)

    Examples
    --------
    >>> rounding_note([
    ...     {"rule": "sum", "printed": "10.68", "difference": -0.01},
    ...     {"rule": "sum", "printed": "6.45", "difference": 0.01},
    ... ])
    '2 cells differ from the sum of their printed parts by at most 0.01, within rounding.'
    """
    found = list(found)
    sums = [f for f in found if f["rule"] == "sum"]
    changes = [f for f in found if f["rule"] == "fluctuation"]
    if not sums and not changes:
        return ""
    parts = []
    if sums:
        places = max(_decimals(f["printed"]) for f in sums)
        gap = max(abs(float(f["difference"])) for f in sums)
        by = f"{'by at most' if len(sums) > 1 else 'by'} {gap:,.{places}f}"
        mine = "its" if len(sums) == 1 else "their"
        parts.append((sums, "total", "totals", f"the sum of {mine} printed parts {by}"))
    if changes:
        gap = max(abs(float(f["difference"])) for f in changes)
        by = f"{'by at most' if len(changes) > 1 else 'by'} {gap:,.2f} percentage points"
        mine = "its" if len(changes) == 1 else "their"
        parts.append((changes, "change", "changes", f"the change of {mine} printed figures {by}"))
    n = len(sums) + len(changes)
    verb = "differs" if n == 1 else "differ"
    if len(parts) == 1:
        return f"{_many(n, 'cell', 'cells')} {verb} from {parts[0][3]}, within rounding."
    each = " and ".join(f"{_many(len(fs), one, more)} from {what}" for fs, one, more, what in parts)
    return f"{n:,} cells {verb} from what the printed figures give, within rounding: {each}."


def shown_years(year: int) -> set[str]:
    """Return the years whose figures the book of ``year`` shows, as the findings write them.

    The book of a year shows that year and the years before it (as the report prints
    them); ``""`` stands for the findings about no year (structure, directories).
    """
    years = {int(y) for y in run().findings["year"] if str(y).isdigit()}
    return {""} | {str(y) for y in years if y <= year}


def table_counts(year: int) -> pd.DataFrame:
    """Count, per table, what the audit notes about the figures the book of ``year`` shows.

    Parameters
    ----------
    year : int
        The book's year (its figures and those of the years before it).

    Returns
    -------
    DataFrame
        Indexed by ``table_id``: ``findings`` (inconsistencies and structural findings,
        each a note of its own), ``rounding`` (cells within rounding, which share one
        note: :func:`rounding_note`; also any other difference within rounding),
        ``convention`` (changes printed by the report's convention) and ``precision``
        (numbers printed with fewer decimals). Tables without any are left out.
    """
    f = run().findings
    f = f[f["year"].astype(str).isin(shown_years(year))]
    kind = []
    for r in f.to_dict("records"):
        if r["class"] in ("inconsistency", "structural"):
            kind.append("findings")
        elif r["class"] == "rounding":
            kind.append("precision" if r["rule"] == "precision" else "rounding")
        else:
            kind.append(r["class"])
    columns = ["findings", "rounding", "convention", "precision"]
    counts = pd.crosstab(f["table_id"].to_numpy(), pd.Series(kind, dtype=str).to_numpy())
    counts = counts.reindex(columns=columns, fill_value=0).astype(int)
    counts.index.name, counts.columns.name = "table_id", None
    return counts
