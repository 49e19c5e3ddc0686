"""Attack: one school's login locks a shared table for as long as it likes. The app never takes a
whole-table lock, so the colleague it blocks is told "busy" once, the hostile session is ended, and the
colleague's next try saves (migration 0008, ``cpd_desktop.storage.database.end_hostile_table_locks``)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cpd_desktop.errors import DatabaseLockedError
from cpd_desktop.models import Staff
from cpd_desktop.services import activities
from cpd_desktop.services.database import open_database
from cpd_desktop.services.schools import choose_school
from cpd_desktop.storage.database import end_hostile_table_locks

from .conftest import ALPHA, BETA, TODAY, Trust


def _add_activity(app: object, title: str) -> None:
    with app.session() as s:  # type: ignore[attr-defined]
        school = choose_school(s, None)
        staff = s.scalar(text("SELECT min(id) FROM staff"))
        activities.add_activity(s, school, s.get(Staff, staff), date=TODAY, hours="2", title=title)


def _titles(trust: Trust, title: str) -> int:
    with trust.admin.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM activity WHERE title = :t"), {"t": title}).scalar() or 0)


@pytest.mark.parametrize("mode", ["ACCESS EXCLUSIVE", "SHARE", "EXCLUSIVE"])
def test_a_school_holding_a_table_lock_is_ended_and_the_other_schools_next_save_goes_through(
        trust: Trust, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    monkeypatch.setenv("CPD_DESKTOP_LOCK_TIMEOUT", "1")
    app = open_database(trust.login_url(ALPHA))
    hostile = trust.login(BETA).connect()
    title = f"Twilight after a {mode.lower()} lock"
    try:
        hostile.execute(text(f"LOCK TABLE activity IN {mode} MODE"))
        with pytest.raises(DatabaseLockedError, match="busy"):
            _add_activity(app, title)
        # The hostile session was ended: its next statement fails, and its lock is gone.
        with pytest.raises(DBAPIError):
            hostile.execute(text("SELECT 1"))
        _add_activity(app, title)
    finally:
        try:
            hostile.rollback()
        except DBAPIError:
            pass
        hostile.close()
        app.dispose()
    assert _titles(trust, title) == 1


def test_the_app_own_row_locks_and_reads_are_never_ended(trust: Trust) -> None:
    """A colleague in the middle of a save (row locks, ROW EXCLUSIVE) is left alone."""
    busy = trust.login(BETA).connect()
    try:
        busy.execute(text("UPDATE staff SET notes = notes WHERE id = (SELECT min(id) FROM staff)"))
        assert end_hostile_table_locks(trust.login(ALPHA)) == 0
        assert busy.execute(text("SELECT 1")).scalar() == 1
    finally:
        busy.rollback()
        busy.close()


def test_only_school_logins_may_call_the_lock_breaker(trust: Trust) -> None:
    with trust.admin.connect() as conn:
        public = conn.execute(text(
            "SELECT has_function_privilege('public', 'cpd_end_table_locks()', 'EXECUTE')")).scalar()
        school = conn.execute(text("SELECT has_function_privilege(:r, 'cpd_end_table_locks()', 'EXECUTE')"),
                              {"r": trust.roles[BETA]}).scalar()
    assert public is False and school is True
