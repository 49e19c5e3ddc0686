"""Backups of an SQLite database, made with SQLite's online backup API and verified."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..db import Database, data_dir, timestamp
from ..errors import DatabaseError


@dataclass(frozen=True)
class BackupFile:
    path: Path
    sha256: str
    size: int


def default_backup_dir(db: Database) -> Path:
    return data_dir() / "backups"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def backup_database(db: Database, *, output: Path | None = None, reason: str = "manual") -> BackupFile:
    """Copy the live database into a new file through SQLite's backup API and verify the copy."""
    if db.path is None:
        raise DatabaseError("Backups are made of school database files; a trust server is backed up by its host.",
                            hint="Ask whoever runs the PostgreSQL server for its backups (pg_dump).")
    if output is None:
        folder = default_backup_dir(db)
        folder.mkdir(parents=True, exist_ok=True)
        output = folder / f"{db.path.stem}-{timestamp()}-{reason}.sqlite"
    if output.exists():
        raise DatabaseError(f"{output} already exists; a backup never overwrites a file.",
                            hint="Choose another file name.")
    tmp = output.with_name(output.name + ".part")
    try:
        src = sqlite3.connect(f"{db.path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if ok != "ok":
            raise DatabaseError(f"The backup of {db.label} failed its integrity check ({ok}).",
                                hint="The database itself may be damaged: run 'cpd-desktop check'.")
        tmp.replace(output)
    except sqlite3.Error as exc:
        raise DatabaseError(f"The backup could not be made: {exc}.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    digest = sha256_of(output)
    output.with_name(output.name + ".sha256").write_text(f"{digest}  {output.name}\n", encoding="utf-8")
    return BackupFile(path=output, sha256=digest, size=output.stat().st_size)
