"""A booking's status changes (approve, mark booked, mark attended, back to planned) and a bursary
claim's (submit, approve, paid, rejected, withdrawn, back to draft) are checked against the version
the person saw, like a cancel: if somebody else changed the record since, the move is refused with
who and when and nothing is written (no CPD activity for "attended"); against the current version
it goes ahead; without a version (the CLI, the demo) as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from cpd_desktop.errors import ConcurrentEditError
from cpd_desktop.models import Activity, Booking, BursaryClaim, School
from cpd_desktop.services import bookings, bursaries
from cpd_desktop.services import staff as staff_service
from cpd_desktop.storage.database import Database

DAY = dt.date(2025, 11, 20)

# (status the booking is in, the move under test, how the refusal ends)
MOVES = {
    "approve": ("planned", "approved", "so it was not approved."),
    "mark booked": ("approved", "booked", "so it was not marked booked."),
    "mark attended": ("booked", "attended", "so it was not marked attended."),
    "back to planned": ("approved", "planned", "so it was not moved back to planned."),
    "planned again after a cancel": ("cancelled", "planned", "so it was not moved back to planned."),
}
ROUTE = {"planned": [], "approved": ["approved"], "booked": ["approved", "booked"], "cancelled": ["cancelled"]}


def _setup(db: Database, school: School, start: str) -> tuple[int, int]:
    """I look at a booking in ``start`` (its id and version); then j.okafor changes its title."""
    with db.session() as s:
        s.info["user"] = "a.me"
        school_now = s.get(School, school.id)
        person = staff_service.add_staff(s, school_now, forename="Aoife", surname="Ní Bhriain", staff_code="ANB")
        booking = bookings.create_booking(s, school_now, person, title="Practical science",
                                          start_date=DAY - dt.timedelta(days=7), hours="6",
                                          intended_outcomes="Pupils carry out the practical with less help")
        for status in ROUTE[start]:
            bookings.transition_booking(s, booking, status, on=DAY - dt.timedelta(days=10), reason="Illness")
        ident, seen = booking.id, booking.version
    with db.session() as s:
        s.info["user"] = "j.okafor"
        bookings.update_booking(s, s.get(Booking, ident), title="Practical physics")
    return ident, seen


def _state(db: Database, ident: int) -> tuple[str, int]:
    """The booking's status and how many CPD activities came from it."""
    with db.session() as s:
        return (s.get(Booking, ident).status,
                s.scalar(select(func.count()).select_from(Activity).where(Activity.booking_id == ident)) or 0)


def _move(db: Database, ident: int, status: str, **version: Any) -> Any:
    with db.session() as s:
        return bookings.transition_booking(s, s.get(Booking, ident), status, on=DAY, **version)


@pytest.mark.parametrize("name", list(MOVES))
def test_a_move_on_a_stale_copy_is_refused_and_writes_nothing(db: Database, school: School, name: str) -> None:
    start, status, ending = MOVES[name]
    ident, seen = _setup(db, school, start)
    with pytest.raises(ConcurrentEditError) as err:
        _move(db, ident, status, expected_version=seen)
    assert err.value.changed_by == "j.okafor"
    assert dt.datetime.strptime(err.value.changed_at, "%H:%M on %d/%m/%Y")
    assert err.value.message.startswith("Booking Practical physics was changed by j.okafor at "
                                        f"{err.value.changed_at} since you looked at it")
    assert err.value.message.endswith(ending)
    assert err.value.hint.startswith("Reload to see their change, then ")
    assert err.value.current["title"] == "Practical physics"  # their version, for the conflict dialog
    assert _state(db, ident) == (start, 0)  # nothing written: no CPD activity for "attended"


def test_the_hint_says_what_to_do_again() -> None:
    from cpd_desktop.services.concurrency import doing_it

    assert doing_it("mark attended") == "mark it attended"
    assert doing_it("move back to planned", s="s") == "moves it back to planned"
    assert doing_it("approve", s="s") == "approves it"


@pytest.mark.parametrize("name", list(MOVES))
def test_the_current_version_goes_ahead(db: Database, school: School, name: str) -> None:
    start, status, _ending = MOVES[name]
    ident, _seen = _setup(db, school, start)
    with db.session() as s:
        now = s.get(Booking, ident).version
    _move(db, ident, status, expected_version=now)
    assert _state(db, ident) == (status, 1 if status == "attended" else 0)


@pytest.mark.parametrize("name", list(MOVES))
def test_without_a_version_it_behaves_as_before(db: Database, school: School, name: str) -> None:
    start, status, _ending = MOVES[name]
    ident, _seen = _setup(db, school, start)
    _move(db, ident, status)
    assert _state(db, ident) == (status, 1 if status == "attended" else 0)


def test_mark_attended_passes_the_version_on(db: Database, school: School) -> None:
    ident, seen = _setup(db, school, "booked")
    with pytest.raises(ConcurrentEditError), db.session() as s:
        bookings.mark_attended(s, s.get(Booking, ident), on=DAY, expected_version=seen)
    assert _state(db, ident) == ("booked", 0)


def test_an_illegal_move_is_still_refused_as_such(db: Database, school: School) -> None:
    from cpd_desktop.errors import InvalidTransitionError

    ident, _seen = _setup(db, school, "planned")
    with db.session() as s:
        now = s.get(Booking, ident).version
    with pytest.raises(InvalidTransitionError):
        _move(db, ident, "attended", expected_version=now)


# ---- bursary claims ----

CLAIM_MOVES = {  # (the claim's route so far, the move under test, how the refusal ends)
    "submit": ((), "submitted", "so it was not submitted."),
    "approve": (("submitted",), "approved", "so it was not approved."),
    "paid": (("submitted", "approved"), "paid", "so it was not marked paid."),
    "rejected": (("submitted",), "rejected", "so it was not marked rejected."),
    "withdrawn": ((), "withdrawn", "so it was not withdrawn."),
    "back to draft": (("withdrawn",), "draft", "so it was not moved back to draft."),
}


def _claim_setup(db: Database, school: School, route: tuple[str, ...]) -> tuple[int, int]:
    """I look at a claim moved along ``route`` (its id and version); then j.okafor changes its notes."""
    ident, _seen = _setup(db, school, "booked")
    with db.session() as s:
        s.info["user"] = "a.me"
        booking = s.get(Booking, ident)
        bookings.mark_attended(s, booking, on=DAY)
        scheme = bursaries.add_scheme(s, s.get(School, school.id), name="Physics bursary", rule="per_day",
                                      amount="£150.00")
        claim = bursaries.create_claim(s, booking, scheme)
        for status in route:
            bursaries.transition_claim(s, claim, status, on=DAY)
        claim_id, seen = claim.id, claim.version
    with db.session() as s:
        s.info["user"] = "j.okafor"
        bursaries.update_claim(s, s.get(BursaryClaim, claim_id), notes="Evidence sent by post")
    return claim_id, seen


def _claim_move(db: Database, ident: int, status: str, **version: Any) -> None:
    with db.session() as s:
        bursaries.transition_claim(s, s.get(BursaryClaim, ident), status, on=DAY, amount="£140.00",
                                   reference="PB-2025-7", **version)


def _claim_state(db: Database, ident: int) -> tuple[str, Any]:
    with db.session() as s:
        claim = s.get(BursaryClaim, ident)
        return claim.status, claim.reference


@pytest.mark.parametrize("name", list(CLAIM_MOVES))
def test_a_claim_move_on_a_stale_copy_is_refused_and_writes_nothing(db: Database, school: School,
                                                                   name: str) -> None:
    route, status, ending = CLAIM_MOVES[name]
    ident, seen = _claim_setup(db, school, route)
    before = _claim_state(db, ident)
    with pytest.raises(ConcurrentEditError) as err:
        _claim_move(db, ident, status, expected_version=seen)
    assert err.value.changed_by == "j.okafor"
    assert f"was changed by j.okafor at {err.value.changed_at} since you looked at it" in err.value.message
    assert err.value.message.endswith(ending)
    assert err.value.current["notes"] == "Evidence sent by post"
    assert _claim_state(db, ident) == before


@pytest.mark.parametrize("name", list(CLAIM_MOVES))
def test_a_claim_move_on_the_current_version_goes_ahead(db: Database, school: School,
                                                                      name: str) -> None:
    route, status, _ending = CLAIM_MOVES[name]
    ident, _seen = _claim_setup(db, school, route)
    with db.session() as s:
        now = s.get(BursaryClaim, ident).version
    _claim_move(db, ident, status, expected_version=now)
    assert _claim_state(db, ident)[0] == status


@pytest.mark.parametrize("name", list(CLAIM_MOVES))
def test_a_claim_move_without_a_version_behaves_as_before(db: Database, school: School, name: str) -> None:
    route, status, _ending = CLAIM_MOVES[name]
    ident, _seen = _claim_setup(db, school, route)
    _claim_move(db, ident, status)
    assert _claim_state(db, ident)[0] == status
