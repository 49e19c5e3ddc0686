"""The CPD log on a school laptop's screen (1366×768, the demo school on 20/11/2025): whatever the head of
science filters it to, each row's Evaluation cell shows its stage and date whole, shortened to fit
("Classroom 12/11/2025", "Evaluated 10/10/2025"); hovering the cell shows the whole of it ("In the classroom,
due 12/11/2025; For pupils, due 31/12/2025; End done 10/10/2025"), which is also what a screen reader says."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QStyle, QTableView, QToolTip

from .conftest import OFFSCREEN_LIMITS, bring_forward, choose, find_field, find_table, go_to

DATE = r"\d\d/\d\d/\d{4}"
SHORT = re.compile(rf"(End|Classroom|Pupils) {DATE}|Evaluated {DATE}|")
WHOLE = re.compile(rf"((End|In the classroom|For pupils), due {DATE}; )*"
                   rf"(End|In the classroom|For pupils), due {DATE}(; End done {DATE})?|Evaluated {DATE}|")


def evaluation_column(table: QTableView) -> int:
    model = table.model()
    return next(c for c in range(model.columnCount())
                if model.headerData(c, Qt.Orientation.Horizontal) == "Evaluation")


def cut_cells(table: QTableView, column: int) -> list[str]:
    """The Evaluation cells whose text does not fit: the table draws them with "…" in place of their end
    (the cell's width less the style's text margin on either side, as Qt's own item drawing takes it)."""
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    room = table.horizontalHeader().sectionSize(column) - 2 * margin
    metrics = table.fontMetrics()
    texts = [str(table.model().index(r, column).data() or "") for r in range(table.model().rowCount())]
    return [t for t in texts if metrics.elidedText(t, Qt.TextElideMode.ElideRight, room) != t]


def hover_tip(qtbot: Any, table: QTableView, row: int, column: int) -> str:
    """The tooltip that shows when the pointer rests on the cell (the help event Qt sends after the pause)."""
    index = table.model().index(row, column)
    table.scrollTo(index)
    bring_forward(qtbot, table)
    where = table.visualRect(index).center()
    QToolTip.hideText()
    QApplication.sendEvent(table.viewport(), QHelpEvent(QEvent.Type.ToolTip, where,
                                                        table.viewport().mapToGlobal(where)))
    qtbot.waitUntil(QToolTip.isVisible)
    return QToolTip.text()


def rows_shown(qtbot: Any, page: Any, model: Any, **choices: str) -> None:
    """Choose in the filters as a person does (``Academic_year="2024/25"``), then every row loaded."""
    for name, choice in choices.items():
        choose(qtbot, find_field(name.replace("_", " "), page.window()), choice)  # the list follows at once
    assert model.rowCount() > 0
    model.fetch_all()


@OFFSCREEN_LIMITS  # the tooltip's window is raised over the table, which offscreen cannot do
def test_the_evaluation_column_reads_whole_on_a_laptop_screen(window: Any, qtbot: Any) -> None:
    assert window.width() == 1366
    page = go_to(qtbot, window, "CPD log")
    table = find_table("cpd log", page)
    column = evaluation_column(table)
    model = table.model()

    def texts(role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> list[str]:
        return [str(model.index(r, column).data(role) or "") for r in range(model.rowCount())]

    seen: dict[str, list[str]] = {}
    for year in ("2025/26", "2024/25"):
        for choice in ("Any evaluation", "Evaluation overdue", "Evaluated"):
            rows_shown(qtbot, page, model, Academic_year=year, Evaluation=choice)
            try:  # the layout settles on the next pass of the event loop
                qtbot.waitUntil(lambda: not cut_cells(table, column), timeout=2000)
            except qtbot.TimeoutError:
                pass  # the assertion below says which
            assert not cut_cells(table, column), f"cut in {year}, {choice!r}: {cut_cells(table, column)[:5]}"
            shown, whole = texts(), texts(Qt.ItemDataRole.AccessibleTextRole)
            assert all(SHORT.fullmatch(t) for t in shown), [t for t in shown if not SHORT.fullmatch(t)][:5]
            assert all(WHOLE.fullmatch(t) for t in whole), [t for t in whole if not WHOLE.fullmatch(t)][:5]
            seen[f"{year} {choice}"] = shown
            assert table.horizontalScrollBar().maximum() == 0  # and the log fits without scrolling sideways
    assert all(t.startswith("Evaluated ") for t in seen["2025/26 Evaluated"] + seen["2024/25 Evaluated"])

    # Two stages overdue: the cell names the earlier; hovering it names both.
    rows_shown(qtbot, page, model, Academic_year="2025/26", Evaluation="Evaluation overdue")
    row = next(r for r, t in enumerate(texts(Qt.ItemDataRole.AccessibleTextRole)) if t.count(", due ") == 2)
    shown = str(model.index(row, column).data())
    tip = hover_tip(qtbot, table, row, column)
    assert re.fullmatch(rf"End, due {DATE}; In the classroom, due {DATE}", tip), tip
    assert shown == "End " + tip[len("End, due "):][:10]

    # An overdue classroom stage, its End stage done: the cell says which stage and when, briefly;
    # hovering it says so whole, and when the End stage was done.
    rows_shown(qtbot, page, model, Academic_year="2024/25", Evaluation="Evaluation overdue")
    row = next(r for r, t in enumerate(texts()) if t.startswith("Classroom "))
    shown = str(model.index(row, column).data())
    tip = hover_tip(qtbot, table, row, column)
    assert tip.startswith("In the classroom, due " + shown.removeprefix("Classroom ")), (shown, tip)
    assert re.search(rf"; End done {DATE}$", tip), tip
    assert model.index(row, column).data(Qt.ItemDataRole.AccessibleTextRole) == tip


@OFFSCREEN_LIMITS  # the tooltip's window is raised over the table, which offscreen cannot do
def test_a_cell_cut_short_by_its_column_says_its_whole_text_on_hover(window: Any, qtbot: Any) -> None:
    """A short text in a narrow column ("Coaching / ment…") had no tooltip: the model gives one only to long
    texts or shortened ones. Hovering any cut cell now shows the whole text; a cell that fits shows none."""
    page = go_to(qtbot, window, "CPD log")
    table = find_table("cpd log", page)
    model = table.model()
    rows_shown(qtbot, page, model, Academic_year="2025/26", Evaluation="Any evaluation")
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    metrics = table.fontMetrics()
    cut = fits = None
    for column in range(model.columnCount()):
        room = table.horizontalHeader().sectionSize(column) - 2 * margin
        for row in range(min(model.rowCount(), 60)):
            index = model.index(row, column)
            text = str(index.data() or "")
            if not text or index.data(Qt.ItemDataRole.ToolTipRole):
                continue
            if cut is None and metrics.horizontalAdvance(text) > room:
                cut = (row, column, text)
            elif fits is None and metrics.horizontalAdvance(text) < room - 20:
                fits = (row, column, text)
    assert cut is not None, "at 1366×768 some short cell of the log is cut by its column"
    row, column, text = cut
    assert hover_tip(qtbot, table, row, column) == text
    assert fits is not None
    row, column, _text = fits
    index = model.index(row, column)
    table.scrollTo(index)
    where = table.visualRect(index).center()
    QToolTip.hideText()
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    QApplication.sendEvent(table.viewport(), QHelpEvent(QEvent.Type.ToolTip, where, table.viewport().mapToGlobal(where)))
    qtbot.wait(100)
    assert not QToolTip.isVisible()  # a cell that fits says nothing more on hover
