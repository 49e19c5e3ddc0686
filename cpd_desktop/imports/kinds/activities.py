"""Importing CPD history: one row an activity a member of staff took part in, matched by person, date and title."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from ...errors import ValidationError
from ...models import Activity
from ...models.enums import ACTIVITY_STATUSES, STANDARD_PARTS
from ...services import validation as v
from .. import cells
from ..engine import Update, as_written
from ..names import IMPACT_PARSERS, confidence
from ..people import WHO_PARSERS
from .training import TrainingImporter


class ActivityImporter(TrainingImporter):
    model = Activity
    noun = "CPD activities"
    date_key, called, dated = "date", "activity", "on"
    compare = ("end_date", "hours", "provider_id", "format", "subject_specific", *STANDARD_PARTS, "cost",
               "status", "intended_outcomes", "evaluated_on", "impact", "impact_confidence", "pupil_outcomes",
               "follow_up_actions", "confidence_before", "priority_id", "programme_id")
    parsers = {
        **WHO_PARSERS,
        "date": cells.date,
        "end_date": cells.date,
        "title": lambda f: cells.text(f, v.TITLE_MAX),
        "provider": lambda f: cells.text(f, 200),
        "hours": as_written,
        "format": cells.activity_format,
        "subject_specific": cells.boolean,
        "standards": cells.standard_parts,
        **{key: cells.boolean for key in STANDARD_PARTS},
        "cost": cells.money,
        "status": lambda f: cells.choice(f, ACTIVITY_STATUSES),
        "intended_outcomes": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        "evaluated_on": cells.date,
        "impact": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        "impact_confidence": confidence,
        "pupil_outcomes": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        "follow_up_actions": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        **IMPACT_PARSERS,
        "confidence_later": confidence,
        "programme": lambda f: cells.text(f, 200),
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.later: dict[Any, int] = {}  # match key -> confidence later (saved on the For pupils stage)
        self.due_days = dt.timedelta(days=self.school.evaluation_due_days)
        # CPD history from before this academic year is a record, not something to chase: only
        # activities of the current year (and later) are given an evaluation due date.
        from ...services.years import current_academic_year

        self.chase_from = current_academic_year(self.school).start

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        record = self.person(rowno, values, errors)
        start = values.get("date")
        end = values.get("end_date")
        if start is not None and end is not None:
            if end < start:
                errors.append(self.end_before_start(rowno, start, end))
            elif end == start:
                values["end_date"] = end = None
        if values.get("hours") is not None:
            days = (end - start).days + 1 if (start is not None and end is not None and end > start) else 1
            self.check_hours(values, days, rowno, errors)
        if "evaluated_on" in values and start is not None and values["evaluated_on"] < start:
            errors.append(ValidationError(self.header("evaluated_on"), "is before the activity took place.",
                                          hint="Check the dates.", row=rowno))
        parts = values.pop("standards", None)
        if parts is not None:
            for key in STANDARD_PARTS:
                values.setdefault(key, key in parts)
        return self.keep(rowno, record, values, errors)

    def resolve_names(self) -> None:
        super().resolve_names()
        for _rowno, record in self.records:
            later = record.pop("confidence_later", None)
            if later is not None:
                self.later[self.match_key(record)] = later

    def write(self) -> None:
        super().write()
        from ...services.impact import record_stage
        from ...services.stages import sync_stages

        sync_stages(self.session, self.school, batch_id=self.batch_id)  # this import's activities' stages
        if not self.later:
            return

        today = dt.date.today()
        found = self.existing()
        for key, later in self.later.items():
            activity = self.session.get(Activity, found[key]["id"])
            assert activity is not None
            stage = record_stage(self.session, self.school, activity, "pupils", done_on=None)
            done = stage.due_date if stage.due_date is not None and stage.due_date <= today else today
            record_stage(self.session, self.school, activity, "pupils", done_on=done, confidence=later)

    def existing(self) -> dict[Any, dict[str, Any]]:
        if not self.records:
            return {}
        dates = [r["date"] for _n, r in self.records]
        cols = [Activity.id, Activity.staff_id, Activity.date, Activity.title,
                *(getattr(Activity, c) for c in self.compare)]
        rows = self.session.execute(select(*cols).where(Activity.school_id == self.school.id,
                                                        Activity.date.between(min(dates), max(dates))))
        return {(r.staff_id, r.date, r.title.casefold()): r._asdict() for r in rows}

    def plan(self) -> tuple[list[dict[str, Any]], list[Update]]:
        self.defaults = {"school_id": self.school.id, "booking_id": None, "end_date": None, "provider_id": None,
                         "format": "face_to_face", "subject_specific": False, "status": None, "cost": None,
                         **{key: False for key in STANDARD_PARTS}, "intended_outcomes": None,
                         "evaluated_on": None, "impact_confidence": None, "impact": None, "pupil_outcomes": None,
                         "follow_up_actions": None, "evidence_note": None, "confidence_before": None,
                         "priority_id": None, "programme_id": None, **self.versioned()}
        return super().plan()

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        row = {**self.defaults, **record}
        if "evaluation_due" not in row:
            ended = row["end_date"] or row["date"]
            row["evaluation_due"] = ended + self.due_days if ended >= self.chase_from and not row.get(
                "evaluated_on") else None
        return row

