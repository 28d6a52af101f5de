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


@pytest.mark.parametrize("old", ["catalog", "tables", "audit", "stats", "indicators"])
def test_no_module_goes_by_another_name(old):
    import importlib

    # the former flat names are gone: a module is found only where its file is
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"nssf_analysis.{old}")


def test_the_public_api_is_one_page_of_names_of_their_own_modules():
    import importlib

    assert set(nssf_analysis.__all__) == {"setup", *nssf_analysis.API}
    for name, module in nssf_analysis.API.items():
        obj = getattr(nssf_analysis, name)
        assert obj is getattr(importlib.import_module(module), name)
        if callable(obj):
            assert obj.__module__ == module, name  # defined there, not passed along
            assert obj.__doc__ and "Examples" in obj.__doc__, name


def _defined(tree: ast.Module) -> set[str]:
    """Return the names a module defines at its top level (not those it imports)."""
    out = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                out.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
    return out


def test_every_module_declares_its_own_public_names_and_passes_none_along():
    missing, passed = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        rel = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = _defined(tree)
        if path.name == "__init__.py":
            continue  # a package's face: its submodules, or the API it documents
        if "__all__" not in defined:
            missing.append(rel)
            continue
        value = next(
            n.value
            for n in tree.body
            if isinstance(n, ast.Assign)
            and any(getattr(t, "id", "") == "__all__" for t in n.targets)
        )
        passed += [f"{rel}: {name}" for name in ast.literal_eval(value) if name not in defined]
    assert missing == [] and passed == []


def test_a_module_runs_as_a_script():
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
