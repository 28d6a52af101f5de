"""Reading the files of ``data/`` and ``seeds/``: one function, the loads it records, the manifest.

Every read of a file under ``data/`` or ``seeds/`` goes through :func:`read_bytes`
(:func:`read_text`, :func:`read_csv` and :func:`read_json` build on it).  It turns a missing
or unreadable file into a one-line error, hashes the bytes it read (SHA-256) and records the
file as a *load*.

Loads
-----
A load is named by the file's path relative to the project root (:data:`paths.ROOT`), with
``/`` separators: ``data/tidy/t10.csv``, ``seeds/nssf_annual_report_2022.txt``; a file
outside the project (``NSSF_DATA`` elsewhere) is named by its absolute path.  The process
keeps every name it loaded (:func:`loads`, in the order of first load) and, when the
environment variable ``NSSF_LOADS_FILE`` names a file, appends each new name to it, once,
as one UTF-8 line (a line feed ends it).  The book sets that variable for each chapter's
kernel and keys the chapter on the SHA-256 of the files listed.  A result that
:func:`nssf_analysis.data.cache.data_cache` serves without computing it (from memory or
from disk) replays the loads its computation made (:func:`replay`), so the list is the same
whether a result was computed or not.

The manifest
------------
``nssf-report extract`` validates every file it writes, then lists each file of ``data/``
with its SHA-256 in ``data/SHA256SUMS`` (:data:`MANIFEST`; :func:`manifest_text`): one line
``<sha256>  <path>`` per file, the path relative to ``data/`` with ``/`` separators, sorted
by path: the format of ``sha256sum``, so ``cd data && sha256sum -c SHA256SUMS`` checks it.
A file whose content has the SHA-256 the manifest lists passed validation when it was
written: :func:`trusted` says so, and the reader skips validating it again.  The manifest
is read to decide that, not as data: it is not a load.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import hashlib
import io
import json
import os
from pathlib import Path

import pandas as pd

from nssf_analysis import paths
from nssf_analysis.exceptions import NSSFError, ValidationError

__all__ = [
    "LOADS_ENV",
    "MANIFEST",
    "changed",
    "collect",
    "data_version",
    "folders",
    "load_name",
    "loads",
    "manifest_text",
    "read_bytes",
    "read_csv",
    "read_json",
    "read_text",
    "replay",
    "same_files",
    "trusted",
]

#: The manifest of ``data/``: the SHA-256 of every other file, as ``sha256sum`` prints them.
MANIFEST = "SHA256SUMS"
#: The environment variable naming the file each new load is appended to.
LOADS_ENV = "NSSF_LOADS_FILE"

_LOADS: dict[str, None] = {}  # every name this process loaded, in order
_WRITTEN: set[tuple[str, str]] = set()  # (loads file, name) already appended
#: The loads of the cached computations now running: one ``{name: sha256}`` each.
_COLLECTING: contextvars.ContextVar[tuple[dict, ...]] = contextvars.ContextVar(
    "nssf_collecting", default=()
)
#: Digests taken during the outermost cached call now running (see :func:`same_files`).
_SEEN: contextvars.ContextVar[dict | None] = contextvars.ContextVar("nssf_seen", default=None)


def load_name(path) -> str:
    """Return the name a file is loaded under (see the module notes).

    Parameters
    ----------
    path : str or Path
        The file.
    """
    p, root = os.path.abspath(path), os.path.abspath(paths.ROOT)
    return p[len(root) + 1 :].replace(os.sep, "/") if p.startswith(root + os.sep) else p


def folders() -> tuple[str, str]:
    """Return the folders ``data/`` and ``seeds/`` are now (absolute paths)."""
    return os.path.abspath(paths.data_dir()), os.path.abspath(paths.seeds_dir())


def loads() -> list[str]:
    """Return the name of every file this process loaded, in the order of first load."""
    return list(_LOADS)


def _loaded(name: str, digest: str | None) -> None:
    seen = _SEEN.get()
    if seen is not None:
        seen[name] = digest
    for collected in _COLLECTING.get():
        collected[name] = digest
    _LOADS.setdefault(name)
    target = os.environ.get(LOADS_ENV)
    if target and (target, name) not in _WRITTEN:
        _WRITTEN.add((target, name))
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(name + "\n")


def replay(collected: dict) -> None:
    """Record again the loads ``{name: sha256}`` of a result served without computing it.

    Parameters
    ----------
    collected : dict
        What :func:`collect` gathered while the result was computed.
    """
    for name, digest in collected.items():
        _loaded(name, digest)


@contextlib.contextmanager
def collect():
    """Gather the loads made inside the block, ``{name: sha256}`` (replays included)."""
    collected: dict = {}
    token = _COLLECTING.set((*_COLLECTING.get(), collected))
    try:
        yield collected
    finally:
        _COLLECTING.reset(token)


@contextlib.contextmanager
def same_files():
    """Hash each file at most once inside the block (the files do not change meanwhile).

    The outermost cached call holds this while it checks its results and computes.
    """
    if _SEEN.get() is not None:
        yield
        return
    token = _SEEN.set({})
    try:
        yield
    finally:
        _SEEN.reset(token)


def _digest(name: str) -> str | None:
    """Return the SHA-256 of a loaded file's content now (None if it cannot be read)."""
    seen = _SEEN.get()
    if seen is not None and name in seen:
        return seen[name]
    try:
        digest = hashlib.sha256((paths.ROOT / name).read_bytes()).hexdigest()
    except OSError:
        digest = None
    if seen is not None:
        seen[name] = digest
    return digest


def changed(collected: dict) -> bool:
    """Return whether a file of ``{name: sha256}`` (see :func:`collect`) has other content now.

    Parameters
    ----------
    collected : dict
        Loads and the SHA-256 of what was read.
    """
    return any(_digest(name) != digest for name, digest in collected.items())


def read_bytes(path, load: bool = True) -> bytes:
    """Return the bytes of a file of ``data/`` or ``seeds/``, recorded as a load.

    Parameters
    ----------
    path : str or Path
        The file.
    load : bool
        Record the read as a load (False only for the manifest, which is not data).

    Raises
    ------
    NSSFError
        When the file does not exist (a :class:`ValidationError`, rule ``readable``,
        when it is a folder or cannot be read).
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise NSSFError(f"{path}: not found; run 'nssf-report extract'") from None
    except IsADirectoryError:
        raise ValidationError("readable", path, None, None, "a folder, not a file") from None
    except OSError as err:
        raise ValidationError(
            "readable", path, None, None, f"cannot be read ({err.strerror or err})"
        ) from None
    if load:
        _loaded(load_name(path), hashlib.sha256(raw).hexdigest())
    return raw


# --------------------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------------------


def manifest_text(folder: Path) -> str:
    """Return the manifest of a data folder: ``<sha256>  <path>`` per file, sorted by path.

    Parameters
    ----------
    folder : Path
        The data folder (its own manifest is left out).
    """
    folder = Path(folder)
    names = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p != folder / MANIFEST
    )
    return "".join(f"{hashlib.sha256((folder / n).read_bytes()).hexdigest()}  {n}\n" for n in names)


def _manifest() -> tuple[str, dict[str, str]]:
    """Return the SHA-256 of ``data/``'s manifest ('' if none) and its entries by path."""
    seen = _SEEN.get()
    key = ("manifest", str(paths.data_dir()))
    if seen is not None and key in seen:
        return seen[key]
    try:
        raw = read_bytes(paths.data_dir() / MANIFEST, load=False)
    except NSSFError:
        raw = b""
    entries = {}
    for line in raw.decode("utf-8", errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        entries[name] = digest
    found = (hashlib.sha256(raw).hexdigest() if raw else "", entries)
    if seen is not None:
        seen[key] = found
    return found


def data_version() -> str:
    """Return the SHA-256 of ``data/``'s manifest ('' when ``data/`` has none)."""
    return _manifest()[0]


def trusted(*files) -> bool:
    """Return whether every file, as last read, has the SHA-256 ``data/``'s manifest lists.

    Parameters
    ----------
    *files : Path
        Files of ``data/``, read through :func:`read_bytes` (in the same cached call).
    """
    entries = _manifest()[1]
    root = os.path.abspath(paths.data_dir())
    for f in files:
        p = os.path.abspath(f)
        if not p.startswith(root + os.sep):
            return False
        rel = p[len(root) + 1 :].replace(os.sep, "/")
        if rel not in entries or entries[rel] != _digest(load_name(p)):
            return False
    return True


# --------------------------------------------------------------------------------------
# Text, CSV and JSON
# --------------------------------------------------------------------------------------


def _decode(path: Path, raw: bytes) -> str:
    """Decode UTF-8 (a byte-order mark is allowed); locate a bad byte by row and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        row, column = _locate_bad_byte(raw, err.start)
        raise ValidationError(
            "utf-8",
            path,
            row,
            column,
            f"byte 0x{raw[err.start]:02x} at offset {err.start} is not UTF-8 text",
        ) from None


def _locate_bad_byte(raw: bytes, offset: int) -> tuple[int | None, str | None]:
    line = raw[:offset].count(b"\n")  # 0-based line of the file; line 0 is the header
    text = raw.decode("utf-8", errors="replace")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError):
        return (line or None), None
    for i, rec in enumerate(df.itertuples(index=False)):
        for col, value in zip(df.columns, rec, strict=True):
            if isinstance(value, str) and "\ufffd" in value:
                return i + 1, col
    return (line or None), None


def read_text(path: Path) -> str:
    """Return a data file as text (UTF-8); bad bytes are a ``utf-8`` error naming row and column.

    Parameters
    ----------
    path : Path
        The file.
    """
    return _decode(Path(path), read_bytes(path))


def read_csv(path: Path) -> pd.DataFrame:
    """Read a data CSV file as strings ('' where blank), refusing a malformed file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    DataFrame
        Every cell a string.

    Raises
    ------
    ValidationError
        Rules ``readable``, ``utf-8``, ``not-empty``, ``line-end`` (the file was cut inside
        a row: the last row has no line end), ``csv`` (the text is not CSV, e.g. an open
        quote) and ``row-length`` (a row with more or fewer fields than the header).
    """
    path = Path(path)
    text = read_text(path)
    if not text.strip():
        raise ValidationError("not-empty", path, None, None, "the file is empty")
    lines = text.splitlines()
    if not text.endswith(("\n", "\r")):
        row = len(lines) - 1
        raise ValidationError(
            "line-end",
            path,
            row or None,
            None,
            f"the file ends inside {'this row' if row else 'its header'} (no line end after "
            "it): it was cut",
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = [r for r in reader if r]
    except csv.Error as err:
        raise ValidationError(
            "csv", path, (reader.line_num - 1) or None, None, f"not valid CSV ({err})"
        ) from None
    header = records[0]
    for i, rec in enumerate(records[1:], start=1):
        if len(rec) != len(header):
            col = header[len(rec)] if len(rec) < len(header) else None
            cut = ": the row is cut" if len(rec) < len(header) else ""
            raise ValidationError(
                "row-length",
                path,
                i,
                col,
                f"{len(rec)} fields where the header has {len(header)}{cut}",
            )
    return pd.DataFrame(records[1:], columns=header, dtype=str)


def read_json(path: Path) -> dict:
    """Read a JSON data file (``metadata.json``); invalid JSON is a ``json`` error.

    Parameters
    ----------
    path : Path
        The file.
    """
    text = read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValidationError(
            "json", path, None, None, f"line {err.lineno}, column {err.colno}: {err.msg}"
        ) from None
    if not isinstance(doc, dict):
        raise ValidationError("json", path, None, None, "not a JSON object")
    return doc
