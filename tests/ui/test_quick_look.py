"""The first start of a day, with no first look kept: the dashboard's figures are read through the compiled-query
cache and shown before the database layer has loaded, then the live dashboard takes over with the same figures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from cpd_desktop import firstlook
from cpd_desktop.services.compiled import refresh_dashboard_cache
from cpd_desktop.services.dashboard_figures import CACHE_NAME, CACHED
from cpd_desktop.storage import fastread

from .conftest import TODAY

STILL_OPENING = "Opening the database: these are today's figures"


def _cards(view: Any) -> list[str]:
    return [card.value.text() for card in (view.card_hours, view.card_subject, view.card_parts,
                                           view.card_overdue, view.card_money, view.card_deadlines)]


@pytest.fixture
def school_file(demo_file: Path, tmp_path: Path) -> Path:
    """A copy of the demo school, no first look kept for it (the first start of the day)."""
    path = tmp_path / "school.sqlite"
    shutil.copy(demo_file, path)
    assert not firstlook.look_file(path).exists()
    return path


@pytest.fixture
def held_open(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The database layer waits (as on a slow computer) until the event is set, so what the window shows
    before it can be looked at."""
    from cpd_desktop.ui import database

    gate = threading.Event()
    real = database.open_file

    def slow(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(database, "open_file", slow)
    yield gate
    gate.set()


def _start(qtbot: Any, path: Path) -> Any:
    """The window as ``cpd-desktop`` starts it: built on the database it opens, shown, then the opening."""
    from cpd_desktop.ui.app import make_app
    from cpd_desktop.ui.main_window import MainWindow

    make_app()
    window = MainWindow(today=TODAY, start=(str(path), None))
    qtbot.addWidget(window)
    window.show()
    assert window.stack.currentWidget() is window.welcome  # no first look kept
    return window


def test_a_first_start_shows_the_figures_before_the_database_layer_then_the_live_dashboard(
        school_file: Path, held_open: threading.Event, qtbot: Any) -> None:
    assert refresh_dashboard_cache()  # kept by an earlier start of this version
    window = _start(qtbot, school_file)
    with qtbot.waitSignal(window.first_look_shown, timeout=30_000):
        window.open_database_in_background(str(school_file))
    assert window.ctx is None  # the database is still opening
    view = window.view_stack.currentWidget()
    cards = _cards(view)
    assert "…" not in cards and cards[0].endswith(" h") and cards[4].startswith("£")
    assert window.windowTitle() == "CPD Desktop — Ashcombe Park Academy (demo data)"
    assert window.stack.currentWidget() is window.workspace
    assert window.year_combo.currentText() == "2025/26" and not window.year_combo.isEnabled()
    assert window.statusBar().currentMessage().startswith(STILL_OPENING)
    assert view.upcoming.count() > 0 and view.claims.count() > 0
    # A click on the sidebar meanwhile is followed once the database is open.
    window.nav.setCurrentRow(window.nav.row(window.nav.findItems("Staff", Qt.MatchFlag.MatchExactly)[0]))
    assert window.ctx is None
    with qtbot.waitSignal(window.database_opened, timeout=30_000):
        held_open.set()
    assert window.current_view() is window.pages["staff"]
    assert window.year_combo.isEnabled() and window._first_look is None
    dashboard = window.show_view("dashboard")
    assert _cards(dashboard) == cards  # the live dashboard starts from the same figures: no flicker
    qtbot.waitUntil(lambda: dashboard.data is not None, timeout=30_000)
    assert _cards(dashboard) == cards  # and adds up the same ones
    window.close_database()


def test_without_the_cache_the_start_is_the_usual_one_and_the_window_keeps_the_cache(
        school_file: Path, qtbot: Any) -> None:
    assert fastread.load(CACHE_NAME, set(CACHED)) is None
    window = _start(qtbot, school_file)
    with qtbot.assertNotEmitted(window.first_look_shown), qtbot.waitSignal(window.database_opened, timeout=30_000):
        window.open_database_in_background(str(school_file))
    qtbot.waitUntil(lambda: fastread.load(CACHE_NAME, set(CACHED)) is not None, timeout=30_000)
    window.close_database()


def test_a_look_read_after_the_database_opened_is_not_shown(school_file: Path, qtbot: Any) -> None:
    assert refresh_dashboard_cache()
    window = _start(qtbot, school_file)
    with qtbot.waitSignal(window.database_opened, timeout=30_000):
        window.open_database_in_background(str(school_file))
    live = window.current_view()
    from cpd_desktop.quicklook import read_look

    look = read_look(school_file, None, TODAY)
    assert look is not None
    look["school_name"] = "Not this school"
    with qtbot.assertNotEmitted(window.first_look_shown):
        window.database._worker_look.emit(look)  # as the opening job would, too late
        qtbot.wait(50)
    assert window.current_view() is live and window._first_look is None
    assert "Not this school" not in window.windowTitle()
    window.close_database()


def test_the_first_figures_come_before_the_database_layer_loads(school_file: Path, tmp_path: Path) -> None:
    """In a fresh process, as a person starts the app: when the figures show, neither SQLAlchemy nor the
    models have been loaded (the database layer is held back until then to be sure of it)."""
    assert refresh_dashboard_cache()
    script = (
        "import sys, threading, datetime as dt\n"
        "from cpd_desktop.ui.app import make_app\n"
        "from cpd_desktop.ui.main_window import MainWindow\n"
        "from cpd_desktop.ui import database\n"
        "app = make_app()\n"
        "gate, real, seen = threading.Event(), database.open_file, {}\n"
        "def slow(*a, **k):\n"
        "    gate.wait(30)\n"
        "    return real(*a, **k)\n"
        "database.open_file = slow\n"
        f"w = MainWindow(today=dt.date({TODAY.year}, {TODAY.month}, {TODAY.day}), start=({str(school_file)!r}, None))\n"
        "w.show()\n"
        "def shown():\n"
        "    seen['loaded'] = sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'cpd_desktop.models',"
        " 'alembic')))\n"
        "    seen['cards'] = w.view_stack.currentWidget().card_hours.value.text()\n"
        "    gate.set()\n"
        "def opened():\n"
        "    seen['live'] = w.pages['dashboard'].card_hours.value.text()\n"
        "    app.quit()\n"
        "w.first_look_shown.connect(shown)\n"
        "w.database_opened.connect(opened)\n"
        f"w.open_database_in_background({str(school_file)!r})\n"
        "app.exec()\n"
        "w.close_database()\n"
        "print(seen['loaded'])\n"
        "print(seen['cards'])\n"
        "print(seen['live'])\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    loaded, cards, live = out.stdout.splitlines()
    assert loaded == "[]"
    assert cards == live and cards.endswith(" h")
