"""An edit dialog does not greet a person with errors: a field's reason shows once they have typed in
it or left it, or pressed Save — and it takes no room until then (the fields do not jump)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from .conftest import answering, click, find_button, find_field, find_table, go_to, press, type_into


def _errors_on_screen(dialog: Any) -> list[str]:
    return [lbl.text() for lbl in dialog.findChildren(QLabel) if lbl.objectName() == "fieldError" and lbl.isVisible()
            and lbl.text()]


def test_add_staff_shows_a_reason_only_after_input(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "Staff")
    table = find_table("staff")

    def handler(dialog: Any) -> None:
        save = find_button("Save", dialog)
        assert not save.isEnabled()  # forename, surname and code are still to come
        assert _errors_on_screen(dialog) == []  # but nothing is red before anything is typed
        surname = find_field("Surname", dialog)
        top = surname.mapTo(dialog, surname.rect().topLeft()).y()
        fte = find_field("FTE", dialog)
        type_into(qtbot, fte, "1.5")
        qtbot.waitUntil(lambda: any("FTE" in e or "1" in e for e in _errors_on_screen(dialog)))
        assert len(_errors_on_screen(dialog)) == 1  # only the field typed in
        assert surname.mapTo(dialog, surname.rect().topLeft()).y() == top  # the fields above it did not move
        type_into(qtbot, fte, "0.8")
        qtbot.waitUntil(lambda: _errors_on_screen(dialog) == [])
        forename = find_field("Forename", dialog)
        forename.setFocus()
        press(qtbot, forename, Qt.Key.Key_Tab)  # in and out of a required field without typing
        qtbot.waitUntil(lambda: len(_errors_on_screen(dialog)) == 1)
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, handler, title="Add a member of staff"):
        press(qtbot, table, Qt.Key.Key_Insert)
