"""Checking a backup and putting it back: File → Restore from backup… and ``cpd-desktop restore FILE``.

* ``verify_backup(path)`` proves a backup sound: its SHA-256 matches its manifest, it passes
  ``integrity_check``, and its schema is one this version knows. A backup without a (sound) manifest
  must also pass a full check: exactly the schema the migrations make, and every link between records.
* ``newest_good_backup(db_or_path)`` — for a damaged database.
* ``restore_backup(db_or_path, backup_path) -> RestoreResult`` checks the backup, backs up the
  current file first (or moves a damaged one aside), puts the backup in place through the backup
  API, upgrades it if it is older, and writes a "restore" entry in the audit trail. That entry goes
  in with the backup's pages, in the one transaction that puts them in place, so it is written here
  with plain SQL rather than through the app's audit listeners.

Above ``storage.database`` and ``storage.migrate`` (it opens and upgrades files), which is why it is
apart from ``storage.backups`` (which a migration uses to back a file up first).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DatabaseDamagedError, DatabaseError
from .backups import (
    BackupFile,
    backup_database,
    backup_folder,
    create_private,
    database_file,
    list_backups,
    manifest_path,
    open_read_only,
    part_path,
    read_backup,
    sha256_of,
    unique_name,
)
from .damage import clear_damage
from .database import SQLITE_HEADER, Database, open_database
from .locking import WriteLock, current_user
from .migrate import known_revisions, upgrade


class DifferentDatabaseError(DatabaseError):
    """A restore would replace the database with a backup of another one."""


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    backup_created: dt.datetime
    safety_backup: Path | None  # the file as it was before the restore
    damaged_copy: Path | None  # a damaged file, moved aside rather than backed up
    holds: dict[str, Any]
    checked_in_full: bool = False  # no (sound) manifest: integrity, schema and links were checked instead


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
        conn = open_read_only(backup.path)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise DatabaseDamagedError(f"{backup.path.name} is damaged ({exc}).", hint="Choose another backup.") from exc
    if result != ["ok"]:
        raise DatabaseDamagedError(f"{backup.path.name} is damaged: {result[0]}.", hint="Choose another backup.")
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
        with tempfile.TemporaryDirectory(prefix="cpd-schema-") as folder:
            scratch = open_database(Path(folder) / "schema.sqlite", create=True, migrate=False)
            try:
                upgrade(scratch, revision)
            finally:
                scratch.dispose()
            conn = open_read_only(Path(folder) / "schema.sqlite")
            try:
                _EXPECTED_SCHEMA[revision] = _schema_of(conn)
            finally:
                conn.close()
    return _EXPECTED_SCHEMA[revision]


def full_check_problem(path: Path, revision: str) -> str:
    """What is wrong with a backup that has no manifest ("" if nothing): schema and links (integrity is
    checked by the caller)."""
    conn = open_read_only(path)
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
        conn = open_read_only(path)
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


def newest_good_backup(db_or_path: Database | Path | str, folder: Path | None = None) -> BackupFile | None:
    """The newest backup that passes verification, for a database that is damaged."""
    for backup in list_backups(db_or_path, folder):
        try:
            return verify_backup(backup.path)
        except DatabaseError:
            continue
    return None


def restore_backup(db_or_path: Database | Path | str, backup_path: Path | str, *,
                   force: bool = False) -> RestoreResult:
    """Put a verified backup in place of the database file.

    Pass the open ``Database`` (it is closed first) or the file's path. The current file is
    backed up first ("before-restore", never thinned); a damaged one is moved aside instead. The
    restored file is upgraded if it is older, and the audit trail gets a "restore" entry. A backup
    of another database (no school in common) raises ``DifferentDatabaseError`` unless ``force``;
    one without a sound manifest must pass a full check (``RestoreResult.checked_in_full``).
    """
    if isinstance(db_or_path, Database):
        db_path = database_file(db_or_path)
        db_or_path.dispose()
    else:
        db_path = database_file(db_or_path)
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
                create_private(db_path)
            _put_in_place(staged, db_path)
        finally:
            with contextlib.suppress(OSError):
                staged.unlink()
        clear_damage(db_path)  # a verified backup is in place: whatever a check found is gone
    finally:
        lock.release()
    open_database(db_path).dispose()  # an older backup is upgraded now, not on the next open
    return RestoreResult(restored_from=backup.path, backup_created=backup.created, safety_backup=safety,
                         damaged_copy=damaged, holds=backup.holds, checked_in_full=not backup.has_manifest)


def _staged_with_entry(backup: Path, db_path: Path, summary: str, changes: dict[str, Any]) -> Path:
    """A private copy of the verified backup holding the restore's own audit entry, to be put in place whole.
    It is named as a partial backup in the backup folder, so that a killed restore's copy is cleared."""
    from ..models.base import utcnow  # the audit trail's clock; the models load only for a restore

    folder = backup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    staged = part_path(folder / f"{db_path.stem}-restoring.sqlite")
    create_private(staged)
    try:
        src = open_read_only(backup)
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
    target = unique_name(db_path.with_name(f"{db_path.stem}-damaged-{stamp}{db_path.suffix}"))
    os.replace(db_path, target)
    for suffix in ("-journal", "-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def _put_in_place(backup: Path, db_path: Path) -> None:
    """Copy the backup's pages into the database file in one transaction (or into a new file)."""
    try:
        src = open_read_only(backup)
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
