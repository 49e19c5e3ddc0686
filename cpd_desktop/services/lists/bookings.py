"""The planner: a school's bookings with their cost and cover lessons, by year, department and status;
and the month calendar's bookings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, case, func, literal, or_, select, type_coerce

from ...models import Booking, CoverLesson, Department, Provider, Staff
from ...models.base import Money
from ...models.enums import BOOKING_STATUSES
from ..rules import booking_cost, in_department, in_year
from .base import Column, ListDef, Sort, Source, connect
from .shared import staff_name

OPEN = ("planned", "approved", "booked")  # a booking still to happen


def booking_cost_expr() -> Any:
    """A booking's whole cost: fee, travel, accommodation, subsistence and supply cover."""
    return type_coerce(booking_cost(), Money())


def booking_status(status: str) -> Any:
    """Bookings in ``status``; "open" is any still to happen."""
    return Booking.status.in_(OPEN) if status == "open" else Booking.status == status


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
            Column("lessons", "Lessons", lessons, "int", width=65, tooltip="Lessons on the cover sheet"),
            Column("hours", "Hours", Booking.hours, "hours", width=60),
            Column("total", "Total cost", booking_cost_expr(), "money", width=95,
                   tooltip="Fee, travel, accommodation, subsistence and supply cover"),
        ]
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
