"""The CPD log: a school's activities, newest first, filtered by year, department, person, dates,
format, subject-specific, provider and evaluation; red rows have an evaluation stage overdue, and the
"Evaluation" column says which, briefly in the cell ("Classroom 12/01/2027") and whole in its tooltip
("In the classroom, due 12/01/2027; For pupils, due 06/04/2027; End done 20/11/2026"), or, when no
stage waits, when the End stage was done ("Evaluated 20/11/2026")."""

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
EVALUATED = "evaluated"  # the raw value's part for the End stage done: "evaluated|yyyy-mm-dd"
# A stage's name in a cell, where a laptop's screen leaves room for about 20 characters.
STAGE_SHORT = {"end": "End", "classroom": "Classroom", "pupils": "Pupils"}


def _pending(today: dt.date) -> Any:
    """The activity's evaluation stages not done that have a due date, each as "stage|yyyy-mm-dd" with
    ``OVERDUE_MARK`` when overdue (``overdue_stage``), joined by ";" (``StageColumn`` reads them)."""
    text = (EvaluationStage.stage + literal("|") + cast(EvaluationStage.due_date, String)
            + case((overdue_stage(today), literal(OVERDUE_MARK)), else_=literal("")))
    return (select(func.aggregate_strings(text, ";"))
            .where(EvaluationStage.activity_id == Activity.id, EvaluationStage.done_on.is_(None),
                   EvaluationStage.due_date.is_not(None))
            .scalar_subquery())


def _evaluation(today: dt.date) -> Any:
    """The "Evaluation" column's raw value: the stages waiting (``_pending``), then "evaluated|yyyy-mm-dd"
    when the End stage is done, joined by ";"."""
    evaluated = (select(cast(EvaluationStage.done_on, String))
                 .where(EvaluationStage.activity_id == Activity.id, EvaluationStage.stage == "end")
                 .scalar_subquery())
    return (func.coalesce(_pending(today), literal(""))
            + func.coalesce(literal(f";{EVALUATED}|") + evaluated, literal("")))


class StageColumn(Column):
    """The evaluation stages an activity waits for, as a person reads them: its overdue stages where it
    has any ("In the classroom, due 12/01/2027"), else the next stage due, then when its End stage was done
    ("End done 20/11/2026"); once none waits, when the End stage was done ("Evaluated 20/11/2026"). The
    cell shortens the most pressing stage to fit a laptop's screen ("Classroom 12/01/2027")."""

    @staticmethod
    def _read(value: Any) -> tuple[list[tuple[str, dt.date]], dt.date | None]:
        """The stages to speak of, the most pressing first (the overdue ones, else the next due), and the
        day the End stage was done (None: not yet)."""
        stages: list[tuple[bool, dt.date, str]] = []
        evaluated = None
        for part in str(value or "").split(";"):
            stage, _bar, due = part.partition("|")
            if not due:
                continue
            if stage == EVALUATED:
                evaluated = dt.date.fromisoformat(due[:10])
                continue
            late = due.endswith(OVERDUE_MARK)
            stages.append((not late, dt.date.fromisoformat(due.rstrip(OVERDUE_MARK)[:10]), stage))
        stages.sort()
        shown = [s for s in stages if not s[0]] or stages[:1]
        return [(stage, due) for _on_time, due, stage in shown], evaluated

    def format(self, value: Any) -> str:
        waiting, evaluated = self._read(value)
        if not waiting:
            return f"Evaluated {format_date(evaluated)}" if evaluated else ""
        parts = [f"{STAGES.get(stage, stage)}, due {format_date(due)}" for stage, due in waiting]
        return "; ".join(parts + ([f"End done {format_date(evaluated)}"] if evaluated else []))

    def cell(self, value: Any) -> str:
        waiting, _evaluated = self._read(value)
        if not waiting:
            return self.format(value)
        stage, due = waiting[0]
        return f"{STAGE_SHORT.get(stage, stage)} {format_date(due)}"


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
            StageColumn("evaluation", "Evaluation", _evaluation(today), width=150,
                        whole=f"{STAGE_SHORT['classroom']} 28/11/2025",
                        tooltip="The evaluation stage overdue or due next, with its due date; once none "
                                "waits, the day the End stage was done. Rest the pointer on a cell to see "
                                "every stage overdue",
                        # as text, like the column: PostgreSQL will not put a date and "" in one COALESCE
                        sort_expr=cast(select(func.min(EvaluationStage.due_date)).where(
                            EvaluationStage.activity_id == Activity.id, EvaluationStage.done_on.is_(None))
                            .scalar_subquery(), String)),
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
