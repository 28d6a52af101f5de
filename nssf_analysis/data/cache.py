"""The one cache of what ``data/`` and ``seeds/`` give: in memory, and on disk if asked.

``@data_cache`` memoises a function with :func:`functools.lru_cache`, keyed on its
arguments and on where ``data/`` and ``seeds/`` are (``NSSF_DATA``, ``NSSF_SEEDS``).  A
result is used again only while every file its computation loaded (read through
:func:`nssf_analysis.data.files.read_bytes`, by itself or by a cached call it made) still
has the SHA-256 it had when read, so a long-lived kernel sees a new extraction or a
hand-edited file at its next call.  An outermost cached call hashes each file at most once
(:func:`~nssf_analysis.data.files.same_files`).  A result served without computing it
replays the loads its computation made (the loads protocol:
:mod:`nssf_analysis.data.files`).

``@data_cache(persist=True)`` also keeps each result on disk for the next process (every
chapter of the book runs on a fresh kernel), with :class:`joblib.Memory` under
``outputs/.cache/data`` (:func:`store_dir`).  The entry is keyed on the function, the
key above, the data version (:func:`~nssf_analysis.data.files.data_version`, the SHA-256
of the manifest ``data/SHA256SUMS``: every extraction that changes a file changes it), a
hash of the package's code (:func:`code_hash`, once per process) and the Python and pandas
versions.  It holds the result and its loads with their SHA-256: read back, it is used only
if those files are unchanged (a hand edit does not change the manifest), and its loads are
replayed.  A damaged entry is computed again (joblib's own handling, which logs it).

Every version of the code or the data adds entries, so the store is kept to
:data:`STORE_LIMIT` (:func:`trim_store`, which ``nssf-report build`` calls as it ends):
the entries least recently read go first (joblib's ``Memory.reduce_size``, by each entry's
last access time).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import sys
import time
from pathlib import Path

import joblib
import pandas as pd

from nssf_analysis import paths
from nssf_analysis.data import files

__all__ = [
    "CODE_FILES",
    "STORE_LIMIT",
    "clear_all",
    "code_hash",
    "data_cache",
    "store_dir",
    "trim_store",
]

#: The package's files its results depend on: its code and the data files it ships.
CODE_FILES = ("**/*.py", "**/*.json", "**/*.toml", "**/*.csv")
#: The most the store of persisted results holds (a version of the code and the data of
#: two years' books takes about 10 MB).
STORE_LIMIT = "256M"
_CACHES: list = []


def store_dir() -> Path:
    """Return the folder of persisted results (``outputs/.cache/data``)."""
    return paths.outputs_dir() / ".cache" / "data"


@functools.cache
def code_hash() -> str:
    """Return one SHA-256 over the package's :data:`CODE_FILES` (computed once per process)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for p in sorted({p for pattern in CODE_FILES for p in root.glob(pattern) if p.is_file()}):
        rel = p.relative_to(root)
        if not any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            h.update(rel.as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _computed(func, key: tuple) -> tuple:
    """Call ``func`` on a key's arguments; return its result and its loads (``{name: sha256}``)."""
    with files.collect() as collected:
        result = func(*key[1], **dict(key[2]))
    return result, collected


def _on_disk(func):
    """Return ``compute(key)`` of ``func`` through a :class:`joblib.Memory` store."""

    def stored(key, version):  # version keys the entry, unused here
        return _computed(func, key)

    stored.__module__, stored.__name__, stored.__qualname__ = (
        func.__module__,
        func.__name__,
        func.__qualname__,
    )

    @functools.lru_cache(maxsize=4)
    def memorized(location: str):
        return joblib.Memory(location, verbose=0).cache(stored)

    def compute(key):
        try:
            entry = memorized(str(store_dir()))
        except OSError:  # an outputs folder that cannot be written: kept in memory only
            return _computed(func, key)
        version = (files.data_version(), code_hash(), sys.version, pd.__version__)
        if not entry.check_call_in_cache(key, version):
            # processes that ask at once (the book's chapters) compute it once: the first
            # holds a lock while it computes, the others then find it stored
            lock = store_dir() / "locks" / f"{joblib.hash((func.__qualname__, key, version))}"
            lock.parent.mkdir(parents=True, exist_ok=True)
            with open(lock, "a") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                return _checked(entry, key, version)
        return _checked(entry, key, version)

    return compute


def _checked(entry, key: tuple, version: tuple) -> tuple:
    """Return a stored result, computed again when a file it loaded changed since."""
    result, collected = entry(key, version)
    if files.changed(collected):  # a file it loaded was edited since: compute again
        result, collected = entry.call(key, version)[0]
    return result, collected


def data_cache(func=None, *, maxsize: int = 256, persist: bool = False):
    """Memoise a function that reads ``data/`` or ``seeds/`` (see the module notes).

    Use as ``@data_cache``, ``@data_cache(maxsize=8)`` or ``@data_cache(persist=True)``.
    The wrapped function has ``cache_clear()``; :func:`clear_all` clears every such cache
    in memory.

    Parameters
    ----------
    func : callable
        The function; its arguments must be hashable (and, to persist, its arguments and
        results picklable).
    maxsize : int
        Results kept in memory (least recently used dropped first).
    persist : bool
        Also keep each result on disk for other processes.
    """
    if func is None:
        return functools.partial(data_cache, maxsize=maxsize, persist=persist)
    compute = _on_disk(func) if persist else functools.partial(_computed, func)

    @functools.lru_cache(maxsize=maxsize)
    def kept(key) -> list:
        return []  # [result, loads] once computed

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        key = (files.folders(), args, tuple(sorted(kwargs.items())))
        with files.same_files():
            entry = kept(key)
            if not entry or files.changed(entry[1]):
                entry[:] = compute(key)
            files.replay(entry[1])
            return entry[0]

    wrapper.cache_clear = kept.cache_clear
    _CACHES.append(wrapper)
    return wrapper


def clear_all() -> None:
    """Forget every result kept in memory by :func:`data_cache` (not those on disk)."""
    for wrapper in _CACHES:
        wrapper.cache_clear()


def trim_store(bytes_limit: int | str = STORE_LIMIT) -> None:
    """Keep the store of persisted results (:func:`store_dir`) within ``bytes_limit``.

    The entries least recently read are removed first, with the lock files older than a
    day (a computation holds its lock for seconds).

    Parameters
    ----------
    bytes_limit : int or str
        Bytes, or a size such as ``"256M"`` (joblib's units K, M and G).
    """
    store = store_dir()
    if not store.is_dir():
        return
    joblib.Memory(str(store), verbose=0).reduce_size(bytes_limit=bytes_limit)
    day_ago = time.time() - 86400
    for lock in (store / "locks").glob("*"):
        with contextlib.suppress(OSError):
            if lock.stat().st_mtime < day_ago:
                lock.unlink()
