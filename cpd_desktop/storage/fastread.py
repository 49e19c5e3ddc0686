"""Read-only reports from an SQLite file with the standard library alone, through compiled queries kept on disk.

A command such as ``cpd-desktop report hours`` spends most of its time loading SQLAlchemy and the models
and compiling its first queries, not reading the file. The statements are still written once, with
SQLAlchemy (``services.reports``, ``services.rules``); ``services.compiled`` compiles them for SQLite and
keeps the result here: the SQL text, its parameters' names in order and how each result column is read
("date", "decimal2", "bool"…). A later command whose cache is current runs that SQL with ``sqlite3`` and
never imports SQLAlchemy.

Current means the fingerprint matches: the app's version, the schema revision it writes, and the bytes
of the files that define the statements (and of SQLAlchemy's own version line), hashed without importing
any of them. Anything off (no cache, another fingerprint, a file that does not read as a cache, a
database at another schema revision, a lock left by a crashed copy of the app, a damage note, any
``sqlite3`` error) makes ``open_reader`` or the read return None, and the command takes its usual path,
which migrates, refuses or explains as it always does, and writes the cache afresh.

This module imports the standard library and the storage package's own Qt- and SQLAlchemy-free helpers only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from .. import __version__
from ..paths import cache_dir
from . import verdict
from .damage import read_damage
from .locking import is_stale, read_lock
from .schema import HEAD_REVISION

CACHE_FORMAT = 1
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 5.0  # as the app's own connections (storage.database.BUSY_TIMEOUT_MS)
PENCE = Decimal("0.01")

# The files whose text decides the SQL a cached report runs, relative to the package; ``models`` whole.
SOURCES = ("services/reports.py", "services/rules.py", "services/years.py", "services/calendar.py",
           "services/hours_figures.py", "services/compiled.py", "storage/fastread.py", "storage/schema.py",
           "services/dashboard.py", "services/dashboard_figures.py", "services/bursaries.py",
           "services/bookings.py", "services/workspace.py")
PACKAGE = Path(__file__).resolve().parent.parent


def _decimal2(value: Any) -> Decimal | None:
    # models.base._Decimal2 on SQLite: NUMERIC comes back as REAL/INTEGER, read as pence.
    return None if value is None else Decimal(str(value)).quantize(PENCE, rounding=ROUND_HALF_UP)


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _raw(value: Any) -> Any:
    return value


def _date_param(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _bool_param(value: Any) -> Any:
    return None if value is None else int(bool(value))


def _decimal_param(value: Any) -> Any:
    return None if value is None else float(value)


# How a result column is read, and how a parameter is sent, by the name the cache gives them: SQLAlchemy's
# result and bind processors for SQLite, for the types the cached statements use (``services.compiled``
# checks each against SQLAlchemy's own before it writes a cache).
COLUMN_READERS: dict[str, Callable[[Any], Any]] = {
    "raw": _raw, "bool": _bool, "date": _date, "decimal2": _decimal2, "float": _float}
PARAM_WRITERS: dict[str, Callable[[Any], Any]] = {
    "raw": _raw, "bool": _bool_param, "date": _date_param, "decimal2": _decimal_param}


@dataclass(frozen=True)
class Statement:
    """One compiled statement: SQLite's SQL with ``?`` placeholders, each placeholder's parameter name and
    how it is sent, and how each result column is read."""

    sql: str
    params: tuple[tuple[str, str], ...]
    columns: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"sql": self.sql, "params": [list(p) for p in self.params], "columns": list(self.columns)}

    @classmethod
    def from_json(cls, data: Any) -> Statement | None:
        """The statement, or None if ``data`` is not exactly the shape ``to_json`` writes."""
        if not isinstance(data, dict) or set(data) != {"sql", "params", "columns"}:
            return None
        sql, params, columns = data["sql"], data["params"], data["columns"]
        if not isinstance(sql, str) or not sql.strip() or not isinstance(params, list) \
                or not isinstance(columns, list):
            return None
        if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and p[1] in PARAM_WRITERS
                   for p in params):
            return None
        if not all(isinstance(c, str) and c in COLUMN_READERS for c in columns):
            return None
        if sql.count("?") != len(params) or ";" in sql:  # one statement, one value a placeholder
            return None
        return cls(sql, tuple((p[0], p[1]) for p in params), tuple(columns))


def fingerprint() -> str:
    """What the compiled SQL depends on, hashed: version, schema revision, the defining files' bytes."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{HEAD_REVISION}\0{sys.version_info[:2]}".encode())
    files = [PACKAGE / name for name in SOURCES] + sorted((PACKAGE / "models").glob("*.py"))
    spec = importlib.util.find_spec("sqlalchemy")  # finds, does not import: its __init__ names its version
    if spec is not None and spec.origin:
        files.append(Path(spec.origin))
    for path in files:
        digest.update(b"\0" + path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


def cache_file(name: str) -> Path:
    return cache_dir() / "queries" / f"{name}.json"


def load(name: str, expected: set[str], stamp: str | None = None) -> dict[str, Statement] | None:
    """The cached statements called ``name`` if the cache is current and exactly the ``expected`` ones, else None."""
    try:
        data = json.loads(cache_file(name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    if data.get("fingerprint") != (stamp or fingerprint()):
        return None
    raw = data.get("statements")
    if not isinstance(raw, dict) or set(raw) != expected:
        return None
    statements = {key: Statement.from_json(value) for key, value in raw.items()}
    if any(s is None for s in statements.values()):
        return None
    return {key: s for key, s in statements.items() if s is not None}


def store(name: str, statements: Mapping[str, Statement], stamp: str | None = None) -> Path:
    """Write the cache atomically (a temporary file in the same folder, then ``os.replace``)."""
    import tempfile

    path = cache_file(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"format": CACHE_FORMAT, "fingerprint": stamp or fingerprint(),
                       "statements": {key: s.to_json() for key, s in statements.items()}}, indent=1)
    fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


class Unavailable(Exception):
    """The file cannot be read this way: the command takes its usual path."""


@dataclass
class Reader:
    """A read-only connection to a database file at the app's schema revision, in one read transaction,
    with SQLite's quick_check of the file running on a thread beside it (as ``report`` does normally)."""

    path: Path
    _conn: sqlite3.Connection
    _check: threading.Thread | None = field(default=None, repr=False)
    _check_ok: bool = field(default=False, repr=False)

    def run(self, statement: Statement, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The statement's rows, each value read as SQLAlchemy would; raises ``Unavailable`` on any SQLite error."""
        try:
            params = [PARAM_WRITERS[kind](values[name]) for name, kind in statement.params]
        except KeyError as exc:
            raise Unavailable(f"no value for the parameter {exc}") from exc
        readers = [COLUMN_READERS[kind] for kind in statement.columns]
        try:
            cursor = self._conn.execute(statement.sql, params)
            if cursor.description is None or len(cursor.description) != len(readers):
                raise Unavailable("the cached statement's columns do not match")
            if all(kind == "raw" for kind in statement.columns):
                return cursor.fetchall()
            return [tuple(read(v) for read, v in zip(readers, row, strict=True)) for row in cursor]
        except sqlite3.Error as exc:
            raise Unavailable(str(exc)) from exc

    def start_check(self) -> None:
        """Start the file's quick_check on a thread of its own, unless it passed one since it last changed
        (``storage.verdict``: the same day, the file unchanged in every way)."""
        if verdict.still_good(self.path):
            self._check_ok = True
            return
        self._check = threading.Thread(target=self._quick_check, name="quick_check", daemon=True)
        self._check.start()

    def _quick_check(self) -> None:
        before = verdict.identity(self.path)
        try:
            conn = sqlite3.connect(self.path.as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
            try:
                self._check_ok = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()] == ["ok"]
            finally:
                conn.close()
        except sqlite3.Error:
            self._check_ok = False
        if self._check_ok:
            verdict.passed(self.path, before)
        else:
            verdict.forget(self.path)

    def checked(self) -> bool:
        """Wait for the quick_check; whether the file passed it (if not, the usual path says what is wrong)."""
        if self._check is not None:
            self._check.join()
            self._check = None
        return self._check_ok

    def close(self) -> None:
        if self._check is not None:
            self._check.join()
            self._check = None
        self._conn.close()


def open_reader(target: str, *, check: bool = True) -> Reader | None:
    """A ``Reader`` for the database file ``target`` (a path, not a URL), or None where the usual path must
    open it: not a plain existing SQLite file, another schema revision, a crashed copy's lock to clear, a
    damage note, or any SQLite error. ``check=False`` starts no quick_check: the window's first figures do
    not wait for one (the usual open, right behind them, checks the file)."""
    if "://" in target or target.startswith("sqlite:"):
        return None
    path = Path(target).expanduser().absolute()
    try:
        if not path.is_file() or not path.parent.is_dir():
            return None
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return None
    except OSError:
        return None
    holder = read_lock(path)
    if holder is not None and is_stale(holder):
        return None  # the usual open clears it and checks the file first
    if read_damage(path) is not None:
        return None
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S,
                               isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN")  # every statement reads the same state of the file
        if conn.execute("SELECT version_num FROM alembic_version").fetchall() != [(HEAD_REVISION,)]:
            conn.close()
            return None
    except sqlite3.Error:
        if conn is not None:
            conn.close()
        return None
    reader = Reader(path, conn)
    if check:
        reader.start_check()
    return reader

