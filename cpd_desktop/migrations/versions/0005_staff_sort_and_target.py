"""Staff: how a name sorts (``sort_name``: accents folded, case ignored) and whether the person counts in the
teachers' CPD target (``in_target``: support staff such as technicians do not, by default).

Revision ID: 0005_staff_sort_and_target
Revises: 0004_trust_integrity
Create Date: 2026-12-04
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0005_staff_sort_and_target"
down_revision = "0004_trust_integrity"
branch_labels = None
depends_on = None

# The rules as they stood when this migration was written (cpd_desktop.models.staff), kept here so that the
# upgrade does the same whatever later versions make of them.
_SUPPORT_ROLE = re.compile(
    r"technician|teaching assistant|\bta\b|\bhlta\b|learning support|cover supervisor|administrat|\badmin\b|"
    r"business manager|bursar|librarian|receptionist|exams? officer|site manager|caretaker|finance|clerk|"
    r"support staff|office manager|data manager|\bpa\b|personal assistant", re.IGNORECASE)


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))


def sort_name(surname: str | None, forename: str | None) -> str:
    return f"{_fold(surname or '')}\x1f{_fold(forename or '')}"[:210]


def in_target_by_role(role: str | None) -> bool:
    return not (role and _SUPPORT_ROLE.search(role))


_staff = sa.table("staff", sa.column("id", sa.Integer), sa.column("forename", sa.String),
                  sa.column("surname", sa.String), sa.column("role", sa.String),
                  sa.column("sort_name", sa.String), sa.column("in_target", sa.Boolean))


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy): the staff rows and their children stay as they are.
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_target", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("sort_name", sa.String(length=210), server_default="", nullable=False))
    conn = op.get_bind()
    c = _staff.c
    rows = conn.execute(sa.select(c.id, c.forename, c.surname, c.role)).all()
    updates = [{"b_id": ident, "b_sort": sort_name(surname, forename), "b_in": in_target_by_role(role)}
               for ident, forename, surname, role in rows]
    if updates:
        conn.execute(sa.update(_staff).where(c.id == sa.bindparam("b_id"))
                     .values(sort_name=sa.bindparam("b_sort"), in_target=sa.bindparam("b_in")), updates)


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("sort_name")
        batch_op.drop_column("in_target")
