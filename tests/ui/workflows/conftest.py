"""Driving the window as a person does: find a control by what it says (its text, its label or its
accessible name), check that it is on screen and enabled, click it or press its key, type, and wait
for what appears. No view method, no service and no patched dialog: a dialog a person answers is
found on screen and answered with its buttons.

A modal dialog runs its own event loop (``exec``), so the click that opens it returns only once it
has closed: ``answering(qtbot, handler)`` arms a watch before the click, and the handler fills and
closes the dialog from inside that loop.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QWidget,
)

# The offscreen platform cannot raise a window or grab the keyboard, which the file dialog and pop-up
# lists ask for; what the test checks (the file written, the choice made) does not depend on either.
OFFSCREEN_LIMITS = pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing the keyboard)")

TODAY = dt.date(2025, 11, 20)  # the demo is built for this day, and the window thinks it is today
MODAL_PATIENCE_S = 20  # a dialog nobody answers for this long is closed and the test fails


def plain(text: str) -> str:
    """A control's text as a person reads it: no mnemonic '&', no trailing '…', first line, trimmed."""
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    text = text.strip().splitlines()[0] if text.strip() else ""
    return re.sub(r"(…|\.\.\.)$", "", text.strip()).rstrip(" :*").strip()


def on_screen(cls: type, root: QWidget | None = None) -> list[Any]:
    """Widgets of ``cls`` a person can see: inside ``root``, else inside the dialog that holds the
    input (a modal one), else in every window."""
    if root is None:
        root = QApplication.activeModalWidget()
    roots = [root] if root is not None else [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    found: list[Any] = []
    for r in roots:
        if isinstance(r, cls) and r.isVisible():
            found.append(r)
        found += [w for w in r.findChildren(cls) if w.isVisible()]
    return found


def _buddy_text(widget: QWidget) -> list[str]:
    window = widget.window()
    return [plain(label.text()) for label in window.findChildren(QLabel)
            if label.buddy() is widget and label.isVisible()]


def find_button(text: str, root: QWidget | None = None) -> QAbstractButton:
    """The button on screen that reads ``text`` (or is called that for a screen reader)."""
    want = plain(text)
    buttons = on_screen(QAbstractButton, root)
    for b in buttons:
        if plain(b.text()) == want or plain(b.accessibleName()) == want:
            return b
    raise AssertionError(f"no button {text!r} on screen; there are: {sorted({plain(b.text()) for b in buttons})}")


def find_field(name: str, root: QWidget | None = None, cls: type = QWidget) -> Any:
    """The input on screen a person knows by ``name``: its label beside it or its accessible name."""
    want = plain(name)
    inputs = [w for w in on_screen(cls, root)
              if isinstance(w, (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QAbstractItemView))
              and not isinstance(w.parent(), QComboBox)]
    for w in inputs:
        if plain(w.accessibleName()) == want or want in _buddy_text(w):
            return w
    raise AssertionError(f"no field {name!r} on screen; there are: "
                         f"{sorted({plain(w.accessibleName()) for w in inputs if w.accessibleName()})}")


def find_table(name: str, root: QWidget | None = None) -> QTableView:
    return find_field(name, root, QTableView)


def find_action(window: QWidget, *path: str) -> QAction:
    """A menu command by its menu and entry: ``find_action(window, "File", "Export…")``."""
    actions = window.menuBar().actions()
    action: QAction | None = None
    for step in path:
        action = next((a for a in actions if plain(a.text()) == plain(step)), None)
        assert action is not None, f"no menu entry {step!r} (there are {[plain(a.text()) for a in actions]})"
        if action.menu() is not None:
            actions = action.menu().actions()
    assert action is not None
    return action


def choose_menu(qtbot: Any, window: QWidget, *path: str) -> None:
    """Click a menu in the menu bar, then its entry, as a person does with the mouse."""
    bar = window.menuBar()
    top = find_action(window, path[0])
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(top).center())
    menu = top.menu()
    qtbot.waitUntil(menu.isVisible)
    for step in path[1:]:
        action = next((a for a in menu.actions() if plain(a.text()) == plain(step)), None)
        assert action is not None, f"no entry {step!r} in the menu"
        assert action.isEnabled() and action.isVisible(), f"{step!r} is disabled"
        if action.menu() is not None:
            menu.setActiveAction(action)
            menu = action.menu()
            qtbot.waitUntil(menu.isVisible)
            continue
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def click(qtbot: Any, widget: QWidget, pos: QPoint | None = None) -> None:
    assert widget.isVisible(), f"{plain(getattr(widget, 'text', lambda: '')())!r} is not on screen"
    assert widget.isEnabled(), f"{plain(getattr(widget, 'text', lambda: '')()) or widget.accessibleName()!r} is disabled"
    bring_forward(qtbot, widget)
    if pos is None:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def bring_forward(qtbot: Any, widget: QWidget) -> None:
    """The widget's window is the one the keyboard goes to, as after a person clicks in it (there is no
    window manager offscreen to make the window active again when a dialog closes)."""
    window = widget.window()
    if QApplication.activeWindow() is not window:
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)


def press(qtbot: Any, widget: QWidget, key: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed while ``widget`` has the keyboard focus (the focus is put there first, as a click would)."""
    assert widget.isVisible() and widget.isEnabled(), f"{widget.accessibleName()!r} cannot take keys"
    bring_forward(qtbot, widget)
    if not widget.hasFocus():
        widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(widget, key, modifier)


def type_into(qtbot: Any, field: QWidget, text: str) -> None:
    """Select what the field holds and type ``text`` over it."""
    assert field.isVisible() and field.isEnabled(), f"{field.accessibleName()!r} cannot be typed into"
    bring_forward(qtbot, field)
    field.setFocus(Qt.FocusReason.TabFocusReason)
    edit = field.lineEdit() if isinstance(field, QComboBox) else field
    assert edit is not None, f"{field.accessibleName()!r} is a list to choose from, not a field to type in"
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if isinstance(edit, QPlainTextEdit):
        qtbot.keyClick(edit, Qt.Key.Key_Delete)
    type_text(qtbot, edit, text)


def type_text(qtbot: Any, widget: QWidget, text: str) -> None:
    """Type ``text`` key by key, letters such as Ł and ễ too (QTest's own typing knows ASCII only)."""
    for ch in text:
        if ord(ch) < 128:
            qtbot.keyClicks(widget, ch)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def choose(qtbot: Any, combo: QComboBox, text: str) -> None:
    """Pick the entry of a drop-down list that reads ``text`` (or starts with it) with the keyboard."""
    assert combo.isVisible() and combo.isEnabled(), f"{combo.accessibleName()!r} cannot be changed"
    items = [combo.itemText(i) for i in range(combo.count())]
    target = next((i for i, t in enumerate(items) if t == text), None)
    if target is None:
        target = next((i for i, t in enumerate(items) if t.startswith(text)), None)
    assert target is not None, f"{combo.accessibleName()!r} offers no {text!r}: {items}"
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    step = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(abs(target - combo.currentIndex())):
        qtbot.keyClick(combo, step)
    assert combo.currentIndex() == target, f"{combo.accessibleName()!r} shows {combo.currentText()!r}"


def row_of(table: QTableView, *texts: str) -> int:
    """The row of the table showing every one of ``texts`` (each in some cell)."""
    model = table.model()
    for row in range(model.rowCount()):
        cells = [str(model.index(row, c).data() or "") for c in range(model.columnCount())]
        if all(any(t in c for c in cells) for t in texts):
            return row
    raise AssertionError(f"no row of {table.accessibleName()!r} shows {texts!r}")


def click_row(qtbot: Any, table: QTableView, *texts: str) -> int:
    """Click the row showing ``texts`` (scrolled into view first, as a person scrolls to it)."""
    row = row_of(table, *texts)
    index = table.model().index(row, 0)
    table.scrollTo(index)
    rect = table.visualRect(index)
    assert rect.isValid(), f"row {row} of {table.accessibleName()!r} is not on screen"
    bring_forward(qtbot, table)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: table.selectionModel().isRowSelected(row, index.parent()))
    return row


def cell(table: QTableView, row: int, title: str) -> str:
    model = table.model()
    for c in range(model.columnCount()):
        if model.headerData(c, Qt.Orientation.Horizontal) == title:
            return str(model.index(row, c).data() or "")
    raise AssertionError(f"{table.accessibleName()!r} has no column {title!r}")


def wait_visible(qtbot: Any, find: Callable[[], Any], timeout: int = 5000) -> Any:
    """Wait until ``find()`` returns a widget on screen, and return it."""
    found: list[Any] = []

    def check() -> None:
        try:
            w = find()
        except AssertionError:
            raise
        assert w is not None and w.isVisible()
        found[:] = [w]

    qtbot.waitUntil(check, timeout=timeout)
    return found[0]


def active_dialog(title: str | None = None) -> QWidget | None:
    dialog = QApplication.activeModalWidget()
    if dialog is None or not dialog.isVisible():
        return None
    if title is not None and title.lower() not in dialog.windowTitle().lower():
        return None
    return dialog


class Watch:
    """Answers the next modal dialog (titled ``title``) with ``handler`` as soon as it is on screen."""

    def __init__(self, qtbot: Any, handler: Callable[[Any], None], title: str | None, timeout_s: float) -> None:
        self.qtbot, self.handler, self.title, self.timeout_s = qtbot, handler, title, timeout_s
        self.done = False
        self.error: BaseException | None = None
        self.before = QApplication.activeModalWidget()
        self.end = time.monotonic() + timeout_s
        QTimer.singleShot(0, self.poll)

    def poll(self) -> None:
        dialog = active_dialog(self.title)
        if dialog is None or dialog is self.before:
            if time.monotonic() > self.end:
                self.error = AssertionError(f"no dialog {self.title or ''!r} appeared")
                self.done = True
                return
            QTimer.singleShot(20, self.poll)
            return
        try:
            bring_forward(self.qtbot, dialog)  # a new window takes the keyboard, as a window manager gives it
            self.handler(dialog)
        except BaseException as exc:  # noqa: BLE001 - handed to the test once the dialog is closed
            self.error = exc
            if dialog.isVisible() and isinstance(dialog, QDialog):
                dialog.reject()
        self.done = True

    def wait(self) -> None:
        self.qtbot.waitUntil(lambda: self.done, timeout=int(self.timeout_s * 1000) + 2000)
        if self.error is not None:
            raise self.error


def watch_for(qtbot: Any, handler: Callable[[Any], None], *, title: str | None = None,
              timeout_s: float = 10) -> Watch:
    """Arm an answer for a dialog that opens later (after the one being answered has closed):
    ``w = watch_for(...)``, then answer the first, then ``w.wait()``."""
    return Watch(qtbot, handler, title, timeout_s)


@contextmanager
def answering(qtbot: Any, handler: Callable[[Any], None], *, title: str | None = None,
              timeout_s: float = 10) -> Iterator[None]:
    """Answer the modal dialog that what is done in the ``with`` block opens: ``handler(dialog)``
    runs as soon as it is on screen (from inside its event loop) and must close it with a button.
    Fails if no such dialog appears, or if the handler fails (the dialog is then cancelled)."""
    watch = Watch(qtbot, handler, title, timeout_s)
    yield
    watch.wait()


def answer_modal(qtbot: Any, button: str, *, title: str | None = None, expect: str | None = None) -> Callable[[Any], None]:
    """A handler that clicks ``button`` in the dialog (after checking it says ``expect``)."""

    def handler(dialog: Any) -> None:
        if expect is not None:
            texts = " ".join(lbl.text() for lbl in dialog.findChildren(QLabel) if lbl.isVisible())
            assert expect.lower() in texts.lower(), f"the dialog says {texts!r}"
        click(qtbot, find_button(button, dialog))

    return handler


def save_file_as(qtbot: Any, path: Path) -> Callable[[Any], None]:
    """A handler for the file dialog: type the file's full name and press Save."""

    def handler(dialog: Any) -> None:
        name = find_field("File name", dialog, QLineEdit)
        type_into(qtbot, name, str(path))
        qtbot.keyClick(name, Qt.Key.Key_Return)  # the button reads "Open" while the path typed is a folder

    return handler


@pytest.fixture(autouse=True)
def _quiet_dialogs(shown_errors: list[dict[str, Any]]) -> Iterator[None]:
    """Replaces the parent folder's fixture of the same name: here no question answers itself (each test
    clicks the dialog's buttons); error dialogs are recorded (``shown_errors``) and none may be a bug; and
    a dialog left unanswered is closed after a while so that a broken test fails instead of hanging."""
    seen: dict[int, float] = {}
    stuck: list[str] = []

    def watch() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            seen.clear()
            return
        first = seen.setdefault(id(dialog), time.monotonic())
        if time.monotonic() - first > MODAL_PATIENCE_S and isinstance(dialog, QDialog):
            stuck.append(dialog.windowTitle())
            dialog.reject()

    timer = QTimer()
    timer.setInterval(500)
    timer.timeout.connect(watch)
    timer.start()
    yield
    timer.stop()
    assert not stuck, f"nobody answered these dialogs: {stuck}"
    bugs = [e for e in shown_errors if e.get("is_bug")]
    assert not bugs, bugs


@pytest.fixture
def demo_path(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    return path


@pytest.fixture
def window(make_window: Callable[..., Any], demo_path: Path) -> Iterator[Any]:
    """The window on a copy of the demo school (built for 20/11/2025, which the window takes as today),
    sized as on a 1366×768 laptop."""
    win = make_window()
    win.resize(1366, 728)
    assert win.open_database(str(demo_path))  # as the app opens the last database at start
    yield win
    win.close_database()


def go_to(qtbot: Any, window: Any, view: str) -> QWidget:
    """Click ``view`` in the sidebar; returns the page now shown."""
    nav = find_field("Views", window)
    items = nav.findItems(view, Qt.MatchFlag.MatchExactly)
    assert items, f"no {view!r} in the sidebar"
    rect = nav.visualItemRect(items[0])
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.view_stack.currentWidget() is not None
                    and window.view_stack.currentWidget().accessibleName() == view)
    return window.view_stack.currentWidget()


def open_person(qtbot: Any, window: Any, name: str) -> QWidget:
    """Staff, then ``name`` chosen in the list and opened with Return; returns the Staff page, showing their page."""
    page = go_to(qtbot, window, "Staff")
    people = find_table("staff", page)
    qtbot.waitUntil(lambda: people.model().rowCount() > 5)
    click_row(qtbot, people, name)
    press(qtbot, people, Qt.Key.Key_Return)
    back = find_button("Back to all staff", page)
    qtbot.waitUntil(back.isVisible)
    return page


def status_text(window: Any) -> str:
    return str(window.statusBar().currentMessage())


def messages_on(dialog: QWidget) -> str:
    return " ".join(lbl.text() for lbl in dialog.findChildren(QLabel) if lbl.isVisible())


def row_count(table: QTableView) -> int:
    return int(table.model().rowCount())


def rows_text(table: QTableView) -> list[str]:
    model = table.model()
    return [" | ".join(str(model.index(r, c).data() or "") for c in range(model.columnCount()))
            for r in range(model.rowCount())]


__all__ = ["OFFSCREEN_LIMITS", "TODAY", "active_dialog", "answer_modal", "answering", "bring_forward", "cell", "choose", "choose_menu", "click",
           "click_row", "find_action", "find_button", "find_field", "find_table", "go_to", "messages_on", "open_person", "plain",
           "press", "row_count", "row_of", "rows_text", "save_file_as", "status_text", "type_into", "type_text", "wait_visible", "watch_for"]
