"""Planning CPD for impact, walked in the window: tick a programme's EEF mechanisms and see the planner's
warning for a booking in it change; type a person's development objective on their page and see it kept;
click a bar of an Impact chart and see the records it counts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QTabWidget

from cpd_desktop.services.database import open_database
from cpd_desktop.ui.charts import BarChart

from .conftest import (
    OFFSCREEN_LIMITS,
    answering,
    cell,
    click,
    click_row,
    find_button,
    find_field,
    find_table,
    go_to,
    press,
    row_of,
    type_into,
    wait_visible,
)
from .test_impact_view import named, show_tab

PROGRAMME = "Subject Knowledge for Physics Teaching"


@pytest.fixture
def booked_in_programme(demo_path: Path) -> str:
    """A booking of the demo school put in the physics programme (as an import with a Programme column
    does); returns its title."""
    from sqlalchemy import select

    from cpd_desktop.models import Booking, Programme

    db = open_database(demo_path)
    with db.session() as s:
        programme = s.scalar(select(Programme).where(Programme.name == PROGRAMME))
        booking = s.scalars(select(Booking).where(Booking.status == "booked", Booking.course_id.is_not(None))
                            .order_by(Booking.id)).first()
        assert programme is not None and booking is not None
        booking.programme_id = programme.id
        title = booking.title
        s.commit()
    db.dispose()
    return title


@pytest.fixture
def booked_window(booked_in_programme: str, window: Any) -> Iterator[Any]:
    yield window


def warning(page: Any) -> QLabel:
    return next(w for w in page.findChildren(QLabel) if w.accessibleName() == "Programme warning")


def test_ticking_a_programmes_mechanisms_changes_the_planners_warning(
        booked_window: Any, booked_in_programme: str, qtbot: Any) -> None:
    window = booked_window
    planner = go_to(qtbot, window, "Planner")
    bookings = find_table("bookings", planner)
    click_row(qtbot, bookings, booked_in_programme)
    gap = warning(planner)
    qtbot.waitUntil(lambda: gap.isVisible())
    # The demo's physics programme (and the courses booked in it) builds knowledge, motivates and develops
    # techniques, but plans nothing to embed practice.
    assert gap.text().startswith(f"This programme (“{PROGRAMME}”) has nothing to embed practice: for example "
                                 "prompts and cues, action planning, self-monitoring or context-specific repetition.")
    if os.environ.get("CPD_SCREENSHOTS"):
        window.grab().save(str(Path(os.environ["CPD_SCREENSHOTS"]) / "planner-programme-warning.png"))

    page = go_to(qtbot, window, "Impact")
    show_tab(qtbot, named(page, QTabWidget, "Impact figures"), "Programmes")
    programmes = find_table("By programme", page)
    qtbot.waitUntil(lambda: programmes.model().rowCount() >= 3)
    assert cell(programmes, row_of(programmes, PROGRAMME), "EEF mechanisms") == "3 of 4 (nothing to embed practice)"
    click_row(qtbot, programmes, PROGRAMME)

    def tick_prompts_and_cues(dialog: Any) -> None:
        assert dialog.windowTitle() == "Edit programme"
        assert find_field("Revisit prior learning", dialog).isChecked()  # the programme's ticks as saved
        missing = next(w for w in dialog.findChildren(QLabel) if w.accessibleName() == "Groups missing")
        assert missing.text().startswith("This programme has nothing to embed practice")
        if os.environ.get("CPD_SCREENSHOTS"):
            dialog.grab().save(str(Path(os.environ["CPD_SCREENSHOTS"]) / "programme-dialog.png"))
        revisit = find_field("Revisit prior learning", dialog)
        click(qtbot, revisit)  # unticked: nothing builds knowledge either, and the dialog says so at once
        assert missing.text().startswith("This programme has nothing to build knowledge or to embed practice")
        click(qtbot, revisit)
        prompts = find_field("Prompts and cues", dialog)
        assert prompts.isVisible() and prompts.isEnabled() and not prompts.isChecked()
        click(qtbot, prompts)
        assert missing.text() == "This programme has a mechanism in each of the EEF's four groups."
        click(qtbot, find_button("Save programme", dialog))

    with answering(qtbot, tick_prompts_and_cues, title="Edit programme"):
        click(qtbot, find_button("Edit programme", page))
    qtbot.waitUntil(lambda: cell(programmes, row_of(programmes, PROGRAMME), "EEF mechanisms") == "All four groups")
    if os.environ.get("CPD_SCREENSHOTS"):
        window.grab().save(str(Path(os.environ["CPD_SCREENSHOTS"]) / "impact-programmes.png"))

    planner = go_to(qtbot, window, "Planner")
    click_row(qtbot, bookings, booked_in_programme)
    qtbot.waitUntil(lambda: not gap.isVisible())
    assert gap.text() == ""


def test_a_persons_development_objective_is_typed_on_their_page_and_kept(window: Any, qtbot: Any,
                                                                         demo_path: Path) -> None:
    staff = go_to(qtbot, window, "Staff")
    people = find_table("staff", staff)
    row = click_row(qtbot, people, "Łukasz")
    name = people.model().index(row, 0).data()
    press(qtbot, people, Qt.Key.Key_Return)
    box = wait_visible(qtbot, lambda: find_field("Development objective", staff))
    save = find_button("Save objective", staff)
    assert not save.isEnabled()
    type_into(qtbot, box, "Teach current with the rope model in Year 9")
    priority = find_field("Serves priority", staff)
    assert priority.isEnabled()
    priority.setCurrentIndex(priority.findText("Practical skills at KS4"))
    qtbot.waitUntil(lambda: save.isEnabled())
    click(qtbot, save)
    state = next(w for w in staff.findChildren(QLabel) if w.accessibleName() == "Objective saved or not")
    qtbot.waitUntil(lambda: state.text() == "Saved.")
    if os.environ.get("CPD_SCREENSHOTS"):
        window.grab().save(str(Path(os.environ["CPD_SCREENSHOTS"]) / "person-objective.png"))

    # Back to the list and into the person again: the objective is read back from the file.
    click(qtbot, find_button("Back to all staff", staff))
    click_row(qtbot, people, name)
    press(qtbot, people, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: box.isVisible() and box.toPlainText() == "Teach current with the rope model in Year 9")
    assert priority.currentText() == "Practical skills at KS4"

    # Three lines is more than an objective: said beside the box, and what was typed stays.
    type_into(qtbot, box, "One")
    for line in ("Two", "Three"):
        press(qtbot, box, Qt.Key.Key_Return)
        qtbot.keyClicks(box, line)
    click(qtbot, save)
    qtbot.waitUntil(lambda: "one or two lines" in state.text())
    assert box.toPlainText() == "One\nTwo\nThree"


def test_clicking_a_chart_bar_lists_its_records(window: Any, qtbot: Any, tmp_path: Path) -> None:
    page = go_to(qtbot, window, "Impact")
    show_tab(qtbot, named(page, QTabWidget, "Impact figures"), "Charts")
    charts = next(w for w in page.findChildren(QListWidget) if w.accessibleName() == "Charts")
    qtbot.waitUntil(lambda: charts.count() >= 6)
    chart = next(w for w in page.findChildren(BarChart) if w.isVisible())
    assert chart.accessibleName() == "Evaluation stages, 2025/26"
    assert chart.accessibleDescription().startswith("Evaluation stages, 2025/26. End: Done ")
    records = find_table("Records of the bar", page)
    assert records.model().rowCount() == 0

    # The End stage's "Overdue" bar (the second of its group): the overdue End stages, one row each.
    box = next(b for b, c, s in chart.bars() if (c, s) == (0, 1))
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=box.center().toPoint())
    qtbot.waitUntil(lambda: records.model().rowCount() > 0)
    overdue = records.model().rowCount()
    title = next(w for w in page.findChildren(QLabel) if w.text().startswith("End stage, overdue"))  # its heading
    assert title.text() == f"End stage, overdue: {overdue}"
    assert f"End: Done {chart.chart.values[0][0]:.0f}; Overdue {overdue}" in chart.accessibleDescription()
    if os.environ.get("CPD_SCREENSHOTS"):
        window.grab().save(str(Path(os.environ["CPD_SCREENSHOTS"]) / "impact-charts.png"))

    # From the keyboard: the arrow keys move along the bars (said first in the description), Enter lists.
    press(qtbot, chart, Qt.Key.Key_Right)
    assert chart.accessibleDescription().startswith("End, Not due yet: ")
    press(qtbot, chart, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: title.text().startswith("End stage, not due yet: "))

    # Retention over the years puts CPD hours beside it: the chart says they are side by side only.
    caution = next(w for w in page.findChildren(QLabel) if w.accessibleName() == "Shown side by side")
    assert not caution.isVisible()
    item = charts.findItems("Teachers still in post a year later (%)", Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(charts.viewport(), Qt.MouseButton.LeftButton, pos=charts.visualItemRect(item).center())
    qtbot.waitUntil(lambda: chart.accessibleName() == "Teachers still in post a year later (%)")
    assert caution.isVisible()
    assert caution.text() == "Shown side by side; this does not show that one caused the other."
    box = chart.bars()[0][0]
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=box.center().toPoint())
    qtbot.waitUntil(lambda: records.model().rowCount() > 0)
    assert records.model().headerData(1, Qt.Orientation.Horizontal) == "Stayed or left"
    if os.environ.get("CPD_SCREENSHOTS"):
        window.grab().save(str(Path(os.environ["CPD_SCREENSHOTS"]) / "impact-retention-chart.png"))


@OFFSCREEN_LIMITS  # the menu asks to grab the keyboard, which the offscreen platform cannot
def test_a_courses_mechanisms_are_ticked_from_its_booking_and_count_for_its_programme(
        booked_window: Any, booked_in_programme: str, qtbot: Any) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMenu

    window = booked_window
    planner = go_to(qtbot, window, "Planner")
    bookings = find_table("bookings", planner)
    row = click_row(qtbot, bookings, booked_in_programme)
    gap = warning(planner)
    qtbot.waitUntil(lambda: gap.isVisible())

    def choose_from_menu() -> None:  # the row's right-click menu, answered as a person answers it
        menus = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]
        if not menus:
            QTimer.singleShot(20, choose_from_menu)
            return
        menu = menus[0]
        menu.setActiveAction(next(a for a in menu.actions() if a.text() == "EEF mechanisms of the course…"))
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    def tick_every_group(dialog: Any) -> None:
        assert dialog.windowTitle() == f"EEF mechanisms: {booked_in_programme}"
        for name in ("Revisit prior learning", "Credible source", "Instruct", "Action planning"):
            click(qtbot, find_field(name, dialog))
        click(qtbot, find_button("Save mechanisms", dialog))

    with answering(qtbot, tick_every_group, title="EEF mechanisms"):
        QTimer.singleShot(0, choose_from_menu)
        rect = bookings.visualRect(bookings.model().index(row, 2))
        bookings.customContextMenuRequested.emit(rect.center())  # what a right-click on the row sends
    # The course now brings all four groups to the programme: the warning goes.
    qtbot.waitUntil(lambda: not gap.isVisible())
