"""The Timetable view's core: a teacher's week A/B grid, lessons added, changed and deleted against the
version seen, a teacher's lessons replaced from a file after a preview, and one school never showing
another's lessons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cpd_desktop.errors import ConcurrentEditError, CpdError, NotFoundError, ValidationError
from cpd_desktop.models import TimetableLesson
from cpd_desktop.services import bookings, schools, staff
from cpd_desktop.services import timetable as tt


@pytest.fixture
def teacher(session: Any, school: Any) -> Any:
    return staff.add_staff(session, school, forename="Łukasz", surname="Zając", staff_code="LZA",
                           department="Science", fte="1")


def test_one_week_school_has_one_grid_of_weekdays_by_its_periods(session: Any, school: Any, teacher: Any) -> None:
    tt.add_lesson(session, school, teacher.id, weekday=2, period=3, class_group="9X2", subject="Physics", room="S4")
    grid = tt.timetable_grid(session, school, teacher.id)
    assert grid.two_week is False and grid.weeks == ["every"]
    assert grid.days == [1, 2, 3, 4, 5]
    assert [p.number for p in grid.periods] == [1, 2, 3, 4, 5]
    assert grid.periods[0].label.startswith("P1 (")
    assert grid.cells[("every", 2, 3)].text == "9X2\nPhysics\nS4"
    assert len(grid.cells) == 1


def test_two_week_school_shows_week_a_and_b_and_every_week_lessons_in_both(session: Any, school: Any,
                                                                           teacher: Any) -> None:
    school.week_a_commencing = dt.date(2025, 9, 1)
    tt.add_lesson(session, school, teacher.id, week="A", weekday=1, period=1, class_group="7A")
    tt.add_lesson(session, school, teacher.id, week="B", weekday=1, period=1, class_group="7B")
    tt.add_lesson(session, school, teacher.id, week="every", weekday=5, period=5, class_group="13P")
    grid = tt.timetable_grid(session, school, teacher.id)
    assert grid.weeks == ["A", "B"]
    assert grid.cells[("A", 1, 1)].class_group == "7A"
    assert grid.cells[("B", 1, 1)].class_group == "7B"
    assert grid.cells[("A", 5, 5)].class_group == grid.cells[("B", 5, 5)].class_group == "13P"
    assert grid.lesson_count == 3


def test_lessons_in_a_period_the_school_has_not_set_still_show(session: Any, school: Any, teacher: Any) -> None:
    tt.add_lesson(session, school, teacher.id, weekday=1, period=7, class_group="Club")
    grid = tt.timetable_grid(session, school, teacher.id)
    assert [p.number for p in grid.periods][-1] == 7
    assert ("every", 1, 7) in grid.cells


def test_add_refuses_a_slot_already_taken_and_bad_values(session: Any, school: Any, teacher: Any) -> None:
    school.week_a_commencing = dt.date(2025, 9, 1)
    tt.add_lesson(session, school, teacher.id, week="every", weekday=1, period=2, class_group="10Y1")
    with pytest.raises(ValidationError) as exc:
        tt.add_lesson(session, school, teacher.id, week="A", weekday=1, period=2, class_group="8C")
    assert exc.value.field == "Period" and "already teaches 10Y1" in exc.value.message
    with pytest.raises(ValidationError, match="not a day"):
        tt.add_lesson(session, school, teacher.id, weekday="Funday", period=1)
    with pytest.raises(ValidationError, match="not a period"):
        tt.add_lesson(session, school, teacher.id, weekday=1, period="P99")
    with pytest.raises(ValidationError):
        tt.add_lesson(session, school, teacher.id, weekday=1, period=3, class_group="X" * 41)


def test_edit_and_delete_take_the_version_seen_and_refuse_a_stale_one(session: Any, school: Any,
                                                                     teacher: Any) -> None:
    lesson = tt.add_lesson(session, school, teacher.id, weekday=3, period=4, class_group="11S", room="S1")
    seen = lesson.version
    tt.update_lesson(session, school, lesson.id, expected_version=seen, room="S2")
    assert lesson.room == "S2" and lesson.version == seen + 1
    with pytest.raises(ConcurrentEditError):  # a colleague saved in between: the old copy loses nothing
        tt.update_lesson(session, school, lesson.id, expected_version=seen, room="S9")
    assert lesson.room == "S2"
    with pytest.raises(ConcurrentEditError):
        tt.delete_lesson(session, school, lesson.id, expected_version=seen)
    assert session.get(TimetableLesson, lesson.id) is not None
    tt.delete_lesson(session, school, lesson.id, expected_version=seen + 1)
    assert session.get(TimetableLesson, lesson.id) is None


def test_moving_a_lesson_onto_another_is_refused(session: Any, school: Any, teacher: Any) -> None:
    tt.add_lesson(session, school, teacher.id, weekday=1, period=1, class_group="7A")
    other = tt.add_lesson(session, school, teacher.id, weekday=1, period=2, class_group="7B")
    with pytest.raises(ValidationError, match="already teaches 7A"):
        tt.update_lesson(session, school, other.id, period=1)


def test_another_schools_teacher_and_lessons_are_never_shown_or_changed(session: Any, school: Any,
                                                                       teacher: Any) -> None:
    other = schools.create_school(session, "Brackenfield School")
    stranger = staff.add_staff(session, other, forename="Quarrington", surname="Quarringtonson", staff_code="Q1")
    theirs = tt.add_lesson(session, other, stranger.id, weekday=1, period=1, class_group="Q7")
    tt.add_lesson(session, school, teacher.id, weekday=1, period=1, class_group="9X2")
    assert [name for _i, name in tt.teachers(session, school)] == ["Zając, Łukasz (LZA)"]
    with pytest.raises(NotFoundError):
        tt.timetable_grid(session, school, stranger.id)
    with pytest.raises(NotFoundError):
        tt.update_lesson(session, school, theirs.id, class_group="hacked")
    with pytest.raises(NotFoundError):
        tt.delete_lesson(session, school, theirs.id)
    with pytest.raises(NotFoundError):
        tt.add_lesson(session, school, stranger.id, weekday=2, period=2)
    grid = tt.timetable_grid(session, school, teacher.id)
    assert [c.class_group for c in grid.cells.values()] == ["9X2"]
    assert theirs.class_group == "Q7"


def test_lessons_show_the_cover_bookings_they_fall_in_for_the_week_chosen(session: Any, school: Any,
                                                                         teacher: Any) -> None:
    monday_lesson = tt.add_lesson(session, school, teacher.id, weekday=1, period=1, class_group="9X2")
    tt.add_lesson(session, school, teacher.id, weekday=3, period=1, class_group="10Y1")
    bookings.create_booking(session, school, teacher, title="Practical physics", start_date=dt.date(2025, 12, 8),
                            end_date=dt.date(2025, 12, 9), hours="12", cover_required=True,
                            intended_outcomes="Pupils carry out the practical with less help")
    bookings.create_booking(session, school, teacher, title="No cover needed", start_date=dt.date(2025, 12, 8),
                            hours="6", cover_required=False,
                            intended_outcomes="Pupils carry out the practical with less help")
    grid = tt.timetable_grid(session, school, teacher.id, week_of_day=dt.date(2025, 12, 10))
    assert grid.monday == dt.date(2025, 12, 8)
    assert grid.cells[("every", 1, 1)].covers == ("Cover: Practical physics 08–09/12/2025",)
    assert grid.cells[("every", 3, 1)].covers == ()  # Wednesday: back in school
    later = tt.timetable_grid(session, school, teacher.id, week_of_day=dt.date(2025, 12, 15))
    assert later.cells[("every", 1, 1)].covers == ()
    assert monday_lesson.id == grid.cells[("every", 1, 1)].id


def test_cover_marks_only_the_week_a_or_b_the_date_falls_in(session: Any, school: Any, teacher: Any) -> None:
    school.week_a_commencing = dt.date(2025, 9, 1)  # so 15/12/2025 is week B (15 weeks on)
    tt.add_lesson(session, school, teacher.id, week="A", weekday=1, period=1, class_group="7A")
    tt.add_lesson(session, school, teacher.id, week="B", weekday=1, period=1, class_group="7B")
    bookings.create_booking(session, school, teacher, title="Practical physics", start_date=dt.date(2025, 12, 15),
                            hours="6", cover_required=True,
                            intended_outcomes="Pupils carry out the practical with less help")
    grid = tt.timetable_grid(session, school, teacher.id, week_of_day=dt.date(2025, 12, 15))
    assert grid.week_shown == "B"
    assert grid.cells[("B", 1, 1)].covers and not grid.cells[("A", 1, 1)].covers


def _csv(tmp_path: Path, text: str, name: str = "timetable.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_replace_from_file_previews_added_removed_changed_and_applies_them(session: Any, school: Any,
                                                                          teacher: Any, tmp_path: Path) -> None:
    other = staff.add_staff(session, school, forename="Nguyễn Thị", surname="Mai", staff_code="NTM")
    keep = tt.add_lesson(session, school, teacher.id, weekday=1, period=1, class_group="9X2", subject="Physics",
                         room="S4")
    tt.add_lesson(session, school, teacher.id, weekday=1, period=2, class_group="8C", subject="Science", room="S1")
    tt.add_lesson(session, school, teacher.id, weekday=2, period=1, class_group="11S", subject="Physics", room="S4")
    theirs = tt.add_lesson(session, school, other.id, weekday=1, period=1, class_group="7M")
    path = _csv(tmp_path, "Staff Code,Day,Period,Class,Subject,Room\n"
                          "LZA,Mon,1,9X2,Physics,S4\n"
                          "LZA,Mon,2,8C,Science,S5\n"
                          "LZA,Fri,3,12P,Physics,S3\n"
                          "NTM,Mon,1,,,\n"
                          "NOBODY,Tue,9,rubbish,,\n")
    plan = tt.preview_replacement(session, school, teacher.id, path)
    assert [c.describe(two_week=False) for c in plan.added] == ["Friday P3: 12P, Physics, S3"]
    assert [c.describe(two_week=False) for c in plan.removed] == ["Tuesday P1: 11S, Physics, S4"]
    assert [c.describe(two_week=False) for c in plan.changed] == ["Monday P2: room S1 → S5"]
    assert plan.unchanged == 1
    assert plan.summary == "1 lesson added, 1 removed, 1 changed, 1 unchanged"
    assert len(tt.timetable_grid(session, school, teacher.id).cells) == 3  # a preview changes nothing
    tt.apply_replacement(session, school, plan)
    grid = tt.timetable_grid(session, school, teacher.id)
    assert {slot: c.text for slot, c in grid.cells.items()} == {
        ("every", 1, 1): "9X2\nPhysics\nS4", ("every", 1, 2): "8C\nScience\nS5", ("every", 5, 3): "12P\nPhysics\nS3"}
    assert grid.cells[("every", 1, 1)].id == keep.id  # an unchanged lesson is kept, not re-made
    assert theirs.class_group == "7M"  # the other teacher's row in the file is not applied to them


def test_replace_refuses_a_file_without_this_teacher_or_with_bad_rows_for_them(session: Any, school: Any,
                                                                              teacher: Any, tmp_path: Path) -> None:
    tt.add_lesson(session, school, teacher.id, weekday=1, period=1, class_group="9X2")
    nobody = _csv(tmp_path, "Staff Code,Day,Period,Class\nZZZ,Mon,1,7A\n", "other.csv")
    with pytest.raises(CpdError, match="no lessons for Łukasz Zając"):
        tt.preview_replacement(session, school, teacher.id, nobody)
    bad = _csv(tmp_path, "Staff Code,Day,Period,Class\nLZA,Mon,1,7A\nLZA,Noday,2,7B\n", "bad.csv")
    with pytest.raises(CpdError, match="row 3, Day") as exc:
        tt.preview_replacement(session, school, teacher.id, bad)
    assert "nothing was changed" in exc.value.hint
    assert len(tt.timetable_grid(session, school, teacher.id).cells) == 1


def test_replace_is_refused_when_the_timetable_changed_after_the_preview(session: Any, school: Any,
                                                                        teacher: Any, tmp_path: Path) -> None:
    lesson = tt.add_lesson(session, school, teacher.id, weekday=1, period=1, class_group="9X2")
    path = _csv(tmp_path, "Staff Code,Day,Period,Class\nLZA,Tue,1,7A\n")
    plan = tt.preview_replacement(session, school, teacher.id, path)
    tt.update_lesson(session, school, lesson.id, class_group="9X3")  # a colleague, meanwhile
    with pytest.raises(ConcurrentEditError, match="changed since the preview"):
        tt.apply_replacement(session, school, plan)
    grid = tt.timetable_grid(session, school, teacher.id)
    assert [c.class_group for c in grid.cells.values()] == ["9X3"]


def test_a_lesson_deleted_and_undone_is_again_the_one_its_cover_lessons_came_from(db: Any, school: Any) -> None:
    """The database cleared the cover lessons' link to a deleted lesson by itself, unseen by the undo record,
    so Ctrl+Z brought the lesson back with its release-cover lessons no longer pointing at it."""
    from sqlalchemy import select

    from cpd_desktop.models import CoverLesson
    from cpd_desktop.services import unit

    with db.session() as s:
        s.add(school)
        person = staff.add_staff(s, school, forename="Łukasz", surname="Zając", staff_code="LZA", fte="1")
        lesson_id = tt.add_lesson(s, school, person.id, weekday=1, period=1, class_group="9X2").id
        booking = bookings.create_booking(s, school, person, title="Practical physics", hours="6",
                                          start_date=dt.date(2025, 12, 8), cover_required=True,
                                          intended_outcomes="Pupils carry out the practical with less help")
        assert [c.timetable_lesson_id for c in bookings.fill_cover_from_timetable(s, booking)] == [lesson_id]

    def links(s: Any) -> list[int | None]:
        return list(s.scalars(select(CoverLesson.timetable_lesson_id)))

    done = unit.do(db, lambda s: tt.delete_lesson(s, s.get(type(school), school.id), lesson_id))
    with db.session() as s:
        assert links(s) == [None]  # the sheet keeps its copy of the lesson
    unit.undo(db, done.changes)
    with db.session() as s:
        assert links(s) == [lesson_id]
    unit.redo(db, done.changes)
    with db.session() as s:
        assert links(s) == [None] and s.get(TimetableLesson, lesson_id) is None


def test_a_person_deleted_and_undone_comes_back_with_their_timetable_and_objective(db: Any, school: Any) -> None:
    """A new teacher with a timetable and an objective but no CPD yet may be deleted; the database took their
    lessons and objective with them, unseen by the undo record, so Ctrl+Z brought back the person alone."""
    from sqlalchemy import func, select

    from cpd_desktop.models import Objective, Staff
    from cpd_desktop.services import unit
    from cpd_desktop.services.objectives import set_objective
    from cpd_desktop.services.years import AcademicYear

    with db.session() as s:
        s.add(school)
        person = staff.add_staff(s, school, forename="Siobhán", surname="Ó Dálaigh", staff_code="SOD", fte="1")
        ident = person.id
        tt.add_lesson(s, school, ident, weekday=1, period=1, class_group="9X2")
        tt.add_lesson(s, school, ident, weekday=2, period=3, class_group="11Y1")
        set_objective(s, school, ident, AcademicYear(2025), "Model titrations before Year 11 do them")

    def held(s: Any) -> tuple[int, int]:
        return (s.scalar(select(func.count()).select_from(TimetableLesson).where(TimetableLesson.staff_id == ident)),
                s.scalar(select(func.count()).select_from(Objective).where(Objective.staff_id == ident)))

    done = unit.do(db, lambda s: staff.delete_staff(s, s.get(Staff, ident)))
    with db.session() as s:
        assert s.get(Staff, ident) is None and held(s) == (0, 0)
    unit.undo(db, done.changes)
    with db.session() as s:
        assert held(s) == (2, 1)
    unit.redo(db, done.changes)
    with db.session() as s:
        assert s.get(Staff, ident) is None and held(s) == (0, 0)
