"""Who a row is about: the member of staff an activity, booking or timetable lesson belongs to.

A file names the person by staff code, email, or name (one "Staff" column, or forename and surname),
whichever it has; each is looked up among the school's staff, and a name two people share is refused
with what to add. ``PersonImporter`` is the importer of rows about one person each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import School, Staff
from ..services import validation as v
from . import cells
from .engine import Importer, on_row

WHO_PARSERS: dict[str, Callable[[str], cells.Parser]] = {
    "staff_code": cells.staff_code,
    "email": cells.email,
    "staff_name": cells.person_name,
    "forename": lambda f: cells.text(f, v.NAME_MAX),
    "surname": lambda f: cells.text(f, v.NAME_MAX),
}


class StaffLookup:
    """Finds the member of staff a row is about: by staff code, else email, else name."""

    def __init__(self, session: Session, school: School) -> None:
        rows = session.execute(select(Staff.id, Staff.staff_code, Staff.email, Staff.forename, Staff.surname)
                               .where(Staff.school_id == school.id)).all()
        self.by_code: dict[str, int] = {r.staff_code.upper(): r.id for r in rows}
        self.by_email: dict[str, int] = {r.email.lower(): r.id for r in rows if r.email}
        self.by_name: dict[str, list[int]] = {}
        for r in rows:
            self.by_name.setdefault(cells.fold_name(f"{r.forename} {r.surname}"), []).append(r.id)
        self.count = len(rows)
        self.exact = (("staff_code", "code", self.by_code), ("email", "email", self.by_email))

    def find(self, importer: Importer, values: dict[str, Any]) -> int:
        for key, what, known in self.exact:
            if key in values:
                found = known.get(values[key])
                if found is None:
                    raise ValidationError(importer.header(key),
                                          f"{values[key]} is not the {what} of anyone on the staff list.",
                                          hint=self._hint())
                return found
        if "staff_name" in values:
            key, where = values["staff_name"], importer.header("staff_name")
        elif "forename" in values and "surname" in values:
            key = cells.fold_name(f"{values['forename']} {values['surname']}")
            where = importer.header("surname")
        else:
            raise ValidationError(importer.header(_first_who(importer)), "does not say who this row is about.",
                                  hint="Fill in the staff code, email or name.")
        ids = self.by_name.get(key, [])
        if len(ids) == 1:
            return ids[0]
        if not ids and " " not in key and key.upper() in self.by_code:
            return self.by_code[key.upper()]  # a staff code in a "Staff" or "Teacher" column
        shown = " ".join(w.capitalize() for w in key.split())
        if ids:
            raise ValidationError(where, f"{len(ids)} members of staff are called {shown}.",
                                  hint="Add a Staff Code column to say which one.")
        raise ValidationError(where, f"nobody called {shown} is on the staff list.", hint=self._hint())

    def _hint(self) -> str:
        if not self.count:
            return "The staff list is empty: import the staff first (cpd-desktop import staff FILE)."
        return "Check it, or import the staff list first."


def _first_who(importer: Importer) -> str:
    for key in ("staff_code", "email", "staff_name", "surname", "forename"):
        if key in importer.source.mapping:
            return key
    return "staff_code"


class PersonImporter(Importer):
    """An importer of rows about one member of staff each: the row's record begins with their id."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.staff_lookup = StaffLookup(self.session, self.school)

    def person(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any]:
        """The row's record, begun with the id of the person it is about (or a problem in ``errors``);
        the columns that said who it is are taken out of ``values``."""
        record: dict[str, Any] = {}
        try:
            record["staff_id"] = self.staff_lookup.find(self, values)
        except ValidationError as exc:
            errors.append(on_row(exc, rowno))
        for key in WHO_PARSERS:
            values.pop(key, None)
        return record
