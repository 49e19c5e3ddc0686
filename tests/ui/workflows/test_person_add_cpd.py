"""Add CPD… from a person's page (Staff, a person opened) keeps the head of science on that page: once the
activity is saved it is chosen in the person's CPD record there, and their hours card counts it. It had taken
them to the CPD log, filtered to the person, whether they saved or cancelled (cancelling: test_person_book_cpd)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame

from .conftest import (
    active_dialog,
    answering,
    click,
    find_button,
    find_field,
    find_table,
    open_person,
    type_into,
)

PERSON = "Begum, Aisha"
TITLE = "Practical endorsement moderation meeting"


def hours_card(page: Any) -> Any:
    return next(w for w in page.findChildren(QFrame) if w.accessibleName() == "Hours this year" and w.isVisible())


def test_adding_cpd_from_a_persons_page_comes_back_to_it_with_the_activity_chosen(window: Any, qtbot: Any) -> None:
    page = open_person(qtbot, window, PERSON)
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

