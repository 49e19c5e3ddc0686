"""Data protection: anonymising leavers, redacting the audit trail, and the retention review list.

UK GDPR asks a school to keep personal data no longer than it needs. The school sets how long
it keeps a leaver's records (``School.leaver_retention_years``, default 6) and reviews them then.

* ``leavers_due_for_review(session, school, today)`` — leavers whose review date has passed
  and who are not yet anonymised, oldest first (``LeaverReview`` rows: staff, left_on, review_due).
* ``anonymise_staff(session, staff, today=None)`` — replaces the leaver's name, email and staff
  code with a neutral label ("Former staff member 17", code ``ANON17``), clears their role and
  notes, and removes their name (full name either way round, "Ms Surname"), email and code from
  every text of the school's records — colleagues' activities and notes, every booking, a cover
  lesson's cover teacher and work set, claims, the audit trail's summaries and values, and the
  import history's previous values. Their activities, bookings, cover and claims stay, so every
  total (hours, costs, bursaries) is unchanged. All of it happens in the caller's one transaction:
  all or nothing. One "anonymise" audit entry records that it was done, and by whom, without the
  old values. Backups made before keep the old details: ``storage.backups.backups_holding_staff``
  lists them (those made by hand are never thinned) so the person can delete them.
* ``redact_text(text, identifiers, label)`` — the replacement used for free text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Activity, AuditEntry, Booking, ImportBatch, School, Staff
from ..models.base import Base
from . import audit

REDACTED_FIELDS = ("forename", "surname", "staff_code", "email", "role", "notes")
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof")


@dataclass(frozen=True)
class LeaverReview:
    staff: Staff
    left_on: dt.date
    review_due: dt.date


@dataclass(frozen=True)
class AnonymiseResult:
    staff_id: int
    label: str  # the neutral name the record now carries
    staff_code: str
    activities: int
    hours: Decimal
    bookings: int
    audit_entries_redacted: int
    note: str


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def review_date(school: School, left_on: dt.date) -> dt.date:
    return _add_years(left_on, school.leaver_retention_years)


def leavers_due_for_review(session: Session, school: School, today: dt.date | None = None) -> list[LeaverReview]:
    """Leavers whose records have been kept for the school's retention period and are not anonymised."""
    today = today or dt.date.today()
    rows = session.scalars(select(Staff).where(
        Staff.school_id == school.id, Staff.leaving_date.is_not(None), Staff.anonymised.is_(False))
        .order_by(Staff.leaving_date, Staff.id))
    out = []
    for staff in rows:
        assert staff.leaving_date is not None
        due = review_date(school, staff.leaving_date)
        if due <= today:
            out.append(LeaverReview(staff=staff, left_on=staff.leaving_date, review_due=due))
    return out


def leavers(session: Session, school: School) -> list[LeaverReview]:
    """Every leaver (anonymised or not) with their review date, oldest first."""
    rows = session.scalars(select(Staff).where(Staff.school_id == school.id, Staff.leaving_date.is_not(None))
                           .order_by(Staff.leaving_date, Staff.id))
    return [LeaverReview(staff=s, left_on=s.leaving_date, review_due=review_date(school, s.leaving_date))
            for s in rows if s.leaving_date is not None]


def identifiers_of(staff: Staff) -> list[tuple[str, bool]]:
    """What names a person in free text, each with whether case is ignored: full name both ways
    round, title and surname, email (any case), and the staff code (exact case: "ART" is a code,
    "art" a subject)."""
    forename, surname = staff.forename.strip(), staff.surname.strip()
    found = [(f"{forename} {surname}", True), (f"{surname}, {forename}", True), (f"{surname} {forename}", True)]
    found += [(f"{title}{dot} {surname}", True) for title in TITLES for dot in ("", ".")]
    if staff.email:
        found.append((staff.email.strip(), True))
    found.append((staff.staff_code.strip(), False))
    return [(text, nocase) for text, nocase in found if text]


def redact_text(text: str | None, identifiers: list[tuple[str, bool]], label: str) -> str | None:
    """Replace each identifier (whole words only) in a text by ``label``."""
    if not text:
        return text
    out = text
    for ident, nocase in sorted(identifiers, key=lambda i: len(i[0]), reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(ident)}(?!\w)", label.replace("\\", "\\\\"), out,
                     flags=re.IGNORECASE if nocase else 0)
    return out


def _redact_json(value: Any, identifiers: list[tuple[str, bool]], label: str) -> Any:
    if isinstance(value, str):
        return redact_text(value, identifiers, label)
    if isinstance(value, list):
        return [_redact_json(v, identifiers, label) for v in value]
    if isinstance(value, dict):
        return {k: _redact_json(v, identifiers, label) for k, v in value.items()}
    return value


def anonymise_staff(session: Session, staff: Staff, *, today: dt.date | None = None) -> AnonymiseResult:
    """Anonymise a leaver, keeping their hours and costs in every total."""
    today = today or dt.date.today()
    if staff.anonymised:
        raise ValidationError("Staff", f"{staff.full_name} has already been anonymised.")
    if staff.leaving_date is None:
        raise ValidationError("Leaving date", f"{staff.full_name} has no leaving date, so is not a leaver.",
                              hint="Set their leaving date first; only leavers are anonymised.")
    if staff.leaving_date > today:
        raise ValidationError("Leaving date", f"{staff.full_name} has not left yet "
                              f"(leaving date {staff.leaving_date:%d/%m/%Y}).",
                              hint="Anonymise them after they have left.")
    label = f"Former staff member {staff.id}"
    code = f"ANON{staff.id}"
    identifiers = identifiers_of(staff)
    cleared = [f for f in REDACTED_FIELDS if getattr(staff, f) not in (None, "")]

    # The ORM's own audit entry would carry the old name as "old → new": write our own instead.
    previous = session.info.get("audit_off")
    session.info["audit_off"] = True
    try:
        staff.forename, staff.surname, staff.staff_code = "Former", f"staff member {staff.id}", code
        staff.email = staff.role = staff.notes = None
        staff.anonymised = True
        session.flush()
        _redact_school_text(session, staff, identifiers, label)
        session.flush()
    finally:
        if previous is None:
            session.info.pop("audit_off", None)
        else:
            session.info["audit_off"] = previous
    redacted = _redact_audit(session, staff, identifiers, label, code)
    audit.record(session, school_id=staff.school_id, action="anonymise", table_name="staff", record_id=staff.id,
                 summary=f"Anonymised a leaver as {label}; their CPD hours and costs stay in every total",
                 changes={f: ["[removed]", getattr(staff, f)] for f in cleared})
    session.flush()
    activities, hours = session.execute(
        select(func.count(Activity.id), func.coalesce(func.sum(Activity.hours), 0))
        .where(Activity.staff_id == staff.id)).one()
    bookings = session.scalar(select(func.count()).select_from(Booking).where(Booking.staff_id == staff.id)) or 0
    return AnonymiseResult(
        staff_id=staff.id, label=label, staff_code=code, activities=int(activities),
        hours=Decimal(str(hours)).quantize(Decimal("0.01")), bookings=int(bookings),
        audit_entries_redacted=redacted,
        note="Backups made before now still hold their details: automatic ones until they are thinned out, "
             "ones made by hand (and before a restore) until they are deleted.")


def _like_patterns(staff_surname: str, identifiers: list[tuple[str, bool]]) -> list[str]:
    """LIKE patterns that every text naming the person matches (SQLite's LIKE ignores case for A-Z only,
    so a surname such as Zając is tried as written, in lower case and in capitals)."""
    pieces = {staff_surname, staff_surname.lower(), staff_surname.upper(), staff_surname.title()}
    pieces |= {text for text, _nocase in identifiers if "@" in text or " " not in text}  # email, code
    escaped = (p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for p in pieces if p)
    return [f"%{p}%" for p in escaped]


def _redact_school_text(session: Session, staff: Staff, identifiers: list[tuple[str, bool]], label: str) -> None:
    """Every text column of every table that belongs to the school: the person's name in a colleague's
    activity, a booking's notes, a cover lesson's cover teacher and work set becomes the label."""
    from sqlalchemy import String

    patterns = _like_patterns(identifiers_of_surname(identifiers), identifiers)
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        table = mapper.local_table
        if cls in (AuditEntry, ImportBatch) or "school_id" not in table.c:
            continue
        columns = [attr for attr in mapper.column_attrs
                   if len(attr.columns) == 1 and isinstance(attr.columns[0].type, String)
                   and attr.columns[0].table is table and attr.key != "sort_name"]
        if not columns:
            continue
        matches = [getattr(cls, attr.key).like(p, escape="\\") for attr in columns for p in patterns]
        query = select(cls).where(table.c.school_id == staff.school_id, or_(*matches))
        for obj in session.scalars(query):
            if obj is staff:
                continue
            for attr in columns:
                value = getattr(obj, attr.key)
                if not isinstance(value, str):
                    continue
                new = redact_text(value, identifiers, label)
                if new != value and new is not None and new.strip():
                    setattr(obj, attr.key, new)


def identifiers_of_surname(identifiers: list[tuple[str, bool]]) -> str:
    """The surname, from the "Mr Surname" form that ``identifiers_of`` always makes."""
    for text, _nocase in identifiers:
        if text.startswith(f"{TITLES[0]} "):
            return text[len(TITLES[0]) + 1:]
    return identifiers[0][0]


def _redact_audit(session: Session, staff: Staff, identifiers: list[tuple[str, bool]], label: str,
                  code: str) -> int:
    """Redact the audit trail and import history (the one permitted change to either)."""
    likes = _like_patterns(identifiers_of_surname(identifiers), identifiers)
    candidates = session.scalars(select(AuditEntry).where(
        AuditEntry.school_id == staff.school_id,
        or_(*(AuditEntry.summary.like(p, escape="\\") for p in likes),
            *(AuditEntry.changes.like(p, escape="\\") for p in likes),
            (AuditEntry.table_name == "staff") & (AuditEntry.record_id == staff.id))))
    count = 0
    for entry in candidates:
        summary = redact_text(entry.summary, identifiers, label) or ""
        changes = entry.changes
        if changes:
            data = json.loads(changes)
            if entry.table_name == "staff" and entry.record_id == staff.id and isinstance(data, dict):
                for f in REDACTED_FIELDS:
                    if f in data:
                        data[f] = ["[removed]" if isinstance(v, str) else v for v in data[f]] \
                            if isinstance(data[f], list) else "[removed]"
            changes = json.dumps(_redact_json(data, identifiers, label), ensure_ascii=False)
        if summary != entry.summary or changes != entry.changes:
            entry.summary, entry.changes = summary, changes
            count += 1
    for batch in session.scalars(select(ImportBatch).where(ImportBatch.school_id == staff.school_id,
                                                           ImportBatch.previous_values.is_not(None))):
        assert batch.previous_values is not None
        data = json.loads(batch.previous_values)
        if isinstance(data, dict) and data.get("table") == "staff" and isinstance(data.get("updated"), dict):
            # Their own fields, one by one ("Jane", "Smith"): what an undo would put back is the anonymised record.
            mine = data["updated"].get(str(staff.id))
            now = {"forename": staff.forename, "surname": staff.surname, "staff_code": code, "email": None,
                   "role": None, "notes": None}
            for values in (mine, mine.get("values") if isinstance(mine, dict) else None):
                if isinstance(values, dict):
                    for f in REDACTED_FIELDS:
                        if f in values:
                            values[f] = now[f]
        redacted = json.dumps(_redact_json(data, identifiers, label), ensure_ascii=False)
        if redacted != batch.previous_values:
            batch.previous_values = redacted
    session.flush()
    return count
