"""Migration 0010 on a file of schema 0009: every course and programme is kept with no EEF mechanism ticked,
people gain an empty objective table; the database then refuses a mechanisms value no mechanism stands for,
an empty or over-long objective, two objectives for one person in one year and an objective pointing at
another school's person."""

from __future__ import annotations

import sqlite3

import pytest

from tests.migration_files import schools, upgraded_fixture

ROWS_0009 = schools("Old Academy", "Other School") + """
    INSERT INTO staff (id, school_id, forename, surname, staff_code, fte, anonymised)
        VALUES (1, 1, 'Łukasz', 'Zając', 'LZA', 1, 0), (2, 2, 'Amy', 'Cole', 'ACO', 1, 0);
    INSERT INTO course (id, school_id, title, format, subject_specific, hours, days, fee, active)
        VALUES (1, 1, 'Teaching electricity', 'face_to_face', 1, 6, 1, 120, 1);
    INSERT INTO programme (id, school_id, name, start_date, end_date)
        VALUES (1, 1, 'Subject Knowledge for Physics Teaching', '2025-10-01', '2026-03-31');
    INSERT INTO booking (id, school_id, staff_id, course_id, programme_id, title, start_date, end_date, hours,
        format, subject_specific, status, cover_required, fee, travel, accommodation, subsistence, cover_days,
        cover_day_rate)
        VALUES (1, 1, 1, 1, 1, 'Teaching electricity', '2025-12-08', '2025-12-08', 6, 'face_to_face', 1,
                'booked', 0, 120, 0, 0, 0, 0, 291);
"""


upgraded = upgraded_fixture("0009_scheme_validity", ROWS_0009, keep=("course", "programme", "booking", "staff"),
                            foreign_keys=True)


def test_courses_and_programmes_are_kept_with_no_mechanism_ticked(upgraded: sqlite3.Connection) -> None:
    conn = upgraded
    assert conn.execute("SELECT mechanisms FROM course").fetchall() == [(0,)]
    assert conn.execute("SELECT mechanisms FROM programme").fetchall() == [(0,)]
    assert conn.execute("SELECT count(*) FROM objective").fetchone() == (0,)


def test_the_database_refuses_mechanisms_no_mechanism_stands_for(upgraded: sqlite3.Connection) -> None:
    conn = upgraded
    conn.execute("UPDATE programme SET mechanisms = 16383")  # all 14
    conn.execute("UPDATE course SET mechanisms = 1")
    for table, bad in (("course", 16384), ("programme", -1)):
        with pytest.raises(sqlite3.IntegrityError, match="mechanisms"):
            conn.execute(f"UPDATE {table} SET mechanisms = ?", (bad,))


def test_objectives_are_one_per_person_and_year_and_stay_in_their_school(upgraded: sqlite3.Connection) -> None:
    conn = upgraded
    conn.execute("INSERT INTO objective (school_id, staff_id, academic_year, text) "
                 "VALUES (1, 1, 2025, 'Teach circuits with the rope model')")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute("INSERT INTO objective (school_id, staff_id, academic_year, text) VALUES (1, 1, 2025, 'x')")
    with pytest.raises(sqlite3.IntegrityError, match="text_present"):
        conn.execute("INSERT INTO objective (school_id, staff_id, academic_year, text) VALUES (1, 1, 2026, '  ')")
    with pytest.raises(sqlite3.IntegrityError, match="text_present"):
        conn.execute("INSERT INTO objective (school_id, staff_id, academic_year, text) VALUES (1, 1, 2026, ?)",
                     ("x" * 301,))
    with pytest.raises(sqlite3.IntegrityError, match="another school"):
        conn.execute("INSERT INTO objective (school_id, staff_id, academic_year, text) VALUES (1, 2, 2025, 'x')")
    conn.execute("DELETE FROM booking")
    conn.execute("DELETE FROM staff WHERE id = 1")  # the person goes: their objective goes with them
    assert conn.execute("SELECT count(*) FROM objective").fetchone() == (0,)
