"""Import history: the batches a school's imports wrote, and taking a whole batch back out.

Every import writes one ``ImportBatch``: what it added carries the batch's id, and what it changed is kept
as it was (values and the version the import left). Undo deletes the one and puts back the other, refusing
(with who and when) if a colleague has changed any of them since.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, delete, func, select, update
from sqlalchemy.orm import Session

from ..errors import CpdError, NotFoundError
from ..models import Activity, Booking, Course, Department, Provider, School, Staff, TimetableLesson
from ..models.audit import AuditEntry, ImportBatch
from ..models.base import utcnow
from ..services import audit
from .conflicts import changed_since, current_versions, locked
from .kinds import IMPORTERS


def list_batches(session: Session, school: School, *, limit: int | None = 50) -> list[ImportBatch]:
    stmt = (select(ImportBatch).where(ImportBatch.school_id == school.id)
            .order_by(ImportBatch.at.desc(), ImportBatch.id.desc()))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))



@dataclass
class UndoResult:
    batch_id: int
    kind: str
    file_name: str
    removed: int
    restored: int


def undo_import(session: Session, batch_id: int, school: School | None = None) -> UndoResult:
    """Take a whole import back out: delete what it added and put back what it changed.

    Refused, with what to do, when records it added or changed have been changed since, or when
    other records now depend on what it added (CPD recorded for imported staff).
    """
    batch = session.get(ImportBatch, batch_id)
    if batch is None or (school is not None and batch.school_id != school.id):
        raise NotFoundError(f"There is no import number {batch_id}.",
                            hint="List the imports with 'cpd-desktop import history'.")
    if batch.undone:
        raise CpdError(f"Import {batch_id} ({batch.file_name}) has already been undone.")
    model = IMPORTERS[batch.kind].model
    table: Any = model.__table__
    # Every record the import added or changed, locked until the undo commits, checked against the
    # version the import left it at: a colleague's save since then is never lost.
    created_versions = dict(session.execute(locked(session, select(table.c.id, table.c.version)
                                                    .where(table.c.import_batch_id == batch.id))).all())
    created = list(created_versions)
    changed = [rid for rid, version in created_versions.items() if version != 1]
    previous: dict[str, Any] = json.loads(batch.previous_values)["updated"] if batch.previous_values else {}
    if previous:
        seen = current_versions(session, table, [int(k) for k in previous], lock=True)
        gone = [k for k in previous if int(k) not in seen]
        if gone:
            raise CpdError(f"{len(gone)} records that import {batch_id} changed have since been deleted; "
                           "it cannot be undone.")
        changed += [int(k) for k, p in previous.items() if seen[int(k)][0] != p["version"]]
    if changed:
        raise changed_since(session, model, changed,
                             f"Import {batch_id} ({batch.file_name}) was not undone, so their changes are kept",
                             "Change them back or delete them by hand instead.")
    if batch.kind == "staff" and created:
        used = 0
        for other in (Activity, Booking, TimetableLesson):
            used += session.scalar(select(func.count()).select_from(other)
                                   .where(other.staff_id.in_(created))) or 0
        if used:
            raise CpdError(f"{used} CPD records, bookings or lessons now belong to staff added by import "
                           f"{batch_id}, so it cannot be undone.",
                           hint="Undo the imports that added those records first.")
    removed = 0
    for start in range(0, len(created), 500):
        ids = created[start:start + 500]
        removed += session.execute(delete(table).where(table.c.id.in_(ids), table.c.version == 1)  # type: ignore[attr-defined]
                                   ).rowcount or 0
    if removed != len(created):
        raise changed_since(session, model, created, f"Import {batch_id} ({batch.file_name}) was not undone",
                             "Change them back or delete them by hand instead.")
    now, user = utcnow(), audit.session_user(session)
    for key, p in previous.items():
        values = {k: _typed(table.c[k], val) for k, val in p["values"].items()}
        done = session.execute(update(table).where(table.c.id == int(key), table.c.version == p["version"])
                               .values(version=table.c.version + 1, updated_at=now, updated_by=user, **values))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise changed_since(session, model, [int(key)], f"Import {batch_id} ({batch.file_name}) was not undone",
                                 "Change them back or delete them by hand instead.")
    _remove_unused_lookups(session, batch)
    batch.undone = True
    audit.record(session, school_id=batch.school_id, action="undo-import", table_name=table.name,
                 summary=f"Undid import {batch.id} of {batch.file_name}: {removed} removed, {len(previous)} restored",
                 batch_id=batch.id)
    session.flush()
    return UndoResult(batch_id=batch.id, kind=batch.kind, file_name=batch.file_name, removed=removed,
                      restored=len(previous))



def _typed(column: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, Date) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if column.type.python_type is Decimal and isinstance(value, str):
        return Decimal(value)
    return value


def _remove_unused_lookups(session: Session, batch: ImportBatch) -> None:
    """Providers and departments the import added, if nothing uses them any more."""
    made = session.execute(select(AuditEntry.table_name, AuditEntry.record_id).where(
        AuditEntry.batch_id == batch.id, AuditEntry.action == "create",
        AuditEntry.table_name.in_(("provider", "department")))).all()
    users: dict[str, Iterable[Any]] = {
        "provider": (Activity.provider_id, Booking.provider_id, Course.provider_id),
        "department": (Staff.department_id,),
    }
    for table_name, record_id in made:
        if record_id is None:
            continue
        if any(session.scalar(select(func.count()).where(col == record_id)) for col in users[table_name]):
            continue
        model = Provider if table_name == "provider" else Department
        session.execute(delete(model).where(model.id == record_id))
