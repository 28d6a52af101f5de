"""The report's own text: its lines, its numbered sections and the text of each.

The report in ``seeds/`` is read here (:func:`read_lines`), by extraction and by the pages
alike.  The pages quote it (a section's paragraphs, the dates its text states); how a page
shows it is :mod:`nssf_analysis.render.prose`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from nssf_analysis import paths
from nssf_analysis.data.cache import data_cache
from nssf_analysis.data.files import read_bytes
from nssf_analysis.exceptions import ExtractionError

__all__ = [
    "has_report",
    "read_lines",
    "report_lines",
    "report_sections",
    "section_lines",
    "seed_file",
    "seed_files",
    "seed_years",
    "title_year",
]

#: The report's title, which names its year (in the first lines of the title page).
TITLE_YEAR_RE = re.compile(r"REPORT ON ANNUAL ACHIEVEMENTS (\d{4})")
#: How many lines of a report make its title page.
TITLE_LINES = 50
#: The largest report text read, in bytes: the 2022 report is 150 kB, so a file of more
#: than 10 MB is not a report (the report pasted many times, a file of another kind).
MAX_REPORT_BYTES = 10 * 2**20

#: A line of the table of contents: the section's code, its title, dots, a tab, a page.
_TOC_LINE = re.compile(r"^((?:[A-E]|\d)(?:\.\d+)*)\.?\s+(.+?)\.*\t\d+\s*$")


def read_lines(path: Path) -> list[str]:
    """Read a report text file as a list of lines without line terminators.

    Parameters
    ----------
    path : Path
        The report text file.

    Raises
    ------
    ExtractionError
        When the file is missing, larger than :data:`MAX_REPORT_BYTES`, or a byte is
        not UTF-8 (naming its line).
    """
    if not Path(path).exists():
        raise ExtractionError(f"{path}: report file not found")
    size = Path(path).stat().st_size
    if size > MAX_REPORT_BYTES:
        raise ExtractionError(
            f"{path}: {size / 2**20:.1f} MB is too large for a report text (at most "
            f"{MAX_REPORT_BYTES // 2**20} MB): is it the report?"
        )
    raw = read_bytes(path)  # an unreadable file is its one-line error
    try:
        return raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ExtractionError(
            f"{path}, line {line}: byte 0x{raw[err.start]:02x} is not UTF-8 text"
        ) from None


def title_year(lines: list[str], path: str = "report") -> int:
    """Return the report year its title page prints ("REPORT ON ANNUAL ACHIEVEMENTS 2022").

    Raises
    ------
    ExtractionError
        When the first :data:`TITLE_LINES` lines print no such title (naming the file).
    """
    for line in lines[:TITLE_LINES]:
        m = TITLE_YEAR_RE.search(line)
        if m:
            return int(m.group(1))
    raise ExtractionError(
        f"{path}: no 'REPORT ON ANNUAL ACHIEVEMENTS <year>' title in lines 1-{TITLE_LINES}"
    )


def seed_files() -> dict[int, Path]:
    """Return every report in ``seeds/`` by the year its own title page gives, oldest first.

    Every ``.txt`` file is read, whatever its name: a report saved as
    ``NSSF_Annual_Report_2023.txt`` is the 2023 report.

    Raises
    ------
    ExtractionError
        When a file's title page names no year, or two files are reports of one year (the
        message names the files).
    """
    folder = paths.seeds_dir()
    listing = tuple(
        (p.name, st.st_mtime_ns, st.st_size)
        for p in sorted(folder.glob("*.txt"))
        for st in (p.stat(),)
    )
    return dict(_seed_files(str(folder), listing))


@lru_cache(maxsize=8)
def _seed_files(folder: str, listing: tuple) -> tuple[tuple[int, Path], ...]:
    """Read the title pages of the files of ``listing`` (names, times, sizes: the key)."""
    found: dict[int, Path] = {}
    for name, _, _ in listing:
        path = Path(folder) / name
        year = title_year(read_lines(path), str(path))
        if year in found:
            raise ExtractionError(
                f"{found[year]} and {path}: both are the {year} report; keep one in seeds/"
            )
        found[year] = path
    return tuple(sorted(found.items()))


def seed_years() -> list[int]:
    """Return the years of the reports in ``seeds/``, oldest first (:func:`seed_files`)."""
    return list(seed_files())


def seed_file(year: int) -> Path:
    """Return the report of ``year`` in ``seeds/`` (:func:`seed_files`).

    Raises
    ------
    ExtractionError
        When ``seeds/`` holds no report of that year (naming the years it holds).
    """
    files = seed_files()
    if year not in files:
        held = ", ".join(map(str, files)) or "none"
        raise ExtractionError(f"{paths.seeds_dir()}: no report of {year} (reports: {held})")
    return files[year]


def has_report(year: int) -> bool:
    """Return whether ``seeds/`` holds the report of ``year``."""
    return year in seed_files()


@data_cache(maxsize=8)
def report_lines(year: int) -> tuple[str, ...]:
    """Return the lines of the report of ``year`` (:func:`read_lines`).

    Parameters
    ----------
    year : int
        The report's year.
    """
    return tuple(read_lines(seed_file(year)))


def report_sections(year: int) -> tuple[tuple[str, str, int], ...]:
    """Return the numbered sections of a report, from its table of contents.

    Parameters
    ----------
    year : int
        The report's year.

    Returns
    -------
    tuple of (code, title, line)
        ``("E.6.4", "Internal Audit", 1290)``: each section's code, its title as the
        contents print it, and the index of its heading in the report's body (-1 when
        the body has no such heading).
    """
    return _sections_of(year)


@data_cache(maxsize=8)
def _sections_of(year: int) -> tuple[tuple[str, str, int], ...]:
    lines = report_lines(year)
    hits = [(i, m) for i, ln in enumerate(lines) if (m := _TOC_LINE.match(ln))]
    toc = hits[:1]
    for i, m in hits[1:]:  # the contents: one block of lines, blank lines aside
        if i - toc[-1][0] > 2:
            break
        toc.append((i, m))
    out, pos = [], toc[-1][0] + 1
    for _, m in toc:
        code, title = m.group(1), m.group(2).strip()
        head = re.compile(rf"^{re.escape(code)}\.?(\s|\*|$)")
        at = next(
            (i for i in range(pos, len(lines)) if head.match(lines[i]) and "\t" not in lines[i]),
            -1,
        )
        if at >= 0:
            pos = at
        out.append((code, title, at))
    return tuple(out)


def section_lines(year: int, code: str) -> list[str]:
    """Return the lines of one section's own text, from after its title to the next heading.

    Parameters
    ----------
    year : int
        The report's year.
    code : str
        A section code of :func:`report_sections` (``"E.1"``, ``"3"`` …).

    Returns
    -------
    list of str
        The lines as printed (tables and captions included); empty when the report's
        body has no heading for the section.
    """
    lines = report_lines(year)
    secs = report_sections(year)
    starts = sorted(at for _, _, at in secs if at >= 0)
    at = {c: a for c, _, a in secs}[code]
    if at < 0:
        return []
    end = next((a for a in starts if a > at), len(lines))
    if code == "5":  # the conclusion ends where the signature begins
        end = next((i for i in range(at, end) if lines[i].startswith("Phnom Penh, ")), end)
    first = re.sub(rf"^{re.escape(code)}\.?\s*", "", lines[at])
    title = {c: t for c, t, _ in secs}[code]
    rest = first[len(title) :] if first.lower().startswith(title.lower()) else ""
    return ([rest] if rest.strip() else []) + list(lines[at + 1 : end])
