"""Recording one CPD activity (an INSET day, a twilight, a department session) for several people at once.

The people are ticked in a list, quickest by choosing a group (a department, all teachers in the target);
below it the dialog says, as things are typed, who it will be added for and who will be left out and why
(the core's ``services.record.plan_record`` decides: not employed on the date, already has it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ...errors import CpdError, ValidationError
from ...models.enums import FORMATS, STANDARD_PARTS
from ...services import validation as v
from ...services.formatting import format_date
from ...services.lists.choices import people
from ..forms import FormDialog
from .lookups import provider_names

EVERYONE_IN = "Everyone in "
ALL_TEACHERS = "All teachers in the CPD target"


class RecordManyDialog(FormDialog):
    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__("Record for several people", parent, ok_text="Add",
                         intro="One activity, such as an INSET day or a twilight, for everyone ticked. People not "
                               "employed on the date, or who already have it, are left out and named below.")
        self.ctx = ctx
        self._people = people(ctx.db, ctx.school_id)
        departments = sorted({r.department for r in self._people if r.department})
        groups: list[tuple[Any, str]] = [(None, "Tick people by name"), ("target", ALL_TEACHERS)]
        groups += [(("department", d), EVERYONE_IN + d) for d in departments]
        self.add_line("title", "Title *", "", check=lambda x: v.required_text(x, "Title"),
                      placeholder="e.g. INSET: assessment for learning")
        self.add_line("date", "Date *", format_date(ctx.today), check=lambda x: v.parse_date(x, "Date"),
                      placeholder="dd/mm/yyyy")
        self.add_line("hours", "Hours *", "", placeholder="e.g. 6 or 1.5",
                      check=lambda x: v.parse_hours(x, "Hours", start=dt.date(2000, 1, 1), end=dt.date(2000, 1, 1)))
        self.add_combo("format", "Format", list(FORMATS.items()), "inset")
        self.add_combo("provider", "Provider", [(p, p) for p in provider_names(ctx)], "", editable=True)
        self.combo_box("provider").setCurrentText("")
        self.add_combo("priority", "Priority", [(None, "None")] + self._priorities(), None,
                       tip=f"The school priority for {ctx.year.label} it serves (optional)")
        self.add_check("subject_specific", "Subject-specific", False)
        for key, label in STANDARD_PARTS.items():
            self.add_check(key, label, False)
        self.group = self.add_combo("group", "Who", groups, None,
                                    tip="Ticks everyone in a group; then tick or untick people by name")
        self.group.currentIndexChanged.connect(lambda _i: self._tick_group())
        self.people_list = QListWidget()
        self.people_list.setMinimumHeight(160)
        for r in self._people:
            item = QListWidgetItem(f"{r.surname}, {r.forename} ({r.staff_code})"
                                   + (f" — {r.department}" if r.department else ""))
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.people_list.addItem(item)
        self.people_list.itemChanged.connect(lambda _item: self.revalidate())
        self._add("people", "People *", self.people_list, _some_people, self._ticked)
        self.add_check("include_duplicates", "Add it also for people who already have it", False,
                       tip="Left unticked, anyone with a similar activity on that date is left out")
        self.preview = QLabel("")
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName("Who it will be added for")
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Under the scrolling form, above the buttons: who Add is for, and who is left out and why, stay in
        # sight on a 768-pixel screen rather than below the fold.
        outer = self.layout()
        assert isinstance(outer, QVBoxLayout)
        outer.insertWidget(outer.indexOf(self.form_error), self.preview)
        self.changed.connect(self._update_preview)
        chosen = next((i for i, (data, _t) in enumerate(groups) if isinstance(data, tuple) and ctx.department
                       and data[1].lower() == ctx.department.lower()), None)
        if chosen is not None:  # the department the window shows is the likely one
            self.group.setCurrentIndex(chosen)
        self.resize(640, 720)

    def _priorities(self) -> list[tuple[Any, str]]:
        """The window's academic year's priorities: those an activity this year may serve."""
        from ...services.record import year_priorities

        with self.ctx.session() as s:
            return [(pid, name) for pid, name in year_priorities(s, self.ctx.school(s), self.ctx.year)]

    # ---- choosing people ----
    def _ticked(self) -> list[int]:
        out = []
        for i in range(self.people_list.count()):
            item = self.people_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _tick_group(self) -> None:
        group = self.group.currentData()
        if group is None:
            return
        wanted = {r.id for r in self._people
                  if (group == "target" and r.in_target) or (isinstance(group, tuple) and r.department == group[1])}
        self.people_list.blockSignals(True)
        for i in range(self.people_list.count()):
            item = self.people_list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                               else Qt.CheckState.Unchecked)
        self.people_list.blockSignals(False)
        self.revalidate()

    # ---- what will happen ----
    def service_values(self) -> dict[str, Any]:
        values = self.values()
        for key in ("group", "people", "include_duplicates", "provider", "priority"):
            values.pop(key)
        return values

    def plan(self, session: Any) -> Any:
        """The core's plan for what is in the form now (who gets it, who is left out and why)."""
        return self.planner()(session)

    def planner(self) -> Callable[[Any], Any]:
        """``plan`` as work for a session: the form is read now, on the window's thread, so the plan can be
        made on another (a save runs off the window's thread)."""
        from ...services.record import choose_staff, plan_record

        values, extra, ctx = self.values(), self.service_values(), self.ctx

        def plan(session: Any) -> Any:
            school = ctx.school(session)
            people, _ = choose_staff(session, school, staff_ids=values["people"])
            return plan_record(session, school, people, provider=values["provider"] or None,
                               priority=values["priority"], include_duplicates=bool(values["include_duplicates"]),
                               **extra)

        return plan

    def _update_preview(self) -> None:
        if not self._ticked():
            self.preview.setText("")
            return
        try:
            with self.ctx.session() as s:
                plan = self.plan(s)
                s.rollback()
        except CpdError:
            self.preview.setText("")  # the fields' own messages say what is wrong
            return
        from ...services.formatting import plural

        lines = [f"Will be added for {plural(len(plan.chosen), 'person', 'people')}."]
        lines += [f"Left out: {x.line()}." for x in plan.left_out]
        self.preview.setText("\n".join(lines))

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: Any, *, save: Callable[[Any], Any] | None = None) -> Any:
        """With ``save`` (called with the dialog), what it returned once it succeeded; None if cancelled."""
        return cls(ctx, parent).open_and_save(save)

    def answer(self) -> Any:
        return self


def _some_people(ids: list[int]) -> list[int]:
    if not ids:
        raise ValidationError("People", "none ticked.", hint="Choose a group under Who, or tick people by name.")
    return ids
