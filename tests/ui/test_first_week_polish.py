"""A person's first week in the window: the polish items, each walked as a person does.

Controls are found by their visible text or accessible name, clicked or typed into, and what should
appear is waited for. Modal dialogs opened with exec() are answered from a timer, with their buttons.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QTableWidget,
    QWidget,
)

from .conftest import TODAY


def named(parent: QWidget, cls: type, name: str) -> Any:
    """The visible control of class ``cls`` whose accessible name (or text) is ``name``."""
    for widget in parent.findChildren(cls):
        if widget.isVisible() and name in (widget.accessibleName(), getattr(widget, "text", lambda: None)()):
            return widget
    raise AssertionError(f"no visible {cls.__name__} called {name!r}")


def button(parent: QWidget, text: str) -> QAbstractButton:
    for widget in parent.findChildren(QAbstractButton):
        if widget.isVisible() and text in (widget.text().replace("&", ""), widget.accessibleName()):
            return widget
    raise AssertionError(f"no visible button {text!r}")


def when_modal(action: Callable[[QWidget], None], *, kind: type = QWidget) -> list[BaseException]:
    """Run ``action`` on the next modal dialog of class ``kind`` once it is on screen (it blocks in exec())."""
    failures: list[BaseException] = []
    tries = [0]

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not isinstance(dialog, kind) or not dialog.isVisible():
            tries[0] += 1
            if tries[0] < 250:  # about 5 s; then no dialog came, and the test says so
                QTimer.singleShot(20, poll)
            else:
                failures.append(AssertionError(f"no {kind.__name__} was opened"))
            return
        try:
            action(dialog)
        except BaseException as exc:  # noqa: BLE001 - reported by the test after exec() returns
            failures.append(exc)
            dialog.reject()

    QTimer.singleShot(0, poll)
    return failures


def retype(qtbot: Any, field: QLineEdit, text: str) -> None:
    """Select everything in ``field`` and type ``text`` over it, as a person does."""
    assert field.isVisible() and field.isEnabled()
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def edit_cell(qtbot: Any, table: QTableWidget, row: int, column: int, text: str) -> None:
    """Click a cell, press F2, type over it and press Enter."""
    rect = table.visualRect(table.model().index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(table.viewport(), Qt.Key.Key_F2)
    editors: list[QLineEdit] = []
    qtbot.waitUntil(lambda: bool(editors.extend(e for e in table.findChildren(QLineEdit) if e.isVisible())
                                 or editors))
    editor = editors[0]
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def error_text(page: QWidget) -> str:
    return " ".join(label.text() for label in page.findChildren(QLabel)
                    if label.objectName() == "fieldError" and label.isVisible())


# -- 1. the new-school wizard -----------------------------------------------------------------------------

def test_new_school_wizard_refuses_a_wrong_urn_terms_periods_week_a_and_target(
        make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QWizard

    window = make_window()
    target = tmp_path / "hillside.sqlite"

    def walk(wizard: QWidget) -> None:
        assert isinstance(wizard, QWizard)
        next_button = wizard.button(QWizard.WizardButton.NextButton)
        page = wizard.currentPage()
        retype(qtbot, named(page, QLineEdit, "School name"), "Hillside School")
        retype(qtbot, named(page, QLineEdit, "Database file"), str(target))
        retype(qtbot, named(page, QLineEdit, "URN"), "12345")  # 5 digits
        qtbot.waitUntil(lambda: "6 digits" in error_text(page))
        assert not next_button.isEnabled()
        qtbot.keyClicks(named(page, QLineEdit, "URN"), "6")
        qtbot.waitUntil(next_button.isEnabled)
        qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)

        page = wizard.currentPage()  # term dates for 2025/26
        autumn = named(page, QLineEdit, "Autumn term starts")
        retype(qtbot, autumn, "02/09/2024")  # a year early
        qtbot.waitUntil(lambda: "not in the academic year 2025/26" in error_text(page))
        assert not next_button.isEnabled()
        retype(qtbot, autumn, "03/09/2025")
        spring = named(page, QLineEdit, "Spring term starts")
        retype(qtbot, spring, "15/12/2025")  # before the autumn term ends
        qtbot.waitUntil(lambda: "before the autumn term ends" in error_text(page))
        assert not next_button.isEnabled()
        retype(qtbot, spring, "05/01/2026")
        qtbot.waitUntil(next_button.isEnabled)
        qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)

        page = wizard.currentPage()  # periods of the day
        table = named(page, QTableWidget, "Periods of the day")
        edit_cell(qtbot, table, 1, 1, "09:30")  # P2 starts before P1 (08:50–09:50) ends
        qtbot.waitUntil(lambda: "overlaps period P1" in error_text(page))
        assert not next_button.isEnabled()
        edit_cell(qtbot, table, 1, 1, "09:50")
        qtbot.waitUntil(next_button.isEnabled)
        timetable = named(page, QComboBox, "Timetable")
        assert not any(w.isVisible() for w in page.findChildren(QLineEdit) if w.accessibleName() == "Week A starts on")
        timetable.setFocus()
        qtbot.keyClick(timetable, Qt.Key.Key_Down)  # two-week timetable
        week_a = named(page, QLineEdit, "Week A starts on")
        qtbot.waitUntil(lambda: "required for a two-week timetable" in error_text(page))
        assert not next_button.isEnabled()
        qtbot.keyClicks(week_a, "02/09/2025")  # a Tuesday
        qtbot.waitUntil(lambda: "is not a Monday" in error_text(page))
        assert "Week A starts on" in error_text(page) and "commencing" not in error_text(page)  # the field's name
        assert not next_button.isEnabled()
        retype(qtbot, week_a, "08/09/2025")
        qtbot.waitUntil(next_button.isEnabled)
        qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)

        page = wizard.currentPage()  # targets and costs
        field = named(page, QLineEdit, "CPD target (hours a year, full-time)")
        retype(qtbot, field, "-35")
        qtbot.waitUntil(lambda: "between 1 and 200 hours a year" in error_text(page))
        assert "attended" not in error_text(page)
        assert not next_button.isEnabled()
        retype(qtbot, field, "30")
        qtbot.waitUntil(next_button.isEnabled)
        qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)

        create = wizard.button(QWizard.WizardButton.FinishButton)  # the starting lists, as offered
        assert wizard.currentPage().title() == "Starting lists"
        qtbot.waitUntil(create.isEnabled)
        qtbot.mouseClick(create, Qt.MouseButton.LeftButton)

    failures = when_modal(walk, kind=QWizard)
    qtbot.mouseClick(button(window, "Create a new school database"), Qt.MouseButton.LeftButton)
    assert not failures, failures
    qtbot.waitUntil(lambda: "Hillside School" in window.windowTitle())
    window.close_database()
    with sqlite3.connect(target) as conn:
        urn, week_a, hours = conn.execute("SELECT urn, week_a_commencing, cpd_target_hours FROM school").fetchone()
        terms = conn.execute("SELECT term, start_date FROM term_dates ORDER BY start_date").fetchall()
        p2 = conn.execute("SELECT start_time FROM school_period WHERE number = 2").fetchone()[0]
    assert (urn, week_a, float(hours)) == ("123456", "2025-09-08", 30.0)
    assert terms[0] == ("autumn", "2025-09-03") and terms[1] == ("spring", "2026-01-05")
    assert p2.startswith("09:50")
    assert TODAY.year == 2025 and dt.date(2025, 9, 8).weekday() == 0


# -- 8 and 9. the staff list sorts as people read, and support staff are outside the target ------------

def go_to_view(qtbot: Any, window: QWidget, label: str) -> None:
    """Click the sidebar's entry for a view."""
    from PySide6.QtWidgets import QListWidget

    nav = named(window, QListWidget, "Views")
    item = next(nav.item(i) for i in range(nav.count()) if nav.item(i).text() == label)
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(item).center())
    qtbot.waitUntil(lambda: nav.currentItem() is item)


def column_texts(window: QWidget, title: str) -> list[str]:
    """The cells of the visible table's column ``title``, top to bottom."""
    from PySide6.QtWidgets import QTableView

    table = next(t for t in window.findChildren(QTableView) if t.isVisible())
    model = table.model()
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == title)
    return [str(model.index(r, col).data()) for r in range(model.rowCount())]


def test_staff_list_sorts_names_as_read_and_a_technician_gets_no_target(make_window: Any, db: Any, school: Any,
                                                                         qtbot: Any) -> None:
    from PySide6.QtWidgets import QCheckBox, QDialog

    from cpd_desktop.services.staff import add_staff

    with db.session() as s:
        for f, sur, code in [("Tom", "Wilkinson", "TWI"), ("Siobhán", "Ó Dálaigh", "SOD"), ("Ada", "Okafor", "AOK")]:
            add_staff(s, s.merge(school), forename=f, surname=sur, staff_code=code)
    window = make_window()
    window.set_database(db, school.id, str(db.path))
    go_to_view(qtbot, window, "Staff")
    qtbot.waitUntil(lambda: len(column_texts(window, "Name")) == 3)
    assert column_texts(window, "Name") == ["Ó Dálaigh, Siobhán", "Okafor, Ada", "Wilkinson, Tom"]

    def fill(dialog: QWidget) -> None:
        retype(qtbot, named(dialog, QLineEdit, "Forename"), "Ray")
        retype(qtbot, named(dialog, QLineEdit, "Surname"), "Ito")
        retype(qtbot, named(dialog, QLineEdit, "Staff code"), "RIT")
        box = named(dialog, QCheckBox, "Counts in the teachers' CPD target")
        assert box.isChecked()
        retype(qtbot, named(dialog, QLineEdit, "Role"), "Science technician")
        qtbot.waitUntil(lambda: not box.isChecked())
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)

    failures = when_modal(fill, kind=QDialog)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: bool(failures) or "Ito, Ray" in column_texts(window, "Name"))
    assert not failures, failures
    names, targets = column_texts(window, "Name"), column_texts(window, "Target")
    assert names == ["Ito, Ray", "Ó Dálaigh, Siobhán", "Okafor, Ada", "Wilkinson, Tom"]
    assert targets[0] in ("0", "") and targets[1] == "35"
    click_row(qtbot, window, 0, double=True)  # Ray's own page says so
    qtbot.waitUntil(lambda: any(label.isVisible() and "outside the teachers' CPD target" in label.text()
                                for label in window.findChildren(QLabel)))
    window.database.ctx = None


# -- 4. one's own saves are not "changes saved by others" --------------------------------------------------

def look_again(qtbot: Any, window: QWidget) -> None:
    """Leave the window for another and come back, as a person does (the window looks for others' changes)."""
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow())
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: window.database.checking is None)  # the look (off the UI thread) has finished
    other.close()


def test_own_saves_are_not_reported_as_others_but_another_writer_is(make_window: Any, db: Any, school: Any,
                                                                   qtbot: Any) -> None:
    from PySide6.QtWidgets import QDialog

    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.staff import add_staff

    window = make_window()
    window.set_database(db, school.id, str(db.path))
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    go_to_view(qtbot, window, "Staff")
    look_again(qtbot, window)  # the first look only notes where the file is

    def fill(dialog: QWidget) -> None:
        retype(qtbot, named(dialog, QLineEdit, "Forename"), "Ada")  # QTest types ASCII only
        retype(qtbot, named(dialog, QLineEdit, "Surname"), "Okafor")
        retype(qtbot, named(dialog, QLineEdit, "Staff code"), "AOK")
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)

    failures = when_modal(fill, kind=QDialog)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: bool(failures) or "Okafor, Ada" in column_texts(window, "Name"))
    assert not failures, failures
    look_again(qtbot, window)
    assert not any("saved by others" in m for m in messages), messages

    other = open_database(db.path)  # somebody else, on another connection to the same file
    try:
        with other.session() as s:
            s.info["user"] = "colleague"
            add_staff(s, s.merge(school), forename="Tom", surname="Wilkinson", staff_code="TWI")
    finally:
        other.dispose()
    look_again(qtbot, window)
    qtbot.waitUntil(lambda: any("saved by others" in m for m in messages))
    qtbot.waitUntil(lambda: "Wilkinson, Tom" in column_texts(window, "Name"))
    window.database.ctx = None


# -- 3. "Mark attended…" only once the course has started ---------------------------------------------------

def visible_table(window: QWidget) -> Any:
    from PySide6.QtWidgets import QTableView

    return next(t for t in window.findChildren(QTableView) if t.isVisible())


def click_row(qtbot: Any, window: QWidget, row: int, *, double: bool = False) -> None:
    table = visible_table(window)
    table.scrollTo(table.model().index(row, 0))
    pos = table.visualRect(table.model().index(row, 0)).center()
    if double:
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    else:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_mark_attended_is_enabled_only_once_the_course_has_started(make_window: Any, db: Any, school: Any,
                                                                   qtbot: Any) -> None:
    from cpd_desktop.services.bookings import create_booking, transition_booking
    from cpd_desktop.services.staff import add_staff

    with db.session() as s:
        here = s.merge(school)
        person = add_staff(s, here, forename="Ada", surname="Okafor", staff_code="AOK")
        for title, start in (("Practical physics", TODAY + dt.timedelta(days=12)),
                             ("Teaching genetics", TODAY - dt.timedelta(days=2))):
            booking = create_booking(s, here, person, title=title, start_date=start, hours="6",
                                     intended_outcomes="Pupils carry out the practical with less help")
            for status in ("approved", "booked"):
                transition_booking(s, booking, status, on=TODAY - dt.timedelta(days=30))
    window = make_window()
    window.set_database(db, school.id, str(db.path))
    go_to_view(qtbot, window, "Planner")
    qtbot.waitUntil(lambda: len(column_texts(window, "Course")) == 2)
    titles = column_texts(window, "Course")
    mark = button(window, "Mark attended…")
    click_row(qtbot, window, titles.index("Practical physics"))
    qtbot.waitUntil(lambda: not mark.isEnabled())
    starts = f"{TODAY + dt.timedelta(days=12):%d/%m/%Y}"
    assert f"starts on {starts}: it cannot be marked attended before then" in mark.toolTip()
    menu_item = next(a for a in visible_table(window).actions() if a.text() == "Mark attended…")
    assert not menu_item.isEnabled()
    click_row(qtbot, window, titles.index("Teaching genetics"))
    qtbot.waitUntil(mark.isEnabled)
    assert menu_item.isEnabled() and "before then" not in mark.toolTip()
    window.database.ctx = None


# -- 7. the audit trail view reads as the rest of the app --------------------------------------------------

def test_audit_view_shows_labels_empty_and_local_times(make_window: Any, db: Any, school: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QTableView

    from cpd_desktop.services.staff import add_staff, update_staff

    with db.session() as s:
        person = add_staff(s, s.merge(school), forename="Ann", surname="Smith", staff_code="ASM")
    with db.session() as s:
        update_staff(s, s.merge(person), surname="Smyth", leaving_date="31/08/2026")
    window = make_window()
    window.set_database(db, school.id, str(db.path))
    go_to_view(qtbot, window, "Audit trail")
    qtbot.waitUntil(lambda: any("Changed Staff ASM" in t for t in column_texts(window, "What")))
    table = next(t for t in window.findChildren(QTableView) if t.isVisible())
    headers = [table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(table.model().columnCount())]
    assert "When" in headers and "When (UTC)" not in headers
    row = next(i for i, t in enumerate(column_texts(window, "What")) if "Changed Staff ASM" in t)
    assert column_texts(window, "What")[row] == "Changed Staff ASM: Surname, Leaving date"
    click_row(qtbot, window, row)
    detail = next(label for label in window.findChildren(QLabel)
                  if label.isVisible() and "→" in label.text())
    assert detail.text().splitlines() == ["Surname: Smith → Smyth", "Leaving date: (empty) → 31/08/2026"]
    window.database.ctx = None


# -- 5. the evidence checklist follows the records, beside what the scheme asks for ----------------------

def test_evidence_checklist_ticks_itself_from_attendance_and_evaluation(make_window: Any, db: Any, school: Any,
                                                                        qtbot: Any) -> None:
    from PySide6.QtWidgets import QCheckBox

    from cpd_desktop.services.activities import record_evaluation
    from cpd_desktop.services.bookings import create_booking, transition_booking
    from cpd_desktop.services.bursaries import add_scheme, create_claim
    from cpd_desktop.services.staff import add_staff

    with db.session() as s:
        here = s.merge(school)
        person = add_staff(s, here, forename="Ada", surname="Okafor", staff_code="AOK")
        scheme = add_scheme(s, here, name="Residential bursary", rule="per_course", amount="£300.00",
                            claim_deadline_days=30, evidence_required="Signed attendance register; impact evaluation")
        done = create_booking(s, here, person, title="Practical physics", start_date=TODAY - dt.timedelta(days=20),
                              hours="6", intended_outcomes="Pupils carry out the practical with less help")
        later = create_booking(s, here, person, title="Teaching genetics", start_date=TODAY + dt.timedelta(days=20),
                               hours="6", intended_outcomes="Pupils carry out the practical with less help")
        for status in ("approved", "booked", "attended"):
            activity = transition_booking(s, done, status, on=TODAY - dt.timedelta(days=10))
        assert activity is not None
        record_evaluation(s, activity, impact="Pupils plan fair tests", evaluated_on=TODAY - dt.timedelta(days=3))
        create_claim(s, done, scheme)
        create_claim(s, later, scheme)
    window = make_window()
    window.set_database(db, school.id, str(db.path))
    go_to_view(qtbot, window, "Bursaries")
    qtbot.waitUntil(lambda: len(column_texts(window, "Course")) == 2)

    def box(name: str) -> QCheckBox:
        return named(window, QCheckBox, name)

    click_row(qtbot, window, column_texts(window, "Course").index("Practical physics"))
    qtbot.waitUntil(lambda: box("Attendance confirmed").isChecked())
    attendance, evaluation, invoice = (box("Attendance confirmed"), box("Impact evaluation done"),
                                       box("Invoice attached"))
    assert evaluation.isChecked() and not invoice.isChecked()
    assert not attendance.isEnabled() and "marked attended" in attendance.toolTip()
    assert f"recorded on {TODAY - dt.timedelta(days=3):%d/%m/%Y}" in evaluation.toolTip()
    assert invoice.isEnabled()
    asked = named(window, QLabel, "Evidence the scheme asks for")
    assert asked.text() == "Residential bursary asks for: Signed attendance register; impact evaluation"
    qtbot.mouseClick(invoice, Qt.MouseButton.LeftButton)  # the invoice is still ticked by hand
    qtbot.waitUntil(lambda: box("Invoice attached").isChecked())

    click_row(qtbot, window, column_texts(window, "Course").index("Teaching genetics"))
    qtbot.waitUntil(lambda: not box("Attendance confirmed").isChecked())
    assert box("Attendance confirmed").isEnabled() and not box("Impact evaluation done").isChecked()
    assert "once the booking is marked attended" in box("Attendance confirmed").toolTip()
    window.database.ctx = None


# -- 2. a new school's dashboard offers the first steps until each is done --------------------------------

def test_new_school_dashboard_offers_first_steps_until_done(make_window: Any, db: Any, school: Any,
                                                            qtbot: Any) -> None:
    from PySide6.QtWidgets import QRadioButton, QWizard

    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.staff import add_staff

    window = make_window()
    window.set_database(db, school.id, str(db.path))
    go_to_view(qtbot, window, "Dashboard")
    steps = ["Import your staff", "Import the timetable", "Book your first course", "Record CPD already done"]
    qtbot.waitUntil(lambda: all(any(b.isVisible() and b.text() == s for b in window.findChildren(QAbstractButton))
                                for s in steps))
    assert "Your staff list from SIMS" in button(window, "Import your staff").toolTip()

    chosen: list[str] = []

    def look_at_wizard(wizard: QWidget) -> None:
        chosen.extend(b.objectName() for b in wizard.findChildren(QRadioButton) if b.isChecked())
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)

    failures = when_modal(look_at_wizard, kind=QWizard)
    qtbot.mouseClick(button(window, "Import the timetable"), Qt.MouseButton.LeftButton)
    assert not failures, failures
    assert chosen == ["kind_timetable"]

    titles: list[str] = []

    def look_at_dialog(dialog: QWidget) -> None:
        titles.append(dialog.windowTitle())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    failures = when_modal(look_at_dialog)
    qtbot.mouseClick(button(window, "Book your first course"), Qt.MouseButton.LeftButton)
    assert not failures, failures
    assert titles and "book" in titles[0].lower()

    other = open_database(db.path)  # a colleague imports the staff list meanwhile
    try:
        with other.session() as s:
            add_staff(s, s.merge(school), forename="Ada", surname="Okafor", staff_code="AOK")
    finally:
        other.dispose()
    go_to_view(qtbot, window, "Dashboard")
    look_again(qtbot, window)
    qtbot.waitUntil(lambda: not any(b.isVisible() and b.text() == "Import your staff"
                                    for b in window.findChildren(QAbstractButton)))
    assert button(window, "Import the timetable").isVisible()
    window.database.ctx = None


# -- 6. the user guide's keys are the window's keys ------------------------------------------------------

def _words(text: str) -> str:
    return text.replace("&", "").replace("…", "").replace("←", "").strip().lower()


def test_user_guide_and_readme_name_the_keys_the_window_has(demo_window: Any, qtbot: Any) -> None:
    import re

    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QListWidget, QTextBrowser

    window = demo_window
    nav = named(window, QListWidget, "Views")
    for i in range(nav.count()):  # every view once, as a person looking around would
        if not nav.item(i).isHidden():
            go_to_view(qtbot, window, nav.item(i).text())
    actual: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            actual.setdefault(key.toString(QKeySequence.SequenceFormat.PortableText), []).append(action.text())
    for widget in window.findChildren(QAbstractButton):
        key = widget.shortcut().toString(QKeySequence.SequenceFormat.PortableText)
        if key:
            actual.setdefault(key, []).extend([widget.text(), widget.accessibleName()])

    guide_text: list[str] = []

    def read_guide(dialog: QWidget) -> None:
        browser = next(b for b in dialog.findChildren(QTextBrowser) if b.isVisible())
        guide_text.append(browser.document().toPlainText())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    help_menu = next(a.menu() for a in window.menuBar().actions() if _words(a.text()) == "help")
    guide_action = next(a for a in help_menu.actions() if _words(a.text()) == "user guide")
    assert guide_action.isEnabled()
    assert "F1" in [k.toString(QKeySequence.SequenceFormat.PortableText) for k in guide_action.shortcuts()]
    failures = when_modal(read_guide)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F1)  # Help → User guide, by its key
    assert not failures, failures
    text = guide_text[0]
    assert "Ctrl+N" not in text.split("Keys")[0], "the guide's prose must not give Ctrl+N another meaning"
    lines = [line.strip() for line in text.split("Keys", 1)[1].splitlines() if line.strip()]
    table = list(zip(lines[::2], lines[1::2], strict=True))
    assert len(table) >= 20
    def portable(key: str) -> str:
        return QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)  # Insert → Ins

    for key, what in table:
        assert portable(key) in actual, f"the guide names {key} ({what}) but no control has it"
        texts = actual[portable(key)]
        assert any(_words(t).split()[0][:6] in what.lower() for t in texts if _words(t)), \
            f"{key}: the guide says '{what}', the window does {texts}"
    menu_keys = {k.toString(QKeySequence.SequenceFormat.PortableText) for top in window.menuBar().actions()
                 for a in top.menu().actions() for k in a.shortcuts()}
    assert menu_keys - {"Ctrl+Shift+Z"} <= {portable(k) for k, _w in table}, "a menu key the guide does not name"
    assert dict(table)["Ctrl+N"] == "New school database" and dict(table)["Insert"].startswith("Add a record")

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("**Keys**", 1)[1].split("\n\n", 2)[1]
    rows = [tuple(c.strip() for c in row.strip("|").split("|")) for row in block.splitlines()[2:]]
    assert rows == table, "README's keys differ from the user guide's"
    assert not re.search(r"Ctrl\+N[^|]*activit", readme)


# -- 10. a double-click right after a save opens the row clicked ------------------------------------------

def test_double_click_survives_a_refresh_between_its_clicks(make_window: Any, db: Any, school: Any,
                                                             qtbot: Any) -> None:
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QDialog

    from cpd_desktop.models import Booking
    from cpd_desktop.services.bookings import create_booking, update_booking
    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.staff import add_staff

    titles = ["Practical physics", "Teaching genetics", "Required practicals"]
    with db.session() as s:
        here = s.merge(school)
        person = add_staff(s, here, forename="Ada", surname="Okafor", staff_code="AOK")
        for n, title in enumerate(titles):
            create_booking(s, here, person, title=title, start_date=TODAY + dt.timedelta(days=10 + n), hours="6",
                           intended_outcomes="Pupils carry out the practical with less help")
    window = make_window()
    window.set_database(db, school.id, str(db.path))
    go_to_view(qtbot, window, "Planner")
    qtbot.waitUntil(lambda: len(column_texts(window, "Course")) == 3)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    def save(dialog: QWidget) -> None:  # F2 on the first row, then Save as it is
        qtbot.mouseClick(button(dialog, "Save booking"), Qt.MouseButton.LeftButton)

    failures = when_modal(save, kind=QDialog)
    click_row(qtbot, window, column_texts(window, "Course").index(titles[0]))
    qtbot.keyClick(visible_table(window), Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: bool(failures) or QApplication.activeModalWidget() is None)
    assert not failures, failures

    # Right after: the first click of a double-click on another row, and before the second click the
    # window's regular look for other people's changes finds one and refreshes the list.
    table = visible_table(window)
    row = column_texts(window, "Course").index(titles[1])
    pos = table.visualRect(table.model().index(row, 0)).center()
    qtbot.mousePress(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseRelease(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    other = open_database(db.path)
    try:
        with other.session() as s:
            third = s.query(Booking).filter(Booking.title == titles[2]).one()
            update_booking(s, third, notes="Room changed to Lab 3")
    finally:
        other.dispose()
    window.database.refresh_timer.timeout.emit()  # the 20-second look (the clock, not a person, starts it)
    qtbot.waitUntil(lambda: "saved by others" in window.statusBar().currentMessage())

    opened: list[str] = []

    def look(dialog: QWidget) -> None:
        opened.append(named(dialog, QLineEdit, "Title").text())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    failures = when_modal(look, kind=QDialog)
    second = QMouseEvent(QEvent.Type.MouseButtonDblClick, QPointF(pos), QPointF(table.viewport().mapToGlobal(pos)),
                         Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(table.viewport(), second)
    qtbot.mouseRelease(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: bool(opened) or bool(failures))
    assert opened == [titles[1]], failures
    window.database.ctx = None



def test_double_click_right_after_a_save_opens_the_row_clicked(make_window: Any, db: Any, school: Any,
                                                               qtbot: Any) -> None:
    from PySide6.QtWidgets import QDialog

    from cpd_desktop.services.bookings import create_booking
    from cpd_desktop.services.staff import add_staff

    titles = ["Practical physics", "Teaching genetics", "Required practicals"]
    with db.session() as s:
        here = s.merge(school)
        person = add_staff(s, here, forename="Ada", surname="Okafor", staff_code="AOK")
        for n, title in enumerate(titles):
            create_booking(s, here, person, title=title, start_date=TODAY + dt.timedelta(days=10 + n), hours="6",
                           intended_outcomes="Pupils carry out the practical with less help")
    window = make_window()
    window.set_database(db, school.id, str(db.path))
    go_to_view(qtbot, window, "Planner")
    qtbot.waitUntil(lambda: len(column_texts(window, "Course")) == 3)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    failures = when_modal(lambda dialog: qtbot.mouseClick(button(dialog, "Save booking"), Qt.MouseButton.LeftButton),
                          kind=QDialog)
    click_row(qtbot, window, column_texts(window, "Course").index(titles[0]))
    qtbot.keyClick(visible_table(window), Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: bool(failures) or QApplication.activeModalWidget() is None)
    assert not failures, failures

    opened: list[str] = []

    def look(dialog: QWidget) -> None:
        opened.append(named(dialog, QLineEdit, "Title").text())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    failures = when_modal(look, kind=QDialog)
    click_row(qtbot, window, column_texts(window, "Course").index(titles[2]), double=True)  # at once
    qtbot.waitUntil(lambda: bool(opened) or bool(failures))
    assert opened == [titles[2]], failures
    window.database.ctx = None
