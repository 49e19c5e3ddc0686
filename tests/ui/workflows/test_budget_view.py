"""The business manager's Budget view, walked as a person walks it: sidebar, year, a click on a figure."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from .conftest import (
    answer_modal,
    answering,
    bring_forward,
    cell,
    choose,
    click,
    click_row,
    find_button,
    find_field,
    find_table,
    go_to,
    row_of,
)


def click_figure(qtbot: Any, table: Any, row: int, title: str) -> None:
    model = table.model()
    column = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == title)
    index = model.index(row, column)
    table.scrollTo(index)
    rect = table.visualRect(index)
    assert rect.isValid(), f"the {title} figure is not on screen"
    bring_forward(qtbot, table)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_budget_view_shows_each_line_and_lists_the_bookings_behind_a_figure(window: Any, qtbot: Any,
                                                                              tmp_path: Path) -> None:
    page = go_to(qtbot, window, "Budget")
    year = find_field("Financial year", page)
    assert year.isVisible() and year.isEnabled() and year.currentText() == "2025-26"  # the window's today
    lines = find_table("Budget lines", page)
    qtbot.waitUntil(lambda: lines.model().rowCount() >= 5)
    physics = row_of(lines, "Physics CPD")
    assert cell(lines, physics, "Code") == "CPD-PHY"
    assert cell(lines, physics, "Budget").startswith("£")
    unallocated = row_of(lines, "Unallocated")
    assert cell(lines, unallocated, "Budget") == "£0.00"
    months = find_table("Month by month", page)
    assert months.isVisible() and cell(months, row_of(months, "Spent"), "Apr 25").startswith("£")
    assert months.model().headerData(12, Qt.Orientation.Horizontal) == "Mar 26"  # the whole financial year

    items = find_table("Bookings behind the figure", page)
    assert items.model().rowCount() == 0
    click_figure(qtbot, lines, physics, "Spent")
    qtbot.waitUntil(lambda: items.model().rowCount() > 0)
    assert page.items_title.text() == "Spent: Physics CPD, 2025-26"
    statuses = {items.model().index(r, 3).data() for r in range(items.model().rowCount())}
    assert statuses == {"Attended"}  # spent: attended bookings and activities' own costs only
    if os.environ.get("CPD_SCREENSHOTS"):
        window.grab().save(str(Path(os.environ["CPD_SCREENSHOTS"]) / "budget-view.png"))

    click_figure(qtbot, lines, unallocated, "Committed")
    qtbot.waitUntil(lambda: page.items_title.text() == "Committed: Unallocated, 2025-26")
    assert items.model().rowCount() >= 1  # the demo's one booking with no line this year
    assert {items.model().index(r, 3).data() for r in range(items.model().rowCount())} <= {"Approved", "Booked"}

    choose(qtbot, year, "2024-25")
    qtbot.waitUntil(lambda: cell(lines, row_of(lines, "Physics CPD"), "Committed") == "£0.00")
    assert items.model().rowCount() == 0  # the list of another year's figure is not left showing


@pytest.fixture
def expensive_course(demo_path: Path) -> str:
    """A planned residential for a physics teacher that costs more than the demo's Physics line has left."""
    import datetime as dt
    from decimal import Decimal

    from sqlalchemy import select

    from cpd_desktop.models import Booking, Staff
    from cpd_desktop.services.database import open_database

    db = open_database(demo_path)
    with db.session() as s:
        person = s.scalar(select(Staff).where(Staff.staff_code == "LZA"))
        s.add(Booking(school_id=person.school_id, staff_id=person.id, title="Particle physics summer school",
                      start_date=dt.date(2026, 2, 9), end_date=dt.date(2026, 2, 11), hours=Decimal("18"),
                      status="planned", fee=Decimal("1450.00"), accommodation=Decimal("220.00"),
                      intended_outcomes="More Year 12 girls choose A-level physics"))
    db.dispose()
    return "Particle physics summer school"


def test_approving_a_booking_that_would_overspend_its_line_warns_first(expensive_course: str, window: Any,
                                                                      qtbot: Any) -> None:
    go_to(qtbot, window, "Planner")
    bookings = find_table("bookings")
    click_row(qtbot, bookings, expensive_course)
    with answering(qtbot, answer_modal(qtbot, "Do not approve", expect="would overspend the Physics CPD budget "
                                                                        "(CPD-PHY) for 2025-26"),
                   title="Approve booking"):
        click(qtbot, find_button("Approve"))
    assert cell(bookings, row_of(bookings, expensive_course), "Status") == "Planned"  # nothing was changed

    with answering(qtbot, answer_modal(qtbot, "Approve anyway", expect="£1,670.00"), title="Approve booking"):
        click(qtbot, find_button("Approve"))
    qtbot.waitUntil(lambda: cell(bookings, row_of(bookings, expensive_course), "Status") == "Approved")
