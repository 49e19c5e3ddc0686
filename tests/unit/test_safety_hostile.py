"""Hostile input: no sequence of service calls leaves a row that breaks a rule, or half a change.

Each step runs in its own session, as one user action does. A step either succeeds or is refused
with a ``CpdError`` (a message for the person); anything else is a bug. A refused step must leave
the database exactly as it was; after every step the whole database is checked against the rules.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cpd_desktop.errors import CpdError
from cpd_desktop.models import Activity, Booking, School, Staff
from cpd_desktop.services import activities, bookings, privacy, staff
from cpd_desktop.services.database import open_database

NASTY_TEXT = ["", "   ", "0", "-1", "1e400", "NaN", "inf", "-inf", "25", "24.01", "24", "0.001", "£-5", "£1,250.00",
              "1,5", "100%", "80%", "0.8", "1.2", "31/02/2025", "2025-13-01", "01/01/1899", "29/02/2024",
              "'; DROP TABLE staff; --", "a\x00b", "x" * 5000, "Łukasz", "Nguyễn Thị Mai", "\u202egnp.exe",
              "line\nbreak", "\t", "O'Brien", "ABC", "abc", "ab c", "@", "a@b", "mai@school.org", "12:00",
              "01/09/2024", "31/08/2025", "2025-11-20", "yes", "no", "2", "1", "3"]
HOSTILE = st.one_of(st.none(), st.sampled_from(NASTY_TEXT), st.text(max_size=12),
                    st.integers(min_value=-10**9, max_value=10**9), st.floats(allow_nan=True, allow_infinity=True),
                    st.decimals(allow_nan=False, allow_infinity=False, places=3), st.dates(), st.booleans())
# Plausible values, mixed in so that many steps succeed and later steps work on what they made.
PLAUSIBLE = {
    "forename": ["Jane", " Łukasz ", "Siobhán"], "surname": ["Smith", "Zając", "Ó Dálaigh "],
    "staff_code": ["JSM", "lza", " SOD", "X1"], "date": ["01/10/2024", "2025-03-01", dt.date(2024, 2, 29)],
    "start_date": ["01/10/2024", "05/03/2025"], "hours": ["1.5", "6", Decimal("3.25"), 7],
    "title": ["Practical physics", " Residential chemistry ", "NPQ Leading Teaching"],
}


def field(name: str) -> st.SearchStrategy[Any]:
    if name in PLAUSIBLE:
        return st.one_of(st.sampled_from(PLAUSIBLE[name]), st.sampled_from(PLAUSIBLE[name]), HOSTILE)
    return HOSTILE


STAFF_FIELDS = ["forename", "surname", "staff_code", "email", "fte", "ect_year", "start_date", "leaving_date", "notes"]
ACTIVITY_FIELDS = ["date", "end_date", "hours", "title", "format", "cost", "status", "impact_confidence"]
BOOKING_FIELDS = ["title", "start_date", "end_date", "hours", "fee", "travel", "cover_days", "cover_day_rate"]

STEP = st.one_of(
    st.tuples(st.just("add_staff"), st.fixed_dictionaries({f: field(f) for f in ("forename", "surname", "staff_code")},
                                                          optional={f: HOSTILE for f in STAFF_FIELDS[3:]})),
    st.tuples(st.just("update_staff"), st.dictionaries(st.sampled_from(STAFF_FIELDS), HOSTILE, max_size=3)),
    st.tuples(st.just("add_activity"), st.fixed_dictionaries({f: field(f) for f in ("date", "hours", "title")},
                                                             optional={f: HOSTILE for f in ACTIVITY_FIELDS
                                                                       if f not in ("date", "hours", "title")})),
    st.tuples(st.just("update_activity"), st.dictionaries(st.sampled_from(ACTIVITY_FIELDS), HOSTILE, max_size=3)),
    st.tuples(st.just("create_booking"), st.fixed_dictionaries({f: field(f) for f in ("title", "start_date", "hours")},
                                                               optional={f: HOSTILE for f in BOOKING_FIELDS
                                                                         if f not in ("title", "start_date", "hours")})),
    st.tuples(st.just("transition"), st.fixed_dictionaries({"status": st.sampled_from(
        ["booked", "attended", "cancelled", "planned", "nonsense", ""])})),
    st.tuples(st.just("delete_staff"), st.just({})),
    st.tuples(st.just("delete_activity"), st.just({})),
    st.tuples(st.just("anonymise"), st.just({})),
)

TODAY = dt.date(2025, 11, 20)


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
                for t in ("staff", "activity", "booking", "audit_entry", "department", "provider")}
    finally:
        conn.close()


def check_rules(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for forename, surname, code, fte, start, leave, email in conn.execute(
                "SELECT forename, surname, staff_code, fte, start_date, leaving_date, email FROM staff"):
            for value in (forename, surname, code):
                assert value == value.strip() and value, (forename, surname, code)
                assert not any(ord(c) < 32 for c in value), value
            assert 0 < fte <= 1
            assert leave is None or start is None or leave >= start
            assert email is None or ("@" in email and " " not in email)
        codes = [c.upper() for (c,) in conn.execute("SELECT staff_code FROM staff")]
        assert len(codes) == len(set(codes)), "two people share a staff code"
        for day, end, hours, title, cost in conn.execute("SELECT date, end_date, hours, title, cost FROM activity"):
            first, last = dt.date.fromisoformat(day), dt.date.fromisoformat(end or day)
            assert last >= first
            assert 0 < hours <= 24 * ((last - first).days + 1), (hours, day, end)
            assert title.strip() == title and title
            assert cost is None or cost >= 0
        for start, end, hours, fee, travel, days in conn.execute(
                "SELECT start_date, end_date, hours, fee, travel, cover_days FROM booking"):
            assert end >= start and hours > 0 and fee >= 0 and travel >= 0 and days >= 0
        # Every record that exists was written down when it was made.
        for table in ("staff", "activity", "booking"):
            missing = conn.execute(f"SELECT id FROM {table} WHERE id NOT IN (SELECT record_id FROM audit_entry "
                                   f"WHERE table_name = '{table}' AND action = 'create')").fetchall()
            assert missing == [], f"{table} rows without a 'create' audit entry: {missing}"
    finally:
        conn.close()


def apply(session: Any, school: School, action: str, values: dict[str, Any], pick: int) -> None:
    people = list(session.scalars(select(Staff).order_by(Staff.id)))
    done = list(session.scalars(select(Activity).order_by(Activity.id)))
    planned = list(session.scalars(select(Booking).order_by(Booking.id)))
    person = people[pick % len(people)] if people else None
    if action == "add_staff":
        staff.add_staff(session, school, **values)
    elif action == "update_staff" and person is not None:
        staff.update_staff(session, person, **values)
    elif action == "add_activity" and person is not None:
        activities.add_activity(session, school, person, **values)
    elif action == "update_activity" and done:
        activities.update_activity(session, done[pick % len(done)], **values)
    elif action == "create_booking" and person is not None:
        bookings.create_booking(session, school, person, **values)
    elif action == "transition" and planned:
        bookings.transition_booking(session, planned[pick % len(planned)], values["status"], on=TODAY)
    elif action == "delete_staff" and person is not None:
        staff.delete_staff(session, person)
    elif action == "delete_activity" and done:
        activities.delete_activity(session, done[pick % len(done)])
    elif action == "anonymise" and person is not None:
        privacy.anonymise_staff(session, person, today=TODAY)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(STEP, st.integers(min_value=0, max_value=50)), min_size=1, max_size=12))
def test_hostile_service_calls_never_break_a_rule_or_leave_half_a_change(steps: list[Any], template: Path,
                                                                         tmp_path_factory: Any) -> None:
    path = tmp_path_factory.mktemp("hostile") / "school.sqlite"
    shutil.copyfile(template, path)
    db = open_database(path)
    try:
        for (action, values), pick in steps:
            before = snapshot(path)
            try:
                with db.session() as s:
                    apply(s, s.scalars(select(School)).one(), action, dict(values), pick)
            except CpdError as exc:
                assert str(exc).strip(), "a refusal must say why"
                assert snapshot(path) == before, f"{action} was refused but changed the database"
            check_rules(path)
    finally:
        db.dispose()


def test_the_rules_check_catches_a_broken_row(template: Path, tmp_path: Path) -> None:
    """The checker itself bites: a row written around the services is caught."""
    path = tmp_path / "broken.sqlite"
    shutil.copyfile(template, path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE staff SET forename = ' Padded '")
    conn.commit()
    conn.close()
    try:
        check_rules(path)
    except AssertionError:
        return
    raise AssertionError("check_rules missed a padded name")


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small school (a leaver with an activity and a booking), copied afresh for each example."""
    return _make_template(tmp_path_factory.mktemp("template"))


def _make_template(folder: Path) -> Path:
    path = folder / "template.sqlite"
    db = open_database(path, create=True)
    from cpd_desktop.services.schools import create_school

    with db.session() as s:
        school = create_school(s, "Hostile Academy", departments=["Science"])
        person = staff.add_staff(s, school, forename="Ada", surname="Lovelace", staff_code="ALO",
                                 start_date="01/09/2015", leaving_date="31/08/2019")
        activities.add_activity(s, school, person, date="01/10/2018", hours="6", title="Practical physics",
                                cost=Decimal("120.00"))
        bookings.create_booking(s, school, person, title="Residential chemistry", start_date="05/03/2019",
                                end_date="07/03/2019", hours="18",
                                intended_outcomes="Pupils carry out the practical with less help")
    db.dispose()
    return path
