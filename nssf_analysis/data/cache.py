"""One cache for everything read from ``data/``: a result is kept while the files it read stay.

:func:`data_cache` memoises a function on its arguments, the data folder
(:func:`nssf_analysis.paths.data_dir`) and the *stamps of the data files the call read*, so a
long-lived kernel never shows values older than ``data/``: after ``nssf-report extract``, a
hand edit of a tidy file or a switch of ``NSSF_DATA`` to another folder, the next call reads
the files again.

Which files a call read is recorded by :func:`note_read`, which the package's one reader of
data files (:func:`nssf_analysis.catalog.read_bytes`) calls before it reads; a cached call
inside a cached call passes its files on to the outer one.  A file's stamp is its size,
modification time (ns) and inode number: one ``stat`` per file a result depends on (a few
microseconds), where hashing the 1.5 MB of ``data/`` or stat-ing its 180 files on every call
would cost milliseconds.  An extraction swaps in a new folder (new inodes) and an editor
rewrites a file (new size or time), so both are seen.  The one gap of time stamps is a rewrite
of the same size within the file system's clock tick; as git does for its index ("racy"
entries), a file modified within the last :data:`RACY_SECONDS` is stamped with a SHA-256 of
its content as well, so such a rewrite is seen too.  The stamp is taken before the file is
read: a change during the read makes the next call read again, never keep a stale value.

``@data_cache(persist=True)`` also keeps each result on disk, under
``outputs/.cache/data/`` (:func:`store_dir`), for the next process (every chapter of the
book runs on a fresh kernel).  Such a result is keyed on the function, its arguments, the
package code and the Python and pandas versions, and is used again only while the
SHA-256 of every file it depended on is unchanged: the data files and report text files
(``seeds/``) the computation opened, whoever opened them (an audit hook, PEP 578, sees
every ``open``), the folders of them it listed, and the files of the cached calls it
used.  Checking those hashes opens and lists the same files and folders again, so
whoever records what a process reads (the book's :mod:`nssf_analysis.book.readlog`)
sees a result served from disk depend on exactly what computing it read.  Processes that
ask for the same persisted result at once (the book's chapters run in parallel) compute it
once: the first holds a lock beside the result while it computes, the others wait for it
and load what it wrote.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import os
import pickle
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

from nssf_analysis import paths

#: Files modified this recently (seconds) are stamped with their content's digest as well.
RACY_SECONDS = 2.0

#: The dependency maps (path -> stamp) of the cached calls now running, outermost first.
_ACTIVE: contextvars.ContextVar[tuple[dict, ...]] = contextvars.ContextVar(
    "nssf_data_reads", default=()
)
_REGISTRY: list = []
#: Files and folders opened or listed by the persisted computations now running, one set
#: of ``(kind, absolute path)`` each (kind "file" or "folder"); see :func:`_hook`.
_CAPTURE: list[set] = []
#: The persisted computation now running (its results may serve calls inside it).
_GENERATION: contextvars.ContextVar[object] = contextvars.ContextVar(
    "nssf_data_generation", default=None
)
_HOOKED: list[bool] = []
_CODE_HASH: list[str] = []
#: Bumped when the layout of a persisted result changes.
STORE_SCHEMA = 1
#: The package's files whose content its results depend on: its code and the data files
#: it ships (declarations such as ``data/layouts_2022.json``), relative to the package.
CODE_FILES = ("**/*.py", "**/*.json", "**/*.toml", "**/*.csv")


def store_dir() -> Path:
    """Return the folder of persisted results (``outputs/.cache/data``)."""
    return paths.outputs_dir() / ".cache" / "data"


def _roots() -> list[tuple[str, str]]:
    """Return ``(name, absolute folder)`` of the folders whose files results depend on."""
    return [
        ("data", os.path.abspath(paths.data_dir())),
        ("seeds", os.path.abspath(paths.seeds_dir())),
    ]


def _hook(event: str, args: tuple) -> None:
    """Audit hook: note what a persisted computation opens or lists (see :data:`_CAPTURE`)."""
    if not _CAPTURE:
        return
    if event == "open":
        kind = "file"
    elif event in ("os.scandir", "os.listdir"):
        kind = "folder"
    else:
        return
    if not args or args[0] is None or isinstance(args[0], int):
        return
    try:
        path = os.path.abspath(os.fsdecode(os.fspath(args[0])))
    except TypeError:
        return
    for seen in _CAPTURE:
        seen.add((kind, path))


def _code_hash() -> str:
    """Return one SHA-256 over the package's :data:`CODE_FILES` (computed once per process)."""
    if not _CODE_HASH:
        root = Path(__file__).resolve().parent.parent
        found = {p for pattern in CODE_FILES for p in root.glob(pattern) if p.is_file()}
        h = hashlib.sha256()
        for p in sorted(found):
            rel = p.relative_to(root)
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            h.update(rel.as_posix().encode() + b"\0")
            h.update(p.read_bytes())
        _CODE_HASH.append(h.hexdigest())
    return _CODE_HASH[0]


def _digest(kind: str, path: str) -> str | None:
    """Return the SHA-256 of a file's content or of a folder's sorted names (None: absent)."""
    try:
        if kind == "folder":
            return hashlib.sha256("\0".join(sorted(os.listdir(path))).encode()).hexdigest()
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _relative(path: str, roots) -> tuple[str, str] | None:
    for name, root in roots:
        if path == root:
            return name, "."
        if path.startswith(root + os.sep):
            return name, path[len(root) + 1 :].replace(os.sep, "/")
    return None


def _absolute(root_name: str, rel: str, roots) -> str | None:
    for name, root in roots:
        if name == root_name:
            return root if rel == "." else os.path.join(root, *rel.split("/"))
    return None


def _store_path(func, args, kwargs) -> Path:
    import pandas

    key = hashlib.sha256(
        repr(
            (
                STORE_SCHEMA,
                f"{func.__module__}.{func.__qualname__}",
                args,
                tuple(sorted(kwargs.items())),
                _code_hash(),
                sys.version,
                pandas.__version__,
            )
        ).encode()
    ).hexdigest()
    return store_dir() / f"{func.__module__}.{func.__qualname__}" / f"{key[:32]}.pickle"


def _load_persisted(target: Path):
    """Return ``(result, files)`` of a persisted result still valid, else None.

    Every dependency is hashed again (opened or listed: see the module notes); ``files``
    maps the absolute path of each file among them to its :func:`stamp`.
    """
    try:
        with open(target, "rb") as fh:
            record = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign file: computed again and replaced
        return None
    roots = _roots()
    files = {}
    for kind, root_name, rel, digest in record["deps"]:
        path = _absolute(root_name, rel, roots)
        if path is None:
            return None
        if kind == "file":
            files[path] = stamp(path)  # before the hash: a later change is seen
        if _digest(kind, path) != digest:
            return None
    return record["result"], files


def _save_persisted(target: Path, result, seen: set, noted: dict) -> None:
    """Write a result with the hashes of what it depended on (nothing if unknown)."""
    roots = _roots()
    deps = {}
    for kind, path in sorted(seen | {("file", p) for p in noted}):
        rel = _relative(path, roots)
        if rel is None or (kind == "file" and os.path.isdir(path)):
            continue
        deps[(kind, *rel)] = _digest(kind, path)
    record = {"deps": [(*k, v) for k, v in sorted(deps.items())], "result": result}
    try:
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a result that cannot be pickled is kept in memory only
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError:  # a read-only outputs folder: nothing persisted
        pass


def _lock(target: Path):
    """Hold the lock of one persisted result (a file beside it); return it, or None.

    While one process computes a persisted result, another that asks for the same one
    waits here and then loads it, instead of computing it a second time (the book runs
    its chapters in parallel, and the first chapters all ask for the audit).  The lock is
    released by :func:`_unlock`, or by the system when the process ends.  Persisted calls
    nest only along the call graph, which has no cycles, so two processes never wait for
    each other.  None (no waiting) when the outputs folder cannot be written.
    """
    import fcntl

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        return None
    return fd


def _unlock(fd) -> None:
    """Release a lock taken by :func:`_lock` (None: nothing to release)."""
    if fd is None:
        return
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def stamp(path) -> tuple | None:
    """Return a file's stamp: size, mtime (ns), inode (and SHA-256 if modified just now).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    tuple or None
        None if the file cannot be stat-ed.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    item = (st.st_size, st.st_mtime_ns, st.st_ino)
    if st.st_mtime_ns > time.time_ns() - int(RACY_SECONDS * 1e9):
        try:
            with open(path, "rb") as fh:
                item += (hashlib.file_digest(fh, "sha256").hexdigest(),)
        except OSError:
            pass
    return item


def note_read(path) -> None:
    """Record that the running cached calls depend on the file ``path`` (call before reading).

    Parameters
    ----------
    path : str or Path
        A data file about to be read.
    """
    active = _ACTIVE.get()
    if not active:
        return
    p = os.path.abspath(path)
    s = stamp(p)
    for deps in active:
        deps.setdefault(p, s)


def data_cache(func=None, *, maxsize: int = 256, persist: bool = False):
    """Memoise a function that reads ``data/``, keyed on its arguments and the files it read.

    Use as ``@data_cache``, ``@data_cache(maxsize=8)`` or ``@data_cache(persist=True)``.
    A kept result is used again only while every file the call read has the stamp it had
    when read (see the module notes).  The wrapped function has ``cache_clear()`` like
    :func:`functools.lru_cache`; :func:`clear_all` clears every such cache (not the
    results persisted on disk, which are checked against the files' hashes).

    Parameters
    ----------
    func : callable
        The function (its arguments must be hashable, its results picklable to persist).
    maxsize : int
        Results kept in memory (least recently used dropped first).
    persist : bool
        Also keep each result on disk for other processes, keyed on the SHA-256 of what
        it depended on (see the module notes).  For a costly computation only: a call
        served from disk hashes every file the result depends on.
    """
    if func is None:
        return functools.partial(data_cache, maxsize=maxsize, persist=persist)

    store: OrderedDict = OrderedDict()

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        key = (os.path.abspath(paths.data_dir()), args, tuple(sorted(kwargs.items())))
        generation = _GENERATION.get()
        kept = store.get(key)
        if kept is not None:
            result, deps, made_in = kept
            # inside a persisted computation, only what it computed itself serves: what
            # it depends on must be seen opened (see the module notes)
            fresh = generation is None or made_in is generation
            if fresh and all(stamp(p) == s for p, s in deps.items()):
                store.move_to_end(key)
                for outer in _ACTIVE.get():
                    for p, s in deps.items():
                        outer.setdefault(p, s)
                return result
            del store[key]
        deps: dict = {}
        target = _store_path(func, args, kwargs) if persist else None
        loaded = _load_persisted(target) if persist else None
        # one process computes, the others wait for its result (see the module notes)
        lock = _lock(target) if persist and loaded is None else None
        try:
            if lock is not None:
                loaded = _load_persisted(target)  # written while this process waited?
            if loaded is not None:
                result, files = loaded
                deps.update(files)
            else:
                token = _ACTIVE.set((*_ACTIVE.get(), deps))
                if persist:
                    if not _HOOKED:
                        sys.addaudithook(_hook)
                        _HOOKED.append(True)
                    seen: set = set()
                    _CAPTURE.append(seen)
                    gen_token = _GENERATION.set(object())
                try:
                    result = func(*args, **kwargs)
                finally:
                    _ACTIVE.reset(token)
                    if persist:
                        _GENERATION.reset(gen_token)
                        _CAPTURE.remove(seen)
                if persist:
                    _save_persisted(target, result, seen, deps)
        finally:
            _unlock(lock)
        for outer in _ACTIVE.get():
            for p, s in deps.items():
                outer.setdefault(p, s)
        store[key] = (result, deps, generation)
        if len(store) > maxsize:
            store.popitem(last=False)
        return result

    wrapper.cache_clear = store.clear
    _REGISTRY.append(wrapper)
    return wrapper


def clear_all() -> None:
    """Forget every result kept by :func:`data_cache` (the next calls read the files again)."""
    for wrapper in _REGISTRY:
        wrapper.cache_clear()
