"""Choosing a backup to restore (each with its date, size and what it holds), and File → Check and repair….

A backup of another database (no school in common) is restored only after a question naming both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import settings


@dataclass(frozen=True)
class RestoreChoice:
    path: Path
    force: bool = False  # the person agreed to replace the database with a backup of another one


class OtherDatabaseConfirm:
    """'This is a backup of another database': restore it all the same, or not."""

    @classmethod
    def ask(cls, parent: QWidget | None, mismatch: str) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("A backup of another database")
        box.setText(mismatch)
        box.setInformativeText("The current file is backed up first, so this too can be undone.")
        replace = box.addButton("Replace with this backup", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is replace


def list_backups(db: Any) -> list[tuple[str, str]]:
    """(description, path) of each backup of this database, newest first."""
    from ...storage import backups

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
        row = QHBoxLayout()
        row.addWidget(other)
        # Backups made by hand are never thinned: this is where a person deletes one (after anonymising a
        # leaver, say, whose details it still holds).
        self.delete_button = QPushButton("Delete backup…")
        self.delete_button.setAccessibleName("Delete backup")
        self.delete_button.clicked.connect(self._delete)
        self.delete_button.setEnabled(self._selected() is not None)
        self.list.currentItemChanged.connect(lambda *_a: self.delete_button.setEnabled(self._selected() is not None))
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Restore")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.chosen: str | None = None
        self.force = False
        self.db_path: Path | None = getattr(db, "path", None)
        self.resize(560, 400)

    def _selected(self) -> str | None:
        item = self.list.currentItem()
        return item.data(256) if item is not None and item.data(256) else None

    def _delete(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        from ...storage import backups

        found = backups.read_backup(Path(chosen))
        if not DeleteBackupConfirm.ask(self, found.path.name, found.describe()):
            return
        backups.delete_backups([found])
        self.list.takeItem(self.list.currentRow())

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
        if self.chosen and self.db_path is not None:
            from ...storage.restore import source_mismatch

            mismatch = source_mismatch(self.db_path, Path(self.chosen))
            if mismatch:
                if not OtherDatabaseConfirm.ask(self, mismatch):
                    self.chosen = None  # back to the list: choose another
                    return
                self.force = True
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, db: Any) -> RestoreChoice | None:
        dialog = cls(db, parent)
        if dialog.exec() and dialog.chosen:
            return RestoreChoice(Path(dialog.chosen), force=dialog.force)
        return None


class DeleteBackupConfirm:
    @classmethod
    def ask(cls, parent: QWidget | None, name: str, described: str) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Delete backup")
        box.setText(f"Delete the backup {name}? It cannot be brought back.")
        box.setInformativeText(described)
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is delete


# --- File → Check and repair… --------------------------------------------------------------------

class CheckReport:
    """What the full check found; for a damaged file, 'Repair' or 'Not now'. Returns True for Repair."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, detail: str = "", *, offer_repair: bool = False) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning if offer_repair else QMessageBox.Icon.Information)
        box.setWindowTitle(title)
        box.setText(text)
        if detail:
            box.setInformativeText(detail)
        repair = box.addButton("Repair", QMessageBox.ButtonRole.AcceptRole) if offer_repair else None
        close = box.addButton("Not now" if offer_repair else "Close", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(repair or close)
        box.exec()
        return repair is not None and box.clickedButton() is repair


def check_and_repair(parent: QWidget, db: Any) -> None:
    """Run the full check in the background; if the file is damaged, offer to repair it (a copy of the file
    as found is kept first), then say what was done."""
    from ..workers import run_with_progress

    def check(progress: Any, _cancelled: Any) -> Any:
        from ...services.integrity import check_database

        progress(0, 0, "Checking every page, index and link of the file…")
        return check_database(db)

    def repair(progress: Any, _cancelled: Any) -> Any:
        from ...services.integrity import repair_database

        progress(0, 0, "Keeping a copy of the file as it is, then rebuilding its indexes…")
        return repair_database(db)

    def repaired(result: Any) -> None:
        CheckReport.ask(parent, "Repaired", f"{db.path.name} is repaired: its indexes were rebuilt and it passes "
                        "the full check. Changes can be saved again.",
                        f"The file as it was found is kept in {result.backup}.")

    def checked(result: Any) -> None:
        if result.damaged:
            problems = "\n".join(result.problems)
            if CheckReport.ask(parent, "The file is damaged",
                               f"{db.path.name} is damaged, so changes to it are refused until it is repaired.",
                               f"{problems}\n\nRepair keeps a copy of the file as it is now, rebuilds every index "
                               "from its records and checks the file again.", offer_repair=True):
                run_with_progress(parent, "Repair", repair, repaired, label="Repairing the school's record…")
            return
        if result.problems:
            CheckReport.ask(parent, "Check", f"{db.path.name} has problems a repair cannot mend.",
                            "\n".join(result.problems) + "\n\nRestore the newest backup (File → Restore from "
                            "backup…).")
            return
        CheckReport.ask(parent, "Check", f"{db.path.name} is sound: every page, index and link between records "
                        "checked.", f"The check took {result.seconds:.1f} s.")

    run_with_progress(parent, "Check", check, checked, label="Checking the school's record…")
