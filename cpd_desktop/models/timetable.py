"""The teaching timetable, imported from the MIS, that fills cover sheets."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Versioned
from .enums import TIMETABLE_WEEKS, in_list


class TimetableLesson(Versioned, Base):
    __tablename__ = "timetable_lesson"
    __table_args__ = (
        UniqueConstraint("staff_id", "week", "weekday", "period"),
        CheckConstraint(in_list("week", TIMETABLE_WEEKS), name="week"),
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint("period BETWEEN 0 AND 20", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    week: Mapped[str] = mapped_column(String(5), default="every")
    weekday: Mapped[int] = mapped_column(Integer)  # Monday = 1
    period: Mapped[int] = mapped_column(Integer)
    class_group: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(100))
    room: Mapped[str | None] = mapped_column(String(40))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
