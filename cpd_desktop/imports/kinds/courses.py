"""Importing the course catalogue: one row a course, matched by its code, else by title and provider."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ...errors import ValidationError
from ...models import Course
from ...services import validation as v
from .. import cells
from ..engine import Importer, as_written, refuse_repeat
from ..names import resolve_providers


class CourseImporter(Importer):
    model = Course
    noun = "courses"
    compare = ("title", "provider_id", "format", "subject", "subject_specific", "hours", "days", "fee")
    parsers = {
        "title": lambda f: cells.text(f, v.TITLE_MAX),
        "code": lambda f: cells.text(f, 40),
        "provider": lambda f: cells.text(f, 200),
        "format": cells.activity_format,
        "subject": lambda f: cells.text(f, 100),
        "subject_specific": cells.boolean,
        "hours": as_written,
        "days": cells.half_days,
        "fee": cells.money,
    }

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        if "hours" in values:
            days = int(values.get("days", 1) + 0.5) or 1
            self.check_hours(values, days, rowno, errors)
        if errors:
            return None
        key = self._file_key(values)
        what = f"Course code {values['code']}" if values.get("code") else f"The course {values['title']}"
        refuse_repeat(self.seen, key, rowno, self.header("code" if values.get("code") else "title"), what)
        return values

    @staticmethod
    def _file_key(values: dict[str, Any]) -> Any:
        if values.get("code"):
            return ("code", values["code"].casefold())
        return ("title", values["title"].casefold(), (values.get("provider") or "").casefold())

    def resolve_names(self) -> None:
        resolve_providers(self)

    def match_key(self, record: dict[str, Any]) -> Any:
        if record.get("code"):
            return ("code", record["code"].casefold())
        return ("title", record["title"].casefold(), record.get("provider_id"))

    def existing(self) -> dict[Any, dict[str, Any]]:
        c = Course
        rows = self.session.execute(select(c.id, c.code, *(getattr(c, k) for k in self.compare))
                                    .where(c.school_id == self.school.id))
        out: dict[Any, dict[str, Any]] = {}
        for r in rows:
            row = r._asdict()
            out.setdefault(("title", r.title.casefold(), r.provider_id), row)
            if r.code:
                out[("code", r.code.casefold())] = row
        return out

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"school_id": self.school.id, "code": None, "provider_id": None, "format": "face_to_face",
                "subject": None, "subject_specific": True, "days": 1.0, "fee": Decimal("0.00"),
                "bursary_scheme_id": None, "active": True, **record, **self.versioned()}

