"""A person's development objective for the window's academic year, on their page in the Staff view:
one or two lines and, if it serves one, the year's priority. Appraisal-light: no form, no ratings.

Saved with the button (an undoable change, off the window's thread like every save); emptying the text
and saving removes the objective. What the core refuses (three lines, too long) is said beside the box and
what was typed stays.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...errors import CpdError
from ...services.objectives import objective_of, priority_choices, set_objective

NO_PRIORITY = "— No particular priority —"


class ObjectiveEditor(QWidget):
    """One or two lines for the person's objective this year, the priority it serves, and Save."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.title = QLabel("Development objective")
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        row = QHBoxLayout()
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Development objective")
        self.text.setPlaceholderText("One or two lines agreed for the year, e.g. “Use the rope model to teach "
                                     "current and potential difference in Year 9”")
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * 2 + 14)
        self.text.textChanged.connect(self._edited)
        row.addWidget(self.text, 1)
        self.priority = QComboBox()
        self.priority.setAccessibleName("Serves priority")
        self.priority.setToolTip("The school or department priority this objective serves, if any")
        self.priority.setMinimumWidth(220)
        self.priority.currentIndexChanged.connect(lambda _i: self._edited())
        row.addWidget(self.priority)
        self.save_button = QPushButton("Save objective")
        self.save_button.setAccessibleName("Save objective")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.state = QLabel("")
        self.state.setObjectName("muted")
        self.state.setAccessibleName("Objective saved or not")
        self.state.setWordWrap(True)
        layout.addWidget(self.state)

    def show_for(self, staff_id: int) -> None:
        """Show the person's objective for the window's academic year; shown again after a save, an undo or a
        colleague's change, it keeps what the person is typing and says "Saved." while that still stands."""
        year = self.ctx.year
        before = (self.staff_id, self.title.text(), self.text.toPlainText())
        if before[:2] == (staff_id, f"Development objective {year.label}") and self.save_button.isEnabled():
            return  # typing, not yet saved: nothing typed is replaced
        self.staff_id = staff_id
        with self.ctx.session() as s:
            school = self.ctx.school(s)
            found = objective_of(s, school, staff_id, year)
            choices = priority_choices(s, school, year)
        self.title.setText(f"Development objective {year.label}")
        for w in (self.text, self.priority):
            w.blockSignals(True)
        self.text.setPlainText(found.text if found else "")
        self.priority.clear()
        self.priority.addItem(NO_PRIORITY, None)
        for ident, name in choices:
            self.priority.addItem(name, ident)
        self.priority.setCurrentIndex(max(0, self.priority.findData(found.priority_id)) if found else 0)
        self.priority.setEnabled(bool(choices))
        for w in (self.text, self.priority):
            w.blockSignals(False)
        if before != (staff_id, self.title.text(), self.text.toPlainText()):
            self.state.setText("" if found else "None yet for this year.")
        self.save_button.setEnabled(False)

    def _edited(self) -> None:
        self.save_button.setEnabled(self.staff_id is not None)
        self.state.setText("Not saved yet.")

    def save(self) -> None:
        staff_id, year = self.staff_id, self.ctx.year
        if staff_id is None:
            return
        text, priority_id = self.text.toPlainText(), self.priority.currentData()
        try:
            self.ctx.run(self, "Save objective", lambda s: set_objective(
                s, self.ctx.school(s), staff_id, year, text, priority_id), refusals=True)
        except CpdError as exc:  # what the core refused, beside the box; what was typed stays
            self.state.setText(exc.message)
            return
        self.save_button.setEnabled(False)
        self.state.setText("Saved." if text.strip() else "Removed.")
