"""The rows behind the exports: one person's CPD log is the same rows as the school's, kept to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from cpd_desktop.exports.rows import activity_rows
from cpd_desktop.models import School
from cpd_desktop.services.activities import add_activity
from cpd_desktop.services.schools import create_school
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import academic_year_of


def test_one_persons_activities_are_the_schools_rows_for_them_and_never_another_schools(
        session: Session, school: School) -> None:
    other = create_school(session, "Other Academy")
    people = [add_staff(session, school, forename=f, surname=s, staff_code=c, department=d)
              for f, s, c, d in (("Ada", "Okafor", "AOK", "Science"), ("Bronwen", "ap Rhys", "BAR", None))]
    stranger = add_staff(session, other, forename="Zbigniew", surname="Wójcik", staff_code="ZWO")
    for n, day in enumerate((dt.date(2024, 10, 1), dt.date(2025, 3, 4), dt.date(2025, 10, 14))):
        for person in people:
            add_activity(session, school, person, date=day, hours=n + 1, title=f"Course {n}", provider="IOP",
                         cost="12.50" if n else None)
        add_activity(session, other, stranger, date=day, hours=2, title="Elsewhere")
    session.flush()
    year = academic_year_of(dt.date(2025, 3, 4), school.academic_year_start_month)
    for y, expected in ((None, 3), (year, 2)):
        everyone = activity_rows(session, school, y)
        for person in people:
            mine = activity_rows(session, school, y, staff_id=person.id)
            assert len(mine) == expected
            assert mine == [row for row in everyone if row.staff_id == person.id]
        assert activity_rows(session, school, y, staff_id=stranger.id) == []
        assert len(activity_rows(session, other, y, staff_id=stranger.id)) == expected
