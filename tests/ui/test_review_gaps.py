"""Small gaps found in review of the first week's work, each walked in the window as a person does."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLabel
from pytestqt.qtbot import QtBot

from .test_first_week_blockers import button, click, go_to_view, modal, while_open

WAIT = 5000


def test_the_staff_dialogs_target_tick_says_its_label_once(qtbot: QtBot, school_window: Any) -> None:
    """Add staff… shows 'Counts in the teachers' CPD target' once, on the tick box itself (a screen reader
    names the box by it), not again as a label beside the box."""
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    window = school_window
    go_to_view(qtbot, window, "Staff")
    seen: dict[str, Any] = {}

    def walk() -> None:
        qtbot.waitUntil(lambda: modal(StaffDialog) is not None, timeout=WAIT)
        dialog = modal(StaffDialog)
        words = "Counts in the teachers' CPD target"
        shown = [w for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)
                 if w.isVisible() and words in w.text()]
        seen["shown"] = [type(w).__name__ for w in shown]
        boxes = [w for w in dialog.findChildren(QCheckBox) if w.isVisible() and w.accessibleName() == words]
        seen["named"] = len(boxes)
        click(qtbot, button(dialog, "Cancel"))

    while_open(qtbot, lambda: click(qtbot, button(window, "Add staff…")), walk)
    assert seen["shown"] == ["QCheckBox"], seen
    assert seen["named"] == 1
