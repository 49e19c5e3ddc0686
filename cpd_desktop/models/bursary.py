"""Bursary schemes (their editable rules) and the school's claims against them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Money, Versioned
from .enums import BURSARY_RULES, CLAIM_STATUSES, in_list

if TYPE_CHECKING:
    from .booking import Booking


# (SQL, name) of the CHECKs that keep a claim's dates in the order of its states; migration 0003 adds them.
CLAIM_DATE_ORDER = [
    ("approved_on IS NULL OR submitted_on IS NULL OR approved_on >= submitted_on", "approved_after_submitted"),
    ("paid_on IS NULL OR approved_on IS NULL OR paid_on >= approved_on", "paid_after_approved"),
    ("paid_on IS NULL OR submitted_on IS NULL OR paid_on >= submitted_on", "paid_after_submitted"),
]


class BursaryScheme(Versioned, Base):
    """A funder's bursary as the school records its rules, for the dates it runs."""

    __tablename__ = "bursary_scheme"
    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint(in_list("rule", BURSARY_RULES), name="rule"),
        CheckConstraint("amount >= 0 AND implementation_amount >= 0", name="amount_not_negative"),
        CheckConstraint("claim_deadline_days BETWEEN 0 AND 730", name="deadline_days"),
        CheckConstraint("min_days >= 0", name="min_days"),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="valid_dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Funding changes year to year: a claim is made only under a scheme valid on the course's start date.
    # Empty ends are open (a scheme with neither date is valid whenever).
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    eligibility: Mapped[str | None] = mapped_column(String(500))
    funder: Mapped[str | None] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(20), default="per_day")
    amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))  # per day or per course
    # For the actual-costs rule: which cost heads the scheme pays.
    covers_fee: Mapped[bool] = mapped_column(Boolean, default=True)
    covers_travel: Mapped[bool] = mapped_column(Boolean, default=True)
    covers_accommodation: Mapped[bool] = mapped_column(Boolean, default=True)
    covers_subsistence: Mapped[bool] = mapped_column(Boolean, default=True)
    covers_cover: Mapped[bool] = mapped_column(Boolean, default=True)
    implementation_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    min_days: Mapped[int] = mapped_column(Integer, default=0)
    state_funded_only: Mapped[bool] = mapped_column(Boolean, default=True)
    claim_deadline_days: Mapped[int] = mapped_column(Integer, default=60)
    evidence_required: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Most schemes pay after the course; one that pays in advance takes claims dated before it starts.
    pays_in_advance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notes: Mapped[str | None] = mapped_column(Text)

    def valid_on(self, day: dt.date) -> bool:
        """Whether the scheme runs on ``day`` (its ends included)."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def expired_by(self, today: dt.date) -> bool:
        """Whether the scheme ended before ``today``."""
        return self.valid_to is not None and self.valid_to < today

    def __repr__(self) -> str:
        return f"BursaryScheme({self.name!r})"


class BursaryClaim(Versioned, Base):
    __tablename__ = "bursary_claim"
    __table_args__ = (
        UniqueConstraint("booking_id", "scheme_id"),
        CheckConstraint(in_list("status", CLAIM_STATUSES), name="status"),
        CheckConstraint(
            "expected >= 0 AND (claimed IS NULL OR claimed >= 0) AND (received IS NULL OR received >= 0)",
            name="money_not_negative",
        ),
        # A claim's dates follow its states: submitted, then approved, then paid.
        CheckConstraint(*CLAIM_DATE_ORDER[0]),
        CheckConstraint(*CLAIM_DATE_ORDER[1]),
        CheckConstraint(*CLAIM_DATE_ORDER[2]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="RESTRICT"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("bursary_scheme.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    expected: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    claimed: Mapped[Decimal | None] = mapped_column(Money())
    received: Mapped[Decimal | None] = mapped_column(Money())
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)  # rejected or withdrawn
    reference: Mapped[str | None] = mapped_column(String(60))
    evidence_attendance: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_evaluation: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_invoice: Mapped[bool] = mapped_column(Boolean, default=False)
    budget_code: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)

    booking: Mapped[Booking] = relationship()
    scheme: Mapped[BursaryScheme] = relationship()

    def __repr__(self) -> str:
        return f"BursaryClaim({self.id}, {self.status})"
