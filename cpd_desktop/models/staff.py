"""Staff members of a school."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Versioned

if TYPE_CHECKING:
    from .school import Department, School


class Staff(Versioned, Base):
    __tablename__ = "staff"
    __table_args__ = (
        UniqueConstraint("school_id", "staff_code"),
        CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
        CheckConstraint("ect_year IS NULL OR ect_year IN (1, 2)", name="ect_year"),
        CheckConstraint("leaving_date IS NULL OR start_date IS NULL OR leaving_date >= start_date",
                        name="leaving_after_start"),
        CheckConstraint("length(trim(forename)) > 0 AND length(trim(surname)) > 0", name="name_present"),
        CheckConstraint("length(trim(staff_code)) > 0", name="code_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    forename: Mapped[str] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100))
    staff_code: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str | None] = mapped_column(String(120))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"), index=True)
    fte: Mapped[float] = mapped_column(Numeric(4, 3, asdecimal=False), default=1.0)
    ect_year: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    leaving_date: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(String(4000))
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))

    school: Mapped[School] = relationship(back_populates="staff")
    department: Mapped[Department | None] = relationship(back_populates="staff")

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"

    def __repr__(self) -> str:
        return f"Staff({self.staff_code!r}, {self.full_name!r})"
