"""Bookings: planned CPD, its lifecycle, its costs, and the lessons to cover while the teacher is away."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, and_, bindparam, delete, func, select
from sqlalchemy.orm import Session, object_session

from ..errors import InvalidTransitionError, ValidationError
from ..models import (
    Activity,
    Booking,
    Course,
    CoverLesson,
    Department,
    Priority,
    School,
    Staff,
    TimetableLesson,
)
from ..models.enums import BOOKING_STATUSES, BOOKING_TRANSITIONS, WORK_RETURN
from . import validation as v
from .activities import add_activity
from .catalogue import parse_format, provider_id
from .concurrency import check_version
from .objectives import check_objective
from .rules import constant, in_department
from .stages import sync_stages
from .years import SchoolCalendar, cached_calendar, school_days

MONEY_FIELDS = {"fee": "Fee", "travel": "Travel", "accommodation": "Accommodation",
                "subsistence": "Subsistence", "cover_day_rate": "Cover day rate"}
OPEN_STATUSES = ("planned", "approved", "booked")
INTENDED_OUTCOME = "Intended outcome"  # the field's name in the Book CPD form and in an imported file


def outcome_refusal(values: dict[str, Any]) -> str:
    """Why a booking with these values (fee, travel, accommodation, subsistence, cover days and intended
    outcomes, as cleaned) cannot be saved as it is, or "".

    Plan backwards: CPD that costs money or takes a teacher out of lessons starts from the change it should
    make for pupils, so its intended outcome is required; free CPD outside lessons may leave it blank. The
    one rule behind the service, the Book CPD form (beside the field) and ``import bookings`` (the row).
    """
    costs = any(Decimal(str(values.get(key) or 0)) > 0 for key in ("fee", "travel", "accommodation", "subsistence"))
    cover = float(values.get("cover_days") or 0) > 0
    if (costs or cover) and not str(values.get("intended_outcomes") or "").strip():
        why = "costs money and needs cover" if costs and cover else "costs money" if costs else "needs cover"
        return f"is required for a booking that {why}: say what should change for pupils."
    return ""


def check_outcome(values: dict[str, Any]) -> None:
    """Refuse (``ValidationError`` on the intended outcome) a booking ``outcome_refusal`` refuses."""
    why = outcome_refusal(values)
    if why:
        raise ValidationError(INTENDED_OUTCOME, why,
                              hint="e.g. “Year 10 carry out the required practicals with less help”.")


def parse_confidence(raw: Any, label: str = "Confidence before") -> int | None:
    """A confidence from 1 (not at all confident) to 5 (very confident); blank is none."""
    return v.parse_confidence(raw, label)


def clean_booking_values(values: dict[str, Any], current: Booking | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in values:
        out["title"] = v.required_text(values["title"], "Title")
    if "start_date" in values:
        out["start_date"] = v.parse_date(values["start_date"], "Start date")
    if "end_date" in values:
        out["end_date"] = v.parse_date(values["end_date"], "End date", required=False)
    start = out.get("start_date", current.start_date if current else None)
    end = out.get("end_date") or (current.end_date if current and "end_date" not in values else None) or start
    if "end_date" in out or "start_date" in out:
        out["end_date"] = end
    if start is not None and end is not None:
        v.check_date_order(start, end)
    if "hours" in values or (current is not None and ("start_date" in out or "end_date" in out)):
        # New dates re-check the hours kept: 60 hours will not fit in one day.
        raw = values["hours"] if "hours" in values else current.hours if current else None
        out["hours"] = v.parse_hours(raw, "Hours", start=start, end=end)
    if "format" in values:
        out["format"] = parse_format(values["format"])
    if "subject_specific" in values:
        out["subject_specific"] = v.parse_bool(values["subject_specific"], "Subject-specific")
    if "cover_required" in values:
        out["cover_required"] = v.parse_bool(values["cover_required"], "Cover required")
    for key, label in MONEY_FIELDS.items():
        if key in values:
            out[key] = v.parse_money(values[key], label)
    if "cover_days" in values:
        days = v.parse_decimal(values["cover_days"] if values["cover_days"] not in (None, "") else 0, "Cover days",
                               hint=v.HALF_DAYS_HINT)
        if days < 0 or days > 200 or days * 2 != (days * 2).to_integral_value():
            raise ValidationError("Cover days", f"{days} is not a number of days.", hint="Use whole or half days.")
        out["cover_days"] = float(days)
    for key, label, cap in (("supply_invoice_ref", "Supply invoice", 60), ("budget_code", "Budget code", 40),
                            ("cancellation_reason", "Reason", 500)):
        if key in values:
            out[key] = v.clean_text(values[key], label, max_len=cap)
    for key, label in (("intended_outcomes", INTENDED_OUTCOME), ("notes", "Notes")):
        if key in values:
            out[key] = v.clean_text(values[key], label, max_len=v.NOTE_MAX, multiline=True)
    if "confidence_before" in values:
        out["confidence_before"] = parse_confidence(values["confidence_before"])
    if "priority_id" in values:
        out["priority_id"] = int(values["priority_id"]) if values["priority_id"] not in (None, "", 0) else None
    if "objective_id" in values:
        out["objective_id"] = int(values["objective_id"]) if values["objective_id"] not in (None, "", 0) else None
    return out


def _check_priority(session: Session, school: School, priority_id: int | None, start: dt.date) -> None:
    """A booking serves one of its school's priorities for the academic year it starts in, or none."""
    if priority_id is not None:
        from .years import academic_year_of

        year = academic_year_of(start, school.academic_year_start_month)
        priority = session.get(Priority, priority_id)
        if priority is None or priority.school_id != school.id or priority.academic_year != year.start_year:
            raise ValidationError("Priority", f"is not one of the school's priorities for {year.label}.",
                                  hint="Choose one of that year's priorities, or none.")


def absence_days(booking: Booking, calendar: SchoolCalendar | None = None) -> list[dt.date]:
    """The school days the teacher is away: the booking's days that are school days in term (weekends,
    holidays between terms, bank holidays and the school's non-teaching days left out)."""
    if calendar is None:
        session = object_session(booking)
        school = session.get(School, booking.school_id) if session is not None else None
        if session is None or school is None:  # a booking not saved anywhere: no terms to go by
            return school_days(booking.start_date, booking.end_date)
        calendar = cached_calendar(session, school)
    return calendar.school_days(booking.start_date, booking.end_date)


def suggested_cover_days(calendar: SchoolCalendar, start: dt.date, end: dt.date,
                         course: Course | None = None) -> float:
    """Days of supply cover a booking needs: its school days in term, and no more than the course's days
    (a half-day course from the catalogue needs half a day; a Friday–Saturday residential, one)."""
    days = float(len(calendar.school_days(start, end)))
    if course is not None and course.days:
        days = min(days, float(course.days))
    return days


def suggested_end_date(calendar: SchoolCalendar, start: dt.date, course: Course) -> dt.date:
    """A catalogue course's last day from its first, counting school days: a 3-day course from a Friday
    ends on the Tuesday (half days round up: 1.5 days take two)."""
    return calendar.end_after(start, max(1, math.ceil(float(course.days))))


def create_booking(session: Session, school: School, staff: Staff, *, course: Course | None = None,
                   provider: Any = None, **values: Any) -> Booking:
    """Plan CPD for one person, from the catalogue (its title, hours, fee, format) or free text."""
    if course is not None:
        values.setdefault("title", course.title)
        values.setdefault("hours", course.hours)
        values.setdefault("fee", course.fee)
        values.setdefault("format", course.format)
        values.setdefault("subject_specific", course.subject_specific)
        if provider is None and course.provider is not None:
            provider = course.provider.name
    for required in ("title", "start_date", "hours"):
        values.setdefault(required, None)
    values.setdefault("end_date", None)
    clean = clean_booking_values(values)
    if staff.school_id != school.id:
        raise ValidationError("Staff", f"{staff.full_name} is not at {school.name}.")
    clean.setdefault("cover_day_rate", school.supply_day_rate)
    if clean.get("cover_required") and "cover_days" not in clean:
        clean["cover_days"] = suggested_cover_days(SchoolCalendar(session, school), clean["start_date"],
                                                   clean["end_date"], course)
    check_outcome(clean)
    _check_priority(session, school, clean.get("priority_id"), clean["start_date"])
    check_objective(session, school, clean.get("objective_id"), staff.id)
    booking = Booking(school_id=school.id, staff_id=staff.id, course_id=course.id if course else None,
                      provider_id=provider_id(session, school, provider), status="planned",
                      status_changed_on=dt.date.today(), **clean)
    session.add(booking)
    session.flush()
    return booking


def update_booking(session: Session, booking: Booking, *, provider: Any = ..., expected_version: int | None = None,
                   **values: Any) -> Booking:
    """Change a booking. ``cover_days`` given blank (None or "") counts the booking's school days in term
    again, for its dates as saved (the Book CPD form leaves it blank while it matches that count)."""
    check_version(booking, expected_version)
    if booking.status in ("attended",) and {"start_date", "end_date", "hours"} & values.keys():
        raise ValidationError("Booking", "has been attended: its dates and hours are in the CPD log.",
                              hint="Change the activity in the CPD log instead.")
    recount = "cover_days" in values and values["cover_days"] in (None, "")
    if recount:
        values = {key: value for key, value in values.items() if key != "cover_days"}
    clean = clean_booking_values(values, current=booking)
    if provider is not ...:
        booking.provider_id = provider_id(session, booking.staff.school, provider)
    for key, value in clean.items():
        setattr(booking, key, value)
    if recount:
        school = session.get(School, booking.school_id)
        assert school is not None
        booking.cover_days = suggested_cover_days(SchoolCalendar(session, school), booking.start_date,
                                                  booking.end_date, booking.course) if booking.cover_required else 0.0
    if booking.status in OPEN_STATUSES:  # CPD still being planned: an attended or cancelled one is a record
        check_outcome({key: getattr(booking, key) for key in
                       ("fee", "travel", "accommodation", "subsistence", "cover_days", "intended_outcomes")})
    school = session.get(School, booking.school_id)
    assert school is not None
    _check_priority(session, school, booking.priority_id, booking.start_date)
    if "objective_id" in clean:
        check_objective(session, school, booking.objective_id, booking.staff_id)
    session.flush()
    return booking


# What moving a booking to each status is called ("… so it was not marked attended").
BOOKING_MOVES = {"approved": "approve", "booked": "mark booked", "attended": "mark attended",
                 "cancelled": "cancel", "planned": "move back to planned"}


def move_refusal(current: str, start: dt.date, status: str, today: dt.date) -> str:
    """Why a booking that is ``current`` and starts on ``start`` cannot become ``status`` on ``today``, or "".

    The one rule behind the service's refusal and the window's buttons (disabled, with this as the reason).
    """
    if status not in BOOKING_TRANSITIONS.get(current, frozenset()):
        return (f"A booking that is {BOOKING_STATUSES[current].lower()} cannot become "
                f"{BOOKING_STATUSES[status].lower()}.")
    if status == "attended" and start > today:
        return f"The course starts on {start:%d/%m/%Y}: it cannot be marked attended before then."
    return ""


def transition_booking(session: Session, booking: Booking, status: str, *, on: dt.date | None = None,
                       reason: str | None = None, hours: Any = None,
                       expected_version: int | None = None) -> Activity | None:
    """Move a booking on; ``attended`` creates its activity (returned). Illegal moves are refused, and so is
    a move made on an out-of-date copy (``expected_version``: the version the person saw), before
    anything is written."""
    status = v.parse_choice(status, "Status", BOOKING_STATUSES)
    check_version(booking, expected_version, action=BOOKING_MOVES.get(status, "save"))
    if status not in BOOKING_TRANSITIONS[booking.status]:
        allowed = ", ".join(BOOKING_STATUSES[s] for s in sorted(BOOKING_TRANSITIONS[booking.status])) or "none"
        raise InvalidTransitionError(
            f"A booking that is {BOOKING_STATUSES[booking.status].lower()} cannot become "
            f"{BOOKING_STATUSES[status].lower()}.", hint=f"From here it can become: {allowed}.")
    on = on or dt.date.today()
    activity = None
    if status == "attended":
        too_soon = move_refusal(booking.status, booking.start_date, status, on)
        if too_soon:
            raise InvalidTransitionError(too_soon)
        activity = _activity_from_booking(session, booking, hours)
    if status == "cancelled":
        booking.cancellation_reason = v.clean_text(reason, "Reason", max_len=500)
    booking.status = status
    booking.status_changed_on = on
    session.flush()
    return activity


def mark_attended(session: Session, booking: Booking, *, on: dt.date | None = None, hours: Any = None,
                  expected_version: int | None = None) -> Activity:
    activity = transition_booking(session, booking, "attended", on=on, hours=hours, expected_version=expected_version)
    assert activity is not None
    return activity


def _activity_from_booking(session: Session, booking: Booking, hours: Any) -> Activity:
    existing = session.scalar(select(Activity).where(Activity.booking_id == booking.id))
    if existing is not None:
        return existing
    school = booking.staff.school
    activity = add_activity(
        session, school, booking.staff, booking_id=booking.id,
        provider=booking.provider.name if booking.provider else None,
        date=booking.start_date, end_date=booking.end_date if booking.end_date != booking.start_date else None,
        hours=hours if hours not in (None, "") else booking.hours, title=booking.title, format=booking.format,
        subject_specific=booking.subject_specific, intended_outcomes=booking.intended_outcomes,
        cost=booking.total_cost,
    )
    # What was planned travels with the CPD: the priority it serves, its programme and the confidence
    # before; its evaluation stages then follow the school's rules (a programme calls for every stage).
    activity.priority_id = booking.priority_id
    activity.programme_id = booking.programme_id
    activity.objective_id = booking.objective_id
    activity.confidence_before = booking.confidence_before
    session.flush()
    sync_stages(session, school, [activity.id])
    return activity


def booking_cost(booking: Booking) -> dict[str, Decimal]:
    """Each cost head and the total, cover being cover days × the day rate."""
    heads = {"fee": booking.fee, "travel": booking.travel, "accommodation": booking.accommodation,
             "subsistence": booking.subsistence, "cover": booking.cover_cost}
    heads["total"] = sum(heads.values(), Decimal("0.00"))
    return heads


def week_of(school: School, day: dt.date) -> str:
    """'A' or 'B' in a two-week timetable, counted from the school's week-A Monday.

    Until the school sets one (Settings), the week of the academic year's first day is week A: a
    timetable imported with A and B weeks then still puts both weeks' lessons on cover sheets.
    """
    anchor = school.week_a_commencing
    if anchor is None:
        from .years import academic_year_of

        first = academic_year_of(day, school.academic_year_start_month).start
        anchor = first - dt.timedelta(days=first.weekday())
    weeks = (day - anchor).days // 7
    return "A" if weeks % 2 == 0 else "B"


def lessons_missed(school: School, lessons: Iterable[Any], day: dt.date) -> list[Any]:
    """Of a teacher's timetabled ``lessons`` (anything with ``week``, ``weekday`` and ``period``), those they
    miss away on ``day``: that weekday's, in every week or in the day's week (A or B), the first a period."""
    week, weekday = week_of(school, day), day.isoweekday()
    seen: set[int] = set()
    out = []
    for lesson in lessons:
        if lesson.weekday == weekday and lesson.week in ("every", week) and lesson.period not in seen:
            seen.add(lesson.period)
            out.append(lesson)
    return out


def fill_cover_from_timetable(session: Session, booking: Booking) -> list[CoverLesson]:
    """Create the cover lessons for every timetabled lesson the teacher misses (A/B weeks honoured) on the
    booking's school days: none on a weekend, in the holidays, on a bank holiday or a non-teaching day.

    Lessons already entered (with their work set) are kept; only missing ones are added.
    """
    school = booking.staff.school
    lessons = session.scalars(select(TimetableLesson).where(TimetableLesson.staff_id == booking.staff_id)).all()
    have = {(c.date, c.period) for c in booking.cover_lessons}
    added = []
    for day in absence_days(booking, SchoolCalendar(session, school)):
        for lesson in lessons_missed(school, lessons, day):
            if (day, lesson.period) in have:
                continue
            cover = CoverLesson(school_id=school.id, booking_id=booking.id, timetable_lesson_id=lesson.id,
                                date=day, period=lesson.period, class_group=lesson.class_group,
                                subject=lesson.subject, room=lesson.room)
            booking.cover_lessons.append(cover)
            have.add((day, lesson.period))
            added.append(cover)
    session.flush()
    return added


COVER_TEXT = {"class_group": ("Class", 40), "subject": ("Subject", 100), "room": ("Room", 40),
              "materials_location": ("Where the materials are", 500), "cover_teacher": ("Cover teacher", 120)}
COVER_NOTES = {"work_set": "Work set", "technician_notes": "Technician notes", "feedback": "Feedback"}


def clean_cover_values(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "date" in values:
        out["date"] = v.parse_date(values["date"], "Date")
    if "period" in values:
        number = v.parse_decimal(values["period"], "Period", hint="Enter the period's number, such as 3.")
        if number != number.to_integral_value() or not 0 <= number <= 20:
            raise ValidationError("Period", f"{values['period']} is not a period of the day.")
        out["period"] = int(number)
    for key, (label, cap) in COVER_TEXT.items():
        if key in values:
            out[key] = v.clean_text(values[key], label, max_len=cap)
    for key, label in COVER_NOTES.items():
        if key in values:
            out[key] = v.clean_text(values[key], label, max_len=v.NOTE_MAX, multiline=True)
    if "work_return" in values:
        out["work_return"] = v.parse_choice(values["work_return"], "Work collected or homework", WORK_RETURN,
                                            default="none")
    return out


def add_cover_lesson(session: Session, booking: Booking, **values: Any) -> CoverLesson:
    values.setdefault("date", None)
    values.setdefault("period", None)
    clean = clean_cover_values(values)
    if not booking.start_date <= clean["date"] <= booking.end_date:
        raise ValidationError("Date", f"{clean['date']:%d/%m/%Y} is not a day of this booking.",
                              hint=f"Choose a day from {booking.start_date:%d/%m/%Y} to {booking.end_date:%d/%m/%Y}.")
    school = session.get(School, booking.school_id)
    assert school is not None
    why = SchoolCalendar(session, school).why_closed(clean["date"])
    if why is not None:
        raise ValidationError("Date", f"{clean['date']:%d/%m/%Y} is {why}: there are no lessons to cover.",
                              hint="Choose a school day of this booking.")
    if any(c.date == clean["date"] and c.period == clean["period"] for c in booking.cover_lessons):
        raise ValidationError("Period", f"P{clean['period']} on {clean['date']:%d/%m/%Y} is already on the sheet.")
    cover = CoverLesson(school_id=booking.school_id, **clean)
    booking.cover_lessons.append(cover)
    session.flush()
    return cover


def update_cover_lesson(session: Session, cover: CoverLesson, *, expected_version: int | None = None,
                        **values: Any) -> CoverLesson:
    check_version(cover, expected_version)
    for key, value in clean_cover_values(values).items():
        setattr(cover, key, value)
    session.flush()
    return cover


def delete_cover_lesson(session: Session, cover: CoverLesson, *, expected_version: int | None = None) -> None:
    """Take a lesson off the cover sheet; refused if somebody changed it since ``expected_version``."""
    check_version(cover, expected_version, action="delete")
    session.delete(cover)
    session.flush()


def clear_cover(session: Session, booking: Booking) -> None:
    session.execute(delete(CoverLesson).where(CoverLesson.booking_id == booking.id))
    session.expire(booking, ["cover_lessons"])


def _coming_up() -> ColumnElement[bool]:
    """Bookings not cancelled that end on or after ``today`` and start by ``horizon`` (parameters, with
    ``school_id``): the one rule ``upcoming_bookings`` and the dashboard's list share."""
    return and_(Booking.school_id == bindparam("school_id"),
                Booking.status.in_([constant(status) for status in OPEN_STATUSES]),
                Booking.end_date >= bindparam("today", type_=Date),
                Booking.start_date <= bindparam("horizon", type_=Date))


def upcoming_bookings(session: Session, school: School, *, today: dt.date | None = None,
                      days: int = 14) -> list[Booking]:
    """Bookings not cancelled that start in the next ``days`` days (or are under way)."""
    today = today or dt.date.today()
    stmt = select(Booking).where(_coming_up()).order_by(Booking.start_date, Booking.id)
    return list(session.scalars(stmt, {"school_id": school.id, "today": today,
                                       "horizon": today + dt.timedelta(days=days)}))


def coming_up_statement(*, by_department: bool) -> Select[*tuple[Any, ...]]:
    """``upcoming_bookings`` as the dashboard lists them, with each booking's cover lessons counted in the same
    query: booking id, first and last day, title, whether cover is needed, the person's forename and surname,
    the lessons to cover and how many have work set (parameters ``school_id``, ``today``, ``horizon``; with
    ``by_department``, ``department`` too: ``rules.in_department``)."""
    def lessons(*where: Any) -> Any:
        return (select(func.count()).select_from(CoverLesson)
                .where(CoverLesson.booking_id == Booking.id, *where).scalar_subquery())

    stmt = (select(Booking.id, Booking.start_date, Booking.end_date, Booking.title, Booking.cover_required,
                   Staff.forename, Staff.surname, lessons(), lessons(CoverLesson.work_set.is_not(None)))
            .join(Staff, Staff.id == Booking.staff_id)
            .where(_coming_up()).order_by(Booking.start_date, Booking.id))
    if by_department:
        stmt = stmt.outerjoin(Department, Department.id == Staff.department_id).where(in_department())
    return stmt
