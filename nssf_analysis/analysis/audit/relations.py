"""Audit rules between tables: stocks and flows, parts and wholes, copies (and the prose).

Each family of rules is declared once, as data over the measures of the tables'
specs, and one function per family applies it to every table it fits.  The tables a
rule pairs are learned from the data (the measures, periods, schemes and sectors of
the catalog), never typed as a list of table numbers.

Families
--------
``stock_flow``
    a stock printed for two cumulative periods that end in consecutive years
    (2008-2021, 2008-2022) must grow by the newly registered flow of the later year,
    printed by a table of the same scheme and sector whose measures are the stock's
    with ``new_`` in front (:data:`FLOW_PREFIX`); one finding per stock measure and
    sex, with every office column of the gap;
``subset``
    a population that is part of another must not exceed it (:data:`SUBSETS`);
    one finding per pair of tables and year, with every cell that breaks it;
``copy``
    the same block of members printed in two tables beside other enterprise counts or
    periods (:data:`COPY_MEASURES`); one finding per block;
``prose_attribution``
    a sentence that attributes a figure to one scheme when it equals the total of
    several schemes' figures, and a bracketed label that breaks the pattern the prose
    uses elsewhere (:func:`attribution_checks`, :func:`label_checks`, in :mod:`.prose`;
    run by :func:`checks` with the families of this module).

The parts and wholes are one ``[[subset]]`` each of ``subsets.toml`` beside this
module (a new one goes there); the headings of the families are in
:data:`.rules.FAMILIES`.  Every record has the fields of :func:`.common.record` and a
``text``: the finding in plain words, naming every place involved, what each prints,
what consistency requires and the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nssf_analysis.analysis import select
from nssf_analysis.analysis.audit.common import (
    checked_selector,
    declared,
    labeler,
    place,
    record,
    records,
)
from nssf_analysis.analysis.audit.common import figure as _n
from nssf_analysis.analysis.audit.prose import attribution_checks, label_checks
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.exceptions import NSSFError

__all__ = [
    "COPY_MEASURES",
    "FLOW_PREFIX",
    "SUBSETS",
    "Subset",
    "checks",
    "copy_checks",
    "stock_flow_checks",
    "subset_checks",
]

#: Prefix of a flow measure: the flow of ``members`` is ``new_members``.
FLOW_PREFIX = "new_"

#: Values of a dimension that stand for the whole of it.
_WHOLE = {"total", "all", "Total", ""}
#: Columns that are bookkeeping, not dimensions of a cell.
_BOOK = {"role", "printed", "value", "line", "column", "unit", "total_of", "no", "period_start"}


@dataclass(frozen=True, kw_only=True)
class Subset:
    """A part that must not exceed its whole.

    Parameters
    ----------
    part, whole : str
        Selectors of the two sides (``"measure=a|b"``, ``"sex=female"``).
    note : str
        Why the part is contained in the whole, in the report's terms.
    same_table : bool
        Both sides are in one table; otherwise the whole is in a table of the same
        scheme and sector (the broadest one printed, cell by cell).
    words : tuple of str
        How the sentence names the part and the whole.
    """

    part: str
    whole: str
    note: str
    same_table: bool = False
    words: tuple[str, str] = ("", "")


#: The file of the parts and wholes.
SUBSETS_FILE = Path(__file__).with_name("subsets.toml")


def _load_subsets(path: Path = SUBSETS_FILE) -> tuple[Subset, ...]:
    """Read the ``[[subset]]`` entries of ``subsets.toml``.

    Raises
    ------
    NSSFError
        Naming the file and the entry, for an unknown or missing key, ``words`` that are
        not two texts or a selector that does not parse or selects nothing.
    """
    out = []
    for key, entry in declared(path, "subset", {"part", "whole", "note"}, {"same_table", "words"}):
        words = tuple(entry.get("words", ("", "")))
        if len(words) != 2 or not all(isinstance(w, str) for w in words):
            raise NSSFError(f"{key}: words must be two texts (the part, the whole)")
        if not all(select.parse(checked_selector(key, entry[side])) for side in ("part", "whole")):
            raise NSSFError(f"{key}: the part or the whole selects nothing")
        out.append(Subset(**{**entry, "words": words}))
    return tuple(out)


#: Parts and wholes, declared over the measures of the specs (``subsets.toml``).
SUBSETS: tuple[Subset, ...] = _load_subsets()


#: Measures whose block of values identifies a population (members, workers).
COPY_MEASURES = ("members", "new_members")
#: A block must have at least this many values, each at least :data:`_COPY_MIN`.
_COPY_CELLS = 4
_COPY_MIN = 100.0


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------


def _signed(v: float, more: str = "more", fewer: str = "fewer") -> str:
    return f"{_n(abs(v))} {more if v > 0 else fewer}"


def _where(src, table_id: str, line: int, column: int | None = None) -> str:
    """Return ``"Table 1 (2008-2022, Total / Enterprises)"``: the table, row and column."""
    label = src.labels.get(table_id, table_id)
    if table_id == "facts":
        return "the prose"
    if table_id not in src.raw:
        return label
    at = labeler(src, table_id).at(line, column).replace(" | ", ", ")
    return f"{label} ({at})" if at else label


def _lines(src, cells) -> str:
    """Return ``"Table 22 line 499; Table 21 line 485"`` for (table, line) pairs."""
    seen = dict.fromkeys((src.labels.get(t, t), int(n)) for t, n in cells)
    return "; ".join(f"{t} line {n}" for t, n in seen)


def _scopes() -> dict:
    cat = catalog_mod.catalog()
    return {
        t: (s, x) for t, s, x in zip(cat["table_id"], cat["scheme"], cat["sector"], strict=True)
    }


def _values(src, table_id: str) -> pd.DataFrame:
    """Cells of a table that carry a printed number (fluctuations apart), cached."""
    cache = src.__dict__.setdefault("_printed_values", {})
    if table_id not in cache:
        c = src.cells[table_id]
        cache[table_id] = c[(c["role"] != "fluctuation") & c["value"].notna()]
    return cache[table_id]


def _dims(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in _BOOK]


# --------------------------------------------------------------------------------------
# Stocks and flows
# --------------------------------------------------------------------------------------


def _stock_tables(src) -> dict:
    """Tables with a cumulative period printed for two consecutive end years."""
    out = {}
    for tid in src.raw:
        c = src.cells[tid]
        if "period" not in c.columns or "period_start" not in c.columns:
            continue
        c = _values(src, tid)
        c = c[c["period"] != ""]
        periods = c.drop_duplicates("period")[["period", "period_start", "year"]]
        for start, grp in periods.groupby("period_start"):
            years = sorted(int(y) for y in grp["year"])
            for a, b in zip(years, years[1:], strict=False):
                if b == a + 1:
                    out.setdefault(tid, []).append((start, str(a), str(b)))
    return out


def stock_flow_checks(src) -> list[dict]:
    """Check that each cumulative stock grows by the flow of newly registered.

    For a table printing a measure for two cumulative periods with the same start and
    consecutive end years, the flow table is the table of the same scheme and sector
    whose measures are the stock's measures with :data:`FLOW_PREFIX` (learned from the
    tidy measures, not from a list of tables).  For every column (office and sex), the
    later stock must equal the earlier stock plus the flow of the later year.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per stock measure and sex: ``ok``, or one ``inconsistency`` naming
        every office column whose stock and flow disagree.
    """
    scopes = _scopes()
    out = []
    for tid, spans in _stock_tables(src).items():
        stock = _values(src, tid)
        measures = sorted(set(stock["measure"]))
        flows = [
            f
            for f in src.raw
            if f != tid
            and scopes.get(f) == scopes.get(tid)
            and "measure" in src.cells[f].columns
            and set(_values(src, f)["measure"]) == {FLOW_PREFIX + m for m in measures}
        ]
        for ftid in flows:
            flow = _values(src, ftid)
            for start, y0, y1 in spans:
                for (measure, sex), grp in stock.groupby(["measure", "sex"], sort=False):
                    out.append(_stock_flow(src, tid, ftid, start, y0, y1, measure, sex, grp, flow))
    return [r for r in out if r is not None]


def _stock_flow(src, tid, ftid, start, y0, y1, measure, sex, grp, flow) -> dict | None:
    dims = [d for d in _dims(grp) if d not in ("measure", "sex", "year", "period")]
    cols = []
    for _, late in grp[(grp["year"] == y1) & (grp["period_start"] == start)].iterrows():
        key = {d: late[d] for d in dims}

        def pick(frame, key=key, **kw):
            m = pd.Series(True, index=frame.index)
            for k, v in {**key, **kw}.items():
                if k not in frame.columns:
                    return None
                m &= frame[k] == v
            hit = frame[m]
            return hit.iloc[0] if len(hit) == 1 else None

        early = pick(grp, year=y0, period_start=start)
        new = pick(flow, measure=FLOW_PREFIX + measure, sex=sex, year=y1)
        if early is None or new is None:
            continue
        cols.append((late, early, new, float(late["value"]) - early["value"] - new["value"]))
    if not cols:
        return None
    bad = [c for c in cols if abs(c[3]) > 1e-9]
    first = cols[0][0]
    base = dict(
        rule="stock_flow",
        check=f"stock_flow:{tid}:{ftid}",
        table_id=tid,
        **place(first),
        year=y1,
        ref_table=ftid,
        ref_line=int(cols[0][2]["line"]),
        detail=f"{measure}; {sex}; {start}",
    )
    if not bad:
        return record(**base)
    late, early, new, diff = bad[0]
    label, flabel = src.labels[tid], src.labels[ftid]
    what = measure.replace("_", " ") if sex == "total" else f"female {measure.replace('_', ' ')}"
    lab = labeler(src, tid)
    col = lambda c: lab.columns.get(int(c["line"]), {}).get(int(c["column"]), "")  # noqa: E731
    text = (
        f"{label} prints {_n(late['value'])} {what} for {late['period']} ({col(late)}), "
        f"but the {_n(early['value'])} of {early['period']} plus the {_n(new['value'])} "
        f"newly registered in {y1} ({flabel}) give {_n(early['value'] + new['value'])}: the "
        f"stock grew by {_signed(diff)} than the flow explains"
    )
    more = [
        f"{col(c[0])}: {_n(c[0]['value'])} printed, {_n(c[1]['value'])} + "
        f"{_n(c[2]['value'])} = {_n(c[1]['value'] + c[2]['value'])}, {_signed(c[3])}"
        for c in bad[1:]
    ]
    if more:
        text += ". Likewise " + "; ".join(more)
    held = [col(c[0]) for c in cols if abs(c[3]) <= 1e-9]
    if held:
        text += f". Stock and flow agree for {', '.join(held)}"
    return record(
        status="inconsistency",
        location=labeler(src, tid).at(late["line"], late["column"]),
        printed=late["printed"],
        expected=f"{_n(early['value'])} + {_n(new['value'])} = {_n(early['value'] + new['value'])}",
        computed=float(early["value"] + new["value"]),
        difference=float(diff),
        ref_location=(
            f"{label} line {int(early['line'])} ({early['period']}); "
            f"{flabel} line {int(new['line'])} ({y1})"
        ),
        text=text + ".",
        note=f"{flabel} prints the flow of {label}'s stock (same scheme and sector).",
        **{**base, "line": int(late["line"]), "column": int(late["column"])},
    )


# --------------------------------------------------------------------------------------
# Parts and wholes
# --------------------------------------------------------------------------------------


def _picked(src, table_id: str, selector: str) -> pd.DataFrame:
    """Return the printed values of a table that meet ``selector``, cached per selector.

    A condition on a column the table lacks, or on values it never prints, selects
    nothing.
    """
    cache = src.__dict__.setdefault("_picked_values", {})
    key = (table_id, selector)
    if key not in cache:
        values = _values(src, table_id)
        where = select.parse(selector)
        if _never(src, table_id, where):
            if (table_id, None) not in cache:
                cache[(table_id, None)] = values.iloc[0:0]
            cache[key] = cache[(table_id, None)]
        else:
            cache[key] = values[select.mask(values, where)]
    return cache[key]


def _never(src, table_id: str, where: dict) -> bool:
    """Whether a condition of ``where`` names a column or only values the table lacks."""
    values = _values(src, table_id)
    uniques = src.__dict__.setdefault("_unique_values", {})
    for col, cond in where.items():
        if col not in values.columns:
            return True
        if isinstance(cond, select.Not):
            continue
        if (table_id, col) not in uniques:
            uniques[(table_id, col)] = set(values[col].unique())
        wanted = {cond} if isinstance(cond, str) else set(cond)
        if not wanted & uniques[(table_id, col)]:
            return True
    return False


def _sel_keys(selector: str) -> set[str]:
    return set(select.parse(selector))


def _whole_of(frame: pd.DataFrame, join: list[str], skip: set[str]) -> pd.DataFrame:
    """Keep the cells that stand for the whole of every dimension outside ``join``."""
    for d in _dims(frame):
        if d in join or d in skip:
            continue
        whole = frame[frame[d].isin(_WHOLE)]
        frame = whole if len(whole) else frame.iloc[0:0]
    return frame


def subset_checks(src) -> list[dict]:
    """Check every part against its whole (:data:`SUBSETS`), per sex and per year.

    For a rule across tables, the part's table pairs with every table of the same
    scheme and sector that prints the whole; the cells are joined on the dimensions
    both print (year, sex, item, ...), dimensions only one side prints are taken at
    their total.  Where several tables print the whole, the broadest (largest) value
    is the bound.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per rule, table pair and year: ``ok``, or one ``inconsistency``
        naming every cell where the part exceeds the whole.
    """
    scopes = _scopes()
    out = []
    tables = [t for t in src.raw if "measure" in src.cells[t].columns]
    for rule in SUBSETS:
        skip = _sel_keys(rule.part) | _sel_keys(rule.whole)
        parts = {t: _picked(src, t, rule.part) for t in tables}
        has_whole = {t for t in tables if not _picked(src, t, rule.whole).empty}
        for tid in tables:
            part = parts[tid]
            if part.empty:
                continue
            if rule.same_table:
                wholes = [tid]
            else:
                wholes = [
                    w
                    for w in tables
                    if w != tid
                    and scopes.get(w) == scopes.get(tid)
                    and w in has_whole
                    and parts[w].empty
                ]
            if not wholes:
                continue
            out += _subset(src, rule, tid, part, wholes, skip)
    return out


def _subset(src, rule: Subset, tid: str, part: pd.DataFrame, wholes: list, skip: set) -> list:
    pdims = set(_dims(part)) - {"measure"}
    bounds: dict = {}
    for w in wholes:
        whole = _picked(src, w, rule.whole)
        join = sorted((pdims & set(_dims(whole))) - skip - {"period"})
        if "year" not in join:
            continue
        whole = _whole_of(whole, join, skip | {"measure", "period"})
        for c in records(whole):
            key = tuple((d, c[d]) for d in join)
            if key not in bounds or c["value"] > bounds[key][1]["value"]:
                bounds[key] = (w, c)
    if not bounds:
        return []
    join = [d for d, _ in next(iter(bounds))]
    part = _whole_of(part, join, skip | {"measure", "period"})
    pairs = []
    for c in records(part):
        key = tuple((d, c[d]) for d in join)
        if key in bounds:
            pairs.append((c, *bounds[key]))
    out = []
    by_year: dict = {}
    for c, w, b in pairs:
        by_year.setdefault((c["year"], w if not rule.same_table else tid), []).append((c, b))
    for (year, w), cells in by_year.items():
        bad = [(c, b) for c, b in cells if c["value"] > b["value"] + 1e-9]
        base = dict(
            rule="subset",
            check=f"subset:{rule.part}:{rule.whole}:{tid}:{w}",
            table_id=tid,
            year=year,
            ref_table=w,
            detail=f"{rule.part} <= {rule.whole}; {tid} {w} {year}",
        )
        if not bad:
            out.append(record(line=int(cells[0][0]["line"]), **base))
            continue
        c0, b0 = bad[0]
        parts = [
            f"{_where(src, tid, c['line'], c['column'])} prints {_n(c['value'])} "
            f"{rule.words[0]} where {_where(src, w, b['line'], b['column'])} prints "
            f"{_n(b['value'])} {rule.words[1]}, {_n(c['value'] - b['value'])} more"
            for c, b in bad
        ]
        text = (
            f"In {year}, " + "; ".join(parts) + f". The part cannot exceed the whole: {rule.note}."
        )
        out.append(
            record(
                status="inconsistency",
                location=labeler(src, tid).at(c0["line"], c0["column"]),
                line=int(c0["line"]),
                column=int(c0["column"]),
                printed=c0["printed"],
                expected=f"<= {b0['printed']}",
                computed=float(b0["value"]),
                difference=float(c0["value"] - b0["value"]),
                ref_line=int(b0["line"]),
                ref_location=_lines(
                    src, [(t, c["line"]) for cb in bad for t, c in ((tid, cb[0]), (w, cb[1]))]
                ),
                text=text,
                note=rule.note,
                **base,
            )
        )
    return out


# --------------------------------------------------------------------------------------
# The same numbers under different bases
# --------------------------------------------------------------------------------------


def copy_checks(src) -> list[dict]:
    """Find blocks of members printed in two tables beside different bases.

    A block is the members (totals and females, every office or group) a table prints
    on one row.  When two rows of different tables print the same block, the other
    numbers of the rows (enterprises, institutions) and their periods must agree too:
    the same population printed twice.  Rows that agree in everything are ``ok``.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per block printed more than once.
    """
    blocks: dict = {}
    for tid in src.raw:
        c = src.cells[tid]
        if "measure" not in c.columns:
            continue
        c = _values(src, tid)
        lines = c.loc[c["measure"].isin(COPY_MEASURES), "line"].value_counts()
        lines = set(lines[lines >= _COPY_CELLS].index)
        if not lines:
            continue
        for line, row in c[c["line"].isin(lines)].groupby("line", sort=False):
            pop = row[row["measure"].isin(COPY_MEASURES)]
            if len(pop) < _COPY_CELLS or (pop["value"] < _COPY_MIN).any():
                continue
            dims = [d for d in _dims(pop) if d not in ("year", "period")]
            key = tuple(
                sorted(tuple(str(r[d]) for d in dims) + (r["value"],) for r in records(pop))
            )
            rest = row[~row["measure"].isin(COPY_MEASURES)]
            other = tuple(
                sorted(tuple(str(r[d]) for d in dims) + (r["value"],) for r in records(rest))
            )
            period = row["period"].iloc[0] if "period" in row.columns else ""
            blocks.setdefault(key, []).append(
                (tid, int(line), row, other, period or row["year"].iloc[0])
            )
    out = []
    for rows in blocks.values():
        tables = {r[0] for r in rows}
        if len(tables) < 2:
            continue
        out.append(_copy(src, rows))
    return out


def _copy(src, rows) -> dict:
    first = rows[0]
    tid, line, row = first[0], first[1], first[2]
    total = row[(row["measure"].isin(COPY_MEASURES))].iloc[0]
    same = len({r[3] for r in rows}) == 1
    base = dict(
        rule="copy",
        check="copy:" + "+".join(f"{r[0]}@{r[1]}" for r in rows),
        table_id=tid,
        line=line,
        column=int(total["column"]),
        year=str(row["year"].iloc[0]),
        ref_table=rows[1][0],
        ref_line=rows[1][1],
        detail=" ".join(f"{r[0]}:{r[1]}" for r in rows),
    )
    if same:
        return record(**base)

    def bases(r):
        rest = r[2][~r[2]["measure"].isin(COPY_MEASURES)]
        tot = (
            rest[
                rest[[d for d in _dims(rest) if d not in ("measure", "year", "period")]]
                .isin(_WHOLE)
                .all(axis=1)
            ]
            if len(rest)
            else rest
        )
        tot = tot if len(tot) else rest
        words = ", ".join(
            f"{_n(v)} {m.replace('_', ' ')}"
            for m, v in zip(tot["measure"], tot["value"], strict=True)
        )
        return f"{src.labels[r[0]]} ({r[4]}): {words}"

    females = row[(row["measure"].isin(COPY_MEASURES)) & (row["sex"] == "female")]
    fem = f" ({_n(females['value'].iloc[0])} females)" if len(females) else ""
    names = [src.labels[r[0]] for r in rows]
    lines = "; ".join(bases(r) for r in rows)
    values = sorted({v for r in rows for v in _base_values(r)})
    text = (
        f"{', '.join(names[:-1])} and {names[-1]} print the same block of members, "
        f"{_n(total['value'])} in total{fem} and the same figure in every office column, "
        f"beside different bases: {lines}. Populations counted from different starts or in "
        f"different schemes, with other numbers of enterprises, cannot have identical "
        f"members in every column; at most one block belongs to its table"
    )
    diff = (max(values) - min(values)) if len(values) > 1 else None
    return record(
        status="inconsistency",
        location=labeler(src, tid).at(line, int(total["column"])),
        printed=f"{total['printed']} members",
        expected="the same enterprises and period beside the same members",
        difference=diff,
        ref_location="; ".join(f"{src.labels[r[0]]} line {r[1]}" for r in rows[1:]),
        tables=" ".join(dict.fromkeys(r[0] for r in rows)),
        text=text + ".",
        **base,
    )


def _base_values(r) -> list[float]:
    rest = r[2][~r[2]["measure"].isin(COPY_MEASURES)]
    dims = [d for d in _dims(rest) if d not in ("measure", "year", "period")]
    tot = rest[rest[dims].isin(_WHOLE).all(axis=1)] if dims else rest
    return [float(v) for v in tot["value"]]


def checks(src) -> list[dict]:
    """Run the families of this module and of :mod:`.prose` on ``src``; return the records.

    The order is :func:`stock_flow_checks`, :func:`subset_checks`, :func:`copy_checks`,
    then :func:`attribution_checks` and :func:`label_checks`.
    """
    return (
        stock_flow_checks(src)
        + subset_checks(src)
        + copy_checks(src)
        + attribution_checks(src)
        + label_checks(src)
    )
