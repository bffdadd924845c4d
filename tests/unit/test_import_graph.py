"""The command line's modules import each other without a cycle (cli/runtime.py holds what they
share), and the domain imports nothing from the other layers."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "gradecli"


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def _graph(folder: str) -> dict[str, set[str]]:
    mods = {f"gradecli.{folder}.{p.stem}": p for p in (PKG / folder).glob("*.py") if p.stem != "__init__"}
    return {m: {i for i in _imports(p) if i in mods} for m, p in mods.items()}


def test_cli_has_no_import_cycle():
    graph = _graph("cli")
    seen, stack = set(), []

    def visit(m: str) -> None:
        assert m not in stack, "import cycle: " + " → ".join(stack[stack.index(m):] + [m])
        if m in seen:
            return
        stack.append(m)
        for n in graph[m]:
            visit(n)
        stack.pop()
        seen.add(m)

    for m in graph:
        visit(m)
    assert "gradecli.cli.app" not in set().union(*graph.values())  # nothing imports the root app


def test_the_domain_imports_no_other_layer():
    for p in (PKG / "domain").glob("*.py"):
        bad = {i for i in _imports(p) if i.startswith(("gradecli.store", "gradecli.services", "gradecli.cli",
                                                       "gradecli.formats", "sqlmodel", "sqlalchemy", "typer",
                                                       "rich", "openpyxl"))}
        assert not bad, f"{p.name} imports {sorted(bad)}"
