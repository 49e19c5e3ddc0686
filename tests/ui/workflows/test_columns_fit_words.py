"""The shared tables give their room to the columns of words: at 1366×768 the CPD log's Activity column is
the widest and shows most titles whole, while its columns of figures (Date, Hours, Subject, All 5 parts) are
as wide as their figures need, a title wider than that ("All 5 parts") wrapping onto a second line of the
header. The columns of figures had kept their titles' whole width and the titles were cut (129 px)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QStyle, QTableView

from .conftest import choose, find_field, find_table, go_to

FIGURES = ("Date", "Hours", "Subject", "All 5 parts")


def columns(table: QTableView) -> dict[str, int]:
    model = table.model()
    return {str(model.headerData(c, Qt.Orientation.Horizontal)): c for c in range(model.columnCount())}


def whole_share(table: QTableView, column: int) -> float:
    """The share of the column's cells shown whole (not cut with "…")."""
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    room = table.horizontalHeader().sectionSize(column) - 2 * margin
    metrics = table.fontMetrics()
    texts = [str(table.model().index(r, column).data() or "") for r in range(table.model().rowCount())]
    return sum(metrics.horizontalAdvance(t) <= room for t in texts) / len(texts)


def test_the_cpd_logs_titles_get_the_room_on_a_laptop(window: Any, qtbot: Any) -> None:
    assert window.width() == 1366
    page = go_to(qtbot, window, "CPD log")
    table = find_table("cpd log", page)
    choose(qtbot, find_field("Academic year", window), "2024/25")  # a whole year of titles
    qtbot.waitUntil(lambda: table.model().rowCount() > 100)
    at = columns(table)
    header = table.horizontalHeader()
    qtbot.waitUntil(lambda: header.length() == table.viewport().width())  # laid out on the next pass
    width = {name: header.sectionSize(c) for name, c in at.items() if not header.isSectionHidden(c)}
    assert table.horizontalScrollBar().maximum() == 0  # still no sideways scrolling
    assert max(width, key=lambda name: width[name]) == "Activity"
    assert width["Activity"] >= 200, width  # 129 px before
    assert whole_share(table, at["Activity"]) >= 0.6, whole_share(table, at["Activity"])
    for name in FIGURES:  # every figure whole, in no more room than that needs
        assert whole_share(table, at[name]) == 1.0, name
    bold = QFont(header.font())
    bold.setBold(True)
    title = QFontMetrics(bold)
    # "All 5 parts" is wider than its Yes and No: its title wraps, the header tall enough for two lines
    assert width["All 5 parts"] < title.horizontalAdvance("All 5 parts") + 12
    assert header.height() >= 2 * title.lineSpacing() + 10
    assert width["Subject"] <= title.horizontalAdvance("Subject") + 12 + 2  # its one word, no more
