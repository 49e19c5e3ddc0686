"""People's development objectives are their school's own on a trust's server: another school's login neither
reads nor writes them, cannot move one to another school, nor point one at another school's person."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from .conftest import ALPHA, BETA, Trust

pytestmark = pytest.mark.postgres

INSERT = ("INSERT INTO objective (school_id, staff_id, academic_year, text, version, updated_at, updated_by) "
          "VALUES (:s, :p, 2030, 'Theirs', 1, now(), '')")


def test_a_school_login_reads_and_writes_only_its_own_peoples_objectives(trust: Trust) -> None:
    beta, alpha = trust.school_ids[BETA], trust.school_ids[ALPHA]
    with trust.admin.connect() as conn:
        everyone = dict(conn.execute(text("SELECT school_id, count(*) FROM objective GROUP BY school_id")).all())
        assert set(everyone) == {alpha, beta}  # both schools have objectives to attack
        theirs = conn.execute(text("SELECT min(id) FROM objective WHERE school_id = :s"), {"s": alpha}).scalar()
        their_person = conn.execute(text("SELECT min(id) FROM staff WHERE school_id = :s"), {"s": alpha}).scalar()
        my_person = conn.execute(text("SELECT max(id) FROM staff WHERE school_id = :s AND NOT EXISTS (SELECT 1 "
                                      "FROM objective o WHERE o.staff_id = staff.id AND o.academic_year = 2030)"),
                                 {"s": beta}).scalar()
    with trust.login(BETA).connect() as conn:
        assert conn.execute(text("SELECT DISTINCT school_id FROM objective")).scalars().all() == [beta]
        assert conn.execute(text("SELECT count(*) FROM objective WHERE id = :i"), {"i": theirs}).scalar() == 0
        # another school's objective: not changed, not deleted (row-level security hides it)
        assert conn.execute(text("UPDATE objective SET text = 'Changed' WHERE id = :i"), {"i": theirs}).rowcount == 0
        assert conn.execute(text("DELETE FROM objective WHERE id = :i"), {"i": theirs}).rowcount == 0
        with pytest.raises(DBAPIError, match="row-level security"):
            conn.execute(text(INSERT), {"s": alpha, "p": their_person})
        conn.rollback()
        with pytest.raises(DBAPIError, match="another school"):  # its own row, pointing at their person
            conn.execute(text(INSERT), {"s": beta, "p": their_person})
        conn.rollback()
        mine = conn.execute(text("SELECT min(id) FROM objective")).scalar()
        with pytest.raises(DBAPIError):
            conn.execute(text("UPDATE objective SET school_id = :s WHERE id = :i"), {"s": alpha, "i": mine})
        conn.rollback()
        # what it may do: write its own people's objectives
        assert conn.execute(text("UPDATE objective SET text = 'Ours, changed' WHERE id = :i"),
                            {"i": mine}).rowcount == 1
        conn.execute(text(INSERT), {"s": beta, "p": my_person})
        conn.rollback()
    with trust.admin.connect() as conn:
        assert conn.execute(text("SELECT text FROM objective WHERE id = :i"), {"i": theirs}).scalar() != "Changed"
