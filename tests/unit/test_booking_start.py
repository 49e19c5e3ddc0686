"""Book CPD's first suggestion for a new booking's start: the first school day a fortnight or more away,
which, once the school's term dates for the year are known, is never in the holidays."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from cpd_desktop.models import School
from cpd_desktop.services.non_teaching_days import add_non_teaching_day
from cpd_desktop.services.schools import save_term_dates
from cpd_desktop.services.years import AcademicYear, SchoolCalendar, suggested_terms


def test_a_new_booking_starts_on_the_first_school_day_a_fortnight_away(session: Session, school: School) -> None:
    today = dt.date(2026, 12, 6)
    # No term dates for 2026/27 yet: only weekends and bank holidays are known (Sunday 20/12 → Monday 21/12).
    assert SchoolCalendar(session, school).booking_start(today) == dt.date(2026, 12, 21)
    save_term_dates(session, school.id, AcademicYear(2026), suggested_terms(AcademicYear(2026)))
    # With them: not in the Christmas holidays but the spring term's first day.
    assert SchoolCalendar(session, school).booking_start(today) == dt.date(2027, 1, 11)
    add_non_teaching_day(session, school, dt.date(2027, 1, 11), "INSET day")
    assert SchoolCalendar(session, school).booking_start(today) == dt.date(2027, 1, 12)
    assert SchoolCalendar(session, school).booking_start(dt.date(2026, 11, 2)) == dt.date(2026, 11, 16)
