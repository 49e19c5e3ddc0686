"""The EEF mechanisms a course or programme uses, and each person's development objective for a year.

* ``course`` and ``programme`` gain ``mechanisms``: the EEF's 14 mechanisms of effective professional
  development that it uses, one bit each (``models.impact.MECHANISMS``), 0 (none ticked) on every existing
  row; the database refuses a value with a bit no mechanism stands for.
* ``objective``: one or two lines per person per academic year (appraisal-light), optionally serving one of
  the school's priorities. Kept to its school like every other record: row-level security, the move guard
  and the link guard (its person and its priority are of its own school) on PostgreSQL, as 0007 does;
  ``cpd_desktop/integrity.py`` on SQLite. School logins get their rights on it from migrations/env.py.

Columns are added in place (ALTER TABLE ... ADD COLUMN), never by a batch copy, so no child row is lost.

Revision ID: 0010_mechanisms_objectives
Revises: 0009_scheme_validity
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_mechanisms_objectives"
down_revision = "0009_scheme_validity"
branch_labels = None
depends_on = None

VISIBLE = "(SELECT sa.school_id FROM school_access sa WHERE sa.role_name = current_user)"
OTHER_SCHOOL = "points at a record of another school"
ALL_MECHANISMS = (1 << 14) - 1  # 14 mechanisms, one bit each (as models.impact.ALL_MECHANISMS on this revision)
LINKS = [("staff_id", "staff"), ("priority_id", "priority")]


def upgrade() -> None:
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    ident: sa.types.TypeEngine[int] = sa.BigInteger() if postgresql else sa.Integer()
    id_column = (sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False) if postgresql
                 else sa.Column("id", sa.Integer(), nullable=False))

    for table in ("course", "programme"):
        # In place: SQLite adds a column with its CHECK without copying the table.
        op.execute(f"ALTER TABLE {table} ADD COLUMN mechanisms INTEGER NOT NULL DEFAULT 0 "
                   f"CONSTRAINT ck_{table}_mechanisms CHECK (mechanisms BETWEEN 0 AND {ALL_MECHANISMS})")

    op.create_table(
        "objective", id_column,
        sa.Column("school_id", ident, nullable=False),
        sa.Column("staff_id", ident, nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("priority_id", ident, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_by", sa.String(length=120), server_default="", nullable=False),
        sa.CheckConstraint("academic_year BETWEEN 1990 AND 2200", name=op.f("ck_objective_year")),
        sa.CheckConstraint("length(trim(text)) BETWEEN 1 AND 300", name=op.f("ck_objective_text_present")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_objective_school_id_school"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_objective_staff_id_staff"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["priority_id"], ["priority.id"], name=op.f("fk_objective_priority_id_priority"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective")),
        sa.UniqueConstraint("staff_id", "academic_year", name=op.f("uq_objective_staff_id_academic_year")),
    )
    op.create_index(op.f("ix_objective_school_id"), "objective", ["school_id"], unique=False)
    op.create_index(op.f("ix_objective_staff_id"), "objective", ["staff_id"], unique=False)
    if postgresql:
        _postgresql()


def _postgresql() -> None:
    op.execute("ALTER TABLE objective ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY school_isolation ON objective USING (school_id IN {VISIBLE}) "
               f"WITH CHECK (school_id IN {VISIBLE})")
    op.execute("CREATE TRIGGER stays_in_school BEFORE UPDATE OF school_id ON objective "
               "FOR EACH ROW EXECUTE FUNCTION cpd_stays_in_school()")
    checks = "\n".join(
        f"IF EXISTS (SELECT 1 FROM cpd_new n JOIN {target} t ON t.id = n.{column} "
        f"WHERE t.school_id <> n.school_id) THEN "
        f"RAISE EXCEPTION 'objective.{column} {OTHER_SCHOOL}' USING ERRCODE = '23514'; END IF;"
        for column, target in LINKS)
    op.execute("CREATE OR REPLACE FUNCTION cpd_links_objective() RETURNS trigger "
               "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$ "
               f"BEGIN {checks} RETURN NULL; END $$")
    op.execute("REVOKE ALL ON FUNCTION cpd_links_objective() FROM PUBLIC")
    for event in ("INSERT", "UPDATE"):
        op.execute(f"CREATE TRIGGER links_{event.lower()} AFTER {event} ON objective "
                   "REFERENCING NEW TABLE AS cpd_new FOR EACH STATEMENT EXECUTE FUNCTION cpd_links_objective()")
    # School logins get their rights on the new table and columns from migrations/env.py (refresh_school_rights).


def downgrade() -> None:
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    if postgresql:
        for trigger in ("stays_in_school", "links_insert", "links_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON objective")
        op.execute("DROP FUNCTION IF EXISTS cpd_links_objective()")
        op.execute("DROP POLICY IF EXISTS school_isolation ON objective")
    op.drop_table("objective")
    for table in ("course", "programme"):
        if postgresql:
            op.execute(f"ALTER TABLE {table} DROP COLUMN mechanisms")
        else:  # SQLite: a column with a constraint of its own cannot be dropped in place
            with op.batch_alter_table(table) as batch_op:
                batch_op.drop_column("mechanisms")
