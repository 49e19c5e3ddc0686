"""Backups of a school's database file: made safely, verified, thinned, listed and restored.

A backup is made with SQLite's online backup API from a read-only connection, never by copying
the live file (a copied file can miss the last commits, or be caught half-written). Each copy
passes ``PRAGMA integrity_check`` before it is given its name, and a manifest beside it
(``….sqlite.json``) records its SHA-256, when and why it was made, and what it holds, so that a
restore can prove the file is the one that was made.

What the app calls:

* ``backup_database(db, output=None, reason="manual") -> BackupFile`` — File → Back up now, and
  ``cpd-desktop backup [--output FILE]``.
* ``auto_backup_on_open(db)`` — after opening: backs up if the file changed since the newest
  backup, then thins. ``backup_if_due(db, every=…)`` — on a timer while the file is open.
* ``list_backups(db_or_path)`` — newest first, each a ``BackupFile`` with ``created``, ``size``,
  ``reason`` and ``holds`` (schools, staff, CPD activities…); ``describe()`` gives one line.
* ``verify_backup(path)`` and ``newest_good_backup(db_or_path)`` — for a damaged database.
* ``restore_backup(db_or_path, backup_path) -> RestoreResult`` — File → Restore from backup…,
  and ``cpd-desktop restore FILE``. Checks the backup's SHA-256 and integrity, backs up the
  current file first (or moves a damaged one aside), puts the backup in place through the
  backup API, upgrades it if it is older, and writes a "restore" entry in the audit trail.
* ``thin_backups(folder)`` — keeps the newest few, then one a day, one a week and one a month
  (as Anki does); backups the person made by hand are never thinned.
* ``backup_folder()`` and ``set_backup_folder(path)`` — where automatic backups go (default:
  ``backups`` in the data folder), kept in ``backup-settings.json`` in the data folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..db import SQLITE_HEADER, Database
from ..errors import DatabaseDamagedError, DatabaseError, NotFoundError
from ..paths import data_dir

MANIFEST_SUFFIX = ".json"
SETTINGS_FILE = "backup-settings.json"
# Backups the person asked for stay until they delete them, and so do the copies of the file as it was
# before a restore or a repair (the only way back from either); the rest are thinned.
NEVER_THINNED = frozenset({"manual", "before-restore", "before-repair"})
REASON_LABELS = {
    "manual": "made by hand", "on-open": "on opening", "scheduled": "while open",
    "before-upgrade": "before an upgrade", "before-restore": "before a restore",
    "before-repair": "before a repair (as found, damaged)", "unknown": "",
}
PART_SUFFIX = ".part"
# A partial backup whose writer cannot be asked (another computer's, or an older version's without its
# process id in the name) is stale once it has not been written to for this long.
STALE_PART_AGE = dt.timedelta(hours=1)


class DifferentDatabaseError(DatabaseError):
    """A restore would replace the database with a backup of another one."""


@dataclass(frozen=True)
class BackupFile:
    """One backup file and what its manifest says about it."""

    path: Path
    sha256: str
    size: int
    created: dt.datetime = field(default_factory=dt.datetime.now)  # local time
    reason: str = "manual"
    holds: dict[str, Any] = field(default_factory=dict)  # schools, staff, activities, bookings, claims
    source: str = ""  # the database file it was made from
    fingerprint: str = ""  # the source's state when it was made (see db_fingerprint)
    has_manifest: bool = True

    def describe(self) -> str:
        """'21/11/2025 14:05 · 1.2 MB · on opening · Test Academy: 25 staff, 700 CPD activities'."""
        parts = [f"{self.created:%d/%m/%Y %H:%M}", format_size(self.size)]
        if REASON_LABELS.get(self.reason, self.reason):
            parts.append(REASON_LABELS.get(self.reason, self.reason))
        parts.append(describe_holds(self.holds))
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    backup_created: dt.datetime
    safety_backup: Path | None  # the file as it was before the restore
    damaged_copy: Path | None  # a damaged file, moved aside rather than backed up
    holds: dict[str, Any]
    checked_in_full: bool = False  # no (sound) manifest: integrity, schema and links were checked instead


@dataclass(frozen=True)
class ThinningPolicy:
    """How many backups to keep: the newest few, then one per day, week and month."""

    recent: int = 8
    daily: int = 12
    weekly: int = 10
    monthly: int = 9


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def describe_holds(holds: dict[str, Any]) -> str:
    if not holds:
        return ""
    schools = ", ".join(holds.get("schools", [])) or "no school yet"
    counts = [f"{holds.get('staff', 0)} staff", f"{holds.get('activities', 0)} CPD activities",
              f"{holds.get('bookings', 0)} bookings", f"{holds.get('claims', 0)} bursary claims"]
    return f"{schools}: " + ", ".join(counts)


# --- where backups go -------------------------------------------------------------------------

def _settings_path() -> Path:
    return data_dir() / SETTINGS_FILE


def _settings() -> dict[str, Any]:
    try:
        data = json.loads(_settings_path().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def backup_folder(db: Database | None = None) -> Path:
    """Where automatic backups go: the folder the person chose, else ``backups`` in the data folder."""
    chosen = _settings().get("folder")
    return Path(chosen) if chosen else data_dir() / "backups"


def default_backup_dir(db: Database) -> Path:  # the name the first version of this module used
    return backup_folder(db)


def set_backup_folder(folder: Path | None) -> Path:
    """Choose the backup folder (None: back to the default). The folder is created if needed."""
    settings = _settings()
    if folder is None:
        settings.pop("folder", None)
    else:
        folder = Path(folder).expanduser().absolute()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"The folder {folder} cannot be used for backups: {exc.strerror}.",
                                hint="Choose a folder you can write to.") from exc
        if not os.access(folder, os.W_OK):
            raise DatabaseError(f"You are not allowed to save files in {folder}.",
                                hint="Choose a folder you can write to.")
        settings["folder"] = str(folder)
    path = _settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(settings, indent=1), encoding="utf-8")
    tmp.replace(path)
    return backup_folder()


# --- making a backup --------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def db_fingerprint(path: Path) -> str:
    """A short token that changes whenever the database's content does.

    SQLite bumps the "file change counter" in the header on every committed write (rollback
    journal mode, which CPD Desktop uses); the page count, size and the newest audit entry are
    added for files that were ever put in WAL mode by another tool.
    """
    with path.open("rb") as fh:
        header = fh.read(100)
    counter = int.from_bytes(header[24:28], "big") if len(header) >= 28 else 0
    pages = int.from_bytes(header[28:32], "big") if len(header) >= 32 else 0
    newest = _query_one(path, "SELECT max(id) FROM audit_entry")
    return f"{counter}:{pages}:{path.stat().st_size}:{newest}"


def _ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)


def _query_one(path: Path, sql: str) -> Any:
    try:
        conn = _ro(path)
        try:
            row = conn.execute(sql).fetchone()
            return row[0] if row else None
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _holds(conn: sqlite3.Connection) -> dict[str, Any]:
    def count(table: str) -> int:
        try:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - fixed names
        except sqlite3.Error:
            return 0

    try:
        schools = [r[0] for r in conn.execute("SELECT name FROM school ORDER BY name")]
        urns = [r[0] for r in conn.execute("SELECT urn FROM school WHERE urn IS NOT NULL ORDER BY urn")]
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        schools, urns, revision = [], [], None
    return {"schools": schools, "urns": urns, "staff": count("staff"), "activities": count("activity"),
            "bookings": count("booking"), "claims": count("bursary_claim"),
            "audit_entries": count("audit_entry"), "revision": revision[0] if revision else None}


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    for n in range(2, 1000):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise DatabaseError(f"Too many backups are named like {path.name}.")


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_sqlite(src_path: Path, dst_path: Path) -> str:
    """Copy through the backup API and return the copy's integrity_check result."""
    src = _ro(src_path)
    try:
        _create_private(dst_path)  # owner-only from its first byte: it holds staff's personal data
        dst = sqlite3.connect(dst_path)
        try:
            src.backup(dst)
            result = str(dst.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()
    with dst_path.open("rb+") as fh:
        os.fsync(fh.fileno())
    return result


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def _create_private(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)


def _part_path(output: Path) -> Path:
    """Where a backup is written before it is checked and named: the writer's computer and process are in
    the name, so that a partial file left by a killed backup is known for what it is."""
    from .locking import this_host

    host = "".join(c if c.isalnum() else "_" for c in this_host())[:40]
    return output.with_name(f"{output.name}.{host}-{os.getpid()}{PART_SUFFIX}")


def _part_is_stale(part: Path, now: dt.datetime) -> bool:
    from .locking import pid_running, this_host

    host = "".join(c if c.isalnum() else "_" for c in this_host())[:40]
    middle = part.name[: -len(PART_SUFFIX)].rsplit(".", 1)[-1]  # "host-pid", or "sqlite" for an old name
    writer_host, _, pid = middle.rpartition("-")
    if writer_host == host and pid.isdigit():
        return int(pid) != os.getpid() and not pid_running(int(pid))
    try:
        modified = dt.datetime.fromtimestamp(part.stat().st_mtime)
    except OSError:
        return False
    return now - modified > STALE_PART_AGE


def remove_stale_parts(folder: Path | None = None, *, now: dt.datetime | None = None) -> list[Path]:
    """Delete partial backups that nobody is writing any more (a backup killed half-way leaves a full-size
    ``….sqlite.…part`` file behind); returns the files removed."""
    folder = folder or backup_folder()
    now = now or dt.datetime.now()
    removed = []
    try:
        parts = [p for p in folder.glob(f"*.sqlite*{PART_SUFFIX}") if p.is_file()]
    except OSError:
        return []
    for part in parts:
        if _part_is_stale(part, now):
            try:
                part.unlink()
            except OSError:
                continue
            removed.append(part)
    return removed


def backup_database(db: Database, *, output: Path | None = None, reason: str = "manual") -> BackupFile:
    """Copy the live database into a new file through SQLite's backup API and verify the copy."""
    if db.path is None:
        raise DatabaseError("Backups are made of school database files; a trust server is backed up by its host.",
                            hint="Ask whoever runs the PostgreSQL server for its backups (pg_dump).")
    return _backup_file(db.path, output=output, reason=reason, label=db.label)


def backup_as_found(db: Database, *, reason: str = "before-repair") -> BackupFile:
    """A copy of a damaged database as it is, before a repair: kept (never thinned), but never restorable."""
    if db.path is None:
        raise DatabaseError("Backups are made of school database files; a trust server is backed up by its host.")
    return _backup_file(db.path, output=None, reason=reason, label=db.label, allow_damaged=True)


def _backup_file(source: Path, *, output: Path | None, reason: str, label: str,
                 allow_damaged: bool = False) -> BackupFile:
    now = dt.datetime.now()  # to the microsecond, so that two backups in one second still sort
    in_backup_folder = output is None
    if output is None:
        folder = backup_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"The backup folder {folder} cannot be made: {exc.strerror}.",
                                hint="Choose another backup folder.") from exc
        output = _unique(folder / f"{source.stem}-{now:%Y-%m-%d-%H%M%S}-{reason}.sqlite")
    else:
        output = Path(output).expanduser().absolute()
        if output.exists():
            raise DatabaseError(f"{output} already exists; a backup never overwrites a file.",
                                hint="Choose another file name.")
        if not output.parent.is_dir():
            raise DatabaseError(f"The folder {output.parent} does not exist.", hint="Choose a folder that exists.")
    if output.absolute() == source.absolute():
        raise DatabaseError("A backup cannot be written over the database itself.", hint="Choose another file name.")
    fingerprint = db_fingerprint(source)
    if in_backup_folder:
        remove_stale_parts(output.parent)  # only the backup folder: a folder the person named is theirs
    tmp = _part_path(output)
    try:
        ok = _copy_sqlite(source, tmp)
        if ok != "ok" and not allow_damaged:
            # The copy is the database page for page: the database itself is damaged. Say so to every
            # later write (they are refused until a repair), rather than let the damage grow.
            from ..db import mark_damaged

            mark_damaged(source, f"its backup failed the integrity check: {ok}")
            raise DatabaseDamagedError(
                f"The backup of {label} failed its integrity check ({ok}): the database is damaged, so changes "
                "are refused until it is repaired.",
                hint="Repair it: File → Check and repair… or 'cpd-desktop check --repair'.")
        conn = _ro(tmp)
        try:
            holds = _holds(conn)
        finally:
            conn.close()
        tmp.replace(output)
        _fsync_dir(output.parent)
    except sqlite3.Error as exc:
        detail = str(exc).lower()
        if "locked" in detail or "busy" in detail:
            raise DatabaseError("The backup could not be made: the database is in use by another program.",
                                hint="Try again in a moment.") from exc
        if "full" in detail:
            raise DatabaseError(f"The backup could not be made: the disk holding {output.parent} is full.",
                                hint="Free some space, or choose another backup folder.") from exc
        raise DatabaseError(f"The backup could not be made: {exc}.") from exc
    except OSError as exc:
        raise DatabaseError(f"The backup could not be written to {output.parent}: {exc.strerror}.",
                            hint="Check the folder, or choose another backup folder.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    backup = BackupFile(path=output, sha256=sha256_of(output), size=output.stat().st_size, created=now,
                        reason=reason, holds=holds, source=str(source), fingerprint=fingerprint)
    _write_manifest(backup)
    return backup


def _write_manifest(backup: BackupFile) -> None:
    data = {"format": 1, "app": "CPD Desktop", "file": backup.path.name, "sha256": backup.sha256,
            "size": backup.size, "created": backup.created.isoformat(),
            "reason": backup.reason, "source": backup.source, "fingerprint": backup.fingerprint,
            "holds": backup.holds}
    path = manifest_path(backup.path)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    if os.name == "posix":
        path.chmod(0o600)


def read_backup(path: Path) -> BackupFile:
    """What a backup file is, from its manifest (or, without one, from the file itself)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"There is no backup file at {path}.", hint="Choose a backup from the list.")
    try:
        data = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        if len(str(data["sha256"])) != 64 or int(data["size"]) != path.stat().st_size:
            raise ValueError("the manifest does not describe this file")
        return BackupFile(path=path, sha256=str(data["sha256"]), size=int(data["size"]),
                          created=dt.datetime.fromisoformat(data["created"]), reason=str(data.get("reason", "")),
                          holds=dict(data.get("holds") or {}), source=str(data.get("source", "")),
                          fingerprint=str(data.get("fingerprint", "")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    stat = path.stat()
    holds: dict[str, Any] = {}
    try:
        conn = _ro(path)
        try:
            holds = _holds(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        pass
    return BackupFile(path=path, sha256="", size=stat.st_size, created=dt.datetime.fromtimestamp(stat.st_mtime), reason="unknown", holds=holds, has_manifest=False)


def verify_backup(path: Path) -> BackupFile:
    """Prove a backup is sound: its SHA-256 matches its manifest and it passes integrity_check."""
    backup = read_backup(path)
    with backup.path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise DatabaseDamagedError(f"{backup.path.name} is not a CPD Desktop backup, or it is damaged.",
                                       hint="Choose another backup.")
    if backup.has_manifest:
        actual = sha256_of(backup.path)
        if actual != backup.sha256:
            raise DatabaseDamagedError(
                f"{backup.path.name} has changed since it was made (its SHA-256 does not match), so it "
                "cannot be trusted.", hint="Choose another backup.")
    try:
        conn = _ro(backup.path)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise DatabaseDamagedError(f"{backup.path.name} is damaged ({exc}).", hint="Choose another backup.") from exc
    if result != ["ok"]:
        raise DatabaseDamagedError(f"{backup.path.name} is damaged: {result[0]}.", hint="Choose another backup.")
    from ..migrate import known_revisions

    if revision is None or revision[0] not in known_revisions():
        raise DatabaseError(f"{backup.path.name} is not a backup this version of CPD Desktop can restore.",
                            hint="Choose another backup, or install the newest version of CPD Desktop.")
    if not backup.has_manifest:
        # Nothing proves this is the file that was made, so it has to prove itself: its schema is exactly
        # ours (no extra table, trigger or view) and every link between records holds.
        problem = full_check_problem(backup.path, revision[0])
        if problem:
            raise DatabaseDamagedError(
                f"{backup.path.name} has no manifest ({manifest_path(backup.path).name} is missing or damaged), so it "
                f"cannot be proved to be the backup that was made, and it failed a full check: {problem}. "
                "Nothing was changed.", hint="Choose another backup (one with its .json manifest beside it).")
    return backup


def _normalised_sql(sql: str) -> str:
    """A table's definition with its columns and constraints sorted: batch migrations write a table's
    constraints in no fixed order, so the same schema can be spelt in several."""
    sql = " ".join(sql.split())
    start, end = sql.find("("), sql.rfind(")")
    if start < 0 or end < start:
        return sql
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in sql[start + 1:end]:
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        depth += (ch == "(") - (ch == ")")
        current.append(ch)
    parts.append("".join(current).strip())
    return sql[:start] + "(" + ", ".join(sorted(parts)) + ")" + sql[end + 1:]


def _schema_of(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    return {(str(t), str(n)): _normalised_sql(str(sql or "")) if t == "table" else " ".join(str(sql or "").split())
            for t, n, sql in rows}


_EXPECTED_SCHEMA: dict[str, dict[tuple[str, str], str]] = {}


def _expected_schema(revision: str) -> dict[tuple[str, str], str]:
    """The schema a database at ``revision`` has, made by running the migrations on an empty file."""
    if revision not in _EXPECTED_SCHEMA:
        import tempfile

        from ..db import open_database
        from ..migrate import upgrade

        with tempfile.TemporaryDirectory(prefix="cpd-schema-") as folder:
            scratch = open_database(Path(folder) / "schema.sqlite", create=True, migrate=False)
            try:
                upgrade(scratch, revision)
            finally:
                scratch.dispose()
            conn = _ro(Path(folder) / "schema.sqlite")
            try:
                _EXPECTED_SCHEMA[revision] = _schema_of(conn)
            finally:
                conn.close()
    return _EXPECTED_SCHEMA[revision]


def full_check_problem(path: Path, revision: str) -> str:
    """What is wrong with a backup that has no manifest ("" if nothing): schema and links (integrity is
    checked by the caller)."""
    conn = _ro(path)
    try:
        schema = _schema_of(conn)
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    expected = _expected_schema(revision)
    extra = sorted(set(schema) - set(expected))
    if extra:
        return f"it holds a {extra[0][0]} '{extra[0][1]}' that CPD Desktop never makes"
    missing = sorted(set(expected) - set(schema))
    if missing:
        return f"its {missing[0][0]} '{missing[0][1]}' is missing"
    changed = sorted(k for k in expected if schema[k] != expected[k])
    if changed:
        return f"its {changed[0][0]} '{changed[0][1]}' is not as CPD Desktop makes it"
    if broken:
        return f"{len(broken)} records point at records that do not exist (first in table {broken[0][0]})"
    return ""


def school_identity(path: Path) -> tuple[list[str], set[str]]:
    """The schools a database file holds (names, for a message) and the keys that identify them:
    each school's URN, and its name ignoring case and spaces."""
    try:
        conn = _ro(path)
        try:
            rows = conn.execute("SELECT name, urn FROM school ORDER BY name").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return [], set()
    keys = {"name:" + " ".join(str(n).split()).casefold() for n, _u in rows}
    keys |= {"urn:" + str(u).strip() for _n, u in rows if u and str(u).strip()}
    return [str(n) for n, _u in rows], keys


def source_mismatch(db_path: Path, backup_path: Path) -> str:
    """Why a backup seems to be of another database ("" if it is of this one, or nothing would be lost).

    A backup is of this database when they hold a school in common (the same URN or name); a restore of
    one that shares none would replace the school's record with another's."""
    if not db_path.exists():
        return ""
    ours, our_keys = school_identity(db_path)
    theirs, their_keys = school_identity(backup_path)
    if not our_keys or not their_keys or our_keys & their_keys:
        return ""
    made_from = ""
    try:
        data = json.loads(manifest_path(backup_path).read_text(encoding="utf-8"))
        if data.get("source"):
            made_from = f", made from {data['source']}"
    except (OSError, ValueError, AttributeError):
        pass
    return (f"{backup_path.name} is a backup of another database ({', '.join(theirs)}{made_from}), not of "
            f"{db_path.name} ({', '.join(ours)}): restoring it would replace {', '.join(ours)} with "
            f"{', '.join(theirs)}.")


# --- listing and thinning ---------------------------------------------------------------------

def _db_path(db_or_path: Database | Path | str) -> Path:
    if isinstance(db_or_path, Database):
        if db_or_path.path is None:
            raise DatabaseError("A trust server's database is backed up by its host, not by CPD Desktop.")
        return db_or_path.path
    return Path(db_or_path).expanduser().absolute()


def _candidates(folder: Path, stem: str | None) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    pattern = f"{stem}-*.sqlite" if stem else "*.sqlite"
    return [p for p in folder.glob(pattern) if p.is_file()]


def list_backups(db_or_path: Database | Path | str, folder: Path | None = None) -> list[BackupFile]:
    """The backups of one database in the backup folder, newest first."""
    stem = _db_path(db_or_path).stem
    found = [read_backup(p) for p in _candidates(folder or backup_folder(), stem)]
    return sorted(found, key=lambda b: (b.created, b.path.name), reverse=True)


def newest_good_backup(db_or_path: Database | Path | str, folder: Path | None = None) -> BackupFile | None:
    """The newest backup that passes verification, for a database that is damaged."""
    for backup in list_backups(db_or_path, folder):
        try:
            return verify_backup(backup.path)
        except DatabaseError:
            continue
    return None


def backups_to_thin(backups: list[BackupFile], policy: ThinningPolicy | None = None) -> list[BackupFile]:
    """Which backups thinning would remove (the others are kept)."""
    policy = policy or ThinningPolicy()
    ordered = sorted(backups, key=lambda b: (b.created, b.path.name), reverse=True)
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    months: set[tuple[int, int]] = set()
    remove = []
    thinnable = [b for b in ordered if b.reason not in NEVER_THINNED]
    for index, backup in enumerate(thinnable):
        day = backup.created.date()
        iso = day.isocalendar()
        week = (iso[0], iso[1])
        month = (day.year, day.month)
        if index < policy.recent:
            days.add(day)
            continue
        if day not in days and len(days) < policy.daily + 1:  # +1: today's day is counted by "recent"
            days.add(day)
        elif week not in weeks and len(weeks) < policy.weekly and day not in days:
            weeks.add(week)
        elif month not in months and len(months) < policy.monthly and day not in days and week not in weeks:
            months.add(month)
        else:
            remove.append(backup)
    return remove


def thin_backups(folder: Path | None = None, *, stem: str | None = None,
                 policy: ThinningPolicy | None = None) -> list[Path]:
    """Delete backups that the policy no longer keeps; returns the files removed."""
    folder = folder or backup_folder()
    groups: dict[str, list[BackupFile]] = {}
    for path in _candidates(folder, stem):
        backup = read_backup(path)
        if not backup.has_manifest:
            continue  # not one of ours: never deleted
        key = Path(backup.source).stem if backup.source else path.stem.split("-")[0]
        groups.setdefault(key, []).append(backup)
    removed = []
    for group in groups.values():
        for backup in backups_to_thin(group, policy):
            backup.path.unlink(missing_ok=True)
            manifest_path(backup.path).unlink(missing_ok=True)
            removed.append(backup.path)
    return removed


# --- automatic backups ------------------------------------------------------------------------

def changed_since_last_backup(db: Database) -> bool:
    path = _db_path(db)
    backups = [b for b in list_backups(path) if b.has_manifest and b.source == str(path)]
    return not backups or backups[0].fingerprint != db_fingerprint(path)


def auto_backup_on_open(db: Database) -> BackupFile | None:
    """Back up a database just opened if it changed since its newest backup; then thin. None if not needed."""
    if db.path is None:
        return None
    remove_stale_parts()
    if not changed_since_last_backup(db):
        return None
    backup = backup_database(db, reason="on-open")
    thin_backups(backup.path.parent, stem=db.path.stem)
    return backup


def backup_if_due(db: Database, *, every: dt.timedelta = dt.timedelta(minutes=30),
                  now: dt.datetime | None = None) -> BackupFile | None:
    """For a timer while the file is open: back up if it changed and the newest backup is ``every`` old."""
    if db.path is None:
        return None
    now = now or dt.datetime.now()
    backups = [b for b in list_backups(db) if b.has_manifest]
    if backups and now - backups[0].created < every:
        return None
    if not changed_since_last_backup(db):
        return None
    backup = backup_database(db, reason="scheduled")
    thin_backups(backup.path.parent, stem=db.path.stem)
    return backup


# --- restoring --------------------------------------------------------------------------------

def restore_backup(db_or_path: Database | Path | str, backup_path: Path | str, *,
                   force: bool = False) -> RestoreResult:
    """Put a verified backup in place of the database file.

    Pass the open ``Database`` (it is closed first) or the file's path. The current file is
    backed up first ("before-restore", never thinned); a damaged one is moved aside instead. The
    restored file is upgraded if it is older, and the audit trail gets a "restore" entry. A backup
    of another database (no school in common) raises ``DifferentDatabaseError`` unless ``force``;
    one without a sound manifest must pass a full check (``RestoreResult.checked_in_full``).
    """
    from ..db import open_database
    from .locking import WriteLock

    if isinstance(db_or_path, Database):
        db_path = _db_path(db_or_path)
        db_or_path.dispose()
    else:
        db_path = _db_path(db_or_path)
    backup = verify_backup(Path(backup_path).expanduser().absolute())
    if backup.path == db_path:
        raise DatabaseError("That is the database itself, not a backup of it.", hint="Choose a backup file.")
    mismatch = source_mismatch(db_path, backup.path)
    if mismatch and not force:
        raise DifferentDatabaseError(
            f"{mismatch} Nothing was changed.",
            hint="If that is what you mean, restore it with --force (the current file is backed up first).")
    if not db_path.parent.is_dir():
        raise DatabaseError(f"The folder {db_path.parent} does not exist.")
    safety: Path | None = None
    damaged: Path | None = None
    lock = WriteLock(db_path)
    lock.acquire()
    try:
        if db_path.exists():
            try:
                current = open_database(db_path, migrate=False)
            except DatabaseDamagedError:
                damaged = _move_aside(db_path)
            else:
                try:
                    safety = backup_database(current, reason="before-restore").path
                except DatabaseDamagedError:  # its copy failed the integrity check: keep the file itself
                    current.dispose()
                    damaged = _move_aside(db_path)
                finally:
                    current.dispose()
        summary = (
            f"Restored the database from the backup made {backup.created:%d/%m/%Y %H:%M} ({backup.path.name})"
            + (f"; the version before was saved as {safety.name}" if safety else "")
            + (f"; the damaged file was kept as {damaged.name}" if damaged else "")
            + ("; it had no manifest and passed a full check" if not backup.has_manifest else "")
            + ("; it was a backup of another database, restored on purpose" if mismatch else ""))
        changes = {"backup": [None, backup.path.name], "sha256": [None, backup.sha256],
                   "previous": [safety.name if safety else (damaged.name if damaged else None), None]}
        # The restore's own audit entry goes in with the backup's pages, in the one transaction that puts them
        # in place: killed at any point, the file holds the school before, or restored and recorded.
        staged = _staged_with_entry(backup.path, db_path, summary, changes)
        try:
            if not db_path.exists():
                _create_private(db_path)
            _put_in_place(staged, db_path)
        finally:
            with contextlib.suppress(OSError):
                staged.unlink()
        from ..db import clear_damage

        clear_damage(db_path)  # a verified backup is in place: whatever a check found is gone
    finally:
        lock.release()
    open_database(db_path).dispose()  # an older backup is upgraded now, not on the next open
    return RestoreResult(restored_from=backup.path, backup_created=backup.created, safety_backup=safety,
                         damaged_copy=damaged, holds=backup.holds, checked_in_full=not backup.has_manifest)


def _staged_with_entry(backup: Path, db_path: Path, summary: str, changes: dict[str, Any]) -> Path:
    """A private copy of the verified backup holding the restore's own audit entry, to be put in place whole.
    It is named as a partial backup in the backup folder, so that a killed restore's copy is cleared."""
    from ..db import current_user
    from ..models.base import utcnow

    folder = backup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    staged = _part_path(folder / f"{db_path.stem}-restoring.sqlite")
    _create_private(staged)
    try:
        src = _ro(backup)
        try:
            dst = sqlite3.connect(staged, timeout=5)
            try:
                src.backup(dst)
                dst.execute(
                    'INSERT INTO audit_entry (school_id, at, "user", action, table_name, record_id, summary, '
                    "changes, batch_id) VALUES (NULL, ?, ?, 'restore', '', NULL, ?, ?, NULL)",
                    (utcnow().strftime("%Y-%m-%d %H:%M:%S.%f"), current_user()[:120], summary[:500],
                     json.dumps(changes, ensure_ascii=False)))
                dst.commit()
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        with contextlib.suppress(OSError):
            staged.unlink()
        raise DatabaseError(f"The backup could not be restored: {exc}. The database was not changed.") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            staged.unlink()
        raise
    return staged


def _move_aside(db_path: Path) -> Path:
    """Keep a damaged file (and its journal) under a new name, for whoever wants to look at it."""
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    target = _unique(db_path.with_name(f"{db_path.stem}-damaged-{stamp}{db_path.suffix}"))
    os.replace(db_path, target)
    for suffix in ("-journal", "-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def _put_in_place(backup: Path, db_path: Path) -> None:
    """Copy the backup's pages into the database file in one transaction (or into a new file)."""
    try:
        src = _ro(backup)
        try:
            dst = sqlite3.connect(db_path, timeout=5)
            try:
                dst.execute("PRAGMA synchronous = FULL")
                src.backup(dst)
                result = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        detail = str(exc).lower()
        if "locked" in detail or "busy" in detail:
            raise DatabaseError("The database is in use by another program, so it was not restored.",
                                hint="Close the other program and try again.") from exc
        raise DatabaseError(f"The backup could not be restored: {exc}. The database was not changed.") from exc
    if result != "ok":
        raise DatabaseDamagedError(f"The restored database failed its integrity check ({result}).",
                                   hint="Restore another backup.")


# --- a leaver anonymised: the backups that still hold them -------------------------------------

def backups_holding_staff(db_or_path: Database | Path | str, staff_id: int,
                          folder: Path | None = None) -> list[BackupFile]:
    """This database's backups (in the backup folder) that still hold a staff member as they were before
    they were anonymised, newest first. Those made by hand or before a restore are never thinned, so they
    hold the person until somebody deletes them (``delete_backups``)."""
    sql = f"SELECT count(*) FROM staff WHERE id = {int(staff_id)} AND NOT anonymised"  # noqa: S608 - an int
    return [b for b in list_backups(db_or_path, folder) if _query_one(b.path, sql)]


def delete_backups(found: Iterable[BackupFile]) -> list[Path]:
    """Delete backups (each with its manifest); returns the files deleted."""
    removed = []
    for backup in found:
        try:
            backup.path.unlink(missing_ok=True)
            manifest_path(backup.path).unlink(missing_ok=True)
        except OSError as exc:
            raise DatabaseError(f"{backup.path} could not be deleted: {exc.strerror}.",
                                hint="Check the backup folder, then try again.") from exc
        removed.append(backup.path)
    return removed
