"""The school, its settings, term dates, non-teaching days, periods of the day and departments."""

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
    Time,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Hours, Money, Versioned
from .enums import PHASES, TERMS, in_list

if TYPE_CHECKING:
    from .staff import Staff


class School(Versioned, Base):
    __tablename__ = "school"
    __table_args__ = (
        CheckConstraint(in_list("phase", PHASES), name="phase"),
        CheckConstraint("academic_year_start_month BETWEEN 1 AND 12", name="ay_month"),
        CheckConstraint("financial_year_start_month BETWEEN 1 AND 12", name="fy_month"),
        CheckConstraint("cpd_target_hours > 0", name="target_positive"),
        CheckConstraint("subject_specific_target BETWEEN 0 AND 100", name="subject_share"),
        CheckConstraint("supply_day_rate >= 0", name="day_rate"),
        CheckConstraint("mileage_rate >= 0", name="mileage_rate"),
        CheckConstraint("evaluation_due_days BETWEEN 1 AND 365", name="evaluation_days"),
        CheckConstraint("leaver_retention_years BETWEEN 1 AND 50", name="retention"),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
        CheckConstraint("stage_end_days BETWEEN 0 AND 365 AND stage_classroom_days BETWEEN 0 AND 365 "
                        "AND stage_pupils_days BETWEEN 0 AND 730", name="stage_days"),
        CheckConstraint("staff_day_cost IS NULL OR staff_day_cost >= 0", name="staff_day_cost"),
        CheckConstraint("later_stages_hours >= 0", name="later_stages_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    urn: Mapped[str | None] = mapped_column(String(20))
    phase: Mapped[str] = mapped_column(String(20), default="secondary")
    postcode: Mapped[str | None] = mapped_column(String(10))
    state_funded: Mapped[bool] = mapped_column(Boolean, default=True)
    academic_year_start_month: Mapped[int] = mapped_column(Integer, default=9)
    financial_year_start_month: Mapped[int] = mapped_column(Integer, default=4)
    cpd_target_hours: Mapped[Decimal] = mapped_column(Hours(), default=Decimal("35.00"))
    subject_specific_target: Mapped[Decimal] = mapped_column(Hours(), default=Decimal("50.00"))
    supply_day_rate: Mapped[Decimal] = mapped_column(Money(), default=Decimal("291.00"))
    mileage_rate: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.45"))
    # A Monday of a week A, when the timetable runs on a two-week cycle.
    week_a_commencing: Mapped[dt.date | None] = mapped_column(Date)
    evaluation_due_days: Mapped[int] = mapped_column(Integer, default=42)
    leaver_retention_years: Mapped[int] = mapped_column(Integer, default=6)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Evaluation stages fall due this many days after an activity ends: 2 weeks, 6 weeks, a term.
    stage_end_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    stage_classroom_days: Mapped[int] = mapped_column(Integer, default=42, server_default="42")
    stage_pupils_days: Mapped[int] = mapped_column(Integer, default=91, server_default="91")
    # Which activities get the later stages (migration 0012): those of at least this many hours, and
    # (when ticked) every activity in a programme; a webinar gets the End stage only whatever these say.
    later_stages_hours: Mapped[Decimal] = mapped_column(Hours(), default=Decimal("6.00"), server_default="6")
    later_stages_programmes: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # What a day of a teacher's time costs (migration 0009); empty: the budget shows cash only.
    staff_day_cost: Mapped[Decimal | None] = mapped_column(Money())

    departments: Mapped[list[Department]] = relationship(back_populates="school", cascade="all, delete-orphan")
    terms: Mapped[list[TermDates]] = relationship(back_populates="school", cascade="all, delete-orphan")
    periods: Mapped[list[SchoolPeriod]] = relationship(
        back_populates="school", cascade="all, delete-orphan", order_by="SchoolPeriod.number"
    )
    staff: Mapped[list[Staff]] = relationship(back_populates="school")

    def __repr__(self) -> str:
        return f"School({self.name!r})"


class TermDates(Versioned, Base):
    """One term of one academic year, as the school sets it (overrides the defaults)."""

    __tablename__ = "term_dates"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year", "term"),
        CheckConstraint(in_list("term", TERMS), name="term"),
        CheckConstraint("end_date >= start_date", name="end_after_start"),
        CheckConstraint("academic_year BETWEEN 1990 AND 2200", name="year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    academic_year: Mapped[int] = mapped_column(Integer)  # the calendar year it starts in: 2025 for 2025/26
    term: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)

    school: Mapped[School] = relationship(back_populates="terms")


class NonTeachingDay(Versioned, Base):
    """A weekday inside term when the school is closed to pupils: an INSET day, a polling-day closure.

    Cover lessons, cover days and counts of school days leave these days out, as they leave out
    weekends, the holidays between terms and England's bank holidays.
    """

    __tablename__ = "non_teaching_day"
    __table_args__ = (
        UniqueConstraint("school_id", "date"),
        CheckConstraint("length(trim(reason)) > 0", name="reason_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="INSET day")

    def __repr__(self) -> str:
        return f"NonTeachingDay({self.date:%d/%m/%Y}, {self.reason!r})"


class SchoolPeriod(Versioned, Base):
    """A period of the school day (P1 09:00–10:00)."""

    __tablename__ = "school_period"
    __table_args__ = (
        UniqueConstraint("school_id", "number"),
        CheckConstraint("number BETWEEN 0 AND 20", name="number"),
        CheckConstraint("end_time > start_time", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(20))
    start_time: Mapped[dt.time] = mapped_column(Time)
    end_time: Mapped[dt.time] = mapped_column(Time)

    school: Mapped[School] = relationship(back_populates="periods")


class Department(Versioned, Base):
    __tablename__ = "department"
    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    budget_code: Mapped[str | None] = mapped_column(String(40))

    school: Mapped[School] = relationship(back_populates="departments")
    staff: Mapped[list[Staff]] = relationship(back_populates="department")

    def __repr__(self) -> str:
        return f"Department({self.name!r})"
