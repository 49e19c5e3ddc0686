"""The data behind each export, read in SQL and handed to the writers as plain dataclasses.

Writers never touch the database or the ORM: they get these rows, so that an export's file is
written after the session has closed, and the benchmarks can time the writing alone. Totals come
from ``services.reports`` (aggregated in SQL), so that exports and on-screen reports agree.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFoundError
from ..models import (
    Activity,
    AuditEntry,
    Booking,
    BursaryClaim,
    BursaryScheme,
    Course,
    CoverLesson,
    Department,
    Provider,
    School,
    SchoolPeriod,
    Staff,
    TimetableLesson,
)
from ..models.enums import (
    ACTIVITY_STATUSES,
    BOOKING_STATUSES,
    CLAIM_STATUSES,
    FORMATS,
    STANDARD_PARTS,
    TIMETABLE_WEEKS,
    WEEKDAYS,
    WORK_RETURN,
)
from ..services import audit, reports
from ..services.bursaries import claim_evidence, course_days
from ..services.rules import in_year, overdue_evaluation
from ..services.years import AcademicYear, academic_year_of, term_buckets, terms_for

ZERO = Decimal("0.00")
STANDARD_COLUMNS = tuple(getattr(Activity, part) for part in STANDARD_PARTS)
OPEN_CLAIMS = ("draft", "submitted", "approved")


def find_department(session: Session, school: School, name: str | None) -> str | None:
    """The department's name as stored, or None for the whole school; an unknown name is an error."""
    if name is None or not name.strip():
        return None
    names = list(session.scalars(select(Department.name).where(Department.school_id == school.id)
                                 .order_by(Department.name)))
    for stored in names:
        if stored.casefold() == name.strip().casefold():
            return stored
    raise NotFoundError(f"{school.name} has no department called {name.strip()}.",
                        hint="Departments: " + (", ".join(names) or "none yet") + ".")


# ---- the CPD log -------------------------------------------------------------------------------

@dataclass(slots=True)
class ActivityRow:
    """One activity of the CPD log, with the person it belongs to."""

    id: int
    staff_id: int
    staff_code: str
    forename: str
    surname: str
    department: str | None
    date: dt.date
    end_date: dt.date | None
    title: str
    provider: str | None
    format: str  # the stored code; FORMATS[format] is its label
    hours: Decimal
    subject_specific: bool
    standard: tuple[bool, bool, bool, bool, bool]  # the DfE Standard's five parts, in order
    evaluated_on: dt.date | None
    impact: str | None
    cost: Decimal | None
    evaluation_due: dt.date | None = None
    status: str | None = None

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def format_label(self) -> str:
        return FORMATS.get(self.format, self.format)

    @property
    def meets_all_parts(self) -> bool:
        return all(self.standard)


def activity_rows(session: Session, school: School, year: AcademicYear | None, *,
                  department: str | None = None, staff_id: int | None = None) -> list[ActivityRow]:
    """Every activity of a year (or of all years), grouped by person (names sorted as people read them), by date."""
    stmt = (select(Activity.id, Activity.staff_id, Staff.staff_code, Staff.forename, Staff.surname, Department.name,
                   Activity.date, Activity.end_date, Activity.title, Provider.name, Activity.format, Activity.hours,
                   Activity.subject_specific, *STANDARD_COLUMNS, Activity.evaluated_on, Activity.impact,
                   Activity.cost, Activity.evaluation_due, Activity.status)
            .join(Staff, Staff.id == Activity.staff_id)
            .outerjoin(Department, Department.id == Staff.department_id)
            .outerjoin(Provider, Provider.id == Activity.provider_id))
    if staff_id is None:
        stmt = stmt.where(Activity.school_id == school.id)
    else:  # one person's: found by their own index, the school checked on their staff row
        stmt = stmt.where(Activity.staff_id == staff_id, Staff.school_id == school.id)
    if year is not None:
        stmt = stmt.where(in_year(Activity.date, year))
    if department:
        stmt = stmt.where(Department.name == department)
    keys: dict[int, tuple[str, str]] = {}
    rows = []
    for r in session.execute(stmt):
        (aid, sid, code, fore, sur, dept, day, end, title, provider, fmt, hours, subject,
         s1, s2, s3, s4, s5, evaluated, impact, cost, due, status) = r
        if sid not in keys:
            keys[sid] = reports.name_key(sur, fore)
        rows.append(ActivityRow(aid, sid, code, fore, sur, dept, day, end, title, provider, fmt, hours,
                                bool(subject), (bool(s1), bool(s2), bool(s3), bool(s4), bool(s5)),
                                evaluated, impact, cost, due, status))
    rows.sort(key=lambda a: (keys[a.staff_id], a.staff_id, a.date, a.id))
    return rows


def count_activities(session: Session, school: School, year: AcademicYear | None,
                     department: str | None = None) -> tuple[int, int, Decimal]:
    """How many activities, people and hours an export of the CPD log will hold (for a preview)."""
    stmt = (select(func.count(), func.count(func.distinct(Activity.staff_id)),
                   func.coalesce(func.sum(Activity.hours), 0))
            .select_from(Activity).join(Staff, Staff.id == Activity.staff_id)
            .outerjoin(Department, Department.id == Staff.department_id)
            .where(Activity.school_id == school.id))
    if year is not None:
        stmt = stmt.where(in_year(Activity.date, year))
    if department:
        stmt = stmt.where(Department.name == department)
    n, people, hours = session.execute(stmt).one()
    return int(n), int(people), Decimal(str(hours)).quantize(Decimal("0.01"))


# ---- the department summary --------------------------------------------------------------------

@dataclass
class PersonSummary:
    """One person's year: hours against target, cost, evaluations."""

    hours: reports.HoursRow
    cost: reports.CostRow
    overdue: int = 0

    @property
    def awaiting(self) -> int:
        return self.hours.activities - self.hours.evaluated

    @property
    def all_parts_share(self) -> float | None:
        h = self.hours
        return float(h.all_parts_hours / h.hours * 100) if h.hours else None


@dataclass
class SummaryData:
    school_name: str
    year: AcademicYear
    department: str | None
    produced: dt.date
    target_per_fte: Decimal
    subject_target: Decimal  # per cent of hours
    term_names: list[str]
    people: list[PersonSummary]
    totals: reports.DepartmentSummary
    by_format: dict[str, Decimal]  # format code -> hours, in the FORMATS order
    activities: int
    evaluated: int
    overdue: int
    cost: dict[str, Decimal]  # fee, travel, accommodation, subsistence, cover, other, total, bursary_…, net

    @property
    def scope(self) -> str:
        return self.department or "Whole school"

    @property
    def awaiting(self) -> int:
        return self.activities - self.evaluated

    @property
    def counted(self) -> list[PersonSummary]:
        """The people inside the CPD target: the staff, hours, target and "met" figures are theirs (``summarise``)."""
        return [p for p in self.people if p.hours.in_target]

    @property
    def outside(self) -> list[PersonSummary]:
        """People listed but outside the CPD target (technicians and other support staff, by default; anyone
        with a cost in the year who had left before it began): their hours are not counted towards the target;
        their cost and their activities' evaluation are, as everyone's are."""
        return [p for p in self.people if not p.hours.in_target]


COST_KEYS = ("fee", "travel", "accommodation", "subsistence", "cover", "other")


def summary_data(session: Session, school: School, year: AcademicYear, department: str | None = None,
                 today: dt.date | None = None) -> SummaryData:
    today = today or dt.date.today()
    hours = reports.hours_by_staff(session, school, year, department=department)
    costs = {c.staff_id: c for c in reports.cost_by_staff(session, school, year, department)}
    overdue_stmt = (select(Activity.staff_id, func.count())
                    .where(Activity.school_id == school.id, in_year(Activity.date, year), overdue_evaluation(today))
                    .group_by(Activity.staff_id))
    overdue: dict[int, int] = {sid: n for sid, n in session.execute(overdue_stmt)}
    terms = [t.name for t in term_buckets(terms_for(session, school, year), year)]
    people = []
    seen = set()
    for h in hours:
        person_cost = costs.get(h.staff_id) or reports.CostRow(h.staff_id, h.staff_code, h.name, h.department,
                                                               *([ZERO] * 8))
        people.append(PersonSummary(h, person_cost, overdue.get(h.staff_id, 0)))
        seen.add(h.staff_id)
    # Somebody with a cost in the year but no hours row (left before it began): keep the money.
    for sid, c in costs.items():
        if sid not in seen and c.total:
            fore, _, sur = c.name.partition(" ")
            h = reports.HoursRow(sid, c.staff_code, fore, sur, c.department, 0.0, None, ZERO, ZERO, ZERO, ZERO,
                                 {t: ZERO for t in terms}, in_target=False)  # not in the year's headcount
            people.append(PersonSummary(h, c, 0))
    by_format_raw = reports.hours_by_format(session, school, year, department)
    by_format = {code: by_format_raw.get(code, ZERO) for code in FORMATS}
    cost = {key: sum((getattr(p.cost, key) for p in people), ZERO) for key in COST_KEYS}
    cost["total"] = sum((cost[k] for k in COST_KEYS), ZERO)
    cost["bursary_expected"] = sum((p.cost.bursary_expected for p in people), ZERO)
    cost["bursary_received"] = sum((p.cost.bursary_received for p in people), ZERO)
    cost["net"] = cost["total"] - cost["bursary_received"]
    return SummaryData(
        school_name=school.name, year=year, department=department, produced=today,
        target_per_fte=school.cpd_target_hours, subject_target=school.subject_specific_target,
        term_names=terms, people=people, totals=reports.summarise([p.hours for p in people]),
        by_format=by_format, activities=sum(p.hours.activities for p in people),
        evaluated=sum(p.hours.evaluated for p in people), overdue=sum(p.overdue for p in people), cost=cost,
    )


# ---- bursary claims ----------------------------------------------------------------------------

@dataclass(slots=True)
class ClaimRow:
    id: int
    booking_id: int
    staff_code: str
    staff_name: str
    course: str
    course_code: str | None
    provider: str | None
    start_date: dt.date
    end_date: dt.date
    days: float  # the course's days, which a per-day bursary pays (3, or 1.5)
    scheme: str
    status: str  # stored code; CLAIM_STATUSES[status] is its label
    fee: Decimal
    travel: Decimal
    accommodation: Decimal
    subsistence: Decimal
    cover: Decimal
    expected: Decimal
    claimed: Decimal | None
    received: Decimal | None
    deadline: dt.date | None
    submitted_on: dt.date | None
    approved_on: dt.date | None
    paid_on: dt.date | None
    closed_on: dt.date | None
    reference: str | None
    budget_code: str | None
    evidence: tuple[bool, bool, bool]  # attendance confirmed, evaluation done, invoice attached
    notes: str | None

    @property
    def status_label(self) -> str:
        return CLAIM_STATUSES.get(self.status, self.status)

    @property
    def course_cost(self) -> Decimal:
        return self.fee + self.travel + self.accommodation + self.subsistence + self.cover

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CLAIMS

    def past_deadline(self, today: dt.date) -> bool:
        """A draft whose deadline has gone: the money may be lost."""
        return self.status == "draft" and self.deadline is not None and self.deadline < today

    @property
    def outstanding(self) -> Decimal:
        """Money still to come in on an open claim: expected, less anything received."""
        return self.expected - (self.received or ZERO) if self.is_open else ZERO

    @property
    def shortfall(self) -> Decimal:
        """Money a closed claim brought in short: paid short, or all of it when rejected or withdrawn. An open
        claim's money is still to come, not short: expected = received + still to come + shortfall."""
        return ZERO if self.is_open else self.expected - (self.received or ZERO)


def _whole(days: Decimal) -> float:
    """3 as 3, 1.5 as 1.5: the days of a course as a person writes them."""
    return int(days) if days == days.to_integral_value() else float(days)


def claim_rows(session: Session, school: School, year: AcademicYear | None) -> list[ClaimRow]:
    """Every claim on bookings that start in the year (all years when ``year`` is None), by course date."""
    stmt = (select(BursaryClaim, Booking, Staff.staff_code, Staff.forename, Staff.surname, BursaryScheme.name,
                   Provider.name, Course.code)
            .join(Booking, Booking.id == BursaryClaim.booking_id).join(Staff, Staff.id == Booking.staff_id)
            .join(BursaryScheme, BursaryScheme.id == BursaryClaim.scheme_id)
            .outerjoin(Provider, Provider.id == Booking.provider_id)
            .outerjoin(Course, Course.id == Booking.course_id)
            .where(BursaryClaim.school_id == school.id).order_by(Booking.start_date, BursaryClaim.id))
    if year is not None:
        stmt = stmt.where(in_year(Booking.start_date, year))
    rows = []
    for c, b, code, fore, sur, scheme, provider, course_code in session.execute(stmt):
        rows.append(ClaimRow(
            id=c.id, booking_id=b.id, staff_code=code, staff_name=f"{fore} {sur}", course=b.title,
            course_code=course_code, provider=provider, start_date=b.start_date, end_date=b.end_date,
            days=_whole(course_days(b)), scheme=scheme, status=c.status,
            fee=b.fee, travel=b.travel, accommodation=b.accommodation, subsistence=b.subsistence, cover=b.cover_cost,
            expected=c.expected, claimed=c.claimed, received=c.received, deadline=c.deadline,
            submitted_on=c.submitted_on, approved_on=c.approved_on, paid_on=c.paid_on, closed_on=c.closed_on,
            reference=c.reference, budget_code=c.budget_code,
            evidence=tuple(item.done for item in claim_evidence(session, c)),  # type: ignore[arg-type]
            notes=c.notes,
        ))
    return rows


# ---- release cover -----------------------------------------------------------------------------

@dataclass(slots=True)
class CoverLessonRow:
    date: dt.date
    period: int
    period_label: str
    start_time: dt.time | None
    end_time: dt.time | None
    class_group: str | None
    subject: str | None
    room: str | None
    work_set: str | None = None
    materials_location: str | None = None
    work_return: str = "none"
    technician_notes: str | None = None
    cover_teacher: str | None = None
    feedback: str | None = None
    entered: bool = True  # False: taken from the timetable, nothing entered for it yet

    @property
    def times(self) -> str:
        if self.start_time is None or self.end_time is None:
            return ""
        return f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def work_return_label(self) -> str:
        return WORK_RETURN.get(self.work_return, self.work_return)


@dataclass
class CoverDay:
    date: dt.date
    lessons: list[CoverLessonRow]


@dataclass
class CoverSheetData:
    booking_id: int
    staff_code: str
    staff_name: str
    department: str | None
    title: str
    provider: str | None
    start_date: dt.date
    end_date: dt.date
    status: str
    days: list[CoverDay]

    @property
    def reason(self) -> str:
        return f"CPD: {self.title}" + (f", {self.provider}" if self.provider else "")

    @property
    def lessons(self) -> list[CoverLessonRow]:
        return [lesson for day in self.days for lesson in day.lessons]


def _periods(session: Session, school: School) -> dict[int, SchoolPeriod]:
    return {p.number: p for p in session.scalars(select(SchoolPeriod).where(SchoolPeriod.school_id == school.id))}


def cover_sheet(session: Session, school: School, booking_id: int) -> CoverSheetData:
    """The lessons a booking takes its teacher from, one day per school day away.

    Lessons entered in the app come first; timetabled lessons not yet entered are added from the
    timetable (week A/B honoured) so that the sheet is complete without anything being saved.
    """
    from ..services.bookings import absence_days, week_of

    booking = session.get(Booking, booking_id)
    if booking is None or booking.school_id != school.id:
        raise NotFoundError(f"There is no booking {booking_id} at {school.name}.",
                            hint="`cpd-desktop report bookings` lists the bookings and their numbers.")
    staff = booking.staff
    periods = _periods(session, school)

    def lesson_row(day: dt.date, number: int, **values: Any) -> CoverLessonRow:
        p = periods.get(number)
        return CoverLessonRow(day, number, p.label if p else f"P{number}", p.start_time if p else None,
                              p.end_time if p else None, **values)

    by_day: dict[dt.date, dict[int, CoverLessonRow]] = {day: {} for day in absence_days(booking)}
    for c in booking.cover_lessons:
        by_day.setdefault(c.date, {})[c.period] = lesson_row(
            c.date, c.period, class_group=c.class_group, subject=c.subject, room=c.room, work_set=c.work_set,
            materials_location=c.materials_location, work_return=c.work_return or "none",
            technician_notes=c.technician_notes, cover_teacher=c.cover_teacher, feedback=c.feedback)
    if booking.status != "cancelled":
        timetable = session.scalars(select(TimetableLesson).where(TimetableLesson.staff_id == staff.id)).all()
        for day, lessons in by_day.items():
            week = week_of(school, day)
            for t in timetable:
                if t.weekday == day.isoweekday() and t.week in ("every", week) and t.period not in lessons:
                    lessons[t.period] = lesson_row(day, t.period, class_group=t.class_group, subject=t.subject,
                                                   room=t.room, entered=False)
    days = [CoverDay(day, [lessons[n] for n in sorted(lessons)]) for day, lessons in sorted(by_day.items())]
    return CoverSheetData(
        booking_id=booking.id, staff_code=staff.staff_code, staff_name=staff.full_name,
        department=staff.department.name if staff.department else None, title=booking.title,
        provider=booking.provider.name if booking.provider else None, start_date=booking.start_date,
        end_date=booking.end_date, status=booking.status, days=days)


@dataclass(slots=True)
class AbsenceRow:
    """One lesson to cover, as the MIS wants it keyed in."""

    staff_code: str
    staff_name: str
    date: dt.date
    period: int
    period_label: str
    times: str
    class_group: str | None
    subject: str | None
    room: str | None
    reason_code: str
    reason: str
    booking_id: int


def absence_rows(session: Session, school: School, year: AcademicYear | None, *, department: str | None = None,
                 booking_id: int | None = None) -> list[AbsenceRow]:
    """Every lesson to cover for CPD (reason code "CPD"), by date, period and person."""
    if booking_id is not None:
        ids = [booking_id]
    else:
        stmt = (select(Booking.id).join(Staff, Staff.id == Booking.staff_id)
                .outerjoin(Department, Department.id == Staff.department_id)
                .where(Booking.school_id == school.id, Booking.cover_required.is_(True),
                       Booking.status != "cancelled").order_by(Booking.start_date, Booking.id))
        if year is not None:
            stmt = stmt.where(in_year(Booking.start_date, year))
        if department:
            stmt = stmt.where(Department.name == department)
        ids = list(session.scalars(stmt))
    rows = []
    for bid in ids:
        sheet = cover_sheet(session, school, bid)
        for lesson in sheet.lessons:
            rows.append(AbsenceRow(sheet.staff_code, sheet.staff_name, lesson.date, lesson.period, lesson.period_label,
                                   lesson.times, lesson.class_group, lesson.subject, lesson.room, "CPD",
                                   sheet.reason, sheet.booking_id))
    rows.sort(key=lambda r: (r.date, r.period, r.staff_code))
    return rows


# ---- an individual's record --------------------------------------------------------------------

@dataclass
class StaffRecordData:
    """Everything held about one person, for appraisal, a portfolio or a subject access request."""

    staff_code: str
    name: str
    details: list[tuple[str, str]]
    years: list[tuple[str, reports.HoursRow]]
    activities: list[ActivityRow]
    activity_notes: list[tuple[ActivityRow, list[tuple[str, str]]]]  # the evaluation and notes of each
    bookings: list[dict[str, Any]]
    cover_lessons: list[CoverLessonRow]
    claims: list[ClaimRow]
    timetable: list[tuple[str, str, str, str, str, str]]  # week, day, period, class, subject, room
    audit: list[dict[str, Any]] = field(default_factory=list)
    year_label: str | None = None


def _fmt(value: Any) -> str:
    from ..services.formatting import format_date, format_datetime, format_money

    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format_money(value)
    return str(value)


def staff_record(session: Session, school: School, staff_code: str,
                 year: AcademicYear | None = None) -> StaffRecordData:
    from ..services.staff import get_staff

    person = get_staff(session, school, staff_code)
    details = [
        ("Staff code", person.staff_code), ("Forename", person.forename), ("Surname", person.surname),
        ("Email", person.email or ""), ("Role", person.role or ""),
        ("Department", person.department.name if person.department else ""),
        ("FTE", f"{person.fte:g}"), ("Early career teacher", f"Year {person.ect_year}" if person.ect_year else "No"),
        ("Start date", _fmt(person.start_date)), ("Leaving date", _fmt(person.leaving_date)),
        ("Notes", person.notes or ""), ("Anonymised", _fmt(person.anonymised)),
        ("Record last changed", f"{_fmt(person.updated_at)} UTC by {person.updated_by or 'unknown'}"),
    ]
    activities = activity_rows(session, school, year, staff_id=person.id)
    # The long texts of each activity (intended outcomes, evaluation, evidence).
    full = {a.id: a for a in session.scalars(select(Activity).where(Activity.staff_id == person.id))}
    stages = _stage_notes(session, person.id)
    notes = []
    for row in activities:
        a = full[row.id]
        staged = stages.get(row.id, [])
        # With stage rows, each stage's due and done dates are what the CPD log shows; the activity's own
        # single due date (from before the stages) would contradict the End stage's.
        dates = [] if staged else [("Evaluation due", a.evaluation_due), ("Evaluated on", a.evaluated_on)]
        items = [(label, _fmt(value)) for label, value in (
            ("Status", ACTIVITY_STATUSES.get(a.status or "", "")), ("Intended outcomes", a.intended_outcomes),
            *dates, ("Confidence (1–5)", a.impact_confidence), ("Impact", a.impact),
            ("Pupil outcomes", a.pupil_outcomes), ("Follow-up actions", a.follow_up_actions),
            ("Evidence", a.evidence_note), ("Cost", a.cost),
        ) if value not in (None, "")]
        notes.append((row, items + staged))
    years_seen = sorted({academic_year_of(a.date, school.academic_year_start_month) for a in activities})
    years = []
    for y in years_seen:
        found = reports.hours_by_staff(session, school, y, staff_id=person.id)
        if found:
            years.append((y.label, found[0]))
    bstmt = (select(Booking).where(Booking.staff_id == person.id).order_by(Booking.start_date, Booking.id))
    if year is not None:
        bstmt = bstmt.where(in_year(Booking.start_date, year))
    bookings = []
    cover: list[CoverLessonRow] = []
    periods = _periods(session, school)
    booking_ids = []
    for b in session.scalars(bstmt):
        booking_ids.append(b.id)
        bookings.append({
            "id": b.id, "title": b.title, "provider": b.provider.name if b.provider else "",
            "start_date": b.start_date, "end_date": b.end_date, "status": BOOKING_STATUSES.get(b.status, b.status),
            "hours": b.hours, "format": FORMATS.get(b.format, b.format), "fee": b.fee, "travel": b.travel,
            "accommodation": b.accommodation, "subsistence": b.subsistence, "cover_days": b.cover_days,
            "cover": b.cover_cost, "total": b.total_cost, "budget_code": b.budget_code or "",
            "supply_invoice_ref": b.supply_invoice_ref or "",
            "texts": [(label, text) for label, text in (
                ("Intended outcomes", b.intended_outcomes), ("Notes", b.notes),
                ("Reason for cancelling", b.cancellation_reason)) if text],
        })
        for c in b.cover_lessons:
            p = periods.get(c.period)
            cover.append(CoverLessonRow(c.date, c.period, p.label if p else f"P{c.period}",
                                        p.start_time if p else None, p.end_time if p else None, c.class_group,
                                        c.subject, c.room, c.work_set, c.materials_location, c.work_return,
                                        c.technician_notes, c.cover_teacher, c.feedback))
    claims = [c for c in claim_rows(session, school, year) if c.staff_code == person.staff_code]
    timetable = [
        (TIMETABLE_WEEKS.get(t.week, t.week), WEEKDAYS.get(t.weekday, str(t.weekday)),
         periods[t.period].label if t.period in periods else f"P{t.period}", t.class_group or "",
         t.subject or "", t.room or "")
        for t in session.scalars(select(TimetableLesson).where(TimetableLesson.staff_id == person.id)
                                 .order_by(TimetableLesson.week, TimetableLesson.weekday, TimetableLesson.period))]
    return StaffRecordData(
        staff_code=person.staff_code, name=person.full_name, details=details, years=years,
        activities=activities, activity_notes=notes, bookings=bookings, cover_lessons=cover, claims=claims,
        timetable=timetable, audit=_audit_about(session, school, person.id, booking_ids),
        year_label=year.label if year else None)


def _stage_notes(session: Session, staff_id: int) -> dict[int, list[tuple[str, str]]]:
    """activity id -> each evaluation stage's due and done dates and what was said at it ("End: what was
    learnt"), End first, as the Record evaluation dialog asks them."""
    from ..models.impact import STAGES, EvaluationStage
    from ..services.stages import STAGE_FIELDS, field_name

    order = list(STAGES)
    found = session.scalars(select(EvaluationStage).join(Activity, Activity.id == EvaluationStage.activity_id)
                            .where(Activity.staff_id == staff_id))
    out: dict[int, list[tuple[str, str]]] = {}
    for rec in sorted(found, key=lambda r: (r.activity_id, order.index(r.stage))):
        pairs = [(field_name(rec.stage, "Due"), rec.due_date), (field_name(rec.stage, "Done"), rec.done_on)]
        pairs += [(field_name(rec.stage, label), getattr(rec, key)) for key, label in STAGE_FIELDS[rec.stage]]
        out.setdefault(rec.activity_id, []).extend((label, _fmt(value)) for label, value in pairs
                                                   if value not in (None, ""))
    return out


def _audit_about(session: Session, school: School, staff_id: int, booking_ids: list[int]) -> list[dict[str, Any]]:
    """Audit entries about the person: their own record, and records that are (or were) theirs."""
    owned: dict[str, set[int]] = {"staff": {staff_id}}
    for table, model, column in (("activity", Activity, Activity.staff_id), ("booking", Booking, Booking.staff_id),
                                 ("timetable_lesson", TimetableLesson, TimetableLesson.staff_id)):
        owned[table] = set(session.scalars(select(model.id).where(column == staff_id)))
    all_bookings = owned["booking"] | set(booking_ids)
    owned["cover_lesson"] = set(session.scalars(select(CoverLesson.id).where(
        CoverLesson.booking_id.in_(all_bookings)))) if all_bookings else set()
    owned["bursary_claim"] = set(session.scalars(select(BursaryClaim.id).where(
        BursaryClaim.booking_id.in_(all_bookings)))) if all_bookings else set()
    conditions: list[Any] = [(AuditEntry.table_name == table) & AuditEntry.record_id.in_(ids)
                             for table, ids in owned.items() if ids]
    # Records since deleted are found by the staff id their create/delete entry recorded.
    conditions.append(AuditEntry.changes.like(f'%"staff_id": {staff_id}%'))
    stmt = (select(AuditEntry).where(audit.of_school(school.id), or_(*conditions))
            .order_by(AuditEntry.at, AuditEntry.id))
    out = []
    names = audit.record_names(session)
    for e in session.scalars(stmt):
        ids = owned.get(e.table_name, set())
        if e.record_id not in ids or e.table_name not in owned:
            changes = json.loads(e.changes) if e.changes else {}
            value = changes.get("staff_id") if isinstance(changes, dict) else None
            values = value if isinstance(value, list) else [value]
            if staff_id not in values:
                continue
        out.append({"at": audit.local_time(e.at), "user": e.user, "action": audit.ACTION_LABELS.get(e.action, e.action),
                    "summary": e.summary,
                    "changes": "; ".join(audit.describe_changes(e.table_name, e.action, e.changes, names))})
    return out


