"""Reading the package's declaration files (TOML): one reader, one error for a bad file.

The flat declarations that are data rather than code (the facts of the prose,
``data/facts.toml``; the audit's subsets and copies, ``analysis/audit/*.toml``) are read
by :func:`read_toml`; each caller then checks its own entries and names the file and the
entry at fault.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from nssf_analysis.exceptions import NSSFError

__all__ = ["read_toml"]


def read_toml(path: Path, error: type[NSSFError] = NSSFError) -> dict:
    """Return the content of a TOML declaration file.

    Parameters
    ----------
    path : Path
        The file.
    error : type
        The exception raised (a :class:`~nssf_analysis.exceptions.NSSFError`).

    Raises
    ------
    NSSFError
        Of type ``error``, naming the file, when it cannot be read or is not TOML.
    """
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise error(f"{path}: cannot be read as TOML ({err})") from None
