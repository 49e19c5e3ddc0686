"""Importing the staff list from the MIS: one row a person, matched by staff code, else by email."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...errors import ValidationError
from ...models import Staff
from ...models.staff import in_target_by_role, sort_name
from ...services import validation as v
from .. import cells
from ..engine import Importer, on_row, refuse_repeat
from ..names import resolve_departments


class StaffImporter(Importer):
    model = Staff
    noun = "staff"
    compare = ("forename", "surname", "staff_code", "email", "role", "department_id", "fte", "ect_year",
               "start_date", "leaving_date", "sort_name")
    parsers = {
        "surname": lambda f: cells.text(f, v.NAME_MAX),
        "forename": lambda f: cells.text(f, v.NAME_MAX),
        "staff_code": cells.staff_code,
        "email": cells.email,
        "department": lambda f: cells.text(f, 100),
        "role": lambda f: cells.text(f, 120),
        "fte": cells.fte,
        "start_date": cells.date,
        "leaving_date": cells.date,
        "ect_year": cells.ect_year,
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen_codes: dict[str, int] = {}
        self.seen_emails: dict[str, int] = {}
        cols = [Staff.id, *(getattr(Staff, c) for c in self.compare)]
        self.current = {r.id: r._asdict() for r in self.session.execute(
            select(*cols).where(Staff.school_id == self.school.id))}
        self.by_code = {r["staff_code"].upper(): r["id"] for r in self.current.values()}
        self.by_email = {r["email"].lower(): r["id"] for r in self.current.values() if r["email"]}
        self.matched: dict[int, int] = {}

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        if "start_date" in values and "leaving_date" in values:
            try:
                v.check_date_order(values["start_date"], values["leaving_date"], field=self.header("leaving_date"))
            except ValidationError as exc:
                errors.append(on_row(exc, rowno))
        code = values.get("staff_code")
        if code is not None:
            try:
                refuse_repeat(self.seen_codes, code, rowno, self.header("staff_code"), f"Staff code {code}")
            except ValidationError as exc:
                errors.append(on_row(exc, rowno))
        email = values.get("email")
        if email:
            try:
                refuse_repeat(self.seen_emails, email, rowno, self.header("email"), email)
            except ValidationError as exc:
                errors.append(on_row(exc, rowno))
        if errors or code is None:
            return None
        if "surname" in values and "forename" in values:  # how the name sorts, kept with it (Staff.sort_name)
            values["sort_name"] = sort_name(values["surname"], values["forename"])
        found = self.by_code.get(code)
        if found is None and email:
            found = self.by_email.get(email)
        if found is not None:
            if found in self.matched:
                raise ValidationError(self.header("email"), f"{email} belongs to the member of staff on row "
                                      f"{self.matched[found]}.", hint="Each person appears once in a staff list.")
            self.matched[found] = rowno
            values["_match"] = found
        return values

    def resolve_names(self) -> None:
        resolve_departments(self)

    def match_key(self, record: dict[str, Any]) -> Any:
        return record.get("_match")

    def existing(self) -> dict[Any, dict[str, Any]]:
        return self.current

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        row = {"school_id": self.school.id, "email": None, "role": None, "department_id": None, "fte": 1.0,
               "ect_year": None, "start_date": None, "leaving_date": None, "notes": None, "anonymised": False,
               **record, **self.versioned()}
        row.setdefault("in_target", in_target_by_role(row["role"]))  # support staff are outside the target
        return row

