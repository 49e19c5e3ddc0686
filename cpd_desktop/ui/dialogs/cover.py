"""One lesson on a cover sheet: what the cover teacher needs to know."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from ...models import Booking, CoverLesson
from ...models.enums import WORK_RETURN
from ...services import validation as v
from ...services.formatting import format_date
from ..forms import FormDialog


class CoverLessonDialog(FormDialog):
    def __init__(self, booking: Booking, lesson: CoverLesson | None = None, periods: list[tuple[int, str]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("Cover lesson", parent,
                         intro=f"{booking.staff.full_name} is away for “{booking.title}”, "
                               f"{format_date(booking.start_date)}–{format_date(booking.end_date)}.")
        c = lesson
        self.version = c.version if c else None
        self.booking_start, self.booking_end = booking.start_date, booking.end_date
        self.add_line("date", "Date *", format_date(c.date if c else booking.start_date),
                      check=lambda x: v.parse_date(x, "Date"), placeholder="dd/mm/yyyy")
        period_items = [(n, label) for n, label in (periods or [(i, f"P{i}") for i in range(1, 7)])]
        self.add_combo("period", "Period *", period_items, c.period if c else period_items[0][0])
        self.add_line("class_group", "Class", (c.class_group or "") if c else "", placeholder="e.g. 9X2",
                      check=lambda x: v.clean_text(x, "Class", max_len=40))
        self.add_line("subject", "Subject", (c.subject or "") if c else "",
                      check=lambda x: v.clean_text(x, "Subject", max_len=100))
        self.add_line("room", "Room", (c.room or "") if c else "", check=lambda x: v.clean_text(x, "Room", max_len=40))
        self.add_text("work_set", "Work set", (c.work_set or "") if c else "",
                      placeholder="What the class should do", check=lambda x: v.clean_text(
                          x, "Work set", max_len=v.NOTE_MAX, multiline=True))
        self.add_line("materials_location", "Where the materials are", (c.materials_location or "") if c else "",
                      placeholder="e.g. on the desk in S4; worksheets in the blue tray",
                      check=lambda x: v.clean_text(x, "Where the materials are", max_len=500))
        self.add_combo("work_return", "Work collected or homework", list(WORK_RETURN.items()),
                       c.work_return if c else "none")
        self.add_text("technician_notes", "Technician notes", (c.technician_notes or "") if c else "",
                      placeholder="Practical equipment to set out or clear away",
                      check=lambda x: v.clean_text(x, "Technician notes", max_len=v.NOTE_MAX, multiline=True))
        self.add_line("cover_teacher", "Cover teacher", (c.cover_teacher or "") if c else "",
                      check=lambda x: v.clean_text(x, "Cover teacher", max_len=120))

    def form_check(self, values: dict[str, Any]) -> None:
        from ...errors import ValidationError

        day = v.parse_date(values["date"], "Date")
        assert day is not None
        if not self.booking_start <= day <= self.booking_end:
            raise ValidationError("Date", f"{day:%d/%m/%Y} is not a day of this booking.",
                                  hint=f"Choose a day from {self.booking_start:%d/%m/%Y} to {self.booking_end:%d/%m/%Y}.")

    def answer(self) -> tuple[dict[str, Any], int | None]:
        return self.values(), self.version

    @classmethod
    def ask(cls, parent: QWidget | None, booking: Booking, lesson: CoverLesson | None = None,
            periods: list[tuple[int, str]] | None = None, *,
            save: Callable[[tuple[dict[str, Any], int | None]], Any] | None = None) -> Any:
        """``(values, version)``; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(booking, lesson, periods, parent).open_and_save(save)
