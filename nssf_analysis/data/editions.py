"""Editions: which printed table is which known table, whatever its number.

Every edition of the report numbers its tables anew: a table inserted before Table 5
moves every later number on by one. A known table keeps its stable identifier (``t05``
… named after the 2022 report) and is found by what it is: its title, its section and
its layout (the labels of its header and rows). Its printed number becomes its label in
that edition ("Table 6").

What the 2022 report's tables are is kept as data, in ``layouts_2022.json`` beside this
module: derived once from the 2022 report by ``python -m nssf_analysis.data.editions`` (the
2022 report defines the identifiers: its Table N is ``tNN``), checked by a test to equal
what that command derives. :func:`match_edition` matches an edition against it and
returns the known tables, the new ones (kept as raw data) and a summary, which
``nssf-report extract`` prints and writes to ``data/edition.csv`` (read back by
:func:`nssf_analysis.data.catalog.load_edition`). Every known table
it finds is held to its layout by :func:`nssf_analysis.data.layout.check_table` (the one
layout check of an extraction). Several editions side by side (older reports in
``seeds/``, revisions) are :mod:`nssf_analysis.data.revisions`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, utils
from rapidfuzz.distance import Indel

from nssf_analysis.data.extract import (
    PrintedTable,
    RawTable,
    annex_start,
    cut_printed,
    find_annex_table,
    find_printed_tables,
    layout_of,
    table_layout,
)
from nssf_analysis.data.facts import FACT_SPECS
from nssf_analysis.data.layout import check_table
from nssf_analysis.data.report_text import read_lines, seed_file, title_year
from nssf_analysis.data.specs import REFERENCE_YEAR, TIDY, where_declared
from nssf_analysis.data.specs import annex as annex_specs
from nssf_analysis.data.specs.annex import ANNEX_TABLES
from nssf_analysis.exceptions import ExtractionError, NSSFError

__all__ = [
    "REFERENCE_PATH",
    "SUMMARY_COLUMNS",
    "Edition",
    "added_tables",
    "check_strict",
    "layout_score",
    "match_edition",
    "match_score",
    "main",
    "reference",
    "reference_from_lines",
    "section_score",
    "summary_text",
    "title_score",
    "write_reference",
]

#: The 2022 tables as data: label, title, section and layout of each.
REFERENCE_PATH = Path(__file__).with_name(f"layouts_{REFERENCE_YEAR}.json")

#: Weights of the title, layout and section similarity in a match score (0-100).
WEIGHTS = {"title": 0.55, "layout": 0.25, "section": 0.20}
#: A match score from which a printed table is taken for a known one.
ACCEPT = 75.0
#: Below ACCEPT but from this score on, a table is a weak match (an error, not "missing").
WEAK = 50.0
#: A second candidate within this many points of the best makes a match ambiguous.
MARGIN = 5.0

#: Statuses of the edition summary.
STATUSES = ("matched", "renumbered", "reworded", "new", "missing")
#: Columns of ``data/edition.csv``.
SUMMARY_COLUMNS = [
    "table_id",
    "label",
    "title",
    "status",
    "score",
    "line",
    "reference_label",
    "reference_title",
    "raw_file",
]


# --------------------------------------------------------------------------------------
# The reference: the 2022 tables as data
# --------------------------------------------------------------------------------------


def reference_from_lines(lines: list[str]) -> dict:
    """Derive the reference tables from the report that defines the identifiers.

    Parameters
    ----------
    lines : list of str
        The lines of the 2022 report.

    Returns
    -------
    dict
        ``report_year`` and ``tables``: one dict per table (``table_id``, ``label``,
        ``title``, ``section``, ``layout``: the labels of each printed line), numbered
        tables first (Table N is ``tNN``), then the annex tables of the specs.
    """
    tables = []
    for p in find_printed_tables(lines):
        layout = layout_of(lines, p.start, p.end)
        tables.append(_ref_entry(f"t{p.number:02d}", p.label, p.title, p.section, layout))
    start = annex_start(lines)
    for tid, spec in ANNEX_TABLES.items():
        t = find_annex_table(lines, tid, start)
        if t is None:
            raise ExtractionError(
                f"{tid}: heading /{spec['heading']}/ not found in the annex; declare the "
                f"heading it has in {_module_file(annex_specs)}, ANNEX_TABLES[{tid!r}] (heading)"
            )
        tables.append(_ref_entry(tid, t.label, t.title, t.section, table_layout(lines, t)))
    return {"report_year": title_year(lines), "tables": tables}


def _ref_entry(tid, label, title, section, layout) -> dict:
    return {
        "table_id": tid,
        "label": label,
        "title": title,
        "section": section,
        "layout": [list(labels) for _, labels in layout],
    }


def write_reference(seed: Path | None = None, path: Path = REFERENCE_PATH) -> Path:
    """Write the reference file from the 2022 report (``python -m nssf_analysis.data.editions``).

    Parameters
    ----------
    seed : Path, optional
        The 2022 report text (default: the 2022 report in ``seeds/``).
    path : Path
        Where to write (default :data:`REFERENCE_PATH`).
    """
    seed = Path(seed) if seed else seed_file(REFERENCE_YEAR)
    doc = reference_from_lines(read_lines(seed))
    if doc["report_year"] != REFERENCE_YEAR:
        raise NSSFError(f"{seed}: the reference is the {REFERENCE_YEAR} report")
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def reference() -> dict:
    """Return the reference tables by identifier (read from :data:`REFERENCE_PATH`)."""
    doc = json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))
    return {t["table_id"]: t for t in doc["tables"]}


def added_tables(year: int | None = None) -> list[dict]:
    """Return the tables declared since the 2022 report, as reference entries.

    A table new in an edition is declared by its tidy spec in :data:`specs.TIDY`
    alone, with three more keys: ``title`` and ``section`` as it is first printed, and
    ``first_edition`` (the report year that first prints it). Its layout is not kept:
    it is matched by title and section, and its header is checked by the tidy layer.

    Parameters
    ----------
    year : int, optional
        The edition's report year: tables first printed later are left out (all are
        included when the year is unknown).
    """
    known = reference()
    out = []
    for tid, spec in TIDY.items():
        if tid in known or not isinstance(spec, dict) or "title" not in spec:
            continue
        if year is not None and spec.get("first_edition", 0) > year:
            continue
        out.append(
            {
                "table_id": tid,
                "label": "",
                "title": spec["title"],
                "section": spec.get("section", ""),
                "layout": None,
            }
        )
    return out


# --------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------


def title_score(a: str, b: str) -> float:
    """Return how alike two titles are, 0-100 (word order and case ignored)."""
    return float(fuzz.token_sort_ratio(a, b, processor=utils.default_process))


def section_score(a: str, b: str) -> float:
    """Return 100 for the same section, else the share of leading parts in common."""
    pa, pb = a.split("."), b.split(".")
    common = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        common += 1
    return 100.0 * common / max(len(pa), len(pb), 1)


def layout_score(a: list, b: list) -> float:
    """Return how alike two layouts are, 0-100 (labels compared in printed order)."""
    fa = [c for line in a for c in line]
    fb = [c for line in b for c in line]
    if not fa and not fb:
        return 100.0
    return 100.0 * Indel.normalized_similarity(fa, fb)


def match_score(ref: dict, table: PrintedTable, layout: list) -> tuple[float, float]:
    """Return the match score of a printed table for a known one, and its title score.

    Parameters
    ----------
    ref : dict
        A reference table (see :func:`reference`).
    table : PrintedTable
        A table of the edition.
    layout : list of tuple
        The labels of each of its lines (without line numbers).

    Returns
    -------
    (float, float)
        The weighted score of title, layout and section, and the title score, 0-100.
    """
    t = title_score(ref["title"], table.title)
    parts = {"title": t, "section": section_score(ref["section"], table.section)}
    if ref["layout"] is not None:  # a declared table has no layout kept
        parts["layout"] = layout_score(ref["layout"], layout)
    score = sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS[k] for k in parts)
    return round(score, 1), round(t, 1)


# --------------------------------------------------------------------------------------
# Matching an edition
# --------------------------------------------------------------------------------------


@dataclass
class Edition:
    """What one report prints, against the known tables.

    Attributes
    ----------
    numbered : list of RawTable
        The known numbered tables found, in the order of their identifiers, labelled
        with this edition's numbers.
    annex : list of RawTable
        The known annex tables found.
    new : list of RawTable
        Tables the specs do not know (``new_<printed number>``), cut without options.
    summary : DataFrame
        One row per table (:data:`SUMMARY_COLUMNS`): found ones in report order, then
        the missing ones.
    """

    numbered: list = field(default_factory=list)
    annex: list = field(default_factory=list)
    new: list = field(default_factory=list)
    summary: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SUMMARY_COLUMNS))

    @property
    def tables(self) -> list[RawTable]:
        """Return every known table found: numbered, then annex."""
        return self.numbered + self.annex

    @property
    def missing(self) -> list[str]:
        """Return the identifiers of the known tables this edition does not print."""
        return list(self.summary.loc[self.summary["status"] == "missing", "table_id"])

    def counts(self) -> dict[str, int]:
        """Return the number of tables of each status (every status, zeros included)."""
        c = Counter(self.summary["status"])
        return {s: c.get(s, 0) for s in STATUSES}


def _describe(p: PrintedTable, score: float, tscore: float) -> str:
    return f"{p.label} '{p.title}' line {p.title_line} (score {score:.1f}, title {tscore:.0f})"


def _ref_name(ref: dict) -> str:
    return f"{ref['table_id']} ({ref['label']} of the {REFERENCE_YEAR} report, '{ref['title']}')"


def _module_file(module) -> str:
    """Return a module's file as a path from the project root."""
    return module.__name__.replace(".", "/") + ".py"


def _declared_at(ref: dict) -> str:
    """Return where a declared table's title and section are written (not for 2022's)."""
    if ref["layout"] is not None:
        return ""  # a table of the reference report: its title is the 2022 report's
    where = where_declared(ref["table_id"], '"title" and "section"')
    return f"; if one of them is it, make its title and section fit in {where}"


def _assign(refs: list[dict], printed: list[PrintedTable], layouts: list[list]) -> dict:
    """Return {reference index: printed index}: best pairs first, one to one."""
    scores = {}
    for i, ref in enumerate(refs):
        for j, p in enumerate(printed):
            scores[i, j] = match_score(ref, p, layouts[j])
    pairs = sorted(scores, key=lambda ij: (-scores[ij][0], ij))
    by_ref, by_printed = {}, {}
    for i, j in pairs:
        if scores[i, j][0] < ACCEPT:
            break
        if i not in by_ref and j not in by_printed:
            by_ref[i], by_printed[j] = j, i
    # ambiguous: an unclaimed table (or an unmatched spec) nearly as good as the match
    for i, j in sorted(by_ref.items()):
        best = scores[i, j][0]
        rivals = [
            jj
            for jj in range(len(printed))
            if jj != j and jj not in by_printed and scores[i, jj][0] >= best - MARGIN
        ]
        rival_refs = [
            ii
            for ii in range(len(refs))
            if ii != i and ii not in by_ref and scores[ii, j][0] >= best - MARGIN
        ]
        if rivals or rival_refs:
            cands = [j, *rivals]
            listed = "; ".join(_describe(printed[c], *scores[i, c]) for c in cands)
            also = "".join(
                f"; {printed[j].label} also fits {_ref_name(refs[ii])} "
                f"(score {scores[ii, j][0]:.1f})"
                for ii in rival_refs
            )
            raise ExtractionError(
                f"{_ref_name(refs[i])}: ambiguous match, candidates: {listed}{also}"
                + _declared_at(refs[i])
            )
    # weak: an unmatched spec with an unclaimed table that nearly fits
    for i, ref in enumerate(refs):
        if i in by_ref:
            continue
        cands = sorted(
            (jj for jj in range(len(printed)) if jj not in by_printed),
            key=lambda jj: (-scores[i, jj][0], jj),
        )
        weak = [jj for jj in cands if scores[i, jj][0] >= WEAK][:3]
        if weak:
            listed = "; ".join(_describe(printed[c], *scores[i, c]) for c in weak)
            raise ExtractionError(
                f"{_ref_name(ref)}: no table of this edition matches well enough (a match "
                f"needs a score of {ACCEPT:.0f}); candidates: {listed}" + _declared_at(ref)
            )
    return {i: (j, scores[i, j]) for i, j in by_ref.items()}


def _row(tid, label, title, status, score, line, ref=None, raw_file="") -> dict:
    return {
        "table_id": tid,
        "label": label,
        "title": title,
        "status": status,
        "score": "" if score is None else f"{score:.1f}",
        "line": "" if line is None else str(line),
        "reference_label": ref["label"] if ref else "",
        "reference_title": ref["title"] if ref else "",
        "raw_file": raw_file,
    }


def match_edition(lines: list[str]) -> Edition:
    """Identify every table an edition prints against the known tables.

    Parameters
    ----------
    lines : list of str
        The edition's report text, line by line (:func:`nssf_analysis.data.report_text.read_lines`).

    Returns
    -------
    Edition
        Known tables under their stable identifiers, new tables and the summary.
        Raises ExtractionError on an ambiguous or weak match, or a layout that changed.
    """
    printed = find_printed_tables(lines)
    try:
        year = title_year(lines)
    except ExtractionError:
        year = None
    refs = [r for tid, r in reference().items() if tid not in ANNEX_TABLES]
    refs += added_tables(year)
    full_layouts = [layout_of(lines, p.start, p.end) for p in printed]
    layouts = [[labels for _, labels in lay] for lay in full_layouts]
    assigned = _assign(refs, printed, layouts)
    found, missing = [], []
    numbered = []
    claimed = set()
    for i, ref in enumerate(refs):
        tid = ref["table_id"]
        if i not in assigned:
            missing.append(_row(tid, "", ref["title"], "missing", None, None, ref))
            continue
        j, (_, tscore) = assigned[i]
        p = printed[j]
        claimed.add(j)
        t = cut_printed(lines, p, tid)
        check_table(t, year, ref, p.label, full_layouts[j])
        numbered.append(t)
        if p.title.split() != ref["title"].split():
            status = "reworded"
        elif ref["label"] and p.label != ref["label"]:
            status = "renumbered"
        else:
            status = "matched"
        found.append(_row(tid, p.label, p.title, status, tscore, p.title_line, ref))
    new = []
    for j, p in enumerate(printed):
        if j in claimed:
            continue
        t = cut_printed(lines, p, f"new_{p.number:02d}")
        new.append(t)
        found.append(
            _row(
                t.table_id,
                p.label,
                p.title,
                "new",
                None,
                p.title_line,
                None,
                f"raw/{t.table_id}.csv",
            )
        )
    annex = []
    start = annex_start(lines)
    for tid in ANNEX_TABLES:
        ref = reference()[tid]
        t = find_annex_table(lines, tid, start)
        if t is None:
            missing.append(_row(tid, "", ref["title"], "missing", None, None, ref))
            continue
        check_table(t, year, ref, t.label, table_layout(lines, t))
        annex.append(t)
        found.append(_row(tid, t.label, t.title, "matched", 100.0, t.title_line, ref))
    found.sort(key=lambda r: int(r["line"]))
    summary = pd.DataFrame(found + missing, columns=SUMMARY_COLUMNS)
    return Edition(numbered=numbered, annex=annex, new=new, summary=summary)


def _missing_sentences(missing_facts: pd.DataFrame | None) -> list[dict]:
    """Return one dict per sentence not printed: its facts (``ids``), section, heading, anchor."""
    if missing_facts is None or missing_facts.empty:
        return []
    keys = ["section", "heading", "anchor", "reason"]
    groups = missing_facts.groupby(keys, sort=False)["fact_id"]
    return [dict(zip(keys, key, strict=True), ids=", ".join(ids)) for key, ids in groups]


def check_strict(edition: Edition, missing_facts: pd.DataFrame | None = None) -> None:
    """Raise ExtractionError if the edition prints a new table or lacks a known one or fact.

    Parameters
    ----------
    edition : Edition
        The edition's tables against the known ones.
    missing_facts : DataFrame, optional
        The declared facts of the prose it does not print
        (:func:`nssf_analysis.data.facts.find_facts`).
    """
    s = edition.summary
    parts = []
    new = s[s["status"] == "new"]
    if len(new):
        parts.append(
            "new: " + ", ".join(f"{r.label} '{r.title}' (line {r.line})" for r in new.itertuples())
        )
    gone = s[s["status"] == "missing"]
    if len(gone):
        parts.append(
            "missing: "
            + ", ".join(f"{r.table_id} ({r.reference_label})" for r in gone.itertuples())
        )
    sentences = _missing_sentences(missing_facts)
    if sentences:
        parts.append(
            "facts missing: " + ", ".join(f"{m['ids']} (section {m['section']})" for m in sentences)
        )
    if parts:
        raise ExtractionError(
            "edition differs from the known tables and facts (--strict): " + "; ".join(parts)
        )


def summary_text(edition: Edition, missing_facts: pd.DataFrame | None = None) -> str:
    """Return the edition summary as printed by ``nssf-report extract``.

    One line of counts, then one line per table that is not simply matched; with
    ``missing_facts`` (see :func:`check_strict`), a line of the facts of the prose found
    and missing, then one line per sentence not printed.
    """
    counts = edition.counts()
    out = ["tables: " + ", ".join(f"{n} {s}" for s, n in counts.items())]
    for r in edition.summary.itertuples():
        if r.status == "matched":
            continue
        if r.status == "new":
            out.append(f"  new        {r.label}: {r.title} (line {r.line}) -> {r.raw_file}")
        elif r.status == "missing":
            out.append(f"  missing    {r.table_id} ({r.reference_label}): {r.reference_title}")
        elif r.status == "renumbered":
            out.append(
                f"  renumbered {r.table_id}: {r.reference_label} -> {r.label} (line {r.line})"
            )
        else:
            out.append(
                f"  reworded   {r.table_id} ({r.label}, line {r.line}, score {r.score}): "
                f"'{r.reference_title}' -> '{r.title}'"
            )
    if missing_facts is not None:
        declared = sum(len(spec.numbers) for spec in FACT_SPECS)
        out.append(f"facts: {declared - len(missing_facts)} found, {len(missing_facts)} missing")
        for m in _missing_sentences(missing_facts):
            out.append(
                f"  missing    {m['ids']} (section {m['section']}): {m['reason']}: "
                f"/{m['anchor']}/ under heading {m['heading']}"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Write :data:`REFERENCE_PATH` from the 2022 report; print where."""
    argv = sys.argv[1:] if argv is None else argv
    seed = Path(argv[0]) if argv else None
    try:
        path = write_reference(seed)
    except NSSFError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
