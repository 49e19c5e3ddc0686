"""Evaluation stages as records: which stages an activity calls for, when each falls due, and keeping
each activity's stage rows in step with it (made when it is saved, imported or attended; moved with its
dates). The stages are rows so that "overdue" is one SQL rule (``rules.overdue_stage``) everywhere.

Stages (Guskey's levels): every activity has an End stage; activities of 6 hours or more and those in a
programme also have "In the classroom" and "For pupils"; a webinar has the End stage only, so evaluation
does not become paperwork. Each falls due the school's number of days after the activity's end
(defaults 14, 42 and 91).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..models import Activity, School
from ..models.impact import EvaluationStage

LATER_STAGES_HOURS = Decimal("6")
END_ONLY_FORMATS = {"webinar"}


def stage_days(school: School) -> dict[str, int]:
    """Days after an activity's end at which each stage falls due (the school's settings)."""
    return {"end": school.stage_end_days if school.stage_end_days is not None else 14,
            "classroom": school.stage_classroom_days if school.stage_classroom_days is not None else 42,
            "pupils": school.stage_pupils_days if school.stage_pupils_days is not None else 91}


def stages_for(school: School, *, date: dt.date, end_date: dt.date | None, hours: Decimal, format: str,
               in_programme: bool) -> dict[str, dt.date]:
    """The stages an activity calls for (stage → due date)."""
    ends = end_date or date
    days = stage_days(school)
    wanted = ["end"]
    if format not in END_ONLY_FORMATS and (Decimal(hours) >= LATER_STAGES_HOURS or in_programme):
        wanted += ["classroom", "pupils"]
    return {stage: ends + dt.timedelta(days=days[stage]) for stage in wanted}


# The fields a person fills in for each stage (the Record evaluation dialog), besides the date done and,
# for End and For pupils, a confidence (after; later).
STAGE_TEXTS = {
    "end": ("learnt",),
    "classroom": ("does_differently", "helped_hindered", "evidence"),
    "pupils": ("pupil_change", "how_measured", "pupil_groups"),
}
_TEXT_COLUMNS = tuple(sorted({c for cs in STAGE_TEXTS.values() for c in cs}))


def _chased(evaluation_due: dt.date | None, evaluated_on: dt.date | None) -> bool:
    """Whether an activity's stages are chased: every activity recorded or attended is, but CPD history
    imported from before the current year (no evaluation due date, never evaluated) is a record only."""
    return evaluation_due is not None or evaluated_on is not None


def sync_stages(session: Session, school: School, activity_ids: list[int] | None = None) -> None:
    """Give activities the evaluation stages the school's rules call for, as rows with their due dates.

    With ``activity_ids`` (activities just saved): missing stages are made, stages not yet done follow the
    activity's dates (a moved course moves its reminders), stages it no longer calls for are removed while
    still empty, and its own evaluation date and confidence fill the End stage. Without (after an import
    or the demo): every activity of the school is given the stages it lacks, in one insert.
    """
    if activity_ids is None:
        have = set(session.execute(select(EvaluationStage.activity_id, EvaluationStage.stage)
                                   .where(EvaluationStage.school_id == school.id)).all())
        rows = []
        for a in session.execute(select(Activity.id, Activity.date, Activity.end_date, Activity.hours,
                                        Activity.format, Activity.programme_id, Activity.evaluation_due,
                                        Activity.evaluated_on, Activity.impact_confidence)
                                 .where(Activity.school_id == school.id)):
            chased = _chased(a.evaluation_due, a.evaluated_on)
            for stage, due in stages_for(school, date=a.date, end_date=a.end_date, hours=a.hours, format=a.format,
                                         in_programme=a.programme_id is not None).items():
                if (a.id, stage) not in have:
                    end = stage == "end"
                    rows.append({"school_id": school.id, "activity_id": a.id, "stage": stage,
                                 "due_date": due if chased else None, "done_on": a.evaluated_on if end else None,
                                 "confidence": a.impact_confidence if end else None,
                                 **dict.fromkeys(_TEXT_COLUMNS)})
        for chunk in range(0, len(rows), 2000):
            session.execute(insert(EvaluationStage), rows[chunk:chunk + 2000])
        return
    for ident in activity_ids:
        activity = session.get(Activity, ident)
        if activity is None:
            continue
        wanted = stages_for(school, date=activity.date, end_date=activity.end_date, hours=Decimal(activity.hours),
                            format=activity.format, in_programme=activity.programme_id is not None)
        chased = _chased(activity.evaluation_due, activity.evaluated_on)
        records = {r.stage: r for r in session.scalars(select(EvaluationStage)
                                                       .where(EvaluationStage.activity_id == ident))}
        for stage, due in wanted.items():
            rec = records.get(stage)
            if rec is None:
                rec = EvaluationStage(school_id=school.id, activity_id=ident, stage=stage)
                session.add(rec)
            if rec.done_on is None:
                if stage == "end" and activity.evaluated_on is not None:
                    rec.done_on = activity.evaluated_on
                rec.due_date = due if chased else None
            if stage == "end" and activity.impact_confidence is not None and rec.confidence is None:
                rec.confidence = activity.impact_confidence
        for stage, rec in records.items():
            if stage not in wanted and rec.done_on is None and rec.confidence is None \
                    and not any(getattr(rec, c) for c in _TEXT_COLUMNS):
                session.delete(rec)
    session.flush()


