"""Cover: the absences that need cover with how many lessons have their work set, and one absence's
cover sheet (its lessons, period, class, room and the work the cover teacher needs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, String, case, cast, func, literal, select

from ...models import Booking, CoverLesson, Department, SchoolPeriod, Staff, TimetableLesson
from ...models.enums import WORK_RETURN
from ..rules import in_department, in_year
from .base import Column, ListDef, Sort, Source, connect
from .shared import staff_name


class CoverBookingList(ListDef):
    """The school's bookings that need cover (not cancelled); amber: an absence still to come (or under way)
    whose sheet has no lessons yet or lessons without work set; green: every lesson has its work set."""

    default_sort = Sort("start_date")

    def __init__(self, school_id: int, today: dt.date | None = None) -> None:
        super().__init__()
        self.id_expr = Booking.id
        self.school_id = school_id
        self.today = today
        lessons = (select(func.count()).select_from(CoverLesson).where(CoverLesson.booking_id == Booking.id)
                   .scalar_subquery())
        ready = (select(func.count()).select_from(CoverLesson)
                 .where(CoverLesson.booking_id == Booking.id, CoverLesson.work_set.is_not(None)).scalar_subquery())
        self.columns = [
            Column("start_date", "Away from", Booking.start_date, "date", width=85),
            Column("end_date", "to", Booking.end_date, "date", width=85),
            Column("staff", "Teacher", staff_name(), searchable=True, width=140, sort_expr=Staff.sort_name),
            Column("title", "Course", Booking.title, searchable=True, width=200),
            Column("lessons", "Lessons", lessons, "int", width=60),
            Column("ready", "Work set", ready, "int", width=70, tooltip="Lessons with the work set filled in"),
        ]
        self._lessons_at, self._ready_at = self.column_index("lessons"), self.column_index("ready")
        self._end_at = self.column_index("end_date")
        self.filters = {"year": lambda year: in_year(Booking.start_date, year), "department": in_department}

    def row_style(self, values: tuple[Any, ...]) -> str | None:
        """Green: every lesson has its work set (the counts shown). Amber: still to do before the teacher is
        away (no lessons on the sheet yet, or some without work set); an absence that is over is not chased."""
        lessons, ready, ends = values[self._lessons_at], values[self._ready_at], values[self._end_at]
        if lessons and ready == lessons:
            return "good"
        over = self.today is not None and ends is not None and ends < self.today
        return None if over else "warn"

    def base(self, columns: list[Any], *, scan: bool = False) -> Select[Any]:
        return (select(*columns).select_from(Booking).join(Staff, Staff.id == Booking.staff_id)
                .outerjoin(Department, Department.id == Staff.department_id)
                .where(Booking.school_id == self.school_id, Booking.cover_required.is_(True),
                       Booking.status != "cancelled"))


class CoverLessonList(ListDef):
    """The lessons on the school's cover sheets; the ``booking_id`` filter picks one absence's sheet.
    Amber: a lesson with no work set yet."""

    default_sort = Sort("date")

    def __init__(self, school_id: int) -> None:
        super().__init__()
        self.id_expr = CoverLesson.id
        self.version_expr = CoverLesson.version
        self.style_expr = case((func.coalesce(CoverLesson.work_set, "") == "", literal("warn")), else_=None)
        self.school_id = school_id
        period_label = (select(SchoolPeriod.label).where(SchoolPeriod.school_id == school_id,
                                                         SchoolPeriod.number == CoverLesson.period)
                        .scalar_subquery())
        self.columns = [
            Column("date", "Date", CoverLesson.date, "date", width=85),
            Column("period", "Period", func.coalesce(period_label, literal("P") + cast(CoverLesson.period, String)),
                   sort_expr=CoverLesson.period, width=60),
            Column("class_group", "Class", CoverLesson.class_group, searchable=True, width=60),
            Column("subject", "Subject", CoverLesson.subject, searchable=True, width=85),
            Column("room", "Room", CoverLesson.room, width=55),
            Column("work_set", "Work set", CoverLesson.work_set, searchable=True, width=220),
            Column("materials", "Materials", CoverLesson.materials_location, width=150),
            Column("work_return", "Work", CoverLesson.work_return, "choice", WORK_RETURN, width=120),
            Column("technician", "Technician notes", CoverLesson.technician_notes, width=150),
            Column("cover_teacher", "Cover teacher", CoverLesson.cover_teacher, searchable=True, width=110),
        ]
        self.filters = {"booking_id": lambda ident: CoverLesson.booking_id == ident}

    def base(self, columns: list[Any], *, scan: bool = False) -> Select[Any]:
        return select(*columns).select_from(CoverLesson).where(CoverLesson.school_id == self.school_id)


def has_timetable(source: Source, staff_id: int) -> bool:
    """Whether the person has any lessons on the timetable (so a cover sheet can be filled from it)."""
    with connect(source) as conn:
        return bool(conn.scalar(select(func.count()).select_from(TimetableLesson)
                                .where(TimetableLesson.staff_id == staff_id)))
