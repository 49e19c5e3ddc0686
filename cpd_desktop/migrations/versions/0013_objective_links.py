"""Activities and bookings link to the person's development objective; the intended outcome is guarded.

* ``activity.objective_id`` and ``booking.objective_id``: the development objective (``objective``) the
  activity or booking serves, if any; emptied (SET NULL) when the objective is removed. Added in place
  (ALTER TABLE ... ADD COLUMN with a REFERENCES clause and no default), never by a batch copy, so no row
  and no child row is lost. The link stays inside one school: on PostgreSQL the link guards of activity
  and booking (0004, 0007) are re-created with it; on SQLite ``cpd_desktop/integrity.py`` (LINKS) covers it.
* A booking that is planned, approved or booked and costs money or needs cover must say what should change
  for pupils (its intended outcome). The app refused such a booking already; the database now refuses it
  too, by triggers before insert and update (not a CHECK, so rows written before this are kept as they
  are until they are next changed). On PostgreSQL a trigger function here; on SQLite the trigger is one of
  ``cpd_desktop/integrity.py``'s guards (installed after every migration, so a later batch copy of the
  booking table cannot lose it), present once ``booking.objective_id`` exists, i.e. from this revision.

Revision ID: 0013_objective_links
Revises: 0012_stage_rules
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0013_objective_links"
down_revision = "0012_stage_rules"
branch_labels = None
depends_on = None

OTHER_SCHOOL = "points at a record of another school"
OUTCOME_NEEDED = "booking.intended_outcomes is required for a booking that costs money or needs cover"
# The link guards of the two tables as 0007 left them, with the objective added.
LINKS: dict[str, list[tuple[str, str]]] = {
    "activity": [("staff_id", "staff"), ("provider_id", "provider"), ("booking_id", "booking"),
                 ("import_batch_id", "import_batch"), ("priority_id", "priority"), ("programme_id", "programme"),
                 ("objective_id", "objective")],
    "booking": [("staff_id", "staff"), ("course_id", "course"), ("provider_id", "provider"),
                ("import_batch_id", "import_batch"), ("priority_id", "priority"), ("programme_id", "programme"),
                ("objective_id", "objective")],
}
# The outcome rule, in SQL both databases read alike.
NEEDS_OUTCOME = ("NEW.status IN ('planned', 'approved', 'booked') "
                 "AND (coalesce(NEW.fee, 0) + coalesce(NEW.travel, 0) + coalesce(NEW.accommodation, 0) "
                 "+ coalesce(NEW.subsistence, 0) > 0 OR coalesce(NEW.cover_days, 0) > 0) "
                 "AND trim(coalesce(NEW.intended_outcomes, '')) = ''")


def _links_function(table: str, links: list[tuple[str, str]]) -> str:
    checks = "\n".join(
        f"IF EXISTS (SELECT 1 FROM cpd_new n JOIN {target} t ON t.id = n.{column} "
        f"WHERE t.school_id <> n.school_id) THEN "
        f"RAISE EXCEPTION '{table}.{column} {OTHER_SCHOOL}' USING ERRCODE = '23514'; END IF;"
        for column, target in links)
    return (f"CREATE OR REPLACE FUNCTION cpd_links_{table}() RETURNS trigger "
            "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$ "
            f"BEGIN {checks} RETURN NULL; END $$")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    id_type = "BIGINT" if postgresql else "INTEGER"
    for table in ("activity", "booking"):
        op.execute(f"ALTER TABLE {table} ADD COLUMN objective_id {id_type} "
                   f"CONSTRAINT fk_{table}_objective_id_objective REFERENCES objective (id) ON DELETE SET NULL")
    if not postgresql:
        return  # SQLite: the link and outcome guards are integrity.py's, installed after the upgrade
    for table, links in LINKS.items():
        op.execute(_links_function(table, links))
        op.execute(f"REVOKE ALL ON FUNCTION cpd_links_{table}() FROM PUBLIC")
    op.execute("CREATE OR REPLACE FUNCTION cpd_booking_outcome() RETURNS trigger "
               "LANGUAGE plpgsql SET search_path = public, pg_temp AS $$ "
               f"BEGIN IF {NEEDS_OUTCOME} THEN "
               f"RAISE EXCEPTION '{OUTCOME_NEEDED}' USING ERRCODE = '23514'; END IF; RETURN NEW; END $$")
    op.execute("REVOKE ALL ON FUNCTION cpd_booking_outcome() FROM PUBLIC")
    op.execute("CREATE TRIGGER needs_outcome BEFORE INSERT OR UPDATE ON booking "
               "FOR EACH ROW EXECUTE FUNCTION cpd_booking_outcome()")
    # School logins get their rights on the new columns from migrations/env.py (refresh_school_rights).


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("DROP TRIGGER IF EXISTS needs_outcome ON booking")
        op.execute("DROP FUNCTION IF EXISTS cpd_booking_outcome()")
        for table, links in LINKS.items():
            op.execute(_links_function(table, [link for link in links if link[0] != "objective_id"]))
    for table in ("activity", "booking"):
        if postgresql:
            op.execute(f"ALTER TABLE {table} DROP COLUMN objective_id")
        else:  # SQLite: a column with a REFERENCES clause cannot be dropped in place (storage/migrate.py
            with op.batch_alter_table(table) as batch_op:  # keeps foreign keys off around the copy)
                batch_op.drop_column("objective_id")
