"""Evaluating impact: priorities, programmes, evaluation stages and department indicators.

New school tables (priority, programme, evaluation_stage, indicator) are kept to their school like every
other: row-level security and move/link guards on PostgreSQL (as 0006), ``cpd_desktop/integrity.py`` on
SQLite. Activities and bookings gain a priority, a programme and a confidence before; the school gains
the days after an activity's end at which each stage falls due (2 weeks, 6 weeks, a term).

Columns are added in place (ALTER TABLE ... ADD COLUMN), never by a batch copy, so no child row is lost.
Each activity's single evaluation becomes its End stage: the date it was done, its confidence as
"confidence after", its texts; the activity keeps its own columns as they were.

Revision ID: 0007_impact
Revises: 0006_budget_lines
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_impact"
down_revision = "0006_budget_lines"
branch_labels = None
depends_on = None

VISIBLE = "(SELECT sa.school_id FROM school_access sa WHERE sa.role_name = current_user)"
OTHER_SCHOOL = "points at a record of another school"
NEW_TABLES = ["priority", "programme", "evaluation_stage", "indicator"]
LINKS: dict[str, list[tuple[str, str]]] = {
    "priority": [("department_id", "department")],
    "evaluation_stage": [("activity_id", "activity")],
    "indicator": [("import_batch_id", "import_batch")],
    "activity": [("staff_id", "staff"), ("provider_id", "provider"), ("booking_id", "booking"),
                 ("import_batch_id", "import_batch"), ("priority_id", "priority"), ("programme_id", "programme")],
    "booking": [("staff_id", "staff"), ("course_id", "course"), ("provider_id", "provider"),
                ("import_batch_id", "import_batch"), ("priority_id", "priority"), ("programme_id", "programme")],
}
SCHOOL_DAYS = [("stage_end_days", 14, 365), ("stage_classroom_days", 42, 365), ("stage_pupils_days", 91, 730)]


def _versioned() -> list[sa.Column[object]]:
    return [sa.Column("version", sa.Integer(), server_default="1", nullable=False),
            sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
            sa.Column("updated_by", sa.String(length=120), server_default="", nullable=False)]


def upgrade() -> None:
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    ident: sa.types.TypeEngine[int] = sa.BigInteger() if postgresql else sa.Integer()

    def id_column() -> sa.Column[int]:
        return (sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False) if postgresql
                else sa.Column("id", sa.Integer(), nullable=False))

    def school_fk(table: str) -> sa.ForeignKeyConstraint:
        return sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f(f"fk_{table}_school_id_school"),
                                       ondelete="CASCADE")

    op.create_table(
        "priority", id_column(),
        sa.Column("school_id", ident, nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department_id", ident, nullable=True),
        *_versioned(),
        sa.CheckConstraint("academic_year BETWEEN 1990 AND 2200", name=op.f("ck_priority_year")),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_priority_name_present")),
        school_fk("priority"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"],
                                name=op.f("fk_priority_department_id_department"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority")),
        sa.UniqueConstraint("school_id", "academic_year", "name",
                            name=op.f("uq_priority_school_id_academic_year_name")),
    )
    op.create_table(
        "programme", id_column(),
        sa.Column("school_id", ident, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        *_versioned(),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_programme_name_present")),
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                           name=op.f("ck_programme_end_after_start")),
        school_fk("programme"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
        sa.UniqueConstraint("school_id", "name", name=op.f("uq_programme_school_id_name")),
    )
    op.create_table(
        "evaluation_stage", id_column(),
        sa.Column("school_id", ident, nullable=False),
        sa.Column("activity_id", ident, nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        *[sa.Column(name, sa.Text(), nullable=True) for name in
          ("learnt", "does_differently", "helped_hindered", "evidence", "pupil_change", "how_measured")],
        sa.Column("pupil_groups", sa.String(length=300), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=True),
        *_versioned(),
        sa.CheckConstraint("stage IN ('end', 'classroom', 'pupils')", name=op.f("ck_evaluation_stage_stage")),
        sa.CheckConstraint("confidence IS NULL OR confidence BETWEEN 1 AND 5",
                           name=op.f("ck_evaluation_stage_confidence")),
        school_fk("evaluation_stage"),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"],
                                name=op.f("fk_evaluation_stage_activity_id_activity"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_stage")),
        sa.UniqueConstraint("activity_id", "stage", name=op.f("uq_evaluation_stage_activity_id_stage")),
    )
    op.create_table(
        "indicator", id_column(),
        sa.Column("school_id", ident, nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("unit", sa.String(length=20), server_default="", nullable=False),
        sa.Column("pupil_group", sa.String(length=100), server_default="", nullable=False),
        sa.Column("import_batch_id", ident, nullable=True),
        *_versioned(),
        sa.CheckConstraint("academic_year BETWEEN 1990 AND 2200", name=op.f("ck_indicator_year")),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_indicator_name_present")),
        school_fk("indicator"),
        sa.ForeignKeyConstraint(["import_batch_id"], ["import_batch.id"],
                                name=op.f("fk_indicator_import_batch_id_import_batch"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("school_id", "academic_year", "name", "pupil_group",
                            name=op.f("uq_indicator_school_id_academic_year_name_pupil_group")),
    )
    for table in NEW_TABLES:
        op.create_index(op.f(f"ix_{table}_school_id"), table, ["school_id"], unique=False)
    op.create_index(op.f("ix_evaluation_stage_activity_id"), "evaluation_stage", ["activity_id"], unique=False)

    id_type = "BIGINT" if postgresql else "INTEGER"
    for table in ("activity", "booking"):
        # In place: SQLite adds a column with its REFERENCES and CHECK without copying the table.
        op.execute(f"ALTER TABLE {table} ADD COLUMN priority_id {id_type} CONSTRAINT fk_{table}_priority_id_priority "
                   "REFERENCES priority (id) ON DELETE SET NULL")
        op.execute(f"ALTER TABLE {table} ADD COLUMN programme_id {id_type} "
                   f"CONSTRAINT fk_{table}_programme_id_programme REFERENCES programme (id) ON DELETE SET NULL")
        op.execute(f"ALTER TABLE {table} ADD COLUMN confidence_before INTEGER "
                   f"CONSTRAINT ck_{table}_confidence_before "
                   "CHECK (confidence_before IS NULL OR confidence_before BETWEEN 1 AND 5)")
    for column, default, most in SCHOOL_DAYS:
        op.execute(f"ALTER TABLE school ADD COLUMN {column} INTEGER NOT NULL DEFAULT {default} "
                   f"CONSTRAINT ck_school_{column} CHECK ({column} BETWEEN 0 AND {most})")

    # Today's single evaluation becomes the End stage: nothing is lost.
    op.execute(
        "INSERT INTO evaluation_stage (school_id, activity_id, stage, due_date, done_on, does_differently, "
        "pupil_change, evidence, confidence) "
        "SELECT school_id, id, 'end', evaluation_due, evaluated_on, impact, pupil_outcomes, evidence_note, "
        "impact_confidence FROM activity WHERE evaluated_on IS NOT NULL OR impact_confidence IS NOT NULL "
        "OR impact IS NOT NULL OR pupil_outcomes IS NOT NULL OR evidence_note IS NOT NULL")
    if postgresql:
        _postgresql()


def _links_function(table: str) -> str:
    checks = "\n".join(
        f"IF EXISTS (SELECT 1 FROM cpd_new n JOIN {target} t ON t.id = n.{column} "
        f"WHERE t.school_id <> n.school_id) THEN "
        f"RAISE EXCEPTION '{table}.{column} {OTHER_SCHOOL}' USING ERRCODE = '23514'; END IF;"
        for column, target in LINKS[table])
    return (f"CREATE OR REPLACE FUNCTION cpd_links_{table}() RETURNS trigger "
            "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$ "
            f"BEGIN {checks} RETURN NULL; END $$")


def _postgresql() -> None:
    for table in NEW_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY school_isolation ON {table} "
                   f"USING (school_id IN {VISIBLE}) WITH CHECK (school_id IN {VISIBLE})")
        op.execute(f"CREATE TRIGGER stays_in_school BEFORE UPDATE OF school_id ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION cpd_stays_in_school()")
    for table in LINKS:
        op.execute(_links_function(table))  # activity and booking: replaced with their two new links
        op.execute(f"REVOKE ALL ON FUNCTION cpd_links_{table}() FROM PUBLIC")
        if table in NEW_TABLES:
            for event in ("INSERT", "UPDATE"):
                op.execute(f"CREATE TRIGGER links_{event.lower()} AFTER {event} ON {table} "
                           f"REFERENCING NEW TABLE AS cpd_new FOR EACH STATEMENT EXECUTE FUNCTION cpd_links_{table}()")
    # School logins get their rights on the new tables and columns from migrations/env.py (refresh_school_rights).


def downgrade() -> None:
    conn = op.get_bind()
    postgresql = conn.dialect.name == "postgresql"
    if postgresql:
        for table in NEW_TABLES:
            for trigger in ("stays_in_school", "links_insert", "links_update"):
                op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS cpd_links_{table}()")
            op.execute(f"DROP POLICY IF EXISTS school_isolation ON {table}")
    for table in ("activity", "booking"):
        for column in ("priority_id", "programme_id", "confidence_before"):
            if postgresql:
                op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
            else:  # SQLite 3.35+: a column with a constraint of its own cannot be dropped in place
                with op.batch_alter_table(table) as batch_op:
                    batch_op.drop_column(column)
    if postgresql:
        for table in ("activity", "booking"):
            old = [link for link in LINKS[table] if link[0] not in ("priority_id", "programme_id")]
            LINKS[table] = old
            op.execute(_links_function(table))
        for column, _default, _most in SCHOOL_DAYS:
            op.execute(f"ALTER TABLE school DROP COLUMN {column}")
    else:
        with op.batch_alter_table("school") as batch_op:
            for column, _default, _most in SCHOOL_DAYS:
                batch_op.drop_column(column)
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
