"""The EEF mechanisms of effective professional development a course or programme uses, and the planner's
warning when a programme leaves one of the four groups out.

The EEF's "Effective Professional Development" (2021) names 14 mechanisms in four groups (build knowledge,
motivate teachers, develop teaching techniques, embed practice) and found that effective PD uses at least
one mechanism from each group. A school ticks the ones a course or programme uses (a checklist, not a
form); a programme's mechanisms are its own ticks together with those of the courses booked in it, so a
programme whose courses build knowledge but which plans nothing to embed practice is named as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Activity, Booking, Course, Programme, School
from ..models.impact import ALL_MECHANISMS, MECHANISM_GROUPS, MECHANISMS
from .concurrency import check_version
from .years import AcademicYear

# How a sentence says what a group is for: "This programme has nothing to embed practice".
GROUP_PURPOSE = {
    "knowledge": "build knowledge",
    "motivate": "motivate teachers",
    "techniques": "develop teaching techniques",
    "embed": "embed practice",
}
KEYS = [key for key, _name, _group in MECHANISMS]
NAMES = {key: name for key, name, _group in MECHANISMS}


def to_bits(keys: Iterable[str]) -> int:
    """The stored value of a set of mechanism keys (bit i: ``MECHANISMS[i]``)."""
    bits = 0
    for key in keys:
        if key not in KEYS:
            raise ValidationError("Mechanisms", f"{key!r} is not one of the EEF's mechanisms.")
        bits |= 1 << KEYS.index(key)
    return bits


def keys_of(bits: int) -> list[str]:
    """The mechanism keys a stored value stands for, in the EEF's order."""
    return [key for i, key in enumerate(KEYS) if bits & (1 << i)]


def missing_groups(bits: int) -> list[str]:
    """The groups (keys of ``MECHANISM_GROUPS``) with no mechanism in ``bits``, in the EEF's order."""
    present = {group for i, (_k, _n, group) in enumerate(MECHANISMS) if bits & (1 << i)}
    return [group for group in MECHANISM_GROUPS if group not in present]


def _said(items: list[str], joiner: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {joiner} {items[-1]}"


def missing_sentence(bits: int) -> str | None:
    """Plain words for a programme's gaps, or None when every group has a mechanism."""
    missing = missing_groups(bits)
    if not missing:
        return None
    if bits == 0:
        return ("This programme has no EEF mechanisms ticked yet: tick those it uses (Impact › Programmes), so "
                "the planner can say whether it builds knowledge, motivates, develops techniques and embeds "
                "practice.")
    first = missing[0]
    examples = [NAMES[key].lower() for key, _n, group in MECHANISMS if group == first]
    return (f"This programme has nothing to {_said([GROUP_PURPOSE[g] for g in missing], 'or to')}: "
            f"for example {_said(examples, 'or')}. Effective professional development uses at least one "
            "mechanism from each of the EEF's four groups.")


def _check(bits: int) -> int:
    if not 0 <= bits <= ALL_MECHANISMS:
        raise ValidationError("Mechanisms", "That is not a set of the EEF's mechanisms.")
    return bits


def set_course_mechanisms(session: Session, school: School, course_id: int, bits: int) -> Course:
    course = session.get(Course, course_id)
    if course is None or course.school_id != school.id:
        raise ValidationError("Course", "That course is no longer in the catalogue.")
    course.mechanisms = _check(bits)
    session.flush()
    return course


def programme_bits(session: Session, school: School, programme_id: int) -> int:
    """A programme's mechanisms: its own ticks and those of the courses booked in it (directly, or through an
    activity of the programme that came from a booking)."""
    own = session.scalar(select(Programme.mechanisms).where(Programme.school_id == school.id,
                                                           Programme.id == programme_id)) or 0
    booked = select(Booking.course_id).where(Booking.school_id == school.id, Booking.programme_id == programme_id)
    logged = (select(Booking.course_id).join(Activity, Activity.booking_id == Booking.id)
              .where(Activity.school_id == school.id, Activity.programme_id == programme_id))
    courses = session.scalars(select(Course.mechanisms).distinct().where(
        Course.school_id == school.id, Course.id.in_(booked.union(logged).scalar_subquery()))).all()
    for bits in courses:
        own |= bits
    return own


@dataclass(frozen=True)
class ProgrammeGap:
    programme: str
    missing: list[str]  # group keys
    sentence: str


def booking_warning(session: Session, school: School, booking_id: int) -> ProgrammeGap | None:
    """For a booking in a programme: the programme's missing EEF groups, in plain words (None: nothing missing,
    or the booking is in no programme)."""
    found = session.execute(select(Programme.id, Programme.name).join(Booking, Booking.programme_id == Programme.id)
                            .where(Booking.id == booking_id, Booking.school_id == school.id)).first()
    if found is None:
        return None
    bits = programme_bits(session, school, found.id)
    sentence = missing_sentence(bits)
    if sentence is None:
        return None
    return ProgrammeGap(found.name, missing_groups(bits), sentence.replace("This programme",
                                                                          f"This programme (“{found.name}”)", 1))


@dataclass(frozen=True)
class ProgrammeDetails:
    id: int | None
    name: str
    start_date: dt.date | None
    end_date: dt.date | None
    mechanisms: int
    version: int | None


def programme_details(session: Session, school: School, programme_id: int) -> ProgrammeDetails | None:
    p = session.get(Programme, programme_id)
    if p is None or p.school_id != school.id:
        return None
    return ProgrammeDetails(p.id, p.name, p.start_date, p.end_date, p.mechanisms, p.version)


def programme_ids_by_name(session: Session, school: School) -> dict[str, int]:
    return dict(session.execute(select(Programme.name, Programme.id).where(Programme.school_id == school.id)).all())


def save_programme(session: Session, school: School, programme_id: int | None, *, name: str,
                   start_date: dt.date | None, end_date: dt.date | None, mechanisms: int,
                   expected_version: int | None = None) -> int:
    """Add or change a programme: its name, planned dates and the EEF mechanisms it uses. A change made on a
    copy older than ``expected_version`` is refused (somebody else saved the programme since it was opened)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Name", "A programme needs a name.")
    if start_date is not None and end_date is not None and end_date < start_date:
        raise ValidationError("Planned end", "The planned end is before the planned start.")
    clash = session.scalar(select(Programme.id).where(Programme.school_id == school.id, Programme.name == name,
                                                      Programme.id != (programme_id or 0)))
    if clash is not None:
        raise ValidationError("Name", f"There is already a programme called “{name}”.")
    if programme_id is None:
        p = Programme(school_id=school.id, name=name)
        session.add(p)
    else:
        found = session.get(Programme, programme_id)
        if found is None or found.school_id != school.id:
            raise ValidationError("Programme", "That programme has been deleted.")
        check_version(found, expected_version)
        p = found
    p.name = name
    p.start_date, p.end_date = start_date, end_date
    p.mechanisms = _check(mechanisms)
    session.flush()
    return p.id


def groups_said(bits: int) -> str:
    """A programme's EEF coverage in a few words: "All four groups", "3 of 4 (nothing to embed practice)"."""
    missing = missing_groups(bits)
    if not missing:
        return "All four groups"
    if bits == 0:
        return "None ticked"
    return (f"{len(MECHANISM_GROUPS) - len(missing)} of {len(MECHANISM_GROUPS)} "
            f"(nothing to {_said([GROUP_PURPOSE[g] for g in missing], 'or')})")


def programmes_overview(session: Session, school: School, year: AcademicYear) -> list[dict[str, Any]]:
    """Every programme of the school, by name: its id, the year's figures (``impact.programmes_report``; none
    where it has no activity in the year) and the EEF groups it covers, its courses' included."""
    from .impact import programmes_report

    figures = {r["programme"]: r for r in programmes_report(session, school, year)}
    rows = []
    for pid, name in session.execute(select(Programme.id, Programme.name).where(Programme.school_id == school.id)):
        bits = programme_bits(session, school, pid)
        rows.append({"id": pid, "programme": name, "figures": figures.get(name), "groups": groups_said(bits)})
    return sorted(rows, key=lambda r: str(r["programme"]).casefold())


@dataclass(frozen=True)
class CourseMechanisms:
    course_id: int
    title: str
    mechanisms: int


def booking_course(session: Session, school: School, booking_id: int) -> CourseMechanisms | None:
    """The catalogue course a booking is for, with its mechanisms (None: a free-text booking)."""
    found = session.execute(select(Course.id, Course.title, Course.mechanisms)
                            .join(Booking, Booking.course_id == Course.id)
                            .where(Booking.id == booking_id, Booking.school_id == school.id)).first()
    return None if found is None else CourseMechanisms(found.id, found.title, found.mechanisms)


# ---- the demo school's mechanisms (called from services/demo.build_demo) ----

DEMO_PROGRAMMES = {  # the demo's programmes (services.impact.add_demo_impact) and what each uses
    "Lesson study: required practicals": ["revisit", "goals", "social_support", "model", "feedback", "rehearse",
                                          "action_planning", "repetition"],
    "NPQ for Leading Teaching": ["cognitive_load", "revisit", "goals", "credible_source", "instruct", "model",
                                 "feedback", "action_planning", "self_monitoring"],
    "Subject Knowledge for Physics Teaching": ["revisit", "credible_source", "instruct", "model"],  # embeds nothing
}
DEMO_COURSES = {  # by a course's format: what a course of that kind typically does (never embedding on its own)
    "face_to_face": ["instruct", "model", "credible_source"], "residential": ["instruct", "model", "rehearse",
                                                                              "credible_source"],
    "online_course": ["cognitive_load", "instruct"], "coaching": ["goals", "feedback", "social_support"],
}


def add_demo_mechanisms(session: Session, school: School, today: dt.date) -> None:
    """Ticks for the demo's programmes and courses, and one booking to come in the physics programme, so the
    planner shows its warning: the programme plans nothing to embed practice. Written in SQL, as the demo's
    other generated figures are (no audit entry for each, and the same file from the same seed)."""
    from sqlalchemy import update

    names = programme_ids_by_name(session, school)
    for name, keys in DEMO_PROGRAMMES.items():
        session.execute(update(Programme).where(Programme.school_id == school.id, Programme.name == name)
                        .values(mechanisms=to_bits(keys)))
    for format, keys in DEMO_COURSES.items():
        session.execute(update(Course).where(Course.school_id == school.id, Course.format == format)
                        .values(mechanisms=to_bits(keys)))
    physics = names.get("Subject Knowledge for Physics Teaching")
    upcoming = session.scalar(select(Booking.id).where(
        Booking.school_id == school.id, Booking.course_id.is_not(None), Booking.start_date >= today,
        Booking.status.in_(("planned", "approved", "booked"))).order_by(Booking.start_date, Booking.id))
    if physics is not None and upcoming is not None:
        session.execute(update(Booking).where(Booking.id == upcoming).values(programme_id=physics))
    session.expire_all()  # changed in SQL: read them again
