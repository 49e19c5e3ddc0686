"""Staff: everyone employed in the chosen year with their hours, their pro-rata target and progress."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Select, bindparam, case, cast, func, select, type_coerce

from ...models import Activity, Department, School, Staff
from ...models.base import Hours
from ..reports import employed_in
from ..rules import in_department, pro_rata_target_sql
from .base import Column, Filters, ListDef, Sort
from .shared import staff_name

ECT_YEARS = {1: "Year 1", 2: "Year 2"}


def _hours_in_year(condition: Any = None) -> Any:
    """A person's hours in the year the ``year_start``/``year_end`` parameters give."""
    stmt = select(func.coalesce(func.sum(Activity.hours), 0)).where(
        Activity.staff_id == Staff.id, Activity.date.between(bindparam("year_start"), bindparam("year_end")))
    if condition is not None:
        stmt = stmt.where(condition)
    return type_coerce(stmt.scalar_subquery(), Hours())


class StaffList(ListDef):
    """The school's staff; the ``year`` filter picks who was employed and which hours count."""

    default_sort = Sort("name")

    def __init__(self, school_id: int) -> None:
        super().__init__()
        self.id_expr = Staff.id
        self.version_expr = Staff.version
        self.school_id = school_id
        hours = _hours_in_year()
        school_target = select(School.cpd_target_hours).where(School.id == school_id).scalar_subquery()
        target = pro_rata_target_sql(school_target)
        progress = case((target > 0, cast(hours, Float) * 100.0 / target), else_=None)
        self.columns = [
            Column("name", "Name", staff_name(), searchable=True, width=180, sort_expr=Staff.sort_name),
            Column("code", "Code", Staff.staff_code, searchable=True, width=60),
            Column("department", "Department", Department.name, searchable=True, width=110),
            Column("role", "Role", Staff.role, searchable=True, width=180),
            Column("fte", "FTE", Staff.fte, "float", width=50),
            Column("ect", "ECT", Staff.ect_year, "choice", ECT_YEARS, width=60,
                   tooltip="Early career teacher: induction year"),
            Column("hours", "Hours", hours, "hours", width=65),
            Column("target", "Target", target, "float", width=65,
                   tooltip="Target hours, pro rata by FTE (none for staff outside the teachers' target)"),
            Column("progress", "Progress", progress, "percent", width=75),
            Column("subject", "Subject-specific", _hours_in_year(Activity.subject_specific.is_(True)), "hours",
                   width=130, tooltip="Hours of subject-specific CPD this year"),
            Column("leaving", "Leaving date", Staff.leaving_date, "date", width=95),
        ]
        self._progress_at = self.column_index("progress")
        self.filters = {"year": employed_in, "department": in_department}

    def row_style(self, values: tuple[Any, ...]) -> str | None:
        """Green: the person has met their target (the progress column, worked out once in SQL)."""
        progress = values[self._progress_at]
        return "good" if progress is not None and progress >= 100 else None

    def params(self, filters: Filters) -> dict[str, Any]:
        year = filters.get("year")
        return {"year_start": year.start if year else None, "year_end": year.end if year else None}

    def base(self, columns: list[Any], *, scan: bool = False) -> Select[Any]:
        return (select(*columns).select_from(Staff).outerjoin(Department, Department.id == Staff.department_id)
                .where(Staff.school_id == self.school_id))
