"""The business manager's Budget view, walked as a person walks it: sidebar, year, a click on a figure."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget

from .conftest import (
    OFFSCREEN_LIMITS,
    answer_modal,
    answering,
    bring_forward,
    cell,
    choose,
    choose_menu,
    click,
    click_row,
    find_button,
    find_field,
    find_table,
    go_to,
    row_of,
    save_file_as,
    type_into,
    watch_for,
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
    # nor its title and count, which would name a figure of 2025-26 over an empty list
    assert page.items_title.text() == "Bookings behind a figure"
    assert "Click a committed, spent or bursary figure" in page.items_note.text()


@pytest.fixture
def booked_next_year(demo_path: Path) -> None:
    """A course already booked for May 2026, in a financial year (2026-27) whose lines are not yet imported."""
    import datetime as dt
    from decimal import Decimal

    from sqlalchemy import select

    from cpd_desktop.models import Booking, Staff
    from cpd_desktop.services.database import open_database

    db = open_database(demo_path)
    with db.session() as s:
        person = s.scalar(select(Staff).where(Staff.staff_code == "LZA"))
        s.add(Booking(school_id=person.school_id, staff_id=person.id, title="IOP physics conference",
                      start_date=dt.date(2026, 5, 14), end_date=dt.date(2026, 5, 14), hours=Decimal("6"),
                      status="booked", fee=Decimal("180.00"), intended_outcomes="Better KS4 electricity practicals"))
    db.dispose()


def test_a_year_with_money_but_no_lines_says_how_to_add_them(booked_next_year: None, window: Any, qtbot: Any) -> None:
    """Bookings already made for next year fall in "Unallocated" until its lines are imported: the view says there
    are no lines yet, not "click a figure" as though there were."""
    page = go_to(qtbot, window, "Budget")
    lines = find_table("Budget lines", page)
    choose(qtbot, find_field("Financial year", page), "2026-27")
    qtbot.waitUntil(lambda: page.items_note.text().startswith("No budget lines for 2026-27 yet"))
    assert [lines.model().index(r, 0).data() for r in range(lines.model().rowCount())] == ["Unallocated"]


def test_every_line_shows_whole_when_the_columns_need_sideways_scrolling(window: Any, qtbot: Any) -> None:
    """On a narrower window the lines' columns scroll sideways; the scroll bar must not cover the last line."""
    window.resize(1000, 728)
    page = go_to(qtbot, window, "Budget")
    lines = find_table("Budget lines", page)
    qtbot.waitUntil(lambda: lines.model().rowCount() >= 5)
    qtbot.waitUntil(lambda: lines.horizontalScrollBar().maximum() > 0)  # the columns are wider than the view
    last = lines.model().index(lines.model().rowCount() - 1, 0)
    assert last.data() == "Total"
    qtbot.waitUntil(lambda: lines.viewport().rect().contains(lines.visualRect(last)))
    assert lines.verticalScrollBar().maximum() == 0  # nothing to scroll up and down to find


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


def money(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", "").replace("−", "-"))


def test_the_lines_add_up_to_a_total_whose_figures_list_every_line_s_bookings(window: Any, qtbot: Any) -> None:
    """A business manager reads the year's whole budget under its lines, as on the PDF and the workbook, and a
    click on a total lists what is behind it: the costs listed add up to the figure clicked."""
    page = go_to(qtbot, window, "Budget")
    lines = find_table("Budget lines", page)
    qtbot.waitUntil(lambda: lines.model().rowCount() >= 6)
    total = row_of(lines, "Total")
    assert total == lines.model().rowCount() - 1
    above = range(total)
    for figure in ("Budget", "Committed", "Spent", "Bursary expected", "Bursary received", "Remaining"):
        assert money(cell(lines, total, figure)) == sum((money(cell(lines, r, figure)) for r in above),
                                                        Decimal("0.00")), figure
    budget = money(cell(lines, total, "Budget"))
    net = money(cell(lines, total, "Spent")) + money(cell(lines, total, "Committed")) - money(
        cell(lines, total, "Bursary expected"))
    assert money(cell(lines, total, "Remaining")) == budget - net

    items = find_table("Bookings behind the figure", page)
    click_figure(qtbot, lines, total, "Spent")
    qtbot.waitUntil(lambda: page.items_title.text() == "Spent: every line, 2025-26")
    costs = [money(items.model().index(r, 4).data()) for r in range(items.model().rowCount())]
    assert sum(costs, Decimal("0.00")) == money(cell(lines, total, "Spent"))


@OFFSCREEN_LIMITS
def test_reports_exports_the_budget_of_a_financial_year_chosen_there(window: Any, qtbot: Any, tmp_path: Path) -> None:
    """After the year closes the business manager reports on last year's budget: Reports › CPD budget offers the
    financial year (this one unless another is chosen), says what it covers, and the PDF is that year's."""
    go_to(qtbot, window, "Reports")
    reports = find_field("Reports", window, QListWidget)
    item = reports.findItems("CPD budget", Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(reports.viewport(), Qt.MouseButton.LeftButton, pos=reports.visualItemRect(item).center())
    qtbot.waitUntil(lambda: reports.currentItem() is item)
    year = find_field("Financial year", window)
    assert year.currentText() == "2025-26"  # the window's today, 20/11/2025
    page = window.view_stack.currentWidget()
    choose(qtbot, year, "2024-25")
    qtbot.waitUntil(lambda: "CPD budget 2024-25" in page.preview_title.text())
    assert page.scope.text() == "financial year 2024-25"
    path = tmp_path / "budget.pdf"
    done = watch_for(qtbot, answer_modal(qtbot, "Close", expect=path.name), title="Export written", timeout_s=30)
    with answering(qtbot, save_file_as(qtbot, path)):
        click(qtbot, find_button("Export", window))
    done.wait()
    from pypdf import PdfReader

    assert "CPD budget 2024-25" in PdfReader(path).pages[0].extract_text()


@OFFSCREEN_LIMITS
def test_file_export_writes_the_budget_of_the_financial_year_chosen_in_it(window: Any, qtbot: Any,
                                                                          tmp_path: Path) -> None:
    """File › Export… offers the CPD budget's financial year too; the workbook written is that year's."""
    path = tmp_path / "budget.xlsx"

    def fill(dialog: Any) -> None:
        choose(qtbot, find_field("What to export", dialog), "CPD budget")
        year = find_field("Financial year", dialog)
        assert year.currentText() == "2025-26"  # this year unless another is chosen
        choose(qtbot, year, "2024-25")
        choose(qtbot, find_field("Format", dialog), "Excel workbook")
        type_into(qtbot, find_field("File", dialog), str(path))
        click(qtbot, find_button("Export", dialog))

    done = watch_for(qtbot, answer_modal(qtbot, "Close", expect=path.name), title="Export written", timeout_s=30)
    with answering(qtbot, fill, title="Export"):
        choose_menu(qtbot, window, "File", "Export…")
    done.wait()
    from openpyxl import load_workbook

    assert load_workbook(path)["Budget"]["A1"].value == "CPD budget 2024-25"


def test_a_new_financial_year_start_in_settings_reaches_the_open_budget_view(window: Any, qtbot: Any) -> None:
    """An academy moves its financial year to September: the Budget view, already opened, shows the year
    Sep–Aug (it had kept April's months until the app was restarted)."""
    page = go_to(qtbot, window, "Budget")
    months = find_table("Month by month", page)
    qtbot.waitUntil(lambda: months.model().headerData(1, Qt.Orientation.Horizontal) == "Apr 25")
    go_to(qtbot, window, "Settings")
    from .test_budget_heads_staff_time import _open_tab

    _open_tab(qtbot, window, "School and targets")
    choose(qtbot, find_field("Financial year starts in", window), "September")
    click(qtbot, find_button("Save school settings", window))
    qtbot.waitUntil(lambda: "saved" in window.statusBar().currentMessage().lower())
    page = go_to(qtbot, window, "Budget")
    qtbot.waitUntil(lambda: months.model().headerData(1, Qt.Orientation.Horizontal) == "Sep 25")
    assert months.model().headerData(12, Qt.Orientation.Horizontal) == "Aug 26"
    assert find_field("Financial year", page).currentText() == "2025-26"
