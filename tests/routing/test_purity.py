"""routing/ is pure functions and data: it must not reach for the database, a channel or HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"db", "bot", "handlers", "telegram", "aiohttp", "sqlalchemy", "sqlmodel"}
ROUTING = Path(__file__).resolve().parents[2] / "routing"


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_routing_imports_no_service_code() -> None:
    for path in ROUTING.rglob("*.py"):
        assert not imported_roots(path) & FORBIDDEN, path
