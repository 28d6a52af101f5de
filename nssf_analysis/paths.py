"""Locations of the project's folders: seeds, data, outputs and notebooks.

Every path can be redirected with an environment variable so that tests and
benchmarks can work on copies without touching the committed files.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "ROOT",
    "data_dir",
    "notebooks_dir",
    "outputs_dir",
    "raw_dir",
    "seeds_dir",
    "tidy_dir",
]

#: The project root (the folder that holds ``pyproject.toml``).
ROOT = Path(os.environ.get("NSSF_ROOT", Path(__file__).resolve().parent.parent))


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


def seeds_dir() -> Path:
    """Return the folder that holds the report text files (read-only)."""
    return _env_path("NSSF_SEEDS", ROOT / "seeds")


def data_dir() -> Path:
    """Return the folder of generated, committed data (``raw/``, ``tidy/``, catalog)."""
    return _env_path("NSSF_DATA", ROOT / "data")


def raw_dir() -> Path:
    """Return the folder of tables as printed."""
    return data_dir() / "raw"


def tidy_dir() -> Path:
    """Return the folder of tidy long-form tables."""
    return data_dir() / "tidy"


def outputs_dir() -> Path:
    """Return the disposable outputs folder (executed notebooks, book, audit)."""
    return _env_path("NSSF_OUTPUTS", ROOT / "outputs")


def notebooks_dir() -> Path:
    """Return the folder of the source notebooks."""
    return ROOT / "notebooks"
