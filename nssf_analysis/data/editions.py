"""Editions: which printed table is which known table, whatever its number.

Every edition of the report numbers its tables anew: a table inserted before Table 5
moves every later number on by one. A known table keeps its stable identifier (``t05``
… named after the 2022 report) and is found by what it is: its title, its section and
its layout (the labels of its header and rows). Its printed number becomes its label in
that edition ("Table 6").

What the 2022 report's tables are is kept as data, in ``layouts_2022.json`` beside this
module: derived once from the 2022 report by ``python -m nssf_analysis.editions`` (the
2022 report defines the identifiers: its Table N is ``tNN``), checked by a test to equal
what that command derives. :func:`match_edition` matches an edition against it and
returns the known tables, the new ones (kept as raw data) and a summary, which
``nssf-report extract`` prints and writes to ``data/edition.csv``.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, utils
from rapidfuzz.distance import Indel

from nssf_analysis import paths
from nssf_analysis.data.extract import (
    PrintedTable,
    RawTable,
    annex_start,
    cut_printed,
    find_annex_table,
    find_printed_tables,
    layout_of,
    read_lines,
    report_year,
    table_layout,
)
from nssf_analysis.data.specs import ANNEX_TABLES, TIDY, tidy_spec
from nssf_analysis.exceptions import ExtractionError, NSSFError

#: The edition whose tables define the stable identifiers.
REFERENCE_YEAR = 2022
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
            raise ExtractionError(f"{tid}: heading /{spec['heading']}/ not found in the annex")
        tables.append(_ref_entry(tid, t.label, t.title, t.section, table_layout(lines, t)))
    return {"report_year": report_year(lines), "tables": tables}


def _ref_entry(tid, label, title, section, layout) -> dict:
    return {
        "table_id": tid,
        "label": label,
        "title": title,
        "section": section,
        "layout": [list(labels) for _, labels in layout],
    }


def write_reference(seed: Path | None = None, path: Path = REFERENCE_PATH) -> Path:
    """Write the reference file from the 2022 report (``python -m nssf_analysis.editions``).

    Parameters
    ----------
    seed : Path, optional
        The 2022 report text (default ``seeds/nssf_annual_report_2022.txt``).
    path : Path
        Where to write (default :data:`REFERENCE_PATH`).
    """
    seed = Path(seed) if seed else paths.seed_path(REFERENCE_YEAR)
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
                f"needs a score of {ACCEPT:.0f}); candidates: {listed}"
            )
    return {i: (j, scores[i, j]) for i, j in by_ref.items()}


def _shown(labels) -> str:
    text = " | ".join(labels) if labels else "(numbers only)"
    return "'" + text.replace("<year>", "(year)") + "'"


def check_layout(ref: dict, label: str, layout: list) -> None:
    """Raise ExtractionError where a table's layout differs from its reference layout.

    The error names the table, the report line and the label: a label lost or new in
    a line (a column lost or added), a row new in this edition or lost from it.

    Parameters
    ----------
    ref : dict
        The table's reference entry (:func:`reference`, :func:`added_tables`).
    label : str
        Its label in this edition.
    layout : list of (int, tuple of str)
        Its layout in this edition (:func:`nssf_analysis.extract.layout_of`).
    """
    table_id = ref["table_id"]
    if ref["layout"] is None or tidy_spec(table_id)["family"] == "text":
        return  # running text: what it says changes from edition to edition
    ref = [tuple(x) for x in ref["layout"]]
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
                _check_line(where, layout[j][0], ref[i], got[j])
            if i2 - i1 == j2 - j1:
                continue  # every line differs only by misprinted numbers
            if j2 - j1 > i2 - i1:  # more lines than the reference: the first extra is new
                tag, j1 = "insert", j1 + (i2 - i1)
            else:  # fewer: the first reference line left over is lost
                tag, i1, j1 = "delete", i1 + (j2 - j1), j2
        _raise_row(where, tag, i1, j1, ref, got, layout)


def _misprinted_numbers(labels) -> bool:
    """Return True for labels that are numbers printed wrongly (left to the tidy layer)."""
    return bool(labels) and all(any(ch.isdigit() for ch in x) for x in labels)


def _check_line(where: str, line: int, ref: tuple, got: tuple) -> None:
    """Raise where one printed line lost or gained labels (a column lost or new)."""
    lost = Counter(ref) - Counter(got)
    new = Counter(got) - Counter(ref)
    if not lost and _misprinted_numbers(new):
        return  # a value cell that is not a number: the tidy layer names its column
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
        what = ("label " if len(lost) + len(new) == 1 else "labels ") + "; ".join(parts)
    else:
        what = f"labels {_shown(got)} are printed in another order"
    raise ExtractionError(f"{where} {line}: {what}: the table's layout changed")


def _raise_row(where, tag, i1, j1, ref, got, layout) -> None:
    """Raise for a row new in the edition (insert) or lost from it (delete)."""
    if tag == "insert":
        line = layout[j1][0]
        raise ExtractionError(
            f"{where} {line}: row {_shown(got[j1])} is new (not in the {REFERENCE_YEAR} "
            f"layout): the table's layout changed"
        )
    line = layout[j1][0] if j1 < len(layout) else layout[-1][0] if layout else 0
    raise ExtractionError(
        f"{where} {line}: row {_shown(ref[i1])} of the {REFERENCE_YEAR} layout is missing "
        f"(a lost row): the table's layout changed"
    )


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
        The report lines.

    Returns
    -------
    Edition
        Known tables under their stable identifiers, new tables and the summary.
        Raises ExtractionError on an ambiguous or weak match, or a layout that changed.
    """
    printed = find_printed_tables(lines)
    try:
        year = report_year(lines)
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
        _check_contract(t, year)
        check_layout(ref, p.label, full_layouts[j])
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
        _check_contract(t, year)
        check_layout(ref, t.label, table_layout(lines, t))
        annex.append(t)
        found.append(_row(tid, t.label, t.title, "matched", 100.0, t.title_line, ref))
    found.sort(key=lambda r: int(r["line"]))
    summary = pd.DataFrame(found + missing, columns=SUMMARY_COLUMNS)
    return Edition(numbered=numbered, annex=annex, new=new, summary=summary)


def _check_contract(table: RawTable, year: int | None) -> None:
    """Raise the table contract's error (a row, block or header label lost or added).

    The contract (:func:`nssf_analysis.validate.layout_problem`) names the label as the
    report prints it; :func:`check_layout` then catches what the contract does not cover.
    """
    from nssf_analysis.data.validate import layout_problem

    problem = layout_problem(table, year) if year is not None else None
    if problem:
        raise ExtractionError(
            f"{table.table_id} ({table.label}), report line {problem[0]}: {problem[1]}"
        )


def check_strict(edition: Edition) -> None:
    """Raise ExtractionError if the edition prints a new table or lacks a known one."""
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
    if parts:
        raise ExtractionError(
            "edition differs from the known tables (--strict): " + "; ".join(parts)
        )


def summary_text(edition: Edition) -> str:
    """Return the edition summary as printed by ``nssf-report extract``.

    One line of counts, then one line per table that is not simply matched.
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
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# Reading the summary of the extracted edition
# --------------------------------------------------------------------------------------


def load_edition() -> pd.DataFrame:
    """Return the summary of the extracted edition (``data/edition.csv``)."""
    from nssf_analysis.data.catalog import read_csv

    return read_csv(paths.data_dir() / "edition.csv")


def in_edition(table_id: str) -> bool:
    """Return whether the extracted edition prints a known table.

    Parameters
    ----------
    table_id : str
        A stable identifier (``t21``, ``a6_1_4`` …). Tables the summary does not list
        (the annex directories) are printed if the catalog has them.
    """
    ed = load_edition().set_index("table_id")
    if table_id in ed.index:
        return ed.loc[table_id, "status"] != "missing"
    from nssf_analysis.data.catalog import catalog

    return table_id in set(catalog()["table_id"])


def absence_note(table_id: str) -> str | None:
    """Return the sentence a chapter shows for a known table this edition does not print.

    Parameters
    ----------
    table_id : str
        A stable identifier.

    Returns
    -------
    str or None
        E.g. "This edition does not print Table 21 of the 2022 report (Number of
        Registered Institutions and Members)."; None when the edition prints it.
    """
    if in_edition(table_id):
        return None
    ref = reference().get(table_id)
    if ref is None:
        return "This edition does not print this table."
    return (
        f"This edition does not print {ref['label']} of the {REFERENCE_YEAR} report "
        f"({ref['title']})."
    )


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


# --------------------------------------------------------------------------------------
# Several editions side by side
# --------------------------------------------------------------------------------------

#: Columns of ``data/revisions.csv``: every value a newer edition prints differently.
REVISION_COLUMNS = [
    "table_id",
    "label",
    "year",
    "measure",
    "unit",
    "cell",
    "old",
    "new",
    "old_edition",
    "old_line",
    "new_edition",
    "new_line",
]
#: Tidy columns that are not part of a cell's key.
_NOT_KEY = {"value", "line", "column", "_edition"}


@dataclass
class OlderEdition:
    """An older report of ``seeds/``, matched like the newest one.

    Attributes
    ----------
    year : int
        Its report year.
    seed : Path
        Its report text.
    edition : Edition
        Its tables (see :func:`match_edition`).
    """

    year: int
    seed: Path
    edition: Edition

    def table(self, table_id: str) -> RawTable | None:
        """Return the known table ``table_id`` as this edition prints it, or None."""
        return next((t for t in self.edition.tables if t.table_id == table_id), None)


def older_editions(years: list[int]) -> list[OlderEdition]:
    """Match every report of ``seeds/`` but the newest, newest first.

    Parameters
    ----------
    years : list of int
        The report years of ``seeds/``, oldest first (the last is the newest).
    """
    out = []
    for y in reversed(years[:-1]):
        seed = paths.seed_path(y)
        lines = read_lines(seed)
        ry = report_year(lines, str(seed))
        if ry != y:
            raise NSSFError(f"{seed}: title says report year {ry}, file name says {y}")
        out.append(OlderEdition(year=y, seed=seed, edition=match_edition(lines)))
    return out


def _cell(row: dict, key: list[str]) -> str:
    return "; ".join(
        f"{d}={row[d]}" for d in key if d not in ("year", "measure", "unit") and row[d] != ""
    )


def table_revisions(
    table_id: str, label: str, new: pd.DataFrame, old: pd.DataFrame, old_year: int
) -> list[dict]:
    """List the cells an older edition prints and a newer one prints with another value.

    Parameters
    ----------
    table_id, label : str
        The table and its label in the newest edition.
    new : DataFrame
        The tidy table as the newer editions give it, with an ``_edition`` column (the
        report year each row comes from).
    old : DataFrame
        The tidy table as the older edition prints it.
    old_year : int
        The older edition's report year.

    Returns
    -------
    list of dict
        One per revised cell (:data:`REVISION_COLUMNS`).
    """
    if "year" not in new.columns or "year" not in old.columns:
        return []
    key = [c for c in new.columns if c not in _NOT_KEY and c in old.columns]
    both = new.merge(old, on=key, suffixes=("_new", "_old"))
    out = []
    for r in both.to_dict("records"):
        if float(r["value_new"]) == float(r["value_old"]):
            continue
        out.append(
            {
                "table_id": table_id,
                "label": label,
                "year": r["year"],
                "measure": r["measure"],
                "unit": r["unit"],
                "cell": _cell(r, key),
                "old": r["value_old"],
                "new": r["value_new"],
                "old_edition": old_year,
                "old_line": r["line_old"],
                "new_edition": r["_edition"],
                "new_line": r["line_new"],
            }
        )
    return out


def merge_years(new: pd.DataFrame, old: pd.DataFrame, old_year: int) -> pd.DataFrame:
    """Return the older edition's rows for years the newer ones do not print, then theirs.

    A year printed by both is taken from the newer edition. ``new`` carries an
    ``_edition`` column (the report year of each row); the older rows get ``old_year``.
    Tables without years (running text) keep the newer edition's rows only.
    """
    if "year" not in new.columns or "year" not in old.columns:
        return new
    keep = old[~old["year"].isin(set(new["year"]))].copy()
    keep["_edition"] = old_year
    merged = pd.concat([keep, new], ignore_index=True)
    cols = list(new.columns) + [c for c in merged.columns if c not in new.columns]
    return merged[cols].fillna("")


def with_older_years(
    table: RawTable, tidy: pd.DataFrame, report_year: int, older: list[OlderEdition], build
) -> tuple[pd.DataFrame, list[dict]]:
    """Add to a table's tidy rows the years only older editions print; list revisions.

    Parameters
    ----------
    table : RawTable
        The table as the newest edition prints it.
    tidy : DataFrame
        Its tidy rows.
    report_year : int
        The newest edition's year.
    older : list of OlderEdition
        The older editions, newest first.
    build : callable
        The tidy builder (:func:`nssf_analysis.tidy.build`).

    Returns
    -------
    (DataFrame, list of dict)
        The merged tidy table (same columns as ``tidy``) and the revised cells.
    """
    if not older:
        return tidy, []
    merged = tidy.assign(_edition=report_year)
    revisions = []
    for o in older:
        ot = o.table(table.table_id)
        if ot is None:
            continue
        old, _ = build(ot, o.year)
        revisions += table_revisions(table.table_id, table.label, merged, old, o.year)
        merged = merge_years(merged, old, o.year)
    return merged.drop(columns="_edition"), revisions


def write_older(out: Path, older: list[OlderEdition], write_csv) -> None:
    """Write each older edition's tables as printed to ``editions/<year>/raw``.

    Its summary goes to ``editions/<year>/edition.csv``.
    """
    for o in older:
        folder = out / "editions" / str(o.year)
        for t in o.edition.tables + o.edition.new:
            write_csv(t.to_frame(), folder / "raw" / f"{t.table_id}.csv")
        write_csv(o.edition.summary, folder / "edition.csv")


def revisions_frame(records: list[dict]) -> pd.DataFrame:
    """Return revision records as the frame of ``data/revisions.csv``."""
    return pd.DataFrame(records, columns=REVISION_COLUMNS)


def load_revisions() -> pd.DataFrame:
    """Return what the newest edition revises of older ones (``data/revisions.csv``).

    Returns
    -------
    DataFrame
        One row per revised cell: ``table_id``, ``label`` (newest edition), ``year``,
        ``measure``, ``unit``, ``cell`` (the other dimensions), ``old`` and ``new``
        values (floats), and the edition and report line of each. Empty when
        ``seeds/`` holds one report.
    """
    from nssf_analysis.data.catalog import read_csv

    df = read_csv(paths.data_dir() / "revisions.csv")
    for col in ("old", "new"):
        df[col] = df[col].astype(float)
    for col in ("year", "old_edition", "old_line", "new_edition", "new_line"):
        df[col] = df[col].astype(int)
    return df
