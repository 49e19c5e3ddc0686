"""The one architectural rule: only ``cpd_desktop/ui/`` imports PySide6 (or ``cpd_desktop.ui``).

Checked twice: by reading every module's imports (AST), and by running the headless paths in a
fresh interpreter and looking at what it actually loaded.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cpd_desktop

PACKAGE = Path(cpd_desktop.__file__).resolve().parent
ROOT = PACKAGE.parent
VENV_BIN = Path(sys.executable).parent
FORBIDDEN = ("PySide6", "shiboken6", "cpd_desktop.ui")

# The single sanctioned way in: `cpd-desktop` with no subcommand opens the window, importing the
# UI inside that function only, so that no subcommand pays for (or depends on) Qt.
ALLOWED_LAZY = {("cpd_desktop.cli", "_open_window", "cpd_desktop.ui.app")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def _is_forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def forbidden_imports(source: str, module: str, is_package: bool = False) -> list[tuple[str, str, int]]:
    """(function or '<module>', imported name, line) for every import of Qt or the UI in the source."""
    found: list[tuple[str, str, int]] = []

    class Visitor(ast.NodeVisitor):
        def __init__(self) -> None:
            self.where = ["<module>"]

        def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
            self.where.append(node.name)
            self.generic_visit(node)
            self.where.pop()

        visit_FunctionDef = visit_AsyncFunctionDef = _function  # noqa: N815

        def _add(self, name: str, node: ast.AST) -> None:
            if _is_forbidden(name):
                found.append((self.where[-1], name, getattr(node, "lineno", 0)))

        def visit_Import(self, node: ast.Import) -> None:
            for alias in node.names:
                self._add(alias.name, node)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            base = _resolve(module, is_package, node.level, node.module)
            self._add(base, node)
            for alias in node.names:  # `from .. import ui`
                self._add(f"{base}.{alias.name}", node)

        def visit_Call(self, node: ast.Call) -> None:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                self._add(str(node.args[0].value), node)
            self.generic_visit(node)

    Visitor().visit(ast.parse(source))
    return found


def _headless_modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "ui" not in p.relative_to(PACKAGE).parts[:1]]


def test_the_scanner_sees_every_way_of_importing_qt() -> None:
    source = textwrap.dedent("""
        import PySide6.QtWidgets
        from PySide6 import QtCore
        from ..ui import app
        from .. import ui
        import importlib
        def later():
            importlib.import_module("cpd_desktop.ui.main_window")
            from shiboken6 import isValid
        import os
    """)
    found = forbidden_imports(source, "cpd_desktop.services.example")
    assert [(where, name) for where, name, _ in found] == [
        ("<module>", "PySide6.QtWidgets"), ("<module>", "PySide6"), ("<module>", "PySide6.QtCore"),
        ("<module>", "cpd_desktop.ui"), ("<module>", "cpd_desktop.ui.app"), ("<module>", "cpd_desktop.ui"),
        ("later", "cpd_desktop.ui.main_window"), ("later", "shiboken6"), ("later", "shiboken6.isValid")]


def test_no_module_outside_ui_imports_qt_or_the_ui() -> None:
    modules = _headless_modules()
    assert len(modules) > 20  # the scan reads the real tree
    offences = []
    for path in modules:
        module = _module_name(path)
        for where, name, line in forbidden_imports(path.read_text(encoding="utf-8"), module,
                                                   is_package=path.name == "__init__.py"):
            if any((module, where) == (m, w) and (name == n or name.startswith(n + "."))
                   for m, w, n in ALLOWED_LAZY):
                continue
            offences.append(f"{path.relative_to(ROOT)}:{line} ({where}) imports {name}")
    assert offences == []


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CPD_DESKTOP_DATA": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("CPD_DESKTOP_DB", None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)


def test_importing_every_headless_module_loads_no_qt(tmp_path: Path) -> None:
    names = [_module_name(p) for p in _headless_modules()
             if "migrations" not in p.parts and p.name != "__main__.py"]
    code = textwrap.dedent(f"""
        import importlib, sys
        for name in {names!r}:
            importlib.import_module(name)
        loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')
                        or m.startswith('cpd_desktop.ui'))
        print(len({names!r}), loaded)
    """)
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{len(names)} []"


def test_the_commands_run_without_qt(tmp_path: Path) -> None:
    db = tmp_path / "school.sqlite"
    code = textwrap.dedent(f"""
        import sys
        from cpd_desktop.cli import main
        db = {str(db)!r}
        codes = [main(["--db", db, "init", "--school", "Ashcombe Park Academy"])]
        for kind in ("staff", "hours", "bookings", "claims"):
            for fmt in ("table", "json", "csv"):
                codes.append(main(["--db", db, "report", kind, "--year", "2025/26", "--format", fmt]))
        codes.append(main(["--db", db, "check"]))
        loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')
                  or m.startswith('cpd_desktop.ui')]
        print("RESULT", codes, loaded, file=sys.stderr)
    """)
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"RESULT {[0] * 14} []" in result.stderr


@pytest.mark.skipif(not (VENV_BIN / "cpd-desktop").exists(), reason="the cpd-desktop script is not installed")
def test_the_installed_command_imports_no_qt(tmp_path: Path) -> None:
    """The real entry point, with Python listing every module it imports."""
    db = tmp_path / "school.sqlite"
    env = {**os.environ, "CPD_DESKTOP_DATA": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    script = str(VENV_BIN / "cpd-desktop")
    for args in (["init", "--school", "Test Academy"], ["report", "hours", "--year", "2025/26"]):
        result = subprocess.run([sys.executable, "-X", "importtime", script, "--db", str(db), *args],
                                capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                    if line.startswith("import time:")}
        assert "cpd_desktop.services.reports" in imported or args[0] == "init"
        assert not {m for m in imported if _is_forbidden(m)}


def test_the_window_path_loads_no_database_layer_before_the_window(tmp_path: Path) -> None:
    """`cpd-desktop` with no command (`make run`) reaches the window without loading the commands or
    SQLAlchemy: that half second would come before the first frame."""
    code = textwrap.dedent("""
        import sys
        from cpd_desktop.cli import _window_options
        assert _window_options([]) is not None
        assert _window_options(["--db", "x.sqlite", "--school", "Ash"]).school == "Ash"
        assert _window_options(["report", "hours"]) is None
        assert _window_options(["--help"]) is None
        assert _window_options(["--db"]) is None  # the full parser says what is wrong
        print(sorted(m for m in sys.modules if m.startswith(("sqlalchemy", "cpd_desktop.cli.", "cpd_desktop.storage.database"))))
    """)
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_start_up_holds_the_garbage_collector_back_until_it_is_over(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import gc
        from cpd_desktop.cli import window_start
        window_start()
        assert not gc.isenabled()
        from cpd_desktop.ui.app import end_of_start_up
        end_of_start_up()
        assert gc.isenabled() and gc.get_freeze_count() > 1000
        end_of_start_up()  # a second call (the timer after the database opened) changes nothing
        print("ok", gc.isenabled())
    """)
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok True"
