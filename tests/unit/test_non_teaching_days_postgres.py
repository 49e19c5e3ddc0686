"""On a trust's PostgreSQL server a school's login sees and writes only its own non-teaching days
(row-level security, as on every table whose rows belong to one school)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from cpd_desktop.services.access import grant_school
from cpd_desktop.services.database import open_database
from cpd_desktop.services.non_teaching_days import add_non_teaching_day
from cpd_desktop.services.schools import create_school

pytestmark = pytest.mark.postgres


def test_a_school_login_cannot_read_or_add_another_schools_non_teaching_days(pg_url: str) -> None:
    db = open_database(pg_url, create=True)
    with db.session() as s:
        ashcombe = create_school(s, "Ashcombe Park Academy")
        bracken = create_school(s, "Brackenfield School")
        add_non_teaching_day(s, ashcombe, "04/01/2027", "INSET: Ashcombe only")
        add_non_teaching_day(s, bracken, "05/01/2027", "INSET: Brackenfield")
        ashcombe_id = ashcombe.id
    db.dispose()
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    role = "cpd_test_ntd_" + pg_url.rsplit("_", 1)[-1][:8]
    with engine.connect() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        db = open_database(pg_url)
        with db.session() as s:
            grant_school(s, role, "Brackenfield School")
        db.dispose()
        with engine.connect() as conn:
            conn.execute(text(f'SET ROLE "{role}"'))
            assert conn.execute(text("SELECT reason FROM non_teaching_day")).scalars().all() == ["INSET: Brackenfield"]
            with pytest.raises(Exception, match="row-level security"):
                conn.execute(text("INSERT INTO non_teaching_day (school_id, date, reason, version, updated_at, "
                                  "updated_by) VALUES (:s, '2027-01-06', 'Sneaky', 1, now(), '')"), {"s": ashcombe_id})
            conn.execute(text("RESET ROLE"))
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()
