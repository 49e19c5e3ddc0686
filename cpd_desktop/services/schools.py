"""Schools: creating one with sensible defaults, choosing one, and its settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, object_session

from ..errors import ConcurrentEditError, CpdError, NotFoundError, ValidationError
from ..models import AuditEntry, Department, School, SchoolPeriod, TermDates
from ..models.enums import DEFAULT_DAY_RATE_BY_PHASE, PHASES
from ..sorting import school_name_key
from . import validation as v
from .concurrency import changed_collection, check_version
from .years import TERM_ORDER, AcademicYear

# A secondary school's day: five one-hour periods (schools change this in Settings).
DEFAULT_PERIODS = [
    (1, "P1", dt.time(8, 50), dt.time(9, 50)),
    (2, "P2", dt.time(9, 50), dt.time(10, 50)),
    (3, "P3", dt.time(11, 10), dt.time(12, 10)),
    (4, "P4", dt.time(12, 10), dt.time(13, 10)),
    (5, "P5", dt.time(14, 0), dt.time(15, 0)),
]


def create_school(session: Session, name: str, *, urn: Any = None, phase: str = "secondary",
                  postcode: Any = None, departments: list[str] | None = None, starter: bool = False,
                  **settings: Any) -> School:
    """Add a school with the defaults of DOMAIN.md; refuse a second school of the same name.

    With ``starter`` the school starts furnished: the usual providers, its phase's departments and example
    bursary schemes, each marked as a starting point (``services.starter``)."""
    clean_name = v.required_text(name, "School name", max_len=200)
    check_name_free(session, clean_name)
    clean_urn = v.parse_urn(urn)
    phase = v.parse_choice(phase, "Phase", PHASES, default="secondary")
    school = School(
        name=clean_name, urn=clean_urn, phase=phase,
        postcode=_postcode(postcode),
        supply_day_rate=Decimal(DEFAULT_DAY_RATE_BY_PHASE[phase]),
    )
    apply_settings(school, settings)
    session.add(school)
    session.flush()
    for number, label, start, end in DEFAULT_PERIODS:
        session.add(SchoolPeriod(school_id=school.id, number=number, label=label, start_time=start, end_time=end))
    for dept in departments or []:
        session.add(Department(school_id=school.id, name=v.required_text(dept, "Department", max_len=100)))
    session.flush()
    if starter:
        from .starter import furnish

        furnish(session, school)
    return school


def name_key(name: str) -> str:
    """How school names are compared (``sorting.school_name_key``: ignoring case and surrounding spaces, the
    database's rule too); kept there so that a report read from the compiled-query cache matches alike."""
    return school_name_key(name)


def check_name_free(session: Session, name: str, school_id: int | None = None) -> None:
    """Refuse a name another school already has, ignoring case and spaces.

    The database refuses it too (migration 0004); on a trust's server a school's login cannot see the
    other schools, so there the database's refusal is what the person sees (``guard.describe_db_error``).
    """
    for other_id, other in session.execute(select(School.id, School.name)):
        if other_id != school_id and name_key(other) == name_key(name):
            raise ValidationError("School name", f"A school called {other} is already in this database.",
                                  hint="Give this school another name (names are compared ignoring capitals "
                                       "and spaces).")


Period = tuple[int, str, dt.time, dt.time]  # number, label, starts, ends


def period_versions(session: Session, school_id: int) -> dict[int, int]:
    """The school's periods of the day as saved now, number -> version: what a form remembers to save against."""
    return {n: ver for n, ver in session.execute(select(SchoolPeriod.number, SchoolPeriod.version)
                                                 .where(SchoolPeriod.school_id == school_id))}


def school_periods(session: Session, school_id: int) -> list[Period]:
    """The school's periods of the day in order, as Settings shows them to edit."""
    return [(n, label, start, end) for n, label, start, end in session.execute(
        select(SchoolPeriod.number, SchoolPeriod.label, SchoolPeriod.start_time, SchoolPeriod.end_time)
        .where(SchoolPeriod.school_id == school_id).order_by(SchoolPeriod.number))]


def save_periods(session: Session, school: School, periods: list[Period], *,
                 expected_versions: dict[int, int] | None = None) -> None:
    """Make ``periods`` the school's periods of the day (changing, adding and removing periods).

    ``expected_versions`` (from ``period_versions`` when the form was filled) makes the save refuse,
    with who and when, if anybody else changed, added or removed a period since.
    """
    check_periods(periods)
    existing = {p.number: p for p in session.scalars(select(SchoolPeriod).where(SchoolPeriod.school_id == school.id))}
    if expected_versions is not None and {n: p.version for n, p in existing.items()} != expected_versions:
        now = {p.label: f"{p.start_time:%H:%M}–{p.end_time:%H:%M}" for _n, p in sorted(existing.items())}
        raise _changed_since(session, school.id, SchoolPeriod.__tablename__, "The periods of the day", now)
    for number, label, start, end in periods:
        period = existing.pop(number, None)
        if period is None:
            session.add(SchoolPeriod(school_id=school.id, number=number, label=label, start_time=start, end_time=end))
        elif (period.label, period.start_time, period.end_time) != (label, start, end):
            period.label, period.start_time, period.end_time = label, start, end
    for period in existing.values():
        session.delete(period)
    session.flush()


def _changed_since(session: Session, school_id: int, table: str, what: str, current: dict[str, str]
                   ) -> ConcurrentEditError:
    """The refusal for a list saved as a whole that somebody else changed since the form was filled.

    Who and when come from the newest entry about ``table`` in the school's audit trail: a row they
    removed has nothing left to ask."""
    latest = session.scalar(select(AuditEntry).where(AuditEntry.school_id == school_id, AuditEntry.table_name == table)
                            .order_by(AuditEntry.id.desc()).limit(1))
    who = (latest.user if latest is not None else "") or "somebody else"
    return changed_collection(what, who, latest.at if latest is not None else None, current=current)


def check_periods(periods: list[Period]) -> None:
    """Refuse a day whose periods end before they start or overlap (one lesson per period on a cover sheet)."""
    for _n, label, start, end in periods:
        if end <= start:
            raise ValidationError(f"Period {label}", f"ends at {end:%H:%M}, before it starts at {start:%H:%M}.",
                                  hint="Make the end time later than the start time.")
    ordered = sorted(periods, key=lambda p: (p[2], p[3]))
    for (_n1, label1, start1, end1), (_n2, label2, start2, end2) in zip(ordered, ordered[1:], strict=False):
        if start2 < end1:
            raise ValidationError(f"Period {label2}", f"({start2:%H:%M}–{end2:%H:%M}) overlaps period {label1} "
                                  f"({start1:%H:%M}–{end1:%H:%M}).",
                                  hint="Start each period when the one before it has ended.")


TermRow = tuple[str, dt.date, dt.date]  # term (autumn, spring, summer), its first day, its last day


def check_term_dates(year: AcademicYear, terms: list[TermRow]) -> None:
    """Refuse term dates outside ``year``, ending before they start, overlapping, or naming a term twice
    or one the year has not got; each refusal names the term and the date at fault ("Spring term start")."""
    seen: set[str] = set()
    for term, start, end in terms:
        if term not in TERM_ORDER:
            raise ValidationError("Term", f"“{term}” is not a term.", hint="The terms are autumn, spring and summer.")
        if term in seen:
            raise ValidationError(f"{term.title()} term", "is given twice.", hint="Give each term's dates once.")
        seen.add(term)
        v.check_date_order(start, end, field=f"{term.title()} term end")
        for which, day in (("start", start), ("end", end)):
            if not year.contains(day):
                raise ValidationError(f"{term.title()} term {which}", f"{day:%d/%m/%Y} is not in the academic year "
                                      f"{year.label} ({year.start:%d/%m/%Y} to {year.end:%d/%m/%Y}).",
                                      hint=f"Give the {term} term's dates in {year.label}.")
    ordered = sorted(terms, key=lambda t: TERM_ORDER.index(t[0]))
    for (name1, _s1, e1), (name2, s2, _e2) in zip(ordered, ordered[1:], strict=False):
        if s2 <= e1:
            raise ValidationError(f"{name2.title()} term start", f"{s2:%d/%m/%Y} is before the {name1} term ends "
                                  f"on {e1:%d/%m/%Y}.", hint=f"Start the {name2} term after the {name1} term.")


def term_date_versions(session: Session, school_id: int, year: AcademicYear) -> dict[str, int]:
    """The year's own term dates as saved now, term -> version: what a form remembers to save against."""
    return {term: ver for term, ver in session.execute(
        select(TermDates.term, TermDates.version).where(TermDates.school_id == school_id,
                                                        TermDates.academic_year == year.start_year))}


def own_term_dates(session: Session, school_id: int) -> dict[int, dict[str, tuple[dt.date, dt.date]]]:
    """Every year the school set its own term dates for, the latest year first: the year it starts in ->
    term -> (first day, last day). A year's missing terms keep the usual dates (``years.terms_for``)."""
    out: dict[int, dict[str, tuple[dt.date, dt.date]]] = {}
    for year, term, start, end in session.execute(
            select(TermDates.academic_year, TermDates.term, TermDates.start_date, TermDates.end_date)
            .where(TermDates.school_id == school_id)
            .order_by(TermDates.academic_year.desc(), TermDates.start_date)):
        out.setdefault(year, {})[term] = (start, end)
    return out


def check_term_versions(session: Session, school_id: int, academic_year: int, saved: list[TermDates],
                        expected_versions: dict[str, int] | None) -> None:
    """Refuse a save or a delete of a year's term dates (``saved``: its rows now) made against another
    version of them than the person saw (``expected_versions``; None: no check, as the CLI saves)."""
    if expected_versions is None or {r.term: r.version for r in saved} == expected_versions:
        return
    school = session.get(School, school_id)
    year = AcademicYear(academic_year, school.academic_year_start_month if school is not None else 9)
    now = {f"{r.term.title()} term": f"{r.start_date:%d/%m/%Y} – {r.end_date:%d/%m/%Y}"
           for r in sorted(saved, key=lambda r: TERM_ORDER.index(r.term))}
    raise _changed_since(session, school_id, TermDates.__tablename__, f"The term dates for {year.label}", now)


def save_term_dates(session: Session, school_id: int, year: AcademicYear, rows: list[TermRow], *,
                    expected_versions: dict[str, int] | None = None) -> None:
    """Make ``rows`` the school's own dates for those terms of ``year`` (the new-school wizard and Settings).

    The rows are checked first (``check_term_dates``). ``expected_versions`` (from ``term_date_versions``
    when the form was filled; ``{}`` for a year with none of its own then) makes the save refuse, with who
    and when and nothing written, if anybody else set, changed or forgot the year's dates since: two
    people editing the same term dates never lose each other's change without seeing it.
    """
    check_term_dates(year, rows)
    existing = {r.term: r for r in session.scalars(select(TermDates).where(
        TermDates.school_id == school_id, TermDates.academic_year == year.start_year))}
    check_term_versions(session, school_id, year.start_year, list(existing.values()), expected_versions)
    for term, start, end in rows:
        row = existing.get(term)
        if row is None:
            session.add(TermDates(school_id=school_id, academic_year=year.start_year, term=term,
                                  start_date=start, end_date=end))
        elif (row.start_date, row.end_date) != (start, end):
            row.start_date, row.end_date = start, end
    session.flush()


def _postcode(value: Any) -> str | None:
    text = v.clean_text(value, "Postcode", max_len=10)
    return text.upper() if text else None


SETTING_PARSERS: dict[str, Callable[[Any], Any]] = {
    "cpd_target_hours": lambda x: v.parse_target_hours(x),
    "subject_specific_target": lambda x: _percent(x),
    "supply_day_rate": lambda x: v.parse_money(x, "Supply day rate"),
    "mileage_rate": lambda x: v.parse_money(x, "Mileage rate"),
    # Empty: off (the budget shows cash only); set, it shows INSET and internal CPD in staff time beside it.
    "staff_day_cost": lambda x: v.parse_money(x, "Daily cost of a teacher's time", required=False),
    "financial_year_start_month": lambda x: _int_between(x, "Financial year start month", 1, 12),
    "academic_year_start_month": lambda x: _int_between(x, "Academic year start month", 1, 12),
    "evaluation_due_days": lambda x: _int_between(x, "Evaluation due after (days)", 1, 365),
    "leaver_retention_years": lambda x: _int_between(x, "Review leavers' records after (years)", 1, 50),
    "week_a_commencing": lambda x: _monday(x),
    "later_stages_hours": lambda x: _later_stages_hours(x),
    "later_stages_programmes": lambda x: v.parse_bool(x, "Later stages for every activity in a programme"),
    "state_funded": lambda x: v.parse_bool(x, "State-funded"),
    "urn": lambda x: v.parse_urn(x),
    "postcode": _postcode,
    "name": lambda x: v.required_text(x, "School name", max_len=200),
    "phase": lambda x: v.parse_choice(x, "Phase", PHASES),
}


def apply_settings(school: School, settings: dict[str, Any]) -> None:
    parsed = {}
    for key, value in settings.items():
        parser = SETTING_PARSERS.get(key)
        if parser is None:
            raise ValidationError(key, "is not a school setting.")
        parsed[key] = parser(value)
    session = object_session(school)
    if "name" in parsed and session is not None and name_key(parsed["name"]) != name_key(school.name or ""):
        check_name_free(session, parsed["name"], school.id)
    for key, value in parsed.items():
        setattr(school, key, value)


def _percent(value: Any) -> Decimal:
    number = v.parse_decimal(str(value).rstrip("%") if isinstance(value, str) else value, "Subject-specific share",
                             hint="Enter a percentage from 0 to 100, such as 40.")
    if number < 0 or number > 100:
        raise ValidationError("Subject-specific share", f"{number}% is not between 0% and 100%.")
    return number.quantize(Decimal("0.01"))


def update_school_settings(session: Session, school: School, settings: dict[str, Any], *,
                           expected_version: int | None = None) -> School:
    """Settings → School and targets: change the school's settings, refused (``ConcurrentEditError``, nothing
    changed) if somebody else saved them since ``expected_version`` was shown."""
    check_version(school, expected_version)
    apply_settings(school, settings)
    session.flush()
    return school


def _later_stages_hours(value: Any) -> Decimal:
    field = "Later stages for activities of at least … hours"
    number = v.parse_decimal(value, field, hint="Enter a number of hours such as 6.")
    if number < 0 or number > 9999:
        raise ValidationError(field, f"{value} is not a number of hours from 0 upwards.",
                              hint="0 gives every activity but webinars the later stages.")
    return number.quantize(Decimal("0.01"))


def _int_between(value: Any, field: str, low: int, high: int) -> int:
    number = v.parse_decimal(value, field, hint=v.whole_number_hint(low, high))
    if number != number.to_integral_value() or not low <= number <= high:
        raise ValidationError(field, f"{value} is not a whole number from {low} to {high}.")
    return int(number)


def _monday(value: Any) -> dt.date | None:
    day = v.parse_date(value, "Week A starts on", required=False)
    if day is not None and day.weekday() != 0:
        raise ValidationError("Week A starts on", f"{day:%d/%m/%Y} is not a Monday.",
                              hint="Give the Monday that starts a week A.")
    return day


def list_schools(session: Session) -> list[School]:
    return list(session.scalars(select(School).order_by(School.name)))


def choose_school(session: Session, name: str | None) -> School:
    """The school to work on: the named one, or the only one in the database."""
    if name:
        schools = list_schools(session)
        found = [s for s in schools if name_key(s.name) == name_key(name)]
        if len(found) > 1:  # an older file, from before names were unique ignoring case: never guess
            raise CpdError(f"More than one school matches '{name}': {', '.join(s.name for s in found)}.",
                           hint="Rename one of them in Settings, then choose it with --school.")
        if not found:
            names = ", ".join(s.name for s in schools) or "none yet"
            raise NotFoundError(f"There is no school called {name} in this database (schools: {names}).",
                                hint="Check the name, or add it with 'cpd-desktop init --school NAME'.")
        return found[0]
    schools = list_schools(session)
    if not schools:
        raise NotFoundError("This database has no school yet.",
                            hint="Add one with 'cpd-desktop init --school NAME' or fill it with 'cpd-desktop demo'.")
    if len(schools) > 1:
        raise CpdError(f"This database holds {len(schools)} schools: {', '.join(s.name for s in schools)}.",
                       hint="Choose one with --school NAME.")
    return schools[0]


def delete_school(session: Session, school: School) -> dict[str, int]:
    """Delete a school and every record of it, its audit trail included, in the caller's transaction.

    All or nothing: the school's records go child before parent, then the school, whose deletion takes
    its audit entries with it (a database trigger, migration 0004). Returns how many rows went, by table.
    A school's own login on a trust's server may not delete its school: the database refuses it.
    """
    from ..models import Base

    name, school_id = school.name, school.id
    removed: dict[str, int] = {}
    for table in reversed(Base.metadata.sorted_tables):
        if "school_id" in table.c and table.name not in ("audit_entry", "school_access"):
            removed[table.name] = session.execute(
                table.delete().where(table.c.school_id == school_id)).rowcount or 0  # type: ignore[attr-defined]
    removed["audit_entry"] = session.scalar(select(func.count()).select_from(AuditEntry)
                                            .where(AuditEntry.school_id == school_id)) or 0
    session.execute(delete(School).where(School.id == school_id).execution_options(synchronize_session=False))
    if school in session:
        session.expunge(school)
    from .audit import record

    # Belongs to no school (so no school's report lists it): the trust's own record of what went.
    record(session, school_id=None, action="delete-school", table_name="school", record_id=school_id,
           summary=f"Deleted {name} and all its records ({sum(removed.values()):,} rows)")
    session.flush()
    return removed


def get_or_create_department(session: Session, school: School, name: Any) -> Department | None:
    clean = v.clean_text(name, "Department", max_len=100)
    if clean is None:
        return None
    dept = session.scalar(select(Department).where(Department.school_id == school.id,
                                                   func.lower(Department.name) == clean.lower()))
    if dept is None:
        dept = Department(school_id=school.id, name=clean)
        session.add(dept)
        session.flush()
    return dept
