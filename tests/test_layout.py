"""The package layout tells the flow: no import cycles, stages import downwards only.

Walks every module's imports with :mod:`ast`, counting imports inside
functions and under ``TYPE_CHECKING`` too: a lazy import is still a
dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "matchmaker"

# Lower numbers are earlier stages; a module may import its own stage and lower ones.
# Stages of equal rank (planning, evaluation) do not import each other.
STAGES = {
    "_errors": 0,
    "_normalise": 0,
    "_progress": 0,
    "_display": 0,
    "catalogue": 1,
    "vectors": 2,
    "ranking": 3,
    "planning": 4,
    "evaluation": 4,
    "export": 5,
    "charts": 5,
    "cli": 6,
    "__main__": 7,
    "__init__": 7,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every matchmaker module this file imports, resolved to absolute dotted names."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] == "matchmaker":
                found.add(target)
                # "from . import x" or "from .pkg import module" names modules too
                found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "matchmaker")
    return found


def _graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {t for t in _imports(path) if t in files and t != name}
        for name, path in files.items()
    }


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_stages_import_downwards_only() -> None:
    wrong = []
    for module, targets in sorted(_graph().items()):
        here = _stage(module)
        if here in ("__init__", "__main__"):
            continue
        for target in sorted(targets):
            there = _stage(target)
            if there == here:
                continue
            if STAGES[there] >= STAGES[here]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "a stage imports a later (or sibling) stage:\n" + "\n".join(wrong)


def test_argparse_only_in_the_command_line_package() -> None:
    offenders = [
        _module_name(p)
        for p in PACKAGE.rglob("*.py")
        if "argparse" in _imports_std(p) and _stage(_module_name(p)) != "cli"
    ]
    assert not offenders, f"argparse outside matchmaker.cli: {offenders}"


def _imports_std(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_stage_is_a_known_folder() -> None:
    stages = {_stage(_module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert stages <= set(STAGES), f"unknown top-level modules: {sorted(stages - set(STAGES))}"


def test_no_module_over_a_thousand_lines() -> None:
    long = {
        _module_name(p): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 1000
    }
    assert not long, f"modules over 1,000 lines: {long}"


def test_the_walker_sees_a_cycle_and_a_lazy_import(tmp_path: Path) -> None:
    """The checks above can fail: the walker finds lazy and TYPE_CHECKING imports."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ..ranking._engine import Matchmaker\n"
        "def f():\n    from ._y import g\n"
    )
    folder = PACKAGE / "catalogue"
    fake = folder / "_layout_probe.py"
    fake.write_text(source, encoding="utf-8")
    try:
        found = _imports(fake)
    finally:
        fake.unlink()
    assert "matchmaker.ranking._engine" in found
    assert "matchmaker.catalogue._y" in found
