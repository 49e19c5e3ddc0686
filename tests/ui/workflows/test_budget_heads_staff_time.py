"""The Budget view beside its cash: the cost heads of a line that splits its money by head (the demo's Science
CPD line), and, once the school sets the daily cost of a teacher's time in Settings, what INSET and internal
CPD cost in staff time, labelled as not cash. Walked as a person walks it; the window's today is 20/11/2025."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget

from .conftest import cell, click, find_button, find_field, find_table, go_to, row_of, type_into


def _open_tab(qtbot: Any, window: Any, name: str) -> None:
    tabs = next(t for t in window.view_stack.currentWidget().findChildren(QTabWidget)
                if t.isVisible() and name in [t.tabText(i) for i in range(t.count())])
    bar = tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == name)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index)


def _staff_time(page: Any) -> QLabel:
    return next(lbl for lbl in page.findChildren(QLabel) if lbl.accessibleName() == "Staff time, not cash")


def test_cost_heads_beside_the_lines_and_staff_time_once_a_days_cost_is_set(window: Any, qtbot: Any,
                                                                            tmp_path: Path) -> None:
    page = go_to(qtbot, window, "Budget")
    lines = find_table("Budget lines", page)
    qtbot.waitUntil(lambda: lines.model().rowCount() >= 5)
    _open_tab(qtbot, window, "By cost head")
    heads = find_table("By cost head", page)
    assert heads.isVisible()
    fee = row_of(heads, "Science (whole department) CPD", "Fee")
    assert cell(heads, fee, "Amount").startswith("£") and cell(heads, fee, "Committed").startswith("£")
    cover = row_of(heads, "Science (whole department) CPD", "Supply cover")
    assert cell(heads, cover, "Remaining").startswith("£")
    assert not any("Physics CPD" in str(heads.model().index(r, 0).data())
                   for r in range(heads.model().rowCount()))  # a line with no head amounts shows none
    assert not _staff_time(page).isVisible()  # off until the school sets a day's cost

    go_to(qtbot, window, "Settings")
    _open_tab(qtbot, window, "School and targets")
    cost = find_field("Daily cost of a teacher's time (empty: not shown)", window)
    assert cost.isVisible() and cost.isEnabled() and cost.text() == ""
    type_into(qtbot, cost, "266")
    window.resize(1366, 768)
    qtbot.wait(50)
    window.grab().save(str(tmp_path / "settings-school.png"))
    save = find_button("Save school settings", window)
    assert save.visibleRegion().boundingRect().height() == save.height()  # on screen whole at 1366×768
    click(qtbot, save)
    qtbot.waitUntil(lambda: "saved" in window.statusBar().currentMessage().lower())

    page = go_to(qtbot, window, "Budget")
    staff = _staff_time(page)
    qtbot.waitUntil(staff.isVisible)
    assert staff.text().startswith("Staff time, not cash: INSET and internal CPD in 2025-26 took")
    assert "at £266.00 a day" in staff.text() and "not spent from the budget" in staff.text()
    window.resize(1366, 768)
    qtbot.wait(50)
    window.grab().save(str(tmp_path / "budget-view.png"))
    assert staff.geometry().bottom() < page.height()
