"""The checks of the tidy layer: every printed total, change and share recomputed.

The interpreter (:mod:`nssf_analysis.data.tidy`) gives one cell per printed number; the
checks here hold the printed totals to the sum of their parts (:func:`check_totals`),
the printed changes to the change between the two years (:func:`check_fluctuations`)
and percentage shares to 100 (:func:`check_shares`). Each finding is one row of
``data/checks.csv`` (``ok``, ``rounding``, ``convention`` or ``inconsistency``), which
the audit reads. A new check of a table's printed figures goes here and is called by
:func:`nssf_analysis.data.tidy.build`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from nssf_analysis.data.specs import tidy_spec
from nssf_analysis.data.specs.vocabulary import PRINTED_DIMS
from nssf_analysis.data.units import COUNT_UNITS

__all__ = [
    "change_percent",
    "check_fluctuations",
    "check_shares",
    "check_totals",
    "decimals",
    "dim_cols",
    "rounding_tolerance",
    "totals_of",
]


def decimals(text: str) -> int:
    """Return the number of decimals printed in a number ("1.05%" → 2, "1,234" → 0)."""
    text = text.strip().rstrip("%")
    return len(text.split(".")[1]) if "." in text else 0


def totals_of(spec: dict) -> dict:
    """Return ``{dim: (total, parts)}``: the value of a dimension that sums others (None: all)."""
    out = {}
    for dim, t in spec.get("totals", {}).items():
        out[dim] = t if isinstance(t, tuple) else (t, None)
    if spec.get("rows", [None])[-1] == "item" or "item" in spec.get("rows", []):
        out.setdefault("item", ("Total", None))
    return out


BOOKKEEPING = ["role", "printed", "value", "line", "column", "total_of", "unit"]


def dim_cols(df: pd.DataFrame) -> list[str]:
    """Return the dimension columns of a frame of cells (all but :data:`BOOKKEEPING`)."""
    return [c for c in df.columns if c not in BOOKKEEPING]


def _location(row: pd.Series, dims: list[str]) -> str:
    parts = []
    for d in dims:
        v = row.get(d)
        if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
            continue
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        parts.append(f"{d}={v}")
    return "; ".join(parts)


def _status(diff: float, tol: float) -> str:
    if abs(diff) < 1e-9:
        return "ok"
    if abs(diff) <= tol + 1e-9:
        return "rounding"
    return "inconsistency"


def _finding(
    table_id, check, row, dims, expected, *, status, computed=None, difference=None, printed=None
):
    """Return one row of ``checks.csv`` for the cell ``row`` (its printed text by default)."""
    return {
        "table_id": table_id,
        "check": check,
        "location": _location(row, dims),
        "line": int(row["line"]),
        "column": int(row["column"]),
        "printed": row["printed"] if printed is None else printed,
        "expected": expected,
        "computed": computed,
        "difference": difference,
        "status": status,
    }


def rounding_tolerance(printed: list[str], unit: str) -> float:
    """Return the largest difference that the rounding of printed values can explain.

    Counts are exact (tolerance 0).  Amounts are rounded by the report to the
    decimals it prints for each value ("111" to the unit, "5.85" to the cent), so
    a sum can be off by up to half a unit of the last printed digit of each term.

    Parameters
    ----------
    printed : list of str
        The printed parts and the printed total.
    unit : str
        The unit of the values.
    """
    if unit in COUNT_UNITS:
        return 0.0
    return sum(0.5 * 10 ** -decimals(p) for p in printed)


def check_totals(cells: pd.DataFrame, table_id: str) -> list[dict]:
    """Check every printed total against the sum of its parts.

    Parameters
    ----------
    cells : DataFrame
        The output of :func:`nssf_analysis.data.tidy.interpret`.
    table_id : str
        Table id, for the findings.

    Returns
    -------
    list of dict
        One finding per total cell: ``status`` is ``ok``, ``rounding`` (within
        the rounding of the printed parts) or ``inconsistency``.
    """
    spec = tidy_spec(table_id)
    out = []
    numeric = cells[cells["role"].isin(["value", "total"]) & cells["value"].notna()]
    numeric = numeric[numeric["unit"] != "percent"]
    numeric = numeric[~numeric["measure"].isin(spec.get("non_additive", []))]
    dims = dim_cols(cells)
    for dim, (total, parts) in totals_of(spec).items():
        if dim not in numeric.columns:
            continue
        skip = PRINTED_DIMS if dim in PRINTED_DIMS else {"no"}
        keys = [d for d in dims if d != dim and d not in skip | {"period", "period_start"}]
        if dim in ("item", "province", "business"):
            # leaves only: subtotal rows are parts of nothing at this level
            base = numeric[numeric["total_of"] != "subitems"]
        else:
            base = numeric
        # plain records, grouped in order of first appearance (as groupby(sort=False)):
        # pandas' selection of each small group took a quarter of the audit's time
        groups: dict[tuple, list[dict]] = {}
        for rec in base.fillna({k: "" for k in keys}).to_dict("records"):
            groups.setdefault(tuple(rec[k] for k in keys), []).append(rec)
        for grp in groups.values():
            tot = [r for r in grp if r[dim] == total]
            if parts is None:
                part = [r for r in grp if r[dim] != total]
            else:
                part = [r for r in grp if r[dim] in parts]
            if not tot or not part:
                continue
            expected = f"{total} = " + " + ".join(str(r[dim]) for r in part)
            for t in tot:
                out.append(_sum_finding(table_id, f"sum:{dim}", t, part, dims, expected))
    if "no" in cells.columns and "item" in cells.columns:
        out += _check_subtotals(numeric, table_id, dims)
    return out


def _check_subtotals(numeric: pd.DataFrame, table_id: str, dims: list[str]) -> list[dict]:
    out = []
    subs = numeric[numeric["total_of"] == "subitems"]
    keys = [d for d in dims if d not in ("no", "item")]
    for _, t in subs.iterrows():
        code = t["no"]
        same = numeric.fillna({k: "" for k in keys})
        tk = t.fillna("")
        mask = same["no"].str.startswith(code) & (same["no"] != code)
        for k in keys:
            mask &= same[k] == tk.get(k, "")
        part = same[mask]
        if part.empty:
            continue
        expected = f"{code} = " + " + ".join(part["no"])
        out.append(_sum_finding(table_id, "sum:subitems", t, part, dims, expected))
    return out


def _sum_finding(table_id, check, total, parts, dims, expected) -> dict:
    """Return the finding of a printed total against the sum of its printed parts.

    ``total`` is the total's cell (a row: Series or dict), ``parts`` its parts' cells (a
    DataFrame or a list of such rows).
    """
    if isinstance(parts, pd.DataFrame):
        parts = parts.to_dict("records")
    computed = float(np.sum([r["value"] for r in parts]))
    tol = rounding_tolerance([*(r["printed"] for r in parts), total["printed"]], total["unit"])
    diff = round(total["value"] - computed, 6)
    return _finding(
        table_id,
        check,
        total,
        dims,
        expected,
        computed=round(computed, 6),
        difference=diff,
        status=_status(diff, tol),
    )


def change_percent(base: float, current: float) -> float | None:
    """Return the percent change from ``base`` to ``current``; None when base is 0."""
    if base == 0:
        return None
    return (current - base) / base * 100.0


def check_fluctuations(cells: pd.DataFrame, table_id: str) -> list[dict]:
    """Check every printed fluctuation against the change recomputed from the two years.

    The report's conventions are classed as ``convention``: a change from a zero or
    missing ('-') base is printed as 100.00% and no change between two zeros as 0.00%.
    A printed change within the range allowed by the rounding of the printed
    values is ``rounding``; anything else is an ``inconsistency``. The parameters are
    those of :func:`check_totals`; the result is one finding per printed change.
    """
    out = []
    fl = cells[cells["role"] == "fluctuation"]
    if fl.empty:
        return out
    vals = cells[cells["role"].isin(["value", "total"])]
    dims = dim_cols(cells)
    keys = [d for d in dims if d not in ("year", "period", "period_start")]
    years = sorted(vals["year"].dropna().unique())
    if len(years) != 2:
        return out
    y0, y1 = years
    vk = vals.fillna({k: "" for k in keys})
    # the first value of each year for each combination of the other dimensions
    first: dict[tuple, dict] = {}
    for key, year, (_, row) in zip(
        zip(*(vk[k] for k in keys), strict=True) if keys else [()] * len(vk),
        vk["year"],
        vk.iterrows(),
        strict=True,
    ):
        first.setdefault((key, year), row)
    for _, f in fl.fillna({k: "" for k in keys}).iterrows():
        key = tuple(f[k] for k in keys)
        cur = first.get((key, y1))
        if cur is None:
            continue
        base = first.get((key, y0))
        printed = f["value"]
        base_v = None if base is None else base["value"]
        if base_v is None or (isinstance(base_v, float) and math.isnan(base_v)):
            status = "convention" if printed == 100.0 else "inconsistency"
            out.append(
                _finding(
                    table_id, "fluctuation", f, dims, "new (no base year value)", status=status
                )
            )
            continue
        if base_v == 0:
            want = 0.0 if cur["value"] == 0 else 100.0
            status = "convention" if printed == want else "inconsistency"
            out.append(
                _finding(
                    table_id,
                    "fluctuation",
                    f,
                    dims,
                    "change from zero",
                    difference=printed - want,
                    status=status,
                )
            )
            continue
        computed = change_percent(base_v, cur["value"])
        d = decimals(f["printed"])
        diff = round(printed - round(computed, d), 6)
        if abs(diff) < 10**-d / 2 + 1e-9:
            status = "ok"
        else:
            hb = 0.5 * 10 ** -decimals(base["printed"])
            hc = 0.5 * 10 ** -decimals(cur["printed"])
            lo = change_percent(base_v + hb, cur["value"] - hc)
            hi = change_percent(max(base_v - hb, 1e-12), cur["value"] + hc)
            status = "rounding" if lo - 0.005 <= printed <= hi + 0.005 else "inconsistency"
        out.append(
            _finding(
                table_id,
                "fluctuation",
                f,
                dims,
                f"({y1} - {y0}) / {y0} x 100",
                computed=round(computed, 4),
                difference=diff,
                status=status,
            )
        )
    return out


def check_shares(cells: pd.DataFrame, table_id: str) -> list[dict]:
    """Check that percentage shares over the dimension named by ``spec['shares']`` sum to 100."""
    spec = tidy_spec(table_id)
    dim = spec.get("shares")
    if not dim:
        return []
    out = []
    pct = cells[(cells["role"] == "value") & (cells["unit"] == "percent")]
    for (_measure, _year), grp in pct.groupby(["measure", "year"], sort=False):
        t = grp.iloc[0]
        total = float(grp["value"].sum())
        diff = round(total - 100.0, 6)
        tol = 0.5 * 10 ** -max(decimals(p) for p in grp["printed"]) * len(grp)
        out.append(
            _finding(
                table_id,
                f"shares:{dim}",
                t,
                ["measure", "year"],
                "100%",
                printed=" + ".join(grp["printed"]),
                computed=round(total, 6),
                difference=diff,
                status=_status(diff, tol),
            )
        )
    return out
