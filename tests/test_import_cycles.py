"""The package's imports run one way: no module imports, however late, one that imports it.

The checker reads every module of a folder with :mod:`ast`, module-level and
function-level imports alike (``TYPE_CHECKING`` ones too), and looks for a cycle among the
modules of that folder.
"""

import ast
import textwrap
from pathlib import Path

import pytest

import nssf_analysis

PACKAGE = Path(nssf_analysis.__file__).resolve().parent

#: The modules that read ``data/`` and everything they import (the writer is never among them).
READERS = ("catalog", "report_text")
#: The modules that write ``data/``.
WRITERS = ("extract", "tidy", "checks", "layout", "editions", "revisions", "facts", "pipeline")


def module_names(folder: Path, package: str) -> dict[str, Path]:
    """Return ``{dotted name: file}`` of every module under ``folder`` (package ``package``)."""
    out = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join([package, *parts])] = path
    return out


def import_graph(folder: Path, package: str, aliases=None) -> dict[str, set[str]]:
    """Return ``{module: modules of the folder it imports}`` for every module of ``folder``.

    ``aliases`` maps a dotted name to the module it stands for (``nssf_analysis.MOVED``).
    """
    modules = module_names(folder, package)
    aliases = {f"{package.split('.')[0]}.{k}": v for k, v in (aliases or {}).items()}

    def known(name: str) -> str | None:
        name = aliases.get(name, name)
        return name if name in modules else None

    graph = {}
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                # ``from pkg import mod`` imports the module; ``from mod import name``, mod
                targets = [known(f"{base}.{a.name}") or base for a in node.names]
            else:
                continue
            found |= {m for t in targets if (m := known(t)) and m != name}
        graph[name] = found
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle (``[a, b, …, a]``) of ``graph``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, nxt])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def reach(graph: dict[str, set[str]], start: str) -> set[str]:
    """Return every module ``start`` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_data_layer_has_no_import_cycle():
    graph = import_graph(PACKAGE / "data", "nssf_analysis.data", {})
    assert len(graph) > 10
    assert find_cycle(graph) is None


def test_the_package_has_no_import_cycle():
    graph = import_graph(PACKAGE, "nssf_analysis", {})
    assert len(graph) > 60
    assert find_cycle(graph) is None


def test_the_reader_never_imports_the_writer():
    graph = import_graph(PACKAGE / "data", "nssf_analysis.data")
    for reader in READERS:
        imported = {m.rpartition(".")[2] for m in reach(graph, f"nssf_analysis.data.{reader}")}
        assert not imported & set(WRITERS), reader


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.mark.parametrize(
    "b_text",
    [
        "from pkg import a\n",
        "def late():\n    from pkg.a import VALUE\n",
        "from . import a\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n",
    ],
)
def test_the_checker_finds_a_cycle_however_it_is_written(tmp_path, b_text):
    write(tmp_path, "__init__.py", "")
    write(tmp_path, "a.py", "from pkg.b import thing\nVALUE = 1\n")
    write(tmp_path, "b.py", b_text)
    write(tmp_path, "c.py", "import pkg.a\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.c"] == {"pkg.a"}
    assert find_cycle(graph) in (["pkg.a", "pkg.b", "pkg.a"], ["pkg.b", "pkg.a", "pkg.b"])


def test_the_checker_follows_imports_one_way(tmp_path):
    write(tmp_path, "__init__.py", "")
    write(tmp_path, "a.py", "import os\nfrom pkg.b import thing\n")
    write(tmp_path, "b.py", "def f():\n    from pkg import c\n")
    write(tmp_path, "c.py", "")
    graph = import_graph(tmp_path, "pkg")
    assert graph == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": set()}
    assert find_cycle(graph) is None
    assert reach(graph, "pkg.a") == {"pkg.b", "pkg.c"}
