"""The seams of the code, checked: no import cycles between modules, and SQL only in ``monitor/store/``.

Both rules are easy to break without noticing (one convenient import, one quick query), and both are
what lets a newcomer read one package without the others (CONTRIBUTING.md).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "monitor"
MODULES = {
    ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): path
    for path in PACKAGE.rglob("*.py")
}


def _imports(name: str, path: Path) -> set[str]:
    """Modules of the package that ``name`` imports at import time (not under TYPE_CHECKING)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                base = importlib.util.resolve_name("." * node.level + node.module, package)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycle_through(start: str) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, trail = stack.pop()
        for nxt in GRAPH[node]:
            # A package's __init__ importing its own submodules is how packages export names, not a cycle.
            if nxt == start and not trail[-1].startswith(start + "."):
                return [*trail, nxt]
            if nxt not in seen and not nxt.startswith(start + ".") and not start.startswith(nxt + "."):
                seen.add(nxt)
                stack.append((nxt, [*trail, nxt]))
    return None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_cycle(module: str) -> None:
    cycle = _cycle_through(module)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


# A statement keyword followed by what SQL puts after it, inside a string literal.
_SQL = re.compile(
    r"^\s*(select\s.+\sfrom\s|insert\s+(or\s+\w+\s+)?into\s|update\s+\S+\s+set\s|delete\s+from\s"
    r"|create\s+(table|index|view|trigger)\s|pragma\s)",
    re.IGNORECASE | re.DOTALL,
)
# The Datasette layer (plugins, its connection settings) runs read-only queries through Datasette's own
# connections, inside its time limit, like the canned queries of datasette-metadata.json.
_SQL_ALLOWED = ("monitor.store", "monitor.datasette")


def _sql_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.match(node.value)
    ]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.startswith(_SQL_ALLOWED)))
def test_sql_lives_in_store(module: str) -> None:
    assert _sql_strings(MODULES[module]) == [], f"{module} issues SQL; move it to monitor/store/"


def test_the_sql_check_sees_sql() -> None:
    found = _sql_strings(PACKAGE / "store" / "sources.py")
    assert found, "the SQL detector found nothing in store/sources.py: the check above would pass vacuously"


def test_no_script_shadows_a_standard_module() -> None:
    # `python bench/x.py` puts bench/ first on sys.path: a bench/numbers.py once replaced the
    # standard `numbers` module, and every other bench script died importing numpy.
    for folder in ("bench", "deploy", ".ci"):
        for script in sorted((PACKAGE.parent / folder).glob("*.py")):
            assert script.stem not in sys.stdlib_module_names, f"{script} shadows the stdlib"
