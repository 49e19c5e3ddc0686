"""Several people at once, moving a booking on: approving, marking booked or attended and moving
back to planned are checked against the row the person saw. If somebody else changed the booking
since, the conflict dialog says it was not done, nothing is written (no CPD activity for a refused
"attended"), and Reload shows their version; the person can then do it again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from cpd_desktop.models import Activity, Booking
from cpd_desktop.services import bookings
from cpd_desktop.services import staff as staff_service

from .conftest import TODAY
from .test_several_people import conflicts, other_person

__all__ = ["conflicts"]


def _booked(ctx: Any, *route: str) -> int:
    """A booking for last week, moved along ``route``."""
    with ctx.session() as s:
        school = ctx.school(s)
        person = staff_service.add_staff(s, school, forename="Ana", surname="Lima", staff_code="ALI")
        booking = bookings.create_booking(s, school, person, title="Practical physics",
                                          start_date=TODAY - dt.timedelta(days=3), hours="6",
                                          intended_outcomes="Pupils carry out the practical with less help")
        for status in route:
            bookings.transition_booking(s, booking, status, on=TODAY - dt.timedelta(days=10))
        return int(booking.id)


def _state(ctx: Any, ident: int) -> tuple[str, str, int]:
    with ctx.session() as s:
        booking = s.get(Booking, ident)
        activities = s.scalar(select(func.count()).select_from(Activity).where(Activity.booking_id == ident))
        return booking.status, booking.title, activities or 0


@pytest.fixture
def no_evaluation(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The evaluation asked for after "attended" is left for later; the activities it was asked about."""
    from cpd_desktop.ui.views import cpd_log

    asked: list[int] = []
    monkeypatch.setattr(cpd_log, "evaluate_activity", lambda parent, ctx, ident: asked.append(ident) or False)
    return asked


def test_marking_attended_after_somebody_elses_change_is_refused_then_reload_and_retry(
        school_window: Any, db: Any, conflicts: Any, no_evaluation: list[int]) -> None:
    ctx = school_window.ctx
    ident = _booked(ctx, "approved", "booked")
    view = school_window.show_view("planner")
    assert view.panel.select_id(ident)  # person A is looking at the booking
    other_person(db.path, lambda s: bookings.update_booking(s, s.get(Booking, ident), title="Practical science"))
    shown = conflicts("reload")
    view.move("attended")
    assert len(shown) == 1
    conflict = shown[0]
    assert conflict.action == "mark attended" and conflict.changed_by == "j.okafor"
    assert dt.datetime.strptime(conflict.changed_at, "%H:%M on %d/%m/%Y")
    assert conflict.differences == [("Course", "Practical science", "Practical physics")]
    assert _state(ctx, ident) == ("booked", "Practical science", 0)  # nothing written, no activity
    assert not no_evaluation and ctx.undo_stack.count() == 0
    assert view.model.row_values(view.model.row_of_id(ident))["title"] == "Practical science"  # reloaded
    assert "nothing was marked attended" in school_window.statusBar().currentMessage()

    # Having seen their change, the person marks it attended again: done, and undo / redo still work.
    view.panel.select_id(ident)
    view.move("attended")
    assert len(shown) == 1
    status, _title, made = _state(ctx, ident)
    assert (status, made) == ("attended", 1) and len(no_evaluation) == 1
    ctx.undo()
    assert _state(ctx, ident) == ("booked", "Practical science", 0)
    ctx.redo()
    assert _state(ctx, ident) == ("attended", "Practical science", 1)


@pytest.mark.parametrize(("route", "status", "done"), [
    ((), "approved", "approved"), (("approved",), "booked", "marked booked"),
    (("approved",), "planned", "moved back to planned")])
def test_every_move_is_checked_and_can_be_done_anyway(school_window: Any, db: Any, conflicts: Any,
                                                      route: tuple[str, ...], status: str, done: str) -> None:
    ctx = school_window.ctx
    ident = _booked(ctx, *route)
    before = route[-1] if route else "planned"
    view = school_window.show_view("planner")
    assert view.panel.select_id(ident)
    other_person(db.path, lambda s: bookings.update_booking(s, s.get(Booking, ident), title="Practical science"))
    shown = conflicts("overwrite")  # "Approve anyway" and the like
    view.move(status)
    assert len(shown) == 1 and f"nothing was {done}" not in school_window.statusBar().currentMessage()
    assert _state(ctx, ident) == (status, "Practical science", 0)
    ctx.undo()
    assert _state(ctx, ident) == (before, "Practical science", 0)
    ctx.redo()
    assert _state(ctx, ident) == (status, "Practical science", 0)


def test_the_conflict_dialog_says_it_was_not_marked_attended(qtbot: Any, tmp_path: Any) -> None:
    from PySide6.QtWidgets import QLabel

    from cpd_desktop.ui.conflict import Conflict, ConflictDialog

    conflict = Conflict("Booking Practical science", "j.okafor", "10:42 on 20/11/2025",
                        [("Course", "Practical science", "Practical physics"), ("Status", "Booked", "Booked")],
                        "mark attended")
    dialog = ConflictDialog(conflict)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Changed by j.okafor at 10:42 on 20/11/2025 since you looked at it" in texts
    assert ("Booking Practical science: it has not been marked attended. The field that differs is highlighted. "
            "Reload shows their version and leaves it as it is; Mark attended anyway marks it attended as they "
            "left it.") in texts
    assert (dialog.reload_button.text(), dialog.overwrite_button.text()) == (
        "Reload (do not mark attended)", "Mark attended anyway")
    assert dialog.overwrite_button.toolTip() == "Mark it attended as they left it"
    dialog.grab().save(str(tmp_path / "conflict.png"))


def _claim(ctx: Any) -> int:
    from cpd_desktop.services import bursaries

    ident = _booked(ctx, "approved", "booked")
    with ctx.session() as s:
        booking = s.get(Booking, ident)
        bookings.mark_attended(s, booking, on=TODAY)
        scheme = bursaries.add_scheme(s, ctx.school(s), name="Physics bursary", rule="per_day", amount="£150.00")
        return int(bursaries.create_claim(s, booking, scheme).id)


def _claim_state(ctx: Any, ident: int) -> tuple[str, Any, Any]:
    from cpd_desktop.models import BursaryClaim

    with ctx.session() as s:
        claim = s.get(BursaryClaim, ident)
        return claim.status, claim.reference, claim.notes


def test_a_claim_moved_on_after_somebody_elses_change_is_refused(school_window: Any, db: Any, conflicts: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.models import BursaryClaim
    from cpd_desktop.services import bursaries
    from cpd_desktop.ui.dialogs.claims import ClaimStatusDialog

    from .conftest import answer

    ctx = school_window.ctx
    ident = _claim(ctx)
    view = school_window.show_view("bursaries")
    assert view.claim_panel.select_id(ident)

    def theirs(_dialog: Any) -> None:  # while the person fills in the dialog, somebody else changes the claim
        other_person(db.path, lambda s: bursaries.update_claim(s, s.get(BursaryClaim, ident), notes="Sent by post"))

    answer(monkeypatch, ClaimStatusDialog, {"status": "submitted", "reference": "PB-2025-7"}, theirs)
    shown = conflicts("reload")
    view.move()
    assert len(shown) == 1 and shown[0].changed_by == "j.okafor"
    assert _claim_state(ctx, ident) == ("draft", None, "Sent by post")  # nothing written
    assert ctx.undo_stack.count() == 0

    answer(monkeypatch, ClaimStatusDialog, {"status": "submitted", "reference": "PB-2025-7"})
    view.claim_panel.select_id(ident)
    view.move()  # against the claim as the dialog now shows it
    assert len(shown) == 1 and _claim_state(ctx, ident) == ("submitted", "PB-2025-7", "Sent by post")
    ctx.undo()
    assert _claim_state(ctx, ident) == ("draft", None, "Sent by post")
    ctx.redo()
    assert _claim_state(ctx, ident)[0] == "submitted"


@pytest.mark.parametrize(("kind", "message"), [
    ("booking", "The booking “Practical physics” was deleted by someone else since you looked at it, so there is "
                "nothing to approve."),
    ("claim", "The Physics bursary claim for “Practical physics” was deleted by someone else since you looked at "
              "it, so there is nothing to move on.")])
def test_moving_a_record_somebody_else_deleted_gets_a_plain_message(school_window: Any, db: Any, shown_errors: Any,
                                                                    kind: str, message: str) -> None:
    from cpd_desktop.models import BursaryClaim

    ctx = school_window.ctx
    if kind == "booking":
        model, ident, view = Booking, _booked(ctx), school_window.show_view("planner")
        panel, table, move = view.panel, view.model, lambda: view.move("approved")
    else:
        model, ident, view = BursaryClaim, _claim(ctx), school_window.show_view("bursaries")
        panel, table, move = view.claim_panel, view.claims, view.move
    assert panel.select_id(ident)
    other_person(db.path, lambda s: s.delete(s.get(model, ident)))
    move()
    assert len(shown_errors) == 1 and not shown_errors[0].get("is_bug")
    assert shown_errors[0]["message"] == message
    assert table.row_of_id(ident) < 0  # the list is refreshed
