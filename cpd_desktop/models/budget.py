"""The school's CPD budget: one line per financial year and budget code, against which bookings are spent."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Money, Versioned

if TYPE_CHECKING:
    from .school import Department


# The cost heads a line may set an amount for (migration 0009): a booking's own money columns, and cover.
COST_HEADS = ("fee", "travel", "accommodation", "subsistence", "cover")


class BudgetLine(Versioned, Base):
    """A sum of money for CPD in one of the school's financial years (``financial_year``: the calendar
    year it starts in, 2026 for 2026-27), under a budget code; optionally a department's."""

    __tablename__ = "budget_line"
    __table_args__ = (
        UniqueConstraint("school_id", "financial_year", "budget_code"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("financial_year BETWEEN 1900 AND 2999", name="financial_year"),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
        CheckConstraint("length(trim(budget_code)) > 0", name="code_present"),
        *(CheckConstraint(f"{head}_amount IS NULL OR {head}_amount >= 0", name=f"{head}_amount")
          for head in COST_HEADS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    budget_code: Mapped[str] = mapped_column(String(40))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))
    amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    # Optional: how much of the amount is meant for each cost head (empty: no amount set for that head).
    fee_amount: Mapped[Decimal | None] = mapped_column(Money())
    travel_amount: Mapped[Decimal | None] = mapped_column(Money())
    accommodation_amount: Mapped[Decimal | None] = mapped_column(Money())
    subsistence_amount: Mapped[Decimal | None] = mapped_column(Money())
    cover_amount: Mapped[Decimal | None] = mapped_column(Money())

    department: Mapped[Department | None] = relationship()

    def head_amount(self, head: str) -> Decimal | None:
        """The amount set for one of ``COST_HEADS``, or None."""
        value: Decimal | None = getattr(self, f"{head}_amount")
        return value

    def __repr__(self) -> str:
        return f"BudgetLine({self.financial_year}, {self.budget_code!r}, {self.amount})"
