"""No import cycles in ``cpd_desktop``, and the storage layer imports no layer above it.

The graph is read from the source (``ast``), not from ``sys.modules``, so that an import made inside a
function counts as much as one at the top of a module: a function-level import hides a cycle from
Python's start-up but not from the design, and it is the kind the code had (``db`` → ``migrate`` →
``services.backups`` → ``db``). Relative imports are resolved, and ``from package import module`` is an
edge to that module. Imports under ``if TYPE_CHECKING:`` are left out: they never run, and they are how
a lower layer names a type of a higher one (``storage.backups`` names ``Database``). A package's
``__init__`` is not counted as imported by its submodules (Python runs it first, but it imports
nothing back here), so ``storage/__init__.py`` holds no imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cpd_desktop"
STORAGE_MAY_NOT_IMPORT = ("cpd_desktop.services", "cpd_desktop.ui", "cpd_desktop.imports", "cpd_desktop.exports",
                          "cpd_desktop.cli")

Graph = dict[str, dict[str, int]]  # module -> {imported module: line of the first such import}


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that can run: at the top, in functions and classes, in try/else branches; not under
    ``if TYPE_CHECKING:`` (its ``else:`` branch does run)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _all_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def build_graph(root: Path, *, type_checking: bool = False) -> Graph:
    """The import graph of the package at ``root``; with ``type_checking``, TYPE_CHECKING imports too."""
    files = {module_name(root, p): p for p in sorted(root.rglob("*.py"))}
    modules = set(files)
    graph: Graph = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        edges: dict[str, int] = {}
        found: list[tuple[str, int]] = []
        imports = _all_imports(tree) if type_checking else _runtime_imports(tree)
        for node in imports:
            if isinstance(node, ast.Import):
                found.extend((alias.name, node.lineno) for alias in node.names)
                continue
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.append((submodule if submodule in modules else source, node.lineno))
        for target, line in sorted(found, key=lambda item: item[1]):
            # The module itself if it is one of ours, else the nearest enclosing one of ours.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import one another, however indirectly."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, {}))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return [group for group in found if len(group) > 1]


def a_cycle(graph: Graph, group: list[str]) -> list[str]:
    """One concrete path around a group (first module back to itself), for the failure message."""
    members = set(group)
    start = group[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node]):
            if child == start:
                return [*paths[node], start]
            if child in members and child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    return group


def describe(graph: Graph, group: list[str]) -> str:
    path = a_cycle(graph, group)
    steps = " → ".join(f"{a} (line {graph[a][b]})" for a, b in zip(path, path[1:], strict=False))
    return f"{len(group)} modules import one another: {steps} → {path[-1]}"


def test_no_import_cycles_counting_imports_inside_functions() -> None:
    graph = build_graph(PACKAGE)
    cycles = [describe(graph, group) for group in strongly_connected(graph)]
    assert not cycles, "Import cycles:\n" + "\n".join(cycles)


def test_storage_imports_no_layer_above_it() -> None:
    """The storage layer runs under every other part: it names none of them, not even for typing."""
    graph = build_graph(PACKAGE, type_checking=True)
    wrong = sorted(f"{module} imports {target} (line {line})"
                   for module, edges in graph.items() if module.startswith("cpd_desktop.storage")
                   for target, line in edges.items() if target.startswith(STORAGE_MAY_NOT_IMPORT))
    assert not wrong, "\n".join(wrong)


def test_the_old_storage_modules_are_gone() -> None:
    for old in ("db.py", "migrate.py", "schema.py", "services/backups.py", "services/locking.py", "services/guard.py"):
        assert not (PACKAGE / old).exists(), f"{old} is back beside cpd_desktop/storage"


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root


def test_the_scanner_sees_a_cycle_through_a_function_level_relative_import(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "__init__.py": "",
        "low.py": "def f():\n    from .high import g\n",
        "high.py": "from . import low\n",
        "sub/__init__.py": "",
        "sub/deep.py": "def h():\n    try:\n        from ..low import f\n    finally:\n        pass\n",
        "other.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .high import g\nelse:\n    import os\n",
    })
    graph = build_graph(root)
    assert graph["pkg.high"] == {"pkg.low": 1}  # `from . import low` is the module, not the package
    assert graph["pkg.sub.deep"] == {"pkg.low": 3}
    assert graph["pkg.other"] == {}  # a TYPE_CHECKING import never runs
    assert build_graph(root, type_checking=True)["pkg.other"] == {"pkg.high": 3}
    groups = strongly_connected(graph)
    assert groups == [["pkg.high", "pkg.low"]]
    message = describe(graph, groups[0])
    assert "pkg.high (line 1) → pkg.low (line 2) → pkg.high" in message


@pytest.mark.parametrize(("source", "target"), [
    ("import pkg.b\n", "pkg.b"),
    ("from pkg import b\n", "pkg.b"),
    ("from pkg.b import x\n", "pkg.b"),  # a name in a package: the package
    ("from .b.c import y\n", "pkg.b.c"),
    ("def f():\n    import pkg.b.c as c\n", "pkg.b.c"),
    ("class K:\n    def f(self):\n        from .b import c\n", "pkg.b.c"),  # a module in a package: the module
])
def test_every_spelling_of_an_import_is_an_edge(tmp_path: Path, source: str, target: str) -> None:
    root = _package(tmp_path, {"__init__.py": "", "a.py": source, "b/__init__.py": "from .. import a\n",
                               "b/c.py": "import pkg.a\n"})
    graph = build_graph(root)
    assert set(graph["pkg.a"]) == {target}
    assert strongly_connected(graph) == [sorted(["pkg.a", target])]
