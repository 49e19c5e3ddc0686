"""The app as its users walk through it: first run, a new school, staff, bookings, cover, attendance,
evaluation, bursary claims, undo and redo, filters. Dialogs are filled as a person would type."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from cpd_desktop.models import (
    Activity,
    Booking,
    BursaryClaim,
    BursaryScheme,
    CoverLesson,
    SchoolPeriod,
    Staff,
    TermDates,
)
from cpd_desktop.services.lists.activities import overdue_in

from .conftest import TODAY, answer, set_fields


def test_first_run_shows_the_welcome_page(make_window: Any) -> None:
    from cpd_desktop.ui.app import start_target

    assert start_target(None) is None  # no database anywhere yet
    window = make_window()
    assert window.stack.currentWidget() is window.welcome
    assert window.windowTitle() == "CPD Desktop"
    assert window.welcome.create_button.accessibleName() == "Create a new school database"
    assert window.welcome.demo_button.isEnabled()
    assert not window.act_import.isEnabled() and not window.act_undo.isEnabled()


def test_new_school_wizard_sets_up_terms_periods_and_targets(make_window: Any, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.new_school import NewSchoolWizard

    window = make_window()
    wizard = NewSchoolWizard(window, today=TODAY)
    page = wizard.school_page
    page.name.setText("Hillside School")
    page.urn.setText("12ab")
    assert not page.isComplete() and "URN" in page.error.text()
    page.urn.setText("654321")
    page.file.setText(str(tmp_path / "hillside.sqlite"))
    assert page.isComplete()
    assert wizard.terms_page.isComplete()
    autumn_start, _ = wizard.terms_page.editor.edits["autumn"]
    assert autumn_start.text().endswith("/09/2025")
    page.phase.setCurrentIndex(page.phase.findData("primary"))
    assert wizard.targets_page.rate.text() == "£218.00"
    wizard.targets_page.target.setText("30")
    monkeypatch.setattr(NewSchoolWizard, "ask", classmethod(lambda cls, parent: wizard.make_school()))
    window.new_school()
    assert window.windowTitle() == "CPD Desktop — Hillside School"
    assert window.stack.currentWidget() is window.workspace
    with window.ctx.session() as s:
        school = window.ctx.school(s)
        assert school.cpd_target_hours == 30 and school.phase == "primary" and school.urn == "654321"
        assert s.scalar(select(func.count()).select_from(TermDates)) == 3
        assert s.scalar(select(func.count()).select_from(SchoolPeriod)) == 5
    window.close_database()


def test_add_staff_validates_as_you_type(school_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    dialog = StaffDialog(school_window.ctx)
    set_fields(dialog, {"forename": "Łukasz", "surname": "Zając", "staff_code": "LZA", "fte": "1.5"})
    assert not dialog.ok_button.isEnabled()
    assert "between 0 and 1" in dialog.error_text("fte") or "more than 1" in dialog.error_text("fte")
    set_fields(dialog, {"fte": "80%", "leaving_date": "31/02/2026"})
    assert dialog.error_text("fte") == ""
    assert dialog.error_text("leaving_date") and not dialog.ok_button.isEnabled()
    dialog.close()

    view = school_window.show_view("staff")
    answer(monkeypatch, StaffDialog, {"forename": "Łukasz", "surname": "Zając", "staff_code": "lza",
                                      "fte": "0.8", "department": "Physics", "ect_year": 1})
    view.add()
    assert view.model.rowCount() == 1
    row = view.model.row_values(0)
    assert row["name"] == "Zając, Łukasz" and row["code"] == "LZA" and row["department"] == "Physics"
    assert view.model.index(0, view.model.column_index("target")).data() == "28"  # 35 h × 0.8
    # the new department is offered in the filter at once
    assert school_window.dept_combo.findText("Physics") >= 0


def test_undo_and_redo_every_kind_of_change(school_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    ctx = school_window.ctx
    view = school_window.show_view("staff")
    answer(monkeypatch, StaffDialog, {"forename": "Priya", "surname": "Raman", "staff_code": "PRA"})
    view.add()
    with ctx.session() as s:
        staff_id = s.scalar(select(Staff.id))
    assert school_window.act_undo.isEnabled() and "Add member of staff" in school_window.act_undo.text()
    school_window.act_undo.trigger()
    assert view.model.rowCount() == 0
    school_window.act_redo.trigger()
    assert view.model.rowCount() == 1 and view.model.row_id(0) == staff_id  # the same record comes back

    view.panel.select_id(staff_id)
    answer(monkeypatch, StaffDialog, {"role": "Teacher of Science"})
    view.edit()
    assert view.model.row_values(0)["role"] == "Teacher of Science"
    ctx.undo()
    assert view.model.row_values(0)["role"] is None
    ctx.redo()
    assert view.model.row_values(0)["role"] == "Teacher of Science"

    view.panel.select_id(staff_id)
    view.delete()
    assert view.model.rowCount() == 0
    ctx.undo()
    assert view.model.rowCount() == 1


def test_undo_is_refused_when_someone_else_changed_the_record(school_window: Any, shown_errors: list,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.services.staff import update_staff
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    ctx = school_window.ctx
    view = school_window.show_view("staff")
    answer(monkeypatch, StaffDialog, {"forename": "Priya", "surname": "Raman", "staff_code": "PRA", "role": "Teacher"})
    view.add()
    with ctx.session() as s:  # another copy of the app changes her
        update_staff(s, s.scalar(select(Staff)), role="Head of Year")
    ctx.undo()
    assert shown_errors and "changed since" in shown_errors[-1]["message"]
    assert ctx.undo_stack.canUndo()  # the stack did not move
    assert view.model.rowCount() == 1


def _booking(ctx: Any, code: str, start: dt.date, *, status: str = "planned", days: int = 1, **values: Any) -> int:
    from cpd_desktop.services.bookings import create_booking, transition_booking

    with ctx.session() as s:
        staff = s.scalar(select(Staff).where(Staff.staff_code == code))
        values.setdefault("intended_outcomes", "Year 11 complete the practical endorsement unaided")
        b = create_booking(s, ctx.school(s), staff, title="Practical endorsement update", start_date=start,
                           end_date=start + dt.timedelta(days=days - 1), hours=6, cover_required=True, **values)
        for step in ("approved", "booked")[: ("planned", "approved", "booked").index(status)]:
            transition_booking(s, b, step, on=start - dt.timedelta(days=10))
        return b.id


def test_book_a_course_from_the_catalogue_with_costs_and_bursary_as_you_type(
        demo_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.models import Course
    from cpd_desktop.ui.dialogs.booking import BookingDialog

    ctx = demo_window.ctx
    with ctx.session() as s:
        course = s.scalar(select(Course).where(Course.code == "RP301"))
        course_id, scheme_id = course.id, course.bursary_scheme_id
        person = s.scalar(select(Staff).where(Staff.staff_code == "KME")).id
    assert scheme_id is not None

    def check(dialog: Any) -> None:
        assert dialog.fields["title"].widget.text().startswith("Practical physics")
        assert dialog.fields["fee"].widget.text() == "£650.00"
        assert dialog.fields["scheme_id"].getter() == scheme_id
        summary = dialog.summary.text()
        assert "Cover 3 days × £291.00 = £873.00" in summary
        assert "Bursary expected from" in summary
        dialog.fields["travel"].widget.setText("£1x")
        assert not dialog.ok_button.isEnabled() and dialog.error_text("travel")
        dialog.fields["travel"].widget.setText("£84.60")
        assert "Total £1,607.60" in dialog.summary.text()

    view = demo_window.show_view("planner")
    answer(monkeypatch, BookingDialog, {"staff_id": person, "start_date": "12/01/2026", "course_id": course_id,
                                        "intended_outcomes": "Year 10 set up circuits without help"}, check)
    new_id = view.add()
    assert new_id and view.panel.current_id() == new_id
    with ctx.session() as s:
        booking = s.get(Booking, new_id)
        assert booking.course_id == course_id and booking.end_date == dt.date(2026, 1, 14)
        assert str(booking.travel) == "84.60" and booking.cover_days == 3
        claim = s.scalar(select(BursaryClaim).where(BursaryClaim.booking_id == new_id))
        assert claim is not None and claim.status == "draft" and claim.expected > 0


def test_fill_cover_lessons_from_the_timetable_and_set_work(demo_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.dialogs.cover import CoverLessonDialog

    ctx = demo_window.ctx
    booking_id = _booking(ctx, "HMA", dt.date(2025, 12, 8), days=2)
    view = demo_window.show_view("cover")
    assert view.booking_panel.select_id(booking_id)
    assert view.lessons.rowCount() == 0 and "Fill from timetable" in view.empty_note.text()
    view.fill_button.click()
    with ctx.session() as s:
        lessons = s.scalars(select(CoverLesson).where(CoverLesson.booking_id == booking_id)).all()
        timetable = s.scalar(select(func.count()).select_from(__import__("cpd_desktop.models").models.TimetableLesson)
                             .where(__import__("cpd_desktop.models").models.TimetableLesson.staff_id == lessons[0].booking.staff_id))
    assert 0 < len(lessons) <= timetable
    assert {c.date for c in lessons} <= {dt.date(2025, 12, 8), dt.date(2025, 12, 9)}
    assert view.lessons.rowCount() == len(lessons)
    view.lesson_panel.table.selectRow(0)
    answer(monkeypatch, CoverLessonDialog, {"work_set": "Questions 1–6 on page 84", "materials_location":
                                            "Textbooks in the cupboard in S4", "work_return": "collected"})
    view.edit_lesson()
    first = view.lessons.row_values(0)
    assert first["work_set"] == "Questions 1–6 on page 84" and first["work_return"] == "collected"


def test_mark_attended_logs_the_cpd_and_asks_for_the_evaluation(demo_window: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.dialogs.activity import EvaluationDialog

    ctx = demo_window.ctx
    booking_id = _booking(ctx, "PRA", dt.date(2025, 11, 17), status="booked")
    view = demo_window.show_view("planner")
    assert view.panel.select_id(booking_id)
    assert view.move_buttons["attended"].isEnabled() and not view.move_buttons["approved"].isEnabled()
    asked = answer(monkeypatch, EvaluationDialog, {"impact": "I now run the practical in pairs with a checklist.",
                                                   "confidence": 4})
    view.move("attended")
    assert asked, "the evaluation was not asked for"
    with ctx.session() as s:
        activity = s.scalar(select(Activity).where(Activity.booking_id == booking_id))
        assert activity is not None and activity.hours == 6
        assert activity.evaluated_on == TODAY and activity.impact_confidence == 4
        assert s.get(Booking, booking_id).status == "attended"
    ctx.undo()  # the evaluation
    ctx.undo()  # the attendance
    with ctx.session() as s:
        assert s.scalar(select(Activity).where(Activity.booking_id == booking_id)) is None
        assert s.get(Booking, booking_id).status == "booked"


def test_raise_and_advance_a_bursary_claim(demo_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.services.bookings import mark_attended
    from cpd_desktop.ui.dialogs.claims import ClaimStatusDialog, NewClaimDialog

    ctx = demo_window.ctx
    booking_id = _booking(ctx, "LZA", dt.date(2025, 11, 10), status="booked", days=3, fee=495)
    with ctx.session() as s:
        mark_attended(s, s.get(Booking, booking_id), on=TODAY)
        scheme_id = s.scalar(select(BursaryScheme.id).where(BursaryScheme.rule == "per_day"))
    view = demo_window.show_view("bursaries")
    answer(monkeypatch, NewClaimDialog, {"booking_id": booking_id, "scheme_id": scheme_id})
    claim_id = view.new_claim()
    assert claim_id and view.claim_panel.current_id() == claim_id
    for status, extra in (("submitted", {"reference": "ENT-2025-114"}), ("approved", {}),
                          ("paid", {"amount": "£600.00"})):
        answer(monkeypatch, ClaimStatusDialog, {"status": status, **extra})
        view.move()
    with ctx.session() as s:
        claim = s.get(BursaryClaim, claim_id)
        assert claim.status == "paid" and claim.reference == "ENT-2025-114"
        assert claim.received == 600 and claim.paid_on == TODAY
    view.evidence["invoice"].click()
    with ctx.session() as s:
        assert s.get(BursaryClaim, claim_id).evidence_invoice is True
    assert "Paid" in view.cards["paid"].caption.text() or "claim" in view.cards["paid"].caption.text()


def test_department_and_year_filters_apply_to_every_view(demo_window: Any) -> None:
    log = demo_window.show_view("log")
    before = log.model.count()
    demo_window.dept_combo.setCurrentIndex(demo_window.dept_combo.findText("Physics"))
    log.model.fetch_all()
    assert 0 < log.model.rowCount() < before
    assert {log.model.row_values(r)["department"] for r in range(log.model.rowCount())} == {"Physics"}
    staff = demo_window.show_view("staff")
    assert {staff.model.row_values(r)["department"] for r in range(staff.model.rowCount())} == {"Physics"}
    demo_window.year_combo.setCurrentIndex(demo_window.year_combo.findText("2024/25"))
    demo_window.show_view("log")
    log.model.fetch_all()
    dates = [log.model.row_values(r)["date"] for r in range(log.model.rowCount())]
    assert dates and all(dt.date(2024, 9, 1) <= d <= dt.date(2025, 8, 31) for d in dates)


def test_dashboard_figures_click_through_to_their_records(demo_window: Any, qtbot: Any) -> None:
    view = demo_window.show_view("dashboard")
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    assert " h of " in view.card_hours.value.text()
    assert view.chart.rows and view.upcoming.count() > 0
    overdue = view.data.overdue
    view.card_overdue.clicked.emit()
    log = demo_window.current_view()
    assert log is demo_window.pages["log"]
    assert log.evaluation_filter.currentData() == "overdue"
    log.model.fetch_all()
    # The card counts stages (an activity may be late with two); the rows name each one.
    stages = [log.model.row_values(r)["evaluation"] for r in range(log.model.rowCount())]
    assert 0 < log.model.rowCount() <= overdue == sum(overdue_in(s) for s in stages)


def test_errors_tell_a_user_error_from_a_bug(make_window: Any, shown_errors: list) -> None:
    from cpd_desktop.errors import ValidationError
    from cpd_desktop.logs import log_file
    from cpd_desktop.ui.errors import show_error

    window = make_window()
    show_error(window, ValidationError("Start date", "31/02/2026 is not a date.", hint="Write it as dd/mm/yyyy."))
    assert shown_errors[-1]["message"] == "Start date: 31/02/2026 is not a date."
    assert not shown_errors[-1]["is_bug"] and shown_errors[-1]["hint"] == "Write it as dd/mm/yyyy."
    try:
        raise ZeroDivisionError("oops")
    except ZeroDivisionError as exc:
        show_error(window, exc)
    bug = shown_errors.pop()
    assert bug["is_bug"] and str(log_file()) in bug["hint"] and "ZeroDivisionError" in bug["details"]


def test_open_a_missing_database_says_so(make_window: Any, tmp_path: Path, shown_errors: list) -> None:
    window = make_window()
    assert not window.open_database(str(tmp_path / "nowhere.sqlite"))
    assert "no CPD database" in shown_errors[-1]["message"]
    assert window.stack.currentWidget() is window.welcome
