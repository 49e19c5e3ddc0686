"""Choosing a backup to restore: each with its date, size and what it holds."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
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


def describe_backup(path: Path) -> str:
    size = path.stat().st_size
    when = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%d/%m/%Y %H:%M")
    holds = ""
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            staff = conn.execute("SELECT count(*) FROM staff").fetchone()[0]
            acts = conn.execute("SELECT count(*) FROM activity").fetchone()[0]
            holds = f" — {staff} staff, {acts:,} activities"
        finally:
            conn.close()
    except sqlite3.Error:
        holds = " — cannot be read"
    return f"{when}  ({size / 1_000_000:.1f} MB){holds}\n{path.name}"


def list_backups(db: Any) -> list[Path]:
    from ...services import backups

    folder_fn = getattr(backups, "default_backup_dir", None)
    folder = folder_fn(db) if folder_fn else None
    if folder is None or not Path(folder).is_dir():
        return []
    return sorted(Path(folder).glob("*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)


class RestoreDialog(QDialog):
    def __init__(self, db: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Choose the backup to go back to. The current file is backed up first, "
                                "so a restore can itself be undone."))
        self.list = QListWidget()
        self.list.setAccessibleName("Backups")
        for path in list_backups(db):
            item = QListWidgetItem(describe_backup(path))
            item.setData(256, str(path))
            self.list.addItem(item)
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
        if self.chosen is None and self.list.currentItem() is not None:
            self.chosen = self.list.currentItem().data(256)
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, db: Any) -> str | None:
        dialog = cls(db, parent)
        if dialog.exec() and dialog.chosen:
            return dialog.chosen
        return None
