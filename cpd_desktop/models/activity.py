"""CPD done: one activity of one staff member, its evaluation and the DfE Standard parts it meets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Hours, Money, Versioned
from .enums import ACTIVITY_STATUSES, FORMATS, in_list

if TYPE_CHECKING:
    from .booking import Booking
    from .catalogue import Provider
    from .staff import Staff


class Activity(Versioned, Base):
    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_staff_date", "staff_id", "date"),
        Index("ix_activity_school_date", "school_id", "date"),
        CheckConstraint(in_list("format", FORMATS), name="format"),
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("end_date IS NULL OR end_date >= date", name="end_after_start"),
        CheckConstraint("cost IS NULL OR cost >= 0", name="cost_not_negative"),
        CheckConstraint("status IS NULL OR " + in_list("status", ACTIVITY_STATUSES), name="status"),
        CheckConstraint("impact_confidence IS NULL OR impact_confidence BETWEEN 1 AND 5", name="confidence"),
        CheckConstraint("length(trim(title)) > 0", name="title_present"),
        CheckConstraint("confidence_before IS NULL OR confidence_before BETWEEN 1 AND 5", name="confidence_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking.id", ondelete="SET NULL"), unique=True
    )
    date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Hours())
    title: Mapped[str] = mapped_column(String(300))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="SET NULL"))
    format: Mapped[str] = mapped_column(String(20), default="face_to_face")
    subject_specific: Mapped[bool] = mapped_column(Boolean, default=False)
    # Long activities (an NPQ over 18 months) carry a status; single events leave it empty.
    status: Mapped[str | None] = mapped_column(String(12))
    cost: Mapped[Decimal | None] = mapped_column(Money())
    std_pupil_outcomes: Mapped[bool] = mapped_column(Boolean, default=False)
    std_evidence: Mapped[bool] = mapped_column(Boolean, default=False)
    std_collaboration: Mapped[bool] = mapped_column(Boolean, default=False)
    std_sustained: Mapped[bool] = mapped_column(Boolean, default=False)
    std_prioritised: Mapped[bool] = mapped_column(Boolean, default=False)
    intended_outcomes: Mapped[str | None] = mapped_column(Text)
    evaluation_due: Mapped[dt.date | None] = mapped_column(Date)
    evaluated_on: Mapped[dt.date | None] = mapped_column(Date)
    impact_confidence: Mapped[int | None] = mapped_column(Integer)  # teacher confidence 1–5
    impact: Mapped[str | None] = mapped_column(Text)  # what changed in teaching
    pupil_outcomes: Mapped[str | None] = mapped_column(Text)
    follow_up_actions: Mapped[str | None] = mapped_column(Text)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    # Evaluating impact (models/impact.py): the priority served, the programme it belongs to, and the
    # teacher's confidence before (1–5); confidence after and later live on its evaluation stages.
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id", ondelete="SET NULL"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="SET NULL"))
    # The person's development objective it serves (models/impact.py Objective), if any.
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id", ondelete="SET NULL"))
    confidence_before: Mapped[int | None] = mapped_column(Integer)

    staff: Mapped[Staff] = relationship()
    provider: Mapped[Provider | None] = relationship()
    booking: Mapped[Booking | None] = relationship()

    @property
    def meets_all_standard_parts(self) -> bool:
        return all((self.std_pupil_outcomes, self.std_evidence, self.std_collaboration,
                    self.std_sustained, self.std_prioritised))

    def __repr__(self) -> str:
        return f"Activity({self.id}, {self.date}, {self.title!r}, {self.hours})"
