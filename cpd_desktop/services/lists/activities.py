"""The CPD log: a school's activities, newest first, filtered by year, department, person, dates,
format, subject-specific, provider and evaluation; red rows have an evaluation stage overdue, and the
"Evaluation" column says which ("In the classroom, due 12/01/2027")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, String, and_, case, cast, exists, func, literal, select

from ...models import Activity, Department, EvaluationStage, Provider, Staff
from ...models.enums import FORMATS
from ...models.impact import STAGES
from ..formatting import format_date
from ..rules import in_department, in_year, meets_all_parts, overdue_evaluation, overdue_stage
from .base import Column, ListDef, Sort
from .shared import matching, staff_name

EVALUATION_FILTERS = {"overdue": "Evaluation overdue", "due": "Not yet evaluated", "done": "Evaluated",
                      "all_parts": "Meets all 5 parts"}
OVERDUE_MARK = "!"  # after a stage's due date in the column's raw value: that stage is overdue


def _pending(today: dt.date) -> Any:
    """The activity's evaluation stages not done that have a due date, each as "stage|yyyy-mm-dd" with
    ``OVERDUE_MARK`` when overdue (``overdue_stage``), joined by ";" (``StageColumn`` reads them)."""
    text = (EvaluationStage.stage + literal("|") + cast(EvaluationStage.due_date, String)
            + case((overdue_stage(today), literal(OVERDUE_MARK)), else_=literal("")))
    return (select(func.aggregate_strings(text, ";"))
            .where(EvaluationStage.activity_id == Activity.id, EvaluationStage.done_on.is_(None),
                   EvaluationStage.due_date.is_not(None))
            .scalar_subquery())


class StageColumn(Column):
    """The evaluation stages an activity waits for, as a person reads them: its overdue stages where it
    has any ("In the classroom, due 12/01/2027"), else the next stage due."""

    def format(self, value: Any) -> str:
        if not value:
            return ""
        stages = []
        for part in str(value).split(";"):
            stage, _bar, due = part.partition("|")
            late = due.endswith(OVERDUE_MARK)
            stages.append((not late, dt.date.fromisoformat(due.rstrip(OVERDUE_MARK)[:10]), stage))
        stages.sort()
        shown = [s for s in stages if not s[0]] or stages[:1]
        return "; ".join(f"{STAGES.get(stage, stage)}, due {format_date(due)}" for _on_time, due, stage in shown)


def overdue_in(value: Any) -> int:
    """How many overdue stages a row's "Evaluation" value names (the dashboard counts the same stages)."""
    return sum(1 for part in str(value or "").split(";") if part.endswith(OVERDUE_MARK))


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
            StageColumn("evaluation", "Evaluation", _pending(today), width=200,
                        tooltip="The evaluation stages overdue, or the next one due",
                        sort_expr=select(func.min(EvaluationStage.due_date)).where(
                            EvaluationStage.activity_id == Activity.id, EvaluationStage.done_on.is_(None))
                        .scalar_subquery()),
            Column("evaluated_on", "Evaluated", select(EvaluationStage.done_on).where(
                EvaluationStage.activity_id == Activity.id, EvaluationStage.stage == "end").scalar_subquery(),
                "date", width=90, tooltip="When the End stage of its evaluation was done"),
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
        waiting = exists().where(EvaluationStage.activity_id == Activity.id, EvaluationStage.done_on.is_(None))
        if value == "due":
            return waiting
        if value == "done":  # every stage it calls for done
            return and_(~waiting, exists().where(EvaluationStage.activity_id == Activity.id))
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
