"""Cover work typed straight into the Cover view's lessons grid, as a head of science does for a residential:
F2 or just typing edits a cell, Enter saves it and moves down, "Same as the lesson above" and "Same for this
class" fill, Ctrl+V pastes a column from a spreadsheet, Ctrl+Z takes a paste or a fill back in one step, a
save over somebody else's change is shown, and the sheet warns before it is saved with lessons still
without work, naming them. Driven by the window's own controls and keys only."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QTableView

from cpd_desktop.models import Booking, CoverLesson, Staff
from cpd_desktop.services.bookings import update_cover_lesson
from cpd_desktop.services.database import open_database
from tests.ui.workflows.conftest import (  # the workflow walk: controls found and used as a person does
    OFFSCREEN_LIMITS,
    _quiet_dialogs,  # noqa: F401 - no question answers itself here
    answer_modal,
    answering,
    cell,
    click,
    click_row,
    find_button,
    find_table,
    go_to,
    messages_on,
    press,
    row_count,
    row_of,
    save_file_as,
    status_text,
    type_text,
    watch_for,
)


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    return path


@pytest.fixture
def win(make_window: Callable[..., Any], demo_copy: Path) -> Iterator[Any]:
    """The window on a copy of the demo school (built for 20/11/2025, the window's today), at 1366 pixels."""
    window = make_window()
    window.resize(1366, 728)
    assert window.open_database(str(demo_copy))
    yield window
    window.close_database()


@pytest.fixture
def shared_win(make_window: Callable[..., Any], demo_copy: Path) -> Iterator[Any]:
    """The same, opened as a shared file (a trust's or a network drive's: no lock), so others save meanwhile."""
    from sqlalchemy import select

    from cpd_desktop.models import School

    db = open_database(demo_copy)
    window = make_window()
    window.resize(1366, 728)
    with db.session() as s:
        school_id = s.scalar(select(School.id))
    window.set_database(db, school_id, str(demo_copy))
    yield window
    window.close_database()


def keys(qtbot: Any, text: str) -> None:
    """Typed on the keyboard: each key goes where the focus is (the grid, then the cell's editor it opens)."""
    for ch in text:
        qtbot.keyClicks(QApplication.focusWidget(), ch)


def _column(table: QTableView, title: str) -> int:
    model = table.model()
    return next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == title)


def click_cell(qtbot: Any, table: QTableView, row: int, title: str) -> None:
    index = table.model().index(row, _column(table, title))
    table.scrollTo(index)
    rect = table.visualRect(index)
    assert rect.isValid() and table.viewport().rect().contains(rect.center()), f"{title} of row {row} is off screen"
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: table.currentIndex() == index)


def editor_of(table: QTableView, cls: type = QLineEdit) -> Any:
    found = [w for w in table.viewport().findChildren(cls) if w.isVisible()]
    return found[0] if found else None


def open_sheet(qtbot: Any, window: Any, *row: str) -> QTableView:
    go_to(qtbot, window, "Cover")
    click_row(qtbot, find_table("cover bookings"), *row)
    lessons = find_table("cover lessons")
    qtbot.waitUntil(lambda: row_count(lessons) > 0)
    return lessons


def other_person(path: Path, change: Any) -> None:
    """Somebody else, on another computer, saves a change to the same file."""
    other = open_database(path)
    try:
        with other.session() as s:
            s.info["user"] = "j.okafor"
            change(s)
    finally:
        other.dispose()


def _lesson_ids(path: Path, surname: str) -> list[int]:
    db = open_database(path)
    try:
        with db.session() as s:
            booking = next(b for b in s.query(Booking).join(Staff).where(Staff.surname == surname,
                                                                         Booking.cover_required.is_(True))
                           if b.cover_lessons)
            return [c.id for c in sorted(booking.cover_lessons, key=lambda c: (c.date, c.period))]
    finally:
        db.dispose()


def test_typing_enter_and_the_list_of_work_collected_save_cell_by_cell(win: Any, qtbot: Any, tmp_path: Path) -> None:
    window = win
    lessons = open_sheet(qtbot, window, "Okafor, Daniel", "05/03/2026")
    assert row_count(lessons) == 4 and all(cell(lessons, r, "Work set") == "" for r in range(4))
    assert "Type the work into the grid" in " ".join(lbl.text() for lbl in window.findChildren(QLabel)
                                                     if lbl.isVisible())
    click_cell(qtbot, lessons, 0, "Work set")
    press(qtbot, lessons, Qt.Key.Key_F2)  # F2 edits the cell, as in a spreadsheet
    qtbot.waitUntil(lambda: editor_of(lessons) is not None)
    type_text(qtbot, editor_of(lessons), "Forces worksheet, pages 12–13")
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(lessons, 0, "Work set") == "Forces worksheet, pages 12–13")
    assert lessons.currentIndex().row() == 1 and editor_of(lessons) is None  # Enter moved down
    keys(qtbot, "Revision quiz")  # just typing starts editing the cell
    qtbot.waitUntil(lambda: editor_of(lessons) is not None)
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(lessons, 1, "Work set") == "Revision quiz")
    assert lessons.currentIndex().row() == 2

    click_cell(qtbot, lessons, 0, "Materials")
    keys(qtbot, "Blue tray, S4")
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: cell(lessons, 0, "Materials") == "Blue tray, S4")

    click_cell(qtbot, lessons, 0, "Work")
    press(qtbot, lessons, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: editor_of(lessons, QComboBox) is not None)
    combo = editor_of(lessons, QComboBox)
    target = combo.findText("Finish for homework")
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(lessons, 0, "Work") == "Finish for homework")

    # saved: another view and back reads them from the file again
    go_to(qtbot, window, "Dashboard")
    lessons = open_sheet(qtbot, window, "Okafor, Daniel", "05/03/2026")
    assert [cell(lessons, r, "Work set") for r in range(2)] == ["Forces worksheet, pages 12–13", "Revision quiz"]
    assert cell(lessons, 0, "Materials") == "Blue tray, S4" and cell(lessons, 0, "Work") == "Finish for homework"

    # Escape leaves a cell as it was
    click_cell(qtbot, lessons, 1, "Work set")
    keys(qtbot, "Not this")
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: editor_of(lessons) is None)
    assert cell(lessons, 1, "Work set") == "Revision quiz"

    # each typed cell is one undo step
    press(qtbot, lessons, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: cell(lessons, 0, "Work") == "Nothing to collect")
    assert cell(lessons, 0, "Materials") == "Blue tray, S4"


def test_paste_fills_down_and_one_ctrl_z_takes_it_all_back(win: Any, qtbot: Any, shown_errors: list[Any]) -> None:
    window = win
    lessons = open_sheet(qtbot, window, "Okafor, Daniel", "05/03/2026")
    assert row_count(lessons) == 4
    click_cell(qtbot, lessons, 0, "Work set")
    keys(qtbot, "Kept")
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(lessons, 0, "Work set") == "Kept")
    # three rows of two columns, copied from a spreadsheet (Excel quotes a cell with a line break in it)
    QGuiApplication.clipboard().setText('Cells worksheet\tPrep room shelf 2\n"Quiz,\nthen mark"\tS4\nTextbook p. 40\t\n')
    click_cell(qtbot, lessons, 1, "Work set")
    press(qtbot, lessons, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: cell(lessons, 1, "Work set") == "Cells worksheet")
    assert cell(lessons, 2, "Work set") == "Quiz,\nthen mark" and cell(lessons, 3, "Work set") == "Textbook p. 40"
    assert [cell(lessons, r, "Materials") for r in (1, 2, 3)] == ["Prep room shelf 2", "S4", ""]
    assert "Pasted: 3 lessons changed" in status_text(window)

    press(qtbot, lessons, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the paste, whole, in one step
    qtbot.waitUntil(lambda: cell(lessons, 1, "Work set") == "")
    assert [cell(lessons, r, "Work set") for r in range(4)] == ["Kept", "", "", ""]
    assert [cell(lessons, r, "Materials") for r in (1, 2)] == ["", ""]

    # more rows than lessons below: refused whole, saying why
    QGuiApplication.clipboard().setText("a\nb\nc\n")
    click_cell(qtbot, lessons, 2, "Work set")
    press(qtbot, lessons, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "only 2 lessons" in shown_errors[-1]["message"] and "nothing was pasted" in shown_errors[-1]["message"]
    assert [cell(lessons, r, "Work set") for r in range(4)] == ["Kept", "", "", ""]


def test_same_as_above_and_same_for_this_class_fill_in_one_undo_step(win: Any, qtbot: Any) -> None:
    window = win
    lessons = open_sheet(qtbot, window, "Kerr, Matthew", "23/02/2026")
    rows = row_count(lessons)
    groups = [cell(lessons, r, "Class") for r in range(rows)]
    group = next(g for g in groups if groups.count(g) >= 2)
    first = groups.index(group)
    click_cell(qtbot, lessons, first, "Work set")
    keys(qtbot, "Mock exam revision")
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(lessons, first, "Work set") == "Mock exam revision")
    before = [cell(lessons, r, "Work set") for r in range(rows)]

    click_cell(qtbot, lessons, first, "Class")
    button = find_button("Same for this class", window)
    click(qtbot, button)
    same = [r for r in range(rows) if groups[r] == group]
    qtbot.waitUntil(lambda: all(cell(lessons, r, "Work set") == "Mock exam revision" for r in same))
    assert all(cell(lessons, r, "Work set") == before[r] for r in range(rows) if r not in same)
    press(qtbot, lessons, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: [cell(lessons, r, "Work set") for r in range(rows)] == before)

    below = first + 1 if first + 1 < rows else first - 1
    click_cell(qtbot, lessons, below, "Subject")
    click(qtbot, find_button("Same as the lesson above", window))
    source = below - 1
    qtbot.waitUntil(lambda: cell(lessons, below, "Work set") == cell(lessons, source, "Work set"))
    assert cell(lessons, below, "Materials") == cell(lessons, source, "Materials")


def test_a_cell_saved_over_somebody_elses_change_shows_theirs(shared_win: Any, qtbot: Any, demo_copy: Path,
                                                              shown_errors: list[Any]) -> None:
    window = shared_win
    lessons = open_sheet(qtbot, window, "Okafor, Daniel", "05/03/2026")
    ids = _lesson_ids(demo_copy, "Okafor")
    click_cell(qtbot, lessons, 0, "Work set")
    other_person(demo_copy, lambda s: update_cover_lesson(s, s.get(CoverLesson, ids[0]), work_set="Theirs"))
    keys(qtbot, "Mine")

    def reload(dialog: Any) -> None:
        assert "j.okafor" in messages_on(dialog)
        click(qtbot, find_button("Reload", dialog))

    with answering(qtbot, reload, title="Changed by somebody else"):
        qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(lessons, 0, "Work set") == "Theirs")


@pytest.mark.parametrize("refreshed", ["before the paste", "not before the paste"])
def test_a_paste_over_somebody_elses_change_is_refused_whole(shared_win: Any, qtbot: Any, demo_copy: Path,
                                                             shown_errors: list[Any], refreshed: str) -> None:
    """Somebody else changes a lesson while the sheet is open; the window's look for others' changes shows it
    (or has not yet). A paste over it is refused whole, naming them, and their text stays and is shown. Once
    told, the person can paste again."""
    window = shared_win
    looks = window.database.refresh_timer
    looks.stop()  # the looks every 20 seconds come only when this test says
    lessons = open_sheet(qtbot, window, "Okafor, Daniel", "05/03/2026")
    ids = _lesson_ids(demo_copy, "Okafor")
    click_cell(qtbot, lessons, 0, "Work set")
    keys(qtbot, "Mine")
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Return)  # a save of the person's own first
    qtbot.waitUntil(lambda: cell(lessons, 0, "Work set") == "Mine")

    other_person(demo_copy, lambda s: update_cover_lesson(s, s.get(CoverLesson, ids[2]), work_set="Theirs too"))
    if refreshed == "before the paste":
        looks.setInterval(50)
        looks.start()
        qtbot.waitUntil(lambda: cell(lessons, 2, "Work set") == "Theirs too", timeout=10_000)
        looks.stop()
    QGuiApplication.clipboard().setText("one\ntwo\nthree\n")
    click_cell(qtbot, lessons, 1, "Work set")
    press(qtbot, lessons, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(shown_errors))
    said = shown_errors[-1]["message"]
    assert "none of the 3 lessons was changed" in said and "j.okafor" in said, said
    qtbot.waitUntil(lambda: cell(lessons, 2, "Work set") == "Theirs too")
    assert cell(lessons, 1, "Work set") == "" and cell(lessons, 3, "Work set") == ""
    stored = open_database(demo_copy)
    try:
        with stored.session() as s:
            assert s.get(CoverLesson, ids[2]).work_set == "Theirs too"
    finally:
        stored.dispose()

    # told, and shown theirs: the same paste again is the person's own choice, and saved
    click_cell(qtbot, lessons, 1, "Work set")
    press(qtbot, lessons, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: [cell(lessons, r, "Work set") for r in (1, 2, 3)] == ["one", "two", "three"])


@OFFSCREEN_LIMITS  # the file dialog asks to be raised and to grab the keyboard
def test_the_sheet_names_the_lessons_without_work_before_it_is_saved(win: Any, qtbot: Any, tmp_path: Path) -> None:
    window = win
    lessons = open_sheet(qtbot, window, "Okafor, Daniel", "05/03/2026")
    click_cell(qtbot, lessons, 0, "Work set")
    keys(qtbot, "Forces worksheet")
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(lessons, 0, "Work set") == "Forces worksheet")
    missing = [f"Thu 05/03 {cell(lessons, r, 'Period')} {cell(lessons, r, 'Class')} {cell(lessons, r, 'Subject')}"
               for r in (1, 2, 3)]

    def go_back(dialog: Any) -> None:
        said = messages_on(dialog)
        assert "3 lessons have no work set: " + ", ".join(missing) + ". Save the sheet anyway?" in said, said
        click(qtbot, find_button("Go back", dialog))

    with answering(qtbot, go_back, title="Lessons without work set"):
        click(qtbot, find_button("Release-cover sheet PDF", window))
    assert QApplication.activeModalWidget() is None  # no file dialog: the person went back to the grid

    sheet = tmp_path / "cover sheet Okafor.pdf"
    file_dialog = watch_for(qtbot, save_file_as(qtbot, sheet), title="Save", timeout_s=15)
    with answering(qtbot, answer_modal(qtbot, "Save anyway"), title="Lessons without work set"):
        click(qtbot, find_button("Release-cover sheet PDF", window))
    file_dialog.wait()
    with answering(qtbot, answer_modal(qtbot, "Close", expect=sheet.name), title="Export written", timeout_s=30):
        pass
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(sheet).pages).split())
    assert "Forces worksheet" in text and "Lessons to cover 4" in text  # saved anyway: every lesson on it


def test_a_residentials_cover_work_is_typed_down_the_grid_without_a_dialog(win: Any, qtbot: Any) -> None:
    """Eleven lessons of a three-day residential: typed one after another, Enter between them."""
    window = win
    lessons = open_sheet(qtbot, window, "Kerr, Matthew", "23/02/2026")
    rows = row_count(lessons)
    assert rows == 11
    click_cell(qtbot, lessons, 0, "Work set")
    for row in range(rows):
        assert lessons.currentIndex().row() == row
        keys(qtbot, f"Lesson {row + 1}: textbook ch. {row + 3}")
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda r=row: cell(lessons, r, "Work set") == f"Lesson {r + 1}: textbook ch. {r + 3}")
        assert QApplication.activeModalWidget() is None  # no dialog per lesson
    go_to(qtbot, window, "Dashboard")
    lessons = open_sheet(qtbot, window, "Kerr, Matthew", "23/02/2026")
    assert [cell(lessons, r, "Work set") for r in range(rows)] == [
        f"Lesson {r + 1}: textbook ch. {r + 3}" for r in range(rows)]
    bookings = find_table("cover bookings")
    assert cell(bookings, row_of(bookings, "Kerr, Matthew", "23/02/2026"), "Work set") == "11"


def test_a_refused_cell_says_why_and_opens_again_with_what_was_typed(win: Any, qtbot: Any,
                                                                    shown_errors: list[Any]) -> None:
    window = win
    lessons = open_sheet(qtbot, window, "Okafor, Daniel", "05/03/2026")
    typed = "Prep room, " + "shelf " * 83  # 509 characters: longer than the sheet's materials box holds
    click_cell(qtbot, lessons, 0, "Materials")
    keys(qtbot, typed)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(shown_errors))
    assert "Where the materials are" in str(shown_errors[-1]["title"]) + shown_errors[-1]["message"]
    qtbot.waitUntil(lambda: editor_of(lessons) is not None)
    assert editor_of(lessons).text() == typed  # nothing typed is lost
    assert cell(lessons, 0, "Materials") == ""
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, editor_of(lessons), "Prep room, shelf 2")
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(lessons, 0, "Materials") == "Prep room, shelf 2")


def test_fills_typing_and_undo_never_overwrite_a_change_the_refresh_brought_in(
        shared_win: Any, qtbot: Any, demo_copy: Path, shown_errors: list[Any]) -> None:
    """The paste's fault checked in the grid's other ways of writing: somebody else's change, shown by the
    look for others' changes, is not overwritten by "Same as the lesson above", by a typed cell (their
    version is shown beside it first) or by Ctrl+Z of the person's own earlier paste."""
    window = shared_win
    looks = window.database.refresh_timer
    looks.stop()

    def look_now() -> None:
        looks.setInterval(50)
        looks.start()

    lessons = open_sheet(qtbot, window, "Okafor, Daniel", "05/03/2026")
    ids = _lesson_ids(demo_copy, "Okafor")
    click_cell(qtbot, lessons, 0, "Work set")
    keys(qtbot, "Mine")
    qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(lessons, 0, "Work set") == "Mine")

    other_person(demo_copy, lambda s: update_cover_lesson(s, s.get(CoverLesson, ids[1]), work_set="Theirs"))
    look_now()
    qtbot.waitUntil(lambda: cell(lessons, 1, "Work set") == "Theirs", timeout=10_000)
    looks.stop()
    click_cell(qtbot, lessons, 1, "Subject")
    click(qtbot, find_button("Same as the lesson above", window))
    qtbot.waitUntil(lambda: bool(shown_errors))
    assert "j.okafor" in shown_errors[-1]["message"], shown_errors[-1]
    assert cell(lessons, 1, "Work set") == "Theirs"

    other_person(demo_copy, lambda s: update_cover_lesson(s, s.get(CoverLesson, ids[2]), work_set="Theirs too"))
    look_now()
    qtbot.waitUntil(lambda: cell(lessons, 2, "Work set") == "Theirs too", timeout=10_000)
    looks.stop()
    click_cell(qtbot, lessons, 2, "Work set")
    keys(qtbot, "Mine again")

    def reload(dialog: Any) -> None:
        assert "j.okafor" in messages_on(dialog)
        click(qtbot, find_button("Reload", dialog))

    with answering(qtbot, reload, title="Changed by somebody else"):
        qtbot.keyClick(editor_of(lessons), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(lessons, 2, "Work set") == "Theirs too")

    QGuiApplication.clipboard().setText("pasted\n")
    click_cell(qtbot, lessons, 3, "Work set")
    press(qtbot, lessons, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: cell(lessons, 3, "Work set") == "pasted")
    other_person(demo_copy, lambda s: update_cover_lesson(s, s.get(CoverLesson, ids[3]), work_set="Theirs last"))
    look_now()
    qtbot.waitUntil(lambda: cell(lessons, 3, "Work set") == "Theirs last", timeout=10_000)
    looks.stop()
    errors = len(shown_errors)
    press(qtbot, lessons, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(shown_errors) > errors)
    assert "not undone" in shown_errors[-1]["message"], shown_errors[-1]
    assert cell(lessons, 3, "Work set") == "Theirs last"
