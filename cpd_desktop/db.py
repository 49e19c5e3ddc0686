"""Opening a CPD database: engine, session factory, SQLite pragmas, and migrations on open.

The one place that knows about dialects. A school's record is an SQLite file; a trust's is a
PostgreSQL database. Both are reached through ``open_database``, which checks the file, brings
its schema up to date (after a backup) and hands back a ``Database``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.exc import OperationalError as SAOperationalError
from sqlalchemy.orm import Session, sessionmaker

from .errors import DatabaseDamagedError, DatabaseError

APP_NAME = "CPD Desktop"
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def data_dir() -> Path:
    """Where CPD Desktop keeps its files for this user (``CPD_DESKTOP_DATA`` overrides it)."""
    override = os.environ.get("CPD_DESKTOP_DATA")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def default_db_target() -> str:
    """``CPD_DESKTOP_DB`` if set, else ``school.sqlite`` in the user's data folder."""
    return os.environ.get("CPD_DESKTOP_DB") or str(data_dir() / "school.sqlite")


def current_user() -> str:
    """The computer's user name, recorded in the audit trail."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (a service account, a container)
        return "unknown"


def is_url(target: str) -> bool:
    return "://" in target


def to_url(target: str | os.PathLike[str]) -> str:
    target = str(target)
    if is_url(target):
        return target
    return "sqlite:///" + str(Path(target).expanduser().absolute())


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

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def label(self) -> str:
        return str(self.path) if self.path else make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one read or one user action; commits on success, rolls back on error."""
        from .services.guard import translate_db_errors

        with translate_db_errors(self), self.session_factory.begin() as s:
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


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
    if readonly:
        uri = path.absolute().as_uri() + "?mode=ro"
        engine = create_engine(
            "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False,
                                                         timeout=BUSY_TIMEOUT_MS / 1000)
        )
    else:
        engine = create_engine(
            to_url(path), connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )
    _sqlite_connect_listeners(engine, readonly)
    return engine


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
) -> Database:
    """Open (and with ``create``, make) the database at a path or SQLAlchemy URL.

    Raises ``DatabaseError`` with a message for the user when the file is missing, damaged,
    from a newer version of the app, or the server cannot be reached.
    """
    target = str(target) if target is not None else default_db_target()
    if is_url(target) and not target.startswith("sqlite"):
        return _open_server(target, create=create, migrate=migrate)
    path = Path(make_url(target).database or "") if is_url(target) else Path(target).expanduser()
    if not str(path) or str(path) == ":memory:":
        raise DatabaseError("An in-memory database cannot hold a school's record.", hint="Give a file path.")
    path = path.absolute()
    if not path.parent.is_dir():
        raise DatabaseError(f"The folder {path.parent} does not exist.",
                            hint="Choose a file in a folder that exists, or create the folder first.")
    if path.exists():
        if path.is_dir():
            raise DatabaseError(f"{path} is a folder, not a database file.")
        check_sqlite_file(path)
    elif not create:
        raise DatabaseError(f"There is no CPD database at {path}.",
                            hint="Create one with 'cpd-desktop init --school NAME', or choose another file.")
    elif readonly:
        raise DatabaseError(f"There is no CPD database at {path} to open read-only.")
    engine = create_sqlite_engine(path, readonly=readonly)
    db = Database(url=to_url(path), engine=engine, session_factory=_session_factory(engine),
                  readonly=readonly, path=path)
    try:
        _quick_check(db)
        if migrate:
            from .migrate import upgrade_on_open

            upgrade_on_open(db)
    except BaseException:
        engine.dispose()
        raise
    return db


def _open_server(url: str, *, create: bool, migrate: bool) -> Database:
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise DatabaseError(f"'{url}' is not a database address CPD Desktop understands.",
                            hint="Use a file path, or postgresql+psycopg://user@host/dbname.") from exc
    except ImportError as exc:
        raise DatabaseError("The PostgreSQL driver is not installed.",
                            hint="Install CPD Desktop with the 'postgres' extra (pip install 'cpd-desktop[postgres]').") from exc
    db = Database(url=url, engine=engine, session_factory=_session_factory(engine))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SAOperationalError as exc:
        engine.dispose()
        raise DatabaseError(f"The database server at {db.label} cannot be reached.",
                            hint="Check the network and the server, then try again.") from exc
    if migrate:
        from .migrate import upgrade_on_open

        upgrade_on_open(db)
    return db


def _session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    from .services.audit import install_audit

    install_audit(factory)
    return factory


def _quick_check(db: Database) -> None:
    try:
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("PRAGMA quick_check").fetchall()
    except SAOperationalError as exc:
        message = str(exc.orig) if exc.orig else str(exc)
        if "locked" in message or "busy" in message:
            from .errors import DatabaseLockedError

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


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def timestamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")
