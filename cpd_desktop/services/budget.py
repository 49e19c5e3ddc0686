"""The CPD budget: what each budget line of a financial year has committed, spent, expects back and has left.

Which line a booking is spent against (one rule, used by the budget report, the bookings report, the
workbook and the window):

1. the line of the booking's financial year whose budget code the booking carries;
2. otherwise the line of that year for its staff member's department (a line naming the department, or
   carrying the department's budget code);
3. otherwise "Unallocated".

An activity with a cost of its own and no booking counts the same way through its person (rule 2).
A booking counts in the financial year of its start date, a claim in the year of its booking.

Per line: **committed** is the cost of bookings approved or booked and not yet attended; **spent** the cost
of bookings attended and activities' own costs; both include cover (cover days × day rate). **Bursary
expected** is what claims not rejected or withdrawn are expected to bring (the amount received once a
claim is paid), **bursary received** what has come in; claims on bookings still only planned, or
cancelled, count in neither, as their costs count nowhere. **Net forecast** = spent + committed − bursary
expected; **remaining** = budget − net forecast. Everything is added up in SQL.

A line may also set an amount per cost head (fee, travel, accommodation, subsistence, supply cover): each
head's committed and spent money (bookings only: an activity's own cost has no head) is then shown against it.

**Staff time** (off until the school sets a daily cost of a teacher's time): INSET and internal CPD (activities
in school with no booking and no cost of their own) cost the school its teachers' time, not cash. Their hours,
in days of ``STAFF_DAY_HOURS``, times the daily cost, are shown beside the cash and never added to it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, cast, extract, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from ..errors import NotFoundError, ValidationError
from ..models import Activity, Booking, BudgetLine, BursaryClaim, Department, School, Staff
from ..models.base import Hours, Money
from ..models.budget import COST_HEADS
from .years import FinancialYear, financial_year_of

ZERO = Decimal("0.00")
UNALLOCATED = "Unallocated"
COMMITTED_STATUSES = ("approved", "booked")
SPENT_STATUSES = ("attended",)
COUNTED_STATUSES = COMMITTED_STATUSES + SPENT_STATUSES
LIVE_CLAIM = ("rejected", "withdrawn")  # the claim statuses that bring nothing
HEAD_LABELS = {"fee": "Fee", "travel": "Travel", "accommodation": "Accommodation", "subsistence": "Subsistence",
               "cover": "Supply cover"}
# A teacher's directed day: 1,265 hours of directed time over 195 days (the School Teachers' Pay and Conditions
# Document) is 6.5 hours; INSET and internal CPD hours are turned into days of staff time with it.
STAFF_DAY_HOURS = Decimal("6.5")
# CPD done in school with no booking and no cost of its own: what costs the school its teachers' time.
INTERNAL_FORMATS = ("inset", "coaching", "lesson_study")
FIGURES = {"committed": "Committed", "spent": "Spent", "bursary_expected": "Bursary expected",
           "bursary_received": "Bursary received"}


# -- financial years ------------------------------------------------------------------------------------------
def fy_text(fy: FinancialYear) -> str:
    """2026-27 (or 2026 when the school's year is the calendar year): as the command line writes it."""
    return fy.label.removeprefix("FY ")


def parse_financial_year(text: Any, start_month: int = 4, *, field: str = "Financial year") -> FinancialYear:
    """'2026-27', '2026/27', 'FY 2026-27' or '2026' → the school's financial year that starts in 2026."""
    raw = " ".join(str(text if text is not None else "").split())
    m = re.fullmatch(r"(?:FY\s*)?(\d{4})(?:\s*[/\-–]\s*(\d{2}|\d{4}))?", raw, flags=re.IGNORECASE)
    if m:
        first = int(m.group(1))
        second = m.group(2)
        if 1900 <= first <= 2998 and (second is None or int(second) in (first + 1, (first + 1) % 100)):
            return FinancialYear(first, start_month)
    raise ValidationError(field, f"'{raw}' is not a financial year." if raw else "is empty.",
                          hint="Write it as 2026-27.")


def current_financial_year(school: School, today: dt.date | None = None) -> FinancialYear:
    return financial_year_of(today or dt.date.today(), school.financial_year_start_month)


def recent_financial_years(school: School, today: dt.date | None = None) -> list[FinancialYear]:
    """The years a business manager chooses between: next year, this year, then the two before."""
    now = current_financial_year(school, today)
    return [FinancialYear(now.start_year + d, now.start_month) for d in (1, 0, -1, -2)]


def financial_year_arg(school: School, text: str | None, today: dt.date | None = None) -> FinancialYear:
    if text is None or not str(text).strip():
        return current_financial_year(school, today)
    return parse_financial_year(text, school.financial_year_start_month, field="--financial-year")


# -- which line ------------------------------------------------------------------------------------------------
def fy_of_sql(day: Any, start_month: int) -> Any:
    """The financial year (its start year) of a date column, in SQL."""
    year = cast(extract("year", day), Integer)
    if start_month == 1:
        return year
    return year - case((cast(extract("month", day), Integer) < start_month, 1), else_=0)


def _department_line(staff_id: Any, school_id: Any, fy: Any) -> Any:
    # Aliases: the outer query may itself read staff, department or budget_line, which must not correlate.
    st, d, bl = aliased(Staff), aliased(Department), aliased(BudgetLine)
    return (select(func.min(bl.id)).select_from(st).join(d, d.id == st.department_id)
            .join(bl, or_(bl.department_id == d.id, func.lower(bl.budget_code) == func.lower(func.trim(d.budget_code))))
            .where(st.id == staff_id, bl.school_id == school_id, bl.financial_year == fy)
            .scalar_subquery())


def department_line_ids(session: Session, school: School, fy: FinancialYear, department: str) -> set[int]:
    """The lines of the year that are ``department``'s by the rule above (naming the department, or carrying its
    budget code): what the Budget view shows with a department chosen."""
    d, bl = aliased(Department), aliased(BudgetLine)
    return set(session.scalars(
        select(bl.id).join(d, or_(bl.department_id == d.id,
                                  func.lower(bl.budget_code) == func.lower(func.trim(d.budget_code))))
        .where(bl.school_id == school.id, bl.financial_year == fy.start_year, d.school_id == school.id,
               func.lower(d.name) == department.strip().lower())))


def booking_line_sql(fy: Any) -> Any:
    """The id of the line a booking row is spent against in financial year ``fy`` (NULL: unallocated)."""
    bl = aliased(BudgetLine)
    by_code = (select(func.min(bl.id))
               .where(bl.school_id == Booking.school_id, bl.financial_year == fy,
                      func.lower(bl.budget_code) == func.lower(func.trim(Booking.budget_code)))
               .scalar_subquery())
    return func.coalesce(by_code, _department_line(Booking.staff_id, Booking.school_id, fy))


def activity_line_sql(fy: Any) -> Any:
    return _department_line(Activity.staff_id, Activity.school_id, fy)


def _money(expr: Any) -> Any:
    return type_coerce(func.coalesce(func.sum(expr), 0), Money())


def booking_cost_sql() -> Any:
    return (Booking.fee + Booking.travel + Booking.accommodation + Booking.subsistence
            + Booking.cover_days * Booking.cover_day_rate)


def head_cost_sql(head: str) -> Any:
    """One cost head of a booking row, in SQL (cover: its days × its day rate)."""
    if head == "cover":
        return Booking.cover_days * Booking.cover_day_rate
    column: Any = getattr(Booking, head)
    return column


def _claim_expected() -> Any:
    return case((BursaryClaim.status == "paid", func.coalesce(BursaryClaim.received, 0)),
                else_=BursaryClaim.expected)


# -- the figures -------------------------------------------------------------------------------------------------
@dataclass
class HeadFigures:
    """One cost head of a line: the amount the line sets for it (None: none set), committed and spent."""

    head: str  # one of COST_HEADS
    amount: Decimal | None = None
    committed: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def label(self) -> str:
        return HEAD_LABELS[self.head]

    @property
    def used(self) -> Decimal:
        return self.committed + self.spent

    @property
    def remaining(self) -> Decimal | None:
        """The head's amount less what is committed and spent on it (None when the line sets no amount)."""
        return None if self.amount is None else self.amount - self.used

    def as_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "committed": self.committed, "spent": self.spent,
                "remaining": self.remaining}


def _no_heads() -> dict[str, HeadFigures]:
    return {h: HeadFigures(h) for h in COST_HEADS}


@dataclass
class BudgetRow:
    line_id: int | None  # None: Unallocated
    line: str
    budget_code: str | None
    department: str | None
    budget: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO
    bursary_expected: Decimal = ZERO
    bursary_received: Decimal = ZERO
    heads: dict[str, HeadFigures] = field(default_factory=_no_heads)

    @property
    def sets_heads(self) -> bool:
        """Whether the line sets an amount for any cost head."""
        return any(h.amount is not None for h in self.heads.values())

    def shown_heads(self) -> list[HeadFigures]:
        """The heads worth showing beside the line's totals: on a line that sets head amounts, each head with an
        amount or with money on it; none on a line that sets no amounts."""
        if not self.sets_heads:
            return []
        return [h for h in self.heads.values() if h.amount is not None or h.used]

    @property
    def net_forecast(self) -> Decimal:
        return self.spent + self.committed - self.bursary_expected

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.net_forecast

    @property
    def used_share(self) -> float | None:
        """The net forecast as a share of the budget (None for a line with no budget)."""
        return float(self.net_forecast / self.budget) if self.budget > 0 else None

    def as_dict(self, fy: FinancialYear) -> dict[str, Any]:
        return {"financial_year": fy_text(fy), "line": self.line, "budget_code": self.budget_code,
                "department": self.department, "budget": self.budget, "committed": self.committed,
                "spent": self.spent, "bursary_expected": self.bursary_expected,
                "bursary_received": self.bursary_received, "net_forecast": self.net_forecast,
                "remaining": self.remaining}


def lines_of(session: Session, school: School, fy: FinancialYear) -> list[BudgetLine]:
    return list(session.scalars(select(BudgetLine).where(BudgetLine.school_id == school.id,
                                                         BudgetLine.financial_year == fy.start_year)
                                .order_by(BudgetLine.name, BudgetLine.budget_code)))


def budget_rows(session: Session, school: School, fy: FinancialYear) -> list[BudgetRow]:
    """One row per budget line of the year, then "Unallocated" when anything falls there."""
    year = fy.start_year
    rows: dict[int | None, BudgetRow] = {}
    for line, dept in session.execute(
            select(BudgetLine, Department.name).outerjoin(Department, Department.id == BudgetLine.department_id)
            .where(BudgetLine.school_id == school.id, BudgetLine.financial_year == year)
            .order_by(BudgetLine.name, BudgetLine.budget_code)):
        rows[line.id] = BudgetRow(line.id, line.name, line.budget_code, dept, budget=line.amount)
        for head in COST_HEADS:
            rows[line.id].heads[head].amount = line.head_amount(head)
    unallocated = BudgetRow(None, UNALLOCATED, None, None)

    def row(line_id: int | None) -> BudgetRow:
        return rows.get(line_id, unallocated) if line_id is not None else unallocated

    in_year = and_(Booking.school_id == school.id, Booking.status.in_(COUNTED_STATUSES),
                   Booking.start_date.between(fy.start, fy.end))
    bk = (select(booking_line_sql(literal(year)).label("line_id"), Booking.status.label("status"),
                 booking_cost_sql().label("cost"), *(head_cost_sql(h).label(h) for h in COST_HEADS))
          .where(in_year).subquery())
    by_stage = [_money(case((bk.c.status.in_(statuses), bk.c[h]), else_=0))
                for h in COST_HEADS for statuses in (COMMITTED_STATUSES, SPENT_STATUSES)]
    for line_id, committed, spent, *per_head in session.execute(
            select(bk.c.line_id, _money(case((bk.c.status.in_(COMMITTED_STATUSES), bk.c.cost), else_=0)),
                   _money(case((bk.c.status.in_(SPENT_STATUSES), bk.c.cost), else_=0)), *by_stage)
            .group_by(bk.c.line_id)):
        r = row(line_id)
        r.committed += committed
        r.spent += spent
        for n, head in enumerate(COST_HEADS):
            r.heads[head].committed += per_head[2 * n]
            r.heads[head].spent += per_head[2 * n + 1]
    act = (select(activity_line_sql(literal(year)).label("line_id"), Activity.cost.label("cost"))
           .where(Activity.school_id == school.id, Activity.booking_id.is_(None), Activity.cost.is_not(None),
                  Activity.date.between(fy.start, fy.end)).subquery())
    for line_id, spent in session.execute(select(act.c.line_id, _money(act.c.cost)).group_by(act.c.line_id)):
        row(line_id).spent += spent
    cl = (select(booking_line_sql(literal(year)).label("line_id"), _claim_expected().label("expected"),
                 func.coalesce(BursaryClaim.received, 0).label("received"))
          .join(Booking, Booking.id == BursaryClaim.booking_id)
          .where(in_year, BursaryClaim.status.not_in(LIVE_CLAIM)).subquery())
    for line_id, expected, received in session.execute(
            select(cl.c.line_id, _money(cl.c.expected), _money(cl.c.received)).group_by(cl.c.line_id)):
        r = row(line_id)
        r.bursary_expected += expected
        r.bursary_received += received
    out = list(rows.values())
    if any((unallocated.committed, unallocated.spent, unallocated.bursary_expected, unallocated.bursary_received)):
        out.append(unallocated)
    return out


def budget_total(rows: list[BudgetRow]) -> BudgetRow:
    """The year's lines (and "Unallocated") added together: the total row of the window and the PDF."""
    return BudgetRow(None, "Total", None, None,
                     budget=sum((r.budget for r in rows), ZERO), committed=sum((r.committed for r in rows), ZERO),
                     spent=sum((r.spent for r in rows), ZERO),
                     bursary_expected=sum((r.bursary_expected for r in rows), ZERO),
                     bursary_received=sum((r.bursary_received for r in rows), ZERO))


def budget_report(session: Session, school: School, fy: FinancialYear, *,
                  heads: bool = False) -> list[dict[str, Any]]:
    """Rows for ``cpd-desktop report budget`` (the public JSON keys). With ``heads``, each row also has
    ``heads``: per cost head, the line's amount for it (null: none set), committed, spent and remaining."""
    out = []
    for r in budget_rows(session, school, fy):
        values = r.as_dict(fy)
        if heads:
            values["heads"] = {h.head: h.as_dict() for h in r.heads.values()}
        out.append(values)
    return out


# -- staff time: not cash -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StaffTime:
    """What INSET and internal CPD cost the school in teachers' time in a year: never cash, never in the budget."""

    hours: Decimal
    activities: int
    day_cost: Decimal

    @property
    def days(self) -> Decimal:
        return (self.hours / STAFF_DAY_HOURS).quantize(Decimal("0.1"))

    @property
    def cost(self) -> Decimal:
        return (self.hours / STAFF_DAY_HOURS * self.day_cost).quantize(Decimal("0.01"))

    def sentence(self, fy: FinancialYear) -> str:
        """The figure as the summaries say it, labelled as not cash."""
        return self.sentence_for(fy_text(fy))

    def sentence_for(self, year: str) -> str:
        """The same, for a year already written ('2026-27')."""
        from .formatting import format_hours, format_money

        return (f"Staff time, not cash: INSET and internal CPD in {year} took {format_hours(self.hours)} "
                f"hours (about {self.days} days of {STAFF_DAY_HOURS} hours); at {format_money(self.day_cost)} a day "
                f"that is {format_money(self.cost)} of teachers' time. It is not spent from the budget and is not "
                "in its figures.")

    def as_dict(self) -> dict[str, Any]:
        return {"hours": self.hours, "days": self.days, "day_cost": self.day_cost, "cost": self.cost,
                "activities": self.activities, "cash": False}


def staff_time(session: Session, school: School, fy: FinancialYear) -> StaffTime | None:
    """The year's INSET and internal CPD in staff time (None while the school sets no daily cost: off).

    Counted: activities in the year in school (``INTERNAL_FORMATS``) with no booking and no cost of their own."""
    if school.staff_day_cost is None:
        return None
    hours, count = session.execute(
        select(type_coerce(func.coalesce(func.sum(Activity.hours), 0), Hours()), func.count(Activity.id))
        .where(Activity.school_id == school.id, Activity.booking_id.is_(None),
               Activity.format.in_(INTERNAL_FORMATS), func.coalesce(Activity.cost, 0) == 0,
               Activity.date.between(fy.start, fy.end))).one()
    return StaffTime(Decimal(hours), int(count), school.staff_day_cost)


# -- what is behind a figure --------------------------------------------------------------------------------------
@dataclass
class BudgetItem:
    """A booking (or an activity's own cost) counted in a year's budget, and where it counts."""

    kind: str  # "booking" or "activity"
    id: int
    staff_code: str
    name: str
    department: str | None
    title: str
    start_date: dt.date
    status: str
    stage: str  # "Committed" or "Spent"
    line_id: int | None
    line: str
    budget_code: str | None
    fee: Decimal
    travel: Decimal
    accommodation: Decimal
    subsistence: Decimal
    cover: Decimal
    other: Decimal  # an activity's own cost
    bursary_expected: Decimal
    bursary_received: Decimal

    @property
    def total_cost(self) -> Decimal:
        return self.fee + self.travel + self.accommodation + self.subsistence + self.cover + self.other


def budget_items(session: Session, school: School, fy: FinancialYear) -> list[BudgetItem]:
    """Every booking and costed activity counted in the year's budget, by date."""
    year = fy.start_year
    lines = {ln.id: ln for ln in lines_of(session, school, fy)}
    claims = (select(BursaryClaim.booking_id.label("bid"), _money(_claim_expected()).label("expected"),
                     _money(func.coalesce(BursaryClaim.received, 0)).label("received"))
              .where(BursaryClaim.school_id == school.id, BursaryClaim.status.not_in(LIVE_CLAIM))
              .group_by(BursaryClaim.booking_id).subquery())
    line = booking_line_sql(literal(year)).label("line_id")
    cover = type_coerce(Booking.cover_days * Booking.cover_day_rate, Money())
    stmt = (select(Booking.id, Staff.staff_code, Staff.forename, Staff.surname, Department.name, Booking.title,
                   Booking.start_date, Booking.status, line, Booking.fee, Booking.travel, Booking.accommodation,
                   Booking.subsistence, cover, type_coerce(func.coalesce(claims.c.expected, 0), Money()),
                   type_coerce(func.coalesce(claims.c.received, 0), Money()))
            .join(Staff, Staff.id == Booking.staff_id).outerjoin(Department, Department.id == Staff.department_id)
            .outerjoin(claims, claims.c.bid == Booking.id)
            .where(Booking.school_id == school.id, Booking.status.in_(COUNTED_STATUSES),
                   Booking.start_date.between(fy.start, fy.end)))
    out: list[BudgetItem] = []
    for (bid, code, fore, sur, dept, title, start, status, line_id, fee, travel, acc, subs, cov, exp,
         rec) in session.execute(stmt):
        ln = lines.get(line_id)
        out.append(BudgetItem("booking", bid, code, f"{fore} {sur}", dept, title, start, status,
                              "Spent" if status in SPENT_STATUSES else "Committed", line_id,
                              ln.name if ln else UNALLOCATED, ln.budget_code if ln else None,
                              fee, travel, acc, subs, cov, ZERO, exp, rec))
    act_line = activity_line_sql(literal(year)).label("line_id")
    for aid, code, fore, sur, dept, title, day, line_id, cost in session.execute(
            select(Activity.id, Staff.staff_code, Staff.forename, Staff.surname, Department.name, Activity.title,
                   Activity.date, act_line, Activity.cost)
            .join(Staff, Staff.id == Activity.staff_id).outerjoin(Department, Department.id == Staff.department_id)
            .where(Activity.school_id == school.id, Activity.booking_id.is_(None), Activity.cost.is_not(None),
                   Activity.date.between(fy.start, fy.end))):
        ln = lines.get(line_id)
        out.append(BudgetItem("activity", aid, code, f"{fore} {sur}", dept, title, day, "attended", "Spent",
                              line_id, ln.name if ln else UNALLOCATED, ln.budget_code if ln else None,
                              ZERO, ZERO, ZERO, ZERO, ZERO, cost, ZERO, ZERO))
    out.sort(key=lambda i: (i.start_date, i.kind, i.id))
    return out


def items_behind(session: Session, school: School, fy: FinancialYear, line_id: int | None,
                 figure: str, *, every_line: bool = False) -> list[BudgetItem]:
    """The bookings (and activities) behind one figure of one line (with ``every_line``, of the year's total):
    what a click on it lists."""
    if figure not in FIGURES:
        raise NotFoundError(f"There is no budget figure '{figure}'.")
    chosen = [i for i in budget_items(session, school, fy) if every_line or i.line_id == line_id]
    if figure == "committed":
        return [i for i in chosen if i.stage == "Committed"]
    if figure == "spent":
        return [i for i in chosen if i.stage == "Spent"]
    key = figure
    return [i for i in chosen if getattr(i, key) != 0]


def booking_allocations(session: Session, school: School) -> dict[int, tuple[str, str | None]]:
    """booking id → (its financial year as written, e.g. '2026-27'; the budget code of the line it counts
    against, None when unallocated), for every booking of the school (``report bookings``)."""
    start_month = school.financial_year_start_month
    fy = fy_of_sql(Booking.start_date, start_month)
    line = booking_line_sql(fy).label("line_id")
    stmt = (select(Booking.id, fy.label("fy"), BudgetLine.budget_code)
            .select_from(Booking)
            .outerjoin(BudgetLine, BudgetLine.id == line)
            .where(Booking.school_id == school.id))
    return {bid: (fy_text(FinancialYear(int(year), start_month)), code) for bid, year, code in session.execute(stmt)}


# -- the planner's warning --------------------------------------------------------------------------------------
@dataclass
class LineForecast:
    row: BudgetRow
    fy: FinancialYear
    cost: Decimal  # what the booking adds, if it is not yet counted

    @property
    def remaining_after(self) -> Decimal:
        return self.row.remaining - self.cost

    @property
    def overspends(self) -> bool:
        return self.row.line_id is not None and self.remaining_after < 0


@cache
def _line_of_one_booking() -> Any:
    """The statement finding one booking's line (parameters ``fy`` and ``booking_id``), built once: building
    its aliased subqueries costs more than running it."""
    return select(booking_line_sql(bindparam("fy", type_=Integer))).where(Booking.id == bindparam("booking_id"))


def _line_id_of_booking(session: Session, booking: Booking, fy: FinancialYear) -> int | None:
    if booking.id is None:
        return None
    line_id: int | None = session.scalar(_line_of_one_booking(), {"fy": fy.start_year, "booking_id": booking.id})
    return line_id


def line_code_of_booking(session: Session, school: School, booking: Booking) -> str | None:
    """The budget code of the line a booking counts against in its financial year (None: unallocated): what
    its bursary claim is credited to."""
    fy = financial_year_of(booking.start_date, school.financial_year_start_month)
    line_id = _line_id_of_booking(session, booking, fy)
    line = session.get(BudgetLine, line_id) if line_id is not None else None
    return line.budget_code if line is not None else None


def forecast_for_booking(session: Session, school: School, booking: Booking) -> LineForecast:
    """The line a booking counts against, its money left, and what this booking would add to it when it is
    not yet counted there (a planned booking being approved)."""
    fy = financial_year_of(booking.start_date, school.financial_year_start_month)
    line_id = _line_id_of_booking(session, booking, fy)
    rows = {r.line_id: r for r in budget_rows(session, school, fy)}
    row = rows.get(line_id) or BudgetRow(None, UNALLOCATED, None, None)
    cost = ZERO if booking.status in COUNTED_STATUSES else booking.total_cost
    return LineForecast(row, fy, cost)


def overspend_warning(session: Session, school: School, booking: Booking) -> str | None:
    """A plain sentence when approving or booking ``booking`` would take its line over budget."""
    from .formatting import format_money

    f = forecast_for_booking(session, school, booking)
    if not f.overspends:
        return None
    return (f"This booking would overspend the {f.row.line} budget ({f.row.budget_code}) for {fy_text(f.fy)}: "
            f"{format_money(f.row.remaining)} is left and it costs {format_money(f.cost)}, "
            f"leaving {format_money(f.remaining_after)}.")


def get_line(session: Session, school: School, fy: FinancialYear, budget_code: str) -> BudgetLine:
    found = session.scalar(select(BudgetLine).where(
        BudgetLine.school_id == school.id, BudgetLine.financial_year == fy.start_year,
        func.lower(BudgetLine.budget_code) == budget_code.strip().lower()))
    if found is None:
        raise NotFoundError(f"There is no budget line {budget_code} in {fy_text(fy)}.")
    return found


# -- month by month ---------------------------------------------------------------------------------------------
@dataclass
class MonthFigures:
    month: dt.date  # its first day
    committed: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"


def monthly_profile(session: Session, school: School, fy: FinancialYear, *,
                    lines: set[int] | None = None) -> list[MonthFigures]:
    """The year's committed and spent money month by month (by each booking's start, each activity's date),
    every month of the financial year in order, in SQL; with ``lines``, only what counts against those lines."""
    months: list[MonthFigures] = []
    day = fy.start
    while day <= fy.end:
        months.append(MonthFigures(day))
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    at = {(m.month.year, m.month.month): m for m in months}
    y, mo = cast(extract("year", Booking.start_date), Integer), cast(extract("month", Booking.start_date), Integer)
    bk = (select(y.label("y"), mo.label("m"), Booking.status.label("status"), booking_cost_sql().label("cost"))
          .where(Booking.school_id == school.id, Booking.status.in_(COUNTED_STATUSES),
                 Booking.start_date.between(fy.start, fy.end),
                 *([booking_line_sql(literal(fy.start_year)).in_(lines)] if lines is not None else []))
          .subquery())
    for year, month, committed, spent in session.execute(
            select(bk.c.y, bk.c.m, _money(case((bk.c.status.in_(COMMITTED_STATUSES), bk.c.cost), else_=0)),
                   _money(case((bk.c.status.in_(SPENT_STATUSES), bk.c.cost), else_=0)))
            .group_by(bk.c.y, bk.c.m)):
        at[(year, month)].committed += committed
        at[(year, month)].spent += spent
    ay, am = cast(extract("year", Activity.date), Integer), cast(extract("month", Activity.date), Integer)
    act = (select(ay.label("y"), am.label("m"), Activity.cost.label("cost"))
           .where(Activity.school_id == school.id, Activity.booking_id.is_(None), Activity.cost.is_not(None),
                  Activity.date.between(fy.start, fy.end),
                  *([activity_line_sql(literal(fy.start_year)).in_(lines)] if lines is not None else []))
           .subquery())
    for year, month, spent in session.execute(select(act.c.y, act.c.m, _money(act.c.cost))
                                              .group_by(act.c.y, act.c.m)):
        at[(year, month)].spent += spent
    return months
