"""The school calendar and claim dates: non-teaching days (INSET and other closures), a bursary scheme's
"pays in advance", and a claim's dates kept in the order of its states (submitted, approved, paid).

Revision ID: 0003_school_calendar
Revises: 0002_school_access
Create Date: 2026-12-04
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0003_school_calendar"
down_revision = "0002_school_access"
branch_labels = None
depends_on = None

VISIBLE = "(SELECT sa.school_id FROM school_access sa WHERE sa.role_name = current_user)"

CLAIM_DATE_ORDER = [
    ("approved_on IS NULL OR submitted_on IS NULL OR approved_on >= submitted_on", "approved_after_submitted"),
    ("paid_on IS NULL OR approved_on IS NULL OR paid_on >= approved_on", "paid_after_approved"),
    ("paid_on IS NULL OR submitted_on IS NULL OR paid_on >= submitted_on", "paid_after_submitted"),
]

_claims = sa.table("bursary_claim", sa.column("id", sa.Integer), sa.column("submitted_on", sa.Date),
                   sa.column("approved_on", sa.Date), sa.column("paid_on", sa.Date), sa.column("notes", sa.Text),
                   sa.column("version", sa.Integer))


def _put_claim_dates_in_order(conn: sa.Connection) -> None:
    """Claims saved before the dates were checked may have been paid before they were approved. The
    new CHECKs would refuse them, so each later date is moved up to the one before it and the claim's
    notes say what it was: nothing typed is lost."""
    c = _claims.c
    wrong = sa.or_(c.approved_on < c.submitted_on, c.paid_on < c.approved_on, c.paid_on < c.submitted_on)
    for ident, submitted, approved, paid, notes, version in conn.execute(
            sa.select(c.id, c.submitted_on, c.approved_on, c.paid_on, c.notes, c.version).where(wrong)).all():
        said = []
        if approved is not None and submitted is not None and approved < submitted:
            said.append(f"approved {approved:%d/%m/%Y}")
            approved = submitted
        floor = max((d for d in (submitted, approved) if d is not None), default=None)
        if paid is not None and floor is not None and paid < floor:
            said.append(f"paid {paid:%d/%m/%Y}")
            paid = floor
        note = (f"Dates put in order when CPD Desktop was upgraded on {dt.date.today():%d/%m/%Y}: "
                f"it said {' and '.join(said)}, before the state before it.")
        conn.execute(sa.update(_claims).where(c.id == ident).values(
            approved_on=approved, paid_on=paid, notes=f"{notes}\n{note}" if notes else note,
            version=(version or 1) + 1))


def upgrade() -> None:
    op.create_table(
        "non_teaching_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_by", sa.String(length=120), server_default="", nullable=False),
        sa.CheckConstraint("length(trim(reason)) > 0", name=op.f("ck_non_teaching_day_reason_present")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_non_teaching_day_school_id_school"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_non_teaching_day")),
        sa.UniqueConstraint("school_id", "date", name=op.f("uq_non_teaching_day_school_id_date")),
    )
    with op.batch_alter_table("non_teaching_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_non_teaching_day_school_id"), ["school_id"], unique=False)

    with op.batch_alter_table("bursary_scheme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pays_in_advance", sa.Boolean(), server_default=sa.false(), nullable=False))

    _put_claim_dates_in_order(op.get_bind())
    with op.batch_alter_table("bursary_claim", schema=None) as batch_op:
        for sql, name in CLAIM_DATE_ORDER:
            batch_op.create_check_constraint(op.f(f"ck_bursary_claim_{name}"), sql)

    if op.get_bind().dialect.name == "postgresql":
        # Like every table whose rows belong to one school (0002): a school's login sees only its own.
        op.execute("ALTER TABLE non_teaching_day ENABLE ROW LEVEL SECURITY")
        op.execute("CREATE POLICY school_isolation ON non_teaching_day "
                   f"USING (school_id IN {VISIBLE}) WITH CHECK (school_id IN {VISIBLE})")


def downgrade() -> None:
    with op.batch_alter_table("bursary_claim", schema=None) as batch_op:
        for _sql, name in reversed(CLAIM_DATE_ORDER):
            batch_op.drop_constraint(op.f(f"ck_bursary_claim_{name}"), type_="check")
    with op.batch_alter_table("bursary_scheme", schema=None) as batch_op:
        batch_op.drop_column("pays_in_advance")
    with op.batch_alter_table("non_teaching_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_non_teaching_day_school_id"))
    op.drop_table("non_teaching_day")
