"""Bursary schemes that change, a budget line's amount per cost head, and the cost of a teacher's day.

* ``bursary_scheme`` gains ``valid_from`` and ``valid_to`` (either may be empty: open-ended) and an
  ``eligibility`` note: funding changes year to year, and a claim is made only under a scheme valid on the
  course's date. A scheme ends on or after it starts (CHECK).
* ``budget_line`` gains an optional amount for each cost head (``fee_amount``, ``travel_amount``,
  ``accommodation_amount``, ``subsistence_amount``, ``cover_amount``), never negative.
* ``school`` gains ``staff_day_cost``: what a day of a teacher's time costs the school, empty (off) by
  default; set, the budget shows what INSET and internal CPD cost in staff time beside the cash.

Every column is added in place (no table copy): the rows and their children stay as they are, and the
new columns are empty on every existing row.

Revision ID: 0009_scheme_validity
Revises: 0008_lock_breaker
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0009_scheme_validity"
down_revision = "0008_lock_breaker"
branch_labels = None
depends_on = None

HEADS = ("fee", "travel", "accommodation", "subsistence", "cover")


def upgrade() -> None:
    dates = "CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from)"
    op.execute("ALTER TABLE bursary_scheme ADD COLUMN valid_from DATE")
    if op.get_bind().dialect.name == "postgresql":  # a check on two columns is a table's constraint there
        op.execute("ALTER TABLE bursary_scheme ADD COLUMN valid_to DATE")
        op.execute(f"ALTER TABLE bursary_scheme ADD CONSTRAINT ck_bursary_scheme_valid_dates {dates}")
    else:  # SQLite adds no table constraint in place; a column's constraint may name another column
        op.execute(f"ALTER TABLE bursary_scheme ADD COLUMN valid_to DATE CONSTRAINT ck_bursary_scheme_valid_dates {dates}")
    op.execute("ALTER TABLE bursary_scheme ADD COLUMN eligibility VARCHAR(500)")
    for head in HEADS:
        column = f"{head}_amount"
        op.execute(f"ALTER TABLE budget_line ADD COLUMN {column} NUMERIC(10, 2) "
                   f"CONSTRAINT ck_budget_line_{column} CHECK ({column} IS NULL OR {column} >= 0)")
    op.execute("ALTER TABLE school ADD COLUMN staff_day_cost NUMERIC(10, 2) CONSTRAINT ck_school_staff_day_cost "
               "CHECK (staff_day_cost IS NULL OR staff_day_cost >= 0)")
    # School logins get their rights on the new columns from migrations/env.py (refresh_school_rights).


def downgrade() -> None:
    drops = {"bursary_scheme": ["eligibility", "valid_to", "valid_from"],
             "budget_line": [f"{head}_amount" for head in HEADS],
             "school": ["staff_day_cost"]}
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in drops.items():
            for column in columns:
                op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        return
    # SQLite 3.35+: a column with a constraint of its own cannot be dropped in place; batch copies the table,
    # with foreign keys off (storage/migrate.py) so that no child row goes with it.
    for table, columns in drops.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.drop_column(column)
