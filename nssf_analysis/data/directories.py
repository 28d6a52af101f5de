"""Parse the annex directories of the report (annexes 6.6.1, 6.6.2 and 6.6.3).

* ``a6_6_1``: health facilities that signed the agreement with NSSF in the
  health care scheme;
* ``a6_6_2``: the same in the occupational risk scheme;
* ``a6_6_3``: addresses and phone numbers of the NSSF branch offices.

The two facility directories share one layout and one parser: tab-separated
lines holding two entries each (``No.<TAB>Name<TAB>No.<TAB>Name``, the right
half sometimes empty), grouped under province headings (``2. KANDAL PROVINCE``)
and ownership sub-headings (``Public Health Facilities``, ``Private Health
Facilities``). The left column is numbered 1..k and the right column k+1..n, so
entries are ordered by their printed number within each (province, ownership)
list.

Every line of a section must be recognised: blank lines, column headers and
``---`` artefacts are skipped; anything else raises
:class:`~nssf_analysis.exceptions.ExtractionError` naming the report line, the
table id and the offending text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from nssf_analysis.exceptions import ExtractionError

__all__ = ["PROVINCE_NAMES", "extract_directories", "is_artefact", "line_cells"]

#: Province heading as printed in annexes 6.6.1/6.6.2 (number removed) -> normalized
#: province name, spelled as in the annex province tables. Annex 6.6.1 prints
#: ``BANTEAY MEANCHEY PROVINCE``; annex 6.6.2 prints the typo ``BANTEAY MEANCHHEY``.
PROVINCE_NAMES: dict[str, str] = {
    "PHNOM PENH": "Phnom Penh",
    "KANDAL PROVINCE": "Kandal",
    "KEP PROVINCE": "Kep",
    "KOH KONG PROVINCE": "Koh Kong",
    "KRATIE PROVINCE": "Kratie",
    "KAMPONG CHAM PROVINCE": "Kampong Cham",
    "KAMPONG CHHNANG PROVINCE": "Kampong Chhnang",
    "KAMPONG THOM PROVINCE": "Kampong Thom",
    "KAMPONG SPEU PROVINCE": "Kampong Speu",
    "KAMPOT PROVINCE": "Kampot",
    "TAKEO PROVINCE": "Takeo",
    "TBOUNG KHMUM PROVINCE": "Tboung Khmum",
    "BANTEAY MEANCHHEY PROVINCE": "Banteay Meanchey",
    "BANTEAY MEANCHEY PROVINCE": "Banteay Meanchey",
    "PAILIN PROVINCE": "Pailin",
    "BATTAMBANG PROVINCE": "Battambang",
    "PURSAT PROVINCE": "Pursat",
    "PREY VENG PROVINCE": "Prey Veng",
    "PREAH VIHEAR PROVINCE": "Preah Vihear",
    "PREAH SIHANOUK PROVINCE": "Preah Sihanouk",
    "MONDUL KIRI PROVINCE": "Mondul Kiri",
    "RATANAK KIRI PROVINCE": "Ratanak Kiri",
    "SIEM REAP PROVINCE": "Siem Reap",
    "STUNG TRENG PROVINCE": "Stung Treng",
    "SVAY RIENG PROVINCE": "Svay Rieng",
    "OTDAR MEANCHEY PROVINCE": "Otdar Meanchey",
}

FACILITY_COLUMNS = [
    "province_no",
    "province_heading",
    "province",
    "ownership",
    "no",
    "name",
    "line",
]
BRANCH_COLUMNS = [
    "group",
    "no",
    "branch",
    "office",
    "address",
    "mobile_numbers",
    "landline_numbers",
    "line",
]

_HEADING_661 = (
    "6.6.1. Health Facilities Signed the Agreement with the National Social Security Fund "
    "in Health Care Scheme"
)
_HEADING_662 = (
    "6.6.2. Health Facilities Signed the Agreement with the National Social Security Fund "
    "in Occupational Risk Scheme"
)
_HEADING_663 = "6.6.3. Branch Offices of the National Social Security Fund"
_END_663 = "HOTLINE"

_OWNERSHIP_HEADINGS = {
    "Public Health Facilities": "public",
    "Private Health Facilities": "private",
}
_FACILITY_HEADER = ["No.", "Name of Health Facilities", "No.", "Name of Health Facilities"]

_BRANCH_GROUP_TITLES = {
    "Address and Phone Numbers for Contacting the NSSF Provincial Branches": "provincial",
    "Address and Phone Numbers for Contacting the NSSF Khan Branches in Phnom Penh": "phnom_penh",
}
_BRANCH_HEADERS = {
    "provincial": [
        "No.",
        "NSSF Provincial Branches",
        "Address",
        "Mobile Numbers",
        "Landline Numbers",
    ],
    "phnom_penh": [
        "No.",
        "NSSF Phnom Penh Branches",
        "Address",
        "Mobile Numbers",
        "Landline Numbers",
    ],
}

#: A printed entry number, or a group of digits of a phone number.
_NUMBER_RE = re.compile(r"\d+")
_PROVINCE_HEADING_RE = re.compile(r"(\d+)\.\s+(\S.*)")
_ARTEFACT_CELL_RE = re.compile(r"-+")
_OFFICE_RE = re.compile(r"\(([^()]*Branch Office)\)$")


@dataclass(frozen=True)
class _Section:
    """Span of report lines holding one directory (0-based, ``end`` exclusive)."""

    table_id: str
    start: int  # index of the line after the heading
    end: int  # index of the end marker


def _error(table_id: str, index: int, reason: str, text: str) -> ExtractionError:
    """Build an ExtractionError naming the 1-based report line, table and text."""
    return ExtractionError(f"{table_id}: report line {index + 1}: {reason}: {text!r}")


def line_cells(line: str) -> list[str]:
    """Split a line on tabs, strip every cell and drop trailing empty cells."""
    cells = [cell.strip() for cell in line.split("\t")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def is_artefact(cells: list[str]) -> bool:
    """Return True for ``---<TAB>----...`` lines left over from table borders."""
    non_empty = [cell for cell in cells if cell]
    return bool(non_empty) and all(_ARTEFACT_CELL_RE.fullmatch(cell) for cell in non_empty)


def _find_line(lines: list[str], text: str, table_id: str, start: int = 0) -> int:
    """Return the index of the only line at or after ``start`` whose stripped text is ``text``."""
    hits = [i for i in range(start, len(lines)) if lines[i].strip() == text]
    if len(hits) != 1:
        raise ExtractionError(
            f"{table_id}: expected exactly one line {text!r} after report line {start}, "
            f"found {len(hits)} (at report lines {[i + 1 for i in hits]})"
        )
    return hits[0]


def _locate_sections(lines: list[str]) -> list[_Section]:
    """Find the annex headings of 6.6.1, 6.6.2, 6.6.3 and the closing ``HOTLINE`` line."""
    i1 = _find_line(lines, _HEADING_661, "a6_6_1")
    i2 = _find_line(lines, _HEADING_662, "a6_6_2")
    i3 = _find_line(lines, _HEADING_663, "a6_6_3")
    if not i1 < i2 < i3:
        raise ExtractionError(
            f"annex 6.6: headings out of order at report lines {i1 + 1}, {i2 + 1}, {i3 + 1}"
        )
    hotline = [i for i in range(i3 + 1, len(lines)) if lines[i].strip() == _END_663]
    if not hotline:
        raise ExtractionError(
            f"a6_6_3: no line {_END_663!r} after the heading at report line {i3 + 1}"
        )
    return [
        _Section("a6_6_1", i1 + 1, i2),
        _Section("a6_6_2", i2 + 1, i3),
        _Section("a6_6_3", i3 + 1, hotline[0]),
    ]


def _parse_facilities(lines: list[str], section: _Section) -> pd.DataFrame:
    """Parse one health-facility directory (annex 6.6.1 or 6.6.2).

    Parameters
    ----------
    lines : list of str
        All lines of the report, without newline characters.
    section : _Section
        The span of lines to parse and the table id used in error messages.

    Returns
    -------
    pandas.DataFrame
        One row per facility with columns :data:`FACILITY_COLUMNS`, ordered by
        province (as printed), ownership (as printed) and printed number.

    Raises
    ------
    ExtractionError
        On an unknown province heading, an unexpected line, an entry outside a
        (province, ownership) list, a repeated province or ownership heading, or
        a printed number repeated within one list.
    """
    table_id = section.table_id
    province: tuple[str, str, str] | None = None  # (province_no, heading, normalized)
    ownership: str | None = None
    seen_provinces: set[str] = set()
    seen_ownerships: set[str] = set()
    seen_numbers: set[int] = set()
    block = -1
    records: list[tuple[int, int, dict[str, object]]] = []

    for index in range(section.start, section.end):
        line = lines[index]
        cells = line_cells(line)
        if not cells or is_artefact(cells) or cells == _FACILITY_HEADER:
            continue

        if len(cells) == 1 and (match := _PROVINCE_HEADING_RE.fullmatch(cells[0])):
            heading = match.group(2).strip()
            if heading not in PROVINCE_NAMES:
                raise _error(table_id, index, "unknown province heading", line)
            name = PROVINCE_NAMES[heading]
            if name in seen_provinces:
                raise _error(table_id, index, f"province {name!r} listed twice", line)
            seen_provinces.add(name)
            province = (match.group(1), heading, name)
            ownership = None
            seen_ownerships = set()
            continue

        if len(cells) == 1 and cells[0] in _OWNERSHIP_HEADINGS:
            if province is None:
                raise _error(table_id, index, "ownership heading before any province", line)
            ownership = _OWNERSHIP_HEADINGS[cells[0]]
            if ownership in seen_ownerships:
                raise _error(table_id, index, "ownership heading repeated in province", line)
            seen_ownerships.add(ownership)
            seen_numbers = set()
            block += 1
            continue

        if len(cells) not in (2, 4) or any(not cell for cell in cells):
            raise _error(table_id, index, "unexpected line", line)
        pairs = [(cells[0], cells[1])] + ([(cells[2], cells[3])] if len(cells) == 4 else [])
        if not all(_NUMBER_RE.fullmatch(no) for no, _ in pairs):
            raise _error(table_id, index, "unexpected line", line)
        if province is None or ownership is None:
            raise _error(table_id, index, "entry outside a province/ownership list", line)
        for no, name in pairs:
            number = int(no)
            if number in seen_numbers:
                raise _error(table_id, index, f"number {no} repeated in the same list", line)
            seen_numbers.add(number)
            record = {
                "province_no": province[0],
                "province_heading": province[1],
                "province": province[2],
                "ownership": ownership,
                "no": no,
                "name": name,
                "line": index + 1,
            }
            records.append((block, number, record))

    if not records:
        raise ExtractionError(
            f"{table_id}: no entries between report lines {section.start} and {section.end + 1}"
        )
    records.sort(key=lambda item: (item[0], item[1]))
    return _frame([record for _, _, record in records], FACILITY_COLUMNS)


def _split_phones(cell: str, table_id: str, index: int, line: str) -> str:
    """Split a phone cell into numbers of three space-separated groups, joined by ``"; "``.

    Parameters
    ----------
    cell : str
        The cell as printed, e.g. ``"096 615 6168 012 788 711"``; may be empty.
    table_id, index, line
        Context for error messages (``index`` is 0-based).

    Returns
    -------
    str
        e.g. ``"096 615 6168; 012 788 711"``; ``""`` for an empty cell.

    Raises
    ------
    ExtractionError
        If the groups are not digits, not a multiple of three, or a number does
        not start with ``0``.
    """
    groups = cell.split()
    if not all(_NUMBER_RE.fullmatch(group) for group in groups):
        raise _error(table_id, index, f"phone cell {cell!r} holds a non-digit group", line)
    if len(groups) % 3:
        raise _error(
            table_id,
            index,
            f"phone cell {cell!r} has {len(groups)} groups (not 3 per number)",
            line,
        )
    numbers = [" ".join(groups[i : i + 3]) for i in range(0, len(groups), 3)]
    for number in numbers:
        if not number.startswith("0"):
            raise _error(table_id, index, f"phone number {number!r} does not start with 0", line)
    return "; ".join(numbers)


def _parse_branches(lines: list[str], section: _Section) -> pd.DataFrame:
    """Parse the branch-office directory (annex 6.6.3); arguments as :func:`_parse_facilities`.

    Returns
    -------
    pandas.DataFrame
        One row per office, in printed order, with columns :data:`BRANCH_COLUMNS`.

    Raises
    ------
    ExtractionError
        On an unexpected line, a header that does not match its sub-table, a
        continuation line without a branch above it, or a malformed phone cell.
    """
    table_id = section.table_id
    group: str | None = None
    header_seen = False
    branch: tuple[str, str] | None = None  # (no, branch) of the current branch
    records: list[dict[str, object]] = []

    for index in range(section.start, section.end):
        line = lines[index]
        cells = line_cells(line)
        if not cells or is_artefact(cells):
            continue

        if len(cells) == 1 and cells[0] in _BRANCH_GROUP_TITLES:
            group = _BRANCH_GROUP_TITLES[cells[0]]
            header_seen = False
            branch = None
            continue

        if cells[0] == "No.":
            if group is None or header_seen or cells != _BRANCH_HEADERS[group]:
                raise _error(table_id, index, "unexpected column header", line)
            header_seen = True
            continue

        if group is None or not header_seen:
            raise _error(table_id, index, "unexpected line before a sub-table header", line)
        if not 3 <= len(cells) <= 5:
            raise _error(table_id, index, "unexpected line", line)
        no, name, address, mobile, landline = cells + [""] * (5 - len(cells))
        if not address:
            raise _error(table_id, index, "missing address", line)
        if no and name and _NUMBER_RE.fullmatch(no):
            branch = (no, name)
            row_no = no
        elif not no and not name:
            if branch is None:
                raise _error(table_id, index, "continuation line without a branch above", line)
            row_no = ""
        else:
            raise _error(table_id, index, "unexpected line", line)
        office = _OFFICE_RE.search(address)
        records.append(
            {
                "group": group,
                "no": row_no,
                "branch": branch[1],
                "office": office.group(1).strip() if office else "",
                "address": address,
                "mobile_numbers": _split_phones(mobile, table_id, index, line),
                "landline_numbers": _split_phones(landline, table_id, index, line),
                "line": index + 1,
            }
        )

    if not records:
        raise ExtractionError(
            f"{table_id}: no entries between report lines {section.start} and {section.end + 1}"
        )
    return _frame(records, BRANCH_COLUMNS)


def _frame(records: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    """Build a frame with ``columns``: object dtype everywhere, ``line`` as int64."""
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in columns:
        frame[column] = frame[column].astype("int64" if column == "line" else object)
    return frame.reset_index(drop=True)


def extract_directories(lines: list[str]) -> dict[str, pd.DataFrame]:
    """Extract the annex directories 6.6.1, 6.6.2 and 6.6.3 of the report.

    Parameters
    ----------
    lines : list of str
        The report file's lines without newline characters (line ``i + 1`` of
        the file is ``lines[i]``).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``{"a6_6_1": ..., "a6_6_2": ..., "a6_6_3": ...}``. The facility
        directories have columns ``province_no``, ``province_heading``,
        ``province``, ``ownership`` (``"public"``/``"private"``), ``no``,
        ``name`` and ``line``; the branch directory has ``group``
        (``"provincial"``/``"phnom_penh"``), ``no``, ``branch``, ``office``,
        ``address``, ``mobile_numbers``, ``landline_numbers`` and ``line``.
        Every column holds ``str`` (``""`` when empty) except ``line``, the
        1-based report line number (int).

    Raises
    ------
    ExtractionError
        If a heading is missing or the text of a directory does not have the
        expected structure; the message names the report line, the table id
        and the offending text.
    """
    s661, s662, s663 = _locate_sections(lines)
    return {
        "a6_6_1": _parse_facilities(lines, s661),
        "a6_6_2": _parse_facilities(lines, s662),
        "a6_6_3": _parse_branches(lines, s663),
    }
