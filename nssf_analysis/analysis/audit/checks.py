"""The checks within one table or one list: totals, changes, shares, blanks, precision.

* :func:`table_checks` — the checks of :func:`nssf_analysis.data.tidy.build` (rules
  ``sum``, ``fluctuation``, ``shares``, ``shifted_cells``), re-run on every table rebuilt
  from its raw file, with the report's labels;
* :func:`blank_checks` — a blank cell between the printed numbers of a row (``blank``);
* :func:`precision_checks` — a number printed with other decimals than its unit's
  (``precision``);
* :func:`directory_checks` — the numbered lists of :data:`.rules.DIRECTORY_LISTS`
  (``numbering``, ``duplicate_name``);
* :func:`format_checks` — a number of the prose printed in a non-standard way
  (``format``).

A new check of one table at a time goes here, and is run by :mod:`.results`.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from nssf_analysis.analysis.audit.common import Sources, fmt, labeler, record, records
from nssf_analysis.analysis.audit.rules import DIRECTORY_LISTS
from nssf_analysis.data import tidy
from nssf_analysis.data.checks import change_percent, decimals
from nssf_analysis.data.extract import is_value
from nssf_analysis.data.specs import tidy_spec

__all__ = [
    "blank_checks",
    "directory_checks",
    "format_checks",
    "precision_checks",
    "table_checks",
]

_FACT_NUMBER_RE = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$")

# Table checks (tidy.build on the raw files), blanks, precision
# --------------------------------------------------------------------------------------


def _rule_of(check: str) -> str:
    return check.split(":")[0]


def _year_of(location: str) -> str:
    m = re.search(r"\byear=(\d{4})", location or "")
    return m.group(1) if m else ""


def table_checks(src: Sources) -> list[dict]:
    """Return the checks of :func:`tidy.build` on every table, with report labels.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per check (totals, fluctuations, shares, shifted cells).
    """
    out = []
    for tid, checks in src.checks.items():
        lab = labeler(src, tid)
        cells = src.cells[tid]
        years = sorted({y for y in cells.get("year", pd.Series(dtype=str)) if y})
        for c in checks:
            column = c.get("column")
            column = None if column is None or pd.isna(column) else int(column)
            rule = _rule_of(c["check"])
            year = _year_of(c["location"])
            if not year and rule == "fluctuation" and years:
                year = years[-1]
            out.append(
                record(
                    rule=rule,
                    check=c["check"],
                    table_id=tid,
                    location=lab.at(c["line"], column),
                    line=int(c["line"]),
                    column=column or 0,
                    year=year,
                    printed=str(c["printed"]),
                    expected=str(c["expected"]),
                    computed=c.get("computed"),
                    difference=c.get("difference"),
                    status=c["status"],
                    detail=c["location"],
                )
            )
    return out


def blank_checks(src: Sources) -> list[dict]:
    """Find blank cells between the printed numbers of a row.

    A row's value cells start after its label cells; a blank value cell with a printed
    number to its right is a blank where the header calls for a number.  When the row
    is a "Fluctuation" row, the expected value is the change recomputed from the two
    years of the same column.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One ``ok`` record per row without such a blank, one ``structural`` record per
        blank cell.
    """
    out = []
    for tid, raw in src.raw.items():
        spec = tidy_spec(tid)
        n_label = spec.get("header_label_cols", len(spec["rows"]))
        lab = labeler(src, tid)
        cells = src.cells[tid]
        cols = [c for c in raw.columns if c.startswith("c")]
        for r in records(raw[raw["kind"] == "body"]):
            row = [r[c] for c in cols]
            start = n_label
            while start < len(row) and row[start] and not is_value(row[start]):
                start += 1
            last = max((i for i, x in enumerate(row) if x), default=-1)
            line = int(r["line"])
            blanks = [i for i in range(start, last) if row[i] == ""]
            if not blanks:
                out.append(record(rule="blank", check="blank", table_id=tid, line=line))
                continue
            for i in blanks:
                column = i + 1
                expected, computed = "a printed number", None
                if tidy.FLUCT_RE.match(row[0] or ""):
                    same = cells[
                        (cells["column"] == column)
                        & (cells["block"] == r["block"] if "block" in cells.columns else True)
                        & cells["role"].isin(["value", "total"])
                        & cells["value"].notna()
                    ].sort_values("line")
                    if len(same) == 2 and same["value"].iloc[0] != 0:
                        computed = change_percent(same["value"].iloc[0], same["value"].iloc[1])
                        expected = f"{computed:.2f}% (change of the two years above)"
                out.append(
                    record(
                        rule="blank",
                        check="blank",
                        table_id=tid,
                        location=lab.at(line, column),
                        line=line,
                        column=column,
                        printed="(blank)",
                        expected=expected,
                        computed=computed,
                        status="structural",
                    )
                )
    return out


def precision_checks(src: Sources) -> list[dict]:
    """Find numbers printed with other decimals than the other numbers of their unit.

    Within a table, the printed numbers of one unit (fluctuations apart) are expected
    to share one number of decimals, learned as the most frequent one.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per printed number; those that depart are ``rounding``.
    """
    out = []
    for tid in src.raw:
        cells = src.cells[tid]
        cells = cells[cells["value"].notna()]
        lab = labeler(src, tid)
        years = cells["year"].tolist() if "year" in cells.columns else [""] * len(cells)
        # the cells by unit and kind (changes apart), in order of first appearance
        groups: dict = {}
        for cell in zip(
            cells["unit"].tolist(),
            cells["role"].tolist(),
            cells["line"].tolist(),
            cells["column"].tolist(),
            years,
            cells["printed"].tolist(),
            strict=True,
        ):
            if not pd.isna(cell[0]):
                kind = "change" if cell[1] == "fluctuation" else "value"
                groups.setdefault((cell[0], kind), []).append(cell)
        for (unit, _k), grp in groups.items():
            decs = [decimals(c[5]) for c in grp]
            counts = Counter(decs)
            top = max(counts.values())
            modal = max(d for d, n in counts.items() if n == top)
            for (_u, _r, line, column, year, printed), d in zip(grp, decs, strict=True):
                status = "ok" if d == modal else "rounding"
                out.append(
                    record(
                        rule="precision",
                        check=f"precision:{unit}",
                        table_id=tid,
                        location=lab.at(line, column) if status != "ok" else "",
                        line=int(line),
                        column=int(column),
                        year=year or "",
                        printed=printed,
                        expected=f"{modal} decimals",
                        computed=float(d),
                        difference=float(modal - d),
                        status=status,
                        detail=f"unit={unit}",
                    )
                )
    return out


# Directories and the prose's number format
# --------------------------------------------------------------------------------------


def directory_checks(src: Sources) -> list[dict]:
    """Check every directory list for numbering gaps, repeats and duplicate names.

    A list of *n* entries must be numbered 1..n.  A number outside 1..n or repeated
    stands where a missing number is expected: when as many numbers are missing as
    stand out, they are paired in order and reported together.  A name (compared
    without case and extra spaces) must appear once in a list.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One ``ok`` record per list and rule, one ``structural`` record per problem.
    """
    out = []
    for tid, keys, name_cols in DIRECTORY_LISTS:
        df = src.directories.get(tid)
        if df is None:
            continue
        names = zip(*(df[c].tolist() for c in name_cols), strict=True)
        df = df.assign(_name=[" ".join(" ".join(parts).split()) for parts in names])
        name_col = "_name"
        label = src.labels.get(tid, tid)
        for lkey, grp in df.groupby(list(keys), sort=False):
            lkey = lkey if isinstance(lkey, tuple) else (lkey,)
            where = " / ".join(lkey)
            entries = records(grp)
            numbered = [{**r, "n": int(r["no"])} for r in entries if r["no"].strip() != ""]
            n = len(numbered)
            present = {r["n"] for r in numbered}
            missing = [k for k in range(1, n + 1) if k not in present]
            seen, extra = set(), []
            for r in sorted(numbered, key=lambda r: r["line"]):  # stable
                if r["n"] < 1 or r["n"] > n or r["n"] in seen:
                    extra.append(r)
                seen.add(r["n"])
            problems = []
            if len(missing) == len(extra):
                problems = list(zip(missing, extra, strict=True))
            else:
                problems = [(m, None) for m in missing] + [(None, e) for e in extra]
            if not problems:
                out.append(record(rule="numbering", check="numbering", table_id=tid, detail=where))
            for m, e in problems:
                hint = ""
                if e is not None:
                    same = df[(df["no"] == e["no"]) & (df[name_col] == e[name_col])]
                    same = same[same["line"] != e["line"]]
                    if len(same):
                        s = same.iloc[0]
                        hint = (
                            f"the same number and name are in the list "
                            f"{' / '.join(s[k] for k in keys)} (line {s['line']})"
                        )
                out.append(
                    record(
                        rule="numbering",
                        check="numbering",
                        table_id=tid,
                        location=f"{label}: {where} list",
                        line=int(e["line"])
                        if e is not None
                        else int(grp["line"].astype(int).min()),
                        printed=f"{e['no']} {e[name_col]}" if e is not None else "(none)",
                        expected=f"no. {m}" if m is not None else f"a number in 1..{n} used once",
                        difference=float(int(e["no"]) - m) if (m and e is not None) else None,
                        status="structural",
                        detail=where,
                        note=hint,
                    )
                )
            names = grp[name_col].str.casefold()
            dups = names[names.duplicated(keep=False) & (names != "")]
            if dups.empty:
                out.append(
                    record(
                        rule="duplicate_name", check="duplicate_name", table_id=tid, detail=where
                    )
                )
            for _, idx in dups.groupby(dups, sort=False).groups.items():
                rows = grp.loc[list(idx)].sort_values("line", kind="stable")
                first = rows.iloc[0]
                out.append(
                    record(
                        rule="duplicate_name",
                        check="duplicate_name",
                        table_id=tid,
                        location=f"{label}: {where} list: {first[name_col]}",
                        line=int(first["line"]),
                        printed="nos. " + " and ".join(rows["no"]),
                        expected="each name once",
                        ref_line=int(rows.iloc[1]["line"]),
                        ref_table=tid,
                        ref_location="lines " + " and ".join(rows["line"].astype(str)),
                        status="structural",
                        detail=where,
                    )
                )
    return out


def format_checks(src: Sources) -> list[dict]:
    """Check that every number of the prose is printed in the standard way ("1,234.56").

    Parameters
    ----------
    src : Sources
        The data files as read by the audit; the facts give each number as printed.

    Returns
    -------
    list of dict
        One record per fact of the prose: ``ok`` when its number is printed in the
        standard way, else ``structural``.
    """
    out = []
    for _, f in src.facts.iterrows():
        ok = bool(_FACT_NUMBER_RE.match(f["printed"]))
        out.append(
            record(
                rule="format",
                check="format",
                table_id="facts",
                location=f"{f['fact_id']}: section {f['section']}",
                line=int(f["line"]),
                year=f["year"],
                printed=f["printed"],
                expected=fmt(f["value"]),
                status="ok" if ok else "structural",
            )
        )
    return out
