"""Deletes, cancels and the periods of the day are checked against the version the person saw:
if somebody else changed the record since, nothing is deleted and the refusal says who and when;
against the current version it goes ahead; without a version (the CLI) it behaves as it always did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from cpd_desktop.errors import ConcurrentEditError, NotFoundError
from cpd_desktop.models import (
    Activity,
    Booking,
    BursaryScheme,
    CoverLesson,
    Department,
    Provider,
    School,
    Staff,
)
from cpd_desktop.services import activities, bookings, bursaries, catalogue, schools, settings_lists
from cpd_desktop.services import staff as staff_service
from cpd_desktop.services.concurrency import current_record
from cpd_desktop.storage.database import Database

DAY = dt.date(2025, 11, 20)


def _person(s: Any, school: School, code: str = "ABC") -> Staff:
    return staff_service.add_staff(s, school, forename="Aoife", surname="Ní Bhriain", staff_code=code)


def _booking(s: Any, school: School) -> Booking:
    return bookings.create_booking(s, school, _person(s, school, "BKG"), title="Practical science",
                                   start_date=DAY + dt.timedelta(days=7), hours="6", cover_required=True,
                                   intended_outcomes="Pupils carry out the practical with less help")


def _cancel(s: Any, booking: Booking, *, expected_version: int | None = None) -> Any:
    return bookings.transition_booking(s, booking, "cancelled", on=DAY, reason="Illness",
                                       expected_version=expected_version)


def _is_cancelled(s: Any, ident: int) -> bool:
    return s.get(Booking, ident).status == "cancelled"


@dataclass
class Kind:
    model: type
    make: Callable[[Any, School], Any]
    change: Callable[[Any, Any], Any]  # somebody else's edit
    act: Callable[..., Any]  # the delete (or cancel) under test
    done: Callable[[Any, int], bool] = lambda s, ident: False  # for a cancel: the record stays, cancelled
    word: str = "deleted"


KINDS = {
    "activity": Kind(Activity, lambda s, school: activities.add_activity(
        s, school, _person(s, school), date=DAY, hours="3", title="Safeguarding update"),
        lambda s, a: activities.update_activity(s, a, title="Safeguarding update (level 2)"),
        activities.delete_activity),
    "staff": Kind(Staff, _person, lambda s, p: staff_service.update_staff(s, p, role="Head of Chemistry"),
                  staff_service.delete_staff),
    "department": Kind(Department, lambda s, school: schools.get_or_create_department(s, school, "Geography"),
                       lambda s, d: settings_lists.rename_department(s, d, "Geography and Geology"),
                       settings_lists.delete_department),
    "provider": Kind(Provider, lambda s, school: s.get(Provider, catalogue.provider_id(s, school, "STEM Learning")),
                     lambda s, p: settings_lists.rename_provider(s, p, "STEM Learning (York)"),
                     settings_lists.delete_provider),
    "scheme": Kind(BursaryScheme, lambda s, school: bursaries.add_scheme(s, school, name="Physics bursary",
                                                                          rule="per_day", amount="£150.00"),
                   lambda s, b: settings_lists.update_scheme(s, b, amount="£175.00"), settings_lists.delete_scheme),
    "cover lesson": Kind(CoverLesson, lambda s, school: bookings.add_cover_lesson(
        s, _booking(s, school), date=DAY + dt.timedelta(days=7), period=2, class_group="9X1", subject="Science"),
        lambda s, c: bookings.update_cover_lesson(s, c, work_set="Textbook p. 42"), bookings.delete_cover_lesson),
    "booking (cancel)": Kind(Booking, _booking, lambda s, b: bookings.update_booking(s, b, title="Practical physics"),
                             _cancel, _is_cancelled, "cancelled"),
}


def _setup(db: Database, school: School, kind: Kind) -> tuple[int, int]:
    """I look at a new record (its id and version); then j.okafor changes it."""
    with db.session() as s:
        s.info["user"] = "a.me"
        record = kind.make(s, s.get(School, school.id))
        ident, seen = record.id, record.version
    with db.session() as s:
        s.info["user"] = "j.okafor"
        kind.change(s, s.get(kind.model, ident))
    return ident, seen


def _gone(db: Database, kind: Kind, ident: int) -> bool:
    with db.session() as s:
        return s.get(kind.model, ident) is None or kind.done(s, ident)


@pytest.mark.parametrize("name", list(KINDS))
def test_a_stale_version_is_refused_naming_who_and_when(db: Database, school: School, name: str) -> None:
    kind = KINDS[name]
    ident, seen = _setup(db, school, kind)
    with pytest.raises(ConcurrentEditError) as err, db.session() as s:
        kind.act(s, s.get(kind.model, ident), expected_version=seen)
    assert err.value.changed_by == "j.okafor"
    assert dt.datetime.strptime(err.value.changed_at, "%H:%M on %d/%m/%Y")
    assert f"changed by j.okafor at {err.value.changed_at}" in err.value.message
    assert f"so it was not {kind.word}" in err.value.message
    assert "Reload" in err.value.hint
    assert err.value.current  # their version, for the conflict dialog
    assert not _gone(db, kind, ident)


@pytest.mark.parametrize("name", list(KINDS))
def test_the_current_version_goes_ahead(db: Database, school: School, name: str) -> None:
    kind = KINDS[name]
    ident, _seen = _setup(db, school, kind)
    with db.session() as s:
        record = s.get(kind.model, ident)
        kind.act(s, record, expected_version=record.version)
    assert _gone(db, kind, ident)


@pytest.mark.parametrize("name", list(KINDS))
def test_without_a_version_it_behaves_as_before(db: Database, school: School, name: str) -> None:
    kind = KINDS[name]
    ident, _seen = _setup(db, school, kind)
    with db.session() as s:
        kind.act(s, s.get(kind.model, ident))
    assert _gone(db, kind, ident)


def test_a_record_somebody_deleted_gets_a_plain_message(db: Database, school: School) -> None:
    with db.session() as s:
        ident = _person(s, s.get(School, school.id)).id
    with db.session() as s:
        staff_service.delete_staff(s, s.get(Staff, ident))
    with pytest.raises(NotFoundError) as err, db.session() as s:
        current_record(s, Staff, ident, "The member of staff Ní Bhriain, Aoife")
    assert err.value.message == ("The member of staff Ní Bhriain, Aoife was deleted by someone else since you "
                                 "looked at it, so there is nothing to delete.")
    assert "refreshed" in err.value.hint


def test_edits_keep_their_own_message(db: Database, school: School) -> None:
    ident, seen = _setup(db, school, KINDS["staff"])
    with pytest.raises(ConcurrentEditError, match="your change was not saved"), db.session() as s:
        staff_service.update_staff(s, s.get(Staff, ident), expected_version=seen, role="Teacher")


# ---- the periods of the day ----

MINE = [(1, "P1", dt.time(8, 45), dt.time(9, 45)), (2, "P2", dt.time(9, 45), dt.time(10, 45))]


def _periods(db: Database, school: School) -> list[tuple[int, str, dt.time, dt.time]]:
    with db.session() as s:
        return [(p.number, p.label, p.start_time, p.end_time) for p in sorted(s.get(School, school.id).periods,
                                                                             key=lambda p: p.number)]


def _seen(db: Database, school: School) -> dict[int, int]:
    with db.session() as s:
        return schools.period_versions(s, school.id)


def _theirs(db: Database, school: School, change: Callable[[list[Any]], Any]) -> None:
    with db.session() as s:
        s.info["user"] = "j.okafor"
        periods = sorted(s.get(School, school.id).periods, key=lambda p: p.number)
        change(periods)
        s.flush()


@pytest.mark.parametrize("what", ["changed", "added", "removed"])
def test_periods_saved_over_somebody_elses_change_are_refused(db: Database, school: School, what: str) -> None:
    from cpd_desktop.models import SchoolPeriod

    seen = _seen(db, school)
    before = _periods(db, school)

    def change(periods: list[Any]) -> None:
        session = periods[0]._sa_instance_state.session
        if what == "changed":
            periods[2].label = "Break"
        elif what == "added":
            session.add(SchoolPeriod(school_id=school.id, number=6, label="P6", start_time=dt.time(15, 0),
                                     end_time=dt.time(16, 0)))
        else:
            session.delete(periods[-1])

    _theirs(db, school, change)
    theirs = _periods(db, school)
    assert theirs != before
    with pytest.raises(ConcurrentEditError) as err, db.session() as s:
        schools.save_periods(s, s.get(School, school.id), MINE, expected_versions=seen)
    assert err.value.changed_by == "j.okafor"
    assert err.value.message.startswith(f"The periods of the day were changed by j.okafor at {err.value.changed_at}")
    assert "not saved" in err.value.message
    assert _periods(db, school) == theirs


def test_periods_save_against_the_current_versions_and_without(db: Database, school: School) -> None:
    with db.session() as s:
        schools.save_periods(s, s.get(School, school.id), MINE, expected_versions=_seen(db, school))
    assert _periods(db, school) == MINE
    _theirs(db, school, lambda periods: setattr(periods[0], "label", "Reg"))
    with db.session() as s:
        schools.save_periods(s, s.get(School, school.id), MINE[:1])  # no version: as before
    assert _periods(db, school) == MINE[:1]
