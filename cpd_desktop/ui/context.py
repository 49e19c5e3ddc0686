"""What every view shares: the open database, the school, the year and department chosen, the undo stack.

A view never keeps ORM objects between user actions: it asks ``AppContext`` for a session per
action, and every change goes through ``AppContext.run``: the core does the work as a recorded unit
(``services.unit``) off the window's thread, the window waits without freezing, the command goes on
the undo stack, and ``data_changed`` carries a ``Changes`` notice saying which kinds of records
changed, so that each view requeries only if it shows one of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMainWindow, QStatusBar, QWidget

from ..errors import ConcurrentEditError, NotFoundError
from ..models import School
from ..services import unit, workspace
from ..services.changes import Changes
from ..services.dashboard_figures import years_offered
from ..services.years import AcademicYear, current_academic_year
from .errors import connection_lost, show_error
from .undo import ServiceCommand, push
from .workers import BusyIndicator, wait_for

if TYPE_CHECKING:
    from ..services.unit import Session, Work

T = TypeVar("T")


class AppContext(QObject):
    filters_changed = Signal()
    data_changed = Signal(object)  # a Changes: the kinds of records that changed
    school_changed = Signal()
    navigate = Signal(str, object)  # view name, what to show (a record id or a filter)

    def __init__(self, db: Any, school_id: int, parent: QObject | None = None, *,
                 today: dt.date | None = None, year: AcademicYear | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.school_id = school_id
        self.undo_stack = QUndoStack(self)
        self.today = today or dt.date.today()
        with self.session() as s:
            school = self.school(s)
            self.school_name = school.name
            self.is_demo = bool(school.is_demo)
            self.start_month = school.academic_year_start_month
            self.current_year = current_academic_year(school, self.today)  # the year a start shows
            self.year: AcademicYear = self.current_year
            if year is not None:  # a school switch keeps the year the person was looking at
                self.year = AcademicYear(year.start_year, self.start_month)
        self.department: str | None = None
        self._seen_audit: int | None = None  # the newest audit entry seen (see ``changed_elsewhere``)

    # ---- database ----
    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.db.session() as s:
            yield s

    def school(self, session: Session) -> School:
        school = session.get(School, self.school_id)
        assert school is not None
        return school

    def reload_school(self) -> None:
        with self.session() as s:
            school = self.school(s)
            self.school_name = school.name
            self.is_demo = bool(school.is_demo)
        self.school_changed.emit()

    def schools(self) -> list[tuple[int, str]]:
        """Every school this login can see in the database, by name (a trust's database holds many)."""
        return workspace.school_names(self.db.engine)

    @property
    def is_server(self) -> bool:
        """A trust's shared server (PostgreSQL) rather than a school's own file."""
        return not self.db.is_sqlite

    # ---- what others changed ----
    def changed_elsewhere(self) -> bool:
        """Whether anything of this school has changed since the last call (see ``workspace.others_saved``)."""
        found, self._seen_audit = workspace.others_saved(self.db.engine, self.school_id, self._seen_audit)
        return found

    # ---- year and department ----
    def years(self) -> list[AcademicYear]:
        """Every academic year with CPD in it, up to next year."""
        first = workspace.first_activity_date(self.db.engine, self.school_id)
        return years_offered(first, self.year, self.today, self.start_month)

    def departments(self) -> list[str]:
        return workspace.department_names(self.db.engine, self.school_id)

    def set_year(self, year: AcademicYear) -> None:
        if year != self.year:
            self.year = year
            self.filters_changed.emit()

    def set_department(self, name: str | None) -> None:
        if name != self.department:
            self.department = name or None
            self.filters_changed.emit()

    # ---- changes ----
    def changed(self, notice: Changes) -> None:
        """Tell the views which kinds of records changed (each requeries only if it shows one)."""
        self.data_changed.emit(notice)

    def _off_thread(self, parent: QWidget | None, doing: str, fn: Callable[[], T]) -> T:
        """Do ``fn`` off the window's thread; the window waits without freezing (see ``workers.wait_for``)."""
        return wait_for(fn, BusyIndicator(self._status_bar(parent), doing))

    def _status_bar(self, parent: QWidget | None) -> QStatusBar | None:
        """Where "Saving…" shows: the window the action came from, else the main window (over a dialog)."""
        for widget in (parent.window() if parent is not None else None, self.parent()):
            if isinstance(widget, QMainWindow):
                return widget.statusBar()
        return None

    def run(self, parent: QWidget | None, text: str, action: Work, *,
            conflicts: bool = False, refusals: bool = False) -> Any:
        """Do one user action through the services as an undoable command; show any error.

        Returns the action's result, or None if it was refused (the error has been shown).
        Each attempt is one transaction, so when the server connection drops the person can retry
        safely: the failed attempt left nothing behind. With ``conflicts`` a ``ConcurrentEditError``
        is raised to the caller (which shows both versions) instead of being shown here. With
        ``refusals`` every other error but a lost connection or a deleted record is raised to the
        caller too: an edit dialog shows it and stays open with what was typed (see ``forms``).
        The work runs off the window's thread, in a session of its own, while the window waits.
        """
        db = self.db
        while True:
            try:
                done = self._off_thread(parent, "Saving…", lambda: unit.do(db, action))
            except ConcurrentEditError as exc:
                if conflicts or refusals:
                    raise
                show_error(parent, exc)
                return None
            except Exception as exc:
                if connection_lost(exc):
                    from .conflict import ConnectionLost

                    if ConnectionLost.ask(parent, text):
                        continue
                    return None
                if refusals and not isinstance(exc, NotFoundError):
                    raise
                show_error(parent, exc)
                if isinstance(exc, NotFoundError):
                    self.changed(Changes.everything())  # a record was gone: show what is there now
                return None
            self.changed(done.notice)
            push(self.undo_stack, db, text, done, self.changed)
            return done.result

    def save(self, parent: QWidget | None, text: str, record: tuple[type, int], version: int | None,
             action: Callable[[Session, int | None], Any], compare: Any, *, refusals: bool = False) -> Any:
        """Save an edit made on a copy opened at ``version``; if somebody else saved in between,
        show both versions and let the person reload theirs or overwrite it (see ``conflict``).
        With ``refusals`` any other refusal is raised to the caller (see ``run``)."""
        from .conflict import save_edit

        return save_edit(self, parent, text, record, version, action, compare, refusals=refusals)

    def delete(self, parent: QWidget | None, text: str, table: Any, model: type, ids: list[int],
               act: Callable[..., Any], what: Callable[[dict[str, Any]], str], *, doing: str = "delete",
               refusals: bool = False) -> Any:
        """Delete, cancel or move on (``doing``) records chosen in a list, each against the version its row showed; if
        somebody else changed or deleted one since, nothing is done and the person is shown why
        (see ``conflict.act_on_row``). Returns the result, or None if nothing was done."""
        from .conflict import act_on_row

        return act_on_row(self, parent, text, table, model, ids, act, what, doing=doing, refusals=refusals)

    def undo(self, parent: QWidget | None = None) -> None:
        self._step(parent, undo=True)

    def redo(self, parent: QWidget | None = None) -> None:
        self._step(parent, undo=False)

    def _step(self, parent: QWidget | None, *, undo: bool) -> None:
        stack = self.undo_stack
        index = stack.index() - 1 if undo else stack.index()
        if index < 0 or index >= stack.count():
            return
        command = stack.command(index)
        assert isinstance(command, ServiceCommand)
        db, changes = self.db, command.changes
        try:
            # Done here, off the window's thread, so a refusal can be shown and the stack left where it was.
            if undo:
                notice = self._off_thread(parent, "Undoing…", lambda: unit.undo(db, changes))
            else:
                notice = self._off_thread(parent, "Redoing…", lambda: unit.redo(db, changes))
        except Exception as exc:  # noqa: BLE001 - a refusal, a busy file or a bug: each is shown, the stack stays
            show_error(parent, exc)
            return
        self.changed(notice)
        command.skip_next_step = True
        if undo:
            stack.undo()
        else:
            stack.redo()
