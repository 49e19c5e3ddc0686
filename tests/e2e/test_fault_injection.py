"""Fault injection: kills mid-write, a full disk, read-only files as a non-root user, damaged files,
another program holding the database, and a second copy of the app. Each ends with the data intact
and a message a person understands. Every test is bounded to a few seconds.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from cpd_desktop.errors import DatabaseDamagedError, DatabaseError, DatabaseLockedError
from cpd_desktop.models import Activity, AuditEntry, School, Staff
from cpd_desktop.services.database import open_database
from cpd_desktop.services.staff import add_staff
from cpd_desktop.storage.backups import backup_database
from cpd_desktop.storage.database import Database
from cpd_desktop.storage.locking import DatabaseInUseError, lock_path_for
from cpd_desktop.storage.restore import newest_good_backup, restore_backup

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "cpd_desktop"]


def child(script: str, *args: str, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO, **kw)  # type: ignore[call-overload]


def wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        stop(proc)
        raise AssertionError(f"child did not start: {line} {proc.stderr.read() if proc.stderr else ''}")


def stop(proc: subprocess.Popen[str]) -> None:
    """Kill a child the hard way (SIGKILL: no clean-up runs) and close its pipes."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "--db", str(db), *args], capture_output=True, text=True, timeout=60, cwd=REPO)


@pytest.fixture
def school_db(db: Database, school: School) -> Iterator[Path]:
    with db.session() as s:
        add_staff(s, s.merge(school), forename="Nguyễn Thị", surname="Mai", staff_code="NTM")
    assert db.path is not None
    path = db.path
    db.dispose()
    yield path


WRITER = """
    import itertools, sys
    from sqlalchemy import select
    from cpd_desktop.services.database import open_database
    from cpd_desktop.models import School
    from cpd_desktop.services.activities import add_activity
    from cpd_desktop.services.staff import add_staff

    db = open_database(sys.argv[1], hold_lock=True)
    print("ready", flush=True)
    for n in itertools.count(int(sys.argv[2])):
        with db.session() as s:
            school = s.scalars(select(School)).one()
            person = add_staff(s, school, forename="Kim", surname=f"Kill {n}", staff_code=f"K{n}")
            for i in range(5):
                add_activity(s, school, person, date="01/10/2024", hours="1.5", title=f"Session {i}",
                             impact="x" * 2000)
"""


def test_killing_the_app_mid_write_never_leaves_half_a_save(school_db: Path) -> None:
    rng = random.Random(6)
    start = 0
    for _round in range(5):
        proc = child(WRITER, str(school_db), str(start))
        wait_ready(proc)
        time.sleep(rng.uniform(0.05, 0.4))
        stop(proc)
        assert lock_path_for(school_db).exists()  # the killed app's lock is left behind…
        db = open_database(school_db, hold_lock=True)  # …and recognised as stale
        try:
            assert any("not closed properly" in w for w in db.warnings)
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            with db.session() as s:
                per_person = s.execute(select(Staff.staff_code, func.count(Activity.id))
                                       .outerjoin(Activity, Activity.staff_id == Staff.id)
                                       .where(Staff.staff_code.like("K%")).group_by(Staff.id)).all()
                assert all(n == 5 for _code, n in per_person), per_person  # whole saves only
                audit = s.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.summary.like("Added Staff K%")))
                assert audit == len(per_person)
                assert s.scalar(select(Staff.forename).where(Staff.staff_code == "NTM")) == "Nguyễn Thị"
            start += 1000
        finally:
            db.dispose()
    assert len(per_person) > 0  # the writer did commit some saves between kills


def test_a_full_database_rolls_back_the_save_with_a_clear_message(school_db: Path) -> None:
    db = open_database(school_db)
    try:
        with pytest.raises(DatabaseError) as err, db.session() as s:
            pages = s.connection().exec_driver_sql("PRAGMA page_count").scalar()
            s.connection().exec_driver_sql(f"PRAGMA max_page_count = {pages}")
            school = s.scalars(select(School)).one()
            for n in range(200):
                add_staff(s, school, forename="Big", surname="Import", staff_code=f"B{n}", notes="y" * 3000)
        assert "disk is full; your change was not saved and nothing already saved was lost" in str(err.value)
    finally:
        db.dispose()
    db = open_database(school_db)
    with db.session() as s:
        assert [p.staff_code for p in s.scalars(select(Staff))] == ["NTM"]
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    db.dispose()


def test_a_really_full_disk_rolls_back_too(tmp_path: Path) -> None:
    # A new school's file is about 380 KB (its tables, indexes and guards): room for it and its journal,
    # and not for the 3 MB of staff notes below.
    mount = Path(tempfile.mkdtemp(prefix="cpd-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        os.rmdir(mount)
        pytest.skip(f"cannot mount a small tmpfs here to fill: {done.stderr.strip()}")
    db = None
    try:
        path = mount / "school.sqlite"
        db = open_database(path, create=True)
        from cpd_desktop.services.schools import create_school

        with db.session() as s:
            create_school(s, "Full Disk Academy")
        with pytest.raises(DatabaseError, match="disk is full"), db.session() as s:
            school = s.scalars(select(School)).one()
            for n in range(1000):
                add_staff(s, school, forename="Big", surname="Import", staff_code=f"B{n}", notes="y" * 3000)
        db.dispose()
        db = open_database(path)
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Staff)) == 0
            assert s.scalars(select(School.name)).all() == ["Full Disk Academy"]
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        if db is not None:
            db.dispose()
        subprocess.run(["umount", str(mount)], check=False)
        os.rmdir(mount)


AS_NOBODY = """
    import json, os, sys
    # Load everything while still root (the interpreter lives in root's home), then drop to nobody.
    # Every headless module (the command line loads its commands lazily), none of the window's.
    import importlib, pkgutil, cpd_desktop
    for m in pkgutil.walk_packages(cpd_desktop.__path__, "cpd_desktop."):
        if not m.name.startswith(("cpd_desktop.ui", "cpd_desktop.migrations", "cpd_desktop.__main__")):
            importlib.import_module(m.name)
    import sqlalchemy.dialects.sqlite, alembic.runtime.migration
    from sqlalchemy import select
    from cpd_desktop.services.database import open_database
    from cpd_desktop.errors import CpdError
    from cpd_desktop.models import School
    from cpd_desktop.services.reports import staff_report
    from cpd_desktop.services.staff import add_staff
    os.setgid(65534)
    os.setuid(65534)
    out = {"uid": os.getuid()}
    db = open_database(sys.argv[1])
    out["readonly"], out["reason"] = db.readonly, db.readonly_reason
    with db.session() as s:
        out["codes"] = [r["staff_code"] for r in staff_report(s, s.scalars(select(School)).one())]
    try:
        with db.session() as s:
            add_staff(s, s.scalars(select(School)).one(), forename="A", surname="B", staff_code="AB")
        out["error"] = None
    except CpdError as exc:
        out["error"] = str(exc)
    db.dispose()
    out["cli"] = cpd_desktop.cli.main(["--db", sys.argv[1], "report", "staff", "--format", "json"])
    print(json.dumps(out))
"""


@pytest.mark.skipif(not hasattr(os, "setuid") or os.geteuid() != 0, reason="needs root to become another user")
@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_file_or_folder_opens_read_only_for_a_non_root_user(school_db: Path, what: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cpd-ro-"))
    data = Path(tempfile.mkdtemp(prefix="cpd-ro-data-"))
    try:
        path = folder / "school.sqlite"
        path.write_bytes(school_db.read_bytes())
        data.chmod(0o777)
        if what == "file":
            folder.chmod(0o777)
            path.chmod(0o444)
        else:
            folder.chmod(0o755)
            path.chmod(0o666)
        before = path.read_bytes()
        env = {**os.environ, "CPD_DESKTOP_DATA": str(data), "HOME": str(data)}
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(AS_NOBODY), str(path)], capture_output=True,
                              text=True, timeout=60, cwd=REPO, env=env)
        assert proc.returncode == 0, proc.stderr
        import json

        out = json.loads(proc.stdout.strip().splitlines()[-1])
        assert out["uid"] == 65534 and out["readonly"] is True
        assert ("not allowed to change school.sqlite" if what == "file" else "not allowed to save changes in the folder") \
            in out["reason"]
        assert out["codes"] == ["NTM"] and out["cli"] == 0
        assert "open read-only, so this change was not saved" in out["error"]
        assert path.read_bytes() == before and not lock_path_for(path).exists()
    finally:
        for p in (folder, data):
            subprocess.run(["rm", "-rf", str(p)], check=False)


def test_a_damaged_header_is_refused_untouched_and_the_newest_backup_restores(school_db: Path) -> None:
    db = open_database(school_db)
    good = backup_database(db)
    db.dispose()
    with school_db.open("r+b") as fh:
        fh.write(b"PK\x03\x04 not sqlite!")
    damaged = school_db.read_bytes()
    with pytest.raises(DatabaseDamagedError, match="damaged") as err:
        open_database(school_db)
    assert "Restore" in err.value.hint
    proc = cli(school_db, "report", "staff")
    assert proc.returncode == 1 and "damaged" in proc.stderr and "Traceback" not in proc.stderr
    assert school_db.read_bytes() == damaged
    found = newest_good_backup(school_db)
    assert found is not None and found.path == good.path
    restore_backup(school_db, found.path)
    again = open_database(school_db)
    with again.session() as s:
        assert s.scalar(select(Staff.staff_code)) == "NTM"
    again.dispose()


def test_damaged_pages_are_found_on_open_and_never_written(school_db: Path) -> None:
    path = school_db
    conn = sqlite3.connect(path)
    conn.execute("""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
                    INSERT INTO activity (school_id, staff_id, date, hours, title, format, subject_specific,
                        std_pupil_outcomes, std_evidence, std_collaboration, std_sustained, std_prioritised,
                        version, updated_at, updated_by)
                    SELECT 1, 1, '2024-10-01', 1.5, 'Session ' || i, 'webinar', 1, 0, 0, 0, 0, 0, 1,
                        CURRENT_TIMESTAMP, '' FROM n""")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    roots = [r[0] for r in conn.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'activity' "
                                         "AND rootpage > 0")]
    conn.close()
    with path.open("r+b") as fh:
        for page in roots:
            fh.seek((page - 1) * page_size + 8)
            fh.write(bytes(random.Random(page).getrandbits(8) for _ in range(page_size - 16)))
    damaged, mtime = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(DatabaseDamagedError, match="damaged"):
        open_database(path)
    proc = cli(path, "check")
    assert proc.returncode == 1 and "damaged" in proc.stderr
    assert path.read_bytes() == damaged and path.stat().st_mtime_ns == mtime


HOLDER = """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN " + sys.argv[2])
    if sys.argv[2] == "IMMEDIATE":
        conn.execute("UPDATE school SET urn = urn")
    print("ready", flush=True)
    time.sleep(30)
"""


def test_another_program_holding_the_database_makes_opening_give_up_in_seconds(school_db: Path) -> None:
    proc = child(HOLDER, str(school_db), "EXCLUSIVE")
    try:
        wait_ready(proc)
        started = time.monotonic()
        with pytest.raises(DatabaseLockedError, match="in use by another program"):
            open_database(school_db)
        assert time.monotonic() - started < 8
    finally:
        stop(proc)


def test_a_save_while_another_program_writes_gives_up_and_loses_nothing(school_db: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import cpd_desktop.storage.database

    monkeypatch.setattr(cpd_desktop.storage.database, "BUSY_TIMEOUT_MS", 1500)  # the default 5 s is tested above
    db = open_database(school_db)
    proc = child(HOLDER, str(school_db), "IMMEDIATE")
    try:
        wait_ready(proc)
        with db.session() as s:  # reading still works
            assert s.scalar(select(Staff.staff_code)) == "NTM"
        # A save that read first cannot wait (SQLite would deadlock), so it gives up at once…
        started = time.monotonic()
        with pytest.raises(DatabaseLockedError, match="in use by another program; nothing was saved"), \
                db.session() as s:
            add_staff(s, s.scalars(select(School)).one(), forename="Łukasz", surname="Zając", staff_code="LZA")
        assert time.monotonic() - started < 5
        # …and one that writes straight away waits for the busy timeout, then gives up.
        started = time.monotonic()
        with pytest.raises(DatabaseLockedError, match="in use by another program"), db.session() as s:
            s.execute(text("UPDATE school SET urn = '100001'"))
        assert 1.0 < time.monotonic() - started < 5
    finally:
        stop(proc)
    with db.session() as s:
        add_staff(s, s.scalars(select(School)).one(), forename="Łukasz", surname="Zając", staff_code="LZA")
        assert s.scalar(select(func.count()).select_from(Staff)) == 2
    db.dispose()
    assert not lock_path_for(school_db).exists()


APP = """
    import sys, time
    from cpd_desktop.services.database import open_database
    db = open_database(sys.argv[1], hold_lock=True)
    print("ready", flush=True)
    time.sleep(30)
"""


def test_a_second_copy_of_the_app_is_told_who_has_it_and_can_still_read(school_db: Path) -> None:
    proc = child(APP, str(school_db))
    try:
        wait_ready(proc)
        with pytest.raises(DatabaseInUseError) as err:
            open_database(school_db, hold_lock=True)
        assert err.value.holder is not None and err.value.holder.pid == proc.pid
        assert "is open in CPD Desktop by" in str(err.value) and "on this computer since" in str(err.value)
        ro = open_database(school_db, readonly=True)
        with ro.session() as s:
            assert s.scalar(select(Staff.staff_code)) == "NTM"
        ro.dispose()
        report = cli(school_db, "report", "staff", "--format", "json")
        assert report.returncode == 0 and "NTM" in report.stdout
        change = cli(school_db, "init", "--school", "Another School")
        assert change.returncode == 1 and "is open in CPD Desktop by" in change.stderr
        assert "Traceback" not in change.stderr
    finally:
        stop(proc)
    db = open_database(school_db, hold_lock=True)  # the killed copy's lock is cleared
    assert any("not closed properly" in w for w in db.warnings)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(School)) == 1
    db.dispose()
