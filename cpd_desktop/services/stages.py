"""Evaluation stages as records: which stages an activity calls for, when each falls due, and keeping
each activity's stage rows in step with it (made when it is saved, imported or attended; moved with its
dates). The stages are rows so that "overdue" is one SQL rule (``rules.overdue_stage``) everywhere.

Stages (Guskey's levels): every activity has an End stage; the school chooses which also have "In the
classroom" and "For pupils" (defaults: activities of 6 hours or more, and every activity in a programme);
a webinar has the End stage only, so evaluation does not become paperwork. Each falls due the school's number of days after the activity's end
(defaults 14, 42 and 91).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Activity, School
from ..models.base import utcnow
from ..models.impact import STAGES, EvaluationStage
from .bulk import insert_rows
from .formatting import in_sentence
from .rules import stage_is_overdue

END_ONLY_FORMATS = {"webinar"}


def stage_days(school: School) -> dict[str, int]:
    """Days after an activity's end at which each stage falls due (the school's settings)."""
    return {"end": school.stage_end_days if school.stage_end_days is not None else 14,
            "classroom": school.stage_classroom_days if school.stage_classroom_days is not None else 42,
            "pupils": school.stage_pupils_days if school.stage_pupils_days is not None else 91}


class StageRule:
    """The school's rule for which stages an activity calls for and when each falls due, read from the
    school once (an import applies it to every new activity)."""

    def __init__(self, school: School) -> None:
        self.days = {stage: dt.timedelta(days=n) for stage, n in stage_days(school).items()}
        self.threshold = Decimal("6") if school.later_stages_hours is None else Decimal(school.later_stages_hours)
        self.programmes = school.later_stages_programmes is not False

    def __call__(self, *, date: dt.date, end_date: dt.date | None, hours: Decimal, format: str,
                 in_programme: bool) -> dict[str, dt.date]:
        ends = end_date or date
        days = self.days
        if format not in END_ONLY_FORMATS and (Decimal(hours) >= self.threshold or (in_programme and self.programmes)):
            return {"end": ends + days["end"], "classroom": ends + days["classroom"], "pupils": ends + days["pupils"]}
        return {"end": ends + days["end"]}


def stages_for(school: School, *, date: dt.date, end_date: dt.date | None, hours: Decimal, format: str,
               in_programme: bool) -> dict[str, dt.date]:
    """The stages an activity calls for (stage → due date), by the school's rule for the later stages."""
    return StageRule(school)(date=date, end_date=end_date, hours=hours, format=format, in_programme=in_programme)


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


def sync_stages(session: Session, school: School, activity_ids: list[int] | None = None, *,
                batch_id: int | None = None, evaluated: bool = False) -> None:
    """Give activities the evaluation stages the school's rules call for, as rows with their due dates.

    With ``activity_ids`` (activities just saved): missing stages are made, stages not yet done follow the
    activity's dates (a moved course moves its reminders), stages it no longer calls for are removed while
    still empty, and its own evaluation date and confidence fill the End stage; with ``evaluated`` (its
    evaluation was just recorded or corrected) they replace what the End stage held, so a corrected date
    reaches the stage and every list that reads it. Without (after an import
    or the demo): every activity of the school is given the stages it lacks, in one insert; with
    ``batch_id`` (an import), only the activities that import wrote or changed, so an import's cost does
    not grow with the school's history.
    """
    if activity_ids is None:
        have_query = select(EvaluationStage.activity_id, EvaluationStage.stage) \
            .where(EvaluationStage.school_id == school.id)
        activities = select(Activity.id, Activity.date, Activity.end_date, Activity.hours, Activity.format,
                            Activity.programme_id, Activity.evaluation_due, Activity.evaluated_on,
                            Activity.impact_confidence).where(Activity.school_id == school.id)
        if batch_id is not None:
            have_query = have_query.join(Activity, Activity.id == EvaluationStage.activity_id) \
                .where(Activity.import_batch_id == batch_id)
            activities = activities.where(Activity.import_batch_id == batch_id)
        have = set(session.execute(have_query).all())
        rule = StageRule(school)
        rows: list[dict[str, Any]] = []
        # Every new row says its version and time itself (one clock reading for the lot): the table's
        # defaults would be worked out row by row, which for an import of 100,000 activities and their
        # 140,000 stages cost more than writing them. Rows are written 5,000 at a time as they are made.
        stamp = {"version": 1, "updated_at": utcnow(), "updated_by": ""}
        for a in session.execute(activities).all():
            chased = _chased(a.evaluation_due, a.evaluated_on)
            for stage, due in rule(date=a.date, end_date=a.end_date, hours=a.hours, format=a.format,
                                   in_programme=a.programme_id is not None).items():
                if (a.id, stage) not in have:
                    end = stage == "end"
                    rows.append({"school_id": school.id, "activity_id": a.id, "stage": stage,
                                 "due_date": due if chased else None, "done_on": a.evaluated_on if end else None,
                                 "confidence": a.impact_confidence if end else None,
                                 **dict.fromkeys(_TEXT_COLUMNS), **stamp})
            if len(rows) >= 5000:
                insert_rows(session, EvaluationStage.__table__, rows)
                rows = []
        insert_rows(session, EvaluationStage.__table__, rows)
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
            if stage == "end" and evaluated and activity.evaluated_on is not None:
                rec.done_on = activity.evaluated_on
                rec.confidence = activity.impact_confidence
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




# ---- one activity's evaluation, stage by stage (the Record evaluation dialog) ----

STAGE_FIELDS = {  # stage -> (field, label) in the order the dialog asks them; "confidence" is 1–5
    "end": (("learnt", "What was learnt"), ("confidence", "Confidence after")),
    "classroom": (("does_differently", "What they now do differently"), ("helped_hindered", "What helped or hindered"),
                  ("evidence", "Evidence seen")),
    "pupils": (("pupil_change", "What changed for pupils"), ("how_measured", "How it was measured"),
               ("pupil_groups", "Which groups"), ("confidence", "Confidence later")),
}
# What a stage needs said before it counts as done: recording a date is not evaluating.
STAGE_REQUIRED = {"end": "learnt", "classroom": "does_differently", "pupils": "pupil_change"}
EVIDENCE_KINDS = ("Observation", "Planning", "Pupils' work")
SHORT_FIELDS = {"pupil_groups": 300}


def check_done_on(done: dt.date, start: dt.date, today: dt.date, field: str) -> None:
    """The one rule for the day an evaluation (or a stage of it) was done: not before the activity took
    place, and not after today (an evaluation is recorded once it is done). Refused with ``field`` named."""
    from .formatting import format_date

    if done < start:
        raise ValidationError(field, f"{format_date(done)} is before the activity ({format_date(start)}).",
                              hint="Enter the day the evaluation was done, on or after the activity.")
    if done > today:
        raise ValidationError(field, f"{format_date(done)} is in the future.",
                              hint=f"Record it once it is done: today ({format_date(today)}) or earlier.")


def field_name(stage: str, label: str) -> str:
    """How a refusal names a stage's field: "In the classroom: date done"."""
    return f"{STAGES[stage]}: {in_sentence(label)}"


@dataclass
class StageEntry:
    """One stage as the dialog shows it: its due date, when it was done, what was said, and its version."""

    stage: str
    title: str
    due: dt.date | None
    done_on: dt.date | None
    values: dict[str, Any]
    version: int | None

    def state(self, today: dt.date) -> str:
        """"Done 20/10/2025", "Overdue: due 12/11/2025", "Due 12/01/2027" or "No due date"."""
        from .formatting import format_date

        if self.done_on is not None:
            return f"Done {format_date(self.done_on)}"
        if stage_is_overdue(self.due, self.done_on, today):
            return f"Overdue: due {format_date(self.due)}"
        return f"Due {format_date(self.due)}" if self.due is not None else "No due date"


@dataclass
class Evaluation:
    """One activity's evaluation: what it was, whose, and each stage it calls for."""

    activity_id: int
    title: str
    person: str
    when: str
    intended_outcome: str
    stages: list[StageEntry]


def evaluation_of(session: Session, school: School, activity_id: int) -> Evaluation | None:
    """An activity's stages as the Record evaluation dialog shows them (None if it is not there)."""
    from .formatting import format_date

    activity = session.get(Activity, activity_id)
    if activity is None or activity.school_id != school.id:
        return None
    records = {r.stage: r for r in session.scalars(select(EvaluationStage)
                                                   .where(EvaluationStage.activity_id == activity_id))}
    entries = []
    for stage in STAGES:
        rec = records.get(stage)
        if rec is None:
            continue
        values = {key: getattr(rec, key) for key, _label in STAGE_FIELDS[stage]}
        entries.append(StageEntry(stage, STAGES[stage], rec.due_date, rec.done_on, values, rec.version))
    ends = activity.end_date or activity.date
    when = format_date(activity.date) + (f" to {format_date(ends)}" if ends != activity.date else "")
    return Evaluation(activity.id, activity.title, activity.staff.full_name, when,
                      activity.intended_outcomes or "", entries)


def save_evaluation(session: Session, school: School, activity_id: int, answers: dict[str, dict[str, Any]],
                    versions: dict[str, int | None], today: dt.date) -> int:
    """Save what was typed for an activity's stages (stage -> {"done_on": "dd/mm/yyyy", field: value}); each
    stage refused if somebody changed it since ``versions`` were read. Every stage is checked before any is
    written, so a refusal writes nothing. Returns how many stages changed."""
    from . import validation as v
    from .concurrency import check_version

    activity = session.get(Activity, activity_id)
    if activity is None or activity.school_id != school.id:
        raise ValidationError("Activity", "is no longer in the CPD log.", hint="Someone may have deleted it.")
    records = {r.stage: r for r in session.scalars(select(EvaluationStage)
                                                   .where(EvaluationStage.activity_id == activity_id))}
    clean: dict[str, dict[str, Any]] = {}
    for stage, typed in answers.items():
        rec = records.get(stage)
        if rec is None:
            raise ValidationError(STAGES.get(stage, stage), "is not a stage this activity is evaluated in.")
        check_version(rec, versions.get(stage))
        done_label = field_name(stage, "Date done")
        done = v.parse_date(typed.get("done_on"), done_label, required=False)
        out: dict[str, Any] = {"done_on": done}
        for key, label in STAGE_FIELDS[stage]:
            name = field_name(stage, label)
            if key == "confidence":
                out[key] = v.parse_confidence(typed.get(key), name, hint="1 = not at all, 5 = very.")
            else:
                out[key] = v.clean_text(typed.get(key), name, max_len=SHORT_FIELDS.get(key, v.NOTE_MAX),
                                        multiline=key not in SHORT_FIELDS)
        said = any(out[key] not in (None, "") for key, _label in STAGE_FIELDS[stage])
        if done is None and said:
            raise ValidationError(done_label, "is needed to record this stage.",
                                  hint="The date it was done, as dd/mm/yyyy.")
        if done is not None:
            check_done_on(done, activity.date, today, done_label)
            required = STAGE_REQUIRED[stage]
            if not out[required]:
                label = dict(STAGE_FIELDS[stage])[required]
                raise ValidationError(field_name(stage, label), "is needed to record this stage as done.")
        clean[stage] = out
    changed = 0
    for stage, out in clean.items():
        rec = records[stage]
        if all(getattr(rec, key) == value for key, value in out.items()):
            continue
        for key, value in out.items():
            setattr(rec, key, value)
        if stage == "end":  # the activity's own evaluation is its End stage: reports count it as evaluated
            activity.evaluated_on, activity.impact_confidence = out["done_on"], out["confidence"]
        changed += 1
    session.flush()
    return changed
