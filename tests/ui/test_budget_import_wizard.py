"""The business manager loads the year's budget through File › Import…, then sees it in the Budget view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from .test_first_week_blockers import (
    WAIT,
    check_status,
    finish,
    go_to_view,
    menu_action,
    table_texts,
    walk_to_check_page,
    while_open,
)


def test_budget_lines_import_through_the_wizard_and_show_in_the_budget_view(qtbot: QtBot, school_window: Any,
                                                                         tmp_path: Path) -> None:
    window = school_window
    path = tmp_path / "budget.csv"
    path.write_text("Financial Year,Budget Line,Budget Code,Department,Amount\n"
                    "2025-26,Science CPD,SCI,Science,\"£3,000.00\"\n2025-26,Whole-school CPD,WS,,1200\n",
                    encoding="utf-8")
    seen: dict[str, str] = {}

    def walk() -> None:
        wizard = walk_to_check_page(qtbot, "CPD budget lines", path)
        qtbot.waitUntil(lambda: "all 2 rows are fine" in check_status(wizard), timeout=WAIT)
        seen["summary"] = finish(qtbot, wizard)

    while_open(qtbot, menu_action(window, "File", "Import…").trigger, walk)
    assert "2 new" in seen["summary"]
    go_to_view(qtbot, window, "Budget")
    qtbot.waitUntil(lambda: "Whole-school CPD" in table_texts(window) and "£3,000.00" in table_texts(window),
                    timeout=WAIT)
