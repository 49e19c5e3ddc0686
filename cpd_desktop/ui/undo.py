"""Undo and redo: every edit, delete and status change is a ``ServiceCommand`` on a ``QUndoStack``.

A command's first ``redo`` calls the service function (which validates and writes the audit
trail). While it runs, a ``ChangeRecorder`` notes every record the service created, changed
and deleted, with the values before and after. ``undo`` puts the "before" values back (deleting
what was created, re-creating what was deleted with its old id, so later commands that refer to
it still find it); a second ``redo`` puts the "after" values back. If somebody else has changed
a record since, the undo is refused rather than overwriting their work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtGui import QUndoCommand
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..errors import ConcurrentEditError, CpdError
from ..models.base import Base

SKIP = {"version", "updated_at", "updated_by"}


def column_values(obj: Any) -> dict[str, Any]:
    return {a.key: getattr(obj, a.key) for a in inspect(obj).mapper.column_attrs if a.key not in SKIP}


def _old_values(obj: Any) -> dict[str, Any]:
    """The values a dirty object had when it was loaded (from the attribute history)."""
    state = inspect(obj)
    out = {}
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


class ChangeRecorder:
    """Listens to one session and collects what its flushes create, change and delete."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._seen: dict[tuple[type, int], RecordChange] = {}
        self._pending_new: list[Any] = []
        self._objects: dict[tuple[type, int], Any] = {}
        event.listen(session, "before_flush", self._before_flush)
        event.listen(session, "after_flush", self._after_flush)

    def _key(self, obj: Any) -> tuple[type, int]:
        return (type(obj), obj.id)  # every model has an integer id; set by the time a flush ends

    def _before_flush(self, session: Session, _ctx: Any, _instances: Any) -> None:
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


def _apply(session: Session, changes: list[RecordChange], *, forward: bool) -> None:
    """Make the database hold the 'after' (forward) or 'before' values of each change."""
    for change in changes:
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
        if wanted is None:
            session.delete(current)
        elif current is None:
            session.add(change.model(**wanted))
        else:
            for key, val in wanted.items():
                if getattr(current, key) != val:
                    setattr(current, key, val)
    session.flush()


class ServiceCommand(QUndoCommand):
    """One user action, done by a service function, undoable.

    ``action(session)`` does the work and may return a value (kept in ``result``, e.g. the new
    record's id). ``on_change`` is called after every redo and undo so views can refresh.
    """

    def __init__(self, db: Any, text: str, action: Callable[[Session], Any],
                 on_change: Callable[[ServiceCommand], None] | None = None) -> None:
        super().__init__(text)
        self.db = db
        self.action = action
        self.on_change = on_change
        self.changes: ChangeSet | None = None
        self.result: Any = None
        self._skip_next_step = False

    def redo(self) -> None:
        if self._skip_next_step:  # already done by ``push`` or ``AppContext`` before the stack moved
            self._skip_next_step = False
            return
        if self.changes is None:
            with self.db.session() as s:
                recorder = ChangeRecorder(s)
                try:
                    self.result = self.action(s)
                    changes = recorder.finish()
                except BaseException:
                    recorder.detach()  # the service's own error is what the person must see
                    raise
            self.changes = changes
        else:
            with self.db.session() as s:
                _apply(s, self.changes.changes, forward=True)
        if self.on_change:
            self.on_change(self)

    def undo(self) -> None:
        if self._skip_next_step:
            self._skip_next_step = False
            return
        assert self.changes is not None
        with self.db.session() as s:
            _apply(s, list(reversed(self.changes.changes)), forward=False)
        if self.on_change:
            self.on_change(self)


def push(stack: Any, command: ServiceCommand) -> Any:
    """Run a command and put it on the stack; a refused action raises and leaves the stack as it was.

    QUndoStack.push calls ``redo``; a failure inside it must not leave a half-done command on the
    stack, so the first redo is run here and the stack is told to skip it.
    """
    command.redo()
    if command.changes is None or command.changes.is_empty():
        return command.result
    command._skip_next_step = True
    stack.push(command)
    return command.result


__all__ = ["ChangeRecorder", "ConcurrentEditError", "CpdError", "ServiceCommand", "push"]
