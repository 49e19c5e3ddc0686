"""Inside the window's layer: views and dialogs never reach for the main window's module.

The main window loads the views; a view that imported it back (for a prompt, say) would make the two a
cycle. Prompts live in ``cpd_desktop.ui.prompts``; only the app's start (``ui/app.py``) and the
screenshot script build a window. Imports inside functions count as much as those at the top.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import cpd_desktop

PACKAGE = Path(cpd_desktop.__file__).resolve().parent
UI = PACKAGE / "ui"
MAIN_WINDOW = "cpd_desktop.ui.main_window"
BUILDS_THE_WINDOW = {"cpd_desktop.ui.app", "cpd_desktop.ui.screenshots"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(source: str, module: str, *, is_package: bool = False) -> list[tuple[str, int]]:
    """Every module name the source imports (with its line): top-level, in functions, relative,
    ``from pkg import mod`` and ``importlib.import_module("...")`` alike."""
    names: list[tuple[str, int]] = []
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[: len(package) - (node.level - 1)]
                base = ".".join([*parent, node.module] if node.module else parent)
            names.append((base, node.lineno))
            names += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                names.append((str(node.args[0].value), node.lineno))
    return names


def imports_main_window(source: str, module: str, *, is_package: bool = False) -> list[int]:
    """The lines (each once) that import the main window's module."""
    return sorted({line for name, line in imported_names(source, module, is_package=is_package)
                   if name == MAIN_WINDOW or name.startswith(MAIN_WINDOW + ".")})


def test_the_scanner_finds_the_main_window_however_it_is_imported() -> None:
    source = textwrap.dedent("""
        from ..prompts import Confirm
        from .. import main_window
        def later():
            from ..main_window import MainWindow
            import cpd_desktop.ui.main_window
            importlib.import_module("cpd_desktop.ui.main_window")
        from ..main_windows import Other
    """)
    assert imports_main_window(source, "cpd_desktop.ui.views.example") == [3, 5, 6, 7]
    assert imports_main_window("from . import main_window\n", "cpd_desktop.ui", is_package=True) == [1]
    assert imports_main_window("from .main_window import X\n", "cpd_desktop.ui.app") == [1]


def test_no_view_or_dialog_imports_the_main_window() -> None:
    modules = sorted([*(UI / "views").rglob("*.py"), *(UI / "dialogs").rglob("*.py")])
    assert len(modules) > 15  # the scan reads the real tree
    offences = [f"{path.relative_to(PACKAGE.parent)}:{line}" for path in modules
                for line in imports_main_window(path.read_text(encoding="utf-8"), _module_name(path),
                                                is_package=path.name == "__init__.py")]
    assert offences == []


def test_only_the_start_and_the_screenshots_build_a_main_window() -> None:
    offences = []
    for path in sorted(UI.rglob("*.py")):
        module = _module_name(path)
        if module in BUILDS_THE_WINDOW or module == MAIN_WINDOW:
            continue
        lines = imports_main_window(path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py")
        offences += [f"{path.relative_to(PACKAGE.parent)}:{line}" for line in lines]
    assert offences == []
