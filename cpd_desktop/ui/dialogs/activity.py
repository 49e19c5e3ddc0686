"""Adding and editing a CPD activity, and recording its impact evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from ...models import Activity
from ...models.enums import ACTIVITY_STATUSES, FORMATS, STANDARD_PARTS
from ...services import validation as v
from ...services.formatting import format_date, format_hours, format_money
from ..forms import FormDialog
from .lookups import add_objective_choice, provider_names, staff_choices

CONFIDENCE = [(None, "Not given"), (1, "1 — much less confident"), (2, "2 — a little less confident"),
              (3, "3 — about the same"), (4, "4 — more confident"), (5, "5 — much more confident")]


class ActivityDialog(FormDialog):
    def __init__(self, ctx: Any, activity: Activity | None = None, parent: QWidget | None = None, *,
                 staff_id: int | None = None) -> None:
        super().__init__("Edit CPD activity" if activity else "Add CPD activity", parent,
                         intro="Hours are counted as attended. Tick the parts of the DfE Standard the activity meets.")
        a = activity
        self.ctx = ctx
        self.version = a.version if a else None
        self.add_combo("staff_id", "Member of staff *", staff_choices(ctx), a.staff_id if a else staff_id)
        if a is not None:
            self.fields["staff_id"].widget.setEnabled(False)
        self.add_line("title", "Title *", a.title if a else "", check=lambda x: v.required_text(x, "Title"))
        self.add_line("date", "Date *", format_date(a.date) if a else format_date(ctx.today),
                      check=lambda x: v.parse_date(x, "Date"), placeholder="dd/mm/yyyy")
        self.add_line("end_date", "End date", format_date(a.end_date) if a else "",
                      check=lambda x: v.parse_date(x, "End date", required=False),
                      placeholder="for activities over several days")
        self.add_line("hours", "Hours *", format_hours(a.hours) if a else "",
                      check=lambda x: v.parse_hours(x, "Hours", start=dt.date(2000, 1, 1), end=dt.date(2000, 12, 31)),
                      placeholder="e.g. 3 or 1.5")
        self.add_combo("format", "Format", list(FORMATS.items()), a.format if a else "face_to_face")
        self.add_combo("provider", "Provider", [(p, p) for p in provider_names(ctx)],
                       (a.provider.name if a and a.provider else ""), editable=True)
        if a is None:
            self.combo_box("provider").setCurrentText("")
        self.add_check("subject_specific", "Subject-specific", a.subject_specific if a else True)
        self.add_combo("status", "Status", [(None, "—"), *ACTIVITY_STATUSES.items()], a.status if a else None,
                       tip="For long programmes such as an NPQ")
        self.add_line("cost", "Cost", format_money(a.cost) if a else "",
                      check=lambda x: v.parse_money(x, "Cost", required=False), placeholder="£0.00")
        self._add_programme(ctx, a)
        add_objective_choice(self, ctx, a.objective_id if a else None)
        for key, label in STANDARD_PARTS.items():
            self.add_check(key, label, getattr(a, key) if a else False)
            if key == "std_sustained":
                self.suggestion = QLabel("Suggested: this programme runs over two or more terms")
                self.suggestion.setObjectName("muted")
                self.suggestion.setAccessibleName("Sustained suggestion")
                self.suggestion.setVisible(False)
                self.add_row("", self.suggestion)
        self.add_text("intended_outcomes", "Intended outcomes", (a.intended_outcomes or "") if a else "",
                      placeholder="What should change for pupils?")

    def _add_programme(self, ctx: Any, a: Activity | None) -> None:
        """The programme it belongs to. Choosing one that spans two or more terms ticks part 4 of the
        Standard ("Sustained over time") and says why; the person may untick it. Only a choice made here
        does so: opening an existing activity never changes what was saved."""
        from ...services.impact import programme_choices

        with ctx.session() as s:
            self.programmes = {p.id: p for p in programme_choices(s, ctx.school(s))}
        combo = self.add_combo("programme_id", "Programme",
                               [(0, "— None —"), *((p.id, p.name) for p in self.programmes.values())],
                               (a.programme_id or 0) if a else 0, tip="An NPQ, a lesson-study cycle, a course of several days")
        combo.currentIndexChanged.connect(lambda _i: self._programme_chosen())

    def _programme_chosen(self) -> None:
        chosen = self.programmes.get(self.combo_box("programme_id").currentData() or 0)
        sustained = chosen is not None and chosen.sustained
        if sustained:
            self.check_box("std_sustained").setChecked(True)
        self.suggestion.setVisible(sustained)

    def form_check(self, values: dict[str, Any]) -> None:
        from ...services.activities import clean_activity_values

        data = {k: val for k, val in values.items() if k not in ("staff_id", "provider")}
        clean_activity_values(data)

    def service_values(self) -> dict[str, Any]:
        values = self.values()
        values.pop("staff_id")
        values["programme_id"] = values["programme_id"] or None
        values["objective_id"] = values["objective_id"] or None
        return values

    def accept(self) -> None:
        if self.version is None and not self._not_held_already():
            return
        super().accept()

    def _not_held_already(self) -> bool:
        """A new activity the person already has (same day, a similar title; the core decides) is asked
        about first: Add anyway saves it, Go back keeps the dialog open with what was typed."""
        from ...errors import CpdError
        from ...services.record import find_duplicate
        from ..prompts import Confirm

        values = self.values()
        if values.get("staff_id") is None:
            return True
        with self.ctx.session() as s:
            held = find_duplicate(s, self.ctx.school(s), values["staff_id"], values)
        if held is None:
            return True
        if Confirm.ask(self, "Already recorded", held.question(), yes="Add anyway", no="Go back"):
            return True
        self.show_refusal(CpdError(f"Not saved: {held.name} already has '{held.title}' on {format_date(held.date)}.",
                                   hint="Change the title or date, or press Save again and choose Add anyway."))
        return False

    def answer(self) -> tuple[int, dict[str, Any], int | None]:
        return self.values()["staff_id"], self.service_values(), self.version

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: Any, activity: Activity | None = None,
            staff_id: int | None = None, *, save: Callable[[Any], Any] | None = None) -> Any:
        """``(staff_id, values, version)``; with ``save``, what it returned once it succeeded."""
        return cls(ctx, activity, parent, staff_id=staff_id).open_and_save(save)


class EvaluationDialog(FormDialog):
    """Recording is not evaluating: what changed, for the teacher and the pupils, and what next."""

    def __init__(self, activity: Activity, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__("Impact evaluation", parent, ok_text="Save evaluation",
                         intro=f"{activity.title} — {activity.staff.full_name}, {format_date(activity.date)}"
                               + (f"\nIntended outcomes: {activity.intended_outcomes}" if activity.intended_outcomes else ""))
        a = activity
        self.start = a.date
        self.today = today or dt.date.today()
        self.add_text("impact", "Impact on teaching *", a.impact or "",
                      check=lambda x: _required_note(x, "Impact"),
                      placeholder="What changed in your teaching?")
        self.add_combo("confidence", "Confidence", CONFIDENCE, a.impact_confidence)
        self.add_text("pupil_outcomes", "Pupil outcomes", a.pupil_outcomes or "",
                      check=lambda x: v.clean_text(x, "Pupil outcomes", max_len=v.NOTE_MAX, multiline=True),
                      placeholder="What difference has it made to pupils?")
        self.add_text("follow_up_actions", "Follow-up actions", a.follow_up_actions or "",
                      check=lambda x: v.clean_text(x, "Follow-up actions", max_len=v.NOTE_MAX, multiline=True))
        self.add_line("evaluated_on", "Evaluated on", format_date(a.evaluated_on or self.today),
                      check=lambda x: v.parse_date(x, "Evaluated on"), placeholder="dd/mm/yyyy")

    def form_check(self, values: dict[str, Any]) -> None:
        from ...services.stages import check_done_on

        day = v.parse_date(values["evaluated_on"], "Evaluated on")
        if day is not None:
            check_done_on(day, self.start, self.today, "Evaluated on")

    @classmethod
    def ask(cls, parent: QWidget | None, activity: Activity, today: dt.date | None = None, *,
            save: Callable[[dict[str, Any]], Any] | None = None) -> Any:
        """The values; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(activity, parent, today=today).open_and_save(save)


def _required_note(value: Any, field: str) -> str:
    text = v.clean_text(value, field, max_len=v.NOTE_MAX, multiline=True)
    if not text:
        from ...errors import ValidationError

        raise ValidationError(field, "is required for an evaluation.",
                              hint="Say what changed in your teaching or your pupils' learning.")
    return text
