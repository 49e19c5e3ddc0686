"""Migration 0009: a file of schema 0008 keeps every scheme and claim; schemes gain open validity dates and an
eligibility note, budget lines their amounts per cost head, the school an empty (off) staff day cost; the
database then refuses a scheme that ends before it starts and negative amounts."""

from __future__ import annotations

import sqlite3

import pytest

from tests.migration_files import schools, upgraded_fixture

ROWS_0008 = schools("Old Academy") + """
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


upgraded = upgraded_fixture("0008_lock_breaker", ROWS_0008, keep=("bursary_scheme", "bursary_claim"))


def test_every_scheme_and_claim_is_kept_and_the_new_columns_are_empty(upgraded: sqlite3.Connection) -> None:
    conn = upgraded
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
