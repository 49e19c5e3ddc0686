"""Cover work typed into the grid, in the core: cells pasted from a spreadsheet, fills, all-or-nothing saves
against the versions seen, another school's lessons out of reach, and the lessons the sheet warns about."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from cpd_desktop.errors import ConcurrentEditError, NotFoundError, ValidationError
from cpd_desktop.models import Booking, CoverLesson, School
from cpd_desktop.services.bookings import add_cover_lesson, create_booking
from cpd_desktop.services.cover_work import (
    LessonEdit,
    lessons_without_work,
    missing_work_question,
    parse_pasted,
    paste_edits,
    same_as_above,
    same_for_class,
    set_cover_work,
)
from cpd_desktop.services.schools import create_school
from cpd_desktop.services.staff import add_staff

MONDAY = dt.date(2025, 12, 8)


def _sheet(session: Session, school: School, code: str = "KME") -> tuple[Booking, list[CoverLesson]]:
    teacher = add_staff(session, school, forename="Kwame", surname="Mensah", staff_code=code, department="Science")
    booking = create_booking(session, school, teacher, title="Residential", start_date=MONDAY,
                             end_date=MONDAY + dt.timedelta(days=1), hours="12", cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    lessons = [add_cover_lesson(session, booking, date=day, period=p, class_group=group, subject="Chemistry")
               for day, p, group in ((MONDAY, 1, "10B"), (MONDAY, 2, "11C"), (MONDAY + dt.timedelta(days=1), 1, "10B"),
                                     (MONDAY + dt.timedelta(days=1), 3, "9A"))]
    return booking, lessons


def test_pasted_cells_are_read_as_a_spreadsheet_copies_them() -> None:
    assert parse_pasted("one\ntwo\n") == [["one"], ["two"]]  # the final line break makes no empty row
    assert parse_pasted("a\tb\r\nc\td\r\n") == [["a", "b"], ["c", "d"]]
    assert parse_pasted('"Quiz,\nthen mark"\tS4\nx\t\n') == [["Quiz,\nthen mark", "S4"], ["x", ""]]
    assert parse_pasted('He said "go"\n') == [['He said "go"']]  # quotes inside a cell stay
    with pytest.raises(ValidationError, match="more than a cover sheet holds"):
        parse_pasted("x\n" * 501)


def test_a_paste_is_refused_whole_when_it_runs_past_the_sheet_or_onto_other_columns() -> None:
    fields: list[str | None] = [None, None, "work_set", "materials_location", None]
    ids = [11, 12, 13]
    edits = paste_edits([["a", "S4"], ["b"]], ids, 1, fields, 2, {12: 3, 13: 1})
    assert edits == [LessonEdit(12, {"work_set": "a", "materials_location": "S4"}, 3),
                     LessonEdit(13, {"work_set": "b", "materials_location": ""}, 1)]
    with pytest.raises(ValidationError, match="3 rows copied, but only 2 lessons"):
        paste_edits([["a"], ["b"], ["c"]], ids, 1, fields, 2, {})
    with pytest.raises(ValidationError, match="not cover work"):
        paste_edits([["a", "b", "c"]], ids, 0, fields, 2, {})


def test_a_change_to_several_lessons_is_all_or_nothing(session: Session, school: School) -> None:
    _booking, lessons = _sheet(session, school)
    first, second = lessons[0], lessons[1]
    seen = {c.id: c.version for c in lessons}
    set_cover_work(session, school.id, [LessonEdit(second.id, {"work_set": "Theirs"}, seen[second.id])])
    with pytest.raises(ConcurrentEditError, match="none of the 2 lessons was changed"):
        set_cover_work(session, school.id, [LessonEdit(first.id, {"work_set": "Mine"}, seen[first.id]),
                                            LessonEdit(second.id, {"work_set": "Mine"}, seen[second.id])])
    assert first.work_set is None and second.work_set == "Theirs"
    with pytest.raises(ValidationError, match="Mon 08/12 P1 10B Chemistry, Work collected"):
        set_cover_work(session, school.id, [LessonEdit(first.id, {"work_set": "ok"}),
                                            LessonEdit(first.id, {"work_return": "sometimes"})])
    assert first.work_set is None
    with pytest.raises(ValidationError, match="Edit lesson"):
        set_cover_work(session, school.id, [LessonEdit(first.id, {"room": "S9"})])


def test_another_schools_lessons_cannot_be_written(session: Session, school: School) -> None:
    other = create_school(session, "Brackenfield School")
    _b, theirs = _sheet(session, other, code="OTH")
    with pytest.raises(NotFoundError):
        set_cover_work(session, school.id, [LessonEdit(theirs[0].id, {"work_set": "Mine"})])
    assert theirs[0].work_set is None
    with pytest.raises(NotFoundError):
        same_for_class(session, school.id, theirs[0].booking_id, theirs[0].id, {})


def test_fills_copy_the_work_of_the_lesson_above_and_to_the_same_class(session: Session, school: School) -> None:
    booking, lessons = _sheet(session, school)
    set_cover_work(session, school.id, [LessonEdit(lessons[0].id, {"work_set": "Rates worksheet",
                                                                   "materials_location": "Tray 3",
                                                                   "work_return": "collected"})])
    assert same_for_class(session, school.id, booking.id, lessons[0].id, {}) == 1
    assert (lessons[2].work_set, lessons[2].materials_location, lessons[2].work_return) == (
        "Rates worksheet", "Tray 3", "collected")
    assert lessons[1].work_set is None and lessons[3].work_set is None  # other classes untouched
    assert same_as_above(session, school.id, booking.id, [lessons[1].id], {}) == 1
    assert lessons[1].work_set == "Rates worksheet"
    with pytest.raises(ValidationError, match="no lesson above"):
        same_as_above(session, school.id, booking.id, [lessons[0].id], {})
    with pytest.raises(ValidationError, match="9A has no other lesson"):
        same_for_class(session, school.id, booking.id, lessons[3].id, {})


def test_the_lessons_without_work_are_named_in_the_sheets_order(session: Session, school: School) -> None:
    booking, lessons = _sheet(session, school)
    set_cover_work(session, school.id, [LessonEdit(lessons[1].id, {"work_set": "Past paper"})])
    missing = lessons_without_work(session, school.id, booking.id)
    assert missing == ["Mon 08/12 P1 10B Chemistry", "Tue 09/12 P1 10B Chemistry", "Tue 09/12 P3 9A Chemistry"]
    assert missing_work_question(missing) == ("3 lessons have no work set: Mon 08/12 P1 10B Chemistry, Tue 09/12 P1 "
                                              "10B Chemistry, Tue 09/12 P3 9A Chemistry. Save the sheet anyway?")
    assert missing_work_question(missing[:1]).startswith("1 lesson has no work set")
    assert missing_work_question([f"L{i}" for i in range(10)], shown=8).endswith("L7 and 2 more. Save the sheet anyway?")
