"""More of the window as people use it: opening in the background, demo data, exports with
progress, the cover sheet button, settings, the audit trail and the calendar."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from cpd_desktop.models import Booking, TermDates

from .conftest import TODAY, set_fields


def test_the_window_opens_the_database_in_the_background(make_window: Any, demo_file: Path, tmp_path: Path,
                                                          qtbot: Any) -> None:
    path = tmp_path / "school.sqlite"
    shutil.copy(demo_file, path)
    window = make_window()
    with qtbot.waitSignal(window.database_opened, timeout=20_000):
        window.open_database_in_background(str(path))
        assert "Opening" in window.welcome.status.text()  # the window answers while it opens
    assert window.windowTitle() == "CPD Desktop — Ashcombe Park Academy (demo data)"
    assert window.demo_badge.isVisibleTo(window)
    from cpd_desktop.ui import settings

    assert settings.last_database() == str(path)
    window.close_database()


def test_explore_with_demo_data_from_the_welcome_page(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    with qtbot.waitSignal(window.database_opened, timeout=60_000):
        window.welcome.demo_button.click()
    assert "(demo data)" in window.windowTitle()
    assert window.ctx.db.path.name == "demo.sqlite"
    window.close_database()


def test_reports_preview_then_export_in_the_background(demo_window: Any, tmp_path: Path, qtbot: Any) -> None:
    view = demo_window.show_view("reports")
    qtbot.waitUntil(lambda: view.previewed is not None, timeout=10_000)
    assert view.previewed.title.startswith("Department CPD summary")
    figures = dict(view.previewed.figures)
    assert int(figures["Staff in the target"]) > 0 and float(figures["Hours"].replace(",", "")) > 0
    out = tmp_path / "summary.pdf"
    job = view.export(output=str(out))
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    assert job.error is None
    assert out.exists() and PdfReader(str(out)).pages
    assert "Ashcombe Park Academy" in PdfReader(str(out)).pages[0].extract_text()


def test_cover_sheet_button_writes_the_release_cover_pdf(demo_window: Any, tmp_path: Path, qtbot: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui import exporting

    out = tmp_path / "cover.pdf"
    monkeypatch.setattr(exporting.SaveAs, "ask", classmethod(lambda cls, *a: str(out)))
    jobs: list[Any] = []
    real = exporting.run_with_progress
    monkeypatch.setattr(exporting, "run_with_progress", lambda *a, **k: jobs.append(real(*a, **k)) or jobs[-1])
    view = demo_window.show_view("cover")
    assert view.booking_id() is not None and view.lessons.rowCount() > 0
    view.pdf_button.click()
    with qtbot.waitSignal(jobs[0].finished, timeout=60_000):
        pass
    text = PdfReader(str(out)).pages[0].extract_text()
    with demo_window.ctx.session() as s:
        booking = s.get(Booking, view.booking_id())
        assert booking.staff.surname in text


def test_settings_save_targets_and_term_dates_undoably(demo_window: Any) -> None:
    view = demo_window.show_view("settings")
    form = view.school_form
    form.widgets["cpd_target_hours"].setText("40")
    form.widgets["supply_day_rate"].setText("£3x0")
    assert not form.save_button.isEnabled() and form.errors["supply_day_rate"].text()
    form.widgets["supply_day_rate"].setText("£300.00")
    form.save_button.click()
    with demo_window.ctx.session() as s:
        school = demo_window.ctx.school(s)
        assert school.cpd_target_hours == 40 and school.supply_day_rate == 300
    terms = view.terms_form
    start, end = terms.editor.edits["spring"]
    start.setText("06/01/2026")
    end.setText("02/01/2026")
    assert not terms.save_button.isEnabled()
    end.setText("27/03/2026")
    terms.save_button.click()
    with demo_window.ctx.session() as s:
        spring = s.scalar(select(TermDates).where(TermDates.term == "spring", TermDates.academic_year == 2025))
        assert (spring.start_date, spring.end_date) == (dt.date(2026, 1, 6), dt.date(2026, 3, 27))
    demo_window.ctx.undo()
    demo_window.ctx.undo()
    with demo_window.ctx.session() as s:
        assert demo_window.ctx.school(s).cpd_target_hours == 35


def test_audit_trail_shows_each_change_with_its_values(demo_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    from .conftest import answer

    staff = demo_window.show_view("staff")
    staff.panel.select_id(staff.model.row_id(0))
    answer(monkeypatch, StaffDialog, {"role": "Head of Year 9"})
    staff.edit()
    audit = demo_window.show_view("audit")
    first = audit.model.row_values(0)
    assert first["action"] == "update" and "Role" in first["summary"]
    audit.panel.table.selectRow(0)
    assert "Head of Year 9" in audit.detail.text() and "→" in audit.detail.text()


def test_month_calendar_shows_bookings_and_opens_them(demo_window: Any) -> None:
    view = demo_window.show_view("planner")
    view.tabs.setCurrentIndex(1)
    view.go_month(TODAY.year, TODAY.month)
    assert view.month_label.text() == "November 2025"
    assert view.calendar.bookings, "the month's bookings are drawn"
    ident = view.calendar.bookings[0][0]
    view.calendar.booking_clicked.emit(ident)
    assert view.tabs.currentIndex() == 0 and view.panel.current_id() == ident


def test_find_shortcut_goes_to_the_search_box_and_escape_clears_it(demo_window: Any, qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    view = demo_window.show_view("log")
    demo_window.act_find.trigger()
    box = view.panel.search
    qtbot.keyClicks(box, "safeguarding")
    box.flush()
    view.model.fetch_all()
    assert 0 < view.model.rowCount() and all(
        "safeguarding" in view.model.row_values(r)["title"].lower() for r in range(view.model.rowCount()))
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == "" and view.model.search_text == ""


def test_booking_dialog_refuses_an_end_before_the_start(demo_window: Any) -> None:
    from cpd_desktop.ui.dialogs.booking import BookingDialog

    dialog = BookingDialog(demo_window.ctx)
    set_fields(dialog, {"title": "Required practicals", "hours": "6", "start_date": "12/01/2026",
                        "end_date": "09/01/2026"})
    assert not dialog.ok_button.isEnabled()
    assert "before the start" in dialog.error_text("end_date")
    dialog.close()


def test_a_database_open_in_another_copy_can_be_opened_read_only(make_window: Any, demo_file: Path,
                                                                  tmp_path: Path, shown_errors: list,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.prompts import LockedChoice

    path = tmp_path / "shared.sqlite"
    shutil.copy(demo_file, path)
    first = make_window()
    assert first.open_database(str(path))
    asked: list[str] = []
    monkeypatch.setattr(LockedChoice, "ask", classmethod(lambda cls, parent, message, hint: asked.append(message)
                                                         or "readonly"))
    second = make_window()
    assert second.open_database(str(path))
    assert asked and ("open in CPD Desktop" in asked[0] or "already open" in asked[0])
    assert second.windowTitle().endswith("(read-only)")
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    from .conftest import answer

    staff = second.show_view("staff")
    staff.panel.select_id(staff.model.row_id(0))
    seen = answer(monkeypatch, StaffDialog, {"role": "Head of Year 7"})
    staff.edit()  # refused with a message in the dialog, which keeps what was typed; nothing written
    assert "read-only" in seen[-1].form_error.text().lower()
    assert seen[-1].fields["role"].getter() == "Head of Year 7"
    assert staff.model.row_values(0)["role"] != "Head of Year 7"
    second.close_database()
    first.close_database()


def test_uncaught_exceptions_and_qt_messages_reach_the_person_and_the_log(
        make_window: Any, shown_errors: list, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from PySide6.QtCore import QtMsgType

    from cpd_desktop.ui import errors

    make_window()
    try:
        raise KeyError("missing")
    except KeyError as exc:
        errors._excepthook(KeyError, exc, exc.__traceback__)
    bug = shown_errors.pop()
    assert bug["is_bug"] and "KeyError" in bug["message"] and "log file" in bug["hint"]
    with caplog.at_level(logging.INFO, logger="cpd_desktop.qt"):
        errors.qt_message_handler(QtMsgType.QtCriticalMsg, None, "QPainter::begin: Paint device returned engine == 0")
        errors.qt_message_handler(QtMsgType.QtWarningMsg, None, "This plugin does not support propagateSizeHints()")
    records = [r for r in caplog.records if r.name == "cpd_desktop.qt"]
    assert [r.levelno for r in records] == [logging.ERROR]
