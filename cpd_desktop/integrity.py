"""The database's own guards that keep a school's records its own, on SQLite (PostgreSQL: migration 0004).

On SQLite they are triggers:

* a link between two records (an activity's staff, a claim's booking, …) stays inside one school;
* a record never moves to another school;
* school names are unique ignoring case and surrounding spaces;
* deleting a school deletes its audit entries with it (they would otherwise stay, with no school).

A batch migration (SQLite copies a table, drops it and renames the copy) would drop a table's triggers,
and a trigger naming a table breaks the rename, so ``migrations/env.py`` drops every guard before
migrating and installs them again afterwards on the schema as it then is (``install_sqlite_guards``).

On a trust's PostgreSQL server (migration 0004 holds its triggers and policies), a school's login gets
only the rights the app needs (``apply_school_rights``: by ``grant``, and again after every upgrade):

* read every table (row-level security shows it its own school's rows only);
* add, change and delete its school's records, but never choose an id (ids come from the tables'
  identity columns, which need no right on a sequence) nor move a record to another school;
* change its school's settings, but not add or delete a school;
* add to the audit trail, never change or delete it (a trigger refuses that to every login but the
  owner's);
* no TRUNCATE, TRIGGER or REFERENCES, and no right on any sequence: it cannot advance one, nor read
  ``last_value`` to learn how many records the whole trust holds;
* its sessions give up waiting for a lock after ``LOCK_TIMEOUT`` and stop a statement after
  ``STATEMENT_TIMEOUT``, and a transaction left open ends after ``IDLE_TIMEOUT`` (defaults that a
  session may change for itself: PostgreSQL lets any login set them).

What remains: PostgreSQL lets a login holding DELETE on a table take any lock on it, so a school's
login can still ``LOCK TABLE`` a shared table; every other session of the app then gives up after
its own lock timeout with "the database is busy" instead of hanging, and the trust's administrator
sees the holder in ``pg_stat_activity`` (``pg_terminate_backend`` ends it).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, text

PREFIX = "cpd_guard_"
# The revisions before the guards existed: a file migrated to one of them (tests do) gets none.
BEFORE_GUARDS = {"0001_initial", "0002_school_access", "0003_school_calendar"}

SCHOOL_TABLES = ["term_dates", "school_period", "department", "staff", "provider", "course", "booking",
                 "cover_lesson", "activity", "bursary_scheme", "bursary_claim", "timetable_lesson",
                 "audit_entry", "import_batch", "non_teaching_day", "budget_line",
                 "priority", "programme", "evaluation_stage", "indicator", "objective"]

# table -> [(column, the table it points at)]: every link between two records of a school.
LINKS: dict[str, list[tuple[str, str]]] = {
    "audit_entry": [("batch_id", "import_batch")],
    "course": [("bursary_scheme_id", "bursary_scheme"), ("provider_id", "provider"),
               ("import_batch_id", "import_batch")],
    "staff": [("department_id", "department"), ("import_batch_id", "import_batch")],
    "booking": [("staff_id", "staff"), ("course_id", "course"), ("provider_id", "provider"),
                ("import_batch_id", "import_batch"), ("priority_id", "priority"), ("programme_id", "programme"),
                ("objective_id", "objective")],
    "timetable_lesson": [("staff_id", "staff"), ("import_batch_id", "import_batch")],
    "activity": [("staff_id", "staff"), ("provider_id", "provider"), ("booking_id", "booking"),
                 ("import_batch_id", "import_batch"), ("priority_id", "priority"), ("programme_id", "programme"),
                ("objective_id", "objective")],
    "bursary_claim": [("scheme_id", "bursary_scheme"), ("booking_id", "booking")],
    "cover_lesson": [("booking_id", "booking"), ("timetable_lesson_id", "timetable_lesson")],
    "budget_line": [("department_id", "department"), ("import_batch_id", "import_batch")],
    "priority": [("department_id", "department")],
    "evaluation_stage": [("activity_id", "activity")],
    "indicator": [("import_batch_id", "import_batch")],
    "objective": [("staff_id", "staff"), ("priority_id", "priority")],
}
OTHER_SCHOOL = "points at a record of another school"
# A planned, approved or booked booking that costs money or needs cover says what should change for pupils
# (services/bookings.py refuses it first; migration 0013 holds PostgreSQL's trigger).
OUTCOME_NEEDED = "booking.intended_outcomes is required for a booking that costs money or needs cover"
NEEDS_OUTCOME = ("NEW.status IN ('planned', 'approved', 'booked') "
                 "AND (coalesce(NEW.fee, 0) + coalesce(NEW.travel, 0) + coalesce(NEW.accommodation, 0) "
                 "+ coalesce(NEW.subsistence, 0) > 0 OR coalesce(NEW.cover_days, 0) > 0) "
                 "AND trim(coalesce(NEW.intended_outcomes, '')) = ''")


def sqlite_guard_statements(tables: dict[str, set[str]]) -> list[str]:
    """CREATE TRIGGER statements for the tables and columns that exist (``tables``: name -> columns)."""
    out = []
    for table in SCHOOL_TABLES:
        if "school_id" not in tables.get(table, set()):
            continue
        out.append(f"CREATE TRIGGER IF NOT EXISTS {PREFIX}{table}_stays BEFORE UPDATE OF school_id ON {table} "
                   "WHEN NEW.school_id IS NOT OLD.school_id "
                   f"BEGIN SELECT RAISE(ABORT, 'A {table} record cannot move to another school'); END")
        links = [(c, t) for c, t in LINKS.get(table, []) if c in tables[table] and t in tables]
        if not links:
            continue
        # One trigger per table and statement, one check per link in its body: a trigger program per row
        # costs more than its lookups (a 100,000-row import: +1.5 s with a trigger per link).
        checks = " ".join(
            f"SELECT RAISE(ABORT, '{table}.{column} {OTHER_SCHOOL}') WHERE NEW.{column} IS NOT NULL AND "  # noqa: S608 - the schema's own names
            f"(SELECT t.school_id FROM {target} t WHERE t.id = NEW.{column}) <> NEW.school_id;"
            for column, target in links)
        columns = ", ".join(c for c, _t in links)
        out.append(f"CREATE TRIGGER IF NOT EXISTS {PREFIX}{table}_links_insert BEFORE INSERT ON {table} "
                   f"BEGIN {checks} END")
        out.append(f"CREATE TRIGGER IF NOT EXISTS {PREFIX}{table}_links_update "
                   f"BEFORE UPDATE OF {columns}, school_id ON {table} BEGIN {checks} END")
    if "objective_id" in tables.get("booking", set()):  # from migration 0013: the intended outcome's guard
        for when in ("INSERT", "UPDATE"):
            out.append(f"CREATE TRIGGER IF NOT EXISTS {PREFIX}booking_outcome_{when.lower()} BEFORE {when} ON booking "
                       f"WHEN {NEEDS_OUTCOME} BEGIN SELECT RAISE(ABORT, '{OUTCOME_NEEDED}'); END")
    if "school" in tables:
        clash = ("EXISTS (SELECT 1 FROM school o WHERE lower(trim(o.name)) = lower(trim(NEW.name)) "
                 "AND o.id IS NOT NEW.id)")
        for when in ("INSERT", "UPDATE OF name"):
            out.append(f"CREATE TRIGGER IF NOT EXISTS {PREFIX}school_name_{when.split()[0].lower()} "
                       f"BEFORE {when} ON school WHEN {clash} BEGIN SELECT RAISE(ABORT, "
                       "'UNIQUE constraint failed: school.name (another school has this name, ignoring case "
                       "and spaces)'); END")
        if "audit_entry" in tables:
            out.append(f"CREATE TRIGGER IF NOT EXISTS {PREFIX}school_takes_its_audit BEFORE DELETE ON school "  # noqa: S608 - fixed names
                       "BEGIN DELETE FROM audit_entry WHERE school_id = OLD.id; END")
    return out


def _tables(conn: Connection) -> dict[str, set[str]]:
    names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars().all()
    return {n: {r[1] for r in conn.exec_driver_sql(f'PRAGMA table_info("{n}")')} for n in names}


def drop_sqlite_guards(conn: Connection) -> None:
    for name in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE :p"),
                             {"p": PREFIX + "%"}).scalars().all():
        conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')


def install_sqlite_guards(conn: Connection) -> None:
    for sql in sqlite_guard_statements(_tables(conn)):
        conn.exec_driver_sql(sql)


def guards_due(conn: Connection) -> bool:
    """Whether the file's schema revision is one that has the guards."""
    try:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no version table: nothing migrated
        return False
    return revision is not None and revision not in BEFORE_GUARDS


ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "60s"
IDLE_TIMEOUT = "60s"
READ_ONLY_TABLES = {"school_access", "alembic_version"}


def apply_school_rights(conn: Any, role: str) -> None:
    """Give a school's login (already checked against ``ROLE_RE``) the rights the app needs, and no more.

    ``conn`` is a Connection or Session of the database's owner. ``refresh_school_rights`` runs it again
    for every school login after each upgrade, so new tables and columns are covered.
    """
    if not ROLE_RE.match(role):
        raise ValueError(role)
    q = f'"{role}"'
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {q}"))
    conn.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {q}"))
    conn.execute(text(f"REVOKE CREATE ON SCHEMA public FROM {q}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {q}"))
    columns: dict[str, list[str]] = {}
    for table, column in conn.execute(text(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
            "ORDER BY c.table_name, c.ordinal_position")).all():
        columns.setdefault(table, []).append(column)
    for table, cols in columns.items():
        conn.execute(text(f'GRANT SELECT ON "{table}" TO {q}'))
        if table in READ_ONLY_TABLES:
            continue
        writable = ", ".join(f'"{c}"' for c in cols if c != "id")
        movable = ", ".join(f'"{c}"' for c in cols if c not in ("id", "school_id"))
        if table == "school":
            conn.execute(text(f'GRANT UPDATE ({movable}) ON "{table}" TO {q}'))
        elif table == "audit_entry":
            conn.execute(text(f'GRANT INSERT ({writable}) ON "{table}" TO {q}'))
        else:
            conn.execute(text(f'GRANT INSERT ({writable}), UPDATE ({movable}), DELETE ON "{table}" TO {q}'))
    # The lock breaker (migration 0008): a school login blocked by another's whole-table lock ends it.
    if conn.execute(text("SELECT to_regprocedure('cpd_end_table_locks()') IS NOT NULL")).scalar():
        conn.execute(text(f"GRANT EXECUTE ON FUNCTION cpd_end_table_locks() TO {q}"))
    # Defaults for the login's sessions; a trust's owner may lack CREATEROLE, so this may be refused.
    conn.execute(text("SAVEPOINT cpd_role_settings"))
    try:
        for name, value in (("lock_timeout", LOCK_TIMEOUT), ("statement_timeout", STATEMENT_TIMEOUT),
                            ("idle_in_transaction_session_timeout", IDLE_TIMEOUT)):
            conn.execute(text(f"ALTER ROLE {q} SET {name} = '{value}'"))
    except Exception:  # noqa: BLE001 - not allowed to alter roles: the app sets its own timeouts anyway
        conn.execute(text("ROLLBACK TO SAVEPOINT cpd_role_settings"))
    else:
        conn.execute(text("RELEASE SAVEPOINT cpd_role_settings"))


def refresh_school_rights(conn: Any) -> list[str]:
    """Apply ``apply_school_rights`` to every login given a school; run after each upgrade (migrations/env.py),
    so a table or column a migration adds is open to the school logins as the others are."""
    roles = list(conn.execute(text("SELECT DISTINCT a.role_name FROM school_access a "
                                   "JOIN pg_roles r ON r.rolname = a.role_name ORDER BY 1")).scalars())
    for role in roles:
        if ROLE_RE.match(role):
            apply_school_rights(conn, role)
    return roles
