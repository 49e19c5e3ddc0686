"""The open database's life in the window: opening it (the file's lock, the school), checking it,
backing it up on a timer, looking for what others have saved, noticing a lost connection, closing it.

``DatabaseSession`` owns the timers and the background jobs, as Vorta's application object owns its
jobs and scheduler; the main window lays out what it reports (``looked``, ``status``) and never
starts a timer itself. The rules are Qt-free: opening in ``services.database`` (``storage`` with the
audit trail), the lock in ``storage.locking``, backups in ``storage.backups``, the school in
``services.schools``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from .errors import show_error
from .prompts import LockedChoice, SchoolChooser

if TYPE_CHECKING:
    from ..services.years import AcademicYear
    from ..storage.database import Database
    from .context import AppContext
    from .workers import Job

log = logging.getLogger("cpd_desktop.ui")

REFRESH_MS = 20_000  # how often the window looks for what other people have saved
BACKUP_CHECK_MS = 10 * 60_000  # how often the window asks whether a scheduled backup is due


class DatabaseSession(QObject):
    """The database the window has open, and everything that runs while it is open."""

    opened = Signal(object, int, str)  # in the background: the database, the school's id, what was opened
    open_failed = Signal(object)  # in the background: the error to show, or None if the person cancelled
    asking = Signal()  # in the background: the file is in use, and the person is asked what to do
    looked = Signal(bool)  # a look for others' changes ended: True if there is something new to show
    status = Signal(str, int)  # a status-bar message and how long it stays (ms; 0: until the next one)
    # From the opening job's thread: the dashboard's figures read before the database layer (see want_quick_look).
    _worker_look = Signal(object)

    def __init__(self, window: QWidget, *, today: Any = None) -> None:
        super().__init__(window)
        self._window = window  # the parent of the questions and errors shown while opening
        self.today = today
        self.ctx: AppContext | None = None
        self.school_locked = False  # opened with --school: this school's staff see only their school
        self.school_option: str | None = None  # the --school name the database was opened with
        self.offline = False  # the server could not be reached: the next look that succeeds reloads
        self.opening: Job | None = None
        self.checking: Job | None = None  # the background look for other people's changes, while it runs
        self.backing_up: Job | None = None
        self.verifying: Job | None = None
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.check_for_changes)
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_CHECK_MS)
        self.backup_timer.timeout.connect(self.backup_if_due)
        self._quick: tuple[str, str | None, Callable[[dict[str, Any]], object]] | None = None  # want_quick_look
        self._show_look: Callable[[dict[str, Any]], object] | None = None  # while the open it was read for runs
        self._worker_look.connect(self._look_read)

    # ---- opening ----
    def open(self, target: str, school: str | None = None) -> tuple[Database, int] | None:
        """Open a database now (on this thread) and choose its school; None if it could not be opened
        (the error has been shown) or the person cancelled. ``school``: ``--school NAME``."""
        try:
            db = open_file(target)
        except Exception as exc:  # noqa: BLE001 - shown to the person (a bug as a bug)
            if not in_use(exc):
                show_error(self._window, exc)
                return None
            found = self._open_in_use(target, exc)
            if found is None:
                return None
            db = found
        try:
            school_id = self._choose_school(db, school)
        except Exception as exc:  # noqa: BLE001 - shown to the person, the file let go
            db.dispose()
            show_error(self._window, exc)
            return None
        if school_id is None:
            db.dispose()
            return None
        self.school_locked, self.school_option = bool(school), school
        return db, school_id

    def want_quick_look(self, target: str, school: str | None, show: Callable[[dict[str, Any]], object]) -> None:
        """A start with no first look kept: the next opening of ``target`` (with ``school``: ``--school``) first
        reads the dashboard's figures through the compiled-query cache (``cpd_desktop.quicklook``), before the
        database layer loads, and hands them to ``show`` on this thread, unless the database is open by then."""
        self._quick = (target, school, show)

    def open_in_background(self, target: str, school: str | None = None) -> None:
        """Open the database off the UI thread (start-up): ``opened`` or ``open_failed`` says how it went."""
        from .workers import Job

        quick, self._quick = self._quick, None
        self._show_look = quick[2] if quick is not None and quick[:2] == (target, school) else None
        look_first = self._show_look is not None
        today = self.today

        def work(_progress: Any, _cancelled: Any) -> Database:
            # On a worker thread: the database layer's imports, the log file and the first queries'
            # compilation happen here while the window is already on screen. Meanwhile Python hands
            # the UI thread its turn every millisecond rather than every five, so the window answers.
            import sys

            if look_first:  # before anything of the database layer loads: the figures, read with sqlite3
                self._read_look(target, school, today)
            interval = sys.getswitchinterval()
            sys.setswitchinterval(min(interval, 0.001))
            try:
                from .errors import setup_log_file

                setup_log_file()
                db = open_file(target)
                from . import context  # noqa: F401  (imported here, not on the UI thread)
                from .views import dashboard  # noqa: F401
            finally:
                sys.setswitchinterval(interval)
            return db

        def opened(db: Database) -> None:
            self._show_look = None  # a look read later is not shown over the database
            try:
                school_id = self._choose_school(db, school)
            except Exception as exc:  # noqa: BLE001 - shown to the person, the file let go
                db.dispose()
                self.open_failed.emit(exc)
                return
            if school_id is None:
                db.dispose()
                self.open_failed.emit(None)
                return
            self.school_locked, self.school_option = bool(school), school
            self.opened.emit(db, school_id, target)

        def failed(exc: BaseException) -> None:
            self._show_look = None
            if not in_use(exc):
                self.open_failed.emit(exc)
                return
            self.asking.emit()
            db = self._open_in_use(target, exc)
            if db is not None:
                opened(db)
            else:
                self.open_failed.emit(None)

        job = Job(work)
        job.succeeded.connect(opened)
        job.failed.connect(failed)
        self.opening = job.start()

    def _read_look(self, target: str, school: str | None, today: Any) -> None:
        """On the opening job's thread: the look ``quicklook.read_look`` reads, handed to the UI thread."""
        try:
            import datetime as dt

            from ..quicklook import read_look

            look = read_look(target, school, today or dt.date.today())
        except Exception:  # the figures only save time: the file opens as always
            log.warning("The dashboard's first figures could not be read through the query cache", exc_info=True)
            return
        if look is not None:
            self._worker_look.emit(look)

    @Slot(object)
    def _look_read(self, look: dict[str, Any]) -> None:
        show = self._show_look
        if show is not None and self.ctx is None:  # the database opened first: its own figures are shown
            show(look)

    def _open_in_use(self, target: str, exc: Any) -> Database | None:
        """Another copy has it open: ask whether to look read-only or to break the lock."""
        choice = LockedChoice.ask(self._window, exc.message, exc.hint)
        try:
            if choice == "readonly":
                return open_file(target, readonly=True)
            if choice == "break":
                from ..storage.locking import break_lock

                break_lock(Path(target))
                return open_file(target)
        except Exception as again:  # noqa: BLE001 - shown to the person: the lock held, or the file
            show_error(self._window, again)
        return None

    def _choose_school(self, db: Database, name: str | None) -> int | None:
        from ..errors import NotFoundError
        from ..services.schools import choose_school, list_schools

        with db.session() as s:
            if name:
                return choose_school(s, name).id
            schools = list_schools(s)
            if not schools:
                raise NotFoundError(f"{db.label} has no school in it yet.",
                                    hint="Create a new school database, or open another file.")
            if len(schools) == 1:
                return schools[0].id
            chosen = SchoolChooser.ask(self._window, [x.name for x in schools])
            if chosen is None:
                return None
            return choose_school(s, chosen).id

    # ---- while it is open ----
    def start(self, db: Database, school_id: int, year: AcademicYear | None = None) -> AppContext:
        """The context the views share, on ``db``'s school; the looks for others' changes and the
        scheduled backups start with it."""
        from .context import AppContext

        ctx = AppContext(db, school_id, self._window, today=self.today, year=year)
        self.ctx = ctx
        ctx.changed_elsewhere()  # note where the audit trail stands now
        self.refresh_timer.start()
        self.backup_timer.start()
        return ctx

    def verify_in_background(self, db: Database) -> None:
        """Off the UI thread: SQLite's quick_check (a damaged file is reported and never written to),
        then a backup if the file changed since its newest one."""
        from .workers import Job

        def work(_progress: Any, _cancelled: Any) -> Any:
            if not db.verified:
                db.verify()
            if db.is_sqlite:
                keep_dashboard_compiled()
            if db.path is not None and not db.readonly:
                from ..storage.backups import auto_backup_on_open

                return auto_backup_on_open(db)
            return None

        def failed(exc: BaseException) -> None:
            if self.ctx is not None and self.ctx.db is db:
                show_error(self._window, exc)

        job = Job(work)
        job.failed.connect(failed)
        self.verifying = job.start()

    def backup_if_due(self) -> None:
        """The backup timer: while the window is open, a backup whenever the file changed and the
        newest backup is half an hour old (thinned like the others)."""
        ctx = self.ctx
        if ctx is None or ctx.db.path is None or ctx.db.readonly or self.backing_up is not None:
            return
        from .workers import Job

        db = ctx.db

        def work(_progress: Any, _cancelled: Any) -> Any:
            from ..storage.backups import backup_if_due

            return backup_if_due(db)

        def done(*_args: Any) -> None:
            self.backing_up = None

        job = Job(work)
        job.finished.connect(done)
        job.failed.connect(lambda exc: log.warning("scheduled backup failed: %s", type(exc).__name__))
        self.backing_up = job.start()

    def check_for_changes(self) -> None:
        """Look (off the UI thread) for what others have saved; ``looked`` says whether to show it."""
        ctx = self.ctx
        if ctx is None or self.checking is not None:
            return
        from .workers import Job

        job = Job(lambda _p, _c: ctx.changed_elsewhere())
        self.checking = job

        def done(changed: bool) -> None:
            self.checking = None
            back, self.offline = self.offline, False
            if self.ctx is ctx:
                self.looked.emit(bool(changed) or back)
            if back:
                self.status.emit("Connected to the database again.", 5000)

        def failed(exc: BaseException) -> None:
            self.checking = None
            from .errors import connection_lost, describe

            if connection_lost(exc):
                self.offline = True
                self.status.emit("The database server cannot be reached; trying again every "
                                 f"{REFRESH_MS // 1000} seconds. Nothing you saved has been lost.", 0)
                return
            _title, message, _hint, is_bug = describe(exc)
            if is_bug:
                log.error("Looking for other people's changes failed: %s", message)
            else:
                self.status.emit(message, 10000)

        job.succeeded.connect(done)
        job.failed.connect(failed)
        job.start()

    def connection_lost(self) -> None:
        """An action found the server unreachable: the next look that reaches it reloads the views."""
        self.offline = True

    # ---- closing ----
    def stop(self) -> None:
        """No more looks or scheduled backups (the window is closing, or the database with it)."""
        self.refresh_timer.stop()
        self.backup_timer.stop()

    def close(self, *, dispose: bool = True) -> None:
        """Let the context go (and the database's engine and lock, unless ``dispose`` is False: a
        school switch keeps the same database open)."""
        self.stop()
        ctx, self.ctx = self.ctx, None
        if ctx is not None:
            ctx.undo_stack.clear()
            if dispose:
                ctx.db.dispose()
            ctx.deleteLater()


def open_file(target: str, *, readonly: bool = False) -> Database:
    """The app holds the file's write lock while it is open, so a second copy cannot write too."""
    from ..services.database import open_database

    # The integrity check runs after the window is up (``verify_in_background``): seconds on a
    # large file. Until it has passed, a change waits for it.
    return open_database(target, readonly=readonly, hold_lock=not readonly, verify=False)


def keep_dashboard_compiled() -> None:
    """The dashboard's statements compiled into the query cache, once per version (``services.compiled``): the
    next start with no first look reads its figures with them (``cpd_desktop.quicklook``)."""
    from ..services.compiled import refresh_dashboard_cache

    try:
        refresh_dashboard_cache()
    except Exception:  # the cache only saves time: without it a start takes the usual path
        log.warning("The dashboard's statements could not be kept compiled", exc_info=True)


def in_use(exc: BaseException) -> bool:
    """Another copy of the app holds the file's lock."""
    from ..storage.locking import DatabaseInUseError

    return isinstance(exc, DatabaseInUseError)
