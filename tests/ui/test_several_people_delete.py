"""Several people at once, deleting: a delete (or a cancel) is checked against the row the person
saw. If somebody else changed the record since, the conflict dialog shows their version beside the
row as seen and nothing is deleted unless the person says so; a record somebody else already
deleted gets a plain message (never a bug dialog) and the list is refreshed. The periods of the day
are saved against the versions the form showed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from cpd_desktop.models import Activity, Booking, CoverLesson, Department, SchoolPeriod, Staff
from cpd_desktop.services import activities, bookings, settings_lists
from cpd_desktop.services import staff as staff_service

from .conftest import TODAY
from .test_several_people import conflicts, other_person

__all__ = ["conflicts"]


def _add_person(ctx: Any, code: str = "SOD", role: str = "Teacher of Biology") -> int:
    with ctx.session() as s:
        return int(staff_service.add_staff(s, ctx.school(s), forename="Siobhán", surname="Ó Dálaigh",
                                           staff_code=code, role=role).id)


def _exists(ctx: Any, model: type, ident: int) -> bool:
    with ctx.session() as s:
        return s.get(model, ident) is not None


def test_a_delete_after_somebody_elses_change_shows_it_and_deletes_nothing(school_window: Any, db: Any,
                                                                           conflicts: Any) -> None:
    ctx = school_window.ctx
    ident = _add_person(ctx)
    view = school_window.show_view("staff")
    assert view.panel.select_id(ident)  # person A is looking at the row
    other_person(db.path, lambda s: staff_service.update_staff(s, s.get(Staff, ident), role="Head of Biology"))
    shown = conflicts("reload")
    view.delete()
    assert len(shown) == 1
    conflict = shown[0]
    assert conflict.action == "delete" and conflict.changed_by == "j.okafor"
    assert dt.datetime.strptime(conflict.changed_at, "%H:%M on %d/%m/%Y")
    assert [r[0] for r in conflict.differences] == ["Role"]
    assert ("Role", "Head of Biology", "Teacher of Biology") in conflict.rows  # theirs beside the row as seen
    assert _exists(ctx, Staff, ident)
    assert ctx.undo_stack.count() == 0
    assert view.model.row_values(view.model.row_of_id(ident))["role"] == "Head of Biology"  # reloaded
    assert "nothing was deleted" in school_window.statusBar().currentMessage()

    # Having seen their change, the person deletes it after all; undo brings it back as they left it.
    shown = conflicts("overwrite")
    other_person(db.path, lambda s: staff_service.update_staff(s, s.get(Staff, ident), role="Head of Science"))
    view.panel.select_id(ident)
    view.delete()
    assert len(shown) == 1 and not _exists(ctx, Staff, ident)
    ctx.undo()
    with ctx.session() as s:
        assert s.get(Staff, ident).role == "Head of Science"
    ctx.redo()
    assert not _exists(ctx, Staff, ident)


def test_a_delete_of_an_unchanged_row_goes_ahead_and_undoes(school_window: Any, conflicts: Any) -> None:
    ctx = school_window.ctx
    ident = _add_person(ctx)
    view = school_window.show_view("staff")
    view.panel.select_id(ident)
    shown = conflicts("reload")
    view.delete()
    assert not shown and not _exists(ctx, Staff, ident)
    ctx.undo()
    assert _exists(ctx, Staff, ident)
    assert view.model.row_of_id(ident) >= 0


def test_a_row_somebody_else_deleted_gets_a_plain_message(school_window: Any, db: Any, shown_errors: Any) -> None:
    ctx = school_window.ctx
    ident = _add_person(ctx)
    view = school_window.show_view("staff")
    view.panel.select_id(ident)
    other_person(db.path, lambda s: staff_service.delete_staff(s, s.get(Staff, ident)))
    view.delete()
    assert len(shown_errors) == 1 and not shown_errors[0].get("is_bug")
    assert shown_errors[0]["message"] == ("The member of staff Ó Dálaigh, Siobhán was deleted by someone else "
                                          "since you looked at it, so there is nothing to delete.")
    assert "refreshed" in shown_errors[0]["hint"]
    assert view.model.row_of_id(ident) < 0  # the list shows what is there now
    assert ctx.undo_stack.count() == 0


def _log_with_two(window: Any) -> tuple[Any, list[int]]:
    ctx = window.ctx
    with ctx.session() as s:
        school = ctx.school(s)
        person = staff_service.add_staff(s, school, forename="Ana", surname="Lima", staff_code="ALI")
        ids = [activities.add_activity(s, school, person, title=title, date=TODAY - dt.timedelta(days=n),
                                       hours="2").id for n, title in enumerate(("Questioning", "Retrieval practice"))]
    view = window.show_view("log")
    for ident in ids:
        assert view.panel.select_id(ident)
    view.panel.table.selectAll()
    assert sorted(view.panel.selected_ids()) == sorted(ids)
    return view, ids


def test_deleting_several_activities_is_refused_whole_when_one_changed(school_window: Any, db: Any,
                                                                      shown_errors: Any) -> None:
    ctx = school_window.ctx
    view, ids = _log_with_two(school_window)
    other_person(db.path, lambda s: activities.update_activity(s, s.get(Activity, ids[1]), hours="3"))
    view.delete()
    assert len(shown_errors) == 1 and not shown_errors[0].get("is_bug")
    assert shown_errors[0]["message"].startswith("CPD activity Retrieval practice was changed by j.okafor at ")
    assert shown_errors[0]["message"].endswith("so it was not deleted.")
    assert all(_exists(ctx, Activity, i) for i in ids)  # neither: one change, refused whole
    assert ctx.undo_stack.count() == 0
    row = view.model.row_of_id(ids[1])
    assert row >= 0 and view.model.row_version(ids[1]) == 2  # refreshed: the person can choose again
    view.panel.table.selectAll()
    view.delete()
    assert not any(_exists(ctx, Activity, i) for i in ids)
    ctx.undo()
    assert all(_exists(ctx, Activity, i) for i in ids)


def test_deleting_an_activity_somebody_else_deleted(school_window: Any, db: Any, shown_errors: Any) -> None:
    view, ids = _log_with_two(school_window)
    view.panel.select_id(ids[0])
    other_person(db.path, lambda s: activities.delete_activity(s, s.get(Activity, ids[0])))
    view.delete()
    assert len(shown_errors) == 1 and not shown_errors[0].get("is_bug")
    assert "The CPD activity “Questioning” was deleted by someone else" in shown_errors[0]["message"]
    assert view.model.row_of_id(ids[0]) < 0 and view.model.row_of_id(ids[1]) >= 0


def test_settings_lists_deletes_are_checked(school_window: Any, db: Any, conflicts: Any,
                                            shown_errors: Any) -> None:
    from .test_settings_lists import _names, _select

    view = school_window.show_view("settings")
    _select(view, "department", "Science")
    ident = view.list_panels["department"].current_id()
    other_person(db.path, lambda s: settings_lists.rename_department(s, s.get(Department, ident), "Sciences"))
    shown = conflicts("reload")
    view.delete_item("department")
    assert [(c.record, c.differences) for c in shown] == [
        ("Department Sciences", [("Department", "Sciences", "Science")])]
    assert _names(view.departments) == ["Sciences"]
    _select(view, "department", "Sciences")
    other_person(db.path, lambda s: settings_lists.delete_department(s, s.get(Department, ident)))
    view.delete_item("department")
    assert not shown_errors[-1].get("is_bug")
    assert shown_errors[-1]["message"].startswith("The department “Sciences” was deleted by someone else")
    assert _names(view.departments) == []


def test_a_cover_lesson_and_a_booking_cancel_are_checked(school_window: Any, db: Any, conflicts: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.dialogs import booking as booking_dialogs

    ctx = school_window.ctx
    day = TODAY + dt.timedelta(days=7)
    with ctx.session() as s:
        person = staff_service.add_staff(s, ctx.school(s), forename="Ana", surname="Lima", staff_code="ALI")
        booking = bookings.create_booking(s, ctx.school(s), person, title="Practical physics", start_date=day,
                                          hours="6", cover_required=True,
                                          intended_outcomes="Pupils carry out the practical with less help")
        lesson = bookings.add_cover_lesson(s, booking, date=day, period=2, class_group="9X1", subject="Science")
        booking_id, lesson_id = booking.id, lesson.id
    cover = school_window.show_view("cover")
    assert cover.booking_panel.select_id(booking_id)
    assert cover.lesson_panel.select_id(lesson_id)
    other_person(db.path, lambda s: bookings.update_cover_lesson(s, s.get(CoverLesson, lesson_id), work_set="p. 42"))
    shown = conflicts("reload")
    cover.delete_lesson()
    assert len(shown) == 1 and shown[0].action == "delete" and _exists(ctx, CoverLesson, lesson_id)

    planner = school_window.show_view("planner")
    assert planner.panel.select_id(booking_id)
    other_person(db.path, lambda s: bookings.update_booking(s, s.get(Booking, booking_id), title="Practical science"))
    monkeypatch.setattr(booking_dialogs.CancelDialog, "ask", classmethod(lambda cls, *a, save=None, **k: save("Illness")))
    planner.move("cancelled")
    assert len(shown) == 2 and shown[1].action == "cancel"
    assert shown[1].differences == [("Course", "Practical science", "Practical physics")]
    with ctx.session() as s:
        assert s.get(Booking, booking_id).status == "planned"


def test_periods_saved_over_somebody_elses_change_are_refused(school_window: Any, db: Any,
                                                              shown_errors: Any) -> None:
    ctx = school_window.ctx
    view = school_window.show_view("settings")
    form = view.periods_form
    form.editor.table.item(0, 1).setText("08:45")  # person A edits P1's start

    def theirs(s: Any) -> None:
        period = s.scalar(select(SchoolPeriod).where(SchoolPeriod.school_id == ctx.school_id,
                                                     SchoolPeriod.number == 3))
        period.label = "Break"

    other_person(db.path, theirs)
    form.save()
    assert len(shown_errors) == 1 and not shown_errors[0].get("is_bug")
    assert shown_errors[0]["message"].startswith("The periods of the day were changed by j.okafor at ")
    with ctx.session() as s:
        periods = sorted(ctx.school(s).periods, key=lambda p: p.number)
        assert periods[0].start_time == dt.time(8, 50) and periods[2].label == "Break"
    assert form.editor.table.item(2, 0).text() == "Break"  # their version is shown now
    form.editor.table.item(0, 1).setText("08:45")
    form.save()  # against the version now shown: saved
    assert len(shown_errors) == 1
    with ctx.session() as s:
        assert sorted(ctx.school(s).periods, key=lambda p: p.number)[0].start_time == dt.time(8, 45)
    ctx.undo()
    with ctx.session() as s:
        assert sorted(ctx.school(s).periods, key=lambda p: p.number)[0].start_time == dt.time(8, 50)


def test_the_conflict_dialog_for_a_delete_says_nothing_was_deleted(qtbot: Any) -> None:
    from PySide6.QtWidgets import QLabel

    from cpd_desktop.ui.conflict import Conflict, ConflictDialog

    conflict = Conflict("Staff member SOD", "j.okafor", "10:42 on 20/11/2025",
                        [("Code", "SOD", "SOD"), ("Role", "Head of Biology", "Teacher of Biology")], "delete")
    dialog = ConflictDialog(conflict)
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Changed by j.okafor at 10:42 on 20/11/2025 since you looked at it" in texts
    assert "Staff member SOD: it has not been deleted. The field that differs is highlighted." in texts
    assert dialog.table.horizontalHeaderItem(2).text() == "As you saw it"
    assert (dialog.reload_button.text(), dialog.overwrite_button.text()) == ("Reload (do not delete)", "Delete anyway")
    dialog.overwrite_button.click()
    assert dialog.choice == "overwrite"
