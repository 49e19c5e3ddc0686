"""Non-teaching days: INSET days and other closures inside term, which cover and school-day counts skip.

Like the other lists in Settings, a change or delete takes the ``expected_version`` the person saw
and is refused (who, when) if somebody changed the day since. A day that is not a school day anyway
(a weekend, a bank holiday, a day in the holidays between the school's terms) is refused with the
reason, so the list holds only days that change something.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import NonTeachingDay, School, TermDates
from . import validation as v
from .concurrency import check_version
from .years import AcademicYear, SchoolCalendar, academic_year_of

DEFAULT_REASON = "INSET day"


def list_non_teaching_days(session: Session, school: School, year: AcademicYear | None = None) -> list[NonTeachingDay]:
    """The school's non-teaching days in date order (those of ``year`` only, when given)."""
    stmt = select(NonTeachingDay).where(NonTeachingDay.school_id == school.id)
    if year is not None:
        stmt = stmt.where(NonTeachingDay.date.between(year.start, year.end))
    return list(session.scalars(stmt.order_by(NonTeachingDay.date)))


def clean_non_teaching_day(session: Session, school: School, values: dict[str, Any], *,
                           current: NonTeachingDay | None = None) -> dict[str, Any]:
    """Check a day and its reason: a weekday in term, not a bank holiday, not already on the list."""
    out: dict[str, Any] = {}
    if "reason" in values:
        out["reason"] = v.clean_text(values["reason"], "Reason", max_len=200) or DEFAULT_REASON
    if "date" not in values:
        return out
    day = v.parse_date(values["date"], "Date")
    assert day is not None
    calendar = SchoolCalendar(session, school)
    calendar.closures.pop(day, None)  # the list itself is what is being changed
    why = calendar.why_closed(day)
    if why is not None:
        hint = "Non-teaching days are school days the school closes: choose a weekday in term."
        if why.startswith("in the holidays"):
            year = academic_year_of(day, school.academic_year_start_month)
            terms = "; ".join(f"{t.name} {t.start:%d/%m/%Y}–{t.end:%d/%m/%Y}" for t in calendar.terms(year))
            hint = f"{year.label}'s terms: {terms}. Choose a day in one of them, or change the term dates."
        raise ValidationError("Date", f"{day:%d/%m/%Y} is {why}, so it is not a school day anyway.", hint=hint)
    taken = session.scalar(select(NonTeachingDay).where(NonTeachingDay.school_id == school.id,
                                                        NonTeachingDay.date == day))
    if taken is not None and (current is None or taken.id != current.id):
        raise ValidationError("Date", f"{day:%d/%m/%Y} is already a non-teaching day ({taken.reason}).",
                              hint="Change that one's reason instead, or choose another date.")
    out["date"] = day
    return out


def add_non_teaching_day(session: Session, school: School, date: Any, reason: Any = DEFAULT_REASON) -> NonTeachingDay:
    clean = clean_non_teaching_day(session, school, {"date": date, "reason": reason})
    day = NonTeachingDay(school_id=school.id, **clean)
    session.add(day)
    session.flush()
    return day


def update_non_teaching_day(session: Session, day: NonTeachingDay, *, expected_version: int | None = None,
                            **values: Any) -> NonTeachingDay:
    check_version(day, expected_version)
    school = session.get(School, day.school_id)
    assert school is not None
    for key, value in clean_non_teaching_day(session, school, values, current=day).items():
        setattr(day, key, value)
    session.flush()
    return day


def delete_non_teaching_day(session: Session, day: NonTeachingDay, *, expected_version: int | None = None) -> None:
    """Take a day off the list (the school is open that day after all)."""
    check_version(day, expected_version, action="delete")
    session.delete(day)
    session.flush()


def days_outside_terms(session: Session, school: School, year: AcademicYear) -> list[NonTeachingDay]:
    """Non-teaching days of ``year`` that its term dates (as saved now) leave in the holidays: after the
    terms move, these no longer change anything, and Settings says so."""
    rows = session.execute(select(TermDates.start_date, TermDates.end_date).where(
        TermDates.school_id == school.id, TermDates.academic_year == year.start_year)).all()
    if not rows:
        return []
    return [d for d in list_non_teaching_days(session, school, year)
            if not any(start <= d.date <= end for start, end in rows)]


def format_day(day: dt.date) -> str:
    """'Fri 08/01/2027': the weekday helps a person see an INSET day was put on the right day."""
    return f"{day:%a} {day:%d/%m/%Y}"
