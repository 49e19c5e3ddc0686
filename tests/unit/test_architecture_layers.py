"""The window is a thin face: no module under ``cpd_desktop/ui/`` imports SQLAlchemy.

Lists, filters, sums and look-ups are the core's (``services``, ``services.lists``); the window holds
ids and rows and asks for them. An import counts wherever it is: at the top, inside a function or
method, under ``if TYPE_CHECKING:``, or through ``importlib.import_module``. A session-typed callable
in the window is typed with an alias the core exports, or left for mypy to infer.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import cpd_desktop

PACKAGE = Path(cpd_desktop.__file__).resolve().parent
UI = PACKAGE / "ui"
FORBIDDEN = "sqlalchemy"

# A window module allowed to import SQLAlchemy, with the reason. Keep it empty: move the query into the core.
EXCEPTIONS: dict[str, str] = {}


def sqlalchemy_imports(source: str) -> list[int]:
    """The lines that import SQLAlchemy (or any of its modules), wherever they are in the source."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if not isinstance(node, ast.stmt | ast.expr):
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called in ("import_module", "__import__"):
                names = [str(node.args[0].value)]
        if any(name == FORBIDDEN or name.startswith(FORBIDDEN + ".") for name in names):
            lines.add(node.lineno)
    return sorted(lines)


def test_the_scanner_finds_sqlalchemy_however_it_is_imported() -> None:
    source = textwrap.dedent("""
        from __future__ import annotations
        from typing import TYPE_CHECKING
        import sqlalchemy
        from sqlalchemy.orm import Session
        if TYPE_CHECKING:
            from sqlalchemy import Select
        def later():
            import sqlalchemy.exc as exc
            import importlib
            importlib.import_module("sqlalchemy.sql")
        class View:
            def reload(self):
                from sqlalchemy import select
        from .sqlalchemy_like import thing
        import sqlalchemy_utils
    """)
    assert sqlalchemy_imports(source) == [4, 5, 7, 9, 11, 14]


def test_no_window_module_imports_sqlalchemy() -> None:
    found = {}
    for path in sorted(UI.rglob("*.py")):
        name = path.relative_to(PACKAGE.parent).as_posix()
        lines = sqlalchemy_imports(path.read_text(encoding="utf-8"))
        if lines and name not in EXCEPTIONS:
            found[name] = lines
    assert not found, ("The window must not import SQLAlchemy: ask the core (services, services.lists) instead. "
                       f"Found: {found}")


def test_every_exception_is_still_needed() -> None:
    for name, reason in EXCEPTIONS.items():
        assert reason.strip(), f"{name}: say why it may import SQLAlchemy"
        path = PACKAGE.parent / name
        assert path.exists() and sqlalchemy_imports(path.read_text(encoding="utf-8")), (
            f"{name} no longer imports SQLAlchemy: take it off the list")
