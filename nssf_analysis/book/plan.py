"""Plan a build: find the chapter notebooks and the years, hash the inputs, key the cache.

What goes here: where the notebooks are and which count as chapters
(:func:`discover_notebooks`), which years to build (:func:`resolve_years`), the hashes
of everything a run depends on (:class:`Inputs`) and the cache keys made from them
(:func:`code_key`, :func:`data_key`, :func:`execution_key`, :func:`fragment_key`), and
the errors of the build.  A run is keyed on its notebook, its parameters, the package
code, the library versions and the hashes of exactly the data files it read
(:mod:`nssf_analysis.book.readlog`).
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

from nssf_analysis import paths
from nssf_analysis.book.buildcache import (
    CACHE_SCHEMA,
    sha256_file,
    sha256_json,
    tree_file_hashes,
    tree_hash,
    tree_hash_of,
)
from nssf_analysis.data.cache import CODE_FILES
from nssf_analysis.exceptions import NSSFError, YearNotAvailableError

KERNEL_NAME = "nssf-analysis"
#: Command that installs that kernel into the virtualenv.
KERNEL_INSTALL = (
    ".venv/bin/python -m ipykernel install --sys-prefix --name nssf-analysis "
    '--display-name "Python (nssf-analysis)"'
)
#: Templates: ``nbconvert/nssf`` renders a notebook's cells, ``book/`` the pages.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Package versions printed in every page's footer.
FOOTER_PACKAGES = ("nssf-analysis", "pandas", "matplotlib", "statsmodels", "papermill", "nbconvert")
#: Further libraries whose version is part of the cache keys (outputs may change with them).
KEY_PACKAGES = FOOTER_PACKAGES + (
    "numpy",
    "scipy",
    "seaborn",
    "ipykernel",
    "nbclient",
    "nbformat",
    "jinja2",
    "pygments",
    "mistune",
    "openpyxl",
)
#: A chapter notebook: two digits, an underscore, a name.
CHAPTER_RE = re.compile(r"^(\d{2})_([A-Za-z0-9][A-Za-z0-9_\-]*)\.ipynb$")


class BookBuildError(NSSFError):
    """The book could not be built; the previous book is left as it was."""


class NotebookFailedError(BookBuildError):
    """A chapter notebook raised an error; names the notebook, the cell and the error."""


class BuildInterruptedError(BookBuildError):
    """The build was interrupted (Ctrl-C or a signal) before it published anything."""


# --------------------------------------------------------------------------- inputs


def notebooks_dir() -> Path:
    """Return the folder of the chapter notebooks (``$NSSF_NOTEBOOKS`` or ``notebooks/``)."""
    env = os.environ.get("NSSF_NOTEBOOKS")
    return Path(env) if env else paths.notebooks_dir()


def discover_notebooks(folder: Path) -> list[Path]:
    """Return the chapter notebooks ``NN_<name>.ipynb`` of ``folder``, in chapter order.

    Parameters
    ----------
    folder : Path
        Folder to look in (not recursive).

    Raises
    ------
    BookBuildError
        If the folder holds no chapter notebook.
    """
    folder = Path(folder)
    found = sorted(p for p in folder.glob("*.ipynb") if CHAPTER_RE.match(p.name))
    if not found:
        raise BookBuildError(f"{folder}: no chapter notebook (NN_<name>.ipynb) to build")
    return found


def years_with_data() -> list[int]:
    """Return every year for which some table has data, read from ``data/catalog.csv``.

    The same answer as :func:`nssf_analysis.catalog.available_years`, read with the
    standard library so that a build with nothing to do need not import pandas.
    """
    path = paths.data_dir() / "catalog.csv"
    if not path.exists():
        raise NSSFError(f"{path}: not found; run 'nssf-report extract' first")
    years: set[int] = set()
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            years |= {int(y) for y in row.get("years", "").split("; ") if y.strip()}
    return sorted(years)


def resolve_years(years=None, all_years: bool = False) -> list[int]:
    """Return the years to build: the given ones, every year with data, or the newest.

    Parameters
    ----------
    years : list of int, optional
        Years asked for (``--year``, repeatable).
    all_years : bool
        Build every year with data.

    Raises
    ------
    YearNotAvailableError
        If a year asked for has no data; the message lists the available years.
    """
    avail = years_with_data()
    if all_years:
        return avail
    if not years:
        return [avail[-1]]
    for y in years:
        if y not in avail:
            raise YearNotAvailableError(
                f"no data for year {y}; available years: {', '.join(map(str, avail))}"
            )
    return sorted(set(years))


def package_versions(names=KEY_PACKAGES) -> dict[str, str]:
    """Return ``{package: version}`` for ``names`` ("not installed" when missing)."""
    out = {}
    for name in names:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_state(root: Path | None = None) -> dict:
    """Return the commit of the working tree and whether it has uncommitted changes.

    Parameters
    ----------
    root : Path, optional
        Folder inside the repository (default: the project root).

    Returns
    -------
    dict
        ``{"commit": <sha or "unknown">, "dirty": bool}``.
    """
    root = Path(root) if root else paths.ROOT

    def git(*args) -> str | None:
        try:
            res = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return res.stdout.strip() if res.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return {"commit": "unknown", "dirty": False}
    status = git("status", "--porcelain")
    return {"commit": commit, "dirty": bool(status)}


@dataclass
class Inputs:
    """Content hashes of everything a build depends on (computed once per build).

    ``data`` is one hash over every file of ``data/``; ``files`` the hash of each file
    (by its path relative to ``data/``), from which :meth:`read_hash` answers for the
    files a chapter read.
    """

    data: str
    code: str
    nb_template: str
    book_templates: str
    readme: str
    versions: dict
    git: dict
    files: dict = field(default_factory=dict)
    _extra: dict = field(default_factory=dict, repr=False)

    @classmethod
    def collect(cls) -> Inputs:
        """Hash ``data/``, the package code and data files, the templates and the README."""
        readme = paths.ROOT / "README.md"
        files = tree_file_hashes(paths.data_dir())
        return cls(
            data=tree_hash_of(files),
            code=tree_hash(Path(__file__).resolve().parent.parent, CODE_FILES),
            nb_template=tree_hash(TEMPLATES / "nbconvert"),
            book_templates=tree_hash(TEMPLATES / "book"),
            readme=sha256_file(readme) if readme.exists() else "",
            versions=package_versions(),
            git=git_state(),
            files=files,
        )

    def read_hash(self, rel: str) -> str | None:
        """Return the hash of what a chapter read at ``rel`` (relative to ``data/``).

        A file's content hash; for a folder, the hash of the names it lists; None when
        nothing is there.
        """
        if rel in self.files:
            return self.files[rel]
        if rel not in self._extra:
            p = paths.data_dir() / rel
            if p.is_dir():
                value = "folder:" + sha256_json(sorted(os.listdir(p)))
            elif p.is_file():
                value = sha256_file(p)
            else:
                value = None
            self._extra[rel] = value
        return self._extra[rel]


def code_key(source: Path, year: int, inputs: Inputs) -> str:
    """Return the key of what a notebook run depends on besides data.

    It changes when the notebook's source, the package code, the library versions, the
    kernel or the parameters change.

    Parameters
    ----------
    source : Path
        The source notebook.
    year : int
        The ``year`` parameter.
    inputs : Inputs
        Hashes of the build's inputs.
    """
    return sha256_json(
        {
            "schema": CACHE_SCHEMA,
            "notebook": sha256_file(source),
            "code": inputs.code,
            "versions": inputs.versions,
            "kernel": KERNEL_NAME,
            "parameters": {"year": year},
        }
    )


def data_key(reads, inputs: Inputs) -> str:
    """Return the key of the data a notebook run read.

    Parameters
    ----------
    reads : list of str or None
        The paths (relative to ``data/``) the run read, as :mod:`nssf_analysis.readlog`
        recorded them; None when they are unknown, and then every file of ``data/``
        counts.
    inputs : Inputs
        Hashes of the build's inputs.
    """
    if reads is None:
        return sha256_json({"all data": inputs.data})
    return sha256_json({rel: inputs.read_hash(rel) for rel in sorted(reads)})


def execution_key(source: Path, year: int, inputs: Inputs, reads=None) -> str:
    """Return the cache key of one notebook run.

    It is :func:`code_key` (same ``source``, ``year`` and ``inputs``) joined with
    :func:`data_key` of ``reads``, the data files the run read (every file of
    ``data/`` when None): it changes when the notebook's source, the data it read, the
    package code, the library versions, the kernel or the parameters change.
    """
    return sha256_json({"code": code_key(source, year, inputs), "data": data_key(reads, inputs)})


def fragment_key(exec_key: str, inputs: Inputs) -> str:
    """Return the cache key of a chapter's rendered cells (execution key + template)."""
    return sha256_json({"execution": exec_key, "template": inputs.nb_template})


def _cache_paths(cache_dir: Path, year: int, name: str, key: str) -> tuple[Path, Path]:
    base = cache_dir / "executed" / str(year)
    return base / f"{name}-{key[:16]}.ipynb", base / f"{name}-{key[:16]}.html"


def _entry_valid(entry: dict | None, key: str, cache_dir: Path) -> bool:
    if not entry or entry.get("key") != key:
        return False
    ex = cache_dir / entry.get("executed", "")
    return ex.is_file() and sha256_file(ex) == entry.get("executed_sha256")


def _fragment_valid(entry: dict, fkey: str, cache_dir: Path) -> bool:
    if entry.get("fragment_key") != fkey:
        return False
    fr = cache_dir / entry.get("fragment", "")
    return fr.is_file() and sha256_file(fr) == entry.get("fragment_sha256")
