"""Bulk writes over records a colleague may have changed: an import's updates and an undo.

Both read the rows they are about to write as they are now (locked on a server until the transaction
commits), compare them with what the import saw, and refuse the whole write, naming who changed what and
when, rather than overwrite a save the person never saw.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ConcurrentEditError
from ..services import audit
from ..services.concurrency import _local


def locked(session: Session, stmt: Any) -> Any:
    """``stmt`` with FOR UPDATE on a server (SQLite has none: its writer holds the whole file)."""
    return stmt.with_for_update() if session.get_bind().dialect.name != "sqlite" else stmt


def current_versions(session: Session, table: Any, ids: list[int], *, lock: bool = False) -> dict[int, tuple[int, dict[str, Any]]]:
    """id -> (version, the row's values) of the rows that still exist, locked with ``lock`` on a server."""
    out: dict[int, tuple[int, dict[str, Any]]] = {}
    for start in range(0, len(ids), 500):
        stmt = select(table).where(table.c.id.in_(ids[start:start + 500]))
        for row in session.execute(locked(session, stmt) if lock else stmt).mappings():
            out[row["id"]] = (row["version"], dict(row))
    return out


def changed_since(session: Session, model: Any, ids: list[int], refused: str, hint: str, *,
                   since: str = "since it was imported") -> ConcurrentEditError:
    """The refusal of a bulk write over records somebody changed since: which records, who, when."""
    rows = list(session.scalars(select(model).where(model.id.in_(ids[:500])).order_by(model.id)))
    named = [f"{audit.describe(r)} (changed by {r.updated_by or 'somebody else'} at {_local(r.updated_at)})"
             for r in rows[:5]]
    more = f", and {len(ids) - 5} more" if len(ids) > 5 else ""
    gone = "" if rows else f"{len(ids)} records were deleted"
    first = rows[0] if rows else None
    record = "record has" if len(ids) == 1 else "records have"
    return ConcurrentEditError(
        f"{refused}: {len(ids)} {record} been changed {since}: "
        f"{'; '.join(named) or gone}{more}.", hint=hint,
        changed_by=(first.updated_by or "") if first is not None else "",
        changed_at=_local(first.updated_at) if first is not None else "")

