"""CPD activities: what each person did, its hours, the Standard parts it meets, and its evaluation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Activity, EvaluationStage, Programme, School, Staff
from ..models.enums import ACTIVITY_STATUSES, STANDARD_PARTS
from . import validation as v
from .catalogue import parse_format, provider_id
from .concurrency import check_version
from .objectives import check_objective
from .rules import overdue_evaluation
from .stages import check_done_on, sync_stages


def clean_activity_values(values: dict[str, Any], current: Activity | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "date" in values:
        out["date"] = v.parse_date(values["date"], "Date")
    if "end_date" in values:
        out["end_date"] = v.parse_date(values["end_date"], "End date", required=False)
    start = out.get("date", current.date if current else None)
    end = out.get("end_date", current.end_date if current else None)
    if start is not None and end is not None:
        v.check_date_order(start, end)
    if "hours" in values or (current is not None and ("date" in out or "end_date" in out)):
        raw = values.get("hours", current.hours if current else None)
        out["hours"] = v.parse_hours(raw, "Hours", start=start, end=end)
    if "title" in values:
        out["title"] = v.required_text(values["title"], "Title")
    if "format" in values:
        out["format"] = parse_format(values["format"])
    if "subject_specific" in values:
        out["subject_specific"] = v.parse_bool(values["subject_specific"], "Subject-specific")
    if "status" in values:
        out["status"] = (v.parse_choice(values["status"], "Status", ACTIVITY_STATUSES)
                         if values["status"] not in (None, "") else None)
    if "cost" in values:
        out["cost"] = v.parse_money(values["cost"], "Cost", required=False)
    for part in STANDARD_PARTS:
        if part in values:
            out[part] = v.parse_bool(values[part], STANDARD_PARTS[part])
    for key, label in (("intended_outcomes", "Intended outcomes"), ("impact", "Impact"),
                       ("pupil_outcomes", "Pupil outcomes"), ("follow_up_actions", "Follow-up actions"),
                       ("evidence_note", "Evidence")):
        if key in values:
            out[key] = v.clean_text(values[key], label, max_len=v.NOTE_MAX, multiline=True)
    if "impact_confidence" in values:
        out["impact_confidence"] = v.parse_confidence(values["impact_confidence"], "Confidence",
                                                      hint="1 = much less confident, 5 = much more.")
    if "evaluated_on" in values:
        out["evaluated_on"] = v.parse_date(values["evaluated_on"], "Evaluated on", required=False)
    if "evaluation_due" in values:
        out["evaluation_due"] = v.parse_date(values["evaluation_due"], "Evaluation due", required=False)
    if "programme_id" in values:
        out["programme_id"] = int(values["programme_id"]) if values["programme_id"] else None
    if "objective_id" in values:
        out["objective_id"] = int(values["objective_id"]) if values["objective_id"] else None
    return out


def _check_programme(session: Session, school: School, clean: dict[str, Any]) -> None:
    """A programme chosen for an activity must be one of the school's own."""
    pid = clean.get("programme_id")
    if pid is not None and session.scalar(select(Programme.id).where(Programme.id == pid,
                                                                     Programme.school_id == school.id)) is None:
        raise ValidationError("Programme", "is not one of the school's programmes.",
                              hint="Choose a programme from the list, or add it in the Planner first.")


def add_activity(session: Session, school: School, staff: Staff, *, provider: Any = None,
                 booking_id: int | None = None, **values: Any) -> Activity:
    for required in ("date", "hours", "title"):
        values.setdefault(required, None)
    clean = clean_activity_values(values)
    if staff.school_id != school.id:
        raise ValidationError("Staff", f"{staff.full_name} is not at {school.name}.")
    _check_programme(session, school, clean)
    check_objective(session, school, clean.get("objective_id"), staff.id)
    clean.setdefault("evaluation_due", (clean.get("end_date") or clean["date"])
                     + dt.timedelta(days=school.evaluation_due_days))
    activity = Activity(school_id=school.id, staff_id=staff.id, booking_id=booking_id,
                        provider_id=provider_id(session, school, provider), **clean)
    session.add(activity)
    session.flush()
    sync_stages(session, school, [activity.id])
    return activity


def update_activity(session: Session, activity: Activity, *, provider: Any = ..., expected_version: int | None = None,
                    **values: Any) -> Activity:
    check_version(activity, expected_version)
    clean = clean_activity_values(values, current=activity)
    _check_programme(session, activity.staff.school, clean)
    if "objective_id" in clean:
        check_objective(session, activity.staff.school, clean["objective_id"], activity.staff_id)
    if provider is not ...:
        activity.provider_id = provider_id(session, activity.staff.school, provider)
    for key, value in clean.items():
        setattr(activity, key, value)
    session.flush()
    # new dates move the stages not yet done; a corrected evaluation date reaches the End stage
    sync_stages(session, activity.staff.school, [activity.id], evaluated="evaluated_on" in clean)
    return activity


def record_evaluation(session: Session, activity: Activity, *, impact: Any, confidence: Any = None,
                      pupil_outcomes: Any = None, follow_up_actions: Any = None,
                      evaluated_on: Any = None, today: dt.date | None = None) -> Activity:
    """Record (or correct) what difference the CPD made. The impact text is required: recording is not
    evaluating. The day it was done is neither before the activity nor after ``today``, the same rule as
    a stage's (``check_done_on``); it becomes the End stage's, replacing a date recorded before."""
    today = today or dt.date.today()
    clean = clean_activity_values({
        "impact": impact, "impact_confidence": confidence, "pupil_outcomes": pupil_outcomes,
        "follow_up_actions": follow_up_actions,
        "evaluated_on": evaluated_on or today,
    })
    if not clean.get("impact"):
        raise ValidationError("Impact", "is required for an evaluation.",
                              hint="Say what changed in your teaching or your pupils' learning.")
    check_done_on(clean["evaluated_on"], activity.date, today, "Evaluated on")
    for key, value in clean.items():
        setattr(activity, key, value)
    session.flush()
    sync_stages(session, activity.staff.school, [activity.id], evaluated=True)  # the evaluation is the End stage
    return activity


def delete_activity(session: Session, activity: Activity, *, expected_version: int | None = None) -> None:
    """Delete an activity; with ``expected_version`` (as the person saw it) refused if somebody changed it since."""
    check_version(activity, expected_version, action="delete")
    # Its evaluation stages are deleted here, not left to the database's cascade, so that the unit of work
    # records them and an undo brings the activity back with its stages (and what they say).
    for stage in session.scalars(select(EvaluationStage).where(EvaluationStage.activity_id == activity.id)):
        session.delete(stage)
    session.flush()
    session.delete(activity)
    session.flush()


def overdue_evaluations(session: Session, school: School, today: dt.date | None = None) -> list[Activity]:
    """Activities whose evaluation was due before today and has not been recorded."""
    today = today or dt.date.today()
    stmt = (select(Activity).join(Staff).where(Activity.school_id == school.id, overdue_evaluation(today))
            .order_by(Activity.date, Activity.id))
    return list(session.scalars(stmt))
