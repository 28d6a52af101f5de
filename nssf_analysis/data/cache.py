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
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import os
import time
from collections import OrderedDict

from nssf_analysis import paths

#: Files modified this recently (seconds) are stamped with their content's digest as well.
RACY_SECONDS = 2.0

#: The dependency maps (path -> stamp) of the cached calls now running, outermost first.
_ACTIVE: contextvars.ContextVar[tuple[dict, ...]] = contextvars.ContextVar(
    "nssf_data_reads", default=()
)
_REGISTRY: list = []


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


def data_cache(func=None, *, maxsize: int = 256):
    """Memoise a function that reads ``data/``, keyed on its arguments and the files it read.

    Use as ``@data_cache`` or ``@data_cache(maxsize=8)``.  A kept result is used again only
    while every file the call read has the stamp it had when read (see the module notes).
    The wrapped function has ``cache_clear()`` like :func:`functools.lru_cache`;
    :func:`clear_all` clears every such cache.

    Parameters
    ----------
    func : callable
        The function (its arguments must be hashable).
    maxsize : int
        Results kept (least recently used dropped first).
    """
    if func is None:
        return functools.partial(data_cache, maxsize=maxsize)

    store: OrderedDict = OrderedDict()

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        key = (os.path.abspath(paths.data_dir()), args, tuple(sorted(kwargs.items())))
        kept = store.get(key)
        if kept is not None:
            result, deps = kept
            if all(stamp(p) == s for p, s in deps.items()):
                store.move_to_end(key)
                for outer in _ACTIVE.get():
                    for p, s in deps.items():
                        outer.setdefault(p, s)
                return result
            del store[key]
        deps: dict = {}
        token = _ACTIVE.set((*_ACTIVE.get(), deps))
        try:
            result = func(*args, **kwargs)
        finally:
            _ACTIVE.reset(token)
        for outer in _ACTIVE.get():
            for p, s in deps.items():
                outer.setdefault(p, s)
        store[key] = (result, deps)
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
