"""``python -m cpd_desktop.ui.screenshots docs/screenshots``: a PNG of every view on the demo school.

Run offscreen (``make screenshots``). Builds a fresh demo database in a temporary folder, so the
pictures never show anybody's real data, and keeps the user's settings out of it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .main_window import MainWindow

SIZE = (1360, 860)

_V = TypeVar("_V")


def _view(window: MainWindow, name: str, kind: type[_V]) -> _V:
    """The view ``name``, shown, as the class the pictures need."""
    view = window.show_view(name)
    assert isinstance(view, kind), f"{name} is {type(view).__name__}"
    return view


def _settle(app: Any, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def take(folder: Path, today: dt.date | None = None) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cpd-screenshots-"))
    os.environ["CPD_DESKTOP_DATA"] = str(work / "data")
    from ..services.database import open_database
    from ..services.demo import build_demo

    today = today or dt.date.today()
    path = work / "demo.sqlite"
    db = open_database(path, create=True)
    with db.session() as s:
        build_demo(s, today=today)
    db.dispose()

    from PySide6.QtWidgets import QMainWindow

    from .app import make_app
    from .main_window import MainWindow
    from .views.dashboard import DashboardView
    from .views.planner import PlannerView
    from .views.reports import ReportsView
    from .views.staff import StaffView
    from .views.trust import TrustView

    app = make_app()
    shots: list[Path] = []

    def grab(widget: Any, name: str) -> None:
        _settle(app)
        if isinstance(widget, QMainWindow):
            widget.statusBar().clearMessage()  # not the temporary folder's path
        out = folder / f"{name}.png"
        widget.grab().save(str(out))
        shots.append(out)

    window = MainWindow(today=today)
    window.resize(*SIZE)
    window.show()
    grab(window, "welcome")
    window.open_database(str(path))
    dashboard = _view(window, "dashboard", DashboardView)
    end = time.monotonic() + 20
    while dashboard.data is None and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    grab(window, "dashboard")
    for name in ("staff", "log", "planner", "cover", "bursaries", "reports", "settings", "audit"):
        view = window.show_view(name)
        if isinstance(view, ReportsView):
            end = time.monotonic() + 10
            while view.previewed is None and time.monotonic() < end:
                app.processEvents()
                time.sleep(0.02)
        grab(window, name)
    staff = _view(window, "staff", StaffView)
    staff.open_person(staff.model.row_id(0))
    grab(window, "person")
    staff.show_list()
    planner = _view(window, "planner", PlannerView)
    planner.tabs.setCurrentIndex(1)
    grab(window, "planner-calendar")
    planner.tabs.setCurrentIndex(0)

    from .dialogs.booking import BookingDialog
    from .dialogs.lookups import course_choices, staff_choices

    dialog = BookingDialog(window.ctx, parent=window)
    person, course = dialog.combo_box("staff_id"), dialog.combo_box("course_id")
    person.setCurrentIndex(max(0, person.findData(staff_choices(window.ctx)[3][0])))
    residential = [cid for cid, text in course_choices(window.ctx) if "residential" in text.lower()]
    if residential:
        course.setCurrentIndex(course.findData(residential[0]))
    dialog.line_edit("travel").setText("£84.60")
    dialog.resize(600, 860)
    dialog.show()
    grab(dialog, "booking-dialog")
    dialog.close()

    conflict = _conflict(window)
    from .conflict import ConflictDialog

    box = ConflictDialog(conflict, window)
    box.resize(760, 520)
    box.show()
    grab(box, "conflict-dialog")
    box.close()

    from .export_dialog import ExportDialog

    export = ExportDialog(window.ctx, window)
    export.file_edit.setText(str(Path.home() / Path(export.file_edit.text()).name))  # not the temporary folder
    export.show()
    grab(export, "export-dialog")
    export.close()
    window.close()

    trust_path = _trust_database(work, today)
    window = MainWindow(today=today)
    window.resize(*SIZE)
    window.show()
    window.open_database(str(trust_path), "Ashcombe Park Academy")
    window.school_locked = False  # opened by name only to skip the chooser; the switcher is shown
    window.fill_schools()
    trust = _view(window, "trust", TrustView)
    end = time.monotonic() + 30
    while trust.data is None and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    grab(window, "trust")
    window.close()
    return shots


def _conflict(window: Any) -> Any:
    """Somebody else changes a person's record while it is open here: the conflict the app shows."""
    from ..errors import ConcurrentEditError
    from ..models import Staff
    from ..services.staff import settled_staff, update_staff
    from .conflict import form_compare, read_conflict
    from .dialogs.staff import StaffDialog

    ctx = window.ctx
    with ctx.session() as s:
        person = settled_staff(s, ctx.school_id)[0]
        _ = person.department
    mine = StaffDialog(ctx, person)
    mine.line_edit("role").setText("Head of Physics")
    mine.line_edit("fte").setText("0.8")
    values = mine.values()
    mine.deleteLater()
    # What another computer would save (written through this window's own connection: it holds the
    # file's lock, and the record's version moves on the same way).
    with ctx.session() as s:
        s.info["user"] = "j.okafor"
        update_staff(s, s.get(Staff, person.id), role="Second in Science",
                     email=f"{person.forename[0]}.{person.surname}@ashcombe.sch.uk".lower())
    error = ConcurrentEditError("Staff record was changed by somebody else.")
    conflict, _version = read_conflict(ctx, (Staff, person.id), error,
                                       form_compare(lambda current: StaffDialog(ctx, current), values))
    assert conflict is not None
    return conflict


def _trust_database(work: Path, today: dt.date) -> Path:
    """The demo school and two more made the same way (other seeds, other names) in one file."""
    from ..models import School
    from ..services.database import open_database
    from ..services.demo import build_demo
    from ..services.transfer import copy_school

    path = work / "trust.sqlite"
    db = open_database(path, create=True)
    with db.session() as s:
        build_demo(s, today=today)
    for seed, name in ((5, "Brackenfield School"), (9, "Castlegate High School")):
        source_path = work / f"{seed}.sqlite"
        source = open_database(source_path, create=True)
        with source.session() as s:
            build_demo(s, seed=seed, today=today)
            for school in s.query(School):
                school.name = name
        copy_school(source, db)
        source.dispose()
    db.dispose()
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "docs/screenshots")
    for shot in take(folder):
        print(shot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
