"""The data-quality chapter's view of the audit: tables, links and the opening paragraph.

The audit itself (rules, checks, findings, reconciliation) is
:mod:`nssf_analysis.analysis.audit`; this module shows it on the pages: the findings
with their anchors and links to the tables' chapters (:func:`findings_table`,
:func:`family_table`), the counts per rule (:func:`summary_table`,
:func:`families_table`), the conventions, the cross-references and the reconciliation
as tables, and the chapter's opening (:func:`intro`).  The page speaks plain words
(:mod:`nssf_analysis.render.wording`); the findings files keep the identifiers.

``nssf_analysis.audit`` is this module: it re-exports the audit's API, so that
``audit.results.findings()`` and ``audit.findings_table()`` both work from the notebooks.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from nssf_analysis.analysis.audit.common import Sources
from nssf_analysis.analysis.audit.reconciliation import reconcile
from nssf_analysis.analysis.audit.results import findings, run, summary
from nssf_analysis.analysis.audit.rules import CLASSES, FAMILIES, RULES, XREFS, Term
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.exceptions import NSSFError
from nssf_analysis.render import wording
from nssf_analysis.render.tables import chapter_of, plain_table

__all__ = [
    "AUDIT_PAGE",
    "conventions_table",
    "families_table",
    "family_table",
    "finding_link",
    "findings_table",
    "intro",
    "reconciliation_table",
    "rules_table",
    "summary_table",
    "table_link",
]

#: The data-quality chapter, where the findings are listed.
AUDIT_PAGE = "08_data_quality"


def table_link(table_id: str) -> str:
    """Return the link to a table in its chapter, e.g. ``01_occupational_risk.html#t18``.

    Parameters
    ----------
    table_id : str
        A table id of the catalog.
    """
    catalog_mod.check_id(table_id)
    section = catalog_mod.metadata(table_id)["section"]
    return f"{chapter_of(section)}.html#{table_id}"


def finding_link(table_id: str, year: int | None = None) -> str | None:
    """Return the link to a table's first finding in the data-quality chapter.

    Parameters
    ----------
    table_id : str
        A table id of the catalog.
    year : int, optional
        As in :func:`findings`.

    Returns
    -------
    str or None
        ``08_data_quality.html#finding-<table_id>``, or None when the table has no
        finding.
    """
    f = findings(year)
    if not (f["table_id"] == table_id).any():
        return None
    return f"{AUDIT_PAGE}.html#finding-{table_id}"


def _fact_link(src: Sources, fact_id: str) -> str:
    sec = src.facts.set_index("fact_id").loc[fact_id, "section"]
    return f"{chapter_of(sec)}.html"


def _esc(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return html.escape(str(v))


def findings_table(year: int | None = None, classes=None, rules=None, families: bool = True):
    """Return the findings as a Styler: each with an anchor, linked to its table.

    Every finding carries ``id="<finding_id>"``; the first finding of each table (in
    the order of :func:`findings`, most serious first) also carries
    ``id="finding-<table_id>"``, which the other chapters link to.

    Parameters
    ----------
    year : int, optional
        As in :func:`findings`.
    classes, rules : iterable of str, optional
        Keep only these classes or rules.
    families : bool
        Include the findings of the families between places (:data:`FAMILIES`), which
        :func:`family_table` shows by family.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    res = run()
    f = findings(year)
    first = ~f["table_id"].duplicated()
    f = f.assign(_first=first)
    if classes is not None:
        f = f[f["class"].isin(list(classes))]
    if rules is not None:
        f = f[f["rule"].isin(list(rules))]
    if not families:
        f = f[~f["rule"].isin(list(FAMILIES))]
    rows = []
    for n, (_, r) in enumerate(f.iterrows(), 1):
        anchor = f'<span id="{r["finding_id"]}"></span>'
        if r["_first"]:
            anchor += f'<span id="finding-{r["table_id"]}"></span>'
        if r["table_id"] == "facts":
            fact = r["location"].split(":")[0]
            href = _fact_link(res.sources, fact)
        else:
            href = table_link(r["table_id"])
        rows.append(
            {
                "finding": f'{anchor}<a href="#{r["finding_id"]}">{n}</a>',
                "class": _esc(r["class"]),
                "rule": _esc(wording.name(r["rule"])),
                "table": f'<a href="{href}">{_esc(r["label"])}</a>',
                "printed": _esc(r["printed"]),
                "expected": _esc(wording.plain(r["expected"])),
                "finding in words": _esc(wording.plain(r["sentence"])),
            }
        )
    cols = ["finding", "class", "rule", "table", "printed", "expected", "finding in words"]
    df = pd.DataFrame(rows, columns=cols)
    key = "-".join(sorted(classes or [])) + "-".join(sorted(rules or []))
    key += "" if families else "-tables"
    return (
        df.style.hide(axis="index")
        .set_table_styles([{"selector": "td, th", "props": "text-align: left;"}])
        .set_uuid(f"audit-findings-{key or 'all'}")
        .set_table_attributes('class="audit-findings"')
    )


def _table_href(src: Sources, table_id: str, location: str) -> str:
    if table_id == "facts":
        return _fact_link(src, location.split(":")[0])
    return table_link(table_id)


def family_table(rule: str, year: int | None = None):
    """Return the findings of one family between places, in plain sentences.

    Each row names the places involved (linked to their tables), the class and the
    finding in words; each finding carries its anchor (and the anchor of its table when
    it is the table's first finding, as in :func:`findings_table`).

    Parameters
    ----------
    rule : str
        A family of :data:`FAMILIES`.
    year : int, optional
        As in :func:`findings`.

    Returns
    -------
    pandas.io.formats.style.Styler or IPython.display.Markdown
        The table, or a sentence saying that every check of the family holds.

    Raises
    ------
    NSSFError
        If ``rule`` is not a family.
    """
    if rule not in FAMILIES:
        raise NSSFError(f"audit: unknown family {rule!r}; families: {', '.join(FAMILIES)}")
    res = run()
    f = findings(year)
    f = f.assign(_first=~f["table_id"].duplicated())
    f = f[f["rule"] == rule]
    involved = {}
    if "tables" in res.checks.columns:
        involved = {
            i: t
            for i, t in zip(res.checks["finding_id"], res.checks["tables"], strict=True)
            if isinstance(t, str) and t
        }
    if f.empty:
        from IPython.display import Markdown

        checks = res.checks[res.checks["rule"] == rule]
        if year is not None:
            checks = checks[(checks["year"] == str(year)) | (checks["year"] == "")]
        if checks.empty:
            return Markdown(f"No check of this kind concerns the figures of {year}.")
        return Markdown(f"All {len(checks):,} checks of this kind hold: no finding.")
    rows = []
    for _, r in f.iterrows():
        anchor = f'<span id="{r["finding_id"]}"></span>'
        if r["_first"]:
            anchor += f'<span id="finding-{r["table_id"]}"></span>'
        links = []
        ids = (r["table_id"], r["ref_table"], *involved.get(r["finding_id"], "").split())
        for tid in dict.fromkeys(t for t in ids if t):
            label = "Prose" if tid == "facts" else res.labels.get(tid, tid)
            href = _table_href(res.sources, tid, r["location"])
            links.append(f'<a href="{href}">{_esc(label)}</a>')
        rows.append(
            {
                "where": anchor + ", ".join(links),
                "class": _esc(r["class"]),
                "finding in words": _esc(r["sentence"]),
            }
        )
    df = pd.DataFrame(rows, columns=["where", "class", "finding in words"])
    return (
        df.style.hide(axis="index")
        .set_table_styles([{"selector": "td, th", "props": "text-align: left;"}])
        .set_uuid(f"audit-family-{rule.replace('_', '-')}-{year or 'all'}")
        .set_table_attributes('class="audit-findings"')
    )


def families_table(year: int | None = None):
    """Return the checks and findings of each family between places, for display.

    Parameters
    ----------
    year : int, optional
        As in :func:`summary`.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per family: its heading, what it checks, the number of checks, of
        those that hold and of the findings of each class.
    """
    s = summary(year).set_index("rule")
    rows = []
    for rule, (heading, text) in FAMILIES.items():
        r = s.loc[rule]
        rows.append(
            {
                "family": heading,
                "what is checked": text,
                **{c: int(r[c]) for c in ("checks", "ok", *CLASSES, "findings")},
            }
        )
    counts = {c: "{:,}" for c in ("checks", "ok", *CLASSES, "findings")}
    return _styled(pd.DataFrame(rows), "audit-families", counts)


def _styled(df: pd.DataFrame, uuid: str, numbers: dict | None = None):
    """Return :func:`nssf_analysis.tables.plain_table` of ``df`` (no index, text left).

    The page speaks plain words (:mod:`nssf_analysis.wording`): column names and rule or
    convention ids in words, sentences without report lines, fact ids or ``key=value``.
    The findings files keep them.
    """
    df = df.copy()
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            if col in ("rule", "kind", "convention", "family"):
                df[col] = df[col].map(lambda v: wording.name(v) if isinstance(v, str) else v)
            else:
                df[col] = df[col].map(lambda v: wording.plain(v) if isinstance(v, str) else v)
    names = {c: wording.heading(c) for c in df.columns}
    numbers = {names[c]: f for c, f in (numbers or {}).items() if c in names}
    return plain_table(df.rename(columns=names), uuid, numbers)


def summary_table(year: int | None = None):
    """Return :func:`summary` with each rule's description, for display.

    Parameters
    ----------
    year : int, optional
        Count only the checks about this year's figures and those with no year
        (:func:`summary`).

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per rule of :data:`RULES`, then the row ``all``.
    """
    s = summary(year)
    s.insert(2, "what is checked", [RULES.get(r, ("", "all rules"))[1] for r in s["rule"]])
    counts = {c: "{:,}" for c in ("checks", "ok", *CLASSES, "findings")}
    return _styled(s, "audit-summary", counts)


def conventions_table():
    """Return the learned conventions (:func:`learn_conventions`) for display.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    c = run().conventions.copy()
    c["adopted"] = c["adopted"].map({True: "yes", False: "no"})
    numbers = {"share": "{:.1%}", "exact": "{:,}", "within_rounding": "{:,}"}
    return _styled(c, "audit-conventions", numbers)


def rules_table():
    """Return the cross-references of :data:`XREFS` as a table, one row per rule.

    Returns
    -------
    pandas.io.formats.style.Styler
        Columns ``rule``, ``left``, ``relation``, ``right``, ``pairs``, ``join``,
        ``tolerance`` and ``note``.
    """
    res = run()
    lab = res.labels

    def term(t: Term) -> str:
        name = "prose" if t.source == "facts" else lab.get(t.source, t.source)
        if t.source == "const":
            return f"{t.coef:g}"
        text = f"{name} [{t.select}]" if t.select else name
        if t.times:
            text += f" x [{t.times}]"
        if t.per:
            text += f" / [{t.per}]"
        if t.coef != 1.0:
            text = f"{t.coef:g} x {text}"
        return text

    rows = []
    for x in XREFS:
        rows.append(
            {
                "rule": x.rule,
                "left": term(x.left),
                "relation": "=" if x.relation == "==" else "<=",
                "right": " + ".join(term(t) for t in x.right),
                "pairs": len(x.pairs),
                "join": ", ".join(x.join),
                "tolerance": "rounding" if x.tol is None else f"{x.tol:g}",
                "note": x.note,
            }
        )
    return _styled(pd.DataFrame(rows), "audit-rules")


def reconciliation_table(year: int | None = None):
    """Return :func:`reconcile` for display (Styler, numbers with separators).

    Parameters
    ----------
    year : int, optional
        As in :func:`reconcile`.
    """
    r = reconcile(year)
    cols = [
        "fact_id",
        "basis",
        "unit",
        "printed",
        "rebuilt",
        "gap",
        "status",
        "adjusted_gap",
        "adjusted_status",
        "values",
        "formula",
        "note",
    ]
    num = {c: "{:,.2f}" for c in ("printed", "rebuilt", "gap", "adjusted_gap")}
    return _styled(r[cols], "audit-reconciliation", num)


def intro(year: int | None = None):
    """Return a Markdown paragraph with the audit's counts, for the chapter's opening.

    Parameters
    ----------
    year : int, optional
        Count the checks about this year's figures and those with no year; the
        paragraph then names the year (:func:`summary`).

    Returns
    -------
    IPython.display.Markdown
    """
    from IPython.display import Markdown

    res = run()
    s = summary(year).set_index("rule").loc["all"]
    scope = (
        f"the {res.report_year} report"
        if year is None or int(year) == res.report_year
        else f"the figures of {year} printed in the {res.report_year} report"
    )
    text = (
        f"The audit of {scope} made **{int(s['checks']):,} checks**: "
        f"{int(s['ok']):,} hold exactly and **{int(s['findings']):,}** are findings — "
        + ", ".join(f"{int(s[c]):,} {c}" for c in CLASSES)
        + "."
    )
    return Markdown(text)
