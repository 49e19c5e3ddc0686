"""What a screen reader can say: every button, field, check box, drop-down list and table in every
view and the main dialogs has a name (its label beside it, or an accessible name), and every view can
be worked from the keyboard alone, in a sensible order.

The rule is the one ../shared/tools/a11y-tree.sh applies over AT-SPI on a real X server: a control is
named by a label that names it (Qt's "labelled by" relation, from a QLabel buddy beside it) or by a
non-empty accessible name; a drop-down list's accessible name on Linux is the value it shows, so only a
label names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTextEdit,
    QWidget,
)

from cpd_desktop.ui.workspace import VIEW_NAMES

CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)


def _is_part_of_another(w: QWidget) -> bool:
    """Qt's own pieces of a control (a combo box's line edit, a table's header and corner button): the
    screen reader hears the control they belong to. A field's clear button is a button of its own."""
    parent = w.parentWidget()
    return (w.objectName().startswith("qt_") or isinstance(w, QHeaderView)
            or isinstance(parent, (QComboBox, QAbstractSpinBox, QAbstractItemView))
            or (isinstance(parent, QLineEdit) and not isinstance(w, QAbstractButton))
            or type(w).__name__ in ("QTableCornerButton", "QComboBoxPrivateContainer", "QComboBoxListView"))


def speakable_name(w: QWidget) -> str:
    """What a screen reader says the control is called ('' if nothing)."""
    iface = QAccessible.queryAccessibleInterface(w)
    if iface is None:
        return ""
    labels = [other.text(QAccessible.Text.Name) for other, _rel in iface.relations(QAccessible.RelationFlag.Label)]
    if any(t.strip() for t in labels):
        return next(t for t in labels if t.strip()).strip()
    name = iface.text(QAccessible.Text.Name).strip()
    if isinstance(w, QComboBox) and name == w.currentText().strip():
        return ""  # named only by the value it shows
    return name


def unnamed_controls(root: QWidget) -> list[str]:
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if not isinstance(w, CONTROLS) or not w.isVisible() or _is_part_of_another(w):
            continue
        if not speakable_name(w):
            where = w.window().windowTitle() or root.accessibleName()
            text = getattr(w, "text", lambda: "")() if isinstance(w, QAbstractButton) else ""
            out.append(f"{where}: {type(w).__name__} {w.objectName()!r} {text or w.accessibleName()!r} "
                       f"(under {type(w.parentWidget()).__name__})")
    return out


TRUST = "Ashcombe Park Academy"


@pytest.fixture
def trust_window(pg_url: str, make_window: Callable[..., Any], qtbot: Any) -> Iterator[Any]:
    """A trust's PostgreSQL database with two schools, opened as a person opens it: the window asks which
    school (a modal chooser, answered through its own list and OK button, not left to hang the test), and
    the Trust view is in the sidebar. Skipped, saying why, without a PostgreSQL server at 127.0.0.1:5432."""
    import datetime as dt

    from PySide6.QtWidgets import QComboBox

    from cpd_desktop.services.activities import add_activity
    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.schools import create_school
    from cpd_desktop.services.staff import add_staff

    from .conftest import TODAY, add_other_school
    from .workflows.conftest import answering, choose, click, find_button

    setup = open_database(pg_url)
    with setup.session() as s:
        s.info["user"] = "setup"
        school = create_school(s, TRUST, departments=["Science"])
        for n, (forename, surname) in enumerate([("Helen", "Marsden"), ("Priya", "Raman"), ("Hannah", "Doyle")]):
            person = add_staff(s, school, forename=forename, surname=surname, staff_code=f"S{n}",
                               department="Science", fte="1")
            add_activity(s, school, person, title="Required practicals", date=TODAY - dt.timedelta(days=10 + n),
                         hours="6")
        add_other_school(s)
    setup.dispose()
    window = make_window()

    def choose_school(dialog: Any) -> None:
        choose(qtbot, dialog.findChild(QComboBox), TRUST)
        click(qtbot, find_button("OK", dialog))

    with answering(qtbot, choose_school, title="Choose a school"):
        assert window.open_database(pg_url)
    assert window.windowTitle() == f"CPD Desktop — {TRUST}"
    yield window
    window.close_database()


def show_trust(qtbot: Any, window: Any) -> QWidget:
    """The Trust view, chosen in the sidebar, once both schools' figures are in."""
    from PySide6.QtWidgets import QLabel

    from .workflows.conftest import go_to

    page = go_to(qtbot, window, "Trust")
    qtbot.waitUntil(lambda: any(label.text().startswith("2 schools") for label in page.findChildren(QLabel)),
                    timeout=20_000)
    return page


@pytest.mark.postgres
def test_every_control_of_the_trust_view_has_a_name(trust_window: Any, qtbot: Any) -> None:
    trust_window.resize(1366, 728)
    show_trust(qtbot, trust_window)
    problems = unnamed_controls(trust_window)
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("view", [v for v in VIEW_NAMES if v != "trust"])
def test_every_control_of_every_view_has_a_name(demo_window: Any, qtbot: Any, view: str) -> None:
    demo_window.resize(1366, 728)
    page = demo_window.show_view(view)
    qtbot.waitUntil(page.isVisible)
    tabs = [t for t in page.findChildren(QWidget) if type(t).__name__ == "QTabWidget" and t.isVisible()]
    for box in page.findChildren(QLineEdit):  # a search typed in shows its clear button
        if box.accessibleName() == "Search" and box.isVisible():
            qtbot.keyClicks(box, "a")
    problems = unnamed_controls(demo_window)
    for tab_widget in tabs:  # each tab's controls too
        for i in range(tab_widget.count()):
            tab_widget.setCurrentIndex(i)
            problems += unnamed_controls(demo_window)
    assert not sorted(set(problems)), "\n".join(sorted(set(problems)))


def _dialogs(window: Any) -> dict[str, Callable[[], QWidget]]:
    from cpd_desktop.ui.dialogs.activity import ActivityDialog
    from cpd_desktop.ui.dialogs.backups import RestoreDialog
    from cpd_desktop.ui.dialogs.booking import BookingDialog
    from cpd_desktop.ui.dialogs.claims import NewClaimDialog
    from cpd_desktop.ui.dialogs.imports import ImportHistoryDialog
    from cpd_desktop.ui.dialogs.staff import StaffDialog
    from cpd_desktop.ui.export_dialog import ExportDialog
    from cpd_desktop.ui.import_wizard import ImportWizard
    from cpd_desktop.ui.new_school import NewSchoolWizard
    from cpd_desktop.ui.views.settings_view import NameDialog, SchemeDialog

    ctx = window.ctx
    return {
        "Import": lambda: ImportWizard(ctx.db, ctx.school_id, window),
        "Import history": lambda: ImportHistoryDialog(ctx.db, ctx.school_id, window),
        "Restore from backup": lambda: RestoreDialog(ctx.db, window),
        "Raise a bursary claim": lambda: NewClaimDialog([(1, "17/11/2025 Helen Marsden: a course")],
                                                        [(1, "A bursary")], window),
        "Department": lambda: NameDialog("Add a department", "Department", window),
        "Add CPD activity": lambda: ActivityDialog(ctx, None, window),
        "Book CPD": lambda: BookingDialog(ctx, None, window),
        "Add a member of staff": lambda: StaffDialog(ctx, None, window),
        "Export": lambda: ExportDialog(ctx, window),
        "New school database": lambda: NewSchoolWizard(window, window.today),
        "Bursary scheme": lambda: SchemeDialog(window),
    }


DIALOGS = ["Add CPD activity", "Book CPD", "Add a member of staff", "Export", "New school database", "Bursary scheme",
           "Import", "Import history", "Restore from backup", "Raise a bursary claim", "Department"]


@pytest.mark.parametrize("name", DIALOGS)
def test_every_control_of_the_main_dialogs_has_a_name(demo_window: Any, qtbot: Any, name: str) -> None:
    dialog = _dialogs(demo_window)[name]()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    problems = unnamed_controls(dialog)
    if name == "New school database":  # every page (the import's later pages need a file chosen first)
        while dialog.currentPage() is not None and dialog.nextId() != -1:
            dialog.setCurrentId(dialog.nextId())
            problems += unnamed_controls(dialog)
    dialog.close()
    assert not problems, "\n".join(problems)


def _tab_through(qtbot: Any, window: Any, start: QWidget, presses: int = 80) -> list[QWidget]:
    """Press Tab from ``start`` and note where the keyboard focus goes, in order."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    seen: list[QWidget] = []
    for _ in range(presses):
        focus = QApplication.focusWidget()
        if focus is not None and (not seen or seen[-1] is not focus):
            seen.append(focus)
        qtbot.keyClick(focus or window, Qt.Key.Key_Tab)
    return seen


@pytest.mark.parametrize(("view", "has_buttons"), [("staff", True), ("log", True), ("planner", True), ("cover", True),
                                                  ("bursaries", True), ("audit", False)])
def test_each_list_view_is_worked_from_the_keyboard_in_order(demo_window: Any, qtbot: Any, view: str,
                                                              has_buttons: bool) -> None:
    """Tab from the sidebar reaches the view's main buttons, its search box and its table; the search box
    comes before the table it searches and the view's buttons before both."""
    demo_window.resize(1366, 728)
    demo_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is demo_window)
    page = demo_window.show_view(view)
    nav = demo_window.nav
    order = _tab_through(qtbot, demo_window, nav)
    inside = [w for w in order if page.isAncestorOf(w)]
    names = [speakable_name(w) or type(w).__name__ for w in inside]
    search = next((i for i, w in enumerate(inside) if isinstance(w, QLineEdit) and w.accessibleName() == "Search"), None)
    table = next((i for i, w in enumerate(inside) if isinstance(w, QTableView)), None)
    buttons = [i for i, w in enumerate(inside) if isinstance(w, QAbstractButton) and w.isEnabled()]
    assert search is not None, f"Tab never reaches the search box: {names}"
    assert table is not None, f"Tab never reaches the table: {names}"
    assert search < table, f"the table comes before its search box: {names}"
    if has_buttons:
        assert buttons, f"Tab reaches none of the view's buttons: {names}"
        last_table = max(i for i, w in enumerate(inside) if isinstance(w, QTableView))
        # the buttons that act on a list come before it (Cover: the absence is chosen, then its lessons' buttons)
        assert buttons[0] < last_table, f"the view's buttons come only after its lists: {names}"
    # every control reached can be named aloud
    assert all(speakable_name(w) for w in inside if isinstance(w, CONTROLS)), names
