"""The Planner's Lessons column: a booking that needs cover shows, before anybody fills its cover sheet, the
lessons the timetable says its person teaches on its school days (marked "not filled"), never 0; once the
sheet is filled from the timetable it shows the sheet's count, which is the same number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cpd_desktop.models import Booking, School
from cpd_desktop.services.bookings import create_booking, fill_cover_from_timetable
from cpd_desktop.services.lists.bookings import BookingList, NotFilled
from cpd_desktop.services.schools import save_term_dates
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.timetable import add_lesson
from cpd_desktop.services.years import AcademicYear


def test_a_booking_needing_cover_shows_the_timetabled_lessons_until_its_sheet_is_filled(db: Any,
                                                                                         school: School) -> None:
    year = AcademicYear(2025)
    with db.session() as s:
        s.add(school)
        school.week_a_commencing = dt.date(2025, 9, 1)
        save_term_dates(s, school.id, year, [("autumn", dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
                                             ("spring", dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
                                             ("summer", dt.date(2026, 4, 13), dt.date(2026, 7, 22))])
        amy = add_staff(s, school, forename="Amy", surname="Teacher", staff_code="AMY", fte="1")
        for week, weekday, period in (("every", 1, 1), ("every", 1, 2), ("A", 2, 3), ("B", 2, 4), ("every", 5, 1)):
            add_lesson(s, school, amy.id, week=week, weekday=weekday, period=period, class_group="9E",
                       subject="Science")
        # Monday 1 and Tuesday 2 December 2025 (week B counted from 01/09/2025); over the holidays: nothing.
        away = create_booking(s, school, amy, title="Practical physics", start_date="01/12/2025",
                              end_date="02/12/2025", hours="12", cover_required=True,
                              intended_outcomes="Year 10 circuits practicals")
        holiday = create_booking(s, school, amy, title="Summer school", start_date="27/07/2026",
                                 end_date="28/07/2026", hours="12", cover_required=True,
                                 intended_outcomes="Year 10 circuits practicals")
        online = create_booking(s, school, amy, title="Webinar", start_date="08/12/2025", hours="1",
                                cover_required=False)
        s.commit()
        ids = {"away": away.id, "holiday": holiday.id, "online": online.id}
    planner = BookingList(school.id)
    column = planner.columns[planner.column_index("lessons")]

    def lessons() -> dict[str, Any]:
        rows = {r.id: r for r in planner.fetch_page(db, {"year": year})}
        return {name: planner.values(rows[ident])["lessons"] for name, ident in ids.items()}

    assert lessons() == {"away": NotFilled(3), "holiday": NotFilled(0), "online": 0}
    assert column.cell(NotFilled(3)) == "3, not filled"
    assert column.format(NotFilled(3)).startswith("Not filled yet: the timetable has 3 lessons on these days.")
    with db.session() as s:
        filled = fill_cover_from_timetable(s, s.get(Booking, ids["away"]))
        s.commit()
    assert len(filled) == 3 and lessons()["away"] == 3 and column.cell(3) == "3"
    row = planner.fetch_row(db, ids["holiday"])
    assert row is not None and planner.values(row)["lessons"] == NotFilled(0)
