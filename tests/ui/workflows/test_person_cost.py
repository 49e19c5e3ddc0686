"""A person's "Cost this year" card opens the tab that shows and explains that cost: the figure by cost head,
less the bursary received, and the bookings and activities behind it, their total the card's figure. The card
had opened the Bookings tab, which shows neither an activity's own cost nor the bursary."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel

from .conftest import (
    bring_forward,
    choose,
    find_field,
    find_table,
    open_person,
    rows_text,
)


def cost_card(page: Any) -> Any:
    return next(w for w in page.findChildren(QFrame) if w.accessibleName() == "Cost this year" and w.isVisible())


def click_card(qtbot: Any, card: Any) -> None:
    bring_forward(qtbot, card)
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)


def explanation(page: Any) -> QLabel:
    return next(w for w in page.findChildren(QLabel) if w.accessibleName() == "How the cost is made up")


def total_row(table: Any) -> list[str]:
    rows = rows_text(table)
    assert rows and rows[-1].split(" | ")[1] == "Total", rows
    return rows[-1].split(" | ")


def test_the_cost_card_opens_the_cost_and_how_it_is_made_up(window: Any, qtbot: Any) -> None:
    page = open_person(qtbot, window, "Zając, Łukasz")  # bookings and CPD with a cost of its own, 2025/26
    card = cost_card(page)
    qtbot.waitUntil(lambda: card.value.text().startswith("£") and card.value.text() != "£0.00")
    figure = card.value.text()
    click_card(qtbot, card)
    table = find_table("Cost this year", page)
    qtbot.waitUntil(lambda: table.isVisible() and table.model().rowCount() > 1)
    headings = [table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(table.model().columnCount())]
    total = total_row(table)
    assert total[headings.index("Cost")] == figure  # the card's figure, added up from the rows above it
    statuses = {r.split(" | ")[headings.index("Status")] for r in rows_text(table)[:-1]}
    assert "No booking" in statuses and statuses - {"No booking"}  # bookings and activities both
    explained = explanation(page)
    assert explained.isVisible() and explained.text().startswith(f"{figure} in 2025/26: ")
    assert "release cover" in explained.text() and "not cancelled" in explained.text()


def test_the_cost_tab_takes_off_the_bursary_received_as_the_card_does(window: Any, qtbot: Any) -> None:
    page = open_person(qtbot, window, "Doyle, Hannah")
    choose(qtbot, find_field("Academic year", window), "2024/25")  # her bursary came in that year
    card = cost_card(page)
    qtbot.waitUntil(lambda: re.search(r"less £[1-9][\d,]*\.\d\d bursary received", card.caption.text()) is not None)
    received, net = re.findall(r"£[\d,]+\.\d\d", card.caption.text())
    click_card(qtbot, card)
    table = find_table("Cost this year", page)
    qtbot.waitUntil(table.isVisible)
    headings = [table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(table.model().columnCount())]
    total = total_row(table)
    assert total[headings.index("Cost")] == card.value.text()
    assert total[headings.index("Bursary received")] == received
    explained = explanation(page)
    assert f"less {received} bursary received = {net}" in explained.text()
