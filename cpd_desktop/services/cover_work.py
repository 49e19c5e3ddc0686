"""Cover work typed into a sheet's lessons as into a spreadsheet: one cell, a pasted column, or a fill
("same as the lesson above", "same for this class"), each saved as one change against the versions the
person saw; and the lessons still without work set, which the sheet warns about before it is printed.

A change to several lessons is all or nothing: if any of them was changed by somebody else since it was
shown, or is no longer on the sheet, nothing is written and the refusal names the lesson.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ConcurrentEditError, NotFoundError, ValidationError
from ..models import CoverLesson, SchoolPeriod
from .bookings import clean_cover_values
from .concurrency import check_version

# The cover work a head of department types per lesson, in the sheet's order; field -> what a person calls it.
WORK_FIELDS: dict[str, str] = {
    "work_set": "Work set",
    "materials_location": "Where the materials are",
    "work_return": "Work collected or homework",
    "technician_notes": "Technician notes",
}

MAX_PASTE_ROWS = 500  # a sheet is a few days of lessons; more than this is a mistaken paste


@dataclass(frozen=True)
class LessonEdit:
    """New values for one lesson, and the version of it the person was looking at (None: not checked)."""

    lesson_id: int
    values: dict[str, Any]
    expected_version: int | None = None


def lesson_label(lesson: CoverLesson, period_labels: dict[int, str] | None = None) -> str:
    """A lesson as a cover manager names it: 'Mon 08/12 P2 10B Chemistry'."""
    period = (period_labels or {}).get(lesson.period) or f"P{lesson.period}"
    parts = [f"{lesson.date:%a} {lesson.date:%d/%m}", period, lesson.class_group or "", lesson.subject or ""]
    return " ".join(p for p in parts if p)


def _period_labels(session: Session, school_id: int) -> dict[int, str]:
    return {n: label for n, label in session.execute(
        select(SchoolPeriod.number, SchoolPeriod.label).where(SchoolPeriod.school_id == school_id))}


def _sheet(session: Session, school_id: int, booking_id: int) -> list[CoverLesson]:
    return list(session.scalars(select(CoverLesson).where(CoverLesson.school_id == school_id,
                                                          CoverLesson.booking_id == booking_id)
                                .order_by(CoverLesson.date, CoverLesson.period, CoverLesson.id)))


def clean_work(values: dict[str, Any]) -> dict[str, Any]:
    """The cover-work values checked as the lesson form checks them; any other field is refused."""
    other = [k for k in values if k not in WORK_FIELDS]
    if other:
        raise ValidationError(other[0], "is not part of the cover work typed in the grid.",
                              hint="Change it with Edit lesson… instead.")
    return clean_cover_values(values)


def set_cover_work(session: Session, school_id: int, edits: Iterable[LessonEdit]) -> int:
    """Write each edit to its lesson of ``school_id``, all or nothing; returns how many lessons changed."""
    edits = list(edits)
    labels = _period_labels(session, school_id)
    lessons: list[tuple[CoverLesson, dict[str, Any]]] = []
    for edit in edits:
        lesson = session.get(CoverLesson, edit.lesson_id)
        if lesson is None or lesson.school_id != school_id:
            raise NotFoundError("A lesson you were editing was taken off the sheet by someone else since you "
                                "looked at it, so nothing was saved.",
                                hint="The sheet has been refreshed: type the work again where it is still needed.")
        try:
            clean = clean_work(edit.values)
        except ValidationError as exc:
            raise ValidationError(f"{lesson_label(lesson, labels)}, {exc.field}", exc.message, hint=exc.hint) from exc
        try:
            check_version(lesson, edit.expected_version)
        except ConcurrentEditError as exc:
            if len(edits) == 1:
                raise
            raise ConcurrentEditError(
                f"{lesson_label(lesson, labels)} was changed by {exc.changed_by} at {exc.changed_at} since you "
                f"looked at it, so none of the {len(edits)} lessons was changed.",
                hint="The sheet has been refreshed: look at their change, then do it again.",
                changed_by=exc.changed_by, changed_at=exc.changed_at, current=exc.current) from exc
        lessons.append((lesson, clean))
    changed = 0
    for lesson, clean in lessons:
        differs = {k: val for k, val in clean.items() if getattr(lesson, k) != val}
        for key, value in differs.items():
            setattr(lesson, key, value)
        changed += bool(differs)
    session.flush()
    return changed


def work_of(lesson: CoverLesson) -> dict[str, Any]:
    return {key: getattr(lesson, key) for key in WORK_FIELDS}


def same_as_above(session: Session, school_id: int, booking_id: int, lesson_ids: list[int],
                  versions: dict[int, int | None]) -> int:
    """Give the chosen lessons the cover work of the lesson just above the first of them on the sheet
    (one chosen: the lesson above it; several: all take the work of the one above them, like a fill down)."""
    sheet = _sheet(session, school_id, booking_id)
    order = [lesson.id for lesson in sheet]
    chosen = sorted((i for i in set(lesson_ids) if i in order), key=order.index)
    if not chosen:
        raise NotFoundError("The chosen lesson is no longer on this sheet.", hint="The sheet has been refreshed.")
    first = order.index(chosen[0])
    if first == 0:
        raise ValidationError("Same as the lesson above", "the first lesson on the sheet has no lesson above it.",
                              hint="Choose a lesson further down the sheet.")
    work = _plain_work(sheet[first - 1])
    return set_cover_work(session, school_id, [LessonEdit(i, work, versions.get(i)) for i in chosen])


def same_for_class(session: Session, school_id: int, booking_id: int, lesson_id: int,
                   versions: dict[int, int | None]) -> int:
    """Give every other lesson of the chosen lesson's class on this sheet the chosen lesson's cover work."""
    sheet = _sheet(session, school_id, booking_id)
    source = next((lesson for lesson in sheet if lesson.id == lesson_id), None)
    if source is None:
        raise NotFoundError("The chosen lesson is no longer on this sheet.", hint="The sheet has been refreshed.")
    if not source.class_group:
        raise ValidationError("Same for this class", "the chosen lesson has no class.",
                              hint="Give it a class with Edit lesson… first.")
    key = source.class_group.strip().casefold()
    others = [lesson for lesson in sheet if lesson.id != source.id
              and (lesson.class_group or "").strip().casefold() == key]
    if not others:
        raise ValidationError("Same for this class", f"{source.class_group} has no other lesson on this sheet.",
                              hint="Type the work into each lesson, or use “Same as the lesson above”.")
    work = _plain_work(source)
    return set_cover_work(session, school_id, [LessonEdit(o.id, work, versions.get(o.id)) for o in others])


def _plain_work(lesson: CoverLesson) -> dict[str, Any]:
    return {key: ("" if value is None else value) for key, value in work_of(lesson).items()}


def parse_pasted(text: str) -> list[list[str]]:
    """Cells copied from a spreadsheet: rows by line, cells by tab; a cell Excel quoted (one holding a line
    break or a tab) is read whole. A final line break (spreadsheets add one) makes no empty row."""
    if len(text) > 2_000_000:
        raise ValidationError("Paste", "is too long to be cover work.", hint="Copy the cells of one sheet's lessons.")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if "\t" not in text and '"' not in text:
        rows = [[line] for line in text.split("\n")]
    else:
        rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter="\t", quotechar='"')]
    if len(rows) > MAX_PASTE_ROWS:
        raise ValidationError("Paste", f"{len(rows):,} rows is more than a cover sheet holds.",
                              hint="Copy only the cells for this sheet's lessons.")
    return rows or [[""]]


def paste_edits(rows: list[list[str]], lesson_ids: list[int], start_row: int, fields: list[str | None],
                start_column: int, versions: dict[int, int | None]) -> list[LessonEdit]:
    """Edits for pasted ``rows`` laid from (``start_row``, ``start_column``) downward and rightward over the
    sheet's lessons in order; ``fields`` names the grid's columns (None: one not typed into).

    Refused whole, saying why, if the rows run past the last lesson or a cell lands on a column that is
    not cover work: nothing is pasted in part."""
    width = max(len(r) for r in rows)
    below = len(lesson_ids) - start_row
    if len(rows) > below:
        raise ValidationError("Paste", f"{_n(len(rows), 'row')} copied, but only {_n(below, 'lesson')} from the "
                              "chosen one to the end of the sheet; nothing was pasted.",
                              hint="Choose a lesson higher up, or copy fewer rows.")
    targets = fields[start_column:start_column + width]
    if len(targets) < width or any(f is None for f in targets):
        raise ValidationError("Paste", f"{_n(width, 'column')} copied would reach a column that is not cover "
                              "work (only work set, materials, work collected and technician notes are typed "
                              "here); nothing was pasted.", hint="Copy fewer columns, or choose a cell further left.")
    edits = []
    for offset, row in enumerate(rows):
        ident = lesson_ids[start_row + offset]
        values = {str(field): (row[i] if i < len(row) else "") for i, field in enumerate(targets)}
        edits.append(LessonEdit(ident, values, versions.get(ident)))
    return edits


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def lessons_without_work(session: Session, school_id: int, booking_id: int) -> list[str]:
    """The sheet's lessons with no work set, named as the cover manager reads them, in the sheet's order."""
    labels = _period_labels(session, school_id)
    return [lesson_label(lesson, labels) for lesson in _sheet(session, school_id, booking_id)
            if not (lesson.work_set or "").strip()]


def missing_work_question(names: list[str], *, shown: int = 8) -> str:
    """'3 lessons have no work set: Mon 08/12 P2 10B Chemistry, … Save the sheet anyway?'"""
    listed = ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")
    verb = "has" if len(names) == 1 else "have"
    return f"{_n(len(names), 'lesson')} {verb} no work set: {listed}. Save the sheet anyway?"


__all__ = ["WORK_FIELDS", "LessonEdit", "lesson_label", "lessons_without_work",
           "missing_work_question", "parse_pasted", "paste_edits", "same_as_above", "same_for_class",
           "set_cover_work"]
