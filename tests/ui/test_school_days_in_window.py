"""School days in the window, walked as a person walks them: booking a catalogue course suggests its end
date by school days, its hours and its cover days; Settings takes a non-teaching day (and refuses one
that is no school day anyway, beside the field, keeping what was typed); Ctrl+Z takes it back out.

Controls are found by their visible text or accessible name and clicked or typed into; the database
is set up before the window is used, and nothing else calls a view or a service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTabBar,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from cpd_desktop.models import TermDates

WAIT = 20000


# ---- finding things as a person sees them ----
def button(parent: QWidget, text: str) -> QAbstractButton:
    found = [b for b in parent.findChildren(QAbstractButton) if b.isVisible() and b.text().replace("&", "") == text]
    assert found, f"no visible button “{text}”"
    return found[0]


def field(parent: QWidget, name: str, kind: type = QWidget) -> Any:
    found = [w for w in parent.findChildren(kind) if w.isVisible() and w.accessibleName() == name]
    assert found, f"no visible field “{name}”"
    return found[0]


def click(qtbot: QtBot, widget: QAbstractButton) -> None:
    assert widget.isVisible() and widget.isEnabled(), f"“{widget.text()}” cannot be clicked"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, widget: QLineEdit, text: str) -> None:
    """Select what is there and type over it, key by key."""
    assert widget.isVisible() and widget.isEnabled()
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def go_to_view(qtbot: QtBot, window: QWidget, label: str) -> None:
    nav = field(window, "Views", QListWidget)
    item = next(nav.item(i) for i in range(nav.count()) if nav.item(i).text() == label)
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(item).center())
    qtbot.waitUntil(lambda: nav.currentItem() is item, timeout=WAIT)


def modal(cls: type) -> Any:
    widget = QApplication.activeModalWidget()
    return widget if isinstance(widget, cls) else None


def while_open(qtbot: QtBot, open_it: Callable[[], None], walk: Callable[[], None]) -> None:
    """Open a modal dialog (``open_it`` blocks while it is open) and ``walk`` it; a failed walk closes it."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            walk()
        except BaseException as exc:  # noqa: BLE001 - raised again below, outside Qt's event loop
            failures.append(exc)
            widget = QApplication.activeModalWidget()
            if widget is not None:
                widget.close()

    QTimer.singleShot(0, run)
    open_it()
    if failures:
        raise failures[0]

TERMS_2026 = (("autumn", dt.date(2026, 9, 2), dt.date(2026, 12, 18)),
              ("spring", dt.date(2027, 1, 4), dt.date(2027, 3, 25)),
              ("summer", dt.date(2027, 4, 12), dt.date(2027, 7, 21)))
TERMS_2025 = (("autumn", dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
              ("spring", dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
              ("summer", dt.date(2026, 4, 13), dt.date(2026, 7, 22)))


def _set_up(window: Any) -> None:
    """What the school already has before the person starts: term dates, a teacher, a course with a scheme."""
    from cpd_desktop.services import bursaries, catalogue, staff

    ctx = window.ctx
    with ctx.session() as s:
        school = ctx.school(s)
        for year, terms in ((2025, TERMS_2025), (2026, TERMS_2026)):
            for term, start, end in terms:
                s.add(TermDates(school_id=school.id, academic_year=year, term=term, start_date=start, end_date=end))
        staff.add_staff(s, school, forename="Łukasz", surname="Zając", staff_code="LZA", department="Science")
        scheme = bursaries.add_scheme(s, school, name="Residential bursary", rule="per_day", amount="220")
        course = catalogue.add_course(s, school, title="Practical physics (residential)", format="residential",
                                      hours="18", days="3", fee="650.00", provider="National STEM Learning Centre")
        course.bursary_scheme_id = scheme.id


def _tab(qtbot: QtBot, window: QWidget, text: str) -> None:
    bar = next(b for b in window.findChildren(QTabBar) if b.isVisible()
               and any(b.tabText(i) == text for i in range(b.count())))
    index = next(i for i in range(bar.count()) if bar.tabText(i) == text)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: bar.currentIndex() == index, timeout=WAIT)


def _summary(dialog: QWidget) -> str:
    label = next(w for w in dialog.findChildren(QLabel) if w.accessibleName() == "Cost summary")
    return label.text().replace("<b>", "").replace("</b>", "")


def test_booking_a_course_from_a_friday_suggests_the_tuesday_its_hours_and_three_days_of_cover(
        qtbot: QtBot, school_window: Any) -> None:
    from cpd_desktop.ui.dialogs.booking import BookingDialog

    window = school_window
    _set_up(window)
    go_to_view(qtbot, window, "Planner")
    seen: dict[str, str] = {}

    def walk() -> None:
        qtbot.waitUntil(lambda: modal(BookingDialog) is not None, timeout=WAIT)
        dialog = modal(BookingDialog)
        course = field(dialog, "Course", QComboBox)
        course.setFocus()
        qtbot.keyClicks(course, "Practical")  # a person types the first letters on a closed drop-down
        qtbot.waitUntil(lambda: course.currentText().startswith("Practical physics"), timeout=WAIT)
        hours, end = field(dialog, "Hours", QLineEdit), field(dialog, "End date", QLineEdit)
        qtbot.waitUntil(lambda: hours.text() == "18", timeout=WAIT)
        type_into(qtbot, field(dialog, "Start date", QLineEdit), "08/01/2027")  # a Friday
        qtbot.waitUntil(lambda: end.text() == "12/01/2027", timeout=WAIT)  # Fri, Mon, Tue: the Tuesday
        qtbot.waitUntil(lambda: "Cover 3 days × £291.00 = £873.00" in _summary(dialog), timeout=WAIT)
        seen["cover placeholder"] = field(dialog, "Cover days", QLineEdit).placeholderText()
        seen["summary"] = _summary(dialog)
        type_into(qtbot, field(dialog, "Start date", QLineEdit), "10/01/2028")  # 2027/28: no term dates yet
        qtbot.waitUntil(lambda: "no term dates for 2027/28 yet" in _summary(dialog), timeout=WAIT)
        seen["unset"] = _summary(dialog)
        # After term: the last day of autumn term and the holiday after it.
        type_into(qtbot, field(dialog, "Start date", QLineEdit), "18/12/2026")
        qtbot.waitUntil(lambda: end.text() == "05/01/2027", timeout=WAIT)  # Fri 18/12, then 4 and 5 January
        type_into(qtbot, end, "23/12/2026")  # the person knows better: it ends on the 23rd
        qtbot.waitUntil(lambda: "Cover 1 day × £291.00 = £291.00" in _summary(dialog), timeout=WAIT)
        seen["holiday summary"] = _summary(dialog)
        type_into(qtbot, field(dialog, "Start date", QLineEdit), "21/12/2026")
        qtbot.waitUntil(lambda: "Cover 0 days × £291.00 = £0.00" in _summary(dialog), timeout=WAIT)
        assert end.text() == "23/12/2026"  # typed by the person: kept when the start changes
        seen["after term"] = _summary(dialog)
        outcome = field(dialog, "Intended outcome", QPlainTextEdit)  # it costs money: its outcome is required
        outcome.setFocus()
        qtbot.keyClicks(outcome, "Year 10 set up the required practicals unaided")
        click(qtbot, button(dialog, "Save booking"))

    while_open(qtbot, lambda: click(qtbot, button(window, "Book CPD…")), walk)
    assert seen["cover placeholder"] == "3 (school days in term)"
    assert "Settings → Term dates" in seen["unset"] and "no term dates" not in seen["summary"]
    assert "Bursary expected from Residential bursary: £660.00" in seen["summary"]  # 3 days × £220, not 5
    assert "(not school days: 21/12/2026 to 23/12/2026, in the holidays between terms)" in seen["holiday summary"]
    assert "(not school days: 21/12/2026 to 23/12/2026, in the holidays between terms)" in seen["after term"]
    assert modal(BookingDialog) is None  # saved and closed
    with window.ctx.session() as s:  # what was saved (the planner shows this month: November 2025)
        from sqlalchemy import select

        from cpd_desktop.models import Booking

        booking = s.scalar(select(Booking))
        assert (booking.start_date, booking.end_date, booking.cover_days, booking.hours) == (
            dt.date(2026, 12, 21), dt.date(2026, 12, 23), 0.0, 18)


def test_a_non_teaching_day_is_added_in_settings_refused_when_no_school_day_and_undone(
        qtbot: QtBot, school_window: Any) -> None:
    window = school_window
    _set_up(window)
    go_to_view(qtbot, window, "Settings")
    _tab(qtbot, window, "Term dates")
    date = field(window, "Non-teaching day date", QLineEdit)
    reason = field(window, "Non-teaching day reason", QLineEdit)
    days = field(window, "Non-teaching days", QTableWidget)
    assert days.rowCount() == 0
    type_into(qtbot, date, "10/01/2026")  # a Saturday
    type_into(qtbot, reason, "INSET: curriculum planning")
    click(qtbot, button(window, "Add non-teaching day"))
    error = next(w for w in window.findChildren(QLabel) if w.isVisible() and "not a school day" in w.text())
    assert "10/01/2026 is a Saturday, so it is not a school day anyway." in error.text()
    assert (date.text(), reason.text(), days.rowCount()) == ("10/01/2026", "INSET: curriculum planning", 0)

    type_into(qtbot, date, "22/12/2025")  # after autumn term ends on 19/12
    click(qtbot, button(window, "Add non-teaching day"))
    qtbot.waitUntil(lambda: "in the holidays between terms" in error.text(), timeout=WAIT)

    type_into(qtbot, date, "05/01/2026")
    qtbot.waitUntil(lambda: not error.isVisible(), timeout=WAIT)
    click(qtbot, button(window, "Add non-teaching day"))
    qtbot.waitUntil(lambda: days.rowCount() == 1, timeout=WAIT)
    assert [days.item(0, c).text() for c in range(2)] == ["Mon 05/01/2026", "INSET: curriculum planning"]
    assert date.text() == "" and reason.text() == ""

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: days.rowCount() == 0, timeout=WAIT)
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: days.rowCount() == 1, timeout=WAIT)

    # Chosen and deleted with the Delete key (the question is answered yes by the test set-up).
    days.setFocus()
    qtbot.mouseClick(days.viewport(), Qt.MouseButton.LeftButton, pos=days.visualItemRect(days.item(0, 1)).center())
    qtbot.waitUntil(lambda: button(window, "Delete non-teaching day").isEnabled(), timeout=WAIT)
    qtbot.keyClick(days, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: days.rowCount() == 0, timeout=WAIT)


def test_a_claim_paid_before_it_was_approved_is_refused_beside_the_date_and_the_dialog_stays(
        qtbot: QtBot, school_window: Any) -> None:
    from PySide6.QtWidgets import QTableView

    from cpd_desktop.models import BursaryClaim
    from cpd_desktop.services import bookings, bursaries, staff
    from cpd_desktop.ui.dialogs.claims import ClaimStatusDialog

    window = school_window
    ctx = window.ctx
    with ctx.session() as s:  # a residential attended in October 2025 and its claim, approved on 20/10/2025
        school = ctx.school(s)
        person = staff.add_staff(s, school, forename="Nguyễn", surname="Thị Mai", staff_code="NTM")
        booking = bookings.create_booking(s, school, person, title="Practical chemistry (residential)",
                                          start_date="08/10/2025", end_date="10/10/2025", hours="18",
                                          intended_outcomes="Pupils carry out the practical with less help")
        for status, on in (("approved", dt.date(2025, 9, 1)), ("booked", dt.date(2025, 9, 2))):
            bookings.transition_booking(s, booking, status, on=on)
        bookings.mark_attended(s, booking, on=dt.date(2025, 10, 10))
        claim = bursaries.create_claim(s, booking, bursaries.add_scheme(s, school, name="ENTHUSE", amount="220"))
        bursaries.transition_claim(s, claim, "submitted", on="14/10/2025")
        bursaries.transition_claim(s, claim, "approved", on="20/10/2025")
        ident = claim.id
    go_to_view(qtbot, window, "Bursaries")
    table = field(window, "claims", QTableView)
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=WAIT)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(table.model().index(0, 2)).center())
    seen: dict[str, Any] = {}

    def walk() -> None:
        qtbot.waitUntil(lambda: modal(ClaimStatusDialog) is not None, timeout=WAIT)
        dialog = modal(ClaimStatusDialog)
        status = field(dialog, "New status", QComboBox)
        status.setFocus()
        qtbot.keyClicks(status, "Paid")
        qtbot.waitUntil(lambda: status.currentText() == "Paid", timeout=WAIT)
        date = field(dialog, "Date", QLineEdit)
        type_into(qtbot, date, "01/10/2025")
        save = button(dialog, "Save")
        error = next(w for w in dialog.findChildren(QLabel) if w.objectName() == "fieldError"
                     and "is before the claim was approved" in w.text())
        qtbot.waitUntil(lambda: error.isVisible() and not save.isEnabled(), timeout=WAIT)
        seen["error"] = error.text()
        seen["beside the date"] = error.parentWidget() is date.parentWidget()
        type_into(qtbot, date, "21/10/2025")
        qtbot.waitUntil(lambda: save.isEnabled() and not error.isVisible(), timeout=WAIT)
        click(qtbot, save)

    while_open(qtbot, lambda: click(qtbot, button(window, "Move on…")), walk)
    assert seen["error"] == "Paid 01/10/2025 is before the claim was approved on 20/10/2025. " \
                            "Give a date on or after 20/10/2025."
    assert seen["beside the date"]
    with ctx.session() as s:
        claim = s.get(BursaryClaim, ident)
        assert (claim.status, claim.paid_on) == ("paid", dt.date(2025, 10, 21))


def test_the_new_school_wizard_takes_the_years_non_teaching_days(qtbot: QtBot, make_window: Any,
                                                                 tmp_path: Any) -> None:
    from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QWizard

    from cpd_desktop.models import NonTeachingDay

    window = make_window()
    seen: dict[str, Any] = {}

    def type_lines(box: QPlainTextEdit, *lines: str) -> None:
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(box, Qt.Key.Key_Delete)
        for n, line in enumerate(lines):
            if n:
                qtbot.keyClick(box, Qt.Key.Key_Return)
            qtbot.keyClicks(box, line)

    def walk() -> None:
        qtbot.waitUntil(lambda: modal(QWizard) is not None, timeout=WAIT)
        wizard = modal(QWizard)
        type_into(qtbot, field(wizard, "School name", QLineEdit), "Hillside School")
        type_into(qtbot, field(wizard, "Database file", QLineEdit), str(tmp_path / "hillside.sqlite"))
        click(qtbot, button(wizard, "Next >"))
        days = field(wizard, "Non-teaching days", QPlainTextEdit)
        type_lines(days, "03/09/2025 INSET: safeguarding", "10/01/2026 INSET")
        nxt = button(wizard, "Next >")
        qtbot.waitUntil(lambda: not nxt.isEnabled(), timeout=WAIT)
        seen["saturday"] = next(w.text() for w in wizard.findChildren(QLabel)
                                if w.isVisible() and "line 2" in w.text())
        type_lines(days, "03/09/2025 INSET: safeguarding", "24/12/2025")
        qtbot.waitUntil(lambda: not nxt.isEnabled(), timeout=WAIT)
        seen["holiday"] = next(w.text() for w in wizard.findChildren(QLabel)
                               if w.isVisible() and "line 2" in w.text())
        type_lines(days, "03/09/2025 INSET: safeguarding", "05/01/2026")
        qtbot.waitUntil(nxt.isEnabled, timeout=WAIT)
        click(qtbot, nxt)
        click(qtbot, button(wizard, "Next >"))  # periods of the day
        click(qtbot, button(wizard, "Next >"))  # starting lists
        click(qtbot, button(wizard, "Create"))

    create = field(window, "Create a new school database", QPushButton)
    while_open(qtbot, lambda: click(qtbot, create), walk)
    assert "Non-teaching days, line 2: 10/01/2026 is a Saturday" in seen["saturday"]
    assert "Non-teaching days, line 2: 24/12/2025 is a bank holiday" not in seen["holiday"]
    assert "24/12/2025 is not in any of the terms above" in seen["holiday"]
    qtbot.waitUntil(lambda: window.ctx is not None, timeout=WAIT)
    with window.ctx.session() as s:
        from sqlalchemy import select

        rows = [(d.date, d.reason) for d in s.scalars(select(NonTeachingDay).order_by(NonTeachingDay.date))]
    assert rows == [(dt.date(2025, 9, 3), "INSET: safeguarding"), (dt.date(2026, 1, 5), "INSET day")]
    window.close_database()


def test_moving_a_booking_into_the_holidays_takes_its_cover_days_with_it(qtbot: QtBot, school_window: Any) -> None:
    from PySide6.QtWidgets import QTableView

    from cpd_desktop.models import Booking
    from cpd_desktop.services import bookings, staff
    from cpd_desktop.ui.dialogs.booking import BookingDialog

    window = school_window
    _set_up(window)
    with window.ctx.session() as s:  # three school days this month, counted when it was booked
        school = window.ctx.school(s)
        person = staff.add_staff(s, school, forename="Kwame", surname="Mensah", staff_code="KME")
        booking = bookings.create_booking(s, school, person, title="Subject leaders' conference",
                                          start_date="25/11/2025", end_date="27/11/2025", hours="15",
                                          cover_required=True,
                                          intended_outcomes="Pupils carry out the practical with less help")
        assert booking.cover_days == 3.0
        ident = booking.id
    go_to_view(qtbot, window, "Planner")
    table = field(window, "bookings", QTableView)
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=WAIT)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(table.model().index(0, 1)).center())
    seen: dict[str, str] = {}

    def walk() -> None:
        qtbot.waitUntil(lambda: modal(BookingDialog) is not None, timeout=WAIT)
        dialog = modal(BookingDialog)
        cover = field(dialog, "Cover days", QLineEdit)
        seen["cover"], seen["placeholder"] = cover.text(), cover.placeholderText()
        type_into(qtbot, field(dialog, "Start date", QLineEdit), "18/12/2025")
        type_into(qtbot, field(dialog, "End date", QLineEdit), "22/12/2025")
        qtbot.waitUntil(lambda: "Cover 2 days × £291.00 = £582.00" in _summary(dialog), timeout=WAIT)
        click(qtbot, button(dialog, "Save booking"))

    table.setFocus()
    while_open(qtbot, lambda: qtbot.keyClick(table, Qt.Key.Key_F2), walk)
    assert (seen["cover"], seen["placeholder"]) == ("", "3 (school days in term)")
    with window.ctx.session() as s:
        saved = s.get(Booking, ident)
        assert (saved.start_date, saved.cover_days) == (dt.date(2025, 12, 18), 2.0)  # 18 and 19/12; not the 22nd


def test_a_non_teaching_day_left_in_the_holidays_by_new_term_dates_says_so(qtbot: QtBot, school_window: Any) -> None:
    from cpd_desktop.services.non_teaching_days import add_non_teaching_day

    window = school_window
    _set_up(window)
    with window.ctx.session() as s:
        add_non_teaching_day(s, window.ctx.school(s), "05/01/2026", "INSET: curriculum planning")
    go_to_view(qtbot, window, "Settings")
    _tab(qtbot, window, "Term dates")
    days = field(window, "Non-teaching days", QTableWidget)
    qtbot.waitUntil(lambda: days.rowCount() == 1, timeout=WAIT)
    assert days.item(0, 1).text() == "INSET: curriculum planning"
    type_into(qtbot, field(window, "Spring term starts", QLineEdit), "06/01/2026")
    click(qtbot, button(window, "Save term dates"))
    qtbot.waitUntil(lambda: "now in the holidays between terms" in days.item(0, 1).text(), timeout=WAIT)
