"""Add CPD… from a person's page (Staff, a person opened) keeps the head of science on that page: once the
activity is saved it is chosen in the person's CPD record there, and their hours card counts it; cancelling
(Esc) leaves them where they were. It had taken them to the CPD log, filtered to the person, either way."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame

from .conftest import (
    active_dialog,
    answering,
    bring_forward,
    click,
    click_row,
    find_button,
    find_field,
    find_table,
    go_to,
    press,
    type_into,
)

PERSON = "Begum, Aisha"
TITLE = "Practical endorsement moderation meeting"


def open_person(qtbot: Any, window: Any) -> Any:
    page = go_to(qtbot, window, "Staff")
    people = page.panel.table
    qtbot.waitUntil(lambda: people.model().rowCount() > 5)
    click_row(qtbot, people, PERSON)
    press(qtbot, people, Qt.Key.Key_Return)
    back = find_button("Back to all staff", page)
    qtbot.waitUntil(back.isVisible)
    return page


def hours_card(page: Any) -> Any:
    return next(w for w in page.findChildren(QFrame) if w.accessibleName() == "Hours this year" and w.isVisible())


def test_adding_cpd_from_a_persons_page_comes_back_to_it_with_the_activity_chosen(window: Any, qtbot: Any) -> None:
    page = open_person(qtbot, window)
    hours_before = hours_card(page).value.text()
    seen: dict[str, Any] = {}

    def add(dialog: Any) -> None:
        seen["person"] = find_field("Member of staff", dialog).currentText()
        type_into(qtbot, find_field("Title", dialog), TITLE)
        type_into(qtbot, find_field("Date", dialog), "19/11/2025")
        type_into(qtbot, find_field("Hours", dialog), "2")
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, add, title="Add CPD activity"):
        click(qtbot, find_button("Add CPD…", page))
    assert seen["person"].startswith(PERSON)  # the dialog came with the person chosen
    assert active_dialog("Add CPD activity") is None
    # still on the person's page, their CPD record showing the new activity, chosen
    assert window.view_stack.currentWidget() is page
    assert find_button("Back to all staff", page).isVisible()
    record = find_table("person activities", page)
    qtbot.waitUntil(lambda: record.isVisible() and any(
        record.model().index(r.row(), 0).siblingAtColumn(c).data() == TITLE
        for r in record.selectionModel().selectedRows() for c in range(record.model().columnCount())))
    qtbot.waitUntil(lambda: hours_card(page).value.text() != hours_before)
    assert float(hours_card(page).value.text().split()[0]) == float(hours_before.split()[0]) + 2


def test_cancelling_add_cpd_stays_on_the_persons_page(window: Any, qtbot: Any) -> None:
    page = open_person(qtbot, window)

    def cancel(dialog: Any) -> None:
        type_into(qtbot, find_field("Title", dialog), "Never saved")
        press(qtbot, find_field("Title", dialog), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible())

    with answering(qtbot, cancel, title="Add CPD activity"):
        click(qtbot, find_button("Add CPD…", page))
    assert window.view_stack.currentWidget() is page
    back = find_button("Back to all staff", page)
    assert back.isVisible()
    bring_forward(qtbot, back)
    assert find_table("person activities", page).isVisible()
