"""The periods-of-the-day editor: a table of each period's name, start and end (08:50), with buttons to add
a period and take off the last.

The new-school wizard and Settings → Periods of the day both show it; what it holds is checked by the
rules the save applies (``services.schools.check_periods``).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...errors import ValidationError
from ...services.schools import Period, check_periods


class PeriodsEditor(QWidget):
    """The periods table and its Add/Remove buttons; ``buttons`` is the row they sit in (Settings puts its
    Save button there). ``edited`` is sent on every change the person makes."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Name", "Starts", "Ends"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setAccessibleName("Periods of the day")
        self.table.itemChanged.connect(lambda _item: self.edited.emit())
        layout.addWidget(self.table, 1)
        self.buttons = QHBoxLayout()
        add = QPushButton("Add a period")
        add.clicked.connect(self.add_period)
        remove = QPushButton("Remove the last")
        remove.clicked.connect(self.remove_last)
        self.buttons.addWidget(add)
        self.buttons.addWidget(remove)
        self.buttons.addStretch(1)
        layout.addLayout(self.buttons)

    def show_periods(self, periods: list[Period]) -> None:
        """Show ``periods`` in place of what the table holds (one ``edited`` for the lot)."""
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for _number, label, start, end in periods:
            self._add_row(label, f"{start:%H:%M}", f"{end:%H:%M}")
        self.table.blockSignals(False)
        self.edited.emit()

    def add_period(self) -> None:
        """A new row at the end, named after its place (P6), its times to fill in."""
        self.table.blockSignals(True)
        self._add_row(f"P{self.table.rowCount() + 1}", "", "")
        self.table.blockSignals(False)
        self.edited.emit()

    def remove_last(self) -> None:
        """Take the last period off (a day keeps at least one)."""
        self.table.setRowCount(max(1, self.table.rowCount() - 1))
        self.edited.emit()

    def _add_row(self, label: str, start: str, end: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate((label, start, end)):
            self.table.setItem(row, column, QTableWidgetItem(text))

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def periods(self) -> list[Period]:
        """The periods as typed, numbered from 1, checked as the save checks them (``ValidationError``
        naming the period when one is wrong)."""
        out: list[Period] = []
        for row in range(self.table.rowCount()):
            label = self._cell(row, 0) or f"P{row + 1}"
            try:
                start = dt.datetime.strptime(self._cell(row, 1), "%H:%M").time()
                end = dt.datetime.strptime(self._cell(row, 2), "%H:%M").time()
            except ValueError as exc:
                raise ValidationError(f"Period {label}", "needs start and end times like 08:50.") from exc
            out.append((row + 1, label, start, end))
        check_periods(out)
        return out
