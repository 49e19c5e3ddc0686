"""Importing department indicators: one row a figure (e.g. a GCSE pass rate) for a year and pupil group."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ...errors import ValidationError
from ...models import Indicator
from .. import cells
from ..engine import Importer, on_row, refuse_repeat


class IndicatorImporter(Importer):
    model = Indicator
    noun = "department indicators"
    compare = ("value", "unit")
    parsers = {
        "year": lambda f: cells.text(f, 20),
        "name": lambda f: cells.text(f, 200),
        "value": cells.decimal,
        "unit": lambda f: cells.text(f, 20),
        "group": lambda f: cells.text(f, 100),
    }

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        from ...services.years import parse_academic_year

        record: dict[str, Any] = {"name": values.get("name"), "unit": values.get("unit", ""),
                                  "pupil_group": values.get("group", "")}
        if "year" in values:
            try:
                record["academic_year"] = parse_academic_year(values["year"], self.school.academic_year_start_month,
                                                              field=self.header("year")).start_year
            except ValidationError as exc:
                errors.append(on_row(exc, rowno))
        value = values.get("value")
        if value is not None and abs(value) >= Decimal("10000000000"):
            errors.append(ValidationError(self.header("value"), f"{value} is too large for an indicator.",
                                          hint="Write the figure itself, e.g. 64 for 64%.", row=rowno))
        record["value"] = value
        if errors or record["name"] is None or value is None:
            return None
        refuse_repeat(self.seen, self.match_key(record), rowno, self.header("name"),
                      f"{record['name']} for the same year and group")
        return record

    def match_key(self, record: dict[str, Any]) -> Any:
        return (record["academic_year"], record["name"].casefold(), record["pupil_group"].casefold())

    def existing(self) -> dict[Any, dict[str, Any]]:
        i = Indicator
        rows = self.session.execute(select(i.id, i.academic_year, i.name, i.pupil_group, i.value, i.unit)
                                    .where(i.school_id == self.school.id))
        return {(r.academic_year, r.name.casefold(), r.pupil_group.casefold()): r._asdict() for r in rows}

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"school_id": self.school.id, **record, **self.versioned()}

