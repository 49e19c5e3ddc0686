"""The CPD log: a school's activities, newest first, filtered by year, department, person, dates,
format, subject-specific, provider and evaluation; red rows wait for an overdue evaluation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, case, literal, select

from ...models import Activity, Department, Provider, Staff
from ...models.enums import FORMATS
from ..rules import in_department, in_year, meets_all_parts, overdue_evaluation
from .base import Column, ListDef, Sort
from .shared import matching, staff_name

EVALUATION_FILTERS = {"overdue": "Evaluation overdue", "due": "Not yet evaluated", "done": "Evaluated",
                      "all_parts": "Meets all 5 parts"}


class ActivityList(ListDef):
    """Every activity of the school ``school_id``; ``today`` decides which evaluations are overdue."""

    default_sort = Sort("date", descending=True)
    indexed_sorts = frozenset({"date"})

    def __init__(self, school_id: int, today: dt.date) -> None:
        super().__init__()
        self.id_expr = Activity.id
        self.version_expr = Activity.version
        self.school_id = school_id
        self.today = today
        self.style_expr = case((overdue_evaluation(today), literal("bad")), else_=None)
        self.columns = [
            Column("date", "Date", Activity.date, "date", width=90),
            Column("staff", "Member of staff", staff_name(), searchable=True, width=150, sort_expr=Staff.sort_name,
                   search_condition=matching(Activity.staff_id, Staff.id,
                                             Staff.surname + literal(", ") + Staff.forename + literal(" ")
                                             + Staff.forename + literal(" ") + Staff.surname + literal(" ")
                                             + Staff.staff_code, Staff)),
            Column("department", "Department", Department.name, searchable=True, width=100,
                   search_condition=lambda p: Staff.department_id.in_(
                       select(Department.id).where(Department.name.like(p, escape="\\")))),
            Column("title", "Activity", Activity.title, searchable=True, width=250),
            Column("provider", "Provider", Provider.name, searchable=True, width=150,
                   search_condition=matching(Activity.provider_id, Provider.id, Provider.name, Provider)),
            Column("format", "Format", Activity.format, "choice", FORMATS, width=125),
            Column("hours", "Hours", Activity.hours, "hours", width=60),
            Column("subject_specific", "Subject", Activity.subject_specific, "bool", width=65,
                   tooltip="Subject-specific CPD"),
            Column("all_parts", "All 5 parts", case((meets_all_parts(), True), else_=False), "bool", width=80,
                   tooltip="Meets all five parts of the DfE Standard for teachers' professional development"),
            Column("evaluation_due", "Evaluation due", Activity.evaluation_due, "date", width=105),
            Column("evaluated_on", "Evaluated", Activity.evaluated_on, "date", width=90),
        ]
        self.filters = {
            "year": lambda year: in_year(Activity.date, year),
            "department": in_department,
            "staff_id": lambda ident: Activity.staff_id == ident,
            "dates": lambda span: Activity.date.between(span[0], span[1]),
            "format": lambda code: Activity.format == code,
            "subject": lambda flag: Activity.subject_specific.is_(bool(flag)),
            "provider": lambda name: Provider.name == name,
            "evaluation": self._evaluation,
        }

    def _evaluation(self, value: str) -> Any:
        if value == "overdue":
            return overdue_evaluation(self.today)
        if value == "due":
            return Activity.evaluated_on.is_(None)
        if value == "done":
            return Activity.evaluated_on.is_not(None)
        if value == "all_parts":
            return meets_all_parts()
        raise ValueError(f"No evaluation filter {value!r}")

    def base(self, columns: list[Any], *, scan: bool = False) -> Select[Any]:
        # "school_id + 0" keeps SQLite off the (school, date) index when every row is read anyway.
        scope = (Activity.school_id + 0 == self.school_id) if scan else (Activity.school_id == self.school_id)
        return (select(*columns).select_from(Activity).join(Staff, Staff.id == Activity.staff_id)
                .outerjoin(Department, Department.id == Staff.department_id)
                .outerjoin(Provider, Provider.id == Activity.provider_id)
                .where(scope))
