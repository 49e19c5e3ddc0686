"""The database file's safety: pragmas on every connection, real transactions, read-only, the lock file."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from cpd_desktop.errors import CpdError, ReadOnlyError
from cpd_desktop.models import School, Staff
from cpd_desktop.services.database import open_database
from cpd_desktop.services.reports import staff_report
from cpd_desktop.services.staff import add_staff
from cpd_desktop.storage import locking
from cpd_desktop.storage.database import Database, is_write_statement
from cpd_desktop.storage.locking import DatabaseInUseError, LockInfo, break_lock, lock_path_for, read_lock


def add_one(db: Database, code: str = "JSM") -> None:
    with db.session() as s:
        school = s.scalars(select(School)).one()
        add_staff(s, school, forename="Jane", surname="Smith", staff_code=code)


def staff_count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Staff)) or 0)


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


def write_lock_file(db_path: Path, **kw: object) -> None:
    info = LockInfo(**{"user": "mrsbrown", "host": socket.gethostname(), "pid": os.getpid(),
                       "since": dt.datetime(2025, 11, 21, 14, 5), "token": "other", **kw})  # type: ignore[arg-type]
    lock_path_for(db_path).write_text(info.to_json(), encoding="utf-8")


def test_every_connection_has_foreign_keys_full_sync_and_a_busy_timeout(db: Database) -> None:
    conns = [db.engine.connect() for _ in range(3)]  # the pool hands out separate connections
    try:
        for conn in conns:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
    finally:
        for conn in conns:
            conn.close()


def test_ddl_and_data_in_a_failed_session_are_both_rolled_back(db: Database, school: School) -> None:
    with pytest.raises(RuntimeError), db.session() as s:
        s.execute(text("CREATE TABLE scratch (x INTEGER)"))
        add_staff(s, s.merge(school), forename="Jane", surname="Smith", staff_code="JSM")
        raise RuntimeError("the person's action failed half way")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 'scratch'").scalar() == 0
    assert staff_count(db) == 0


def test_a_write_takes_the_lock_only_while_its_transaction_runs(db: Database, school: School) -> None:
    lock = lock_path_for(db.path)  # type: ignore[arg-type]
    with db.session() as s:
        add_staff(s, s.merge(school), forename="Jane", surname="Smith", staff_code="JSM")
        holder = read_lock(db.path)  # type: ignore[arg-type]
        assert holder is not None and holder.pid == os.getpid()
    assert not lock.exists()
    with db.session() as s:  # reading takes no lock
        s.scalars(select(Staff)).all()
        assert not lock.exists()


def test_a_second_copy_of_the_app_is_told_who_has_the_file(db_path: Path) -> None:
    first = open_database(db_path, create=True, hold_lock=True)
    try:
        assert first.holds_lock and lock_path_for(db_path).exists()
        with pytest.raises(DatabaseInUseError) as err:
            open_database(db_path, hold_lock=True)
        assert "another window" in str(err.value)
        assert err.value.holder is not None and err.value.holder.pid == os.getpid()
        assert "read-only" in err.value.hint and "break the lock" in err.value.hint
        # Reading alongside works; a change from there is refused with the holder's name.
        other = open_database(db_path)
        with other.session() as s:
            from cpd_desktop.services.schools import create_school

            with pytest.raises(DatabaseInUseError):
                create_school(s, "Another School")
        other.dispose()
    finally:
        first.dispose()
    assert not lock_path_for(db_path).exists()


def test_a_lock_left_by_a_crash_is_cleared_and_the_person_is_told(db: Database, school: School) -> None:
    path = db.path
    assert path is not None
    db.dispose()
    write_lock_file(path, pid=dead_pid())
    again = open_database(path, hold_lock=True)
    try:
        assert again.holds_lock
        assert any("not closed properly" in w and "mrsbrown" in w for w in again.warnings)
        add_one(again)
    finally:
        again.dispose()


def test_a_reused_process_id_does_not_keep_a_stale_lock(db: Database) -> None:
    path = db.path
    assert path is not None
    db.dispose()
    write_lock_file(path, pid=os.getpid(), process_start="1")  # our pid, but not our process
    again = open_database(path, hold_lock=True)
    assert again.holds_lock
    again.dispose()


def test_a_lock_from_another_computer_names_it_and_can_be_broken(db: Database, school: School) -> None:
    path = db.path
    assert path is not None
    db.dispose()
    write_lock_file(path, host="SCI-LAPTOP-07", pid=1)
    with pytest.raises(DatabaseInUseError) as err:
        open_database(path, hold_lock=True)
    assert "mrsbrown on SCI-LAPTOP-07 since 14:05 on 21/11/2025" in str(err.value)
    lazy = open_database(path)  # the command line can still read
    with lazy.session() as s:
        assert staff_report(s, s.scalars(select(School)).one(), None) == []
    with pytest.raises(DatabaseInUseError):
        add_one(lazy)
    assert staff_count(lazy) == 0
    lazy.dispose()
    held = break_lock(path)
    assert held is not None and held.host == "SCI-LAPTOP-07"
    again = open_database(path, hold_lock=True)
    add_one(again)
    again.dispose()


def test_a_half_written_lock_is_waited_for_then_cleared_when_old(db: Database, school: School) -> None:
    path = db.path
    assert path is not None
    db.dispose()
    lock_path_for(path).write_text("")
    with pytest.raises(DatabaseInUseError, match="another program"):
        open_database(path, hold_lock=True)
    old = dt.datetime.now().timestamp() - 60
    os.utime(lock_path_for(path), (old, old))
    again = open_database(path, hold_lock=True)
    assert again.holds_lock
    again.dispose()


def test_breaking_our_lock_and_taking_it_stops_our_next_save(db_path: Path) -> None:
    ours = open_database(db_path, create=True, hold_lock=True)
    with ours.session() as s:
        from cpd_desktop.services.schools import create_school

        create_school(s, "Test Academy")
    break_lock(db_path)
    write_lock_file(db_path, host="OFFICE-PC", pid=1)
    with pytest.raises(DatabaseInUseError, match="OFFICE-PC"):
        add_one(ours)
    ours.dispose()
    assert read_lock(db_path) is not None and read_lock(db_path).host == "OFFICE-PC"  # theirs is left alone


def test_read_only_opening_reads_and_refuses_every_change(db: Database, school: School) -> None:
    add_one(db)
    path = db.path
    assert path is not None
    db.dispose()
    before = path.read_bytes()
    ro = open_database(path, readonly=True)
    assert ro.readonly and "read-only" in ro.readonly_reason
    with ro.session() as s:
        rows = staff_report(s, s.scalars(select(School)).one(), None)
    assert [r["staff_code"] for r in rows] == ["JSM"]
    with pytest.raises(ReadOnlyError) as err:
        add_one(ro, "ABC")
    assert "open read-only, so this change was not saved" in str(err.value)
    with pytest.raises(ReadOnlyError), ro.session() as s:
        s.execute(text("DELETE FROM staff"))
    ro.dispose()
    assert path.read_bytes() == before
    assert not lock_path_for(path).exists()


def test_write_statements_are_told_from_reads() -> None:
    assert is_write_statement("  insert into staff values (1)")
    assert is_write_statement("UPDATE staff SET x = 1")
    assert is_write_statement("DELETE FROM staff")
    assert is_write_statement("CREATE TABLE t (x)")
    assert is_write_statement("WITH x AS (SELECT 1) DELETE FROM staff WHERE id IN x")
    assert not is_write_statement("SELECT * FROM staff")
    assert not is_write_statement("PRAGMA quick_check")
    assert not is_write_statement("WITH x AS (SELECT 1) SELECT * FROM x")
    assert not is_write_statement("BEGIN")


def test_a_file_in_a_synced_folder_gets_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "OneDrive - Ashcombe Park Academy" / "CPD"
    folder.mkdir(parents=True)
    db = open_database(folder / "school.sqlite", create=True)
    assert any("OneDrive synchronises" in w and "local folder" in w for w in db.warnings)
    db.dispose()
    plain = open_database(tmp_path / "local.sqlite", create=True)
    assert plain.warnings == []
    plain.dispose()
    assert locking.sync_service_of(Path("/home/x/Dropbox/school.sqlite")) == "Dropbox"
    assert locking.sync_service_of(Path("/home/x/Google Drive/My Drive/s.sqlite")) == "Google Drive"


def test_network_shares_are_recognised(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(locking, "_linux_filesystem", lambda _p: "cifs")
    assert locking.on_network_share(tmp_path / "school.sqlite")
    assert any("network share" in w for w in locking.location_warnings(tmp_path / "school.sqlite"))
    monkeypatch.setattr(locking, "_linux_filesystem", lambda _p: "ext4")
    assert not locking.on_network_share(tmp_path / "school.sqlite")


def test_errors_carry_no_record_values(db: Database, school: School) -> None:
    add_one(db)
    with pytest.raises(CpdError) as err, db.session() as s:
        s.execute(text("INSERT INTO staff (school_id, forename, surname, staff_code, fte, anonymised, version, "
                       "updated_at, updated_by) VALUES (:s, :f, :n, 'JSM', 1, 0, 1, CURRENT_TIMESTAMP, '')"),
                  {"s": school.id, "f": "Siobhán", "n": "Ó Dálaigh"})
    assert "Siobhán" not in str(err.value)
    cause = err.value.__cause__
    assert cause is not None and "UNIQUE" in str(cause)
    assert "Siobhán" not in str(cause) and "Dálaigh" not in str(cause)


def test_lock_file_says_who_and_since_when(db: Database) -> None:
    path = db.path
    assert path is not None
    db.dispose()
    held = open_database(path, hold_lock=True)
    data = json.loads(lock_path_for(path).read_text(encoding="utf-8"))
    assert {"user", "host", "pid", "since"} <= set(data)
    assert data["pid"] == os.getpid() and data["host"] == socket.gethostname()
    held.dispose()
