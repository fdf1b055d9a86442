"""The layout's rules that neither ruff nor import-linter checks (pyproject.toml holds the
import-linter contracts): no import cycles, counting the imports inside functions and
under ``TYPE_CHECKING``, and no module in ``annotator/`` over 600 lines.

The modules are read as text with ``ast``: nothing is imported, so a cycle that would
only fail at run time on some path is found all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("annotator", "bench")  # the app, and the benchmark that drives it
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


def _imported_names(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names an import statement binds or reads from."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: from the package holding this module
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)]
        source = ".".join([*base, *([node.module] if node.module else [])])
    else:
        source = node.module or ""
    # ``from package import name``: name is a submodule, or something package defines.
    return [f"{source}.{alias.name}" for alias in node.names]


def import_graph() -> dict[str, dict[str, int]]:
    """Every module's imports of the others, with the line of the first one:
    ``{importer: {imported: line}}``. Imports anywhere count: in functions, in
    ``if TYPE_CHECKING:`` blocks, in ``try``."""
    modules = _modules()
    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported_names(module, path, node):
                while name and name not in modules:  # a name defined in a module: that module
                    name = name.rpartition(".")[0]
                if name and name != module:
                    edges.setdefault(name, node.lineno)
        graph[module] = edges
    return graph


def _strongly_connected(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [group for group in groups if len(group) > 1]


def _cycle_in(group: set[str], graph: dict[str, dict[str, int]]) -> str:
    """One cycle through the group, as ``a (line) -> b (line) -> a``: the shortest path
    back to its first module."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for other in sorted(graph[node]):
            if other == start:
                path = [*paths[node], start]
                return (
                    " -> ".join(
                        f"{a} (line {graph[a][b]})" for a, b in zip(path, path[1:], strict=False)
                    )
                    + f" -> {start}"
                )
            if other in group and other not in paths:
                paths[other] = [*paths[node], other]
                queue.append(other)
    raise AssertionError(f"no cycle through {sorted(group)}")  # pragma: no cover


def import_cycles() -> list[tuple[set[str], str]]:
    graph = import_graph()
    return [(group, _cycle_in(group, graph)) for group in _strongly_connected(graph)]


def long_modules() -> dict[str, int]:
    found = {}
    for path in sorted((ROOT / "annotator").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            found[path.relative_to(ROOT).as_posix()] = lines
    return found


def test_the_graph_sees_imports_inside_functions_and_submodules():
    graph = import_graph()
    # annotator.apps imports the tallies in AppConfig.ready(), inside a method.
    assert "annotator.reports.tallies" in graph["annotator.apps"]
    # ``from annotator.workspace import selectors`` names the submodule.
    assert "annotator.workspace.selectors" in graph["annotator.workspace.views"]
    assert "bench.scenario" in graph["bench.run"]


def test_a_cycle_is_reported_with_its_path():
    graph = {"a": {"b": 3}, "b": {"c": 5}, "c": {"a": 7, "d": 1}, "d": {}}
    cycles = _strongly_connected(graph)
    assert cycles == [{"a", "b", "c"}]
    assert _cycle_in(cycles[0], graph) == "a (line 3) -> b (line 5) -> c (line 7) -> a"


def test_no_import_cycles():
    cycles = [path for _, path in import_cycles()]
    assert not cycles, "Import cycles:\n" + "\n".join(cycles)


def test_no_module_over_600_lines():
    found = long_modules()
    assert not found, f"Modules over {MAX_LINES} lines (split them by concern): {found}"
