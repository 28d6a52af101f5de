"""Numbers stated in the report's prose, as a tidy ``facts`` table.

The tables of the report are extracted elsewhere; this module reads the
*sentences* that state headline figures ("NSSF has registered 20,448
enterprises/establishments consisting of 2,584,706 workers (1,646,397
females).") and turns every number into one row of a long-form table.

The facts are declared once, as data, in ``facts.toml`` beside this module (a new fact
goes there; its header says how), read into :data:`FACT_SPECS`. Each
:class:`FactSpec` names the section heading to search under (e.g. ``"A.1.1"``),
an anchor regular expression that identifies exactly one sentence in that
section, and one :class:`Number` per number the sentence states, in the order
they are printed. A single generic function, :func:`apply_spec`, applies a spec:

1. the section is found by its heading (a line such as ``A.1.1. Registration
   and Contribution``; table-of-contents lines, which carry a tab and a page
   number, are skipped) and runs up to the next heading of any level;
2. the sentences of that section are searched for the anchor, which must match
   exactly one sentence;
3. every number of that sentence is read (bare four-digit years such as
   ``2022`` are skipped: the report prints every count of 1,000 or more with a
   thousands separator), and their count must equal the number of declared
   :class:`Number` entries.

A sentence the edition no longer prints (its heading absent, or no sentence under it
matching the anchor) is not an error: an edition drops a paragraph as it drops a table.
:func:`find_facts` leaves its facts out of the table and lists them as missing
(``data/facts_missing.csv``, :data:`MISSING_COLUMNS`); ``nssf-report extract`` names them
and ``--strict`` fails on them. A sentence that is printed but no longer fits its
declaration (an anchor that matches several sentences, another count of numbers) is a
changed layout and raises :class:`~nssf_analysis.exceptions.ExtractionError` naming the
facts, the section and the declaration to change in ``facts.toml``, so that next year's
report either works unchanged or fails loudly.

The report prints one thousands separator with a stray space, ``(7, 166
times/females)``; a thousands group may therefore be preceded by ``", "``. The
``printed`` column keeps the text as printed and ``value`` holds 7166. For
percentages ``printed`` holds the number without its ``%`` sign (the unit is
``percent``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nssf_analysis.data.catalog import FACTS_MISSING_COLUMNS
from nssf_analysis.data.declarations import read_toml
from nssf_analysis.data.extract import YEAR_RE
from nssf_analysis.data.units import FACT_UNITS
from nssf_analysis.exceptions import ExtractionError

__all__ = [
    "COLUMNS",
    "FACT_SPECS",
    "MISSING_COLUMNS",
    "SCHEMES",
    "SECTORS",
    "SEXES",
    "UNITS",
    "FactNotPrinted",
    "FactSpec",
    "Number",
    "apply_spec",
    "extract_facts",
    "find_facts",
    "find_section",
    "parse_number",
    "split_sentences",
]

#: Columns of the facts table, in order.
COLUMNS = [
    "fact_id",
    "section",
    "scheme",
    "sector",
    "measure",
    "sex",
    "unit",
    "value",
    "printed",
    "sentence",
    "line",
]

#: Columns of ``data/facts_missing.csv``: one row per declared fact the edition does not
#: print, with the heading and the anchor its sentence was looked for by, and ``reason``
#: (declared with the file's reader, :mod:`nssf_analysis.data.catalog`).
MISSING_COLUMNS = FACTS_MISSING_COLUMNS

#: Controlled vocabulary of the ``unit`` column (declared in :mod:`nssf_analysis.data.units`).
UNITS = FACT_UNITS

#: Allowed values of the ``scheme`` column.
SCHEMES = frozenset(
    {"occupational_risk", "health_care", "pension", "informal", "institutional", "all"}
)

#: Allowed values of the ``sector`` column.
SECTORS = frozenset({"private", "public", "all", "informal"})

#: Allowed values of the ``sex`` column.
SEXES = frozenset({"total", "female"})

# A heading line: "2. ANNUAL ACHIEVEMENTS", "A. STRENGTHENING ...", "A.1.1. Registration ...",
# "E.5.1 Working Group ..." (sic, no final dot). Headings never contain a tab; the
# table-of-contents lines and table rows do.
_HEADING_RE = re.compile(r"^(?:[A-Z]|\d{1,2})\.(?:\d+\.?)*\s+\S")

# A number as printed: "21,430", "740,480.76", "94.99", "7, 166" (stray space after the
# comma). It may not continue a word, a number or a code ("CPA2", "COVID-19", "SD/A").
_NUMBER_RE = re.compile(r"(?<![\w,.\-/])(?:\d{1,3}(?:, ?\d{3})+|\d+)(?:\.\d+)?(?![\d\w])")

# Sentence boundary: end punctuation followed by white space and a capital letter.
# "No. 713" is not split (a digit follows); ";" is not a boundary.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


@dataclass(frozen=True)
class Number:
    """One number that a sentence states, and what it means.

    Parameters
    ----------
    fact_id : str
        Stable snake_case identifier, unique across :data:`FACT_SPECS`.
    measure : str
        What is counted, snake_case (e.g. ``"members"``).
    unit : str
        One of :data:`UNITS`.
    sex : str
        ``"total"`` or ``"female"``.
    scheme : str or None
        Overrides the spec's scheme for this number only (e.g. the victims of the
        section 2 headline belong to the occupational risk scheme).
    """

    fact_id: str
    measure: str
    unit: str
    sex: str = "total"
    scheme: str | None = None


@dataclass(frozen=True)
class FactSpec:
    """A sentence of the prose and the numbers it states.

    Parameters
    ----------
    section : str
        Label written to the ``section`` column (e.g. ``"2.OR"``, ``"A.1.1"``).
    heading : str
        Code of the heading the sentence is under (e.g. ``"2"``, ``"A.1.1"``).
    anchor : str
        Regular expression that matches exactly one sentence of the section.
    scheme : str
        One of :data:`SCHEMES`.
    sector : str
        One of :data:`SECTORS`.
    numbers : tuple of Number
        The numbers of the sentence, in printed order (years excluded).
    """

    section: str
    heading: str
    anchor: str
    scheme: str
    sector: str
    numbers: tuple[Number, ...] = field(default_factory=tuple)

    @property
    def fact_ids(self) -> list[str]:
        """Return the fact ids of the spec, in printed order."""
        return [n.fact_id for n in self.numbers]

    def describe(self) -> str:
        """Return a short text naming the spec's facts and section, for error messages."""
        return f"fact {', '.join(self.fact_ids)} (section {self.section})"


#: The declarations' file, beside this module.
FACTS_PATH = Path(__file__).with_name("facts.toml")
#: The same, as named in an error (from the project's root).
_DECLARED = FACTS_PATH.relative_to(Path(__file__).parents[2]).as_posix()


class FactNotPrinted(ExtractionError):
    """The edition does not print a declared sentence: its heading or its anchor is absent.

    :func:`apply_spec` raises it; :func:`find_facts` reports the facts as missing instead.

    Attributes
    ----------
    spec : FactSpec
        The sentence not printed.
    reason : str
        ``"heading not printed"`` or ``"sentence not printed"``.
    """

    def __init__(self, message: str, spec: FactSpec, reason: str):
        super().__init__(message)
        self.spec = spec
        self.reason = reason


def _text(path: Path, where: str, entry: dict, key: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str):
        raise ExtractionError(f"{path}: {where}: {key!r} is missing or not text")
    return value


def load_fact_specs(path: Path = FACTS_PATH) -> tuple[FactSpec, ...]:
    """Read the fact declarations (``facts.toml``), in reading order.

    Parameters
    ----------
    path : Path
        The file (default :data:`FACTS_PATH`).

    Raises
    ------
    ExtractionError
        Naming the file and the entry at fault: not TOML, a sentence or a number
        without one of its keys, or a key that is not text.
    """
    doc = read_toml(path, ExtractionError)
    specs = []
    for i, entry in enumerate(doc.get("sentence", []), start=1):
        where = f"sentence {i}"
        section = _text(path, where, entry, "section")
        where = f"sentence {i} (section {section})"
        numbers = []
        for j, num in enumerate(entry.get("numbers", []), start=1):
            at = f"{where}, number {j}"
            measure, unit = _text(path, at, num, "measure"), _text(path, at, num, "unit")
            scheme = num.get("scheme")
            if "pair" in num:  # printed "N ... (M females)"
                stem = _text(path, at, num, "pair")
                numbers += [
                    Number(f"{stem}_total", measure, unit, "total", scheme),
                    Number(f"{stem}_female", measure, unit, "female", scheme),
                ]
            else:
                sex = _text(path, at, num, "sex", "total")
                numbers.append(Number(_text(path, at, num, "id"), measure, unit, sex, scheme))
        if not numbers:
            raise ExtractionError(f"{path}: {where}: no numbers")
        specs.append(
            FactSpec(
                section,
                _text(path, where, entry, "heading", section),
                _text(path, where, entry, "anchor"),
                _text(path, where, entry, "scheme"),
                _text(path, where, entry, "sector"),
                tuple(numbers),
            )
        )
    return tuple(specs)


#: Every fact the prose states, in reading order (declared in ``facts.toml``).
FACT_SPECS: tuple[FactSpec, ...] = load_fact_specs()


def parse_number(printed: str) -> float:
    """Convert a number as printed in the report to a float.

    Parameters
    ----------
    printed : str
        The number as printed, e.g. ``"740,480.76"`` or ``"7, 166"``.

    Returns
    -------
    float
        The value, thousands separators (and a stray space after one) removed.
    """
    return float(printed.replace(",", "").replace(" ", ""))


def split_sentences(text: str) -> list[tuple[int, str]]:
    """Split a line of prose into sentences.

    Parameters
    ----------
    text : str
        One line of the report (a paragraph or a bullet).

    Returns
    -------
    list of (int, str)
        Each sentence with its character offset in ``text``; sentences are not stripped.
    """
    sentences = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        sentences.append((start, text[start : match.start()]))
        start = match.end()
    sentences.append((start, text[start:]))
    return sentences


def _is_heading(line: str) -> bool:
    return "\t" not in line and _HEADING_RE.match(line) is not None


def find_section(lines: Sequence[str], heading: str) -> tuple[int, int] | None:
    """Locate the lines of a section of the report body.

    Parameters
    ----------
    lines : sequence of str
        The report's lines, without newline characters.
    heading : str
        The heading code, e.g. ``"2"``, ``"C"`` or ``"E.5.1"``.

    Returns
    -------
    tuple of (int, int) or None
        0-based ``(start, stop)``: the heading line and the next heading line of any level
        (or ``len(lines)``). ``None`` if no body line carries the heading; table-of-contents
        lines (which contain a tab) are not headings.
    """
    code_re = re.compile(rf"^{re.escape(heading)}\.?(?=\s)")
    for start, line in enumerate(lines):
        if _is_heading(line) and code_re.match(line):
            stop = next(
                (i for i in range(start + 1, len(lines)) if _is_heading(lines[i])), len(lines)
            )
            return start, stop
    return None


def _numbers(sentence: str) -> list[re.Match[str]]:
    """Return the numbers of a sentence; a bare year is context, not a fact."""
    return [m for m in _NUMBER_RE.finditer(sentence) if not YEAR_RE.fullmatch(m.group())]


def apply_spec(lines: Sequence[str], spec: FactSpec) -> list[dict]:
    """Extract the facts of one spec.

    Parameters
    ----------
    lines : sequence of str
        The report's lines, without newline characters.
    spec : FactSpec
        The sentence to find and the numbers it states.

    Returns
    -------
    list of dict
        One record per declared number, with the keys of :data:`COLUMNS` plus ``pos``
        (the character offset of the number in its line, for sorting).

    Raises
    ------
    FactNotPrinted
        If the heading is absent or the anchor matches no sentence: the edition does not
        print the sentence (an :class:`ExtractionError`, which :func:`find_facts` reports).
    ExtractionError
        If the anchor matches several sentences or the sentence states a different count
        of numbers than declared: the declaration in ``facts.toml`` must follow.
    """
    where = spec.describe()
    bounds = find_section(lines, spec.heading)
    if bounds is None:
        raise FactNotPrinted(
            f"{where}: heading {spec.heading!r} not found in the report",
            spec,
            "heading not printed",
        )
    anchor = re.compile(spec.anchor)
    hits = []
    for index in range(*bounds):
        for offset, raw in split_sentences(lines[index]):
            sentence = raw.strip()
            if anchor.search(sentence):
                hits.append((index, offset + len(raw) - len(raw.lstrip()), sentence))
    if not hits:
        raise FactNotPrinted(
            f"{where}: anchor {spec.anchor!r} not found under heading {spec.heading!r} "
            f"(lines {bounds[0] + 1}-{bounds[1]})",
            spec,
            "sentence not printed",
        )
    if len(hits) > 1:
        found = ", ".join(str(index + 1) for index, _, _ in hits)
        raise ExtractionError(
            f"{where}: anchor {spec.anchor!r} matches {len(hits)} sentences under heading "
            f"{spec.heading!r} (lines {found}); it must match exactly one: make the "
            f"sentence's anchor in {_DECLARED} tell them apart"
        )
    index, offset, sentence = hits[0]
    matches = _numbers(sentence)
    if len(matches) != len(spec.numbers):
        printed = [m.group() for m in matches]
        raise ExtractionError(
            f"{where}: expected {len(spec.numbers)} numbers in the sentence on line {index + 1}, "
            f"found {len(matches)}: {printed}; declare the numbers it now prints in {_DECLARED}"
        )
    return [
        {
            "fact_id": number.fact_id,
            "section": spec.section,
            "scheme": number.scheme or spec.scheme,
            "sector": spec.sector,
            "measure": number.measure,
            "sex": number.sex,
            "unit": number.unit,
            "value": parse_number(match.group()),
            "printed": match.group(),
            "sentence": sentence,
            "line": index + 1,
            "pos": offset + match.start(),
        }
        for number, match in zip(spec.numbers, matches, strict=True)
    ]


def _check_specs(specs: Iterable[FactSpec]) -> None:
    """Raise ValueError if the declarations break the vocabulary or repeat a fact id."""
    seen: set[str] = set()
    for spec in specs:
        if spec.scheme not in SCHEMES or spec.sector not in SECTORS:
            raise ValueError(f"{spec.describe()}: bad scheme/sector {spec.scheme}/{spec.sector}")
        for number in spec.numbers:
            if number.fact_id in seen:
                raise ValueError(f"duplicate fact_id {number.fact_id!r}")
            seen.add(number.fact_id)
            if number.unit not in UNITS:
                raise ValueError(f"fact {number.fact_id}: unit {number.unit!r} not in UNITS")
            if number.sex not in SEXES:
                raise ValueError(f"fact {number.fact_id}: sex {number.sex!r} not in SEXES")
            if number.scheme is not None and number.scheme not in SCHEMES:
                raise ValueError(f"fact {number.fact_id}: scheme {number.scheme!r} not in SCHEMES")


def find_facts(lines: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Extract the numbers stated in the report's prose, and name those it does not print.

    Parameters
    ----------
    lines : list of str
        The report file's lines without newline characters (line ``i + 1`` of the
        file is ``lines[i]``).

    Returns
    -------
    (DataFrame, DataFrame)
        The facts: one row per fact of :data:`FACT_SPECS` the edition prints, with the
        columns :data:`COLUMNS` (``fact_id``, ``section``, ``scheme``, ``sector``,
        ``measure``, ``sex``, ``unit``, ``value``, ``printed``, ``sentence``, ``line``),
        sorted by line and then by position in the line. The missing facts: one row per
        fact whose heading or sentence the edition does not print, in declaration order,
        with the columns :data:`MISSING_COLUMNS`.

    Raises
    ------
    ExtractionError
        If a spec's anchor is ambiguous or its sentence states a different count of
        numbers than declared (the message names the fact ids, the section and
        ``facts.toml``), or if the edition prints none of the declared sentences (the
        text is not the report's, or its prose changed throughout).
    """
    _check_specs(FACT_SPECS)
    records, missing, first = [], [], None
    for spec in FACT_SPECS:
        try:
            records += apply_spec(lines, spec)
        except FactNotPrinted as err:
            first = first or err
            missing += [
                {
                    "fact_id": fact_id,
                    "section": spec.section,
                    "heading": spec.heading,
                    "anchor": spec.anchor,
                    "reason": err.reason,
                }
                for fact_id in spec.fact_ids
            ]
    if first is not None and not records:
        raise ExtractionError(
            f"{first}; the text prints none of the {len(FACT_SPECS)} sentences declared in "
            f"{_DECLARED}: it is not the report, or its prose changed throughout"
        )
    frame = pd.DataFrame.from_records(records, columns=[*COLUMNS, "pos"])
    frame = frame.sort_values(["line", "pos"], kind="mergesort").drop(columns="pos")
    frame = frame.reset_index(drop=True)
    frame["value"] = frame["value"].astype(float)
    frame["line"] = frame["line"].astype(int)
    return frame, pd.DataFrame(missing, columns=MISSING_COLUMNS)


def extract_facts(lines: list[str]) -> pd.DataFrame:
    """Return the numbers stated in the report's prose as a tidy table (``facts.csv``).

    The facts of :func:`find_facts`: a fact whose sentence the edition does not print is
    left out (:func:`find_facts` also names it); the parameters, columns and errors are
    those of :func:`find_facts`.
    """
    return find_facts(lines)[0]
