"""Migration 0011 on a file of schema 0010: every activity gains its evaluation stages as rows, so the one
overdue rule (a stage not done and due before today) sees activities saved by earlier versions; an evaluation
already made is carried by its End stage, not turned into a reminder; stages recorded already are kept as
they are; and running the backfill's rule twice adds nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.migration_files import migrate_file, schools, upgraded_file

ROWS_0010 = schools("Old Academy") + """
    INSERT INTO staff (id, school_id, forename, surname, staff_code, fte, anonymised)
        VALUES (1, 1, 'Łukasz', 'Zając', 'LZA', 1, 0);
    INSERT INTO activity (id, school_id, staff_id, date, end_date, title, hours, format, subject_specific,
        evaluation_due, evaluated_on, impact, impact_confidence, std_pupil_outcomes, std_evidence,
        std_collaboration, std_sustained, std_prioritised)
        VALUES (1, 1, 1, '2025-10-06', '2025-10-07', 'Residential: teaching electricity', 12, 'face_to_face', 1,
                '2025-11-17', NULL, NULL, NULL, 1, 1, 1, 0, 1),
               (2, 1, 1, '2025-10-20', NULL, 'Webinar: misconceptions', 1, 'webinar', 1,
                '2025-12-01', NULL, NULL, NULL, 1, 0, 0, 0, 0),
               (3, 1, 1, '2025-11-03', NULL, 'Practical skills day', 6, 'face_to_face', 1,
                '2025-12-15', '2025-12-10', 'Uses the required practicals checklist', 4, 1, 1, 1, 0, 1),
               (4, 1, 1, '2025-11-10', NULL, 'Department twilight', 2, 'inset', 0,
                '2025-12-22', NULL, NULL, NULL, 0, 0, 1, 0, 0),
               (5, 1, 1, '2025-11-12', NULL, 'Online course: forces', 6, 'webinar', 1,
                '2025-12-24', NULL, NULL, NULL, 1, 0, 0, 0, 0),
               (6, 1, 1, '2025-11-13', NULL, 'Twilight: required practicals', 2, 'face_to_face', 1,
                '2025-12-25', NULL, NULL, NULL, 1, 0, 0, 0, 0);
    INSERT INTO evaluation_stage (school_id, activity_id, stage, due_date, done_on, learnt, confidence, version)
        VALUES (1, 4, 'end', '2025-11-24', '2025-11-20', 'Modelling with the visualiser', 3, 1);
"""


def stages(conn: sqlite3.Connection) -> set[tuple[object, ...]]:
    return set(conn.execute("SELECT activity_id, stage, due_date, done_on, confidence FROM evaluation_stage"))


def test_activities_saved_by_earlier_versions_get_their_stages(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = upgraded_file(path, "0010_mechanisms_objectives", ROWS_0010)
    assert stages(conn) == {
        # a residential still waiting: all three stages, the later ones 6 weeks and a term after its end
        (1, "end", "2025-11-17", None, None),
        (1, "classroom", "2025-11-18", None, None),
        (1, "pupils", "2026-01-06", None, None),
        # a webinar, short or of 6 hours, and a face-to-face activity under 6 hours: their End stage only
        (2, "end", "2025-12-01", None, None),
        (5, "end", "2025-12-24", None, None),
        (6, "end", "2025-12-25", None, None),
        # evaluated under the single evaluation: its End stage carries it, done, and no reminder is added
        (3, "end", "2025-12-15", "2025-12-10", 4),
        # stages recorded already are kept as they were
        (4, "end", "2025-11-24", "2025-11-20", 3),
    }
    done = conn.execute("SELECT does_differently FROM evaluation_stage WHERE activity_id = 3").fetchone()
    assert done == ("Uses the required practicals checklist",)

    # The backfill's rule again (as a second run would): nothing more is added.
    before = stages(conn)
    conn.execute("DELETE FROM alembic_version")
    conn.execute("INSERT INTO alembic_version VALUES ('0010_mechanisms_objectives')")
    conn.commit()
    conn.close()
    migrate_file(path, "0011_stage_rows")  # 0011 alone: later revisions are done already
    conn = sqlite3.connect(path)
    assert stages(conn) == before
    conn.close()
