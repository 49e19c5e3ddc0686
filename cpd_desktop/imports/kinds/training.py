"""What CPD activities and bookings share: a member of staff's training from a date, known by its title.

Both match an existing record by person, date and title; both read a provider, hours over the days the
training spans, and the impact columns (priority, programme); both refuse an end before the start, and
a row that repeats an earlier one, in the same words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...errors import ValidationError
from ..engine import refuse_repeat
from ..names import resolve_impact_names, resolve_providers
from ..people import PersonImporter


class TrainingImporter(PersonImporter):
    """The importer of a person's training rows; a kind says which field dates it and what it is called."""

    date_key: str  # the field the training starts on
    called: str  # "activity": "The same activity (… on 01/10/2025, same person) is also on row 3."
    dated: str  # "on" or "from"

    def match_key(self, record: dict[str, Any]) -> Any:
        return (record["staff_id"], record[self.date_key], record["title"].casefold())

    def resolve_names(self) -> None:
        resolve_providers(self)
        resolve_impact_names(self, self.date_key)

    def end_before_start(self, rowno: int, start: dt.date, end: dt.date) -> ValidationError:
        return ValidationError(self.header("end_date"), f"{end:%d/%m/%Y} is before the start, {start:%d/%m/%Y}.",
                               hint="Make the end date the same as or after the start date.", row=rowno)

    def keep(self, rowno: int, record: dict[str, Any], values: dict[str, Any],
             errors: list[ValidationError]) -> dict[str, Any] | None:
        """The row's record with its values, unless the row has problems (in ``errors``) or repeats an
        earlier row of the file (raised)."""
        if errors:
            return None
        record.update(values)
        start = record[self.date_key]
        refuse_repeat(self.seen, self.match_key(record), rowno, lambda: self.header("title"),
                      lambda: f"The same {self.called} ({record['title']} {self.dated} {start:%d/%m/%Y}, same person)")
        return record
