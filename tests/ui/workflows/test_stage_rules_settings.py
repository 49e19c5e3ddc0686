"""Settings → School and targets: the school chooses which activities get the later evaluation stages. A
negative threshold is refused beside its field with what was typed kept; a good one is saved and new
activities follow it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QTabWidget

from .conftest import click, find_button, find_field, go_to, type_into

HOURS = "Later stages for activities of at least … hours"
PROGRAMMES = "Later stages for every activity in a programme"


def _open_tab(qtbot: Any, window: Any, name: str) -> None:
    tabs = next(t for t in window.view_stack.currentWidget().findChildren(QTabWidget)
                if t.isVisible() and name in [t.tabText(i) for i in range(t.count())])
    bar = tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == name)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index)


def _saved(window: Any) -> tuple[Decimal, bool]:
    with window.ctx.session() as s:
        school = window.ctx.school(s)
        return Decimal(school.later_stages_hours), bool(school.later_stages_programmes)


def test_the_later_stages_rule_is_changed_in_settings(window: Any, qtbot: Any, tmp_path: Path) -> None:
    go_to(qtbot, window, "Settings")
    _open_tab(qtbot, window, "School and targets")
    hours = find_field(HOURS, window)
    programmes = find_field(PROGRAMMES, window, QCheckBox)
    assert hours.isVisible() and hours.isEnabled() and hours.text() == "6"
    assert programmes.isVisible() and programmes.isChecked()
    save = find_button("Save school settings", window)

    type_into(qtbot, hours, "-2")
    qtbot.waitUntil(lambda: not save.isEnabled())
    errors = [lbl for lbl in window.findChildren(QLabel) if lbl.isVisible() and "is not a number of hours" in lbl.text()]
    assert errors and hours.text() == "-2"  # refused beside the field, what was typed kept

    type_into(qtbot, hours, "5")
    qtbot.waitUntil(save.isEnabled)
    programmes.setFocus(Qt.FocusReason.TabFocusReason)  # tabbed to, then ticked off with the space bar
    qtbot.keyClick(programmes, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not programmes.isChecked())
    window.resize(1366, 768)
    qtbot.wait(50)
    window.grab().save(str(tmp_path / "settings-stage-rules.png"))
    click(qtbot, save)
    qtbot.waitUntil(lambda: "saved" in window.statusBar().currentMessage().lower())
    assert _saved(window) == (Decimal("5.00"), False)
