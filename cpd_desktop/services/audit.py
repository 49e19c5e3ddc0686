"""The audit trail: every change made through a session is written down, with old and new values.

Installed on each session factory by ``db.open_database``: an ORM flush writes one
``AuditEntry`` per record created, changed or deleted. Bulk paths (imports) write their own
batch entries through ``record``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import weakref
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from ..models import AuditEntry, ImportBatch
from ..models.base import Versioned, utcnow

SKIP_FIELDS = {"version", "updated_at", "updated_by"}
HIDDEN_FIELDS = {"sort_name"}  # kept in step with other fields by the app: never a change a person made
UNAUDITED = (AuditEntry, ImportBatch)

TABLE_LABELS = {
    "school": "School", "term_dates": "Term dates", "school_period": "Period", "department": "Department",
    "staff": "Staff", "provider": "Provider", "course": "Course", "booking": "Booking",
    "cover_lesson": "Cover lesson", "activity": "CPD activity", "bursary_scheme": "Bursary scheme",
    "bursary_claim": "Bursary claim", "timetable_lesson": "Timetable lesson", "school_access": "Access for role",
    "non_teaching_day": "Non-teaching day", "programme": "Programme", "objective": "Development objective",
    "budget_line": "Budget line", "evaluation_stage": "Evaluation stage", "priority": "Priority",
    "indicator": "Indicator",
}

ACTION_LABELS = {"create": "Added", "update": "Changed", "delete": "Deleted", "import": "Imported",
                 "undo-import": "Import undone", "restore": "Restored", "repair": "Repaired", "anonymise": "Anonymised"}


def session_user(session: Session) -> str:
    user = session.info.get("user")
    if user:
        return str(user)
    from ..storage.locking import current_user

    return current_user()


def plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def describe(obj: Any) -> str:
    """A short name for a record, as the person would recognise it: "Staff HMA", "Evaluation stage In the
    classroom of “Practical physics” (Helen Marsden)", "Bursary claim for “Practical physics” (Helen
    Marsden)", "Development objective of Helen Marsden: “Plan practicals…”"; "#id" only when nothing else
    names it."""
    table = obj.__table__.name
    label = TABLE_LABELS.get(table, table)
    for attr in ("staff_code", "name", "title", "role_name"):
        value = getattr(obj, attr, None)
        if value:
            return f"{label} {value}"
    named = _named_by_parent(obj, table, label)
    if named is not None:
        return named
    if table == "cover_lesson":
        return f"{label} {obj.date:%d/%m/%Y} P{obj.period}" if obj.date else f"{label} P{obj.period}"
    if table == "non_teaching_day" and obj.date is not None:
        return f"{label} {obj.date:%d/%m/%Y}"
    return f"{label} #{getattr(obj, 'id', '')}"


def _related(obj: Any, model: Any, ident: Any) -> Any:
    """The record ``ident`` of ``model`` that ``obj`` points at, from its session (None if gone or detached).
    Asked while the session writes the trail, so it never flushes."""
    from sqlalchemy.orm import object_session

    session = object_session(obj)
    if session is None or ident is None:
        return None
    with session.no_autoflush:
        return session.get(model, ident)


def _quoted(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


def _named_by_parent(obj: Any, table: str, label: str) -> str | None:
    """Records with no name of their own, named by what they belong to: an evaluation stage by its stage and
    activity (and whose), a claim by its course (and whose), an objective by whose it is and its text, term
    dates by the term and year."""
    from ..models import Activity, Booking, Staff
    from ..models.impact import STAGES

    if table == "evaluation_stage":
        activity = _related(obj, Activity, obj.activity_id)
        stage = STAGES.get(obj.stage, obj.stage or "")
        if activity is None:
            return f"{label} {stage}".rstrip()
        person = _related(obj, Staff, activity.staff_id)
        return f"{label} {stage} of {_quoted(activity.title)}" + (f" ({person.full_name})" if person else "")
    if table == "bursary_claim":
        booking = _related(obj, Booking, obj.booking_id)
        if booking is None:
            return None
        person = _related(obj, Staff, booking.staff_id)
        return f"{label} for {_quoted(booking.title)}" + (f" ({person.full_name})" if person else "")
    if table == "objective" and obj.text:
        person = _related(obj, Staff, obj.staff_id)
        return f"{label} of {person.full_name}: {_quoted(obj.text)}" if person else f"{label} {_quoted(obj.text)}"
    if table == "school_period" and obj.number is not None:
        return f"{label} {obj.number}" + (f" ({obj.label})" if obj.label and obj.label != str(obj.number) else "")
    if table == "term_dates" and obj.term and obj.academic_year:
        return f"{label}: {obj.term} term {obj.academic_year}/{(obj.academic_year + 1) % 100:02d}"
    return None


def _column_values(obj: Any) -> dict[str, Any]:
    return {c.key: plain(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs
            if c.key not in SKIP_FIELDS and getattr(obj, c.key) is not None}


def _changes(obj: Any) -> dict[str, list[Any]]:
    state = inspect(obj)
    out: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in SKIP_FIELDS:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                out[attr.key] = [plain(old), plain(new)]
    return out


def _school_id(obj: Any) -> int | None:
    if obj.__table__.name == "school":
        return int(obj.id) if obj.id is not None else None
    sid = getattr(obj, "school_id", None)
    return int(sid) if sid is not None else None


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    user = session_user(session)
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Versioned) and (obj in session.new or session.is_modified(obj)):
            obj.updated_by = user


def _after_flush(session: Session, _ctx: Any) -> None:
    if session.info.get("audit_off"):
        return
    user = session_user(session)
    now = utcnow()
    batch = session.info.get("import_batch_id")
    rows: list[dict[str, Any]] = []

    def add(obj: Any, action: str, changes: dict[str, Any] | None, summary: str) -> None:
        rows.append({
            "school_id": _school_id(obj), "at": now, "user": user, "action": action,
            "table_name": obj.__table__.name, "record_id": getattr(obj, "id", None), "summary": summary[:500],
            "changes": json.dumps(changes, ensure_ascii=False) if changes else None, "batch_id": batch,
        })

    for obj in session.new:
        if not isinstance(obj, UNAUDITED):
            add(obj, "create", _column_values(obj), f"Added {describe(obj)}")
    for obj in session.dirty:
        if isinstance(obj, UNAUDITED) or not session.is_modified(obj, include_collections=False):
            continue
        changes = _changes(obj)
        if changes:
            fields = ", ".join(field_label(k) for k in changes if k not in HIDDEN_FIELDS)
            add(obj, "update", changes, f"Changed {describe(obj)}: {fields}")
    for obj in session.deleted:
        if not isinstance(obj, UNAUDITED):
            add(obj, "delete", _column_values(obj), f"Deleted {describe(obj)}")
    if rows:
        # School ids of deleted schools cannot be referenced any more.
        write_entries(session, rows)


def write_entries(session: Session, rows: list[dict[str, Any]]) -> None:
    """INSERT audit entries, remembering their ids as this program's own once the session commits
    (``own_entries``): a window that looks for other people's changes then does not take its own for theirs."""
    ids = session.connection().execute(insert(AuditEntry).returning(AuditEntry.id), rows).scalars().all()
    session.info.setdefault("audit_ids", []).extend(ids)


# The audit entries written and committed through each engine (this program's own): see ``write_entries``.
_OWN_ENTRIES: weakref.WeakKeyDictionary[Any, set[int]] = weakref.WeakKeyDictionary()
_OWN_LOCK = threading.Lock()


def _after_commit(session: Session) -> None:
    ids = session.info.pop("audit_ids", None)
    if ids:
        engine = session.get_bind()
        with _OWN_LOCK:
            _OWN_ENTRIES.setdefault(engine, set()).update(ids)


def _after_rollback(session: Session) -> None:
    session.info.pop("audit_ids", None)  # nothing of it was saved


def own_entries(engine: Any, *, up_to: int | None = None) -> set[int]:
    """The audit entries written through ``engine`` (this program's own saves, undo and imports); with
    ``up_to``, forget those up to that id afterwards (the caller has looked at them)."""
    with _OWN_LOCK:
        mine = _OWN_ENTRIES.get(engine, set())
        found = set(mine)
        if up_to is not None:
            _OWN_ENTRIES[engine] = {i for i in mine if i > up_to}
        return found


def install_audit(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_rollback", _after_rollback)


def record(session: Session, *, school_id: int | None, action: str, summary: str, table_name: str = "",
           record_id: int | None = None, changes: dict[str, Any] | None = None,
           batch_id: int | None = None) -> None:
    """Write one audit entry for something that did not go through an ORM flush."""
    write_entries(session, [{
        "school_id": school_id, "at": utcnow(), "user": session_user(session), "action": action,
        "table_name": table_name, "record_id": record_id, "summary": summary[:500],
        "changes": json.dumps(changes, ensure_ascii=False, default=plain) if changes else None,
        "batch_id": batch_id,
    }])


# What happens to the whole file (a restore from a backup, a repair of its indexes): such an entry belongs to
# no school and names no record, and every school in the file is shown it.
WHOLE_FILE_ACTIONS = ("restore", "repair")


def of_school(school_id: int) -> ColumnElement[bool]:
    """The one rule for which audit entries a school is shown (report, Audit trail view, exports): its own,
    and what happened to the whole file (``WHOLE_FILE_ACTIONS``); never an entry another school's records
    left behind with no school."""
    return (AuditEntry.school_id == school_id) | (
        AuditEntry.school_id.is_(None) & AuditEntry.action.in_(WHOLE_FILE_ACTIONS))


def entries(session: Session, school_id: int | None, *, since: dt.date | None = None,
            limit: int | None = None) -> list[AuditEntry]:
    """Audit entries of one school (``school_id`` None: every entry), newest first.

    ``of_school`` says which a school is shown."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if school_id is not None:
        stmt = stmt.where(of_school(school_id))
    if since is not None:
        # ``since`` is a day on the person's calendar; entries are stamped in UTC.
        start = dt.datetime.combine(since, dt.time()).astimezone(dt.UTC).replace(tzinfo=None)
        stmt = stmt.where(AuditEntry.at >= start)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


# -- reading the trail: one way to put a change into words, for the window, the PDF and the CLI ------------

FIELD_LABELS = {
    "forename": "Forename", "surname": "Surname", "staff_code": "Staff code", "email": "Email", "role": "Role",
    "department_id": "Department", "fte": "FTE", "ect_year": "ECT year", "start_date": "Start date",
    "leaving_date": "Leaving date", "notes": "Notes", "anonymised": "Anonymised",
    "in_target": "Counts in the teachers' CPD target", "staff_id": "Member of staff", "school_id": "School",
    "title": "Title", "date": "Date", "end_date": "End date", "hours": "Hours", "provider_id": "Provider",
    "course_id": "Course", "booking_id": "Booking", "scheme_id": "Bursary scheme", "format": "Format",
    "subject_specific": "Subject-specific", "cost": "Cost", "status": "Status", "evaluation_due": "Evaluation due",
    "evaluated_on": "Evaluated on", "intended_outcomes": "Intended outcomes", "impact": "Impact",
    "impact_confidence": "Confidence after", "pupil_outcomes": "Pupil outcomes",
    "follow_up_actions": "Follow-up actions", "fee": "Fee", "travel": "Travel", "accommodation": "Accommodation",
    "subsistence": "Subsistence", "cover_required": "Cover needed", "cover_days": "Cover days",
    "cover_day_rate": "Cover day rate", "supply_invoice_ref": "Supply invoice reference",
    "budget_code": "Budget code", "cancellation_reason": "Reason for cancelling", "status_changed_on": "Status since",
    "expected": "Expected", "claimed": "Claimed", "received": "Received", "submitted_on": "Submitted on",
    "approved_on": "Approved on", "paid_on": "Paid on", "deadline": "Claim deadline", "reference": "Claim reference",
    "name": "Name", "urn": "URN", "phase": "Phase", "postcode": "Postcode", "cpd_target_hours": "CPD target",
    "subject_specific_target": "Subject-specific share", "supply_day_rate": "Supply cover per day",
    "mileage_rate": "Mileage rate", "week_a_commencing": "Week A starts on", "evaluation_due_days":
    "Evaluation due after (days)", "period": "Period", "class_group": "Class", "subject": "Subject", "room": "Room",
    "work_set": "Work set", "materials_location": "Where the materials are", "work_return": "Work collected",
    "technician_notes": "Notes for technicians", "academic_year": "Academic year", "term": "Term",
    "label": "Label", "number": "Number", "start_time": "Starts", "end_time": "Ends", "code": "Code",
    "provider": "Provider", "days": "Days", "amount": "Amount", "rule": "Rule", "active": "Active",
    "implementation_amount": "Implementation amount", "claim_deadline_days": "Claim deadline (days)",
    "mechanisms": "EEF mechanisms", "reason": "Reason", "week": "Week", "weekday": "Day", "state_funded": "State-funded",
    "staff_day_cost": "Daily cost of a teacher's time", "fee_amount": "Fee amount", "cover_amount": "Supply cover amount",
    "financial_year": "Financial year", "activity_id": "CPD activity", "stage": "Stage", "due_date": "Due",
    "done_on": "Date done", "learnt": "What was learnt", "does_differently": "What they now do differently",
    "helped_hindered": "What helped or hindered", "evidence": "Evidence seen",
    "pupil_change": "What changed for pupils", "how_measured": "How it was measured",
    "pupil_groups": "Which groups", "confidence": "Confidence", "text": "Objective", "priority_id": "Priority",
    "claim_id": "Bursary claim",
}
MONEY_FIELDS = {"accommodation", "amount", "claimed", "cost", "cover_day_rate", "expected", "fee",
                "implementation_amount", "mileage_rate", "received", "subsistence", "supply_day_rate", "travel",
                "staff_day_cost", "fee_amount", "travel_amount", "accommodation_amount", "subsistence_amount",
                "cover_amount"}
EMPTY = "(empty)"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def field_label(key: str) -> str:
    """A column's name as the rest of the app words it (``leaving_date`` → Leaving date)."""
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    from ..models.enums import EVIDENCE_ITEMS, STANDARD_PARTS

    if key in STANDARD_PARTS:
        return "DfE Standard part " + STANDARD_PARTS[key]
    evidence = key.removeprefix("evidence_")
    if evidence in EVIDENCE_ITEMS:
        return EVIDENCE_ITEMS[evidence]
    return key.removesuffix("_id").replace("_", " ").capitalize()


def local_time(moment: dt.datetime) -> dt.datetime:
    """An audit stamp (stored in UTC, without a zone) as the person's own clock reads it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone().replace(tzinfo=None)


Names = Callable[[str, Any], "str | None"]  # (field, id) → the record's name, or None if not known


def record_names(session: Session) -> Names:
    """Look up what an id in the trail points at (a person, a booking, a scheme…) by the name the app shows;
    None for a record since deleted. Each id is looked up once."""
    from ..models import (
        Activity,
        Booking,
        BursaryClaim,
        BursaryScheme,
        Course,
        Department,
        Priority,
        Provider,
        Staff,
    )

    def staff_name(s: Staff) -> str:
        return s.full_name

    def whose(title: str, staff_id: int) -> str:
        person = session.get(Staff, staff_id)
        return f"{title} ({person.full_name})" if person is not None else title

    lookups: dict[str, tuple[Any, Callable[[Any], str]]] = {
        "staff_id": (Staff, staff_name), "department_id": (Department, lambda d: d.name),
        "provider_id": (Provider, lambda p: p.name), "course_id": (Course, lambda c: c.title),
        "booking_id": (Booking, lambda b: b.title), "scheme_id": (BursaryScheme, lambda b: b.name),
        "claim_id": (BursaryClaim, lambda c: f"claim for {whose(c.booking.title, c.booking.staff_id)}"),
        "activity_id": (Activity, lambda a: whose(a.title, a.staff_id)),
        "priority_id": (Priority, lambda p: p.name),
    }
    seen: dict[tuple[str, Any], str | None] = {}

    def name(key: str, ident: Any) -> str | None:
        if key not in lookups or not isinstance(ident, int):
            return None
        if (key, ident) not in seen:
            model, words = lookups[key]
            record = session.get(model, ident)
            seen[(key, ident)] = words(record) if record is not None else None
        return seen[(key, ident)]

    return name


def value_text(key: str, value: Any, table: str = "", names: Names | None = None) -> str:
    """One stored value (as the trail keeps it: JSON-safe) in the app's words: (empty), Yes/No, dd/mm/yyyy, £,
    and a linked record by its name when ``names`` (``record_names``) knows it."""
    from ..models.enums import (
        ACTIVITY_STATUSES,
        BOOKING_STATUSES,
        CLAIM_STATUSES,
        FORMATS,
        PHASES,
        WORK_RETURN,
    )
    from .formatting import format_money

    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key == "mechanisms" and isinstance(value, int):  # EEF mechanisms: one bit each
        from ..models.impact import mechanism_names

        return ", ".join(mechanism_names(value)) or "none"
    if key.endswith("_id") and key != "school_id":
        known = names(key, value) if names is not None else None
        return known or f"record #{value}"
    if key in MONEY_FIELDS:
        try:
            return format_money(Decimal(str(value)))
        except ArithmeticError:
            return str(value)
    from ..models.impact import STAGES

    choices = {"format": FORMATS, "phase": PHASES, "work_return": WORK_RETURN, "stage": STAGES,
               "status": {"booking": BOOKING_STATUSES, "bursary_claim": CLAIM_STATUSES}.get(table, ACTIVITY_STATUSES)}
    if key in choices and str(value) in choices[key]:
        return choices[key][str(value)]
    if isinstance(value, str):
        if _ISO_MOMENT.fullmatch(value):
            return f"{dt.datetime.fromisoformat(value):%d/%m/%Y %H:%M}"
        if _ISO_DATE.fullmatch(value):
            return f"{dt.date.fromisoformat(value):%d/%m/%Y}"
        if re.fullmatch(r"\d{2}:\d{2}:\d{2}", value):
            return value[:5]
    if isinstance(value, list):
        return ", ".join(value_text(key, v, table, names) for v in value) or EMPTY
    return str(value)


def describe_changes(table: str, action: str, changes: Any, names: Names | None = None) -> list[str]:
    """An audit entry's values as lines a person reads: "Surname: Smith → Smyth" for a change, "Surname: Smith"
    for what was added or deleted, with field labels, "(empty)", dates as dd/mm/yyyy and money in £.

    ``changes`` is the entry's stored JSON (text) or its parsed form; ``names`` (``record_names``) names the
    records an id points at. The one rendering of a change used by the Audit trail view, the person's record
    PDF and ``cpd-desktop report audit``.
    """
    if isinstance(changes, str):
        try:
            changes = json.loads(changes)
        except ValueError:
            return [changes]
    if not changes:
        return []
    if not isinstance(changes, dict):
        return [str(changes)]
    lines = []
    for key, value in changes.items():
        if key in HIDDEN_FIELDS or key in SKIP_FIELDS or key in ("id", "school_id"):
            continue
        label = field_label(key)
        if action == "update" and isinstance(value, list) and len(value) == 2:
            before, after = (value_text(key, x, table, names) for x in value)
            lines.append(f"{label}: {before} → {after}")
        else:
            lines.append(f"{label}: {value_text(key, value, table, names)}")
    return lines


def entry_changes(session: Session, entry_id: int) -> list[str]:
    """``describe_changes`` of one audit entry, its linked records named (none for an entry not found):
    what the Audit trail view shows under the list for the entry chosen."""
    entry = session.get(AuditEntry, entry_id)
    if entry is None:
        return []
    return describe_changes(entry.table_name, entry.action, entry.changes, record_names(session))
