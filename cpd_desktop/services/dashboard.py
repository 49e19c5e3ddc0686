"""The dashboard's statements, and its figures for a school, a year and a department.

Every statement the dashboard and the window's frame run at a start is written here or beside the rule it
follows (``reports``, ``bursaries``, ``bookings``, ``workspace``, ``years``), with no value of its own:
each value is a parameter, so the same statement runs for any school, year and day, through SQLAlchemy
(``load_dashboard``, on a worker thread) or compiled into the cache ``cpd_desktop.quicklook`` reads with
sqlite3 before the database layer has loaded (``services.compiled``). What is made of their rows, and the
text the dashboard shows (``dashboard_face``), is in ``services.dashboard_figures``, which both use.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.orm import Session

from ..errors import NotFoundError
from ..models import Activity, Booking, Department, EvaluationStage, School, Staff, TimetableLesson
from .bookings import coming_up_statement
from .bursaries import claims_to_chase_statement, money_statement
from .dashboard_figures import CACHED, FIRST_STEPS, dashboard_data, school_facts, steps_to_take
from .dashboard_figures import CARDS as CARDS  # named here for the dashboard's callers
from .dashboard_figures import DashboardData as DashboardData
from .dashboard_figures import dashboard_face as dashboard_face
from .hours_figures import exact_hours, float_hours
from .reports import hours_report_statement
from .rules import TODAY_PARAM, YEAR_PARAMS, in_department, in_year, overdue_stage
from .workspace import department_names_statement, first_activity_statement, school_names_statement
from .years import AcademicYear, term_dates_statement

# The records that show each first step taken (``dashboard_figures.FIRST_STEPS``, in its order).
STEP_RECORDS: dict[str, Any] = {"staff": Staff, "timetable": TimetableLesson, "booking": Booking,
                                "activity": Activity}


def school_statement() -> Select[*tuple[Any, ...]]:
    """What the dashboard and the window's frame need of one school (parameter ``school_id``):
    ``dashboard_figures.SchoolFacts``."""
    return select(School.id, School.name, School.is_demo, School.cpd_target_hours, School.subject_specific_target,
                  School.academic_year_start_month).where(School.id == bindparam("school_id"))


def first_steps_statement() -> Select[*tuple[Any, ...]]:
    """Whether the school (parameter ``school_id``) has taken each first step: one EXISTS a step."""
    return select(*[exists().where(STEP_RECORDS[key].school_id == bindparam("school_id")).label(f"has_{key}")
                    for key, _text, _why in FIRST_STEPS])


def overdue_statement(*, by_department: bool) -> Select[*tuple[Any, ...]]:
    """The evaluation stages overdue (``rules.overdue_stage``) of CPD in the year (parameters ``school_id``,
    ``today``, ``year_start``, ``year_end``; with ``by_department``, ``department``)."""
    stmt = (select(func.count()).select_from(EvaluationStage)
            .join(Activity, Activity.id == EvaluationStage.activity_id)
            .where(Activity.school_id == bindparam("school_id"), overdue_stage(TODAY_PARAM),
                   in_year(Activity.date, YEAR_PARAMS)))
    if not by_department:  # the school's activities by their index alone: no person to read for each
        return stmt
    return (stmt.join(Staff, Staff.id == Activity.staff_id).outerjoin(Department, Department.id == Staff.department_id)
            .where(in_department()))


@lru_cache(maxsize=1)
def dashboard_queries() -> dict[str, Select[*tuple[Any, ...]]]:
    """Every statement the dashboard runs, and the start's other reads (the schools, the school, its
    departments and the date its CPD starts), by the names ``dashboard_figures`` asks them by."""
    queries: dict[str, Select[*tuple[Any, ...]]] = {
        "schools": school_names_statement(), "school": school_statement(), "terms": term_dates_statement(),
        "departments": department_names_statement(), "first_activity": first_activity_statement(),
        "first_steps": first_steps_statement(),
        "hours": hours_report_statement(by_department=False),
        "hours_department": hours_report_statement(by_department=True),
        "overdue": overdue_statement(by_department=False), "overdue_department": overdue_statement(by_department=True),
        "money": money_statement(),
        "past_deadline": claims_to_chase_statement(past=True), "near_deadline": claims_to_chase_statement(past=False),
        "upcoming": coming_up_statement(by_department=False),
        "upcoming_department": coming_up_statement(by_department=True),
    }
    assert set(queries) == CACHED
    return queries


def first_steps(session: Session, school_id: int) -> list[tuple[str, str, str]]:
    """The first steps a school has still to take (key, what to do, why): none once it has staff, a timetable,
    a booking and some CPD recorded."""
    return steps_to_take(session.execute(first_steps_statement(), {"school_id": school_id}).one())


def load_dashboard(db: Any, school_id: int, year: AcademicYear, department: str | None,
                   today: dt.date) -> DashboardData:
    """Every figure on the dashboard, as plain data."""
    from ..firstlook import read_marker

    marker = read_marker(db.path) if db.path is not None else None  # before anything is added up
    queries = dashboard_queries()
    with db.session() as s:
        conn = s.connection()

        def run(name: str, params: Any) -> Any:
            return conn.execute(queries[name], params).all()

        school = school_facts(run, school_id)
        if school is None:
            raise NotFoundError("This school is no longer in the database.",
                                hint="Someone may have deleted it: open the database again.")
        value = float_hours if conn.dialect.name == "sqlite" else exact_hours
        return dashboard_data(run, school, year, department, today, marker=marker, value=value)
