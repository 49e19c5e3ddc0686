"""Book CPD… from a person's page (Staff, a person opened) keeps the head of science on that page: the booking
dialog opens over it with the person chosen, and once the booking is saved it is chosen in the person's Bookings
tab there and their Cost this year card counts it; cancelling it or Add CPD… (Esc) leaves them where they were,
with nothing saved. Both had taken them to another view, whether they saved or cancelled. The Planner's own
Book CPD… is walked in test_journey and test_evaluation_stages_window."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QTabBar

from .conftest import (
    active_dialog,
    answering,
    bring_forward,
    click,
    find_button,
    find_field,
    find_table,
    open_person,
    press,
    rows_text,
    status_text,
    type_into,
)

PERSON = "Begum, Aisha"
TITLE = "Required practicals: moderating the write-ups"


def cost_card(page: Any) -> Any:
    return next(w for w in page.findChildren(QFrame) if w.accessibleName() == "Cost this year" and w.isVisible())


def pounds(text: str) -> Decimal:
    found = re.search(r"£([\d,]+\.\d\d)", text)
    assert found, text
    return Decimal(found.group(1).replace(",", ""))


def test_booking_cpd_from_a_persons_page_comes_back_to_it_with_the_booking_chosen(window: Any, qtbot: Any) -> None:
    page = open_person(qtbot, window, PERSON)
    card = cost_card(page)
    qtbot.waitUntil(lambda: card.value.text().startswith("£"))
    cost_before = pounds(card.value.text())
    seen: dict[str, Any] = {}

    def book(dialog: Any) -> None:
        seen["person"] = find_field("Member of staff", dialog).currentText()
        type_into(qtbot, find_field("Title", dialog), TITLE)
        type_into(qtbot, find_field("Start date", dialog), "15/01/2026")
        type_into(qtbot, find_field("Hours", dialog), "6")
        type_into(qtbot, find_field("Course fee", dialog), "£120.00")
        type_into(qtbot, find_field("Intended outcome", dialog, QPlainTextEdit),
                  "Year 11 write up required practicals with the method and errors named")
        summary = next(w for w in dialog.findChildren(QLabel) if w.accessibleName() == "Cost summary")
        qtbot.waitUntil(lambda: "Total £" in summary.text())
        seen["total"] = pounds(summary.text()[summary.text().index("Total"):])
        click(qtbot, find_button("Save booking", dialog))

    with answering(qtbot, book, title="Book CPD"):
        click(qtbot, find_button("Book CPD…", page))
    assert seen["person"].startswith(PERSON)  # the dialog came with the person chosen
    assert seen["total"] >= Decimal("120.00")
    assert active_dialog("Book CPD") is None
    # still on the person's page, their bookings showing the new one, chosen
    assert window.view_stack.currentWidget() is page
    assert find_button("Back to all staff", page).isVisible()
    bookings = find_table("person bookings", page)
    qtbot.waitUntil(lambda: bookings.isVisible() and any(
        bookings.model().index(r.row(), c).data() == TITLE
        for r in bookings.selectionModel().selectedRows() for c in range(bookings.model().columnCount())))
    assert status_text(window).startswith("Planned: approve it, then Mark booked")
    # the Cost this year card counts it: the booking starts in 2025/26 and is not cancelled
    qtbot.waitUntil(lambda: pounds(card.value.text()) == cost_before + seen["total"])


@pytest.mark.parametrize(("opener", "title", "tab", "table"), [
    ("Add CPD…", "Add CPD activity", "CPD record", "person activities"),
    ("Book CPD…", "Book CPD", "Bookings", "person bookings"),
], ids=["add CPD", "book CPD"])
def test_cancelling_from_a_persons_page_stays_on_it_and_saves_nothing(
        window: Any, qtbot: Any, opener: str, title: str, tab: str, table: str) -> None:
    page = open_person(qtbot, window, PERSON)

    def cancel(dialog: Any) -> None:
        type_into(qtbot, find_field("Title", dialog), "Never saved")
        press(qtbot, find_field("Title", dialog), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible())

    with answering(qtbot, cancel, title=title):
        click(qtbot, find_button(opener, page))
    assert window.view_stack.currentWidget() is page
    back = find_button("Back to all staff", page)
    assert back.isVisible()
    bring_forward(qtbot, back)
    assert find_table("person activities", page).isVisible()  # the tab they were on
    tabs = next(bar for bar in page.findChildren(QTabBar) if bar.isVisible())
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton,
                     pos=tabs.tabRect(next(i for i in range(tabs.count()) if tabs.tabText(i) == tab)).center())
    rows = find_table(table, page)
    qtbot.waitUntil(lambda: rows.isVisible() and rows.model().rowCount() > 0)
    assert not any("Never saved" in row for row in rows_text(rows))
