"""Bookings (planned CPD for one person) and the lessons to cover while they are away."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Hours, Money, Versioned
from .enums import BOOKING_STATUSES, FORMATS, WORK_RETURN, in_list

if TYPE_CHECKING:
    from .catalogue import Course, Provider
    from .staff import Staff


class Booking(Versioned, Base):
    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint(in_list("status", BOOKING_STATUSES), name="status"),
        CheckConstraint(in_list("format", FORMATS), name="format"),
        CheckConstraint("end_date >= start_date", name="end_after_start"),
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint(
            "fee >= 0 AND travel >= 0 AND accommodation >= 0 AND subsistence >= 0 AND cover_day_rate >= 0",
            name="money_not_negative",
        ),
        CheckConstraint("cover_days >= 0", name="cover_days"),
        CheckConstraint("length(trim(title)) > 0", name="title_present"),
        CheckConstraint("confidence_before IS NULL OR confidence_before BETWEEN 1 AND 5", name="confidence_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="SET NULL"))
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Hours())
    format: Mapped[str] = mapped_column(String(20), default="face_to_face")
    subject_specific: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    status_changed_on: Mapped[dt.date | None] = mapped_column(Date)
    cover_required: Mapped[bool] = mapped_column(Boolean, default=False)
    fee: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    travel: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    accommodation: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    subsistence: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    cover_days: Mapped[float] = mapped_column(Numeric(4, 1, asdecimal=False), default=0.0)
    cover_day_rate: Mapped[Decimal] = mapped_column(Money(), default=Decimal("291.00"))
    supply_invoice_ref: Mapped[str | None] = mapped_column(String(60))
    budget_code: Mapped[str | None] = mapped_column(String(40))
    intended_outcomes: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    cancellation_reason: Mapped[str | None] = mapped_column(String(500))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    # Planning backwards (models/impact.py): the priority it serves and the confidence before (1–5).
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id", ondelete="SET NULL"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="SET NULL"))
    # The person's development objective it serves (models/impact.py Objective), if any.
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id", ondelete="SET NULL"))
    confidence_before: Mapped[int | None] = mapped_column(Integer)

    staff: Mapped[Staff] = relationship()
    course: Mapped[Course | None] = relationship()
    provider: Mapped[Provider | None] = relationship()
    cover_lessons: Mapped[list[CoverLesson]] = relationship(
        back_populates="booking", cascade="all, delete-orphan",
        order_by="(CoverLesson.date, CoverLesson.period)",
    )

    @property
    def cover_cost(self) -> Decimal:
        # Half up, as the sums in SQL round (Money): half a day at £291.25 is £145.63.
        return (Decimal(str(self.cover_days)) * self.cover_day_rate).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def total_cost(self) -> Decimal:
        return self.fee + self.travel + self.accommodation + self.subsistence + self.cover_cost

    def __repr__(self) -> str:
        return f"Booking({self.id}, {self.title!r}, {self.status})"


class CoverLesson(Versioned, Base):
    """One lesson a booking takes its teacher away from, and what the cover teacher needs."""

    __tablename__ = "cover_lesson"
    __table_args__ = (
        UniqueConstraint("booking_id", "date", "period"),
        CheckConstraint(in_list("work_return", WORK_RETURN), name="work_return"),
        CheckConstraint("period BETWEEN 0 AND 20", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"), index=True)
    timetable_lesson_id: Mapped[int | None] = mapped_column(ForeignKey("timetable_lesson.id", ondelete="SET NULL"))
    date: Mapped[dt.date] = mapped_column(Date)
    period: Mapped[int] = mapped_column(Integer)
    class_group: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(100))
    room: Mapped[str | None] = mapped_column(String(40))
    work_set: Mapped[str | None] = mapped_column(Text)
    materials_location: Mapped[str | None] = mapped_column(String(500))
    work_return: Mapped[str] = mapped_column(String(12), default="none")
    technician_notes: Mapped[str | None] = mapped_column(Text)
    cover_teacher: Mapped[str | None] = mapped_column(String(120))
    feedback: Mapped[str | None] = mapped_column(Text)

    booking: Mapped[Booking] = relationship(back_populates="cover_lessons")
