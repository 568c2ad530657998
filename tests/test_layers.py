"""The packages of fazhan form layers (Step 7, item 4): no import loop between the top-level
packages (`fazhan/<name>/` and `fazhan/<name>.py`), counting imports inside functions and under
`TYPE_CHECKING`, and `fazhan/policy` imports nothing outside `fazhan/policy` and `fazhan/policies`.

The graph is read from the source with `ast`, so an import the interpreter never runs (inside a
function, under TYPE_CHECKING) counts like any other."""

from __future__ import annotations

import ast
from pathlib import Path

import fazhan

ROOT = Path(fazhan.__file__).resolve().parent
PURE = {"policy", "policies"}


def _top(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "fazhan" or len(parts) < 2:
        return None
    return parts[1]


def _resolve(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph() -> dict[str, dict[str, list[str]]]:
    """top-level package → imported top-level package → files (relative) where it is imported."""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {"static", "locale"} or "migrations" in rel.parts:
            continue
        here = rel.parts[0].removesuffix(".py")
        module_parts = ["fazhan", *rel.with_suffix("").parts]
        is_package = path.name == "__init__.py"
        package = ".".join(module_parts if is_package else module_parts[:-1])
        if is_package:
            package = ".".join(module_parts[:-1])
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(node, package)
                names = [target] + [f"{target}.{alias.name}" for alias in node.names]
            for name in names:
                top = _top(name)
                known = top is not None and ((ROOT / top).is_dir() or (ROOT / f"{top}.py").exists())
                if known and top != here:
                    graph.setdefault(here, {}).setdefault(top, []).append(str(rel))
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, {}):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_it_has_no_import_loop_between_top_level_packages() -> None:
    graph = import_graph()
    loops = cycles(graph)
    detail = {
        tuple(loop): {a: {b: graph[a][b][:2] for b in graph.get(a, {}) if b in loop} for a in loop}
        for loop in loops
    }
    assert loops == [], detail


def test_it_keeps_policy_free_of_django_and_the_apps() -> None:
    outside: list[str] = []
    for package in PURE:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module or ""]
                else:
                    continue
                for name in names:
                    top = _top(name)
                    if name.split(".")[0] == "django" or (
                        name.startswith("fazhan") and top not in PURE
                    ):
                        outside.append(f"{path.relative_to(ROOT)}: {name}")
    assert outside == []


def test_it_finds_a_loop_it_is_shown() -> None:
    """The checker itself: a loop hidden inside a function is a loop."""
    graph = {"a": {"b": ["a.py"]}, "b": {"c": ["b.py"]}, "c": {"a": ["c.py"]}, "d": {"a": ["d"]}}
    assert cycles(graph) == [["a", "b", "c"]]
