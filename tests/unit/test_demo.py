"""The demo school: believable, complete enough to show every screen, and the same for a seed and a day."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cpd_desktop.models import (
    Activity,
    AuditEntry,
    Base,
    Booking,
    BursaryClaim,
    CoverLesson,
    Department,
    School,
    Staff,
    TimetableLesson,
)
from cpd_desktop.services.database import open_database
from cpd_desktop.services.demo import DEMO_SCHOOL, build_demo
from cpd_desktop.services.reports import hours_by_staff, summarise
from cpd_desktop.services.years import AcademicYear, academic_year_of
from cpd_desktop.storage.database import Database

TODAY = dt.date(2025, 11, 20)
VOLATILE = {"updated_at", "at"}  # when the rows were written, not what they say


def _build(folder: Path, seed: int, today: dt.date = TODAY) -> Database:
    db = open_database(folder / f"demo-{seed}-{today}.sqlite", create=True)
    with db.session() as s:
        build_demo(s, seed=seed, today=today)
    return db


def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if c.name not in VOLATILE]
            out[table.name] = [tuple(r) for r in conn.execute(select(*cols).order_by(*table.primary_key.columns))]
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CPD_DESKTOP_DATA", str(folder))
        db = _build(folder, seed=1)
        yield db
        db.dispose()


@pytest.fixture
def s(demo: Database) -> Iterator[Session]:
    with demo.session() as session:
        yield session


@pytest.fixture
def school(s: Session) -> School:
    school = s.scalar(select(School))
    assert school is not None
    return school


def test_the_same_seed_and_day_make_the_same_school_and_another_seed_another(demo: Database,
                                                                          tmp_path: Path) -> None:
    again = _build(tmp_path, seed=1)
    other = _build(tmp_path, seed=2)
    try:
        first = _dump(demo)
        assert _dump(again) == first
        assert _dump(other)["activity"] != first["activity"]
    finally:
        again.dispose()
        other.dispose()


def test_about_25_science_staff_in_four_departments(s: Session, school: School) -> None:
    assert school.name == DEMO_SCHOOL and school.is_demo
    staff = s.scalars(select(Staff)).all()
    assert 22 <= len(staff) <= 28
    per_dept = Counter(s.scalars(select(Department.name).join(Staff, Staff.department_id == Department.id)))
    assert set(per_dept) == {"Science", "Biology", "Chemistry", "Physics"}
    assert min(per_dept.values()) >= 4
    assert len({p.staff_code for p in staff}) == len(staff)
    assert any(not p.full_name.isascii() for p in staff)  # names print as written: Łukasz Zając


def test_ects_in_both_induction_years_and_part_timers(s: Session) -> None:
    staff = s.scalars(select(Staff)).all()
    this_year = academic_year_of(TODAY)
    ects = {p.ect_year: p for p in staff if p.ect_year}
    assert set(ects) == {1, 2}
    # An ECT in year 1 started this academic year; in year 2, the year before.
    assert all(this_year.contains(p.start_date) for p in staff if p.ect_year == 1 and p.start_date)
    assert all(this_year.previous().contains(p.start_date) for p in staff if p.ect_year == 2 and p.start_date)
    part_time = [p for p in staff if p.fte < 1]
    assert len(part_time) >= 3 and all(0 < p.fte < 1 for p in part_time)
    assert any(p.leaving_date and p.leaving_date < TODAY for p in staff)  # a leaver, kept for the record


def test_ects_are_current_whenever_the_demo_is_made(tmp_path: Path) -> None:
    today = dt.date(2027, 2, 1)
    db = _build(tmp_path, seed=3, today=today)
    try:
        with db.session() as session:
            year = academic_year_of(today)
            for person in session.scalars(select(Staff).where(Staff.ect_year.is_not(None))):
                assert person.start_date is not None
                started = academic_year_of(person.start_date)
                assert started == (year if person.ect_year == 1 else year.previous()), person
            # Nobody has CPD from before they joined or after they left.
            early = session.scalar(select(func.count()).select_from(Activity).join(Staff).where(
                Activity.date < Staff.start_date))
            late = session.scalar(select(func.count()).select_from(Activity).join(Staff).where(
                Activity.date > Staff.leaving_date))
            assert (early, late) == (0, 0)
            assert session.scalar(select(func.max(Activity.date))) <= today
    finally:
        db.dispose()


def test_three_years_of_cpd_and_the_current_year_so_far(s: Session, school: School) -> None:
    for start in (2023, 2024):
        year = AcademicYear(start)
        count = s.scalar(select(func.count()).select_from(Activity).where(Activity.date.between(year.start, year.end)))
        assert count is not None and count > 150, year.label
    current = academic_year_of(TODAY)
    so_far = s.scalar(select(func.count()).select_from(Activity).where(Activity.date.between(current.start, TODAY)))
    assert so_far and so_far > 20
    assert s.scalar(select(func.count()).select_from(Activity).where(Activity.date > TODAY)) == 0
    formats = set(s.scalars(select(Activity.format).distinct()))
    assert {"inset", "residential", "online_course", "coaching", "npq"} <= formats
    providers = set(s.scalars(select(Activity.provider_id).distinct()))
    assert len(providers) >= 6


def test_the_hours_look_like_a_real_department(s: Session, school: School) -> None:
    """Spread around the 35 h target, about half subject-specific, few meeting all five Standard parts."""
    for start in (2023, 2024):
        rows = hours_by_staff(s, school, AcademicYear(start))
        progress = [r.progress for r in rows]
        assert 60 <= statistics.median(progress) <= 140
        assert min(progress) < 100 < max(progress)  # some short of the target, some past it
        summary = summarise(rows)
        assert summary.subject_share is not None and 35 <= summary.subject_share <= 75
        assert summary.all_parts_share is not None and 0 < summary.all_parts_share < 50


def test_bookings_past_and_future_with_cover(s: Session) -> None:
    statuses = Counter(s.scalars(select(Booking.status)))
    assert statuses["attended"] >= 5 and statuses["cancelled"] >= 1
    future = s.scalars(select(Booking).where(Booking.start_date > TODAY)).all()
    assert len(future) >= 3 and {b.status for b in future} <= {"planned", "approved", "booked"}
    soon = [b for b in future if b.start_date <= TODAY + dt.timedelta(days=14) and b.cover_required]
    assert soon and all(b.cover_lessons for b in soon)
    lessons = s.scalars(select(CoverLesson).join(Booking).where(Booking.start_date > TODAY)).all()
    assert any(c.work_set and c.materials_location for c in lessons)
    assert all(c.date.weekday() < 5 and c.class_group for c in lessons)
    attended = s.scalars(select(Booking).where(Booking.status == "attended")).all()
    linked = s.scalar(select(func.count()).select_from(Activity).where(Activity.booking_id.is_not(None)))
    assert linked == len(attended)
    assert s.scalar(select(func.count()).select_from(TimetableLesson)) > 300


def test_claims_in_every_status(s: Session) -> None:
    statuses = set(s.scalars(select(BursaryClaim.status)))
    assert statuses == {"draft", "submitted", "approved", "paid", "rejected", "withdrawn"}
    paid = s.scalars(select(BursaryClaim).where(BursaryClaim.status == "paid")).all()
    assert all(c.received is not None and c.paid_on is not None for c in paid)


def test_each_claim_carries_the_code_of_the_budget_line_its_booking_counts_against(s: Session,
                                                                                   school: School) -> None:
    """As the Budget view lists its bookings (budget_items: by the booking's code, else its person's
    department's line): a claim's money is credited to the line its course's cost is spent from. The demo
    made every claim CPD-SCI, Physics' and Biology's courses too."""
    from cpd_desktop.models import BudgetLine
    from cpd_desktop.services.budget import budget_items, line_code_of_booking
    from cpd_desktop.services.years import financial_year_of

    claims = s.scalars(select(BursaryClaim)).all()
    years = {financial_year_of(c.booking.start_date, school.financial_year_start_month) for c in claims}
    listed = {i.id: i.budget_code for fy in years for i in budget_items(s, school, fy) if i.kind == "booking"}
    budgeted = set(s.scalars(select(BudgetLine.financial_year)))
    checked = 0
    for c in claims:
        fy = financial_year_of(c.booking.start_date, school.financial_year_start_month)
        if c.booking_id in listed:  # counted in the Budget view: the line it is listed on
            assert c.budget_code == listed[c.booking_id], (c.id, c.booking.title, c.booking.start_date)
            checked += 1
        else:  # a planned booking, or a year before the demo's budget (no lines: unallocated, no code)
            assert c.budget_code == line_code_of_booking(s, school, c.booking), c.id
            if fy.start_year not in budgeted:
                assert c.budget_code is None, c.id
    assert checked >= len(claims) // 2
    codes = Counter(c.budget_code for c in claims)
    assert codes["CPD-SCI"] and sum(codes[k] for k in ("CPD-BIO", "CPD-CHE", "CPD-PHY")) >= 3, codes


def test_the_demo_is_written_to_the_audit_trail_as_the_demo(s: Session) -> None:
    users = set(s.scalars(select(AuditEntry.user).distinct()))
    assert users == {"demo"}


def test_the_demo_holds_no_duplicate_activity_so_its_cpd_log_re_imports(db) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from sqlalchemy import func, select

    from cpd_desktop.models import Activity
    from cpd_desktop.services.demo import build_demo

    with db.session() as s:
        build_demo(s, seed=7, today=dt.date(2026, 11, 22))
        repeats = s.execute(select(Activity.staff_id, Activity.date, Activity.title)
                            .group_by(Activity.staff_id, Activity.date, Activity.title)
                            .having(func.count() > 1)).all()
    assert repeats == []


# Every 6th day from 01/09/2026 to 27/08/2027: term days, half-terms, Christmas, Easter and the summer.
YEAR_OF_DAYS = [dt.date(2026, 9, 1) + dt.timedelta(days=6 * n) for n in range(61)]


def test_the_demo_keeps_its_promises_whatever_day_it_is_made(db: Database) -> None:
    """On any day: every booking and claim status, a booking coming up with its cover sheet, cover and claims
    in the current academic year, and an evaluation overdue. (The CPD log beside the bookings is left out
    to keep 61 schools quick: the promises must hold without its help.)"""
    from cpd_desktop.services.activities import overdue_evaluations
    from cpd_desktop.services.reports import claims_report

    assert YEAR_OF_DAYS[-1] - YEAR_OF_DAYS[0] >= dt.timedelta(days=360) and len(YEAR_OF_DAYS) >= 60
    for today in YEAR_OF_DAYS:
        with db.session_factory() as s:
            build_demo(s, seed=today.toordinal() % 5, today=today, cpd_log=False)
            school = s.scalar(select(School))
            assert school is not None
            year = academic_year_of(today)
            assert set(s.scalars(select(Booking.status))) == {
                "planned", "approved", "booked", "attended", "cancelled"}, today
            assert set(s.scalars(select(BursaryClaim.status))) == {
                "draft", "submitted", "approved", "paid", "rejected", "withdrawn"}, today
            cover_days = list(s.scalars(select(CoverLesson.date)))
            assert any(year.contains(d) for d in cover_days) and all(d.weekday() < 5 for d in cover_days), today
            upcoming = s.scalars(select(Booking).where(Booking.start_date > today, Booking.cover_required)).all()
            assert any(b.cover_lessons and b.start_date <= today + dt.timedelta(days=120) for b in upcoming), today
            assert claims_report(s, school, year), today
            assert overdue_evaluations(s, school, today), today
            assert s.scalar(select(func.max(Activity.date))) <= today
            s.rollback()


def test_the_demo_has_term_dates_with_half_terms_for_every_year_it_has_data_in(s: Session, school: School) -> None:
    """Term dates, saved as Settings saves them, for each year from the first CPD to the last booking: cover
    days skip the holidays, no booking starts in one, and no cost summary says there are no term dates."""
    from cpd_desktop.models import NonTeachingDay, TermDates
    from cpd_desktop.services.bookings import absence_days
    from cpd_desktop.services.years import SchoolCalendar

    years = set(s.scalars(select(TermDates.academic_year)))
    first_cpd, last_booking = s.scalar(select(func.min(Activity.date))), s.scalar(select(func.max(Booking.end_date)))
    assert first_cpd is not None and last_booking is not None
    wanted = range(academic_year_of(first_cpd).start_year, academic_year_of(last_booking).start_year + 1)
    assert set(wanted) <= years
    calendar = SchoolCalendar(s, school)
    for start_year in wanted:
        year = AcademicYear(start_year)
        assert calendar.has_own_terms(year) and [t.name for t in calendar.terms(year)] == ["autumn", "spring", "summer"]
        half_terms = list(s.scalars(select(NonTeachingDay.date).where(
            NonTeachingDay.reason == "Half-term", NonTeachingDay.date.between(year.start, year.end))))
        months = {d.month for d in half_terms}  # autumn's may run into November; summer's Monday is a bank holiday
        assert len(half_terms) == 14 and {10, 2, 5} <= months <= {10, 11, 2, 5}
    for booking in s.scalars(select(Booking)):
        assert calendar.is_school_day(booking.start_date), (booking.title, booking.start_date)
        assert all(calendar.is_school_day(c.date) for c in booking.cover_lessons)
        assert not booking.cover_required or booking.cover_days <= len(absence_days(booking, calendar))
    # 22/12/2025 is in the Christmas holidays and 28/10/2025 in the autumn half-term: no cover day
    assert not calendar.is_school_day(dt.date(2025, 12, 22)) and not calendar.is_school_day(dt.date(2025, 10, 28))


def test_classes_courses_and_claims_fit_the_people_in_them(s: Session) -> None:
    """A class's subject is the one its name says (12/Ch is Chemistry, taught by a chemist or a teacher of
    science); nobody goes on a course for another science (a physicist on a biology course), a technician
    only to the ASE conference (and needs no cover); a claim is made under a scheme for its course (no ASE conference under a
    physics grant)."""
    from cpd_desktop.models import BursaryScheme, Course

    subject_of = {"Bi": "Biology", "Ch": "Chemistry", "Ph": "Physics"}
    for group, subject, department in s.execute(
            select(TimetableLesson.class_group, TimetableLesson.subject, Department.name)
            .join(Staff, Staff.id == TimetableLesson.staff_id).join(Department, Department.id == Staff.department_id)):
        expected = subject_of.get(group.partition("/")[2][:2], "Science")
        assert subject == expected, (group, subject)
        assert expected in ("Science", department) or department == "Science", (group, department)
    for title, course_subject, department, role, cover in s.execute(
            select(Booking.title, Course.subject, Department.name, Staff.role, Booking.cover_required)
            .join(Course, Course.id == Booking.course_id)
            .join(Staff, Staff.id == Booking.staff_id).join(Department, Department.id == Staff.department_id)):
        if "Technician" in (role or ""):
            assert title == "ASE Annual Conference" and not cover, (title, cover)  # a technician teaches no lessons
        else:
            assert department == "Science" or course_subject in ("Science", department), (title, department)
    for title, scheme in s.execute(select(Booking.title, BursaryScheme.name)
                                   .join(BursaryClaim, BursaryClaim.booking_id == Booking.id)
                                   .join(BursaryScheme, BursaryScheme.id == BursaryClaim.scheme_id)):
        assert "Ogden" not in scheme or "Ogden" in title, (title, scheme)
