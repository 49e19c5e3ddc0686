"""Migration 0003: a file from before it keeps every claim, non-teaching days get their table, and a claim
paid before it was approved (saved before dates were checked) is put in order with a note, not refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from cpd_desktop.services.database import open_database
from tests.migration_files import schools, upgraded_file

ROWS_0002 = schools("Old Academy") + """
    INSERT INTO staff (id, school_id, forename, surname, staff_code, fte, anonymised)
        VALUES (1, 1, 'Amy', 'Cole', 'ACO', 1, 0);
    INSERT INTO bursary_scheme (id, school_id, name, rule, amount, covers_fee, covers_travel,
        covers_accommodation, covers_subsistence, covers_cover, implementation_amount, min_days,
        state_funded_only, claim_deadline_days, active)
        VALUES (1, 1, 'ENTHUSE', 'per_day', 220, 1, 1, 1, 1, 1, 0, 0, 1, 60, 1);
    INSERT INTO booking (id, school_id, staff_id, title, start_date, end_date, hours, format, subject_specific,
        status, cover_required, fee, travel, accommodation, subsistence, cover_days, cover_day_rate)
        VALUES (1, 1, 1, 'Residential', '2026-12-08', '2026-12-10', 18, 'residential', 1, 'attended', 1,
                0, 0, 0, 0, 3, 291);
    INSERT INTO bursary_claim (id, school_id, booking_id, scheme_id, status, expected, claimed, received,
        submitted_on, approved_on, paid_on, evidence_attendance, evidence_evaluation, evidence_invoice, notes)
        VALUES (1, 1, 1, 1, 'paid', 660, 660, 660, '2026-12-14', '2026-12-20', '2026-12-01', 1, 1, 1,
                'Chased by phone');
"""


def test_a_claim_paid_before_it_was_approved_is_put_in_order_with_a_note(tmp_path: Path) -> None:
    conn = upgraded_file(tmp_path / "old.sqlite", "0002_school_access", ROWS_0002)
    submitted, approved, paid, received, notes = conn.execute(
        "SELECT submitted_on, approved_on, paid_on, received, notes FROM bursary_claim WHERE id = 1").fetchone()
    assert (submitted, approved, paid, received) == ("2026-12-14", "2026-12-20", "2026-12-20", 660)
    assert notes.startswith("Chased by phone\n") and "it said paid 01/12/2026" in notes
    assert conn.execute("SELECT pays_in_advance FROM bursary_scheme").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM non_teaching_day").fetchone() == (0,)
    conn.close()


def test_the_database_refuses_a_claim_paid_before_it_was_approved(tmp_path: Path) -> None:
    from cpd_desktop.services.schools import create_school
    from cpd_desktop.services.staff import add_staff

    db = open_database(tmp_path / "new.sqlite", create=True)
    try:
        with db.session() as s:
            school = create_school(s, "New Academy")
            add_staff(s, school, forename="Amy", surname="Cole", staff_code="ACO", fte=1)
        with db.engine.begin() as c:
            c.exec_driver_sql(
                "INSERT INTO bursary_scheme (id, school_id, name, rule, amount, covers_fee, covers_travel, "
                "covers_accommodation, covers_subsistence, covers_cover, implementation_amount, min_days, "
                "state_funded_only, claim_deadline_days, active) "
                "VALUES (1, 1, 'ENTHUSE', 'per_day', 220, 1, 1, 1, 1, 1, 0, 0, 1, 60, 1)")
            c.exec_driver_sql(
                "INSERT INTO booking (id, school_id, staff_id, title, start_date, end_date, hours, format, "
                "subject_specific, status, cover_required, fee, travel, accommodation, subsistence, cover_days, "
                "cover_day_rate) VALUES (1, 1, 1, 'Residential', '2026-12-08', '2026-12-10', 18, 'residential', "
                "1, 'attended', 1, 0, 0, 0, 0, 3, 291)")
        for wrong, rule in ((("2026-12-14", "2026-12-15", "2026-12-01"), "paid_after_approved"),
                            (("2026-12-14", "2026-12-10", None), "approved_after_submitted"),
                            (("2026-12-14", None, "2026-12-13"), "paid_after_submitted")):
            with pytest.raises(IntegrityError, match=rule), db.engine.begin() as c:
                c.exec_driver_sql(
                    "INSERT INTO bursary_claim (school_id, booking_id, scheme_id, status, expected, submitted_on, "
                    "approved_on, paid_on, evidence_attendance, evidence_evaluation, evidence_invoice) VALUES "
                    "(1, 1, 1, 'paid', 660, ?, ?, ?, 0, 0, 0)", wrong)
    finally:
        db.dispose()
