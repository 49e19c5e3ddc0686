"""A school's budget is its own on a trust's server: another school's login neither sees nor writes it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from .conftest import ALPHA, BETA, Trust

pytestmark = pytest.mark.postgres


def test_a_school_login_sees_writes_and_moves_only_its_own_budget_lines(trust: Trust) -> None:
    with trust.admin.connect() as conn:
        everyone = conn.execute(text("SELECT school_id, count(*) FROM budget_line GROUP BY school_id")).all()
    assert {sid for sid, n in everyone if n} == set(trust.school_ids.values())  # both schools have lines
    beta, alpha = trust.school_ids[BETA], trust.school_ids[ALPHA]
    with trust.login(BETA).connect() as conn:
        seen = conn.execute(text("SELECT DISTINCT school_id FROM budget_line")).scalars().all()
        assert seen == [beta]
        with pytest.raises(DBAPIError, match="row-level security"):
            conn.execute(text("INSERT INTO budget_line (school_id, financial_year, name, budget_code, amount, "
                              "version, updated_at, updated_by) VALUES (:s, 2030, 'Theirs', 'X', 1, 1, now(), '')"),
                         {"s": alpha})
        conn.rollback()
        mine = conn.execute(text("SELECT min(id) FROM budget_line")).scalar()
        with pytest.raises(DBAPIError):
            conn.execute(text("UPDATE budget_line SET school_id = :s WHERE id = :i"), {"s": alpha, "i": mine})
        conn.rollback()
        # what it may do: change its own line's amount
        assert conn.execute(text("UPDATE budget_line SET amount = amount + 1 WHERE id = :i"), {"i": mine}).rowcount == 1
        conn.rollback()
