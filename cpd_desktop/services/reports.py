"""The figures behind the reports: hours against target, bookings, claims, staff, cost of CPD.

Everything is added up in SQL (GROUP BY with CASE for terms), never by loading ORM objects:
a trust's million activities sum in about the time SQLite takes to read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from ..models import Activity, Booking, BursaryClaim, BursaryScheme, Department, Provider, School, Staff
from ..models.base import Hours, Money
from .hours_figures import DepartmentSummary as DepartmentSummary  # the teachers' totals, with the rows
from .hours_figures import HoursRow as HoursRow  # the figures' own module; named here for their callers
from .hours_figures import (
    exact_hours,
    float_hours,
    hours_params,
    hours_report_rows,
    hours_rows,
)
from .hours_figures import name_key as name_key
from .hours_figures import summarise as summarise
from .rules import in_department, in_year, meets_all_parts
from .years import TERM_ORDER, AcademicYear, Term, term_buckets, terms_for, terms_for_schools

ZERO = Decimal("0.00")


def employed_in(year: AcademicYear) -> Any:
    """Staff employed at some point in the year (no dates counts as employed)."""
    return and_(or_(Staff.start_date.is_(None), Staff.start_date <= year.end),
                or_(Staff.leaving_date.is_(None), Staff.leaving_date >= year.start))


def _hours_sum(condition: Any = None) -> Any:
    expr = Activity.hours if condition is None else case((condition, Activity.hours), else_=0)
    return type_coerce(func.coalesce(func.sum(expr), 0), Hours())


def _raw_sum(condition: Any = None) -> Any:
    """SUM(hours) as the raw GROUP BY writes it: literal zeros, and the driver's value untouched.

    A zero sent as a bound parameter (``ELSE $1::INTEGER``) costs PostgreSQL a cast per row once the
    statement is prepared; the values are turned into Decimals by ``_hours_values``, not per column
    by a type processor.
    """
    expr = Activity.hours if condition is None else case((condition, Activity.hours), else_=literal_column("0"))
    return type_coerce(func.sum(expr), NullType())


@lru_cache(maxsize=32)
def _hours_statement(terms: tuple[str, ...], by_staff: bool, by_department: bool) -> Select[Any]:
    """The hours query, every value a bound parameter: built once per shape, then reused.

    Building this statement costs several times more than SQLite takes to answer it for one
    person, so the statement (and with it SQLAlchemy's cache key) is made once.
    """
    p = bindparam
    # One person's year reads only their rows (ix_activity_staff_date); filtering on the school would
    # make SQLite add up the whole school's year first (the outer query keeps to the school's staff).
    mine = Activity.staff_id == p("staff_id") if by_staff else Activity.school_id == p("school_id")
    agg = (select(
        Activity.staff_id.label("staff_id"),
        _raw_sum().label("hours"),
        _raw_sum(Activity.subject_specific.is_(True)).label("subject"),
        _raw_sum(meets_all_parts()).label("all_parts"),
        func.count().label("n"),
        func.count(Activity.evaluated_on).label("evaluated"),
        *[_raw_sum(Activity.date.between(p(f"{name}_start"), p(f"{name}_end"))).label(name) for name in terms],
    ).where(mine, Activity.date.between(p("year_start"), p("year_end")))
        .group_by(Activity.staff_id).subquery())
    employed = and_(or_(Staff.start_date.is_(None), Staff.start_date <= p("year_end")),
                    or_(Staff.leaving_date.is_(None), Staff.leaving_date >= p("year_start")))
    stmt = (select(Staff.id, Staff.staff_code, Staff.forename, Staff.surname, Department.name, Staff.fte,
                   Staff.in_target, Staff.ect_year, agg.c.hours, agg.c.subject, agg.c.all_parts, agg.c.n,
                   agg.c.evaluated, *[agg.c[name] for name in terms])
            .select_from(Staff).outerjoin(agg, agg.c.staff_id == Staff.id)
            .outerjoin(Department, Department.id == Staff.department_id)
            .where(Staff.school_id == p("school_id"), or_(agg.c.staff_id.is_not(None), employed))
            .order_by(Staff.sort_name))
    if by_department:
        stmt = stmt.where(in_department())
    if by_staff:
        stmt = stmt.where(Staff.id == p("staff_id"))
    return stmt


def hours_report_statement(*, by_department: bool) -> Select[Any]:
    """The hours statement ``report hours`` runs for a school's year (a department's, with ``by_department``):
    compiled for SQLite into the cache a later command reads with the standard library (``services.compiled``)."""
    return _hours_statement(TERM_ORDER, False, by_department)


def hours_by_staff(session: Session, school: School, year: AcademicYear, *,
                   department: str | None = None, staff_id: int | None = None) -> list[HoursRow]:
    """Hours per person for a year: total, subject-specific, meeting all five Standard parts, by term.

    One row for everyone employed in the year or with CPD in it, 0 where none. Target pro rata by FTE.
    """
    return _hours_rows(session, school, year, term_buckets(terms_for(session, school, year), year),
                       department=department, staff_id=staff_id)


def hours_by_school(session: Session, schools: list[School], year: AcademicYear) -> dict[int, list[HoursRow]]:
    """``hours_by_staff`` for several schools (school id → rows): their term dates read in one query.

    Each school is still added up in SQL on its own, so no school's records are mixed into another's.
    """
    terms = terms_for_schools(session, [school.id for school in schools], year)
    return {school.id: _hours_rows(session, school, year, term_buckets(terms[school.id], year))
            for school in schools}


def _hours_rows(session: Session, school: School, year: AcademicYear, buckets: list[Term], *,
                department: str | None = None, staff_id: int | None = None) -> list[HoursRow]:
    params = hours_params(school.id, year, buckets, department=department, staff_id=staff_id)
    stmt = _hours_statement(tuple(t.name for t in buckets), staff_id is not None, bool(department))
    value = float_hours if session.get_bind().dialect.name == "sqlite" else exact_hours
    if session.autoflush:
        session.flush()  # what session.execute would do first: unsaved changes count
    # Core execution on the session's connection: the statement loads no ORM objects, and the ORM's
    # per-row loading costs as much as PostgreSQL takes to add up a school's year.
    raw = session.connection().execute(stmt, params).all()
    return hours_rows(raw, [t.name for t in buckets], school.cpd_target_hours, value)


def hours_by_format(session: Session, school: School, year: AcademicYear,
                    department: str | None = None) -> dict[str, Decimal]:
    """Hours by format of the staff inside the CPD target: the same people as ``summarise``'s hours, so a
    summary's formats add up to its hours (support staff's CPD is not counted towards the target)."""
    stmt = (select(Activity.format, _hours_sum()).join(Staff, Staff.id == Activity.staff_id).where(
        Activity.school_id == school.id, in_year(Activity.date, year), Staff.in_target.is_(True))
        .group_by(Activity.format))
    if department:
        stmt = stmt.join(Department, Department.id == Staff.department_id).where(in_department(department))
    return {fmt: hours for fmt, hours in session.execute(stmt)}


@dataclass
class CostRow:
    staff_id: int
    staff_code: str
    name: str
    department: str | None
    fee: Decimal
    travel: Decimal
    accommodation: Decimal
    subsistence: Decimal
    cover: Decimal
    other: Decimal  # costs recorded on activities that had no booking
    bursary_expected: Decimal
    bursary_received: Decimal

    @property
    def total(self) -> Decimal:
        return self.fee + self.travel + self.accommodation + self.subsistence + self.cover + self.other

    @property
    def net(self) -> Decimal:
        return self.total - self.bursary_received


# What a person's CPD costs in a year, and the claims that bring some of it back (one rule for the totals
# below and for the bookings and activities behind one person's figure).
_COVER_COST = Booking.cover_days * Booking.cover_day_rate
_COUNTED_CLAIMS = BursaryClaim.status.not_in(("rejected", "withdrawn"))


def _money_sum(expr: Any) -> Any:
    return type_coerce(func.coalesce(func.sum(expr), 0), Money())


def _costed_bookings(school: School, year: AcademicYear) -> Any:
    """The bookings whose costs count in ``year``: those starting in it and not cancelled."""
    return and_(Booking.school_id == school.id, Booking.status != "cancelled", in_year(Booking.start_date, year))


def _costed_activities(school: School, year: AcademicYear) -> Any:
    """The activities whose own cost counts in ``year``: those on a day in it with no booking (a booking's
    activity is costed through the booking)."""
    return and_(Activity.school_id == school.id, Activity.booking_id.is_(None), in_year(Activity.date, year))


@dataclass(frozen=True)
class CostItem:
    """One booking or activity behind a person's cost for a year, with what it cost under each head."""

    kind: str  # "booking" or "activity"
    id: int
    date: dt.date
    title: str
    status: str | None  # a booking's status; None for an activity
    fee: Decimal
    travel: Decimal
    accommodation: Decimal
    subsistence: Decimal
    cover: Decimal
    other: Decimal  # an activity's own cost (it had no booking)
    bursary_expected: Decimal
    bursary_received: Decimal

    @property
    def total(self) -> Decimal:
        return self.fee + self.travel + self.accommodation + self.subsistence + self.cover + self.other


def cost_items(session: Session, school: School, year: AcademicYear, staff_id: int) -> list[CostItem]:
    """The bookings and activities that make up the person's ``cost_by_staff`` row for ``year``, oldest first:
    their sums are that row's figures."""
    live = _costed_bookings(school, year)
    claims = (select(BursaryClaim.booking_id.label("bid"), _money_sum(BursaryClaim.expected).label("expected"),
                     _money_sum(BursaryClaim.received).label("received"))
              .where(_COUNTED_CLAIMS).group_by(BursaryClaim.booking_id).subquery())
    zero = Decimal("0.00")

    def money(value: Any) -> Decimal:
        return Decimal(value if value is not None else 0).quantize(Decimal("0.01"))

    # the cover's exact cost (half a day at an odd rate has half a penny), as the totals add it up
    items = [CostItem("booking", bid, start, title, status, money(fee), money(travel), money(acc), money(subs),
                      Decimal(str(days or 0)) * money(rate), zero, money(expected), money(received))
             for bid, start, title, status, fee, travel, acc, subs, days, rate, expected, received in session.execute(
                 select(Booking.id, Booking.start_date, Booking.title, Booking.status, Booking.fee, Booking.travel,
                        Booking.accommodation, Booking.subsistence, Booking.cover_days, Booking.cover_day_rate,
                        claims.c.expected, claims.c.received)
                 .outerjoin(claims, claims.c.bid == Booking.id)
                 .where(live, Booking.staff_id == staff_id))]
    items += [CostItem("activity", aid, day, title, None, zero, zero, zero, zero, zero, money(cost), zero, zero)
              for aid, day, title, cost in session.execute(
                  select(Activity.id, Activity.date, Activity.title, Activity.cost)
                  .where(_costed_activities(school, year), Activity.staff_id == staff_id,
                         Activity.cost.is_not(None), Activity.cost != 0))]
    return sorted(items, key=lambda item: (item.date, item.kind, item.id))


def cost_by_staff(session: Session, school: School, year: AcademicYear,
                  department: str | None = None) -> list[CostRow]:
    """The true cost of CPD per person in a year: every cost head including cover, less bursaries."""
    money = _money_sum
    live = _costed_bookings(school, year)
    bk = (select(Booking.staff_id.label("sid"), money(Booking.fee).label("fee"), money(Booking.travel).label("travel"),
                 money(Booking.accommodation).label("acc"), money(Booking.subsistence).label("subs"),
                 money(_COVER_COST).label("cover"))
          .where(live).group_by(Booking.staff_id).subquery())
    other = (select(Activity.staff_id.label("sid"), money(Activity.cost).label("other"))
             .where(_costed_activities(school, year)).group_by(Activity.staff_id).subquery())
    bursary = (select(Booking.staff_id.label("sid"), money(BursaryClaim.expected).label("expected"),
                      money(BursaryClaim.received).label("received"))
               .join(Booking, Booking.id == BursaryClaim.booking_id)
               .where(live, _COUNTED_CLAIMS)
               .group_by(Booking.staff_id).subquery())
    z = literal(0)
    stmt = (select(Staff.id, Staff.staff_code, Staff.forename, Staff.surname, Department.name,
                   *[type_coerce(func.coalesce(c, z), Money()) for c in (
                       bk.c.fee, bk.c.travel, bk.c.acc, bk.c.subs, bk.c.cover, other.c.other,
                       bursary.c.expected, bursary.c.received)])
            .select_from(Staff)
            .outerjoin(bk, bk.c.sid == Staff.id).outerjoin(other, other.c.sid == Staff.id)
            .outerjoin(bursary, bursary.c.sid == Staff.id)
            .outerjoin(Department, Department.id == Staff.department_id)
            .where(Staff.school_id == school.id,
                   or_(bk.c.sid.is_not(None), other.c.sid.is_not(None), employed_in(year)))
            .order_by(Staff.sort_name))
    if department:
        stmt = stmt.where(in_department(department))
    rows = [(name_key(sur, fore), CostRow(sid, code, f"{fore} {sur}", dept, *money_values))
            for sid, code, fore, sur, dept, *money_values in session.execute(stmt)]
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


# ---- rows for `cpd-desktop report …` (plain dicts with the public JSON keys) ----

def staff_report(session: Session, school: School, year: AcademicYear | None = None) -> list[dict[str, Any]]:
    stmt = (select(Staff, Department.name).outerjoin(Department, Department.id == Staff.department_id)
            .where(Staff.school_id == school.id).order_by(Staff.sort_name))
    if year is not None:
        stmt = stmt.where(employed_in(year))
    people = sorted(session.execute(stmt), key=lambda pair: name_key(pair[0].surname, pair[0].forename))
    return [{
        "staff_code": s.staff_code, "forename": s.forename, "surname": s.surname, "email": s.email,
        "department": dept, "role": s.role, "fte": s.fte, "ect_year": s.ect_year,
        "start_date": _iso(s.start_date), "leaving_date": _iso(s.leaving_date),
    } for s, dept in people]


def hours_report(session: Session, school: School, year: AcademicYear,
                 department: str | None = None) -> list[dict[str, Any]]:
    return hours_report_rows(hours_by_staff(session, school, year, department=department))


def bookings_report(session: Session, school: School, year: AcademicYear | None = None) -> list[dict[str, Any]]:
    from .bookings import absence_days
    from .budget import booking_allocations

    stmt = (select(Booking, Staff.staff_code, Provider.name).join(Staff, Staff.id == Booking.staff_id)
            .outerjoin(Provider, Provider.id == Booking.provider_id)
            .where(Booking.school_id == school.id).order_by(Booking.start_date, Booking.id))
    if year is not None:
        stmt = stmt.where(in_year(Booking.start_date, year))
    # The financial year each booking counts in and the budget line's code it is spent against (None:
    # unallocated), by the budget's own rule (services.budget), so the budget report can be checked from this.
    allocated = booking_allocations(session, school)
    return [{
        "id": b.id, "staff_code": code, "title": b.title, "provider": provider,
        "start_date": _iso(b.start_date), "end_date": _iso(b.end_date), "status": b.status,
        "cover_required": b.cover_required, "days": len(absence_days(b)), "hours": b.hours,
        "total_cost": b.total_cost, "financial_year": allocated[b.id][0], "budget_code": allocated[b.id][1],
    } for b, code, provider in session.execute(stmt)]


def claims_report(session: Session, school: School, year: AcademicYear | None = None) -> list[dict[str, Any]]:
    stmt = (select(BursaryClaim, Booking, Staff.staff_code, BursaryScheme.name)
            .join(Booking, Booking.id == BursaryClaim.booking_id).join(Staff, Staff.id == Booking.staff_id)
            .join(BursaryScheme, BursaryScheme.id == BursaryClaim.scheme_id)
            .where(BursaryClaim.school_id == school.id).order_by(Booking.start_date, BursaryClaim.id))
    if year is not None:
        stmt = stmt.where(in_year(Booking.start_date, year))
    return [{
        "id": c.id, "booking_id": c.booking_id, "staff_code": code, "course": b.title, "scheme": scheme,
        "status": c.status, "expected": c.expected, "claimed": c.claimed, "received": c.received,
        "deadline": _iso(c.deadline), "reference": c.reference,
    } for c, b, code, scheme in session.execute(stmt)]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
