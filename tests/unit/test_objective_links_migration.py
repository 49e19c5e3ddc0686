"""Migration 0013 on a file of schema 0012: activities and bookings gain a link to the person's development
objective, added in place (every row kept, the link empty); the link stays inside one school and is emptied
when the objective goes; and the database itself refuses a costed booking that says nothing about what
should change for pupils (rows written before the migration are kept as they are)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cpd_desktop.errors import CpdError
from cpd_desktop.services.database import open_database
from cpd_desktop.storage.translate import describe_db_error
from tests.migration_files import schools, upgraded_fixture

ROWS_0012 = schools("Old Academy", "Other School") + """
    INSERT INTO staff (id, school_id, forename, surname, staff_code, fte, anonymised)
        VALUES (1, 1, 'Łukasz', 'Zając', 'LZA', 1, 0), (2, 2, 'Amy', 'Cole', 'ACO', 1, 0);
    INSERT INTO objective (id, school_id, staff_id, academic_year, text)
        VALUES (1, 1, 1, 2025, 'Use the rope model in Year 9.'), (2, 2, 2, 2025, 'Questioning in physics.');
    INSERT INTO booking (id, school_id, staff_id, title, start_date, end_date, hours, format, subject_specific,
        status, cover_required, fee, travel, accommodation, subsistence, cover_days, cover_day_rate)
        VALUES (1, 1, 1, 'Teaching electricity', '2025-12-08', '2025-12-08', 6, 'face_to_face', 1,
                'booked', 0, 120, 0, 0, 0, 0, 291);
    INSERT INTO activity (id, school_id, staff_id, booking_id, title, date, hours, format, subject_specific,
        std_pupil_outcomes, std_evidence, std_collaboration, std_sustained, std_prioritised)
        VALUES (1, 1, 1, NULL, 'Department INSET', '2025-11-03', 2, 'face_to_face', 1, 0, 0, 0, 0, 0);
"""
NEW_BOOKING = ("INSERT INTO booking (school_id, staff_id, title, start_date, end_date, hours, format, "
               "subject_specific, status, cover_required, fee, travel, accommodation, subsistence, cover_days, "
               "cover_day_rate, intended_outcomes) VALUES (1, 1, 'Residential', '2026-01-12', '2026-01-12', 6, "
               "'face_to_face', 1, 'planned', 0, :fee, 0, 0, 0, :cover, 291, :outcome)")


upgraded = upgraded_fixture("0012_stage_rules", ROWS_0012, keep=("booking", "activity", "objective", "staff"),
                            foreign_keys=True)


def test_rows_are_kept_with_no_objective(upgraded: sqlite3.Connection) -> None:
    conn = upgraded
    assert conn.execute("SELECT objective_id FROM booking").fetchall() == [(None,)]
    assert conn.execute("SELECT objective_id FROM activity").fetchall() == [(None,)]


def test_the_link_stays_in_its_school_and_is_emptied_with_the_objective(upgraded: sqlite3.Connection) -> None:
    conn = upgraded
    conn.execute("UPDATE booking SET intended_outcomes = 'Pupils explain current' WHERE id = 1")
    for table in ("activity", "booking"):
        with pytest.raises(sqlite3.IntegrityError, match=f"{table}.objective_id points at a record of another"):
            conn.execute(f"UPDATE {table} SET objective_id = 2 WHERE id = 1")
    conn.execute("UPDATE activity SET objective_id = 1 WHERE id = 1")
    conn.execute("UPDATE booking SET objective_id = 1 WHERE id = 1")
    conn.execute("DELETE FROM objective WHERE id = 1")
    assert conn.execute("SELECT objective_id FROM activity UNION ALL SELECT objective_id FROM booking").fetchall() \
        == [(None,), (None,)]


def test_sqlite_refuses_a_costed_booking_with_no_intended_outcome(upgraded: sqlite3.Connection) -> None:
    conn = upgraded
    sql = NEW_BOOKING.replace(":fee", "?").replace(":cover", "?").replace(":outcome", "?")
    for fee, cover, outcome in ((100, 0, None), (0, 1, "   "), (25, 2, "")):
        with pytest.raises(sqlite3.IntegrityError, match="intended_outcomes is required"):
            conn.execute(sql, (fee, cover, outcome))
    conn.execute(sql, (0, 0, None))  # free and no cover: no outcome needed
    conn.execute(sql, (100, 1, "Pupils explain circuits"))
    # The booking kept from before the migration (costed, no outcome) is refused only when changed.
    with pytest.raises(sqlite3.IntegrityError, match="intended_outcomes is required"):
        conn.execute("UPDATE booking SET title = 'Electricity' WHERE id = 1")
    conn.execute("UPDATE booking SET status = 'cancelled' WHERE id = 1")  # no longer being planned


@pytest.mark.postgres
def test_postgresql_refuses_it_too_and_the_app_says_so_plainly(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        with db.engine.connect() as conn:
            conn.execute(text(
                "INSERT INTO school (name, phase, state_funded, academic_year_start_month, "
                "financial_year_start_month, cpd_target_hours, subject_specific_target, supply_day_rate, "
                "mileage_rate, evaluation_due_days, leaver_retention_years, is_demo) "
                "VALUES ('Old Academy', 'secondary', true, 9, 4, 35, 50, 291, 0.45, 42, 6, false)"))
            school = conn.execute(text("SELECT id FROM school")).scalar()
            conn.execute(text("INSERT INTO staff (school_id, forename, surname, staff_code, fte, anonymised) "
                              "VALUES (:s, 'Amy', 'Cole', 'ACO', 1, false)"), {"s": school})
            staff = conn.execute(text("SELECT id FROM staff")).scalar()
            sql = NEW_BOOKING.replace("VALUES (1, 1,", "VALUES (:school, :staff,").replace(", 1, 'planned'",
                                                                                        ", true, 'planned'")
            sql = sql.replace("'planned', 0,", "'planned', false,")
            savepoint = conn.begin_nested()
            with pytest.raises(DBAPIError, match="intended_outcomes is required") as caught:
                conn.execute(text(sql), {"school": school, "staff": staff, "fee": 100, "cover": 0, "outcome": " "})
            savepoint.rollback()
            said = describe_db_error(caught.value)
            assert isinstance(said, CpdError) and "what should change for pupils" in str(said)
            conn.execute(text(sql), {"school": school, "staff": staff, "fee": 100, "cover": 0,
                                     "outcome": "Pupils explain circuits"})
            conn.rollback()
    finally:
        db.dispose()
