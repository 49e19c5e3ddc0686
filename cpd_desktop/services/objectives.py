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


def objective_choices(session: Session, school: School, staff_id: int | None) -> list[tuple[int, str]]:
    """The person's objectives (id, "2025/26: text"), newest year first: what their activity or booking may
    serve. None (nobody chosen yet) has none."""
    if staff_id is None:
        return []
    rows = session.execute(select(Objective.id, Objective.academic_year, Objective.text).where(
        Objective.school_id == school.id, Objective.staff_id == staff_id).order_by(Objective.academic_year.desc()))
    return [(r.id, f"{r.academic_year}/{(r.academic_year + 1) % 100:02d}: {' '.join(r.text.split())}")
            for r in rows]


def check_objective(session: Session, school: School, objective_id: int | None, staff_id: int) -> None:
    """An activity or booking serves one of its own person's objectives, or none."""
    if objective_id is None:
        return
    found = session.get(Objective, objective_id)
    if found is None or found.school_id != school.id or found.staff_id != staff_id:
        raise ValidationError("Objective", "is not one of this person's development objectives.",
                              hint="Choose one of their objectives from the list, or none.")


def priority_choices(session: Session, school: School, year: AcademicYear) -> list[tuple[int, str]]:
    """The year's priorities (id, name), by name: what an objective may serve."""
    return [(r.id, r.name) for r in session.execute(select(Priority.id, Priority.name).where(
        Priority.school_id == school.id, Priority.academic_year == year.start_year).order_by(Priority.name))]



# ---- the demo school's objectives (called from services/demo.build_demo) ----

DEMO_OBJECTIVES = [  # text, the demo priority it serves (services.impact.DEMO_PRIORITIES) or None
    ("Model each required practical before pupils start, and check method with retrieval questions.",
     "Practical skills at KS4"),
    ("Use the rope model to teach current and potential difference in Year 9.", None),
    ("Plan targeted questioning for disadvantaged pupils in every physics lesson.",
     "Close the disadvantaged gap in physics"),
    ("Teach the tier 3 vocabulary of each topic explicitly, with a word wall.", "Scientific vocabulary and reading"),
    ("Lead the department's lesson-study cycle on required practicals.", "Practical skills at KS4"),
    ("Complete the NPQ for Leading Teaching and share one strategy with the department each term.", None),
]


def add_demo_objectives(session: Session, school: School, year: AcademicYear, seed: int) -> int:
    """Objectives for about half the teachers this year, most of them serving one of the year's priorities."""
    import random

    rng = random.Random(f"{seed}:objectives")
    people = session.scalars(select(Staff.id).where(Staff.school_id == school.id, Staff.in_target.is_(True),
                                                    Staff.leaving_date.is_(None) | (Staff.leaving_date >= year.start))
                             .order_by(Staff.id)).all()
    priorities = {name: ident for ident, name in priority_choices(session, school, year)}
    chosen = rng.sample(list(people), len(people) // 2)
    for n, staff_id in enumerate(sorted(chosen)):
        text, priority = DEMO_OBJECTIVES[n % len(DEMO_OBJECTIVES)]
        session.add(Objective(school_id=school.id, staff_id=staff_id, academic_year=year.start_year, text=text,
                              priority_id=priorities.get(priority) if priority else None))
    session.flush()
    return len(chosen)


def objectives_by_priority(session: Session, school: School, year: AcademicYear) -> dict[str, int]:
    """How many people's objectives for the year serve each of its priorities (priority name → count)."""
    from sqlalchemy import func

    return {r.name: r.n for r in session.execute(
        select(Priority.name, func.count(Objective.id).label("n"))
        .join(Objective, Objective.priority_id == Priority.id)
        .where(Priority.school_id == school.id, Priority.academic_year == year.start_year)
        .group_by(Priority.name))}
