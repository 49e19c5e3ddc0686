"""Choosing a backup to restore: each with its date, size and what it holds."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import settings


def list_backups(db: Any) -> list[tuple[str, str]]:
    """(description, path) of each backup of this database, newest first."""
    from ...services import backups

    return [(b.describe() + "\n" + b.path.name, str(b.path)) for b in backups.list_backups(db)]


class RestoreDialog(QDialog):
    def __init__(self, db: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Choose the backup to go back to. The current file is backed up first, "
                                "so a restore can itself be undone."))
        self.list = QListWidget()
        self.list.setAccessibleName("Backups")
        for text, path in list_backups(db):
            item = QListWidgetItem(text)
            item.setData(256, path)
            self.list.addItem(item)
        if not self.list.count():
            self.list.addItem(QListWidgetItem("No backups of this database yet (File → Back up now makes one)."))
        if self.list.count():
            self.list.setCurrentRow(0)
        layout.addWidget(self.list, 1)
        other = QPushButton("Another file…")
        other.clicked.connect(self._other)
        layout.addWidget(other)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Restore")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.chosen: str | None = None
        self.resize(560, 400)

    def _other(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, "Choose a backup", settings.last_folder("backup"),
                                               "CPD databases (*.sqlite *.db);;All files (*)")
        if path:
            settings.set_last_folder("backup", path)
            self.chosen = path
            self.accept()

    def accept(self) -> None:
        if self.chosen is None and self.list.currentItem() is not None and self.list.currentItem().data(256):
            self.chosen = self.list.currentItem().data(256)
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, db: Any) -> str | None:
        dialog = cls(db, parent)
        if dialog.exec() and dialog.chosen:
            return dialog.chosen
        return None
