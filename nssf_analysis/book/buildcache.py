"""Content hashes, the build cache index, the build lock and atomic file operations.

The book builder (:mod:`nssf_analysis.book`) decides what to run again from content
hashes only — never from file times — and keeps its bookkeeping in one JSON file under
``outputs/.cache``.  Everything here is standard library so that a build with nothing
to do starts, checks and stops in a fraction of a second.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from nssf_analysis.exceptions import NSSFError

#: Bumped whenever the layout of the cache or of the sanitised notebooks changes.
CACHE_SCHEMA = 2
#: The time written into every workbook the book offers (its properties and zip entries).
FIXED_TIME = (2000, 1, 1, 0, 0, 0)
#: :data:`FIXED_TIME` as the ISO 8601 stamp of a workbook's properties.
FIXED_STAMP = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*FIXED_TIME)


class BuildLockError(NSSFError):
    """Another build holds the lock and the caller asked not to wait."""


def sha256_bytes(data: bytes) -> str:
    """Return the hexadecimal SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Return the hexadecimal SHA-256 of a file's content.

    Parameters
    ----------
    path : Path
        File to hash.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_json(obj) -> str:
    """Return the SHA-256 of ``obj`` serialised as canonical JSON (sorted keys)."""
    return sha256_bytes(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode())


def tree_files(folder: Path, patterns: Iterable[str] = ("**/*",)) -> list[Path]:
    """Return the files under ``folder`` matching ``patterns``, sorted by relative path.

    Hidden files and folders (``.name``) and ``__pycache__`` are left out.

    Parameters
    ----------
    folder : Path
        Root folder; a missing folder has no files.
    patterns : iterable of str
        Glob patterns relative to ``folder``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = set()
    for pattern in patterns:
        for p in folder.glob(pattern):
            rel = p.relative_to(folder)
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            if p.is_file():
                found.add(p)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def tree_file_hashes(folder: Path, patterns: Iterable[str] = ("**/*",)) -> dict[str, str]:
    """Return ``{relative POSIX path: SHA-256}`` of a folder's files (see :func:`tree_files`).

    Parameters
    ----------
    folder : Path
        Root folder.
    patterns : iterable of str
        Glob patterns relative to ``folder`` (default: every file).
    """
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): sha256_file(p) for p in tree_files(folder, patterns)}


def tree_hash_of(file_hashes: dict[str, str]) -> str:
    """Return the tree hash (see :func:`tree_hash`) of a :func:`tree_file_hashes` result."""
    h = hashlib.sha256()
    for rel in sorted(file_hashes):
        h.update(rel.encode() + b"\0")
        h.update(file_hashes[rel].encode() + b"\n")
    return h.hexdigest()


def tree_hash(folder: Path, patterns: Iterable[str] = ("**/*",)) -> str:
    """Return one SHA-256 over the relative paths and contents of a folder's files.

    Renaming, adding, removing or editing any matching file changes the hash; file
    times and permissions do not.

    ``folder`` and ``patterns`` are those of :func:`tree_file_hashes`.
    """
    return tree_hash_of(tree_file_hashes(folder, patterns))


def reproducible_zip(raw: bytes) -> bytes:
    """Return a zip file (an ``.xlsx`` workbook) whose bytes depend only on its content.

    Every entry gets the time :data:`FIXED_TIME` and the same permissions, and the
    created and modified times of ``docProps/core.xml`` become :data:`FIXED_STAMP`.

    Parameters
    ----------
    raw : bytes
        The zip file as written (e.g. by openpyxl).
    """
    import io
    import re
    import zipfile

    stamp = FIXED_STAMP.encode()
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>" + stamp + rb"\g<3>",
                    body,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A reader sees either the old or the new content, never a partial file, even if
    the writer is killed.

    Parameters
    ----------
    path : Path
        Target file; its folder is created.
    data : bytes
        New content.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux ``renameat2(RENAME_EXCHANGE)``.

    Returns False when the system call is not available.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EPERM, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_dir(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` in place of ``target`` atomically.

    When ``target`` exists the two are exchanged in one system call (Linux
    ``renameat2``), so ``target`` is at every instant either the complete old or the
    complete new folder; the old one is then deleted.  Elsewhere the old folder is
    first renamed aside, which leaves ``target`` missing for a moment but never
    half-written.

    Parameters
    ----------
    new : Path
        Complete new folder, on the same file system as ``target``.
    target : Path
        Folder to replace (created if missing).

    Raises
    ------
    NotADirectoryError
        If ``target`` exists and is not a folder (it is left as it is).
    """
    new, target = Path(new), Path(target)
    if not target.exists() and not target.is_symlink():
        os.rename(new, target)
        return
    if not target.is_dir() or target.is_symlink():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(target))
    if _renameat2_exchange(new, target):
        remove_path(new)  # ``new`` now holds the old folder
        return
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


class BuildLock:
    """An exclusive ``fcntl.flock`` lock on a file, held for the whole build.

    The kernel releases the lock when the holder exits, however it exits, so a killed
    build never leaves a stale lock behind.

    Parameters
    ----------
    path : Path
        The lock file (created if missing).
    wait : bool
        Wait for another holder to finish (default); else raise :class:`BuildLockError`.
    notify : callable, optional
        Called with a message once if the lock is busy and we wait.
    """

    def __init__(self, path: Path, wait: bool = True, notify=None):
        self.path = Path(path)
        self.wait = wait
        self.notify = notify
        self._fh = None

    def __enter__(self) -> BuildLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            msg = f"another build (pid {holder}) holds {self.path}"
            if not self.wait:
                fh.close()
                raise BuildLockError(msg) from None
            if self.notify:
                self.notify(f"{msg}; waiting for it to finish …")
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


class CacheIndex:
    """The build cache index: one JSON file mapping names to content hashes.

    ``entries["notebooks"]["<year>/<name>"]`` records the key an executed notebook
    was produced under and where it is stored; ``entries["books"]["<year>"]`` the key
    of the last book swapped in.  The file is rewritten atomically on :meth:`save`.

    Parameters
    ----------
    path : Path
        The index file.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.data = {"schema": CACHE_SCHEMA, "notebooks": {}, "books": {}}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        if isinstance(loaded, dict) and loaded.get("schema") == CACHE_SCHEMA:
            self.data["notebooks"] = dict(loaded.get("notebooks", {}))
            self.data["books"] = dict(loaded.get("books", {}))

    def notebook(self, year: int, name: str) -> dict | None:
        """Return the entry of a notebook run, or None."""
        return self.data["notebooks"].get(f"{year}/{name}")

    def set_notebook(self, year: int, name: str, entry: dict) -> None:
        """Record a successful notebook run."""
        self.data["notebooks"][f"{year}/{name}"] = entry

    def book(self, year: int) -> str | None:
        """Return the key of the book last built for ``year``, or None."""
        return self.data["books"].get(str(year))

    def set_book(self, year: int, key: str | None) -> None:
        """Record (or forget, with None) the key of the book built for ``year``."""
        if key is None:
            self.data["books"].pop(str(year), None)
        else:
            self.data["books"][str(year)] = key

    def save(self) -> None:
        """Write the index atomically."""
        atomic_write_text(self.path, json.dumps(self.data, indent=1, sort_keys=True) + "\n")


def remove_stale(folder: Path, prefixes: Iterable[str]) -> list[Path]:
    """Delete entries of ``folder`` whose names start with one of ``prefixes``.

    Used under the build lock to clear what an interrupted build left behind
    (temporary book folders, staging folders).

    Parameters
    ----------
    folder : Path
        Folder to clean.
    prefixes : iterable of str
        Name prefixes of leftovers, e.g. ``".book-tmp-"``.

    Returns
    -------
    list of Path
        What was deleted.
    """
    folder = Path(folder)
    gone = []
    if not folder.is_dir():
        return gone
    prefixes = tuple(prefixes)
    for p in sorted(folder.iterdir()):
        if p.name.startswith(prefixes):
            remove_path(p)
            gone.append(p)
    return gone


#: Imported by jsonschema, which nbformat, papermill and nbconvert import, only to check
#: the "iri" and "iri-reference" formats; importing it compiles some forty Earley parsers,
#: about 2 s of CPU in every process that imports nbformat (jsonschema issue #1428).
IRI_GRAMMAR_MODULE = "rfc3987_syntax"


def skip_iri_grammar() -> bool:
    """Keep jsonschema from importing :data:`IRI_GRAMMAR_MODULE` in this process.

    The book's processes (the build and its workers) validate notebooks against the
    notebook format's schema, which checks no IRI, so they give up jsonschema's optional
    "iri" format checkers rather than pay for their grammars in every process; jsonschema
    treats the module as not installed (it imports it only if it can).  Call before
    anything imports jsonschema; a process that has imported it already is left as it is.

    Returns
    -------
    bool
        True when the module is now kept out (False: jsonschema or the module was loaded).
    """
    if "jsonschema" in sys.modules or sys.modules.get(IRI_GRAMMAR_MODULE) is not None:
        return False
    sys.modules[IRI_GRAMMAR_MODULE] = None  # "import" raises ImportError
    return True


def set_parent_death_signal(signum: int, parent_pid: int | None = None) -> None:
    """Ask Linux to send ``signum`` to this process when its parent dies (best effort).

    Parameters
    ----------
    signum : int
        Signal to receive when the parent process ends.
    parent_pid : int, optional
        The parent this process was started by.  If the process already has another
        parent (the original one died before the request took effect and the process
        was handed to init or a subreaper), ``signum`` is sent at once.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signum, 0, 0, 0)
    except (OSError, AttributeError):
        return
    ppid = os.getppid()
    if ppid == 1 or (parent_pid is not None and ppid != parent_pid):
        os.kill(os.getpid(), signum)


def child_pids(pid: int | None = None) -> list[int]:
    """Return the process ids of the direct children of ``pid`` (default: this process).

    Read from ``/proc``; an empty list where there is no ``/proc``.
    """
    pid = os.getpid() if pid is None else pid
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def kill_children(signum: int = 9) -> None:
    """Send ``signum`` to every child of this process and to the process group it leads.

    Jupyter kernels are started in a session of their own, so killing the group also
    ends whatever a kernel started.
    """
    own_group = os.getpgid(0)
    for pid in child_pids():
        try:
            if os.getpgid(pid) == pid and pid != own_group:
                os.killpg(pid, signum)
            else:
                os.kill(pid, signum)
        except OSError:
            continue


def remove_path(path: Path) -> None:
    """Delete a file, a symbolic link or a folder tree; nothing if it does not exist."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            shutil.rmtree(path, ignore_errors=True)


def elapsed(start: float) -> float:
    """Return the seconds since ``start`` (a :func:`time.perf_counter` value)."""
    return time.perf_counter() - start
