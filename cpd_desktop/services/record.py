"""One CPD activity for many people (an INSET day, a twilight, a department session), and the check for
an activity already held (same person, same day, a similar title) that both this and a single entry make.

``plan_record`` says, before anything is written, who the activity would be written for and who would be
left out and why (not employed on the day, already has it, an unknown staff code); ``record_for_many``
writes it, one ``add_activity`` per person (so each gets the same rules and one audit entry), in the
caller's session: one transaction, and in the window one undo step.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import CpdError, NotFoundError, ValidationError
from ..models import Activity, Department, Priority, School, Staff
from .activities import add_activity, clean_activity_values
from .formatting import format_date, plural
from .rules import in_department
from .years import AcademicYear, academic_year_of

SIMILAR_RATIO = 0.8  # difflib's ratio at or above which two titles are taken for the same activity

NOT_EMPLOYED = "not employed"
DUPLICATE = "duplicate"
UNKNOWN = "unknown"


# ---- the same activity twice ----
def title_key(title: str) -> str:
    """A title as compared for duplicates: case, accents and punctuation ignored, spaces collapsed."""
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w]+|_", " ", text)
    return " ".join(text.split())


def similar_titles(a: str, b: str) -> bool:
    """Whether two titles name the same activity: equal once folded, one contained in the other (whole
    words), or close enough (difflib ratio ≥ 0.8: a typo, a word's ending)."""
    ka, kb = title_key(a), title_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    if f" {short} " in f" {long_} ":
        return True
    return difflib.SequenceMatcher(None, ka, kb).ratio() >= SIMILAR_RATIO


@dataclass(frozen=True)
class Duplicate:
    """An activity already held that a new one would repeat."""

    activity_id: int
    staff_id: int
    name: str
    title: str
    date: dt.date

    def question(self) -> str:
        return f"{self.name} already has '{self.title}' on {format_date(self.date)}. Add this one as well?"


def find_duplicates(session: Session, school: School, staff_ids: Iterable[int], date: dt.date, title: str,
                    end_date: dt.date | None = None) -> dict[int, Duplicate]:
    """For each of ``staff_ids`` who already has an activity on the day (or days) with a similar title,
    the first such activity. One query for everyone; titles are compared in Python (folding accents)."""
    ids = list(dict.fromkeys(staff_ids))
    if not ids or not title or not title.strip():
        return {}
    last = end_date or date
    rows = session.execute(
        select(Activity.id, Activity.staff_id, Activity.title, Activity.date, Staff.forename, Staff.surname)
        .join(Staff, Staff.id == Activity.staff_id)
        .where(Activity.school_id == school.id, Activity.staff_id.in_(ids), Activity.date <= last,
               func.coalesce(Activity.end_date, Activity.date) >= date)
        .order_by(Activity.date, Activity.id)).all()
    out: dict[int, Duplicate] = {}
    for ident, staff_id, held, day, forename, surname in rows:
        if staff_id not in out and similar_titles(held, title):
            out[staff_id] = Duplicate(ident, staff_id, f"{forename} {surname}", held, day)
    return out


def find_duplicate(session: Session, school: School, staff_id: int, values: dict[str, Any]) -> Duplicate | None:
    """The activity ``staff_id`` already has that one with these (form) values would repeat, if any; None
    also when the values are not yet valid (their own checks say why)."""
    try:
        clean = clean_activity_values({k: values.get(k) for k in ("date", "end_date", "title")})
    except CpdError:
        return None
    return find_duplicates(session, school, [staff_id], clean["date"], clean["title"],
                           clean.get("end_date")).get(staff_id)


# ---- choosing the people ----
@dataclass(frozen=True)
class LeftOut:
    """Somebody the activity is not written for, and why."""

    code: str
    name: str
    kind: str  # NOT_EMPLOYED, DUPLICATE or UNKNOWN
    reason: str  # as a person reads it: "left on 31/08/2026", "already has 'INSET' on 03/01/2027"
    staff_id: int | None = None

    def line(self) -> str:
        who = f"{self.name} ({self.code})" if self.name else self.code
        return f"{who}: {self.reason}"


@dataclass
class RecordPlan:
    """Who an activity for many people would be written for, and who would be left out (and why)."""

    date: dt.date
    values: dict[str, Any]  # cleaned activity values (date, hours, title, format, ...)
    provider: Any
    priority_id: int | None = None  # the school priority it serves (one of its academic year's), if any
    chosen: list[tuple[int, str, str]] = field(default_factory=list)  # (staff id, code, name) to write for
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def invalid(self) -> list[LeftOut]:
        """Those who cannot have it at all (unknown code, not employed on the day)."""
        return [x for x in self.left_out if x.kind != DUPLICATE]

    @property
    def duplicates(self) -> list[LeftOut]:
        return [x for x in self.left_out if x.kind == DUPLICATE]


@dataclass
class RecordResult:
    activity_ids: list[int]
    left_out: list[LeftOut]
    date: dt.date
    title: str

    @property
    def added(self) -> int:
        return len(self.activity_ids)

    def summary(self) -> str:
        return summary_text(self.added, self.left_out, self.date)


def summary_text(added: int, left_out: Sequence[LeftOut], date: dt.date) -> str:
    """'Added for 14 people; 2 left out: not employed on 03/01/2027' (each reason with its count when
    there are several)."""
    text = f"Added for {plural(added, 'person', 'people')}"
    if not left_out:
        return text + "."
    groups: dict[str, int] = {}
    for person in left_out:
        label = {NOT_EMPLOYED: f"not employed on {format_date(date)}",
                 DUPLICATE: "already had it", UNKNOWN: "unknown staff code"}[person.kind]
        groups[label] = groups.get(label, 0) + 1
    if len(groups) == 1:
        reasons = next(iter(groups))
    else:
        reasons = ", ".join(f"{n} {label}" for label, n in groups.items())
    return f"{text}; {len(left_out)} left out: {reasons}."


def _employment_reason(person: Staff, date: dt.date) -> str | None:
    if person.start_date is not None and person.start_date > date:
        return f"not employed on {format_date(date)} (starts on {format_date(person.start_date)})"
    if person.leaving_date is not None and person.leaving_date < date:
        return f"not employed on {format_date(date)} (left on {format_date(person.leaving_date)})"
    return None


def choose_staff(session: Session, school: School, *, codes: Sequence[str] | None = None,
                 department: str | None = None, all_teachers: bool = False,
                 staff_ids: Sequence[int] | None = None) -> tuple[list[Staff], list[str]]:
    """The people chosen one of four ways (staff codes, a department, everyone in the teachers' target, or
    ids picked in a list), by name; and the codes that match nobody. A department that does not exist is
    an error naming the ones that do."""
    base = select(Staff).where(Staff.school_id == school.id)
    unknown: list[str] = []
    if codes is not None:
        wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
        if not wanted:
            raise ValidationError("--staff", "names nobody.", hint="Give staff codes separated by commas, e.g. ABC,DEF.")
        people = list(session.scalars(base.where(func.upper(Staff.staff_code).in_(wanted))))
        found = {p.staff_code.upper() for p in people}
        unknown = [c for c in wanted if c not in found]
    elif department is not None:
        dept = session.scalar(select(Department).where(Department.school_id == school.id, in_department(department)))
        if dept is None:
            names = session.scalars(select(Department.name).where(Department.school_id == school.id)
                                    .order_by(Department.name)).all()
            raise NotFoundError(f"There is no department called '{department.strip()}' at {school.name}.",
                                hint=f"The departments are: {', '.join(names)}." if names
                                else "Add departments in Settings first.")
        people = list(session.scalars(base.where(Staff.department_id == dept.id)))
    elif all_teachers:
        people = list(session.scalars(base.where(Staff.in_target.is_(True))))
    elif staff_ids is not None:
        people = list(session.scalars(base.where(Staff.id.in_(list(staff_ids))))) if staff_ids else []
    else:
        raise ValidationError("People", "none chosen.", hint="Choose a department, all teachers, or people by name.")
    people.sort(key=lambda p: p.sort_name)
    return people, unknown


def year_priorities(session: Session, school: School, year: AcademicYear) -> list[tuple[int, str]]:
    """The school's priorities for ``year`` (id, name), by name: what an activity that year may serve."""
    return [(r.id, r.name) for r in session.execute(select(Priority.id, Priority.name).where(
        Priority.school_id == school.id, Priority.academic_year == year.start_year).order_by(Priority.name))]


def find_priority(session: Session, school: School, date: dt.date, priority: int | str | None) -> int | None:
    """The priority an activity on ``date`` serves, given by id (the form's list) or by name (the command
    line, any case): one of the school's priorities for the date's academic year; None for none.

    A priority belongs to one academic year, so one from another year (or unknown) is refused, naming
    the year's priorities."""
    if priority is None or (isinstance(priority, str) and not priority.strip()):
        return None
    year = academic_year_of(date, school.academic_year_start_month)
    held = year_priorities(session, school, year)
    if isinstance(priority, int):
        found = next((pid for pid, _name in held if pid == priority), None)
        asked = session.scalar(select(Priority.name).where(Priority.id == priority)) or f"number {priority}"
    else:
        asked = " ".join(priority.split())
        found = next((pid for pid, name in held if name.casefold() == asked.casefold()), None)
    if found is None:
        names = "; ".join(name for _pid, name in held)
        raise ValidationError("Priority", f"'{asked}' is not one of {school.name}'s priorities for {year.label} "
                              f"(the year of {format_date(date)}).",
                              hint=f"The {year.label} priorities are: {names}." if names
                              else f"There are no priorities for {year.label} yet: add them in Impact first.")
    return found


def plan_record(session: Session, school: School, people: Sequence[Staff], *, unknown_codes: Sequence[str] = (),
                provider: Any = None, priority: int | str | None = None, include_duplicates: bool = False,
                **values: Any) -> RecordPlan:
    """Check the activity's values (as ``add_activity`` does, and the ``priority`` it serves: see
    ``find_priority``) and sort ``people`` into those it would be written for and those left out: not
    employed on the day, or (unless ``include_duplicates``) already holding it. Writes nothing."""
    for required in ("date", "hours", "title"):
        values.setdefault(required, None)
    clean = clean_activity_values(values)
    date: dt.date = clean["date"]
    plan = RecordPlan(date=date, values=clean, provider=provider,
                      priority_id=find_priority(session, school, date, priority))
    plan.left_out += [LeftOut(code, "", UNKNOWN, f"no one at {school.name} has staff code {code}")
                      for code in unknown_codes]
    employed: list[Staff] = []
    for person in people:
        reason = _employment_reason(person, date)
        if reason is None and person.anonymised:
            reason = "details removed (anonymised)"
        if reason is not None:
            plan.left_out.append(LeftOut(person.staff_code, person.full_name, NOT_EMPLOYED, reason, person.id))
        else:
            employed.append(person)
    dupes = {} if include_duplicates else find_duplicates(session, school, [p.id for p in employed], date,
                                                          clean["title"], clean.get("end_date"))
    for person in employed:
        held = dupes.get(person.id)
        if held is not None:
            plan.left_out.append(LeftOut(person.staff_code, person.full_name, DUPLICATE,
                                         f"already has '{held.title}' on {format_date(held.date)}", person.id))
        else:
            plan.chosen.append((person.id, person.staff_code, person.full_name))
    return plan


def record_for_many(session: Session, school: School, plan: RecordPlan, *, skip_invalid: bool = True) -> RecordResult:
    """Write the planned activity for everyone chosen, in the caller's transaction (all or nothing).
    Without ``skip_invalid`` anyone who cannot have it (unknown, not employed) refuses the whole
    record, naming each; people who already had it are left out either way (see ``plan_record``)."""
    if plan.invalid and not skip_invalid:
        n = len(plan.invalid)
        raise CpdError(f"{plural(n, 'person', 'people')} cannot have this activity, so nothing was recorded: "
                       + "; ".join(x.line() for x in plan.invalid) + ".",
                       hint="Correct the list, or leave them out (--skip-invalid).")
    if not plan.chosen and not plan.duplicates:  # all of them already having it is no error: nothing to do
        raise CpdError("Nobody is left to record this activity for: "
                       + ("; ".join(x.line() for x in plan.left_out) if plan.left_out else "no one was chosen") + ".",
                       hint="Choose other people or another date.")
    ids: list[int] = []
    by_id = {p.id: p for p in session.scalars(select(Staff).where(
        Staff.school_id == school.id, Staff.id.in_([c[0] for c in plan.chosen])))}
    for staff_id, _code, name in plan.chosen:
        person = by_id.get(staff_id)
        if person is None:
            raise NotFoundError(f"{name} is no longer on the staff list.", hint="Refresh and try again.")
        activity = add_activity(session, school, person, provider=plan.provider, **plan.values)
        activity.priority_id = plan.priority_id
        ids.append(activity.id)
    session.flush()
    return RecordResult(ids, list(plan.left_out), plan.date, plan.values["title"])


__all__ = ["DUPLICATE", "NOT_EMPLOYED", "UNKNOWN", "Duplicate", "LeftOut", "RecordPlan", "RecordResult",
           "choose_staff", "find_duplicate", "find_duplicates", "find_priority", "plan_record", "record_for_many", "similar_titles",
           "summary_text", "title_key", "year_priorities"]
