"""Checking a school's database file in full, and repairing damaged indexes.

``quick_check`` (run on every open) finds broken pages, not an index that has lost or gained entries:
that takes SQLite's full ``integrity_check``, which ``check_database`` runs (``cpd-desktop check``,
File → Check and repair…). Damage it finds is recorded beside the file (``storage.damage.mark_damaged``): every later
write, from the window or the command line, on this computer or another, is refused with a plain message
until ``repair_database`` has put it right, so the damage never grows. A backup whose copy fails its
integrity check records the same (see ``storage.backups``), so the automatic backups on opening and
every half hour find damage as well.

``repair_database`` keeps a copy of the file as found ("before-repair", never thinned), rebuilds every
index from its table (``REINDEX``), checks again, and only then clears the record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from ..errors import DatabaseDamagedError, DatabaseError, ReadOnlyError
from ..storage.damage import clear_damage, mark_damaged, read_damage
from ..storage.database import Database

REPAIR_HINT = "Repair it: File → Check and repair… or 'cpd-desktop check --repair' (a backup is made first)."


@dataclass(frozen=True)
class CheckResult:
    label: str
    revision: str | None
    head: str
    integrity: list[str] = field(default_factory=list)  # integrity_check's lines ("ok" when sound)
    broken_links: int = 0
    first_broken_table: str = ""
    is_sqlite: bool = True
    seconds: float = 0.0

    @property
    def damaged(self) -> bool:
        """Damage to the file itself (its pages or indexes), which writes would make worse."""
        return self.is_sqlite and self.integrity != ["ok"]

    @property
    def sound(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[str]:
        found = []
        if self.is_sqlite and self.integrity != ["ok"]:
            more = len(self.integrity) - 5
            found.append("integrity: " + "; ".join(self.integrity[:5]) + (f" (and {more} more)" if more > 0 else ""))
        if self.broken_links:
            found.append(f"{self.broken_links} records point at records that do not exist "
                         f"(first in table {self.first_broken_table})")
        if self.revision != self.head:
            found.append("the schema is not at the current version")
        return found


@dataclass(frozen=True)
class RepairResult:
    before: CheckResult
    after: CheckResult
    backup: Path | None  # the file as it was found

    @property
    def repaired(self) -> bool:
        return not self.after.damaged


def check_database(db: Database) -> CheckResult:
    """SQLite's full integrity check, the foreign-key check and the schema version.

    Damage found is recorded beside the file, so that writes are refused until a repair; a check that
    finds none clears an earlier record (after a restore, or a repair made elsewhere)."""
    from ..storage.migrate import current_revision, head_revision

    started = dt.datetime.now()
    integrity: list[str] = []
    broken: list[tuple[object, ...]] = []
    with db.engine.connect() as conn:
        if db.is_sqlite:
            integrity = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            broken = [tuple(r) for r in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()]
        else:
            conn.execute(text("SELECT 1"))
        revision = current_revision(conn)
    result = CheckResult(label=db.label, revision=revision, head=head_revision(), integrity=integrity,
                         broken_links=len(broken), first_broken_table=str(broken[0][0]) if broken else "",
                         is_sqlite=db.is_sqlite, seconds=(dt.datetime.now() - started).total_seconds())
    if db.path is not None and not db.readonly:
        if result.damaged:
            mark_damaged(db.path, result.problems[0])
        elif read_damage(db.path) is not None:
            clear_damage(db.path)
    return result


def repair_database(db: Database) -> RepairResult:
    """Keep a copy of the file as found, rebuild every index from its table, and check again.

    Raises ``DatabaseDamagedError`` (the record of damage stays) if the file is still damaged afterwards:
    then only a backup can put it right."""
    if db.path is None:
        raise DatabaseError("A trust server's database is repaired by whoever runs it, not by CPD Desktop.")
    if db.readonly:
        raise ReadOnlyError(f"{db.path.name} is open read-only, so it cannot be repaired.",
                            hint=db.readonly_reason or "Open it again normally.")
    from ..storage.backups import backup_as_found

    before = check_database(db)
    if not before.damaged:
        return RepairResult(before=before, after=before, backup=None)
    with db.write_lock():
        kept = backup_as_found(db).path
        with db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            # Straight to the driver: the write guard refuses every write while the file is marked damaged,
            # and this is the one write that must get through.
            raw.execute("BEGIN IMMEDIATE")
            try:
                raw.execute("REINDEX")
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
    after = check_database(db)  # clears the record if the file is sound now
    if after.damaged:
        raise DatabaseDamagedError(
            f"{db.path.name} is still damaged after its indexes were rebuilt ({after.problems[0]}); changes stay "
            f"refused. The file as it was found is kept in {kept}.",
            hint="Restore the newest good backup (File → Restore from backup… or 'cpd-desktop restore FILE').")
    from .audit import record

    with db.session() as s:
        record(s, school_id=None, action="repair", table_name="", summary=(
            f"Repaired the database: its indexes were rebuilt ({before.problems[0]}); the file as it was found "
            f"was kept as {kept.name}"), changes={"backup": [None, kept.name]})
    return RepairResult(before=before, after=after, backup=kept)
