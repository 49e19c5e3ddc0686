"""UI fixtures: a window on a fresh school or on the demo school, and dialogs that answer themselves."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TODAY = dt.date(2025, 11, 20)


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo school, built once per test run (each test works on its own copy)."""
    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    db = open_database(path, create=True)
    with db.session() as s:
        build_demo(s, today=TODAY)
    db.dispose()
    return path


@pytest.fixture
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every error dialog the app tried to show (none is shown for real)."""
    from cpd_desktop.ui.errors import ErrorDialog

    shown: list[dict[str, Any]] = []
    monkeypatch.setattr(ErrorDialog, "ask", classmethod(lambda cls, parent, **kw: shown.append(kw)))
    return shown


@pytest.fixture(autouse=True)
def _quiet_dialogs(monkeypatch: pytest.MonkeyPatch, shown_errors: list[dict[str, Any]]) -> Iterator[None]:
    """Questions answer yes, notices close; at the end, no bug may have reached an error dialog."""
    from cpd_desktop.ui import conflict, exporting, prompts

    # A conflict or a lost connection that a test does not expect reloads / cancels (never hangs).
    monkeypatch.setattr(conflict.ConflictDialog, "ask", classmethod(lambda cls, *a, **k: "reload"))
    monkeypatch.setattr(conflict.ConnectionLost, "ask", classmethod(lambda cls, *a, **k: False))
    monkeypatch.setattr(prompts.Confirm, "ask", classmethod(lambda cls, *a, **k: True))
    monkeypatch.setattr(prompts.Inform, "ask", classmethod(lambda cls, *a, **k: None))
    monkeypatch.setattr(exporting.ExportDone, "ask", classmethod(lambda cls, *a, **k: "close"))
    yield
    bugs = [e for e in shown_errors if e.get("is_bug")]
    assert not bugs, bugs


@pytest.fixture
def make_window(qtbot: Any) -> Callable[..., Any]:
    from cpd_desktop.ui.app import make_app
    from cpd_desktop.ui.main_window import MainWindow

    make_app()

    def make() -> Any:
        window = MainWindow(today=TODAY)
        qtbot.addWidget(window)
        window.show()
        return window

    return make


@pytest.fixture
def demo_window(make_window: Callable[..., Any], demo_file: Path, tmp_path: Path) -> Iterator[Any]:
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    window = make_window()
    assert window.open_database(str(path))
    yield window
    window.close_database()


@pytest.fixture
def school_window(make_window: Callable[..., Any], db: Any, school: Any) -> Iterator[Any]:
    """A window on 'Test Academy' (one Science department, nobody in it yet)."""
    window = make_window()
    window.set_database(db, school.id, str(db.path))
    yield window
    window.database.ctx = None  # the db fixture disposes the engine


def answer(monkeypatch: pytest.MonkeyPatch, dialog_class: type, values: dict[str, Any],
           check: Callable[[Any], None] | None = None) -> list[Any]:
    """Make ``dialog_class`` fill itself with ``values`` and press OK when shown (a user typing)."""
    seen: list[Any] = []

    def fake_exec(self: Any) -> int:
        set_fields(self, values)
        seen.append(self)
        if check is not None:
            check(self)
        assert self.revalidate(), self.errors()
        self.accept()
        return 1

    monkeypatch.setattr(dialog_class, "exec", fake_exec)
    return seen


def set_fields(dialog: Any, values: dict[str, Any]) -> None:
    from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit

    for key, value in values.items():
        widget = dialog.fields[key].widget
        if isinstance(widget, QLineEdit):
            widget.setText(str(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            index = widget.findData(value)
            if index < 0:
                index = widget.findText(str(value))
            if index >= 0:
                widget.setCurrentIndex(index)
            elif widget.isEditable():
                widget.setEditText(str(value))
            else:
                raise AssertionError(f"{key}: no choice {value!r}")
    dialog.revalidate()


OTHER = "Brackenfield School"
MARK = "Quarrington"  # in every name and title of the other school's records


def add_other_school(session: Any, today: dt.date = TODAY) -> Any:
    """A second school in the same database whose every record says 'Quarrington', dated so that
    each view of the first school would show it if a query forgot the school: CPD this year with an
    overdue evaluation, a booking in the next fortnight needing cover, a claim near its deadline."""
    from cpd_desktop.models import Staff as StaffModel
    from cpd_desktop.services import activities, bookings, bursaries, catalogue, schools, staff

    school = schools.create_school(session, OTHER, urn="140001", departments=["Science", f"{MARK} Studies"])
    people = [staff.add_staff(session, school, forename=f"{MARK}{n}", surname=f"{MARK}son", staff_code=f"Q{n}",
                              department="Science" if n < 2 else f"{MARK} Studies", fte="1") for n in range(3)]
    scheme = bursaries.add_scheme(session, school, name=f"{MARK} Bursary", rule="per_day", amount="£150.00",
                                  claim_deadline_days=10)
    catalogue.add_course(session, school, title=f"{MARK} residential course", provider=f"{MARK} Learning",
                         hours="12", fee="£300.00")
    for n, person in enumerate(people):
        activities.add_activity(session, school, person, title=f"{MARK} workshop {n}", date=today - dt.timedelta(
            days=40 + n), hours="6", provider=f"{MARK} Learning", subject_specific=True)
    booking = bookings.create_booking(session, school, people[0], title=f"{MARK} booking",
                                      start_date=today + dt.timedelta(days=5), hours="6", cover_required=True,
                                      provider=f"{MARK} Learning",
                                      intended_outcomes="Pupils carry out the practical with less help")
    bookings.add_cover_lesson(session, booking, date=booking.start_date, period=1, class_group="Q7",
                              subject=f"{MARK} science", work_set=f"{MARK} worksheet")
    old = bookings.create_booking(session, school, people[1], title=f"{MARK} old course",
                                  start_date=today - dt.timedelta(days=20), hours="6", cover_required=False,
                                  intended_outcomes="Pupils carry out the practical with less help")
    bursaries.create_claim(session, old, scheme)
    session.flush()
    assert session.get(StaffModel, people[0].id) is not None
    return school


@pytest.fixture(scope="session")
def two_school_file(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo school and Brackenfield School in one SQLite file."""
    from cpd_desktop.services.database import open_database

    path = tmp_path_factory.mktemp("two") / "trust.sqlite"
    shutil.copy(demo_file, path)
    db = open_database(path)
    with db.session() as s:
        s.info["user"] = "setup"
        add_other_school(s)
    db.dispose()
    return path


@pytest.fixture
def trust_file(two_school_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "trust.sqlite"
    shutil.copy(two_school_file, path)
    return path
