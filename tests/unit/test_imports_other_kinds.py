"""Importing bookings, the timetable and the course catalogue; undoing a whole import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cpd_desktop.errors import CpdError, NotFoundError
from cpd_desktop.imports import list_batches, run_import, undo_import
from cpd_desktop.models import Activity, AuditEntry, Booking, Course, Provider, School, Staff, TimetableLesson
from cpd_desktop.services.activities import add_activity
from cpd_desktop.services.bookings import create_booking, fill_cover_from_timetable
from cpd_desktop.services.staff import add_staff


@pytest.fixture
def staff(session: Session, school: School) -> dict[str, Staff]:
    return {code: add_staff(session, school, forename=f, surname=s, staff_code=code)
            for f, s, code in [("Chloë", "Ó Dálaigh", "COD"), ("Bronwen", "ap Rhys", "BAR")]}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_bookings_with_costs_cover_and_defaults(session: Session, school: School, staff: dict[str, Staff],
                                                tmp_path: Path) -> None:
    path = write(tmp_path / "b.csv",
                 "Staff,Course Title,Provider,Start Date,End Date,Format,Fee,Cover Required,Intended outcome\n"
                 "Bronwen ap Rhys,Physics residential,STEM Learning,12/01/2026,14/01/2026,Residential,"
                 "\"£1,250.00\",Yes,Year 11 set up circuits unaided\n"
                 "COD,Chemistry webinar,RSC,20/01/2026,,Webinar,0,No,\n")
    result = run_import(session, school, "bookings", path)
    assert result.errors == [] and result.new == 2
    residential, webinar = session.scalars(select(Booking).order_by(Booking.start_date)).all()
    assert residential.staff.staff_code == "BAR" and residential.fee == Decimal("1250.00")
    assert residential.cover_required and residential.cover_days == 3.0
    assert residential.cover_cost == Decimal("873.00")  # 3 days × the school's £291.00
    assert residential.hours == Decimal("18.00")  # no Hours column: 6 hours a course day
    assert residential.status == "planned" and residential.format == "residential"
    assert webinar.end_date == webinar.start_date and not webinar.cover_required
    again = run_import(session, school, "bookings", path)
    assert (again.new, again.unchanged) == (0, 2)


def test_imported_cover_days_leave_out_the_holidays_and_non_teaching_days(
        session: Session, school: School, staff: dict[str, Staff], tmp_path: Path) -> None:
    from cpd_desktop.models import TermDates
    from cpd_desktop.services.non_teaching_days import add_non_teaching_day

    for term, start, end in (("autumn", dt.date(2026, 9, 2), dt.date(2026, 12, 18)),
                             ("spring", dt.date(2027, 1, 4), dt.date(2027, 3, 25))):
        session.add(TermDates(school_id=school.id, academic_year=2026, term=term, start_date=start, end_date=end))
    session.flush()
    add_non_teaching_day(session, school, "04/01/2027", "INSET day")
    path = write(tmp_path / "b.csv", "Staff Code,Course Title,Start Date,End Date,Cover Required,Intended outcome\n"
                                     "BAR,Winter conference,21/12/2026,23/12/2026,Yes,Better titrations\n"
                                     "COD,New year network,04/01/2027,06/01/2027,Yes,Fewer repeats\n")
    assert run_import(session, school, "bookings", path).errors == []
    winter, new_year = session.scalars(select(Booking).order_by(Booking.start_date)).all()
    assert (winter.cover_days, winter.cover_cost) == (0.0, Decimal("0.00"))  # after term ends on 18/12
    assert new_year.cover_days == 2.0  # the INSET day on 04/01 is no cover


def test_a_booking_that_costs_or_needs_cover_needs_its_intended_outcome(
        session: Session, school: School, staff: dict[str, Staff], tmp_path: Path) -> None:
    path = write(tmp_path / "b.csv", "Staff Code,Course Title,Start Date,Fee,Cover Required,Intended outcome\n"
                                     "BAR,Paid course,12/01/2026,£95.00,No,\n"
                                     "BAR,Cover only,13/01/2026,0,Yes,\n"
                                     "BAR,Free twilight,14/01/2026,0,No,\n")
    result = run_import(session, school, "bookings", path)
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("row 2, Intended outcome: is required for a booking that costs money")
    assert messages[1].startswith("row 3, Intended outcome: is required for a booking that needs cover")
    assert len(messages) == 2 and count(session, Booking) == 0  # a file with a bad row adds nothing


def test_bad_booking_rows(session: Session, school: School, staff: dict[str, Staff], tmp_path: Path) -> None:
    path = write(tmp_path / "b.csv",
                 "Staff Code,Course Title,Start Date,End Date,Fee,Cover Required,Status\n"
                 "BAR,A,12/01/2026,10/01/2026,0,No,\n"
                 "BAR,B,12/01/2026,,-3,No,\n"
                 "BAR,C,12/01/2026,,0,Perhaps,\n"
                 "BAR,D,12/01/2026,,0,No,Attended\n")
    messages = [str(e) for e in run_import(session, school, "bookings", path).errors]
    assert messages[0].startswith("row 2, End Date: 10/01/2026 is before the start, 12/01/2026")
    assert messages[1].startswith("row 3, Fee: −£3.00 is negative")
    assert messages[2].startswith("row 4, Cover Required: Perhaps is not yes or no")
    assert messages[3].startswith("row 5, Status: 'Attended' is not one of the choices")
    assert count(session, Booking) == 0


def test_timetable_fills_cover_and_reimport_updates(session: Session, school: School, staff: dict[str, Staff],
                                                    tmp_path: Path) -> None:
    path = write(tmp_path / "tt.csv",
                 "Staff Code\tWeek\tDay\tPeriod\tClass\tSubject\tRoom\n"
                 "BAR\t\tMon\tP1\t10X1\tPhysics\tS4\n"
                 "BAR\tA\tMonday\t3\t11Y2\tPhysics\tS4\n"
                 "BAR\tB\t1\tPeriod 5\t9C\tScience\tS2\n"
                 "COD\t\tTue\t2\t12C\tChemistry\tS1\n")
    result = run_import(session, school, "timetable", path)
    assert result.errors == [] and result.new == 4 and result.delimiter == "\t"
    lessons = session.scalars(select(TimetableLesson).order_by(TimetableLesson.period)).all()
    assert [(x.week, x.weekday, x.period) for x in lessons if x.staff_id == staff["BAR"].id] == [
        ("every", 1, 1), ("A", 1, 3), ("B", 1, 5)]
    booking = create_booking(session, school, staff["BAR"], title="Waves", start_date=dt.date(2025, 11, 3),
                             hours=6, intended_outcomes="Pupils carry out the practical with less help")
    cover = fill_cover_from_timetable(session, booking)
    # With no week-A Monday set, the week of 1 September 2025 is week A, so 03/11/2025 is a week B.
    assert [c.class_group for c in cover] == ["10X1", "9C"]
    moved = write(tmp_path / "tt2.csv", "Staff Code,Day,Period,Room\nBAR,Mon,1,S9\n")
    again = run_import(session, school, "timetable", moved)
    assert (again.new, again.updated) == (0, 1)
    bad = write(tmp_path / "tt3.csv", "Staff Code,Day,Period\nBAR,Funday,1\nBAR,Mon,P25\nBAR,Mon,1\nBAR,mon,P1\n")
    messages = [str(e) for e in run_import(session, school, "timetable", bad).errors]
    assert messages[0].startswith("row 2, Day: 'Funday' is not a day of the week")
    assert messages[1].startswith("row 3, Period: 'P25' is not a period of the day")
    assert messages[2].startswith("row 5, Period: The same teacher's lesson in this week, day and period is also "
                                  "on row 4")


def test_courses_match_by_code_else_title_and_provider(session: Session, school: School, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv",
                 "Course Code,Course Title,Provider,Format,Hours,Days,Fee\n"
                 "RP101,Required practicals in physics,STEM Learning,Residential,15,3,\"£1,050.00\"\n"
                 ",Leading a science department,IOP,Online,6,,0\n")
    first = run_import(session, school, "courses", path)
    assert first.errors == [] and first.new == 2
    residential = session.scalar(select(Course).where(Course.code == "RP101"))
    assert residential is not None and residential.days == 3.0 and residential.fee == Decimal("1050.00")
    renamed = write(tmp_path / "c2.csv", "Course Code,Course Title,Provider,Hours,Days\n"
                                         "RP101,Required practicals (physics),STEM Learning,15,3\n"
                                         ",Leading a science department,IOP,7,\n")
    second = run_import(session, school, "courses", renamed)
    assert (second.new, second.updated) == (0, 2)
    assert count(session, Course) == 2
    bad = write(tmp_path / "c3.csv", "Title,Hours,Days\nA,30,1\nB,3,0.3\n")
    messages = [str(e) for e in run_import(session, school, "courses", bad).errors]
    assert messages[0].startswith("row 2, Hours: 30 hours is more than 24 hours in a day")
    assert messages[1].startswith("row 3, Days: 0.3 is not a number of days")


def test_undo_removes_what_an_import_added_and_restores_what_it_changed(
        session: Session, school: School, staff: dict[str, Staff], tmp_path: Path) -> None:
    kept = add_activity(session, school, staff["BAR"], date=dt.date(2025, 10, 14), title="Waves", hours=2)
    path = write(tmp_path / "a.csv", "Staff Code,Date,Title,Provider,Hours\n"
                                     "BAR,14/10/2025,Waves,IOP,3\n"
                                     "COD,15/10/2025,Titration,RSC,2\n")
    result = run_import(session, school, "activities", path)
    assert (result.new, result.updated) == (1, 1)
    assert [b.id for b in list_batches(session, school)] == [result.batch_id]
    assert result.batch_id is not None
    done = undo_import(session, result.batch_id, school)
    assert (done.removed, done.restored) == (1, 1)
    session.expire_all()
    assert session.scalars(select(Activity.title)).all() == ["Waves"]
    assert kept.hours == Decimal("2.00") and kept.provider_id is None
    # Providers the import added and nothing else uses go too.
    assert count(session, Provider) == 0
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "undo-import")) is not None
    with pytest.raises(CpdError, match="already been undone"):
        undo_import(session, result.batch_id, school)
    with pytest.raises(NotFoundError):
        undo_import(session, 999, school)


def test_undo_is_refused_when_records_changed_since_or_are_in_use(
        session: Session, school: School, tmp_path: Path) -> None:
    staff_file = write(tmp_path / "s.csv", "Surname,Forename,Staff Code\nOkafor,Ada,AOK\n")
    staff_batch = run_import(session, school, "staff", staff_file).batch_id
    ada = session.scalar(select(Staff).where(Staff.staff_code == "AOK"))
    assert ada is not None and staff_batch is not None
    add_activity(session, school, ada, date=dt.date(2025, 10, 1), title="Reading", hours=1)
    with pytest.raises(CpdError, match="now belong to staff added by import"):
        undo_import(session, staff_batch, school)
    acts = write(tmp_path / "a.csv", "Staff Code,Date,Title,Hours\nAOK,02/10/2025,Webinar,1\n")
    batch = run_import(session, school, "activities", acts).batch_id
    assert batch is not None
    webinar = session.scalar(select(Activity).where(Activity.title == "Webinar"))
    assert webinar is not None
    webinar.hours = Decimal("1.5")
    session.flush()
    with pytest.raises(CpdError, match="changed since it was imported"):
        undo_import(session, batch, school)
