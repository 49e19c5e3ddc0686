"""Every view is worked from the keyboard alone: Tab, from the sidebar, reaches every button, field, check box,
drop-down list, tab bar and table a person can see in the view, and each is named for a screen reader. (The
list views' order — buttons, search box, table — is checked in test_accessibility.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)

from cpd_desktop.ui.workspace import VIEW_NAMES

from .test_accessibility import _is_part_of_another, speakable_name

CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QTabBar)


def _label(w: QWidget) -> str:
    return f"{type(w).__name__} {speakable_name(w) or getattr(w, 'text', lambda: '')() or w.objectName()!r}"


@pytest.mark.parametrize("view", VIEW_NAMES)
def test_tab_reaches_every_control_of_the_view(demo_window: Any, qtbot: Any, view: str) -> None:
    demo_window.resize(1366, 728)
    demo_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is demo_window)
    page = demo_window.show_view(view)
    if page is None:
        pytest.skip(f"the {view} view is not offered for one school")  # the Trust view, in a trust only
    qtbot.waitUntil(page.isVisible)
    controls = [w for w in page.findChildren(QWidget) if isinstance(w, CONTROLS) and w.isVisible() and w.isEnabled()
                and not _is_part_of_another(w)]
    # A search box's own icons (search, clear) are left to the box: Esc clears it. Nothing else may be mouse-only.
    mouse_only = [_label(w) for w in controls if w.focusPolicy() == Qt.FocusPolicy.NoFocus
                  and not isinstance(w.parentWidget(), QLineEdit)]
    assert not mouse_only, f"{view}: cannot be reached from the keyboard: {mouse_only}"
    wanted = [w for w in controls if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
    assert wanted, f"{view}: nothing to work"
    demo_window.nav.setFocus(Qt.FocusReason.TabFocusReason)
    reached: list[QWidget] = []
    for _ in range(4 * len(wanted) + 40):
        focus = QApplication.focusWidget()
        if focus is not None and focus not in reached:
            reached.append(focus)
        if all(w in reached for w in wanted):
            break
        qtbot.keyClick(focus or demo_window, Qt.Key.Key_Tab)
    missed = [_label(w) for w in wanted if w not in reached]
    assert not missed, f"{view}: Tab never reaches {missed}"
    unnamed = [_label(w) for w in wanted if not speakable_name(w) and not isinstance(w, QTabBar)]
    assert not unnamed, f"{view}: reached but not named for a screen reader: {unnamed}"
