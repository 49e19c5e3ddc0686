"""Evaluation stages as records: made when CPD is saved or attended, moved with its dates, and one rule for
"overdue" that the dashboard, the CPD log, the impact report and the summary export all ask; a booking
that costs money or needs cover starts from its intended outcome, which travels to its activity."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cpd_desktop.errors import ConcurrentEditError, ValidationError
from cpd_desktop.models import EvaluationStage, School, Staff
from cpd_desktop.services import impact
from cpd_desktop.services.activities import add_activity, update_activity
from cpd_desktop.services.bookings import create_booking, transition_booking, update_booking
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import AcademicYear

YEAR = AcademicYear(2025)
TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def teacher(session: Session, school: School) -> Staff:
    return add_staff(session, school, forename="Amy", surname="Teacher", staff_code="AMY", fte="1",
                     department="Science")


def stages(session: Session, activity_id: int) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """stage -> (due date, date done) as stored."""
    rows = session.execute(select(EvaluationStage.stage, EvaluationStage.due_date, EvaluationStage.done_on)
                           .where(EvaluationStage.activity_id == activity_id))
    return {stage: (due, done) for stage, due, done in rows}


def test_a_long_course_gets_three_stages_a_twilight_one_and_a_move_moves_them(session: Session, school: School,
                                                                              teacher: Staff) -> None:
    day = add_activity(session, school, teacher, date="01/10/2025", hours="6", title="Practical physics")
    twilight = add_activity(session, school, teacher, date="02/10/2025", hours="1.5", title="Twilight")
    assert stages(session, day.id) == {"end": (dt.date(2025, 10, 15), None),
                                       "classroom": (dt.date(2025, 11, 12), None),
                                       "pupils": (dt.date(2025, 12, 31), None)}
    assert stages(session, twilight.id) == {"end": (dt.date(2025, 10, 16), None)}
    update_activity(session, day, date="08/10/2025")  # the course moved a week: so do its reminders
    assert stages(session, day.id)["classroom"] == (dt.date(2025, 11, 19), None)
    update_activity(session, day, hours="3")  # now short: the later stages, still empty, go
    assert list(stages(session, day.id)) == ["end"]


def test_dashboard_list_report_and_export_count_the_same_overdue_stages(db: Any, school: School) -> None:
    from cpd_desktop.exports.rows import summary_data
    from cpd_desktop.services.dashboard import load_dashboard
    from cpd_desktop.services.lists.activities import ActivityList, overdue_in

    with db.session() as s:
        s.add(school)
        amy = add_staff(s, school, forename="Amy", surname="Teacher", staff_code="AMY", fte="1")
        ben = add_staff(s, school, forename="Ben", surname="Teacher", staff_code="BEN", fte="1")
        long = add_activity(s, school, amy, date="01/10/2025", hours="6", title="Practical physics")
        add_activity(s, school, ben, date="03/11/2025", hours="2", title="Webinar", format="webinar")
        add_activity(s, school, ben, date="10/01/2026", hours="2", title="Not due yet")
        impact.record_stage(s, school, long, "end", done_on=dt.date(2025, 10, 10), confidence=4)
        s.commit()
    # Amy: In the classroom (12/11) and For pupils (31/12) overdue; Ben: the webinar's End (17/11).
    dashboard = load_dashboard(db, school.id, YEAR, None, TODAY).overdue
    log = ActivityList(school.id, TODAY)
    rows = log.fetch_page(db, {"year": YEAR, "evaluation": "overdue"})
    column = log.column_index("evaluation")
    with db.session() as s:
        school = s.get(School, school.id)
        reported = sum(p["stages_overdue"] for p in impact.impact_report(s, school, YEAR, TODAY))
        listed_stages = len(impact.overdue_stages(s, school, TODAY))
        exported = summary_data(s, school, YEAR, today=TODAY).overdue
    assert dashboard == reported == listed_stages == sum(overdue_in(r.values[column]) for r in rows) == 3
    assert exported == len(rows) == 2  # the summary counts activities with a stage overdue, as the log's rows
    texts = sorted(log.columns[column].format(r.values[column]) for r in rows)
    assert texts == ["End, due 17/11/2025",
                     "In the classroom, due 12/11/2025; For pupils, due 31/12/2025; End done 10/10/2025"]
    cells = sorted(log.columns[column].cell(r.values[column]) for r in rows)  # what the log's cells show
    assert cells == ["Classroom 12/11/2025", "End 17/11/2025"]


def test_a_booking_that_costs_money_or_needs_cover_needs_its_intended_outcome(session: Session, school: School,
                                                                              teacher: Staff) -> None:
    for costs in ({"fee": "95.00"}, {"travel": "12.40"}, {"cover_required": True}, {"subsistence": "8"}):
        with pytest.raises(ValidationError, match="is required for a booking that") as refused:
            create_booking(session, school, teacher, title="Forces", start_date="12/01/2026", hours="6", **costs)
        assert refused.value.field == "Intended outcome"
    free = create_booking(session, school, teacher, title="Free twilight", start_date="12/01/2026", hours="2")
    assert free.intended_outcomes is None  # optional when it costs nothing and needs no cover
    with pytest.raises(ValidationError, match="costs money"):
        update_booking(session, free, fee="40.00")
    update_booking(session, free, fee="40.00", intended_outcomes="Year 9 use models of particles")
    with pytest.raises(ValidationError, match="from 1 to 5"):
        update_booking(session, free, confidence_before="7")


def test_attending_carries_the_plan_to_the_activity_and_gives_it_its_stages(session: Session, school: School,
                                                                          teacher: Staff) -> None:
    priority = impact.priority_id(session, school, YEAR, "Practical skills at KS4")
    booking = create_booking(session, school, teacher, title="Required practicals", start_date="12/01/2026",
                             hours="3", fee="120.00", intended_outcomes="Year 10 complete practicals unaided",
                             priority_id=priority, confidence_before="2")
    assert (booking.priority_id, booking.confidence_before) == (priority, 2)
    transition_booking(session, booking, "approved", on=dt.date(2026, 1, 5))
    transition_booking(session, booking, "booked", on=dt.date(2026, 1, 6))
    activity = transition_booking(session, booking, "attended", on=dt.date(2026, 1, 12))
    assert activity is not None
    assert (activity.priority_id, activity.confidence_before) == (priority, 2)
    assert activity.intended_outcomes == "Year 10 complete practicals unaided"
    assert list(stages(session, activity.id)) == ["end"]  # 3 hours and no programme: the End stage only
    programme = impact.programme_id(session, school, "Lesson study: required practicals")
    second = create_booking(session, school, teacher, title="Lesson study 2", start_date="13/01/2026", hours="2",
                            fee="10.00", intended_outcomes="Fewer repeated practicals")
    second.programme_id = programme
    transition_booking(session, second, "approved", on=dt.date(2026, 1, 5))
    transition_booking(session, second, "booked", on=dt.date(2026, 1, 6))
    attended = transition_booking(session, second, "attended", on=dt.date(2026, 1, 13))
    assert attended is not None and sorted(stages(session, attended.id)) == ["classroom", "end", "pupils"]


def test_recording_stages_checks_each_and_the_end_stage_is_the_activitys_evaluation(
        session: Session, school: School, teacher: Staff) -> None:
    from cpd_desktop.services.stages import evaluation_of, save_evaluation

    a = add_activity(session, school, teacher, date="01/10/2025", hours="6", title="Practical physics")
    form = evaluation_of(session, school, a.id)
    assert form is not None and [e.title for e in form.stages] == ["End", "In the classroom", "For pupils"]
    assert form.stages[1].state(TODAY) == "Overdue: due 12/11/2025"
    versions = {e.stage: e.version for e in form.stages}
    with pytest.raises(ValidationError) as refused:
        save_evaluation(session, school, a.id, {"classroom": {"done_on": "", "does_differently": "Model first"}},
                        versions, TODAY)
    assert refused.value.field == "In the classroom: date done"
    with pytest.raises(ValidationError) as refused:
        save_evaluation(session, school, a.id, {"end": {"done_on": "10/10/2025", "learnt": ""}}, versions, TODAY)
    assert refused.value.field == "End: what was learnt"
    with pytest.raises(ValidationError, match="in the future"):
        save_evaluation(session, school, a.id, {"end": {"done_on": "16/01/2026", "learnt": "x"}}, versions, TODAY)
    with pytest.raises(ValidationError, match="from 1 to 5"):
        save_evaluation(session, school, a.id, {"end": {"done_on": "10/10/2025", "learnt": "x", "confidence": "6"}},
                        versions, TODAY)
    assert save_evaluation(session, school, a.id, {
        "end": {"done_on": "10/10/2025", "learnt": "Sequencing the practical", "confidence": "4"},
        "classroom": {"done_on": "14/01/2026", "does_differently": "I model each practical first",
                      "evidence": "Observation"}}, versions, TODAY) == 2
    assert (a.evaluated_on, a.impact_confidence) == (dt.date(2025, 10, 10), 4)
    assert [o["stage"] for o in impact.overdue_stages(session, school, TODAY)] == ["For pupils"]  # due 31/12/2025
    with pytest.raises(ConcurrentEditError):  # saved on the copy read before the save above
        save_evaluation(session, school, a.id, {"end": {"done_on": "11/10/2025", "learnt": "Mine"}}, versions, TODAY)


def test_an_activity_deleted_and_undone_comes_back_with_its_evaluation_stages(db: Any, school: School) -> None:
    """The stages went with the activity by the database's cascade, which the undo record never saw: Ctrl+Z
    brought the activity back with no stages, so the CPD log's Evaluation column was blank and its record lost."""
    from cpd_desktop.models import Activity
    from cpd_desktop.services import unit
    from cpd_desktop.services.activities import delete_activity

    with db.session() as s:
        s.add(school)
        amy = add_staff(s, school, forename="Amy", surname="Teacher", staff_code="AMY", fte="1")
        ident = add_activity(s, school, amy, date="01/10/2025", hours="6", title="Practical physics").id
        impact.record_stage(s, school, s.get(Activity, ident), "end", done_on=dt.date(2025, 10, 10), confidence=4)
    with db.session() as s:
        before = stages(s, ident)
    assert before["end"] == (dt.date(2025, 10, 15), dt.date(2025, 10, 10)) and len(before) == 3

    done = unit.do(db, lambda s: delete_activity(s, s.get(Activity, ident)))
    assert "evaluation_stage" in done.notice.kinds
    with db.session() as s:
        assert stages(s, ident) == {}
    unit.undo(db, done.changes)
    with db.session() as s:
        assert stages(s, ident) == before
        assert s.scalar(select(EvaluationStage.confidence).where(EvaluationStage.activity_id == ident,
                                                                 EvaluationStage.stage == "end")) == 4
    unit.redo(db, done.changes)
    with db.session() as s:
        assert s.get(Activity, ident) is None and stages(s, ident) == {}


def test_the_individual_record_gives_each_stage_as_the_log_does_and_what_was_said(session: Session, school: School,
                                                                                  teacher: Staff) -> None:
    """The record (for appraisal or a subject access request) gave the activity's old single "Evaluation due"
    (six weeks on: 12/11/2025) where the CPD log says End is due 15/10/2025, and left out what was said at
    each stage: it holds "everything CPD Desktop holds about this person"."""
    from cpd_desktop.exports.rows import staff_record

    day = add_activity(session, school, teacher, date="01/10/2025", hours="6", title="Practical physics")
    impact.record_stage(session, school, day, "end", done_on=dt.date(2025, 10, 10), confidence=4,
                        learnt="Circuits as a rope loop")
    impact.record_stage(session, school, day, "classroom", done_on=dt.date(2025, 11, 3),
                        does_differently="Year 9 use the rope model", evidence="Observation")
    record = staff_record(session, school, "AMY")
    (_row, items), = record.activity_notes
    said = dict(items)
    assert said["End: due"] == "15/10/2025" and said["End: done"] == "10/10/2025"
    assert said["End: what was learnt"] == "Circuits as a rope loop" and said["End: confidence after"] == "4"
    assert said["In the classroom: what they now do differently"] == "Year 9 use the rope model"
    assert said["In the classroom: evidence seen"] == "Observation"
    assert said["For pupils: due"] == "31/12/2025" and "For pupils: done" not in said
    assert "Evaluation due" not in said  # the old single date, which disagreed with the End stage's


def test_a_quick_evaluation_is_refused_a_future_date_and_a_corrected_date_reaches_the_log(db: Any,
                                                                                          school: School) -> None:
    """Evaluate… (the quick impact note) keeps the same rule as a stage's date done: not before the CPD,
    not after today. Evaluating again with another date moves the End stage, so the CPD log's Evaluation
    column says the corrected day, not the first one."""
    from cpd_desktop.services.activities import record_evaluation
    from cpd_desktop.services.lists.activities import ActivityList

    today = dt.date(2026, 12, 6)
    with db.session() as s:
        s.add(school)
        amy = add_staff(s, school, forename="Amy", surname="Teacher", staff_code="AMY", fte="1")
        act = add_activity(s, school, amy, date="01/12/2026", hours="2", title="Required practicals workshop")
        record_evaluation(s, act, impact="Fewer repeats", confidence=4, evaluated_on="06/12/2026", today=today)
        with pytest.raises(ValidationError, match="06/12/2027 is in the future") as refused:
            record_evaluation(s, act, impact="Fewer repeats", evaluated_on="06/12/2027", today=today)
        assert refused.value.field == "Evaluated on"
        with pytest.raises(ValidationError, match="before the activity"):
            record_evaluation(s, act, impact="Fewer repeats", evaluated_on="30/11/2026", today=today)
        record_evaluation(s, act, impact="Fewer repeats", confidence=5, evaluated_on="03/12/2026", today=today)
        end = s.scalars(select(EvaluationStage).where(EvaluationStage.activity_id == act.id,
                                                      EvaluationStage.stage == "end")).one()
        assert (end.done_on, end.confidence) == (dt.date(2026, 12, 3), 5)
        s.commit()
    log = ActivityList(school.id, today)
    rows = log.fetch_page(db, {"year": AcademicYear(2026)})
    column = log.column_index("evaluation")
    assert [log.columns[column].format(r.values[column]) for r in rows] == ["Evaluated 03/12/2026"]
