"""Adding and editing a budget line: its financial year, code, name, department, allocation and the amount
meant for each cost head. The rules are the core's (``services.budget_lines``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from ...errors import CpdError
from ...models import BudgetLine
from ...models.budget import COST_HEADS
from ...services.budget import fy_text
from ...services.budget_lines import FIELD_NAMES, clean_line_values, what_a_change_moves
from ...services.years import FinancialYear
from ..forms import FormDialog
from ..prompts import Confirm
from .lookups import department_names

NO_DEPARTMENT = "No department"


def _check(key: str) -> Callable[[Any], Any]:
    """The core's check of one field of a line."""
    return lambda value: clean_line_values({key: value})


class BudgetLineDialog(FormDialog):
    """``line`` is the line's values as ``services.budget_lines.line_form`` gives them (None: a new line)."""

    def __init__(self, ctx: Any, years: list[FinancialYear], shown: FinancialYear, line: dict[str, Any] | None = None,
                 version: int | None = None, parent: QWidget | None = None, *, line_id: int | None = None) -> None:
        super().__init__("Edit budget line" if line else "Add a budget line", parent,
                         intro="A sum of money for CPD in one financial year, under the code your finance system "
                               "uses. Bookings count against it by that code, or through its department.")
        self.version = version
        self.ctx = ctx
        self.line_id = line_id  # the line being edited (None: a new one)
        self.start_month = shown.start_month
        current = line or {}
        year = current.get("financial_year", shown.start_year)
        offered = sorted({y.start_year for y in years} | {year}, reverse=True)
        self.add_combo("financial_year", f"{FIELD_NAMES['financial_year']} *",
                       [(y, fy_text(FinancialYear(y, shown.start_month))) for y in offered], year,
                       tip="The school's financial year the money is for")
        self.add_line("budget_code", f"{FIELD_NAMES['budget_code']} *", current.get("budget_code", ""),
                      check=_check("budget_code"), placeholder="e.g. CPD-SCI",
                      tip="The code of the line in your finance system; unique in the year")
        self.add_line("name", f"{FIELD_NAMES['name']} *", current.get("name", ""),
                      check=_check("name"), placeholder="e.g. Science CPD")
        departments = department_names(ctx)
        chosen = current.get("department", "") if line else (ctx.department or "")
        self.add_combo("department", FIELD_NAMES["department"],
                       [("", NO_DEPARTMENT), *((name, name) for name in departments)], chosen,
                       tip="A department's line takes the bookings of its staff that carry no code of their own")
        self.add_line("amount", f"{FIELD_NAMES['amount']} *", current.get("amount", ""),
                      check=_check("amount"), placeholder="e.g. 3000 or £3,000.00",
                      tip="The line's budget for the year, in pounds and pence")
        heads = QLabel("Of the allocation, for each cost head (optional):")
        heads.setObjectName("muted")
        self.form.addRow(heads)
        for head in COST_HEADS:
            key = f"{head}_amount"
            self.add_line(key, FIELD_NAMES[key], current.get(key, ""),
                          check=_check(key), placeholder="blank: none set")

    def form_check(self, values: dict[str, Any]) -> None:
        clean_line_values(values, self.start_month)

    def accept(self) -> None:
        if self.line_id is not None and not self._moves_nothing_unasked():
            return
        super().accept()

    def _moves_nothing_unasked(self) -> bool:
        """A new code (or year) for a line that bookings find by its code is asked about first: Change it saves,
        Go back keeps the dialog open with what was typed."""
        with self.ctx.session() as s:
            line = s.get(BudgetLine, self.line_id)
            moves = what_a_change_moves(s, line, self.values()) if line is not None else None
        if moves is None or Confirm.ask(self, "Change budget code", moves, yes="Change it", no="Go back"):
            return True
        self.show_refusal(CpdError("Not saved: the line keeps its code and year.",
                                   hint="Put them back, or press Save again and choose Change it."))
        return False

    def answer(self) -> tuple[dict[str, Any], int | None]:
        return self.values(), self.version

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: Any, years: list[FinancialYear], shown: FinancialYear,
            line: dict[str, Any] | None = None, version: int | None = None, *, line_id: int | None = None,
            save: Callable[[tuple[dict[str, Any], int | None]], Any] | None = None) -> Any:
        """``(values, version)``; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(ctx, years, shown, line, version, parent, line_id=line_id).open_and_save(save)
