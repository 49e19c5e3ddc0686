"""Several people at once: a save after somebody else's shows both versions and lets the person
reload theirs or overwrite it; the window picks up others' changes without a restart; a dropped
server connection offers Retry and never leaves half a change. Two ``Database`` objects on one
file stand for two people (a trust's PostgreSQL server is tested the same way, marked postgres)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from cpd_desktop.models import Activity, Booking, BursaryClaim, BursaryScheme, CoverLesson, School, Staff
from cpd_desktop.services import staff as staff_service
from cpd_desktop.services.database import open_database

from .conftest import TODAY, answer

DEMO = "Ashcombe Park Academy"


def other_person(target: str | Path, change: Callable[[Any], Any], user: str = "j.okafor") -> None:
    """Somebody else, on another computer, saves a change."""
    other = open_database(target)
    try:
        with other.session() as s:
            s.info["user"] = user
            change(s)
    finally:
        other.dispose()


@pytest.fixture
def conflicts(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], list[Any]]:
    """Answer the conflict dialog with ``choice``; returns the conflicts it was shown."""
    from cpd_desktop.ui.conflict import ConflictDialog

    def use(choice: str) -> list[Any]:
        shown: list[Any] = []
        monkeypatch.setattr(ConflictDialog, "ask", classmethod(lambda cls, parent, c: shown.append(c) or choice))
        return shown

    return use


@pytest.fixture
def shared_demo(make_window: Callable[..., Any], demo_file: Path, tmp_path: Path) -> Iterator[Any]:
    """A window on a copy of the demo school, opened as a shared database (no file lock held)."""
    path = tmp_path / "shared.sqlite"
    shutil.copy(demo_file, path)
    db = open_database(path)
    window = make_window()
    with db.session() as s:
        school_id = s.scalar(select(School.id))
    window.set_database(db, school_id, str(path))
    yield window
    window.close_database()


def _first(window: Any, model: Any, *where: Any) -> int:
    with window.ctx.session() as s:
        return int(s.scalar(select(model.id).where(model.school_id == window.ctx.school_id, *where)
                            .order_by(model.id).limit(1)))


def test_reload_shows_their_version_and_nothing_of_mine_is_saved(school_window: Any, db: Any,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 conflicts: Any) -> None:
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    ctx = school_window.ctx
    with ctx.session() as s:
        ident = staff_service.add_staff(s, ctx.school(s), forename="Siobhán", surname="Ó Dálaigh",
                                        staff_code="SOD", role="Teacher of Biology").id
    view = school_window.show_view("staff")
    view.panel.select_id(ident)
    shown = conflicts("reload")
    answer(monkeypatch, StaffDialog, {"role": "Teacher of Chemistry", "fte": "0.8"},
           check=lambda _d: other_person(db.path, lambda s: staff_service.update_staff(
               s, s.get(Staff, ident), role="Head of Biology")))
    view.edit()
    assert len(shown) == 1
    conflict = shown[0]
    assert conflict.changed_by == "j.okafor"
    assert dt.datetime.strptime(conflict.changed_at, "%H:%M on %d/%m/%Y")  # a time the person can read
    assert ("Role", "Head of Biology", "Teacher of Chemistry") in conflict.rows
    assert ("FTE", "1", "0.8") in conflict.rows
    assert {r[0] for r in conflict.differences} == {"Role", "FTE"}
    assert ("Surname", "Ó Dálaigh", "Ó Dálaigh") in conflict.rows  # unchanged fields shown, not highlighted
    with ctx.session() as s:
        person = s.get(Staff, ident)
        assert person.role == "Head of Biology" and person.fte == 1
    assert view.model.row_values(view.model.row_of_id(ident))["role"] == "Head of Biology"  # theirs on screen
    assert ctx.undo_stack.count() == 0
    assert "j.okafor" in school_window.statusBar().currentMessage()


def test_overwrite_saves_mine_over_theirs_and_can_be_undone(school_window: Any, db: Any,
                                                            monkeypatch: pytest.MonkeyPatch, conflicts: Any) -> None:
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    ctx = school_window.ctx
    with ctx.session() as s:
        ident = staff_service.add_staff(s, ctx.school(s), forename="Nguyễn Thị", surname="Mai", staff_code="NTM").id
    view = school_window.show_view("staff")
    view.panel.select_id(ident)
    shown = conflicts("overwrite")
    answer(monkeypatch, StaffDialog, {"role": "Teacher of Physics"},
           check=lambda _d: other_person(db.path, lambda s: staff_service.update_staff(
               s, s.get(Staff, ident), role="Head of Physics", email="mai@school.org.uk")))
    view.edit()
    assert len(shown) == 1
    with ctx.session() as s:
        person = s.get(Staff, ident)
        assert person.role == "Teacher of Physics"  # mine
        assert person.email is None  # mine: the form said no email
        assert person.updated_by != "j.okafor"
    ctx.undo()  # undoing the overwrite puts their version back
    with ctx.session() as s:
        person = s.get(Staff, ident)
        assert (person.role, person.email) == ("Head of Physics", "mai@school.org.uk")


def test_a_third_save_during_the_question_is_caught_too(school_window: Any, db: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.conflict import ConflictDialog
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    ctx = school_window.ctx
    with ctx.session() as s:
        ident = staff_service.add_staff(s, ctx.school(s), forename="Łukasz", surname="Zając", staff_code="LZA").id
    view = school_window.show_view("staff")
    view.panel.select_id(ident)
    shown: list[Any] = []

    def ask(cls: Any, parent: Any, conflict: Any) -> str:
        shown.append(conflict)
        if len(shown) == 1:  # while the first question is open, a third person saves
            other_person(db.path, lambda s: staff_service.update_staff(s, s.get(Staff, ident), role="Third"),
                         user="p.singh")
        return "overwrite"

    monkeypatch.setattr(ConflictDialog, "ask", classmethod(ask))
    answer(monkeypatch, StaffDialog, {"role": "Mine"},
           check=lambda _d: other_person(db.path, lambda s: staff_service.update_staff(
               s, s.get(Staff, ident), role="Second")))
    view.edit()
    assert [c.changed_by for c in shown] == ["j.okafor", "p.singh"]
    assert ("Role", "Third", "Mine") in shown[1].rows
    with ctx.session() as s:
        assert s.get(Staff, ident).role == "Mine"


def test_the_conflict_dialog_highlights_what_differs(qtbot: Any) -> None:
    from cpd_desktop.ui.conflict import DIFFERENT, Conflict, ConflictDialog

    conflict = Conflict("Staff member LZA", "j.okafor", "10:42 on 20/11/2025",
                        [("Surname", "Zając", "Zając"), ("Role", "Head of Physics", "Teacher of Physics"),
                         ("Email", "", "lz@school.org.uk")])
    dialog = ConflictDialog(conflict)
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Changed by j.okafor at 10:42 on 20/11/2025 since you opened it" in texts
    assert "Staff member LZA: your change has not been saved. The 2 fields that differ are highlighted" in texts
    table = dialog.table
    assert [table.horizontalHeaderItem(c).text() for c in range(3)] == ["Field", "Their version (j.okafor)", "Yours"]
    highlighted = [r for r in range(table.rowCount()) if table.item(r, 1).background().color().name() == DIFFERENT]
    assert highlighted == [1, 2]
    assert table.item(2, 1).text() == "—"  # an empty value is shown, not left blank
    dialog.overwrite_button.click()
    assert dialog.choice == "overwrite" and dialog.result() == 1
    again = ConflictDialog(conflict)
    qtbot.addWidget(again)
    again.reload_button.click()
    assert again.choice == "reload"


def test_every_edit_dialog_saves_against_the_version_it_showed(shared_demo: Any, monkeypatch: pytest.MonkeyPatch,
                                                               conflicts: Any) -> None:
    """Activity, booking, cover lesson, claim, school settings, a bursary scheme and an evaluation: each
    refuses to save over somebody else's change and shows their version."""
    from cpd_desktop.services import activities, bookings, bursaries
    from cpd_desktop.services.settings_lists import update_scheme
    from cpd_desktop.ui.dialogs.activity import ActivityDialog
    from cpd_desktop.ui.dialogs.booking import BookingDialog
    from cpd_desktop.ui.dialogs.claims import ClaimStatusDialog
    from cpd_desktop.ui.dialogs.cover import CoverLessonDialog
    from cpd_desktop.ui.views.settings_view import SchemeDialog

    window = shared_demo
    path = window.ctx.db.path
    shown = conflicts("reload")

    log = window.show_view("log")
    ident = log.model.row_id(0)
    log.panel.select_id(ident)
    answer(monkeypatch, ActivityDialog, {"title": "Mine"}, check=lambda _d: other_person(
        path, lambda s: activities.update_activity(s, s.get(Activity, ident), title="Theirs")))
    log.edit()
    assert ("Title", "Theirs", "Mine") in shown[-1].rows

    planner = window.show_view("planner")
    ident = _first(window, Booking, Booking.status == "planned")
    planner.status_filter.setCurrentIndex(0)
    assert planner.panel.select_id(ident)
    answer(monkeypatch, BookingDialog, {"travel": "£12.00"}, check=lambda _d: other_person(
        path, lambda s: bookings.update_booking(s, s.get(Booking, ident), travel="£40.00")))
    planner.edit()
    assert ("Travel", "£40.00", "£12.00") in shown[-1].rows

    cover = window.show_view("cover")
    lesson = _first(window, CoverLesson)
    with window.ctx.session() as s:
        booking_id = s.get(CoverLesson, lesson).booking_id
    cover.booking_panel.select_id(booking_id)
    cover.lesson_panel.select_id(lesson)
    answer(monkeypatch, CoverLessonDialog, {"room": "S4"}, check=lambda _d: other_person(
        path, lambda s: bookings.update_cover_lesson(s, s.get(CoverLesson, lesson), room="Lab 2")))
    cover.edit_lesson()
    assert ("Room", "Lab 2", "S4") in shown[-1].rows

    view = window.show_view("bursaries")
    claim = _first(window, BursaryClaim, BursaryClaim.status == "draft")
    view.status_filter.setCurrentIndex(0)
    view.claims.set_filters({})
    assert view.claim_panel.select_id(claim)
    answer(monkeypatch, ClaimStatusDialog, {"status": "withdrawn"}, check=lambda _d: other_person(
        path, lambda s: bursaries.update_claim(s, s.get(BursaryClaim, claim), reference="SCP-1234")))
    view.move()
    assert ("Claim reference", "SCP-1234", "") in shown[-1].rows
    with window.ctx.session() as s:
        assert s.get(BursaryClaim, claim).status == "draft"  # not moved on over their change

    settings_view = window.show_view("settings")
    form = settings_view.school_form
    form.widgets["supply_day_rate"].setText("£300.00")
    other_person(path, lambda s: setattr(s.scalar(select(School)), "supply_day_rate", 250))
    form.save()
    assert ("Supply cover per day", "£250.00", "£300.00") in shown[-1].rows

    scheme = _first(window, BursaryScheme)
    answer(monkeypatch, SchemeDialog, {"amount": "£99.00"}, check=lambda _d: other_person(
        path, lambda s: update_scheme(s, s.get(BursaryScheme, scheme), amount="£120.00")))
    settings_view.edit_scheme(scheme)
    assert ("Amount", "£120.00", "£99.00") in shown[-1].rows

    from cpd_desktop.ui.dialogs.activity import EvaluationDialog

    log = window.show_view("log")
    ident = log.model.row_id(0)
    answer(monkeypatch, EvaluationDialog, {"impact": "Pupils plan their own practicals now."},
           check=lambda _d: other_person(path, lambda s: activities.record_evaluation(
               s, s.get(Activity, ident), impact="Theirs: more confident with required practicals.",
               evaluated_on=TODAY)))
    log.evaluate(ident)
    assert ("Impact on teaching", "Theirs: more confident with required practicals.",
            "Pupils plan their own practicals now.") in shown[-1].rows
    assert len(shown) == 7 and all(c.changed_by == "j.okafor" for c in shown)


def test_the_window_shows_what_others_saved_keeping_selection_and_scroll(shared_demo: Any, qtbot: Any) -> None:
    from cpd_desktop.ui.database import REFRESH_MS

    window = shared_demo
    assert window.database.refresh_timer.isActive() and 15_000 <= REFRESH_MS <= 30_000
    log = window.show_view("log")
    log.panel.table.resize(900, 300)
    log.model.fetch_all()
    chosen = log.model.row_id(40)
    log.panel.select_id(chosen)
    bar = log.panel.table.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    scroll = bar.value()
    count = log.model.rowCount()
    with qtbot.assertNotEmitted(log.model.refreshed, wait=0):  # nothing changed: nothing requeried
        window.database.check_for_changes()
        qtbot.waitUntil(lambda: window.database.checking is None, timeout=10_000)

    def add(s: Any) -> None:
        from cpd_desktop.services.activities import add_activity

        school = s.scalar(select(School))
        person = s.scalar(select(Staff).where(Staff.school_id == school.id).order_by(Staff.id))
        add_activity(s, school, person, title="Added on another computer", date=TODAY, hours="2")

    other_person(window.ctx.db.path, add)
    window.database.check_for_changes()
    qtbot.waitUntil(lambda: log.model.rowCount() == count + 1, timeout=10_000)
    assert log.panel.current_id() == chosen and log.panel.selected_ids() == [chosen]
    assert bar.value() == scroll
    assert "others" in window.statusBar().currentMessage()
    titles = [log.model.row_values(r)["title"] for r in range(log.model.rowCount())]
    assert "Added on another computer" in titles


def test_other_schools_changes_do_not_refresh_this_one(make_window: Any, trust_file: Path, qtbot: Any) -> None:
    window = make_window()
    db = open_database(trust_file)
    with db.session() as s:
        demo_id = s.scalar(select(School.id).where(School.name == DEMO))
    window.set_database(db, demo_id, str(trust_file))
    staff = window.show_view("staff")
    other_person(trust_file, lambda s: staff_service.update_staff(
        s, s.scalar(select(Staff).where(Staff.staff_code == "Q0")), role="Elsewhere"))
    assert not window.ctx.changed_elsewhere()
    other_person(trust_file, lambda s: staff_service.update_staff(
        s, s.scalar(select(Staff).where(Staff.school_id == demo_id).order_by(Staff.id)), role="Here"))
    assert window.ctx.changed_elsewhere()
    assert staff.model.rowCount() > 0
    window.close_database()


def _drop_connection_once(add: Callable[[Any], Any]) -> tuple[Callable[[Any], Any], list[int]]:
    calls: list[int] = []

    def action(s: Any) -> Any:
        calls.append(1)
        result = add(s)
        if len(calls) == 1:
            raise OperationalError("INSERT …", {}, Exception("server closed the connection unexpectedly"))
        return result

    return action, calls


def test_a_dropped_connection_offers_retry_and_saves_once(school_window: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.conflict import ConnectionLost

    ctx = school_window.ctx
    asked: list[str] = []
    monkeypatch.setattr(ConnectionLost, "ask", classmethod(lambda cls, parent, text: asked.append(text) or True))
    action, calls = _drop_connection_once(lambda s: staff_service.add_staff(
        s, ctx.school(s), forename="Priya", surname="Raman", staff_code="PRA").id)
    new_id = ctx.run(school_window, "Add member of staff", action)
    assert asked == ["Add member of staff"] and len(calls) == 2
    with ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(Staff).where(Staff.staff_code == "PRA")) == 1
        assert s.get(Staff, new_id) is not None
    assert ctx.undo_stack.count() == 1


def test_cancel_after_a_dropped_connection_leaves_nothing_half_written(school_window: Any, shown_errors: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.conflict import ConnectionLost

    ctx = school_window.ctx
    monkeypatch.setattr(ConnectionLost, "ask", classmethod(lambda cls, parent, text: False))
    action, calls = _drop_connection_once(lambda s: staff_service.add_staff(
        s, ctx.school(s), forename="Priya", surname="Raman", staff_code="PRA").id)
    assert ctx.run(school_window, "Add member of staff", action) is None
    with ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(Staff)) == 0
    assert ctx.undo_stack.count() == 0 and len(calls) == 1 and not shown_errors


def test_a_lost_connection_while_reading_gets_a_plain_message(school_window: Any, shown_errors: Any,
                                                              qtbot: Any) -> None:
    from cpd_desktop.ui.errors import show_error

    show_error(school_window, OperationalError("SELECT …", {}, Exception("server closed the connection unexpectedly")))
    assert shown_errors[-1]["is_bug"] is False
    assert "connection to the database server was lost" in shown_errors[-1]["message"]
    assert school_window.database.offline  # so the next look at the server, once it answers, reloads the view
    staff = school_window.show_view("staff")
    with qtbot.waitSignal(staff.model.refreshed, timeout=10_000):
        school_window.database.check_for_changes()
    assert school_window.statusBar().currentMessage() == "Connected to the database again."


# ---- the same on a trust's PostgreSQL server ----

@pytest.mark.postgres
def test_two_people_and_a_dropped_connection_on_postgresql(pg_url: str, make_window: Callable[..., Any],
                                                           monkeypatch: pytest.MonkeyPatch, conflicts: Any) -> None:
    from sqlalchemy import text

    from cpd_desktop.services.schools import create_school
    from cpd_desktop.ui.conflict import ConnectionLost
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    setup = open_database(pg_url)
    with setup.session() as s:
        school = create_school(s, "Ashcombe Park Academy", departments=["Science"])
        ident = staff_service.add_staff(s, school, forename="Ana", surname="Lima", staff_code="ALI").id
    setup.dispose()
    window = make_window()
    assert window.open_database(pg_url)
    assert not window.nav.item(0).isHidden()  # a trust's server has the Trust view, even with one school
    view = window.show_view("staff")
    view.panel.select_id(ident)
    shown = conflicts("overwrite")
    answer(monkeypatch, StaffDialog, {"role": "Teacher of Physics"}, check=lambda _d: other_person(
        pg_url, lambda s: staff_service.update_staff(s, s.get(Staff, ident), role="Head of Science")))
    view.edit()
    assert len(shown) == 1 and ("Role", "Head of Science", "Teacher of Physics") in shown[0].rows
    with window.ctx.session() as s:
        assert s.get(Staff, ident).role == "Teacher of Physics"

    monkeypatch.setattr(ConnectionLost, "ask", classmethod(lambda cls, parent, text: True))
    calls: list[int] = []

    def add(s: Any) -> int:
        calls.append(1)
        new = staff_service.add_staff(s, window.ctx.school(s), forename="Tomás", surname="Ó Briain",
                                      staff_code="TOB").id
        if len(calls) == 1:  # the server drops this connection half-way through the save
            s.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return new

    new_id = window.ctx.run(window, "Add member of staff", add)
    assert len(calls) == 2 and new_id is not None
    with window.ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(Staff).where(Staff.staff_code == "TOB")) == 1
    window.close_database()


def test_changes_seen_behind_a_dialog_are_shown_once_it_closes(shared_demo: Any, qtbot: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog

    window = shared_demo
    staff = window.show_view("staff")
    count = staff.model.rowCount()
    dialog = QDialog(window)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.isVisible())
    other_person(window.ctx.db.path, lambda s: staff_service.add_staff(
        s, s.scalar(select(School)), forename="Aled", surname="Aaronson", staff_code="AAA"))
    window.database.check_for_changes()
    qtbot.waitUntil(lambda: window.database.checking is None, timeout=10_000)
    assert staff.model.rowCount() == count  # nothing moves under the person's dialog
    dialog.close()
    window.database.check_for_changes()  # the next look (the timer, or the window coming to the front)
    qtbot.waitUntil(lambda: staff.model.rowCount() == count + 1, timeout=10_000)


def test_coming_to_the_front_looks_for_changes(shared_demo: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QEvent

    window = shared_demo
    looked: list[int] = []
    monkeypatch.setattr(type(window.database), "check_for_changes", lambda self: looked.append(1))
    monkeypatch.setattr(type(window), "isActiveWindow", lambda self: True)
    window.changeEvent(QEvent(QEvent.Type.ActivationChange))
    assert looked == [1]
    window.changeEvent(QEvent(QEvent.Type.WindowTitleChange))
    assert looked == [1]
