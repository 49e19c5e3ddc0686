"""The window's small questions and notices, each behind a ``classmethod ask`` that tests replace.

Views and dialogs ask through these rather than through the main window, so no view needs the
window's module (which loads the views) to put a question to the person.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


class Confirm:
    """Yes/No questions; ``ask`` is replaced in tests."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, *, yes: str = "Yes", no: str = "Cancel",
            detail: str = "") -> bool:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(text)
        if detail:
            box.setInformativeText(detail)
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(no, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes_button)
        box.exec()
        return box.clickedButton() is yes_button


class Inform:
    """A notice with an OK button (what was done, and where)."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, detail: str = "") -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(title)
        box.setText(text)
        if detail:
            box.setInformativeText(detail)
        box.exec()


class LockedChoice:
    """The database is open in another copy of the app: read-only, break the lock, or cancel."""

    @classmethod
    def ask(cls, parent: QWidget | None, message: str, hint: str) -> str:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Database in use")
        box.setText(message)
        box.setInformativeText(hint)
        readonly = box.addButton("Open read-only", QMessageBox.ButtonRole.AcceptRole)
        breaker = box.addButton("Break the lock", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(readonly)
        box.exec()
        if box.clickedButton() is readonly:
            return "readonly"
        if box.clickedButton() is breaker:
            return "break"
        return "cancel"


class SchoolChooser:
    """Which school of a database that holds several; None if the person cancels."""

    @classmethod
    def ask(cls, parent: QWidget | None, names: list[str]) -> str | None:
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getItem(parent, "Choose a school", "This database holds several schools:",
                                        names, 0, False)
        return name if ok else None
