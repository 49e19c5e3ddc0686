"""Bookings: their lifecycle, the activity that attending creates, release cover and what CPD really costs."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cpd_desktop.errors import InvalidTransitionError, ValidationError
from cpd_desktop.models import Activity, AuditEntry, Booking, Course, School, Staff, TimetableLesson
from cpd_desktop.services.activities import add_activity
from cpd_desktop.services.bookings import (
    add_cover_lesson,
    booking_cost,
    create_booking,
    fill_cover_from_timetable,
    mark_attended,
    transition_booking,
    upcoming_bookings,
    update_booking,
    week_of,
)
from cpd_desktop.services.catalogue import add_course
from cpd_desktop.services.reports import bookings_report, cost_by_staff, hours_by_staff
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import AcademicYear

YEAR = AcademicYear(2025)
# Monday 13 October 2025 is a week A (week A commencing 1 September 2025, six weeks earlier).
MON_A = dt.date(2025, 10, 13)
MON_B = dt.date(2025, 10, 20)


@pytest.fixture
def teacher(session: Session, school: School) -> Staff:
    return add_staff(session, school, forename="Łukasz", surname="Zając", staff_code="LZA", department="Physics",
                     start_date="01/09/2022")


@pytest.fixture
def residential(session: Session, school: School) -> Course:
    return add_course(session, school, provider="National STEM Learning Centre", code="RP301",
                      title="Practical physics for non-specialists (residential)", format="residential",
                      subject="Physics", subject_specific=True, hours="18", days="3", fee="650.00")


def _book(session: Session, school: School, teacher: Staff, **values: object) -> Booking:
    values.setdefault("title", "Teaching forces and motion")
    values.setdefault("start_date", "15/10/2025")
    values.setdefault("hours", "5")
    values.setdefault("intended_outcomes", "Year 10 explain forces with free-body diagrams")
    return create_booking(session, school, teacher, **values)


def _to_booked(session: Session, booking: Booking) -> None:
    transition_booking(session, booking, "approved", on=dt.date(2025, 9, 1))
    transition_booking(session, booking, "booked", on=dt.date(2025, 9, 10))


# ---- lifecycle ----

def test_a_booking_from_the_catalogue_takes_its_title_hours_fee_format_and_provider(
        session: Session, school: School, teacher: Staff, residential: Course) -> None:
    booking = create_booking(session, school, teacher, course=residential, start_date="15/10/2025",
                             end_date="17/10/2025", cover_required="yes",
                             intended_outcomes="Pupils carry out the practical with less help")
    assert booking.title == residential.title and booking.hours == Decimal("18.00")
    assert booking.fee == Decimal("650.00") and booking.format == "residential" and booking.subject_specific
    assert booking.provider is not None and booking.provider.name == "National STEM Learning Centre"
    assert booking.status == "planned"
    assert booking.cover_days == 3.0 and booking.cover_day_rate == Decimal("291.00")


def test_the_booking_lifecycle_to_attended(session: Session, school: School, teacher: Staff) -> None:
    booking = _book(session, school, teacher)
    for status, on in (("approved", dt.date(2025, 9, 1)), ("booked", dt.date(2025, 9, 10))):
        assert transition_booking(session, booking, status, on=on) is None
        assert (booking.status, booking.status_changed_on) == (status, on)
    activity = mark_attended(session, booking, on=dt.date(2025, 10, 15))
    assert booking.status == "attended" and activity.booking_id == booking.id


@pytest.mark.parametrize(("path", "illegal"), [
    ([], "attended"), ([], "booked"), (["approved"], "attended"),
    (["approved", "booked"], "approved"), (["approved", "booked"], "planned"),
    (["approved", "booked", "attended"], "cancelled"), (["approved", "booked", "attended"], "planned"),
    (["cancelled"], "approved"), (["cancelled"], "booked"), (["cancelled"], "attended"),
])
def test_illegal_transitions_are_refused_and_change_nothing(session: Session, school: School, teacher: Staff,
                                                            path: list[str], illegal: str) -> None:
    booking = _book(session, school, teacher)
    for status in path:
        transition_booking(session, booking, status, on=dt.date(2025, 10, 16))
    before = (booking.status, booking.status_changed_on)
    activities_before = session.scalars(select(Activity)).all()
    with pytest.raises(InvalidTransitionError, match="cannot become") as info:
        transition_booking(session, booking, illegal, on=dt.date(2025, 10, 20))
    assert "From here it can become" in info.value.hint
    assert (booking.status, booking.status_changed_on) == before
    assert session.scalars(select(Activity)).all() == activities_before


def test_a_booking_cannot_be_marked_attended_before_it_starts(session: Session, school: School,
                                                             teacher: Staff) -> None:
    booking = _book(session, school, teacher)
    _to_booked(session, booking)
    with pytest.raises(InvalidTransitionError, match="15/10/2025"):
        mark_attended(session, booking, on=dt.date(2025, 10, 14))
    assert booking.status == "booked"
    assert session.scalar(select(Activity).where(Activity.booking_id == booking.id)) is None


def test_attending_creates_the_activity_from_the_booking_and_asks_for_an_evaluation(
        session: Session, school: School, teacher: Staff, residential: Course) -> None:
    booking = create_booking(session, school, teacher, course=residential, start_date="15/10/2025",
                             end_date="17/10/2025", cover_required=True, travel="46.00",
                             accommodation="220.00", intended_outcomes="Confident practical electricity.")
    _to_booked(session, booking)
    activity = mark_attended(session, booking, on=dt.date(2025, 10, 17))
    assert activity.staff_id == teacher.id and activity.booking_id == booking.id
    assert (activity.date, activity.end_date) == (dt.date(2025, 10, 15), dt.date(2025, 10, 17))
    assert activity.hours == Decimal("18.00") and activity.format == "residential"
    assert activity.title == residential.title and activity.subject_specific
    assert activity.provider is not None and activity.provider.name == "National STEM Learning Centre"
    assert activity.intended_outcomes == "Confident practical electricity."
    assert activity.cost == booking.total_cost == Decimal("1789.00")  # 650 + 46 + 220 + 3 × 291
    # The evaluation falls due the school's evaluation period after the course ends.
    assert activity.evaluation_due == dt.date(2025, 10, 17) + dt.timedelta(days=school.evaluation_due_days)
    assert activity.evaluated_on is None
    row = next(r for r in hours_by_staff(session, school, YEAR) if r.staff_code == "LZA")
    assert row.hours == Decimal("18.00") and row.subject_specific_hours == Decimal("18.00")


def test_hours_actually_attended_can_differ_from_the_booking(session: Session, school: School,
                                                            teacher: Staff) -> None:
    booking = _book(session, school, teacher, format="Online course", subject_specific="no")
    _to_booked(session, booking)
    activity = mark_attended(session, booking, on=dt.date(2025, 10, 15), hours="3.5")
    assert activity.hours == Decimal("3.50") and booking.hours == Decimal("5.00")
    assert activity.format == "online_course" and not activity.subject_specific and activity.end_date is None


def test_attended_bookings_keep_their_dates_and_hours(session: Session, school: School, teacher: Staff) -> None:
    booking = _book(session, school, teacher)
    _to_booked(session, booking)
    mark_attended(session, booking, on=dt.date(2025, 10, 15))
    with pytest.raises(ValidationError, match="CPD log"):
        update_booking(session, booking, hours="7")
    assert booking.hours == Decimal("5.00")
    update_booking(session, booking, notes="Good course")  # notes may still change
    assert booking.notes == "Good course"


def test_cancelling_keeps_the_booking_its_cover_and_its_history(session: Session, school: School,
                                                               teacher: Staff) -> None:
    booking = _book(session, school, teacher, cover_required=True)
    add_cover_lesson(session, booking, date="15/10/2025", period=2, class_group="10X/Sc1", work_set="Worksheet")
    transition_booking(session, booking, "approved", on=dt.date(2025, 9, 1))
    transition_booking(session, booking, "cancelled", on=dt.date(2025, 10, 1),
                       reason="Exam season: cover could not be found")
    session.expire_all()
    kept = session.get(Booking, booking.id)
    assert kept is not None and kept.status == "cancelled"
    assert kept.cancellation_reason == "Exam season: cover could not be found"
    assert kept.status_changed_on == dt.date(2025, 10, 1)
    assert [c.class_group for c in kept.cover_lessons] == ["10X/Sc1"]
    assert [r["status"] for r in bookings_report(session, school, YEAR)] == ["cancelled"]
    changes = [json.loads(e.changes)["status"] for e in session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == "booking", AuditEntry.record_id == booking.id,
                                 AuditEntry.action == "update").order_by(AuditEntry.id))]
    assert changes == [["planned", "approved"], ["approved", "cancelled"]]
    # A cancelled booking can be planned again.
    transition_booking(session, kept, "planned", on=dt.date(2025, 10, 2))
    assert kept.status == "planned"


def test_a_booking_that_ends_before_it_starts_or_has_too_many_hours_is_refused(
        session: Session, school: School, teacher: Staff) -> None:
    with pytest.raises(ValidationError, match="before the start") as info:
        _book(session, school, teacher, start_date="15/10/2025", end_date="14/10/2025")
    assert info.value.field == "End date"
    with pytest.raises(ValidationError, match="more than 48 hours") as info:
        _book(session, school, teacher, start_date="15/10/2025", end_date="16/10/2025", hours="49")
    assert info.value.field == "Hours"
    assert session.scalars(select(Booking)).all() == []


def test_upcoming_bookings(session: Session, school: School, teacher: Staff) -> None:
    soon = _book(session, school, teacher, start_date="20/10/2025")
    _book(session, school, teacher, start_date="20/12/2025")
    cancelled = _book(session, school, teacher, start_date="21/10/2025")
    transition_booking(session, cancelled, "cancelled", on=dt.date(2025, 10, 1))
    assert upcoming_bookings(session, school, today=dt.date(2025, 10, 10)) == [soon]


# ---- release cover from the timetable ----

@pytest.fixture
def timetable(session: Session, school: School, teacher: Staff) -> None:
    school.week_a_commencing = dt.date(2025, 9, 1)
    for week, weekday, period, group in (("A", 1, 1, "7A"), ("B", 1, 2, "8C"), ("every", 1, 3, "10X/Sc1"),
                                         ("every", 2, 1, "11Z/Ph1"), ("A", 3, 5, "12/Ph"), ("B", 3, 4, "13/Ph"),
                                         ("every", 5, 2, "9E")):
        session.add(TimetableLesson(school_id=school.id, staff_id=teacher.id, week=week, weekday=weekday,
                                    period=period, class_group=group, subject="Physics", room="S4"))
    session.flush()


def test_week_a_and_b_alternate_from_the_schools_week_a_monday(school: School) -> None:
    school.week_a_commencing = dt.date(2025, 9, 1)
    assert [week_of(school, MON_A + dt.timedelta(days=7 * n)) for n in range(4)] == ["A", "B", "A", "B"]
    assert week_of(school, MON_A + dt.timedelta(days=4)) == "A"  # the Friday of a week A
    assert week_of(school, dt.date(2025, 8, 25)) == "B"  # the week before the first week A
    school.week_a_commencing = None  # not set yet: the week of 1 September is week A
    assert [week_of(school, dt.date(2025, 9, 1) + dt.timedelta(days=7 * n)) for n in range(3)] == ["A", "B", "A"]
    assert week_of(school, dt.date(2026, 9, 1)) == "A"  # each academic year starts again at week A


def test_cover_is_filled_from_the_timetable_honouring_week_a_and_b(session: Session, school: School,
                                                                  teacher: Staff, timetable: None) -> None:
    # Monday of a week A to Wednesday: Mon A P1, P3; Tue P1; Wed A P5.
    week_a = _book(session, school, teacher, start_date=MON_A, end_date=MON_A + dt.timedelta(days=2),
                   cover_required=True)
    lessons = fill_cover_from_timetable(session, week_a)
    assert [(c.date.isoweekday(), c.period, c.class_group) for c in lessons] == [
        (1, 1, "7A"), (1, 3, "10X/Sc1"), (2, 1, "11Z/Ph1"), (3, 5, "12/Ph")]
    assert all(c.subject == "Physics" and c.room == "S4" for c in lessons)
    # The same days in a week B: Mon B P2, P3; Tue P1; Wed B P4.
    week_b = _book(session, school, teacher, start_date=MON_B, end_date=MON_B + dt.timedelta(days=2))
    assert [(c.date.isoweekday(), c.period, c.class_group) for c in fill_cover_from_timetable(session, week_b)] == [
        (1, 2, "8C"), (1, 3, "10X/Sc1"), (2, 1, "11Z/Ph1"), (3, 4, "13/Ph")]


def test_a_weekend_has_no_cover_and_refilling_keeps_what_was_written(session: Session, school: School,
                                                                     teacher: Staff, timetable: None) -> None:
    friday = MON_A + dt.timedelta(days=4)
    booking = _book(session, school, teacher, start_date=friday, end_date=friday + dt.timedelta(days=3),
                    hours="20", cover_required=True)
    assert booking.cover_days == 2.0  # Friday and Monday; the weekend is not cover
    first = fill_cover_from_timetable(session, booking)
    assert [(c.date, c.period) for c in first] == [(friday, 2), (MON_B, 2), (MON_B, 3)]
    first[0].work_set = "Exam questions on waves, pages 4–6"
    assert fill_cover_from_timetable(session, booking) == []
    assert len(booking.cover_lessons) == 3
    assert booking.cover_lessons[0].work_set == "Exam questions on waves, pages 4–6"


def test_a_cover_lesson_must_be_a_day_of_the_booking_and_not_twice(session: Session, school: School,
                                                                   teacher: Staff) -> None:
    booking = _book(session, school, teacher, start_date=MON_A)
    with pytest.raises(ValidationError, match="not a day of this booking"):
        add_cover_lesson(session, booking, date=MON_B, period=1)
    add_cover_lesson(session, booking, date=MON_A, period=1, work_return="Finish for homework")
    assert booking.cover_lessons[0].work_return == "homework"
    with pytest.raises(ValidationError, match="already on the sheet"):
        add_cover_lesson(session, booking, date=MON_A, period=1)


# ---- costs ----

def test_the_cost_heads_include_cover_days_at_the_day_rate(session: Session, school: School, teacher: Staff) -> None:
    booking = _book(session, school, teacher, start_date=MON_A, end_date=MON_A + dt.timedelta(days=2),
                    hours="18", fee="£650.00", travel="46.00", accommodation="220", subsistence="30.00",
                    cover_required=True)
    assert booking_cost(booking) == {
        "fee": Decimal("650.00"), "travel": Decimal("46.00"), "accommodation": Decimal("220.00"),
        "subsistence": Decimal("30.00"), "cover": Decimal("873.00"), "total": Decimal("1819.00")}
    update_booking(session, booking, cover_days="1.5", cover_day_rate="£218.00")
    assert booking_cost(booking)["cover"] == Decimal("327.00")


def test_the_schools_day_rate_is_the_default_for_new_bookings(session: Session, school: School,
                                                             teacher: Staff) -> None:
    school.supply_day_rate = Decimal("270.00")
    booking = _book(session, school, teacher, cover_required=True)
    assert booking.cover_day_rate == Decimal("270.00") and booking_cost(booking)["cover"] == Decimal("270.00")


def test_cover_days_must_be_whole_or_half_days(session: Session, school: School, teacher: Staff) -> None:
    with pytest.raises(ValidationError, match="not a number of days"):
        _book(session, school, teacher, cover_days="1.3")
    with pytest.raises(ValidationError, match="negative"):
        _book(session, school, teacher, fee="-5")


def test_cost_per_person_and_department_includes_cover_and_leaves_out_cancelled(
        session: Session, school: School, teacher: Staff) -> None:
    other = add_staff(session, school, forename="Aisha", surname="Begum", staff_code="ABE", department="Biology")
    a = _book(session, school, teacher, fee="180", travel="24", cover_required=True)          # 180 + 24 + 291
    b = _book(session, school, teacher, start_date="02/02/2026", fee="75", cover_days="0.5",
              cover_day_rate="291.25")                                                        # 75 + 145.63
    cancelled = _book(session, school, teacher, start_date="03/03/2026", fee="650", cover_required=True)
    transition_booking(session, cancelled, "cancelled", on=dt.date(2026, 1, 5))
    _book(session, school, teacher, start_date="15/10/2024", fee="999")                       # another year
    _book(session, school, other, start_date="12/11/2025", fee="320", subsistence="30", cover_days="2")
    add_activity(session, school, other, date="01/12/2025", hours="2", title="Book on practical work",
                 format="reading", cost="25.00")                                               # no booking
    rows = {r.staff_code: r for r in cost_by_staff(session, school, YEAR)}
    lza = rows["LZA"]
    assert (lza.fee, lza.travel, lza.cover) == (Decimal("255.00"), Decimal("24.00"), Decimal("436.63"))
    assert lza.total == booking_cost(a)["total"] + booking_cost(b)["total"] == Decimal("715.63")
    abe = rows["ABE"]
    assert (abe.cover, abe.other, abe.total) == (Decimal("582.00"), Decimal("25.00"), Decimal("957.00"))
    physics = cost_by_staff(session, school, YEAR, department="Physics")
    assert [r.staff_code for r in physics] == ["LZA"]
    assert sum((r.total for r in cost_by_staff(session, school, YEAR)), Decimal(0)) == Decimal("1672.63")


def test_shortening_a_booking_rechecks_its_hours(session: Session, school: School, teacher: Staff) -> None:
    booking = _book(session, school, teacher, start_date="15/10/2025", end_date="17/10/2025", hours="60")
    with pytest.raises(ValidationError, match="more than 24 hours in a day") as info:
        update_booking(session, booking, end_date="15/10/2025")
    assert info.value.field == "Hours"
    assert (booking.end_date, booking.hours) == (dt.date(2025, 10, 17), Decimal("60.00"))
    update_booking(session, booking, end_date="15/10/2025", hours="6")
    assert (booking.end_date, booking.hours) == (dt.date(2025, 10, 15), Decimal("6.00"))


def test_a_booking_serves_its_own_persons_objective_and_the_activity_carries_it(
        session: Session, school: School, teacher: Staff) -> None:
    from cpd_desktop.services.objectives import set_objective

    other = add_staff(session, school, forename="Amy", surname="Cole", staff_code="ACO", department="Physics",
                      start_date="01/09/2022")
    year = AcademicYear(2025)
    mine = set_objective(session, school, teacher.id, year, "Use the rope model in Year 9.")
    theirs = set_objective(session, school, other.id, year, "Questioning in physics.")
    booking = _book(session, school, teacher)
    with pytest.raises(ValidationError, match="not one of this person's development objectives"):
        update_booking(session, booking, objective_id=theirs)
    with pytest.raises(ValidationError, match="not one of this person's development objectives"):
        add_activity(session, school, other, title="Reading", date="02/10/2025", hours="1", objective_id=mine)
    update_booking(session, booking, objective_id=mine)
    transition_booking(session, booking, "approved", on=dt.date(2025, 9, 1))
    transition_booking(session, booking, "booked", on=dt.date(2025, 9, 10))
    activity = mark_attended(session, booking, on=dt.date(2025, 10, 15))
    assert activity.objective_id == mine == booking.objective_id
