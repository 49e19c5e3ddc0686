"""Migration 0009: a file of schema 0008 keeps every scheme and claim; schemes gain open validity dates and an
eligibility note, budget lines their amounts per cost head, the school an empty (off) staff day cost; the
database then refuses a scheme that ends before it starts and negative amounts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cpd_desktop.services.database import open_database
from cpd_desktop.storage.migrate import alembic_config, head_revision, upgrade, upgrade_on_open

ROWS_0008 = """
    INSERT INTO school (id, name, phase, state_funded, academic_year_start_month, financial_year_start_month,
        cpd_target_hours, subject_specific_target, supply_day_rate, mileage_rate, evaluation_due_days,
        leaver_retention_years, is_demo)
        VALUES (1, 'Old Academy', 'secondary', 1, 9, 4, 35, 50, 291, 0.45, 42, 6, 0);
    INSERT INTO staff (id, school_id, forename, surname, staff_code, fte, anonymised)
        VALUES (1, 1, 'Amy', 'Cole', 'ACO', 1, 0);
    INSERT INTO bursary_scheme (id, school_id, name, rule, amount, covers_fee, covers_travel,
        covers_accommodation, covers_subsistence, covers_cover, implementation_amount, min_days,
        state_funded_only, claim_deadline_days, active, notes)
        VALUES (1, 1, 'ENTHUSE', 'per_day', 220, 1, 1, 1, 1, 1, 0, 0, 1, 60, 1, 'Valid from 2025'),
               (2, 1, 'Stimulating Physics Network', 'per_course', 150, 1, 1, 1, 1, 1, 0, 0, 1, 60, 0, NULL);
    INSERT INTO booking (id, school_id, staff_id, title, start_date, end_date, hours, format, subject_specific,
        status, cover_required, fee, travel, accommodation, subsistence, cover_days, cover_day_rate)
        VALUES (1, 1, 1, 'Residential', '2024-12-08', '2024-12-10', 18, 'residential', 1, 'attended', 1,
                0, 0, 0, 0, 3, 291);
    INSERT INTO bursary_claim (id, school_id, booking_id, scheme_id, status, expected, claimed, received,
        submitted_on, approved_on, paid_on, evidence_attendance, evidence_evaluation, evidence_invoice, notes)
        VALUES (1, 1, 1, 1, 'paid', 660, 660, 660, '2024-12-14', '2024-12-20', '2025-01-10', 1, 1, 1, 'Paid'),
               (2, 1, 1, 2, 'draft', 150, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL);
    INSERT INTO budget_line (id, school_id, financial_year, name, budget_code, amount)
        VALUES (1, 1, 2024, 'Whole-school CPD', 'CPD01', 5000);
"""


def file_at_0008(path: Path) -> None:
    sqlite3.connect(path).close()
    db = open_database(path, migrate=False)
    upgrade(db, "0008_lock_breaker", cfg=alembic_config())
    db.dispose()
    conn = sqlite3.connect(path)
    try:
        conn.executescript(ROWS_0008)
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def upgraded(tmp_path: Path) -> sqlite3.Connection:
    path = tmp_path / "old.sqlite"
    try:
        file_at_0008(path)
    except sqlite3.OperationalError as exc:
        pytest.fail(f"the test's 0008 rows do not fit the 0008 schema: {exc}")
    before = sqlite3.connect(path)
    schemes = before.execute("SELECT * FROM bursary_scheme ORDER BY id").fetchall()
    claims = before.execute("SELECT * FROM bursary_claim ORDER BY id").fetchall()
    before.close()
    db = open_database(path, migrate=False)
    upgrade_on_open(db)
    db.dispose()
    conn = sqlite3.connect(path)
    width = len(schemes[0])
    assert [row[:width] for row in conn.execute("SELECT * FROM bursary_scheme ORDER BY id")] == schemes
    assert conn.execute("SELECT * FROM bursary_claim ORDER BY id").fetchall() == claims
    return conn


def test_every_scheme_and_claim_is_kept_and_the_new_columns_are_empty(upgraded: sqlite3.Connection) -> None:
    conn = upgraded
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
    assert conn.execute("SELECT valid_from, valid_to, eligibility FROM bursary_scheme").fetchall() == [
        (None, None, None), (None, None, None)]
    assert conn.execute("SELECT fee_amount, travel_amount, accommodation_amount, subsistence_amount, "
                        "cover_amount FROM budget_line").fetchall() == [(None,) * 5]
    assert conn.execute("SELECT staff_day_cost FROM school").fetchall() == [(None,)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.parametrize("statement", [
    "UPDATE bursary_scheme SET valid_from = '2025-04-01', valid_to = '2025-03-31' WHERE id = 1",
    "UPDATE budget_line SET travel_amount = -1 WHERE id = 1",
    "UPDATE school SET staff_day_cost = -0.01 WHERE id = 1",
])
def test_the_upgraded_file_refuses_what_a_new_one_refuses(upgraded: sqlite3.Connection, statement: str) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        upgraded.execute(statement)


def test_the_upgraded_file_takes_valid_dates_and_head_amounts(upgraded: sqlite3.Connection) -> None:
    upgraded.execute("UPDATE bursary_scheme SET valid_from = '2014-09-01', valid_to = '2025-03-31' WHERE id = 2")
    upgraded.execute("UPDATE budget_line SET fee_amount = 2000, cover_amount = 0 WHERE id = 1")
    upgraded.execute("UPDATE school SET staff_day_cost = 266")
    assert upgraded.execute("SELECT valid_to FROM bursary_scheme WHERE id = 2").fetchone() == ("2025-03-31",)
