"""The dashboard's figures for a school, a year and a department, and the text the dashboard shows of them.

``load_dashboard`` adds everything up in SQL (the window runs it on a worker thread); ``dashboard_face``
turns the figures into what is on screen, as plain JSON data, which the window also keeps as its first
look (``cpd_desktop.firstlook``) so that a later start can show it before the database layer has loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    Activity,
    Booking,
    BursaryClaim,
    CoverLesson,
    Department,
    EvaluationStage,
    School,
    Staff,
    TimetableLesson,
)
from .bookings import upcoming_bookings
from .bursaries import claims_near_deadline, claims_past_deadline, money_by_status
from .formatting import format_date, format_money, format_percent
from .reports import hours_by_staff, summarise
from .rules import in_department, in_year, overdue_stage
from .years import AcademicYear

ZERO = Decimal("0.00")
CARDS = ("hours", "subject", "parts", "overdue", "money", "deadlines")


@dataclass
class DashboardData:
    year_label: str
    staff: int = 0
    hours: Decimal = ZERO
    target: Decimal = ZERO
    met_target: int = 0
    subject_share: float | None = None
    subject_target: float = 50.0
    all_parts_share: float | None = None
    overdue: int = 0  # evaluation stages overdue: each stage of each activity counts on its own
    expected: Decimal = ZERO
    claimed: Decimal = ZERO
    received: Decimal = ZERO
    near_deadline: list[tuple[int, str]] = field(default_factory=list)
    past_deadline: list[tuple[int, str]] = field(default_factory=list)
    people: list[tuple[int, str, float, float, float]] = field(default_factory=list)
    upcoming: list[tuple[int, str, str]] = field(default_factory=list)  # booking id, text, cover note
    first_steps: list[tuple[str, str, str]] = field(default_factory=list)  # key, what to do, why (FIRST_STEPS)
    department: str | None = None  # None: every department
    marker: int | None = None  # the file's change counter when the adding up began (see cpd_desktop.firstlook)


# A new school's next steps, in order: each is offered on the dashboard until the records show it done.
FIRST_STEPS = (
    ("staff", "Import your staff", "Your staff list from SIMS, Arbor or Bromcom (CSV or Excel): everyone's hours "
     "and targets start from it.", Staff),
    ("timetable", "Import the timetable", "Cover sheets then list every lesson a course takes someone out of.",
     TimetableLesson),
    ("booking", "Book your first course", "Plan who goes on which course, with its costs, cover and bursary.", Booking),
    ("activity", "Record CPD already done", "INSET, courses and reading this year, so the hours start from today.",
     Activity),
)


def first_steps(session: Session, school_id: int) -> list[tuple[str, str, str]]:
    """The first steps a school has still to take (key, what to do, why): none once it has staff, a timetable,
    a booking and some CPD recorded. One cheap EXISTS per step."""
    out = []
    for key, text, why, model in FIRST_STEPS:
        if session.scalar(select(model.id).where(model.school_id == school_id).limit(1)) is None:
            out.append((key, text, why))
    return out


def load_dashboard(db: Any, school_id: int, year: AcademicYear, department: str | None,
                   today: dt.date) -> DashboardData:
    """Every figure on the dashboard, as plain data."""
    from ..firstlook import read_marker

    marker = read_marker(db.path) if db.path is not None else None  # before anything is added up
    with db.session() as s:
        school = s.get(School, school_id)
        rows = hours_by_staff(s, school, year, department=department)
        summary = summarise(rows)
        data = DashboardData(year_label=year.label, staff=summary.staff, hours=summary.hours,
                             target=summary.target_hours, met_target=summary.met_target,
                             subject_share=summary.subject_share, all_parts_share=summary.all_parts_share,
                             subject_target=float(school.subject_specific_target), department=department,
                             marker=marker)
        data.first_steps = first_steps(s, school_id)
        data.people = [(r.staff_id, r.name, float(r.hours), float(r.subject_specific_hours), float(r.target_hours))
                       for r in rows if r.target_hours or r.hours]
        overdue = (select(func.count()).select_from(EvaluationStage)
                   .join(Activity, Activity.id == EvaluationStage.activity_id)
                   .join(Staff, Staff.id == Activity.staff_id)
                   .outerjoin(Department, Department.id == Staff.department_id)
                   .where(Activity.school_id == school_id, overdue_stage(today), in_year(Activity.date, year)))
        if department:
            overdue = overdue.where(in_department(department))
        data.overdue = int(s.scalar(overdue) or 0)
        money = money_by_status(s, school, year.start, year.end)
        for status, sums in money.items():
            if status in ("rejected", "withdrawn"):
                continue
            data.expected += sums["expected"]
            data.claimed += sums["claimed"]
            data.received += sums["received"]

        def claim_text(c: BursaryClaim) -> str:
            return (f"{c.booking.title} — {c.booking.staff.full_name}: {format_money(c.expected)}, "
                    f"deadline {format_date(c.deadline)}")

        data.past_deadline = [(c.id, claim_text(c)) for c in claims_past_deadline(s, school, today)]
        data.near_deadline = [(c.id, claim_text(c)) for c in claims_near_deadline(s, school, today)]
        for b in upcoming_bookings(s, school, today=today, days=14):
            dept = b.staff.department.name if b.staff.department else None
            if department and (dept or "").lower() != department.lower():
                continue
            lessons = s.scalar(select(func.count()).select_from(CoverLesson).where(CoverLesson.booking_id == b.id)) or 0
            ready = s.scalar(select(func.count()).select_from(CoverLesson).where(
                CoverLesson.booking_id == b.id, CoverLesson.work_set.is_not(None))) or 0
            if b.cover_required:
                cover = (f"cover: {lessons} lesson{'s' if lessons != 1 else ''}, {ready} with work set"
                         if lessons else "cover needed: no lessons entered yet")
            else:
                cover = "no cover needed"
            when = format_date(b.start_date) + (f"–{format_date(b.end_date)}" if b.end_date != b.start_date else "")
            data.upcoming.append((b.id, f"{when}  {b.staff.full_name}: {b.title}", cover))
    return data


def dashboard_face(data: DashboardData) -> dict[str, Any]:
    """What the dashboard shows of ``data``: each card's figure, caption and tone, the chart's bars and
    the two lists, as plain JSON data (lists and strings; ids, hours and the marker as numbers)."""
    share = float(data.hours / data.target * 100) if data.target else None
    n_past, n_near = len(data.past_deadline), len(data.near_deadline)
    dept = data.department or "all departments"
    cards = {
        "hours": [f"{data.hours:,.0f} h of {data.target:,.0f} h",
                  f"{format_percent(share)} of target · {data.met_target} of {data.staff} staff have met theirs",
                  "good" if share and share >= 100 else ""],
        "subject": [format_percent(data.subject_share),
                    f"of hours are subject-specific (aim: at least {data.subject_target:.0f}%)",
                    "good" if (data.subject_share or 0) >= data.subject_target else "warn"],
        "parts": [format_percent(data.all_parts_share), "of hours meet all five parts", ""],
        "overdue": [str(data.overdue), f"evaluation stage{'' if data.overdue == 1 else 's'} overdue",
                    "bad" if data.overdue else "good"],
        "money": [format_money(data.expected),
                  f"claimed {format_money(data.claimed)} · received {format_money(data.received)}", ""],
        "deadlines": [f"{n_past + n_near}", f"{n_past} past the deadline · {n_near} due within 3 weeks",
                      "bad" if n_past else ("warn" if n_near else "good")],
    }
    return {
        "year_label": data.year_label, "department": data.department, "marker": data.marker,
        "subtitle": f"{data.year_label}, {dept}. Figures count CPD attended in the academic year.",
        "cards": cards,
        "people": [list(p) for p in data.people],
        "upcoming": [[ident, f"{text}\n    {cover}"] for ident, text, cover in data.upcoming],
        "steps": [list(step) for step in data.first_steps],
        "claims": ([[ident, f"Past deadline: {text}", True] for ident, text in data.past_deadline]
                   + [[ident, f"Due soon: {text}", False] for ident, text in data.near_deadline]),
    }
