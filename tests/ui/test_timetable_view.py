"""The Timetable view walked as a head of science does: choose a teacher, read the lessons in the grid,
add one with Insert, edit it with F2, delete it with Delete (answering the question), bring it back with
Ctrl+Z, and replace the teacher's lessons from a file after reading the preview of what changes."""

# ruff: noqa: F811 - the demo window's fixtures are imported from the workflow tests and named as arguments

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QListWidget, QTabBar, QTableView

from tests.ui.workflows.conftest import (  # noqa: F401 - fixtures: the demo window, and no question answers itself
    OFFSCREEN_LIMITS,
    _quiet_dialogs,
    answer_modal,
    answering,
    choose,
    click,
    demo_path,
    find_button,
    find_field,
    find_table,
    go_to,
    messages_on,
    press,
    save_file_as,
    type_into,
    watch_for,
    window,
)

TEACHER = "Zając, Łukasz (LZA)"
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _lessons(path: Path, code: str) -> list[tuple[str, int, int, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT t.week, t.weekday, t.period, t.class_group FROM timetable_lesson t "
                            "JOIN staff s ON s.id = t.staff_id WHERE s.staff_code = ?", (code,)).fetchall()


def _cell(table: QTableView, day: str, period: int) -> QModelIndex:
    model = table.model()
    col = next(c for c in range(model.columnCount())
               if str(model.headerData(c, Qt.Orientation.Horizontal)).startswith(day))
    row = next(r for r in range(model.rowCount())
               if str(model.headerData(r, Qt.Orientation.Vertical)).startswith(f"P{period}\n"))
    return model.index(row, col)


def _text(table: QTableView, day: str, period: int) -> str:
    return str(_cell(table, day, period).data() or "")


def _click_cell(qtbot: Any, table: QTableView, day: str, period: int) -> None:
    index = _cell(table, day, period)
    rect = table.visualRect(index)
    assert rect.isValid()
    click(qtbot, table.viewport(), rect.center())
    qtbot.waitUntil(lambda: table.currentIndex() == index)


def _shown_table() -> QTableView:
    """The week's grid on screen (week A or B: the demo school has a two-week timetable)."""
    tables = [t for t in QApplication.activeWindow().findChildren(QTableView) if t.isVisible()
              and t.accessibleName().endswith("lessons")]
    assert len(tables) == 1, [t.accessibleName() for t in tables]
    return tables[0]


def _show_week(qtbot: Any, view: Any, name: str) -> None:
    bar = next(b for b in view.findChildren(QTabBar) if b.isVisible())
    index = next(i for i in range(bar.count()) if bar.tabText(i) == name)
    click(qtbot, bar, bar.tabRect(index).center())
    qtbot.waitUntil(lambda: _shown_table().accessibleName() == f"{name} lessons")


def _fill_lesson(qtbot: Any, class_group: str, subject: str, room: str) -> Any:
    def handler(dialog: Any) -> None:
        type_into(qtbot, find_field("Class", dialog), class_group)
        type_into(qtbot, find_field("Subject", dialog), subject)
        type_into(qtbot, find_field("Room", dialog), room)
        click(qtbot, find_button("Save", dialog))

    return handler


@OFFSCREEN_LIMITS
def test_a_teachers_timetable_is_read_added_to_edited_deleted_and_restored(window: Any, qtbot: Any,
                                                                          demo_path: Path) -> None:
    view = go_to(qtbot, window, "Timetable")
    picker = find_field("Teacher", view)
    choose(qtbot, picker, TEACHER)
    week_of = next(w for w in view.findChildren(QDateEdit) if w.accessibleName() == "Week of")
    assert week_of.isVisible() and week_of.text() == "17/11/2025"  # the Monday of "today", 20/11/2025
    table = _shown_table()
    week = "A" if table.accessibleName().startswith("Week A") else "B"
    # Every lesson of this teacher in the week on screen is in its cell, class first.
    on_screen = [(d, p, c) for w, d, p, c in _lessons(demo_path, "LZA") if w in (week, "every")]
    assert on_screen
    for day, period, class_group in on_screen:
        assert _text(table, DAYS[day - 1], period).startswith(class_group)
    # a free period: Insert opens Add lesson for it; what is typed shows in the cell once saved
    taken = {(d, p) for d, p, _c in on_screen}
    day, period = next((d, p) for d in range(1, 6) for p in range(1, 6) if (d, p) not in taken)
    _click_cell(qtbot, table, DAYS[day - 1], period)
    with answering(qtbot, _fill_lesson(qtbot, "9Q1", "Astronomy", "S9"), title="Add lesson"):
        press(qtbot, table, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: _text(table, DAYS[day - 1], period) == "9Q1\nAstronomy\nS9")
    # F2 edits it
    _click_cell(qtbot, table, DAYS[day - 1], period)

    def edit(dialog: Any) -> None:
        assert find_field("Class", dialog).text() == "9Q1"
        type_into(qtbot, find_field("Room", dialog), "Lab 3")
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, edit, title="Edit lesson"):
        press(qtbot, table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: _text(table, DAYS[day - 1], period) == "9Q1\nAstronomy\nLab 3")
    # Delete asks first; Cancel keeps it, Delete removes it
    with answering(qtbot, answer_modal(qtbot, "Cancel", expect="9Q1"), title="Delete lesson"):
        press(qtbot, table, Qt.Key.Key_Delete)
    assert _text(table, DAYS[day - 1], period) == "9Q1\nAstronomy\nLab 3"
    with answering(qtbot, answer_modal(qtbot, "Delete", expect="Astronomy"), title="Delete lesson"):
        press(qtbot, table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: _text(table, DAYS[day - 1], period) == "")
    # Ctrl+Z brings it back, as it was before the delete; Ctrl+Y deletes it again
    press(qtbot, table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _text(table, DAYS[day - 1], period) == "9Q1\nAstronomy\nLab 3")
    press(qtbot, table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _text(table, DAYS[day - 1], period) == "")
    assert ("9Q1" not in [c for _w, _d, _p, c in _lessons(demo_path, "LZA")])


@OFFSCREEN_LIMITS
def test_adding_a_lesson_where_one_is_refused_in_the_dialog_with_what_was_typed_kept(window: Any, qtbot: Any,
                                                                                    demo_path: Path) -> None:
    view = go_to(qtbot, window, "Timetable")
    choose(qtbot, find_field("Teacher", view), TEACHER)
    table = _shown_table()
    week = "A" if table.accessibleName().startswith("Week A") else "B"
    day, period, class_group = next((d, p, c) for w, d, p, c in _lessons(demo_path, "LZA") if w in (week, "every"))
    free = next((d, p) for d in range(1, 6) for p in range(1, 6)
                if not _text(table, DAYS[d - 1], p))
    _click_cell(qtbot, table, DAYS[free[0] - 1], free[1])
    seen: dict[str, str] = {}

    def handler(dialog: Any) -> None:
        choose(qtbot, find_field("Day", dialog), DAYS[day - 1])
        choose(qtbot, find_field("Period", dialog), f"P{period} ")
        type_into(qtbot, find_field("Class", dialog), "7Z9")
        click(qtbot, find_button("Save", dialog))
        qtbot.waitUntil(lambda: f"already teaches {class_group}" in messages_on(dialog))
        seen["class"] = find_field("Class", dialog).text()
        assert dialog.isVisible()  # the refused save keeps the dialog open
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, handler, title="Add lesson"):
        click(qtbot, find_button("Add lesson", view))
    assert seen["class"] == "7Z9"
    assert _text(table, DAYS[day - 1], period).startswith(class_group)


@OFFSCREEN_LIMITS
def test_replace_from_file_shows_what_changes_and_applies_it(window: Any, qtbot: Any, demo_path: Path,
                                                            tmp_path: Path) -> None:
    view = go_to(qtbot, window, "Timetable")
    choose(qtbot, find_field("Teacher", view), TEACHER)
    before = _lessons(demo_path, "LZA")
    kept = next(x for x in before if x[0] == "A")
    taken = {(w, d, p) for w, d, p, _c in before}
    free_day, free_period = next((d, p) for d in range(1, 6) for p in range(1, 6) if ("B", d, p) not in taken
                                 and ("every", d, p) not in taken)
    # The file: one of this teacher's week A lessons as it is, one new, a colleague's row (left alone)
    csv = tmp_path / "new timetable.csv"
    csv.write_text("Staff Code,Week,Day,Period,Class,Subject,Room\n"
                   f"LZA,{kept[0]},{DAYS[kept[1] - 1][:3]},{kept[2]},{kept[3]},Physics,S2\n"
                   f"LZA,B,{DAYS[free_day - 1][:3]},{free_period},13Q,Astrophysics,Dome\n"
                   "SAD,A,Mon,1,ZZZ,Nothing,Nowhere\n", encoding="utf-8")
    changes: list[str] = []

    def preview(dialog: Any) -> None:
        listing = find_field("Changes", dialog, QListWidget)
        changes.extend(listing.item(i).text() for i in range(listing.count()))
        click(qtbot, find_button("Apply", dialog))

    later = watch_for(qtbot, preview, title="Replace Łukasz Zając's timetable")
    with answering(qtbot, save_file_as(qtbot, csv), title="Choose the timetable file"):
        click(qtbot, find_button("Replace from file", view))
    later.wait()
    assert f"Added: Week B, {DAYS[free_day - 1]} P{free_period}: 13Q, Astrophysics, Dome" in changes
    removed = [c for c in changes if c.startswith("Removed: ")]
    assert len(removed) == len(before) - 1  # every other lesson of this teacher goes
    assert not any("ZZZ" in c for c in changes)
    qtbot.waitUntil(lambda: sorted(_lessons(demo_path, "LZA")) == sorted([kept, ("B", free_day, free_period, "13Q")]))
    assert f"1 lesson added, {len(before) - 1} removed" in window.statusBar().currentMessage()
    assert not any(c == "ZZZ" for _w, _d, _p, c in _lessons(demo_path, "SAD"))
    _show_week(qtbot, view, "Week B")
    qtbot.waitUntil(lambda: _text(_shown_table(), DAYS[free_day - 1], free_period) == "13Q\nAstrophysics\nDome")
    # one step undoes the whole replacement
    press(qtbot, find_field("Teacher", view), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: sorted(_lessons(demo_path, "LZA")) == sorted(before))


@OFFSCREEN_LIMITS
def test_lessons_show_the_cover_booking_that_takes_the_teacher_away_in_the_week_chosen(window: Any,
                                                                                      qtbot: Any) -> None:
    view = go_to(qtbot, window, "Timetable")
    choose(qtbot, find_field("Teacher", view), TEACHER)
    cover = "Cover: Practical physics for non-specialists (residential) 24–26/11/2025"
    assert not any(cover in _text(_shown_table(), d, p) for d in DAYS for p in range(1, 6))
    click(qtbot, find_button("Next week", view))  # the week of 24/11/2025: away Monday to Wednesday
    week_of = next(w for w in view.findChildren(QDateEdit) if w.accessibleName() == "Week of")
    qtbot.waitUntil(lambda: week_of.text() == "24/11/2025")
    table = _shown_table()
    assert table.model().headerData(0, Qt.Orientation.Horizontal) == "Monday 24/11"
    marked = {d for d in DAYS for p in range(1, 6) if cover in _text(table, d, p)}
    assert marked == {"Monday", "Tuesday", "Wednesday"}
    assert not any("Cover:" in _text(table, d, p) for d in ("Thursday", "Friday") for p in range(1, 6))


def test_the_grid_model_passes_the_model_tester_as_teachers_and_weeks_change(qtmodeltester: Any, qapp: Any, db: Any,
                                                                            school: Any) -> None:
    import datetime as dt

    from cpd_desktop.services import staff
    from cpd_desktop.services import timetable as tt
    from cpd_desktop.ui.views.timetable import TimetableGridModel

    with db.session() as s:
        s.add(school)
        one = staff.add_staff(s, school, forename="Ann", surname="Able", staff_code="AAB")
        two = staff.add_staff(s, school, forename="Bea", surname="Bright", staff_code="BBR")
        tt.add_lesson(s, school, one.id, weekday=1, period=1, class_group="7A", subject="Science", room="S1")
        first = tt.timetable_grid(s, school, one.id, week_of_day=dt.date(2025, 11, 20))
        second = tt.timetable_grid(s, school, two.id)
    model = TimetableGridModel("every")
    qtmodeltester.check(model)
    model.set_grid(first)
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "7A\nScience\nS1"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Monday 17/11"
    model.set_grid(second)
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == ""


@OFFSCREEN_LIMITS
def test_a_double_click_edits_a_lesson_or_adds_one_in_a_free_period(window: Any, qtbot: Any) -> None:
    view = go_to(qtbot, window, "Timetable")
    choose(qtbot, find_field("Teacher", view), TEACHER)
    table = _shown_table()
    taken = next((d, p) for d in DAYS for p in range(1, 6) if _text(table, d, p))
    free = next((d, p) for d in DAYS for p in range(1, 6) if not _text(table, d, p))
    seen: dict[str, str] = {}

    def look(dialog: Any) -> None:
        seen[dialog.windowTitle()] = f"{find_field('Day', dialog).currentText()} {find_field('Class', dialog).text()}"
        click(qtbot, find_button("Cancel", dialog))

    for day, period in (taken, free):
        rect = table.visualRect(_cell(table, day, period))
        with answering(qtbot, look):
            qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seen["Edit lesson"] == f"{taken[0]} {_text(table, *taken).splitlines()[0]}"
    assert seen["Add lesson"] == f"{free[0]} "
    assert not _text(table, *free)  # cancelled: nothing added
