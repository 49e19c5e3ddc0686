"""Importing bookings: one row a course a member of staff is booked on, matched by person, start and title."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ...errors import ValidationError
from ...models import Booking
from ...models.enums import BOOKING_STATUSES
from ...services import validation as v
from ...services.bookings import OPEN_STATUSES, outcome_refusal
from ...services.years import SchoolCalendar, school_days
from .. import cells
from ..engine import as_written
from ..names import IMPACT_PARSERS
from ..people import WHO_PARSERS
from .training import TrainingImporter

# Not "attended": marking a booking attended records its activity in the CPD log, which an import does not do.
BOOKING_IMPORT_STATUSES = {k: label for k, label in BOOKING_STATUSES.items() if k != "attended"}
HOURS_PER_COURSE_DAY = Decimal("6.00")


class BookingImporter(TrainingImporter):
    model = Booking
    noun = "bookings"
    date_key, called, dated = "start_date", "booking", "from"
    compare = ("end_date", "hours", "provider_id", "format", "subject_specific", "fee", "travel", "accommodation",
               "subsistence", "cover_required", "cover_days", "status", "budget_code", "notes", "intended_outcomes",
               "priority_id", "confidence_before")
    parsers = {
        **WHO_PARSERS,
        "title": lambda f: cells.text(f, v.TITLE_MAX),
        "provider": lambda f: cells.text(f, 200),
        "start_date": cells.date,
        "end_date": cells.date,
        "hours": as_written,
        "format": cells.activity_format,
        "subject_specific": cells.boolean,
        "fee": cells.money,
        "travel": cells.money,
        "accommodation": cells.money,
        "subsistence": cells.money,
        "cover_required": cells.boolean,
        "status": lambda f: cells.choice(f, BOOKING_IMPORT_STATUSES),
        "budget_code": lambda f: cells.text(f, 40),
        "notes": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        "intended_outcomes": lambda f: cells.text(f, v.NOTE_MAX, multiline=True),
        **IMPACT_PARSERS,
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.calendar = SchoolCalendar(self.session, self.school)  # cover: the school days in term

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        record = self.person(rowno, values, errors)
        start = values.get("start_date")
        if start is None:
            return None
        end = values.setdefault("end_date", start)
        if end < start:
            errors.append(self.end_before_start(rowno, start, end))
            return None
        days = (end - start).days + 1
        if "hours" in values:
            self.check_hours(values, days, rowno, errors)
        else:
            values["hours"] = HOURS_PER_COURSE_DAY * max(1, len(school_days(start, end)))
        if values.get("cover_required"):
            values["cover_days"] = float(len(self.calendar.school_days(start, end)))
        elif values.get("cover_required") is False:
            values["cover_days"] = 0.0
        if values.get("status", "planned") in OPEN_STATUSES:  # planned CPD that costs starts from its outcome
            why = outcome_refusal(values)
            if why:
                errors.append(ValidationError(self.header("intended_outcomes"), why, row=rowno))
        return self.keep(rowno, record, values, errors)

    def existing(self) -> dict[Any, dict[str, Any]]:
        cols = [Booking.id, Booking.staff_id, Booking.start_date, Booking.title,
                *(getattr(Booking, c) for c in self.compare)]
        rows = self.session.execute(select(*cols).where(Booking.school_id == self.school.id))
        return {(r.staff_id, r.start_date, r.title.casefold()): r._asdict() for r in rows}

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"school_id": self.school.id, "course_id": None, "provider_id": None, "format": "face_to_face",
                "subject_specific": True, "status": "planned", "status_changed_on": dt.date.today(),
                "cover_required": False, "fee": Decimal("0.00"), "travel": Decimal("0.00"),
                "accommodation": Decimal("0.00"), "subsistence": Decimal("0.00"), "cover_days": 0.0,
                "cover_day_rate": self.school.supply_day_rate, "supply_invoice_ref": None, "budget_code": None,
                "intended_outcomes": None, "notes": None, "cancellation_reason": None, "priority_id": None,
                "programme_id": None, "confidence_before": None, **record, **self.versioned()}

