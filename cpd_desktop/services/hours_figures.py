"""Hours against target, person by person, from the rows the hours query returns: the standard library only.

The query itself is SQLAlchemy's (``reports._hours_statement``); what is made of its rows (each person's
pro-rata target, the sums rounded to pence, people in name order, the report's columns) is here, so the
report read through SQLAlchemy and the same report read from the compiled-query cache with sqlite3
(``cli.reports`` with ``storage.fastread``) are one code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..sorting import fold_name
from .calendar import AcademicYear, Term

ZERO = Decimal("0.00")
PENCE = Decimal("0.01")

# ``report hours``'s statements in the compiled-query cache (``services.compiled``, ``storage.fastread``).
CACHE_NAME = "report-hours"
CACHED = frozenset({"school", "terms", "hours", "hours_department"})


def pro_rata_target(school_target: Decimal, fte: float, in_target: bool) -> Decimal:
    """One person's CPD target for a year: the school's full-time target pro rata by FTE, to the hundredth;
    nothing for someone outside the teachers' target (support staff such as technicians, by default).

    The one rule for every figure: the dashboard, reports, the staff list, exports and the Trust view
    (``rules.pro_rata_target_sql`` is the same sum for a query).
    """
    if not in_target:
        return ZERO
    return (school_target * Decimal(str(fte))).quantize(PENCE, ROUND_HALF_UP)


def name_key(surname: str, forename: str) -> tuple[str, str]:
    """Sort names as a person would: case and accents ignored (Ó Dálaigh beside Okafor), as ``Staff.sort_name``."""
    return fold_name(surname), fold_name(forename)


def exact_hours(value: Any) -> Decimal:
    """PostgreSQL: a SUM of NUMERIC(6, 2) keeps exactly two places; nothing (or 0) reads as 0.00."""
    return value or ZERO


def float_hours(value: Any) -> Decimal:
    """SQLite keeps NUMERIC as REAL/INTEGER: round to pence, as the Hours column type does."""
    return Decimal(str(value)).quantize(PENCE, ROUND_HALF_UP) if value else ZERO


def hours_params(school_id: int, year: AcademicYear, buckets: Sequence[Term], *, department: str | None = None,
                 staff_id: int | None = None) -> dict[str, Any]:
    """The hours query's parameters: the school (or one person), the year, each term's first and last day."""
    params: dict[str, Any] = {"school_id": school_id, "year_start": year.start, "year_end": year.end,
                              "staff_id": staff_id, "department": (department or "").strip().lower()}
    for term in buckets:
        params[f"{term.name}_start"], params[f"{term.name}_end"] = term.start, term.end
    return params


@dataclass
class HoursRow:
    staff_id: int
    staff_code: str
    forename: str
    surname: str
    department: str | None
    fte: float
    ect_year: int | None
    hours: Decimal
    subject_specific_hours: Decimal
    all_parts_hours: Decimal
    target_hours: Decimal
    by_term: dict[str, Decimal] = field(default_factory=dict)
    activities: int = 0
    evaluated: int = 0
    in_target: bool = True  # counted in the teachers' target (see pro_rata_target)

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def progress(self) -> float:
        return float(self.hours / self.target_hours * 100) if self.target_hours else 0.0

    @property
    def subject_share(self) -> float | None:
        return share(self.subject_specific_hours, self.hours)


def hours_rows(raw: Iterable[Sequence[Any]], terms: Sequence[str], school_target: Decimal,
               value: Callable[[Any], Decimal]) -> list[HoursRow]:
    """``HoursRow``s, in name order, from the hours query's rows (its columns in ``_hours_statement``'s order;
    ``value`` turns a raw sum into hours: ``float_hours`` on SQLite, ``exact_hours`` on PostgreSQL)."""
    targets: dict[Any, Decimal] = {}  # (FTE, in target) → target: a school has a handful of different FTEs
    rows: list[HoursRow] = []
    for (sid, code, fore, sur, dept, fte, in_target, ect, hours, subj, allp, n, evaluated, *by_term) in raw:
        in_target = bool(in_target)
        target_hours = targets.get((fte, in_target))
        if target_hours is None:
            target_hours = targets[(fte, in_target)] = pro_rata_target(school_target, fte, in_target)
        rows.append(HoursRow(
            staff_id=sid, staff_code=code, forename=fore, surname=sur, department=dept, fte=float(fte),
            ect_year=ect, hours=value(hours), subject_specific_hours=value(subj), all_parts_hours=value(allp),
            target_hours=target_hours, by_term={name: value(v) for name, v in zip(terms, by_term, strict=True)},
            activities=n or 0, evaluated=evaluated or 0, in_target=in_target,
        ))
    rows.sort(key=lambda r: name_key(r.surname, r.forename))
    return rows


def hours_report_rows(rows: Iterable[HoursRow]) -> list[dict[str, Any]]:
    """``report hours``'s rows: one dict a person, the columns the command prints."""
    return [{
        "staff_code": r.staff_code, "name": r.name, "department": r.department, "fte": r.fte,
        "hours": r.hours, "subject_specific_hours": r.subject_specific_hours, "target_hours": r.target_hours,
        "progress_percent": round(r.progress, 1), "by_term": r.by_term,
    } for r in rows]


def share(part: Decimal, whole: Decimal) -> float | None:
    """``part`` as a percentage of ``whole``; None when there is no whole to share."""
    return float(part / whole * 100) if whole else None


class HoursShares:
    """The shares of a set of hours that are subject-specific and that meet all five parts of the DfE Standard for
    teachers' professional development: on a school's (``trust.TrustRow``) or a department's totals."""

    hours: Decimal
    subject_specific_hours: Decimal
    all_parts_hours: Decimal

    @property
    def subject_share(self) -> float | None:
        return share(self.subject_specific_hours, self.hours)

    @property
    def all_parts_share(self) -> float | None:
        return share(self.all_parts_hours, self.hours)


@dataclass
class DepartmentSummary(HoursShares):
    """The teachers' totals of a set of ``HoursRow``s (``summarise``): the dashboard's hours cards, a report's totals."""

    staff: int
    fte: float
    hours: Decimal
    target_hours: Decimal
    subject_specific_hours: Decimal
    all_parts_hours: Decimal
    met_target: int


def summarise(rows: list[HoursRow]) -> DepartmentSummary:
    """The teachers' figures: staff, FTE, hours and target of those inside the CPD target (rules.pro_rata_target);
    support staff's CPD stays on their own rows but does not count towards the teachers' target."""
    rows = [r for r in rows if r.in_target]
    return DepartmentSummary(
        staff=len(rows), fte=sum(r.fte for r in rows),
        hours=sum((r.hours for r in rows), ZERO), target_hours=sum((r.target_hours for r in rows), ZERO),
        subject_specific_hours=sum((r.subject_specific_hours for r in rows), ZERO),
        all_parts_hours=sum((r.all_parts_hours for r in rows), ZERO),
        met_target=sum(1 for r in rows if r.target_hours and r.hours >= r.target_hours),
    )
