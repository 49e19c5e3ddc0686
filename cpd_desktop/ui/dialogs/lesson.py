"""One lesson of a teacher's timetable: when it is (week, day, period) and what (class, subject, room)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from ...models.enums import TIMETABLE_WEEKS, WEEKDAYS
from ...services import validation as v
from ..forms import FormDialog


class LessonDialog(FormDialog):
    """``lesson`` is the lesson edited (anything with its fields: a ``TimetableLesson``), or None to add one
    at ``slot`` (week, weekday, period)."""

    def __init__(self, teacher: str, two_week: bool, periods: list[tuple[int, str]], lesson: Any = None,
                 slot: tuple[str, int, int] | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Edit lesson" if lesson is not None else "Add lesson", parent,
                         intro=f"A lesson on {teacher}'s timetable.")
        self.version = lesson.version if lesson is not None else None
        week, day, period = ((lesson.week, lesson.weekday, lesson.period) if lesson is not None
                             else slot or ("A" if two_week else "every", 1, periods[0][0] if periods else 1))
        if two_week or week != "every":
            self.add_combo("week", "Week *", list(TIMETABLE_WEEKS.items()), week,
                           tip="Week A or week B of the two-week timetable, or every week")
        days = [(n, name) for n, name in WEEKDAYS.items() if n <= 5 or n == day]
        self.add_combo("weekday", "Day *", days, day)
        choices = list(periods)
        if all(n != period for n, _label in choices):
            choices.append((period, f"P{period}"))
        self.add_combo("period", "Period *", choices, period)
        self.add_line("class_group", "Class", (lesson.class_group or "") if lesson is not None else "",
                      placeholder="e.g. 9X2", check=lambda x: v.clean_text(x, "Class", max_len=40))
        self.add_line("subject", "Subject", (lesson.subject or "") if lesson is not None else "",
                      placeholder="e.g. Physics", check=lambda x: v.clean_text(x, "Subject", max_len=100))
        self.add_line("room", "Room", (lesson.room or "") if lesson is not None else "",
                      placeholder="e.g. S4", check=lambda x: v.clean_text(x, "Room", max_len=40))

    def answer(self) -> tuple[dict[str, Any], int | None]:
        return self.values(), self.version

    @classmethod
    def ask(cls, parent: QWidget | None, teacher: str, two_week: bool, periods: list[tuple[int, str]],
            lesson: Any = None, slot: tuple[str, int, int] | None = None, *,
            save: Callable[[tuple[dict[str, Any], int | None]], Any] | None = None) -> Any:
        """``(values, version)``; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(teacher, two_week, periods, lesson, slot, parent).open_and_save(save)
