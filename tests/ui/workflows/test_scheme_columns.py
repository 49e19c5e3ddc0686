"""Settings › Bursary schemes on a 1366×768 laptop: the scheme names read whole and no title of the list takes
more than two lines. The claim deadline's title ("Claim within (days)") had wrapped onto three lines while the
names were cut ("Science CPD Partnership residential b…"); it now reads "Claim within", its cells "90 days", and
its tooltip says what the days are."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QTabBar

from .conftest import find_table, go_to
from .test_columns_fit_words import columns, whole_share


def test_scheme_names_read_whole_and_no_title_takes_three_lines(window: Any, qtbot: Any) -> None:
    assert window.width() == 1366
    page = go_to(qtbot, window, "Settings")
    tabs = next(bar for bar in page.findChildren(QTabBar) if bar.isVisible())
    tab = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Bursary schemes")
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(tab).center())
    table = find_table("settings schemes", page)
    qtbot.waitUntil(lambda: table.isVisible() and table.model().rowCount() >= 3)
    header = table.horizontalHeader()
    qtbot.waitUntil(lambda: header.length() == table.viewport().width())  # laid out on the next pass
    at = columns(table)
    names = [str(table.model().index(r, at["Scheme"]).data()) for r in range(table.model().rowCount())]
    assert "Science CPD Partnership residential bursary" in names
    assert whole_share(table, at["Scheme"]) == 1.0, header.sectionSize(at["Scheme"])
    assert table.horizontalScrollBar().maximum() == 0
    bold = QFont(header.font())
    bold.setBold(True)
    title = QFontMetrics(bold)
    for name, c in at.items():  # each title on one line or two, never three
        lines = title.boundingRect(QRect(0, 0, header.sectionSize(c) - 12, 10_000), int(Qt.TextFlag.TextWordWrap),
                                   name).height() // title.lineSpacing()
        assert lines <= 2, (name, header.sectionSize(c))
    deadline = at["Claim within"]
    days = {str(table.model().index(r, deadline).data()) for r in range(table.model().rowCount())}
    assert days and all(d.endswith(" days") or d == "1 day" for d in days), days
    assert whole_share(table, deadline) == 1.0
    tip = str(table.model().headerData(deadline, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole))
    assert "days of the course's end" in tip
