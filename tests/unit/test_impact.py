"""Evaluating impact: stages and their due dates, confidence means, sustained hours, retention, priorities,
indicators, and the migration that turns today's single evaluation into the End stage."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

from cpd_desktop.models import Activity, Programme, School, Staff
from cpd_desktop.services import impact
from cpd_desktop.services.database import open_database
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.stages import sync_stages
from cpd_desktop.services.years import AcademicYear
from cpd_desktop.storage.migrate import upgrade, upgrade_on_open

YEAR = AcademicYear(2025)
TODAY = dt.date(2026, 1, 15)


def person(s: Any, school: School, code: str, **kw: Any) -> Staff:
    return add_staff(s, school, forename=code.title(), surname="Teacher", staff_code=code, fte=1.0, **kw)


def activity(s: Any, school: School, who: Staff, day: dt.date, hours: str, **kw: Any) -> Activity:
    """An activity whose evaluation is chased, with the stages the school's rules give it."""
    a = Activity(school_id=school.id, staff_id=who.id, date=day, hours=Decimal(hours), title=kw.pop("title", "CPD"),
                 format=kw.pop("format", "face_to_face"), evaluation_due=day + dt.timedelta(days=42), **kw)
    s.add(a)
    s.flush()
    sync_stages(s, school, [a.id])
    return a


def test_stages_fall_due_two_weeks_six_weeks_and_a_term_after_the_end(school: School) -> None:
    due = impact.stages_for(school, date=dt.date(2025, 10, 1), end_date=dt.date(2025, 10, 3), hours=Decimal("12"),
                            format="face_to_face", in_programme=False)
    assert due == {"end": dt.date(2025, 10, 17), "classroom": dt.date(2025, 11, 14), "pupils": dt.date(2026, 1, 2)}
    # A short course gets the End stage only, unless it is part of a programme; a webinar always End only.
    assert list(impact.stages_for(school, date=dt.date(2025, 10, 1), end_date=None, hours=Decimal("3"),
                                  format="face_to_face", in_programme=False)) == ["end"]
    assert list(impact.stages_for(school, date=dt.date(2025, 10, 1), end_date=None, hours=Decimal("3"),
                                  format="face_to_face", in_programme=True)) == ["end", "classroom", "pupils"]
    assert list(impact.stages_for(school, date=dt.date(2025, 10, 1), end_date=None, hours=Decimal("8"),
                                  format="webinar", in_programme=True)) == ["end"]


def test_the_school_sets_the_intervals(session: Any, school: School) -> None:
    school.stage_end_days, school.stage_classroom_days, school.stage_pupils_days = 7, 28, 60
    due = impact.stages_for(school, date=dt.date(2025, 10, 1), end_date=None, hours=Decimal("6"),
                            format="face_to_face", in_programme=False)
    assert due == {"end": dt.date(2025, 10, 8), "classroom": dt.date(2025, 10, 29), "pupils": dt.date(2025, 11, 30)}


def test_impact_row_counts_stages_confidence_and_sustained_hours(session: Any, school: School) -> None:
    s = session
    amy = person(s, school, "AMY")
    person(s, school, "BEN")  # employed, no CPD: a row of zeros and nulls
    npq = Programme(school_id=school.id, name="NPQ Leading Teaching",
                    start_date=dt.date(2025, 10, 1), end_date=dt.date(2026, 3, 1))  # autumn to spring: sustained
    s.add(npq)
    s.flush()
    long = activity(s, school, amy, dt.date(2025, 10, 1), "6", programme_id=npq.id, confidence_before=2)
    short = activity(s, school, amy, dt.date(2025, 12, 1), "2", confidence_before=3)
    impact.record_stage(s, school, long, "end", done_on=dt.date(2025, 10, 10), confidence=4)
    impact.record_stage(s, school, long, "pupils", done_on=dt.date(2026, 1, 5), confidence=5)
    short.evaluated_on, short.impact_confidence = dt.date(2025, 12, 5), 3  # the window's single evaluation
    sync_stages(s, school, [short.id])
    rows = {r["staff_code"]: r for r in impact.impact_report(s, school, YEAR, TODAY)}
    a = rows["AMY"]
    # long: end (15/10) done, classroom (12/11) due not done, pupils (31/12) done; short: end (15/12) done.
    assert (a["stages_due"], a["stages_done"], a["stages_overdue"]) == (4, 3, 1)
    assert a["hours"] == Decimal("8.00") and a["sustained_hours"] == Decimal("6.00")
    assert (a["confidence_before"], a["confidence_after"], a["confidence_later"]) == (2.5, 3.5, 5.0)
    b = rows["BEN"]
    assert (b["hours"], b["stages_due"], b["confidence_before"], b["confidence_after"]) == (Decimal("0.00"), 0,
                                                                                             None, None)
    overdue = impact.overdue_stages(s, school, TODAY)
    assert [(o["stage"], o["due"]) for o in overdue] == [("In the classroom", dt.date(2025, 11, 12))]


def test_a_programme_within_one_term_is_not_sustained(session: Any, school: School) -> None:
    s = session
    amy = person(s, school, "AMY")
    p = Programme(school_id=school.id, name="Autumn SLP course")
    s.add(p)
    s.flush()
    activity(s, school, amy, dt.date(2025, 9, 20), "6", programme_id=p.id)
    activity(s, school, amy, dt.date(2025, 11, 20), "6", programme_id=p.id)
    assert impact.sustained_programmes(s, school) == set()
    activity(s, school, amy, dt.date(2026, 2, 20), "6", programme_id=p.id)  # into the spring term
    assert impact.sustained_programmes(s, school) == {p.id}


def test_retention_counts_teachers_in_post_on_the_first_day_and_their_hours(session: Any, school: School) -> None:
    s = session
    stay = person(s, school, "STA", start_date=dt.date(2020, 9, 1))
    left = person(s, school, "LEF", start_date=dt.date(2019, 9, 1), leaving_date=dt.date(2025, 8, 31))
    person(s, school, "NEW", start_date=dt.date(2024, 9, 2))  # after the first day of 2024/25
    tech = person(s, school, "TEC", start_date=dt.date(2018, 9, 1))
    tech.in_target = False  # not a teacher: outside the retention figures
    activity(s, school, stay, dt.date(2024, 10, 1), "10")
    activity(s, school, left, dt.date(2024, 10, 1), "4")
    rows = {r["year"]: r for r in impact.retention_report(s, school, TODAY)}
    assert list(rows) == ["2024/25", "2025/26"]
    y = rows["2024/25"]
    assert (y["teachers_at_start"], y["stayed"], y["left"]) == (2, 1, 1)
    assert y["retention_rate"] == 0.5
    assert (y["mean_hours_stayed"], y["mean_hours_left"]) == (Decimal("10.00"), Decimal("4.00"))
    assert rows["2025/26"]["teachers_at_start"] == 2 and rows["2025/26"]["retention_rate"] is None  # not yet known


def test_priorities_report_hours_people_and_evaluated_share(session: Any, school: School) -> None:
    s = session
    amy, ben = person(s, school, "AMY"), person(s, school, "BEN")
    pid = impact.priority_id(s, school, YEAR, "Practical skills at KS4")
    assert impact.priority_id(s, school, YEAR, "  practical skills at KS4 ") == pid  # same name: the same priority
    impact.priority_id(s, school, YEAR, "Close the disadvantaged gap")
    a = activity(s, school, amy, dt.date(2025, 10, 1), "3", priority_id=pid)
    activity(s, school, ben, dt.date(2025, 10, 2), "4.5", priority_id=pid)
    impact.record_stage(s, school, a, "end", done_on=dt.date(2025, 10, 5), confidence=4)
    rows = {r["priority"]: r for r in impact.priorities_report(s, school, YEAR)}
    assert rows["Practical skills at KS4"] == {"priority": "Practical skills at KS4", "activities": 2, "people": 2,
                                               "hours": Decimal("7.50"), "evaluated_share": 50.0}
    assert rows["Close the disadvantaged gap"]["activities"] == 0
    assert rows["Close the disadvantaged gap"]["evaluated_share"] is None


def test_indicators_are_listed_by_year(session: Any, school: School) -> None:
    impact.set_indicator(session, school, AcademicYear(2024), "GCSE science grade 4+", Decimal("64"), "%")
    impact.set_indicator(session, school, AcademicYear(2023), "GCSE science grade 4+", Decimal("61.5"), "%")
    impact.set_indicator(session, school, AcademicYear(2024), "gcse science grade 4+", Decimal("66"), "%")  # update
    rows = impact.indicators_report(session, school)
    assert [(r["year"], r["value"]) for r in rows] == [("2023/24", Decimal("61.50")), ("2024/25", Decimal("66.00"))]


def test_the_migration_moves_an_evaluation_to_the_end_stage(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    sqlite3.connect(path).close()
    db = open_database(path, migrate=False)
    upgrade(db, "0006_budget_lines")
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("INSERT INTO school (id, name, phase, state_funded, academic_year_start_month, "
                 "financial_year_start_month, cpd_target_hours, subject_specific_target, supply_day_rate, "
                 "mileage_rate, evaluation_due_days, leaver_retention_years, is_demo) "
                 "VALUES (1, 'Old School', 'secondary', 1, 9, 4, 35, 50, 291, 0.45, 42, 6, 0)")
    conn.execute("INSERT INTO staff (id, school_id, staff_code, forename, surname, sort_name, fte, in_target, anonymised) "
                 "VALUES (1, 1, 'AMY', 'Amy', 'Teacher', 'teacher amy', 1, 1, 0)")
    conn.execute("INSERT INTO booking (id, school_id, staff_id, title, start_date, end_date, hours, format, "
                 "subject_specific, status, cover_required, fee, travel, accommodation, subsistence, cover_days, "
                 "cover_day_rate) VALUES (1, 1, 1, 'Forces', '2025-10-01', '2025-10-01', 6, 'face_to_face', 1, "
                 "'attended', 1, 0, 0, 0, 0, 1, 291)")
    conn.execute("INSERT INTO cover_lesson (school_id, booking_id, date, period, work_return) "
                 "VALUES (1, 1, '2025-10-01', 1, 'none')")
    conn.execute("INSERT INTO activity (id, school_id, staff_id, booking_id, date, hours, title, format, "
                 "subject_specific, std_pupil_outcomes, std_evidence, std_collaboration, std_sustained, "
                 "std_prioritised, evaluation_due, evaluated_on, impact_confidence, impact, pupil_outcomes) "
                 "VALUES (1, 1, 1, 1, '2025-10-01', 6, 'Forces', 'face_to_face', 1, 0, 0, 0, 0, 0, '2025-11-12', "
                 "'2025-10-20', 4, 'I now model forces with trolleys', 'Year 10 explain better')")
    for ident, day, hours, due in ((2, "2025-11-03", 6, "'2025-12-15'"), (3, "2023-05-01", 2, "NULL")):
        conn.execute("INSERT INTO activity (id, school_id, staff_id, date, hours, title, format, subject_specific, "
                     "std_pupil_outcomes, std_evidence, std_collaboration, std_sustained, std_prioritised, "
                     f"evaluation_due) VALUES ({ident}, 1, 1, '{day}', {hours}, 'Waiting', 'face_to_face', 1, "
                     f"0, 0, 0, 0, 0, {due})")
    conn.commit()
    conn.close()
    db = open_database(path, migrate=False)
    upgrade_on_open(db)  # as the app does when the file is opened: a backup, then the newest schema
    db.dispose()
    conn = sqlite3.connect(path)
    stage = conn.execute("SELECT activity_id, stage, due_date, done_on, confidence, does_differently, pupil_change "
                         "FROM evaluation_stage WHERE activity_id = 1").fetchall()
    assert stage == [(1, "end", "2025-11-12", "2025-10-20", 4, "I now model forces with trolleys",
                      "Year 10 explain better")]
    # An activity still waiting for its evaluation gets every stage, End due when its evaluation was; CPD
    # history never chased gets an End stage with no due date (never overdue).
    assert conn.execute("SELECT activity_id, stage, due_date, done_on FROM evaluation_stage WHERE activity_id > 1 "
                        "ORDER BY activity_id, id").fetchall() == [
        (2, "end", "2025-12-15", None), (2, "classroom", "2025-12-15", None), (2, "pupils", "2026-02-02", None),
        (3, "end", None, None)]
    # Nothing lost: the activity, its booking and the booking's cover lesson are all still there.
    assert conn.execute("SELECT count(*) FROM activity").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM cover_lesson").fetchone()[0] == 1
    assert conn.execute("SELECT stage_end_days, stage_classroom_days, stage_pupils_days FROM school").fetchone() \
        == (14, 42, 91)
    try:
        conn.execute("UPDATE activity SET confidence_before = 9")
        raise AssertionError("a confidence of 9 was accepted")
    except sqlite3.IntegrityError:
        pass
    conn.close()
