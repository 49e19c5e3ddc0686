"""One user action as a unit of work: one session, one transaction, recorded so it can be undone.

``do(db, work)`` runs ``work(session)`` (a service call) in a session of its own, which commits
when the work returns and rolls back when it raises, and hands back what the work returned with
what it changed (``Done``). ``undo`` and ``redo`` put those changes back and forth, each in a
session of its own. Every call opens its own session, so any of them may run in a worker thread
(the window runs them off its thread so that a busy database never freezes it).

``Work`` is the type of such an action; the window types its callables with it, so it never
needs to import SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from .changes import Changes
from .recorder import ChangeRecorder, ChangeSet, apply_changes

Work = Callable[[Session], Any]  # a service call done in the session it is given; returns what the caller wants


class Sessions(Protocol):
    """Where sessions come from: an open database (``Database.session`` commits or rolls back)."""

    def session(self) -> AbstractContextManager[Session]: ...


@dataclass
class Done:
    """A unit of work that was committed: what it returned and what it changed."""

    result: Any
    changes: ChangeSet = field(default_factory=ChangeSet)

    @property
    def notice(self) -> Changes:
        return self.changes.notice()


def do(db: Sessions, work: Work) -> Done:
    """Run ``work`` in a session of its own, recording what it changes; it is committed on return."""
    with db.session() as s:
        recorder = ChangeRecorder(s)
        try:
            result = work(s)
            changes = recorder.finish()
        except BaseException:
            recorder.detach()  # the service's own error is what the person must see
            raise
    return Done(result, changes)


def undo(db: Sessions, changes: ChangeSet) -> Changes:
    """Put back what ``changes`` replaced; refused (``ConcurrentEditError``) if somebody changed it since."""
    with db.session() as s:
        apply_changes(s, changes, forward=False)
    return changes.notice()


def redo(db: Sessions, changes: ChangeSet) -> Changes:
    """Make ``changes`` again after an undo; refused the same way."""
    with db.session() as s:
        apply_changes(s, changes, forward=True)
    return changes.notice()


__all__ = ["Done", "Session", "Sessions", "Work", "do", "redo", "undo"]
