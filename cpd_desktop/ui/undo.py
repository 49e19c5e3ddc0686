"""Undo and redo in the window: every edit, delete and status change is a ``ServiceCommand`` on a ``QUndoStack``.

The work itself is the core's (``services.unit``: a recorded unit of work, undone and redone
there, refused when somebody else has changed a record since). A command only holds what was
done so the stack can show it in Edit → Undo and step through it. ``AppContext`` does each step
off the window's thread and then moves the stack, telling the command to skip the step it would
otherwise repeat; a step the stack takes by itself is done here, in place.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack

from ..services import unit
from ..services.changes import Changes
from ..services.recorder import ChangeSet


class ServiceCommand(QUndoCommand):
    """One user action, already done by a service function; undoable.

    ``on_change(notice)`` is called after an undo or redo the command does itself.
    """

    def __init__(self, db: unit.Sessions, text: str, done: unit.Done,
                 on_change: Callable[[Changes], None] | None = None) -> None:
        super().__init__(text)
        self.db = db
        self.done = done
        self.on_change = on_change
        self.skip_next_step = True  # pushed after the work was done: the stack's first redo is not repeated

    @property
    def changes(self) -> ChangeSet:
        return self.done.changes

    def redo(self) -> None:
        if self.skip_next_step:
            self.skip_next_step = False
            return
        notice = unit.redo(self.db, self.done.changes)
        if self.on_change:
            self.on_change(notice)

    def undo(self) -> None:
        if self.skip_next_step:
            self.skip_next_step = False
            return
        notice = unit.undo(self.db, self.done.changes)
        if self.on_change:
            self.on_change(notice)


def push(stack: QUndoStack, db: unit.Sessions, text: str, done: unit.Done,
         on_change: Callable[[Changes], None] | None = None) -> None:
    """Put work already done on the stack (nothing, if it changed nothing)."""
    if done.changes.is_empty():
        return
    stack.push(ServiceCommand(db, text, done, on_change))
