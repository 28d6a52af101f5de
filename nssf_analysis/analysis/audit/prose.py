"""Audit rules on what the prose attributes: the ``prose_attribution`` family.

* :func:`attribution_checks` — a figure of the fund as a whole that a sentence attributes
  to one scheme (:data:`SCHEME_WORDS`) when it is the total of several schemes;
* :func:`label_checks` — a bracketed label ("N members (M females)") that breaks the
  pattern the prose uses elsewhere.

Both are run by :func:`.relations.checks`; every record has the fields of
:func:`.common.record` and the finding in words (``text``).
"""

from __future__ import annotations

import re
from collections import Counter

from nssf_analysis.analysis.audit.common import figure as _n
from nssf_analysis.analysis.audit.common import half_unit, record

__all__ = ["SCHEME_WORDS", "attribution_checks", "label_checks"]


def _section(section: str) -> str:
    """Return the report's own name of a prose section ("2.HC" is part of section 2)."""
    head = str(section).split(".")[0]
    return f"section {head}" if head.isdigit() else f"section {section}"


#: How the prose names each scheme.
SCHEME_WORDS = {
    "occupational_risk": "Occupational Risk Scheme",
    "health_care": "Health Care Scheme",
    "pension": "Pension Scheme",
}
_NUMBER = r"\d{1,3}(?:, ?\d{3})*(?:\.\d+)?"
_BRACKET_RE = re.compile(rf"({_NUMBER}) ([A-Za-z/]+) \(({_NUMBER}) ([A-Za-z/]+)\)")


def _clause(sentence: str, printed: str) -> str:
    """Return the part of ``sentence`` between the commas around ``printed``."""
    i = sentence.find(printed)
    if i < 0:
        return ""
    start = sentence.rfind(",", 0, i)
    start = 0 if start < 0 else start + 1
    m = re.search(r",\s+(?:and\s+)?[a-z]+ (?:around|approximately|a total)", sentence[i:])
    end = i + m.start() if m else len(sentence)
    return sentence[start:end]


def attribution_checks(src) -> list[dict]:
    """Find prose figures attributed to one scheme that are the total of several.

    A fact of the fund as a whole (``scheme`` "all") whose clause names one scheme
    (:data:`SCHEME_WORDS`) is compared with the same measure of each scheme's own
    headline (the facts of the same section's scheme paragraphs): it must equal the
    named scheme's figure, and is a finding when it equals the sum over several
    schemes instead.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit; the facts hold the prose's figures, their
        schemes, sections and sentences.

    Returns
    -------
    list of dict
        One record per attributed figure.
    """
    facts = src.facts
    out = []
    for _, f in facts[facts["scheme"] == "all"].iterrows():
        clause = _clause(f["sentence"], f["printed"])
        named = [s for s, w in SCHEME_WORDS.items() if w.lower() in clause.lower()]
        if len(named) != 1:
            continue
        peers = facts[
            (
                (facts["section"] == f["section"])
                | facts["section"].str.startswith(f"{f['section']}.")
            )
            & (facts["measure"] == f["measure"])
            & (facts["sex"] == f["sex"])
            & (facts["scheme"] != "all")
            & (facts["line"] != f["line"])
            & (facts["unit"] == f["unit"])
        ]
        by_scheme = {}
        for _, p in peers.iterrows():
            by_scheme.setdefault(p["scheme"], p)
        if named[0] not in by_scheme or len(by_scheme) < 2:
            continue
        own = by_scheme[named[0]]
        total = sum(float(p["value"]) for p in by_scheme.values())
        tol = sum(half_unit(p["printed"]) for p in by_scheme.values())
        tol += half_unit(f["printed"])
        base = dict(
            rule="prose_attribution",
            check="prose_attribution:scheme",
            table_id="facts",
            location=f"{f['fact_id']}: section {f['section']}",
            line=int(f["line"]),
            year=str(f["year"]),
            printed=f["printed"],
            ref_table="facts",
            ref_line=int(own["line"]),
            detail=f["fact_id"],
        )
        value = float(f["value"])
        if abs(value - float(own["value"])) <= tol or abs(value - total) > tol:
            out.append(record(**base))
            continue
        parts = " + ".join(
            f"{p['printed']} ({SCHEME_WORDS.get(s, s)})" for s, p in by_scheme.items()
        )
        text = (
            f"The prose of {_section(f['section'])} attributes {f['printed']} {f['unit']} to the "
            f'{SCHEME_WORDS[named[0]]} ("{clause.strip()}"), but the {SCHEME_WORDS[named[0]]}\'s '
            f"own figure, in the same section, is {own['printed']} {f['unit']}; "
            f"{f['printed']} is the total of the schemes, {parts} = {_n(total)}. "
            f"The sentence names one scheme for the figure of several, "
            f"{_n(value - float(own['value']))} {f['unit']} more than that scheme's own"
        )
        out.append(
            record(
                status="inconsistency",
                expected=f"{own['printed']} {f['unit']} ({SCHEME_WORDS[named[0]]})",
                computed=float(own["value"]),
                difference=value - float(own["value"]),
                ref_location=f"{own['fact_id']}: section {own['section']}",
                text=text + ".",
                **base,
            )
        )
    return out


def label_checks(src) -> list[dict]:
    """Find a bracketed label that breaks the pattern the prose uses elsewhere.

    The prose prints a figure and its female part as ``"N label (M label2)"``.  For each
    label the bracketed label of most of its cases is learned (at least two cases and
    more than any other); a case with another bracketed label is a finding.

    Parameters
    ----------
    src : Sources
        The data files as read by the audit (the sentences of the facts).

    Returns
    -------
    list of dict
        One record per bracketed construction ("N label (M label)") of the prose.
    """
    cases = []
    seen = set()
    for _, f in src.facts.sort_values("line").iterrows():
        if f["line"] in seen:
            continue
        seen.add(f["line"])
        for m in _BRACKET_RE.finditer(f["sentence"]):
            cases.append((int(f["line"]), m.group(0), m.group(2), m.group(4), m.group(3), f))
    learned = {}
    for label in {c[2] for c in cases}:
        counts = Counter(c[3] for c in cases if c[2] == label)
        (top, n), *rest = counts.most_common()
        if n >= 2 and (not rest or n > rest[0][1]):
            learned[label] = (top, n)
    out = []
    for line, text, label, inner, number, f in cases:
        base = dict(
            rule="prose_attribution",
            check="prose_attribution:label",
            table_id="facts",
            location=f"{f['fact_id']}: section {f['section']}",
            line=line,
            year=str(f["year"]),
            printed=text,
            detail=f"label {line} {text}",
        )
        want = learned.get(label)
        if want is None or inner == want[0]:
            out.append(record(**base))
            continue
        others = sorted({c[0] for c in cases if c[2] == label and c[3] == want[0]})
        places = list(
            dict.fromkeys(
                _section(c[5]["section"])
                for c in sorted(cases, key=lambda c: c[0])
                if c[2] == label and c[3] == want[0]
            )
        )
        msg = (
            f'The prose of {_section(f["section"])} prints "{text}": the bracketed {number} is '
            f"labelled {inner}, where the {want[1]} other figures in {label} label their "
            f"bracketed part {want[0]} ({', '.join(places)}). The bracket repeats "
            f"the label of the whole instead of naming its part"
        )
        out.append(
            record(
                status="inconsistency",
                expected=f"{number} {want[0]}",
                ref_table="facts",
                ref_line=others[0],
                ref_location="lines " + ", ".join(str(x) for x in others),
                text=msg + ".",
                **base,
            )
        )
    return out
