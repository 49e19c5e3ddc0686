"""Booking CPD: from the course catalogue or free text, with every cost head and the bursary expected
shown as you type, planned backwards from the change it should make for pupils (required when it costs
money or needs cover), the priority it serves and the teacher's confidence before; and the small dialogs
for moving a booking on (cancel with a reason)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from ...errors import CpdError
from ...models import Booking, Course
from ...models.enums import FORMATS
from ...services import validation as v
from ...services.bookings import suggested_cover_days, suggested_end_date
from ...services.bursaries import format_days
from ...services.formatting import format_date, format_hours, format_money
from ...services.lists.choices import offered_courses, open_schemes
from ...services.record import year_priorities
from ...services.years import SchoolCalendar, academic_year_of, calendar_years
from ..forms import FormDialog
from .lookups import add_objective_choice, provider_names, staff_choices

FREE_TEXT = 0
CONFIDENCE = {1: "not at all confident", 2: "a little", 3: "fairly", 4: "confident", 5: "very confident"}


def _money_or_zero(text: Any, field: str) -> Decimal:
    return v.parse_money(text, field, required=False) or Decimal("0.00")


class BookingDialog(FormDialog):
    def __init__(self, ctx: Any, booking: Booking | None = None, parent: QWidget | None = None, *,
                 staff_id: int | None = None, start: dt.date | None = None) -> None:
        super().__init__("Edit booking" if booking else "Book CPD", parent, ok_text="Save booking",
                         intro="Choose a course from the catalogue to fill in its details, or type your own.")
        self.ctx = ctx
        b = booking
        self.version = b.version if b else None
        with ctx.session() as s:
            school = ctx.school(s)
            self.day_rate = school.supply_day_rate
            # The school's days (terms, bank holidays, non-teaching days) for suggestions as the person types.
            around = b.start_date if b else (start or ctx.today)
            self.calendar = SchoolCalendar(s, school, years=calendar_years(
                around, school.academic_year_start_month)).detached()
            self.courses = {c.id: c for c in offered_courses(s, ctx.school_id)}
            self.schemes = {x.id: x for x in open_schemes(s, ctx.school_id)}
            # The priorities of the academic year the booking starts in (this year's, for a new one).
            self.priorities = year_priorities(s, school, academic_year_of(around, school.academic_year_start_month))
        self.add_combo("staff_id", "Member of staff *", staff_choices(ctx, include_leavers=False),
                       b.staff_id if b else staff_id)
        course_items: list[tuple[Any, str]] = [(FREE_TEXT, "— Free text (not in the catalogue) —")]
        for c in self.courses.values():
            course_items.append((c.id, c.title + (f" — {c.provider.name}" if c.provider else "")))
        self.add_combo("course_id", "Course", course_items, (b.course_id or FREE_TEXT) if b else FREE_TEXT)
        if b is not None:
            self.fields["course_id"].widget.setEnabled(False)
            self.fields["staff_id"].widget.setEnabled(False)
        self.add_line("title", "Title *", b.title if b else "", check=lambda x: v.required_text(x, "Title"))
        self.add_combo("provider", "Provider", [(p, p) for p in provider_names(ctx)],
                       b.provider.name if b and b.provider else "", editable=True)
        if b is None:
            self.combo_box("provider").setCurrentText("")
        first = start or self.calendar.booking_start(ctx.today)
        self.add_line("start_date", "Start date *", format_date(b.start_date if b else first),
                      check=lambda x: v.parse_date(x, "Start date"), placeholder="dd/mm/yyyy")
        self.add_line("end_date", "End date", format_date(b.end_date) if b else "",
                      check=lambda x: v.parse_date(x, "End date", required=False),
                      placeholder="same day if blank")
        self.add_line("hours", "Hours *", format_hours(b.hours) if b else "",
                      check=lambda x: v.parse_hours(x, "Hours", start=dt.date(2000, 1, 1), end=dt.date(2000, 12, 31)))
        self.add_combo("format", "Format", list(FORMATS.items()), b.format if b else "face_to_face")
        self.add_check("subject_specific", "Subject-specific", b.subject_specific if b else True)
        self.add_check("cover_required", "Needs release cover", b.cover_required if b else True)
        # Blank while it is the count of school days, so that it follows the dates when they change.
        counted = b is not None and b.cover_required and b.cover_days == suggested_cover_days(
            self.calendar, b.start_date, b.end_date, self.courses.get(b.course_id or 0))
        self.add_line("cover_days", "Cover days", f"{b.cover_days:g}" if b and not counted else "",
                      check=lambda x: v.parse_decimal(x or 0, "Cover days", hint=v.HALF_DAYS_HINT),
                      tip="Days of supply cover; blank counts the booking's school days in term (no weekends, "
                          "holidays, bank holidays or non-teaching days)")
        self.add_line("cover_day_rate", "Cover day rate", format_money(b.cover_day_rate if b else self.day_rate),
                      check=lambda x: v.parse_money(x, "Cover day rate"))
        self.add_line("fee", "Course fee", format_money(b.fee) if b else "£0.00",
                      check=lambda x: _money_or_zero(x, "Course fee"))
        self.add_line("travel", "Travel", format_money(b.travel) if b else "£0.00",
                      check=lambda x: _money_or_zero(x, "Travel"))
        self.add_line("accommodation", "Accommodation", format_money(b.accommodation) if b else "£0.00",
                      check=lambda x: _money_or_zero(x, "Accommodation"))
        self.add_line("subsistence", "Subsistence", format_money(b.subsistence) if b else "£0.00",
                      check=lambda x: _money_or_zero(x, "Subsistence"))
        scheme_items: list[tuple[Any, str]] = [(0, "— None —"), *[(x.id, x.name) for x in self.schemes.values()]]
        self.add_combo("scheme_id", "Bursary scheme", scheme_items, 0,
                       tip="The bursary you expect to claim; a claim can be raised in Bursaries")
        self.add_line("budget_code", "Budget code", (b.budget_code or "") if b else "",
                      check=lambda x: v.clean_text(x, "Budget code", max_len=40))
        self.add_text("intended_outcomes", "Intended outcome", (b.intended_outcomes or "") if b else "",
                      placeholder="What should change for pupils? Required when the course costs money or "
                                  "needs cover.")
        self.add_combo("priority_id", "Priority", [(0, "— None —"), *self.priorities],
                       (b.priority_id or 0) if b else 0, tip="The school or department priority it serves")
        add_objective_choice(self, ctx, b.objective_id if b else None)
        self.add_combo("confidence_before", "Confidence before",
                       [("", "— Not asked —"), *[(str(n), f"{n} – {CONFIDENCE[n]}") for n in range(1, 6)]],
                       str(b.confidence_before) if b and b.confidence_before else "",
                       tip="How confident the teacher is now in the course's focus, from 1 to 5")
        self.summary = QLabel("")
        self.summary.setObjectName("panelText")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Cost summary")
        self.add_row("Cost:", self.summary)
        self.combo_box("course_id").currentIndexChanged.connect(self._course_chosen)
        self._suggested_end = ""  # the end date last suggested: replaced when the start changes, unless retyped
        self.line_edit("start_date").textChanged.connect(lambda _t: self._suggest_end())
        self.changed.connect(self._update_summary)
        if b and b.course_id and b.course_id in self.courses and self.courses[b.course_id].bursary_scheme_id:
            combo = self.combo_box("scheme_id")
            combo.setCurrentIndex(max(0, combo.findData(self.courses[b.course_id].bursary_scheme_id)))
        self.resize(560, 680)

    def _course_chosen(self, _index: int) -> None:
        course = self.courses.get(self.fields["course_id"].getter())
        if course is None:
            return
        self.line_edit("title").setText(course.title)
        self.line_edit("hours").setText(format_hours(course.hours))
        self.line_edit("fee").setText(format_money(course.fee))
        kind = self.combo_box("format")
        kind.setCurrentIndex(max(0, kind.findData(course.format)))
        self.check_box("subject_specific").setChecked(course.subject_specific)
        self.combo_box("provider").setCurrentText(course.provider.name if course.provider else "")
        self._suggest_end(force=True)
        if course.bursary_scheme_id:
            scheme = self.combo_box("scheme_id")
            scheme.setCurrentIndex(max(0, scheme.findData(course.bursary_scheme_id)))

    def chosen_course(self) -> Course | None:
        return self.courses.get(self.fields["course_id"].getter())

    def _suggest_end(self, *, force: bool = False) -> None:
        """A catalogue course's end date from its start, by school days (a 3-day course from a Friday ends on
        the Tuesday); an end date the person typed is kept when the start changes."""
        course = self.chosen_course()
        end = self.line_edit("end_date")
        if course is None or self.fields["course_id"].widget.isEnabled() is False:
            return
        if not force and end.text().strip() not in ("", self._suggested_end):
            return
        try:
            start = v.parse_date(self.line_edit("start_date").text(), "Start date", required=False)
        except CpdError:
            return
        if start is None:
            return
        self._suggested_end = format_date(suggested_end_date(self.calendar, start, course))
        end.setText(self._suggested_end)

    def suggested_cover(self, start: dt.date, end: dt.date) -> float:
        """Cover days the booking needs: its school days in term, no more than the course's days."""
        return suggested_cover_days(self.calendar, start, end, self.chosen_course())

    def draft(self) -> Booking:
        """A booking not saved anywhere, holding what the form says (for the costs and bursary)."""
        values = self.values()
        start = v.parse_date(values["start_date"], "Start date") or self.ctx.today
        end = v.parse_date(values["end_date"], "End date", required=False) or start
        suggested = self.suggested_cover(start, end) if end >= start else 0.0
        self.line_edit("cover_days").setPlaceholderText(
            f"{suggested:g} (school days in term)" if values["cover_required"] else "no cover needed")
        cover_days = float(v.parse_decimal(values["cover_days"], "Cover days", hint=v.HALF_DAYS_HINT)) if values["cover_days"] else (
            suggested if values["cover_required"] else 0.0)
        return Booking(start_date=start, end_date=end, course=self.chosen_course(),
                       fee=_money_or_zero(values["fee"], "Fee"),
                       travel=_money_or_zero(values["travel"], "Travel"),
                       accommodation=_money_or_zero(values["accommodation"], "Accommodation"),
                       subsistence=_money_or_zero(values["subsistence"], "Subsistence"),
                       cover_days=cover_days if values["cover_required"] else 0.0,
                       cover_day_rate=v.parse_money(values["cover_day_rate"], "Cover day rate") or Decimal("0"))

    def _update_summary(self) -> None:
        from ...services.bursaries import bursary_expected

        try:
            b = self.draft()
        except CpdError:
            self.summary.setText("—")
            return
        lines = [f"Fee {format_money(b.fee)} · travel {format_money(b.travel)}",
                 f"Accommodation {format_money(b.accommodation)} · subsistence {format_money(b.subsistence)}",
                 f"Cover {format_days(b.cover_days)} × {format_money(b.cover_day_rate)} = {format_money(b.cover_cost)}"
                 + self._days_note(b), f"<b>Total {format_money(b.total_cost)}</b>"]
        scheme = self.schemes.get(self.fields["scheme_id"].getter())
        if scheme is not None:
            expected = bursary_expected(scheme, b)
            lines.append(f"Bursary expected from {scheme.name}: <b>{format_money(expected)}</b>")
            lines.append(f"Net cost to the school: <b>{format_money(b.total_cost - expected)}</b>")
        self.summary.setText("<br>".join(lines))

    def _days_note(self, b: Booking) -> str:
        """The weekdays of the booking that are no school days, and why: ' (not school days: 21/12/2026 to
        23/12/2026, in the holidays between terms)'. Runs of days with one reason are said once."""
        if not self.check_box("cover_required").isChecked() or b.end_date < b.start_date:
            return ""
        year = academic_year_of(b.start_date, self.calendar.start_month)
        if self.calendar.has_own_terms(year) is False:
            unset = (f" (no term dates for {year.label} yet, so only weekends, bank holidays and non-teaching days "
                     "are left out: set them in Settings → Term dates)")
        else:
            unset = ""
        runs: list[list[Any]] = []  # [first, last, why]
        day = b.start_date
        while day <= b.end_date and day <= b.start_date + dt.timedelta(days=366):
            why = self.calendar.why_closed(day) if day.weekday() < 5 else None
            if why is not None:
                if runs and runs[-1][2] == why and (day - runs[-1][1]).days <= 3:
                    runs[-1][1] = day
                else:
                    runs.append([day, day, why])
            day += dt.timedelta(days=1)
        if not runs:
            return unset
        said = [f"{format_date(first)}{'' if first == last else ' to ' + format_date(last)}, {why}"
                for first, last, why in runs[:3]]
        more = f"; and {len(runs) - 3} more" if len(runs) > 3 else ""
        return f" (not school days: {'; '.join(said)}{more}){unset}"

    def form_check(self, values: dict[str, Any]) -> None:
        from ...services.bookings import clean_booking_values

        data = {k: val for k, val in values.items()
                if k not in ("staff_id", "course_id", "provider", "scheme_id", "priority_id", "objective_id")}
        for key in ("fee", "travel", "accommodation", "subsistence"):
            data[key] = data[key] or "0"
        if not data["cover_days"]:
            data.pop("cover_days")
        clean_booking_values(data)

    def service_values(self) -> dict[str, Any]:
        values = self.values()
        for key in ("staff_id", "course_id", "scheme_id"):
            values.pop(key)
        values["priority_id"] = values["priority_id"] or None
        values["objective_id"] = values["objective_id"] or None
        for key in ("fee", "travel", "accommodation", "subsistence"):
            values[key] = values[key] or "0"
        if not values["cover_days"]:
            values.pop("cover_days")
            if not values["cover_required"]:
                values["cover_days"] = 0
            elif self.version is not None:
                values["cover_days"] = None  # an edit: count the school days of the dates saved
        return values

    def answer(self) -> dict[str, Any]:
        """The booking's values plus ``staff_id``, ``course_id`` and ``scheme_id`` (None for none)."""
        values = self.service_values()
        raw = self.values()
        values["staff_id"] = raw["staff_id"]
        values["course_id"] = raw["course_id"] or None
        values["scheme_id"] = raw["scheme_id"] or None
        values["expected_version"] = self.version
        return values

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: Any, booking: Booking | None = None, *, staff_id: int | None = None,
            start: dt.date | None = None, save: Callable[[dict[str, Any]], Any] | None = None) -> Any:
        """See ``answer``; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(ctx, booking, parent, staff_id=staff_id, start=start).open_and_save(save)


class CancelDialog(FormDialog):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__("Cancel booking", parent, ok_text="Cancel booking", intro=f"Cancel “{title}”?")
        self.add_line("reason", "Reason", "", check=lambda x: v.clean_text(x, "Reason", max_len=500),
                      placeholder="e.g. course cancelled by the provider")
        # "Cancel booking" beside a plain "Cancel" read as two ways to cancel it: this one keeps it.
        keep = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        keep.setText("Keep booking")
        keep.setAccessibleName("Keep booking")
        self.resize(460, 200)

    def answer(self) -> str:
        return str(self.values()["reason"])

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, *, save: Callable[[str], Any] | None = None) -> Any:
        """The reason; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(title, parent).open_and_save(save)

