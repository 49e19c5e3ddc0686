"""Bursaries: claims from draft to paid (red: a draft past its deadline), and the schemes that pay them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, case, cast, literal, select

from ...models import Booking, BursaryClaim, BursaryScheme, Department, Staff
from ...models.enums import BURSARY_RULES, CLAIM_STATUSES
from ..bursaries import format_days
from ..formatting import format_date
from ..rules import in_department, in_year
from .base import Column, ListDef, Sort, Source, connect
from .shared import staff_name

OPEN_CLAIMS = ("draft", "submitted", "approved")
DEADLINE_WARNING = dt.timedelta(days=21)  # a draft whose deadline is this close is listed under "deadline"


class ClaimList(ListDef):
    """The school's bursary claims; ``today`` decides which drafts are past their deadline."""

    default_sort = Sort("start_date")

    def __init__(self, school_id: int, today: dt.date) -> None:
        super().__init__()
        self.id_expr = BursaryClaim.id
        self.school_id = school_id
        self.today = today
        self.style_expr = case(
            ((BursaryClaim.status == "draft") & BursaryClaim.deadline.is_not(None) & (BursaryClaim.deadline < today),
             literal("bad")),
            (BursaryClaim.status == "paid", literal("good")),
            (BursaryClaim.status.in_(("rejected", "withdrawn")), literal("muted")), else_=None)
        self.columns = [
            Column("start_date", "Course date", Booking.start_date, "date", width=90),
            Column("staff", "Member of staff", staff_name(), searchable=True, width=150, sort_expr=Staff.sort_name),
            Column("course", "Course", Booking.title, searchable=True, width=260),
            Column("scheme", "Scheme", BursaryScheme.name, searchable=True, width=150),
            Column("status", "Status", BursaryClaim.status, "choice", CLAIM_STATUSES, width=80),
            Column("expected", "Expected", BursaryClaim.expected, "money", width=85),
            Column("claimed", "Claimed", BursaryClaim.claimed, "money", width=85),
            Column("received", "Received", BursaryClaim.received, "money", width=85),
            Column("deadline", "Deadline", BursaryClaim.deadline, "date", width=85),
            Column("reference", "Reference", BursaryClaim.reference, searchable=True, width=100),
        ]
        self.filters = {
            "year": lambda year: in_year(Booking.start_date, year),
            "department": in_department,
            "status": self._status,
        }

    def _status(self, status: str) -> Any:
        if status == "open":
            return BursaryClaim.status.in_(OPEN_CLAIMS)
        if status == "deadline":  # drafts due within three weeks (or already late)
            return ((BursaryClaim.status == "draft") & BursaryClaim.deadline.is_not(None)
                    & (BursaryClaim.deadline <= self.today + DEADLINE_WARNING))
        return BursaryClaim.status == status

    def base(self, columns: list[Any], *, scan: bool = False) -> Select[Any]:
        return (select(*columns).select_from(BursaryClaim).join(Booking, Booking.id == BursaryClaim.booking_id)
                .join(Staff, Staff.id == Booking.staff_id).outerjoin(Department, Department.id == Staff.department_id)
                .join(BursaryScheme, BursaryScheme.id == BursaryClaim.scheme_id)
                .where(BursaryClaim.school_id == self.school_id))


@dataclass(frozen=True)
class SchemeDatesColumn(Column):
    """When a scheme runs, in one short cell: "Ended 31/03/2025" once past (the row is greyed too), "Until
    31/08/2026" while an end is set, "From 01/09/2025" with only a start, empty with neither. The SQL gives
    "to YYYY-MM-DD" or "from YYYY-MM-DD" (the end when there is one), so the column sorts and reads in one."""

    today: dt.date = dt.date.min

    def format(self, value: Any) -> str:
        if not isinstance(value, str) or " " not in value:
            return ""
        which, iso = value.split(" ", 1)
        day = dt.date.fromisoformat(iso[:10])
        if which == "from":
            return f"From {format_date(day)}"
        return f"{'Ended' if day < self.today else 'Until'} {format_date(day)}"


@dataclass(frozen=True)
class DaysColumn(Column):
    """A count of days that says so in its cell ("90 days", "1 day"), so that its title can be short."""

    def format(self, value: Any) -> str:
        return "" if value is None else format_days(value)


class SchemeList(ListDef):
    """The school's bursary schemes; ``today`` decides which have ended (shown greyed, "Ended dd/mm/yyyy").

    The ``expired`` filter shows the schemes that ended before today (True) or those still running (False)."""

    default_sort = Sort("name")

    def __init__(self, school_id: int, today: dt.date | None = None) -> None:
        super().__init__()
        self.id_expr = BursaryScheme.id
        self.version_expr = BursaryScheme.version
        self.school_id = school_id
        self.today = today or dt.date.today()
        ended = BursaryScheme.valid_to.is_not(None) & (BursaryScheme.valid_to < self.today)
        self.style_expr = case((ended, literal("muted")), else_=None)
        # The names get the room (at 1366×768 'Science CPD Partnership residential bursary' reads whole) and the
        # claim deadline a short title, its cells saying "days": "Claim within (days)" had wrapped to three lines.
        self.columns = (
            Column("name", "Scheme", BursaryScheme.name, searchable=True, width=300),
            Column("funder", "Funder", BursaryScheme.funder, searchable=True, width=120),
            # kind "datetime": the window keeps a column of them wide enough for "Ended 31/03/2025" whole
            SchemeDatesColumn("runs", "Runs", case(
                (BursaryScheme.valid_to.is_not(None), literal("to ") + cast(BursaryScheme.valid_to, String)),
                (BursaryScheme.valid_from.is_not(None), literal("from ") + cast(BursaryScheme.valid_from, String)),
                else_=None), "datetime", width=130, today=self.today),
            Column("rule", "Pays", BursaryScheme.rule, "choice", BURSARY_RULES, width=160),
            Column("amount", "Amount", BursaryScheme.amount, "money", width=80),
            Column("implementation", "Implementation sum", BursaryScheme.implementation_amount, "money", width=150),
            Column("min_days", "Minimum days", BursaryScheme.min_days, "int", width=110),
            DaysColumn("deadline", "Claim within", BursaryScheme.claim_deadline_days, "int", width=80,
                       tooltip="Claim deadline: a claim is due within this many days of the course's end"),
            Column("active", "Open", BursaryScheme.active, "bool", width=55),
        )
        self.filters = {"expired": lambda expired: ended if expired else ~ended}

    def base(self, columns: list[Any], *, scan: bool = False) -> Select[Any]:
        return select(*columns).select_from(BursaryScheme).where(BursaryScheme.school_id == self.school_id)


def bookings_to_claim(source: Source, school_id: int) -> list[tuple[int, str]]:
    """The bookings a claim can be raised for (not cancelled), newest first: (id, "date Forename Surname: title")."""
    stmt = (select(Booking.id, Booking.title, Booking.start_date, Staff.forename, Staff.surname)
            .join(Staff, Staff.id == Booking.staff_id)
            .where(Booking.school_id == school_id, Booking.status != "cancelled")
            .order_by(Booking.start_date.desc()))
    with connect(source) as conn:
        return [(r[0], f"{format_date(r[2])} {r[3]} {r[4]}: {r[1]}") for r in conn.execute(stmt)]
