"""Importing the timetable: one row a teacher's lesson in a week, day and period (SIMS's "MonA:1" included)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...errors import ValidationError
from ...models import TimetableLesson
from .. import cells
from ..engine import refuse_repeat
from ..people import WHO_PARSERS, PersonImporter


class TimetableImporter(PersonImporter):
    model = TimetableLesson
    noun = "timetable lessons"
    compare = ("class_group", "subject", "room")
    parsers = {
        **WHO_PARSERS,
        "week": cells.timetable_week,
        "day": cells.weekday,
        "period": cells.timetable_slot,  # "1", "P1", or SIMS's "MonA:1" (day, week and period in one)
        "class_group": lambda f: cells.text(f, 40),
        "subject": lambda f: cells.text(f, 100),
        "room": lambda f: cells.text(f, 40),
    }

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        record = self.person(rowno, values, errors)
        if errors:
            return None
        slot_week, slot_day, record["period"] = values["period"]
        day = values.get("day", slot_day)
        week = values.get("week", slot_week or "every")
        period_header = self.header("period")
        if day is None:
            errors.append(ValidationError(period_header, "The row does not say which day the lesson is on.",
                                          hint="Add a Day column, or write the period as SIMS does (MonA:1).",
                                          row=rowno))
        elif slot_day is not None and slot_day != day:
            errors.append(ValidationError(period_header, f"The period says a different day from the "
                                          f"{self.header('day')} column.", hint="Correct one of them.", row=rowno))
        if slot_week is not None and "week" in values and values["week"] != slot_week:
            errors.append(ValidationError(period_header, f"The period says week {slot_week} but the "
                                          f"{self.header('week')} column says otherwise.", hint="Correct one of them.",
                                          row=rowno))
        if errors:
            return None
        record["week"] = week
        record["weekday"] = day
        for key in ("class_group", "subject", "room"):
            if key in values:
                record[key] = values[key]
        refuse_repeat(self.seen, self.match_key(record), rowno, self.header("period"),
                      "The same teacher's lesson in this week, day and period")
        return record

    def match_key(self, record: dict[str, Any]) -> Any:
        return (record["staff_id"], record["week"], record["weekday"], record["period"])

    def existing(self) -> dict[Any, dict[str, Any]]:
        t = TimetableLesson
        rows = self.session.execute(select(t.id, t.staff_id, t.week, t.weekday, t.period, t.class_group, t.subject,
                                           t.room).where(t.school_id == self.school.id))
        return {(r.staff_id, r.week, r.weekday, r.period): r._asdict() for r in rows}

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"school_id": self.school.id, "class_group": None, "subject": None, "room": None,
                **record, **self.versioned()}

