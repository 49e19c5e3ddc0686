"""Trust integrity: one school's records stay its own, whoever writes them.

* School names are unique ignoring case and surrounding spaces (PostgreSQL: a unique index on
  lower(trim(name)); SQLite: triggers, since Alembic cannot reflect an expression index and a later
  batch migration of ``school`` would drop it with a warning); an older file with two such names
  gets " (2)" added to the later one.
* Every link between records stays inside one school: a trigger refuses a row whose staff, booking,
  provider, course, scheme, department, lesson or import batch belongs to another school, and a row
  never moves to another school (both engines; on PostgreSQL this also guards the trust's own
  administrator, since foreign keys ignore row-level security).
* Deleting a school removes its audit entries with it (they were left behind with no school).
* PostgreSQL only: 64-bit identity ids instead of 32-bit serial sequences (a school's login needs no
  right on any sequence, so it can neither advance one nor read how many rows the trust holds); the
  audit trail is append-only for every login but the owner's (a trigger, and policies for reading and
  adding only); each school login's rights are cut down to what the app needs
  (``services.access.apply_school_rights``).

The SQLite triggers live in ``cpd_desktop/integrity.py``: ``migrations/env.py`` drops them before any
upgrade and installs them again after it, so a later batch migration (a table rebuild) keeps them.

Revision ID: 0004_trust_integrity
Revises: 0003_school_calendar
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_trust_integrity"
down_revision = "0003_school_calendar"
branch_labels = None
depends_on = None

VISIBLE = "(SELECT sa.school_id FROM school_access sa WHERE sa.role_name = current_user)"

SCHOOL_TABLES = ["term_dates", "school_period", "department", "staff", "provider", "course", "booking",
                 "cover_lesson", "activity", "bursary_scheme", "bursary_claim", "timetable_lesson",
                 "audit_entry", "import_batch", "non_teaching_day"]
ID_TABLES = ["school", *SCHOOL_TABLES]

# table -> [(column, the table it points at)]: every link between two school-owned records.
LINKS: dict[str, list[tuple[str, str]]] = {
    "audit_entry": [("batch_id", "import_batch")],
    "course": [("bursary_scheme_id", "bursary_scheme"), ("provider_id", "provider"),
               ("import_batch_id", "import_batch")],
    "staff": [("department_id", "department"), ("import_batch_id", "import_batch")],
    "booking": [("staff_id", "staff"), ("course_id", "course"), ("provider_id", "provider"),
                ("import_batch_id", "import_batch")],
    "timetable_lesson": [("staff_id", "staff"), ("import_batch_id", "import_batch")],
    "activity": [("staff_id", "staff"), ("provider_id", "provider"), ("booking_id", "booking"),
                 ("import_batch_id", "import_batch")],
    "bursary_claim": [("scheme_id", "bursary_scheme"), ("booking_id", "booking")],
    "cover_lesson": [("booking_id", "booking"), ("timetable_lesson_id", "timetable_lesson")],
}
# Other integer columns holding ids, widened with them on PostgreSQL.
ID_COLUMNS = {"audit_entry": ["record_id"], "school_access": ["school_id"]}

NAME_INDEX = "uq_school_name_folded"
OTHER_SCHOOL = "points at a record of another school"


def _unclash_school_names(conn: sa.Connection) -> None:
    """Two schools whose names differ only in case or spaces: the later one becomes "Name (2)"."""
    seen: dict[str, int] = {}
    for ident, name in conn.execute(sa.text("SELECT id, name FROM school ORDER BY id")).all():
        key = name.strip().casefold()
        if key not in seen:
            seen[key] = 1
            continue
        n = seen[key]
        while True:
            n += 1
            candidate = f"{name.strip()[:190]} ({n})"
            if candidate.casefold() not in seen:
                break
        seen[key] = n
        seen[candidate.casefold()] = 1
        conn.execute(sa.text("UPDATE school SET name = :n WHERE id = :i"), {"n": candidate, "i": ident})


def _unlink_other_schools_batches(conn: sa.Connection) -> None:
    """A link to another school's import batch is informational only: cleared before the guard goes on."""
    for table, links in LINKS.items():
        for column, target in links:
            if target != "import_batch":
                continue
            conn.execute(sa.text(
                f"UPDATE {table} SET {column} = NULL WHERE {column} IS NOT NULL AND "
                f"(SELECT b.school_id FROM import_batch b WHERE b.id = {table}.{column}) <> {table}.school_id"))


PG_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION cpd_stays_in_school() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
    BEGIN
        IF NEW.school_id IS DISTINCT FROM OLD.school_id THEN
            RAISE EXCEPTION 'A % record cannot move to another school', TG_TABLE_NAME USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END $$
    """,
    # Invoker's rights: current_user is the login (or, inside a foreign key's action, the table's owner).
    """
    CREATE OR REPLACE FUNCTION cpd_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
    BEGIN
        IF NOT pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'USAGE') THEN
            RAISE EXCEPTION 'permission denied: the audit trail can only be added to, not changed or deleted'
                USING ERRCODE = '42501';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION cpd_school_takes_its_audit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
        DELETE FROM audit_entry WHERE school_id = OLD.id;
        RETURN OLD;
    END $$
    """,
]


def _links_function(table: str) -> str:
    """A statement-level check of every row a statement wrote (one join per link, not a lookup per row:
    a 100,000-row insert takes milliseconds more, where a row trigger took seconds). SECURITY DEFINER:
    the owner sees every school's rows, whatever the writer's row-level security."""
    checks = "\n".join(
        f"IF EXISTS (SELECT 1 FROM cpd_new n JOIN {target} t ON t.id = n.{column} "
        f"WHERE t.school_id <> n.school_id) THEN "
        f"RAISE EXCEPTION '{table}.{column} {OTHER_SCHOOL}' USING ERRCODE = '23514'; END IF;"
        for column, target in LINKS[table])
    return (f"CREATE OR REPLACE FUNCTION cpd_links_{table}() RETURNS trigger "
            "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$ "
            f"BEGIN {checks} RETURN NULL; END $$")


def _postgresql(conn: sa.Connection) -> None:
    # A big trust's tables are rewritten once (32 -> 64-bit ids): no time limit for this migration.
    op.execute("SET LOCAL statement_timeout = 0")
    for table in ["school", *SCHOOL_TABLES]:  # policies name school_id: dropped while its type changes
        op.execute(f"DROP POLICY IF EXISTS school_isolation ON {table}")
    op.execute("DROP POLICY IF EXISTS own_access ON school_access")
    for table in ID_TABLES:
        seq = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
        widen = ["id", *(["school_id"] if table != "school" else []),
                 *(c for c, _t in LINKS.get(table, [])), *ID_COLUMNS.get(table, [])]
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT, "
                   + ", ".join(f"ALTER COLUMN {c} TYPE bigint" for c in widen))
        if seq is not None:
            op.execute(f"DROP SEQUENCE IF EXISTS {seq}")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                   f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
    op.execute("ALTER TABLE school_access ALTER COLUMN school_id TYPE bigint")
    op.execute("CREATE POLICY own_access ON school_access FOR SELECT USING (role_name = current_user)")
    op.execute(f"CREATE POLICY school_isolation ON school USING (id IN {VISIBLE}) WITH CHECK (id IN {VISIBLE})")
    for table in SCHOOL_TABLES:
        if table == "audit_entry":
            # Read and add only: with no policy for UPDATE or DELETE, a school's login can do neither.
            op.execute(f"CREATE POLICY audit_read ON audit_entry FOR SELECT USING (school_id IN {VISIBLE})")
            op.execute(f"CREATE POLICY audit_add ON audit_entry FOR INSERT WITH CHECK (school_id IN {VISIBLE})")
            continue
        op.execute(f"CREATE POLICY school_isolation ON {table} "
                   f"USING (school_id IN {VISIBLE}) WITH CHECK (school_id IN {VISIBLE})")
    for sql in PG_FUNCTIONS:
        op.execute(sql)
    for name in ("cpd_stays_in_school()", "cpd_audit_append_only()", "cpd_school_takes_its_audit()"):
        op.execute(f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC")
    for table in SCHOOL_TABLES:
        op.execute(f"CREATE TRIGGER stays_in_school BEFORE UPDATE OF school_id ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION cpd_stays_in_school()")
        if table not in LINKS:
            continue
        op.execute(_links_function(table))
        op.execute(f"REVOKE ALL ON FUNCTION cpd_links_{table}() FROM PUBLIC")
        for event in ("INSERT", "UPDATE"):  # a trigger with a transition table has one event
            op.execute(f"CREATE TRIGGER links_{event.lower()} AFTER {event} ON {table} "
                       f"REFERENCING NEW TABLE AS cpd_new FOR EACH STATEMENT EXECUTE FUNCTION cpd_links_{table}()")
    op.execute("CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON audit_entry "
               "FOR EACH ROW EXECUTE FUNCTION cpd_audit_append_only()")
    op.execute(f"CREATE UNIQUE INDEX {NAME_INDEX} ON school (lower(trim(name)))")
    op.execute("CREATE TRIGGER takes_its_audit BEFORE DELETE ON school "
               "FOR EACH ROW EXECUTE FUNCTION cpd_school_takes_its_audit()")
    # The logins already given a school are cut down to the rights the app needs by migrations/env.py,
    # which runs services.access.refresh_school_rights after every upgrade.


def upgrade() -> None:
    conn = op.get_bind()
    _unclash_school_names(conn)
    _unlink_other_schools_batches(conn)
    # Entries of schools deleted before now: nobody's any more, and they name that school's people.
    op.execute("DELETE FROM audit_entry WHERE school_id IS NULL AND action <> 'restore'")
    if conn.dialect.name == "postgresql":
        _postgresql(conn)
    # SQLite: migrations/env.py installs the guards (cpd_desktop/integrity.py) once the upgrade is done.


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for table in SCHOOL_TABLES:
            for trigger in ("stays_in_school", "links_insert", "links_update"):
                op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS cpd_links_{table}()")
        op.execute("DROP TRIGGER IF EXISTS append_only ON audit_entry")
        op.execute("DROP TRIGGER IF EXISTS takes_its_audit ON school")
        op.execute("DROP FUNCTION IF EXISTS cpd_stays_in_school(), cpd_audit_append_only(), cpd_school_takes_its_audit()")
        op.execute(f"DROP INDEX IF EXISTS {NAME_INDEX}")
    else:
        from cpd_desktop.integrity import drop_sqlite_guards

        drop_sqlite_guards(conn)
