"""Trust mode access: which PostgreSQL login may use which school (enforced by row-level security).

A school's login gets only the rights the app needs (``apply_school_rights``):

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

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..errors import CpdError, ValidationError
from ..models import SchoolAccess
from .schools import choose_school

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


def grant_school(session: Session, role: str, school_name: str) -> str:
    """Let ``role`` read and write ``school_name`` only; returns the school's name."""
    if session.get_bind().dialect.name != "postgresql":
        raise CpdError("Access by school applies to a trust's PostgreSQL database; a school's own file has one user.")
    if not ROLE_RE.match(role):
        raise ValidationError("--role", f"'{role}' is not a PostgreSQL role name CPD Desktop accepts.",
                              hint="Use lower-case letters, digits and underscores, e.g. ashcombe_cpd.")
    exists = session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        raise CpdError(f"There is no PostgreSQL role called {role}.",
                       hint=f"Create it first: CREATE ROLE {role} LOGIN PASSWORD '…';")
    school = choose_school(session, school_name)
    if session.scalar(select(SchoolAccess).where(SchoolAccess.role_name == role,
                                                 SchoolAccess.school_id == school.id)) is None:
        session.add(SchoolAccess(role_name=role, school_id=school.id))
    session.flush()
    apply_school_rights(session, role)
    return school.name
