"""Settings → Term dates walked as a person walks it: a date typed that overlaps the term before is refused
beside the fields with the term and the field named, and Save waits; once right, Save keeps it and the year
is listed with its own dates. A colleague who saved the year's dates in between is not overwritten: the
person is told who, nothing of theirs is written, and their dates are shown to make the change again.

Controls are found by their visible text or accessible name and clicked or typed into; the database is
set up (or changed by the colleague) outside the window, and nothing calls a view's methods.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QTableWidget
from pytestqt.qtbot import QtBot

from cpd_desktop.services import schools
from cpd_desktop.services.years import AcademicYear

from .test_school_days_in_window import WAIT, _tab, button, click, field, go_to_view, type_into
from .test_several_people import other_person

YEAR = AcademicYear(2025)  # the window's today is 20/11/2025


def _saved(window: Any) -> dict[str, tuple[dt.date, dt.date]]:
    with window.ctx.session() as s:
        return schools.own_term_dates(s, window.ctx.school_id).get(YEAR.start_year, {})


def _message_beside_the_dates(window: Any) -> str:
    shown = [label.text() for label in window.findChildren(QLabel)
             if label.isVisible() and label.objectName() == "fieldError" and " term " in label.text()]
    return shown[0] if shown else ""


def _open_term_dates(qtbot: QtBot, window: Any) -> None:
    go_to_view(qtbot, window, "Settings")
    _tab(qtbot, window, "Term dates")
    qtbot.waitUntil(lambda: field(window, "Autumn term starts", QLineEdit).text() == "01/09/2025", timeout=WAIT)


def test_a_term_date_typed_in_settings_is_checked_then_saved(qtbot: QtBot, school_window: Any) -> None:
    window = school_window
    _open_term_dates(qtbot, window)
    save = button(window, "Save term dates")
    spring_starts = field(window, "Spring term starts", QLineEdit)

    type_into(qtbot, spring_starts, "15/12/2025")  # the usual autumn term runs to 31/12/2025
    qtbot.waitUntil(lambda: not save.isEnabled(), timeout=WAIT)
    assert _message_beside_the_dates(window).startswith(
        "Spring term start: 15/12/2025 is before the autumn term ends on 31/12/2025.")

    type_into(qtbot, field(window, "Autumn term ends", QLineEdit), "19/12/2025")
    type_into(qtbot, spring_starts, "05/01/2026")
    qtbot.waitUntil(save.isEnabled, timeout=WAIT)
    assert _message_beside_the_dates(window) == ""
    qtbot.keyClick(spring_starts, Qt.Key.Key_Tab)  # the person leaves the field, then clicks Save
    click(qtbot, save)

    years = field(window, "Years with their own term dates", QTableWidget)
    qtbot.waitUntil(lambda: years.rowCount() == 1 and years.item(0, 2) is not None
                    and years.item(0, 2).text().startswith("05/01/2026 – "), timeout=WAIT)
    assert years.item(0, 0).text() == "2025/26" and years.item(0, 1).text() == "01/09/2025 – 19/12/2025"
    assert window.statusBar().currentMessage() == "Term dates saved."
    saved = _saved(window)
    assert saved["autumn"] == (dt.date(2025, 9, 1), dt.date(2025, 12, 19))
    assert saved["spring"][0] == dt.date(2026, 1, 5)


def test_term_dates_a_colleague_saved_in_between_are_not_overwritten(qtbot: QtBot, school_window: Any, db: Any,
                                                                      shown_errors: list[dict[str, Any]]) -> None:
    window = school_window
    _open_term_dates(qtbot, window)
    type_into(qtbot, field(window, "Summer term ends", QLineEdit), "22/07/2026")  # my change, not saved yet

    def theirs(s: Any) -> None:
        schools.save_term_dates(s, window.ctx.school_id, YEAR, [("autumn", dt.date(2025, 9, 4), dt.date(2025, 12, 19))])

    other_person(db.path, theirs)
    click(qtbot, button(window, "Save term dates"))

    qtbot.waitUntil(lambda: len(shown_errors) == 1, timeout=WAIT)
    assert shown_errors[0]["message"].startswith("The term dates for 2025/26 were changed by j.okafor at ")
    assert "your change was not saved" in shown_errors[0]["message"]
    assert _saved(window) == {"autumn": (dt.date(2025, 9, 4), dt.date(2025, 12, 19))}  # theirs, none of mine
    summer_ends = field(window, "Summer term ends", QLineEdit)
    qtbot.waitUntil(lambda: field(window, "Autumn term starts", QLineEdit).text() == "04/09/2025", timeout=WAIT)
    assert summer_ends.text() == "31/08/2026"  # their version is shown: the usual summer end

    type_into(qtbot, summer_ends, "22/07/2026")  # made again, over their version: saved
    click(qtbot, button(window, "Save term dates"))
    qtbot.waitUntil(lambda: "summer" in _saved(window), timeout=WAIT)
    assert _saved(window)["summer"][1] == dt.date(2026, 7, 22)
    assert _saved(window)["autumn"][0] == dt.date(2025, 9, 4)
    assert len(shown_errors) == 1
