"""Personal development objectives, appraisal-light: one or two lines per person per academic year, which may
serve one of the year's priorities. No portfolio, no ratings: a line the person and their leader agreed,
kept beside the CPD record so the hours can be read against it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Objective, Priority, School, Staff
from ..models.impact import OBJECTIVE_LENGTH
from .years import AcademicYear


@dataclass(frozen=True)
class ObjectiveRow:
    text: str
    priority_id: int | None
    version: int


def clean_objective(text: str) -> str:
    """The objective as stored: trimmed, at most two lines and ``OBJECTIVE_LENGTH`` characters."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > 2:
        raise ValidationError("Objective", f"Keep the objective to one or two lines (it has {len(lines)}).")
    cleaned = "\n".join(lines)
    if len(cleaned) > OBJECTIVE_LENGTH:
        raise ValidationError("Objective", f"Keep the objective to {OBJECTIVE_LENGTH} characters "
                                           f"(it has {len(cleaned)}).")
    return cleaned


def objective_of(session: Session, school: School, staff_id: int, year: AcademicYear) -> ObjectiveRow | None:
    found = session.execute(select(Objective.text, Objective.priority_id, Objective.version).where(
        Objective.school_id == school.id, Objective.staff_id == staff_id,
        Objective.academic_year == year.start_year)).first()
    return None if found is None else ObjectiveRow(found.text, found.priority_id, found.version)


def set_objective(session: Session, school: School, staff_id: int, year: AcademicYear, text: str,
                  priority_id: int | None = None) -> int | None:
    """Save a person's objective for the year (an empty text removes it); returns its id, or None if removed."""
    cleaned = clean_objective(text)
    person = session.get(Staff, staff_id)
    if person is None or person.school_id != school.id:
        raise ValidationError("Person", "That person is no longer on the staff list.")
    if priority_id is not None:
        priority = session.get(Priority, priority_id)
        if priority is None or priority.school_id != school.id or priority.academic_year != year.start_year:
            raise ValidationError("Priority", f"That priority is not one of {year.label}'s.")
    found = session.scalar(select(Objective).where(Objective.staff_id == staff_id,
                                                   Objective.academic_year == year.start_year))
    if not cleaned:
        if found is not None:
            session.delete(found)
            session.flush()
        return None
    if found is None:
        found = Objective(school_id=school.id, staff_id=staff_id, academic_year=year.start_year, text=cleaned)
        session.add(found)
    found.text = cleaned
    found.priority_id = priority_id
    session.flush()
    return found.id


def priority_choices(session: Session, school: School, year: AcademicYear) -> list[tuple[int, str]]:
    """The year's priorities (id, name), by name: what an objective may serve."""
    return [(r.id, r.name) for r in session.execute(select(Priority.id, Priority.name).where(
        Priority.school_id == school.id, Priority.academic_year == year.start_year).order_by(Priority.name))]

