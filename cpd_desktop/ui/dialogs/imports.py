"""File → Import history: every import of this school, and taking one back out whole.

An import is not on Edit → Undo (it can be thousands of rows): it is undone from its own batch, as
``cpd-desktop import undo N`` does, and only while nothing it brought in has been changed since.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import settings

COLUMNS = ("No.", "When", "What", "File", "New", "Updated", "By", "")


def batch_rows(db: Any, school_id: int) -> list[dict[str, Any]]:
    """The school's imports, newest first, as the dialog lists them (plain data)."""
    from ...imports import KINDS, list_batches
    from ...models import School
    from ...services.formatting import format_datetime

    with db.session() as s:
        school = s.get(School, school_id)
        if school is None:
            return []
        out = []
        for b in list_batches(s, school, limit=None):
            local = b.at.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None) if b.at else None
            out.append({"id": b.id, "when": format_datetime(local), "kind": KINDS[b.kind].label if b.kind in KINDS
                        else b.kind, "file": b.file_name, "new": b.created_count, "updated": b.updated_count,
                        "by": b.user or "", "undone": bool(b.undone)})
        return out


class ImportHistoryDialog(QDialog):
    undone = Signal(object)  # the UndoResult of an import taken back out

    def __init__(self, db: Any, school_id: int, parent: QWidget | None = None, *, readonly: bool = False) -> None:
        super().__init__(parent)
        self.db, self.school_id, self.readonly = db, school_id, readonly
        self.rows: list[dict[str, Any]] = []
        self.setWindowTitle("Import history")
        layout = QVBoxLayout(self)
        intro = QLabel("Every file imported into this school, newest first. An import can be taken back out "
                       "whole (what it added is removed, what it changed is put back) as long as nothing it "
                       "brought in has been changed since.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Imports")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What happened")
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.undo_button = QPushButton("Undo this import…")
        self.undo_button.setToolTip("Remove what the chosen import added and put back what it changed")
        self.undo_button.clicked.connect(self.undo_selected)
        buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()
        self.resize(820, 420)
        settings.restore_geometry("import_history", self)

    def reload(self) -> None:
        self.rows = batch_rows(self.db, self.school_id)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            values = (str(row["id"]), row["when"], row["kind"], row["file"], f"{row['new']:,}",
                      f"{row['updated']:,}", row["by"], "undone" if row["undone"] else "")
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c in (0, 4, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        if not self.rows:
            self.status.setText("No imports yet: File → Import… brings in staff, CPD history, bookings, "
                                "timetables and courses.")
        elif self.table.currentRow() < 0:
            self.table.selectRow(0)
        self._selection_changed()

    def selected(self) -> dict[str, Any] | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _selection_changed(self) -> None:
        row = self.selected()
        self.undo_button.setEnabled(row is not None and not row["undone"] and not self.readonly)
        if self.readonly:
            self.undo_button.setToolTip("The database is open read-only.")

    def undo_selected(self) -> None:
        row = self.selected()
        if row is None or row["undone"] or self.readonly:
            return
        from ..prompts import Confirm

        added = f"{row['new']:,} record{'s' if row['new'] != 1 else ''} it added"
        changed = f"{row['updated']:,} it changed"
        if not Confirm.ask(self, "Undo this import", f"Take import {row['id']} ({row['file']}) back out?",
                           yes="Undo the import",
                           detail=f"The {added} are removed and the {changed} are put back as they were. "
                                  "This is written to the audit trail; Edit → Undo cannot bring it back "
                                  "(import the file again instead)."):
            return
        from ..workers import run_with_progress

        db, school_id, batch_id = self.db, self.school_id, int(row["id"])

        def work(_progress: Any, _cancelled: Any) -> Any:
            from ...errors import CpdError
            from ...imports import undo_import
            from ...models import School

            with db.session() as s:
                school = s.get(School, school_id)
                if school is None:
                    raise CpdError("The school is no longer in this database.")
                return undo_import(s, batch_id, school)

        def done(result: Any) -> None:
            self.status.setText(f"Undid import {result.batch_id} ({result.file_name}): {result.removed:,} removed, "
                                f"{result.restored:,} put back as they were.")
            self.reload()
            self.undone.emit(result)

        run_with_progress(self, "Undo import", work, done, label=f"Taking import {batch_id} back out…")

    def done(self, code: int) -> None:
        settings.save_geometry("import_history", self)
        super().done(code)

    @classmethod
    def ask(cls, parent: QWidget | None, db: Any, school_id: int, *, readonly: bool = False,
            on_undone: Any = None) -> None:
        dialog = cls(db, school_id, parent, readonly=readonly)
        if on_undone is not None:
            dialog.undone.connect(on_undone)
        dialog.exec()
