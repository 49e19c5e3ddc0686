"""A multi-academy trust's view: its schools side by side for one academic year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import School
from .bursaries import money_by_status
from .hours_figures import HoursShares
from .reports import HoursRow, cost_by_staff, hours_by_school, hours_by_staff, summarise
from .schools import list_schools
from .years import AcademicYear

ZERO = Decimal("0.00")


@dataclass
class TrustRow(HoursShares):
    school: str
    urn: str | None
    staff: int
    fte: float
    hours: Decimal
    subject_specific_hours: Decimal
    all_parts_hours: Decimal
    met_target: int
    cost: Decimal
    cover_cost: Decimal
    bursary_expected: Decimal
    bursary_claimed: Decimal
    bursary_received: Decimal

    @property
    def hours_per_fte(self) -> Decimal:
        return (self.hours / Decimal(str(self.fte))).quantize(Decimal("0.01")) if self.fte else ZERO


def school_row(session: Session, school: School, year: AcademicYear,
               people: list[HoursRow] | None = None) -> TrustRow:
    """The school's line; ``people`` is its ``hours_by_staff`` for the year when the caller has it already."""
    hours = summarise(people if people is not None else hours_by_staff(session, school, year))
    costs = cost_by_staff(session, school, year)
    money = money_by_status(session, school, year.start, year.end)
    live = [m for status, m in money.items() if status not in ("rejected", "withdrawn")]
    return TrustRow(
        school=school.name, urn=school.urn, staff=hours.staff, fte=round(hours.fte, 3), hours=hours.hours,
        subject_specific_hours=hours.subject_specific_hours, all_parts_hours=hours.all_parts_hours,
        met_target=hours.met_target,
        cost=sum((c.total for c in costs), ZERO), cover_cost=sum((c.cover for c in costs), ZERO),
        bursary_expected=sum((m["expected"] for m in live), ZERO),
        bursary_claimed=sum((m["claimed"] for m in live), ZERO),
        bursary_received=sum((m["received"] for m in live), ZERO),
    )


def trust_rows(session: Session, year: AcademicYear) -> list[TrustRow]:
    """One row per school in the database, each added up in SQL within that school only."""
    schools = list_schools(session)
    people = hours_by_school(session, schools, year)
    return [school_row(session, school, year, people[school.id]) for school in schools]


def trust_report(session: Session, year: AcademicYear) -> list[dict[str, Any]]:
    return [{
        "school": r.school, "urn": r.urn, "staff": r.staff, "fte": r.fte, "hours": r.hours,
        "hours_per_fte": r.hours_per_fte,
        "subject_specific_share": round(r.subject_share, 1) if r.subject_share is not None else None,
        "all_parts_share": round(r.all_parts_share, 1) if r.all_parts_share is not None else None,
        "met_target": r.met_target, "cost": r.cost, "cover_cost": r.cover_cost,
        "bursary_expected": r.bursary_expected, "bursary_claimed": r.bursary_claimed,
        "bursary_received": r.bursary_received,
    } for r in trust_rows(session, year)]


def school_targets(session: Session) -> dict[str, tuple[int, float]]:
    """Every school in the file by lower-case name: its id and its full-time CPD target in hours."""
    return {name.lower(): (ident, float(target)) for ident, name, target in
            session.execute(select(School.id, School.name, School.cpd_target_hours))}
