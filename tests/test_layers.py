"""Imports run one way: no package imports a higher layer, and no import cycle exists.

The layer map below is the only place the layers are written down (the README's Development
section describes it in words). Every import of a ``portal`` module counts: at module level,
inside a function, or under ``if TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"

#: Lowest first. A module may import its own layer and the layers before it, never a later one.
#: An entry places that module or package and everything below it (the longest entry wins);
#: ``portal`` alone is only the app factory in ``portal/__init__.py``.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "generic",
        (
            "portal.config",
            "portal.extensions",
            "portal.textutil",
            "portal.timeutil",
            "portal.vocabulary",
            "portal.formutil",
            "portal.sandbox",
            "portal.htmlsafe",
            "portal.memory",
        ),
    ),
    (
        "accounts, offices, notices, calendar",
        (
            "portal.auth",
            "portal.offices",
            "portal.campaigns",
            "portal.workdays",
            "portal.security",
            "portal.audit",
            "portal.jobs",
        ),
    ),
    ("applications", ("portal.applications",)),
    ("rules", ("portal.rules",)),
    (
        "pages and outputs",
        (
            "portal",  # the app factory
            "portal.models",  # every table, for Alembic
            "portal.cli",
            "portal.backup",  # backup and restore, run by the commands
            "portal.demo",
            "portal.vendor",
            "portal.main",
            "portal.documents",
            "portal.rosters",
            "portal.applications.review",
        ),
    ),
)
#: Modules with these names hold pages or commands: they sit in the top layer in any package.
TOP_MODULE_NAMES = frozenset({"views", "blueprint", "cli"})
TOP = len(LAYERS) - 1


@dataclass(frozen=True)
class Import:
    """One import of a portal module found in the source."""

    source: str  # the importing module
    target: str  # the imported module
    line: int
    in_function: bool


def module_name(path: Path, root: Path) -> str:
    """portal/applications/views.py -> portal.applications.views; a package's __init__ -> it."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def collect_imports(root: Path) -> tuple[set[str], list[Import]]:
    """Every module under root and every import of one of them (module or function level)."""
    sources = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    modules = set(sources)
    found: list[Import] = []
    for name, path in sources.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found.extend(_imports_in(tree, name, package, modules, root.name))
    return modules, found


def _imports_in(tree: ast.AST, source: str, package: str, modules: set[str], top: str):
    """Imports under a syntax tree, resolved to module names, marked when inside a function."""

    def walk(node: ast.AST, in_function: bool):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:  # `from portal import audit` imports a module
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in modules else base)
            for target in dict.fromkeys(targets):
                if target == top or target.startswith(top + "."):
                    yield Import(source, target, child.lineno, inside)
            yield from walk(child, inside)

    yield from walk(tree, False)


def layer_of(module: str) -> int | None:
    """The index of a module's layer in LAYERS, or None when the map does not place it."""
    if module.rpartition(".")[2] in TOP_MODULE_NAMES:
        return TOP
    best: tuple[int, int] | None = None  # (length of the matching entry, layer)
    for index, (_label, entries) in enumerate(LAYERS):
        for entry in entries:
            below = entry != "portal" and module.startswith(entry + ".")
            if (module == entry or below) and (best is None or len(entry) > best[0]):
                best = (len(entry), index)
    return None if best is None else best[1]


def upward_imports(imports: list[Import]) -> list[str]:
    """Imports from a lower layer into a higher one, described for a failure message."""
    problems = []
    for imp in imports:
        low, high = layer_of(imp.source), layer_of(imp.target)
        if low is not None and high is not None and high > low:
            where = "inside a function" if imp.in_function else "at module level"
            problems.append(
                f"{imp.source} (layer “{LAYERS[low][0]}”) imports {imp.target} "
                f"(layer “{LAYERS[high][0]}”) on line {imp.line}, {where}"
            )
    return problems


def import_cycles(modules: set[str], imports: list[Import]) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan's SCC)."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for imp in imports:
        if imp.target != imp.source:
            graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


@pytest.fixture(scope="module")
def portal_imports() -> tuple[set[str], list[Import]]:
    return collect_imports(PORTAL)


def test_every_portal_module_has_a_layer(portal_imports):
    modules, _ = portal_imports
    unplaced = sorted(m for m in modules if layer_of(m) is None)
    assert not unplaced, f"add these modules to LAYERS in tests/test_layers.py: {unplaced}"


def test_no_module_imports_a_higher_layer(portal_imports):
    _, imports = portal_imports
    assert upward_imports(imports) == []


def test_no_import_cycle_remains_at_module_or_function_level(portal_imports):
    modules, imports = portal_imports
    assert import_cycles(modules, imports) == []


def test_the_layers_run_in_the_documented_order():
    # auth/offices/campaigns → applications (models, operations) → rules → pages and outputs
    order = [
        "portal.vocabulary",
        "portal.campaigns.definition",
        "portal.applications.operations",
        "portal.rules.checks",
        "portal.rosters.builder",
    ]
    assert [layer_of(m) for m in order] == sorted(layer_of(m) for m in order)
    assert len({layer_of(m) for m in order}) == len(LAYERS)
    assert layer_of("portal.offices.views") == TOP
    assert layer_of("portal.applications.models") < layer_of("portal.applications.review")


# The checks above only mean something if the walker sees every kind of import.


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "portal"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_walker_finds_function_level_relative_and_type_checking_imports(tmp_path):
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "audit.py": "",
            "rules/__init__.py": "",
            "rules/checks.py": "",
            "applications/__init__.py": "",
            "applications/models.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from portal.rules.checks import Finding\n"
            ),
            "applications/operations.py": (
                "import json\nfrom . import models\nfrom portal import audit\n"
                "def save():\n    from ..rules import checks\n"
            ),
        },
    )
    modules, imports = collect_imports(root)
    assert "portal.applications.operations" in modules and "portal" in modules
    found = {(i.source, i.target, i.in_function) for i in imports}
    assert found == {
        ("portal.applications.models", "portal.rules.checks", False),
        ("portal.applications.operations", "portal.applications.models", False),
        ("portal.applications.operations", "portal.audit", False),
        ("portal.applications.operations", "portal.rules.checks", True),
    }
    problems = upward_imports(imports)
    assert len(problems) == 2 and all("layer “rules”" in p for p in problems)
    assert "inside a function" in " ".join(problems)


def test_a_cycle_through_a_function_level_import_is_found(tmp_path):
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from portal import b\n",
            "b.py": "from portal.c import x\n",
            "c.py": "def f():\n    import portal.a\n",
            "d.py": "import portal.a\n",
        },
    )
    modules, imports = collect_imports(root)
    assert import_cycles(modules, imports) == [["portal.a", "portal.b", "portal.c"]]


def test_an_unplaced_module_and_a_page_module_are_told_apart():
    assert layer_of("portal.newthing") is None
    assert layer_of("portal.offices.views") == TOP
    assert layer_of("portal.workdays.models") == 1
    assert layer_of("portal.audit") == layer_of("portal.audit.models") == 1  # module or package
    assert layer_of("portal") == TOP and layer_of("portal.textutil") == 0
