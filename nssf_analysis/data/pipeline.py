"""Writing ``data/`` from the seeds: the whole extraction, validated, swapped in whole.

:func:`write_data` runs the data layer (edition match → extract → tidy → checks →
catalog) and is what ``nssf-report extract`` calls.  It writes a complete new folder
beside the old one, validates every file (:func:`validate_data`, which is also
``nssf-report validate``), lists each file's SHA-256 in the manifest ``SHA256SUMS``
(:func:`nssf_analysis.data.files.manifest_text`) and swaps the folder in only then, so a
failed extraction leaves ``data/`` as it was.  The readers
(:mod:`nssf_analysis.data.catalog`) trust a file the manifest lists as it is.

A new file of ``data/`` is written in :func:`_write_all`, read and checked by a ``read_*``
function of :mod:`nssf_analysis.data.catalog`, and validated in :func:`validate_data`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import pandas as pd

from nssf_analysis import paths
from nssf_analysis.data.cache import clear_all
from nssf_analysis.data.catalog import (
    CATALOG_COLUMNS,
    DIRECTORIES,
    FACTS_MISSING,
    check_count,
    read_catalog,
    read_checks,
    read_facts,
    read_facts_missing,
    read_graphics,
    read_metadata,
    read_raw,
    read_tidy,
)
from nssf_analysis.data.directories import extract_directories
from nssf_analysis.data.editions import check_strict, match_edition
from nssf_analysis.data.extract import RawTable, find_graphics, scheme_of, write_csv
from nssf_analysis.data.facts import FACT_SPECS, find_facts
from nssf_analysis.data.files import MANIFEST, manifest_text, read_bytes
from nssf_analysis.data.layout import layout_problem
from nssf_analysis.data.report_text import read_lines, seed_files
from nssf_analysis.data.revisions import (
    naming,
    older_editions,
    revisions_frame,
    with_older_years,
    write_older,
)
from nssf_analysis.data.specs import tidy_spec
from nssf_analysis.data.tidy import build
from nssf_analysis.exceptions import (
    ExtractionInterruptedError,
    NSSFError,
    ValidationError,
    interruptions_held,
)

__all__ = ["COLUMN_DOCS", "validate_data", "write_data"]

#: What each tidy column means (the per-column metadata of every table).
COLUMN_DOCS = {
    "block": ("Block", "", "Block of a table printed in several blocks."),
    "worker_group": ("Worker group", "", "all / formal / informal female workers."),
    "scheme": ("Scheme", "", "Social security scheme the row concerns."),
    "audience": ("Audience", "", "workers or drivers reached by dissemination."),
    "group": ("Member group", "", "Public employees, former civil servants, veterans."),
    "sector": ("Sector", "", "formal / informal sector (all = both)."),
    "no": ("No.", "", "Row number as printed in the report."),
    "province": ("Capital/province", "", "Capital, province or Phnom Penh khan as printed."),
    "business_code": ("Business code", "", "Business code as printed."),
    "business": ("Type of business", "", "Type of business as printed."),
    "item": ("Item", "", "Row label as printed (activity, benefit type, service…)."),
    "office": ("Office", "", "head_offices / provincial_branches (where registered)."),
    "level": ("Level", "", "central / provincial level."),
    "facility_type": ("Facility type", "", "Type of health facility."),
    "injury_type": ("Injury type", "", "workplace / commuting accidents, occupational diseases."),
    "degree": ("Degree", "", "Degree of injury or of permanent disability."),
    "category": ("Category", "", "Category of victims, vehicles or sectors."),
    "status": ("Status", "", "Status of a case or document (new/old, claimed/paid, …)."),
    "month": ("Month", "", "Month of the report year (1-12)."),
    "sex": ("Sex", "", "total (all persons) or female."),
    "period": ("Period", "", "Cumulative period as printed, e.g. 2008-2021."),
    "period_start": ("Period start", "year", "First year of a cumulative period."),
    "year": ("Year", "year", "Year the value refers to (last year of a cumulative period)."),
    "measure": ("Measure", "", "What is counted or summed (snake_case)."),
    "unit": ("Unit", "", "Unit of value, from the controlled vocabulary."),
    "value": ("Value", "see unit", "The number as printed, parsed."),
    "line": ("Report line", "", "Line of the report text the number is printed on."),
    "column": ("Report column", "", "Tab-separated column of that line (1-based)."),
}


def _sha(path: Path) -> str:
    return hashlib.sha256(read_bytes(path)).hexdigest()


# --------------------------------------------------------------------------------------
# Writing data/: a complete new folder, swapped in whole
# --------------------------------------------------------------------------------------


def write_data(out: Path | None = None, progress: bool = False, strict: bool = False) -> dict:
    """Extract every table of the newest report into ``data/`` (raw, tidy, checks, catalog).

    Tables are identified by what they are (:func:`editions.match_edition`); the edition
    summary goes to ``edition.csv`` and tables new in the edition to ``raw/new_<n>.csv``.
    The facts of the prose go to ``facts.csv``; declared facts whose sentence the edition
    does not print, to ``facts_missing.csv`` (named in ``metadata.json``; only when there
    are some).
    With several reports in ``seeds/``, a table's tidy rows hold every year any of them
    prints, each year from the newest edition that prints it; what the newest revises is
    listed in ``revisions.csv`` and older editions' tables as printed go to
    ``editions/<year>/raw``.

    The new data are written to a temporary folder beside ``out`` and validated there
    like ``nssf-report validate`` does, and the manifest ``SHA256SUMS`` is written; only
    then is the folder swapped in for the old one. On any error (or an interruption)
    ``out`` is left exactly as it was and the temporary folder is removed; a read-only
    ``out`` (or folder in it) is refused before anything is written. Ctrl-C or SIGTERM
    during the swap is acted on once it is done (the error then says ``out`` holds the
    new extraction); temporary folders of an extraction that was killed are removed.

    Parameters
    ----------
    out : Path, optional
        Target folder (default :func:`paths.data_dir`).
    progress : bool
        Show a progress bar.
    strict : bool
        Fail, before anything is written, if the edition prints a table the specs do not
        know or lacks a known one or a declared fact.

    Returns
    -------
    dict
        Counts of what was written; ``edition`` is the :class:`editions.Edition` and
        ``facts_missing`` the declared facts the edition does not print (a frame).

    Raises
    ------
    NSSFError
        One line naming the file, table, row and column at fault, or the folder that
        cannot be written (a full disk: the file being written).
    ExtractionInterruptedError
        Ctrl-C or SIGTERM; the message says what ``out`` holds.
    """
    out = Path(os.path.realpath(out if out else paths.data_dir()))
    parent = out.parent
    tmp, swapped = None, False
    try:
        try:
            _check_writable(out)
            parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_temporaries(out)
            with interruptions_held():  # the folder is named as soon as it is made
                tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=parent))
        except OSError as err:  # mkdtemp names the folder it could not make: name its parent
            where = err.filename if err.filename and os.path.lexists(err.filename) else parent
            raise NSSFError(
                f"{where}: cannot write a new data folder here ({err.strerror or err}); "
                f"{out} is unchanged"
            ) from None
        try:
            info = _write_all(tmp, progress, strict)
            try:
                validate_data(tmp)
            except ValidationError as err:  # name the file as it would be in out
                raise ValidationError(
                    err.rule,
                    err.file.replace(str(tmp), str(out), 1),
                    err.row,
                    err.column,
                    f"{err.detail} (in the new extraction; {out} is unchanged)",
                ) from None
            (tmp / MANIFEST).write_text(manifest_text(tmp), encoding="utf-8")
            with interruptions_held():  # Ctrl-C comes after the swap, not in the middle of it
                swapped = _swap_in(tmp, out)
                clear_all()
        except OSError as err:
            if swapped:
                raise
            name = str(err.filename or out).replace(str(tmp), str(out), 1)
            raise NSSFError(
                f"{name}: {err.strerror or err} (writing the new extraction); {out} is unchanged"
            ) from None
    except KeyboardInterrupt:
        _discard(tmp)
        if swapped:
            raise ExtractionInterruptedError(
                f"extraction interrupted; {out} holds the new extraction"
            ) from None
        raise ExtractionInterruptedError(f"extraction interrupted; {out} is unchanged") from None
    except BaseException:
        _discard(tmp)
        raise
    return info


def validate_data(root: Path | None = None) -> int:
    """Check every file of a data folder, whatever its manifest says; return the number of tables.

    Each file is checked by its reader (:mod:`nssf_analysis.data.catalog`, ``trust=False``)
    and by the writer's rules: a raw table against its contract
    (:func:`nssf_analysis.data.layout.layout_problem`), a tidy table that lost rows names
    the first one lost (rebuilt from its raw file), every declared fact of the prose is
    listed once: in ``facts.csv``, or in ``facts_missing.csv`` when the edition does not
    print it.

    Parameters
    ----------
    root : Path, optional
        The data folder (default :func:`paths.data_dir`).

    Raises
    ------
    ValidationError
        Naming the first file, row, column and rule that fail.
    """
    root = Path(root) if root is not None else paths.data_dir()
    cat = read_catalog(root).set_index("table_id", drop=False)
    meta = read_metadata(root)
    ry = meta["report_year"]
    for tid in cat["table_id"]:
        if tid not in meta["tables"]:
            raise ValidationError(
                "complete", root / "metadata.json", None, None, f"no entry for table {tid}"
            )
    years = {int(y) for ys in cat["years"] for y in ys.split("; ")}

    def check_layout(df, path, row):
        if row["family"] in ("directory", "text"):
            return
        problem = layout_problem(RawTable.from_frame(df, row), ry)
        if problem:
            line, detail = problem
            at = df.index[df["line"] == str(line)]
            raise ValidationError(
                "complete",
                path,
                int(at[0]) + 1 if len(at) else None,
                None,
                f"{row.name} ({row['label']}), report line {line}: {detail}",
            )

    def name_first_lost(df, path, row):
        if len(df) >= int(row["tidy_rows"]) or row["family"] in ("directory", "text"):
            return
        try:
            expected, _ = build(RawTable.from_frame(read_raw(root, row), row), ry)
        except (NSSFError, KeyError, ValueError):
            return  # the count error then names no row
        check_count(df, path, row, "tidy_rows", _first_lost(expected, df))

    for _, row in cat.iterrows():
        read_raw(root, row, check=check_layout)
        read_tidy(root, row, years, check=name_first_lost)
    read_checks(root, cat)
    have = set(read_facts(root)["fact_id"])
    gone = list(read_facts_missing(root)["fact_id"])
    declared = {fact_id for spec in FACT_SPECS for fact_id in spec.fact_ids}
    for i, fact_id in enumerate(gone, start=1):
        if fact_id in have or fact_id not in declared:
            what = "has a row in facts.csv" if fact_id in have else "is not a declared fact"
            raise ValidationError(
                "complete", root / FACTS_MISSING, i, "fact_id", f"fact {fact_id} {what}"
            )
    for spec in FACT_SPECS:
        for fact_id in spec.fact_ids:
            if fact_id not in have and fact_id not in gone:
                raise ValidationError(
                    "complete",
                    root / "facts.csv",
                    None,
                    "fact_id",
                    f"no row for fact {fact_id} (section {spec.section}), and {FACTS_MISSING} "
                    "does not report it missing",
                )
    read_graphics(root)
    return len(cat)


def _first_lost(expected: pd.DataFrame, df: pd.DataFrame) -> str:
    """Name the first row of ``expected`` (a table rebuilt) that the tidy file ``df`` lacks."""
    have = set(zip(df["line"].astype(str), df["column"].astype(str), strict=True))
    keys = [c for c in expected.columns if c not in ("value", "line", "column", "unit")]
    for r in expected.to_dict("records"):
        if (str(r["line"]), str(r["column"])) not in have:
            what = ", ".join(f"{k}={r[k]}" for k in keys if str(r[k]) != "")
            return (
                f"the first missing is {what} (value {r['value']}, report line {r['line']}, "
                f"column {r['column']})"
            )
    return ""


def _discard(tmp: Path | None) -> None:
    """Remove the temporary folder of an extraction that did not swap it in."""
    if tmp is not None:
        with interruptions_held():
            shutil.rmtree(tmp, ignore_errors=True)


def _check_writable(out: Path) -> None:
    """Raise when ``out`` or a folder in it is read-only: the swap could not remove it.

    Raises
    ------
    NSSFError
        Naming the read-only folder (or the file where a folder must be).
    """
    if os.path.lexists(out) and not out.is_dir():
        raise NSSFError(f"{out}: is a file, not a data folder; it is unchanged")
    if not out.is_dir():
        return
    for folder in [out, *sorted(p for p in out.rglob("*") if p.is_dir() and not p.is_symlink())]:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise NSSFError(
                f"{folder}: read-only folder (no permission to write); {out} is unchanged: "
                "make it writable to extract"
            )


def _remove_stale_temporaries(out: Path) -> None:
    """Remove temporary folders left beside ``out`` by an extraction that was killed.

    Raises
    ------
    NSSFError
        Naming a folder that cannot be removed and the file that resisted.
    """
    for p in out.parent.glob(f".{out.name}.*-*-*"):
        m = re.fullmatch(rf"\.{re.escape(out.name)}\.(?:new|old)-(\d+)-.*", p.name)
        if not m or not p.is_dir():
            continue
        pid = int(m.group(1))
        try:
            os.kill(pid, 0)
            alive = pid != os.getpid()
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive:
            try:
                _rmtree(p)
            except OSError as err:
                raise NSSFError(
                    f"{p}: left by an extraction that was interrupted, and cannot be removed "
                    f"({err.filename}: {err.strerror}); remove it by hand"
                ) from None


def _rmtree(path: Path) -> None:
    """Remove a folder; on failure raise an OSError naming the first file that resisted."""
    failed: list[tuple[str, BaseException]] = []

    def note(function, where, exc) -> None:
        failed.append((where, exc if isinstance(exc, BaseException) else exc[1]))

    shutil.rmtree(path, **({"onexc": note} if sys.version_info >= (3, 12) else {"onerror": note}))
    if os.path.lexists(path):
        where, err = failed[0] if failed else (path, OSError(errno.ENOTEMPTY, "not removed"))
        raise OSError(
            getattr(err, "errno", None), getattr(err, "strerror", None) or str(err), str(where)
        )


def _swap_in(tmp: Path, out: Path) -> bool:
    """Put the folder ``tmp`` in the place of ``out`` (two renames in the same folder).

    Returns True once ``tmp`` is ``out``; the old folder is then removed.

    Raises
    ------
    NSSFError
        When the old folder cannot be removed after the swap (naming it and why).
    """
    mask = os.umask(0)
    os.umask(mask)
    mode = stat.S_IMODE(out.stat().st_mode) if out.is_dir() else 0o777 & ~mask
    os.chmod(tmp, mode)
    if not os.path.lexists(out):
        os.rename(tmp, out)
        return True
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)
        raise
    try:
        _rmtree(old)
    except OSError as err:
        raise NSSFError(
            f"{out} holds the new extraction, but the previous one could not be removed: "
            f"{err.filename}: {err.strerror}; remove {old} by hand"
        ) from None
    return True


def _write_all(out: Path, progress: bool, strict: bool = False) -> dict:
    """Write raw, tidy, checks, facts, graphics, catalog and metadata into ``out``."""
    seeds = seed_files()  # every .txt file, by the year its title page gives
    if not seeds:
        raise NSSFError(f"{paths.seeds_dir()}: no report text (.txt) file")
    years = list(seeds)
    ry = years[-1]  # the newest report: its tables are the data
    seed = seeds[ry]
    lines = read_lines(seed)
    several = len(years) > 1  # an error then names the report it comes from
    with naming(seed, several):
        edition = match_edition(lines)
        facts, facts_missing = find_facts(lines)
    if strict:
        check_strict(edition, facts_missing)
    older = older_editions(years)
    tables = edition.tables
    revisions = []
    (out / "raw").mkdir(parents=True, exist_ok=True)
    (out / "tidy").mkdir(parents=True, exist_ok=True)
    catalog_rows, all_checks, meta = [], [], {}
    iterator = tables
    if progress:
        from tqdm import tqdm

        iterator = tqdm(tables, desc="tables", unit="table")
    for t in iterator:  # every table's layout was checked by the edition match
        raw = t.to_frame()
        write_csv(raw, out / "raw" / f"{t.table_id}.csv")
        with naming(seed, several):
            tidy, checks = build(t, ry)
        tidy, revised = with_older_years(t, tidy, ry, older)
        revisions += revised
        write_csv(tidy, out / "tidy" / f"{t.table_id}.csv")
        all_checks += checks
        scheme, sector = scheme_of(t.section)
        units = sorted(set(tidy["unit"])) if "unit" in tidy.columns else []
        yrs = sorted(set(tidy["year"])) if "year" in tidy.columns else [ry]
        spec = tidy_spec(t.table_id)
        issues = sum(c["status"] in ("inconsistency", "structural") for c in checks)
        catalog_rows.append(
            {
                "table_id": t.table_id,
                "label": t.label,
                "title": t.title,
                "section": t.section,
                "scheme": scheme,
                "sector": sector,
                "family": spec["family"],
                "unit": "; ".join(units),
                "source": t.source,
                "notes": t.notes,
                "years": "; ".join(str(y) for y in yrs),
                "line": t.title_line,
                "raw_rows": len(raw),
                "tidy_rows": len(tidy),
                "checks": len(checks),
                "check_issues": issues,
            }
        )
        meta[t.table_id] = {
            "label": t.label,
            "title": t.title,
            "section": t.section,
            "source": t.source,
            "notes": t.notes,
            "units": units,
            "columns": {
                c: dict(
                    zip(
                        ("title", "unit", "description"),
                        COLUMN_DOCS.get(c, (c, "", "")),
                        strict=True,
                    )
                )
                for c in tidy.columns
            },
        }
    for tid, df in extract_directories(lines).items():
        label, title, section = DIRECTORIES[tid]
        write_csv(df, out / "raw" / f"{tid}.csv")
        write_csv(df, out / "tidy" / f"{tid}.csv")
        scheme, sector = scheme_of(section)
        catalog_rows.append(
            {
                "table_id": tid,
                "label": label,
                "title": title,
                "section": section,
                "scheme": scheme,
                "sector": sector,
                "family": "directory",
                "unit": "",
                "source": "",
                "notes": "",
                "years": str(ry),
                "line": int(df["line"].min()),
                "raw_rows": len(df),
                "tidy_rows": len(df),
                "checks": 0,
                "check_issues": 0,
            }
        )
        meta[tid] = {
            "label": label,
            "title": title,
            "section": section,
            "source": "",
            "notes": "",
            "units": [],
            "columns": {c: {"title": c, "unit": "", "description": ""} for c in df.columns},
        }
    for t in edition.new:
        write_csv(t.to_frame(), out / "raw" / f"{t.table_id}.csv")
    write_csv(edition.summary, out / "edition.csv")
    write_csv(revisions_frame(revisions), out / "revisions.csv")
    write_older(out, older)
    cat = pd.DataFrame(catalog_rows, columns=CATALOG_COLUMNS)
    write_csv(cat, out / "catalog.csv")
    checks = pd.DataFrame(all_checks)
    checks.insert(0, "check_id", [f"C{i:04d}" for i in range(1, len(checks) + 1)])
    write_csv(checks, out / "checks.csv")
    write_csv(facts, out / "facts.csv")
    if len(facts_missing):
        write_csv(facts_missing, out / FACTS_MISSING)
    write_csv(find_graphics(lines), out / "graphics.csv")
    meta_doc = {
        "report_year": ry,
        "seed": seed.name,
        "seed_sha256": _sha(seed),
        "tables": meta,
    }
    if len(facts_missing):
        meta_doc["facts_missing"] = FACTS_MISSING
    if older:
        meta_doc["older_editions"] = [
            {"report_year": o.year, "seed": o.seed.name, "seed_sha256": _sha(o.seed)} for o in older
        ]
    (out / "metadata.json").write_text(
        json.dumps(meta_doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return {
        "report_year": ry,
        "tables": len(tables),
        "directories": 3,
        "checks": len(checks),
        "facts": "facts.csv",
        "edition": edition,
        "facts_missing": facts_missing,
    }
