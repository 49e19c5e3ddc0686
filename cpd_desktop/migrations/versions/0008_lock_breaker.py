"""Trust server: a whole-table lock taken by a school's login is broken by the next colleague it blocks.

PostgreSQL lets any login that may delete rows of a table lock the whole table (``LOCK TABLE … IN ACCESS
EXCLUSIVE MODE``), and nothing in the rights system stops it short of taking DELETE away. The app never
takes a lock stronger than ROW EXCLUSIVE, so a school login holding one is not the app at work. This adds
``cpd_end_table_locks()``: run with the owner's rights, it ends the sessions of school logins that hold
such a lock on one of the app's tables and says how many it ended. Every connection of the app calls it
when a statement gives up waiting for a lock (``cpd_desktop.db``), so a hostile lock costs the others one
"busy, try again" rather than their work. The owner needs the right to end other sessions (a superuser,
or a member of ``pg_signal_backend``); without it the function ends nothing and the lock time-outs remain.

SQLite: nothing (one file, one writer at a time, and no logins).

Revision ID: 0008_lock_breaker
Revises: 0007_impact
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0008_lock_breaker"
down_revision = "0007_impact"
branch_labels = None
depends_on = None

# Lock modes the app never takes on its tables; each blocks other sessions' reads or writes.
STRONG_MODES = ("ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock",
                "AccessExclusiveLock")

FUNCTION = f"""
CREATE OR REPLACE FUNCTION cpd_end_table_locks() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    ended integer := 0;
    holder integer;
BEGIN
    FOR holder IN
        SELECT DISTINCT l.pid
        FROM pg_locks l
        JOIN pg_class c ON c.oid = l.relation
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'relation' AND l.granted
          AND l.mode IN ({", ".join(f"'{m}'" for m in STRONG_MODES)})
          AND l.pid <> pg_backend_pid()
          AND a.usename IN (SELECT role_name FROM public.school_access)
    LOOP
        BEGIN
            IF pg_terminate_backend(holder) THEN
                ended := ended + 1;
            END IF;
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;  -- the owner may not end sessions here: the lock time-outs are all that is left
        END;
    END LOOP;
    RETURN ended;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    # Only school logins get it (cpd_desktop.integrity.apply_school_rights grants it to each).
    op.execute("REVOKE ALL ON FUNCTION cpd_end_table_locks() FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cpd_end_table_locks()")
