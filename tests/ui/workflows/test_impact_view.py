"""The head of science's Impact view, walked as a person walks it: sidebar, year, a click on a person, the tabs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget

from .conftest import bring_forward, cell, choose, find_field, find_table, go_to, row_of


def named(page: Any, cls: type, name: str) -> Any:
    """The widget on screen a screen reader calls ``name`` (labels and tab sets are not inputs)."""
    found = [w for w in page.findChildren(cls) if w.accessibleName() == name and w.isVisible()]
    assert len(found) == 1, f"no {name!r} on screen"
    return found[0]


def click_row(qtbot: Any, table: Any, row: int) -> None:
    index = table.model().index(row, 0)
    table.scrollTo(index)
    rect = table.visualRect(index)
    assert rect.isValid()
    bring_forward(qtbot, table)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def show_tab(qtbot: Any, tabs: QTabWidget, text: str) -> None:
    bar = tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == text)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index)


def test_the_impact_view_shows_stages_confidence_priorities_and_outcomes_side_by_side(
        window: Any, qtbot: Any, tmp_path: Path) -> None:
    page = go_to(qtbot, window, "Impact")
    year = find_field("Academic year", window)  # the window's year, chosen at the top as for every view
    assert year.isVisible() and year.isEnabled() and year.currentText() == "2025/26"  # the window's today
    findings = named(page, QLabel, "Findings")
    qtbot.waitUntil(lambda: "evaluation stage" in findings.text())
    people = find_table("Evaluation by person", page)
    qtbot.waitUntil(lambda: people.model().rowCount() > 10)
    overdue_col = next(c for c in range(people.model().columnCount())
                       if people.model().headerData(c, Qt.Orientation.Horizontal) == "Overdue")
    row = next(r for r in range(people.model().rowCount()) if people.model().index(r, overdue_col).data() != "0")
    name = people.model().index(row, 0).data()

    stages = find_table("Evaluation stages of the person", page)
    assert stages.model().rowCount() == 0
    click_row(qtbot, people, row)
    qtbot.waitUntil(lambda: stages.model().rowCount() > 0)
    assert page.stages_title.text() == f"Evaluation stages: {name}, 2025/26"
    assert cell(stages, 0, "State") == "Overdue"  # overdue first
    assert {cell(stages, r, "Stage") for r in range(stages.model().rowCount())} <= {
        "End", "In the classroom", "For pupils"}
    if os.environ.get("CPD_SCREENSHOTS"):
        window.grab().save(str(Path(os.environ["CPD_SCREENSHOTS"]) / "impact-view.png"))

    tabs = named(page, QTabWidget, "Impact figures")
    show_tab(qtbot, tabs, "Priorities")
    priorities = find_table("By priority", page)
    assert priorities.isVisible() and priorities.model().rowCount() >= 2
    show_tab(qtbot, tabs, "Retention and indicators")
    note = named(page, QLabel, "About these figures")
    assert note.isVisible() and note.text() == "Shown side by side; this does not show that one caused the other."
    retention = find_table("Retention", page)
    assert retention.isVisible() and retention.model().rowCount() >= 2
    assert cell(retention, retention.model().rowCount() - 1, "Retention") == "not yet known"
    assert find_table("Department indicators", page).model().rowCount() == 12  # three years of four indicators

    choose(qtbot, year, "2024/25")
    qtbot.waitUntil(lambda: stages.model().rowCount() == 0)  # another year's stages are not left showing


def test_the_impact_view_shows_a_persons_hours_as_the_staff_list_does(window: Any, qtbot: Any) -> None:
    """Hours are kept to the quarter hour: a 1.25-hour twilight read "1.2" in Impact (one decimal, rounded half
    to even) while the Staff list said 1.25; both now show the hours as recorded."""
    from sqlalchemy import select

    from cpd_desktop.models import School, Staff
    from cpd_desktop.services.activities import add_activity

    with window.ctx.db.session() as s:
        school = s.get(School, window.ctx.school_id)
        person = s.scalars(select(Staff).where(Staff.school_id == school.id, Staff.staff_code == "HMA")).one()
        name, listed = person.full_name, f"{person.surname}, {person.forename}"
        add_activity(s, school, person, date="12/11/2025", hours="1.25", title="Twilight: questioning")

    staff = go_to(qtbot, window, "Staff")
    staff_table = find_table("staff", staff)
    qtbot.waitUntil(lambda: row_of(staff_table, listed) >= 0)
    hours = cell(staff_table, row_of(staff_table, listed), "Hours")
    assert hours.endswith(".25") or hours.endswith(".75"), hours

    page = go_to(qtbot, window, "Impact")
    people = find_table("Evaluation by person", page)
    qtbot.waitUntil(lambda: people.model().rowCount() > 10)
    assert cell(people, row_of(people, name), "Hours") == hours
    findings = named(page, QLabel, "Findings").text()
    assert ".0 hours" not in findings and "hours of CPD were sustained" in findings
