"""Evaluating CPD: the school's priorities, named programmes, staged evaluations, department indicators,
the EEF mechanisms a course or programme uses, and each person's development objective for a year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Versioned, _Decimal2
from .enums import in_list

# Guskey's levels, asked in three stages counted from the activity's end.
STAGES = {
    "end": "End",  # levels 1–2: reaction and learning
    "classroom": "In the classroom",  # levels 3–4: support and use
    "pupils": "For pupils",  # level 5: outcomes
}


# The EEF's "Effective Professional Development" (2021): 14 mechanisms in four groups; effective PD uses at
# least one of each group. A course's or programme's mechanisms are stored as one integer, bit i standing for
# MECHANISMS[i]: append new ones at the end, never reorder (stored values would change meaning).
MECHANISM_GROUPS = {
    "knowledge": "Build knowledge",
    "motivate": "Motivate teachers",
    "techniques": "Develop teaching techniques",
    "embed": "Embed practice",
}
MECHANISMS: list[tuple[str, str, str]] = [  # key, name, group
    ("cognitive_load", "Manage cognitive load", "knowledge"),
    ("revisit", "Revisit prior learning", "knowledge"),
    ("goals", "Set and agree on goals", "motivate"),
    ("credible_source", "Credible source", "motivate"),
    ("praise", "Praise and reinforce", "motivate"),
    ("instruct", "Instruct", "techniques"),
    ("social_support", "Arrange social support", "techniques"),
    ("model", "Model the technique", "techniques"),
    ("feedback", "Monitor and give feedback", "techniques"),
    ("rehearse", "Rehearse the technique", "techniques"),
    ("prompts", "Prompts and cues", "embed"),
    ("action_planning", "Action planning", "embed"),
    ("self_monitoring", "Self-monitoring", "embed"),
    ("repetition", "Context-specific repetition", "embed"),
]
ALL_MECHANISMS = (1 << len(MECHANISMS)) - 1
MECHANISMS_CHECK = f"mechanisms BETWEEN 0 AND {ALL_MECHANISMS}"


def mechanism_names(bits: int) -> list[str]:
    """The names of the mechanisms a stored value stands for, in the EEF's order."""
    return [name for i, (_key, name, _group) in enumerate(MECHANISMS) if bits & (1 << i)]


OBJECTIVE_LENGTH = 300  # one or two lines: a light objective, not a portfolio


class IndicatorValue(_Decimal2):
    """A department indicator's value (a percentage, a count, a gap): NUMERIC(12, 2)."""

    cache_ok = True
    precision = 12


class Priority(Versioned, Base):
    """A school or department priority for one academic year (``academic_year``: 2025 for 2025/26)."""

    __tablename__ = "priority"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year", "name"),
        CheckConstraint("academic_year BETWEEN 1990 AND 2200", name="year"),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    academic_year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"Priority({self.academic_year}, {self.name!r})"


class Programme(Versioned, Base):
    """A named programme of several activities (an NPQ, a lesson-study cycle); planned dates optional."""

    __tablename__ = "programme"
    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="end_after_start"),
        CheckConstraint(MECHANISMS_CHECK, name="mechanisms"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    # The EEF mechanisms it uses (bit i: MECHANISMS[i]).
    mechanisms: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"Programme({self.name!r})"


class EvaluationStage(Versioned, Base):
    """One stage of one activity's evaluation: End, In the classroom or For pupils."""

    __tablename__ = "evaluation_stage"
    __table_args__ = (
        UniqueConstraint("activity_id", "stage"),
        CheckConstraint(in_list("stage", STAGES), name="stage"),
        CheckConstraint("confidence IS NULL OR confidence BETWEEN 1 AND 5", name="confidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(12))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    learnt: Mapped[str | None] = mapped_column(Text)
    does_differently: Mapped[str | None] = mapped_column(Text)
    helped_hindered: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    pupil_change: Mapped[str | None] = mapped_column(Text)
    how_measured: Mapped[str | None] = mapped_column(Text)
    pupil_groups: Mapped[str | None] = mapped_column(String(300))
    # End: confidence after; For pupils: confidence later (1–5).
    confidence: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"EvaluationStage({self.activity_id}, {self.stage!r}, done={self.done_on})"


class Indicator(Versioned, Base):
    """A department indicator for one academic year (GCSE science grade 4+ %, the disadvantaged gap)."""

    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year", "name", "pupil_group"),
        CheckConstraint("academic_year BETWEEN 1990 AND 2200", name="year"),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    academic_year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    value: Mapped[Decimal] = mapped_column(IndicatorValue())
    unit: Mapped[str] = mapped_column(String(20), default="", server_default="")
    pupil_group: Mapped[str] = mapped_column(String(100), default="", server_default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"Indicator({self.academic_year}, {self.name!r}, {self.value})"


class Objective(Versioned, Base):
    """A person's development objective for one academic year: one or two lines (appraisal-light), which may
    serve one of the year's priorities."""

    __tablename__ = "objective"
    __table_args__ = (
        UniqueConstraint("staff_id", "academic_year"),
        CheckConstraint("academic_year BETWEEN 1990 AND 2200", name="year"),
        CheckConstraint(f"length(trim(text)) BETWEEN 1 AND {OBJECTIVE_LENGTH}", name="text_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    academic_year: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(OBJECTIVE_LENGTH))
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"Objective({self.staff_id}, {self.academic_year})"
