"""The term-date editor: a start and an end for each of a year's three terms, typed as dd/mm/yyyy.

The new-school wizard and Settings → Term dates both show it; what it holds is checked by the same rules
the save applies (``services.schools.check_term_dates``), so a refusal can be shown as the person types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from ...services import validation as v
from ...services.formatting import format_date
from ...services.schools import TermRow, check_term_dates
from ...services.years import TERM_ORDER, AcademicYear


class TermDatesEditor(QWidget):
    """"Autumn term: [starts] to [ends]", one row a term; ``edited`` is sent on every keystroke."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.edits: dict[str, tuple[QLineEdit, QLineEdit]] = {}
        for term in TERM_ORDER:
            start, end = QLineEdit(), QLineEdit()
            start.setAccessibleName(f"{term.title()} term starts")
            end.setAccessibleName(f"{term.title()} term ends")
            row = QHBoxLayout()
            row.addWidget(start)
            row.addWidget(QLabel("to"))
            row.addWidget(end)
            self.form.addRow(f"{term.title()} term:", row)
            start.textChanged.connect(self.edited)
            end.textChanged.connect(self.edited)
            self.edits[term] = (start, end)

    def show_terms(self, terms: Iterable[tuple[str, dt.date, dt.date]]) -> None:
        """Fill the fields with ``terms`` (term, first day, last day) as dd/mm/yyyy."""
        for term, start, end in terms:
            first, last = self.edits[term]
            first.setText(format_date(start))
            last.setText(format_date(end))

    def terms(self, year: AcademicYear) -> list[TermRow]:
        """The dates typed, in the order of the year, checked as the save checks them (``ValidationError``
        naming the term and the field, "Spring term start: …", when one is wrong)."""
        out: list[TermRow] = []
        for term, (first, last) in self.edits.items():
            start = v.parse_date(first.text(), f"{term.title()} term start")
            end = v.parse_date(last.text(), f"{term.title()} term end")
            assert start is not None and end is not None  # parse_date refuses a blank required date
            out.append((term, start, end))
        check_term_dates(year, out)
        return out
