"""One audit run: every rule applied, classified, worded; the findings and the summary.

:func:`run` reads the data files (:func:`.common.load_sources`), applies every rule
(:mod:`.checks`, :mod:`.crossref`, :mod:`.relations`, :mod:`.directories`), learns the
report's conventions (:func:`learn_conventions`) and classes each check, words every
finding (its ``sentence``) and gives it a stable ``finding_id``.  :func:`findings` and
:func:`summary` are the run's findings and counts per rule.  A new rule module is added
to :func:`_run_cached`, its rules to :data:`.rules.RULES` and, if it needs one, its
sentence to :func:`_sentence` (the families word their own, in the record's ``text``).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

import pandas as pd

from nssf_analysis.analysis.audit import checks as checks_mod
from nssf_analysis.analysis.audit import directories, relations
from nssf_analysis.analysis.audit.common import load_sources, num
from nssf_analysis.analysis.audit.crossref import cross_checks
from nssf_analysis.analysis.audit.rules import (
    CLASSES,
    CONVENTION_SHARE,
    CONVENTIONS,
    FINDING_COLUMNS,
    RULES,
)
from nssf_analysis.data import tidy
from nssf_analysis.data.cache import data_cache
from nssf_analysis.exceptions import NSSFError

__all__ = ["AuditResult", "findings", "learn_conventions", "run", "summary"]

_CLASS_RANK = {c: i for i, c in enumerate(CLASSES)}

# --------------------------------------------------------------------------------------
# Conventions and classes
# --------------------------------------------------------------------------------------


def _convention_kind(rec: dict) -> str | None:
    if rec["rule"] != "fluctuation":
        return None
    if rec["expected"].startswith("new"):
        return "no_base"
    if rec["expected"] == "change from zero":
        printed = tidy.parse_value(rec["printed"])
        want = printed - (rec["difference"] or 0.0)
        return "from_zero" if want == 100.0 else "both_zero"
    return None


def _holds(rec: dict, kind: str) -> bool:
    printed = tidy.parse_value(rec["printed"])
    if kind == "no_base":
        return printed == 100.0
    return rec["difference"] == 0.0


def learn_conventions(records: list[dict]) -> pd.DataFrame:
    """Count how often each convention of :data:`CONVENTIONS` holds, and adopt it or not.

    Also reports, for information, how often printed fluctuations and totals match
    the values recomputed from the printed figures exactly, within rounding, or not.

    Parameters
    ----------
    records : list of dict
        The audit's check records.

    Returns
    -------
    DataFrame
        One row per convention: ``convention``, ``description``, ``cases``, ``holds``,
        ``share`` and ``adopted``.
    """
    rows = []
    for name, text in CONVENTIONS.items():
        cases = [r for r in records if _convention_kind(r) == name]
        holds = sum(_holds(r, name) for r in cases)
        share = holds / len(cases) if cases else math.nan
        rows.append(
            {
                "convention": name,
                "description": text,
                "cases": len(cases),
                "holds": holds,
                "share": share,
                "adopted": bool(cases) and share >= CONVENTION_SHARE,
            }
        )
    for rule, text in (
        ("fluctuation", "printed changes equal the change of the printed figures, rounded"),
        ("sum", "printed totals equal the sum of their printed parts"),
    ):
        cases = [r for r in records if r["rule"] == rule and _convention_kind(r) is None]
        exact = sum(r["status"] == "ok" for r in cases)
        within = sum(r["status"] == "rounding" for r in cases)
        rows.append(
            {
                "convention": f"{rule}_rounding",
                "description": f"{text}; otherwise within the rounding of the printed values",
                "cases": len(cases),
                "holds": exact + within,
                "share": (exact + within) / len(cases) if cases else math.nan,
                "adopted": True,
                "exact": exact,
                "within_rounding": within,
            }
        )
    df = pd.DataFrame(rows)
    df["exact"] = df["exact"].astype("Int64")
    df["within_rounding"] = df["within_rounding"].astype("Int64")
    return df


def _classify(records: list[dict], conventions: pd.DataFrame) -> None:
    adopted = dict(zip(conventions["convention"], conventions["adopted"], strict=True))
    for r in records:
        kind = _convention_kind(r)
        if kind is None:
            continue
        holds = _holds(r, kind)
        r["status"] = "convention" if holds and adopted.get(kind) else "inconsistency"
        r["note"] = CONVENTIONS[kind]
    # a total that misses the sum of its parts only by the rounding of parts printed
    # with fewer decimals than their unit's is a rounding difference
    coarse: dict = {}
    for r in records:
        if r["rule"] == "precision" and r["status"] != "ok" and (r["difference"] or 0) > 0:
            coarse.setdefault((r["table_id"], r["year"]), []).append(r)
    for r in records:
        if r["rule"] != "sum" or r["status"] != "inconsistency":
            continue
        parts = coarse.get((r["table_id"], r["year"]), [])
        slack = sum(0.5 * 10 ** -int(p["computed"]) for p in parts)
        if parts and abs(r["difference"]) <= slack + 1e-9:
            r["status"] = "rounding"
            r["tolerance"] = slack
            r["note"] = (
                "within the rounding of "
                + ", ".join(f"{p['printed']} (line {p['line']})" for p in parts)
                + ", printed with fewer decimals"
            )


# --------------------------------------------------------------------------------------
# Findings: ids and sentences
# --------------------------------------------------------------------------------------


def _display_expected(r: dict) -> str:
    """Return what consistency requires, with the recomputed value first."""
    text = re.sub(r"(\d{4})\.0\b", r"\1", r["expected"])
    if r["computed"] is None or (isinstance(r["computed"], float) and math.isnan(r["computed"])):
        return text
    if r["rule"] == "fluctuation":
        return f"{r['computed']:.2f}% = {text}"
    if r["rule"] in ("sum", "shares"):
        return f"{num(r['computed'])} ({text})"
    return text


def _finding_id(r: dict) -> str:
    key = "|".join(
        str(r[k]) for k in ("rule", "check", "table_id", "location", "line", "column", "detail")
    )
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]
    return f"F-{r['rule'].replace('_', '')}-{r['table_id']}-{digest}"


def _sentence(r: dict, label: str) -> str:
    if isinstance(r.get("text"), str) and r["text"]:
        return r["text"]
    rule, status, loc = r["rule"], r["status"], r["location"]
    if r["table_id"] == "facts" and loc:
        # "<fact id>: section A.1.3": the reader is given the section, the files the id
        loc = loc.split(": ", 1)[-1]
    where = f"{label}, {loc}" if loc else label
    diff = num(abs(r["difference"])) if r["difference"] is not None else ""
    if rule == "sum":
        tail = {
            "rounding": "within the rounding of the printed values",
            "inconsistency": "more than the rounding of the printed values explains",
        }.get(status, "")
        if r.get("note") and status == "rounding" and "fewer decimals" in r["note"]:
            tail = r["note"]
        return (
            f"{where}: the printed total {r['printed']} differs from the sum of its parts "
            f"({num(r['computed'])}) by {diff}, {tail}."
        )
    if rule == "fluctuation":
        if status == "convention":
            return f"{where}: {r['printed']}, printed by the report's convention: {r['note']}."
        if r["computed"] is None:
            return f"{where}: the printed change {r['printed']} breaks the report's convention."
        tail = (
            "within the range the rounding of the printed figures allows"
            if status == "rounding"
            else "more than the rounding of the printed figures allows"
        )
        return (
            f"{where}: the printed change {r['printed']} differs from the change recomputed "
            f"from the printed figures ({num(r['computed'])}%), {tail}."
        )
    if rule == "shares":
        return f"{where}: the shares {r['printed']} add up to {num(r['computed'])}%, not 100%."
    if rule == "shifted_cells":
        return (
            f"{where} (line {r['line']}): the row prints fewer value cells than the table has "
            f"columns; its values are read as aligned to the right."
        )
    if rule == "blank":
        return f"{where}: a blank cell where the row and its header call for {r['expected']}."
    if rule == "precision":
        return (
            f"{where}: {r['printed']} is printed with {int(r['computed'])} decimals where the "
            f"table's other {r['detail'].removeprefix('unit=')} values have "
            f"{r['expected'].split()[0]}."
        )
    if rule in ("identity", "annex", "tables", "directory", "prose"):
        if status == "structural":
            return f"{where}: no counterpart: {r['expected']} has no matching cell."
        rel = "at most" if r["expected"].startswith("<=") else "equal to"
        value = r["expected"].lstrip("<=").strip()
        if status == "rounding":
            tail = f"they differ by {diff}, within the rounding of the printed values."
        else:
            note = f" ({r['note']})" if r.get("note") else ""
            tail = f"they differ by {diff}{note}."
        return (
            f"{where} prints {r['printed']}; it should be {rel} {r['ref_location']}, "
            f"which gives {value}: {tail}"
        )
    if rule == "unit":
        if r["difference"] is None:
            return f"{where} prints {r['printed']}; {r['ref_location']} cannot be compared with it."
        return (
            f"{where} prints {r['printed']}, and {r['ref_location']} states {r['expected']} for "
            f"the same figure: the numbers agree but the units differ by a factor of 1,000, "
            f"so one of the two unit labels is wrong."
        )
    if rule == "numbering":
        hint = f"; {r['note']}" if r.get("note") else ""
        if r["printed"] == "(none)":
            return f"{loc}: {r['expected']} is missing{hint}."
        return (
            f"{loc}: an entry numbered {r['printed']!r} stands where {r['expected']} "
            f"is expected{hint}."
        )
    if rule == "duplicate_name":
        return f"{loc}: listed twice ({r['printed']}, {r['ref_location']})."
    if rule == "format":
        return f"{where}: the text prints {r['printed']!r} for {r['expected']}."
    return f"{where}: {r['printed']} against {r['expected']}."


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


@dataclass
class AuditResult:
    """Everything one audit run produced.

    Attributes
    ----------
    report_year : int
        Year of the audited report.
    checks : DataFrame
        Every check made (``status`` ok included).
    findings : DataFrame
        The checks that are not ok, with :data:`FINDING_COLUMNS`.
    conventions : DataFrame
        The learned conventions (:func:`learn_conventions`).
    adjustments : dict
        Table id → factor that corrects its unit, from the ``unit`` findings.
    labels, sections : dict
        Table id → label and report section.
    """

    report_year: int
    checks: pd.DataFrame
    findings: pd.DataFrame
    conventions: pd.DataFrame
    adjustments: dict
    labels: dict
    sections: dict


def run() -> AuditResult:
    """Run the whole audit on the data files (cached until a file it loaded changes).

    The result is also kept on disk for the next process (the chapters of the book each
    run on a fresh kernel, and several ask for the whole audit; see
    :mod:`nssf_analysis.data.cache`).

    Returns
    -------
    AuditResult
    """
    return _run_cached()


@data_cache(maxsize=4, persist=True)
def _run_cached() -> AuditResult:
    src = load_sources()
    records = (
        checks_mod.table_checks(src)
        + checks_mod.blank_checks(src)
        + checks_mod.precision_checks(src)
    )
    records += cross_checks(src) + checks_mod.directory_checks(src) + checks_mod.format_checks(src)
    records += relations.checks(src) + directories.checks(src)
    conventions = learn_conventions(records)
    _classify(records, conventions)
    conventions = learn_conventions(records)  # the rounding counts after classification
    for r in records:
        r["expected"] = _display_expected(r)
    adjustments = {}
    for r in records:
        if r["rule"] == "unit" and r.get("adjust"):
            adjustments[r["adjust"][0]] = r["adjust"][1]
    order = {t: i for i, t in enumerate(src.labels)}
    order["facts"] = len(order)
    checks = pd.DataFrame(records).drop(columns=["adjust"], errors="ignore")
    checks["label"] = [
        "Prose" if t == "facts" else src.labels.get(t, t) for t in checks["table_id"]
    ]
    checks["sentence"] = ""
    bad = checks["status"] != "ok"
    checks.loc[bad, "sentence"] = [_sentence(r, r["label"]) for r in checks[bad].to_dict("records")]
    checks["finding_id"] = ""
    checks.loc[bad, "finding_id"] = [_finding_id(r) for r in checks[bad].to_dict("records")]
    checks["class"] = checks["status"]
    checks["_rank"] = checks["class"].map(lambda c: _CLASS_RANK.get(c, 9))
    checks["_order"] = checks["table_id"].map(lambda t: order.get(t, len(order) + 1))
    checks = checks.sort_values(
        ["_rank", "_order", "line", "column", "rule", "finding_id"], kind="stable"
    ).reset_index(drop=True)
    f = checks[checks["class"] != "ok"].copy()
    if f["finding_id"].duplicated().any():
        dup = f.loc[f["finding_id"].duplicated(), "finding_id"].iloc[0]
        raise NSSFError(f"audit: finding id {dup} is not unique")
    findings_ = f[FINDING_COLUMNS].reset_index(drop=True)
    return AuditResult(
        report_year=src.report_year,
        checks=checks.drop(columns=["_rank", "_order"]),
        findings=findings_,
        conventions=conventions,
        adjustments=adjustments,
        labels=src.labels,
        sections=src.sections,
    )


@data_cache(persist=True)
def findings(year: int | None = None) -> pd.DataFrame:
    """Return the findings, most serious first; optionally those about one year.

    The result is kept on disk for the next process (every chapter that shows a report
    table asks for it, for its markers) while the files it read are unchanged; callers
    share it and must not change it in place.

    Parameters
    ----------
    year : int, optional
        Keep the findings about this year's figures and those with no year (structure,
        directories).

    Returns
    -------
    DataFrame
        Columns :data:`FINDING_COLUMNS`.

    Examples
    --------
    >>> f = findings(2022)
    >>> f.loc[f["table_id"] == "t18", ["label", "class"]].iloc[0].tolist()
    ['Table 18', 'rounding']
    """
    df = run().findings
    if year is not None:
        df = df[(df["year"] == str(year)) | (df["year"] == "")].reset_index(drop=True)
    return df


def summary(year: int | None = None) -> pd.DataFrame:
    """Return the number of checks per rule and status (ok included).

    Parameters
    ----------
    year : int, optional
        Count only the checks about this year's figures and those with no year.

    Returns
    -------
    DataFrame
        One row per rule of :data:`RULES`: ``rule``, ``group``, ``checks``, ``ok`` and
        one column per class, then ``findings``.
    """
    checks = run().checks
    if year is not None:
        checks = checks[(checks["year"] == str(year)) | (checks["year"] == "")]
    counts = checks.groupby(["rule", "class"]).size().unstack(fill_value=0)
    rows = []
    for rule, (group, _text) in RULES.items():
        row = {"rule": rule, "group": group}
        for cls in ("ok", *CLASSES):
            row[cls] = (
                int(counts.loc[rule, cls]) if rule in counts.index and cls in counts.columns else 0
            )
        row["checks"] = sum(row[c] for c in ("ok", *CLASSES))
        row["findings"] = row["checks"] - row["ok"]
        rows.append(row)
    df = pd.DataFrame(rows, columns=["rule", "group", "checks", "ok", *CLASSES, "findings"])
    total = {"rule": "all", "group": ""}
    total.update({c: int(df[c].sum()) for c in df.columns[2:]})
    return pd.concat([df, pd.DataFrame([total])], ignore_index=True)


# --------------------------------------------------------------------------------------
