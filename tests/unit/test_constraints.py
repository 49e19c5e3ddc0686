"""The database itself refuses bad rows, even when they are written past the services (another tool, a bug).

Each case first writes a sound row of the table (to show the refusal is about the bad value, not the
test's own row) and then the same row with one bad value, straight through SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from cpd_desktop.errors import CpdError
from cpd_desktop.models import (
    Activity,
    Base,
    Booking,
    BursaryClaim,
    BursaryScheme,
    Course,
    CoverLesson,
    Department,
    School,
    SchoolPeriod,
    Staff,
    TermDates,
    TimetableLesson,
)
from cpd_desktop.services.activities import add_activity
from cpd_desktop.services.bookings import create_booking
from cpd_desktop.services.bursaries import add_scheme
from cpd_desktop.services.catalogue import add_course
from cpd_desktop.services.database import open_database
from cpd_desktop.services.staff import add_staff
from cpd_desktop.storage.database import Database


def _make_records(db: Database, school: School) -> dict[str, int]:
    """One sound record of each kind to point new rows at."""
    with db.session() as s:
        s.add(school)
        staff = add_staff(s, school, forename="Aisha", surname="Begum", staff_code="ABE", department="Biology")
        booking = create_booking(s, school, staff, title="Teaching genetics", start_date="14/10/2025", hours="6",
                                 intended_outcomes="Pupils carry out the practical with less help")
        scheme = add_scheme(s, school, name="Ogden Trust grant", rule="per_course", amount="300")
        course = add_course(s, school, title="Effective feedback in science", code="SLP12", hours="6")
        activity = add_activity(s, school, staff, date="15/10/2025", hours="2", title="Reading group")
        dept = s.scalar(select(Department.id).where(Department.name == "Biology"))
        assert dept is not None
        return {"school": school.id, "staff": staff.id, "booking": booking.id, "scheme": scheme.id,
                "course": course.id, "activity": activity.id, "department": dept}


@pytest.fixture
def ids(db: Database, school: School) -> dict[str, int]:
    return _make_records(db, school)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, dict[str, int]]]:
    """One database for the many refusals below: each write is rolled back, so none sees another's."""
    from cpd_desktop.services.schools import create_school

    folder = tmp_path_factory.mktemp("constraints")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CPD_DESKTOP_DATA", str(folder))
        database = open_database(folder / "school.sqlite", create=True)
        with database.session() as s:
            school = create_school(s, "Test Academy", departments=["Science"])
        yield database, _make_records(database, school)
        database.dispose()


def _sound(ids: dict[str, int]) -> dict[type[Base], dict[str, Any]]:
    school, staff, booking = ids["school"], ids["staff"], ids["booking"]
    return {
        School: {"name": "Second School"},
        Staff: {"school_id": school, "forename": "Fiona", "surname": "MacLeod", "staff_code": "FML", "fte": 0.8,
                "start_date": dt.date(2015, 9, 1)},
        Department: {"school_id": school, "name": "Physics"},
        Activity: {"school_id": school, "staff_id": staff, "date": dt.date(2025, 10, 1), "hours": Decimal("3"),
                   "title": "Safeguarding update", "format": "inset"},
        Booking: {"school_id": school, "staff_id": staff, "title": "ASE Annual Conference",
                  "start_date": dt.date(2026, 1, 5), "end_date": dt.date(2026, 1, 6), "hours": Decimal("12"),
                  "status": "planned", "format": "conference"},
        Course: {"school_id": school, "title": "Teaching forces and motion", "code": "SPN01", "hours": Decimal("5")},
        BursaryScheme: {"school_id": school, "name": "Residential bursary", "rule": "per_day",
                        "amount": Decimal("220")},
        BursaryClaim: {"school_id": school, "booking_id": booking, "scheme_id": ids["scheme"], "status": "draft",
                       "expected": Decimal("300")},
        TermDates: {"school_id": school, "academic_year": 2025, "term": "autumn", "start_date": dt.date(2025, 9, 3),
                    "end_date": dt.date(2025, 12, 19)},
        SchoolPeriod: {"school_id": school, "number": 6, "label": "P6", "start_time": dt.time(15, 0),
                       "end_time": dt.time(16, 0)},
        TimetableLesson: {"school_id": school, "staff_id": staff, "week": "A", "weekday": 1, "period": 1},
        CoverLesson: {"school_id": school, "booking_id": booking, "date": dt.date(2025, 10, 14), "period": 1,
                      "work_return": "none"},
    }


@pytest.fixture
def write(shared: tuple[Database, dict[str, int]]) -> Iterator[Callable[..., None]]:
    """Write a row of a table straight through SQL, in a transaction that is always rolled back."""
    db, ids = shared
    sound = _sound(ids)
    conn = db.engine.connect()

    def _write(model: type[Base], **changes: Any) -> None:
        row = {**sound[model], **changes}
        with conn.begin() as tx:
            try:
                conn.execute(insert(model.__table__), [row])  # type: ignore[attr-defined]
            finally:
                tx.rollback()

    yield _write
    conn.close()


CASES: list[tuple[type[Base], dict[str, Any], str]] = [
    # CHECK constraints
    (Staff, {"fte": 0}, "FTE of 0"), (Staff, {"fte": 1.2}, "FTE over 1"), (Staff, {"ect_year": 3}, "ECT year 3"),
    (Staff, {"leaving_date": dt.date(2014, 7, 31)}, "leaving before starting"),
    (Staff, {"forename": "   "}, "blank forename"), (Staff, {"staff_code": ""}, "blank staff code"),
    (Activity, {"hours": Decimal("0")}, "0 hours"), (Activity, {"hours": Decimal("-2")}, "negative hours"),
    (Activity, {"end_date": dt.date(2025, 9, 30)}, "end before start"),
    (Activity, {"format": "juggling"}, "unknown format"), (Activity, {"cost": Decimal("-1")}, "negative cost"),
    (Activity, {"impact_confidence": 6}, "confidence 6"), (Activity, {"status": "lost"}, "unknown status"),
    (Activity, {"title": " "}, "blank title"),
    (Booking, {"status": "lost"}, "unknown status"), (Booking, {"end_date": dt.date(2026, 1, 4)}, "end before start"),
    (Booking, {"hours": Decimal("0")}, "0 hours"), (Booking, {"fee": Decimal("-650")}, "negative fee"),
    (Booking, {"travel": Decimal("-1")}, "negative travel"), (Booking, {"cover_days": -1}, "negative cover days"),
    (Booking, {"cover_day_rate": Decimal("-291")}, "negative day rate"), (Booking, {"title": ""}, "blank title"),
    (Course, {"hours": Decimal("0")}, "0 hours"), (Course, {"days": 0}, "0 days"),
    (Course, {"fee": Decimal("-1")}, "negative fee"), (Course, {"format": "juggling"}, "unknown format"),
    (BursaryScheme, {"rule": "per_hour"}, "unknown rule"), (BursaryScheme, {"amount": Decimal("-1")}, "negative"),
    (BursaryScheme, {"claim_deadline_days": 1000}, "deadline too far"),
    (BursaryClaim, {"status": "lost"}, "unknown status"), (BursaryClaim, {"expected": Decimal("-1")}, "negative"),
    (BursaryClaim, {"received": Decimal("-1")}, "negative received"),
    (School, {"phase": "nursery"}, "unknown phase"), (School, {"cpd_target_hours": Decimal("0")}, "0 target"),
    (School, {"subject_specific_target": Decimal("101")}, "share over 100%"),
    (School, {"supply_day_rate": Decimal("-1")}, "negative day rate"),
    (School, {"financial_year_start_month": 13}, "month 13"), (School, {"name": " "}, "blank name"),
    (TermDates, {"term": "winter"}, "unknown term"), (TermDates, {"end_date": dt.date(2025, 9, 1)}, "end before start"),
    (SchoolPeriod, {"end_time": dt.time(14, 0)}, "ends before it starts"),
    (TimetableLesson, {"weekday": 8}, "weekday 8"), (TimetableLesson, {"week": "C"}, "week C"),
    (CoverLesson, {"work_return": "lost"}, "unknown work return"), (CoverLesson, {"period": 21}, "period 21"),
    # NOT NULL
    (Staff, {"surname": None}, "no surname"), (Staff, {"school_id": None}, "no school"),
    (Activity, {"date": None}, "no date"), (Activity, {"hours": None}, "no hours"),
    (Activity, {"staff_id": None}, "no staff"), (Booking, {"start_date": None}, "no start"),
    (BursaryClaim, {"booking_id": None}, "no booking"), (Course, {"title": None}, "no title"),
    # UNIQUE
    (Staff, {"staff_code": "ABE"}, "a staff code already used in the school"),
    (Department, {"name": "Biology"}, "a department twice"), (School, {"name": "Test Academy"}, "a school twice"),
    (Course, {"code": "SLP12"}, "a course code twice"), (BursaryScheme, {"name": "Ogden Trust grant"}, "a scheme twice"),
    (SchoolPeriod, {"number": 1}, "period 1 twice"),
    # FOREIGN KEY
    (Activity, {"staff_id": 9999}, "a missing person"), (Staff, {"department_id": 9999}, "a missing department"),
    (Booking, {"course_id": 9999}, "a missing course"), (BursaryClaim, {"booking_id": 9999}, "a missing booking"),
    (BursaryClaim, {"scheme_id": 9999}, "a missing scheme"), (CoverLesson, {"booking_id": 9999}, "a missing booking"),
    (Staff, {"school_id": 9999}, "a missing school"),
]


@pytest.mark.parametrize(("model", "bad", "what"), CASES, ids=[f"{m.__tablename__}: {w}" for m, _, w in CASES])
def test_the_database_refuses(write: Callable[..., None], model: type[Base], bad: dict[str, Any], what: str) -> None:
    write(model)  # the sound row goes in
    with pytest.raises(IntegrityError):
        write(model, **bad)


def test_a_second_claim_on_one_scheme_for_one_booking_is_refused(db: Database, ids: dict[str, int]) -> None:
    claim = _sound(ids)[BursaryClaim]
    with db.engine.begin() as conn:
        conn.execute(insert(BursaryClaim.__table__), [claim])
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(insert(BursaryClaim.__table__), [claim])


def test_one_activity_per_booking(db: Database, ids: dict[str, int]) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(Activity.__table__).where(Activity.__table__.c.id == ids["activity"])
                     .values(booking_id=ids["booking"]))
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(insert(Activity.__table__), [{**_sound(ids)[Activity], "booking_id": ids["booking"]}])


def test_a_person_with_cpd_records_cannot_be_deleted_from_under_them(db: Database, ids: dict[str, int]) -> None:
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(delete(Staff.__table__).where(Staff.__table__.c.id == ids["staff"]))
    with db.engine.connect() as conn:
        assert conn.scalar(select(Staff.__table__.c.id).where(Staff.__table__.c.id == ids["staff"])) == ids["staff"]


def test_a_bad_row_through_a_session_is_a_user_error_and_nothing_is_kept(db: Database, ids: dict[str, int]) -> None:
    with pytest.raises(CpdError, match="nothing was saved"), db.session() as s:
        s.execute(insert(Staff.__table__), [{**_sound(ids)[Staff], "staff_code": "OK1"}])
        s.execute(insert(Staff.__table__), [{**_sound(ids)[Staff], "fte": 2}])
    with db.engine.connect() as conn:
        assert conn.scalar(select(Staff.__table__.c.id).where(Staff.__table__.c.staff_code == "OK1")) is None


def test_foreign_keys_are_on_for_every_connection(db: Database, db_path: Any) -> None:
    held = [db.engine.connect() for _ in range(4)]  # several at once: each a new SQLite connection
    try:
        assert [c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in held] == [1, 1, 1, 1]
    finally:
        for c in held:
            c.close()
    db.dispose()  # connections made after the pool is emptied too
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with db.session() as s:
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
    readonly = open_database(db_path, readonly=True)
    try:
        with readonly.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        readonly.dispose()
