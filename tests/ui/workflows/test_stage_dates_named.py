"""A person's evaluation stages name each date for what it is: the day a stage is due by, the day it was
done and the activity's own date, on the person's page and in the Impact view, and a screen reader says
the same names; none is a bare "Date" (which of the three was it?)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QFrame, QTableView

from .conftest import bring_forward, click_row, find_field, find_table, go_to, press

NAMED = ["Due by", "Date done", "Activity date"]


def headings(table: QTableView) -> list[str]:
    model = table.model()
    return [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]


def spoken_headings(table: QTableView) -> list[str]:
    """The column names a screen reader gives for the table's cells."""
    iface = QAccessible.queryAccessibleInterface(table)
    assert iface is not None
    children = (iface.child(i) for i in range(iface.childCount()))
    return [c.text(QAccessible.Text.Name) for c in children if c is not None and c.role() == QAccessible.Role.ColumnHeader]


def test_a_persons_stages_tab_names_each_date(window: Any, qtbot: Any) -> None:
    page = go_to(qtbot, window, "Staff")
    people = page.panel.table
    qtbot.waitUntil(lambda: people.model().rowCount() > 5)
    click_row(qtbot, people, "Begum, Aisha")
    press(qtbot, people, Qt.Key.Key_Return)
    card = next(w for w in page.findChildren(QFrame) if w.accessibleName() == "Evaluation stages")
    qtbot.waitUntil(card.isVisible)
    bring_forward(qtbot, card)
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)  # the card opens the stages tab
    stages = find_table("Evaluation stages", page)
    qtbot.waitUntil(lambda: stages.isVisible() and stages.model().rowCount() > 0)
    shown = headings(stages)
    assert "Date" not in shown and all(name in shown for name in NAMED), shown
    assert spoken_headings(stages) == shown
    model = stages.model()
    done = shown.index("Date done")
    due = shown.index("Due by")
    # a stage done has its day done; each stage has the day it is due by
    assert any(model.index(r, done).data() for r in range(model.rowCount()))
    assert all(model.index(r, due).data() for r in range(model.rowCount()))


def test_the_impact_views_stages_name_each_date(window: Any, qtbot: Any) -> None:
    page = go_to(qtbot, window, "Impact")
    people = find_field("Evaluation by person", page)
    qtbot.waitUntil(lambda: people.model().rowCount() > 10)
    bring_forward(qtbot, people)
    qtbot.mouseClick(people.viewport(), Qt.MouseButton.LeftButton,
                     pos=people.visualRect(people.model().index(0, 0)).center())
    stages = find_table("Evaluation stages of the person", page)
    qtbot.waitUntil(lambda: stages.model().rowCount() > 0)
    shown = headings(stages)
    assert "Date" not in shown and all(name in shown for name in NAMED), shown
    assert spoken_headings(stages) == shown
