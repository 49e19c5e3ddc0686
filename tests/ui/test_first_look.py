"""The first look: a start shows the dashboard's figures kept from the last start of the same day at
once, while the database layer loads, and only when nothing has been saved since."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from cpd_desktop import firstlook

from .conftest import TODAY


def _cards(view: Any) -> list[str]:
    return [card.value.text() for card in (view.card_hours, view.card_subject, view.card_parts,
                                           view.card_overdue, view.card_money, view.card_deadlines)]


@pytest.fixture
def looked(make_window: Any, demo_file: Path, tmp_path: Path, qtbot: Any) -> tuple[Path, list[str]]:
    """A copy of the demo school opened once, its dashboard added up (which keeps the first look)."""
    path = tmp_path / "school.sqlite"
    shutil.copy(demo_file, path)
    window = make_window()
    with qtbot.waitSignal(window.database_opened, timeout=30_000):
        window.open_database_in_background(str(path))
    view = window.pages["dashboard"]
    qtbot.waitUntil(lambda: view.data is not None, timeout=30_000)
    cards = _cards(view)
    assert "…" not in cards
    window.close_database()
    window.close()
    assert firstlook.look_file(path).exists()
    return path, cards


def test_a_start_shows_the_figures_at_once_then_the_database(looked: tuple[Path, list[str]], make_window: Any,
                                                              qtbot: Any) -> None:
    path, cards = looked
    window = make_window()
    assert window.show_first_look(str(path))
    view = window.view_stack.currentWidget()
    assert window.ctx is None  # nothing of the database layer yet
    assert _cards(view) == cards
    assert window.windowTitle() == "CPD Desktop — Ashcombe Park Academy (demo data)"
    assert window.year_combo.currentText() == "2025/26" and not window.year_combo.isEnabled()
    assert "last visit today" in window.statusBar().currentMessage()
    # A click on the sidebar before the database is open is followed once it is.
    window.nav.setCurrentRow(window.nav.row(window.nav.findItems("Staff", Qt.MatchFlag.MatchExactly)[0]))
    assert window.ctx is None
    with qtbot.waitSignal(window.database_opened, timeout=30_000):
        window.open_database_in_background(str(path))
    assert window.current_view() is window.pages["staff"]
    assert window.year_combo.isEnabled() and window.year_combo.count() > 1
    assert window._first_look is None
    dashboard = window.show_view("dashboard")
    assert _cards(dashboard) == cards  # the real dashboard starts from the same figures: no flicker
    qtbot.waitUntil(lambda: dashboard._job is None or dashboard.data is not None, timeout=30_000)
    window.close_database()


def test_a_card_clicked_on_the_first_look_opens_its_records(looked: tuple[Path, list[str]], make_window: Any,
                                                             qtbot: Any) -> None:
    path, _cards_shown = looked
    window = make_window()
    assert window.show_first_look(str(path))
    window.view_stack.currentWidget().card_money.clicked.emit()
    with qtbot.waitSignal(window.database_opened, timeout=30_000):
        window.open_database_in_background(str(path))
    assert window.current_view() is window.pages["bursaries"]
    window.close_database()


def test_no_first_look_after_a_change_another_day_or_for_another_view(looked: tuple[Path, list[str]],
                                                                       make_window: Any) -> None:
    path, _cards_shown = looked
    window = make_window()
    later = type(window)(today=TODAY + dt.timedelta(days=1))
    assert not later.show_first_look(str(path))  # overdue work and deadlines move with the date
    later.deleteLater()
    from cpd_desktop.ui import settings

    settings.set_last_view("log")
    assert not window.show_first_look(str(path))  # the start shows another view: it loads as always
    settings.set_last_view("dashboard")
    assert not window.show_first_look(str(path), "Another School")  # another --school
    from cpd_desktop.models import Staff
    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.schools import list_schools

    db = open_database(path)
    with db.session() as s:
        person = s.query(Staff).filter_by(school_id=list_schools(s)[0].id).first()
        person.role = "Head of physics"  # anybody's save writes an audit entry
    db.dispose()
    assert not window.show_first_look(str(path))
    assert not firstlook.look_file(path).exists()  # out of date for good: its names are not kept
    assert window.stack.currentWidget() is window.welcome


def test_a_database_that_will_not_open_after_its_first_look_goes_back_to_the_welcome_page(
        looked: tuple[Path, list[str]], make_window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
        shown_errors: list[dict[str, Any]]) -> None:
    path, _cards_shown = looked
    window = make_window()
    assert window.show_first_look(str(path))
    from cpd_desktop.errors import DatabaseError

    def refuse(*_a: Any, **_k: Any) -> Any:
        raise DatabaseError("The file could not be opened.")

    from cpd_desktop.ui import database

    monkeypatch.setattr(database, "open_file", refuse)
    window.open_database_in_background(str(path))
    qtbot.waitUntil(lambda: window._first_look is None, timeout=30_000)
    assert window.stack.currentWidget() is window.welcome
    assert window.windowTitle() == "CPD Desktop"
    assert shown_errors and not shown_errors[-1].get("is_bug")


def test_the_first_look_is_read_without_the_database_layer(looked: tuple[Path, list[str]], tmp_path: Path) -> None:
    """What a start does before the window shows loads neither SQLAlchemy nor the models."""
    path, cards = looked
    data = Path(firstlook.look_file(path)).parent.parent
    script = (
        "import sys\n"
        "from cpd_desktop.ui.app import make_app\n"
        "from cpd_desktop.ui.main_window import MainWindow\n"
        "import datetime as dt\n"
        "make_app()\n"
        f"w = MainWindow(today=dt.date({TODAY.year}, {TODAY.month}, {TODAY.day}))\n"
        f"assert w.show_first_look({str(path)!r})\n"
        "w.show()\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'cpd_desktop.models', 'alembic')))\n"
        "print(loaded)\n"
        "print(w.view_stack.currentWidget().card_hours.value.text())\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "CPD_DESKTOP_DATA": str(data),
                              "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "[]"
    assert lines[1] == cards[0]


def test_first_look_records_are_checked_before_use(tmp_path: Path, db: Any, school: Any) -> None:
    path = Path(db.path)
    marker = firstlook.read_marker(path)
    assert marker is not None
    firstlook.save(path, {"anything": 1}, marker=marker, day=TODAY.isoformat(), school=None)
    assert firstlook.load(path, day=TODAY.isoformat(), school=None) == {"anything": 1}
    assert firstlook.load(path, day=TODAY.isoformat(), school="Test Academy") is None
    record = json.loads(firstlook.look_file(path).read_text(encoding="utf-8"))
    for damage in ({"version": 99}, {"database": "/elsewhere.sqlite"}, {"revision": "0001_schema"}):
        firstlook.look_file(path).write_text(json.dumps({**record, **damage}), encoding="utf-8")
        assert firstlook.load(path, day=TODAY.isoformat(), school=None) is None
    firstlook.look_file(path).write_text("{not json", encoding="utf-8")
    assert firstlook.load(path, day=TODAY.isoformat(), school=None) is None
    not_a_database = tmp_path / "notes.sqlite"
    not_a_database.write_text("hello", encoding="utf-8")
    assert firstlook.read_marker(not_a_database) is None
    assert firstlook.read_marker(tmp_path / "missing.sqlite") is None
    # Every save moves the counter, whoever makes it (here a plain sqlite3 write, with no audit entry).
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("UPDATE school SET name = name || ' (renamed)'")
    con.commit()
    con.close()
    assert firstlook.read_marker(path) == marker + 1
    journal = path.with_name(path.name + "-journal")
    journal.write_bytes(b"a save that did not finish")
    assert firstlook.read_marker(path) is None  # a hot journal: the header cannot be trusted
    journal.unlink()



def test_a_start_with_a_first_look_builds_no_welcome_page_unless_it_is_needed(
        looked: tuple[Path, list[str]], qtbot: Any) -> None:
    from cpd_desktop.ui.main_window import MainWindow

    path, cards = looked
    window = MainWindow(today=TODAY, start=(str(path), None))
    qtbot.addWidget(window)
    assert window._welcome is None and window.stack.currentWidget() is window.workspace
    assert _cards(window.view_stack.currentWidget()) == cards
    other = MainWindow(today=TODAY, start=(str(path.with_name("elsewhere.sqlite")), None))
    qtbot.addWidget(other)
    assert other.stack.currentWidget() is other.welcome  # no first look: the welcome page as always


def test_a_first_look_of_the_wrong_shape_is_not_shown(looked: tuple[Path, list[str]], make_window: Any) -> None:
    from cpd_desktop.ui.views.dashboard import valid_face

    path, _cards_shown = looked
    record = json.loads(firstlook.look_file(path).read_text(encoding="utf-8"))
    face = record["look"]["dashboard"]
    assert valid_face(face) is face
    for damage in ({"cards": {}}, {"people": [["x", "A", 1, 1, 1]]}, {"claims": [[1, "text"]]},
                   {"subtitle": None}, {"upcoming": [[1, 2]]}):
        broken = {**record, "look": {**record["look"], "dashboard": {**face, **damage}}}
        firstlook.look_file(path).write_text(json.dumps(broken), encoding="utf-8")
        window = make_window()
        assert not window.show_first_look(str(path))
        assert window.stack.currentWidget() is window.welcome
