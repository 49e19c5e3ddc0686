"""Opening a CPD database: engine, session factory, SQLite pragmas, and migrations on open.

The one place that knows about dialects. A school's record is an SQLite file; a trust's is a
PostgreSQL database. Both are reached through ``open_database``, which checks the file, brings
its schema up to date (after a backup) and hands back a ``Database``. The app opens through
``services.database.open_database``, which passes the audit trail in (``audit=``): the storage
layer imports no service.

How an SQLite file is kept safe (see also ``storage/locking.py`` and ``storage/backups.py``):

* Every connection: ``foreign_keys=ON``, ``busy_timeout`` (another program writing makes an
  operation wait a few seconds, then fail with "the database is in use by another program",
  never hang), ``synchronous=FULL`` with the rollback journal (a power cut never loses a commit),
  and SQLAlchemy's pysqlite recipe so that every statement, DDL included, runs in a real
  transaction: a failed save or migration leaves nothing half-written.
* One writer at a time. ``open_database(path, hold_lock=True)`` (the desktop app) takes the lock
  file beside the database for as long as it is open; a second copy of the app gets
  ``DatabaseInUseError`` naming who holds it and since when, and can offer
  ``open_database(path, readonly=True)`` or ``locking.break_lock(path)``. Without ``hold_lock``
  (command-line reports and exports) nothing is locked to read, and each write transaction takes
  the lock only while it runs, so ``cpd-desktop report`` works while the app is open and a change
  from the command line is refused, with the holder's name, while it is.
* Read-only: ``readonly=True``, or automatically when the file or its folder cannot be written.
  Reads, reports and exports work; every change raises ``ReadOnlyError`` before it reaches the
  file. ``Database.readonly_reason`` says why, for the window's title bar.
* Damaged files (not a database, malformed pages, a failed ``quick_check``) raise
  ``DatabaseDamagedError`` and are never written to; ``storage.restore.newest_good_backup``
  finds what to restore.
* ``Database.warnings`` lists what the person should know about where the file is (a folder a
  cloud service synchronises, a network share) and a lock cleared after a crash.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.exc import OperationalError as SAOperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from ..errors import DatabaseDamagedError, DatabaseError, DatabaseLockedError, ReadOnlyError
from ..paths import default_db_target
from . import locking, verdict
from .damage import read_damage
from .locking import LockInfo, WriteLock, in_use_error, read_lock
from .schema import HEAD_REVISION
from .translate import translate_db_errors

AuditHook = Callable[[sessionmaker[Session]], None]
"""What the caller passes to ``open_database`` to have every session write the audit trail
(``services.audit.install_audit``): the storage layer knows nothing of the app's services."""

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000  # another program's write makes ours wait this long, then give up
# PostgreSQL (a trust's server): how long a statement waits for another session's lock, and how long it
# may run, before it is given up with "the database is busy" (nothing saved). Seconds; the environment
# variables CPD_DESKTOP_LOCK_TIMEOUT and CPD_DESKTOP_STATEMENT_TIMEOUT change them (0: no limit).
SERVER_LOCK_TIMEOUT_S = 5
SERVER_STATEMENT_TIMEOUT_S = 60
# Statements that change the file; anything else (SELECT, PRAGMA, BEGIN, COMMIT…) only reads.
_WRITE_WORDS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "VACUUM", "REINDEX",
                "ANALYZE")


def is_url(target: str) -> bool:
    return "://" in target


def sqlite_url(path: str | os.PathLike[str]) -> URL:
    """The engine's URL for a database file, built as an object: a file name holding ``%20``, ``?`` or
    ``#`` is that file, never another one (string formatting would decode it or cut it short)."""
    return URL.create(drivername="sqlite", database=str(Path(path).expanduser().absolute()))


def to_url(target: str | os.PathLike[str]) -> str:
    target = str(target)
    if is_url(target):
        return target
    return sqlite_url(target).render_as_string(hide_password=False)  # quoted: make_url() gives the path back


def is_write_statement(statement: str) -> bool:
    head = statement.lstrip()[:8].upper()
    if head.startswith("WITH"):
        upper = statement.upper()
        return any(f" {word} " in upper for word in ("INSERT", "UPDATE", "DELETE"))
    return head.startswith(_WRITE_WORDS)


@dataclass
class Database:
    """An open database: the engine, a session factory, and what kind of file it is."""

    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    readonly: bool = False
    path: Path | None = None  # the SQLite file, if it is one
    migrated_from: str | None = None  # the revision an older file was upgraded from
    backup_before_migration: Path | None = None
    warnings: list[str] = field(default_factory=list)
    readonly_reason: str = ""  # why it is read-only, in words for the window's title or a banner
    hold_lock: bool = False  # keep the write lock from open to dispose (the desktop app)
    _lock: WriteLock | None = field(default=None, repr=False)
    _writers: set[int] = field(default_factory=set, repr=False)  # connections whose transaction took the lock
    _operations: int = field(default=0, repr=False)  # write_lock() blocks running
    _mutex: threading.RLock = field(default_factory=threading.RLock, repr=False)
    # Whether PRAGMA quick_check has passed since opening. The desktop app opens with verify=False
    # and checks in the background, so a large file does not hold up the window; the first write
    # waits for the check, so a damaged file is still never written to.
    verified: bool = True
    damaged: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def label(self) -> str:
        return str(self.path) if self.path else make_url(self.url).render_as_string(hide_password=True)

    @property
    def holds_lock(self) -> bool:
        """Whether this copy of the app holds the file's write lock right now."""
        return self._lock is not None and self._lock.held

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one read or one user action; commits on success, rolls back on error."""
        with translate_db_errors(self.label), self.session_factory.begin() as s:
            yield s

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the file's write lock for a whole operation (a migration, a restore)."""
        if self.path is None or self.readonly:
            yield
            return
        with self._mutex:
            self._acquire()
            self._operations += 1
        try:
            yield
        finally:
            with self._mutex:
                self._operations -= 1
                self._release_if_idle()

    def lock_holder(self) -> LockInfo | None:
        """Who holds the file's write lock (this copy of the app included), if anybody."""
        if self.path is None:
            return None
        return read_lock(self.path)

    def _acquire(self) -> None:
        assert self.path is not None
        if self._lock is None:
            self._lock = WriteLock(self.path)
        if self._lock.held and not self._lock.still_mine():
            # Somebody broke our lock. If another copy took it over, that copy now owns the file.
            self._lock.held = False
            holder = read_lock(self.path)
            if holder is not None:
                raise in_use_error(self.path, holder)
        self._lock.acquire()

    def verify(self) -> None:
        """Run SQLite's quick_check once; raises ``DatabaseDamagedError`` (and refuses writes) if it fails."""
        with self._mutex:
            if self.verified:
                return
            if self.damaged:
                raise DatabaseDamagedError(f"{self.label} is damaged; nothing was saved.",
                                           hint="Restore the newest backup (File → Restore from backup…).")
        # Not under the mutex: reads (which end their transactions under it) go on while it runs.
        before = verdict.identity(self.path) if self.path is not None else None
        try:
            _quick_check(self)
        except DatabaseDamagedError:
            with self._mutex:
                self.damaged = True
            if self.path is not None:
                verdict.forget(self.path)
            raise
        if self.path is not None:
            verdict.passed(self.path, before)  # ``report hours`` need not check the unchanged file again today
        with self._mutex:
            self.verified = True

    def install_write_guard(self) -> None:
        """Refuse writes to a read-only database and take the write lock before the first write."""

        @event.listens_for(self.engine, "before_cursor_execute")
        def _before(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
            if is_write_statement(statement):
                self._before_write(id(conn.connection.dbapi_connection))

        def _end(conn: Any) -> None:
            fairy = conn.connection
            self._after_transaction(id(fairy.dbapi_connection))

        event.listen(self.engine, "commit", _end)
        event.listen(self.engine, "rollback", _end)

    def take_lock(self) -> None:
        """Take the file's write lock now, and keep it until ``dispose`` (``hold_lock``: the desktop app)."""
        with self._mutex:
            self._acquire()

    def _before_write(self, conn_id: int) -> None:
        if not self.verified:
            self.verify()
        if self.readonly:
            raise ReadOnlyError(
                f"{self.path.name if self.path else self.label} is open read-only, so this change was not saved.",
                hint=self.readonly_reason or "Open it again normally to make changes.")
        if self.path is None:
            return
        with self._mutex:
            if conn_id in self._writers:
                return
            # Once per write transaction, one stat: a check (here or on another computer) found damage.
            found = read_damage(self.path)
            if found is not None:
                raise DatabaseDamagedError(
                    f"{self.path.name} was found damaged by a check ({found}), so nothing is saved to it "
                    "until it is repaired; nothing was saved.",
                    hint="Repair it: File → Check and repair… or 'cpd-desktop check --repair' (a backup is made "
                         "first).")
            self._acquire()
            self._writers.add(conn_id)

    def _after_transaction(self, conn_id: int) -> None:
        with self._mutex:
            if conn_id not in self._writers:
                return
            self._writers.discard(conn_id)
            self._release_if_idle()

    def _release_if_idle(self) -> None:
        if not self._writers and not self._operations and not self.hold_lock and self._lock is not None:
            self._lock.release()

    def dispose(self) -> None:
        self.engine.dispose()
        with self._mutex:
            self._writers.clear()
            if self._lock is not None:
                self._lock.release()


def _sqlite_connect_listeners(engine: Engine, readonly: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide where transactions start (the SQLAlchemy recipe for
        # "serializable isolation / savepoints / transactional DDL"): pysqlite's legacy mode issues no
        # BEGIN before DDL, so a failed migration would otherwise leave half a schema.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            # FULL: a power cut never loses a commit the user was told had been saved.
            cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


def create_sqlite_engine(path: Path, *, readonly: bool = False) -> Engine:
    # hide_parameters: an error or a log line never carries the values of the school's records.
    if readonly:
        uri = path.absolute().as_uri() + "?mode=ro"
        # "sqlite://" would otherwise get the in-memory pool, one connection per thread, so a second
        # connection opened while the first is in a transaction would be that same connection.
        engine = create_engine(
            "sqlite://", hide_parameters=True, poolclass=QueuePool,
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000),
        )
    else:
        engine = create_engine(
            sqlite_url(path), hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )
    _sqlite_connect_listeners(engine, readonly)
    return engine


def create_private_file(path: Path) -> None:
    """Make an empty database file only its owner can read (it holds staff's personal data). SQLite gives
    its journal and WAL files the database file's permissions, so they are owner-only too."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise DatabaseError(f"{path} cannot be created: {exc.strerror}.",
                            hint="Choose a folder of your own, such as Documents.") from exc


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database before anything touches it."""
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except PermissionError as exc:
        raise DatabaseError(f"CPD Desktop is not allowed to read {path}.",
                            hint="Check the file's permissions, or copy it somewhere you can read.") from exc
    except OSError as exc:
        raise DatabaseError(f"{path} cannot be read: {exc.strerror}.") from exc
    if header and header != SQLITE_HEADER:
        raise DatabaseDamagedError(
            f"{path} is not a CPD Desktop database, or it is damaged.",
            hint="Choose another file, or restore the newest backup (File → Restore from backup…).",
        )


def open_database(
    target: str | os.PathLike[str] | None = None,
    *,
    create: bool = False,
    readonly: bool = False,
    migrate: bool = True,
    hold_lock: bool = False,
    verify: bool = True,
    audit: AuditHook | None = None,
) -> Database:
    """Open (and with ``create``, make) the database at a path or SQLAlchemy URL.

    ``audit`` is called with the new session factory before any session is made, to attach the
    audit trail's listeners; without it, sessions write no audit entries (a check, a scratch copy).

    ``readonly=True`` opens a file for reading only; a file or folder this user cannot write is
    opened read-only by itself (``Database.readonly_reason`` says why). ``hold_lock=True`` is for
    the desktop app: the write lock is taken now and kept until ``dispose()``, so a second copy
    of the app is told at once who has the file open (``locking.DatabaseInUseError``).
    ``verify=False`` leaves SQLite's quick_check (seconds on a trust-sized file) to ``db.verify()``,
    which the app runs in the background once its window is up; the first write runs it first if
    it has not run yet, so a damaged file is never written to either way.

    Raises ``DatabaseError`` with a message for the user when the file is missing, damaged
    (``DatabaseDamagedError``), locked (``DatabaseLockedError``), from a newer version of the app,
    or the server cannot be reached.
    """
    target = str(target) if target is not None else default_db_target()
    if is_url(target) and not target.startswith("sqlite"):
        return _open_server(target, create=create, migrate=migrate, audit=audit)
    path = Path(make_url(target).database or "") if is_url(target) else Path(target).expanduser()
    if not str(path) or str(path) == ":memory:":
        raise DatabaseError("An in-memory database cannot hold a school's record.", hint="Give a file path.")
    path = path.absolute()
    if not path.parent.is_dir():
        raise DatabaseError(f"The folder {path.parent} does not exist.",
                            hint="Choose a file in a folder that exists, or create the folder first.")
    reason = ""
    if path.exists():
        if path.is_dir():
            raise DatabaseError(f"{path} is a folder, not a database file.")
        check_sqlite_file(path)
        if not readonly and not locking.folder_and_file_writable(path):
            readonly = True
            reason = (f"You are not allowed to change {path.name}" if not os.access(path, os.W_OK)
                      else f"You are not allowed to save changes in the folder {path.parent}")
            reason += ": you can look at the records and export them, but not change them."
    elif not create:
        raise DatabaseError(f"There is no CPD database at {path}.",
                            hint="Create one with 'cpd-desktop init --school NAME', or choose another file.")
    elif readonly:
        raise DatabaseError(f"There is no CPD database at {path} to open read-only.")
    elif not locking.folder_and_file_writable(path):
        raise DatabaseError(f"CPD Desktop is not allowed to create a file in {path.parent}.",
                            hint="Choose a folder of your own, such as Documents.")
    if readonly and not reason:
        reason = "It was opened read-only: you can look at the records and export them, but not change them."
    if not path.exists():
        create_private_file(path)
    engine = create_sqlite_engine(path, readonly=readonly)
    db = Database(url=to_url(path), engine=engine, session_factory=_session_factory(engine, audit),
                  readonly=readonly, path=path, readonly_reason=reason, hold_lock=hold_lock and not readonly)
    db.install_write_guard()
    db.verified = False
    try:
        if verify:
            db.verify()
        db.warnings.extend(locking.location_warnings(path))
        found = read_damage(path)
        if found is not None:
            db.warnings.append(f"A check found this file damaged ({found}): changes are refused until it is "
                               "repaired (File → Check and repair…).")
        if not readonly:
            cleared = locking.clear_if_stale(path)
            if cleared is not None:
                db.verify()  # after a crash, check the file now, whatever the caller asked
                db.warnings.append(f"CPD Desktop was not closed properly when {cleared.describe()} had this "
                                   "file open; the file has been checked and is sound.")
            if db.hold_lock:
                db.take_lock()
        if migrate:
            migrate_if_needed(db)
    except BaseException:
        db.dispose()
        raise
    return db


def server_timeouts() -> tuple[int, int]:
    """(lock timeout, statement timeout) in milliseconds for each connection to a PostgreSQL server."""
    def seconds(name: str, default: int) -> int:
        try:
            return max(0, int(float(os.environ.get(name, default)) * 1000))
        except ValueError:
            return default * 1000

    return (seconds("CPD_DESKTOP_LOCK_TIMEOUT", SERVER_LOCK_TIMEOUT_S),
            seconds("CPD_DESKTOP_STATEMENT_TIMEOUT", SERVER_STATEMENT_TIMEOUT_S))


def _server_connect_listener(engine: Engine) -> None:
    """Every connection gives up waiting for a lock, or running a statement, after a while: a session that
    holds a lock (another user's, or a hostile login's LOCK TABLE) cannot make the app hang."""
    lock_ms, statement_ms = server_timeouts()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True  # else the SETs sit in a transaction the pool rolls back
        try:
            cur = dbapi_conn.cursor()
            cur.execute(f"SET lock_timeout = {lock_ms}")
            cur.execute(f"SET statement_timeout = {statement_ms}")
            cur.close()
        finally:
            dbapi_conn.autocommit = autocommit


def end_hostile_table_locks(engine: Engine) -> int:
    """Ask the server to end the sessions of school logins holding a whole-table lock on the app's tables
    (``cpd_end_table_locks``, migration 0008); the number ended, 0 where the function or the right is missing.

    The app itself never takes such a lock, so whoever holds one is not the app at work."""
    try:
        with engine.connect() as conn:
            ended = conn.execute(text("SELECT cpd_end_table_locks()")).scalar()
            conn.commit()
    except Exception:  # noqa: BLE001 - an older schema or an owner without the right: time-outs remain
        return 0
    return int(ended or 0)


def _lock_breaker_listener(engine: Engine) -> None:
    """A statement that gave up waiting for a lock (SQLSTATE 55P03) ends the table locks school logins
    hold, so the person's next try goes through: one school cannot keep another's work waiting."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        state = getattr(context.original_exception, "sqlstate", None)
        if state == "55P03":
            end_hostile_table_locks(engine)


def _open_server(url: str, *, create: bool, migrate: bool, audit: AuditHook | None) -> Database:
    try:
        # psycopg 3 prepares a statement on its fifth run, and PostgreSQL then settles on a generic plan
        # that cannot see the values: for a school's year of hours it guesses 500 of 20,000 rows and reads
        # them one by one through the index, 25-40 % slower. Every query is planned with its values instead.
        options = {"connect_args": {"prepare_threshold": None}} if make_url(url).get_driver_name() == "psycopg" else {}
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True, **options)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise DatabaseError(f"'{url}' is not a database address CPD Desktop understands.",
                            hint="Use a file path, or postgresql+psycopg://user@host/dbname.") from exc
    except ImportError as exc:
        raise DatabaseError("The PostgreSQL driver is not installed.",
                            hint="Install CPD Desktop with the 'postgres' extra (pip install 'cpd-desktop[postgres]').") from exc
    _server_connect_listener(engine)
    _lock_breaker_listener(engine)
    db = Database(url=url, engine=engine, session_factory=_session_factory(engine, audit))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SAOperationalError as exc:
        engine.dispose()
        raise DatabaseError(f"The database server at {db.label} cannot be reached.",
                            hint="Check the network and the server, then try again.") from exc
    if migrate:
        migrate_if_needed(db)
    return db


def migrate_if_needed(db: Database) -> None:
    """Upgrade the schema if the file is older than this version of the app.

    The stored revision is compared with ``schema.HEAD_REVISION`` first, so opening an up-to-date
    database (nearly every start) never loads Alembic or reads its scripts.
    """
    try:
        with db.engine.connect() as conn:
            current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except SAOperationalError:
        current = None  # a new file: no version table yet
    except Exception as exc:  # e.g. PostgreSQL's "relation does not exist"
        if "alembic_version" not in str(exc):
            raise
        current = None
    if current == HEAD_REVISION:
        return
    from .migrate import upgrade_on_open

    upgrade_on_open(db)


def _session_factory(engine: Engine, audit: AuditHook | None) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    if audit is not None:
        audit(factory)
    return factory


def _quick_check(db: Database) -> None:
    try:
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("PRAGMA quick_check").fetchall()
    except SAOperationalError as exc:
        message = str(exc.orig) if exc.orig else str(exc)
        if "locked" in message or "busy" in message:
            raise DatabaseLockedError("The database is in use by another program.",
                                      hint="Close the other program, or try again in a moment.") from exc
        raise DatabaseDamagedError(
            f"{db.label} is damaged ({message}).",
            hint="Restore the newest backup (File → Restore from backup… or 'cpd-desktop restore FILE').",
        ) from exc
    except Exception as exc:
        raise DatabaseDamagedError(
            f"{db.label} is damaged and cannot be opened.",
            hint="Restore the newest backup (File → Restore from backup… or 'cpd-desktop restore FILE').",
        ) from exc
    if [r[0] for r in rows] != ["ok"]:
        raise DatabaseDamagedError(
            f"{db.label} is damaged: {rows[0][0]}.",
            hint="Restore the newest backup (File → Restore from backup… or 'cpd-desktop restore FILE').",
        )
