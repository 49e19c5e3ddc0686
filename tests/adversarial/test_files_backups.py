"""Attacks on backups and restores of a school's file: another database's backup, a backup stripped of
its manifest, a killed backup's leftovers, and who may read the database file."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cpd_desktop.cli import main
from cpd_desktop.services.database import open_database
from cpd_desktop.storage import backups
from cpd_desktop.storage.restore import full_check_problem


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def schools(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM school ORDER BY name")]


@pytest.fixture
def ashcombe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "ashcombe.sqlite"
    assert run(capsys, path, "init", "--school", "Ashcombe Park Academy", "--urn", "137001")[0] == 0
    return path


@pytest.fixture
def beacon_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    other = tmp_path / "beacon.sqlite"
    assert run(capsys, other, "init", "--school", "Beacon Hill School", "--urn", "140999")[0] == 0
    made = tmp_path / "other-backup.sqlite"
    assert run(capsys, other, "backup", "--output", str(made))[0] == 0
    return made


# --- 8. restoring another database's backup -----------------------------------------------------

def test_a_backup_of_another_database_is_refused_with_the_reason_unless_forced(
        ashcombe: Path, beacon_backup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, ashcombe, "restore", str(beacon_backup))
    assert code == 1 and "Traceback" not in err
    assert "another database" in err and "Beacon Hill School" in err and "Ashcombe Park Academy" in err
    assert "--force" in err and "Nothing was changed" in err
    assert schools(ashcombe) == ["Ashcombe Park Academy"]
    code, out, err = run(capsys, ashcombe, "restore", str(beacon_backup), "--force")
    assert code == 0, err
    assert schools(ashcombe) == ["Beacon Hill School"]
    assert "before-restore" in out  # and the school it replaced is kept


def test_a_backup_of_the_same_school_restores_without_asking(ashcombe: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    made = tmp_path / "usb.sqlite"
    assert run(capsys, ashcombe, "backup", "--output", str(made))[0] == 0
    code, out, err = run(capsys, ashcombe, "restore", str(made))
    assert code == 0, err


def test_the_copy_made_before_a_restore_is_never_thinned(ashcombe: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, ashcombe, "backup")
    made = backups.list_backups(ashcombe)[0]
    assert run(capsys, ashcombe, "restore", str(made.path))[0] == 0
    before = [b for b in backups.list_backups(ashcombe) if b.reason == "before-restore"]
    assert len(before) == 1
    db = open_database(ashcombe)
    try:
        for _ in range(12):  # a busy day of automatic backups
            fresh = backups.backup_database(db, reason="scheduled")
            backups.thin_backups(fresh.path.parent, stem=ashcombe.stem)
    finally:
        db.dispose()
    assert before[0].path.exists() and backups.manifest_path(before[0].path).exists()


# --- 9. a backup without its manifest ------------------------------------------------------------

def _tamper_with_trigger(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TRIGGER wipe AFTER INSERT ON activity BEGIN DELETE FROM staff; END")
    conn.close()


def _tamper_with_dangling_link(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO department (school_id, name, version) VALUES (999, 'Ghost', 1)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(("strip", "tamper"), [
    ("delete", _tamper_with_trigger), ("size", _tamper_with_trigger),
    ("delete", _tamper_with_dangling_link), ("garble", _tamper_with_dangling_link),
])
def test_a_tampered_backup_without_its_manifest_is_refused(ashcombe: Path, tmp_path: Path, strip: str, tamper: object,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    made = tmp_path / "usb.sqlite"
    assert run(capsys, ashcombe, "backup", "--output", str(made))[0] == 0
    manifest = backups.manifest_path(made)
    if strip == "delete":
        manifest.unlink()
    elif strip == "size":
        data = json.loads(manifest.read_text(encoding="utf-8"))
        del data["size"]
        manifest.write_text(json.dumps(data), encoding="utf-8")
    else:
        manifest.write_text("{not json", encoding="utf-8")
    tamper(made)  # type: ignore[operator]
    before = ashcombe.read_bytes()
    code, out, err = run(capsys, ashcombe, "restore", str(made), "--force")
    assert code == 1 and "Traceback" not in err
    assert "no manifest" in err and "full check" in err and "Nothing was changed" in err
    assert ashcombe.read_bytes() == before


def test_a_sound_backup_without_its_manifest_restores_and_the_command_says_how_it_was_checked(
        ashcombe: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made = tmp_path / "usb.sqlite"
    assert run(capsys, ashcombe, "backup", "--output", str(made))[0] == 0
    backups.manifest_path(made).unlink()
    code, out, err = run(capsys, ashcombe, "restore", str(made))
    assert code == 0, err
    assert "no manifest" in out and "passed a full check" in out


# --- 10. a killed backup's leftovers, and who may read the file ----------------------------------

KILL_MID_BACKUP = """
import os, sys
from pathlib import Path
from cpd_desktop.services.database import open_database
from cpd_desktop.storage import backups
copy = backups._copy_sqlite
def copy_then_die(src, dst):
    copy(src, dst)
    os.kill(os.getpid(), 9)  # killed after the full copy is on disk, before it is checked and named
backups._copy_sqlite = copy_then_die
backups.backup_database(open_database(Path(sys.argv[1])), reason="scheduled")
"""


def _kill_a_backup(path: Path) -> list[Path]:
    done = subprocess.run([sys.executable, "-c", KILL_MID_BACKUP, str(path)], env=os.environ.copy(), timeout=60)
    assert done.returncode != 0
    return [p for p in backups.backup_folder().iterdir() if p.name.endswith(".part")]


def test_a_killed_backups_partial_copy_is_removed_by_the_next_backup(ashcombe: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    left = _kill_a_backup(ashcombe)
    assert len(left) == 1 and left[0].stat().st_size > 0
    assert run(capsys, ashcombe, "backup")[0] == 0
    assert not [p for p in backups.backup_folder().iterdir() if p.name.endswith(".part")]
    code, out, _ = run(capsys, ashcombe, "backups")
    assert code == 0 and out.count("made by hand") == 1


def test_a_killed_backups_partial_copy_is_removed_on_opening(ashcombe: Path) -> None:
    left = _kill_a_backup(ashcombe)
    assert left
    db = open_database(ashcombe)
    try:
        backups.auto_backup_on_open(db)  # what the window runs once the file is open
    finally:
        db.dispose()
    assert not [p for p in backups.backup_folder().iterdir() if p.name.endswith(".part")]


def test_a_killed_backups_partial_copy_is_removed_by_any_command_that_opens_the_file(
        ashcombe: Path, capsys: pytest.CaptureFixture[str]) -> None:
    left = _kill_a_backup(ashcombe)
    assert left
    code, out, err = run(capsys, ashcombe, "report", "staff")  # makes no backup
    assert code == 0, err
    assert not [p for p in backups.backup_folder().iterdir() if p.name.endswith(".part")]


KILL_JUST_AFTER_RESTORING = """
import os, sys
from pathlib import Path
from cpd_desktop.storage import restore
put = restore._put_in_place
def put_then_die(src, dst):
    put(src, dst)
    os.kill(os.getpid(), 9)  # killed once the backup is in place, before anything after it runs
restore._put_in_place = put_then_die
restore.restore_backup(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_restore_killed_once_the_backup_is_in_place_is_in_the_audit_trail(
        ashcombe: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made = ashcombe.with_name("earlier.sqlite")
    assert run(capsys, ashcombe, "backup", "--output", str(made))[0] == 0
    with sqlite3.connect(ashcombe) as conn:  # the school changes after the backup
        conn.execute("UPDATE school SET postcode = 'YO10 5DD'")
    conn.close()
    killed = subprocess.run([sys.executable, "-c", KILL_JUST_AFTER_RESTORING, str(ashcombe), str(made)],
                            env=os.environ.copy(), timeout=60)
    assert killed.returncode != 0
    with sqlite3.connect(ashcombe) as conn:
        postcode = conn.execute("SELECT postcode FROM school").fetchone()[0]
        restores = [r[0] for r in conn.execute("SELECT summary FROM audit_entry WHERE action = 'restore'")]
    conn.close()
    assert postcode != "YO10 5DD"  # restored...
    assert len(restores) == 1 and made.name in restores[0]  # ...and recorded, in the same step
    code, out, err = run(capsys, ashcombe, "report", "audit", "--format", "csv")
    assert code == 0 and "Restored" in out, err
    assert not [p for p in backups.backup_folder().iterdir() if p.name.endswith(".part")]  # its copy cleared


def test_a_backup_being_written_now_is_left_alone(ashcombe: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = backups.backup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    writing = backups.part_path(folder / "ashcombe-2025-11-20-100000-manual.sqlite")  # this live process
    writing.write_bytes(b"SQLite format 3\x00")
    assert run(capsys, ashcombe, "backup")[0] == 0
    assert writing.exists()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_new_database_and_its_journal_are_readable_by_their_owner_only(ashcombe: Path) -> None:
    assert stat.S_IMODE(ashcombe.stat().st_mode) == 0o600
    conn = sqlite3.connect(ashcombe, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE school SET postcode = 'YO10 5DD'")
    journal = ashcombe.with_name(ashcombe.name + "-journal")
    assert journal.exists() and stat.S_IMODE(journal.stat().st_mode) == 0o600
    conn.execute("ROLLBACK")
    conn.close()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_restore_that_makes_the_file_makes_it_owner_only(ashcombe: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    made = tmp_path / "usb.sqlite"
    assert run(capsys, ashcombe, "backup", "--output", str(made))[0] == 0
    fresh = tmp_path / "new-laptop.sqlite"
    code, _out, err = run(capsys, fresh, "restore", str(made))
    assert code == 0, err
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_existing_files_permissions_are_left_as_they_are(ashcombe: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ashcombe.chmod(0o640)  # the school's own choice (a shared staff folder)
    assert run(capsys, ashcombe, "check")[0] == 0
    assert stat.S_IMODE(ashcombe.stat().st_mode) == 0o640


def _revisions() -> list[str]:
    from cpd_desktop.storage.migrate import revisions_in_order

    return revisions_in_order()


@pytest.mark.parametrize("revision", _revisions())
def test_a_sound_file_from_every_schema_passes_the_full_check_and_an_upgraded_one_too(revision: str,
                                                                                      tmp_path: Path) -> None:
    """The full check compares a backup's schema with the one the migrations make: a file made at any
    revision, and one upgraded from it, must pass (else every manifest-less restore would be refused)."""
    from cpd_desktop.storage.migrate import head_revision, upgrade

    path = tmp_path / "old.sqlite"
    db = open_database(path, create=True, migrate=False)
    try:
        upgrade(db, revision)
    finally:
        db.dispose()
    assert full_check_problem(path, revision) == ""
    open_database(path).dispose()  # upgraded on opening
    assert full_check_problem(path, head_revision()) == ""
