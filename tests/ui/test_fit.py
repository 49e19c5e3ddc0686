"""The window fits a school laptop's screen: every view at 1366×768 and 1280×720 shows its labels, buttons
and column titles whole and its lists without sideways scrolling (1366) ; at 1920 the columns take up
the width; the main dialogs open within the screen with every field and label whole; the first window is
no taller than the screen; drop-down lists show their current entry; the file dialog keeps its own look."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QWidget,
)

from cpd_desktop.ui.main_window import first_size
from cpd_desktop.ui.workspace import VIEW_NAMES

from .test_accessibility import DIALOGS, _dialogs, show_trust
from .test_accessibility import trust_window as trust_window  # a fixture, shared with the accessibility walk

VIEWS = [v for v in VIEW_NAMES if v != "trust"]
WHOLE = re.compile(r"\d\d/\d\d/\d{4}( \d\d:\d\d)?|-?£[\d,]+\.\d\d")
HEADER_PADDING = 12  # QHeaderView::section's left and right padding in style.py
SORT_ARROW = 14


def _cut_texts(root: QWidget) -> list[str]:
    """Labels, buttons and column titles on screen that do not fit their room."""
    cut = []
    for w in root.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, QLabel) and w.text() and not w.wordWrap() and not w.text().lstrip().startswith("<"):
            need = w.fontMetrics().horizontalAdvance(w.text().split("\n")[0])
            if need > w.contentsRect().width() + 1:
                cut.append(f"label {w.text()!r}: needs {need}, has {w.contentsRect().width()}")
        elif isinstance(w, QPushButton) and w.text():
            icon = w.iconSize().width() + 4 if not w.icon().isNull() else 0
            need = max(w.fontMetrics().horizontalAdvance(line) for line in w.text().split("\n")) + icon
            if need > w.contentsRect().width():
                cut.append(f"button {w.text()!r}: needs {need}, has {w.contentsRect().width()}")
        elif isinstance(w, QTableView):
            header = w.horizontalHeader()
            bold = QFont(header.font())
            bold.setBold(True)
            metrics = QFontMetrics(bold)
            for c in range(header.count()):
                if header.isSectionHidden(c):
                    continue
                title = str(w.model().headerData(c, Qt.Orientation.Horizontal) or "")
                arrow = SORT_ARROW if header.isSortIndicatorShown() and header.sortIndicatorSection() == c else 0
                align = int(w.model().headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole) or 0)
                if align & int(Qt.TextFlag.TextWordWrap):
                    # a title that wraps needs its longest word across, and the header's height for its lines
                    need = max(metrics.horizontalAdvance(word) for word in title.split()) + HEADER_PADDING + arrow
                    room = max(1, header.sectionSize(c) - HEADER_PADDING - arrow)
                    lines = metrics.boundingRect(QRect(0, 0, room, 10_000), int(Qt.TextFlag.TextWordWrap), title)
                    if lines.height() + 10 > header.height():  # the section's padding above and below
                        cut.append(f"column {title!r} of {w.accessibleName()!r}: {lines.height()} px of lines "
                                   f"in a header {header.height()} px high")
                else:  # a title on two lines (the Trust view's "Hours\nper FTE") needs its longer line
                    need = max(metrics.horizontalAdvance(line) for line in title.split("\n")) + HEADER_PADDING + arrow
                if need > header.sectionSize(c):
                    cut.append(f"column {title!r} of {w.accessibleName()!r}: needs {need}, has {header.sectionSize(c)}")
                for row in range(min(5, w.model().rowCount())):  # a date or a sum shown whole
                    value = str(w.model().index(row, c).data() or "")
                    if WHOLE.fullmatch(value) and w.fontMetrics().horizontalAdvance(value) + 8 > header.sectionSize(c):
                        cut.append(f"{value!r} in column {title!r} of {w.accessibleName()!r} is cut")
    return cut


def _scrolled_sideways(root: QWidget) -> list[str]:
    out = []
    for w in root.findChildren(QTableView) + root.findChildren(QScrollArea):
        bar = w.horizontalScrollBar()
        if w.isVisible() and bar.maximum() > 0:
            out.append(f"{type(w).__name__} {w.accessibleName()!r} scrolls sideways by {bar.maximum()} px")
    return out


def _settled(qtbot: Any, check: Any) -> list[str]:
    """What ``check()`` finds once the layout has settled (a resize or a new count is laid out on the
    next pass of the event loop): waits up to 2 s for it to find nothing, then returns what it finds."""
    try:
        qtbot.waitUntil(lambda: not check(), timeout=2000)
    except Exception:  # noqa: BLE001 - the problems are returned and asserted by the caller
        pass
    return list(check())


def _show_every_tab(page: QWidget) -> list[QWidget]:
    return [t for t in page.findChildren(QWidget) if type(t).__name__ == "QTabWidget" and t.isVisible()]


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)], ids=["1366x768", "1280x720"])
@pytest.mark.parametrize("view", VIEWS)
def test_each_view_shows_its_text_whole_on_a_laptop_screen(demo_window: Any, qtbot: Any, view: str,
                                                           size: tuple[int, int]) -> None:
    demo_window.resize(size[0], size[1] - 40)  # the window manager's title bar and the panel take the rest
    page = demo_window.show_view(view)
    qtbot.waitUntil(page.isVisible)
    def check() -> list[str]:
        return _cut_texts(demo_window) + (_scrolled_sideways(demo_window) if size[0] >= 1366 else [])

    problems = _settled(qtbot, check)
    for tabs in _show_every_tab(page):
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            problems += _settled(qtbot, check)
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.postgres
@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)], ids=["1366x768", "1280x720"])
def test_the_trust_view_shows_its_text_whole_on_a_laptop_screen(trust_window: Any, qtbot: Any,
                                                                size: tuple[int, int]) -> None:
    """The Trust view of two schools on a trust's PostgreSQL server, as the other views above."""
    trust_window.resize(size[0], size[1] - 40)
    show_trust(qtbot, trust_window)

    def check() -> list[str]:
        return _cut_texts(trust_window) + (_scrolled_sideways(trust_window) if size[0] >= 1366 else [])

    problems = _settled(qtbot, check)
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("view", ["log", "planner", "bursaries", "cover", "staff"])
def test_on_a_wide_screen_the_columns_take_up_the_width(demo_window: Any, qtbot: Any, view: str) -> None:
    demo_window.resize(1920, 1040)
    page = demo_window.show_view(view)
    qtbot.waitUntil(page.isVisible)
    def gaps() -> list[str]:
        return [f"{t.accessibleName()!r}: columns {t.horizontalHeader().length()} px in {t.viewport().width()} px"
                for t in page.findChildren(QTableView)
                if t.isVisible() and abs(t.horizontalHeader().length() - t.viewport().width()) > 2]

    problems = _settled(qtbot, gaps) + _settled(qtbot, lambda: _cut_texts(demo_window))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", DIALOGS)
def test_each_main_dialog_opens_within_the_screen_with_its_fields_whole(demo_window: Any, qtbot: Any,
                                                                        name: str) -> None:
    dialog = _dialogs(demo_window)[name]()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    screen = dialog.screen().availableGeometry().size()
    # within the screen it opens on (the offscreen one is 800×800), and able to shrink to a 1280×720 one
    assert dialog.width() <= 1280 and dialog.height() <= screen.height() - 30
    assert dialog.minimumSizeHint().width() <= 1280 and dialog.minimumSizeHint().height() <= 720 - 40
    assert not _settled(qtbot, lambda: _cut_texts(dialog))
    body = getattr(dialog, "body", None)
    if body is not None:  # an edit dialog: every field as wide as it is drawn, none cut at the right
        viewport = body.parentWidget()

        def cut_fields() -> list[str]:
            return [f"{f.label} is cut at the right" for f in dialog.fields.values()
                    if f.widget.mapTo(viewport, f.widget.rect().topRight()).x() >= viewport.width()]

        assert not _settled(qtbot, cut_fields)
        if body.sizeHint().height() + 140 < min(screen.height(), 720):  # room for it all: no scrolling
            assert body.parentWidget().parentWidget().verticalScrollBar().maximum() == 0, name
    dialog.close()


def test_add_cpd_activity_opens_with_every_field_in_view(demo_window: Any, qtbot: Any) -> None:
    """It opened at 520×480, its standard check boxes and outcomes below the fold."""
    dialog = _dialogs(demo_window)["Add CPD activity"]()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    viewport = dialog.body.parentWidget()
    for f in dialog.fields.values():
        bottom = f.widget.mapTo(viewport, f.widget.rect().bottomLeft()).y()
        assert bottom <= viewport.height(), f"{f.label} is below the fold"
    dialog.close()


def test_the_first_window_fits_a_laptop_screen() -> None:
    assert first_size(QSize(1366, 728)).height() <= 728 - 30  # 1366×768 less its panel, less the title bar
    assert first_size(QSize(1366, 728)).width() <= 1366
    assert first_size(QSize(1280, 680)).height() <= 680 - 30
    assert first_size(QSize(1920, 1040)) == QSize(1280, 820)


def test_the_window_title_names_the_app_once(demo_window: Any) -> None:
    """Qt adds the application's display name, when one is set, to every title it shows ("CPD Desktop —
    Ashcombe Park Academy (demo data) — CPD Desktop" on Linux and Windows); the title already names it."""
    from PySide6.QtWidgets import QApplication

    assert demo_window.windowTitle() == "CPD Desktop — Ashcombe Park Academy (demo data)"
    app = QApplication.instance()
    name = app.applicationName()
    try:
        app.setApplicationName("probe")  # with no display name of its own, the display name follows
        assert QApplication.applicationDisplayName() == "probe", "a display name is set: titles name the app twice"
    finally:
        app.setApplicationName(name)


def _has_text_pixels(image: Any, rect: Any) -> bool:
    rect = rect.intersected(image.rect())
    dark = 0
    for x in range(rect.left() + 2, rect.right() - 2, 2):
        for y in range(rect.top() + 2, rect.bottom() - 2, 2):
            if QColor(image.pixel(x, y)).lightness() < 110:
                dark += 1
    return dark >= 5


@pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing the keyboard)")
def test_a_drop_down_list_shows_its_current_entry(demo_window: Any, qtbot: Any) -> None:
    """The open list drew the current entry as a blank row (white on white)."""
    combo: QComboBox = demo_window.year_combo
    assert combo.count() >= 2
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    image = view.viewport().grab().toImage()
    current = view.visualRect(combo.model().index(combo.currentIndex(), 0))
    other = view.visualRect(combo.model().index((combo.currentIndex() + 1) % combo.count(), 0))
    assert _has_text_pixels(image, other)  # the measure sees text where there is some
    assert _has_text_pixels(image, current), "the current entry is drawn blank"
    combo.hidePopup()


@pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing the keyboard)")
def test_the_file_dialog_keeps_its_own_side_list(demo_window: Any, qtbot: Any) -> None:
    """Its list of places is also called 'sidebar': it took the app's dark blue."""
    dialog = QFileDialog(demo_window, "Save")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    side = dialog.findChild(QWidget, "sidebar")
    assert side is not None and side.isVisible()
    image = side.grab().toImage()
    colour = QColor(image.pixel(image.width() - 4, image.height() - 4))
    assert colour.lightness() > 150, colour.name()
    app_side = demo_window.findChild(QWidget, "navSidebar")
    assert QColor(app_side.grab().toImage().pixel(4, app_side.height() - 60)).name() == "#1f3a5a"
    dialog.close()


def test_buttons_are_whole_in_the_planner_header(demo_window: Any, qtbot: Any) -> None:
    demo_window.resize(1280, 680)
    page = demo_window.show_view("planner")
    qtbot.waitUntil(page.isVisible)
    buttons = [b for b in page.header.findChildren(QAbstractButton) if b.isVisible()]
    assert len(buttons) >= 7
    assert all(b.geometry().right() <= page.header.width() for b in buttons)
