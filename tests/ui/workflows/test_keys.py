"""Staff by the keyboard alone: Insert adds, F2 edits, Delete deletes, Ctrl+Z and Ctrl+Y take each back
and redo it, Ctrl+F goes to the search box."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from .conftest import (
    answer_modal,
    answering,
    click,
    click_row,
    find_button,
    find_field,
    find_table,
    go_to,
    press,
    row_count,
    rows_text,
    type_into,
    type_text,
)

CTRL = Qt.KeyboardModifier.ControlModifier


def _fill_new_person(qtbot: Any) -> Any:
    def handler(dialog: Any) -> None:
        assert dialog.windowTitle() == "Add a member of staff"
        type_into(qtbot, find_field("Forename", dialog), "Łukasz")
        type_into(qtbot, find_field("Surname", dialog), "Zieliński")
        type_into(qtbot, find_field("Staff code", dialog), "lzi")
        type_into(qtbot, find_field("Role", dialog), "Teacher of Physics")
        click(qtbot, find_button("Save", dialog))

    return handler


def test_insert_f2_delete_and_undo_redo_by_keys(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "Staff")
    table = find_table("staff")
    before = row_count(table)

    with answering(qtbot, _fill_new_person(qtbot), title="Add a member of staff"):
        press(qtbot, table, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: row_count(table) == before + 1)
    assert any("Zieliński, Łukasz" in r and "LZI" in r for r in rows_text(table))

    # F2 on the chosen row edits it
    click_row(qtbot, table, "Zieliński, Łukasz")

    def edit(dialog: Any) -> None:
        assert dialog.windowTitle() == "Edit member of staff"
        assert find_field("Forename", dialog).text() == "Łukasz"  # what was saved is shown
        type_into(qtbot, find_field("Role", dialog), "Head of Physics")
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, edit, title="Edit member of staff"):
        press(qtbot, table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: any("Head of Physics" in r for r in rows_text(table)))

    # Ctrl+Z takes the edit back, Ctrl+Y does it again
    press(qtbot, table, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: any("Zieliński" in r and "Teacher of Physics" in r for r in rows_text(table)))
    press(qtbot, table, Qt.Key.Key_Y, CTRL)
    qtbot.waitUntil(lambda: any("Zieliński" in r and "Head of Physics" in r for r in rows_text(table)))

    # Delete asks first; the person's answer is the dialog's own button
    click_row(qtbot, table, "Zieliński, Łukasz")
    with answering(qtbot, answer_modal(qtbot, "Delete", expect="Zieliński"), title="Delete"):
        press(qtbot, table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: row_count(table) == before)
    assert not any("Zieliński" in r for r in rows_text(table))

    press(qtbot, table, Qt.Key.Key_Z, CTRL)  # the delete taken back: the person returns
    qtbot.waitUntil(lambda: any("Zieliński" in r and "Head of Physics" in r for r in rows_text(table)))
    press(qtbot, table, Qt.Key.Key_Z, CTRL)  # the edit
    press(qtbot, table, Qt.Key.Key_Z, CTRL)  # the add
    qtbot.waitUntil(lambda: row_count(table) == before)
    press(qtbot, table, Qt.Key.Key_Y, CTRL)  # and the add again
    qtbot.waitUntil(lambda: any("Zieliński" in r and "Teacher of Physics" in r for r in rows_text(table)))


def test_cancel_on_the_delete_question_keeps_the_person(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "Staff")
    table = find_table("staff")
    before = row_count(table)
    name = rows_text(table)[0].split(" | ")[0]
    click_row(qtbot, table, name)
    with answering(qtbot, answer_modal(qtbot, "Cancel"), title="Delete"):
        press(qtbot, table, Qt.Key.Key_Delete)
    assert row_count(table) == before and any(name in r for r in rows_text(table))


def test_ctrl_f_goes_to_the_search_box_of_each_list(window: Any, qtbot: Any) -> None:
    for view, typed in (("Staff", "Zając"), ("CPD log", "Safeguarding"), ("Planner", "forces")):
        go_to(qtbot, window, view)
        press(qtbot, window, Qt.Key.Key_F, CTRL)
        box = window.focusWidget()
        assert box is not None and box.accessibleName() == "Search", f"{view}: the focus is on {box!r}"
        table = box.parentWidget().findChild(QTableView)  # the list under the search box
        everyone = row_count(table)
        type_text(qtbot, box, typed)
        qtbot.waitUntil(lambda t=table, n=everyone, w=typed: 0 < row_count(t) < n
                        and all(w.lower() in r.lower() for r in rows_text(t)))
        press(qtbot, box, Qt.Key.Key_Escape)  # Esc empties the box and the whole list is back
        qtbot.waitUntil(lambda t=table, n=everyone, b=box: not b.text() and row_count(t) == n)
