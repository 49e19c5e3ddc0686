"""A busy database never freezes the window.

Another program holds the school file's lock while a person saves a new member of staff. Holding it
exclusively (``BEGIN EXCLUSIVE``: it is writing, so nobody may even read), it makes the save wait
(SQLite's 5 s busy timeout); the save waits off the window's thread, so the window goes on painting and
its timers go on firing, and after a moment the status bar says "Saving…" beside a moving bar. Once the
other program lets go, the save lands; if it holds on past the busy timeout, the dialog says plainly
that the database is in use, keeps what was typed, and saves when Save is pressed again. A program that
only holds the right to write (``BEGIN IMMEDIATE``) gets the same plain refusal at once, as SQLite gives
it (a save that has read cannot wait for another writer without risking a deadlock). Undo and redo
wait the same way, saying "Undoing…" and "Redoing…".
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

from .workflows.conftest import (
    answering,
    click,
    find_button,
    find_field,
    find_table,
    go_to,
    press,
    rows_text,
    type_into,
)

TICK_MS = 50


@contextmanager
def other_program_writing(path: Path, seconds: float, lock: str = "EXCLUSIVE") -> Iterator[threading.Timer]:
    """Another connection takes the file's lock now and lets go after ``seconds`` (on its own thread)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"BEGIN {lock}")
    release = threading.Timer(seconds, conn.rollback)
    release.start()
    try:
        yield release
    finally:
        release.cancel()
        release.join()
        conn.rollback()
        conn.close()


class Ticker:
    """A timer on the window's thread: every tick notes when it fired and whether "Saving…" was on screen."""

    def __init__(self, window: Any, busy_text: str = "Saving…") -> None:
        self.window = window
        self.busy_text = busy_text
        self.ticks: list[float] = []
        self.busy_seen = False
        self.busy_cursor_seen = False
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks.append(time.monotonic())
        bar = self.window.statusBar()
        if any(label.text() == self.busy_text and label.isVisible() for label in bar.findChildren(QLabel)):
            self.busy_seen = True
        cursor = QApplication.overrideCursor()
        if cursor is not None:
            self.busy_cursor_seen = True

    def longest_gap(self, start: float, end: float) -> float:
        inside = [t for t in self.ticks if start <= t <= end]
        points = [start, *inside, end]
        return max(b - a for a, b in zip(points, points[1:], strict=False))


def _fill_and_save(qtbot: Any, during: Callable[[Any], None]) -> Callable[[Any], None]:
    def handler(dialog: Any) -> None:
        type_into(qtbot, find_field("Forename", dialog), "Tomasz")
        type_into(qtbot, find_field("Surname", dialog), "Wiśniewski")
        type_into(qtbot, find_field("Staff code", dialog), "TWI")
        during(dialog)

    return handler


def test_a_save_waits_for_a_busy_database_without_freezing_the_window(demo_window: Any, qtbot: Any) -> None:
    window = demo_window
    go_to(qtbot, window, "Staff")
    table = find_table("staff")
    ticker = Ticker(window)
    waited: list[float] = []

    def save_while_locked(dialog: Any) -> None:
        with other_program_writing(window.ctx.db.path, 3.0):
            ticker.timer.start()
            start = time.monotonic()
            click(qtbot, find_button("Save", dialog))  # returns once the save is done
            waited.extend([start, time.monotonic()])
            ticker.timer.stop()
            assert not dialog.isVisible(), dialog.refusal()  # saved: the dialog closed

    with answering(qtbot, _fill_and_save(qtbot, save_while_locked), title="Add a member of staff"):
        click(qtbot, find_button("Add staff", window))

    start, end = waited
    assert end - start >= 2.5  # the save did wait for the other program
    # The window kept processing its events all the while: the timer fired throughout, never stalled.
    assert ticker.longest_gap(start, end) < 1.0, ticker.longest_gap(start, end)
    assert len([t for t in ticker.ticks if start <= t <= end]) >= (end - start) * 1000 / TICK_MS / 3
    assert ticker.busy_seen and ticker.busy_cursor_seen  # and said it was saving
    # Once the other program let go, the save landed: the person is in the list, nothing is left busy.
    qtbot.waitUntil(lambda: any("Wiśniewski, Tomasz" in r for r in rows_text(table)))
    assert QApplication.overrideCursor() is None
    assert not [label for label in window.statusBar().findChildren(QLabel)
                if label.text() == "Saving…" and label.isVisible()]
    assert window.ctx.undo_stack.undoText() == "Add member of staff"


def test_a_database_busy_past_the_wait_is_said_plainly_and_the_dialog_keeps_what_was_typed(
        demo_window: Any, qtbot: Any) -> None:
    window = demo_window
    go_to(qtbot, window, "Staff")
    table = find_table("staff")
    ticker = Ticker(window)
    said: list[str] = []

    def save_twice(dialog: Any) -> None:
        with other_program_writing(window.ctx.db.path, 7.0):
            ticker.timer.start()
            click(qtbot, find_button("Save", dialog))  # waits the busy timeout out, then is refused
            ticker.timer.stop()
            said.append(" ".join(lbl.text() for lbl in dialog.findChildren(QLabel) if lbl.isVisible()))
            assert dialog.isVisible()
            assert find_field("Surname", dialog).text() == "Wiśniewski"
        click(qtbot, find_button("Save", dialog))  # the other program has let go: this time it saves

    with answering(qtbot, _fill_and_save(qtbot, save_twice), title="Add a member of staff", timeout_s=30):
        click(qtbot, find_button("Add staff", window))

    assert "in use by another program" in said[0] and "nothing was saved" in said[0], said
    assert ticker.busy_seen and len(ticker.ticks) >= 30  # the window was not frozen during the wait
    qtbot.waitUntil(lambda: any("Wiśniewski, Tomasz" in r for r in rows_text(table)))


def test_a_program_holding_the_right_to_write_gets_a_plain_refusal_at_once(demo_window: Any, qtbot: Any) -> None:
    window = demo_window
    go_to(qtbot, window, "Staff")
    table = find_table("staff")
    said: list[str] = []

    def save_twice(dialog: Any) -> None:
        with other_program_writing(window.ctx.db.path, 30.0, "IMMEDIATE"):
            start = time.monotonic()
            click(qtbot, find_button("Save", dialog))
            assert time.monotonic() - start < 4  # not the whole busy timeout
            said.append(dialog.refusal())
            assert dialog.isVisible() and find_field("Staff code", dialog).text() == "TWI"
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, _fill_and_save(qtbot, save_twice), title="Add a member of staff", timeout_s=30):
        click(qtbot, find_button("Add staff", window))

    assert said[0].startswith("The database is in use by another program; nothing was saved."), said
    qtbot.waitUntil(lambda: any("Wiśniewski, Tomasz" in r for r in rows_text(table)))


def test_undo_and_redo_wait_for_a_busy_database_without_freezing_the_window(demo_window: Any, qtbot: Any) -> None:
    window = demo_window
    go_to(qtbot, window, "Staff")
    table = find_table("staff")
    with answering(qtbot, _fill_and_save(qtbot, lambda dialog: click(qtbot, find_button("Save", dialog))),
                   title="Add a member of staff"):
        click(qtbot, find_button("Add staff", window))
    qtbot.waitUntil(lambda: any("Wiśniewski, Tomasz" in r for r in rows_text(table)))

    for key, busy, there in ((Qt.Key.Key_Z, "Undoing…", False), (Qt.Key.Key_Y, "Redoing…", True)):
        ticker = Ticker(window, busy)
        with other_program_writing(window.ctx.db.path, 2.0):
            ticker.timer.start()
            start = time.monotonic()
            press(qtbot, table, key, Qt.KeyboardModifier.ControlModifier)  # returns once it is done
            end = time.monotonic()
            ticker.timer.stop()
        assert end - start >= 1.5 and ticker.longest_gap(start, end) < 1.0 and ticker.busy_seen, busy
        qtbot.waitUntil(lambda t=there: any("Wiśniewski, Tomasz" in r for r in rows_text(table)) == t)


def test_closing_the_window_during_a_save_waits_for_the_save(demo_window: Any, qtbot: Any) -> None:
    """Closing the window closes the database: asked while a save waits, it happens once the save is done."""
    window = demo_window
    path = window.ctx.db.path
    go_to(qtbot, window, "Staff")
    open_during: list[bool] = []

    def save_and_close(dialog: Any) -> None:
        with other_program_writing(path, 2.0):
            QTimer.singleShot(500, window.close)  # as the title bar's × would, half-way through the wait
            QTimer.singleShot(1000, lambda: open_during.append(window.isVisible()))
            click(qtbot, find_button("Save", dialog))

    with answering(qtbot, _fill_and_save(qtbot, save_and_close), title="Add a member of staff"):
        click(qtbot, find_button("Add staff", window))

    assert open_during == [True]
    qtbot.waitUntil(lambda: not window.isVisible())
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM staff WHERE staff_code = 'TWI'").fetchone() == (1,)
