"""Every activity has its evaluation stages as rows, so reminders of overdue stages are one rule over them.

Files upgraded by earlier versions hold activities with no stage rows (a stage was only written when it was
recorded). Each such activity gets its End stage, due when its single evaluation was due (none for history
the school never chased), carrying that evaluation when it was made (its date, confidence and texts). Those still waiting for their evaluation that call for the later stages (6 hours
or more, not a webinar) get "In the classroom" and "For pupils" too, due the school's intervals after the
activity's end; activities evaluated already were complete under the single evaluation, so no reminder
appears for them. An activity that has any stage row already is left as it is, so running this on a file
whose stages were written by the app changes nothing.

Rows are only added (no table is copied), so nothing else is touched.

Revision ID: 0011_stage_rows
Revises: 0010_mechanisms_objectives
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0011_stage_rows"
down_revision = "0010_mechanisms_objectives"
branch_labels = None
depends_on = None

WAITING = ("a.evaluation_due IS NOT NULL AND a.evaluated_on IS NULL AND a.impact_confidence IS NULL "
           "AND a.hours >= 6 AND a.format <> 'webinar'")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    # The activities this backfills, noted before any row is added.
    op.execute("CREATE TEMPORARY TABLE stage_backfill AS SELECT a.id FROM activity a "
               "WHERE NOT EXISTS (SELECT 1 FROM evaluation_stage e WHERE e.activity_id = a.id)")
    # The End stage carries the single evaluation when there is one (as 0007 did), so nothing recorded
    # becomes a reminder and nothing is lost.
    op.execute(
        "INSERT INTO evaluation_stage (school_id, activity_id, stage, due_date, done_on, does_differently, "
        "pupil_change, evidence, confidence) "
        "SELECT a.school_id, a.id, 'end', a.evaluation_due, a.evaluated_on, a.impact, a.pupil_outcomes, "
        "a.evidence_note, a.impact_confidence FROM activity a JOIN stage_backfill b ON b.id = a.id ORDER BY a.id")
    for stage, days in (("classroom", "stage_classroom_days"), ("pupils", "stage_pupils_days")):
        due = (f"COALESCE(a.end_date, a.date) + s.{days}" if postgresql
               else f"date(COALESCE(a.end_date, a.date), '+' || s.{days} || ' days')")
        op.execute(
            f"INSERT INTO evaluation_stage (school_id, activity_id, stage, due_date) "
            f"SELECT a.school_id, a.id, '{stage}', {due} FROM activity a JOIN stage_backfill b ON b.id = a.id "
            f"JOIN school s ON s.id = a.school_id WHERE {WAITING} ORDER BY a.id")
    op.execute("DROP TABLE stage_backfill")


def downgrade() -> None:
    # Stage rows with nothing recorded are what this added; an earlier version reads stages as recorded ones.
    op.execute("DELETE FROM evaluation_stage WHERE done_on IS NULL AND learnt IS NULL AND does_differently IS NULL "
               "AND helped_hindered IS NULL AND evidence IS NULL AND pupil_change IS NULL AND how_measured IS NULL "
               "AND pupil_groups IS NULL AND confidence IS NULL")
