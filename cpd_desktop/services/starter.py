"""Starting lists for a new school: the usual science CPD providers, the departments of its phase and two
example bursary schemes, so that a school's first booking finds its provider and scheme already there.

Everything added is an ordinary record of the school, edited or deleted in Settings like any other. The
schemes carry a "Starting point" note: their amounts are examples from DOMAIN.md's figures and the rules
change, so the school checks them before a claim. Furnishing is idempotent and touches only the school
given: an item the school already has (by name, ignoring capitals) is left as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import BursaryScheme, Department, Provider, School

STARTING_POINT = "Starting point: check and edit"
STARTER_ACTION = "starter-lists"  # the audit entry that says a school was furnished, and when

# name, website
PROVIDERS: list[tuple[str, str]] = [
    ("STEM Learning", "https://www.stem.org.uk"),  # runs the National STEM Learning Centre, York
    ("Association for Science Education", "https://www.ase.org.uk"),
    ("Ogden Trust", "https://www.ogdentrust.com"),
    ("Institute of Physics", "https://www.iop.org"),
    ("Royal Society of Chemistry", "https://www.rsc.org"),
    ("Royal Society of Biology", "https://www.rsb.org.uk"),
    ("Primary Science Teaching Trust", "https://pstt.org.uk"),
    ("Science Learning Partnership (local)", "https://www.stem.org.uk/science-learning-partnerships"),
    ("Teacher Development Trust", "https://tdtrust.org"),
]

SECONDARY_DEPARTMENTS = ["Science", "Biology", "Chemistry", "Physics"]
DEPARTMENTS_BY_PHASE: dict[str, list[str]] = {
    "primary": ["Science"],
    "special": ["Science"],
    "secondary": SECONDARY_DEPARTMENTS,
    "all_through": SECONDARY_DEPARTMENTS,
    "post16": SECONDARY_DEPARTMENTS,
}

# The day from which the example figures are taken to apply (the 2025/26 academic year): each scheme's
# "valid from". Neither has an end date: the school sets one when the funder announces it.
SCHEMES_VALID_FROM = dt.date(2025, 9, 1)
_CHECK = (f"{STARTING_POINT}: an example, not the current rules. Check the amount, who is eligible and the "
          f"claim deadline with the funder before claiming.")
CHECK_RULES = "Check the current rules with the funder before claiming: they change year to year."

SCHEMES: list[dict[str, Any]] = [
    {"name": "ENTHUSE-style residential bursary (example)", "funder": "STEM Learning", "rule": "per_day",
     "amount": "220.00", "implementation_amount": "0.00", "min_days": 2, "claim_deadline_days": 60,
     "state_funded_only": True, "pays_in_advance": False,
     "evidence_required": "Attendance confirmed; impact evaluation; supply invoice",
     "valid_from": SCHEMES_VALID_FROM,
     "eligibility": "State-funded schools only; residential courses of two days or more, applied for before "
                    "the course. " + CHECK_RULES,
     "notes": _CHECK + " Residential courses at the National STEM Learning Centre, York: a sum per day of the "
                       "course towards supply cover, applied for before the course and paid after attendance "
                       "and an impact evaluation. State-funded schools only; residential bursaries were cut "
                       "sharply in 2025."},
    {"name": "Subject Knowledge for Physics Teaching completion subsidy (example)",
     "funder": "Institute of Physics / STEM Learning", "rule": "per_course", "amount": "200.00",
     "implementation_amount": "0.00", "min_days": 0, "claim_deadline_days": 60,
     "state_funded_only": True, "pays_in_advance": False,
     "evidence_required": "Module completed (confirmation from the provider)",
     "valid_from": SCHEMES_VALID_FROM,
     "eligibility": "English state-school teachers teaching physics outside their specialism; paid to the school "
                    "on completing a module. " + CHECK_RULES,
     "notes": _CHECK + " Free modules of about 20 hours over about 8 weeks for teachers teaching physics "
                       "outside their specialism; a subsidy to the school on completing a module (£200 per "
                       "teacher in 2023, later up to £600 towards cover)."},
]


@dataclass(frozen=True)
class Furnished:
    """How many items of each list were added (items the school had already are not counted)."""

    providers: int = 0
    departments: int = 0
    schemes: int = 0

    @property
    def total(self) -> int:
        return self.providers + self.departments + self.schemes

    def summary(self) -> str:
        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"

        return (f"{n(self.providers, 'provider', 'providers')}, {n(self.departments, 'department', 'departments')}"
                f" and {n(self.schemes, 'bursary scheme', 'bursary schemes')}")


def departments_for(phase: str | None) -> list[str]:
    return list(DEPARTMENTS_BY_PHASE.get(phase or "secondary", SECONDARY_DEPARTMENTS))


def starting_lists(phase: str | None) -> dict[str, list[str]]:
    """What ``furnish`` adds for a school of ``phase``, by list, as the wizard shows it before creating."""
    return {"Providers": [name for name, _w in PROVIDERS],
            "Departments": departments_for(phase),
            "Bursary schemes": [str(s["name"]) for s in SCHEMES]}


def _names(session: Session, model: Any, school_id: int) -> set[str]:
    return {str(n).casefold() for n in session.scalars(select(model.name).where(model.school_id == school_id))}


def furnish(session: Session, school: School) -> Furnished:
    """Add the starting lists to ``school`` (and no other): whatever it lacks, by name ignoring capitals."""
    from .bursaries import add_scheme

    have = _names(session, Provider, school.id)
    providers = 0
    for name, website in PROVIDERS:
        if name.casefold() not in have:
            session.add(Provider(school_id=school.id, name=name, website=website))
            providers += 1
    have = _names(session, Department, school.id)
    departments = 0
    for name in departments_for(school.phase):
        if name.casefold() not in have:
            session.add(Department(school_id=school.id, name=name))
            departments += 1
    session.flush()
    have = _names(session, BursaryScheme, school.id)
    schemes = 0
    for values in SCHEMES:
        if str(values["name"]).casefold() in have:
            continue
        add_scheme(session, school, **values)
        schemes += 1
    session.flush()
    furnished = Furnished(providers, departments, schemes)
    if furnished.total:
        from .audit import record

        record(session, school_id=school.id, action=STARTER_ACTION, table_name="school", record_id=school.id,
               summary=f"Filled in the starting lists: {furnished.summary()} ({STARTING_POINT.lower()})")
    return furnished


def starting_points(session: Session, school_id: int) -> dict[str, list[str]]:
    """The school's records, by list, that still carry a starting list's name: the ones to check. Empty
    lists for a school that was not furnished (a department it named Science itself is its own)."""
    from ..models import AuditEntry

    if session.scalar(select(AuditEntry.id).where(AuditEntry.school_id == school_id,
                                                  AuditEntry.action == STARTER_ACTION).limit(1)) is None:
        return {"Providers": [], "Departments": [], "Bursary schemes": []}
    names = {"Providers": {n.casefold() for n, _w in PROVIDERS},
             "Departments": {n.casefold() for phase in DEPARTMENTS_BY_PHASE.values() for n in phase},
             "Bursary schemes": {str(s["name"]).casefold() for s in SCHEMES}}
    out: dict[str, list[str]] = {}
    for label, model in (("Providers", Provider), ("Departments", Department), ("Bursary schemes", BursaryScheme)):
        held = session.scalars(select(model.name).where(model.school_id == school_id,
                                                        func.lower(model.name).in_([n.lower() for n in names[label]]))
                               .order_by(model.name))
        out[label] = [str(n) for n in held]
    return out
