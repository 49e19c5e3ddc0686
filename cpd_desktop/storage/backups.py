"""Backups of a school's database file: made safely, thinned and listed.

A backup is made with SQLite's online backup API from a read-only connection, never by copying
the live file (a copied file can miss the last commits, or be caught half-written). Each copy
passes ``PRAGMA integrity_check`` before it is given its name, and a manifest beside it
(``….sqlite.json``) records its SHA-256, when and why it was made, and what it holds, so that a
restore can prove the file is the one that was made (checking and restoring: ``storage.restore``).

What the app calls:

* ``backup_database(db, output=None, reason="manual") -> BackupFile`` — File → Back up now, and
  ``cpd-desktop backup [--output FILE]``; also before a migration (``storage.migrate``).
* ``auto_backup_on_open(db)`` — after opening: backs up if the file changed since the newest
  backup, then thins. ``backup_if_due(db, every=…)`` — on a timer while the file is open.
* ``list_backups(db_or_path)`` — newest first, each a ``BackupFile`` with ``created``, ``size``,
  ``reason`` and ``holds`` (schools, staff, CPD activities…); ``describe()`` gives one line.
* ``thin_backups(folder)`` — keeps the newest few, then one a day, one a week and one a month
  (as Anki does); backups the person made by hand are never thinned.
* ``backup_folder()`` and ``set_backup_folder(path)`` — where automatic backups go (default:
  ``backups`` in the data folder), kept in ``backup-settings.json`` in the data folder.

This module works on the file with plain ``sqlite3`` connections and never opens it through the
engine: opening a file can back it up first, so ``storage.database`` sits above it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DatabaseDamagedError, DatabaseError, NotFoundError
from ..paths import data_dir
from .damage import mark_damaged
from .locking import pid_running, this_host

if TYPE_CHECKING:
    from .database import Database  # opening a file may back it up first (migrate), so not at run time

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


def open_read_only(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection that cannot write (backups and checks never go through the engine)."""
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)


def _query_one(path: Path, sql: str) -> Any:
    try:
        conn = open_read_only(path)
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


def unique_name(path: Path) -> Path:
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
    src = open_read_only(src_path)
    try:
        create_private(dst_path)  # owner-only from its first byte: it holds staff's personal data
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


def create_private(path: Path) -> None:
    """An empty file only its owner can read: a backup holds staff's personal data."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)


def part_path(output: Path) -> Path:
    """Where a backup is written before it is checked and named: the writer's computer and process are in
    the name, so that a partial file left by a killed backup is known for what it is."""
    host = "".join(c if c.isalnum() else "_" for c in this_host())[:40]
    return output.with_name(f"{output.name}.{host}-{os.getpid()}{PART_SUFFIX}")


def _part_is_stale(part: Path, now: dt.datetime) -> bool:
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
        output = unique_name(folder / f"{source.stem}-{now:%Y-%m-%d-%H%M%S}-{reason}.sqlite")
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
    tmp = part_path(output)
    try:
        ok = _copy_sqlite(source, tmp)
        if ok != "ok" and not allow_damaged:
            # The copy is the database page for page: the database itself is damaged. Say so to every
            # later write (they are refused until a repair), rather than let the damage grow.
            mark_damaged(source, f"its backup failed the integrity check: {ok}")
            raise DatabaseDamagedError(
                f"The backup of {label} failed its integrity check ({ok}): the database is damaged, so changes "
                "are refused until it is repaired.",
                hint="Repair it: File → Check and repair… or 'cpd-desktop check --repair'.")
        conn = open_read_only(tmp)
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
        conn = open_read_only(path)
        try:
            holds = _holds(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        pass
    return BackupFile(path=path, sha256="", size=stat.st_size, created=dt.datetime.fromtimestamp(stat.st_mtime), reason="unknown", holds=holds, has_manifest=False)


# --- listing and thinning ---------------------------------------------------------------------

def database_file(db_or_path: Database | Path | str) -> Path:
    """The file of an open database, or the path given, made absolute."""
    if isinstance(db_or_path, str | os.PathLike):
        return Path(db_or_path).expanduser().absolute()
    if db_or_path.path is None:
        raise DatabaseError("A trust server's database is backed up by its host, not by CPD Desktop.")
    return db_or_path.path


def _candidates(folder: Path, stem: str | None) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    pattern = f"{stem}-*.sqlite" if stem else "*.sqlite"
    return [p for p in folder.glob(pattern) if p.is_file()]


def list_backups(db_or_path: Database | Path | str, folder: Path | None = None) -> list[BackupFile]:
    """The backups of one database in the backup folder, newest first."""
    stem = database_file(db_or_path).stem
    found = [read_backup(p) for p in _candidates(folder or backup_folder(), stem)]
    return sorted(found, key=lambda b: (b.created, b.path.name), reverse=True)


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
    path = database_file(db)
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
