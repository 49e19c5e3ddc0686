"""Dialogs a person can drive by the keyboard alone, that always say why Save is greyed or refused, and lists
that open a row with Enter as with a double-click. The demo school is built for 20/11/2025, which the window
takes as today."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPlainTextEdit, QScrollArea, QWidget

from .conftest import (
    TODAY,
    answering,
    cell,
    choose,
    click,
    click_row,
    find_button,
    find_field,
    find_table,
    go_to,
    press,
    type_into,
    type_text,
)


def _reasons(root: QWidget) -> list[QLabel]:
    """The red reasons on screen under the fields of ``root``."""
    return [lbl for lbl in root.findChildren(QLabel)
            if lbl.objectName() == "fieldError" and lbl.isVisible() and lbl.text()]


def _reason_under(field: QWidget, root: QWidget) -> QLabel:
    """The reason shown just below ``field`` (the nearest one beneath it)."""
    bottom = field.mapTo(root, QPoint(0, field.height())).y()
    below = [(lbl.mapTo(root, QPoint(0, 0)).y() - bottom, lbl) for lbl in _reasons(root)
             if lbl.mapTo(root, QPoint(0, 0)).y() >= bottom - 2]
    assert below, f"no reason under {field.accessibleName()!r}"
    return min(below, key=lambda pair: pair[0])[1]


def _in_sight(widget: QWidget, area: QScrollArea) -> bool:
    """Whether the whole of ``widget`` is inside the part of the scroll area on screen."""
    viewport = area.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


def test_moving_a_claim_on_before_its_course_says_why_save_is_greyed(window: Any, qtbot: Any) -> None:
    """Submitting a claim on 20/11/2025 for a course that starts next year: the date was filled in for the
    person and they did not touch it, yet Save is greyed; the reason is beside the date, not hidden."""
    page = go_to(qtbot, window, "Bursaries")
    claims = find_table("claims", page)
    choose(qtbot, find_field("Claim status", page), "Draft")
    qtbot.waitUntil(lambda: claims.model().rowCount() > 0)
    later = [r for r in range(claims.model().rowCount()) if cell(claims, r, "Status") == "Draft"
             and dt.datetime.strptime(cell(claims, r, "Course date"), "%d/%m/%Y").date() > TODAY]
    assert later, "the demo has a draft claim for a course still to come"
    click_row(qtbot, claims, cell(claims, later[0], "Course"), cell(claims, later[0], "Member of staff"), "Draft")
    seen: dict[str, Any] = {}

    def move_on(dialog: Any) -> None:
        assert find_field("New status", dialog).currentText() == "Submitted"
        date = find_field("Date", dialog)
        assert date.text() == "20/11/2025"  # filled in: today
        save = find_button("Save", dialog)
        qtbot.waitUntil(lambda: not save.isEnabled())
        reason = _reason_under(date, dialog)
        seen["reason"] = reason.text()
        seen["tip"] = save.toolTip()
        starts = re.match(r"Submitted 20/11/2025 is before the course starts on (\d\d/\d\d/\d{4})", reason.text())
        assert starts, reason.text()
        type_into(qtbot, date, starts.group(1))  # the day the course starts: Save opens, the reason goes
        qtbot.waitUntil(save.isEnabled)
        assert not reason.isVisible()
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, move_on, title="Move claim on"):
        click(qtbot, find_button("Move on", page))
    assert "before the course starts" in seen["tip"]  # resting the pointer on the greyed Save says it too


def test_a_refused_booking_shows_its_reason_in_sight_and_goes_to_the_field(window: Any, qtbot: Any) -> None:
    """Book CPD with a fee and no intended outcome: Save booking is refused. The reason, a sentence naming the
    field, is scrolled into sight under the field (far down the form), and the keyboard is in that field."""
    page = go_to(qtbot, window, "Planner")
    seen: dict[str, Any] = {}

    def book(dialog: Any) -> None:
        dialog.resize(dialog.width(), 520)  # a laptop's screen: the form scrolls
        area = dialog.findChild(QScrollArea)
        type_into(qtbot, find_field("Title", dialog), "Practical endorsement moderation")
        type_into(qtbot, find_field("Hours", dialog), "6")
        type_into(qtbot, find_field("Course fee", dialog), "£95.00")
        outcome = find_field("Intended outcome", dialog, QPlainTextEdit)
        save = find_button("Save booking", dialog)
        click(qtbot, save)
        qtbot.waitUntil(lambda: any(lbl.text().startswith("Intended outcome is required") for lbl in _reasons(dialog)))
        reason = next(lbl for lbl in _reasons(dialog) if lbl.text().startswith("Intended outcome"))
        seen["reason"] = reason.text()
        assert area.verticalScrollBar().maximum() > 0  # there was something to scroll
        qtbot.waitUntil(lambda: _in_sight(reason, area) and _in_sight(outcome, area))
        assert outcome.hasFocus()
        type_text(qtbot, outcome, "Year 13 write up the endorsement practicals unaided")  # straight in
        qtbot.waitUntil(lambda: not reason.isVisible())
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, book, title="Book CPD"):
        click(qtbot, find_button("Book CPD…", page))
    assert seen["reason"].startswith("Intended outcome is required for a booking that costs money")


def test_a_dialog_opened_with_insert_takes_typing_in_its_first_field_and_tab_goes_down(window: Any,
                                                                                         qtbot: Any) -> None:
    """Insert in Staff: what is typed goes into Forename at once (not into the area that scrolls the fields);
    Tab then goes down the fields in order and, after the last, to Save and Cancel."""
    go_to(qtbot, window, "Staff")
    table = find_table("staff")
    seen: dict[str, Any] = {}

    def add(dialog: Any) -> None:
        forename = find_field("Forename", dialog)
        qtbot.waitUntil(forename.hasFocus)
        type_text(qtbot, QApplication.focusWidget(), "Siobhán")  # typed without clicking anywhere
        seen["forename"] = forename.text()
        order = [plain_name(QApplication.focusWidget())]
        for typed in ("Ó Dálaigh", "SOD"):  # Tab, type; Tab, type: the next fields take it
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            type_text(qtbot, QApplication.focusWidget(), typed)
            order.append(plain_name(QApplication.focusWidget()))
        seen["surname"] = find_field("Surname", dialog).text()
        while order[-1] != "Cancel" and len(order) < 30:
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            order.append(plain_name(QApplication.focusWidget()))
        seen["order"] = order
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, add, title="Add a member of staff"):
        press(qtbot, table, Qt.Key.Key_Insert)
    assert seen["forename"] == "Siobhán"
    assert seen["surname"] == "Ó Dálaigh"
    assert seen["order"] == ["Forename", "Surname", "Staff code", "Email", "Role", "Department", "FTE", "ECT",
                             "Counts in the teachers' CPD target", "Start date", "Leaving date", "Notes",
                             "Save", "Cancel"]


def plain_name(widget: QWidget | None) -> str:
    if widget is None:
        return ""
    if isinstance(widget.parent(), QWidget) and not widget.accessibleName() and widget.parent().accessibleName():
        widget = widget.parent()  # an editable list's line: the list
    text = widget.accessibleName() or getattr(widget, "text", lambda: "")()
    return text.replace("&", "").strip()


def test_enter_on_a_row_opens_it_as_a_double_click_does(window: Any, qtbot: Any) -> None:
    """The CPD log and the Planner: Return on the chosen row opens Edit, as a double-click does."""
    page = go_to(qtbot, window, "CPD log")
    log = find_table("cpd log", page)
    qtbot.waitUntil(lambda: log.model().rowCount() > 0)
    activity = cell(log, 0, "Activity")
    click_row(qtbot, log, activity)
    seen: list[str] = []

    def look(dialog: Any) -> None:
        seen.append(find_field("Title", dialog).text())
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, look, title="Edit CPD activity"):
        press(qtbot, log, Qt.Key.Key_Return)
    assert seen == [activity]

    page = go_to(qtbot, window, "Planner")
    bookings = find_table("bookings", page)
    qtbot.waitUntil(lambda: bookings.model().rowCount() > 0)
    course = cell(bookings, 0, "Course")
    click_row(qtbot, bookings, course)
    with answering(qtbot, look, title="Edit booking"):
        press(qtbot, bookings, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)  # the keypad's Enter too
    assert seen[1] == course


def test_school_settings_reasons_wrap_inside_the_form_and_the_fields_keep_their_size(window: Any,
                                                                                       qtbot: Any) -> None:
    """Settings › School and targets with five bad values on a narrow window: each reason wraps inside the
    form (none runs past its right edge), no field is squeezed shorter than its text, and the form scrolls."""
    window.resize(1000, 728)
    page = go_to(qtbot, window, "Settings")
    bad = {"URN": "12AB", "CPD target (hours a year, full-time)": "-5",
           "Subject-specific share to aim for (%)": "150", "Supply cover per day": "£abc",
           "Week A starts on (a Monday; two-week timetable)": "05/09/2023"}
    for name, text in bad.items():
        type_into(qtbot, find_field(name, page, QLineEdit), text)
    qtbot.waitUntil(lambda: len(_reasons(page)) == len(bad))
    area = next(a for a in page.findChildren(QScrollArea) if a.isVisible() and a.widget().isAncestorOf(
        find_field("URN", page, QLineEdit)))
    form_width = area.viewport().width()
    for name in bad:
        field = find_field(name, page, QLineEdit)
        area.ensureWidgetVisible(field)
        reason = _reason_under(field, page)
        right = reason.mapTo(area.viewport(), QPoint(reason.width(), 0)).x()
        assert right <= form_width, (name, right, form_width)
        qtbot.waitUntil(lambda r=reason: r.height() >= r.heightForWidth(r.width()))  # every line of it shows
        assert field.height() >= field.sizeHint().height(), name  # the field is not squeezed
    urn_reason = _reason_under(find_field("URN", page, QLineEdit), page)
    assert urn_reason.height() > 1.5 * urn_reason.fontMetrics().height()  # the long one took a second line
    assert "Enter an amount in pounds and pence, such as 12.50." in _reason_under(
        find_field("Supply cover per day", page, QLineEdit), page).text()
    assert area.verticalScrollBar().maximum() > 0
    assert not find_button("Save school settings", page).isEnabled()
