"""The school chooses which activities get the later evaluation stages ("In the classroom", "For pupils").

Until now the rule was fixed: activities of 6 hours or more, and every activity in a programme (a webinar
gets the End stage only). The school gains two settings holding that rule, with those defaults, so a school
that never changes them sees no difference:

- ``later_stages_hours`` — activities of at least this many hours get the later stages (default 6, never
  negative);
- ``later_stages_programmes`` — every activity in a programme gets them (default true).

Both columns are added in place (ALTER TABLE ADD COLUMN) on SQLite and PostgreSQL: no table is copied, so
every school row and everything that refers to it stays as it was.

Revision ID: 0012_stage_rules
Revises: 0011_stage_rows
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_stage_rules"
down_revision = "0011_stage_rows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("school", sa.Column(
        "later_stages_hours", sa.Numeric(6, 2),
        sa.CheckConstraint("later_stages_hours >= 0", name="later_stages_hours"),
        nullable=False, server_default="6"))
    op.add_column("school", sa.Column("later_stages_programmes", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade() -> None:
    # SQLite 3.35+ drops a plain column in place; the hours column has a CHECK of its own, which SQLite
    # refuses to drop in place, so it goes through a batch copy with foreign keys off (storage/migrate.py,
    # as 0009's downgrade relies on) so that no child row goes with it.
    op.drop_column("school", "later_stages_programmes")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("school", "later_stages_hours")
        return
    with op.batch_alter_table("school") as batch_op:
        batch_op.drop_column("later_stages_hours")
