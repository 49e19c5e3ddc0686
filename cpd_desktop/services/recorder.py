"""What one user action changed, record by record, so that it can be undone and redone.

A ``ChangeRecorder`` listens to the session a service function runs in and notes every record
the action created, changed and deleted, with its values before and after. ``apply_changes``
puts the "before" values back (undo: deleting what was created, re-creating what was deleted
with its old id, so later actions that refer to it still find it) or the "after" values again
(redo). If somebody else has changed a record since, it refuses with ``ConcurrentEditError``
rather than overwrite their work. ``ChangeSet.notice`` is what the views are told (``Changes``).

Qt-free: ``services.unit`` runs an action with a recorder, and the window wraps what was done in a
``QUndoCommand`` (``ui/undo.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..errors import ConcurrentEditError
from ..models.base import Base
from .changes import Changes, kind_of

# Bookkeeping columns: a record whose only difference is these has not changed for the person.
SKIP = frozenset({"version", "updated_at", "updated_by"})


def column_values(obj: Any) -> dict[str, Any]:
    """A record's values, without the bookkeeping columns."""
    return {a.key: getattr(obj, a.key) for a in inspect(obj).mapper.column_attrs if a.key not in SKIP}


def _old_values(obj: Any) -> dict[str, Any]:
    """The values a dirty object had when it was loaded (from the attribute history)."""
    state = inspect(obj)
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in SKIP:
            continue
        hist = state.attrs[attr.key].history
        if hist.deleted:
            out[attr.key] = hist.deleted[0]
        elif hist.unchanged:
            out[attr.key] = hist.unchanged[0]
        else:
            out[attr.key] = getattr(obj, attr.key)
    return out


@dataclass
class RecordChange:
    model: type[Base]
    ident: int
    before: dict[str, Any] | None  # None: the action created it
    after: dict[str, Any] | None = None  # None: the action deleted it


@dataclass
class ChangeSet:
    changes: list[RecordChange] = field(default_factory=list)

    @property
    def created(self) -> list[RecordChange]:
        return [c for c in self.changes if c.before is None]

    def is_empty(self) -> bool:
        return not self.changes

    def notice(self) -> Changes:
        """What the views are told: the kinds of records this change set touches, and the audit trail,
        which every change adds to (``services.audit`` writes its entries beside the flush, unrecorded)."""
        kinds = frozenset(kind_of(c.model) for c in self.changes)
        return Changes(kinds | {"audit_entry"} if kinds else kinds)


_DEPENDANTS: dict[type[Base], list[tuple[type[Base], str, str]]] = {}


def dependants(model: type[Base]) -> list[tuple[type[Base], str, str]]:
    """The records the database itself changes when a ``model`` record is deleted: (class, the attribute of
    its foreign key, "CASCADE" or "SET NULL") for every foreign key that points at ``model``'s table with
    such an ``ondelete``. The audit trail is left to the database (it is written beside the flush)."""
    found = _DEPENDANTS.get(model)
    if found is None:
        from ..models.audit import AuditEntry

        table = model.__table__
        found = []
        for mapper in Base.registry.mappers:
            cls = mapper.class_
            if cls is AuditEntry:
                continue
            for column in mapper.columns:
                for key in column.foreign_keys:
                    how = (key.ondelete or "").upper()
                    if key.column.table is table and how in ("CASCADE", "SET NULL"):
                        found.append((cls, mapper.get_property_by_column(column).key, how))
        _DEPENDANTS[model] = found
    return found


class ChangeRecorder:
    """Listens to one session and collects what its flushes create, change and delete.

    A record deleted takes with it, or unlinks, the records whose foreign keys say ``ON DELETE CASCADE``
    or ``SET NULL``. The database would do that unseen, and an undo would bring back the record alone
    (an activity without its evaluation stages, a person without their timetable, an objective no longer
    linked to the CPD that served it). So the recorder notes, before each flush, every record the database
    will delete with those deleted (their children's children too), and unlinks in the session what it would
    set to null: an undo puts every one of them back as it was.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._seen: dict[tuple[type[Base], int], RecordChange] = {}
        self._pending_new: list[Base] = []
        self._objects: dict[tuple[type[Base], int], Base | None] = {}
        event.listen(session, "before_flush", self._before_flush)
        event.listen(session, "after_flush", self._after_flush)

    def _key(self, obj: Any) -> tuple[type[Base], int]:
        return (type(obj), obj.id)  # every model has an integer id; set by the time a flush ends

    def _cascade(self, session: Session) -> None:
        """Record what the database deletes with the deletes about to be flushed, and unlink in the session
        what it would set to null, so that both are part of the change."""
        from sqlalchemy import select

        queue = [o for o in session.deleted if isinstance(o, Base)]
        with session.no_autoflush:
            while queue:
                parent = queue.pop()
                for cls, attr, how in dependants(type(parent)):
                    ident = getattr(parent, "id")  # noqa: B009 - every model has an integer id
                    for child in session.scalars(select(cls).where(getattr(cls, attr) == ident)):
                        if child in session.deleted:
                            continue
                        if how == "CASCADE":
                            # Recorded as deleted; the database deletes it with its parent (the flush would
                            # not put an ORM delete of it before its parent's, having no relationship to go by).
                            key = self._key(child)
                            if key in self._objects and self._objects[key] is None:
                                continue
                            self._seen.setdefault(key, RecordChange(type(child), key[1], column_values(child)))
                            self._objects[key] = None
                            queue.append(child)
                        else:
                            setattr(child, attr, None)

    def _before_flush(self, session: Session, _ctx: Any, _instances: Any) -> None:
        if session.deleted:
            self._cascade(session)
        for obj in session.dirty:
            if isinstance(obj, Base) and session.is_modified(obj, include_collections=False):
                key = self._key(obj)
                if key not in self._seen:
                    self._seen[key] = RecordChange(type(obj), key[1], _old_values(obj))
                self._objects[key] = obj
        for obj in session.deleted:
            if isinstance(obj, Base):
                key = self._key(obj)
                if key not in self._seen:
                    self._seen[key] = RecordChange(type(obj), key[1], column_values(obj))
                self._objects[key] = None
        self._pending_new = [o for o in session.new if isinstance(o, Base)]

    def _after_flush(self, session: Session, _ctx: Any) -> None:
        for obj in self._pending_new:
            key = self._key(obj)
            self._seen.setdefault(key, RecordChange(type(obj), key[1], None))
            self._objects[key] = obj
        self._pending_new = []

    def detach(self) -> None:
        if event.contains(self.session, "before_flush", self._before_flush):
            event.remove(self.session, "before_flush", self._before_flush)
            event.remove(self.session, "after_flush", self._after_flush)

    def finish(self) -> ChangeSet:
        self.session.flush()  # what the service left pending is part of the change
        self.detach()
        out = ChangeSet()
        for key, change in self._seen.items():
            obj = self._objects.get(key)
            if obj is None:
                if change.before is None:  # created and deleted within the action: nothing to undo
                    continue
                change.after = None
            else:
                change.after = column_values(obj)
            if change.before is not None and change.after is not None and change.before == change.after:
                continue
            out.changes.append(change)
        return out


def apply_changes(session: Session, changes: ChangeSet, *, forward: bool) -> None:
    """Make the database hold the 'after' values of each change (redo, ``forward``) or the
    'before' values (undo); refuse, changing nothing, if a record is not as the change left it.

    Every record is checked first. Then records are made again parents first (an activity before its
    evaluation stages), links are put back, and records are deleted children first, a table at a time:
    the database checks each foreign key as each row is written."""
    steps = changes.changes if forward else list(reversed(changes.changes))
    plan: list[tuple[RecordChange, Any, dict[str, Any] | None]] = []
    with session.no_autoflush:
        for change in steps:
            expected = change.before if forward else change.after
            wanted = change.after if forward else change.before
            current = session.get(change.model, change.ident)
            if expected is None:
                if current is not None:
                    raise ConcurrentEditError("That change cannot be redone: the record is already back.",
                                              hint="Refresh the view and make the change again.")
            else:
                if current is None:
                    raise ConcurrentEditError("That change cannot be undone: the record has since been deleted.",
                                              hint="Somebody else may have deleted it; refresh the view.")
                now = column_values(current)
                if any(now.get(k) != v for k, v in expected.items()):
                    raise ConcurrentEditError(
                        "That record has been changed since, so the change was not undone.",
                        hint="Refresh the view and edit the record by hand.")
            plan.append((change, current, wanted))
    order = {table.name: i for i, table in enumerate(Base.metadata.sorted_tables)}

    def rank(step: tuple[RecordChange, Any, dict[str, Any] | None]) -> int:
        return order.get(step[0].model.__tablename__, 0)

    made = sorted((p for p in plan if p[1] is None and p[2] is not None), key=rank)
    for _rank, group in _by_rank(made, rank):
        for change, _current, wanted in group:
            assert wanted is not None
            session.add(change.model(**wanted))
        session.flush()
    for _change, current, wanted in plan:
        if current is not None and wanted is not None:
            for key, val in wanted.items():
                if getattr(current, key) != val:
                    setattr(current, key, val)
    session.flush()
    gone = sorted((p for p in plan if p[2] is None), key=rank, reverse=True)
    for _rank, group in _by_rank(gone, rank):
        for _change, current, _wanted in group:
            session.delete(current)
        session.flush()


def _by_rank(steps: list[Any], rank: Any) -> list[tuple[int, list[Any]]]:
    """``steps`` (sorted by ``rank``) in runs of the same rank: one table at a time."""
    out: list[tuple[int, list[Any]]] = []
    for step in steps:
        r = rank(step)
        if out and out[-1][0] == r:
            out[-1][1].append(step)
        else:
            out.append((r, [step]))
    return out
