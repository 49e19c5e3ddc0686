"""Migration 0012 on a file of schema 0011: the school gains the rule for which activities get the later
evaluation stages (at least 6 hours; every activity in a programme), added in place, so every school row
is kept as it was and takes the defaults; and the database refuses a negative number of hours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cpd_desktop.services.database import open_database
from cpd_desktop.storage.migrate import alembic_config, upgrade, upgrade_on_open
from cpd_desktop.storage.schema import HEAD_REVISION

ROWS_0011 = """
    INSERT INTO school (id, name, phase, state_funded, academic_year_start_month, financial_year_start_month,
        cpd_target_hours, subject_specific_target, supply_day_rate, mileage_rate, evaluation_due_days,
        leaver_retention_years, is_demo, stage_classroom_days)
        VALUES (1, 'Old Academy', 'secondary', 1, 9, 4, 35, 50, 291, 0.45, 42, 6, 0, 28),
               (2, 'Ysgol Gymraeg', 'primary', 0, 9, 4, 30, 40, 250, 0.45, 30, 6, 0, 42);
    INSERT INTO staff (id, school_id, forename, surname, staff_code, fte, anonymised)
        VALUES (1, 1, 'Łukasz', 'Zając', 'LZA', 1, 0), (2, 2, 'Siân', 'Jones', 'SJO', 0.6, 0);
"""


def test_schools_keep_their_rows_and_take_the_default_rule(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    sqlite3.connect(path).close()
    db = open_database(path, migrate=False)
    upgrade(db, "0011_stage_rows", cfg=alembic_config())
    db.dispose()
    conn = sqlite3.connect(path)
    conn.executescript(ROWS_0011)
    conn.commit()
    before = conn.execute("SELECT id, name, phase, state_funded, cpd_target_hours, stage_classroom_days "
                          "FROM school ORDER BY id").fetchall()
    conn.close()

    db = open_database(path, migrate=False)
    upgrade_on_open(db)
    db.dispose()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)
    assert conn.execute("SELECT id, name, phase, state_funded, cpd_target_hours, stage_classroom_days "
                        "FROM school ORDER BY id").fetchall() == before
    assert conn.execute("SELECT id, later_stages_hours, later_stages_programmes FROM school ORDER BY id").fetchall() \
        == [(1, 6, 1), (2, 6, 1)]
    assert conn.execute("SELECT count(*) FROM staff").fetchone() == (2,)  # nothing referring to a school went
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE school SET later_stages_hours = -1 WHERE id = 1")
    conn.close()
