"""Backups: verified copies with their SHA-256, automatic ones, thinning, listing, and restore."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from cpd_desktop.errors import DatabaseDamagedError, DatabaseError
from cpd_desktop.models import AuditEntry, School, Staff
from cpd_desktop.services.database import open_database
from cpd_desktop.services.staff import add_staff
from cpd_desktop.storage import backups
from cpd_desktop.storage.backups import (
    BackupFile,
    ThinningPolicy,
    auto_backup_on_open,
    backup_database,
    backup_if_due,
    backups_to_thin,
    list_backups,
    thin_backups,
)
from cpd_desktop.storage.database import Database
from cpd_desktop.storage.locking import DatabaseInUseError
from cpd_desktop.storage.restore import newest_good_backup, restore_backup, verify_backup


def add(db: Database, code: str) -> None:
    with db.session() as s:
        add_staff(s, s.scalars(select(School)).one(), forename="Łukasz", surname="Zając", staff_code=code)


def codes(db_or_path: Database | Path) -> list[str]:
    path = db_or_path.path if isinstance(db_or_path, Database) else db_or_path
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT staff_code FROM staff ORDER BY staff_code")]
    finally:
        conn.close()


def test_a_backup_is_verified_and_stored_with_its_sha256(db: Database, school: School) -> None:
    add(db, "LZA")
    made = backup_database(db)
    manifest = json.loads(backups.manifest_path(made.path).read_text(encoding="utf-8"))
    assert manifest["sha256"] == backups.sha256_of(made.path) == made.sha256
    assert manifest["holds"]["schools"] == ["Test Academy"] and manifest["holds"]["staff"] == 1
    assert codes(made.path) == ["LZA"]
    assert verify_backup(made.path).sha256 == made.sha256
    assert made.path.stat().st_mode & 0o077 == 0  # staff's personal data: only this user may read it


def test_a_backup_never_overwrites_a_file(db: Database, school: School, tmp_path: Path) -> None:
    target = tmp_path / "usb-stick.sqlite"
    target.write_text("my holiday photos")
    with pytest.raises(DatabaseError, match="never overwrites"):
        backup_database(db, output=target)
    assert target.read_text() == "my holiday photos"


def test_two_backups_in_the_same_second_both_survive(db: Database, school: School) -> None:
    first, second = backup_database(db), backup_database(db)
    assert first.path != second.path and first.path.exists() and second.path.exists()


def test_a_wal_database_is_backed_up_with_its_latest_commits(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite"
    open_database(path, create=True).dispose()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.close()
    db = open_database(path)
    from cpd_desktop.services.schools import create_school

    with db.session() as s:
        create_school(s, "Walford School")
    keeper = sqlite3.connect(path)  # keeps the WAL from being checkpointed away
    keeper.execute("SELECT count(*) FROM school").fetchone()
    made = backup_database(db)
    keeper.close()
    db.dispose()
    assert made.holds["schools"] == ["Walford School"]


def test_backups_are_listed_newest_first_with_date_size_and_contents(db: Database, school: School) -> None:
    older = backup_database(db, reason="on-open")
    add(db, "LZA")
    newer = backup_database(db)
    listed = list_backups(db)
    assert [b.path for b in listed] == [newer.path, older.path]
    line = listed[0].describe()
    assert f"{newer.created:%d/%m/%Y %H:%M}" in line and "KB" in line
    assert "Test Academy: 1 staff, 0 CPD activities" in line


def test_a_backup_is_made_on_open_only_when_the_file_changed(db: Database, school: School) -> None:
    first = auto_backup_on_open(db)
    assert first is not None and first.reason == "on-open"
    assert auto_backup_on_open(db) is None
    add(db, "LZA")
    second = auto_backup_on_open(db)
    assert second is not None and codes(second.path) == ["LZA"]


def test_scheduled_backups_wait_for_the_interval_and_a_change(db: Database, school: School) -> None:
    assert backup_if_due(db) is not None  # no backup yet
    add(db, "LZA")
    assert backup_if_due(db) is None  # the last one is too recent
    later = dt.datetime.now() + dt.timedelta(hours=1)
    made = backup_if_due(db, now=later)
    assert made is not None and made.reason == "scheduled"
    assert backup_if_due(db, now=later + dt.timedelta(hours=1)) is None  # nothing changed since


def test_the_backup_folder_can_be_chosen(db: Database, school: School, tmp_path: Path) -> None:
    chosen = tmp_path / "Backups on the school drive"
    backups.set_backup_folder(chosen)
    made = backup_database(db)
    assert made.path.parent == chosen
    assert list_backups(db)[0].path == made.path
    backups.set_backup_folder(None)
    assert backups.backup_folder() != chosen


def test_restore_brings_back_the_backup_and_keeps_the_current_file(db: Database, school: School) -> None:
    add(db, "AAA")
    made = backup_database(db)
    add(db, "BBB")
    result = restore_backup(db, made.path)  # the open database is closed first
    path = result.restored_from
    assert codes(db.path) == ["AAA"]  # type: ignore[arg-type]
    assert result.safety_backup is not None and codes(result.safety_backup) == ["AAA", "BBB"]
    again = open_database(db.path)
    with again.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "restore")).one()
        assert made.path.name in entry.summary and result.safety_backup.name in entry.summary
        assert s.scalar(select(func.count()).select_from(Staff)) == 1
    again.dispose()
    assert path == made.path


def test_a_tampered_backup_is_refused_and_nothing_changes(db: Database, school: School) -> None:
    add(db, "AAA")
    made = backup_database(db)
    add(db, "BBB")
    with made.path.open("r+b") as fh:
        fh.seek(made.size - 10)
        fh.write(b"tampered!!")
    before = db.path.read_bytes()  # type: ignore[union-attr]
    with pytest.raises(DatabaseDamagedError, match="SHA-256 does not match"):
        restore_backup(db.path, made.path)  # type: ignore[arg-type]
    assert db.path.read_bytes() == before  # type: ignore[union-attr]
    assert newest_good_backup(db) is None


def test_a_damaged_database_is_moved_aside_and_the_newest_good_backup_restored(db: Database, school: School) -> None:
    add(db, "AAA")
    good = backup_database(db)
    path = db.path
    assert path is not None
    db.dispose()
    path.write_bytes(b"\0" * 4096)
    with pytest.raises(DatabaseDamagedError):
        open_database(path)
    found = newest_good_backup(path)
    assert found is not None and found.path == good.path
    result = restore_backup(path, found.path)
    assert result.damaged_copy is not None and result.damaged_copy.read_bytes() == b"\0" * 4096
    assert codes(path) == ["AAA"]


def test_restore_is_refused_while_another_copy_of_the_app_has_the_file(db: Database, school: School) -> None:
    made = backup_database(db)
    path = db.path
    assert path is not None
    db.dispose()
    app = open_database(path, hold_lock=True)
    try:
        with pytest.raises(DatabaseInUseError):
            restore_backup(path, made.path)
    finally:
        app.dispose()


def fake(created: dt.datetime, reason: str = "on-open") -> BackupFile:
    return BackupFile(path=Path(f"/b/school-{created:%Y%m%d%H%M%S}.sqlite"), sha256="x", size=1,
                      created=created, reason=reason)


NOW = dt.datetime(2025, 11, 20, 17, 0)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=60 * 24 * 500), min_size=0, max_size=120, unique=True),
       st.sets(st.integers(min_value=0, max_value=119)))
def test_thinning_keeps_the_newest_and_one_per_recent_day_and_never_manual(minutes_ago: list[int],
                                                                           manual: set[int]) -> None:
    items = [fake(NOW - dt.timedelta(minutes=m), "manual" if i in manual else "on-open")
             for i, m in enumerate(minutes_ago)]
    policy = ThinningPolicy()
    removed = backups_to_thin(items, policy)
    kept = [b for b in items if b not in removed]
    auto = sorted((b for b in items if b.reason != "manual"), key=lambda b: b.created, reverse=True)
    assert all(b.reason != "manual" for b in removed)
    assert auto[:policy.recent] == [b for b in sorted(kept, key=lambda b: b.created, reverse=True)
                                    if b.reason != "manual"][:policy.recent]
    days = sorted({b.created.date() for b in auto}, reverse=True)[:policy.daily]
    for day in days:  # each of the last days with a backup keeps at least one
        assert any(b.created.date() == day for b in kept)
    assert len([b for b in kept if b.reason != "manual"]) <= (policy.recent + policy.daily + policy.weekly
                                                              + policy.monthly)


def test_thin_backups_deletes_files_and_manifests_of_old_automatic_backups(db: Database, school: School) -> None:
    made = backup_database(db, reason="on-open")
    folder = made.path.parent
    for days in range(1, 80):  # one automatic backup a day for eleven weeks
        created = NOW - dt.timedelta(days=days)
        copy = folder / f"school-{created:%Y-%m-%d-%H%M%S}-on-open.sqlite"
        copy.write_bytes(made.path.read_bytes())
        backups._write_manifest(dataclasses.replace(made, path=copy, created=created))
    kept_manual = backup_database(db)
    removed = thin_backups(folder)
    assert removed and all(not p.exists() and not backups.manifest_path(p).exists() for p in removed)
    remaining = list_backups(db)
    assert kept_manual.path in [b.path for b in remaining]
    assert len(remaining) < 80
    assert os.path.exists(made.path)
