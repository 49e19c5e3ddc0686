"""The planner: a school's bookings with their cost and cover lessons, by year, department and status;
and the month calendar's bookings."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import Select, case, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session

from ...models import Booking, CoverLesson, Department, Provider, School, Staff, TimetableLesson
from ...models.base import Money
from ...models.enums import BOOKING_STATUSES
from ..formatting import plural
from ..rules import booking_cost, in_department, in_year
from .base import Column, ListDef, Row, Sort, Source, connect
from .shared import staff_name

OPEN = ("planned", "approved", "booked")  # a booking still to happen


def booking_cost_expr() -> Any:
    """A booking's whole cost: fee, travel, accommodation, subsistence and supply cover."""
    return type_coerce(booking_cost(), Money())


def booking_status(status: str) -> Any:
    """Bookings in ``status``; "open" is any still to happen."""
    return Booking.status.in_(OPEN) if status == "open" else Booking.status == status


class NotFilled(NamedTuple):
    """The Lessons cell of a booking that needs cover and has no cover sheet yet: how many lessons the
    timetable says the person teaches on its school days (what Fill from timetable will put on the sheet)."""

    timetabled: int


def timetabled_lessons(session: Session, school_id: int, booking_ids: list[int]) -> dict[int, int]:
    """For each booking, how many lessons its person is timetabled to teach on its school days (A/B weeks
    honoured; weekends, holidays between terms, bank holidays and non-teaching days left out): the lessons
    Fill from timetable will put on its cover sheet."""
    from ..bookings import lessons_missed
    from ..years import cached_calendar

    school = session.get(School, school_id)
    if school is None or not booking_ids:
        return {}
    found = session.execute(select(Booking.id, Booking.staff_id, Booking.start_date, Booking.end_date)
                            .where(Booking.school_id == school_id, Booking.id.in_(booking_ids))).all()
    taught: dict[int, list[Any]] = {}  # person -> their timetabled lessons (week, weekday, period)
    for lesson in session.execute(
            select(TimetableLesson.staff_id, TimetableLesson.week, TimetableLesson.weekday, TimetableLesson.period)
            .where(TimetableLesson.staff_id.in_({b.staff_id for b in found}))):
        taught.setdefault(lesson.staff_id, []).append(lesson)
    calendar = cached_calendar(session, school)
    return {ident: sum(len(lessons_missed(school, taught.get(staff_id, []), day))
                       for day in calendar.school_days(start, end))
            for ident, staff_id, start, end in found}


class LessonsColumn(Column):
    """Lessons on the cover sheet; for a booking still to happen that needs cover and has none on its sheet
    yet, the lessons the timetable says will need cover, marked as not filled yet ("6, not filled")."""

    def format(self, value: Any) -> str:
        if isinstance(value, NotFilled):
            return (f"Not filled yet: the timetable has {plural(value.timetabled, 'lesson')} on these days. "
                    "Fill the cover sheet from the timetable in Cover.")
        return super().format(value)

    def cell(self, value: Any) -> str:
        if isinstance(value, NotFilled):
            return f"{value.timetabled}, not filled"
        return super().cell(value)


class BookingList(ListDef):
    """Every booking of the school ``school_id``."""

    default_sort = Sort("start_date")

    def __init__(self, school_id: int) -> None:
        super().__init__()
        self.id_expr = Booking.id
        self.version_expr = Booking.version
        self.style_expr = case((Booking.status.in_(("cancelled", "attended")), literal("muted")),
                          (Booking.status == "booked", literal("good")), else_=None)
        self.school_id = school_id
        lessons = (select(func.count()).select_from(CoverLesson).where(CoverLesson.booking_id == Booking.id)
                   .scalar_subquery())
        self.columns = [
            Column("start_date", "Starts", Booking.start_date, "date", width=90),
            Column("end_date", "Ends", Booking.end_date, "date", width=90),
            Column("staff", "Member of staff", staff_name(), searchable=True, width=145, sort_expr=Staff.sort_name),
            Column("title", "Course", Booking.title, searchable=True, width=250),
            Column("provider", "Provider", Provider.name, searchable=True, width=150),
            Column("status", "Status", Booking.status, "choice", BOOKING_STATUSES, width=85),
            Column("cover_required", "Cover", Booking.cover_required, "bool", width=55, tooltip="Needs release cover"),
            LessonsColumn("lessons", "Lessons", lessons, "int", width=65, whole="12, not filled",
                          tooltip="Lessons on the cover sheet; before it is filled, the lessons the timetable "
                                  "says will need cover, marked 'not filled'"),
            Column("hours", "Hours", Booking.hours, "hours", width=60),
            Column("total", "Total cost", booking_cost_expr(), "money", width=95,
                   tooltip="Fee, travel, accommodation, subsistence and supply cover"),
        ]
        self._lessons_at = self.column_index("lessons")
        self._cover_at, self._status_at = self.column_index("cover_required"), self.column_index("status")
        self.filters = {
            "year": lambda year: in_year(Booking.start_date, year),
            "department": in_department,
            "status": booking_status,
            "staff_id": lambda ident: Booking.staff_id == ident,
            # a person's page: this year's bookings and any still to happen
            "from_or_open": lambda day: or_(Booking.start_date >= day, Booking.status.in_(OPEN)),
        }

    def base(self, columns: list[Any], *, scan: bool = False) -> Select[Any]:
        return (select(*columns).select_from(Booking).join(Staff, Staff.id == Booking.staff_id)
                .outerjoin(Department, Department.id == Staff.department_id)
                .outerjoin(Provider, Provider.id == Booking.provider_id)
                .where(Booking.school_id == self.school_id))

    def _run(self, source: Source, stmt: Select[Any], params: dict[str, Any],
             budget: float | None = None) -> list[Row] | None:
        """The rows; a booking still to happen that needs cover and has an empty cover sheet shows the lessons
        the timetable says will need cover (``NotFilled``), not 0."""
        rows = super()._run(source, stmt, params, budget)
        waiting = [r.id for r in rows or () if not r.values[self._lessons_at] and r.values[self._cover_at]
                   and r.values[self._status_at] in OPEN]
        if not rows or not waiting:
            return rows
        with connect(source) as conn, Session(bind=conn) as session:
            counts = timetabled_lessons(session, self.school_id, waiting)
        at = self._lessons_at
        return [r._replace(values=(*r.values[:at], NotFilled(counts[r.id]), *r.values[at + 1:]))
                if r.id in counts else r for r in rows]


def calendar_bookings(source: Source, school_id: int, first: dt.date, last: dt.date, *,
                      department: str | None = None,
                      status: str | None = None) -> list[tuple[int, dt.date, dt.date, str, str]]:
    """The bookings on any day from ``first`` to ``last``: (id, start, end, "CODE: title", status)."""
    stmt = (select(Booking.id, Booking.start_date, Booking.end_date, Staff.staff_code, Booking.title, Booking.status)
            .join(Staff, Staff.id == Booking.staff_id).outerjoin(Department, Department.id == Staff.department_id)
            .where(Booking.school_id == school_id, Booking.start_date <= last, Booking.end_date >= first)
            .order_by(Booking.start_date, Booking.id))
    if department:
        stmt = stmt.where(in_department(department))
    if status:
        stmt = stmt.where(booking_status(status))
    with connect(source) as conn:
        return [(r[0], r[1], r[2], f"{r[3]}: {r[4]}", r[5]) for r in conn.execute(stmt)]
