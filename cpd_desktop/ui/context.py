"""What every view shares: the open database, the school, the year and department chosen, the undo stack.

A view never keeps ORM objects between user actions: it asks ``AppContext`` for a session per
action, and every change goes through ``AppContext.run`` (a ``ServiceCommand`` on the undo stack),
after which ``data_changed`` tells the views to requery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ConcurrentEditError, NotFoundError
from ..models import Activity, AuditEntry, Department, School
from ..services.years import AcademicYear, academic_year_of, current_academic_year
from .errors import connection_lost, show_error
from .undo import ServiceCommand, push


class AppContext(QObject):
    filters_changed = Signal()
    data_changed = Signal()
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
        with self.db.engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(select(School.id, School.name).order_by(School.name))]

    @property
    def is_server(self) -> bool:
        """A trust's shared server (PostgreSQL) rather than a school's own file."""
        return not self.db.is_sqlite

    # ---- what others changed ----
    def changed_elsewhere(self) -> bool:
        """Whether anything of this school has changed since the last call (one cheap query, or two).

        Every change writes an audit entry, so the newest entry's id moves whenever anybody saves.
        The newest id overall is read from the primary key at once; only when it has moved are the
        new entries looked at, to see whether any of them is this school's.
        """
        from ..services.audit import own_entries

        with self.db.engine.connect() as conn:
            newest = conn.execute(select(func.max(AuditEntry.id))).scalar() or 0
            last = self._seen_audit
            if last is None or newest == last:
                self._seen_audit = newest
                return False
            # Entries this program wrote itself (the person's own saves, undo, imports) are not others' changes.
            mine = own_entries(self.db.engine, up_to=newest)
            found = False
            for (ident,) in conn.execute(select(AuditEntry.id).where(
                    AuditEntry.id > last, AuditEntry.id <= newest, AuditEntry.school_id == self.school_id)
                    .execution_options(yield_per=500)):
                if ident not in mine:
                    found = True
                    break
        self._seen_audit = newest
        return found

    # ---- year and department ----
    def years(self) -> list[AcademicYear]:
        """Every academic year with CPD in it, up to next year."""
        with self.db.engine.connect() as conn:
            first = conn.execute(select(func.min(Activity.date)).where(Activity.school_id == self.school_id)).scalar()
        current = AcademicYear(self.year.start_year, self.start_month)
        now = academic_year_of(self.today, self.start_month)
        earliest = academic_year_of(first, self.start_month) if isinstance(first, dt.date) else now
        earliest = min(earliest, current, now)
        latest = max(now.next(), current)
        out = []
        year = earliest
        while year <= latest:
            out.append(year)
            year = year.next()
        return list(reversed(out))

    def departments(self) -> list[str]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(Department.name).where(Department.school_id == self.school_id)
                                .order_by(Department.name)).scalars().all()
        return list(rows)

    def set_year(self, year: AcademicYear) -> None:
        if year != self.year:
            self.year = year
            self.filters_changed.emit()

    def set_department(self, name: str | None) -> None:
        if name != self.department:
            self.department = name or None
            self.filters_changed.emit()

    def department_condition(self) -> Any:
        """SQL condition on ``Department.name`` for the chosen department (None: all)."""
        if not self.department:
            return None
        return func.lower(Department.name) == self.department.lower()

    # ---- changes ----
    def run(self, parent: QWidget | None, text: str, action: Callable[[Session], Any], *,
            conflicts: bool = False, refusals: bool = False) -> Any:
        """Do one user action through the services as an undoable command; show any error.

        Returns the action's result, or None if it was refused (the error has been shown).
        Each attempt is one transaction, so when the server connection drops the person can retry
        safely: the failed attempt left nothing behind. With ``conflicts`` a ``ConcurrentEditError``
        is raised to the caller (which shows both versions) instead of being shown here. With
        ``refusals`` every other error but a lost connection or a deleted record is raised to the
        caller too: an edit dialog shows it and stays open with what was typed (see ``forms``).
        """
        while True:
            command = ServiceCommand(self.db, text, action, on_change=lambda _c: self.data_changed.emit())
            try:
                return push(self.undo_stack, command)
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
                    self.data_changed.emit()  # a record was gone: show what is there now
                return None

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
        try:
            # Run it here so a refusal can be shown and the stack left where it was.
            if undo:
                command.undo()
            else:
                command.redo()
        except Exception as exc:
            show_error(parent, exc)
            return
        command._skip_next_step = True
        if undo:
            stack.undo()
        else:
            stack.redo()

