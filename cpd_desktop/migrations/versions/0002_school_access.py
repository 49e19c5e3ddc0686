"""Trust mode: school_access, and row-level security on PostgreSQL so a school's login sees only its school.

Revision ID: 0002_school_access
Revises: 0001_initial
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_school_access"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

# Every table whose rows belong to one school through school_id.
SCHOOL_TABLES = ["term_dates", "school_period", "department", "staff", "provider", "course", "booking",
                 "cover_lesson", "activity", "bursary_scheme", "bursary_claim", "timetable_lesson",
                 "audit_entry", "import_batch"]
VISIBLE = "(SELECT sa.school_id FROM school_access sa WHERE sa.role_name = current_user)"


def upgrade() -> None:
    op.create_table(
        "school_access",
        sa.Column("role_name", sa.String(length=63), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_school_access_school_id_school"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("role_name", "school_id", name=op.f("pk_school_access")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return  # a school's own file has one user: nothing to hide
    # Table owners (the trust's account that runs migrations) are not subject to these policies;
    # a school's login is, for reads and writes alike.
    op.execute("ALTER TABLE school_access ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY own_access ON school_access USING (role_name = current_user)")
    op.execute("ALTER TABLE school ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY school_isolation ON school USING (id IN {VISIBLE}) WITH CHECK (id IN {VISIBLE})")
    for table in SCHOOL_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY school_isolation ON {table} "
                   f"USING (school_id IN {VISIBLE}) WITH CHECK (school_id IN {VISIBLE})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ["school", *SCHOOL_TABLES]:
            op.execute(f"DROP POLICY IF EXISTS school_isolation ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_table("school_access")
