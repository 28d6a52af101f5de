"""The opening paragraph of each section: sentence templates, kept as data.

A new sentence of a section's paragraph goes in ``intros.toml`` beside this module
(its header says how one is written). :data:`INTROS` is that file, read and checked
once: a template whose ``{name}`` has no figure, or a figure without its table, is an
error naming the file and the key. :func:`nssf_analysis.render.prose.intro` writes the
paragraph.
"""

from __future__ import annotations

import string
from pathlib import Path

from nssf_analysis.data.declarations import read_toml
from nssf_analysis.exceptions import NSSFError

#: The templates' file.
INTROS_PATH = Path(__file__).with_name("intros.toml")

#: Names every template may use besides its figures.
_YEARS = {"year", "prev"}


def _problem(path: Path, key: str, what: str) -> NSSFError:
    return NSSFError(f"{path}: {key}: {what}")


def load_intros(path: Path = INTROS_PATH) -> dict[str, list[tuple[str, dict]]]:
    """Read and check the templates: section → [(template, {name: (table_id, dims)})].

    Parameters
    ----------
    path : Path
        The file (default :data:`INTROS_PATH`).

    Raises
    ------
    NSSFError
        Naming the file and the key at fault: not TOML, a sentence without a template, a
        figure without its table, or a ``{name}`` of a template that names no figure.
    """
    doc = read_toml(path)
    out: dict[str, list[tuple[str, dict]]] = {}
    for section, sentences in doc.items():
        if not isinstance(sentences, list):
            raise _problem(path, section, 'not a list of sentences ([["<section>"]])')
        out[section] = []
        for n, sentence in enumerate(sentences, start=1):
            where = f"{section} sentence {n}"
            template = sentence.get("template")
            if not isinstance(template, str):
                raise _problem(path, f"{where}.template", "missing or not text")
            figures = {}
            for name, fig in sentence.items():
                if name == "template":
                    continue
                if not isinstance(fig, dict) or not isinstance(fig.get("table"), str):
                    raise _problem(path, f"{where}.{name}", "a figure needs its table")
                figures[name] = (fig["table"], {k: v for k, v in fig.items() if k != "table"})
            for _, field, _, _ in string.Formatter().parse(template):
                if field is None or field in _YEARS:
                    continue
                if field.removesuffix("_change") not in figures:
                    raise _problem(path, f"{where}.template", f"{{{field}}} names no figure")
            out[section].append((template, figures))
    return out


#: Section → sentences: (template, {name: (table_id, dims)}), from ``intros.toml``.
INTROS: dict[str, list[tuple[str, dict]]] = load_intros()
