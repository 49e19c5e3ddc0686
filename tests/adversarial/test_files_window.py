"""The same attacks in the window, answered as a person would: a backup of another database in the
restore list asks first, naming both; File → Check and repair… finds a damaged index and repairs it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cpd_desktop.cli import main
from cpd_desktop.storage import backups

from .test_files_damage import flip_a_byte_in_an_index, integrity, staff_csv

TODAY = dt.date(2025, 11, 20)
Step = tuple[Callable[[Any], bool], Callable[[Any], None]]


def cli(*args: str) -> None:
    assert main(list(args)) == 0


def schools(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM school")]
    conn.close()
    return names


@pytest.fixture
def window(qtbot: Any) -> Iterator[Any]:
    from cpd_desktop.ui.app import make_app
    from cpd_desktop.ui.main_window import MainWindow

    make_app()
    win = MainWindow(today=TODAY)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close_database()
    for timer in _timers:
        timer.stop()
    _timers.clear()


def menu_action(win: Any, menu: str, text: str) -> Any:
    for top in win.menuBar().actions():
        if top.text().replace("&", "") == menu:
            for action in top.menu().actions():
                if action.text().replace("&", "") == text:
                    assert action.isVisible() and action.isEnabled()
                    return action
    raise AssertionError(f"no {menu} → {text}")


def button(widget: Any, text: str) -> Any:
    from PySide6.QtWidgets import QAbstractButton

    for b in widget.findChildren(QAbstractButton):
        if b.text().replace("&", "") == text and b.isVisible():
            assert b.isEnabled()
            return b
    raise AssertionError(f"no button {text!r} in {widget.windowTitle()!r}")


def answer(qtbot: Any, steps: list[Step]) -> list[str]:
    """Answer modal dialogs in order as they appear (a modal dialog's exec() holds the test up, so a timer
    does the clicking); returns the text each answered dialog showed."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    seen: list[str] = []
    timer = QTimer()

    def tick() -> None:
        if not steps:
            timer.stop()
            return
        modal = QApplication.activeModalWidget()
        if modal is None or not modal.isVisible():
            return
        ready, act = steps[0]
        if ready(modal):
            steps.pop(0)
            seen.append(f"{modal.windowTitle()}: {modal.text() if isinstance(modal, QMessageBox) else ''} "
                        f"{modal.informativeText() if isinstance(modal, QMessageBox) else ''}")
            # Acted on from a fresh event: a click that opens the next dialog must not hold up this timer
            # (Qt never runs a timer's slot again while it is still running).
            QTimer.singleShot(0, lambda: act(modal))

    timer.timeout.connect(tick)
    timer.start(30)
    _timers.append(timer)  # kept alive while the test runs
    return seen


_timers: list[Any] = []


def titled(title: str) -> Callable[[Any], bool]:
    return lambda w: w.windowTitle() == title


def test_restoring_another_databases_backup_asks_first_naming_both(window: Any, qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    ours = tmp_path / "ashcombe" / "school.sqlite"
    theirs = tmp_path / "beacon" / "school.sqlite"  # same file name: both back up into one folder
    ours.parent.mkdir()
    theirs.parent.mkdir()
    cli("--db", str(ours), "init", "--school", "Ashcombe Park Academy")
    cli("--db", str(theirs), "init", "--school", "Beacon Hill School")
    cli("--db", str(theirs), "backup")
    their_backup = backups.list_backups(theirs)[0].path
    assert window.open_database(str(ours))

    def pick_theirs(dialog: Any) -> None:
        rows = [dialog.list.item(i) for i in range(dialog.list.count())]
        row = next(r for r in rows if their_backup.name in r.text())
        dialog.list.setCurrentItem(row)
        qtbot.mouseClick(button(dialog, "Restore"), Qt.MouseButton.LeftButton)

    def click(text: str) -> Callable[[Any], None]:
        return lambda w: qtbot.mouseClick(button(w, text), Qt.MouseButton.LeftButton)

    def shot(name: str, text: str) -> Callable[[Any], None]:
        def act(w: Any) -> None:
            w.grab().save(str(tmp_path / name))
            click(text)(w)
        return act

    # First time: the question names both; Cancel, then Cancel the list: nothing changes.
    seen = answer(qtbot, [(titled("Restore from backup"), pick_theirs),
                          (titled("A backup of another database"), shot("other-database.png", "Cancel")),
                          (titled("Restore from backup"), click("Cancel"))])
    menu_action(window, "File", "Restore from backup…").trigger()
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=10000)
    assert "Beacon Hill School" in seen[1] and "Ashcombe Park Academy" in seen[1] and "another database" in seen[1]
    assert schools(ours) == ["Ashcombe Park Academy"]

    # Second time the person means it: replaced, and the school they had is kept as a backup.
    seen = answer(qtbot, [(titled("Restore from backup"), pick_theirs),
                          (titled("A backup of another database"), click("Replace with this backup"))])
    menu_action(window, "File", "Restore from backup…").trigger()
    qtbot.waitUntil(lambda: schools(ours) == ["Beacon Hill School"], timeout=15000)
    assert any(b.reason == "before-restore" for b in backups.list_backups(ours))
    window.grab().save(str(tmp_path / "after-restore.png"))


def test_check_and_repair_in_the_window(window: Any, qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    path = tmp_path / "school.sqlite"
    cli("--db", str(path), "init", "--school", "Ashcombe Park Academy")
    cli("--db", str(path), "import", "staff", str(staff_csv(tmp_path, 1, 20)))
    flip_a_byte_in_an_index(path)
    found = integrity(path)
    assert found != ["ok"]

    def click(text: str) -> Callable[[Any], None]:
        return lambda w: qtbot.mouseClick(button(w, text), Qt.MouseButton.LeftButton)

    def shot(name: str, text: str) -> Callable[[Any], None]:
        def act(w: Any) -> None:
            w.grab().save(str(tmp_path / name))
            click(text)(w)
        return act

    # Opening backs the file up in the background; that backup's check finds the damage and says so.
    seen = answer(qtbot, [(lambda w: "damaged" in getattr(w, "text", lambda: "")(), click("OK"))])
    assert window.open_database(str(path))
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=15000)
    assert "repaired" in seen[0]

    seen = answer(qtbot, [(titled("The file is damaged"), shot("check-damaged.png", "Repair")),
                          (titled("Repaired"), shot("repaired.png", "Close"))])
    menu_action(window, "File", "Check and repair…").trigger()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=20000)
    assert "missing from index" in seen[0] and "refused until it is repaired" in seen[0]
    assert "before-repair" in seen[1]
    assert integrity(path) == ["ok"]
    kept = [b for b in backups.list_backups(path) if b.reason == "before-repair"]
    assert len(kept) == 1 and integrity(kept[0].path) == found


def test_a_backup_made_by_hand_can_be_deleted_from_the_window(window: Any, qtbot: Any, tmp_path: Path) -> None:
    """Backups made by hand are never thinned (after anonymising a leaver they still hold them): the restore
    list is where a person deletes one."""
    from PySide6.QtCore import Qt

    path = tmp_path / "school.sqlite"
    cli("--db", str(path), "init", "--school", "Ashcombe Park Academy")
    cli("--db", str(path), "backup")
    made = backups.list_backups(path)[0].path
    assert window.open_database(str(path))

    def click(text: str) -> Callable[[Any], None]:
        return lambda w: qtbot.mouseClick(button(w, text), Qt.MouseButton.LeftButton)

    def delete_the_hand_made_one(dialog: Any) -> None:
        rows = [dialog.list.item(i) for i in range(dialog.list.count())]
        dialog.list.setCurrentItem(next(r for r in rows if made.name in r.text()))
        dialog.grab().save(str(tmp_path / "restore-list.png"))
        click("Delete backup…")(dialog)

    seen = answer(qtbot, [(titled("Restore from backup"), delete_the_hand_made_one),
                          (titled("Delete backup"), click("Delete")),
                          (lambda w: w.windowTitle() == "Restore from backup" and made.name not in
                           " ".join(w.list.item(i).text() for i in range(w.list.count())), click("Cancel"))])
    menu_action(window, "File", "Restore from backup…").trigger()
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=10000)
    assert made.name in seen[1] and "cannot be brought back" in seen[1]
    assert not made.exists() and not backups.manifest_path(made).exists()
