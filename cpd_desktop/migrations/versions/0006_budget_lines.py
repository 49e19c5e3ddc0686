"""The CPD budget: budget lines per financial year, budget code and (optionally) department.

Like every table whose rows belong to one school: on PostgreSQL row-level security shows a school's login
its own lines only, a line never moves to another school and never points at another school's department
or import (the triggers of 0004); 64-bit identity ids as 0004 made every other table's. On SQLite the
guards come from ``cpd_desktop/integrity.py`` (``budget_line`` is in its lists), installed after the upgrade.

Revision ID: 0006_budget_lines
Revises: 0005_staff_sort_and_target
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_budget_lines"
down_revision = "0005_staff_sort_and_target"
branch_labels = None
depends_on = None

VISIBLE = "(SELECT sa.school_id FROM school_access sa WHERE sa.role_name = current_user)"
OTHER_SCHOOL = "points at a record of another school"
LINKS = [("department_id", "department"), ("import_batch_id", "import_batch")]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    ident: sa.types.TypeEngine[int] = sa.BigInteger() if postgresql else sa.Integer()
    id_column = (sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False) if postgresql
                 else sa.Column("id", sa.Integer(), nullable=False))
    op.create_table(
        "budget_line",
        id_column,
        sa.Column("school_id", ident, nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("budget_code", sa.String(length=40), nullable=False),
        sa.Column("department_id", ident, nullable=True),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("import_batch_id", ident, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_by", sa.String(length=120), server_default="", nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_budget_line_amount_not_negative")),
        sa.CheckConstraint("financial_year BETWEEN 1900 AND 2999", name=op.f("ck_budget_line_financial_year")),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_budget_line_name_present")),
        sa.CheckConstraint("length(trim(budget_code)) > 0", name=op.f("ck_budget_line_code_present")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_budget_line_school_id_school"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"],
                                name=op.f("fk_budget_line_department_id_department"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["import_batch_id"], ["import_batch.id"],
                                name=op.f("fk_budget_line_import_batch_id_import_batch"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line")),
        sa.UniqueConstraint("school_id", "financial_year", "budget_code",
                            name=op.f("uq_budget_line_school_id_financial_year_budget_code")),
    )
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_line_school_id"), ["school_id"], unique=False)
    if postgresql:
        _postgresql()


def _postgresql() -> None:
    op.execute("ALTER TABLE budget_line ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY school_isolation ON budget_line "
               f"USING (school_id IN {VISIBLE}) WITH CHECK (school_id IN {VISIBLE})")
    op.execute("CREATE TRIGGER stays_in_school BEFORE UPDATE OF school_id ON budget_line "
               "FOR EACH ROW EXECUTE FUNCTION cpd_stays_in_school()")
    checks = "\n".join(
        f"IF EXISTS (SELECT 1 FROM cpd_new n JOIN {target} t ON t.id = n.{column} "
        f"WHERE t.school_id <> n.school_id) THEN "
        f"RAISE EXCEPTION 'budget_line.{column} {OTHER_SCHOOL}' USING ERRCODE = '23514'; END IF;"
        for column, target in LINKS)
    op.execute("CREATE OR REPLACE FUNCTION cpd_links_budget_line() RETURNS trigger "
               "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$ "
               f"BEGIN {checks} RETURN NULL; END $$")
    op.execute("REVOKE ALL ON FUNCTION cpd_links_budget_line() FROM PUBLIC")
    for event in ("INSERT", "UPDATE"):
        op.execute(f"CREATE TRIGGER links_{event.lower()} AFTER {event} ON budget_line "
                   "REFERENCING NEW TABLE AS cpd_new FOR EACH STATEMENT EXECUTE FUNCTION cpd_links_budget_line()")
    # School logins get their rights on the new table from migrations/env.py (refresh_school_rights).


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("stays_in_school", "links_insert", "links_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON budget_line")
        op.execute("DROP FUNCTION IF EXISTS cpd_links_budget_line()")
        op.execute("DROP POLICY IF EXISTS school_isolation ON budget_line")
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_line_school_id"))
    op.drop_table("budget_line")
