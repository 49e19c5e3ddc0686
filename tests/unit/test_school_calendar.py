"""School days: cover days and cover lessons are the school days inside term (weekends, holidays between
terms, England's bank holidays and the school's non-teaching days left out); a course's bursary days
are the course's own days; a course's end date is suggested from its start by school days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from cpd_desktop.errors import ConcurrentEditError, ValidationError
from cpd_desktop.models import Course, School, Staff, TermDates, TimetableLesson
from cpd_desktop.services.bookings import (
    absence_days,
    add_cover_lesson,
    create_booking,
    fill_cover_from_timetable,
    suggested_cover_days,
    suggested_end_date,
)
from cpd_desktop.services.bursaries import add_scheme, bursary_expected, course_days, eligibility_problems
from cpd_desktop.services.catalogue import add_course
from cpd_desktop.services.non_teaching_days import (
    add_non_teaching_day,
    delete_non_teaching_day,
    list_non_teaching_days,
    update_non_teaching_day,
)
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import AcademicYear, SchoolCalendar, bank_holiday, school_days

YEAR = AcademicYear(2026)
TERMS = (("autumn", dt.date(2026, 9, 2), dt.date(2026, 12, 18)),
         ("spring", dt.date(2027, 1, 4), dt.date(2027, 3, 25)),
         ("summer", dt.date(2027, 4, 12), dt.date(2027, 7, 21)))
FRIDAY = dt.date(2027, 1, 8)


@pytest.fixture
def terms(session: Session, school: School) -> None:
    for term, start, end in TERMS:
        session.add(TermDates(school_id=school.id, academic_year=2026, term=term, start_date=start, end_date=end))
    session.flush()


@pytest.fixture
def teacher(session: Session, school: School) -> Staff:
    """A teacher with five lessons every weekday."""
    person = add_staff(session, school, forename="Siobhán", surname="Ó Dálaigh", staff_code="SOD",
                       start_date="01/09/2020")
    for weekday in range(1, 6):
        for period in range(1, 6):
            session.add(TimetableLesson(school_id=school.id, staff_id=person.id, week="every", weekday=weekday,
                                        period=period, class_group=f"{weekday}{period}X", subject="Science"))
    session.flush()
    return person


@pytest.fixture
def three_day_course(session: Session, school: School) -> Course:
    return add_course(session, school, title="Practical physics (residential)", format="residential", hours="18",
                      days="3", fee="650.00", provider="National STEM Learning Centre")


# ---- cover after the end of term ----

def test_a_booking_after_the_end_of_term_needs_no_cover_and_no_lessons(session: Session, school: School,
                                                                      teacher: Staff, terms: None) -> None:
    booking = create_booking(session, school, teacher, title="Winter conference", start_date="21/12/2026",
                             end_date="23/12/2026", hours="15", cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    assert booking.cover_days == 0.0 and booking.cover_cost == Decimal("0.00")  # was 3 days, £873.00
    assert absence_days(booking) == []
    assert fill_cover_from_timetable(session, booking) == []  # was 15 holiday lessons


def test_the_last_days_of_term_are_covered_and_the_holiday_after_is_not(session: Session, school: School,
                                                                        teacher: Staff, terms: None) -> None:
    booking = create_booking(session, school, teacher, title="Winter conference", start_date="17/12/2026",
                             end_date="21/12/2026", hours="15", cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    assert booking.cover_days == 2.0 and booking.cover_cost == Decimal("582.00")
    lessons = fill_cover_from_timetable(session, booking)
    assert sorted({c.date for c in lessons}) == [dt.date(2026, 12, 17), dt.date(2026, 12, 18)]
    assert len(lessons) == 10


# ---- a catalogue course started on a Friday ----

def test_a_three_day_course_from_a_friday_ends_on_the_tuesday(session: Session, school: School, terms: None,
                                                              three_day_course: Course) -> None:
    calendar = SchoolCalendar(session, school)
    assert suggested_end_date(calendar, FRIDAY, three_day_course) == dt.date(2027, 1, 12)
    assert calendar.school_days(FRIDAY, dt.date(2027, 1, 12)) == [FRIDAY, dt.date(2027, 1, 11), dt.date(2027, 1, 12)]


def test_a_per_day_bursary_pays_the_courses_three_days_not_five(session: Session, school: School, teacher: Staff,
                                                                terms: None, three_day_course: Course) -> None:
    booking = create_booking(session, school, teacher, course=three_day_course, start_date=FRIDAY,
                             end_date=dt.date(2027, 1, 12), cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    scheme = add_scheme(session, school, name="Residential bursary", rule="per_day", amount="220")
    assert course_days(booking) == 3
    assert bursary_expected(scheme, booking) == Decimal("660.00")  # was £1,100.00 (Friday to Tuesday: 5 days)
    assert booking.cover_days == 3.0 and booking.cover_cost == Decimal("873.00")  # Friday, Monday, Tuesday
    assert [c.date for c in fill_cover_from_timetable(session, booking)][::5] == [
        FRIDAY, dt.date(2027, 1, 11), dt.date(2027, 1, 12)]


def test_a_residential_over_a_weekend_pays_its_days_and_covers_its_school_days(
        session: Session, school: School, teacher: Staff, terms: None) -> None:
    weekend = add_course(session, school, title="Weekend residential", format="residential", hours="12", days="2")
    friday = dt.date(2027, 1, 15)
    booking = create_booking(session, school, teacher, course=weekend, start_date=friday,
                             end_date=friday + dt.timedelta(days=1), cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    scheme = add_scheme(session, school, name="Residential bursary", rule="per_day", amount="220", min_days=2)
    assert bursary_expected(scheme, booking) == Decimal("440.00")  # Friday and Saturday are course days
    assert eligibility_problems(scheme, booking, school) == []
    assert booking.cover_days == 1.0  # only Friday is a school day


def test_a_half_day_course_needs_half_a_day_of_cover(session: Session, school: School, teacher: Staff,
                                                     terms: None) -> None:
    half = add_course(session, school, title="Twilight: required practicals", hours="2.5", days="0.5")
    booking = create_booking(session, school, teacher, course=half, start_date=FRIDAY, cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    assert booking.cover_days == 0.5 and booking.cover_cost == Decimal("145.50")
    assert suggested_end_date(SchoolCalendar(session, school), FRIDAY, half) == FRIDAY


def test_a_course_too_short_for_a_scheme_says_so_in_days(session: Session, school: School, teacher: Staff,
                                                         terms: None) -> None:
    one_day = add_course(session, school, title="Subject leadership", hours="6", days="1")
    booking = create_booking(session, school, teacher, course=one_day, start_date=FRIDAY,
                             end_date=dt.date(2027, 1, 11),
                             intended_outcomes="Pupils carry out the practical with less help")
    scheme = add_scheme(session, school, name="ENTHUSE", rule="per_day", amount="220", min_days=2)
    assert eligibility_problems(scheme, booking, school) == [
        "ENTHUSE funds courses of 2 days or more; this one is 1 day."]


# ---- bank holidays, known without typing them ----

def test_englands_bank_holidays_come_from_the_holidays_library() -> None:
    assert bank_holiday(dt.date(2026, 12, 25)) == "Christmas Day"
    assert bank_holiday(dt.date(2026, 12, 28)) is not None  # Boxing Day moved off the Saturday
    assert bank_holiday(dt.date(2027, 3, 26)) == "Good Friday"
    assert bank_holiday(dt.date(2027, 5, 3)) is not None  # the early May bank holiday
    assert bank_holiday(dt.date(2023, 5, 8)) is not None  # the coronation: a one-off
    assert bank_holiday(dt.date(2027, 1, 8)) is None


def test_school_days_leave_out_bank_holidays_even_without_term_dates(session: Session, school: School,
                                                                     teacher: Staff) -> None:
    assert school_days(dt.date(2026, 12, 24), dt.date(2026, 12, 29)) == [dt.date(2026, 12, 24),
                                                                         dt.date(2026, 12, 29)]
    # The usual terms run all year, so only Easter's bank holidays leave the week.
    booking = create_booking(session, school, teacher, title="Easter school", start_date="02/04/2026",
                             end_date="07/04/2026", hours="12", cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    assert booking.cover_days == 2.0  # Thursday 2 and Tuesday 7 April; not Good Friday or Easter Monday
    assert sorted({c.date for c in fill_cover_from_timetable(session, booking)}) == [
        dt.date(2026, 4, 2), dt.date(2026, 4, 7)]


# ---- non-teaching days ----

def test_an_inset_day_is_skipped_by_cover_days_and_cover_lessons(session: Session, school: School, teacher: Staff,
                                                                 terms: None) -> None:
    add_non_teaching_day(session, school, "04/01/2027", "INSET: behaviour training")
    booking = create_booking(session, school, teacher, title="Science leaders' network", start_date="04/01/2027",
                             end_date="06/01/2027", hours="12", cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    assert booking.cover_days == 2.0
    assert sorted({c.date for c in fill_cover_from_timetable(session, booking)}) == [
        dt.date(2027, 1, 5), dt.date(2027, 1, 6)]
    calendar = SchoolCalendar(session, school)
    assert calendar.why_closed(dt.date(2027, 1, 4)) == "a non-teaching day (INSET: behaviour training)"
    assert calendar.end_after(dt.date(2027, 1, 4), 3) == dt.date(2027, 1, 7)  # a course from the INSET day


def test_a_cover_lesson_on_a_day_that_is_no_school_day_is_refused(session: Session, school: School,
                                                                   teacher: Staff, terms: None) -> None:
    add_non_teaching_day(session, school, "05/01/2027")
    booking = create_booking(session, school, teacher, title="Conference", start_date="04/01/2027",
                             end_date="06/01/2027", hours="12", cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    with pytest.raises(ValidationError, match=r"05/01/2027 is a non-teaching day \(INSET day\): there are no "
                                              "lessons to cover"):
        add_cover_lesson(session, booking, date="05/01/2027", period=2)
    assert add_cover_lesson(session, booking, date="06/01/2027", period=2).date == dt.date(2027, 1, 6)


def test_non_teaching_days_are_listed_by_year_and_blank_reasons_are_inset_days(session: Session,
                                                                               school: School, terms: None) -> None:
    add_non_teaching_day(session, school, "04/01/2027", "  ")
    add_non_teaching_day(session, school, "02/09/2026", "INSET: safeguarding")
    add_non_teaching_day(session, school, "06/09/2027", "INSET")  # the next year
    assert [(d.date, d.reason) for d in list_non_teaching_days(session, school, YEAR)] == [
        (dt.date(2026, 9, 2), "INSET: safeguarding"), (dt.date(2027, 1, 4), "INSET day")]
    assert len(list_non_teaching_days(session, school)) == 3


@pytest.mark.parametrize(("day", "message"), [
    ("09/01/2027", "09/01/2027 is a Saturday, so it is not a school day anyway."),
    ("25/12/2026", "25/12/2026 is a bank holiday (Christmas Day), so it is not a school day anyway."),
    ("22/12/2026", "22/12/2026 is in the holidays between terms, so it is not a school day anyway."),
    ("31/02/2027", "31/02/2027"),
    ("", "Date"),
])
def test_a_day_that_is_no_school_day_anyway_is_refused(session: Session, school: School, terms: None,
                                                       day: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        add_non_teaching_day(session, school, day)
    assert message in str(caught.value)
    assert list_non_teaching_days(session, school) == []


def test_the_holiday_refusal_names_the_terms(session: Session, school: School, terms: None) -> None:
    with pytest.raises(ValidationError) as caught:
        add_non_teaching_day(session, school, "22/12/2026")
    assert "autumn 02/09/2026–18/12/2026; spring 04/01/2027–25/03/2027" in caught.value.hint


def test_a_day_already_on_the_list_is_refused_and_a_change_checks_the_version(session: Session, school: School,
                                                                              terms: None) -> None:
    first = add_non_teaching_day(session, school, "04/01/2027", "INSET day")
    second = add_non_teaching_day(session, school, "05/01/2027", "Polling station")
    with pytest.raises(ValidationError, match=r"04/01/2027 is already a non-teaching day \(INSET day\)"):
        add_non_teaching_day(session, school, "04/01/2027", "Boiler failure")
    with pytest.raises(ValidationError, match="already a non-teaching day"):
        update_non_teaching_day(session, second, date="04/01/2027")
    seen = first.version
    update_non_teaching_day(session, first, reason="INSET: curriculum planning", expected_version=seen)
    assert first.reason == "INSET: curriculum planning"
    with pytest.raises(ConcurrentEditError):
        delete_non_teaching_day(session, first, expected_version=seen)  # changed since the person looked
    delete_non_teaching_day(session, first, expected_version=first.version)
    assert [d.date for d in list_non_teaching_days(session, school)] == [dt.date(2027, 1, 5)]


def test_a_non_teaching_day_is_the_schools_own(session: Session, school: School, teacher: Staff,
                                               terms: None) -> None:
    from cpd_desktop.services.schools import create_school

    other = create_school(session, "Brackenfield School")
    add_non_teaching_day(session, other, "04/01/2027", "INSET day")
    booking = create_booking(session, school, teacher, title="Conference", start_date="04/01/2027",
                             hours="6", cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    assert booking.cover_days == 1.0  # Brackenfield's INSET day is not this school's


def test_suggested_cover_days_never_exceed_the_courses_days(session: Session, school: School, terms: None,
                                                            three_day_course: Course) -> None:
    calendar = SchoolCalendar(session, school)
    # Booked Monday to Friday for a 3-day course: 3 days of cover, not 5.
    assert suggested_cover_days(calendar, dt.date(2027, 1, 11), dt.date(2027, 1, 15), three_day_course) == 3.0
    assert suggested_cover_days(calendar, dt.date(2027, 1, 11), dt.date(2027, 1, 15)) == 5.0


def test_the_audit_trail_names_a_non_teaching_day_by_its_date(session: Session, school: School, terms: None) -> None:
    from sqlalchemy import select

    from cpd_desktop.models import AuditEntry

    add_non_teaching_day(session, school, "05/01/2027", "Polling station")
    summaries = list(session.scalars(select(AuditEntry.summary).where(AuditEntry.table_name == "non_teaching_day")))
    assert summaries and "Non-teaching day 05/01/2027" in summaries[-1]


def test_the_cover_sheet_lists_only_school_days(session: Session, school: School, teacher: Staff,
                                                terms: None) -> None:
    from cpd_desktop.exports.rows import cover_sheet

    add_non_teaching_day(session, school, "04/01/2027", "INSET day")
    after_term = create_booking(session, school, teacher, title="Winter conference", start_date="21/12/2026",
                                end_date="23/12/2026", hours="15", cover_required=True,
                                intended_outcomes="Pupils carry out the practical with less help")
    across = create_booking(session, school, teacher, title="Network meeting", start_date="18/12/2026",
                            end_date="05/01/2027", hours="12", cover_required=True,
                            intended_outcomes="Pupils carry out the practical with less help")
    assert cover_sheet(session, school, after_term.id).days == []  # was three pages of 15 holiday lessons
    sheet = cover_sheet(session, school, across.id)
    assert [d.date for d in sheet.days] == [dt.date(2026, 12, 18), dt.date(2027, 1, 5)]
    assert len(sheet.lessons) == 10


def test_a_new_non_teaching_day_counts_at_once_in_the_same_session(session: Session, school: School,
                                                                   teacher: Staff, terms: None) -> None:
    booking = create_booking(session, school, teacher, title="Network meeting", start_date="04/01/2027",
                             end_date="05/01/2027", hours="6",
                             intended_outcomes="Pupils carry out the practical with less help")
    assert absence_days(booking) == [dt.date(2027, 1, 4), dt.date(2027, 1, 5)]
    day = add_non_teaching_day(session, school, "04/01/2027")
    assert absence_days(booking) == [dt.date(2027, 1, 5)]
    delete_non_teaching_day(session, day)
    session.add(TermDates(school_id=school.id, academic_year=2027, term="autumn", start_date=dt.date(2027, 9, 1),
                          end_date=dt.date(2027, 12, 17)))
    session.flush()
    assert absence_days(booking) == [dt.date(2027, 1, 4), dt.date(2027, 1, 5)]


def test_the_claims_export_gives_the_courses_days(session: Session, school: School, teacher: Staff, terms: None,
                                                  three_day_course: Course) -> None:
    from cpd_desktop.exports.rows import claim_rows
    from cpd_desktop.services.bursaries import create_claim

    scheme = add_scheme(session, school, name="Residential bursary", rule="per_day", amount="220")
    friday_to_tuesday = create_booking(session, school, teacher, course=three_day_course, start_date=FRIDAY,
                                       end_date=dt.date(2027, 1, 12),
                                       intended_outcomes="Pupils carry out the practical with less help")
    weekend = create_booking(session, school, teacher, title="Weekend residential", start_date="15/01/2027",
                             end_date="16/01/2027", hours="12", format="residential",
                             intended_outcomes="Pupils carry out the practical with less help")
    for booking in (friday_to_tuesday, weekend):
        create_claim(session, booking, scheme)
    rows = {r.course: r for r in claim_rows(session, school, YEAR)}
    assert (rows[three_day_course.title].days, rows[three_day_course.title].expected) == (3, Decimal("660.00"))
    assert (rows["Weekend residential"].days, rows["Weekend residential"].expected) == (2, Decimal("440.00"))


def test_days_left_in_the_holidays_by_new_term_dates_are_found(session: Session, school: School, terms: None) -> None:
    from cpd_desktop.services.non_teaching_days import days_outside_terms

    add_non_teaching_day(session, school, "04/01/2027")
    add_non_teaching_day(session, school, "05/01/2027")
    assert days_outside_terms(session, school, YEAR) == []
    spring = next(t for t in school.terms if t.term == "spring")
    spring.start_date = dt.date(2027, 1, 5)
    session.flush()
    assert [d.date for d in days_outside_terms(session, school, YEAR)] == [dt.date(2027, 1, 4)]
