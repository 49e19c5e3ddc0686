"""Migration 0012 on a file of schema 0011: the school gains the rule for which activities get the later
evaluation stages (at least 6 hours; every activity in a programme), added in place, so every school row
is kept as it was and takes the defaults; and the database refuses a negative number of hours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.migration_files import SCHOOL_COLUMNS, upgraded_file

ROWS_0011 = f"""
    INSERT INTO school ({SCHOOL_COLUMNS}, stage_classroom_days)
        VALUES (1, 'Old Academy', 'secondary', 1, 9, 4, 35, 50, 291, 0.45, 42, 6, 0, 28),
               (2, 'Ysgol Gymraeg', 'primary', 0, 9, 4, 30, 40, 250, 0.45, 30, 6, 0, 42);
    INSERT INTO staff (id, school_id, forename, surname, staff_code, fte, anonymised)
        VALUES (1, 1, 'Łukasz', 'Zając', 'LZA', 1, 0), (2, 2, 'Siân', 'Jones', 'SJO', 0.6, 0);
"""


def test_schools_keep_their_rows_and_take_the_default_rule(tmp_path: Path) -> None:
    # Every school column kept as it was (stage_classroom_days among them), every person kept too.
    conn = upgraded_file(tmp_path / "old.sqlite", "0011_stage_rows", ROWS_0011, keep=("school", "staff"))
    assert conn.execute("SELECT id, later_stages_hours, later_stages_programmes FROM school ORDER BY id").fetchall() \
        == [(1, 6, 1), (2, 6, 1)]
    assert conn.execute("SELECT count(*) FROM staff").fetchone() == (2,)  # nothing referring to a school went
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE school SET later_stages_hours = -1 WHERE id = 1")
    conn.close()
