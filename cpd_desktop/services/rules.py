"""The named rules every list, figure, report and export shares, each written once.

"Evaluation overdue", "in the chosen year", "in the chosen department", the pro-rata CPD target
and a list's search used to be written again wherever they were needed (the CPD log, the dashboard,
the reports, the exports), and the copies drifted: one counted an activity with no due date as
overdue, another did not. Here each is one function returning an SQL condition (or, for the
target, its SQL form beside the Python figure, which is written in ``hours_figures`` so that a report
read without SQLAlchemy uses it too), so every caller asks the same question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Numeric,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    or_,
)

from ..models import Activity, Booking, Department, EvaluationStage, Staff
from ..models.enums import STANDARD_PARTS
from .hours_figures import pro_rata_target as pro_rata_target  # the Python twin, kept beside its figures
from .years import AcademicYear

ZERO = Decimal("0.00")


class Period(Protocol):
    """What ``in_year`` needs of a year: its first and last day (dates, or parameters standing for them)."""

    @property
    def start(self) -> Any: ...

    @property
    def end(self) -> Any: ...


class _YearParams:
    """The academic year as two parameters, ``year_start`` and ``year_end``: for a statement written once and
    run for any year (and kept compiled, see ``services.compiled``)."""

    start = bindparam("year_start", type_=Date)
    end = bindparam("year_end", type_=Date)


YEAR_PARAMS: Period = _YearParams()
TODAY_PARAM = bindparam("today", type_=Date)  # the day a statement takes as today (``today``)


def in_year(column: Any, year: AcademicYear | Period) -> ColumnElement[bool]:
    """``column`` (a date) falls in the academic ``year``, its first and last day included (``YEAR_PARAMS``:
    the year given as the parameters ``year_start`` and ``year_end``)."""
    return column.between(year.start, year.end)  # type: ignore[no-any-return]


def in_department(name: str | None = None) -> ColumnElement[bool]:
    """The record's person is in the department called ``name`` (any case); the query joins ``Department``.

    Without ``name``, the parameter ``department``, which holds the name stripped and in lower case
    (``hours_figures.hours_params`` gives it)."""
    if name is None:
        return func.lower(Department.name) == bindparam("department", type_=String)
    return func.lower(Department.name) == name.strip().lower()


def constant(value: str) -> ColumnElement[str]:
    """A fixed word of the rules (a status such as 'draft') written into the SQL itself rather than sent as a
    parameter, so that a statement carries no value of its own and can be kept compiled."""
    if "'" in value or "\\" in value:
        raise ValueError(f"not a plain word: {value!r}")
    return literal_column(f"'{value}'", String)


def overdue_stage(today: dt.date | ColumnElement[dt.date]) -> ColumnElement[bool]:
    """An evaluation stage past its due date and not done. Each stage counts on its own: an activity whose
    End and In the classroom stages are both late is two reminders. A stage with no due date (CPD history
    from before the school chased evaluations) is never overdue. ``stage_is_overdue`` is the same rule for
    a stage already read."""
    return and_(EvaluationStage.done_on.is_(None), EvaluationStage.due_date.is_not(None),
                EvaluationStage.due_date < today)


def stage_is_overdue(due: dt.date | None, done_on: dt.date | None, today: dt.date) -> bool:
    """``overdue_stage`` for one stage's due date and date done."""
    return done_on is None and due is not None and due < today


def overdue_evaluation(today: dt.date | ColumnElement[dt.date]) -> ColumnElement[bool]:
    """An activity with at least one overdue evaluation stage (``overdue_stage``)."""
    return exists().where(EvaluationStage.activity_id == Activity.id, overdue_stage(today))


def meets_all_parts() -> ColumnElement[bool]:
    """An activity that meets all five parts of the DfE Standard for teachers' professional development."""
    return and_(*[getattr(Activity, part).is_(True) for part in STANDARD_PARTS])


def pro_rata_target_sql(school_target: Any) -> ColumnElement[float]:
    """``pro_rata_target`` as an SQL expression over ``Staff`` (``school_target`` an expression or parameter)."""
    exact = cast(Staff.fte, Numeric(12, 4)) * cast(school_target, Numeric(12, 4))  # PostgreSQL rounds numerics only
    return case((Staff.in_target.is_(True), cast(func.round(exact, 2), Float)), else_=0.0)


class Searchable(Protocol):
    """What ``search`` needs of a list's column: its expression and, maybe, a faster way to match it."""

    @property
    def expr(self) -> Any: ...

    @property
    def search_condition(self) -> Callable[[str], Any] | None: ...


def like_pattern(word: str) -> str:
    """``word`` as a LIKE pattern matching it anywhere, its own ``%``, ``_`` and ``\\`` taken literally."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(columns: Sequence[Searchable], text: str) -> list[ColumnElement[bool]]:
    """One condition a word of ``text``: every word must appear in at least one of ``columns``.

    A column may match through a small table (``search_condition``: the few staff or providers whose
    name matches) instead of a LIKE on every row.
    """
    conditions: list[ColumnElement[bool]] = []
    for word in text.split():
        pattern = like_pattern(word)
        conditions.append(or_(*[c.search_condition(pattern) if c.search_condition is not None
                                else func.coalesce(c.expr, "").like(pattern, escape="\\") for c in columns]))
    return conditions


def booking_cost() -> ColumnElement[Any]:
    """A booking's whole cost: fee, travel, accommodation, subsistence and supply cover (days at the day rate)."""
    return (Booking.fee + Booking.travel + Booking.accommodation + Booking.subsistence
            + Booking.cover_days * Booking.cover_day_rate)
