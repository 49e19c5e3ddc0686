"""Adding and editing a member of staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from ...models import Staff
from ...services import validation as v
from ...services.formatting import format_date
from ..forms import FormDialog
from .lookups import department_names

ECT_CHOICES = [(None, "Not an ECT"), (1, "ECT year 1"), (2, "ECT year 2")]


class StaffDialog(FormDialog):
    def __init__(self, ctx: Any, staff: Staff | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Edit member of staff" if staff else "Add a member of staff", parent,
                         intro="Staff codes are the initials your MIS uses (e.g. HMA).")
        s = staff
        self.version = s.version if s else None
        self.add_line("forename", "Forename *", s.forename if s else "",
                      check=lambda x: v.required_text(x, "Forename", max_len=v.NAME_MAX))
        self.add_line("surname", "Surname *", s.surname if s else "",
                      check=lambda x: v.required_text(x, "Surname", max_len=v.NAME_MAX))
        self.add_line("staff_code", "Staff code *", s.staff_code if s else "", check=v.parse_staff_code,
                      placeholder="e.g. HMA")
        self.add_line("email", "Email", (s.email or "") if s else "", check=v.parse_email,
                      placeholder="name@school.org.uk")
        self.add_line("role", "Role", (s.role or "") if s else "", placeholder="e.g. Teacher of Physics",
                      check=lambda x: v.clean_text(x, "Role", max_len=120))
        depts = department_names(ctx)
        current = s.department.name if s and s.department else (ctx.department or (depts[0] if depts else ""))
        self.add_combo("department", "Department", [(d, d) for d in depts], current, editable=True,
                       tip="Choose one, or type a new department's name")
        self.add_line("fte", "FTE", f"{s.fte:g}" if s else "1", check=v.parse_fte,
                      tip="Full-time equivalent: 1 for full time, 0.8 or 80% for four days. Targets are pro rata.")
        self.add_combo("ect_year", "ECT", ECT_CHOICES, s.ect_year if s else None,
                       tip="Early career teachers: year 1 and 2 of induction")
        # Support staff (technicians, teaching assistants) are outside the teachers' CPD target unless ticked.
        self.in_target = self.add_check("in_target", "Counts in the teachers' CPD target",
                                        s.in_target if s else True,
                                        tip="Untick for support staff such as technicians: their CPD is still "
                                            "recorded, but they get no target and are left out of the teachers' "
                                            "figures.")
        if s is None:  # a new person: the role suggests it until the box is changed by hand
            self._in_target_by_hand = False
            self.in_target.clicked.connect(lambda _c: setattr(self, "_in_target_by_hand", True))
            self.line_edit("role").textChanged.connect(self._role_changed)
        self.add_line("start_date", "Start date", format_date(s.start_date) if s else "",
                      check=lambda x: v.parse_date(x, "Start date", required=False), placeholder="dd/mm/yyyy")
        self.add_line("leaving_date", "Leaving date", format_date(s.leaving_date) if s else "",
                      check=lambda x: v.parse_date(x, "Leaving date", required=False), placeholder="dd/mm/yyyy")
        self.add_text("notes", "Notes", (s.notes or "") if s else "",
                      check=lambda x: v.clean_text(x, "Notes", max_len=v.NOTE_MAX, multiline=True))

    def _role_changed(self, role: str) -> None:
        from ...models.staff import in_target_by_role

        if not self._in_target_by_hand:
            self.in_target.setChecked(in_target_by_role(role))

    def form_check(self, values: dict[str, Any]) -> None:
        from ...services.staff import clean_staff_values

        clean_staff_values(values)

    def answer(self) -> tuple[dict[str, Any], int | None]:
        return self.values(), self.version

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: Any, staff: Staff | None = None, *,
            save: Callable[[tuple[dict[str, Any], int | None]], Any] | None = None) -> Any:
        """``(values, version)``; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(ctx, staff, parent).open_and_save(save)
