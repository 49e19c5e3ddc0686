"""The short lists behind the forms' drop-downs: staff, providers, departments, courses, bursary schemes."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Booking, BursaryScheme, Course, Department, Provider, Staff, TimetableLesson
from ..formatting import format_date
from ..reports import name_key
from .base import Source, connect


def staff_choices(source: Source, school_id: int, *, leavers_before: dt.date | None = None) -> list[tuple[int, str]]:
    """The school's staff (not anonymised) as (id, "Surname, Forename (CODE)") in name order; with
    ``leavers_before``, without those who left before that day."""
    with connect(source) as conn:
        rows = conn.execute(select(Staff.id, Staff.forename, Staff.surname, Staff.staff_code, Staff.leaving_date)
                            .where(Staff.school_id == school_id, Staff.anonymised.is_(False))).all()
    rows = [r for r in rows if leavers_before is None or r.leaving_date is None or r.leaving_date >= leavers_before]
    rows.sort(key=lambda r: name_key(r.surname, r.forename))
    return [(r.id, f"{r.surname}, {r.forename} ({r.staff_code})") for r in rows]


def provider_names(source: Source, school_id: int) -> list[str]:
    with connect(source) as conn:
        return list(conn.execute(select(Provider.name).where(Provider.school_id == school_id)
                                 .order_by(Provider.name)).scalars())


def department_names(source: Source, school_id: int) -> list[str]:
    with connect(source) as conn:
        return list(conn.execute(select(Department.name).where(Department.school_id == school_id)
                                 .order_by(Department.name)).scalars())


def course_choices(source: Source, school_id: int) -> list[tuple[int, str]]:
    """The school's courses still offered, as (id, "Title — Provider [CODE]")."""
    with connect(source) as conn:
        rows = conn.execute(select(Course.id, Course.title, Course.code, Provider.name)
                            .outerjoin(Provider, Provider.id == Course.provider_id)
                            .where(Course.school_id == school_id, Course.active.is_(True))
                            .order_by(Course.title)).all()
    return [(r.id, f"{r.title}" + (f" — {r[3]}" if r[3] else "") + (f" [{r.code}]" if r.code else "")) for r in rows]


def scheme_choices(source: Source, school_id: int) -> list[tuple[int, str]]:
    """The school's open bursary schemes as (id, name)."""
    with connect(source) as conn:
        rows = conn.execute(select(BursaryScheme.id, BursaryScheme.name)
                            .where(BursaryScheme.school_id == school_id, BursaryScheme.active.is_(True))
                            .order_by(BursaryScheme.name)).all()
    return [(r.id, r.name) for r in rows]


def offered_courses(session: Session, school_id: int) -> list[Course]:
    """The school's courses still offered, by title, with their provider and scheme loaded for a form."""
    courses = list(session.scalars(select(Course).where(Course.school_id == school_id, Course.active.is_(True))
                                   .order_by(Course.title)))
    for course in courses:
        _ = course.provider, course.bursary_scheme
    return courses


def open_schemes(session: Session, school_id: int) -> list[BursaryScheme]:
    """The school's open bursary schemes, by name."""
    return list(session.scalars(select(BursaryScheme).where(
        BursaryScheme.school_id == school_id, BursaryScheme.active.is_(True)).order_by(BursaryScheme.name)))


class Person(NamedTuple):
    """Someone a form can tick: who, their code, whether they count in the teachers' target, their department."""

    id: int
    forename: str
    surname: str
    staff_code: str
    in_target: bool
    department: str | None


def people(source: Source, school_id: int) -> list[Person]:
    """The school's staff (not anonymised) in name order, for choosing several people at once."""
    with connect(source) as conn:
        rows = conn.execute(select(Staff.id, Staff.forename, Staff.surname, Staff.staff_code, Staff.in_target,
                                   Department.name)
                            .outerjoin(Department, Department.id == Staff.department_id)
                            .where(Staff.school_id == school_id, Staff.anonymised.is_(False))).all()
    return sorted((Person(*r) for r in rows), key=lambda p: name_key(p.surname, p.forename))


def cover_booking_choices(source: Source, school_id: int) -> list[tuple[int, str]]:
    """Bookings that need cover (not cancelled), newest first: (id, "date Forename Surname: title")."""
    stmt = (select(Booking.id, Booking.start_date, Booking.title, Staff.forename, Staff.surname)
            .join(Staff, Staff.id == Booking.staff_id)
            .where(Booking.school_id == school_id, Booking.cover_required.is_(True),
                   Booking.status != "cancelled").order_by(Booking.start_date.desc()))
    with connect(source) as conn:
        return [(r[0], f"{format_date(r[1])} {r[3]} {r[4]}: {r[2]}") for r in conn.execute(stmt)]


def staff_code_choices(source: Source, school_id: int) -> list[tuple[str, str]]:
    """The school's staff (not anonymised) in name order as (code, "Surname, Forename (CODE)")."""
    with connect(source) as conn:
        rows = conn.execute(select(Staff.staff_code, Staff.forename, Staff.surname)
                            .where(Staff.school_id == school_id, Staff.anonymised.is_(False))).all()
    return [(code, f"{sur}, {fore} ({code})") for code, fore, sur in sorted(rows, key=lambda r: name_key(r[2], r[1]))]


def staff_ids_by_code(source: Source, school_id: int) -> dict[str, int]:
    """The school's staff codes and the ids they stand for."""
    with connect(source) as conn:
        return {code: ident for code, ident in conn.execute(
            select(Staff.staff_code, Staff.id).where(Staff.school_id == school_id))}


def staff_with_timetable(source: Source, school_id: int) -> set[int]:
    """The ids of the school's staff who have any lesson on the timetable."""
    with connect(source) as conn:
        return set(conn.execute(select(TimetableLesson.staff_id).where(
            TimetableLesson.school_id == school_id).distinct()).scalars())
