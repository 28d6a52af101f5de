"""Audit rules on the annex lists: counts against lists, names across lists, source text.

Families
--------
``list_count``
    every count a table prints of health facilities, by level and type, against the
    entries of the directory of the same scheme (rows and distinct names), and every
    branch an annex prints a row for against the list of branch offices
    (:func:`facility_count_checks`, :func:`branch_checks`);
``directory_names``
    the same facility spelled differently in the two facility directories (fuzzy
    matching with :mod:`rapidfuzz`, with the score and both spellings), typed or owned
    differently, a province heading spelled differently, and a facility (other than a
    health centre, whose commune names recur) listed in two provinces of one directory
    (:func:`name_checks`);
``source_text``
    lines of the report text inside a directory or table that are no entry, heading or
    header: separator rows of dashes and stray lines; province headings out of sequence
    (:func:`source_checks`).

The rules are declared as data (:data:`FACILITY_KINDS`, :data:`LEVELS`,
:data:`SPELLING_SCORE`) and the tables they apply to are learned from the catalog (a
count in the unit of a directory's entries, of the same scheme).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process, utils

from nssf_analysis import paths
from nssf_analysis.analysis.audit.common import figure as _n
from nssf_analysis.analysis.audit.common import labeler, place, record, records
from nssf_analysis.data import catalog as catalog_mod
from nssf_analysis.data import report_text
from nssf_analysis.data.directories import is_artefact, line_cells
from nssf_analysis.data.report_text import read_lines
from nssf_analysis.exceptions import NSSFError

__all__ = [
    "FACILITY_KINDS",
    "LEVELS",
    "SPELLING_SCORE",
    "branch_checks",
    "checks",
    "facility_count_checks",
    "kind_of",
    "name_checks",
    "source_checks",
]

#: Kinds of directory entries and the table types counted in each: kind -> (ownership,
#: pattern the name matches, pattern it must not match, types of the count table).
FACILITY_KINDS = {
    "health_centers": ("public", r"\bhealth cent(?:er|re)\b", r"^national\b", ("health_centers",)),
    "hospitals": ("public", "", "", ("national_hospitals", "referral_hospitals")),
    "private_hospitals": ("private", "", "", ("private_hospitals",)),
}
#: Words that a hospital counted under each type carries in its name.
TYPE_WORDS = {"national_hospitals": "national", "referral_hospitals": "referral"}
#: Levels of a count table and the directory's provinces they cover.
LEVELS = {"central": ("Phnom Penh",), "provincial": None}
#: Lowest rapidfuzz score (token sort ratio, 0-100) at which two different spellings are
#: read as one facility.
SPELLING_SCORE = 92.0
#: Lowest score at which an annex row names a listed branch.
BRANCH_SCORE = 85.0
#: Rows of an annex by province that are neither a province nor a branch.
_NOT_BRANCH = {"Total", "Abroad", ""}
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6"}


def _norm(name: str) -> str:
    return " ".join(str(name).casefold().split())


def kind_of(ownership: str, name: str) -> str | None:
    """Return the kind of a facility entry (:data:`FACILITY_KINDS`) from its list and name.

    Parameters
    ----------
    ownership : str
        ``public`` or ``private`` (the list it is printed in).
    name : str
        The facility's name as printed.

    Returns
    -------
    str or None
    """
    for kind, (own, must, must_not, _types) in FACILITY_KINDS.items():
        if own != ownership:
            continue
        if must and not re.search(must, name, re.I):
            continue
        if must_not and re.search(must_not, name, re.I):
            continue
        return kind
    return None


def _numerals(name: str) -> list[str]:
    out = []
    for tok in re.findall(r"[A-Za-z]+|\d+", name):
        t = tok.casefold()
        if t.isdigit():
            out.append(t)
        elif t in _ROMAN:
            out.append(_ROMAN[t])
    return out


def _label(src, tid: str) -> str:
    return src.labels.get(tid, tid)


# --------------------------------------------------------------------------------------
# Counts against lists
# --------------------------------------------------------------------------------------


def _count_pairs(src) -> list[tuple[str, str]]:
    """(count table, directory) pairs: a table counting the directory's unit, same scheme."""
    cat = catalog_mod.catalog().set_index("table_id")
    out = []
    for d in src.directories:
        unit = src.cells[d]["unit"].iloc[0] if len(src.cells[d]) else ""
        for t in src.raw:
            c = src.cells[t]
            if "facility_type" not in c.columns or unit not in set(c["unit"]):
                continue
            if cat.loc[t, "scheme"] == cat.loc[d, "scheme"]:
                out.append((t, d))
    return out


def facility_count_checks(src) -> list[dict]:
    """Check the counts of facilities by level and type against the directory's entries.

    Each kind of entry (:data:`FACILITY_KINDS`, recognised from its list and name) at
    each level (:data:`LEVELS`) is counted twice: as rows and as distinct names within
    each province.  The table's count of the types of that kind must equal both.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per table, level and kind.
    """
    out = []
    for tid, did in _count_pairs(src):
        cells = src.cells[tid]
        cells = cells[(cells["role"] != "fluctuation") & cells["value"].notna()]
        d = src.directories[did].copy()
        d["kind"] = [kind_of(o, n) for o, n in zip(d["ownership"], d["name"], strict=True)]
        d["key"] = d["name"].map(_norm)
        for level, provinces in LEVELS.items():
            inside = (
                d["province"].isin(provinces)
                if provinces
                else ~d["province"].isin([p for ps in LEVELS.values() if ps for p in ps])
            )
            for kind, (_own, _m, _mn, types) in FACILITY_KINDS.items():
                counted = cells[(cells["level"] == level) & cells["facility_type"].isin(types)]
                if counted.empty:
                    continue
                entries = d[inside & (d["kind"] == kind)]
                out.append(_facility_count(src, tid, did, level, kind, types, counted, entries))
    return out


def _facility_count(src, tid, did, level, kind, types, counted, entries) -> dict:
    printed = float(counted["value"].sum())
    rows = len(entries)
    distinct = int(entries.groupby("province")["key"].nunique().sum()) if rows else 0
    first = counted.sort_values("column").iloc[0]
    lab = labeler(src, tid)
    where = " and ".join(
        lab.at(ln, c).replace(" | ", ", ")
        for ln, c in zip(counted["line"], counted["column"], strict=True)
    )
    base = dict(
        rule="list_count",
        check=f"list_count:{tid}:{did}:{level}:{kind}",
        table_id=tid,
        **place(first),
        year=str(first["year"]),
        ref_table=did,
        ref_line=int(entries["line"].astype(int).min()) if rows else 0,
        detail=f"{level} {kind}",
    )
    if printed == rows == distinct:
        return record(**base)
    words = kind.replace("_", " ")
    text = (
        f"{_label(src, tid)} ({where}) counts "
        f"{_n(printed)} {words} at the {level} level, but {_label(src, did)} lists "
        f"{rows:,} such entries there"
    )
    if distinct != rows:
        dups = entries[entries.duplicated(["province", "key"], keep=False)]
        names = sorted(
            dict.fromkeys(
                f"{r['name']} ({r['province']}, nos. "
                + " and ".join(
                    dups[(dups["province"] == r["province"]) & (dups["key"] == r["key"])]["no"]
                )
                + ")"
                for _, r in dups.iterrows()
            )
        )
        shown = "; ".join(names[:5]) + ("; ..." if len(names) > 5 else "")
        text += f", of which only {distinct:,} distinct names: listed twice are {shown}"
    odd = []
    if kind == "hospitals" and len(types) > 1:
        counted_types = {
            t for t, v in zip(counted["facility_type"], counted["value"], strict=True) if v > 0
        }
        words_ = [TYPE_WORDS[t] for t in counted_types if t in TYPE_WORDS]
        odd = [n for n in entries["name"] if not any(w in n.casefold() for w in words_)]
    if odd and rows != printed:
        text += (
            f". {len(odd)} of the listed hospitals are named neither "
            + " nor ".join(f"{w} hospital" for w in [TYPE_WORDS[t] for t in types])
            + f": {', '.join(odd[:6])}"
        )
    diff = printed - rows if printed != rows else printed - distinct
    text += (
        f". The count and the list must agree: the count differs from the rows by "
        f"{_n(abs(printed - rows))} and from the distinct names by {_n(abs(printed - distinct))}."
    )
    return record(
        status="inconsistency",
        location=lab.at(first["line"], first["column"]),
        printed=f"{_n(printed)} {words}",
        expected=f"{rows:,} entries, {distinct:,} distinct names",
        computed=float(rows),
        difference=float(diff),
        ref_location=f"{_label(src, did)}: {level} level",
        text=text,
        **base,
    )


def _provinces(src) -> set[str]:
    out = set()
    for d in src.directories.values():
        if "province" in d.columns:
            out |= set(d["province"])
    return out


def _province_rows(src, tid: str) -> list[tuple]:
    """Return ``(province, line)`` of the first cell of each province a table prints."""
    rows = src.cells[tid].drop_duplicates("province")
    return list(zip(rows["province"].tolist(), rows["line"].tolist(), strict=True))


def _branch_lists(src) -> dict:
    """Directory id -> its branch entries (directories with a ``branch`` column)."""
    return {d: f for d, f in src.directories.items() if "branch" in f.columns}


def branch_checks(src) -> list[dict]:
    """Check every branch an annex prints a row for against the list of branch offices.

    An annex row that names neither a province of the directories nor a total is a
    branch (a Phnom Penh khan branch); it must be listed in the branch directory
    (fuzzy match, :data:`BRANCH_SCORE`).  Annex tables that print the same unlisted
    rows are reported together.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per set of annex rows and branch directory.
    """
    provinces = _provinces(src)
    out = []
    for did, blist in _branch_lists(src).items():
        names = list(dict.fromkeys(blist["branch"]))
        listed = [n for n in names if n not in provinces]
        unlisted: dict = {}
        checked = []
        for tid in src.raw:
            c = src.cells[tid]
            if "province" not in c.columns:
                continue
            for p, line in _province_rows(src, tid):
                if p in provinces or p in _NOT_BRANCH:
                    continue
                best = process.extractOne(
                    p, names, scorer=fuzz.token_sort_ratio, processor=utils.default_process
                )
                checked.append(tid)
                if best is None or best[1] < BRANCH_SCORE:
                    unlisted.setdefault(p, []).append((tid, int(line)))
        for p, where in unlisted.items():
            labels = list(dict.fromkeys(_label(src, t) for t, _ in where))
            tables = ", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else labels[0]
            text = (
                f"{tables} print{'s' if len(labels) == 1 else ''} a row for the {p} branch, "
                f"but {_label(src, did)} "
                f"lists no such branch office: its {len(listed)} Phnom Penh branches are "
                f"{', '.join(listed)}. The annex counts {len(listed) + 1} branches where the "
                f"list has {len(listed)}."
            )
            out.append(
                record(
                    rule="list_count",
                    check=f"list_count:branch:{did}",
                    table_id=where[0][0],
                    location=p,
                    line=where[0][1],
                    printed=f"a row for {p}",
                    expected=f"a branch of {_label(src, did)}",
                    ref_table=did,
                    ref_line=int(blist["line"].astype(int).min()),
                    ref_location="; ".join(f"{_label(src, t)} line {ln}" for t, ln in where),
                    status="inconsistency",
                    tables=" ".join(dict.fromkeys([*(t for t, _ in where), did])),
                    text=text,
                    detail=f"branch {p}",
                )
            )
        if checked and not unlisted:
            out.append(
                record(
                    rule="list_count",
                    check=f"list_count:branch:{did}",
                    table_id=did,
                    detail="branches",
                )
            )
    return out


# --------------------------------------------------------------------------------------
# Names across the directories
# --------------------------------------------------------------------------------------


def _facility_dirs(src) -> list[str]:
    return [d for d, f in src.directories.items() if {"province", "name"} <= set(f.columns)]


def name_checks(src) -> list[dict]:
    """Compare the names of the facility directories, and of annex rows and branches.

    For every entry of a later directory, the closest name of the same province in the
    first directory is found with :func:`rapidfuzz.process.extractOne` (token sort
    ratio on lower-cased names).  A score of :data:`SPELLING_SCORE` or more without the
    same spelling is one facility spelled twice (unless the names carry different
    numbers); a facility found in both with another ownership or kind is typed twice.
    A province heading spelled differently, a name (other than a health centre) listed
    in two provinces of one directory, and an annex row spelling a branch otherwise than
    the branch list are findings too.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit.

    Returns
    -------
    list of dict
        One record per entry compared, heading pair and name.
    """
    dirs = _facility_dirs(src)
    out = []
    if len(dirs) >= 2:
        first = src.directories[dirs[0]]
        by_prov = {p: records(g) for p, g in first.groupby("province", sort=False)}
        for did in dirs[1:]:
            out += _across(src, dirs[0], did, by_prov)
            out += _headings(src, dirs[0], did)
    for did in dirs:
        out += _cross_province(src, did)
    out += _branch_spelling(src)
    out += _addresses(src)
    return out


#: Where an address names the province or Phnom Penh khan it lies in.
_ADDRESS_PLACE = (
    re.compile(r"([A-Z][A-Za-z ]+?) Province\b"),
    re.compile(r"\bKhan ([A-Z][A-Za-z ]+?)(?:,|$)"),
)


def _addresses(src) -> list[dict]:
    """Check that each branch office's address lies in the province or khan it is listed under."""
    out = []
    for did, blist in _branch_lists(src).items():
        if "address" not in blist.columns:
            continue
        for _, r in blist.iterrows():
            places = [m for rx in _ADDRESS_PLACE for m in rx.findall(r["address"])]
            base = dict(
                rule="directory_names",
                check="directory_names:address",
                table_id=did,
                line=int(r["line"]),
                detail=f"address {r['line']}",
            )
            if not places:
                continue
            place = places[-1].strip()
            score = fuzz.token_sort_ratio(
                utils.default_process(place), utils.default_process(r["branch"])
            )
            if score >= BRANCH_SCORE:
                out.append(record(**base))
                continue
            office = f" ({r['office']})" if r.get("office") else ""
            out.append(
                record(
                    location=f"{r['branch']}{office}",
                    printed=place,
                    expected=r["branch"],
                    computed=round(float(score), 1),
                    ref_table=did,
                    ref_line=int(r["line"]),
                    ref_location=r["address"],
                    status="structural",
                    text=(
                        f"{_label(src, did)} lists a branch office{office} under {r['branch']}, "
                        f'but its address lies in {place}: "{r["address"]}". The office is '
                        f"listed under one place and located in another."
                    ),
                    **base,
                )
            )
    return out


def _pair(did: str, entry, aid: str, other, **fields) -> dict:
    """Return the fields of a ``directory_names`` record comparing two entries' lines."""
    return dict(
        rule="directory_names",
        table_id=did,
        line=int(entry["line"]),
        ref_table=aid,
        ref_line=int(other["line"]),
        **fields,
    )


def _across(src, aid, did, by_prov) -> list[dict]:
    out = []
    d = src.directories[did]
    names = {p: [e["name"] for e in grp] for p, grp in by_prov.items()}
    for r in records(d):
        grp = by_prov.get(r["province"])
        if grp is None:
            continue
        best = process.extractOne(
            r["name"],
            names[r["province"]],
            scorer=fuzz.token_sort_ratio,
            processor=utils.default_process,
        )
        if best is None:
            continue
        other = grp[best[2]]
        base = _pair(did, r, aid, other, detail=f"{r['province']} {r['line']} {other['line']}")
        same = _norm(other["name"]) == _norm(r["name"])
        if not same and (
            best[1] < SPELLING_SCORE or _numerals(r["name"]) != _numerals(other["name"])
        ):
            continue
        k1, k2 = kind_of(r["ownership"], r["name"]), kind_of(other["ownership"], other["name"])
        if not same:
            out.append(
                record(
                    check="directory_names:spelling",
                    location=f"{r['province']}: {r['name']}",
                    printed=r["name"],
                    expected=other["name"],
                    computed=round(float(best[1]), 1),
                    ref_location=f"{r['province']}: {other['name']}",
                    status="structural",
                    text=(
                        f'{_label(src, did)} lists "{r["name"]}" ({r["province"]}, '
                        f"{r['ownership']} no. {r['no']}) where {_label(src, aid)} lists "
                        f'"{other["name"]}" ({other["ownership"]} no. {other["no"]}): the same '
                        f"facility spelled two ways (similarity {best[1]:.0f} of 100). One "
                        f"spelling should be used in both lists."
                    ),
                    **base,
                )
            )
        if r["ownership"] != other["ownership"] or k1 != k2:
            out.append(
                record(
                    check="directory_names:type",
                    location=f"{r['province']}: {r['name']}",
                    printed=f"{r['ownership']} {k1 or ''}".strip(),
                    expected=f"{other['ownership']} {k2 or ''}".strip(),
                    ref_location=f"{r['province']}: {other['name']}",
                    status="inconsistency",
                    text=(
                        f'{_label(src, did)} lists "{r["name"]}" ({r["province"]}, no. '
                        f"{r['no']}) among the {r['ownership']} facilities, while "
                        f"{_label(src, aid)} (no. {other['no']}) lists it among the "
                        f"{other['ownership']} facilities"
                        + (f" as {(k2 or '').replace('_', ' ')}" if k1 != k2 else "")
                        + ". One facility has one type."
                    ),
                    **base,
                )
            )
        if same and r["ownership"] == other["ownership"] and k1 == k2:
            out.append(record(check="directory_names:spelling", **base))
    return out


def _headings(src, aid, did) -> list[dict]:
    a = src.directories[aid].drop_duplicates("province_no").set_index("province_no")
    d = src.directories[did].drop_duplicates("province_no").set_index("province_no")
    out = []
    for no, r in d.iterrows():
        if no not in a.index:
            continue
        o = a.loc[no]
        base = _pair(did, r, aid, o, check="directory_names:heading", detail=f"heading {no}")
        if _norm(r["province_heading"]) == _norm(o["province_heading"]):
            out.append(record(**base))
            continue
        score = fuzz.ratio(_norm(r["province_heading"]), _norm(o["province_heading"]))
        out.append(
            record(
                location=f"heading {no}",
                printed=r["province_heading"],
                expected=o["province_heading"],
                computed=round(float(score), 1),
                status="structural",
                text=(
                    f"{_label(src, did)} heads its province list number {no} "
                    f'"{r["province_heading"]}" where {_label(src, aid)} heads the same list '
                    f'"{o["province_heading"]}" (similarity {score:.0f} of 100): one province '
                    f"spelled two ways."
                ),
                **base,
            )
        )
    return out


def _cross_province(src, did) -> list[dict]:
    d = src.directories[did]
    d = d.assign(key=d["name"].map(_norm))
    kinds = [kind_of(o, n) for o, n in zip(d["ownership"], d["name"], strict=True)]
    d = d[[k != "health_centers" for k in kinds]]
    out = []
    by_key = d.groupby("key", sort=False)
    spread = by_key["province"].nunique()
    for key in spread.index[spread >= 2]:
        rows = by_key.get_group(key).sort_values("line")
        where = "; ".join(
            f"{p} (no. {n})" for p, n in zip(rows["province"], rows["no"], strict=True)
        )
        out.append(
            record(
                rule="directory_names",
                check="directory_names:duplicate",
                table_id=did,
                location=f"{rows.iloc[0]['name']}",
                line=int(rows.iloc[0]["line"]),
                printed=rows.iloc[0]["name"],
                expected="one province",
                ref_table=did,
                ref_line=int(rows.iloc[1]["line"]),
                ref_location="lines " + ", ".join(rows["line"].astype(str)),
                status="structural",
                text=(
                    f'{_label(src, did)} lists "{rows.iloc[0]["name"]}" in '
                    f"{rows['province'].nunique()} provinces: {where}. A facility other than a "
                    f"commune health centre stands in one province; one entry is repeated."
                ),
                detail=f"duplicate {key}",
            )
        )
    if not out:
        out.append(
            record(
                rule="directory_names",
                check="directory_names:duplicate",
                table_id=did,
                detail="duplicate",
            )
        )
    return out


def _branch_spelling(src) -> list[dict]:
    provinces = _provinces(src)
    out = []
    for did, blist in _branch_lists(src).items():
        names = list(dict.fromkeys(blist["branch"]))
        spelled: dict = {}
        for tid in src.raw:
            c = src.cells[tid]
            if "province" not in c.columns:
                continue
            for p, line in _province_rows(src, tid):
                if p in provinces or p in _NOT_BRANCH or p in names:
                    continue
                best = process.extractOne(
                    p, names, scorer=fuzz.token_sort_ratio, processor=utils.default_process
                )
                if best and best[1] >= BRANCH_SCORE:
                    spelled.setdefault((p, best[0], round(best[1])), []).append((tid, int(line)))
        for (p, name, score), where in spelled.items():
            line = int(blist[blist["branch"] == name]["line"].astype(int).min())
            tables = ", ".join(dict.fromkeys(_label(src, t) for t, _ in where))
            out.append(
                record(
                    rule="directory_names",
                    check="directory_names:branch",
                    table_id=where[0][0],
                    location=p,
                    line=where[0][1],
                    printed=p,
                    expected=name,
                    computed=float(score),
                    ref_table=did,
                    ref_line=line,
                    ref_location="; ".join(f"{_label(src, t)} line {ln}" for t, ln in where)
                    + f"; {_label(src, did)} line {line}",
                    tables=" ".join(dict.fromkeys([*(t for t, _ in where), did])),
                    status="structural",
                    text=(
                        f'The annex tables spell the branch "{p}" ({tables}) where '
                        f'{_label(src, did)} spells it "{name}" (similarity {score} of 100): '
                        f"one branch spelled two ways."
                    ),
                    detail=f"branch {p}",
                )
            )
    return out


# --------------------------------------------------------------------------------------
# The source text itself
# --------------------------------------------------------------------------------------

#: Lines of a directory that are headings or headers, not entries.
_HEADING_RE = re.compile(r"^(\d+)\.\s+([A-Z][A-Z .'-]+)$")
_LEGIT_RE = re.compile(
    r"^(?:Public|Private) Health Facilities$|^No\.|^Address and Phone Numbers|^\d+\.\d+\.\d+\. "
)


def _seed_lines(src) -> list[str] | None:
    meta = catalog_mod.report_metadata()
    path = paths.seeds_dir() / meta["seed"] if meta.get("seed") else None
    if path is None or not path.exists():
        try:
            path = report_text.seed_file(src.report_year)
        except NSSFError:
            return None
    return read_lines(path)


def source_checks(src) -> list[dict]:
    """Find lines of the report text that are conversion debris, and headings out of order.

    Within each directory and table (from its first to its last extracted line), a
    non-blank line that is no extracted entry and no heading or header is debris: a
    separator row of dashes or a stray line.  All debris of one directory or table is
    one finding, naming every line.  The numbered province headings of a directory must
    run on from the number of its first list (1, 2, 3, ...) in the order printed.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit; the report text is read from the seed the
        metadata names.

    Returns
    -------
    list of dict
        One record per directory or table and rule.
    """
    lines = _seed_lines(src)
    if lines is None:
        return []
    out = []
    frames = {**{t: src.raw[t] for t in src.raw}, **src.directories}
    for tid, frame in frames.items():
        used = set(frame["line"].astype(int))
        if not used:
            continue
        lo, hi = min(used), max(used)
        debris = []
        headings = []
        for n in range(lo, hi + 1):
            text = lines[n - 1].strip() if n - 1 < len(lines) else ""
            if n in used or not text:
                continue
            m = _HEADING_RE.match(text)
            if m:
                headings.append((n, int(m.group(1)), m.group(2)))
                continue
            if _LEGIT_RE.match(text):
                continue
            kind = "separator" if is_artefact(line_cells(lines[n - 1])) else "stray"
            debris.append((n, kind, text))
        out.append(_debris(src, tid, debris, lo, frame))
        if tid in src.directories and "province_no" in frame.columns:
            first = frame.sort_values("line", key=lambda c: c.astype(int)).iloc[0]
            out.append(_sequence(src, tid, headings, lo, int(first["province_no"])))
    return out


def _after(frame, n: int) -> str:
    """Return the list the entry printed last before report line ``n`` belongs to."""
    if "province" not in frame.columns:
        return ""
    before = frame[frame["line"].astype(int) < n]
    if before.empty:
        return ""
    last = before.loc[before["line"].astype(int).idxmax()]
    own = f" {last['ownership']}" if "ownership" in frame.columns else ""
    return f"after the{own} list of {last['province']}"


def _debris(src, tid, debris, lo, frame) -> dict:
    base = dict(rule="source_text", check="source_text:debris", table_id=tid, detail="debris")
    if not debris:
        return record(line=lo, **base)
    seps = [n for n, k, _ in debris if k == "separator"]
    stray = [(n, t) for n, k, t in debris if k == "stray"]
    parts = []
    if seps:
        where = [w for w in (_after(frame, n) for n in seps) if w]
        parts.append(
            f"{len(seps)} separator rows of dashes" + (f" ({'; '.join(where)})" if where else "")
        )
    if stray:
        parts.append(
            f"{len(stray)} stray lines (" + "; ".join(f'"{t[:40]}"' for _, t in stray[:5]) + ")"
        )
    text = (
        f"The report text of {_label(src, tid)} holds "
        + " and ".join(parts)
        + " between its entries: rows left over from converting the report, which are "
        "neither entries nor headings and are left out of the data."
    )
    return record(
        location=f"{_label(src, tid)} text",
        line=debris[0][0],
        printed=debris[0][2][:40],
        expected="entries and headings only",
        difference=float(len(debris)),
        ref_location="lines " + ", ".join(str(n) for n, _, _ in debris),
        status="structural",
        text=text,
        **base,
    )


def _sequence(src, tid, headings, lo, start) -> dict:
    base = dict(rule="source_text", check="source_text:headings", table_id=tid, detail="headings")
    bad = [
        (n, no, name, start + i + 1)
        for i, (n, no, name) in enumerate(headings)
        if no != start + i + 1
    ]
    if not bad:
        return record(line=lo, **base)
    n, no, name, want = bad[0]
    text = (
        f'{_label(src, tid)} numbers its province heading "{no}. {name}" where '
        f"the sequence of its headings calls for number {want}"
        + (
            "; likewise " + ", ".join(f"{b[2]} ({b[1]} for {b[3]})" for b in bad[1:])
            if len(bad) > 1
            else ""
        )
        + "."
    )
    return record(
        location=f"{_label(src, tid)}: heading {no}",
        line=n,
        printed=f"{no}. {name}",
        expected=f"number {want}",
        difference=float(no - want),
        ref_location="lines " + ", ".join(str(b[0]) for b in bad),
        status="structural",
        text=text,
        **base,
    )


def checks(src) -> list[dict]:
    """Run the families of this module (counts, branches, names, source text) on ``src``."""
    return facility_count_checks(src) + branch_checks(src) + name_checks(src) + source_checks(src)
