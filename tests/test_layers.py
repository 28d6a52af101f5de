"""The package's folders are layers and imports run one way: data ← analysis ← render ← book.

Every import inside the package (at module level or in a function) is read from the
source with :mod:`ast`; a module of a layer may import its own layer and the layers
before it, and the top-level ``paths`` and ``exceptions``.
"""

import ast
from pathlib import Path

import pytest

import nssf_analysis

PACKAGE = Path(nssf_analysis.__file__).resolve().parent
ORDER = {"data": 0, "analysis": 1, "render": 2, "book": 3}


def _imports(path: Path) -> set[str]:
    mod = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    parts = mod.split(".")
    if path.name == "__init__.py":
        parts = parts[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - node.level + (1 if path.name == "__init__.py" else 0)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.add(name)
            out.update(f"{name}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {n for n in out if n.startswith("nssf_analysis.")}


def _layer(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ORDER else None


def _violations() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        own = rel.parts[0] if len(rel.parts) > 1 else None
        if own not in ORDER:
            continue
        for name in sorted(_imports(path)):
            layer = _layer(name)
            if layer and ORDER[layer] > ORDER[own]:
                out.append(f"{rel.as_posix()} imports {name}")
            if name.split(".")[1:2] and name.split(".")[1] in nssf_analysis.MOVED:
                out.append(f"{rel.as_posix()} imports the former name {name}")
    return out


def test_imports_run_one_way():
    assert _violations() == []


def test_the_check_sees_a_wrong_way_import(tmp_path, monkeypatch):
    fake = tmp_path / "nssf_analysis"
    (fake / "data").mkdir(parents=True)
    (fake / "data" / "x.py").write_text("from nssf_analysis.render import tables\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert _violations() == ["data/x.py imports nssf_analysis.render"] or _violations()[
        0
    ].startswith("data/x.py imports nssf_analysis.render")


@pytest.mark.parametrize("old", sorted(nssf_analysis.MOVED))
def test_former_names_are_the_same_modules(old):
    import importlib

    assert importlib.import_module(f"nssf_analysis.{old}") is importlib.import_module(
        nssf_analysis.MOVED[old]
    )


def test_a_former_name_runs_as_a_script():
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "nssf_analysis.data.editions", "/nonexistent/report.txt"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert run.stderr == "error: /nonexistent/report.txt: report file not found\n"
