"""A teacher's timetable: the week A / week B grid of days × periods, its lessons added, changed and
deleted by hand, and a teacher's lessons replaced from a timetable file after a preview of what changes.

Each change takes the ``expected_version`` the person saw: if somebody else changed the lesson since,
it is refused (``ConcurrentEditError``) rather than overwriting what they never saw. A teacher teaches
one class at a time: a lesson in a slot already taken (the same week, day and period, or a week A
lesson where an every-week one is) is refused with what is there. Every query is of one school: a
lesson or teacher of another school is never shown or changed ("not found").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ConcurrentEditError, CpdError, NotFoundError, ValidationError
from ..imports.engine import ImportResult
from ..imports.fields import missing_columns
from ..imports.kinds.timetable import TimetableImporter
from ..imports.source import open_source
from ..models import Booking, CoverLesson, School, SchoolPeriod, Staff, TimetableLesson
from ..models.enums import TIMETABLE_WEEKS, WEEKDAYS
from . import validation as v
from .bookings import absence_days, week_of
from .years import cached_calendar

SCHOOL_DAYS = (1, 2, 3, 4, 5)
DEFAULT_PERIODS = tuple(range(1, 7))  # when the school has set none (as the cover sheet's lesson dialog offers)
TEXT_FIELDS = {"class_group": ("Class", 40), "subject": ("Subject", 100), "room": ("Room", 40)}


@dataclass(frozen=True)
class Period:
    number: int
    label: str  # "P1 (08:50–09:50)"


@dataclass(frozen=True)
class Lesson:
    id: int
    version: int
    week: str  # "every", "A" or "B"
    weekday: int  # Monday = 1
    period: int
    class_group: str | None
    subject: str | None
    room: str | None
    covers: tuple[str, ...] = ()  # "Cover: Practical physics 08–10/12/2025", for the week shown

    @property
    def text(self) -> str:
        """What a cell shows: class, subject and room, one a line."""
        return "\n".join(x for x in (self.class_group, self.subject, self.room) if x) or "(lesson)"


@dataclass
class TimetableGrid:
    """One teacher's timetable as the window draws it: ``weeks`` is ["A", "B"] for a two-week
    timetable, ["every"] for one week; ``cells[(week, weekday, period)]`` the lesson there (an
    every-week lesson shows in both weeks)."""

    staff_id: int
    teacher: str
    two_week: bool
    weeks: list[str]
    days: list[int]
    periods: list[Period]
    cells: dict[tuple[str, int, int], Lesson] = field(default_factory=dict)
    monday: dt.date | None = None  # the week the cover marks are for
    week_shown: str | None = None  # that week's letter ("A"/"B"), or None for a one-week timetable

    @property
    def lesson_count(self) -> int:
        return len({lesson.id for lesson in self.cells.values()})


def week_label(week: str) -> str:
    return TIMETABLE_WEEKS.get(week, week)


def slot_text(week: str, weekday: int, period: int, *, two_week: bool = True) -> str:
    """'Week A, Monday P1' (or 'Monday P1' for a one-week timetable)."""
    day = WEEKDAYS.get(weekday, f"day {weekday}")
    if week == "every":
        return f"{day} P{period}" + (", every week" if two_week else "")
    return f"{week_label(week)}, {day} P{period}"


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _span(start: dt.date, end: dt.date) -> str:
    """08–10/12/2025; 28/11–02/12/2025; 08/12/2025."""
    if start == end:
        return f"{start:%d/%m/%Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%d}–{end:%d/%m/%Y}"
    if start.year == end.year:
        return f"{start:%d/%m}–{end:%d/%m/%Y}"
    return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"


def get_teacher(session: Session, school: School, staff_id: int) -> Staff:
    person = session.get(Staff, staff_id)
    if person is None or person.school_id != school.id:
        raise NotFoundError("That member of staff is no longer on the school's list.", hint="Choose another teacher.")
    return person


def get_lesson(session: Session, school: School, lesson_id: int) -> TimetableLesson:
    lesson = session.get(TimetableLesson, lesson_id)
    if lesson is None or lesson.school_id != school.id:
        raise NotFoundError("That lesson is no longer on the timetable.",
                            hint="Somebody else may have deleted it; the timetable now shows what is there.")
    return lesson


def is_two_week(session: Session, school: School) -> bool:
    """The school runs a two-week timetable: it has set a week A Monday, or its lessons say A or B."""
    if school.week_a_commencing is not None:
        return True
    return session.scalar(select(TimetableLesson.id).where(TimetableLesson.school_id == school.id,
                                                           TimetableLesson.week != "every").limit(1)) is not None


def school_periods(session: Session, school: School) -> list[Period]:
    rows = session.execute(select(SchoolPeriod.number, SchoolPeriod.label, SchoolPeriod.start_time,
                                  SchoolPeriod.end_time).where(SchoolPeriod.school_id == school.id)
                           .order_by(SchoolPeriod.number)).all()
    return [Period(r.number, f"{r.label} ({r.start_time:%H:%M}–{r.end_time:%H:%M})") for r in rows]


def teachers(session: Session, school: School, *, department: str | None = None) -> list[tuple[int, str]]:
    """(id, "Surname, Forename (CODE)") of the school's staff, by name; with ``department``, its staff only."""
    from ..models import Department

    stmt = select(Staff.id, Staff.forename, Staff.surname, Staff.staff_code).where(Staff.school_id == school.id)
    if department:
        stmt = stmt.join(Department, Department.id == Staff.department_id).where(Department.name == department)
    rows = session.execute(stmt.order_by(Staff.sort_name, Staff.id)).all()
    return [(r.id, f"{r.surname}, {r.forename} ({r.staff_code})") for r in rows]


def _covers(session: Session, school: School, person: Staff, monday: dt.date) -> dict[dt.date, list[str]]:
    """Each day of the week of ``monday`` on which the teacher is away on a booking needing cover: the bookings."""
    friday = monday + dt.timedelta(days=6)
    bookings = session.scalars(select(Booking).where(
        Booking.school_id == school.id, Booking.staff_id == person.id, Booking.cover_required.is_(True),
        Booking.status != "cancelled", Booking.start_date <= friday, Booking.end_date >= monday)
        .order_by(Booking.start_date, Booking.id)).all()
    out: dict[dt.date, list[str]] = {}
    calendar = cached_calendar(session, school)
    for booking in bookings:
        label = f"Cover: {booking.title} {_span(booking.start_date, booking.end_date)}"
        for day in absence_days(booking, calendar):
            if monday <= day <= friday:
                out.setdefault(day, []).append(label)
    return out


def timetable_grid(session: Session, school: School, staff_id: int, *, week_of_day: dt.date | None = None) -> TimetableGrid:
    """The teacher's lessons as a grid; with ``week_of_day``, each lesson of that week shows the bookings
    needing cover that take the teacher away on its day."""
    person = get_teacher(session, school, staff_id)
    two_week = is_two_week(session, school)
    periods = school_periods(session, school)
    lessons = session.scalars(select(TimetableLesson).where(TimetableLesson.school_id == school.id,
                                                            TimetableLesson.staff_id == person.id)).all()
    known = {p.number for p in periods}
    extra = sorted({lesson.period for lesson in lessons} - known)  # lessons in a period the school has not set
    periods = sorted(periods + [Period(n, f"P{n}") for n in extra], key=lambda p: p.number)
    if not periods:
        periods = [Period(n, f"P{n}") for n in DEFAULT_PERIODS]
    days = sorted(set(SCHOOL_DAYS) | {lesson.weekday for lesson in lessons})
    weeks = ["A", "B"] if two_week else ["every"]
    monday = monday_of(week_of_day) if week_of_day else None
    shown = week_of(school, monday) if (monday and two_week) else None
    covers = _covers(session, school, person, monday) if monday else {}
    grid = TimetableGrid(person.id, person.full_name, two_week, weeks, days, periods, monday=monday, week_shown=shown)
    for lesson in lessons:
        for week in weeks:
            if lesson.week not in ("every", week):
                continue
            marks: tuple[str, ...] = ()
            if monday is not None and (shown is None or week == shown):
                marks = tuple(covers.get(monday + dt.timedelta(days=lesson.weekday - 1), ()))
            grid.cells[(week, lesson.weekday, lesson.period)] = Lesson(
                lesson.id, lesson.version, lesson.week, lesson.weekday, lesson.period, lesson.class_group,
                lesson.subject, lesson.room, marks)
    return grid


# ---- one lesson -----------------------------------------------------------------------------------------
def clean_lesson_values(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "week" in values:
        out["week"] = v.parse_choice(values["week"] or "every", "Week", TIMETABLE_WEEKS, default="every")
    if "weekday" in values:
        raw = values["weekday"]
        try:
            day = int(raw)
        except (TypeError, ValueError):
            day = next((n for n, name in WEEKDAYS.items() if str(raw).strip().lower() in (name.lower(), name[:3].lower())), 0)
        if day not in WEEKDAYS:
            raise ValidationError("Day", f"'{raw}' is not a day of the week.", hint="Choose Monday to Friday.")
        out["weekday"] = day
    if "period" in values:
        raw = str(values["period"] if values["period"] is not None else "").strip().upper().removeprefix("P")
        if not raw.isdigit() or not 0 <= int(raw) <= 20:
            raise ValidationError("Period", f"'{values['period']}' is not a period of the day.",
                                  hint="Choose one of the school's periods.")
        out["period"] = int(raw)
    for key, (label, cap) in TEXT_FIELDS.items():
        if key in values:
            out[key] = v.clean_text(values[key], label, max_len=cap)
    return out


def _check_slot_free(session: Session, person: Staff, week: str, weekday: int, period: int,
                     exclude_id: int | None = None) -> None:
    weeks = ("every", "A", "B") if week == "every" else ("every", week)
    stmt = select(TimetableLesson).where(TimetableLesson.staff_id == person.id, TimetableLesson.weekday == weekday,
                                         TimetableLesson.period == period, TimetableLesson.week.in_(weeks))
    if exclude_id is not None:
        stmt = stmt.where(TimetableLesson.id != exclude_id)
    other = session.scalars(stmt.limit(1)).first()
    if other is not None:
        what = " ".join(x for x in (other.class_group, other.subject) if x) or "a lesson"
        raise ValidationError("Period", f"{person.full_name} already teaches {what} then "
                              f"({slot_text(other.week, other.weekday, other.period)}).",
                              hint="Choose another period or day, or edit that lesson instead.")


def add_lesson(session: Session, school: School, staff_id: int, **values: Any) -> TimetableLesson:
    person = get_teacher(session, school, staff_id)
    for key in ("weekday", "period"):
        values.setdefault(key, None)
    values.setdefault("week", "every")
    clean = clean_lesson_values(values)
    _check_slot_free(session, person, clean["week"], clean["weekday"], clean["period"])
    lesson = TimetableLesson(school_id=school.id, staff_id=person.id, **clean)
    session.add(lesson)
    session.flush()
    return lesson


def update_lesson(session: Session, school: School, lesson_id: int, *, expected_version: int | None = None,
                  **values: Any) -> TimetableLesson:
    from .concurrency import check_version

    lesson = get_lesson(session, school, lesson_id)
    check_version(lesson, expected_version)
    clean = clean_lesson_values(values)
    week = clean.get("week", lesson.week)
    weekday = clean.get("weekday", lesson.weekday)
    period = clean.get("period", lesson.period)
    if (week, weekday, period) != (lesson.week, lesson.weekday, lesson.period):
        _check_slot_free(session, get_teacher(session, school, lesson.staff_id), week, weekday, period,
                         exclude_id=lesson.id)
    for key, value in clean.items():
        if getattr(lesson, key) != value:
            setattr(lesson, key, value)
    session.flush()
    return lesson


def delete_lesson(session: Session, school: School, lesson_id: int, *, expected_version: int | None = None) -> None:
    """Take a lesson off the timetable; cover sheets already made keep their copy of it."""
    from .concurrency import check_version

    lesson = get_lesson(session, school, lesson_id)
    check_version(lesson, expected_version, action="delete")
    _unlink_cover(session, [lesson.id])
    session.delete(lesson)
    session.flush()


def _unlink_cover(session: Session, lesson_ids: list[int]) -> None:
    """Clear the cover lessons' link to lessons about to be deleted, here rather than by the database's
    ON DELETE SET NULL, so that the undo record sees it and an undo makes each again the lesson its cover
    lessons came from (the sheets keep their own copy of the class, subject and room either way)."""
    if not lesson_ids:
        return
    for cover in session.scalars(select(CoverLesson).where(CoverLesson.timetable_lesson_id.in_(lesson_ids))):
        cover.timetable_lesson_id = None
    session.flush()


# ---- replacing a teacher's timetable from a file ----------------------------------------------------------
Slot = tuple[str, int, int]  # week, weekday, period


@dataclass(frozen=True)
class LessonChange:
    slot: Slot
    before: dict[str, str | None] | None  # None: added
    after: dict[str, str | None] | None  # None: removed

    def describe(self, *, two_week: bool = True) -> str:
        def what(values: dict[str, str | None]) -> str:
            return ", ".join(x for x in (values.get("class_group"), values.get("subject"), values.get("room")) if x) \
                or "no class, subject or room"

        where = slot_text(*self.slot, two_week=two_week)
        if self.before is None and self.after is not None:
            return f"{where}: {what(self.after)}"
        if self.after is None and self.before is not None:
            return f"{where}: {what(self.before)}"
        assert self.before is not None and self.after is not None
        parts = []
        for key, (label, _cap) in TEXT_FIELDS.items():
            old, new = self.before.get(key), self.after.get(key)
            if old != new:
                parts.append(f"{label.lower()} {old or '(none)'} → {new or '(none)'}")
        return f"{where}: " + "; ".join(parts)


@dataclass
class Replacement:
    """What replacing a teacher's timetable from a file would do; ``apply_replacement`` does it."""

    staff_id: int
    teacher: str
    file_name: str
    rows: int  # the file's rows about this teacher
    two_week: bool
    added: list[LessonChange]
    removed: list[LessonChange]
    changed: list[LessonChange]
    unchanged: int
    lessons: dict[Slot, dict[str, str | None]]  # the file's lessons for this teacher
    seen: dict[int, int]  # the teacher's lessons when the preview was made: id → version

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    @property
    def summary(self) -> str:
        def n(count: int, one: str) -> str:
            return f"{count} {one if count == 1 else one + 's'}"

        return (f"{n(len(self.added), 'lesson')} added, {len(self.removed)} removed, {len(self.changed)} changed, "
                f"{self.unchanged} unchanged")


def _lesson_values(obj: Any) -> dict[str, str | None]:
    return {key: getattr(obj, key) if not isinstance(obj, dict) else obj.get(key) for key in TEXT_FIELDS}


def preview_replacement(session: Session, school: School, staff_id: int, path: str | Path, *,
                        sheet: str | None = None) -> Replacement:
    """Read a timetable file (as File → Import reads one), keep the rows about this teacher, and compare
    them with the teacher's lessons. Bad rows about this teacher refuse the whole file (each named with its
    row); rows about other people are left alone, whatever they hold."""
    person = get_teacher(session, school, staff_id)
    source = open_source(path, "timetable", sheet=sheet)
    table = source.table
    missing = missing_columns(source.kind, source.mapping)
    if missing:
        raise CpdError(f"{table.path.name} has no column for " + "; ".join(missing) + ".",
                       hint="Rename the column in the file (File → Import… shows the names it knows).")
    result = ImportResult(kind="timetable", file_name=table.path.name, encoding=table.encoding,
                          delimiter=table.delimiter, sheet=table.sheet, header_row=source.header_row,
                          rows=len(source.data_rows))
    importer = _OneTeacher(session, school, source, result, None, None)
    importer.teacher_id = person.id
    importer.check_rows()
    if result.errors:
        first = result.errors[:5]
        more = len(result.errors) - len(first)
        listed = "; ".join(f"row {e.row}, {e.field}: {e.message}" for e in first)
        raise CpdError(f"{table.path.name} has {len(result.errors)} "
                       f"{'problem' if len(result.errors) == 1 else 'problems'} in {person.full_name}'s rows: {listed}"
                       + (f" (and {more} more)" if more else "") + ".",
                       hint="Correct the file and choose it again; nothing was changed.")
    lessons: dict[Slot, dict[str, str | None]] = {}
    for _rowno, record in importer.records:
        lessons[(record["week"], record["weekday"], record["period"])] = _lesson_values(record)
    if not lessons:
        raise CpdError(f"{table.path.name} has no lessons for {person.full_name} ({person.staff_code}).",
                       hint="Check that it is the right file and that it names this teacher by staff code, "
                            "email or name; nothing was changed.")
    current = session.scalars(select(TimetableLesson).where(TimetableLesson.school_id == school.id,
                                                            TimetableLesson.staff_id == person.id)).all()
    have = {(x.week, x.weekday, x.period): x for x in current}
    added = [LessonChange(slot, None, values) for slot, values in lessons.items() if slot not in have]
    removed = [LessonChange(slot, _lesson_values(x), None) for slot, x in have.items() if slot not in lessons]
    changed = [LessonChange(slot, _lesson_values(have[slot]), values) for slot, values in lessons.items()
               if slot in have and _lesson_values(have[slot]) != values]
    order = {"every": 0, "A": 1, "B": 2}

    def key(change: LessonChange) -> Any:
        return (order.get(change.slot[0], 3), change.slot[1], change.slot[2])

    two_week = is_two_week(session, school) or any(slot[0] != "every" for slot in lessons)
    return Replacement(person.id, person.full_name, table.path.name, len(importer.records), two_week,
                       sorted(added, key=key), sorted(removed, key=key), sorted(changed, key=key),
                       len(lessons) - len(added) - len(changed), lessons, {x.id: x.version for x in current})


def apply_replacement(session: Session, school: School, plan: Replacement) -> Replacement:
    """Make the teacher's lessons those of the file, as previewed, in the caller's one transaction.

    Refused, with nothing changed, if the teacher's timetable has changed since the preview (a lesson
    added, edited or deleted by somebody else): the preview would no longer say what happens.
    """
    person = get_teacher(session, school, plan.staff_id)
    current = session.scalars(select(TimetableLesson).where(TimetableLesson.school_id == school.id,
                                                            TimetableLesson.staff_id == person.id)).all()
    if {x.id: x.version for x in current} != plan.seen:
        raise ConcurrentEditError(f"{person.full_name}'s timetable has changed since the preview, so "
                                  f"{plan.file_name} was not applied.",
                                  hint="Choose “Replace from file…” again to see what it would change now.")
    have = {(x.week, x.weekday, x.period): x for x in current}
    _unlink_cover(session, [have[change.slot].id for change in plan.removed])
    for change in plan.removed:
        session.delete(have[change.slot])
    session.flush()  # the slots are free before any lesson moves into them
    for change in plan.changed:
        lesson = have[change.slot]
        assert change.after is not None
        for key, value in change.after.items():
            if getattr(lesson, key) != value:
                setattr(lesson, key, value)
    for change in plan.added:
        assert change.after is not None
        week, weekday, period = change.slot
        session.add(TimetableLesson(school_id=school.id, staff_id=person.id, week=week, weekday=weekday,
                                    period=period, **change.after))
    session.flush()
    return plan


class _OneTeacher(TimetableImporter):
    """The timetable import's own checks, on the rows about one teacher only."""

    teacher_id: int = 0

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        assert self.staff_lookup is not None
        try:
            who: int | None = self.staff_lookup.find(self, values)
        except ValidationError:
            who = None
        if who != self.teacher_id:
            errors.clear()  # somebody else's row (or nobody's): not this replacement's business
            return None
        record = super().finish(rowno, values, errors)
        if record is not None:
            for key in TEXT_FIELDS:  # a blank cell in a replacement is an empty field
                record.setdefault(key, None)
        return record
