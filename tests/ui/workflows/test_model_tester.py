"""The table models stay sound while a person works the lists: Qt's model tester is attached to a
view's model and stays attached while the list is scrolled to its end (more rows are loaded), a column
title is clicked to sort, and the search box is typed in and emptied. Qt's tester reports a broken
promise as a warning, which fails the test; the Python tester raises."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QLineEdit, QTableView

from .conftest import click, find_table, go_to, press, row_count, rows_text, type_text


def _column(table: QTableView, title: str) -> int:
    model = table.model()
    return next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == title)


def _click_title(qtbot: Any, table: QTableView, title: str) -> int:
    header = table.horizontalHeader()
    column = _column(table, title)
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    click(qtbot, header.viewport(), pos=QPoint(x, header.height() // 2))
    qtbot.waitUntil(lambda: header.sortIndicatorSection() == column)
    return column


def _search_box(table: QTableView) -> QLineEdit:
    return next(w for w in table.parentWidget().findChildren(QLineEdit) if w.accessibleName() == "Search")


def _page_down_to_the_end(qtbot: Any, table: QTableView) -> None:
    """Page Down until the list shows its last row and loads no more (as a person reads to the end)."""
    bar = table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 or not table.model().canFetchMore(QModelIndex()))
    click(qtbot, table.viewport(), pos=table.visualRect(table.model().index(0, 0)).center())
    for _ in range(500):
        if bar.value() == bar.maximum() and not table.model().canFetchMore(QModelIndex()):
            return
        press(qtbot, table, Qt.Key.Key_PageDown)
    raise AssertionError("Page Down never reached the end of the list")


def _values(table: QTableView, column: int) -> list[str]:
    model = table.model()
    return [str(model.index(r, column).data() or "") for r in range(model.rowCount())]


@pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "python-tester"])
def test_the_audit_list_stays_sound_while_scrolled_sorted_and_searched(window: Any, qtbot: Any,
                                                                       qtmodeltester: Any, force_py: bool) -> None:
    go_to(qtbot, window, "Audit trail")
    table = find_table("audit")
    model = table.model()
    assert model.canFetchMore(QModelIndex())  # more entries than the first page: scrolling loads them
    qtmodeltester.check(model, force_py=force_py)
    first_page = row_count(table)

    _page_down_to_the_end(qtbot, table)  # the last rows shown: more are loaded
    assert row_count(table) > first_page

    who = _click_title(qtbot, table, "Who")
    shown = _values(table, who)
    assert shown in (sorted(shown, key=str.casefold), sorted(shown, key=str.casefold, reverse=True))

    box = _search_box(table)
    type_text(qtbot, box, "Zając")
    qtbot.waitUntil(lambda: 0 < row_count(table) < first_page
                    and all("zając" in r.lower() for r in rows_text(table)))
    found = row_count(table)
    press(qtbot, box, Qt.Key.Key_Escape)  # the whole trail again, from its first page
    qtbot.waitUntil(lambda: row_count(table) > found and not box.text())


@pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "python-tester"])
def test_the_cpd_log_stays_sound_while_sorted_scrolled_and_searched(window: Any, qtbot: Any,
                                                                    qtmodeltester: Any, force_py: bool) -> None:
    go_to(qtbot, window, "CPD log")
    table = find_table("cpd log")
    qtmodeltester.check(table.model(), force_py=force_py)
    everyone = row_count(table)
    _click_title(qtbot, table, "Hours")
    person = _click_title(qtbot, table, "Member of staff")
    assert len(_values(table, person)) == everyone
    _page_down_to_the_end(qtbot, table)
    box = _search_box(table)
    type_text(qtbot, box, "Safeguarding")
    qtbot.waitUntil(lambda: 0 < row_count(table) < everyone)
    press(qtbot, box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: row_count(table) == everyone)
